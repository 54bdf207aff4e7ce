// linear against PyTorch's goldens: a batched [3, 5, 8] input with bias, and a vector
// input without bias; matmul as torch.bmm and with broadcast batch dims. CPU (Eigen GEMM)
// and reference backends both.
#include <doctest/doctest.h>

#include "support/golden_check.hpp"

using namespace coil::literals;
using coil::testing::expect_golden;
using coil::testing::golden_in;

TEST_CASE("golden: linear on [B, 5, 8] with bias") {
  constexpr auto x = coil::input<"x", float>(coil::sym<"B">, 5_c, 8_c);
  constexpr auto w = coil::input<"w", float>(6_c, 8_c);
  constexpr auto b = coil::input<"b", float>(6_c);
  const auto xs = golden_in("linear", "x").as_float(), ws = golden_in("linear", "w").as_float(),
             bs = golden_in("linear", "b").as_float();
  expect_golden("linear", coil::linear(x, w, b), coil::arg<"x">(xs.data(), 3, 5, 8), coil::arg<"w">(ws.data(), 6, 8),
                coil::arg<"b">(bs.data(), 6));
}

TEST_CASE("golden: linear on a vector, no bias") {
  constexpr auto x = coil::input<"x", float>(8_c);
  constexpr auto w = coil::input<"w", float>(coil::sym<"O">, 8_c);
  const auto xs = golden_in("linear_vec", "x").as_float(), ws = golden_in("linear_vec", "w").as_float();
  expect_golden("linear_vec", coil::linear(x, w), coil::arg<"x">(xs.data(), 8), coil::arg<"w">(ws.data(), 6, 8));
}

TEST_CASE("golden: matmul as bmm, and with broadcast batch dims") {
  using coil::testing::golden_arg;
  constexpr auto a = coil::input<"a", float>(coil::sym<"B">, 3_c, 4_c);
  constexpr auto b = coil::input<"b", float>(coil::sym<"B">, 4_c, 5_c);
  expect_golden("bmm", coil::matmul(a, b), golden_arg<"a", 3>("bmm"), golden_arg<"b", 3>("bmm"));
  constexpr auto a4 = coil::input<"a", float>(2_c, 1_c, 3_c, 4_c);
  constexpr auto b3 = coil::input<"b", float>(5_c, 4_c, 2_c);
  expect_golden("matmul_broadcast", coil::matmul(a4, b3), golden_arg<"a", 4>("matmul_broadcast"),
                golden_arg<"b", 3>("matmul_broadcast"));
}
