// The register row kernel (backends/cuda/register_rows.hpp): rows of a static length held
// in registers, against the reference backend, at every shape it takes (a warp with 4, 8 or
// 32 elements per thread, 128 threads, a block with 32 per thread) and past it (the
// shared-memory kernel), with aligned, misaligned and strided rows. Skips without a GPU.
#include <doctest/doctest.h>

#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include <coil.hpp>

#include "cuda/device_check.hpp"
#include "support/cuda_device.hpp"

namespace cases {
constexpr auto B = coil::sym<"B">;
template <std::int64_t N> constexpr auto x = coil::input<"x", float>(B, coil::static_int<N>{});
template <std::int64_t N> constexpr auto a = coil::input<"a", float>(coil::static_int<N>{});
template <std::int64_t N> constexpr auto b = coil::input<"b", float>(coil::static_int<N>{});
template <std::int64_t N> constexpr auto softmax = coil::softmax<-1>(x<N>);
template <std::int64_t N> constexpr auto log_softmax = coil::log_softmax<-1>(x<N>);
template <std::int64_t N> constexpr auto layer_norm = coil::layer_norm(x<N>, coil::static_int<N>{}, a<N>, b<N>);

// x divided by its row sum: a division by a row-invariant value (register rows multiply by
// its reciprocal where divisor and reciprocal are normal).
template <std::int64_t N> constexpr auto row_share = x<N> / coil::sum<-1>(x<N>, coil::keepdim);

// nvcc needs the kernels' key types named (runtime/model.hpp, keyed_model).
template <std::int64_t N> struct row_share_gpu : coil::keyed_model<row_share_gpu<N>, coil::cuda, decltype(row_share<N>)> {};
template <std::int64_t N> struct softmax_gpu : coil::keyed_model<softmax_gpu<N>, coil::cuda, decltype(softmax<N>)> {};
template <std::int64_t N> struct log_softmax_gpu : coil::keyed_model<log_softmax_gpu<N>, coil::cuda, decltype(log_softmax<N>)> {};
template <std::int64_t N> struct layer_norm_gpu : coil::keyed_model<layer_norm_gpu<N>, coil::cuda, decltype(layer_norm<N>)> {};

using coil::cuda_kernel::register_rows_ok_v;
using coil::cuda_kernel::register_shape_for;
// Which rows go to registers, and in which shape: static lengths up to 32 elements a thread
// of a block; a symbolic length, or a longer row, runs the shared-memory kernel.
static_assert(register_rows_ok_v<softmax_gpu<10>, 0> && register_rows_ok_v<layer_norm_gpu<3000>, 0>);
// softmax's output stage and row_share's divide by a row-invariant f32 value; layer_norm's
// multiplies by a row-invariant rsqrt.
template <class M> constexpr bool output_divides_by_invariant() {
  constexpr int out = M::graph::size - 1;
  return coil::cuda_kernel::divides_by_invariant<M, out, out>();
}
static_assert(output_divides_by_invariant<softmax_gpu<1024>>() && output_divides_by_invariant<row_share_gpu<1024>>());
static_assert(!output_divides_by_invariant<layer_norm_gpu<1024>>());
constexpr auto C = coil::sym<"C">;
constexpr auto softmax_any = coil::softmax<-1>(coil::input<"x", float>(B, C));
struct softmax_any_gpu : coil::keyed_model<softmax_any_gpu, coil::cuda, decltype(softmax_any)> {};
static_assert(!register_rows_ok_v<softmax_any_gpu, 0>);
// layer_norm's weight and bias are row parameters, read by its output stage only.
static_assert(coil::cuda_kernel::param_plan_v<layer_norm_gpu<1000>, 0>.slots == 2 && coil::cuda_kernel::param_plan_v<softmax_gpu<1000>, 0>.slots == 0);
// Blocks per multiprocessor from the registers kept live (a warp per row of 1000, 32
// items): 32 * 2 + 24 -> 2 for softmax, 32 * (1 + 2) + 24 -> 2 for layer_norm, 4 * 2 + 24
// -> 8 for short rows.
static_assert(coil::cuda_kernel::register_min_blocks<softmax_gpu<1000>, 0>() == 2);
static_assert(coil::cuda_kernel::register_min_blocks<layer_norm_gpu<1000>, 0>() == 2);
static_assert(coil::cuda_kernel::register_min_blocks<softmax_gpu<10>, 0>() == 8);
static_assert(register_shape_for(10).tpr == 32 && register_shape_for(10).items == 4);
static_assert(register_shape_for(130).tpr == 32 && register_shape_for(130).items == 8);
static_assert(register_shape_for(1024).tpr == 32 && register_shape_for(1024).items == 32);
static_assert(register_shape_for(3000).tpr == 128 && register_shape_for(3000).items == 24);
static_assert(register_shape_for(8192).tpr == 256 && register_shape_for(8192).items == 32);
} // namespace cases

namespace {

bool have_device() { return coil::testing::have_cuda_device("cuda_register_rows_cuda"); }

template <std::int64_t N> void check_rows_of_length() {
  using coil::testing::expect_device_matches_reference;
  using coil::testing::expect_laid_out_matches_reference;
  for (std::int64_t rows : {1, 5, 67}) {
    CAPTURE(N);
    CAPTURE(rows);
    coil::testing::device_input<"x", float, 2> x({rows, N}, 30);
    coil::testing::device_input<"a", float, 1> a({N}, 31);
    coil::testing::device_input<"b", float, 1> b({N}, 32);
    expect_device_matches_reference<cases::softmax_gpu<N>>(1e-6, cases::softmax<N>, x);
    expect_device_matches_reference<cases::log_softmax_gpu<N>>(1e-6, cases::log_softmax<N>, x);
    expect_device_matches_reference<cases::layer_norm_gpu<N>>(1e-6, cases::layer_norm<N>, x, a, b);
    // misaligned and strided rows, and a misaligned output: the scalar loads and stores
    for (auto [offset, step] : {std::pair<std::int64_t, std::int64_t>{1, 1}, {0, 2}}) {
      CAPTURE(offset);
      CAPTURE(step);
      coil::testing::laid_out xv(x.host, offset, step);
      expect_laid_out_matches_reference<cases::softmax_gpu<N>>(cases::softmax<N>, xv, x);
      expect_laid_out_matches_reference<cases::layer_norm_gpu<N>>(cases::layer_norm<N>, xv, x, a, b);
    }
  }
}

} // namespace

TEST_CASE("cuda: register row kernels match the reference at every shape they take") {
  if (!have_device()) return;
  check_rows_of_length<10>();   // a warp, 4 per thread, a partial chunk
  check_rows_of_length<130>();  // a warp, 8 per thread, not a multiple of 4
  check_rows_of_length<1000>(); // a warp, 32 per thread, a partial chunk
  check_rows_of_length<1024>(); // W2 / W3's rows: a warp, 32 per thread
  check_rows_of_length<3000>(); // 128 threads, 24 per thread
  check_rows_of_length<9000>(); // past the registers: the shared-memory kernel
}

TEST_CASE("cuda: a register row kernel keeps PyTorch's corners and gives the same bits on every call") {
  if (!have_device()) return;
  constexpr std::int64_t n = 1000;
  coil::testing::device_input<"x", float, 2> x({7, n}, 33);
  const float inf = std::numeric_limits<float>::infinity();
  for (std::int64_t j = 0; j < n; ++j) x.host(2, j) = -inf; // an all -inf row: NaN (0 / 0)
  x.host(4, 17) = std::numeric_limits<float>::quiet_NaN();    // NaN spreads over its row
  x.host(5, 3) = 1e30f;                                       // large magnitudes stay finite
  x.upload();
  coil::testing::expect_device_matches_reference<cases::softmax_gpu<n>>(1e-6, cases::softmax<n>, x);
  cases::softmax_gpu<n> m;
  coil::device_buffer<float> first(7 * n), again(7 * n);
  const auto view = [](coil::device_buffer<float>& o) { return coil::out(coil::tensor_view<float, 2>{o.data(), {7, n}, {n, 1}}); };
  REQUIRE(m.run(x.device_arg(), view(first)).ok());
  for (int k = 0; k < 3; ++k) REQUIRE(m.run(x.device_arg(), view(again)).ok());
  coil::cuda_check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  coil::tensor<float, 2> h1({7, n}), h2({7, n});
  coil::copy_to_host(h1.data(), first.data(), h1.size());
  coil::copy_to_host(h2.data(), again.data(), h2.size());
  for (std::int64_t i = 0; i < h1.size(); ++i) {
    const float p = h1.data()[i], q = h2.data()[i];
    REQUIRE((p == q || (std::isnan(p) && std::isnan(q))));
  }
  CHECK(std::isnan(h1(2, 0)));
  CHECK(std::isnan(h1(4, 0)));
  CHECK(h1(5, 3) == 1.0f);
}

TEST_CASE("cuda: a register row kernel divides where the reciprocal of a row-invariant divisor is not normal") {
  if (!have_device()) return;
  // rows whose sum is normal, subnormal (1 / sum overflows: x * (1 / sum) would be inf
  // where x / sum is about 1e-3), huge (1 / sum is subnormal), 0 (0 / 0), inf and NaN: the
  // first multiplies by the reciprocal, the others divide; all match the reference.
  constexpr std::int64_t n = 1000;
  coil::testing::device_input<"x", float, 2> x({6, n}, 34);
  const float inf = std::numeric_limits<float>::infinity();
  for (std::int64_t j = 0; j < n; ++j) {
    x.host(1, j) = 1e-42f;               // sum about 1e-39, subnormal: 1 / sum is inf
    x.host(2, j) = j < 3 ? 1e38f : 0.0f; // sum 3e38: 1 / sum is subnormal
    x.host(3, j) = 0.0f;
  }
  x.host(1, 7) = 3e-42f;
  x.host(4, 11) = inf;
  x.host(5, 12) = std::numeric_limits<float>::quiet_NaN();
  x.upload();
  coil::testing::expect_device_matches_reference<cases::row_share_gpu<n>>(1e-6, cases::row_share<n>, x);
}
