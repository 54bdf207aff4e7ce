// Pointwise broadcasting: [4,3] with [3], [4,1] with [1,5], scalar constants on either
// side, rank-0 inputs, size-1 and size-0 dims, and a symbolic batch bound to several
// values on one model, checked against the reference backend and hand values.
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
constexpr float inf_f = std::numeric_limits<float>::infinity();
constexpr auto a43 = coil::input<"a", float>(4_c, 3_c);
constexpr auto b3 = coil::input<"b", float>(3_c);
} // namespace

// ---- static shapes of broadcasts ------------------------------------------------

static_assert(coil::record_of<decltype(a43 + b3)>.shp.rank == 2);
static_assert(coil::record_of<decltype(a43 + b3)>.shp.d[0] == coil::dim_const(4));
static_assert(coil::record_of<decltype(a43 + b3)>.shp.d[1] == coil::dim_const(3));
static_assert(coil::record_of<decltype(coil::input<"a", float>(4_c, 1_c) * coil::input<"b", float>(1_c, 5_c))>.shp.d[1] ==
              coil::dim_const(5));
static_assert(coil::record_of<decltype(a43 * 2_c)>.shp.rank == 2);
static_assert(coil::record_of<decltype(coil::input<"s", float>() + 1_c)>.shp.rank == 0);
static_assert(coil::record_of<decltype(coil::input<"x", float>(coil::sym<"B">, 3_c) + b3)>.shp.d[0] == coil::dim_symbol("B"));

// ---- broadcasting ---------------------------------------------------------------

TEST_CASE("pointwise: broadcast [4,3] with [3]") {
  const auto av = random_values<float>(12, 21);
  const std::vector<float> bv = {10.0f, -20.0f, 0.5f};
  auto y = expect_matches_reference(a43 - b3, coil::arg<"a">(av.data(), 4, 3), coil::arg<"b">(bv.data(), 3));
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j) CHECK(y(i, j) == av[static_cast<std::size_t>(i * 3 + j)] - bv[static_cast<std::size_t>(j)]);
}

TEST_CASE("pointwise: broadcast [4,1] with [1,5] is an outer product") {
  constexpr auto c = coil::input<"c", float>(4_c, 1_c);
  constexpr auto r = coil::input<"r", float>(1_c, 5_c);
  const std::vector<float> cv = {1, 2, 3, 4}, rv = {1, 10, 100, 1000, -1};
  auto y = expect_matches_reference(c * r, coil::arg<"c">(cv.data(), 4, 1), coil::arg<"r">(rv.data(), 1, 5));
  REQUIRE(y.extents == std::array<std::int64_t, 2>{4, 5});
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 5; ++j) CHECK(y(i, j) == cv[static_cast<std::size_t>(i)] * rv[static_cast<std::size_t>(j)]);
}

TEST_CASE("pointwise: scalar constants on either side, integer and floating") {
  const std::vector<float> av = {1, 2, 4, 8, -1, -2, 0.5f, 0, 3, 5, 7, 9};
  auto A = coil::arg<"a">(av.data(), 4, 3);
  auto y = expect_matches_reference(2_c / a43 - 0.5_c, A);
  auto z = expect_matches_reference(3_c - a43 * -1_c, A);
  CHECK(y(0, 0) == 1.5f);
  CHECK(y(0, 2) == 0.0f);
  CHECK(y(1, 0) == -0.25f);
  CHECK(y(1, 1) == -2.5f);
  CHECK(y(2, 1) == inf_f); // 2 / 0
  CHECK(z(0, 0) == 4.0f);
  CHECK(z(1, 1) == 2.0f);
}

TEST_CASE("pointwise: rank-0 inputs broadcast against any rank and give rank 0 alone") {
  constexpr auto s = coil::input<"s", float>();
  constexpr auto t = coil::input<"t", float>();
  float sv = 2.5f, tv = -4.0f;
  const auto av = random_values<float>(12, 31);
  auto y = expect_matches_reference(a43 * s, coil::arg<"a">(av.data(), 4, 3), coil::arg<"s">(&sv));
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j) CHECK(y(i, j) == av[static_cast<std::size_t>(i * 3 + j)] * 2.5f);
  auto z = expect_matches_reference(s / t + 1_c, coil::arg<"s">(&sv), coil::arg<"t">(&tv));
  static_assert(std::is_same_v<decltype(z), coil::tensor<float, 0>>);
  CHECK(z.size() == 1);
  CHECK(z() == 0.375f);
}

TEST_CASE("pointwise: size-1 dims on both sides broadcast to [4,3]") {
  constexpr auto r = coil::input<"r", float>(1_c, 3_c);
  constexpr auto c = coil::input<"c", float>(4_c, 1_c);
  constexpr auto one = coil::input<"o", float>(1_c, 1_c, 1_c);
  const std::vector<float> rv = {1, 2, 3}, cv = {10, 20, 30, 40};
  float ov = 100.0f;
  auto y = expect_matches_reference(r + c + one, coil::arg<"r">(rv.data(), 1, 3), coil::arg<"c">(cv.data(), 4, 1),
                                    coil::arg<"o">(&ov, 1, 1, 1));
  REQUIRE(y.extents == std::array<std::int64_t, 3>{1, 4, 3});
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j) CHECK(y(0, i, j) == rv[static_cast<std::size_t>(j)] + cv[static_cast<std::size_t>(i)] + 100.0f);
}

TEST_CASE("pointwise: a [0,3] input gives an empty [0,3] output") {
  constexpr auto e = coil::input<"e", float>(0_c, 3_c);
  const std::vector<float> bv = {1, 2, 3};
  float dummy = 0;
  auto y = expect_matches_reference(coil::maximum(e * 2_c, b3), coil::arg<"e">(&dummy, 0, 3),
                                    coil::arg<"b">(bv.data(), 3));
  CHECK(y.extents == std::array<std::int64_t, 2>{0, 3});
  CHECK(y.size() == 0);
  // symbolic batch bound to 0
  constexpr auto x = coil::input<"x", float>(coil::sym<"B">, 3_c);
  auto z = expect_matches_reference(x + b3, coil::arg<"x">(&dummy, 0, 3), coil::arg<"b">(bv.data(), 3));
  CHECK(z.extents == std::array<std::int64_t, 2>{0, 3});
  CHECK(z.size() == 0);
}

// ---- symbolic batch -------------------------------------------------------------

TEST_CASE("pointwise: symbolic batch B bound to 1, 3, 7 on one model") {
  constexpr auto x = coil::input<"x", float>(coil::sym<"B">, 3_c);
  constexpr auto y = coil::input<"y", float>(coil::sym<"B">, 1_c);
  constexpr auto e = (x - y) * b3;
  const std::vector<float> bv = {1.0f, 2.0f, -3.0f};
  auto cpu = coil::compile<coil::cpu>(e);
  for (int n : {1, 3, 7, 3}) {
    const auto xv = random_values<float>(3 * n, static_cast<std::uint32_t>(80 + n));
    const auto yv = random_values<float>(n, static_cast<std::uint32_t>(90 + n));
    auto X = coil::arg<"x">(xv.data(), n, 3);
    auto Y = coil::arg<"y">(yv.data(), n, 1);
    auto B = coil::arg<"b">(bv.data(), 3);
    auto r = expect_matches_reference(e, X, Y, B);
    auto c = cpu(X, Y, B);
    REQUIRE(c.extents == std::array<std::int64_t, 2>{n, 3});
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < 3; ++j) {
        const float want = (xv[static_cast<std::size_t>(i * 3 + j)] - yv[static_cast<std::size_t>(i)]) * bv[static_cast<std::size_t>(j)];
        CHECK(c(i, j) == want);
        CHECK(r(i, j) == want);
      }
  }
}
