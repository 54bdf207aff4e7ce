// Reductions over one or several axes, with keepdim: sum, mean, prod, amax, amin,
// argmax, argmin. Axes are compile-time (template arguments or `_c` literals).
#pragma once
#include "op_leaf.hpp"

namespace coil {

// Passed as the last argument of a reduction to keep reduced axes as size 1.
struct keepdim_t {};
inline constexpr keepdim_t keepdim{};

// Axes as written by the user, before normalization against the input's rank.
struct axis_list {
  int n = 0;
  int v[max_rank]{};
};

template <op_code C, bool Keepdim, axis_list Axes> struct reduce_op {
  static constexpr op_code code = C;
  static constexpr infer_result infer(const node_record* in, int) {
    infer_result r;
    const char* op = op_name(C);
    const node_record& x = in[0];
    r.rec.code = C;
    r.rec.kind = op_kind::reduction;
    r.rec.keepdim = Keepdim;
    const bool arg = C == op_code::argmax || C == op_code::argmin;
    if (arg && Axes.n > 1) return detail::fail_prefix(r, op, "takes one axis or none");
    // a 0-d tensor reduces over its only (implicit) axis: nothing to fold
    std::uint32_t mask = 0;
    if (Axes.n == 0) {
      mask = x.shp.rank == 0 ? 0u : (1u << x.shp.rank) - 1u;
    }
    for (int i = 0; i < Axes.n; ++i) {
      int a = normalize_axis(Axes.v[i], x.shp.rank);
      if (a < 0) {
        r = detail::fail_prefix(r, op, "axis out of range: ");
        r.msg << "axis " << Axes.v[i] << " of ";
        detail::label(r.msg, x, "input");
        r.msg << " ";
        format_shape(r.msg, x.shp);
        return r;
      }
      if (x.shp.rank == 0) continue;
      if (mask & (1u << a)) {
        r = detail::fail_prefix(r, op, "axis repeated: ");
        r.msg << "axis " << a;
        return r;
      }
      mask |= 1u << a;
    }
    r.rec.axes = mask;
    // argmax over all axes returns an index into the flattened input
    const bool flatten = arg && Axes.n == 0;
    for (int i = 0; i < x.shp.rank; ++i) {
      bool folded = (mask >> i) & 1u;
      if (folded && (C == op_code::amax || C == op_code::amin || arg) && x.shp.d[i].is_static(0)) {
        r = detail::fail_prefix(r, op, "reduction over a zero-size dim: ");
        detail::label(r.msg, x, "input");
        r.msg << " is ";
        format_shape(r.msg, x.shp);
        return r;
      }
      if (!folded) r.rec.shp.d[r.rec.shp.rank++] = x.shp.d[i];
      else if (Keepdim) r.rec.shp.d[r.rec.shp.rank++] = dim_const(1);
    }
    if (flatten && !Keepdim) r.rec.shp.rank = 0;
    dtype t = x.type;
    switch (C) {
    case op_code::sum:
    case op_code::prod: r.rec.type = is_floating(t) ? t : dtype::i64; break;
    case op_code::mean:
      if (!is_floating(t)) {
        r = detail::fail_prefix(r, op, "needs a floating input: ");
        detail::label(r.msg, x, "input");
        r.msg << " is " << dtype_name(t) << " (cast it first)";
        return r;
      }
      r.rec.type = t;
      break;
    case op_code::argmax:
    case op_code::argmin:
      if (t == dtype::b8) {
        r = detail::fail_prefix(r, op, "not defined for bool: ");
        detail::label(r.msg, x, "input");
        r.msg << " is bool";
        return r;
      }
      r.rec.type = dtype::i64;
      break;
    default: r.rec.type = t;
    }
    r.rec.compute = t;
    return r;
  }
};

namespace detail {
template <class T> constexpr bool is_keepdim = std::is_same_v<std::remove_cvref_t<T>, keepdim_t>;

template <int... TemplateAxes, class... Args> constexpr axis_list collect_axes(Args...) {
  axis_list l;
  for (int a : {TemplateAxes..., 0}) l.v[l.n++] = a;
  --l.n; // the trailing 0 above only keeps the list non-empty
  [[maybe_unused]] auto add = [&l](auto arg) {
    if constexpr (static_integer<decltype(arg)>) l.v[l.n++] = static_cast<int>(decltype(arg)::int_value);
  };
  (add(Args{}), ...);
  return l;
}

template <op_code C, int... TemplateAxes, expr A, class... Args> constexpr auto reduce(A a, Args...) {
  static_assert(((static_integer<Args> || is_keepdim<Args>) && ...),
                "coil: reduction arguments are axes (`1_c`) and optionally coil::keepdim");
  constexpr bool keep = (is_keepdim<Args> || ...);
  return make_node<reduce_op<C, keep, collect_axes<TemplateAxes...>(Args{}...)>>(a);
}
} // namespace detail

// Reductions as in torch: `sum<-1>(x)`, `sum(x, -1_c)`, `amax<0, 1>(x, coil::keepdim)`.
// No axis reduces over all axes. argmax/argmin take one axis or none (flattened index).
#define COIL_REDUCTION(fn)                                                                         \
  template <int... Axes, expr A, class... Args> constexpr auto fn(A a, Args... args) {              \
    return detail::reduce<op_code::fn, Axes...>(a, args...);                                       \
  }
COIL_REDUCTION(sum)
COIL_REDUCTION(mean)
COIL_REDUCTION(prod)
COIL_REDUCTION(amax)
COIL_REDUCTION(amin)
COIL_REDUCTION(argmax)
COIL_REDUCTION(argmin)
#undef COIL_REDUCTION

} // namespace coil
