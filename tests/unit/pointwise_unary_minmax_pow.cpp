// Pointwise neg, abs, minimum, maximum and pow: signed zeros, NaN propagation as in
// torch.maximum, integer wraparound at the minimum, integer pow by squaring and the C99
// specials of float pow, checked against the reference backend and hand values.
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
} // namespace

// ---- neg / abs ------------------------------------------------------------------

TEST_CASE("pointwise: neg and abs on float edge values") {
  constexpr auto x = coil::input<"x", float>(9_c);
  const std::vector<float> xv = {0.0f, -0.0f, 1.5f, -2.5f, inf_f, -inf_f, nan_f, 1e30f, -1e-38f};
  auto X = coil::arg<"x">(xv.data(), 9);
  auto n = expect_matches_reference(-x, X);
  auto a = expect_matches_reference(coil::abs(x), X);
  CHECK(n(0) == 0.0f);
  CHECK(std::signbit(n(0))); // torch.neg(0.) is -0.
  CHECK(!std::signbit(n(1)));
  CHECK(n(2) == -1.5f);
  CHECK(n(4) == -inf_f);
  CHECK(n(5) == inf_f);
  CHECK(std::isnan(n(6)));
  CHECK(n(7) == -1e30f);
  CHECK(a(1) == 0.0f);
  CHECK(!std::signbit(a(1))); // torch.abs(-0.) is 0.
  CHECK(a(3) == 2.5f);
  CHECK(a(5) == inf_f);
  CHECK(std::isnan(a(6)));
  CHECK(a(8) == 1e-38f);
}

TEST_CASE("pointwise: 1 / -x keeps the sign of zero (fused neg feeding a division)") {
  constexpr auto x = coil::input<"x", float>(3_c);
  const std::vector<float> xv = {0.0f, -0.0f, 2.0f};
  auto y = expect_matches_reference(1_c / -x, coil::arg<"x">(xv.data(), 3));
  CHECK(y(0) == -inf_f);
  CHECK(y(1) == inf_f);
  CHECK(y(2) == -0.5f);
}

TEST_CASE("pointwise: neg and abs on int32/int64 wrap at the minimum") {
  constexpr auto i = coil::input<"i", std::int32_t>(5_c);
  const std::vector<std::int32_t> iv = {0, 7, -7, i32_max, i32_min};
  auto I = coil::arg<"i">(iv.data(), 5);
  auto n = expect_matches_reference(-i, I);
  auto a = expect_matches_reference(coil::abs(i), I);
  static_assert(std::is_same_v<decltype(n), coil::tensor<std::int32_t, 1>>);
  CHECK(n(1) == -7);
  CHECK(n(3) == -i32_max);
  CHECK(n(4) == i32_min); // torch: -(-2**31) wraps to -2**31
  CHECK(a(2) == 7);
  CHECK(a(4) == i32_min);
  constexpr auto l = coil::input<"l", std::int64_t>(3_c);
  const std::vector<std::int64_t> lv = {i64_min, -5, i64_max};
  auto nl = coil::compile<coil::cpu>(coil::neg(l))(coil::arg<"l">(lv.data(), 3));
  CHECK(nl(0) == i64_min);
  CHECK(nl(1) == 5);
  CHECK(nl(2) == -i64_max);
}

// ---- minimum / maximum ------------------------------------------------------------

TEST_CASE("pointwise: minimum/maximum propagate NaN from either side (torch.maximum)") {
  constexpr auto x = coil::input<"x", float>(6_c);
  constexpr auto y = coil::input<"y", float>(6_c);
  const std::vector<float> xv = {nan_f, 1.0f, nan_f, -inf_f, 3.0f, -1e30f};
  const std::vector<float> yv = {1.0f, nan_f, nan_f, 5.0f, inf_f, 1e-38f};
  auto X = coil::arg<"x">(xv.data(), 6);
  auto Y = coil::arg<"y">(yv.data(), 6);
  auto mx = expect_matches_reference(coil::maximum(x, y), X, Y);
  auto mn = expect_matches_reference(coil::minimum(x, y), X, Y);
  CHECK(std::isnan(mx(0))); // maximum(NaN, 1) = NaN
  CHECK(std::isnan(mx(1))); // maximum(1, NaN) = NaN
  CHECK(std::isnan(mx(2)));
  CHECK(mx(3) == 5.0f);
  CHECK(mx(4) == inf_f);
  CHECK(mx(5) == 1e-38f);
  CHECK(std::isnan(mn(0)));
  CHECK(std::isnan(mn(1)));
  CHECK(std::isnan(mn(2)));
  CHECK(mn(3) == -inf_f);
  CHECK(mn(4) == 3.0f);
  CHECK(mn(5) == -1e30f);
}

TEST_CASE("pointwise: maximum/minimum with a scalar clamp, and on int32 with broadcast") {
  constexpr auto x = coil::input<"x", float>(5_c);
  const std::vector<float> xv = {-2.0f, 0.25f, 7.0f, nan_f, 1.0f};
  auto y = expect_matches_reference(coil::minimum(coil::maximum(x, 0_c), 1_c), coil::arg<"x">(xv.data(), 5));
  CHECK(y(0) == 0.0f);
  CHECK(y(1) == 0.25f);
  CHECK(y(2) == 1.0f);
  CHECK(std::isnan(y(3))); // clamp keeps NaN
  CHECK(y(4) == 1.0f);
  constexpr auto i = coil::input<"i", std::int32_t>(4_c, 1_c);
  constexpr auto j = coil::input<"j", std::int32_t>(3_c);
  const std::vector<std::int32_t> iv = {i32_min, -1, 5, i32_max}, jv = {0, 4, -3};
  auto m = expect_matches_reference(coil::maximum(i, j), coil::arg<"i">(iv.data(), 4, 1), coil::arg<"j">(jv.data(), 3));
  CHECK(m(0, 0) == 0);
  CHECK(m(0, 2) == -3);
  CHECK(m(2, 1) == 5);
  CHECK(m(3, 2) == i32_max);
}

// ---- pow ------------------------------------------------------------------------

TEST_CASE("pointwise: pow on float32, tensor and scalar exponents, C99/PyTorch specials") {
  constexpr auto x = coil::input<"x", float>(8_c);
  constexpr auto e = coil::input<"e", float>(8_c);
  const std::vector<float> xv = {2.0f, -8.0f, 0.0f, nan_f, 1.0f, -2.0f, 4.0f, 0.0f};
  const std::vector<float> ev = {10.0f, 1.0f / 3.0f, 0.0f, 0.0f, nan_f, 3.0f, -0.5f, -1.0f};
  auto p = expect_matches_reference(coil::pow(x, e), coil::arg<"x">(xv.data(), 8), coil::arg<"e">(ev.data(), 8));
  CHECK(p(0) == 1024.0f);
  CHECK(std::isnan(p(1))); // negative base, fractional exponent
  CHECK(p(2) == 1.0f);     // 0 ** 0
  CHECK(p(3) == 1.0f);     // nan ** 0
  CHECK(p(4) == 1.0f);     // 1 ** nan
  CHECK(p(5) == -8.0f);
  CHECK(p(6) == 0.5f);
  CHECK(p(7) == inf_f); // 0 ** -1
  auto sq = expect_matches_reference(coil::pow(x, 2_c), coil::arg<"x">(xv.data(), 8));
  CHECK(sq(1) == 64.0f);
  auto rt = expect_matches_reference(coil::pow(x, 0.5_c), coil::arg<"x">(xv.data(), 8));
  CHECK(rt(6) == 2.0f);
  auto ex = expect_matches_reference(coil::pow(2_c, e), coil::arg<"e">(ev.data(), 8));
  CHECK(ex(0) == 1024.0f);
  CHECK(ex(7) == 0.5f);
}

TEST_CASE("pointwise: integer pow by squaring, wraparound and negative exponents") {
  constexpr auto b = coil::input<"b", std::int32_t>(7_c);
  constexpr auto e = coil::input<"e", std::int32_t>(7_c);
  const std::vector<std::int32_t> bv = {2, -3, 0, 3, 2, 1, -1};
  const std::vector<std::int32_t> ev = {10, 3, 0, 21, -1, -5, -3};
  auto p = expect_matches_reference(coil::pow(b, e), coil::arg<"b">(bv.data(), 7), coil::arg<"e">(ev.data(), 7));
  static_assert(std::is_same_v<decltype(p), coil::tensor<std::int32_t, 1>>);
  CHECK(p(0) == 1024);
  CHECK(p(1) == -27);
  CHECK(p(2) == 1);          // 0 ** 0
  CHECK(p(3) == 1870418611); // 3 ** 21 wraps in int32
  // negative exponents: what repeated integer division gives (PyTorch raises instead)
  CHECK(p(4) == 0);
  CHECK(p(5) == 1);
  CHECK(p(6) == -1);
  auto sq = expect_matches_reference(coil::pow(b, 2_c), coil::arg<"b">(bv.data(), 7));
  CHECK(sq(1) == 9);
}
