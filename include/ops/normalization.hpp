// Normalizations as PyTorch defines them, in inference form: layer_norm, rms_norm,
// batch_norm (running statistics), group_norm, and the var/std reductions they share
// the two-pass variance with (mean first, then the mean of squared deviations: no
// cancellation of E[x^2] - E[x]^2). Over the last dim, layer_norm and rms_norm lower to
// the row shape the planner runs as ONE kernel (tests/static/ops_plan.cpp).
#pragma once
#include <tuple>

#include "common.hpp"

namespace coil {

// `correction<0>` in var/std: divide by N - correction (PyTorch's `correction=`;
// `unbiased=False` is correction<0>, the default is correction<1>).
template <int C> struct correction_t {
  static constexpr int value = C;
};
template <int C> inline constexpr correction_t<C> correction{};

namespace detail {
template <class T> struct is_correction_t : std::false_type {};
template <int C> struct is_correction_t<correction_t<C>> : std::true_type {};
template <class T> constexpr bool is_correction = is_correction_t<std::remove_cvref_t<T>>::value;
template <class T> constexpr int correction_value() {
  if constexpr (is_correction<T>) return std::remove_cvref_t<T>::value;
  else return 0;
}

// Checks an optional affine parameter (weight or bias) against the dims it scales:
// same rank and, where both are static, same sizes.
constexpr infer_result check_param(infer_result r, const char* op, const node_record& p, const char* role,
                                   const shape& want, const node_record& x) {
  if (!r.ok) return r;
  bool same = p.shp.rank == want.rank;
  for (int i = 0; same && i < want.rank; ++i) same = may_equal(p.shp.d[i], want.d[i]);
  if (!same) {
    r = fail_prefix(r, op, role);
    r.msg << " shape must be ";
    format_shape(r.msg, want);
    r.msg << ": ";
    label(r.msg, p, role);
    r.msg << " is ";
    format_shape(r.msg, p.shp);
    r.msg << ", ";
    label(r.msg, x, "input");
    r.msg << " is ";
    format_shape(r.msg, x.shp);
  }
  return r;
}

// [C] of a per-channel tensor of an [N, C, *] input.
constexpr shape channel_shape(const shape& x) {
  shape s;
  s.rank = 1;
  s.d[0] = x.d[1];
  return s;
}
// [C, 1, ..., 1]: a per-channel value placed to broadcast against [N, C, *].
constexpr shape channel_broadcast_shape(const shape& x) {
  shape s;
  s.rank = x.rank - 1;
  s.d[0] = x.d[1];
  for (int i = 1; i < s.rank; ++i) s.d[i] = dim_const(1);
  return s;
}

// Product of the static extents folded by a reduction over `axes` of x, or -1 when one
// of them is symbolic.
constexpr std::int64_t static_fold_count(const shape& x, std::uint32_t axes) {
  std::int64_t n = 1;
  for (int i = 0; i < x.rank; ++i) {
    if (!((axes >> i) & 1u)) continue;
    if (!x.d[i].is_static()) return -1;
    n *= x.d[i].static_value();
  }
  return n;
}
} // namespace detail

// ---- var / std -----------------------------------------------------------------------

// var (or std when Sqrt) over Axes (all when empty), dividing by max(N - Correction, 0)
// as PyTorch does: N <= Correction gives NaN (or inf), never a negative divisor.
template <bool Sqrt, bool Keepdim, axis_list Axes, int Correction> struct var_op {
  static constexpr const char* name = Sqrt ? "std" : "var";
  static constexpr infer_result infer(const node_record* in, int n) {
    infer_result r = reduce_op<op_code::mean, Keepdim, Axes>::infer(in, n);
    if (!r.ok) { // the reduction's checks, under this op's name
      infer_result named;
      named.ok = false;
      named.msg << "coil::" << name << (r.msg.c_str() + cstr_len("coil::mean"));
      return named;
    }
    return detail::need_floating(r, in[0], name);
  }
};

template <bool Sqrt, bool Keepdim, axis_list Axes, int Correction, class Target>
struct lower_impl<var_op<Sqrt, Keepdim, Axes, Correction>, Target> {
  template <class X> static constexpr auto build(X x) {
    const auto centered = x - make_node<reduce_op<op_code::mean, true, Axes>>(x);
    const auto squares = make_node<reduce_op<op_code::sum, Keepdim, Axes>>(centered * centered);
    constexpr std::uint32_t axes = record_of<decltype(squares)>.axes;
    constexpr std::int64_t n = detail::static_fold_count(record_of<X>.shp, axes);
    const auto var = [&] {
      if constexpr (n >= 0) {
        constexpr double divisor = n > Correction ? static_cast<double>(n - Correction) : 0.0;
        return squares / detail::real_node<detail::bits_of(divisor)>{};
      } else {
        // a symbolic N: sum where(x == x, 1, 1), which is 1 at every element (NaN included)
        using one = detail::real_node<detail::bits_of(1.0)>;
        const auto count = make_node<reduce_op<op_code::sum, Keepdim, Axes>>(where(x == x, one{}, one{}));
        return squares / maximum(count - detail::real_node<detail::bits_of(double{Correction})>{},
                                 detail::real_node<detail::bits_of(0.0)>{});
      }
    }();
    if constexpr (Sqrt) return sqrt(var);
    else return var;
  }
  template <class X> using apply = decltype(build(X{}));
};

// ---- layer_norm / rms_norm -----------------------------------------------------------

// Normalization over the trailing dims NormShape (PyTorch's normalized_shape), with
// optional weight and bias of that shape. Rms: x * rsqrt(mean(x^2) + eps); else
// (x - mean) * rsqrt(var + eps). HasEps false (rms_norm's eps=None) takes the machine
// epsilon of x's dtype, as PyTorch does.
template <bool Rms, shape NormShape, bool HasWeight, bool HasBias, bool HasEps, std::uint64_t EpsBits>
struct norm_op {
  static constexpr const char* name = Rms ? "rms_norm" : "layer_norm";
  static constexpr infer_result infer(const node_record* in, int) {
    const node_record& x = in[0];
    infer_result r = detail::same_as_floating(x, name);
    if (!r.ok) return r;
    // the trailing dims must be exactly normalized_shape (same dim expressions: a symbol
    // against a number is rejected, since nothing later would check it)
    bool match = NormShape.rank >= 1 && NormShape.rank <= x.shp.rank;
    for (int i = 0; match && i < NormShape.rank; ++i) match = NormShape.d[i] == x.shp.d[x.shp.rank - NormShape.rank + i];
    if (!match) {
      r = detail::fail_prefix(r, name, "normalized_shape is not the trailing dims of the input: ");
      r.msg << "normalized_shape is ";
      format_shape(r.msg, NormShape);
      r.msg << ", ";
      detail::label(r.msg, x, "input");
      r.msg << " is ";
      format_shape(r.msg, x.shp);
      return r;
    }
    if (HasWeight) r = detail::check_param(r, name, in[1], "weight", NormShape, x);
    if (HasBias) r = detail::check_param(r, name, in[HasWeight ? 2 : 1], "bias", NormShape, x);
    return r;
  }
};

namespace detail {
template <dtype T> constexpr double machine_epsilon() {
  return T == dtype::f64 ? 2.220446049250313e-16 : 1.1920928955078125e-07; // DBL_EPSILON, FLT_EPSILON
}

template <bool Rms, int NormRank, bool HasEps, std::uint64_t EpsBits, class X> constexpr auto normalize(X x) {
  constexpr axis_list axes = trailing_axes(NormRank);
  constexpr std::uint64_t eps = HasEps ? EpsBits : bits_of(machine_epsilon<record_of<X>.type>());
  if constexpr (Rms) {
    return x * rsqrt(make_node<reduce_op<op_code::mean, true, axes>>(x * x) + real_node<eps>{});
  } else {
    const auto centered = x - make_node<reduce_op<op_code::mean, true, axes>>(x);
    return centered * rsqrt(make_node<reduce_op<op_code::mean, true, axes>>(centered * centered) + real_node<eps>{});
  }
}

// y * weight + bias with either or both absent (children after x, in that order).
template <bool HasWeight, bool HasBias, class Y, class... P> constexpr auto affine(Y y, P... p) {
  const auto parts = std::tuple<P...>{p...};
  if constexpr (HasWeight && HasBias) return y * std::get<0>(parts) + std::get<1>(parts);
  else if constexpr (HasWeight) return y * std::get<0>(parts);
  else if constexpr (HasBias) return y + std::get<0>(parts);
  else return y;
}
} // namespace detail

template <bool Rms, shape NormShape, bool HasWeight, bool HasBias, bool HasEps, std::uint64_t EpsBits, class Target>
struct lower_impl<norm_op<Rms, NormShape, HasWeight, HasBias, HasEps, EpsBits>, Target> {
  template <class X, class... P>
  using apply =
      decltype(detail::affine<HasWeight, HasBias>(detail::normalize<Rms, NormShape.rank, HasEps, EpsBits>(X{}), P{}...));
};

// ---- batch_norm / group_norm ---------------------------------------------------------

// batch_norm in inference: (x - running_mean) * rsqrt(running_var + eps) * weight + bias,
// per channel (dim 1) of an [N, C, *] input.
template <bool HasWeight, bool HasBias, std::uint64_t EpsBits> struct batch_norm_op {
  static constexpr const char* name = "batch_norm";
  static constexpr infer_result infer(const node_record* in, int) {
    const node_record& x = in[0];
    infer_result r = detail::same_as_floating(x, name);
    if (!r.ok) return r;
    if (x.shp.rank < 2) return detail::fail_shape(r, name, "input needs 2 or more dims [N, C, *]: ", x);
    const shape c = detail::channel_shape(x.shp);
    r = detail::check_param(r, name, in[1], "running_mean", c, x);
    r = detail::check_param(r, name, in[2], "running_var", c, x);
    if (HasWeight) r = detail::check_param(r, name, in[3], "weight", c, x);
    if (HasBias) r = detail::check_param(r, name, in[HasWeight ? 4 : 3], "bias", c, x);
    return r;
  }
};

template <bool HasWeight, bool HasBias, std::uint64_t EpsBits, class Target>
struct lower_impl<batch_norm_op<HasWeight, HasBias, EpsBits>, Target> {
  template <class X, class Mean, class Var, class... P> static constexpr auto build(X x, Mean, Var, P...) {
    constexpr shape c = detail::channel_broadcast_shape(record_of<X>.shp);
    const auto y = (x - detail::reshape_to_t<Mean, c>{}) *
                   rsqrt(detail::reshape_to_t<Var, c>{} + detail::real_node<EpsBits>{});
    return detail::affine<HasWeight, HasBias>(y, detail::reshape_to_t<P, c>{}...);
  }
  template <class... C> using apply = decltype(build(C{}...));
};

// group_norm: the C channels of an [N, C, *] input in G groups, each group normalized over
// its channels and all trailing dims, then a per-channel weight and bias.
template <int Groups, bool HasWeight, bool HasBias, std::uint64_t EpsBits> struct group_norm_op {
  static constexpr const char* name = "group_norm";
  static constexpr infer_result infer(const node_record* in, int) {
    const node_record& x = in[0];
    infer_result r = detail::same_as_floating(x, name);
    if (!r.ok) return r;
    if (x.shp.rank < 2) return detail::fail_shape(r, name, "input needs 2 or more dims [N, C, *]: ", x);
    const dim& c = x.shp.d[1];
    if (Groups <= 0 || !c.is_static() || c.static_value() % Groups != 0) {
      r = detail::fail_prefix(r, name, "channels must be a static multiple of num_groups: ");
      r.msg << "num_groups " << Groups << ", ";
      detail::label(r.msg, x, "input");
      r.msg << " is ";
      format_shape(r.msg, x.shp);
      return r;
    }
    const shape cs = detail::channel_shape(x.shp);
    if (HasWeight) r = detail::check_param(r, name, in[1], "weight", cs, x);
    if (HasBias) r = detail::check_param(r, name, in[HasWeight ? 2 : 1], "bias", cs, x);
    return r;
  }
};

namespace detail {
constexpr shape group_shape(const shape& x, int groups) {
  shape s;
  s.rank = 3;
  s.d[0] = x.d[0];
  s.d[1] = dim_const(groups);
  s.d[2] = dim_const(-1);
  return s;
}
} // namespace detail

template <int Groups, bool HasWeight, bool HasBias, std::uint64_t EpsBits, class Target>
struct lower_impl<group_norm_op<Groups, HasWeight, HasBias, EpsBits>, Target> {
  template <class X, class... P> static constexpr auto build(X, P...) {
    using grouped = detail::reshape_to_t<X, detail::group_shape(record_of<X>.shp, Groups)>; // [N, G, C/G * ...]
    const auto y = detail::normalize<false, 1, true, EpsBits>(grouped{});
    constexpr shape c = detail::channel_broadcast_shape(record_of<X>.shp);
    constexpr shape xs = record_of<X>.shp;
    return detail::affine<HasWeight, HasBias>(detail::reshape_to_t<decltype(y), xs>{},
                                              detail::reshape_to_t<P, c>{}...);
  }
  template <class... C> using apply = decltype(build(C{}...));
};

// ---- factories -------------------------------------------------------------------

namespace detail {
template <class T> struct is_dims : std::false_type {};
template <class... D> struct is_dims<dims_t<D...>> : std::true_type {};

// normalized_shape as a shape value: `dims(8_c, 64_c)` or a single dim (`64_c`).
template <class NS> constexpr shape shape_of_arg() {
  shape s;
  if constexpr (is_dims<NS>::value) {
    [&]<class... D>(dims_t<D...>) { ((s.d[s.rank++] = D::value), ...); }(NS{});
  } else {
    s.rank = 1;
    s.d[0] = NS::value;
  }
  return s;
}
template <class NS> concept normalized_shape_arg = is_dims<std::remove_cvref_t<NS>>::value || dim_type<NS>;

using default_eps = static_real<bits_of(1e-5)>;
} // namespace detail

// `layer_norm(x, dims(64_c), w, b, 1e-5_c)`: torch.nn.functional.layer_norm(input,
// normalized_shape, weight=None, bias=None, eps=1e-5); `none` for an absent weight or bias.
template <expr X, detail::normalized_shape_arg NS, optional_tensor W = none_t, optional_tensor Bi = none_t,
          detail::real_literal Eps = detail::default_eps>
constexpr auto layer_norm(X x, NS, W w = {}, Bi b = {}, Eps eps = {}) {
  using op = norm_op<false, detail::shape_of_arg<NS>(), expr<W>, expr<Bi>, true, detail::real_bits_of(eps)>;
  return detail::make_node_present<op>(x, w, b);
}

// `rms_norm(x, dims(64_c), w)`: torch.nn.functional.rms_norm(input, normalized_shape,
// weight=None, eps=None); without eps, the machine epsilon of x's dtype.
template <expr X, detail::normalized_shape_arg NS, optional_tensor W = none_t, class Eps = none_t>
  requires(none_type<Eps> || detail::real_literal<Eps>)
constexpr auto rms_norm(X x, NS, W w = {}, Eps eps = {}) {
  constexpr std::uint64_t bits = [] {
    if constexpr (none_type<Eps>) return std::uint64_t{0};
    else return detail::real_bits_of(Eps{});
  }();
  (void)eps;
  return detail::make_node_present<norm_op<true, detail::shape_of_arg<NS>(), expr<W>, false, !none_type<Eps>, bits>>(x, w);
}

// `batch_norm(x, running_mean, running_var, w, b, 1e-5_c)`: torch's batch_norm with
// training=False (inference: the running statistics normalize; momentum is unused and
// not an argument). Channels are dim 1 of x.
template <expr X, expr Mean, expr Var, optional_tensor W = none_t, optional_tensor Bi = none_t,
          detail::real_literal Eps = detail::default_eps>
constexpr auto batch_norm(X x, Mean running_mean, Var running_var, W w = {}, Bi b = {}, Eps eps = {}) {
  using op = batch_norm_op<expr<W>, expr<Bi>, detail::real_bits_of(eps)>;
  return detail::make_node_present<op>(x, running_mean, running_var, w, b);
}

// `group_norm(x, 4_c, w, b, 1e-5_c)`: torch.nn.functional.group_norm(input, num_groups,
// weight=None, bias=None, eps=1e-5).
template <expr X, static_integer G, optional_tensor W = none_t, optional_tensor Bi = none_t,
          detail::real_literal Eps = detail::default_eps>
constexpr auto group_norm(X x, G, W w = {}, Bi b = {}, Eps eps = {}) {
  using op = group_norm_op<static_cast<int>(G::int_value), expr<W>, expr<Bi>, detail::real_bits_of(eps)>;
  return detail::make_node_present<op>(x, w, b);
}

namespace detail {
template <bool Sqrt, int... Dims, class X, class... Args> constexpr auto variance(X x, Args...) {
  static_assert(((static_integer<Args> || is_keepdim<Args> || is_correction<Args>) && ...),
                "coil::var/std: arguments are dims (`1_c`), coil::keepdim and coil::correction<K>");
  static_assert((int{is_correction<Args>} + ... + 0) <= 1, "coil::var/std: one correction at most");
  constexpr bool keep = (is_keepdim<Args> || ...);
  constexpr int corr = [] {
    int c = 1;
    ((is_correction<Args> ? (c = correction_value<Args>()) : 0), ...);
    return c;
  }();
  return make_node<var_op<Sqrt, keep, collect_axes<Dims...>(Args{}...), corr>>(x);
}
} // namespace detail

// `var(x, -1_c)`, `var<0, 1>(x, coil::keepdim, coil::correction<0>)`: torch.var(input,
// dim=None, *, correction=1, keepdim=False). No dim reduces over all dims.
template <int... Dims, expr X, class... Args> constexpr auto var(X x, Args... args) {
  return detail::variance<false, Dims...>(x, args...);
}
// `std(x, -1_c)`: torch.std, the square root of var with the same arguments.
template <int... Dims, expr X, class... Args> constexpr auto std(X x, Args... args) {
  return detail::variance<true, Dims...>(x, args...);
}

} // namespace coil
