// Two-stage CUDA reductions in one launch (backends/cuda/kernels.hpp,
// reduction_slices_kernel): few outputs over many inputs each (a full sum, a norm, an
// argmax of a long row, the column sums of a tall matrix) split every output's inputs into
// slices across the GPU; the last block of each output to finish combines its slices in a
// fixed order. Against the reference
// backend, with NaN and argmax ties across slice boundaries, and the same bits on every
// call, with and without a CUDA graph. Reductions over the innermost axis read it in lanes
// of 16 bytes (cuda_kernel::reduce_lanes_v) when it is aligned and a multiple of the
// lanes, else a position at a time: both paths against the reference. Skips cleanly
// without a GPU.
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
constexpr auto row_sums = coil::sum<-1>(x);
constexpr auto w = coil::input<"w", float>(C);
constexpr auto weighted = coil::sum(x * w); // w broadcasts along the rows: a lane load too
constexpr auto xi = coil::input<"x", std::int32_t>(R, C);
constexpr auto int_row_sums = coil::sum<-1>(xi); // int64 accumulators, int32 lanes
constexpr auto x3 = coil::input<"x", float>(R, C, coil::sym<"D">);
constexpr auto inner_two_sums = coil::sum<1, 2>(x3);   // two folded axes, few inputs: a warp per output
constexpr auto inner_two_max = coil::amax<1, 2>(x3);
// two two-stage reductions in one call, of 1 and C outputs: they share the partials and
// the arrival counts, one after the other
constexpr auto total_plus_columns = coil::sum(x) + coil::sum<0>(x);

// nvcc needs the kernels' key types named (runtime/model.hpp, keyed_model).
struct total_gpu : coil::keyed_model<total_gpu, coil::cuda, decltype(total)> {};
struct average_gpu : coil::keyed_model<average_gpu, coil::cuda, decltype(average)> {};
struct largest_gpu : coil::keyed_model<largest_gpu, coil::cuda, decltype(largest)> {};
struct row_argmax_gpu : coil::keyed_model<row_argmax_gpu, coil::cuda, decltype(row_argmax)> {};
struct column_sums_gpu : coil::keyed_model<column_sums_gpu, coil::cuda, decltype(column_sums)> {};
struct norm_gpu : coil::keyed_model<norm_gpu, coil::cuda, decltype(norm)> {};
struct row_sums_gpu : coil::keyed_model<row_sums_gpu, coil::cuda, decltype(row_sums)> {};
struct weighted_gpu : coil::keyed_model<weighted_gpu, coil::cuda, decltype(weighted)> {};
struct int_row_sums_gpu : coil::keyed_model<int_row_sums_gpu, coil::cuda, decltype(int_row_sums)> {};
struct inner_two_sums_gpu : coil::keyed_model<inner_two_sums_gpu, coil::cuda, decltype(inner_two_sums)> {};
struct inner_two_max_gpu : coil::keyed_model<inner_two_max_gpu, coil::cuda, decltype(inner_two_max)> {};
struct total_plus_columns_gpu : coil::keyed_model<total_plus_columns_gpu, coil::cuda, decltype(total_plus_columns)> {};

// Which reductions may read their input in lanes: those folding the innermost axis of an
// input that some load moves along; 4 lanes of 4-byte values. Column sums keep the inner
// axis: a position at a time.
template <class M> constexpr int output_of = M::graph::outputs[0];
template <class M> constexpr int lanes_of = coil::cuda_kernel::reduce_lanes_v<M, output_of<M>>;
static_assert(lanes_of<total_gpu> == 4 && lanes_of<average_gpu> == 4 && lanes_of<largest_gpu> == 4);
static_assert(lanes_of<row_argmax_gpu> == 4 && lanes_of<row_sums_gpu> == 4 && lanes_of<weighted_gpu> == 4);
static_assert(lanes_of<int_row_sums_gpu> == 4);
static_assert(lanes_of<column_sums_gpu> == 1);
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

// Runs one model `calls` times (its device state carries over from call to call) into a
// rank-1 output cleared to NaN before each call, checking every call against the reference.
template <class Gpu, class E, class XIn> void expect_matches_reference_every_call(E expr, const XIn& x, int calls) {
  auto oracle = coil::compile<coil::reference>(expr);
  const auto want = oracle(x.host_arg());
  Gpu m;
  coil::device_buffer<float> out(want.size());
  for (int call = 0; call < calls; ++call) {
    CAPTURE(call);
    coil::cuda_check(cudaMemset(out.data(), 0xff, want.size() * sizeof(float)), "cudaMemset");
    const coil::status st = m.run(x.device_arg(), coil::out(coil::tensor_view<float, 1>{out.data(), want.extents, {1}}));
    REQUIRE_MESSAGE(st.ok(), st.message());
    coil::cuda_check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    coil::tensor<float, 1> got(want.extents);
    coil::copy_to_host(got.data(), out.data(), got.size());
    coil::testing::expect_tensors_close(got, want, 1e-5, 1e-6);
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

TEST_CASE("cuda: two two-stage reductions in one call leave each other's arrival counts at 0") {
  if (!have_device()) return;
  device_input<"x", float, 2> x({200000, 17}, 45);
  // a count left behind would make a later call combine before all of its slices are in
  expect_matches_reference_every_call<cases::total_plus_columns_gpu>(cases::total_plus_columns, x, 3);
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

TEST_CASE("cuda: reductions over the innermost axis in lanes and without, against the reference") {
  if (!have_device()) return;
  // cols a multiple of 4: lanes; 4099 and 1: a position at a time; 1 << 16: two stages
  for (auto [rows, cols] : {std::pair<std::int64_t, std::int64_t>{3000, 1000}, {5, 4099}, {64, 1}, {2, 1 << 16}, {37, 12}}) {
    CAPTURE(rows);
    CAPTURE(cols);
    device_input<"x", float, 2> x({rows, cols}, 45);
    device_input<"w", float, 1> wv({cols}, 46);
    expect_device_matches_reference<cases::row_sums_gpu>(1e-6, cases::row_sums, x);
    expect_device_matches_reference<cases::weighted_gpu>(1e-6, cases::weighted, x, wv);
    expect_device_matches_reference<cases::total_gpu>(1e-6, cases::total, x);
    expect_device_matches_reference<cases::largest_gpu>(0.0, cases::largest, x);
    expect_device_matches_reference<cases::row_argmax_gpu>(0.0, cases::row_argmax, x);
    device_input<"x", std::int32_t, 2> xi({rows, cols}, 47, -1000.0, 1000.0);
    expect_device_matches_reference<cases::int_row_sums_gpu>(0.0, cases::int_row_sums, xi);
  }
}

TEST_CASE("cuda: argmax in lanes keeps the first of equal maxima inside a lane unit and across units") {
  if (!have_device()) return;
  device_input<"x", float, 2> x({3, 4096}, 48);
  x.host(0, 5) = 9.0f; // the same unit of 4 (positions 4..7)
  x.host(0, 6) = 9.0f;
  x.host(1, 7) = 9.0f; // the last lane of one unit and a later unit
  x.host(1, 4000) = 9.0f;
  x.host(2, 4095) = std::numeric_limits<float>::quiet_NaN(); // NaN wins, in the last lane
  x.host(2, 1) = 9.0f;
  x.upload();
  expect_device_matches_reference<cases::row_argmax_gpu>(0.0, cases::row_argmax, x);
}

TEST_CASE("cuda: a sum over an unaligned or strided input takes the positions one at a time, as the reference") {
  if (!have_device()) return;
  device_input<"x", float, 2> xh({300, 1024}, 49);
  auto oracle = coil::compile<coil::reference>(cases::total);
  const float want = oracle(xh.host_arg())();
  for (auto [offset, step] : {std::pair<std::int64_t, std::int64_t>{1, 1}, {0, 2}, {0, 1}}) {
    CAPTURE(offset);
    CAPTURE(step);
    const coil::testing::laid_out x(xh.host, offset, step);
    cases::total_gpu m;
    coil::device_buffer<float> out(1);
    const coil::status st = m.run(xh.arg_of(x.view), coil::out(coil::tensor_view<float, 0>{out.data(), {}, {}}));
    REQUIRE_MESSAGE(st.ok(), st.message());
    coil::cuda_check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    float got = 0;
    coil::copy_to_host(&got, out.data(), 1);
    CHECK(std::fabs(got - want) <= 1e-6 + 1e-5 * std::fabs(want));
  }
}

TEST_CASE("cuda: a warp per output for few inputs per output: one and two folded axes, ties and NaN") {
  if (!have_device()) return;
  // count <= warp_reduction_max (1024): the warp kernel; 1025: a block per output
  for (std::int64_t cols : {2, 31, 32, 33, 100, 1000, 1024, 1025}) {
    CAPTURE(cols);
    device_input<"x", float, 2> x({300, cols}, 71);
    x.host(7, cols / 2) = 9.0f; // equal maxima in one row: the first index wins
    x.host(7, cols - 1) = 9.0f;
    x.host(8, cols - 1) = std::numeric_limits<float>::quiet_NaN();
    x.upload();
    expect_device_matches_reference<cases::row_sums_gpu>(1e-6, cases::row_sums, x);
    expect_device_matches_reference<cases::row_argmax_gpu>(0.0, cases::row_argmax, x);
  }
  for (auto [c, d] : {std::pair<std::int64_t, std::int64_t>{3, 9}, {16, 9}, {64, 16}, {5, 300}}) {
    CAPTURE(c);
    CAPTURE(d);
    device_input<"x", float, 3> x({50, c, d}, 72);
    x.host(3, c - 1, d - 1) = std::numeric_limits<float>::quiet_NaN();
    x.upload();
    expect_device_matches_reference<cases::inner_two_sums_gpu>(1e-6, cases::inner_two_sums, x);
    expect_device_matches_reference<cases::inner_two_max_gpu>(0.0, cases::inner_two_max, x);
  }
}
