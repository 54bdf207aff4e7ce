// max_pool2d, avg_pool2d and adaptive_avg_pool2d as PyTorch's, over the last two dims of
// a [N, C, H, W] or [C, H, W] input. Fixed windows lower to window views of the padded
// input and a reduction over the window offsets (one kernel). Adaptive pooling is a mean
// for a 1x1 output, a fixed pool when the sizes divide, and otherwise a masked sum whose
// masks are PyTorch's window bounds start = floor(o * H / OH), end = ceil((o + 1) * H / OH)
// written as integer comparisons of iota: i >= start  <=>  (i + 1) * OH > o * H, and
// i < end  <=>  i * OH < (o + 1) * H.
#pragma once
#include <cstdint>
#include <limits>

#include "padding.hpp"

namespace coil {

// Pooling parameters, PyTorch's keywords; a stride of 0 means "the kernel size" (None).
// ceil_mode is not supported (False, PyTorch's default).
//   coil::max_pool2d<coil::pool2d_args{.kernel = {3, 3}, .stride = {2, 2}, .padding = {1, 1}}>(x)
struct pool2d_args {
  std::int64_t kernel[2] = {1, 1};
  std::int64_t stride[2] = {0, 0};
  std::int64_t padding[2] = {0, 0};
  std::int64_t dilation[2] = {1, 1}; // max_pool2d only
  bool count_include_pad = true;     // avg_pool2d only
  std::int64_t divisor_override = 0; // avg_pool2d only; 0: none
};

namespace detail {
constexpr pool2d_args square_pool(std::int64_t k) {
  pool2d_args a;
  a.kernel[0] = a.kernel[1] = k;
  return a;
}
constexpr std::int64_t pool_stride(const pool2d_args& a, int s) { return a.stride[s] > 0 ? a.stride[s] : a.kernel[s]; }

template <bool Max, pool2d_args A> constexpr infer_result pool_infer(const node_record& x) {
  const char* name = Max ? "max_pool2d" : "avg_pool2d";
  infer_result r;
  r.rec.kind = op_kind::reduction;
  r.rec.type = r.rec.compute = x.type;
  if (x.shp.rank != 3 && x.shp.rank != 4) return fail_shape(r, name, "needs input [N, C, H, W] or [C, H, W]: ", x);
  if (!Max && !is_floating(x.type)) return need_floating(r, x, name);
  if (x.type == dtype::b8) return fail_shape(r, name, "not defined for bool: ", x);
  r.rec.shp = x.shp;
  for (int s = 0; s < 2; ++s) {
    const std::int64_t k = A.kernel[s], d = Max ? A.dilation[s] : 1;
    if (A.divisor_override < 0) {
      r = fail_shape(r, name, "divisor_override must be positive: ", x);
      r.msg << ", divisor_override " << A.divisor_override;
      return r;
    }
    if (k < 1 || A.stride[s] < 0 || d < 1 || A.padding[s] < 0) {
      r = fail_shape(r, name, "kernel, stride and dilation must be positive, padding non-negative: ", x);
      r.msg << ", kernel " << k << ", stride " << A.stride[s] << ", dilation " << d << ", padding " << A.padding[s];
      return r;
    }
    if (2 * A.padding[s] > d * (k - 1) + 1) {
      r = fail_shape(r, name, "padding must be at most half the kernel: ", x);
      r.msg << ", kernel " << k << ", padding " << A.padding[s];
      return r;
    }
    const dim out = conv_output_dim(x.shp.d[x.shp.rank - 2 + s], k, pool_stride(A, s), A.padding[s], d);
    if (!out.valid || (out.is_static() && out.static_value() < 1))
      return fail_shape(r, name, "the padded input is smaller than the kernel: ", x);
    r.rec.shp.d[x.shp.rank - 2 + s] = out;
  }
  return r;
}

// The windows of x's last two dims, offsets last: [.., OH, OW, KH, KW].
template <pool2d_args A, std::uint64_t PadBits, class X> constexpr auto pool_windows(X x) {
  constexpr int r = record_of<X>.shp.rank;
  const auto xp = pad_axis<pad_mode::constant, PadBits, r - 1, A.padding[1], A.padding[1]>(
      pad_axis<pad_mode::constant, PadBits, r - 2, A.padding[0], A.padding[0]>(x));
  const auto w = window<r, A.kernel[1], pool_stride(A, 1), A.dilation[1]>(
      window<r - 2, A.kernel[0], pool_stride(A, 0), A.dilation[0]>(xp)); // [.., OH, KH, OW, KW]
  if constexpr (r == 4) return permute<0, 1, 2, 4, 3, 5>(w);
  else if constexpr (r == 3) return permute<0, 1, 3, 2, 4>(w);
  else return permute<0, 2, 1, 3>(w); // [H, W]: the count of a count_include_pad=False pool
}
} // namespace detail

template <bool Max, pool2d_args A> struct pool2d_op {
  static constexpr const char* name = Max ? "max_pool2d" : "avg_pool2d";
  static constexpr infer_result infer(const node_record* in, int) { return detail::pool_infer<Max, A>(in[0]); }
};

template <bool Max, pool2d_args A, class Target> struct lower_impl<pool2d_op<Max, A>, Target> {
  template <class X> static constexpr auto build(X x) {
    constexpr dtype t = record_of<X>.type;
    if constexpr (Max) {
      // padding reads -inf: it never wins, and a NaN in the window still propagates
      constexpr std::uint64_t low = detail::bits_of(-std::numeric_limits<double>::infinity());
      return amax<-2, -1>(detail::pool_windows<A, low>(x));
    } else {
      const auto total = sum<-2, -1>(detail::pool_windows<A, detail::bits_of(0.0)>(x));
      if constexpr (A.divisor_override > 0) {
        return total / detail::fill_t<t, detail::bits_of(static_cast<double>(A.divisor_override))>{};
      } else if constexpr (A.count_include_pad || (A.padding[0] == 0 && A.padding[1] == 0)) {
        return total / detail::fill_t<t, detail::bits_of(static_cast<double>(A.kernel[0] * A.kernel[1]))>{};
      } else {
        // the count of input (not padding) elements in each window: the same pool of ones
        constexpr shape hw = detail::trailing_dims(record_of<X>.shp, 2);
        using ones = typename detail::expand_to<detail::fill_t<t, detail::bits_of(1.0)>, hw>::type;
        return total / sum<-2, -1>(detail::pool_windows<A, detail::bits_of(0.0)>(ones{}));
      }
    }
  }
  template <class X> using apply = decltype(build(X{}));
};

// `max_pool2d<2>(x)` (kernel 2, stride 2) or `max_pool2d<coil::pool2d_args{...}>(x)`:
// F.max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1).
template <pool2d_args A, expr X> constexpr auto max_pool2d(X x) { return make_node<pool2d_op<true, A>>(x); }
template <std::int64_t K, expr X> constexpr auto max_pool2d(X x) { return max_pool2d<detail::square_pool(K)>(x); }
// `avg_pool2d<2>(x)`, `avg_pool2d<coil::pool2d_args{...}>(x)`: F.avg_pool2d(input,
// kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None).
template <pool2d_args A, expr X> constexpr auto avg_pool2d(X x) { return make_node<pool2d_op<false, A>>(x); }
template <std::int64_t K, expr X> constexpr auto avg_pool2d(X x) { return avg_pool2d<detail::square_pool(K)>(x); }

// ---- adaptive_avg_pool2d ------------------------------------------------------------------

template <std::int64_t OH, std::int64_t OW> struct adaptive_avg_pool2d_op {
  static constexpr const char* name = "adaptive_avg_pool2d";
  static constexpr infer_result infer(const node_record* in, int) {
    const node_record& x = in[0];
    infer_result r;
    r.rec.kind = op_kind::reduction;
    r.rec.type = r.rec.compute = x.type;
    if (x.shp.rank != 3 && x.shp.rank != 4) return detail::fail_shape(r, name, "needs input [N, C, H, W] or [C, H, W]: ", x);
    if (!is_floating(x.type)) return detail::need_floating(r, x, name);
    if (OH < 1 || OW < 1) return detail::fail_shape(r, name, "output size must be positive: ", x);
    const dim &h = x.shp.d[x.shp.rank - 2], &w = x.shp.d[x.shp.rank - 1];
    if ((OH > 1 || OW > 1) && (!h.is_static() || !w.is_static()))
      return detail::fail_shape(r, name, "an output above 1x1 needs static spatial dims: ", x);
    r.rec.shp = x.shp;
    r.rec.shp.d[x.shp.rank - 2] = dim_const(OH);
    r.rec.shp.d[x.shp.rank - 1] = dim_const(OW);
    return r;
  }
};

template <std::int64_t OH, std::int64_t OW, class Target> struct lower_impl<adaptive_avg_pool2d_op<OH, OW>, Target> {
  template <class X> static constexpr auto build(X x) {
    constexpr shape xs = record_of<X>.shp;
    constexpr int r = xs.rank;
    if constexpr (OH == 1 && OW == 1) {
      return mean<-2, -1>(x, keepdim);
    } else {
      constexpr std::int64_t h = xs.d[r - 2].static_value(), w = xs.d[r - 1].static_value();
      if constexpr (h % OH == 0 && w % OW == 0) {
        constexpr pool2d_args a = [] {
          pool2d_args p;
          p.kernel[0] = p.stride[0] = h / OH;
          p.kernel[1] = p.stride[1] = w / OW;
          return p;
        }();
        return sum<-2, -1>(detail::pool_windows<a, detail::bits_of(0.0)>(x)) /
               detail::fill_t<record_of<X>.type, detail::bits_of(static_cast<double>(h / OH * (w / OW)))>{};
      } else {
        constexpr shape m = detail::shape_of_dims({dim_const(OH), dim_const(OW), dim_const(h), dim_const(w)});
        using o = detail::iota_to_t<0, m>;
        using p = detail::iota_to_t<1, m>;
        using i = detail::iota_to_t<2, m>;
        using j = detail::iota_to_t<3, m>;
        const auto in_window = ((i{} + static_int<1>{}) * static_int<OH>{} > o{} * static_int<h>{}) &&
                               (i{} * static_int<OH>{} < (o{} + static_int<1>{}) * static_int<h>{}) &&
                               ((j{} + static_int<1>{}) * static_int<OW>{} > p{} * static_int<w>{}) &&
                               (j{} * static_int<OW>{} < (p{} + static_int<1>{}) * static_int<w>{});
        using zero = detail::fill_t<record_of<X>.type, detail::bits_of(0.0)>;
        using one = detail::fill_t<record_of<X>.type, detail::bits_of(1.0)>;
        const auto total = sum<-2, -1>(where(in_window, unsqueeze<r - 2>(unsqueeze<r - 2>(x)), zero{}));
        return total / sum<-2, -1>(where(in_window, one{}, zero{}));
      }
    }
  }
  template <class X> using apply = decltype(build(X{}));
};

// `adaptive_avg_pool2d<1, 1>(x)`: F.adaptive_avg_pool2d(input, (OH, OW)).
template <std::int64_t OH, std::int64_t OW = OH, expr X> constexpr auto adaptive_avg_pool2d(X x) {
  return make_node<adaptive_avg_pool2d_op<OH, OW>>(x);
}

} // namespace coil
