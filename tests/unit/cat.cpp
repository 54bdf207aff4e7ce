// cat: along several axes (negative too), of 3 inputs, with mixed dtypes (promotion),
// of pointwise expressions and views, with symbolic extents on and off the cat axis,
// empty inputs; call-time errors.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "support/reference_check.hpp"

using namespace coil::literals;
using coil::testing::expect_matches_reference;
using coil::testing::random_values;

namespace {
constexpr auto a = coil::input<"a", float>(2_c, 3_c);
constexpr auto b = coil::input<"b", float>(1_c, 3_c);
constexpr auto c = coil::input<"c", float>(2_c, 2_c);
constexpr auto B = coil::sym<"B">;
constexpr coil::dim Bd = coil::dim_symbol("B");
} // namespace

// ---- shapes and dtypes --------------------------------------------------------------

static_assert(coil::record_of<decltype(coil::cat<0>(a, b))>.shp.d[0] == coil::dim_const(3));
static_assert(coil::record_of<decltype(coil::cat<-1>(a, c, a))>.shp.d[1] == coil::dim_const(8));
static_assert(coil::record_of<decltype(coil::cat<0>(a, b))>.kind == coil::op_kind::cat);
static_assert(coil::record_of<decltype(coil::cat<0>(coil::input<"i", std::int32_t>(2_c), coil::input<"f", float>(2_c)))>.type ==
              coil::dtype::f32);
static_assert(coil::record_of<decltype(coil::cat<0>(coil::input<"i", std::int32_t>(2_c), coil::input<"l", std::int64_t>(2_c)))>.type ==
              coil::dtype::i64);
static_assert(coil::record_of<decltype(coil::cat<0>(coil::input<"q", bool>(2_c), coil::input<"i", std::int32_t>(2_c)))>.type ==
              coil::dtype::i32);
static_assert(coil::record_of<decltype(coil::cat<0>(coil::input<"f", float>(2_c), coil::input<"d", double>(2_c)))>.type ==
              coil::dtype::f64);
static_assert(coil::record_of<decltype(coil::cat<0>(coil::input<"s", float>(B, 3_c), a))>.shp.d[0] == Bd + coil::dim_const(2));
static_assert(coil::record_of<decltype(coil::cat<1>(coil::input<"s", float>(B, 3_c), coil::input<"t", float>(B, 2_c)))>.shp.d[1] ==
              coil::dim_const(5));

// ---- values -------------------------------------------------------------------------

TEST_CASE("cat: along axis 0 and along the last axis, hand values") {
  const std::vector<float> ad = {1, 2, 3, 4, 5, 6}, bd = {7, 8, 9}, cd = {-1, -2, -3, -4};
  const auto aa = coil::arg<"a">(ad.data(), 2, 3);
  auto y0 = coil::compile<coil::cpu>(coil::cat<0>(a, b))(aa, coil::arg<"b">(bd.data(), 1, 3));
  REQUIRE(y0.extents == std::array<std::int64_t, 2>{3, 3});
  for (int i = 0; i < 9; ++i) CHECK(y0.data()[i] == static_cast<float>(i + 1));

  auto y1 = coil::compile<coil::cpu>(coil::cat<-1>(a, c))(aa, coil::arg<"c">(cd.data(), 2, 2));
  REQUIRE(y1.extents == std::array<std::int64_t, 2>{2, 5});
  const std::vector<float> want = {1, 2, 3, -1, -2, 4, 5, 6, -3, -4};
  for (int i = 0; i < 10; ++i) CHECK(y1.data()[i] == want[static_cast<std::size_t>(i)]);
}

TEST_CASE("cat: three inputs, the same input twice, and a middle axis") {
  const auto ad = random_values<float>(6, 1), bd = random_values<float>(3, 2), cd = random_values<float>(4, 3);
  const auto aa = coil::arg<"a">(ad.data(), 2, 3);
  const auto ab = coil::arg<"b">(bd.data(), 1, 3);
  const auto ac = coil::arg<"c">(cd.data(), 2, 2);
  auto y = expect_matches_reference(coil::cat<0>(b, a, b), aa, ab);
  REQUIRE(y.extents == std::array<std::int64_t, 2>{4, 3});
  CHECK(y(0, 2) == bd[2]);
  CHECK(y(2, 1) == ad[4]);
  CHECK(y(3, 0) == bd[0]);
  expect_matches_reference(coil::cat<1>(c, a, c), aa, ac);
  // rank 3, along the middle axis
  constexpr auto p = coil::input<"p", float>(2_c, 1_c, 4_c);
  constexpr auto q = coil::input<"q", float>(2_c, 3_c, 4_c);
  const auto pd = random_values<float>(8, 4), qd = random_values<float>(24, 5);
  auto z = expect_matches_reference(coil::cat<1>(q, p, q), coil::arg<"p">(pd.data(), 2, 1, 4),
                                    coil::arg<"q">(qd.data(), 2, 3, 4));
  REQUIRE(z.extents == std::array<std::int64_t, 3>{2, 7, 4});
  CHECK(z(1, 3, 2) == pd[4 + 2]);
  CHECK(z(1, 6, 3) == qd[12 + 8 + 3]);
}

TEST_CASE("cat: mixed dtypes promote") {
  constexpr auto i = coil::input<"i", std::int32_t>(3_c);
  constexpr auto f = coil::input<"f", float>(2_c);
  constexpr auto q = coil::input<"q", bool>(2_c);
  const std::vector<std::int32_t> id = {-7, 0, 16777217};
  const std::vector<float> fd = {0.5f, -1.25f};
  const bool qd[] = {true, false};
  auto y = expect_matches_reference(coil::cat<0>(i, f), coil::arg<"i">(id.data(), 3), coil::arg<"f">(fd.data(), 2));
  static_assert(std::is_same_v<decltype(y)::element_type, float>);
  REQUIRE(y.extents == std::array<std::int64_t, 1>{5});
  CHECK(y(0) == -7.0f);
  CHECK(y(2) == 16777216.0f); // int32 -> float rounds as PyTorch does
  CHECK(y(3) == 0.5f);
  CHECK(y(4) == -1.25f);
  auto z = expect_matches_reference(coil::cat<0>(q, i, q), coil::arg<"q">(qd, 2), coil::arg<"i">(id.data(), 3));
  static_assert(std::is_same_v<decltype(z)::element_type, std::int32_t>);
  const std::vector<std::int32_t> want = {1, 0, -7, 0, 16777217, 1, 0};
  for (int k = 0; k < 7; ++k) CHECK(z(k) == want[static_cast<std::size_t>(k)]);
}

TEST_CASE("cat: of pointwise expressions, of views, and consumed by pointwise ops and reductions") {
  const auto ad = random_values<float>(6, 6), cd = random_values<float>(4, 7);
  const auto aa = coil::arg<"a">(ad.data(), 2, 3);
  const auto ac = coil::arg<"c">(cd.data(), 2, 2);
  auto y = expect_matches_reference(coil::cat<1>(coil::exp(a), a * 2_c, coil::relu(c)), aa, ac);
  CHECK(y(1, 4) == 2.0f * ad[4]);
  // cat of transposed views: [3,2] and [2,2] along 0
  expect_matches_reference(coil::cat<0>(coil::transpose<0, 1>(a), coil::transpose<0, 1>(c)), aa, ac);
  // a pointwise op over cat, broadcasting a row against it
  constexpr auto row = coil::input<"row", float>(5_c);
  const auto rd = random_values<float>(5, 8);
  expect_matches_reference(coil::cat<1>(a, c) * row, aa, ac, coil::arg<"row">(rd.data(), 5));
  // a reduction over the cat axis, and a view of a cat
  expect_matches_reference(coil::sum<1>(coil::cat<1>(a, c)), aa, ac);
  expect_matches_reference(coil::slice<1, 2, 4>(coil::cat<1>(a, c)), aa, ac);
  // cat inside the plan: fused, one kernel
  using M = decltype(coil::compile<coil::cpu>(coil::cat<1>(coil::exp(a), c) + 1_c));
  static_assert(M::plan.kernel_count == 1);
}

TEST_CASE("cat: with a symbolic batch") {
  constexpr auto s = coil::input<"s", float>(B, 3_c);
  constexpr auto t = coil::input<"t", float>(B, 2_c);
  const auto sd = random_values<float>(5 * 3, 9), td = random_values<float>(5 * 2, 10), ad = random_values<float>(6, 11);
  // off the batch axis
  auto y = expect_matches_reference(coil::cat<1>(s, t), coil::arg<"s">(sd.data(), 5, 3), coil::arg<"t">(td.data(), 5, 2));
  REQUIRE(y.extents == std::array<std::int64_t, 2>{5, 5});
  CHECK(y(4, 3) == td[8]);
  // along the batch axis: [B + 2, 3]
  auto z = expect_matches_reference(coil::cat<0>(s, a), coil::arg<"s">(sd.data(), 5, 3), coil::arg<"a">(ad.data(), 2, 3));
  REQUIRE(z.extents == std::array<std::int64_t, 2>{7, 3});
  CHECK(z(5, 0) == ad[0]);
  // B = 0: only the static input remains
  float dummy = 0;
  auto e = coil::compile<coil::cpu>(coil::cat<0>(s, a))(coil::arg<"s">(&dummy, 0, 3), coil::arg<"a">(ad.data(), 2, 3));
  REQUIRE(e.extents == std::array<std::int64_t, 2>{2, 3});
  for (int k = 0; k < 6; ++k) CHECK(e.data()[k] == ad[static_cast<std::size_t>(k)]);
  // a static empty input contributes nothing
  constexpr auto empty = coil::input<"empty", float>(0_c, 3_c);
  auto f = expect_matches_reference(coil::cat<0>(empty, a, empty), coil::arg<"empty">(&dummy, 0, 3),
                                    coil::arg<"a">(ad.data(), 2, 3));
  CHECK(f.extents == std::array<std::int64_t, 2>{2, 3});
}

TEST_CASE("cat errors: symbolic dims off the cat axis must agree at call time") {
  constexpr auto s = coil::input<"s", float>(B, 3_c);
  constexpr auto u = coil::input<"u", float>(coil::sym<"C">, 2_c);
  auto model = coil::compile<coil::cpu>(coil::cat<1>(s, u));
  const std::vector<float> sd(3 * 3, 1.0f), ud(4 * 2, 2.0f);
  std::vector<float> out(3 * 5, 42.0f);
  CHECK_THROWS_WITH_AS(model(coil::arg<"s">(sd.data(), 3, 3), coil::arg<"u">(ud.data(), 4, 2),
                             coil::out(coil::view(out.data(), 3, 5))),
                       doctest::Contains("coil::cat: shapes differ off the cat axis at call time"), coil::error);
  CHECK(out == std::vector<float>(15, 42.0f));
  const coil::status st = model.run(coil::arg<"s">(sd.data(), 3, 3), coil::arg<"u">(ud.data(), 4, 2),
                                    coil::out(coil::view(out.data(), 3, 5)));
  REQUIRE_FALSE(st.ok());
  const std::string msg = st.message();
  CHECK(msg.find("s is [B, 3] = [3, 3]") != std::string::npos);
  CHECK(msg.find("u is [C, 2] = [4, 2]") != std::string::npos);
  CHECK(out == std::vector<float>(15, 42.0f));
  // equal values are fine
  model(coil::arg<"s">(sd.data(), 3, 3), coil::arg<"u">(ud.data(), 3, 2), coil::out(coil::view(out.data(), 3, 5)));
  CHECK(out[3] == 2.0f);
  CHECK(out[5] == 1.0f);
}
