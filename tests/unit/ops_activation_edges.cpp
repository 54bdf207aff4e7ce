// Activation and masking corners not in the goldens, against hand computations in double
// and the reference backend: default arguments (softplus beta 1 / threshold 20,
// leaky_relu 0.01), float64 inputs, the dtypes of clamp and masked_fill on integer
// tensors (PyTorch: clamp promotes with its bounds, masked_fill keeps the tensor's dtype).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "support/reference_check.hpp"

using namespace coil::literals;
using coil::testing::expect_matches_reference;

namespace {
constexpr auto N = coil::sym<"N">;
const std::vector<float> xs = {-30.0f, -2.5f, -0.1f, 0.0f, 0.3f, 2.0f, 19.9f, 20.1f, 60.0f};
} // namespace

TEST_CASE("softplus and leaky_relu with PyTorch's default arguments") {
  constexpr auto x = coil::input<"x", float>(N);
  const auto n = static_cast<std::int64_t>(xs.size());
  auto sp = expect_matches_reference(coil::softplus(x), coil::arg<"x">(xs.data(), n));
  auto lr = expect_matches_reference(coil::leaky_relu(x), coil::arg<"x">(xs.data(), n));
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double v = xs[i];
    const double want_sp = v > 20.0 ? v : std::log1p(std::exp(v)); // threshold 20 on beta * x
    CHECK(sp(static_cast<int>(i)) == doctest::Approx(want_sp).epsilon(1e-6));
    CHECK(lr(static_cast<int>(i)) == doctest::Approx(v > 0 ? v : 0.01 * v).epsilon(1e-6));
  }
}

TEST_CASE("gelu and elu on float64 keep float64") {
  constexpr auto x = coil::input<"x", double>(N);
  static_assert(coil::record_of<decltype(coil::gelu(x))>.type == coil::dtype::f64);
  const std::vector<double> d = {-4.0, -1.0, -1e-3, 0.0, 0.5, 3.0};
  auto g = expect_matches_reference(coil::gelu(x), coil::arg<"x">(d.data(), 6));
  auto e = expect_matches_reference(coil::elu(x, 0.5_c), coil::arg<"x">(d.data(), 6));
  for (int i = 0; i < 6; ++i) {
    const double v = d[static_cast<std::size_t>(i)];
    CHECK(g(i) == doctest::Approx(0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)))).epsilon(1e-12));
    CHECK(e(i) == doctest::Approx(v > 0 ? v : 0.5 * std::expm1(v)).epsilon(1e-12));
  }
}

TEST_CASE("clamp on int32: integer bounds keep int32, a floating bound promotes to float32") {
  constexpr auto x = coil::input<"x", std::int32_t>(N);
  static_assert(coil::record_of<decltype(coil::clamp(x, -2_c, 3_c))>.type == coil::dtype::i32);
  static_assert(coil::record_of<decltype(coil::clamp(x, 0.5_c))>.type == coil::dtype::f32);
  const std::vector<std::int32_t> d = {-7, -2, 0, 1, 3, 9};
  auto c = expect_matches_reference(coil::clamp(x, -2_c, 3_c), coil::arg<"x">(d.data(), 6));
  auto f = expect_matches_reference(coil::clamp(x, 0.5_c), coil::arg<"x">(d.data(), 6));
  for (int i = 0; i < 6; ++i) {
    const auto v = d[static_cast<std::size_t>(i)];
    CHECK(c(i) == std::min(std::max(v, -2), 3));
    CHECK(f(i) == std::max(static_cast<float>(v), 0.5f));
  }
}

TEST_CASE("masked_fill keeps the tensor's dtype: a float value into int64 truncates") {
  constexpr auto x = coil::input<"x", std::int64_t>(2_c, N);
  constexpr auto m = coil::input<"m", bool>(N);
  static_assert(coil::record_of<decltype(coil::masked_fill(x, m, -2.75_c))>.type == coil::dtype::i64);
  const std::vector<std::int64_t> d = {1, 2, 3, 4, 5, 6};
  const bool mask[] = {true, false, true};
  auto y = expect_matches_reference(coil::masked_fill(x, m, -2.75_c), coil::arg<"x">(d.data(), 2, 3), coil::arg<"m">(mask, 3));
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 3; ++c) CHECK(y(r, c) == (mask[c] ? -2 : d[static_cast<std::size_t>(r * 3 + c)]));
  // a 0-dim tensor as the value
  constexpr auto fill = coil::input<"fill", float>();
  const float fv = 9.5f;
  auto z = expect_matches_reference(coil::masked_fill(coil::cast<float>(x), m, fill), coil::arg<"x">(d.data(), 2, 3),
                                    coil::arg<"m">(mask, 3), coil::arg<"fill">(&fv));
  CHECK(z(1, 2) == 9.5f);
  CHECK(z(1, 1) == 5.0f);
}
