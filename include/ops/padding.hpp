// pad, as F.pad: constant and reflect modes, lowered to cat. A constant pad concatenates
// the value broadcast to the pad's shape on each side; a reflect pad concatenates flipped
// slices of the input. The padded tensor is never stored unless the planner decides so:
// a consumer reads it through cat's branch select.
#pragma once
#include <cstdint>

#include "common.hpp"

namespace coil {

enum class pad_mode : std::uint8_t { constant, reflect };

namespace detail {
// The pads of PyTorch's flat list, (left, right) of the last dim first.
template <std::int64_t... P> constexpr std::int64_t pad_at(int i) {
  const std::int64_t p[] = {P..., 0};
  return p[i];
}

// The padded record, or the error: an even count of non-negative pads, at most two per
// dim; reflect pads shorter than the dim, which must be static.
template <pad_mode Mode, std::int64_t... P> constexpr infer_result pad_infer(const node_record& x) {
  infer_result r;
  r.rec.kind = op_kind::cat;
  r.rec.type = r.rec.compute = x.type;
  r.rec.shp = x.shp;
  constexpr int n = sizeof...(P);
  if (n % 2 != 0 || n / 2 > x.shp.rank) {
    r = fail_shape(r, "pad", "needs an even number of pads, two per padded dim: ", x);
    r.msg << ", " << n << " pads";
    return r;
  }
  for (int j = 0; j < n / 2; ++j) {
    const int axis = x.shp.rank - 1 - j;
    const std::int64_t left = pad_at<P...>(2 * j), right = pad_at<P...>(2 * j + 1);
    if (left < 0 || right < 0) {
      r = fail_shape(r, "pad", "negative pads are not supported: ", x);
      r.msg << ", dim " << axis << " pads " << left << ", " << right;
      return r;
    }
    const dim& d = x.shp.d[axis];
    if (Mode == pad_mode::reflect && (left > 0 || right > 0)) {
      if (!d.is_static() || left >= d.static_value() || right >= d.static_value()) {
        r = fail_shape(r, "pad", "reflect pads must be shorter than a static dim: ", x);
        r.msg << ", dim " << axis << " pads " << left << ", " << right;
        return r;
      }
    }
    r.rec.shp.d[axis] = d + dim_const(left + right);
  }
  return r;
}
} // namespace detail

// pad of the last sizeof(P)/2 dims; Value: the constant's bits (a double).
template <pad_mode Mode, std::uint64_t Value, std::int64_t... P> struct pad_op {
  static constexpr const char* name = "pad";
  static constexpr infer_result infer(const node_record* in, int) { return detail::pad_infer<Mode, P...>(in[0]); }
};

namespace detail {
template <pad_mode Mode, std::uint64_t Value, int Axis, std::int64_t Left, std::int64_t Right, class X>
constexpr auto pad_axis(X x) {
  if constexpr (Left == 0 && Right == 0) {
    return x;
  } else if constexpr (Mode == pad_mode::constant) {
    constexpr shape ls = with_dim(record_of<X>.shp, Axis, dim_const(Left));
    constexpr shape rs = with_dim(record_of<X>.shp, Axis, dim_const(Right));
    using fill = fill_t<record_of<X>.type, Value>;
    using left = typename expand_to<fill, ls>::type;
    using right = typename expand_to<fill, rs>::type;
    if constexpr (Left == 0) return cat<Axis>(x, right{});
    else if constexpr (Right == 0) return cat<Axis>(left{}, x);
    else return cat<Axis>(left{}, x, right{});
  } else {
    constexpr std::int64_t n = record_of<X>.shp.d[Axis].static_value();
    // x[1 : Left + 1] reversed, x, x[n - 1 - Right : n - 1] reversed
    if constexpr (Left == 0) return cat<Axis>(x, flip<Axis>(slice<Axis, n - 1 - Right, n - 1>(x)));
    else if constexpr (Right == 0) return cat<Axis>(flip<Axis>(slice<Axis, 1, Left + 1>(x)), x);
    else return cat<Axis>(flip<Axis>(slice<Axis, 1, Left + 1>(x)), x, flip<Axis>(slice<Axis, n - 1 - Right, n - 1>(x)));
  }
}

template <pad_mode Mode, std::uint64_t Value, int J, std::int64_t... P, class X> constexpr auto pad_from(X x) {
  if constexpr (J == static_cast<int>(sizeof...(P)) / 2) {
    return x;
  } else {
    constexpr int axis = record_of<X>.shp.rank - 1 - J;
    return pad_from<Mode, Value, J + 1, P...>(pad_axis<Mode, Value, axis, pad_at<P...>(2 * J), pad_at<P...>(2 * J + 1)>(x));
  }
}
} // namespace detail

template <pad_mode Mode, std::uint64_t Value, std::int64_t... P, class Target> struct lower_impl<pad_op<Mode, Value, P...>, Target> {
  template <class X> using apply = decltype(detail::pad_from<Mode, Value, 0, P...>(X{}));
};

// `pad<1, 2>(x)`, `pad<1, 1, 2, 0>(x, -1.5_c)`: F.pad(input, pad, mode='constant', value=0):
// (left, right) pads of the last dim, then of the dim before it, and so on.
template <std::int64_t... P, expr X, scalar_literal V = static_int<0>> constexpr auto pad(X x, V = {}) {
  return make_node<pad_op<pad_mode::constant, detail::real_bits_of(V{}), P...>>(x);
}
// `pad<coil::pad_mode::reflect, 2, 2>(x)`: F.pad(input, pad, mode='reflect').
template <pad_mode Mode, std::int64_t... P, expr X> constexpr auto pad(X x) {
  return make_node<pad_op<Mode, detail::bits_of(0.0), P...>>(x);
}

} // namespace coil
