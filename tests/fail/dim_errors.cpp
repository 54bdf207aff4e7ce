// Compile-time errors of symbolic dims: an option of sym other than coil::broadcastable,
// a quotient or remainder the dim algebra cannot represent, and a reshape whose -1 dim
// can never come out even (a remainder that is a nonzero constant). The ok variant builds
// the valid counterpart of each.
// COIL_FAIL_CASE: SYM_OPTION coil::sym: the only option is coil::broadcastable
// COIL_FAIL_CASE: DIV_BY_ZERO coil::operator/: a dim divides by a constant > 0 or by a dim that divides it exactly
// COIL_FAIL_CASE: DIV_NOT_EXACT coil::operator/: a dim divides by a constant > 0 or by a dim that divides it exactly
// COIL_FAIL_CASE: MOD_BY_SYMBOL coil::operator%: a dim's remainder is by a constant > 0 or by a dim that divides it exactly
// COIL_FAIL_CASE: RESHAPE_REMAINDER coil::reshape: cannot infer the -1 dim: input is \[2 \+ 4\*B\]
#include <coil.hpp>

using namespace coil::literals;

constexpr auto B = coil::sym<"B">;
constexpr auto S = coil::sym<"S">;

#ifdef COIL_FAIL_SYM_OPTION
constexpr auto bad_option = coil::sym<"B", int>;
constexpr coil::dim bad_option_dim = decltype(bad_option)::value;
#else
static_assert(decltype(coil::sym<"B", coil::broadcastable>)::value.broadcastable());
#endif

#ifdef COIL_FAIL_DIV_BY_ZERO
constexpr coil::dim bad_div = decltype(B / 0_c)::value;
#else
static_assert(decltype(B / 2_c)::value == coil::floordiv(coil::dim_symbol("B"), 2));
#endif

#ifdef COIL_FAIL_DIV_NOT_EXACT
constexpr coil::dim bad_quotient = decltype(B / S)::value;
#else
static_assert(decltype((B * S) / S)::value == coil::dim_symbol("B"));
#endif

#ifdef COIL_FAIL_MOD_BY_SYMBOL
constexpr coil::dim bad_rem = decltype(B % S)::value;
#else
static_assert(decltype((B * S) % S)::value == coil::dim_const(0));
#endif

// [4*B + 2] -> [-1, 4]: 4*B + 2 leaves 2 for every B
constexpr auto x = coil::input<"x", float>(B, 4_c);
constexpr auto two = coil::input<"two", float>(2_c);
constexpr auto line = coil::cat<0>(coil::flatten(x), two); // [2 + 4*B]
#ifdef COIL_FAIL_RESHAPE_REMAINDER
constexpr auto bad_reshape = coil::reshape(line, -1_c, 4_c);
#else
constexpr auto good_reshape = coil::reshape(line, -1_c, 2_c); // [1 + 2*B, 2]
static_assert(coil::record_of<decltype(good_reshape)>.shp.d[0] == coil::dim_const(2) * coil::dim_symbol("B") + coil::dim_const(1));
#endif
