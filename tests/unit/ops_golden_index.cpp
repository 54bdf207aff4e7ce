// Index and padding ops against PyTorch's goldens (CPU and reference backends): arange,
// tril / triu, embedding, index_select, cumsum / cumprod (with inf and NaN), constant and
// reflect pad.
#include <doctest/doctest.h>

#include "support/golden_check.hpp"

using namespace coil::literals;
using coil::testing::expect_golden;
using coil::testing::golden_arg;

TEST_CASE("golden: arange with floating bounds") {
  expect_golden("arange_float", coil::arange(0.5_c, 3_c, 0.25_c));
}

TEST_CASE("golden: tril and triu with diagonal offsets") {
  constexpr auto x = coil::input<"x", float>(coil::sym<"B">, 4_c, 5_c);
  expect_golden("tril", coil::tril<-1>(x), golden_arg<"x", 3>("tril"));
  expect_golden("triu", coil::triu<1>(x), golden_arg<"x", 3>("triu"));
}

TEST_CASE("golden: embedding and index_select") {
  constexpr auto ids = coil::input<"ids", std::int64_t>(2_c, 3_c);
  constexpr auto w = coil::input<"w", float>(5_c, 6_c);
  expect_golden("embedding", coil::embedding(ids, w), golden_arg<"ids", 2, std::int64_t>("embedding"),
                golden_arg<"w", 2>("embedding"));
  constexpr auto x = coil::input<"x", float>(3_c, 5_c);
  constexpr auto i = coil::input<"i", std::int64_t>(coil::sym<"K">);
  expect_golden("index_select", coil::index_select(x, 1_c, i), golden_arg<"x", 2>("index_select"),
                golden_arg<"i", 1, std::int64_t>("index_select"));
}

TEST_CASE("golden: cumsum through inf and NaN, cumprod along dim 0") {
  constexpr auto x = coil::input<"x", float>(3_c, coil::sym<"L">);
  expect_golden("cumsum", coil::cumsum(x, 1_c), golden_arg<"x", 2>("cumsum"));
  constexpr auto y = coil::input<"x", float>(4_c, 5_c);
  expect_golden("cumprod", coil::cumprod<0>(y), golden_arg<"x", 2>("cumprod"));
}

TEST_CASE("golden: constant and reflect pad") {
  constexpr auto x = coil::input<"x", float>(coil::sym<"B">, 3_c, 4_c);
  expect_golden("pad_constant", coil::pad<1, 2, 0, 1>(x, -1.5_c), golden_arg<"x", 3>("pad_constant"));
  constexpr auto y = coil::input<"x", float>(1_c, 2_c, 4_c, 5_c);
  expect_golden("pad_reflect", coil::pad<coil::pad_mode::reflect, 2, 1, 1, 2>(y), golden_arg<"x", 4>("pad_reflect"));
}
