// masked_fill, stack, split / chunk, repeat, flatten against PyTorch's goldens (CPU and
// reference backends). split/chunk return a std::tuple of slices, compiled as one model
// with one output per piece.
#include <doctest/doctest.h>

#include <bit>
#include <cstdint>
#include <limits>

#include "support/golden_check.hpp"

using namespace coil::literals;
using coil::testing::expect_golden;
using coil::testing::golden_in;

TEST_CASE("golden: masked_fill with -inf through a broadcast bool mask") {
  constexpr auto x = coil::input<"x", float>(coil::sym<"B">, 5_c);
  constexpr auto m = coil::input<"m", bool>(5_c);
  const auto xs = golden_in("masked_fill", "x").as_float();
  const auto ms = golden_in("masked_fill", "m").as_bytes();
  const bool mb[] = {ms[0] != 0, ms[1] != 0, ms[2] != 0, ms[3] != 0, ms[4] != 0};
  constexpr auto minus_inf = -coil::static_real<std::bit_cast<std::uint64_t>(std::numeric_limits<double>::infinity())>{};
  expect_golden("masked_fill", coil::masked_fill(x, m, minus_inf),
                coil::arg<"x">(xs.data(), 4, 5), coil::arg<"m">(mb, 5));
}

TEST_CASE("golden: stack along dim 1 and along the last dim") {
  constexpr auto a = coil::input<"a", float>(3_c, 4_c);
  constexpr auto b = coil::input<"b", float>(3_c, 4_c);
  constexpr auto c = coil::input<"c", float>(3_c, 4_c);
  const auto av = golden_in("stack_dim1", "a").as_float(), bv = golden_in("stack_dim1", "b").as_float(),
             cv = golden_in("stack_dim1", "c").as_float();
  const auto args = std::tuple{coil::arg<"a">(av.data(), 3, 4), coil::arg<"b">(bv.data(), 3, 4), coil::arg<"c">(cv.data(), 3, 4)};
  std::apply([&](const auto&... as) { expect_golden("stack_dim1", coil::stack<1>(a, b, c), as...); }, args);
  std::apply([&](const auto&... as) { expect_golden("stack_last", coil::stack<-1>(a, b, c), as...); }, args);
}

TEST_CASE("golden: split by size 3 along dim 0 (last piece shorter) and by sections [1, 3]") {
  constexpr auto x = coil::input<"x", float>(7_c, 4_c);
  const auto xs = golden_in("split_size", "x").as_float();
  constexpr auto pieces = coil::split<3>(x);
  static_assert(std::tuple_size_v<decltype(pieces)> == 3);
  expect_golden("split_size", pieces, coil::arg<"x">(xs.data(), 7, 4));
  expect_golden("split_sections", coil::split_sections<1, 1, 3>(x), coil::arg<"x">(xs.data(), 7, 4));
}

TEST_CASE("golden: chunk 8 columns into 3 pieces (3, 3, 2)") {
  constexpr auto x = coil::input<"x", float>(coil::sym<"B">, 8_c);
  const auto xs = golden_in("chunk", "x").as_float();
  expect_golden("chunk", coil::chunk<3, -1>(x), coil::arg<"x">(xs.data(), 2, 8));
}

TEST_CASE("golden: repeat(2, 1, 3) adds a leading dim and tiles") {
  constexpr auto x = coil::input<"x", float>(2_c, coil::sym<"C">);
  const auto xs = golden_in("repeat", "x").as_float();
  expect_golden("repeat", coil::repeat(x, 2_c, 1_c, 3_c), coil::arg<"x">(xs.data(), 2, 3));
}

TEST_CASE("golden: flatten(1, 2)") {
  constexpr auto x = coil::input<"x", float>(coil::sym<"B">, 3_c, 4_c, 5_c);
  const auto xs = golden_in("flatten", "x").as_float();
  expect_golden("flatten", coil::flatten<1, 2>(x), coil::arg<"x">(xs.data(), 2, 3, 4, 5));
}
