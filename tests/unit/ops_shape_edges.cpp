// Shape-op corners, as PyTorch defines them, against the reference backend and hand
// indexing: chunk may return fewer pieces than asked, a split size past the extent gives
// one piece, stack promotes dtypes, repeat by 0 is empty, repeat over symbolic dims,
// flatten of a 0-dim tensor, linear on a rank-4 input.
#include <doctest/doctest.h>

#include <cstdint>
#include <tuple>
#include <vector>

#include "support/reference_check.hpp"

using namespace coil::literals;
using coil::testing::expect_matches_reference;
using coil::testing::random_values;

TEST_CASE("chunk and split piece counts follow PyTorch") {
  constexpr auto x = coil::input<"x", float>(6_c, coil::sym<"B">);
  constexpr auto four = coil::chunk<4>(x); // ceil(6 / 4) = 2 per piece: 3 pieces
  static_assert(std::tuple_size_v<decltype(four)> == 3);
  static_assert(coil::record_of<std::tuple_element_t<2, decltype(four)>>.shp.d[0].is_static(2));
  constexpr auto whole = coil::split<10>(x); // a size past the extent: one piece of 6
  static_assert(std::tuple_size_v<decltype(whole)> == 1);
  constexpr auto seven = coil::chunk<7>(coil::input<"y", float>(7_c));
  static_assert(std::tuple_size_v<decltype(seven)> == 7);
  const auto d = random_values<float>(6 * 2, 51);
  auto last = expect_matches_reference(std::get<2>(four), coil::arg<"x">(d.data(), 6, 2));
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 2; ++c) CHECK(last(r, c) == d[static_cast<std::size_t>((4 + r) * 2 + c)]);
}

TEST_CASE("stack promotes int64 and float32 to float32") {
  constexpr auto a = coil::input<"a", std::int64_t>(coil::sym<"B">);
  constexpr auto b = coil::input<"b", float>(coil::sym<"B">);
  static_assert(coil::record_of<decltype(coil::stack(a, b))>.type == coil::dtype::f32);
  const std::vector<std::int64_t> av = {1, 2, 3};
  const std::vector<float> bv = {0.5f, 1.5f, 2.5f};
  auto y = expect_matches_reference(coil::stack<1>(a, b), coil::arg<"a">(av.data(), 3), coil::arg<"b">(bv.data(), 3));
  REQUIRE(y.extents == std::array<std::int64_t, 2>{3, 2});
  for (int i = 0; i < 3; ++i) {
    CHECK(y(i, 0) == static_cast<float>(av[static_cast<std::size_t>(i)]));
    CHECK(y(i, 1) == bv[static_cast<std::size_t>(i)]);
  }
}

TEST_CASE("repeat tiles symbolic dims; a count of 0 is empty") {
  constexpr auto x = coil::input<"x", float>(coil::sym<"R">, coil::sym<"C">);
  const auto d = random_values<float>(2 * 3, 52);
  auto y = expect_matches_reference(coil::repeat(x, 3_c, 2_c), coil::arg<"x">(d.data(), 2, 3));
  REQUIRE(y.extents == std::array<std::int64_t, 2>{6, 6});
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 6; ++j) CHECK(y(i, j) == d[static_cast<std::size_t>((i % 2) * 3 + j % 3)]);
  auto z = coil::compile<coil::cpu>(coil::repeat(x, 0_c, 2_c))(coil::arg<"x">(d.data(), 2, 3));
  CHECK(z.size() == 0);
}

TEST_CASE("flatten of a 0-dim tensor is [1]; flatten(-2) of a rank-3 tensor") {
  constexpr auto s = coil::input<"s", float>();
  static_assert(coil::record_of<decltype(coil::flatten<0>(s))>.shp.rank == 1);
  const float v = 4.0f;
  auto y = expect_matches_reference(coil::flatten<0>(s), coil::arg<"s">(&v));
  CHECK(y(0) == 4.0f);
  constexpr auto t = coil::input<"t", float>(2_c, coil::sym<"H">, 3_c);
  const auto d = random_values<float>(2 * 4 * 3, 53);
  auto f = expect_matches_reference(coil::flatten<-2>(t), coil::arg<"t">(d.data(), 2, 4, 3));
  REQUIRE(f.extents == std::array<std::int64_t, 2>{2, 12});
  CHECK(f(1, 7) == d[static_cast<std::size_t>(12 + 7)]);
}

TEST_CASE("linear on a rank-4 input with bias") {
  constexpr auto x = coil::input<"x", float>(2_c, coil::sym<"S">, 3_c, 8_c);
  constexpr auto w = coil::input<"w", float>(5_c, 8_c);
  constexpr auto b = coil::input<"b", float>(5_c);
  const auto xd = random_values<float>(2 * 2 * 3 * 8, 54), wd = random_values<float>(5 * 8, 55), bd = random_values<float>(5, 56);
  auto y = expect_matches_reference(coil::linear(x, w, b), coil::arg<"x">(xd.data(), 2, 2, 3, 8), coil::arg<"w">(wd.data(), 5, 8),
                                    coil::arg<"b">(bd.data(), 5));
  double want = bd[3];
  for (int k = 0; k < 8; ++k) want += double(xd[static_cast<std::size_t>(((1 * 2 + 1) * 3 + 2) * 8 + k)]) * wd[static_cast<std::size_t>(3 * 8 + k)];
  CHECK(y(1, 1, 2, 3) == doctest::Approx(want).epsilon(1e-5));
}
