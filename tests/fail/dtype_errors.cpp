// Compile-time dtype errors: ops that PyTorch rejects for an element type. The ok variant
// builds each op with a valid dtype (the same factory and the same inference).
// COIL_FAIL_CASE: WHERE_COND coil::where: condition must be bool: m is float32.}>
// COIL_FAIL_CASE: MEAN_INT coil::mean: needs a floating input: i is int32 \(cast it first\).}>
// COIL_FAIL_CASE: NEG_BOOL coil::neg: not defined for bool: c is bool \(cast it first\).}>
// COIL_FAIL_CASE: SUB_BOOL coil::sub: subtracting bool tensors is not supported \(use logical ops\).}>
// COIL_FAIL_CASE: ARGMAX_BOOL coil::argmax: not defined for bool: c is bool.}>
// COIL_FAIL_CASE: MATMUL_BOOL coil::matmul: not defined for bool: cm is \[2, 2\], cm is \[2, 2\].}>
#include <coil.hpp>

using namespace coil::literals;

constexpr auto m = coil::input<"m", float>(coil::sym<"B">, 4_c);
constexpr auto i = coil::input<"i", std::int32_t>(coil::sym<"B">, 4_c);
constexpr auto c = coil::input<"c", bool>(coil::sym<"B">, 4_c);
constexpr auto cm = coil::input<"cm", bool>(2_c, 2_c);

template <class E> using model_of = decltype(coil::compile<coil::cpu>(E{}));

#ifdef COIL_FAIL_WHERE_COND
constexpr auto bad_where = coil::where(m, m, 0.5_c);
#else
constexpr auto good_where = coil::where(m > 0_c, m, 0.5_c);
static_assert(model_of<decltype(good_where)>::plan.kernel_count == 1);
#endif

#ifdef COIL_FAIL_MEAN_INT
constexpr auto bad_mean = coil::mean<-1>(i);
#else
constexpr auto good_mean = coil::mean<-1>(coil::cast<float>(i));
static_assert(model_of<decltype(good_mean)>::plan.kernel_count == 1);
#endif

#ifdef COIL_FAIL_NEG_BOOL
constexpr auto bad_neg = -c;
#else
constexpr auto good_neg = -coil::cast<std::int32_t>(c);
static_assert(model_of<decltype(good_neg)>::plan.kernel_count == 1);
#endif

#ifdef COIL_FAIL_SUB_BOOL
constexpr auto bad_sub = c - c;
#else
constexpr auto good_sub = c - i; // bool - int32 is int32
static_assert(model_of<decltype(good_sub)>::plan.kernel_count == 1);
#endif

#ifdef COIL_FAIL_ARGMAX_BOOL
constexpr auto bad_argmax = coil::argmax<1>(c);
#else
constexpr auto good_argmax = coil::argmax<1>(i);
static_assert(model_of<decltype(good_argmax)>::plan.kernel_count == 1);
#endif

#ifdef COIL_FAIL_MATMUL_BOOL
constexpr auto bad_matmul = coil::matmul(cm, cm);
#else
constexpr auto good_matmul = coil::matmul(cm, coil::cast<float>(cm));
static_assert(model_of<decltype(good_matmul)>::plan.kernel_count == 2); // the cast is realized for the GEMM
#endif

int main() { return 0; }
