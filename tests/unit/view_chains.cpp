// Views in larger graphs: chains of views over pointwise ops (non-contiguous reads),
// views of views and of strided inputs, the plan's treatment of views; call-time errors
// of views (shared symbols, reshape element counts, symbolic slices).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "support/reference_check.hpp"

using namespace coil::literals;
using coil::testing::expect_matches_reference;
using coil::testing::random_values;

namespace {
constexpr auto t = coil::input<"t", float>(2_c, 3_c, 4_c);
constexpr auto B = coil::sym<"B">;

std::vector<float> iota(std::int64_t n) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = static_cast<float>(i);
  return v;
}
} // namespace

TEST_CASE("views: chains of views over pointwise ops (non-contiguous reads)") {
  constexpr auto u = coil::input<"u", float>(2_c, 3_c, 4_c);
  const auto td = random_values<float>(24, 6), ud = random_values<float>(24, 7);
  const auto at = coil::arg<"t">(td.data(), 2, 3, 4);
  const auto au = coil::arg<"u">(ud.data(), 2, 3, 4);
  auto y = expect_matches_reference(coil::transpose<0, 2>(coil::exp(t) + u), at, au);
  CHECK(y(3, 1, 0) == doctest::Approx(std::exp(td[4 * 1 + 3]) + ud[4 * 1 + 3]).epsilon(1e-6));
  // reshape of a permuted (non-contiguous) expression
  expect_matches_reference(coil::reshape(coil::permute<1, 0, 2>(t * 2_c), 3_c, 8_c), at);
  // pointwise over views of both operands, with broadcasting between views
  expect_matches_reference(coil::permute<2, 0, 1>(t) - coil::slice<0, 1, 2>(coil::permute<2, 0, 1>(u)), at, au);
  // slice of a transpose of a reshape, then a pointwise op on top
  expect_matches_reference(coil::relu(coil::slice<1, 1, 6, 2>(coil::transpose<0, 1>(coil::reshape(t - u, 6_c, 4_c)))),
                           at, au);
  // expand of a squeeze of a slice
  expect_matches_reference(coil::expand(coil::unsqueeze<0>(coil::squeeze<0>(coil::slice<0, 1>(t))), 5_c, 3_c, 4_c), at);
  // reshape of an expand (repeated reads of one element)
  auto f = expect_matches_reference(coil::flatten(coil::expand(coil::slice<0, 0, 1>(t), 3_c, 3_c, 4_c)), at);
  CHECK(f(2 * 12 + 5) == td[5]);
}

TEST_CASE("views: views of views, and views of strided inputs") {
  const auto d = iota(24);
  const auto at = coil::arg<"t">(d.data(), 2, 3, 4);
  // transpose twice is the identity
  auto id = coil::compile<coil::cpu>(coil::transpose<0, 1>(coil::transpose<0, 1>(t)))(at);
  for (int i = 0; i < 24; ++i) CHECK(id.data()[i] == d[static_cast<std::size_t>(i)]);
  // two slices compose: t[:, :, 1:][:, :, ::2] = t[:, :, 1::2]
  auto ss = coil::compile<coil::cpu>(coil::slice<2, 0, coil::slice_end, 2>(coil::slice<2, 1>(t)))(at);
  REQUIRE(ss.extents == std::array<std::int64_t, 3>{2, 3, 2});
  CHECK(ss(1, 2, 0) == 21.0f);
  CHECK(ss(1, 2, 1) == 23.0f);
  // reshape(transpose(reshape)) round trip
  expect_matches_reference(coil::reshape(coil::transpose<0, 1>(coil::reshape(t, 6_c, 4_c)), 2_c, 12_c), at);
  // the input itself is laid out transposed in memory: [2,3,4] with strides (1, 2, 6)
  const auto st = coil::arg<"t">(coil::strided_view(d.data(), std::array<std::int64_t, 3>{2, 3, 4},
                                                    std::array<std::int64_t, 3>{1, 2, 6}));
  auto f = expect_matches_reference(coil::flatten(t), st);
  CHECK(f(1 * 12 + 2 * 4 + 3) == d[1 + 2 * 2 + 3 * 6]);
  expect_matches_reference(coil::permute<2, 1, 0>(t) + 1_c, st);
}

TEST_CASE("views: the plan inlines views of buffers and of pointwise ops") {
  constexpr auto v = coil::input<"v", float>(4_c, 8_c);
  using M = decltype(coil::compile<coil::cpu>(coil::transpose<0, 1>(coil::exp(v)) * 2_c));
  static_assert(M::plan.kernel_count == 1);
  static_assert(M::plan.reason[1] == coil::realize_reason::inlined); // exp
  static_assert(M::plan.reason[2] == coil::realize_reason::inlined); // transpose of a pointwise value
  using R = decltype(coil::compile<coil::cpu>(coil::unsqueeze<1>(coil::sum<1>(v)) + v));
  static_assert(R::graph::records[2].code == coil::op_code::unsqueeze);
  static_assert(R::plan.reason[2] == coil::realize_reason::buffer_view);
  static_assert(R::plan.kernel_count == 2);
  const auto d = random_values<float>(32, 8);
  expect_matches_reference(coil::unsqueeze<1>(coil::sum<1>(v)) + v, coil::arg<"v">(d.data(), 4, 8));
}

// ---- call-time errors ---------------------------------------------------------------

TEST_CASE("view errors: inputs sharing a symbol must agree") {
  constexpr auto p = coil::input<"p", float>(B, 4_c);
  constexpr auto q = coil::input<"q", float>(B, 4_c);
  auto model = coil::compile<coil::cpu>(coil::transpose<0, 1>(p + q));
  const std::vector<float> pd(2 * 4, 1.0f), qd(3 * 4, 1.0f);
  std::vector<float> out(4 * 3, 42.0f);
  try {
    model(coil::arg<"p">(pd.data(), 2, 4), coil::arg<"q">(qd.data(), 3, 4), coil::out(coil::view(out.data(), 4, 3)));
    FAIL("expected coil::error");
  } catch (const coil::error& e) {
    const std::string msg = e.what();
    // names the input, the dim, the symbol and both values
    CHECK(msg.find("'q'") != std::string::npos);
    CHECK(msg.find("dim 0") != std::string::npos);
    CHECK(msg.find("(B)") != std::string::npos);
    CHECK(msg.find("expected 2") != std::string::npos);
    CHECK(msg.find("got 3") != std::string::npos);
  }
  CHECK(out == std::vector<float>(12, 42.0f));
  CHECK_FALSE(model.run(coil::arg<"p">(pd.data(), 2, 4), coil::arg<"q">(qd.data(), 3, 4),
                        coil::out(coil::view(out.data(), 4, 3)))
                  .ok());
  CHECK(out == std::vector<float>(12, 42.0f));
}

TEST_CASE("view errors: reshape element counts are checked at call time when symbols differ") {
  constexpr auto a = coil::input<"a", float>(B, 6_c);
  constexpr auto b = coil::input<"b", float>(coil::sym<"C">, 4_c);
  auto model = coil::compile<coil::cpu>(coil::reshape(a, coil::sym<"C">, 4_c) + b);
  const auto ad = random_values<float>(2 * 6, 9);
  const auto bd = random_values<float>(4 * 4, 10);
  // 2*6 == 3*4: fine, and the reference agrees
  expect_matches_reference(coil::reshape(a, coil::sym<"C">, 4_c) + b, coil::arg<"a">(ad.data(), 2, 6),
                           coil::arg<"b">(bd.data(), 3, 4));
  // 2*6 != 4*4
  std::vector<float> out(16, 42.0f);
  CHECK_THROWS_WITH_AS(model(coil::arg<"a">(ad.data(), 2, 6), coil::arg<"b">(bd.data(), 4, 4),
                             coil::out(coil::view(out.data(), 4, 4))),
                       doctest::Contains("coil::reshape: element counts differ at call time"), coil::error);
  CHECK(out == std::vector<float>(16, 42.0f));
  const coil::status st = model.run(coil::arg<"a">(ad.data(), 2, 6), coil::arg<"b">(bd.data(), 4, 4),
                                    coil::out(coil::view(out.data(), 4, 4)));
  REQUIRE_FALSE(st.ok());
  const std::string msg = st.message();
  CHECK(msg.find("a is [B, 6] = [2, 6]") != std::string::npos);
  CHECK(msg.find("[C, 4] = [4, 4]") != std::string::npos);
  CHECK(out == std::vector<float>(16, 42.0f));
}

TEST_CASE("view errors: a slice longer than a symbolic extent throws coil::error") {
  constexpr auto a = coil::input<"a", float>(B, 2_c);
  auto model = coil::compile<coil::cpu>(coil::slice<0, 3>(a));
  const std::vector<float> d(4, 1.0f);
  std::vector<float> out(2, 42.0f);
  // B = 2 < 3: the result extent B - 3 would be negative
  CHECK_THROWS_WITH_AS(model(coil::arg<"a">(d.data(), 2, 2), coil::out(coil::view(out.data(), 0, 2))),
                       doctest::Contains("coil::slice"), coil::error);
  CHECK(out == std::vector<float>(2, 42.0f));
  // without output buffers the call also reports a coil::error
  CHECK_THROWS_WITH_AS(model(coil::arg<"a">(d.data(), 2, 2)), doctest::Contains("coil::slice"), coil::error);
  // B = 3: an empty result
  auto e = model(coil::arg<"a">(d.data(), 3, 2));
  CHECK(e.extents == std::array<std::int64_t, 2>{0, 2});
}
