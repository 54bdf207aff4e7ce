// Shared pieces of the composite-op library (include/ops/): PyTorch's `None` for optional
// arguments, compile-time scalar parameters, the checks every op family repeats, and the
// type builders the lowering rules use. Each composite op is an op type (a name and an
// `infer` that checks shapes and dtypes) plus a `lower_impl` specialization that rewrites
// it into primitive ops; nothing here adds a primitive.
#pragma once
#include <bit>
#include <cstdint>
#include <initializer_list>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../ir/op_index.hpp"
#include "../ir/op_leaf.hpp"
#include "../ir/op_pointwise.hpp"
#include "../ir/op_reduction.hpp"
#include "../ir/op_view.hpp"
#include "../lowering/rule.hpp"

namespace coil {

// PyTorch's `None` in an optional tensor argument: `layer_norm(x, dims(64_c), none, b)`.
struct none_t {};
inline constexpr none_t none{};

template <class T> concept none_type = std::is_same_v<std::remove_cvref_t<T>, none_t>;
template <class T> concept optional_tensor = expr<T> || none_type<T>;
template <class T> concept optional_operand = operand<T> || none_type<T>;

// A list of dims written as an argument, PyTorch's `normalized_shape`: `dims(8_c, 64_c)`.
template <class... Dims> struct dims_t {
  static constexpr int size = sizeof...(Dims);
};
template <dim_type... Dims> constexpr dims_t<std::remove_cvref_t<Dims>...> dims(Dims...) { return {}; }

namespace detail {

// A compile-time scalar argument (`0.01_c`, `2_c`, `-1.5_c`) as the bits of a double. Op
// types carry floating parameters this way: floating template arguments are not portable
// to clang 14.
template <class L> constexpr std::uint64_t real_bits_of(L) {
  if constexpr (static_integer<L>) return std::bit_cast<std::uint64_t>(static_cast<double>(L::int_value));
  else return std::bit_cast<std::uint64_t>(L::real_value);
}
template <class L> concept real_literal = scalar_literal<L>;

constexpr std::uint64_t bits_of(double v) { return std::bit_cast<std::uint64_t>(v); }
constexpr double real_of(std::uint64_t bits) { return std::bit_cast<double>(bits); }

// A floating constant node of the value with these bits: a wrapped number, so it converts
// to the other operand's floating type as a Python scalar does in PyTorch.
template <std::uint64_t Bits> using real_node = node<constant_op<dtype::f64, Bits>>;
template <std::int64_t V> using int_node = node<constant_op<dtype::i64, static_cast<std::uint64_t>(V)>>;

// A dim value as a dim type (reshape and expand targets are types with a `value`).
template <dim D> struct dim_value {
  static constexpr dim value = D;
};

// `reshape(X, S.d[0], ..., S.d[S.rank - 1])` for a shape value S. (A class rather than a
// function-template alias: g++ 12 crashes on the alias form.)
template <class X, shape S> struct reshape_to {
  template <std::size_t... I> static auto make(std::index_sequence<I...>) {
    return make_node<reshape_op<dim_value<S.d[I]>...>>(X{});
  }
  using type = decltype(make(std::make_index_sequence<static_cast<std::size_t>(S.rank)>{}));
};
template <class X, shape S> using reshape_to_t = typename reshape_to<X, S>::type;

// `expand(X, S.d[0], ...)` for a shape value S.
template <class X, shape S> struct expand_to {
  template <std::size_t... I> static auto make(std::index_sequence<I...>) {
    return make_node<expand_op<dim_value<S.d[I]>...>>(X{});
  }
  using type = decltype(make(std::make_index_sequence<static_cast<std::size_t>(S.rank)>{}));
};

// Shape values for the type builders below.
constexpr shape shape_of_dims(std::initializer_list<dim> ds) {
  shape s;
  for (const dim& d : ds) s.d[s.rank++] = d;
  return s;
}
constexpr shape trailing_dims(const shape& s, int count) { // the last `count` dims
  shape r;
  for (int d = s.rank - count; d < s.rank; ++d) r.d[r.rank++] = s.d[d];
  return r;
}
constexpr shape with_dim(shape s, int axis, dim d) {
  s.d[axis] = d;
  return s;
}

// `iota<Axis>(S.d[0], ...)` for a shape value S: index masks over an operand's dims.
template <int Axis, shape S> struct iota_to {
  template <std::size_t... I> static auto make(std::index_sequence<I...>) {
    return make_node<iota_op<Axis, dim_value<S.d[I]>...>>();
  }
  using type = decltype(make(std::make_index_sequence<static_cast<std::size_t>(S.rank)>{}));
};
template <int Axis, shape S> using iota_to_t = typename iota_to<Axis, S>::type;

// A 0-d constant of dtype T holding the double with these bits (a pad value, a masked-out
// value, a product's 1): `fill_t<dtype::f32, bits_of(0.0)>`.
template <dtype T, std::uint64_t Bits> using fill_t = node_t<cast_op<T>, real_node<Bits>>;

// A reduction's axis list from axis numbers.
template <class... A> constexpr axis_list axes_of(A... a) {
  axis_list l;
  ((l.v[l.n++] = a), ...);
  return l;
}

// The axes k.. rank-1 as a reduction's axis list (negative, so they stay the trailing ones).
constexpr axis_list trailing_axes(int count) {
  axis_list l;
  for (int i = count; i >= 1; --i) l.v[l.n++] = -i;
  return l;
}

// make_node<Op>(args...) with the `none` arguments left out.
template <class Op, class... A> constexpr auto make_node_present(A... a) {
  auto present = std::tuple_cat([](auto v) {
    if constexpr (none_type<decltype(v)>) return std::tuple<>{};
    else return std::tuple<decltype(v)>{v};
  }(a)...);
  return std::apply([](auto... n) { return make_node<Op>(n...); }, present);
}

// Appends a finite double with up to 6 decimals (diagnostics print scalar parameters).
template <std::size_t Cap> constexpr void format_real(text<Cap>& out, double v) {
  if (!(v == v)) {
    out << "nan";
    return;
  }
  if (v < 0) {
    out << '-';
    v = -v;
  }
  if (v > 1e15) {
    out << "inf";
    return;
  }
  auto whole = static_cast<std::int64_t>(v);
  auto frac = static_cast<std::int64_t>((v - static_cast<double>(whole)) * 1e6 + 0.5);
  if (frac >= 1000000) ++whole, frac -= 1000000;
  out << whole;
  if (frac == 0) return;
  char digits[7] = {};
  for (int i = 5; i >= 0; --i, frac /= 10) digits[i] = static_cast<char>('0' + frac % 10);
  int end = 6;
  while (end > 0 && digits[end - 1] == '0') digits[--end] = 0;
  out << '.' << digits;
}

// ---- checks shared by the op families ------------------------------------------------

// "coil::<op>: needs a floating input: x is int64 (cast it first)", as coil::mean says it.
constexpr infer_result need_floating(infer_result r, const node_record& x, const char* op, const char* role = "input") {
  if (is_floating(x.type)) return r;
  r = fail_prefix(r, op, "needs a floating input: ");
  label(r.msg, x, role);
  r.msg << " is " << dtype_name(x.type) << " (cast it first)";
  return r;
}

// "coil::<op>: <what>: x is [B, 8]".
constexpr infer_result fail_shape(infer_result r, const char* op, const char* what, const node_record& x,
                                  const char* role = "input") {
  r = fail_prefix(r, op, what);
  label(r.msg, x, role);
  r.msg << " is ";
  format_shape(r.msg, x.shp);
  return r;
}

// "coil::<op>: <what>: x is [B, 8], w is [4]".
constexpr infer_result fail_shapes(infer_result r, const char* op, const char* what, const node_record& a,
                                   const char* role_a, const node_record& b, const char* role_b) {
  r = fail_shape(r, op, what, a, role_a);
  r.msg << ", ";
  label(r.msg, b, role_b);
  r.msg << " is ";
  format_shape(r.msg, b.shp);
  return r;
}

// "coil::<op>: dim out of range: dim 3 of x [B, 8]".
constexpr infer_result fail_dim(infer_result r, const char* op, int dim_arg, const node_record& x) {
  r = fail_prefix(r, op, "dim out of range: ");
  r.msg << "dim " << dim_arg << " of ";
  label(r.msg, x, "input");
  r.msg << " ";
  format_shape(r.msg, x.shp);
  return r;
}

// Two dims that may be the same size: equal, or not both static (then a later broadcast
// or a call-time guard decides).
constexpr bool may_equal(const dim& a, const dim& b) { return a == b || !a.is_static() || !b.is_static(); }

// A shape-preserving floating op: the record of its result, or the dtype error.
constexpr infer_result same_as_floating(const node_record& x, const char* op) {
  infer_result r;
  r.rec.kind = op_kind::pointwise;
  r.rec.type = r.rec.compute = x.type;
  r.rec.shp = x.shp;
  return need_floating(r, x, op);
}

} // namespace detail
} // namespace coil
