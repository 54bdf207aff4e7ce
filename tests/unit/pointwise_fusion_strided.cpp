// Fused pointwise chains (inlining, a shared value realized once, mixed int/float
// chains with two outputs) and non-contiguous memory (transposed, stride-2, zero-stride
// and negative-stride inputs; a transposed output buffer), against the reference.
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
constexpr auto a43 = coil::input<"a", float>(4_c, 3_c);
constexpr auto b43 = coil::input<"b", float>(4_c, 3_c);
} // namespace

// ---- fused chains ---------------------------------------------------------------

TEST_CASE("pointwise: fused chain relu(x*a+b)/3 is one kernel and matches the reference") {
  constexpr auto x = coil::input<"x", float>(coil::sym<"B">, 4_c);
  constexpr auto a = coil::input<"a", float>(4_c);
  constexpr auto b = coil::input<"b", float>(4_c);
  constexpr auto e = coil::relu(x * a + b) / 3_c;
  using M = decltype(coil::compile<coil::cpu>(e));
  static_assert(M::plan.kernel_count == 1);
  static_assert(M::plan.buffer_count == 0);
  const std::vector<float> av = {1, -1, 2, 0.5f}, bv = {0, 1, -1, 3};
  for (int n : {1, 3, 7}) {
    const auto xv = random_values<float>(4 * n, static_cast<std::uint32_t>(40 + n));
    auto y = expect_matches_reference(e, coil::arg<"x">(xv.data(), n, 4), coil::arg<"a">(av.data(), 4),
                                      coil::arg<"b">(bv.data(), 4));
    REQUIRE(y.extents == std::array<std::int64_t, 2>{n, 4});
    for (int r = 0; r < n; ++r)
      for (int c = 0; c < 4; ++c) {
        const float v = xv[static_cast<std::size_t>(r * 4 + c)] * av[static_cast<std::size_t>(c)] + bv[static_cast<std::size_t>(c)];
        CHECK(y(r, c) == doctest::Approx((v > 0 ? v : 0.0f) / 3.0f).epsilon(1e-6));
      }
  }
}

TEST_CASE("pointwise: a shared subexpression is realized once and every user reads it") {
  constexpr auto x = coil::input<"x", float>(coil::sym<"B">, 3_c);
  constexpr auto b = coil::input<"b", float>(3_c);
  constexpr auto t = coil::realize(x * 2_c - b); // two users below; cheap, so stored only on request
  constexpr auto e = t * t + t / (coil::abs(t) + 1_c);
  using M = decltype(coil::compile<coil::cpu>(e));
  static_assert(M::plan.buffer_count == 1);
  const std::vector<float> bv = {0.5f, -1.0f, 2.0f};
  auto cpu = coil::compile<coil::cpu>(e);
  for (int n : {7, 1, 3}) { // one model, arena resized across calls
    const auto xv = random_values<float>(3 * n, static_cast<std::uint32_t>(50 + n));
    auto y = expect_matches_reference(e, coil::arg<"x">(xv.data(), n, 3), coil::arg<"b">(bv.data(), 3));
    auto y2 = cpu(coil::arg<"x">(xv.data(), n, 3), coil::arg<"b">(bv.data(), 3));
    for (int r = 0; r < n; ++r)
      for (int c = 0; c < 3; ++c) {
        const float tv = xv[static_cast<std::size_t>(r * 3 + c)] * 2.0f - bv[static_cast<std::size_t>(c)];
        const float want = tv * tv + tv / (std::fabs(tv) + 1.0f);
        CHECK(y(r, c) == doctest::Approx(want).epsilon(1e-6));
        CHECK(y2(r, c) == y(r, c));
      }
  }
}

TEST_CASE("pointwise: a realized [B,1] value is broadcast by its users") {
  constexpr auto c = coil::input<"c", float>(coil::sym<"B">, 1_c);
  constexpr auto r = coil::input<"r", float>(1_c, 5_c);
  constexpr auto t = coil::realize(c * 2_c + 1_c); // [B,1], two users
  constexpr auto e = t * r - t;     // [B,5]
  using M = decltype(coil::compile<coil::cpu>(e));
  static_assert(M::plan.buffer_count == 1);
  const std::vector<float> rv = {1, 2, 3, 4, 5};
  for (int n : {1, 3, 7}) {
    const auto cv = random_values<float>(n, static_cast<std::uint32_t>(60 + n));
    auto y = expect_matches_reference(e, coil::arg<"c">(cv.data(), n, 1), coil::arg<"r">(rv.data(), 1, 5));
    REQUIRE(y.extents == std::array<std::int64_t, 2>{n, 5});
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < 5; ++j) {
        const float tv = cv[static_cast<std::size_t>(i)] * 2.0f + 1.0f;
        CHECK(y(i, j) == tv * rv[static_cast<std::size_t>(j)] - tv);
      }
  }
}

TEST_CASE("pointwise: a chain of mixed int and float ops with two outputs") {
  constexpr auto i = coil::input<"i", std::int32_t>(coil::sym<"B">, 2_c);
  constexpr auto f = coil::input<"f", float>(2_c);
  constexpr auto e1 = (i * 3_c + 1_c) / 2_c + f; // int chain, true division, float add
  constexpr auto e2 = coil::maximum(i - 4_c, 0_c) * i;
  const std::vector<float> fv = {0.25f, -1.0f};
  for (int n : {1, 3, 7}) {
    std::vector<std::int32_t> iv(static_cast<std::size_t>(2 * n));
    for (int k = 0; k < 2 * n; ++k) iv[static_cast<std::size_t>(k)] = k - 3;
    auto y1 = expect_matches_reference(e1, coil::arg<"i">(iv.data(), n, 2), coil::arg<"f">(fv.data(), 2));
    auto y2 = expect_matches_reference(e2, coil::arg<"i">(iv.data(), n, 2));
    auto [z1, z2] = coil::compile<coil::cpu>(e1, e2)(coil::arg<"i">(iv.data(), n, 2), coil::arg<"f">(fv.data(), 2));
    for (int k = 0; k < 2 * n; ++k) {
      const int v = k - 3;
      CHECK(y1(k / 2, k % 2) == static_cast<float>(v * 3 + 1) / 2.0f + fv[static_cast<std::size_t>(k % 2)]);
      CHECK(y2(k / 2, k % 2) == (v - 4 > 0 ? v - 4 : 0) * v);
      CHECK(z1(k / 2, k % 2) == y1(k / 2, k % 2));
      CHECK(z2(k / 2, k % 2) == y2(k / 2, k % 2));
    }
  }
}

// ---- non-contiguous inputs and outputs ----------------------------------------------

TEST_CASE("pointwise: a transposed input buffer (strided_view) reads the right elements") {
  // storage holds a row-major [3,4] matrix; viewed as its [4,3] transpose
  std::vector<float> st(12);
  for (int k = 0; k < 12; ++k) st[static_cast<std::size_t>(k)] = static_cast<float>(k);
  const auto bv = random_values<float>(12, 61);
  auto At = coil::arg<"a">(coil::strided_view(st.data(), std::array<std::int64_t, 2>{4, 3}, std::array<std::int64_t, 2>{1, 4}));
  auto y = expect_matches_reference(a43 * 10_c + b43, At, coil::arg<"b">(bv.data(), 4, 3));
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j)
      CHECK(y(i, j) == static_cast<float>(j * 4 + i) * 10.0f + bv[static_cast<std::size_t>(i * 3 + j)]);
}

TEST_CASE("pointwise: stride-2, zero-stride and negative-stride inputs") {
  std::vector<float> st(24);
  for (int k = 0; k < 24; ++k) st[static_cast<std::size_t>(k)] = static_cast<float>(k) * 0.5f;
  // every other element of rows 0..3: a[i][j] = st[6*i + 2*j]
  auto As = coil::arg<"a">(coil::strided_view(st.data(), std::array<std::int64_t, 2>{4, 3}, std::array<std::int64_t, 2>{6, 2}));
  // one row repeated: b[i][j] = st[j]
  auto Bz = coil::arg<"b">(coil::strided_view(st.data(), std::array<std::int64_t, 2>{4, 3}, std::array<std::int64_t, 2>{0, 1}));
  auto y = expect_matches_reference(a43 - b43, As, Bz);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j) CHECK(y(i, j) == st[static_cast<std::size_t>(6 * i + 2 * j)] - st[static_cast<std::size_t>(j)]);
  // reversed rows: a[i][j] = st[3*(3-i) + j]
  auto Ar = coil::arg<"a">(coil::strided_view(st.data() + 9, std::array<std::int64_t, 2>{4, 3}, std::array<std::int64_t, 2>{-3, 1}));
  auto r = expect_matches_reference(a43 - b43, Ar, Bz);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j) CHECK(r(i, j) == st[static_cast<std::size_t>(3 * (3 - i) + j)] - st[static_cast<std::size_t>(j)]);
}

TEST_CASE("pointwise: writing into a transposed output buffer through coil::out") {
  const auto av = random_values<float>(12, 71);
  const auto bv = random_values<float>(12, 72);
  std::vector<float> yt(12, -99.0f), rt(12, -77.0f); // [3,4] storage, written as [4,3] transposed
  auto A = coil::arg<"a">(av.data(), 4, 3);
  auto B = coil::arg<"b">(bv.data(), 4, 3);
  constexpr auto e = coil::maximum(a43, b43) * 2_c;
  coil::compile<coil::cpu>(e)(A, B, coil::out(coil::strided_view(yt.data(), std::array<std::int64_t, 2>{4, 3}, std::array<std::int64_t, 2>{1, 4})));
  coil::compile<coil::reference>(e)(A, B, coil::out(coil::strided_view(rt.data(), std::array<std::int64_t, 2>{4, 3}, std::array<std::int64_t, 2>{1, 4})));
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j) {
      const float x = av[static_cast<std::size_t>(i * 3 + j)], z = bv[static_cast<std::size_t>(i * 3 + j)];
      CHECK(yt[static_cast<std::size_t>(j * 4 + i)] == (x > z ? x : z) * 2.0f);
      CHECK(rt[static_cast<std::size_t>(j * 4 + i)] == yt[static_cast<std::size_t>(j * 4 + i)]);
    }
}
