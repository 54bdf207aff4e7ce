// The CUDA backend end to end: models compiled for coil::cuda (keyed_model) run on device
// copies of seeded inputs, and every output is compared with the reference backend on the
// host. Covers each kernel kind the planner emits: pointwise (row and flat launches),
// reductions (inner and outer axes, NaN through amax, argmax), row kernels (softmax,
// log_softmax, layer_norm, rms_norm), matmul through cuBLAS with a fused epilogue, views,
// a symbolic batch and size 0. Skips cleanly without a GPU.
#include <doctest/doctest.h>

#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <coil.hpp>

#include "cuda/device_check.hpp"
#include "support/cuda_device.hpp"

#include "support/reference_check.hpp"

using namespace coil::literals;

namespace cases {
constexpr auto B = coil::sym<"B">;
constexpr auto x = coil::input<"x", float>(B, 1024_c);
constexpr auto a = coil::input<"a", float>(1024_c);
constexpr auto b = coil::input<"b", float>(1024_c);
constexpr auto xs = coil::input<"x", float>(B, 10_c);

constexpr auto gelu_affine = coil::gelu(x * a + b);                                         // W1
constexpr auto softmax_rows = coil::softmax<-1>(x);                                         // W2
constexpr auto log_softmax_rows = coil::log_softmax<-1>(x);
constexpr auto layer_norm_rows = coil::layer_norm(x, 1024_c, a, b);          // W3
constexpr auto rms_norm_rows = coil::rms_norm(x, 1024_c, a);
constexpr auto column_sums = coil::sum<0>(x);                                               // outer-axis reduction
constexpr auto row_max = coil::amax<-1>(xs);                                                // short rows, flat launch
constexpr auto row_argmax = coil::argmax<-1>(x);
constexpr auto transposed = coil::exp(coil::transpose<0, 1>(xs)) - 1_c;                     // strided reads

constexpr auto w1 = coil::input<"w1", float>(1024_c, 256_c);
constexpr auto b1 = coil::input<"b1", float>(256_c);
constexpr auto mlp = coil::relu(coil::matmul(x, w1) + b1) * 0.5_c;                         // cuBLAS + epilogue

// Any row length: the shared-memory row kernel with every threads-per-row choice (10, 128
// and 300: a warp per row; 700, not a multiple of 4, and 1024: 64 threads; 2000: 128;
// 20000: a block of 256), and rows too long for shared memory without opting in to more
// (20000) or at all (70000: the global-memory row kernel).
constexpr auto C = coil::sym<"C">;
constexpr auto xc = coil::input<"x", float>(B, C);
constexpr auto ac = coil::input<"a", float>(C);
constexpr auto bc = coil::input<"b", float>(C);
constexpr auto softmax_any = coil::softmax<-1>(xc);
constexpr auto log_softmax_any = coil::log_softmax<-1>(xc);
constexpr auto layer_norm_any = coil::layer_norm(xc, C, ac, bc);
constexpr auto gelu_any = coil::gelu(xc * ac + bc);
constexpr auto x128 = coil::input<"x", float>(B, 128_c);
constexpr auto softmax_128 = coil::softmax<-1>(x128); // W2 [64, 128]: static row length

// A broadcastable inner axis: x's [B, C] with C bound to 1 is read at column 0 for every
// lane, so the 16-byte pointwise path must not take its load (C = 64: it may).
constexpr auto Cb = coil::sym<"C", coil::broadcastable>;
constexpr auto inner_broadcast = coil::input<"x", float>(B, Cb) + coil::input<"y", float>(B, 64_c);

// nvcc needs the kernels' key types named (runtime/model.hpp, keyed_model).
struct gelu_gpu : coil::keyed_model<gelu_gpu, coil::cuda, decltype(gelu_affine)> {};
struct softmax_gpu : coil::keyed_model<softmax_gpu, coil::cuda, decltype(softmax_rows)> {};
struct log_softmax_gpu : coil::keyed_model<log_softmax_gpu, coil::cuda, decltype(log_softmax_rows)> {};
// Transposed operands: read through shared-memory tiles (cuda/tiles.hpp).
constexpr auto yt = coil::input<"y", float>(C, B);
constexpr auto tile_add = coil::exp(coil::permute<1, 0>(yt)) + xc;
constexpr auto tile_two = coil::permute<1, 0>(yt) * coil::permute<1, 0>(yt) - coil::permute<1, 0>(yt) / (xc * xc + 1_c) + ac;
constexpr auto z3 = coil::input<"z", float>(2_c, C, B);
constexpr auto tile_batch = coil::tanh(coil::permute<0, 2, 1>(z3));
struct tile_add_gpu : coil::keyed_model<tile_add_gpu, coil::cuda, decltype(tile_add)> {};
struct tile_two_gpu : coil::keyed_model<tile_two_gpu, coil::cuda, decltype(tile_two)> {};
struct tile_batch_gpu : coil::keyed_model<tile_batch_gpu, coil::cuda, decltype(tile_batch)> {};
struct layer_norm_gpu : coil::keyed_model<layer_norm_gpu, coil::cuda, decltype(layer_norm_rows)> {};
struct rms_norm_gpu : coil::keyed_model<rms_norm_gpu, coil::cuda, decltype(rms_norm_rows)> {};
struct column_sums_gpu : coil::keyed_model<column_sums_gpu, coil::cuda, decltype(column_sums)> {};
struct row_max_gpu : coil::keyed_model<row_max_gpu, coil::cuda, decltype(row_max)> {};
struct row_argmax_gpu : coil::keyed_model<row_argmax_gpu, coil::cuda, decltype(row_argmax)> {};
struct transposed_gpu : coil::keyed_model<transposed_gpu, coil::cuda, decltype(transposed)> {};
struct mlp_gpu : coil::keyed_model<mlp_gpu, coil::cuda, decltype(mlp)> {};
struct softmax_any_gpu : coil::keyed_model<softmax_any_gpu, coil::cuda, decltype(softmax_any)> {};
struct log_softmax_any_gpu : coil::keyed_model<log_softmax_any_gpu, coil::cuda, decltype(log_softmax_any)> {};
struct layer_norm_any_gpu : coil::keyed_model<layer_norm_any_gpu, coil::cuda, decltype(layer_norm_any)> {};
struct gelu_any_gpu : coil::keyed_model<gelu_any_gpu, coil::cuda, decltype(gelu_any)> {};
struct inner_broadcast_gpu : coil::keyed_model<inner_broadcast_gpu, coil::cuda, decltype(inner_broadcast)> {};
struct softmax_128_gpu : coil::keyed_model<softmax_128_gpu, coil::cuda, decltype(softmax_128)> {};

// What the cached row kernel keeps on chip: softmax's input row (read by amax and exp) and
// its exp row (read by sum and div), the two reductions in registers; only the output
// goes to global memory. layer_norm: the input row, the mean and the variance.
constexpr auto& softmax_cache = coil::cuda_kernel::row_cache_v<softmax_any_gpu, 0>;
static_assert(softmax_cache.ok && softmax_cache.input_rows == 1 && softmax_cache.row_slots == 2 && softmax_cache.scalar_slots == 2);
constexpr auto& layer_norm_cache = coil::cuda_kernel::row_cache_v<layer_norm_any_gpu, 0>;
static_assert(layer_norm_cache.ok && layer_norm_cache.row_slots == 1 && layer_norm_cache.scalar_slots == 2);

// The same plans as the CPU's: the row ops are one kernel, the MLP a GEMM and its epilogue.
static_assert(softmax_gpu::plan.kernel_count == 1 && layer_norm_gpu::plan.kernel_count == 1);
static_assert(mlp_gpu::plan.kernel_count == 2);
} // namespace cases

namespace {

bool have_device() { return coil::testing::have_cuda_device("cuda_model_cuda"); }

template <coil::fixed_string Name, class T, int Rank> using input_pair = coil::testing::device_input<Name, T, Rank>;
using coil::testing::expect_laid_out_matches_reference;
using coil::testing::laid_out;

template <class Gpu, class E, class... Inputs> void expect_device_matches_reference_within(double atol, E expr, const Inputs&... in) {
  coil::testing::expect_device_matches_reference<Gpu>(atol, expr, in...);
}
template <class Gpu, class E, class... Inputs> void expect_device_matches_reference(E expr, const Inputs&... in) {
  expect_device_matches_reference_within<Gpu>(1e-6, expr, in...);
}

} // namespace

TEST_CASE("cuda: pointwise, row kernels, reductions and matmul match the reference") {
  if (!have_device()) return;
  for (std::int64_t rows : {1, 3, 17, 300}) {
    CAPTURE(rows);
    input_pair<"x", float, 2> x({rows, 1024}, 1);
    input_pair<"a", float, 1> a({1024}, 2);
    input_pair<"b", float, 1> b({1024}, 3);
    expect_device_matches_reference<cases::gelu_gpu>(cases::gelu_affine, x, a, b);
    expect_device_matches_reference<cases::softmax_gpu>(cases::softmax_rows, x);
    expect_device_matches_reference<cases::log_softmax_gpu>(cases::log_softmax_rows, x);
    expect_device_matches_reference<cases::layer_norm_gpu>(cases::layer_norm_rows, x, a, b);
    expect_device_matches_reference<cases::rms_norm_gpu>(cases::rms_norm_rows, x, a);
    expect_device_matches_reference<cases::column_sums_gpu>(cases::column_sums, x);
    expect_device_matches_reference<cases::row_argmax_gpu>(cases::row_argmax, x);
    input_pair<"w1", float, 2> w1({1024, 256}, 4);
    input_pair<"b1", float, 1> b1({256}, 5);
    // An fp32 GEMM over k = 1024 products of size up to 4 (inputs in [-2, 2]) carries an
    // absolute rounding error of about sqrt(k) * 2^-24 * 4 ~ 1e-5 against the reference's
    // double sums, whatever the result's size: an absolute tolerance of 1e-4 for it.
    expect_device_matches_reference_within<cases::mlp_gpu>(1e-4, cases::mlp, x, w1, b1);
    input_pair<"x", float, 2> xs({rows, 10}, 6);
    expect_device_matches_reference<cases::row_max_gpu>(cases::row_max, xs);
    expect_device_matches_reference<cases::transposed_gpu>(cases::transposed, xs);
  }
}

TEST_CASE("cuda: NaN propagates through amax, and a batch of 0 runs no kernel") {
  if (!have_device()) return;
  input_pair<"x", float, 2> xs({4, 10}, 7);
  xs.host(2, 3) = std::numeric_limits<float>::quiet_NaN();
  coil::copy_to_device(xs.dev->data(), xs.host.data(), xs.host.size());
  expect_device_matches_reference<cases::row_max_gpu>(cases::row_max, xs);

  input_pair<"x", float, 2> empty({0, 1024}, 8);
  cases::softmax_gpu m;
  const coil::status st = m.run(empty.device_arg(), coil::out(coil::tensor_view<float, 2>{nullptr, {0, 1024}, {1024, 1}}));
  CHECK_MESSAGE(st.ok(), st.message());
  coil::cuda_check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
}

TEST_CASE("cuda: a failed guard writes nothing and names the input") {
  if (!have_device()) return;
  input_pair<"x", float, 2> x({2, 1024}, 9);
  input_pair<"a", float, 1> a({1024}, 10);
  input_pair<"b", float, 1> wrong({512}, 11);
  std::vector<float> poison(2 * 1024, 42.0f);
  coil::device_buffer<float> out(2 * 1024);
  coil::copy_to_device(out.data(), poison.data(), 2 * 1024);
  cases::gelu_gpu m;
  const coil::status st = m.run(x.device_arg(), a.device_arg(),
                                coil::arg<"b">(coil::tensor_view<const float, 1>{wrong.dev->data(), {512}, {1}}),
                                coil::out(coil::tensor_view<float, 2>{out.data(), {2, 1024}, {1024, 1}}));
  REQUIRE_FALSE(st.ok());
  CHECK(std::string(st.message()).find("512") != std::string::npos);
  std::vector<float> after(2 * 1024);
  coil::copy_to_host(after.data(), out.data(), 2 * 1024);
  CHECK(after == poison);
}

TEST_CASE("cuda: row kernels and vector pointwise loops at any row length") {
  if (!have_device()) return;
  for (std::int64_t cols : {1, 10, 128, 300, 700, 1024, 2000, 20000, 70000}) {
    for (std::int64_t rows : {1, 5, 67}) {
      if (cols >= 20000 && rows == 67) continue; // long rows: a few are enough
      CAPTURE(cols);
      CAPTURE(rows);
      input_pair<"x", float, 2> x({rows, cols}, 20);
      input_pair<"a", float, 1> a({cols}, 21);
      input_pair<"b", float, 1> b({cols}, 22);
      expect_device_matches_reference<cases::softmax_any_gpu>(cases::softmax_any, x);
      expect_device_matches_reference<cases::log_softmax_any_gpu>(cases::log_softmax_any, x);
      expect_device_matches_reference<cases::layer_norm_any_gpu>(cases::layer_norm_any, x, a, b);
      expect_device_matches_reference<cases::gelu_any_gpu>(cases::gelu_any, x, a, b);
      if (cols == 128) expect_device_matches_reference<cases::softmax_128_gpu>(cases::softmax_128, x);
      // misaligned and strided inputs (and a misaligned output): scalar fills and loops
      for (auto [offset, step] : {std::pair<std::int64_t, std::int64_t>{1, 1}, {0, 2}}) {
        CAPTURE(offset);
        CAPTURE(step);
        laid_out xv(x.host, offset, step);
        expect_laid_out_matches_reference<cases::softmax_any_gpu>(cases::softmax_any, xv, x);
        expect_laid_out_matches_reference<cases::layer_norm_any_gpu>(cases::layer_norm_any, xv, x, a, b);
        expect_laid_out_matches_reference<cases::gelu_any_gpu>(cases::gelu_any, xv, x, a, b);
      }
    }
  }
}

TEST_CASE("cuda: transposed operands through shared-memory tiles") {
  if (!have_device()) return;
  // 32 x 32 tiles: below one tile, on its edge, past it, and one-wide axes
  for (const auto& [r, c] : {std::pair<std::int64_t, std::int64_t>{5, 19}, {32, 32}, {33, 65}, {70, 45}, {1, 40}, {40, 1}, {300, 257}}) {
    CAPTURE(r);
    CAPTURE(c);
    input_pair<"x", float, 2> x({r, c}, 30);
    input_pair<"y", float, 2> y({c, r}, 31);
    input_pair<"a", float, 1> a({c}, 32);
    expect_device_matches_reference<cases::tile_add_gpu>(cases::tile_add, y, x);
    expect_device_matches_reference<cases::tile_two_gpu>(cases::tile_two, y, x, a);
    input_pair<"z", float, 3> z({2, c, r}, 33);
    expect_device_matches_reference<cases::tile_batch_gpu>(cases::tile_batch, z);
  }
}

TEST_CASE("cuda: a row kernel gives the same bits on every call") {
  if (!have_device()) return;
  input_pair<"x", float, 2> x({33, 1000}, 23);
  coil::device_buffer<float> out(33 * 1000);
  cases::softmax_any_gpu m;
  std::vector<float> first(33 * 1000), again(33 * 1000);
  for (int call = 0; call < 3; ++call) {
    REQUIRE(m.run(x.device_arg(), coil::out(coil::tensor_view<float, 2>{out.data(), {33, 1000}, {1000, 1}})).ok());
    coil::copy_to_host(call == 0 ? first.data() : again.data(), out.data(), 33 * 1000);
    if (call > 0) CHECK(first == again);
  }
}

TEST_CASE("cuda: a broadcastable inner axis bound to 1 is read at column 0 by the vector pointwise loop") {
  if (!have_device()) return;
  for (std::int64_t cols : {1, 64}) {
    CAPTURE(cols);
    input_pair<"x", float, 2> x({33, cols}, 24);
    input_pair<"y", float, 2> y({33, 64}, 25);
    expect_device_matches_reference<cases::inner_broadcast_gpu>(cases::inner_broadcast, x, y);
  }
}
