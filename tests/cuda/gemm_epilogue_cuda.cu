// GEMMs with their bias (relu) epilogue inside cuBLASLt (backends/gemm_epilogue.hpp,
// runtime/cuda_lt.hpp): against the reference backend at shapes from a batch of one to
// odd sizes, with a transposed weight (linear), an unaligned bias, a padded output, NaN
// through relu, and replayed from a CUDA graph; the epilogue kernel is skipped exactly
// when the library took it (device_state::library_epilogues). Skips cleanly without a GPU.
#include <doctest/doctest.h>

#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <coil.hpp>

#include "cuda/device_check.hpp"
#include "support/cuda_device.hpp"

using namespace coil::literals;

namespace cases {
constexpr auto B = coil::sym<"B">;
constexpr auto K = coil::sym<"K">;
constexpr auto N = coil::sym<"N">;
constexpr auto x = coil::input<"x", float>(B, K);
constexpr auto w = coil::input<"w", float>(K, N);   // [in, out]
constexpr auto wt = coil::input<"w", float>(N, K);  // [out, in]: linear's weight
constexpr auto b = coil::input<"b", float>(N);

constexpr auto plus_bias = coil::matmul(x, w) + b;
constexpr auto relu_bias = coil::relu(coil::matmul(x, w) + b);
constexpr auto linear_relu = coil::relu(coil::linear(x, wt, b));
constexpr auto gelu_bias = coil::gelu(coil::matmul(x, w) + b); // erf: the planner's epilogue kernel
constexpr auto x1 = coil::input<"x", float>(1_c, K);              // a batch of one known at compile time
constexpr auto relu_bias_one = coil::relu(coil::matmul(x1, w) + b); // (the product read at row 0)

struct plus_bias_gpu : coil::keyed_model<plus_bias_gpu, coil::cuda, decltype(plus_bias)> {};
struct relu_bias_gpu : coil::keyed_model<relu_bias_gpu, coil::cuda, decltype(relu_bias)> {};
struct linear_relu_gpu : coil::keyed_model<linear_relu_gpu, coil::cuda, decltype(linear_relu)> {};
struct gelu_bias_gpu : coil::keyed_model<gelu_bias_gpu, coil::cuda, decltype(gelu_bias)> {};
struct relu_bias_one_gpu : coil::keyed_model<relu_bias_one_gpu, coil::cuda, decltype(relu_bias_one)> {};
// Two layers over intermediates: relu(x) is the first GEMM's operand in the arena, dead after
// it, and the epilogue's output (the second GEMM's operand) may be given its memory.
constexpr auto w2 = coil::input<"w2", float>(N, 16_c);
constexpr auto two_layers = coil::matmul(coil::relu(coil::matmul(coil::relu(x), w) + b), w2);
struct two_layers_gpu : coil::keyed_model<two_layers_gpu, coil::cuda, decltype(two_layers)> {};

template <class M> constexpr int last_matmul() {
  int k = -1;
  for (int i = 0; i < M::plan.kernel_count; ++i)
    if (M::plan.kind[i] == coil::kernel_kind::matmul) k = i;
  return k;
}
template <class M> constexpr auto epilogue_kind = coil::kernel::gemm_epilogue_v<M, last_matmul<M>()>.kind;
static_assert(epilogue_kind<plus_bias_gpu> == coil::kernel::gemm_epilogue_kind::bias);
static_assert(epilogue_kind<relu_bias_gpu> == coil::kernel::gemm_epilogue_kind::relu_bias);
static_assert(epilogue_kind<linear_relu_gpu> == coil::kernel::gemm_epilogue_kind::relu_bias);
static_assert(epilogue_kind<gelu_bias_gpu> == coil::kernel::gemm_epilogue_kind::none);
static_assert(epilogue_kind<relu_bias_one_gpu> == coil::kernel::gemm_epilogue_kind::relu_bias);
} // namespace cases

namespace {

bool have_device() { return coil::testing::have_cuda_device("cuda_gemm_epilogue_cuda"); }

using coil::testing::device_input;

// An fp32 GEMM over k products of values up to 2 x 2 carries an absolute rounding error
// of about sqrt(k) * 2^-24 * 4 against the reference's double sums.
double gemm_atol(std::int64_t k) { return 1e-6 * (1.0 + std::sqrt(static_cast<double>(k))) * 4.0; }

// Runs Gpu on x, the weight and the bias (bias read `bias_offset` elements into its
// buffer; the output's rows `pad` elements apart beyond n) and compares with the reference.
// Returns how many GEMMs cuBLASLt ran with their epilogue. (XIn, WIn, BIn: device_inputs;
// a parameter spelled device_input<"x", ...> trips nvcc's host code generation.)
template <class Gpu, class E, class XIn, class WIn, class BIn>
std::int64_t expect_epilogue_matches(E expr, const XIn& x, const WIn& wv, const BIn& bias, std::int64_t bias_offset,
                                     std::int64_t pad, bool graphs = false) {
  auto oracle = coil::compile<coil::reference>(expr);
  auto want = oracle(x.host_arg(), wv.host_arg(), bias.host_arg());
  const std::int64_t m = want.extents[0], n = want.extents[1];
  coil::device_buffer<float> shifted(n + bias_offset);
  coil::copy_to_device(shifted.data() + bias_offset, bias.host.data(), n);
  const std::int64_t ld = n + pad;
  coil::device_buffer<float> out(m * ld);
  Gpu model;
  model.device().use_graphs(graphs);
  for (int call = 0; call < (graphs ? 2 : 1); ++call) {
    const coil::status st = model.run(x.device_arg(), wv.device_arg(),
                                      bias.arg_of(coil::tensor_view<const float, 1>{shifted.data() + bias_offset, {n}, {1}}),
                                      coil::out(coil::tensor_view<float, 2>{out.data(), {m, n}, {ld, 1}}));
    REQUIRE_MESSAGE(st.ok(), st.message());
  }
  coil::cuda_check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  std::vector<float> got(static_cast<std::size_t>(m * ld));
  coil::copy_to_host(got.data(), out.data(), m * ld);
  const double atol = gemm_atol(x.host.extents[1]);
  int bad = 0;
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      const double g = got[static_cast<std::size_t>(i * ld + j)], r = want(i, j);
      const bool ok = (std::isnan(g) && std::isnan(r)) || std::fabs(g - r) <= atol + 1e-5 * std::fabs(r);
      if (!ok && ++bad <= 5) FAIL_CHECK("at [" << i << ", " << j << "]: got " << g << ", want " << r);
    }
  CHECK(bad == 0);
  return model.device().library_epilogues();
}

} // namespace

TEST_CASE("cuda: bias and relu + bias epilogues inside cuBLASLt match the reference") {
  if (!have_device()) return;
  struct size3 {
    std::int64_t m, k, n;
  };
  for (const size3 s : {size3{1, 784, 128}, size3{1, 128, 10}, size3{512, 768, 3072}, size3{37, 61, 13}, size3{3, 1, 5}}) {
    CAPTURE(s.m);
    CAPTURE(s.k);
    CAPTURE(s.n);
    device_input<"x", float, 2> x({s.m, s.k}, 60);
    device_input<"w", float, 2> w({s.k, s.n}, 61);
    device_input<"w", float, 2> wt({s.n, s.k}, 62);
    device_input<"b", float, 1> b({s.n}, 63);
    CHECK(expect_epilogue_matches<cases::plus_bias_gpu>(cases::plus_bias, x, w, b, 0, 0) == 1);
    CHECK(expect_epilogue_matches<cases::relu_bias_gpu>(cases::relu_bias, x, w, b, 0, 0) == 1);
    CHECK(expect_epilogue_matches<cases::linear_relu_gpu>(cases::linear_relu, x, wt, b, 0, 0) == 1);
    if (s.m == 1) CHECK(expect_epilogue_matches<cases::relu_bias_one_gpu>(cases::relu_bias_one, x, w, b, 0, 0) == 1);
    // gelu (erf) has no library epilogue: cuBLAS, then the planner's epilogue kernel
    CHECK(expect_epilogue_matches<cases::gelu_bias_gpu>(cases::gelu_bias, x, w, b, 0, 0) == 0);
  }
}

TEST_CASE("cuda: a GEMM epilogue with an unaligned bias, a padded output, NaN, and from a CUDA graph") {
  if (!have_device()) return;
  device_input<"x", float, 2> x({33, 100}, 64);
  device_input<"w", float, 2> w({100, 70}, 65);
  device_input<"b", float, 1> b({70}, 66);
  CHECK(expect_epilogue_matches<cases::relu_bias_gpu>(cases::relu_bias, x, w, b, 1, 0) == 1); // bias 4-byte aligned
  CHECK(expect_epilogue_matches<cases::plus_bias_gpu>(cases::plus_bias, x, w, b, 3, 5) == 1); // rows 75 apart
  // relu keeps NaN (PyTorch's relu): a NaN in x makes its output row NaN, not 0
  x.host(4, 7) = std::numeric_limits<float>::quiet_NaN();
  x.upload();
  CHECK(expect_epilogue_matches<cases::relu_bias_gpu>(cases::relu_bias, x, w, b, 0, 0) == 1);
  // recorded once, replayed once: one library epilogue recorded
  CHECK(expect_epilogue_matches<cases::relu_bias_gpu>(cases::relu_bias, x, w, b, 0, 0, true) == 1);
}

TEST_CASE("cuda: a fused GEMM epilogue between two layers of intermediates matches the reference") {
  if (!have_device()) return;
  for (std::int64_t n : {64, 32, 96}) {
    CAPTURE(n);
    device_input<"x", float, 2> x({33, 64}, 67);
    device_input<"w", float, 2> w({64, n}, 68);
    device_input<"b", float, 1> b({n}, 69);
    device_input<"w2", float, 2> w2({n, 16}, 70);
    coil::testing::expect_device_matches_reference<cases::two_layers_gpu>(gemm_atol(64) * std::sqrt(static_cast<double>(n)) * 4.0,
                                                                          cases::two_layers, x, w, b, w2);
  }
}
