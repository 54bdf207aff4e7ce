// Pointwise ops: arithmetic, math, comparisons, logic, where, cast. Shapes broadcast as
// in PyTorch and dtypes promote with torch.result_type.
#pragma once
#include "op_leaf.hpp"
#include "scalar_math.hpp"

namespace coil {

namespace detail {
constexpr bool is_float_unary(op_code c) {
  switch (c) {
  case op_code::exp: case op_code::log: case op_code::log1p: case op_code::expm1:
  case op_code::sqrt: case op_code::rsqrt: case op_code::sin: case op_code::cos:
  case op_code::tanh: case op_code::sigmoid: case op_code::erf: return true;
  default: return false;
  }
}
constexpr promo_operand promo_of(const node_record& r) {
  return {r.type, r.wrapped, !r.wrapped && r.shp.rank == 0};
}
constexpr bool is_comparison(op_code c) { return c >= op_code::eq && c <= op_code::ge; }

// Broadcasts the inputs' shapes into r.rec.shp, or fails naming both operands.
constexpr infer_result broadcast_inputs(infer_result r, const node_record* in, int n, int first, const char* op) {
  shape s = in[first].shp;
  for (int i = first + 1; i < n; ++i) {
    broadcast_result b = broadcast(s, in[i].shp);
    if (!b.ok) {
      r = fail_prefix(r, op, "shapes do not broadcast: ");
      label(r.msg, in[first], i - first == 1 ? "lhs" : "operand");
      r.msg << " is ";
      format_shape(r.msg, in[first].shp);
      r.msg << ", ";
      label(r.msg, in[i], "rhs");
      r.msg << " is ";
      format_shape(r.msg, in[i].shp);
      return r;
    }
    s = b.value;
  }
  r.rec.shp = s;
  return r;
}
} // namespace detail

// One pointwise op of the primitive IR, with 1 to 3 inputs.
template <op_code C> struct pointwise_op {
  static constexpr op_code code = C;
  static constexpr infer_result infer(const node_record* in, int N) {
    infer_result r;
    r.rec.code = C;
    r.rec.kind = op_kind::pointwise;
    const char* op = op_name(C);
    r.rec.wrapped = true;
    for (int i = 0; i < N; ++i) r.rec.wrapped = r.rec.wrapped && in[i].wrapped;
    r = detail::broadcast_inputs(r, in, N, 0, op);
    if (!r.ok) return r;
    if (N == 1) {
      dtype t = in[0].type;
      if (detail::is_float_unary(C)) {
        r.rec.type = r.rec.compute = is_floating(t) ? t : dtype::f32;
      } else if (C == op_code::realize_hint || C == op_code::inline_hint) {
        r.rec.type = r.rec.compute = t;
        r.rec.wrapped = false; // a hinted value is a tensor of its own
      } else if (C == op_code::logical_not) {
        r.rec.compute = t;
        r.rec.type = dtype::b8;
      } else { // neg, abs, relu
        if (t == dtype::b8) {
          r = detail::fail_prefix(r, op, "not defined for bool: ");
          detail::label(r.msg, in[0], "operand");
          r.msg << " is bool (cast it first)";
          return r;
        }
        r.rec.type = r.rec.compute = t;
      }
    } else if (N == 2) {
      const promo_operand ops[] = {detail::promo_of(in[0]), detail::promo_of(in[1])};
      dtype p = promote(ops, 2);
      r.rec.compute = r.rec.type = p;
      if (detail::is_comparison(C)) {
        r.rec.type = dtype::b8;
      } else if (C == op_code::logical_and || C == op_code::logical_or) {
        r.rec.compute = r.rec.type = dtype::b8;
      } else if (C == op_code::div) {
        r.rec.compute = r.rec.type = is_floating(p) ? p : dtype::f32;
      } else if (C == op_code::sub && p == dtype::b8) {
        r = detail::fail_prefix(r, op, "subtracting bool tensors is not supported (use logical ops)");
        return r;
      }
    } else { // where(cond, a, b)
      if (in[0].type != dtype::b8) {
        r = detail::fail_prefix(r, op, "condition must be bool: ");
        detail::label(r.msg, in[0], "condition");
        r.msg << " is " << dtype_name(in[0].type);
        return r;
      }
      const promo_operand ops[] = {detail::promo_of(in[1]), detail::promo_of(in[2])};
      r.rec.compute = r.rec.type = promote(ops, 2);
    }
    return r;
  }
};

// `cast(x)` to a given element type (torch's `.to(dtype)`).
template <dtype T> struct cast_op {
  static constexpr op_code code = op_code::cast;
  static constexpr infer_result infer(const node_record* in, int) {
    infer_result r;
    r.rec.code = code;
    r.rec.kind = op_kind::pointwise;
    r.rec.shp = in[0].shp;
    r.rec.compute = in[0].type;
    r.rec.type = T;
    return r;
  }
};

// The scalar function of each pointwise op, in its compute type T.
template <op_code C, class T> COIL_HOST_DEVICE constexpr auto apply_pointwise(T x) {
  using namespace scalar;
  if constexpr (C == op_code::neg) return wrap_neg(x);
  else if constexpr (C == op_code::abs) return abs_(x);
  else if constexpr (C == op_code::relu) return relu(x);
  else if constexpr (C == op_code::logical_not) return !convert<bool>(x);
  else if constexpr (C == op_code::realize_hint || C == op_code::inline_hint) return x;
  else if constexpr (C == op_code::exp) return scalar::exp(x);
  else if constexpr (C == op_code::log) return scalar::log(x);
  else if constexpr (C == op_code::log1p) return scalar::log1p(x);
  else if constexpr (C == op_code::expm1) return scalar::expm1(x);
  else if constexpr (C == op_code::sqrt) return scalar::sqrt(x);
  else if constexpr (C == op_code::rsqrt) return scalar::rsqrt(x);
  else if constexpr (C == op_code::sin) return scalar::sin(x);
  else if constexpr (C == op_code::cos) return scalar::cos(x);
  else if constexpr (C == op_code::tanh) return scalar::tanh(x);
  else if constexpr (C == op_code::sigmoid) return scalar::sigmoid(x);
  else if constexpr (C == op_code::erf) return scalar::erf(x);
  else static_assert(detail::dependent_false<T>, "coil: not a unary pointwise op");
}

template <op_code C, class T> COIL_HOST_DEVICE constexpr auto apply_pointwise(T a, T b) {
  using namespace scalar;
  if constexpr (C == op_code::add) return wrap_add(a, b);
  else if constexpr (C == op_code::sub) return wrap_sub(a, b);
  else if constexpr (C == op_code::mul) return wrap_mul(a, b);
  else if constexpr (C == op_code::div) return a / b; // T is floating: true division
  else if constexpr (C == op_code::minimum) return scalar::minimum(a, b);
  else if constexpr (C == op_code::maximum) return scalar::maximum(a, b);
  else if constexpr (C == op_code::pow) {
    if constexpr (std::is_floating_point_v<T>) return fpow(a, b);
    else if constexpr (std::is_same_v<T, bool>) return a || !b;
    else return ipow(a, b);
  } else if constexpr (C == op_code::eq) return a == b;
  else if constexpr (C == op_code::ne) return a != b;
  else if constexpr (C == op_code::lt) return a < b;
  else if constexpr (C == op_code::le) return a <= b;
  else if constexpr (C == op_code::gt) return a > b;
  else if constexpr (C == op_code::ge) return a >= b;
  else if constexpr (C == op_code::logical_and) return a && b;
  else if constexpr (C == op_code::logical_or) return a || b;
  else static_assert(detail::dependent_false<T>, "coil: not a binary pointwise op");
}

// ---- factories -------------------------------------------------------------------

namespace detail {
// The node type of a pointwise op over operands (literals become constant nodes).
template <op_code C, class... A> using pointwise_t = node_t<pointwise_op<C>, as_expr_t<A>...>;
} // namespace detail

// Unary math, named as in torch: coil::exp(x), coil::sigmoid(x), ...
#define COIL_UNARY(fn)                                                                             \
  template <operand A> constexpr auto fn(A) { return detail::pointwise_t<op_code::fn, A>{}; }
COIL_UNARY(neg)
COIL_UNARY(abs)
COIL_UNARY(exp)
COIL_UNARY(log)
COIL_UNARY(log1p)
COIL_UNARY(expm1)
COIL_UNARY(sqrt)
COIL_UNARY(rsqrt)
COIL_UNARY(sin)
COIL_UNARY(cos)
COIL_UNARY(tanh)
COIL_UNARY(sigmoid)
COIL_UNARY(erf)
COIL_UNARY(relu)
COIL_UNARY(logical_not)
#undef COIL_UNARY

// Binary ops, named as in torch: coil::maximum(a, b), coil::pow(a, 2_c), ...
#define COIL_BINARY(fn)                                                                            \
  template <operand A, operand B> constexpr auto fn(A, B) { return detail::pointwise_t<op_code::fn, A, B>{}; }
COIL_BINARY(add)
COIL_BINARY(sub)
COIL_BINARY(mul)
COIL_BINARY(div)
COIL_BINARY(minimum)
COIL_BINARY(maximum)
COIL_BINARY(pow)
COIL_BINARY(eq)
COIL_BINARY(ne)
COIL_BINARY(lt)
COIL_BINARY(le)
COIL_BINARY(gt)
COIL_BINARY(ge)
COIL_BINARY(logical_and)
COIL_BINARY(logical_or)
#undef COIL_BINARY

// `realize(x)`: x is stored in a buffer once, whatever the planner's cost model says.
// `inline_(x)`: x is recomputed inside every consumer's loop instead of being stored.
template <expr A> constexpr auto realize(A) { return detail::pointwise_t<op_code::realize_hint, A>{}; }
template <expr A> constexpr auto inline_(A) { return detail::pointwise_t<op_code::inline_hint, A>{}; }

// `where(cond, a, b)`: a where cond holds, b elsewhere (cond must be bool).
template <operand Cn, operand A, operand B> constexpr auto where(Cn, A, B) {
  return detail::pointwise_t<op_code::where, Cn, A, B>{};
}

// `cast<float>(x)`: element type conversion (bool is "!= 0"; NaN or out-of-range
// floating values become the integer minimum, as PyTorch on x86).
template <class T, operand A> constexpr auto cast(A) {
  static_assert(is_element_v<T>, "coil::cast: target must be bool, int32_t, int64_t, float or double");
  return node_t<cast_op<dtype_v<T>>, as_expr_t<A>>{};
}

// Operators on expressions; at least one side is an expression (a literal such as 2_c
// or 0.5_c may be the other).
template <class A, class B> concept operator_operands = (expr<A> || expr<B>) && operand<A> && operand<B>;

template <class A, class B> requires operator_operands<A, B> constexpr auto operator+(A, B) { return detail::pointwise_t<op_code::add, A, B>{}; }
template <class A, class B> requires operator_operands<A, B> constexpr auto operator-(A, B) { return detail::pointwise_t<op_code::sub, A, B>{}; }
template <class A, class B> requires operator_operands<A, B> constexpr auto operator*(A, B) { return detail::pointwise_t<op_code::mul, A, B>{}; }
template <class A, class B> requires operator_operands<A, B> constexpr auto operator/(A, B) { return detail::pointwise_t<op_code::div, A, B>{}; }
template <class A, class B> requires operator_operands<A, B> constexpr auto operator==(A, B) { return detail::pointwise_t<op_code::eq, A, B>{}; }
template <class A, class B> requires operator_operands<A, B> constexpr auto operator!=(A, B) { return detail::pointwise_t<op_code::ne, A, B>{}; }
template <class A, class B> requires operator_operands<A, B> constexpr auto operator<(A, B) { return detail::pointwise_t<op_code::lt, A, B>{}; }
template <class A, class B> requires operator_operands<A, B> constexpr auto operator<=(A, B) { return detail::pointwise_t<op_code::le, A, B>{}; }
template <class A, class B> requires operator_operands<A, B> constexpr auto operator>(A, B) { return detail::pointwise_t<op_code::gt, A, B>{}; }
template <class A, class B> requires operator_operands<A, B> constexpr auto operator>=(A, B) { return detail::pointwise_t<op_code::ge, A, B>{}; }
template <class A, class B> requires operator_operands<A, B> constexpr auto operator&&(A, B) { return detail::pointwise_t<op_code::logical_and, A, B>{}; }
template <class A, class B> requires operator_operands<A, B> constexpr auto operator||(A, B) { return detail::pointwise_t<op_code::logical_or, A, B>{}; }
template <expr A> constexpr auto operator-(A) { return detail::pointwise_t<op_code::neg, A>{}; }
template <expr A> constexpr auto operator!(A) { return detail::pointwise_t<op_code::logical_not, A>{}; }

} // namespace coil
