// Two-stage CUDA reductions (backends/cuda/kernels.hpp, reduction_slices_kernel and
// reduction_combine_kernel): few outputs over many inputs each (a full sum, a norm, an
// argmax of a long row, the column sums of a tall matrix) split every output's inputs into
// slices across the GPU, then combine the slices in a fixed order. Against the reference
// backend, with NaN and argmax ties across slice boundaries, and the same bits on every
// call, with and without a CUDA graph. Skips cleanly without a GPU.
#include <doctest/doctest.h>

#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <utility>

#include <coil.hpp>

#include "cuda/device_check.hpp"
#include "support/cuda_device.hpp"

namespace cases {
constexpr auto R = coil::sym<"R">;
constexpr auto C = coil::sym<"C">;
constexpr auto x = coil::input<"x", float>(R, C);

constexpr auto total = coil::sum(x);
constexpr auto average = coil::mean(x);
constexpr auto largest = coil::amax(x);
constexpr auto row_argmax = coil::argmax<-1>(x);
constexpr auto column_sums = coil::sum<0>(x);
constexpr auto norm = coil::sqrt(coil::sum(x * x));

// nvcc needs the kernels' key types named (runtime/model.hpp, keyed_model).
struct total_gpu : coil::keyed_model<total_gpu, coil::cuda, decltype(total)> {};
struct average_gpu : coil::keyed_model<average_gpu, coil::cuda, decltype(average)> {};
struct largest_gpu : coil::keyed_model<largest_gpu, coil::cuda, decltype(largest)> {};
struct row_argmax_gpu : coil::keyed_model<row_argmax_gpu, coil::cuda, decltype(row_argmax)> {};
struct column_sums_gpu : coil::keyed_model<column_sums_gpu, coil::cuda, decltype(column_sums)> {};
struct norm_gpu : coil::keyed_model<norm_gpu, coil::cuda, decltype(norm)> {};
} // namespace cases

namespace {

bool have_device() { return coil::testing::have_cuda_device("cuda_reductions_cuda"); }

using coil::testing::device_input;
using coil::testing::expect_device_matches_reference;

// Runs m `calls` times into a 0-d output and checks that every call gives the first call's
// bits. (XIn: a device_input; a parameter spelled device_input<"x", ...> trips nvcc's host
// code generation.)
template <class Gpu, class T, class XIn> void expect_same_bits_every_call(Gpu& m, const XIn& x, int calls) {
  coil::device_buffer<T> out(1);
  const auto view = coil::out(coil::tensor_view<T, 0>{out.data(), {}, {}});
  T first{};
  for (int k = 0; k < calls; ++k) {
    const coil::status st = m.run(x.device_arg(), view);
    REQUIRE_MESSAGE(st.ok(), st.message());
    coil::cuda_check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    T got{};
    coil::copy_to_host(&got, out.data(), 1);
    if (k == 0) first = got;
    CHECK(std::memcmp(&got, &first, sizeof(T)) == 0);
  }
}

} // namespace

TEST_CASE("cuda: few outputs over many inputs are split into slices (two stages)") {
  if (!have_device()) return;
  // how the launcher splits: one stage for many outputs or few inputs, else slices of at
  // least 8 Ki inputs, at most 2048
  CHECK(coil::detail::reduction_slices(1, 1000) == 1);
  CHECK(coil::detail::reduction_slices(100000, 3000000) == 1);
  CHECK(coil::detail::reduction_slices(1, 3000000) > 1);
  CHECK(coil::detail::reduction_slices(1, 3000000) <= 3000000 / 8192);
  CHECK(coil::detail::reduction_slices(1, std::int64_t{1} << 40) <= 2048);
}

TEST_CASE("cuda: two-stage sum, mean, amax and norm match the reference") {
  if (!have_device()) return;
  for (auto [rows, cols] : {std::pair<std::int64_t, std::int64_t>{3000, 1000}, {1, 70001}, {77, 4099}}) {
    CAPTURE(rows);
    CAPTURE(cols);
    device_input<"x", float, 2> x({rows, cols}, 40);
    expect_device_matches_reference<cases::total_gpu>(1e-6, cases::total, x);
    expect_device_matches_reference<cases::average_gpu>(1e-6, cases::average, x);
    expect_device_matches_reference<cases::largest_gpu>(0.0, cases::largest, x);
    expect_device_matches_reference<cases::norm_gpu>(1e-6, cases::norm, x);
  }
}

TEST_CASE("cuda: a NaN in the last slice makes amax NaN; argmax keeps the first of equal maxima across slices") {
  if (!have_device()) return;
  constexpr std::int64_t n = 300001;
  device_input<"x", float, 2> x({2, n}, 41);
  x.host(0, 5) = 7.0f; // row 0: the same maximum in the first and a late slice: index 5
  x.host(0, 250000) = 7.0f;
  x.host(1, n - 2) = 9.0f; // row 1: the maximum in the last slice
  x.upload();
  expect_device_matches_reference<cases::row_argmax_gpu>(0.0, cases::row_argmax, x);
  expect_device_matches_reference<cases::largest_gpu>(0.0, cases::largest, x);
  x.host(1, n - 1) = std::numeric_limits<float>::quiet_NaN();
  x.upload();
  expect_device_matches_reference<cases::row_argmax_gpu>(0.0, cases::row_argmax, x); // NaN's index wins in row 1
  cases::largest_gpu m;
  coil::device_buffer<float> out(1);
  REQUIRE(m.run(x.device_arg(), coil::out(coil::tensor_view<float, 0>{out.data(), {}, {}})).ok());
  float got = 0;
  coil::cuda_check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  coil::copy_to_host(&got, out.data(), 1);
  CHECK(std::isnan(got));
}

TEST_CASE("cuda: column sums of a tall matrix (outer axis, strided reads) in two stages") {
  if (!have_device()) return;
  for (std::int64_t cols : {1, 3, 17}) {
    CAPTURE(cols);
    device_input<"x", float, 2> x({200000, cols}, 42);
    expect_device_matches_reference<cases::column_sums_gpu>(1e-6, cases::column_sums, x);
  }
}

TEST_CASE("cuda: a two-stage reduction gives the same bits on every call, also replayed from a CUDA graph") {
  if (!have_device()) return;
  device_input<"x", float, 2> x({4096, 1024}, 43);
  cases::total_gpu plain;
  expect_same_bits_every_call<cases::total_gpu, float>(plain, x, 4);
  cases::total_gpu graphed;
  graphed.device().use_graphs(true); // the partials' scratch is allocated before recording
  expect_same_bits_every_call<cases::total_gpu, float>(graphed, x, 4);
  CHECK(graphed.device().graph_captures() == 1);
  cases::row_argmax_gpu arg;
  device_input<"x", float, 2> row({1, 1 << 20}, 44);
  coil::device_buffer<std::int64_t> a1(1), a2(1);
  REQUIRE(arg.run(row.device_arg(), coil::out(coil::tensor_view<std::int64_t, 1>{a1.data(), {1}, {1}})).ok());
  REQUIRE(arg.run(row.device_arg(), coil::out(coil::tensor_view<std::int64_t, 1>{a2.data(), {1}, {1}})).ok());
  coil::cuda_check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  std::int64_t h1 = -1, h2 = -2;
  coil::copy_to_host(&h1, a1.data(), 1);
  coil::copy_to_host(&h2, a2.data(), 1);
  CHECK(h1 == h2);
}
