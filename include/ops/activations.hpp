// Activations as PyTorch defines them (torch.nn.functional), each an op type lowered to
// pointwise primitives: gelu (erf, or tanh approximation), silu, softplus, hardswish,
// hardsigmoid, leaky_relu, elu, mish; and clamp, masked_fill and dropout (inference).
// NaN propagates as in PyTorch: the comparisons that pick a branch are false for NaN and
// the branch taken then computes NaN; minimum/maximum propagate NaN.
#pragma once
#include <cstdint>

#include "common.hpp"

namespace coil {

enum class activation : std::uint8_t { gelu, gelu_tanh, silu, softplus, hardswish, hardsigmoid, leaky_relu, elu, mish };

constexpr const char* activation_name(activation a) {
  constexpr const char* names[] = {"gelu", "gelu", "silu", "softplus", "hardswish", "hardsigmoid", "leaky_relu", "elu", "mish"};
  return names[static_cast<int>(a)];
}

// One activation with up to two scalar parameters (as double bits): softplus's beta and
// threshold, leaky_relu's negative_slope, elu's alpha.
template <activation A, std::uint64_t P0 = 0, std::uint64_t P1 = 0> struct activation_op {
  static constexpr const char* name = activation_name(A);
  static constexpr infer_result infer(const node_record* in, int) { return detail::same_as_floating(in[0], name); }
};

namespace detail {
// A floating constant node of value v (a wrapped number: it takes x's floating type).
#define COIL_REAL(v) ::coil::detail::real_node<::coil::detail::bits_of(v)> {}

template <activation A, std::uint64_t P0, std::uint64_t P1, class X> constexpr auto activation_expr(X x) {
  if constexpr (A == activation::gelu) {
    // 0.5 x (1 + erf(x / sqrt(2)))
    return COIL_REAL(0.5) * x * (COIL_REAL(1.0) + erf(x * COIL_REAL(0.70710678118654752440)));
  } else if constexpr (A == activation::gelu_tanh) {
    // 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
    const auto inner = COIL_REAL(0.79788456080286535588) * (x + COIL_REAL(0.044715) * x * x * x);
    return COIL_REAL(0.5) * x * (COIL_REAL(1.0) + tanh(inner));
  } else if constexpr (A == activation::silu) {
    return x * sigmoid(x);
  } else if constexpr (A == activation::softplus) {
    // x * beta above the threshold is returned as x (PyTorch's linear regime)
    const auto scaled = x * real_node<P0>{};
    return where(scaled > real_node<P1>{}, x, log1p(exp(scaled)) / real_node<P0>{});
  } else if constexpr (A == activation::hardswish) {
    return x * minimum(maximum(x + COIL_REAL(3.0), COIL_REAL(0.0)), COIL_REAL(6.0)) / COIL_REAL(6.0);
  } else if constexpr (A == activation::hardsigmoid) {
    return minimum(maximum(x + COIL_REAL(3.0), COIL_REAL(0.0)), COIL_REAL(6.0)) / COIL_REAL(6.0);
  } else if constexpr (A == activation::leaky_relu) {
    return where(x > COIL_REAL(0.0), x, x * real_node<P0>{});
  } else if constexpr (A == activation::elu) {
    return where(x > COIL_REAL(0.0), x, real_node<P0>{} * expm1(x));
  } else { // mish: x tanh(softplus(x)), softplus without a threshold as in PyTorch
    return x * tanh(log1p(exp(x)));
  }
}
#undef COIL_REAL
} // namespace detail

template <activation A, std::uint64_t P0, std::uint64_t P1, class Target>
struct lower_impl<activation_op<A, P0, P1>, Target> {
  template <class X> using apply = decltype(detail::activation_expr<A, P0, P1>(X{}));
};

// ---- clamp, masked_fill, dropout ---------------------------------------------------

// clamp(x, min, max): minimum(maximum(x, min), max), either bound absent. Bounds are
// scalars or tensors; the result type promotes as torch.clamp's does. min > max gives
// max everywhere, as in PyTorch.
template <bool HasMin, bool HasMax> struct clamp_op {
  static constexpr const char* name = "clamp";
  static constexpr infer_result infer(const node_record* in, int n) {
    infer_result r;
    r.rec.kind = op_kind::pointwise;
    if (!HasMin && !HasMax) return detail::fail_prefix(r, name, "at least one of min and max must be given: both are none");
    if (in[0].type == dtype::b8) {
      r = detail::fail_prefix(r, name, "not defined for bool: ");
      detail::label(r.msg, in[0], "input");
      r.msg << " is bool";
      return r;
    }
    // x and the bounds broadcast and promote together, as maximum and minimum will
    r = detail::broadcast_inputs(r, in, n, 0, name);
    if (!r.ok) return r;
    promo_operand ops[3]{};
    for (int i = 0; i < n; ++i) ops[i] = detail::promo_of(in[i]);
    r.rec.kind = op_kind::pointwise;
    r.rec.type = r.rec.compute = promote(ops, n);
    return r;
  }
};

template <bool HasMin, bool HasMax, class Target> struct lower_impl<clamp_op<HasMin, HasMax>, Target> {
  template <class X, class... B> static constexpr auto build(X x, B... b) {
    const auto bounds = std::tuple<B...>{b...};
    if constexpr (HasMin && HasMax) return minimum(maximum(x, std::get<0>(bounds)), std::get<1>(bounds));
    else if constexpr (HasMin) return maximum(x, std::get<0>(bounds));
    else return minimum(x, std::get<0>(bounds));
  }
  template <class... C> using apply = decltype(build(C{}...));
};

// masked_fill(x, mask, value): value where mask is true. The mask is bool and broadcasts
// to x's shape (not the other way round); value is a scalar or a 0-dim tensor, converted
// to x's dtype (the result keeps x's dtype, as in PyTorch).
struct masked_fill_op {
  static constexpr const char* name = "masked_fill";
  static constexpr infer_result infer(const node_record* in, int) {
    const node_record &x = in[0], &mask = in[1], &value = in[2];
    infer_result r;
    r.rec.kind = op_kind::pointwise;
    r.rec.type = r.rec.compute = x.type;
    r.rec.shp = x.shp;
    if (mask.type != dtype::b8) {
      r = detail::fail_prefix(r, name, "mask must be bool: ");
      detail::label(r.msg, mask, "mask");
      r.msg << " is " << dtype_name(mask.type);
      return r;
    }
    const broadcast_result b = broadcast(x.shp, mask.shp);
    if (!b.ok || !(b.value.rank == x.shp.rank)) return detail::fail_shapes(r, name, "mask does not broadcast to the input: ", x, "input", mask, "mask");
    for (int i = 0; i < x.shp.rank; ++i)
      if (!detail::may_equal(b.value.d[i], x.shp.d[i]))
        return detail::fail_shapes(r, name, "mask does not broadcast to the input: ", x, "input", mask, "mask");
    if (value.shp.rank != 0) return detail::fail_shape(r, name, "value must be a scalar or a 0-dim tensor: ", value, "value");
    return r;
  }
};

template <class Target> struct lower_impl<masked_fill_op, Target> {
  template <class X, class M, class V>
  using apply = decltype(where(M{}, make_node<cast_op<record_of<X>.type>>(V{}), X{}));
};

// dropout in inference (training=False): the identity. p is checked as PyTorch does.
template <std::uint64_t PBits> struct dropout_op {
  static constexpr const char* name = "dropout";
  static constexpr infer_result infer(const node_record* in, int) {
    infer_result r;
    r.rec = in[0];
    const double p = detail::real_of(PBits);
    if (!(p >= 0.0 && p <= 1.0)) {
      r = detail::fail_prefix(r, name, "probability must be between 0 and 1: ");
      r.msg << "p is ";
      detail::format_real(r.msg, p);
    }
    return r;
  }
};

template <std::uint64_t PBits, class Target> struct lower_impl<dropout_op<PBits>, Target> {
  template <class X> using apply = X;
};

// ---- factories -------------------------------------------------------------------

namespace detail {
constexpr int approximate_mode(const char* s) { return cstr_eq(s, "none") ? 0 : cstr_eq(s, "tanh") ? 1 : -1; }
} // namespace detail

// `gelu(x)`, `gelu<"tanh">(x)`: torch.nn.functional.gelu(input, approximate='none').
template <fixed_string Approximate, expr X> constexpr auto gelu(X x) {
  constexpr int mode = detail::approximate_mode(Approximate.data);
  if constexpr (mode < 0) {
    constexpr auto message = [] {
      text<200> t;
      t << "coil::gelu: approximate must be \"none\" or \"tanh\": got \"" << Approximate.data << "\"";
      return t;
    }();
    COIL_COMPILE_ERROR(message);
    static_assert(mode >= 0, "coil::gelu: approximate must be \"none\" or \"tanh\" (see the compile_error above)");
    return x;
  } else {
    return make_node<activation_op<mode == 0 ? activation::gelu : activation::gelu_tanh>>(x);
  }
}
// (A separate overload, not a default template argument: nvcc's front end does not deduce
// past a defaulted class-type template parameter.)
template <expr X> constexpr auto gelu(X x) { return gelu<"none">(x); }

// `silu(x)`: x * sigmoid(x).
template <expr X> constexpr auto silu(X x) { return make_node<activation_op<activation::silu>>(x); }

// `softplus(x, 1_c, 20_c)`: torch.nn.functional.softplus(input, beta=1, threshold=20).
template <expr X, detail::real_literal Beta = static_int<1>, detail::real_literal Threshold = static_int<20>>
constexpr auto softplus(X x, Beta beta = {}, Threshold threshold = {}) {
  return make_node<activation_op<activation::softplus, detail::real_bits_of(beta), detail::real_bits_of(threshold)>>(x);
}

// `hardswish(x)`, `hardsigmoid(x)`: x * relu6(x + 3) / 6 and relu6(x + 3) / 6.
template <expr X> constexpr auto hardswish(X x) { return make_node<activation_op<activation::hardswish>>(x); }
template <expr X> constexpr auto hardsigmoid(X x) { return make_node<activation_op<activation::hardsigmoid>>(x); }

// `leaky_relu(x, 0.01_c)`: torch.nn.functional.leaky_relu(input, negative_slope=0.01).
template <expr X, detail::real_literal Slope = static_real<detail::bits_of(0.01)>>
constexpr auto leaky_relu(X x, Slope negative_slope = {}) {
  return make_node<activation_op<activation::leaky_relu, detail::real_bits_of(negative_slope)>>(x);
}

// `elu(x, 1_c)`: torch.nn.functional.elu(input, alpha=1.0).
template <expr X, detail::real_literal Alpha = static_int<1>> constexpr auto elu(X x, Alpha alpha = {}) {
  return make_node<activation_op<activation::elu, detail::real_bits_of(alpha)>>(x);
}

// `mish(x)`: x * tanh(softplus(x)).
template <expr X> constexpr auto mish(X x) { return make_node<activation_op<activation::mish>>(x); }

// `clamp(x, 0_c, 6_c)`, `clamp(x, coil::none, 1_c)`: torch.clamp(input, min=None, max=None).
template <expr X, optional_operand Lo, optional_operand Hi = none_t> constexpr auto clamp(X x, Lo lo, Hi hi = {}) {
  auto bound = [](auto v) {
    if constexpr (none_type<decltype(v)>) return v;
    else return as_expr(v);
  };
  return detail::make_node_present<clamp_op<!none_type<Lo>, !none_type<Hi>>>(x, bound(lo), bound(hi));
}

// `masked_fill(x, mask, value)`: x.masked_fill(mask, value).
template <expr X, expr M, operand V> constexpr auto masked_fill(X x, M mask, V value) {
  return make_node<masked_fill_op>(x, mask, as_expr(value));
}

// `dropout(x, 0.1_c)`: torch.nn.functional.dropout(input, p, training=False), the identity.
// coil compiles inference graphs, so there is no training argument.
template <expr X, detail::real_literal P = static_real<detail::bits_of(0.5)>> constexpr auto dropout(X x, P p = {}) {
  return make_node<dropout_op<detail::real_bits_of(p)>>(x);
}

} // namespace coil
