// Normalization and var/std corners not in the goldens, each against a hand computation
// in double and against the reference backend: var/std of one element (N - correction
// = 0 gives NaN, as PyTorch), rms_norm's default eps (the dtype's machine epsilon),
// batch_norm on [N, C] without affine, group_norm on [N, C, H, W] without affine, and an
// empty batch.
#include <doctest/doctest.h>

#include <cfloat>
#include <cmath>
#include <vector>

#include "support/reference_check.hpp"

using namespace coil::literals;
using coil::testing::expect_matches_reference;
using coil::testing::random_values;

TEST_CASE("var/std of a single element: correction 1 gives NaN, correction 0 gives 0") {
  constexpr auto x = coil::input<"x", float>(3_c, coil::sym<"K">); // K = 1 at the call: the counted path
  const std::vector<float> d = {1.5f, -2.0f, 7.0f};
  auto s = expect_matches_reference(coil::std(x, 1_c), coil::arg<"x">(d.data(), 3, 1));
  for (int i = 0; i < 3; ++i) CHECK(std::isnan(s(i)));
  auto v0 = expect_matches_reference(coil::var(x, 1_c, coil::correction<0>), coil::arg<"x">(d.data(), 3, 1));
  for (int i = 0; i < 3; ++i) CHECK(v0(i) == 0.0f);
  constexpr auto xs = coil::input<"x", float>(3_c, 1_c); // static N = 1: the constant divisor
  auto ss = expect_matches_reference(coil::std<1>(xs), coil::arg<"x">(d.data(), 3, 1));
  for (int i = 0; i < 3; ++i) CHECK(std::isnan(ss(i)));
}

TEST_CASE("var with correction 2 over a symbolic dim matches the two-pass formula") {
  constexpr auto x = coil::input<"x", float>(coil::sym<"B">, coil::sym<"K">);
  const auto d = random_values<float>(4 * 7, 41, -3, 3);
  auto v = expect_matches_reference(coil::var<-1>(x, coil::correction<2>, coil::keepdim), coil::arg<"x">(d.data(), 4, 7));
  REQUIRE(v.extents == std::array<std::int64_t, 2>{4, 1});
  for (int r = 0; r < 4; ++r) {
    double mean = 0, ss = 0;
    for (int c = 0; c < 7; ++c) mean += d[static_cast<std::size_t>(r * 7 + c)] / 7.0;
    for (int c = 0; c < 7; ++c) ss += std::pow(d[static_cast<std::size_t>(r * 7 + c)] - mean, 2);
    CHECK(v(r, 0) == doctest::Approx(ss / 5.0).epsilon(1e-5));
  }
}

TEST_CASE("rms_norm without eps uses the machine epsilon of the input's dtype") {
  // a constant row c: rms_norm = c / sqrt(c^2 + eps), which tells the eps apart
  constexpr auto xf = coil::input<"x", float>(coil::sym<"B">, 4_c);
  const std::vector<float> f(8, 1e-4f);
  auto yf = expect_matches_reference(coil::rms_norm(xf, 4_c), coil::arg<"x">(f.data(), 2, 4));
  const double cf = 1e-4f;
  CHECK(yf(1, 3) == doctest::Approx(cf / std::sqrt(cf * cf + FLT_EPSILON)).epsilon(1e-5));
  constexpr auto xd = coil::input<"x", double>(coil::sym<"B">, 4_c);
  const std::vector<double> d(8, 1e-8);
  auto yd = expect_matches_reference(coil::rms_norm(xd, coil::dims(4_c)), coil::arg<"x">(d.data(), 2, 4));
  CHECK(yd(0, 0) == doctest::Approx(1e-8 / std::sqrt(1e-16 + DBL_EPSILON)).epsilon(1e-12));
}

TEST_CASE("batch_norm on [N, C] without weight or bias") {
  constexpr auto x = coil::input<"x", float>(coil::sym<"N">, 3_c);
  constexpr auto m = coil::input<"m", float>(3_c);
  constexpr auto v = coil::input<"v", float>(3_c);
  const auto d = random_values<float>(5 * 3, 42);
  const std::vector<float> mean = {0.5f, -1.0f, 2.0f}, var = {1.0f, 0.25f, 4.0f};
  auto y = expect_matches_reference(coil::batch_norm(x, m, v, coil::none, coil::none, 1e-3_c), coil::arg<"x">(d.data(), 5, 3),
                                    coil::arg<"m">(mean.data(), 3), coil::arg<"v">(var.data(), 3));
  for (int n = 0; n < 5; ++n)
    for (int c = 0; c < 3; ++c) {
      const double want = (d[static_cast<std::size_t>(n * 3 + c)] - mean[static_cast<std::size_t>(c)]) /
                          std::sqrt(var[static_cast<std::size_t>(c)] + 1e-3);
      CHECK(y(n, c) == doctest::Approx(want).epsilon(1e-5));
    }
}

TEST_CASE("group_norm on [N, 4, 3, 3] in 2 groups, no affine; an empty batch") {
  constexpr auto x = coil::input<"x", float>(coil::sym<"N">, 4_c, 3_c, 3_c);
  const auto d = random_values<float>(2 * 36, 43, -4, 4);
  auto y = expect_matches_reference(coil::group_norm(x, 2_c), coil::arg<"x">(d.data(), 2, 4, 3, 3));
  for (int n = 0; n < 2; ++n)
    for (int g = 0; g < 2; ++g) {
      const float* p = d.data() + n * 36 + g * 18; // a group: 2 channels of 3 x 3
      double mean = 0, var = 0;
      for (int i = 0; i < 18; ++i) mean += p[i] / 18.0;
      for (int i = 0; i < 18; ++i) var += (p[i] - mean) * (p[i] - mean) / 18.0;
      for (int i = 0; i < 18; ++i)
        CHECK(y.data()[n * 36 + g * 18 + i] == doctest::Approx((p[i] - mean) / std::sqrt(var + 1e-5)).epsilon(1e-4));
    }
  float dummy = 0;
  auto empty = coil::compile<coil::cpu>(coil::group_norm(x, 2_c))(coil::arg<"x">(&dummy, 0, 4, 3, 3));
  CHECK(empty.size() == 0);
}
