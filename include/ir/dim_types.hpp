// Dims and scalars written in user code: `784_c`, `0.5_c`, `sym<"B">`, `B * 16_c`,
// `(L + 1_c) / 2_c`, `sym<"B", coil::broadcastable>`.
// Each is an empty type carrying its value, so it can shape a node type at compile time.
#pragma once
#include <bit>
#include <cstdint>
#include <type_traits>

#include "../core/fixed_string.hpp"
#include "dim.hpp"

namespace coil {

// A compile-time integer: a static dim, an axis, or an integer scalar constant.
template <std::int64_t V> struct static_int {
  static constexpr std::int64_t int_value = V;
  static constexpr dim value = dim_const(V);
  constexpr operator std::int64_t() const { return V; }
};

// A compile-time floating scalar constant, kept as the bits of a double (floating-point
// template arguments are not portable to clang 14).
template <std::uint64_t Bits> struct static_real {
  static constexpr double real_value = std::bit_cast<double>(Bits);
};

// Option of `sym`: the symbol may bind to 1 at call time and then broadcasts against the
// other operand as PyTorch does ([B, 8] + [4, 8] with B = 1 is [4, 8]); without it,
// broadcasting B against another dim is a call-time guard that they are equal.
struct broadcastable {};

// A named symbolic dim, bound from the inputs at call time.
template <fixed_string Name, class Option = void> struct sym_t {
  static constexpr bool is_symbol = true; // what is_dim_type matches (see below)
  static_assert(Name.size() >= 1 && Name.size() <= 15, "coil::sym: a symbol name has 1 to 15 characters");
  static_assert(std::is_void_v<Option> || std::is_same_v<Option, broadcastable>,
                "coil::sym: the only option is coil::broadcastable, as in sym<\"B\", coil::broadcastable>");
  static constexpr dim value = dim_symbol(Name.data, std::is_same_v<Option, broadcastable>);
};

// Sums, products, quotients and remainders of dims, for reshape targets such as `B * S`
// and window sizes such as `(L - 1_c) / 2_c + 1_c`. Division is Python's: floor division
// and a remainder in [0, c) for a constant c > 0; by a symbolic dim only where the
// quotient is exact ((B * S) / S).
template <class A, class B> struct dim_sum_t { static constexpr dim value = A::value + B::value; };
template <class A, class B> struct dim_prod_t { static constexpr dim value = A::value * B::value; };
template <class A, class B> struct dim_quot_t {
  static constexpr dim value = A::value / B::value;
  static_assert(value.valid, "coil::operator/: a dim divides by a constant > 0 or by a dim that divides it exactly");
};
template <class A, class B> struct dim_rem_t {
  static constexpr dim value = A::value % B::value;
  static_assert(value.valid, "coil::operator%: a dim's remainder is by a constant > 0 or by a dim that divides it exactly");
};

template <class T> struct is_dim_type : std::false_type {};
template <std::int64_t V> struct is_dim_type<static_int<V>> : std::true_type {};
// sym_t is matched by its marker, not as sym_t<N>: nvcc's front end (CUDA 13) does not
// deduce a `fixed_string` template parameter in a partial specialization.
template <class T> requires(T::is_symbol) struct is_dim_type<T> : std::true_type {};
template <class A, class B> struct is_dim_type<dim_sum_t<A, B>> : std::true_type {};
template <class A, class B> struct is_dim_type<dim_prod_t<A, B>> : std::true_type {};
template <class A, class B> struct is_dim_type<dim_quot_t<A, B>> : std::true_type {};
template <class A, class B> struct is_dim_type<dim_rem_t<A, B>> : std::true_type {};
template <class T> concept dim_type = is_dim_type<std::remove_cvref_t<T>>::value;
template <class T> concept symbolic_dim_type = dim_type<T> && !std::remove_cvref_t<T>::value.is_static();

template <class T> struct is_static_int : std::false_type {};
template <std::int64_t V> struct is_static_int<static_int<V>> : std::true_type {};
template <class T> concept static_integer = is_static_int<std::remove_cvref_t<T>>::value;

template <class T> struct is_static_real : std::false_type {};
template <std::uint64_t B> struct is_static_real<static_real<B>> : std::true_type {};
template <class T> concept scalar_literal = static_integer<T> || is_static_real<std::remove_cvref_t<T>>::value;

// `sym<"B">`: the symbol's value object; `sym<"B", coil::broadcastable>` one that may
// bind to 1 and broadcast.
template <fixed_string Name, class Option = void> inline constexpr sym_t<Name, Option> sym{};

// Integer arithmetic on static ints stays static.
template <std::int64_t A> constexpr static_int<-A> operator-(static_int<A>) { return {}; }
template <std::uint64_t B> constexpr auto operator-(static_real<B>) {
  return static_real<std::bit_cast<std::uint64_t>(-std::bit_cast<double>(B))>{};
}

// A dim expression involving a symbol; static-only arithmetic is left to static_int.
template <dim_type A, dim_type B>
  requires(symbolic_dim_type<A> || symbolic_dim_type<B>)
constexpr dim_prod_t<std::remove_cvref_t<A>, std::remove_cvref_t<B>> operator*(A, B) { return {}; }
template <dim_type A, dim_type B>
  requires(symbolic_dim_type<A> || symbolic_dim_type<B>)
constexpr dim_sum_t<std::remove_cvref_t<A>, std::remove_cvref_t<B>> operator+(A, B) { return {}; }
template <dim_type A, dim_type B>
  requires(symbolic_dim_type<A> || symbolic_dim_type<B>)
constexpr dim_sum_t<std::remove_cvref_t<A>, dim_prod_t<static_int<-1>, std::remove_cvref_t<B>>> operator-(A, B) { return {}; }
template <dim_type A, dim_type B>
  requires(symbolic_dim_type<A> || symbolic_dim_type<B>)
constexpr dim_quot_t<std::remove_cvref_t<A>, std::remove_cvref_t<B>> operator/(A, B) { return {}; }
template <dim_type A, dim_type B>
  requires(symbolic_dim_type<A> || symbolic_dim_type<B>)
constexpr dim_rem_t<std::remove_cvref_t<A>, std::remove_cvref_t<B>> operator%(A, B) { return {}; }

namespace detail {
struct parsed_literal {
  bool is_real = false;
  bool ok = true;
  std::int64_t integer = 0;
  double real = 0;
};

// Parses a numeric literal's characters: decimal, hex (0x), binary (0b), octal, or a
// decimal floating literal. The floating value is mantissa / 10^k (or * 10^k), where
// both are exact doubles for literals of up to 15 digits, so the one division rounds
// correctly.
template <char... Cs> constexpr parsed_literal parse_literal() {
  constexpr char s[] = {Cs..., 0};
  parsed_literal r;
  int n = sizeof...(Cs), i = 0;
  for (int k = 0; k < n; ++k)
    if (s[k] == '.' || ((s[k] == 'e' || s[k] == 'E') && !(n > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))))
      r.is_real = true;
  if (!r.is_real) {
    int base = 10;
    if (n > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) base = 16, i = 2;
    else if (n > 1 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) base = 2, i = 2;
    else if (n > 1 && s[0] == '0') base = 8, i = 1;
    for (; i < n; ++i) {
      char c = s[i];
      if (c == '\'') continue;
      int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : 99;
      if (d >= base) r.ok = false;
      r.integer = r.integer * base + d;
    }
    return r;
  }
  std::int64_t mant = 0;
  int exp10 = 0, digits = 0;
  bool frac = false;
  for (; i < n && s[i] != 'e' && s[i] != 'E'; ++i) {
    if (s[i] == '\'') continue;
    if (s[i] == '.') {
      frac = true;
      continue;
    }
    if (digits < 18) {
      mant = mant * 10 + (s[i] - '0');
      if (mant) ++digits;
      if (frac) --exp10;
    } else if (!frac) {
      ++exp10;
    }
  }
  if (i < n) { // exponent
    ++i;
    bool neg = false;
    if (s[i] == '-' || s[i] == '+') neg = s[i++] == '-';
    int e = 0;
    for (; i < n; ++i) e = e * 10 + (s[i] - '0');
    exp10 += neg ? -e : e;
  }
  double p = 1;
  for (int k = 0; k < (exp10 < 0 ? -exp10 : exp10); ++k) p *= 10.0;
  r.real = exp10 < 0 ? static_cast<double>(mant) / p : static_cast<double>(mant) * p;
  return r;
}
} // namespace detail

namespace literals {
// `784_c` is a static int (a dim, an axis or an integer scalar); `0.5_c` a floating scalar.
template <char... Cs> constexpr auto operator""_c() {
  constexpr detail::parsed_literal p = detail::parse_literal<Cs...>();
  static_assert(p.ok, "coil::_c: not a valid integer literal");
  if constexpr (p.is_real) return static_real<std::bit_cast<std::uint64_t>(p.real)>{};
  else return static_int<p.integer>{};
}
} // namespace literals

} // namespace coil
