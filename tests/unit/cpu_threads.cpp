// Threads: with OpenMP, CPU kernels that touch at least plan.parallel_grain elements split
// their outer loop over threads. Every output element is computed by the same code
// whichever thread runs it, so 1 and 2 threads give the same bits: checked here for a
// pointwise loop, a row kernel (softmax), a reduction over the outer axis, a scan and a
// pooling window reduction; and matmul, whose GEMM (Eigen) stays on one thread. Without OpenMP the test only checks that the kernels run.
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include "support/reference_check.hpp"

using namespace coil::literals;
using coil::testing::random_values;

namespace {
constexpr auto B = coil::sym<"B">;
constexpr auto x = coil::input<"x", float>(B, 96_c);

void set_threads([[maybe_unused]] int n) {
#if defined(_OPENMP)
  omp_set_num_threads(n);
#endif
}

// The model's output on 1 thread and on 2 threads, compared bit for bit, and against the
// reference backend.
template <class E> void same_bits_for_1_and_2_threads(E e, std::int64_t rows, bool check_reference = true) {
  const auto xs = random_values<float>(rows * 96, 21);
  auto m = coil::compile<coil::cpu>(e);
  set_threads(1);
  const auto one = m(coil::arg<"x">(xs.data(), rows, 96));
  set_threads(2);
  const auto two = m(coil::arg<"x">(xs.data(), rows, 96));
  set_threads(1);
  REQUIRE(one.size() == two.size());
  CHECK(std::memcmp(one.data(), two.data(), sizeof(float) * static_cast<std::size_t>(one.size())) == 0);
  if (check_reference) coil::testing::expect_matches_reference(e, coil::arg<"x">(xs.data(), rows, 96));
}
} // namespace

// 1000 x 96 elements: above the grain, so the outer loops run on threads
static_assert(decltype(coil::compile<coil::cpu>(x * 2.0_c))::plan.parallel_grain < 1000 * 96);

TEST_CASE("threads: the same bits on 1 and 2 threads") {
#if defined(_OPENMP)
  MESSAGE("OpenMP on, max threads ", omp_get_max_threads());
#else
  MESSAGE("built without OpenMP: serial loops only");
#endif
  same_bits_for_1_and_2_threads(coil::gelu(x * 0.5_c + 1.0_c), 1000);
  same_bits_for_1_and_2_threads(coil::softmax(x, -1_c), 1000);
  // row kernels with per-thread scratch rows, a row-invariant rsqrt and a reciprocal
  same_bits_for_1_and_2_threads(coil::log_softmax(x, -1_c), 1000);
  same_bits_for_1_and_2_threads(x / coil::sqrt(coil::sum(x * x, 1_c, coil::keepdim) + 1.0_c), 1000);
  same_bits_for_1_and_2_threads(coil::sum(x, 0_c, coil::keepdim) + x, 1000);
  same_bits_for_1_and_2_threads(coil::cumsum(x, 1_c), 1000);
  same_bits_for_1_and_2_threads(coil::max_pool2d<2>(coil::reshape(x, B, 1_c, 8_c, 12_c)), 1000);
  // a GEMM with k = 1000: Eigen would block k differently on 2 threads if it ran its own
  // (only the bits are compared: 1000-term float sums sit near zero at 1e-5 of the reference)
  same_bits_for_1_and_2_threads(coil::matmul(coil::transpose<0, 1>(x), x), 1000, false);
}
