// Compile-time errors of the composite ops (include/ops/): each names the op, what is
// wrong and the operands with their shapes, in the project's grammar. The ok variant (no
// COIL_FAIL_* macro) compiles the valid counterpart of each into a model.
// COIL_FAIL_CASE: SOFTMAX_DIM coil::softmax: dim out of range: dim 2 of x \[B, 784\]
// COIL_FAIL_CASE: SOFTMAX_INT coil::log_softmax: needs a floating input: n is int64 \(cast it first\)
// COIL_FAIL_CASE: LOGSUMEXP_AXIS coil::logsumexp: axis out of range: axis 5 of x \[B, 784\]
// COIL_FAIL_CASE: LAYER_NORM_SHAPE coil::layer_norm: normalized_shape is not the trailing dims of the input: normalized_shape is \[10\], x is \[B, 784\]
// COIL_FAIL_CASE: LAYER_NORM_WEIGHT coil::layer_norm: weight shape must be \[784\]: w10 is \[10\], x is \[B, 784\]
// COIL_FAIL_CASE: RMS_NORM_INT coil::rms_norm: needs a floating input: n is int64
// COIL_FAIL_CASE: BATCH_NORM_RANK coil::batch_norm: input needs 2 or more dims \[N, C, \*\]: w10 is \[10\]
// COIL_FAIL_CASE: BATCH_NORM_MEAN coil::batch_norm: running_mean shape must be \[4\]: w10 is \[10\], img is \[N, 4, 3, 3\]
// COIL_FAIL_CASE: GROUP_NORM_GROUPS coil::group_norm: channels must be a static multiple of num_groups: num_groups 3, img is \[N, 4, 3, 3\]
// COIL_FAIL_CASE: VAR_AXIS coil::var: axis out of range: axis 3 of x \[B, 784\]
// COIL_FAIL_CASE: GELU_APPROX coil::gelu: approximate must be .*none.* or .*tanh.*: got .*fast
// COIL_FAIL_CASE: SILU_BOOL coil::silu: needs a floating input: m is bool
// COIL_FAIL_CASE: CLAMP_NONE coil::clamp: at least one of min and max must be given
// COIL_FAIL_CASE: MASKED_FILL_MASK coil::masked_fill: mask must be bool: n is int64
// COIL_FAIL_CASE: MASKED_FILL_SHAPE coil::masked_fill: mask does not broadcast to the input: w10 is \[10\], m is \[B, 784\]
// COIL_FAIL_CASE: DROPOUT_P coil::dropout: probability must be between 0 and 1: p is 1.5
// COIL_FAIL_CASE: LINEAR_IN coil::linear: in_features differ: x is \[B, 784\], W is \[10, 128\]
// COIL_FAIL_CASE: STACK_SHAPE coil::stack: tensors must have one shape: x is \[B, 784\], operand is \[B, 10\]
// COIL_FAIL_CASE: SPLIT_SYMBOLIC coil::split: the split dim must be static: x is \[B, 784\], dim 0
// COIL_FAIL_CASE: SPLIT_SECTIONS coil::split: section sizes must add up to the dim: x is \[B, 784\], dim 1, argument 100 200
// COIL_FAIL_CASE: REPEAT_FEW coil::repeat: needs a repeat count per dim: x is \[B, 784\], 1 counts
// COIL_FAIL_CASE: FLATTEN_ORDER coil::flatten: start_dim comes after end_dim: img is \[N, 4, 3, 3\], start_dim 2, end_dim 1
#include <coil.hpp>

using namespace coil::literals;

constexpr auto x = coil::input<"x", float>(coil::sym<"B">, 784_c);
[[maybe_unused]] constexpr auto n = coil::input<"n", std::int64_t>(coil::sym<"B">, 10_c);
[[maybe_unused]] constexpr auto m = coil::input<"m", bool>(coil::sym<"B">, 784_c);
[[maybe_unused]] constexpr auto w10 = coil::input<"w10", float>(10_c);
constexpr auto w784 = coil::input<"w784", float>(784_c);
constexpr auto img = coil::input<"img", float>(coil::sym<"N">, 4_c, 3_c, 3_c);
constexpr auto c4 = coil::input<"c4", float>(4_c);
[[maybe_unused]] constexpr auto W = coil::input<"W", float>(10_c, 128_c);
constexpr auto W1 = coil::input<"W1", float>(10_c, 784_c);

template <class E> constexpr int kernels(E) { return decltype(coil::compile<coil::cpu>(E{}))::plan.kernel_count; }

#if defined(COIL_FAIL_SOFTMAX_DIM)
constexpr auto bad = coil::softmax(x, 2_c);
#elif defined(COIL_FAIL_SOFTMAX_INT)
constexpr auto bad = coil::log_softmax<-1>(n);
#elif defined(COIL_FAIL_LOGSUMEXP_AXIS)
constexpr auto bad = coil::logsumexp(x, 5_c);
#elif defined(COIL_FAIL_LAYER_NORM_SHAPE)
constexpr auto bad = coil::layer_norm(x, 10_c);
#elif defined(COIL_FAIL_LAYER_NORM_WEIGHT)
constexpr auto bad = coil::layer_norm(x, 784_c, w10);
#elif defined(COIL_FAIL_RMS_NORM_INT)
constexpr auto bad = coil::rms_norm(n, 10_c);
#elif defined(COIL_FAIL_BATCH_NORM_RANK)
constexpr auto bad = coil::batch_norm(w10, c4, c4);
#elif defined(COIL_FAIL_BATCH_NORM_MEAN)
constexpr auto bad = coil::batch_norm(img, w10, c4);
#elif defined(COIL_FAIL_GROUP_NORM_GROUPS)
constexpr auto bad = coil::group_norm(img, 3_c);
#elif defined(COIL_FAIL_VAR_AXIS)
constexpr auto bad = coil::var(x, 3_c);
#elif defined(COIL_FAIL_GELU_APPROX)
constexpr auto bad = coil::gelu<"fast">(x);
#elif defined(COIL_FAIL_SILU_BOOL)
constexpr auto bad = coil::silu(m);
#elif defined(COIL_FAIL_CLAMP_NONE)
constexpr auto bad = coil::clamp(x, coil::none, coil::none);
#elif defined(COIL_FAIL_MASKED_FILL_MASK)
constexpr auto bad = coil::masked_fill(x, n, 0_c);
#elif defined(COIL_FAIL_MASKED_FILL_SHAPE)
constexpr auto bad = coil::masked_fill(w10, m, 0_c); // the mask would broadcast the input
#elif defined(COIL_FAIL_DROPOUT_P)
constexpr auto bad = coil::dropout(x, 1.5_c);
#elif defined(COIL_FAIL_LINEAR_IN)
constexpr auto bad = coil::linear(x, W);
#elif defined(COIL_FAIL_STACK_SHAPE)
constexpr auto bad = coil::stack(x, coil::cast<float>(n));
#elif defined(COIL_FAIL_SPLIT_SYMBOLIC)
constexpr auto bad = coil::split<2>(x);
#elif defined(COIL_FAIL_SPLIT_SECTIONS)
constexpr auto bad = coil::split_sections<1, 100, 200>(x);
#elif defined(COIL_FAIL_REPEAT_FEW)
constexpr auto bad = coil::repeat(x, 2_c);
#elif defined(COIL_FAIL_FLATTEN_ORDER)
constexpr auto bad = coil::flatten<2, 1>(img);
#else
// the valid counterparts
static_assert(kernels(coil::softmax(x, 1_c)) == 1);
static_assert(kernels(coil::log_softmax<-1>(coil::cast<float>(n))) == 1);
static_assert(kernels(coil::logsumexp(x, 1_c, coil::keepdim)) == 1);
static_assert(kernels(coil::layer_norm(x, 784_c, w784)) == 1);
static_assert(kernels(coil::rms_norm(coil::cast<double>(n), 10_c)) == 1);
static_assert(kernels(coil::batch_norm(img, c4, c4)) == 1);
static_assert(kernels(coil::group_norm(img, 2_c, c4)) >= 1);
static_assert(kernels(coil::var(x, 1_c)) >= 1);
static_assert(kernels(coil::gelu<"tanh">(x) + coil::silu(coil::cast<float>(m))) == 1);
static_assert(kernels(coil::clamp(x, coil::none, 1_c) + coil::masked_fill(x, m, 0_c) + coil::dropout(x, 1_c)) == 1);
static_assert(kernels(coil::linear(x, W1)) >= 1);
static_assert(kernels(coil::stack(x, x * 2_c)) == 1);
static_assert(std::tuple_size_v<decltype(coil::split<200, 1>(x))> == 4);
static_assert(std::tuple_size_v<decltype(coil::split_sections<1, 84, 700>(x))> == 2);
static_assert(kernels(coil::repeat(x, 1_c, 2_c)) == 1);
static_assert(kernels(coil::flatten<1, 2>(img)) == 1);
#endif

int main() { return 0; }
