// softmax, log_softmax, logsumexp against PyTorch's goldens (tests/golden/make_goldens.py):
// rows that are all -inf, hold a NaN or +inf, or are shifted by 3e4; a dim that is not the
// last; keepdim over several dims. CPU and reference backends both.
#include <doctest/doctest.h>

#include "support/golden_check.hpp"

using namespace coil::literals;
using coil::testing::expect_golden;
using coil::testing::golden_in;

namespace {
constexpr auto B = coil::sym<"B">;
constexpr auto x_rows = coil::input<"x", float>(B, 16_c); // [5, 16] in the goldens
} // namespace

TEST_CASE("golden: softmax over the last dim, edge rows") {
  const auto x = golden_in("softmax_last", "x").as_float();
  expect_golden("softmax_last", coil::softmax(x_rows, -1_c), coil::arg<"x">(x.data(), 5, 16));
}

TEST_CASE("golden: softmax over dim 1 of [3, 4, 5]") {
  constexpr auto x3 = coil::input<"x", float>(3_c, 4_c, 5_c);
  const auto x = golden_in("softmax_dim1", "x").as_float();
  expect_golden("softmax_dim1", coil::softmax<1>(x3), coil::arg<"x">(x.data(), 3, 4, 5));
}

TEST_CASE("golden: log_softmax over the last dim, edge rows") {
  const auto x = golden_in("log_softmax_last", "x").as_float();
  expect_golden("log_softmax_last", coil::log_softmax(x_rows, -1_c), coil::arg<"x">(x.data(), 5, 16));
}

TEST_CASE("golden: log_softmax over dim -2 of [6, 3]") {
  constexpr auto x2 = coil::input<"x", float>(6_c, 3_c);
  const auto x = golden_in("log_softmax_dim0", "x").as_float();
  expect_golden("log_softmax_dim0", coil::log_softmax<-2>(x2), coil::arg<"x">(x.data(), 6, 3));
}

TEST_CASE("golden: logsumexp over the last dim: -inf row gives -inf, +inf gives +inf, NaN stays") {
  const auto x = golden_in("logsumexp_last", "x").as_float();
  expect_golden("logsumexp_last", coil::logsumexp(x_rows, -1_c), coil::arg<"x">(x.data(), 5, 16));
}

TEST_CASE("golden: logsumexp over dims (0, 2) with keepdim") {
  constexpr auto x3 = coil::input<"x", float>(2_c, 3_c, 4_c);
  const auto x = golden_in("logsumexp_keepdim", "x").as_float();
  expect_golden("logsumexp_keepdim", coil::logsumexp<0, 2>(x3, coil::keepdim), coil::arg<"x">(x.data(), 2, 3, 4));
}
