// var / std against PyTorch's goldens: unbiased over the last dim, correction 0 with
// keepdim over dim 0, std over all dims; one row is offset by 1e3 (two-pass variance).
#include <doctest/doctest.h>

#include "support/golden_check.hpp"

using namespace coil::literals;
using coil::testing::expect_golden;
using coil::testing::golden_in;

namespace {
constexpr auto xs = coil::input<"x", float>(4_c, 9_c);
constexpr auto xb = coil::input<"x", float>(coil::sym<"B">, 9_c); // symbolic N for dim 0
} // namespace

TEST_CASE("golden: var over the last dim, unbiased") {
  const auto x = golden_in("var_last", "x").as_float();
  expect_golden("var_last", coil::var(xs, -1_c), coil::arg<"x">(x.data(), 4, 9));
}

TEST_CASE("golden: var over a symbolic dim 0, correction 0, keepdim") {
  const auto x = golden_in("var_dim0_keepdim", "x").as_float();
  expect_golden("var_dim0_keepdim", coil::var<0>(xb, coil::correction<0>, coil::keepdim), coil::arg<"x">(x.data(), 4, 9));
}

TEST_CASE("golden: std over all dims") {
  const auto x = golden_in("std_all", "x").as_float();
  expect_golden("std_all", coil::std(xs), coil::arg<"x">(x.data(), 4, 9));
}
