// Views: reshape (with -1 and symbolic dims), flatten, permute/transpose, expand /
// broadcast_to, slice (step, negative bounds, clamping, symbolic extents), squeeze /
// unsqueeze. Chains of views and view errors are in view_chains.cpp.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "support/reference_check.hpp"
#include "support/shapes.hpp"

using namespace coil::literals;
using coil::testing::expect_matches_reference;
using coil::testing::random_values;

using coil::testing::c;
using coil::testing::make_shape;
using coil::testing::shape_of;

namespace {
constexpr auto t = coil::input<"t", float>(2_c, 3_c, 4_c);
constexpr auto B = coil::sym<"B">;
constexpr auto xb = coil::input<"x", float>(B, 16_c, 4_c);

std::vector<float> iota(std::int64_t n) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = static_cast<float>(i);
  return v;
}

constexpr coil::dim Bd = coil::dim_symbol("B");
} // namespace

// ---- shapes -----------------------------------------------------------------------

static_assert(shape_of(coil::reshape(t, 6_c, 4_c)) == make_shape({c(6), c(4)}));
static_assert(shape_of(coil::reshape(t, -1_c, 2_c)) == make_shape({c(12), c(2)}));
static_assert(shape_of(coil::flatten(t)) == make_shape({c(24)}));
static_assert(shape_of(coil::reshape(xb, B, 64_c)) == make_shape({Bd, c(64)}));
static_assert(shape_of(coil::reshape(xb, B, -1_c)) == make_shape({Bd, c(64)}));
static_assert(shape_of(coil::reshape(xb, -1_c, 64_c)) == make_shape({Bd, c(64)}));
static_assert(shape_of(coil::reshape(xb, B * 16_c, 4_c)) == make_shape({Bd * c(16), c(4)}));
static_assert(shape_of(coil::flatten(xb)) == make_shape({c(64) * Bd}));
static_assert(shape_of(coil::permute<2, 0, 1>(t)) == make_shape({c(4), c(2), c(3)}));
static_assert(shape_of(coil::transpose<-1, 0>(t)) == make_shape({c(4), c(3), c(2)}));
static_assert(shape_of(coil::slice<2, 1, 4, 2>(t)) == make_shape({c(2), c(3), c(2)}));
static_assert(shape_of(coil::slice<-1, -3>(t)) == make_shape({c(2), c(3), c(3)}));
static_assert(shape_of(coil::slice<1, -100, 100>(t)) == make_shape({c(2), c(3), c(4)}));
static_assert(shape_of(coil::slice<1, 2, 1>(t)) == make_shape({c(2), c(0), c(4)}));
static_assert(shape_of(coil::slice<0, 1>(xb)) == make_shape({Bd - c(1), c(16), c(4)}));
static_assert(shape_of(coil::slice<0, 1, -2>(xb)) == make_shape({Bd - c(3), c(16), c(4)}));
static_assert(shape_of(coil::unsqueeze<-1>(t)) == make_shape({c(2), c(3), c(4), c(1)}));
static_assert(shape_of(coil::squeeze<1>(coil::unsqueeze<1>(t))) == shape_of(t));
static_assert(shape_of(coil::expand(coil::input<"r", float>(3_c, 1_c), 2_c, 3_c, 5_c)) == make_shape({c(2), c(3), c(5)}));
static_assert(shape_of(coil::broadcast_to(coil::input<"r", float>(1_c, 4_c), B, -1_c)) == make_shape({Bd, c(4)}));
// transposing twice is two permute nodes (not folded); each swaps axes 0 and 1
static_assert(coil::record_of<decltype(coil::transpose<0, 1>(coil::transpose<0, 1>(t)))>.perm[0] == 1);
static_assert(coil::graph<decltype(coil::transpose<0, 1>(coil::transpose<0, 1>(t)))>::size == 3);
// a view keeps the dtype
static_assert(coil::record_of<decltype(coil::reshape(coil::input<"i", std::int32_t>(6_c), 2_c, 3_c))>.type == coil::dtype::i32);

// ---- hand-known values --------------------------------------------------------------

TEST_CASE("views: reshape/flatten keep the row-major order") {
  const auto d = iota(24);
  auto r = coil::compile<coil::cpu>(coil::reshape(t, -1_c, 2_c))(coil::arg<"t">(d.data(), 2, 3, 4));
  REQUIRE(r.extents == std::array<std::int64_t, 2>{12, 2});
  CHECK(r(5, 1) == 11.0f);
  auto f = coil::compile<coil::cpu>(coil::flatten(t))(coil::arg<"t">(d.data(), 2, 3, 4));
  REQUIRE(f.extents == std::array<std::int64_t, 1>{24});
  for (int i = 0; i < 24; ++i) CHECK(f(i) == static_cast<float>(i));
}

TEST_CASE("views: permute/transpose move elements") {
  const auto d = iota(24); // t[i][j][k] = 12 i + 4 j + k
  auto p = coil::compile<coil::cpu>(coil::permute<2, 0, 1>(t))(coil::arg<"t">(d.data(), 2, 3, 4));
  REQUIRE(p.extents == std::array<std::int64_t, 3>{4, 2, 3});
  CHECK(p(3, 1, 2) == 12.0f + 8.0f + 3.0f); // t[1][2][3]
  auto tr = coil::compile<coil::cpu>(coil::transpose<-1, -2>(t))(coil::arg<"t">(d.data(), 2, 3, 4));
  REQUIRE(tr.extents == std::array<std::int64_t, 3>{2, 4, 3});
  CHECK(tr(1, 3, 0) == 12.0f + 3.0f); // t[1][0][3]
  CHECK(tr(0, 1, 2) == 8.0f + 1.0f);  // t[0][2][1]
}

TEST_CASE("views: expand / broadcast_to repeat size-1 dims") {
  constexpr auto col = coil::input<"col", float>(3_c, 1_c);
  const std::vector<float> d = {10, 20, 30};
  auto e = coil::compile<coil::cpu>(coil::expand(col, 2_c, 3_c, 4_c))(coil::arg<"col">(d.data(), 3, 1));
  REQUIRE(e.extents == std::array<std::int64_t, 3>{2, 3, 4});
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) CHECK(e(i, j, k) == d[static_cast<std::size_t>(j)]);
  auto b = coil::compile<coil::cpu>(coil::broadcast_to(col, -1_c, 2_c))(coil::arg<"col">(d.data(), 3, 1));
  REQUIRE(b.extents == std::array<std::int64_t, 2>{3, 2});
  CHECK(b(2, 1) == 30.0f);
  // expand to a symbolic dim bound by another input
  constexpr auto row = coil::input<"row", float>(1_c, 4_c);
  constexpr auto y = coil::input<"y", float>(B, 4_c);
  const std::vector<float> rd = {1, 2, 3, 4};
  const auto yd = random_values<float>(5 * 4, 3);
  auto s = expect_matches_reference(coil::expand(row, B, 4_c) * y, coil::arg<"row">(rd.data(), 1, 4),
                                    coil::arg<"y">(yd.data(), 5, 4));
  CHECK(s(4, 2) == 3.0f * yd[4 * 4 + 2]);
}

TEST_CASE("views: slice with step, negative bounds, clamping and empty results") {
  constexpr auto m = coil::input<"m", float>(3_c, 8_c);
  const auto d = iota(24); // m[i][j] = 8 i + j
  const auto a = coil::arg<"m">(d.data(), 3, 8);
  auto s = coil::compile<coil::cpu>(coil::slice<1, 1, 7, 2>(m))(a);
  REQUIRE(s.extents == std::array<std::int64_t, 2>{3, 3});
  CHECK(s(0, 0) == 1.0f);
  CHECK(s(0, 2) == 5.0f);
  CHECK(s(2, 1) == 19.0f);
  auto neg = coil::compile<coil::cpu>(coil::slice<-1, -3>(m))(a); // m[:, -3:]
  REQUIRE(neg.extents == std::array<std::int64_t, 2>{3, 3});
  CHECK(neg(1, 0) == 13.0f);
  CHECK(neg(1, 2) == 15.0f);
  auto stop = coil::compile<coil::cpu>(coil::slice<0, 0, -1>(m))(a); // m[:-1]
  REQUIRE(stop.extents == std::array<std::int64_t, 2>{2, 8});
  CHECK(stop(1, 7) == 15.0f);
  auto step3 = coil::compile<coil::cpu>(coil::slice<1, -7, coil::slice_end, 3>(m))(a); // m[:, -7::3] = cols 1,4,7
  REQUIRE(step3.extents == std::array<std::int64_t, 2>{3, 3});
  CHECK(step3(2, 0) == 17.0f);
  CHECK(step3(2, 1) == 20.0f);
  CHECK(step3(2, 2) == 23.0f);
  auto clamp = coil::compile<coil::cpu>(coil::slice<0, -100, 100>(m))(a);
  REQUIRE(clamp.extents == std::array<std::int64_t, 2>{3, 8});
  CHECK(clamp(2, 7) == 23.0f);
  auto empty = coil::compile<coil::cpu>(coil::slice<1, 5, 2>(m))(a);
  CHECK(empty.extents == std::array<std::int64_t, 2>{3, 0});
  expect_matches_reference(coil::slice<0, 1, 3, 2>(coil::slice<1, -6, -1, 2>(m)), a);
}

TEST_CASE("views: squeeze / unsqueeze") {
  constexpr auto q = coil::input<"q", float>(3_c, 1_c, 4_c);
  const auto d = iota(12);
  auto s = coil::compile<coil::cpu>(coil::squeeze<-2>(q))(coil::arg<"q">(d.data(), 3, 1, 4));
  REQUIRE(s.extents == std::array<std::int64_t, 2>{3, 4});
  CHECK(s(2, 3) == 11.0f);
  auto u = coil::compile<coil::cpu>(coil::unsqueeze<-1>(coil::unsqueeze<0>(q)))(coil::arg<"q">(d.data(), 3, 1, 4));
  REQUIRE(u.extents == std::array<std::int64_t, 5>{1, 3, 1, 4, 1});
  CHECK(u(0, 1, 0, 2, 0) == 6.0f);
}

// ---- symbolic dims ------------------------------------------------------------------

TEST_CASE("views: reshape with a symbolic batch [B,16,4] -> [B,64]") {
  const auto d = random_values<float>(3 * 64, 4);
  const auto a = coil::arg<"x">(d.data(), 3, 16, 4);
  auto y = expect_matches_reference(coil::reshape(xb, B, 64_c), a);
  REQUIRE(y.extents == std::array<std::int64_t, 2>{3, 64});
  CHECK(y(2, 17) == d[2 * 64 + 17]);
  auto z = expect_matches_reference(coil::reshape(xb * 2_c, -1_c, 64_c), a);
  REQUIRE(z.extents == std::array<std::int64_t, 2>{3, 64});
  CHECK(z(1, 63) == 2.0f * d[64 + 63]);
  expect_matches_reference(coil::flatten(coil::transpose<1, 2>(xb)), a);
  // B = 1 and B = 0
  auto one = coil::compile<coil::cpu>(coil::reshape(xb, B, -1_c))(coil::arg<"x">(d.data(), 1, 16, 4));
  CHECK(one.extents == std::array<std::int64_t, 2>{1, 64});
  auto none = coil::compile<coil::cpu>(coil::reshape(xb, B, -1_c))(coil::arg<"x">(d.data(), 0, 16, 4));
  CHECK(none.extents == std::array<std::int64_t, 2>{0, 64});
}

TEST_CASE("views: slices of a symbolic dim") {
  const auto d = random_values<float>(5 * 64, 5);
  const auto a = coil::arg<"x">(d.data(), 5, 16, 4);
  auto s = expect_matches_reference(coil::slice<0, 1>(xb), a);
  REQUIRE(s.extents == std::array<std::int64_t, 3>{4, 16, 4});
  CHECK(s(0, 0, 0) == d[64]);
  auto s2 = expect_matches_reference(coil::slice<0, 2, -1>(xb) + 1_c, a);
  REQUIRE(s2.extents == std::array<std::int64_t, 3>{2, 16, 4});
  CHECK(s2(1, 3, 2) == d[3 * 64 + 3 * 4 + 2] + 1.0f);
}
