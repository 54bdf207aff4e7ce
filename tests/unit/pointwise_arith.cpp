// Pointwise arithmetic + - * / on float32, float64, int32 and int64: PyTorch's values
// (true division of integers, two's-complement wraparound, float32 overflow and NaN),
// checked against the reference backend and hand-computed values.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "support/reference_check.hpp"

using namespace coil::literals;
using coil::testing::expect_matches_reference;
using coil::testing::random_values;

namespace {
constexpr float nan_f = std::numeric_limits<float>::quiet_NaN();
constexpr float inf_f = std::numeric_limits<float>::infinity();
constexpr std::int32_t i32_max = std::numeric_limits<std::int32_t>::max();
constexpr std::int32_t i32_min = std::numeric_limits<std::int32_t>::min();
constexpr std::int64_t i64_max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t i64_min = std::numeric_limits<std::int64_t>::min();
constexpr auto a43 = coil::input<"a", float>(4_c, 3_c);
constexpr auto b43 = coil::input<"b", float>(4_c, 3_c);
} // namespace

// ---- the four arithmetic ops, same shape ------------------------------------------

TEST_CASE("pointwise: + - * / on float32 [4,3] match the reference and float arithmetic") {
  const auto av = random_values<float>(12, 11);
  const auto bv = random_values<float>(12, 12, 0.25, 3.0);
  auto A = coil::arg<"a">(av.data(), 4, 3);
  auto B = coil::arg<"b">(bv.data(), 4, 3);
  auto s = expect_matches_reference(a43 + b43, A, B);
  auto d = expect_matches_reference(a43 - b43, A, B);
  auto p = expect_matches_reference(a43 * b43, A, B);
  auto q = expect_matches_reference(a43 / b43, A, B);
  REQUIRE(s.extents == std::array<std::int64_t, 2>{4, 3});
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j) {
      const float x = av[static_cast<std::size_t>(i * 3 + j)], y = bv[static_cast<std::size_t>(i * 3 + j)];
      CHECK(s(i, j) == x + y);
      CHECK(d(i, j) == x - y);
      CHECK(p(i, j) == x * y);
      CHECK(q(i, j) == x / y);
    }
}

TEST_CASE("pointwise: float64 arithmetic stays in double") {
  constexpr auto x = coil::input<"x", double>(5_c);
  const std::vector<double> xv = {0.1, 1e-300, 1e150, -3.0, 1.0 / 3.0};
  auto y = expect_matches_reference((x + 0.2_c) * x - x / 3.0_c, coil::arg<"x">(xv.data(), 5));
  static_assert(std::is_same_v<decltype(y), coil::tensor<double, 1>>);
  for (int i = 0; i < 5; ++i) {
    const double v = xv[static_cast<std::size_t>(i)];
    CHECK(y(i) == doctest::Approx((v + 0.2) * v - v / 3.0).epsilon(1e-15));
  }
  CHECK(y(0) == (0.1 + 0.2) * 0.1 - 0.1 / 3.0); // 0.2 is not rounded to float32
}

// ---- integer arithmetic -----------------------------------------------------------

TEST_CASE("pointwise: int32 arithmetic wraps around like PyTorch") {
  constexpr auto i = coil::input<"i", std::int32_t>(4_c);
  constexpr auto j = coil::input<"j", std::int32_t>(4_c);
  const std::vector<std::int32_t> iv = {i32_max, 2000000000, 65537, i32_min};
  const std::vector<std::int32_t> jv = {1, 2000000000, 65537, 1};
  auto I = coil::arg<"i">(iv.data(), 4);
  auto J = coil::arg<"j">(jv.data(), 4);
  auto s = expect_matches_reference(i + j, I, J);
  auto d = expect_matches_reference(i - j, I, J);
  auto p = expect_matches_reference(i * j, I, J);
  CHECK(s(0) == i32_min); // int32 max + 1
  CHECK(s(1) == -294967296);
  CHECK(s(2) == 131074);
  CHECK(d(3) == i32_max); // int32 min - 1
  CHECK(p(2) == 131073);  // 65537**2 mod 2**32
  CHECK(p(1) == static_cast<std::int32_t>(static_cast<std::uint32_t>(2000000000u) * 2000000000u));
  auto c = expect_matches_reference(i + 1_c, I); // a wrapped int keeps int32
  static_assert(std::is_same_v<decltype(c), coil::tensor<std::int32_t, 1>>);
  CHECK(c(0) == i32_min);
  // an int constant wider than int32 wraps to int32 when converted (PyTorch raises instead)
  auto w = expect_matches_reference(i + 4294967297_c, I);
  static_assert(std::is_same_v<decltype(w), coil::tensor<std::int32_t, 1>>);
  CHECK(w(0) == i32_min);
  CHECK(w(2) == 65538);
}

TEST_CASE("pointwise: int64 arithmetic wraps around (hand values; the double oracle cannot hold them)") {
  constexpr auto l = coil::input<"l", std::int64_t>(3_c);
  const std::vector<std::int64_t> lv = {i64_max, i64_min, 3037000500};
  auto m = coil::compile<coil::cpu>(l + 1_c, l - 1_c, l * l);
  auto [s, d, p] = m(coil::arg<"l">(lv.data(), 3));
  CHECK(s(0) == i64_min);
  CHECK(d(1) == i64_max);
  CHECK(s(2) == 3037000501);
  CHECK(p(2) == static_cast<std::int64_t>(3037000500ull * 3037000500ull));
  CHECK(p(0) == 1); // (2**63-1)**2 mod 2**64
}

TEST_CASE("pointwise: integer true division gives float32 (7/2 = 3.5), x/0 = inf, 0/0 = NaN") {
  constexpr auto i = coil::input<"i", std::int32_t>(6_c);
  constexpr auto j = coil::input<"j", std::int32_t>(6_c);
  const std::vector<std::int32_t> iv = {7, -7, 1, -1, 0, i32_max};
  const std::vector<std::int32_t> jv = {2, 2, 0, 0, 0, 1};
  auto q = expect_matches_reference(i / j, coil::arg<"i">(iv.data(), 6), coil::arg<"j">(jv.data(), 6));
  static_assert(std::is_same_v<decltype(q), coil::tensor<float, 1>>);
  CHECK(q(0) == 3.5f);
  CHECK(q(1) == -3.5f);
  CHECK(q(2) == inf_f);
  CHECK(q(3) == -inf_f);
  CHECK(std::isnan(q(4)));
  CHECK(q(5) == 2147483648.0f);
  constexpr auto l = coil::input<"l", std::int64_t>(2_c);
  const std::vector<std::int64_t> lv = {7, -9};
  auto h = expect_matches_reference(l / 2_c, coil::arg<"l">(lv.data(), 2));
  static_assert(std::is_same_v<decltype(h), coil::tensor<float, 1>>);
  CHECK(h(0) == 3.5f);
  CHECK(h(1) == -4.5f);
}

// ---- float32 edge values through arithmetic -----------------------------------------

TEST_CASE("pointwise: float32 overflow, underflow and NaN through + - * /") {
  constexpr auto x = coil::input<"x", float>(8_c);
  const std::vector<float> xv = {1e30f, -1e30f, 1e-38f, inf_f, -inf_f, nan_f, -0.0f, 3.0f};
  auto X = coil::arg<"x">(xv.data(), 8);
  auto y = expect_matches_reference((x * x) / x, X); // float32 intermediates overflow
  CHECK(y(0) == inf_f);
  CHECK(y(1) == -inf_f);
  CHECK(y(2) == 0.0f); // 1e-76 underflows to 0 in float32
  CHECK(std::isnan(y(3))); // inf / inf
  CHECK(std::isnan(y(4)));
  CHECK(std::isnan(y(5)));
  CHECK(std::isnan(y(6))); // 0 / -0
  CHECK(y(7) == 3.0f);
  auto z = expect_matches_reference(x - x, X);
  CHECK(z(0) == 0.0f);
  CHECK(std::isnan(z(3))); // inf - inf
  CHECK(std::isnan(z(5)));
}
