// Compile-time errors of the index, padding, convolution, pooling and attention ops
// (include/ir/op_index.hpp, window/flip in op_view.hpp, include/ops/{indexing,padding,
// conv,pooling,attention}.hpp). The ok variant compiles the valid counterparts into models.
// COIL_FAIL_CASE: IOTA_AXIS coil::iota: axis out of range: axis 3 of \[2, 3\]
// COIL_FAIL_CASE: GATHER_INDEX_TYPE coil::gather: indices must be int32 or int64: x is float32
// COIL_FAIL_CASE: WINDOW_LONG coil::window: the window is longer than the dim: span 5 over dim 1 of img \[N, 4, 3, 3\]
// COIL_FAIL_CASE: EMBEDDING_WEIGHT coil::embedding: weight must be \[num_embeddings, embedding_dim\]: w10 is \[10\]
// COIL_FAIL_CASE: TRIL_RANK coil::tril: needs 2 or more dims: w10 is \[10\]
// COIL_FAIL_CASE: CUMSUM_DIM coil::cumsum: dim out of range: dim 2 of x \[B, 784\]
// COIL_FAIL_CASE: PAD_ODD coil::pad: needs an even number of pads, two per padded dim: x is \[B, 784\], 1 pads
// COIL_FAIL_CASE: PAD_REFLECT_SYMBOLIC coil::pad: reflect pads must be shorter than a static dim: x is \[B, 784\], dim 0 pads 1, 1
// COIL_FAIL_CASE: CONV_GROUPS coil::conv2d: channels do not match groups: img is \[N, 4, 3, 3\], kw is \[8, 4, 3, 3\], groups 3
// COIL_FAIL_CASE: CONV_SMALL coil::conv2d: the padded input is smaller than the kernel: img is \[N, 4, 3, 3\], k5 is \[8, 4, 5, 5\]
// COIL_FAIL_CASE: POOL_PADDING coil::max_pool2d: padding must be at most half the kernel: img is \[N, 4, 3, 3\], kernel 2, padding 2
// COIL_FAIL_CASE: ADAPTIVE_SYMBOLIC coil::adaptive_avg_pool2d: an output above 1x1 needs static spatial dims: hw is \[N, 4, H, W\]
// COIL_FAIL_CASE: SDPA_EMBED coil::scaled_dot_product_attention: q and k embedding dims differ: q is \[B, 5, 8\], k4 is \[B, 6, 4\]
// COIL_FAIL_CASE: SDPA_CAUSAL_MASK coil::scaled_dot_product_attention: pass either attn_mask or is_causal, not both \(as PyTorch\): q is \[B, 5, 8\]
// COIL_FAIL_CASE: ROTARY_TABLE coil::apply_rotary_emb: cos and sin must broadcast to \[..., S, D / 2\] in the dtype of x: t8 is \[5, 8\], q is \[B, 5, 8\]
#include <coil.hpp>

using namespace coil::literals;

constexpr auto x = coil::input<"x", float>(coil::sym<"B">, 784_c);
[[maybe_unused]] constexpr auto n = coil::input<"n", std::int64_t>(coil::sym<"B">, 10_c);
[[maybe_unused]] constexpr auto w10 = coil::input<"w10", float>(10_c);
constexpr auto W1 = coil::input<"W1", float>(10_c, 784_c);
constexpr auto img = coil::input<"img", float>(coil::sym<"N">, 4_c, 3_c, 3_c);
constexpr auto kw = coil::input<"kw", float>(8_c, 4_c, 3_c, 3_c);
[[maybe_unused]] constexpr auto k5 = coil::input<"k5", float>(8_c, 4_c, 5_c, 5_c);
[[maybe_unused]] constexpr auto hw = coil::input<"hw", float>(coil::sym<"N">, 4_c, coil::sym<"H">, coil::sym<"W">);
constexpr auto q = coil::input<"q", float>(coil::sym<"B">, 5_c, 8_c);
[[maybe_unused]] constexpr auto k4 = coil::input<"k4", float>(coil::sym<"B">, 6_c, 4_c);
constexpr auto t4 = coil::input<"t4", float>(5_c, 4_c);
[[maybe_unused]] constexpr auto t8 = coil::input<"t8", float>(5_c, 8_c);
constexpr auto mask = coil::input<"mask", bool>(5_c, 5_c);

template <class E> constexpr int kernels(E) { return decltype(coil::compile<coil::cpu>(E{}))::plan.kernel_count; }

#if defined(COIL_FAIL_IOTA_AXIS)
constexpr auto bad = coil::iota<3>(2_c, 3_c);
#elif defined(COIL_FAIL_GATHER_INDEX_TYPE)
constexpr auto bad = coil::gather<0>(W1, x);
#elif defined(COIL_FAIL_WINDOW_LONG)
constexpr auto bad = coil::window<1, 5>(img);
#elif defined(COIL_FAIL_EMBEDDING_WEIGHT)
constexpr auto bad = coil::embedding(n, w10);
#elif defined(COIL_FAIL_TRIL_RANK)
constexpr auto bad = coil::tril(w10);
#elif defined(COIL_FAIL_CUMSUM_DIM)
constexpr auto bad = coil::cumsum(x, 2_c);
#elif defined(COIL_FAIL_PAD_ODD)
constexpr auto bad = coil::pad<1>(x);
#elif defined(COIL_FAIL_PAD_REFLECT_SYMBOLIC)
constexpr auto bad = coil::pad<coil::pad_mode::reflect, 0, 0, 1, 1>(x);
#elif defined(COIL_FAIL_CONV_GROUPS)
constexpr auto bad = coil::conv2d<coil::conv2d_args{.groups = 3}>(img, kw);
#elif defined(COIL_FAIL_CONV_SMALL)
constexpr auto bad = coil::conv2d(img, k5);
#elif defined(COIL_FAIL_POOL_PADDING)
constexpr auto bad = coil::max_pool2d<coil::pool2d_args{.kernel = {2, 2}, .padding = {2, 2}}>(img);
#elif defined(COIL_FAIL_ADAPTIVE_SYMBOLIC)
constexpr auto bad = coil::adaptive_avg_pool2d<2>(hw);
#elif defined(COIL_FAIL_SDPA_EMBED)
constexpr auto bad = coil::scaled_dot_product_attention(q, k4, k4);
#elif defined(COIL_FAIL_SDPA_CAUSAL_MASK)
constexpr auto bad = coil::scaled_dot_product_attention<coil::causal>(q, q, q, mask);
#elif defined(COIL_FAIL_ROTARY_TABLE)
constexpr auto bad = coil::apply_rotary_emb(q, t8, t8);
#else
// the valid counterparts
static_assert(kernels(coil::iota<1>(2_c, 3_c)) == 1);
static_assert(kernels(coil::gather<0>(W1, n)) == 1);
static_assert(kernels(coil::window<1, 3>(img)) == 1);
static_assert(kernels(coil::embedding(n, W1)) == 1);
static_assert(kernels(coil::tril(W1)) == 1);
static_assert(kernels(coil::cumsum(x, 1_c)) == 1); // one scan kernel
static_assert(kernels(coil::pad<1, 1>(x)) == 1);
static_assert(kernels(coil::pad<coil::pad_mode::reflect, 2, 2>(x)) == 1);
static_assert(kernels(coil::conv2d<coil::conv2d_args{.padding = {1, 1}}>(img, kw)) == 4); // im2col + GEMM: the weight view and the columns stored, the GEMM, the reshape's copy
static_assert(kernels(coil::max_pool2d<coil::pool2d_args{.kernel = {2, 2}, .padding = {1, 1}}>(img)) == 1);
static_assert(kernels(coil::adaptive_avg_pool2d<1>(hw)) == 1);
static_assert(kernels(coil::scaled_dot_product_attention(q, q, q, mask)) == 3); // two GEMMs (k^T read in place: a strided operand), the masked softmax row kernel
static_assert(kernels(coil::apply_rotary_emb(q, t4, t4)) == 1);
#endif

int main() { return 0; }
