// Index primitives and the views added for the op library: iota, window (unfold), flip
// and gather, against hand-known values and the reference backend, with symbolic dims,
// inside fused kernels, and with their call-time errors.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
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
constexpr auto B = coil::sym<"B">;
constexpr coil::dim Bd = coil::dim_symbol("B");
constexpr auto x = coil::input<"x", float>(3_c, 10_c);
constexpr auto xs = coil::input<"x", float>(B, 10_c);
} // namespace

// ---- shapes -------------------------------------------------------------------------

static_assert(shape_of(coil::iota<1>(2_c, 5_c)) == make_shape({c(2), c(5)}));
static_assert(coil::record_of<decltype(coil::iota<0>(4_c))>.type == coil::dtype::i64);
// n = 10, size 3, stride 2, dilation 2: span 5, (10 - 5) / 2 + 1 = 3 windows
static_assert(shape_of(coil::window<1, 3, 2, 2>(x)) == make_shape({c(3), c(3), c(3)}));
static_assert(shape_of(coil::window<-1, 4>(x)) == make_shape({c(3), c(7), c(4)}));
// symbolic: floor((B - 3) / 2) + 1 = floor((B - 1) / 2)
static_assert(shape_of(coil::window<0, 3, 2>(xs)) == make_shape({coil::floordiv(Bd - c(1), 2), c(3), c(10)}));
static_assert(shape_of(coil::flip<1>(x)) == shape_of(x));
static_assert(shape_of(coil::gather<0>(x, coil::input<"i", std::int64_t>(2_c, 4_c))) == make_shape({c(2), c(4), c(10)}));
static_assert(shape_of(coil::gather<1>(x, coil::input<"i", std::int32_t>(B))) == make_shape({c(3), Bd}));

// ---- values ---------------------------------------------------------------------------

TEST_CASE("iota: the index along an axis, in fused arithmetic") {
  auto m = coil::compile<coil::cpu>(coil::iota<1>(2_c, 5_c) * 10_c + coil::iota<0>(2_c, 5_c));
  auto r = m();
  REQUIRE(r.extents == std::array<std::int64_t, 2>{2, 5});
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 5; ++j) CHECK(r(i, j) == 10 * j + i);
  // a mask from iota against a symbolic shape bound by an input
  const auto xv = random_values<float>(4 * 10, 1);
  auto masked = expect_matches_reference(coil::where(coil::iota<1>(B, 10_c) <= coil::iota<0>(B, 10_c), xs, 0.0_c),
                                         coil::arg<"x">(xv.data(), 4, 10));
  CHECK(masked(2, 3) == 0.0f);
  CHECK(masked(3, 2) == xv[3 * 10 + 2]);
}

TEST_CASE("window: sliding windows with stride and dilation") {
  std::vector<float> xv(30);
  for (int i = 0; i < 30; ++i) xv[static_cast<std::size_t>(i)] = static_cast<float>(i);
  auto w = coil::compile<coil::cpu>(coil::window<1, 3, 2, 2>(x))(coil::arg<"x">(xv.data(), 3, 10));
  REQUIRE(w.extents == std::array<std::int64_t, 3>{3, 3, 3});
  for (int r = 0; r < 3; ++r)
    for (int o = 0; o < 3; ++o)
      for (int k = 0; k < 3; ++k) CHECK(w(r, o, k) == static_cast<float>(10 * r + 2 * o + 2 * k));
  // a reduction over the window offsets (a 1-d max pool) in one kernel, against the
  // reference
  const auto rv = random_values<float>(3 * 10, 2);
  expect_matches_reference(coil::amax(coil::window<1, 4>(x), -1_c), coil::arg<"x">(rv.data(), 3, 10));
  expect_matches_reference(coil::exp(coil::window<1, 2, 3>(x)) + 1.0_c, coil::arg<"x">(rv.data(), 3, 10));
  // windows over a symbolic dim
  const auto sv = random_values<float>(7 * 10, 3);
  auto sw = expect_matches_reference(coil::window<0, 3, 2>(xs), coil::arg<"x">(sv.data(), 7, 10));
  CHECK(sw.extents == std::array<std::int64_t, 3>{3, 3, 10});
}

TEST_CASE("window: a symbolic dim shorter than the window fails before any write") {
  auto m = coil::compile<coil::cpu>(coil::window<0, 3>(xs));
  const auto sv = random_values<float>(2 * 10, 4);
  std::vector<float> out(30, -7.0f);
  const coil::status st = m.run(coil::arg<"x">(sv.data(), 2, 10), coil::out(coil::view(out.data(), 0, 3, 10)));
  REQUIRE_FALSE(st.ok());
  CHECK(std::string(st.msg.c_str()).find("coil::window: the window (span 3) is longer than dim 0 at call time") !=
        std::string::npos);
  for (float v : out) CHECK(v == -7.0f);
}

TEST_CASE("flip: reverses one axis, alone and as the operand of fused math") {
  std::vector<float> xv(30);
  for (int i = 0; i < 30; ++i) xv[static_cast<std::size_t>(i)] = static_cast<float>(i);
  auto f = coil::compile<coil::cpu>(coil::flip<1>(x))(coil::arg<"x">(xv.data(), 3, 10));
  CHECK(f(0, 0) == 9.0f);
  CHECK(f(2, 9) == 20.0f);
  auto g = coil::compile<coil::cpu>(coil::flip<0>(x))(coil::arg<"x">(xv.data(), 3, 10));
  CHECK(g(0, 4) == 24.0f);
  const auto rv = random_values<float>(5 * 10, 5);
  expect_matches_reference(coil::flip<0>(xs) * xs + coil::flip<-1>(xs), coil::arg<"x">(rv.data(), 5, 10));
}

TEST_CASE("gather: rows of a table by index (embedding), columns by index (index_select)") {
  constexpr auto table = coil::input<"w", float>(5_c, 4_c);
  constexpr auto ids = coil::input<"ids", std::int64_t>(2_c, 3_c);
  const auto tv = random_values<float>(20, 6);
  const std::vector<std::int64_t> iv = {4, 0, 2, 2, 1, 3};
  auto e = expect_matches_reference(coil::gather<0>(table, ids) * 2.0_c, coil::arg<"w">(tv.data(), 5, 4),
                                    coil::arg<"ids">(iv.data(), 2, 3));
  REQUIRE(e.extents == std::array<std::int64_t, 3>{2, 3, 4});
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) CHECK(e(i, j, k) == 2.0f * tv[static_cast<std::size_t>(iv[3 * i + j] * 4 + k)]);
  constexpr auto cols = coil::input<"c", std::int32_t>(B);
  const std::vector<std::int32_t> cv = {3, 3, 0};
  auto s = expect_matches_reference(coil::gather<1>(table, cols), coil::arg<"w">(tv.data(), 5, 4),
                                    coil::arg<"c">(cv.data(), 3));
  REQUIRE(s.extents == std::array<std::int64_t, 2>{5, 3});
  CHECK(s(4, 2) == tv[16]);
  // indices computed in the model (argmax) are in range by construction
  const auto xv = random_values<float>(30, 7);
  expect_matches_reference(coil::gather<0>(table, coil::minimum(coil::argmax(x, 1_c), 4_c)), coil::arg<"w">(tv.data(), 5, 4),
                           coil::arg<"x">(xv.data(), 3, 10));
}

TEST_CASE("gather: an input index out of range fails before any write") {
  constexpr auto table = coil::input<"w", float>(5_c, 4_c);
  constexpr auto ids = coil::input<"ids", std::int64_t>(4_c);
  auto m = coil::compile<coil::cpu>(coil::gather<0>(table, ids));
  const auto tv = random_values<float>(20, 8);
  for (std::int64_t bad : {std::int64_t{5}, std::int64_t{-1}}) {
    const std::vector<std::int64_t> iv = {0, 1, bad, 2};
    std::vector<float> out(16, -7.0f);
    const coil::status st = m.run(coil::arg<"w">(tv.data(), 5, 4), coil::arg<"ids">(iv.data(), 4),
                                  coil::out(coil::view(out.data(), 4, 4)));
    REQUIRE_FALSE(st.ok());
    CHECK(std::string(st.msg.c_str()) ==
          "coil::gather: index " + std::to_string(bad) + " is out of range [0, 5) for dim 0 of w: ids[2]");
    for (float v : out) CHECK(v == -7.0f);
  }
}
