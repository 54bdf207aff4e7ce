// Compile-time shape errors. Each names the op, what is wrong, and the operands (inputs
// by name, computed operands by role) with their shapes, as the compile_error's argument.
// The ok variant (no COIL_FAIL_* macro) builds the valid counterpart of each expression
// with the same op, and compiles it into a model.
// COIL_FAIL_CASE: BROADCAST coil::compile_error<coil::fixed_string<[0-9]+>{.coil::add: shapes do not broadcast: y is \[5, 4\], z is \[3, 4\].}>
// COIL_FAIL_CASE: BROADCAST_SYMBOLIC coil::mul: shapes do not broadcast: x is \[B, 784\], rhs is \[B, 10\].}>
// COIL_FAIL_CASE: MATMUL_INNER coil::matmul: inner dims differ: x is \[B, 784\], W is \[128, 10\].}>
// COIL_FAIL_CASE: MATMUL_BATCH coil::matmul: batch dims do not broadcast: p is \[2, 3, 4\], q is \[5, 4, 6\].}>
// COIL_FAIL_CASE: REDUCE_AXIS coil::sum: axis out of range: axis 2 of x \[B, 784\].}>
// COIL_FAIL_CASE: REDUCE_AXIS_NEG coil::amax: axis out of range: axis -3 of x \[B, 784\].}>
// COIL_FAIL_CASE: RESHAPE_COUNT coil::reshape: element counts differ: z is \[3, 4\], target is \[5, 2\].}>
// COIL_FAIL_CASE: CAT_OFF_AXIS coil::cat: shapes differ off the cat axis: y is \[5, 4\], z is \[3, 4\], axis 1.}>
#include <coil.hpp>

using namespace coil::literals;

constexpr auto x = coil::input<"x", float>(coil::sym<"B">, 784_c);
[[maybe_unused]] constexpr auto W = coil::input<"W", float>(128_c, 10_c);   // used by the ko cases
constexpr auto W1 = coil::input<"W1", float>(784_c, 10_c);
constexpr auto y = coil::input<"y", float>(5_c, 4_c);
constexpr auto z = coil::input<"z", float>(3_c, 4_c);
constexpr auto p = coil::input<"p", float>(2_c, 3_c, 4_c);
[[maybe_unused]] constexpr auto q = coil::input<"q", float>(5_c, 4_c, 6_c);
constexpr auto q1 = coil::input<"q1", float>(1_c, 4_c, 6_c);

template <class E> using model_of = decltype(coil::compile<coil::cpu>(E{}));

#ifdef COIL_FAIL_BROADCAST
constexpr auto bad_broadcast = y + z;
#else
constexpr auto good_broadcast = y + coil::slice<0, 0, 1>(z); // [5, 4] + [1, 4]
static_assert(model_of<decltype(good_broadcast)>::plan.kernel_count == 1);
#endif

#ifdef COIL_FAIL_BROADCAST_SYMBOLIC
constexpr auto bad_broadcast_sym = x * coil::matmul(x, W1); // [B, 784] * [B, 10]
#else
constexpr auto good_broadcast_sym = coil::sum<-1>(x, coil::keepdim) * coil::matmul(x, W1); // [B, 1] * [B, 10]
static_assert(model_of<decltype(good_broadcast_sym)>::plan.kernel_count == 3);
#endif

#ifdef COIL_FAIL_MATMUL_INNER
constexpr auto bad_matmul = coil::matmul(x, W);
#else
constexpr auto good_matmul = coil::matmul(x, W1);
static_assert(model_of<decltype(good_matmul)>::plan.kernel_count == 1);
#endif

#ifdef COIL_FAIL_MATMUL_BATCH
constexpr auto bad_batch = coil::matmul(p, q);
#else
constexpr auto good_batch = coil::matmul(p, q1);
static_assert(model_of<decltype(good_batch)>::plan.kernel_count == 1);
#endif

#ifdef COIL_FAIL_REDUCE_AXIS
constexpr auto bad_axis = coil::sum<2>(x);
#else
constexpr auto good_axis = coil::sum<1>(x);
static_assert(model_of<decltype(good_axis)>::plan.kernel_count == 1);
#endif

#ifdef COIL_FAIL_REDUCE_AXIS_NEG
constexpr auto bad_neg_axis = coil::amax(x, -3_c, coil::keepdim);
#else
constexpr auto good_neg_axis = coil::amax(x, -2_c, coil::keepdim);
static_assert(model_of<decltype(good_neg_axis)>::plan.kernel_count == 1);
#endif

#ifdef COIL_FAIL_RESHAPE_COUNT
constexpr auto bad_reshape = coil::reshape(z, 5_c, 2_c);
#else
constexpr auto good_reshape = coil::reshape(z, 6_c, 2_c);
static_assert(model_of<decltype(good_reshape)>::plan.kernel_count == 1);
#endif

#ifdef COIL_FAIL_CAT_OFF_AXIS
constexpr auto bad_cat = coil::cat<1>(y, z);
#else
constexpr auto good_cat = coil::cat<0>(y, z);
static_assert(model_of<decltype(good_cat)>::plan.kernel_count == 1);
#endif

int main() { return 0; }
