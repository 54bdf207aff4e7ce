// Leaves of an expression: named inputs and scalar constants.
#pragma once
#include <bit>
#include <cstdint>

#include "dim_types.hpp"
#include "node.hpp"
#include "scalar_math.hpp"

namespace coil {

// A named input: `input<"x", float>(B, 784_c)`.
template <fixed_string Name, dtype T, class... Dims> struct input_op {
  static constexpr op_code code = op_code::input;
  static constexpr infer_result infer(const node_record*, int) {
    infer_result r;
    r.rec.code = code;
    r.rec.kind = op_kind::input;
    r.rec.type = r.rec.compute = T;
    r.rec.name = name16(Name.data);
    r.rec.shp.rank = sizeof...(Dims);
    const dim ds[] = {dim_const(0), Dims::value...};
    for (int i = 0; i < r.rec.shp.rank; ++i) {
      r.rec.shp.d[i] = ds[i + 1];
      const dim& d = ds[i + 1];
      if (!(d.is_static() ? d.static_value() >= 0 : d.is_symbol())) {
        r = detail::fail_prefix(r, "input", "a dim must be a non-negative constant or a plain symbol: ");
        r.msg << Name.data << " dim " << i << " is ";
        format_dim(r.msg, d);
        return r;
      }
    }
    if (Name.size() > 15) {
      r = detail::fail_prefix(r, "input", "names have at most 15 characters: ");
      r.msg << Name.data;
    }
    return r;
  }
};

// A scalar written in the expression. Floating values are stored as double bits and
// typed f64: as a wrapped number it only lifts the category in promotion, and each op
// converts it straight from double to its compute type, as PyTorch does with a Python
// scalar.
template <dtype T, std::uint64_t Bits> struct constant_op {
  static constexpr op_code code = op_code::constant;
  static constexpr infer_result infer(const node_record*, int) {
    infer_result r;
    r.rec.code = code;
    r.rec.kind = op_kind::constant;
    r.rec.type = r.rec.compute = T;
    r.rec.wrapped = true;
    r.rec.bits = Bits;
    return r;
  }
};

// Documented entry point: a named input of element type T and the given dims, each a
// static int (`784_c`) or a symbol (`sym<"B">`).
//   constexpr auto x = coil::input<"x", float>(coil::sym<"B">, 784_c);  // [B, 784]
template <fixed_string Name, class T, dim_type... Dims> constexpr auto input(Dims...) {
  static_assert(is_element_v<T>, "coil::input: element type must be bool, int32_t, int64_t, float or double");
  static_assert(sizeof...(Dims) <= max_rank, "coil::input: rank above coil::max_rank");
  return make_node<input_op<Name, dtype_v<T>, std::remove_cvref_t<Dims>...>>();
}

// A scalar constant node from a literal: 2_c is int64, 0.5_c is floating. A trait, not
// only a function: the operators name the node type directly (node.hpp: a function per
// node costs g++ a mangled name).
namespace detail {
template <class T> struct as_expr_of { using type = T; };
template <std::int64_t V> struct as_expr_of<static_int<V>> {
  using type = node<constant_op<dtype::i64, static_cast<std::uint64_t>(V)>>;
};
template <std::uint64_t B> struct as_expr_of<static_real<B>> { using type = node<constant_op<dtype::f64, B>>; };
} // namespace detail
template <class T> using as_expr_t = typename detail::as_expr_of<std::remove_cvref_t<T>>::type;
template <class T> constexpr as_expr_t<T> as_expr(T) { return {}; }

template <class T> concept operand = expr<T> || scalar_literal<T>;

// Value of a constant record converted to the C++ type To (host and device).
template <class To> COIL_HOST_DEVICE constexpr To constant_value(dtype t, std::uint64_t bits) {
  if (is_floating(t)) {
    return scalar::cast<To>(std::bit_cast<double>(bits));
  }
  return scalar::cast<To>(static_cast<std::int64_t>(bits));
}

} // namespace coil
