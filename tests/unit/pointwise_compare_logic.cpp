// Pointwise comparisons (== != < <= > >=), logical and/or/not and where: bool results,
// NaN and signed zero in comparisons, the compute type of mixed comparisons, truthiness
// of floats and ints, where's broadcast and promotion, against the reference.
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

namespace {
constexpr float nan_f = std::numeric_limits<float>::quiet_NaN();
constexpr float inf_f = std::numeric_limits<float>::infinity();
constexpr std::int32_t i32_min = std::numeric_limits<std::int32_t>::min();
constexpr std::int32_t i32_max = std::numeric_limits<std::int32_t>::max();
constexpr auto x = coil::input<"x", float>(7_c);
constexpr auto y = coil::input<"y", float>(7_c);
} // namespace

// ---- comparisons ----------------------------------------------------------------

TEST_CASE("compare: all six on float32 with NaN, infinities and signed zero") {
  const std::vector<float> xv = {1.0f, nan_f, nan_f, -0.0f, inf_f, -inf_f, 2.0f};
  const std::vector<float> yv = {2.0f, 1.0f, nan_f, 0.0f, inf_f, 1e30f, 2.0f};
  auto X = coil::arg<"x">(xv.data(), 7);
  auto Y = coil::arg<"y">(yv.data(), 7);
  auto [eq, ne, lt, le, gt, ge] = expect_all_match(std::tuple{x == y, x != y, x < y, x <= y, x > y, x >= y}, X, Y);
  static_assert(std::is_same_v<decltype(eq), coil::tensor<bool, 1>>);
  static_assert(std::is_same_v<decltype(ge), coil::tensor<bool, 1>>);
  // 1 vs 2
  CHECK(!eq(0));
  CHECK(ne(0));
  CHECK(lt(0));
  CHECK(le(0));
  CHECK(!gt(0));
  CHECK(!ge(0));
  // NaN compares false except !=
  for (int i : {1, 2}) {
    CHECK(!eq(i));
    CHECK(ne(i));
    CHECK(!lt(i));
    CHECK(!le(i));
    CHECK(!gt(i));
    CHECK(!ge(i));
  }
  CHECK(eq(3)); // -0. == 0.
  CHECK(!lt(3));
  CHECK(eq(4)); // inf == inf
  CHECK(lt(5)); // -inf < 1e30
  CHECK(eq(6));
  CHECK(le(6));
  CHECK(ge(6));
  CHECK(!gt(6));
}

TEST_CASE("compare: the functional names are the operators") {
  static_assert(std::is_same_v<decltype(coil::eq(x, y)), decltype(x == y)>);
  static_assert(std::is_same_v<decltype(coil::ne(x, y)), decltype(x != y)>);
  static_assert(std::is_same_v<decltype(coil::lt(x, y)), decltype(x < y)>);
  static_assert(std::is_same_v<decltype(coil::le(x, y)), decltype(x <= y)>);
  static_assert(std::is_same_v<decltype(coil::gt(x, y)), decltype(x > y)>);
  static_assert(std::is_same_v<decltype(coil::ge(x, y)), decltype(x >= y)>);
  static_assert(std::is_same_v<decltype(coil::logical_and(x, y)), decltype(x && y)>);
  static_assert(std::is_same_v<decltype(coil::logical_or(x, y)), decltype(x || y)>);
  static_assert(std::is_same_v<decltype(coil::logical_not(x)), decltype(!x)>);
  static_assert(std::is_same_v<decltype(coil::neg(x)), decltype(-x)>);
  static_assert(std::is_same_v<decltype(coil::add(x, y)), decltype(x + y)>);
  static_assert(std::is_same_v<decltype(coil::sub(x, 1_c)), decltype(x - 1_c)>);
  static_assert(std::is_same_v<decltype(coil::mul(2_c, y)), decltype(2_c * y)>);
  static_assert(std::is_same_v<decltype(coil::div(x, y)), decltype(x / y)>);
}

TEST_CASE("compare: broadcast [4,1] against [1,5] and scalar constants") {
  constexpr auto c = coil::input<"c", std::int32_t>(4_c, 1_c);
  constexpr auto r = coil::input<"r", std::int32_t>(1_c, 5_c);
  const std::vector<std::int32_t> cv = {0, 1, 2, 3}, rv = {-1, 0, 1, 2, 3};
  auto C = coil::arg<"c">(cv.data(), 4, 1);
  auto R = coil::arg<"r">(rv.data(), 1, 5);
  auto lt = expect_matches_reference(c < r, C, R);
  REQUIRE(lt.extents == std::array<std::int64_t, 2>{4, 5});
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 5; ++j) CHECK(lt(i, j) == (cv[static_cast<std::size_t>(i)] < rv[static_cast<std::size_t>(j)]));
  // int32 tensor against a floating scalar compares in float32: 2 < 2.5 holds
  auto h = expect_matches_reference(c < 2.5_c, C);
  CHECK(h(2, 0));
  CHECK(!h(3, 0));
  auto g = expect_matches_reference(2_c >= r, R);
  CHECK(g(0, 3));
  CHECK(!g(0, 4));
}

TEST_CASE("compare: a float32 tensor against a floating scalar rounds the scalar to float32") {
  // torch.tensor([0.1], dtype=float32) == 0.1 is True: the scalar becomes float32
  constexpr auto f = coil::input<"f", float>(3_c);
  const std::vector<float> fv = {0.1f, 0.2f, 16777216.0f};
  auto F = coil::arg<"f">(fv.data(), 3);
  auto e = expect_matches_reference(f == 0.1_c, F);
  CHECK(e(0));
  CHECK(!e(1));
  auto g = expect_matches_reference(f > 0.1_c, F);
  CHECK(!g(0));
  CHECK(g(1));
  // int64 16777217 == 16777216.0 in float32 (both round to 2**24)
  constexpr auto l = coil::input<"l", std::int64_t>(2_c);
  const std::vector<std::int64_t> lv = {16777217, 16777218};
  auto q = expect_matches_reference(l == 16777216.0_c, coil::arg<"l">(lv.data(), 2));
  CHECK(q(0));
  CHECK(!q(1));
  // ...while int64 against an int scalar compares exactly
  auto qi = expect_matches_reference(l == 16777216_c, coil::arg<"l">(lv.data(), 2));
  CHECK(!qi(0));
}

TEST_CASE("compare: int32 against int64 compares in int64; bool against bool") {
  constexpr auto i = coil::input<"i", std::int32_t>(3_c);
  constexpr auto l = coil::input<"l", std::int64_t>(3_c);
  const std::vector<std::int32_t> iv = {i32_max, -1, 0};
  const std::vector<std::int64_t> lv = {std::int64_t{i32_max} + 1, 4294967295, 0};
  auto lt = expect_matches_reference(i < l, coil::arg<"i">(iv.data(), 3), coil::arg<"l">(lv.data(), 3));
  CHECK(lt(0));
  CHECK(lt(1)); // -1 < 2**32-1, no wrap to int32
  CHECK(!lt(2));
  constexpr auto p = coil::input<"p", bool>(4_c);
  constexpr auto q = coil::input<"q", bool>(4_c);
  auto pv = bool_buffer({0, 0, 1, 1}), qv = bool_buffer({0, 1, 0, 1});
  auto P = coil::arg<"p">(pv.get(), 4);
  auto Q = coil::arg<"q">(qv.get(), 4);
  auto [eq, lt2] = expect_all_match(std::tuple{p == q, p < q}, P, Q);
  CHECK(eq(0));
  CHECK(!eq(1));
  CHECK(eq(3));
  CHECK(lt2(1)); // false < true
  CHECK(!lt2(2));
}

// ---- logical ops ----------------------------------------------------------------

TEST_CASE("logical: and/or/not on bool tensors (truth tables)") {
  constexpr auto p = coil::input<"p", bool>(4_c);
  constexpr auto q = coil::input<"q", bool>(4_c);
  auto pv = bool_buffer({0, 0, 1, 1}), qv = bool_buffer({0, 1, 0, 1});
  auto P = coil::arg<"p">(pv.get(), 4);
  auto Q = coil::arg<"q">(qv.get(), 4);
  auto [a, o, n, x2] = expect_all_match(std::tuple{p && q, p || q, !p, coil::logical_and(!p, q) || coil::logical_not(q)}, P, Q);
  static_assert(std::is_same_v<decltype(a), coil::tensor<bool, 1>>);
  const bool want_and[] = {false, false, false, true}, want_or[] = {false, true, true, true};
  const bool want_not[] = {true, true, false, false}, want_x2[] = {true, true, true, false};
  for (int i = 0; i < 4; ++i) {
    CHECK(a(i) == want_and[i]);
    CHECK(o(i) == want_or[i]);
    CHECK(n(i) == want_not[i]);
    CHECK(x2(i) == want_x2[i]);
  }
}

TEST_CASE("logical: float and int operands use truthiness (NaN is true, -0.0 is false)") {
  const std::vector<float> xv = {0.0f, -0.0f, nan_f, 0.5f, -inf_f, 1e-38f, 0.0f};
  const std::vector<float> yv = {1.0f, 1.0f, 1.0f, 0.0f, 2.0f, 1.0f, 0.0f};
  auto X = coil::arg<"x">(xv.data(), 7);
  auto Y = coil::arg<"y">(yv.data(), 7);
  auto [a, o, n] = expect_all_match(std::tuple{x && y, x || y, !x}, X, Y);
  const bool want_and[] = {false, false, true, false, true, true, false};
  const bool want_or[] = {true, true, true, true, true, true, false};
  const bool want_not[] = {true, true, false, false, false, false, true};
  for (int i = 0; i < 7; ++i) {
    CAPTURE(i);
    CHECK(a(i) == want_and[i]);
    CHECK(o(i) == want_or[i]);
    CHECK(n(i) == want_not[i]);
  }
  constexpr auto k = coil::input<"k", std::int32_t>(4_c);
  const std::vector<std::int32_t> kv = {0, 2, -1, i32_min};
  auto [kn, ka] = expect_all_match(std::tuple{!k, k && 2_c}, coil::arg<"k">(kv.data(), 4));
  CHECK(kn(0));
  CHECK(!kn(1));
  CHECK(!kn(3));
  CHECK(!ka(0));
  CHECK(ka(3));
}

// ---- where ----------------------------------------------------------------------

TEST_CASE("where: selects per element, broadcasting cond [4,1], a [1,5] and a scalar") {
  constexpr auto c = coil::input<"c", bool>(4_c, 1_c);
  constexpr auto a = coil::input<"a", float>(1_c, 5_c);
  auto cv = bool_buffer({1, 0, 0, 1});
  const std::vector<float> av = {1, 2, 3, 4, 5};
  auto C = coil::arg<"c">(cv.get(), 4, 1);
  auto A = coil::arg<"a">(av.data(), 1, 5);
  auto w = expect_matches_reference(coil::where(c, a, 0.5_c), C, A);
  static_assert(std::is_same_v<decltype(w), coil::tensor<float, 2>>);
  REQUIRE(w.extents == std::array<std::int64_t, 2>{4, 5});
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 5; ++j) CHECK(w(i, j) == (cv[static_cast<std::size_t>(i)] ? av[static_cast<std::size_t>(j)] : 0.5f));
  auto w2 = expect_matches_reference(coil::where(c, -1_c, a * 2_c), C, A);
  CHECK(w2(0, 4) == -1.0f);
  CHECK(w2(1, 4) == 10.0f);
}

TEST_CASE("where: relu via where, NaN in the unselected branch is not seen, condition from a comparison") {
  const std::vector<float> xv = {-1.0f, 2.0f, nan_f, -0.0f, inf_f, -inf_f, 0.25f};
  const std::vector<float> yv = {nan_f, nan_f, 3.0f, 1.0f, nan_f, 7.0f, 0.0f};
  auto X = coil::arg<"x">(xv.data(), 7);
  auto Y = coil::arg<"y">(yv.data(), 7);
  auto [r, s] = expect_all_match(std::tuple{coil::where(x > 0_c, x, 0_c), coil::where(x >= 0_c, x, y)}, X, Y);
  CHECK(r(0) == 0.0f);
  CHECK(r(1) == 2.0f);
  CHECK(r(2) == 0.0f); // NaN > 0 is false: unlike relu, where drops NaN
  CHECK(r(4) == inf_f);
  CHECK(std::isnan(s(0)));
  CHECK(s(1) == 2.0f); // y's NaN not selected
  CHECK(s(2) == 3.0f);
  CHECK(s(4) == inf_f);
  CHECK(s(5) == 7.0f);
}

TEST_CASE("where: branch dtypes promote (int32 with float32 -> float32; int32 with a wrapped int -> int32)") {
  constexpr auto c = coil::input<"c", bool>(3_c);
  constexpr auto i = coil::input<"i", std::int32_t>(3_c);
  constexpr auto l = coil::input<"l", std::int64_t>(3_c);
  constexpr auto f = coil::input<"f", float>(3_c);
  static_assert(coil::record_of<decltype(coil::where(c, i, f))>.type == coil::dtype::f32);
  static_assert(coil::record_of<decltype(coil::where(c, i, 0.5_c))>.type == coil::dtype::f32);
  static_assert(coil::record_of<decltype(coil::where(c, i, 7_c))>.type == coil::dtype::i32);
  static_assert(coil::record_of<decltype(coil::where(c, i, l))>.type == coil::dtype::i64);
  static_assert(coil::record_of<decltype(coil::where(c, 1_c, 0_c))>.type == coil::dtype::i64);
  static_assert(coil::record_of<decltype(coil::where(c, 1.0_c, 0_c))>.type == coil::dtype::f32);
  auto cv = bool_buffer({1, 0, 1});
  const std::vector<std::int32_t> iv = {16777217, 5, i32_max};
  const std::vector<std::int64_t> lv = {-1, 4294967296, 3};
  const std::vector<float> fv = {0.5f, -2.5f, 1e30f};
  auto C = coil::arg<"c">(cv.get(), 3);
  auto I = coil::arg<"i">(iv.data(), 3);
  auto [wf, wl, wi] = expect_all_match(std::tuple{coil::where(c, i, f), coil::where(c, i, l), coil::where(c, i, 7_c)}, C, I,
                                       coil::arg<"l">(lv.data(), 3), coil::arg<"f">(fv.data(), 3));
  CHECK(wf(0) == 16777216.0f); // the int32 branch converts to float32
  CHECK(wf(1) == -2.5f);
  CHECK(wl(1) == 4294967296);
  CHECK(wl(2) == i32_max);
  CHECK(wi(1) == 7);
  CHECK(wi(2) == i32_max);
}
