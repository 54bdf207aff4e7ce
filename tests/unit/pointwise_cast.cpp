// coil::cast between every pair of element types as PyTorch's .to(dtype): float -> int
// truncates, NaN and out-of-range values give the integer minimum (x86), int64 -> int32
// wraps, float64 -> float32 rounds (overflowing to inf), bool is != 0; against the
// reference backend and hand values.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <tuple>
#include <type_traits>
#include <vector>

#include "support/multi_output_check.hpp"
#include "support/reference_check.hpp"

using namespace coil::literals;
using coil::testing::bool_buffer;
using coil::testing::expect_all_match;
using coil::testing::expect_matches_reference;
using coil::testing::random_values;

namespace {
constexpr float nan_f = std::numeric_limits<float>::quiet_NaN();
constexpr float inf_f = std::numeric_limits<float>::infinity();
constexpr std::int32_t i32_min = std::numeric_limits<std::int32_t>::min();
constexpr std::int64_t i64_min = std::numeric_limits<std::int64_t>::min();
} // namespace

// ---- cast -----------------------------------------------------------------------

TEST_CASE("cast: float32 -> int32/int64 truncates; NaN, inf and out-of-range give the minimum") {
  constexpr auto f = coil::input<"f", float>(10_c);
  const std::vector<float> fv = {2.9f, -2.9f, -0.5f, nan_f, inf_f, -inf_f, 3e9f, -2147483648.0f, 2147483520.0f, 1e30f};
  auto F = coil::arg<"f">(fv.data(), 10);
  auto [ci, cl] = expect_all_match(std::tuple{coil::cast<std::int32_t>(f), coil::cast<std::int64_t>(f)}, F);
  static_assert(std::is_same_v<decltype(ci), coil::tensor<std::int32_t, 1>>);
  static_assert(std::is_same_v<decltype(cl), coil::tensor<std::int64_t, 1>>);
  CHECK(ci(0) == 2);
  CHECK(ci(1) == -2);
  CHECK(ci(2) == 0);
  CHECK(ci(3) == i32_min); // NaN
  CHECK(ci(4) == i32_min);
  CHECK(ci(5) == i32_min);
  CHECK(ci(6) == i32_min); // 3e9 does not fit
  CHECK(ci(7) == i32_min); // exactly the minimum
  CHECK(ci(8) == 2147483520);
  CHECK(ci(9) == i32_min);
  CHECK(cl(3) == i64_min);
  CHECK(cl(6) == 3000000000);
  CHECK(cl(9) == i64_min); // 1e30 does not fit int64
  CHECK(cl(1) == -2);
}

TEST_CASE("cast: to bool is != 0 (NaN true, -0.0 false); from bool is 0/1") {
  constexpr auto f = coil::input<"f", float>(6_c);
  const std::vector<float> fv = {0.0f, -0.0f, nan_f, 0.5f, -1e-38f, -inf_f};
  auto [b, back] = expect_all_match(std::tuple{coil::cast<bool>(f), coil::cast<float>(coil::cast<bool>(f)) * 3_c}, coil::arg<"f">(fv.data(), 6));
  static_assert(std::is_same_v<decltype(b), coil::tensor<bool, 1>>);
  const bool want[] = {false, false, true, true, true, true};
  for (int i = 0; i < 6; ++i) {
    CHECK(b(i) == want[i]);
    CHECK(back(i) == (want[i] ? 3.0f : 0.0f));
  }
  constexpr auto i = coil::input<"i", std::int32_t>(3_c);
  const std::vector<std::int32_t> iv = {0, 2, i32_min};
  auto bi = expect_matches_reference(coil::cast<bool>(i), coil::arg<"i">(iv.data(), 3));
  CHECK(!bi(0));
  CHECK(bi(1));
  CHECK(bi(2));
  constexpr auto p = coil::input<"p", bool>(2_c);
  auto pv = bool_buffer({1, 0});
  auto [pi, pl] = expect_all_match(std::tuple{coil::cast<std::int32_t>(p), coil::cast<std::int64_t>(p) - 1_c}, coil::arg<"p">(pv.get(), 2));
  CHECK(pi(0) == 1);
  CHECK(pi(1) == 0);
  CHECK(pl(1) == -1);
}

TEST_CASE("cast: int64 -> int32 wraps; int -> float rounds; float64 -> float32 rounds and overflows to inf") {
  constexpr auto l = coil::input<"l", std::int64_t>(4_c);
  const std::vector<std::int64_t> lv = {3000000000, -3000000000, 4294967296 + 7, 16777217};
  auto L = coil::arg<"l">(lv.data(), 4);
  auto [li, lf] = expect_all_match(std::tuple{coil::cast<std::int32_t>(l), coil::cast<float>(l)}, L);
  CHECK(li(0) == -1294967296); // torch: .to(int32) keeps the low 32 bits
  CHECK(li(1) == 1294967296);
  CHECK(li(2) == 7);
  CHECK(li(3) == 16777217);
  CHECK(lf(3) == 16777216.0f);
  constexpr auto d = coil::input<"d", double>(6_c);
  const std::vector<double> dv = {0.1, 1e300, -1e300, 1e-320, 3.4028235e38, std::nan("")};
  auto [df, dfd] = expect_all_match(std::tuple{coil::cast<float>(d), coil::cast<double>(coil::cast<float>(d))}, coil::arg<"d">(dv.data(), 6));
  CHECK(df(0) == 0.1f);
  CHECK(df(1) == inf_f);
  CHECK(df(2) == -inf_f);
  CHECK(df(3) == 0.0f);
  CHECK(df(4) == std::numeric_limits<float>::max()); // rounds down to FLT_MAX, not inf
  CHECK(std::isnan(df(5)));
  CHECK(dfd(0) == static_cast<double>(0.1f)); // the round trip loses the double's precision
  CHECK(dfd(0) != 0.1);
  auto dl = expect_matches_reference(coil::cast<std::int64_t>(d * 1e10_c), coil::arg<"d">(dv.data(), 6));
  CHECK(dl(0) == 1000000000);
  CHECK(dl(1) == i64_min);
  CHECK(dl(5) == i64_min);
}

TEST_CASE("cast: float -> int of a fused float expression, then integer arithmetic") {
  constexpr auto f = coil::input<"f", float>(coil::sym<"B">);
  for (int n : {1, 3, 7}) {
    const auto fv = random_values<float>(n, static_cast<std::uint32_t>(500 + n), -100.0, 100.0);
    auto y = expect_matches_reference(coil::cast<std::int32_t>(f * 2.5_c) * 3_c + 1_c, coil::arg<"f">(fv.data(), n));
    static_assert(std::is_same_v<decltype(y), coil::tensor<std::int32_t, 1>>);
    for (int k = 0; k < n; ++k) CHECK(y(k) == static_cast<std::int32_t>(fv[static_cast<std::size_t>(k)] * 2.5f) * 3 + 1);
  }
}
