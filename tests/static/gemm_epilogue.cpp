// Which matmul kernels hand their pointwise epilogue to the BLAS library
// (backends/gemm_epilogue.hpp; cuBLASLt's BIAS and RELU_BIAS epilogues on CUDA): only a
// product read once, by one pointwise kernel computing product + bias[n], optionally
// through relu. Compiled only.
#include <coil.hpp>

#include <backends/gemm_epilogue.hpp>

using namespace coil::literals;

namespace {

using coil::kernel::gemm_epilogue_kind;
using coil::kernel::gemm_epilogue_v;

constexpr auto B = coil::sym<"B">;
constexpr auto x = coil::input<"x", float>(B, 64_c);
constexpr auto w = coil::input<"w", float>(64_c, 32_c);   // [in, out]: matmul(x, w)
constexpr auto wt = coil::input<"w", float>(32_c, 64_c);  // [out, in]: linear(x, wt, b)
constexpr auto b = coil::input<"b", float>(32_c);
constexpr auto col = coil::input<"c", float>(B, 1_c);     // a bias per row, not per column
constexpr auto res = coil::input<"r", float>(B, 32_c);
constexpr auto x3 = coil::input<"x", float>(2_c, B, 64_c);

template <class E> using cpu_model = decltype(coil::compile<coil::cpu>(E{}));

// The Nth matmul kernel of a model (-1: the last one).
template <class M, int Nth = -1> constexpr int matmul_kernel() {
  int k = -1, seen = 0;
  for (int i = 0; i < M::plan.kernel_count; ++i)
    if (M::plan.kind[i] == coil::kernel_kind::matmul && (Nth < 0 || seen++ <= Nth)) k = i;
  return k;
}
template <class M, int Nth = -1> constexpr auto epilogue_of = gemm_epilogue_v<M, matmul_kernel<M, Nth>()>;

// product + bias, in either order, and through relu
using plus_bias = cpu_model<decltype(coil::matmul(x, w) + b)>;
static_assert(epilogue_of<plus_bias>.kind == gemm_epilogue_kind::bias);
static_assert(epilogue_of<plus_bias>.out == plus_bias::graph::outputs[0]);
using bias_plus = cpu_model<decltype(b + coil::matmul(x, w))>;
static_assert(epilogue_of<bias_plus>.kind == gemm_epilogue_kind::bias);
using relu_bias = cpu_model<decltype(coil::relu(coil::matmul(x, w) + b))>;
static_assert(epilogue_of<relu_bias>.kind == gemm_epilogue_kind::relu_bias);
// linear reads its weight transposed; its bias is the same epilogue
using linear_bias = cpu_model<decltype(coil::relu(coil::linear(x, wt, b)))>;
static_assert(epilogue_of<linear_bias>.kind == gemm_epilogue_kind::relu_bias);
static_assert(epilogue_of<linear_bias>.bias >= 0 && epilogue_of<linear_bias>.product >= 0);

// the benchmarks' MLPs (bench/gpu/coil_gpu.cu): W6's first layer is relu + bias, its second
// feeds log_softmax (a row kernel); W4's first is gelu (erf), its second + bias
constexpr auto x784 = coil::input<"x", float>(1_c, 784_c);
constexpr auto V1 = coil::input<"V1", float>(784_c, 128_c);
constexpr auto c1 = coil::input<"c1", float>(128_c);
constexpr auto V2 = coil::input<"V2", float>(128_c, 10_c);
constexpr auto c2 = coil::input<"c2", float>(10_c);
using w6 = cpu_model<decltype(coil::log_softmax<-1>(coil::matmul(coil::relu(coil::matmul(x784, V1) + c1), V2) + c2))>;
static_assert(epilogue_of<w6, 0>.kind == gemm_epilogue_kind::relu_bias && epilogue_of<w6>.kind == gemm_epilogue_kind::none);
constexpr auto W1 = coil::input<"W1", float>(64_c, 96_c);
constexpr auto b1 = coil::input<"b1", float>(96_c);
constexpr auto W2 = coil::input<"W2", float>(96_c, 32_c);
using w4 = cpu_model<decltype(coil::matmul(coil::gelu(coil::matmul(x, W1) + b1), W2) + b)>;
static_assert(epilogue_of<w4, 0>.kind == gemm_epilogue_kind::none && epilogue_of<w4>.kind == gemm_epilogue_kind::bias);

// not a library epilogue: gelu (erf), a residual, a per-row bias, no bias, the product
// read twice or returned, a batched product
using gelu_bias = cpu_model<decltype(coil::gelu(coil::matmul(x, w) + b))>;
static_assert(epilogue_of<gelu_bias>.kind == gemm_epilogue_kind::none);
using residual = cpu_model<decltype(coil::matmul(x, w) + b + res)>;
static_assert(epilogue_of<residual>.kind == gemm_epilogue_kind::none);
using row_bias = cpu_model<decltype(coil::matmul(x, w) + col)>;
static_assert(epilogue_of<row_bias>.kind == gemm_epilogue_kind::none);
using relu_only = cpu_model<decltype(coil::relu(coil::matmul(x, w)))>;
static_assert(epilogue_of<relu_only>.kind == gemm_epilogue_kind::none);
constexpr auto product = coil::matmul(x, w);
using read_twice = cpu_model<decltype(product + b + product)>;
static_assert(epilogue_of<read_twice>.kind == gemm_epilogue_kind::none);
using batched = cpu_model<decltype(coil::matmul(x3, w) + b)>;
static_assert(epilogue_of<batched>.kind == gemm_epilogue_kind::none);
using bare = cpu_model<decltype(coil::matmul(x, w))>;
static_assert(epilogue_of<bare>.kind == gemm_epilogue_kind::none);

} // namespace
