// conv1d and conv2d as F.conv1d / F.conv2d (stride, padding, dilation, groups, including
// depthwise). On coil::cuda a convolution worth a GEMM is one implicit-GEMM kernel
// (backends/cuda/conv_igemm.hpp: the windows gathered tile by tile, never stored).
// Elsewhere the zero-padded input is read through sliding windows (window views); two
// lowerings follow from there:
//  - im2col + GEMM (conv_as_gemm): the windows are stored once as the columns
//    [N, G, Cg*KH*KW, OH*OW] and the library GEMM (cuBLAS, Eigen) multiplies each group's
//    weight [Og, Cg*KH*KW] into them, which writes NCHW directly. Taken on the compiled
//    backends when every output pixel sums enough products into enough channels.
//  - a direct convolution: the windows multiplied by the broadcast weight and summed over
//    (input channel, kernel offsets) in one reduction kernel, nothing stored but the
//    output. Depthwise and tiny convolutions, and the reference backend (so the oracle
//    checks the GEMM lowering with the other one).
#pragma once
#include <cstdint>

#include "../core/targets.hpp"
#include "../ir/op_matmul.hpp"
#include "custom.hpp"
#include "padding.hpp"

namespace coil {

// How a convolution is computed (not a PyTorch keyword): `automatic` picks a GEMM or the
// direct sum per conv (conv_as_gemm), the GEMM being the implicit one on coil::cuda and
// im2col + the library GEMM on the CPU; `direct` never stores the columns (their size:
// C/groups * K times the input's, a concern with little memory); `im2col` takes im2col +
// the library GEMM (cuBLAS, Eigen) wherever it can (f32/f64 on the compiled backends);
// `implicit_gemm` takes the implicit GEMM wherever it can on coil::cuda (im2col on the
// CPU). The reference backend always sums directly.
enum class conv_algorithm : std::uint8_t { automatic, direct, im2col, implicit_gemm };

// Convolution parameters, per spatial dim (conv1d reads element 0): PyTorch's keywords.
//   coil::conv2d<coil::conv2d_args{.stride = {2, 2}, .padding = {1, 1}}>(x, w, b)
struct conv2d_args {
  std::int64_t stride[2] = {1, 1};
  std::int64_t padding[2] = {0, 0};
  std::int64_t dilation[2] = {1, 1};
  std::int64_t groups = 1;
  conv_algorithm algorithm = conv_algorithm::automatic;
};
struct conv1d_args {
  std::int64_t stride = 1, padding = 0, dilation = 1, groups = 1;
  conv_algorithm algorithm = conv_algorithm::automatic;
};

namespace detail {
constexpr conv2d_args as_conv2d(conv1d_args a) {
  conv2d_args r;
  r.stride[0] = a.stride;
  r.padding[0] = a.padding;
  r.dilation[0] = a.dilation;
  r.groups = a.groups;
  r.algorithm = a.algorithm;
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

// Whether conv<Spatial> of these records lowers to im2col + GEMM on Target (A.algorithm
// automatic: the heuristic below; direct: never; im2col: wherever it can). The GEMM pays
// for storing the columns (KH*KW times the input) when each column feeds several output
// channels and is long enough for the GEMM's inner loop; a depthwise conv (Og = 1) or a
// handful of products per output is cheaper summed directly. The reference backend
// always sums directly: it is the oracle of the GEMM lowering.
inline constexpr std::int64_t conv_gemm_min_out_channels = 4; // per group
inline constexpr std::int64_t conv_gemm_min_depth = 8;        // Cg * KH * KW
template <class Target, int Spatial, conv2d_args A> constexpr bool conv_as_gemm(const node_record& x, const node_record& w) {
  if constexpr (std::is_same_v<Target, reference> || A.algorithm == conv_algorithm::direct) {
    return false;
  } else {
    if (x.type != dtype::f32 && x.type != dtype::f64) return false;
    std::int64_t depth = w.shp.d[1].static_value();
    for (int s = 0; s < Spatial; ++s) depth *= w.shp.d[2 + s].static_value();
    if (A.algorithm == conv_algorithm::automatic &&
        (w.shp.d[0].static_value() / A.groups < conv_gemm_min_out_channels || depth < conv_gemm_min_depth))
      return false;
    // the columns' pixel dim OH*OW must be expressible (symbolic spatial dims may not be)
    dim pixels = dim_const(1);
    for (int s = 0; s < Spatial; ++s)
      pixels = pixels * conv_output_dim(x.shp.d[2 + s], w.shp.d[2 + s].static_value(), A.stride[s], A.padding[s], A.dilation[s]);
    return pixels.valid;
  }
}

template <int Spatial, conv2d_args A, bool Gemm> struct conv_lowering {
  // The windows of the zero-padded, grouped input: [N, G, Cg, OL, K] for conv1d,
  // [N, G, Cg, OH, KH, OW, KW] for conv2d.
  template <class X, class W> static constexpr auto windows(X, W) {
    constexpr shape xs = record_of<X>.shp, ws = record_of<W>.shp;
    constexpr std::int64_t g = A.groups, c = xs.d[1].static_value();
    constexpr dim G = dim_const(g), Cg = dim_const(c / g);
    constexpr std::uint64_t zero = bits_of(0.0);
    if constexpr (Spatial == 1) {
      constexpr std::int64_t k = ws.d[2].static_value();
      using xg = reshape_to_t<X, shape_of_dims({xs.d[0], G, Cg, xs.d[2]})>;
      const auto xp = pad_axis<pad_mode::constant, zero, 3, A.padding[0], A.padding[0]>(xg{});
      return window<3, k, A.stride[0], A.dilation[0]>(xp);
    } else {
      constexpr std::int64_t kh = ws.d[2].static_value(), kw = ws.d[3].static_value();
      using xg = reshape_to_t<X, shape_of_dims({xs.d[0], G, Cg, xs.d[2], xs.d[3]})>;
      const auto xp = pad_axis<pad_mode::constant, zero, 4, A.padding[1], A.padding[1]>(
          pad_axis<pad_mode::constant, zero, 3, A.padding[0], A.padding[0]>(xg{}));
      return window<5, kw, A.stride[1], A.dilation[1]>(window<3, kh, A.stride[0], A.dilation[0]>(xp));
    }
  }
  // im2col + GEMM: [G, Og, Cg*K] x [N, G, Cg*K, pixels] -> [N, G, Og, pixels].
  template <class X, class W> static constexpr auto gemm_product(X x, W w) {
    constexpr shape xs = record_of<X>.shp, ws = record_of<W>.shp;
    constexpr std::int64_t g = A.groups, c = xs.d[1].static_value(), o = ws.d[0].static_value();
    const auto xw = windows(x, w);
    constexpr shape wins = record_of<decltype(xw)>.shp;
    constexpr dim G = dim_const(g), Og = dim_const(o / g);
    constexpr dim D = dim_const(c / g * ws.d[2].static_value() * (Spatial == 2 ? ws.d[3].static_value() : 1));
    if constexpr (Spatial == 1) {
      const auto cols = permute<0, 1, 2, 4, 3>(xw); // [N, G, Cg, K, OL]
      using col = reshape_to_t<decltype(cols), shape_of_dims({wins.d[0], G, D, wins.d[3]})>;
      using wg = reshape_to_t<W, shape_of_dims({G, Og, D})>;
      return matmul(wg{}, col{});
    } else {
      const auto cols = permute<0, 1, 2, 4, 6, 3, 5>(xw); // [N, G, Cg, KH, KW, OH, OW]
      using col = reshape_to_t<decltype(cols), shape_of_dims({wins.d[0], G, D, wins.d[3] * wins.d[5]})>;
      using wg = reshape_to_t<W, shape_of_dims({G, Og, D})>;
      return matmul(wg{}, col{});
    }
  }
  // The direct convolution: [N, G, Og, OL] or [N, G, Og, OH, OW].
  template <class X, class W> static constexpr auto product_sum(X x, W w) {
    constexpr shape xs = record_of<X>.shp, ws = record_of<W>.shp;
    constexpr std::int64_t g = A.groups, c = xs.d[1].static_value(), o = ws.d[0].static_value();
    constexpr dim G = dim_const(g), Cg = dim_const(c / g), Og = dim_const(o / g);
    const auto xw = windows(x, w);
    if constexpr (Spatial == 1) {
      const auto xu = unsqueeze<2>(permute<0, 1, 3, 2, 4>(xw)); // [N, G, 1, OL, Cg, K]
      using wg = reshape_to_t<W, shape_of_dims({G, Og, Cg, ws.d[2]})>;
      const auto wu = unsqueeze<2>(wg{}); // [G, Og, 1, Cg, K]
      return make_node<reduce_op<op_code::sum, false, axes_of(4, 5)>>(xu * wu);
    } else {
      const auto xu = unsqueeze<2>(permute<0, 1, 3, 5, 2, 4, 6>(xw)); // [N, G, 1, OH, OW, Cg, KH, KW]
      using wg = reshape_to_t<W, shape_of_dims({G, Og, Cg, ws.d[2], ws.d[3]})>;
      const auto wu = unsqueeze<2>(unsqueeze<2>(wg{})); // [G, Og, 1, 1, Cg, KH, KW]
      return make_node<reduce_op<op_code::sum, false, axes_of(5, 6, 7)>>(xu * wu);
    }
  }
  // [N, O, L...] from either lowering, plus the bias broadcast over the positions.
  template <class X, class W, class... B> static constexpr auto build(X x, W w, B...) {
    constexpr dim O = record_of<W>.shp.d[0];
    const auto s = [&] {
      if constexpr (Gemm) return gemm_product(x, w);
      else return product_sum(x, w);
    }();
    constexpr shape wins = record_of<decltype(windows(x, w))>.shp;
    if constexpr (Spatial == 1) {
      using y = reshape_to_t<decltype(s), shape_of_dims({wins.d[0], O, wins.d[3]})>;
      if constexpr (sizeof...(B) == 0) return y{};
      else return (y{} + ... + reshape_to_t<B, shape_of_dims({O, dim_const(1)})>{});
    } else {
      using y = reshape_to_t<decltype(s), shape_of_dims({wins.d[0], O, wins.d[3], wins.d[5]})>;
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
  template <class X, class W, class... B>
  using apply = decltype(detail::conv_lowering<Spatial, A, detail::conv_as_gemm<Target, Spatial, A>(record_of<X>, record_of<W>)>::build(
      X{}, W{}, B{}...));
};

namespace cuda_kernel {
// The implicit-GEMM convolution as a CUDA custom kernel (ops/custom.hpp): x, the weight
// with KH x KW windows (conv1d: KH = 1) and the bias when HasBias, to [N, O, OL...]. `run`
// is defined with the CUDA kernels (backends/cuda/conv_igemm.hpp), the only place a
// coil::cuda model is compiled.
template <int Spatial, conv2d_args A, bool HasBias, std::int64_t KH, std::int64_t KW> struct conv_implicit_gemm {
  static constexpr const char* name = Spatial == 1 ? "conv1d" : "conv2d";
  static constexpr bool cuda = true;
  static constexpr infer_result infer(const node_record* in, int) { return detail::conv_infer<Spatial, A, HasBias>(in); }
  template <class Out, class X, class W, class... B> static void run(void* stream, Out out, X x, W w, B... bias);
};
} // namespace cuda_kernel

// On coil::cuda: the implicit GEMM where conv_as_gemm takes a GEMM and `im2col` is not asked for.
template <int Spatial, conv2d_args A, bool HasBias> struct lower_impl<conv_op<Spatial, A, HasBias>, cuda> {
  template <class X, class W>
  static constexpr bool implicit = A.algorithm != conv_algorithm::im2col && detail::conv_as_gemm<cuda, Spatial, A>(record_of<X>, record_of<W>);
  template <class X, class W, class... B> static constexpr auto lower() {
    if constexpr (implicit<X, W>) {
      constexpr shape ws = record_of<W>.shp;
      using kernel = cuda_kernel::conv_implicit_gemm<Spatial, A, HasBias, Spatial == 1 ? 1 : ws.d[2].static_value(),
                                                     ws.d[Spatial == 1 ? 2 : 3].static_value()>;
      return node_t<custom_op<kernel, X, W, B...>, X, W, B...>{};
    } else {
      return detail::conv_lowering<Spatial, A, detail::conv_as_gemm<cuda, Spatial, A>(record_of<X>, record_of<W>)>::build(X{}, W{}, B{}...);
    }
  }
  template <class X, class W, class... B> using apply = decltype(lower<X, W, B...>());
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
