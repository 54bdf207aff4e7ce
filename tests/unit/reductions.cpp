// Reductions (sum, mean, prod, amax, amin, argmax, argmin): axes (one, several, all,
// negative), keepdim, result dtypes, PyTorch's edge cases (ties, NaN, empty axes), and
// agreement with the reference backend.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "support/reference_check.hpp"

using namespace coil::literals;
using coil::testing::expect_matches_reference;
using coil::testing::random_values;

namespace {
constexpr auto x = coil::input<"x", float>(2_c, 3_c, 4_c);
constexpr auto m = coil::input<"m", float>(2_c, 3_c);
constexpr float nan_f = std::numeric_limits<float>::quiet_NaN();

template <class T> std::vector<T> iota_values(std::int64_t n, T start = T(0)) {
  std::vector<T> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = static_cast<T>(start + static_cast<T>(i));
  return v;
}
} // namespace

// ---- shapes and dtypes, decided at compile time -----------------------------------

static_assert(coil::record_of<decltype(coil::sum<1>(x))>.shp.rank == 2);
static_assert(coil::record_of<decltype(coil::sum<1>(x))>.shp.d[1] == coil::dim_const(4));
static_assert(coil::record_of<decltype(coil::sum<0, 2>(x, coil::keepdim))>.shp.rank == 3);
static_assert(coil::record_of<decltype(coil::sum<0, 2>(x, coil::keepdim))>.shp.d[0] == coil::dim_const(1));
static_assert(coil::record_of<decltype(coil::sum<0, 2>(x, coil::keepdim))>.shp.d[1] == coil::dim_const(3));
static_assert(coil::record_of<decltype(coil::sum<0, 2>(x, coil::keepdim))>.shp.d[2] == coil::dim_const(1));
static_assert(coil::record_of<decltype(coil::sum(x))>.shp.rank == 0);
static_assert(coil::record_of<decltype(coil::sum(x, coil::keepdim))>.shp.rank == 3);
static_assert(coil::record_of<decltype(coil::amax<-1>(x))>.shp.d[1] == coil::dim_const(3));
static_assert(coil::record_of<decltype(coil::argmax(x))>.shp.rank == 0);
static_assert(coil::record_of<decltype(coil::argmax<1>(x))>.type == coil::dtype::i64);
static_assert(coil::record_of<decltype(coil::sum(coil::input<"i", std::int32_t>(3_c)))>.type == coil::dtype::i64);
static_assert(coil::record_of<decltype(coil::sum(coil::input<"b", bool>(3_c)))>.type == coil::dtype::i64);
static_assert(coil::record_of<decltype(coil::prod(coil::input<"i", std::int32_t>(3_c)))>.type == coil::dtype::i64);
static_assert(coil::record_of<decltype(coil::amax(coil::input<"i", std::int32_t>(3_c)))>.type == coil::dtype::i32);
static_assert(coil::record_of<decltype(coil::mean(coil::input<"d", double>(3_c)))>.type == coil::dtype::f64);
// `sum(x, 1_c)` and `sum<1>(x)` are the same node
static_assert(std::is_same_v<decltype(coil::sum(x, 1_c)), decltype(coil::sum<1>(x))>);
static_assert(coil::record_of<decltype(coil::sum(x, -1_c, 0_c))>.axes == 0b101u);

// ---- hand-known values ------------------------------------------------------------

TEST_CASE("reductions: sum/mean/prod/amax/amin over one axis, hand values") {
  const std::vector<float> v = {1, 2, 3, 4, 5, 6}; // [[1,2,3],[4,5,6]]
  auto s0 = coil::compile<coil::cpu>(coil::sum<0>(m))(coil::arg<"m">(v.data(), 2, 3));
  REQUIRE(s0.extents == std::array<std::int64_t, 1>{3});
  CHECK(s0(0) == 5.0f);
  CHECK(s0(1) == 7.0f);
  CHECK(s0(2) == 9.0f);

  auto s1 = coil::compile<coil::cpu>(coil::sum<-1>(m))(coil::arg<"m">(v.data(), 2, 3));
  REQUIRE(s1.extents == std::array<std::int64_t, 1>{2});
  CHECK(s1(0) == 6.0f);
  CHECK(s1(1) == 15.0f);

  auto mn = coil::compile<coil::cpu>(coil::mean(m, 1_c, coil::keepdim))(coil::arg<"m">(v.data(), 2, 3));
  REQUIRE(mn.extents == std::array<std::int64_t, 2>{2, 1});
  CHECK(mn(0, 0) == doctest::Approx(2.0));
  CHECK(mn(1, 0) == doctest::Approx(5.0));

  auto p = coil::compile<coil::cpu>(coil::prod<0>(m))(coil::arg<"m">(v.data(), 2, 3));
  CHECK(p(0) == 4.0f);
  CHECK(p(1) == 10.0f);
  CHECK(p(2) == 18.0f);

  auto mx = coil::compile<coil::cpu>(coil::amax<-2>(m))(coil::arg<"m">(v.data(), 2, 3));
  CHECK(mx(0) == 4.0f);
  CHECK(mx(2) == 6.0f);
  auto mi = coil::compile<coil::cpu>(coil::amin<1>(m))(coil::arg<"m">(v.data(), 2, 3));
  CHECK(mi(0) == 1.0f);
  CHECK(mi(1) == 4.0f);
}

TEST_CASE("reductions: all axes give a 0-d result; keepdim gives all-ones extents") {
  const std::vector<float> v = {1, 2, 3, 4, 5, 6};
  auto s = coil::compile<coil::cpu>(coil::sum(m))(coil::arg<"m">(v.data(), 2, 3));
  static_assert(decltype(s)::rank == 0);
  CHECK(s.size() == 1);
  CHECK(s() == 21.0f);

  auto k = coil::compile<coil::cpu>(coil::amax(m, coil::keepdim))(coil::arg<"m">(v.data(), 2, 3));
  REQUIRE(k.extents == std::array<std::int64_t, 2>{1, 1});
  CHECK(k(0, 0) == 6.0f);

  // several axes given explicitly == all axes
  auto s01 = coil::compile<coil::cpu>(coil::mean<0, -1>(m))(coil::arg<"m">(v.data(), 2, 3));
  CHECK(s01() == doctest::Approx(3.5));
}

TEST_CASE("reductions: int and bool sum accumulate in int64") {
  constexpr auto i = coil::input<"i", std::int32_t>(2_c, 2_c);
  const std::vector<std::int32_t> iv = {2147483647, 1, -2147483647 - 1, -1};
  auto s = coil::compile<coil::cpu>(coil::sum<1>(i))(coil::arg<"i">(iv.data(), 2, 2));
  static_assert(std::is_same_v<decltype(s)::element_type, std::int64_t>);
  CHECK(s(0) == std::int64_t{2147483648});  // no int32 wrap
  CHECK(s(1) == std::int64_t{-2147483649}); // no int32 wrap

  constexpr auto b = coil::input<"b", bool>(2_c, 3_c);
  const bool bv[] = {true, false, true, true, true, true};
  auto c = coil::compile<coil::cpu>(coil::sum<-1>(b))(coil::arg<"b">(bv, 2, 3));
  static_assert(std::is_same_v<decltype(c)::element_type, std::int64_t>);
  CHECK(c(0) == 2);
  CHECK(c(1) == 3);

  auto p = coil::compile<coil::cpu>(coil::prod(i))(coil::arg<"i">(iv.data(), 2, 2));
  static_assert(std::is_same_v<decltype(p)::element_type, std::int64_t>);
  // 2147483647 * 1 * -2147483648 * -1 in int64
  CHECK(p() == std::int64_t{2147483647} * std::int64_t{2147483648});

  const auto r = random_values<std::int32_t>(2 * 2, 7, -1000, 1000);
  expect_matches_reference(coil::sum<0>(i), coil::arg<"i">(r.data(), 2, 2));
  const auto rb = random_values<bool>(6, 8);
  bool rbb[6];
  for (int k = 0; k < 6; ++k) rbb[k] = rb[static_cast<std::size_t>(k)];
  expect_matches_reference(coil::sum(b), coil::arg<"b">(rbb, 2, 3));
}

TEST_CASE("reductions: argmax/argmin return the first index on ties") {
  constexpr auto v = coil::input<"v", float>(2_c, 4_c);
  const std::vector<float> d = {1, 3, 3, 2, /**/ 2, 1, 5, 1};
  auto am = coil::compile<coil::cpu>(coil::argmax<1>(v))(coil::arg<"v">(d.data(), 2, 4));
  static_assert(std::is_same_v<decltype(am)::element_type, std::int64_t>);
  CHECK(am(0) == 1);
  CHECK(am(1) == 2);
  auto an = coil::compile<coil::cpu>(coil::argmin<-1>(v))(coil::arg<"v">(d.data(), 2, 4));
  CHECK(an(0) == 0);
  CHECK(an(1) == 1);
  // over axis 0: column 1 is (3, 1) -> argmax 0; column 3 is (2, 1)
  auto a0 = coil::compile<coil::cpu>(coil::argmax<0>(v, coil::keepdim))(coil::arg<"v">(d.data(), 2, 4));
  REQUIRE(a0.extents == std::array<std::int64_t, 2>{1, 4});
  CHECK(a0(0, 0) == 1);
  CHECK(a0(0, 1) == 0);
  CHECK(a0(0, 2) == 1);
  CHECK(a0(0, 3) == 0);
  // no axis: index into the flattened input; 5 is at flat index 6
  auto flat = coil::compile<coil::cpu>(coil::argmax(v))(coil::arg<"v">(d.data(), 2, 4));
  CHECK(flat() == 6);
  auto flat_min = coil::compile<coil::cpu>(coil::argmin(v, coil::keepdim))(coil::arg<"v">(d.data(), 2, 4));
  REQUIRE(flat_min.extents == std::array<std::int64_t, 2>{1, 1});
  CHECK(flat_min(0, 0) == 0);

  // integer ties
  constexpr auto i = coil::input<"i", std::int64_t>(5_c);
  const std::vector<std::int64_t> id = {-4, 7, 7, -4, 0};
  CHECK(coil::compile<coil::cpu>(coil::argmax(i))(coil::arg<"i">(id.data(), 5))() == 1);
  CHECK(coil::compile<coil::cpu>(coil::argmin<0>(i))(coil::arg<"i">(id.data(), 5))() == 0);
}

TEST_CASE("reductions: NaN propagates through amax/amin; argmax/argmin point at the first NaN") {
  constexpr auto v = coil::input<"v", float>(2_c, 4_c);
  const std::vector<float> d = {1, nan_f, 5, nan_f, /**/ -1, -2, -3, -4};
  auto mx = coil::compile<coil::cpu>(coil::amax<1>(v))(coil::arg<"v">(d.data(), 2, 4));
  CHECK(std::isnan(mx(0)));
  CHECK(mx(1) == -1.0f);
  auto mi = coil::compile<coil::cpu>(coil::amin<1>(v))(coil::arg<"v">(d.data(), 2, 4));
  CHECK(std::isnan(mi(0)));
  CHECK(mi(1) == -4.0f);
  auto am = coil::compile<coil::cpu>(coil::argmax<1>(v))(coil::arg<"v">(d.data(), 2, 4));
  CHECK(am(0) == 1);
  CHECK(am(1) == 0);
  auto an = coil::compile<coil::cpu>(coil::argmin<1>(v))(coil::arg<"v">(d.data(), 2, 4));
  CHECK(an(0) == 1);
  CHECK(an(1) == 3);
  // NaN as the last element still wins
  const std::vector<float> e = {1, 2, 3, nan_f, 9, 8, 7, 6};
  auto amf = coil::compile<coil::cpu>(coil::argmax(v))(coil::arg<"v">(e.data(), 2, 4));
  CHECK(amf() == 3);
  auto s = coil::compile<coil::cpu>(coil::sum<1>(v))(coil::arg<"v">(e.data(), 2, 4));
  CHECK(std::isnan(s(0)));
  CHECK(s(1) == 30.0f);
  // the reference agrees
  expect_matches_reference(coil::amax<0>(v), coil::arg<"v">(d.data(), 2, 4));
  expect_matches_reference(coil::argmax<1>(v), coil::arg<"v">(d.data(), 2, 4));
}

TEST_CASE("reductions: empty reductions: sum 0, prod 1, mean NaN") {
  constexpr auto e = coil::input<"e", float>(2_c, 0_c);
  float dummy = 0;
  auto s = coil::compile<coil::cpu>(coil::sum<1>(e))(coil::arg<"e">(&dummy, 2, 0));
  REQUIRE(s.extents == std::array<std::int64_t, 1>{2});
  CHECK(s(0) == 0.0f);
  CHECK(s(1) == 0.0f);
  auto p = coil::compile<coil::cpu>(coil::prod<-1>(e))(coil::arg<"e">(&dummy, 2, 0));
  CHECK(p(0) == 1.0f);
  CHECK(p(1) == 1.0f);
  auto mn = coil::compile<coil::cpu>(coil::mean<1>(e))(coil::arg<"e">(&dummy, 2, 0));
  CHECK(std::isnan(mn(0)));
  CHECK(std::isnan(mn(1)));
  auto all = coil::compile<coil::cpu>(coil::mean(e))(coil::arg<"e">(&dummy, 2, 0));
  CHECK(std::isnan(all()));
  // reducing the non-empty axis of an empty tensor: an empty result
  auto s0 = coil::compile<coil::cpu>(coil::sum<0>(e))(coil::arg<"e">(&dummy, 2, 0));
  CHECK(s0.extents == std::array<std::int64_t, 1>{0});

  // a symbolic axis bound to 0
  constexpr auto z = coil::input<"z", float>(coil::sym<"B">, 3_c);
  std::vector<float> out(3, 42.0f);
  coil::compile<coil::cpu>(coil::sum<0>(z))(coil::arg<"z">(&dummy, 0, 3), coil::out(coil::view(out.data(), 3)));
  CHECK(out == std::vector<float>{0, 0, 0});
  coil::compile<coil::cpu>(coil::prod<0>(z))(coil::arg<"z">(&dummy, 0, 3), coil::out(coil::view(out.data(), 3)));
  CHECK(out == std::vector<float>{1, 1, 1});
  coil::compile<coil::cpu>(coil::mean<0>(z))(coil::arg<"z">(&dummy, 0, 3), coil::out(coil::view(out.data(), 3)));
  CHECK(std::isnan(out[0]));
  CHECK(std::isnan(out[2]));
  // integer sum over an empty axis
  constexpr auto zi = coil::input<"zi", std::int32_t>(coil::sym<"B">);
  std::int32_t idummy = 0;
  CHECK(coil::compile<coil::cpu>(coil::sum(zi))(coil::arg<"zi">(&idummy, 0))() == 0);
  expect_matches_reference(coil::mean<0>(z), coil::arg<"z">(&dummy, 0, 3));
}

TEST_CASE("reductions: a 0-d input reduces over its implicit axis; keepdim over a symbolic axis") {
  constexpr auto s = coil::input<"s", float>();
  const float sv = -2.5f;
  auto y = coil::compile<coil::cpu>(coil::sum<0>(s) + coil::amax<-1>(s))(coil::arg<"s">(coil::view(&sv)));
  static_assert(decltype(y)::rank == 0);
  CHECK(y() == -5.0f);
  CHECK(coil::compile<coil::cpu>(coil::argmax<0>(s))(coil::arg<"s">(coil::view(&sv)))() == 0);
  CHECK(coil::compile<coil::cpu>(coil::mean(s))(coil::arg<"s">(coil::view(&sv)))() == -2.5f);

  constexpr auto z = coil::input<"z", float>(coil::sym<"B">, 3_c);
  static_assert(coil::record_of<decltype(coil::sum<0>(z, coil::keepdim))>.shp.d[0] == coil::dim_const(1));
  const std::vector<float> d = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  auto k = coil::compile<coil::cpu>(coil::sum<0>(z, coil::keepdim))(coil::arg<"z">(d.data(), 4, 3));
  REQUIRE(k.extents == std::array<std::int64_t, 2>{1, 3});
  CHECK(k(0, 0) == 22.0f);
  CHECK(k(0, 2) == 30.0f);
  // the result written through a strided output view
  std::vector<float> out(8, 42.0f);
  coil::compile<coil::cpu>(coil::amax<-1>(z))(coil::arg<"z">(d.data(), 4, 3),
                                              coil::out(coil::strided_view(out.data(), std::array<std::int64_t, 1>{4},
                                                                           std::array<std::int64_t, 1>{2})));
  CHECK(out == std::vector<float>{3, 42, 6, 42, 9, 42, 12, 42});
}

// ---- agreement with the reference -------------------------------------------------

TEST_CASE("reductions: every reduction over one, several, all and negative axes matches the reference") {
  const auto d = random_values<float>(24, 1);
  const auto a = coil::arg<"x">(d.data(), 2, 3, 4);
  SUBCASE("sum") {
    expect_matches_reference(coil::sum<1>(x), a);
    expect_matches_reference(coil::sum<0, 2>(x, coil::keepdim), a);
  }
  SUBCASE("mean") {
    expect_matches_reference(coil::mean<-1, -3>(x), a);
    expect_matches_reference(coil::mean(x), a);
  }
  SUBCASE("prod") { expect_matches_reference(coil::prod<-1>(x, coil::keepdim), a); }
  SUBCASE("amax/amin") {
    expect_matches_reference(coil::amax<0, 1>(x), a);
    expect_matches_reference(coil::amin<-2>(x, coil::keepdim), a);
  }
  SUBCASE("argmax/argmin") {
    expect_matches_reference(coil::argmax<0>(x), a);
    expect_matches_reference(coil::argmin<-1>(x, coil::keepdim), a);
    expect_matches_reference(coil::argmin(x), a);
  }
}

TEST_CASE("reductions: non-contiguous (strided) input") {
  // x stored as [4][3][2] memory, read as [2,3,4] through strides (a permuted layout)
  const auto d = random_values<float>(24, 2);
  const auto a = coil::arg<"x">(coil::strided_view(d.data(), std::array<std::int64_t, 3>{2, 3, 4},
                                                   std::array<std::int64_t, 3>{1, 2, 6}));
  auto y = expect_matches_reference(coil::sum<-1>(x), a);
  // hand check of one element: x[1][2][*] = d[1 + 2*2 + 6*k]
  float want = 0;
  for (int k = 0; k < 4; ++k) want += d[static_cast<std::size_t>(1 + 4 + 6 * k)];
  CHECK(y(1, 2) == doctest::Approx(want));
  expect_matches_reference(coil::argmax<0>(x), a);
}
