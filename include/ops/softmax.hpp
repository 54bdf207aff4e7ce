// softmax, log_softmax and logsumexp, as PyTorch computes them: every row is shifted by
// its maximum before exp, so large inputs do not overflow. The shift is not guarded for
// softmax and log_softmax: a row that is all -inf gives NaN, as in PyTorch. logsumexp
// replaces an infinite maximum by 0 (PyTorch's masked_fill), so an all -inf row gives
// -inf and a row holding +inf gives +inf. Over the last dim, softmax and log_softmax
// lower to the row shape the planner runs as ONE kernel (tests/static/ops_plan.cpp).
#pragma once
#include <limits>

#include "common.hpp"

namespace coil {

namespace detail {
// The record of a dim-preserving op along one dim of a floating input.
constexpr infer_result along_dim_infer(const node_record& x, int dim_arg, const char* op) {
  infer_result r = same_as_floating(x, op);
  if (!r.ok) return r;
  if (normalize_axis(dim_arg, x.shp.rank) < 0) return fail_dim(r, op, dim_arg, x);
  return r;
}

template <int Dim, class X> constexpr auto softmax_expr(X x) {
  const auto e = exp(x - amax<Dim>(x, keepdim)); // two users: the planner stores it once per row
  return e / sum<Dim>(e, keepdim);
}
template <int Dim, class X> constexpr auto log_softmax_expr(X x) {
  const auto shifted = x - amax<Dim>(x, keepdim);
  return shifted - log(sum<Dim>(exp(shifted), keepdim));
}
} // namespace detail

template <int Dim> struct softmax_op {
  static constexpr const char* name = "softmax";
  static constexpr infer_result infer(const node_record* in, int) { return detail::along_dim_infer(in[0], Dim, name); }
};
template <int Dim> struct log_softmax_op {
  static constexpr const char* name = "log_softmax";
  static constexpr infer_result infer(const node_record* in, int) { return detail::along_dim_infer(in[0], Dim, name); }
};

template <int Dim, class Target> struct lower_impl<softmax_op<Dim>, Target> {
  template <class X> using apply = decltype(detail::softmax_expr<Dim>(X{}));
};
template <int Dim, class Target> struct lower_impl<log_softmax_op<Dim>, Target> {
  template <class X> using apply = decltype(detail::log_softmax_expr<Dim>(X{}));
};

// logsumexp over Axes (all axes when empty), keeping them as size 1 when Keepdim.
template <bool Keepdim, axis_list Axes> struct logsumexp_op {
  static constexpr const char* name = "logsumexp";
  static constexpr infer_result infer(const node_record* in, int n) {
    // the reduction's own checks (axes in range, not repeated) under this op's name
    infer_result r = reduce_op<op_code::sum, Keepdim, Axes>::infer(in, n);
    if (!r.ok) {
      infer_result named;
      named.ok = false;
      named.msg << "coil::logsumexp" << (r.msg.c_str() + cstr_len("coil::sum"));
      return named;
    }
    r.rec.type = r.rec.compute = in[0].type;
    return detail::need_floating(r, in[0], name);
  }
};

template <bool Keepdim, axis_list Axes, class Target> struct lower_impl<logsumexp_op<Keepdim, Axes>, Target> {
  template <class X> static constexpr auto build(X x) {
    using inf = detail::real_node<detail::bits_of(std::numeric_limits<double>::infinity())>;
    using zero = detail::real_node<detail::bits_of(0.0)>;
    const auto m = make_node<reduce_op<op_code::amax, true, Axes>>(x);
    // PyTorch shifts by 0 where the maximum is infinite: exp(-inf - -inf) would be NaN
    const auto shift = where(abs(m) == inf{}, zero{}, m);
    const auto total = make_node<reduce_op<op_code::sum, Keepdim, Axes>>(exp(x - shift));
    constexpr shape out = record_of<decltype(total)>.shp;
    // the planner reads a reshape as "another row": add the kept shift directly
    if constexpr (Keepdim) return log(total) + shift;
    else return log(total) + detail::reshape_to_t<decltype(shift), out>{};
  }
  template <class X> using apply = decltype(build(X{}));
};

// ---- factories -------------------------------------------------------------------

// `softmax(x, -1_c)` or `softmax<-1>(x)`: torch.softmax(x, dim).
template <int Dim, expr X> constexpr auto softmax(X x) { return make_node<softmax_op<Dim>>(x); }
template <expr X, static_integer D> constexpr auto softmax(X x, D) { return softmax<static_cast<int>(D::int_value)>(x); }

// `log_softmax(x, -1_c)` or `log_softmax<-1>(x)`: torch.log_softmax(x, dim).
template <int Dim, expr X> constexpr auto log_softmax(X x) { return make_node<log_softmax_op<Dim>>(x); }
template <expr X, static_integer D> constexpr auto log_softmax(X x, D) {
  return log_softmax<static_cast<int>(D::int_value)>(x);
}

// `logsumexp(x, -1_c)`, `logsumexp<0, 1>(x, coil::keepdim)`: torch.logsumexp(x, dim,
// keepdim). Like coil's reductions, no dim reduces over all dims.
template <int... Dims, expr X, class... Args> constexpr auto logsumexp(X x, Args...) {
  static_assert(((static_integer<Args> || detail::is_keepdim<Args>) && ...),
                "coil::logsumexp: arguments are dims (`1_c`) and optionally coil::keepdim");
  constexpr bool keep = (detail::is_keepdim<Args> || ...);
  return make_node<logsumexp_op<keep, detail::collect_axes<Dims...>(Args{}...)>>(x);
}

} // namespace coil
