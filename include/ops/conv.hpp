// conv1d and conv2d as F.conv1d / F.conv2d (stride, padding, dilation, groups, including
// depthwise), lowered to a direct convolution: the zero-padded input is read through
// sliding windows (window views), multiplied by the broadcast weight and summed over
// (input channel, kernel offsets) in one reduction kernel. Nothing but the output is
// stored; no im2col buffer.
#pragma once
#include <cstdint>

#include "padding.hpp"

namespace coil {

// Convolution parameters, per spatial dim (conv1d reads element 0): PyTorch's keywords.
//   coil::conv2d<coil::conv2d_args{.stride = {2, 2}, .padding = {1, 1}}>(x, w, b)
struct conv2d_args {
  std::int64_t stride[2] = {1, 1};
  std::int64_t padding[2] = {0, 0};
  std::int64_t dilation[2] = {1, 1};
  std::int64_t groups = 1;
};
struct conv1d_args {
  std::int64_t stride = 1, padding = 0, dilation = 1, groups = 1;
};

namespace detail {
constexpr conv2d_args as_conv2d(conv1d_args a) {
  conv2d_args r;
  r.stride[0] = a.stride;
  r.padding[0] = a.padding;
  r.dilation[0] = a.dilation;
  r.groups = a.groups;
  return r;
}

// The record of conv<Spatial>: x [N, C, L...], weight [O, C / groups, K...] with static O,
// C and K, bias [O].
template <int Spatial, conv2d_args A, bool HasBias> constexpr infer_result conv_infer(const node_record* in) {
  const char* name = Spatial == 1 ? "conv1d" : "conv2d";
  const node_record &x = in[0], &w = in[1];
  infer_result r;
  r.rec.kind = op_kind::reduction;
  if (x.shp.rank != 2 + Spatial || w.shp.rank != 2 + Spatial)
    return fail_shapes(r, name, Spatial == 1 ? "needs input [N, C, L] and weight [O, C / groups, K]: "
                                             : "needs input [N, C, H, W] and weight [O, C / groups, KH, KW]: ",
                       x, "input", w, "weight");
  if (!is_floating(x.type) || x.type != w.type)
    return fail_shapes(r, name, "input and weight must be one floating dtype: ", x, "input", w, "weight");
  r.rec.type = r.rec.compute = x.type;
  for (int d = 0; d < 2 + Spatial; ++d)
    if (!w.shp.d[d].is_static()) return fail_shape(r, name, "the weight's dims must be static: ", w, "weight");
  if (!x.shp.d[1].is_static()) return fail_shape(r, name, "the channel dim must be static: ", x);
  const std::int64_t g = A.groups, c = x.shp.d[1].static_value(), o = w.shp.d[0].static_value();
  if (g < 1 || c % g != 0 || o % g != 0 || w.shp.d[1].static_value() != c / g) {
    r = fail_shapes(r, name, "channels do not match groups: ", x, "input", w, "weight");
    r.msg << ", groups " << g;
    return r;
  }
  r.rec.shp.rank = 2 + Spatial;
  r.rec.shp.d[0] = x.shp.d[0];
  r.rec.shp.d[1] = w.shp.d[0];
  for (int s = 0; s < Spatial; ++s) {
    const std::int64_t k = w.shp.d[2 + s].static_value();
    if (A.stride[s] < 1 || A.dilation[s] < 1 || A.padding[s] < 0) {
      r = fail_shape(r, name, "stride and dilation must be positive, padding non-negative: ", x);
      r.msg << ", stride " << A.stride[s] << ", dilation " << A.dilation[s] << ", padding " << A.padding[s];
      return r;
    }
    const dim out = conv_output_dim(x.shp.d[2 + s], k, A.stride[s], A.padding[s], A.dilation[s]);
    if (!out.valid || (out.is_static() && out.static_value() < 1)) {
      r = fail_shapes(r, name, "the padded input is smaller than the kernel: ", x, "input", w, "weight");
      return r;
    }
    r.rec.shp.d[2 + s] = out;
  }
  if (HasBias) {
    const node_record& b = in[2];
    if (b.shp.rank != 1 || !(b.shp.d[0] == w.shp.d[0]) || b.type != x.type)
      return fail_shapes(r, name, "bias must be [out_channels] of the input's dtype: ", b, "bias", w, "weight");
  }
  return r;
}

template <int Spatial, conv2d_args A> struct conv_lowering {
  template <class X, class W> static constexpr auto product_sum(X, W) {
    constexpr shape xs = record_of<X>.shp, ws = record_of<W>.shp;
    constexpr std::int64_t g = A.groups, c = xs.d[1].static_value(), o = ws.d[0].static_value();
    constexpr dim G = dim_const(g), Cg = dim_const(c / g), Og = dim_const(o / g);
    constexpr std::uint64_t zero = bits_of(0.0);
    if constexpr (Spatial == 1) {
      constexpr std::int64_t k = ws.d[2].static_value();
      using xg = reshape_to_t<X, shape_of_dims({xs.d[0], G, Cg, xs.d[2]})>;
      const auto xp = pad_axis<pad_mode::constant, zero, 3, A.padding[0], A.padding[0]>(xg{});
      const auto xw = window<3, k, A.stride[0], A.dilation[0]>(xp);       // [N, G, Cg, OL, K]
      const auto xu = unsqueeze<2>(permute<0, 1, 3, 2, 4>(xw));          // [N, G, 1, OL, Cg, K]
      using wg = reshape_to_t<W, shape_of_dims({G, Og, Cg, dim_const(k)})>;
      const auto wu = unsqueeze<2>(wg{});                                  // [G, Og, 1, Cg, K]
      return make_node<reduce_op<op_code::sum, false, axes_of(4, 5)>>(xu * wu); // [N, G, Og, OL]
    } else {
      constexpr std::int64_t kh = ws.d[2].static_value(), kw = ws.d[3].static_value();
      using xg = reshape_to_t<X, shape_of_dims({xs.d[0], G, Cg, xs.d[2], xs.d[3]})>;
      const auto xp = pad_axis<pad_mode::constant, zero, 4, A.padding[1], A.padding[1]>(
          pad_axis<pad_mode::constant, zero, 3, A.padding[0], A.padding[0]>(xg{}));
      const auto xw = window<5, kw, A.stride[1], A.dilation[1]>(window<3, kh, A.stride[0], A.dilation[0]>(xp));
      const auto xu = unsqueeze<2>(permute<0, 1, 3, 5, 2, 4, 6>(xw)); // [N, G, 1, OH, OW, Cg, KH, KW]
      using wg = reshape_to_t<W, shape_of_dims({G, Og, Cg, dim_const(kh), dim_const(kw)})>;
      const auto wu = unsqueeze<2>(unsqueeze<2>(wg{}));               // [G, Og, 1, 1, Cg, KH, KW]
      return make_node<reduce_op<op_code::sum, false, axes_of(5, 6, 7)>>(xu * wu); // [N, G, Og, OH, OW]
    }
  }
  template <class X, class W, class... B> static constexpr auto build(X x, W w, B...) {
    const auto s = product_sum(x, w);
    constexpr shape ss = record_of<decltype(s)>.shp;
    constexpr dim O = record_of<W>.shp.d[0];
    if constexpr (Spatial == 1) {
      using y = reshape_to_t<decltype(s), shape_of_dims({ss.d[0], O, ss.d[3]})>;
      if constexpr (sizeof...(B) == 0) return y{};
      else return (y{} + ... + reshape_to_t<B, shape_of_dims({O, dim_const(1)})>{});
    } else {
      using y = reshape_to_t<decltype(s), shape_of_dims({ss.d[0], O, ss.d[3], ss.d[4]})>;
      if constexpr (sizeof...(B) == 0) return y{};
      else return (y{} + ... + reshape_to_t<B, shape_of_dims({O, dim_const(1), dim_const(1)})>{});
    }
  }
};
} // namespace detail

template <int Spatial, conv2d_args A, bool HasBias> struct conv_op {
  static constexpr const char* name = Spatial == 1 ? "conv1d" : "conv2d";
  static constexpr infer_result infer(const node_record* in, int) { return detail::conv_infer<Spatial, A, HasBias>(in); }
};

template <int Spatial, conv2d_args A, bool HasBias, class Target> struct lower_impl<conv_op<Spatial, A, HasBias>, Target> {
  template <class... C> using apply = decltype(detail::conv_lowering<Spatial, A>::build(C{}...));
};

// `conv2d(x, w, b)`, `conv2d<coil::conv2d_args{.stride = {2, 2}, .padding = {1, 1}, .groups = 4}>(x, w)`:
// F.conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1).
template <conv2d_args A = conv2d_args{}, expr X, expr W, optional_tensor B = none_t>
constexpr auto conv2d(X x, W weight, B bias = {}) {
  return detail::make_node_present<conv_op<2, A, expr<B>>>(x, weight, bias);
}
// `conv1d<coil::conv1d_args{.stride = 2}>(x, w, b)`: F.conv1d with the same keywords.
template <conv1d_args A = conv1d_args{}, expr X, expr W, optional_tensor B = none_t>
constexpr auto conv1d(X x, W weight, B bias = {}) {
  return detail::make_node_present<conv_op<1, detail::as_conv2d(A), expr<B>>>(x, weight, bias);
}

} // namespace coil
