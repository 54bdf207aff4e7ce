// layer_norm, rms_norm, batch_norm, group_norm against PyTorch's goldens: a row offset by
// 1e4 (two-pass variance), normalized_shape of two dims, weight/bias present and absent,
// rms_norm's default eps (machine epsilon). CPU and reference backends both.
#include <doctest/doctest.h>

#include <cmath>
#include <tuple>

#include "support/golden_check.hpp"

using namespace coil::literals;
using coil::testing::expect_golden;
using coil::testing::golden_in;

namespace {
constexpr auto B = coil::sym<"B">;
constexpr auto x_ln = coil::input<"x", float>(B, 3_c, 16_c); // [4, 3, 16] in the goldens
constexpr auto w16 = coil::input<"w", float>(16_c);
constexpr auto b16 = coil::input<"b", float>(16_c);
} // namespace

TEST_CASE("golden: layer_norm over the last dim with weight and bias") {
  const auto x = golden_in("layer_norm", "x").as_float(), w = golden_in("layer_norm", "w").as_float(),
             b = golden_in("layer_norm", "b").as_float();
  // Row [1, 2] is 1e4 + N(0, 0.02): its float32 mean is rounded to float32 (every node
  // of a float32 graph holds float32 values, as in PyTorch's float32 layer_norm), which
  // costs up to eps_f32 * |mean| / std relative in the centered values. The golden is
  // float64, so that row gets that bound; every other row gets 1e-5.
  double mean = 0, sq = 0;
  for (int i = 80; i < 96; ++i) mean += x[static_cast<std::size_t>(i)] / 16.0;
  for (int i = 80; i < 96; ++i) sq += (x[static_cast<std::size_t>(i)] - mean) * (x[static_cast<std::size_t>(i)] - mean) / 16.0;
  const double ill = 4 * 5.96e-8 * std::fabs(mean) / std::sqrt(sq);
  CHECK(ill > 1e-3); // the edge row is there
  const auto rtol = [ill](std::int64_t i) { return i >= 80 && i < 96 ? ill : 1e-5; };
  constexpr auto y = coil::layer_norm(x_ln, 16_c, w16, b16, 1e-5_c);
  for (int backend = 0; backend < 2; ++backend) {
    const auto args = std::tuple{coil::arg<"x">(x.data(), 4, 3, 16), coil::arg<"w">(w.data(), 16), coil::arg<"b">(b.data(), 16)};
    auto got = backend == 0 ? std::apply(coil::compile<coil::cpu>(y), args) : std::apply(coil::compile<coil::reference>(y), args);
    coil::testing::expect_matches_golden_with(got, coil::testing::golden_out("layer_norm"), rtol);
  }
}

TEST_CASE("golden: layer_norm over the last two dims, no affine, eps 1e-3") {
  const auto x = golden_in("layer_norm_2d", "x").as_float();
  expect_golden("layer_norm_2d", coil::layer_norm(x_ln, coil::dims(3_c, 16_c), coil::none, coil::none, 1e-3_c),
                coil::arg<"x">(x.data(), 4, 3, 16));
}

TEST_CASE("golden: rms_norm with weight and the default eps") {
  constexpr auto xr = coil::input<"x", float>(B, 32_c);
  constexpr auto w = coil::input<"w", float>(32_c);
  const auto x = golden_in("rms_norm", "x").as_float(), wv = golden_in("rms_norm", "w").as_float();
  expect_golden("rms_norm", coil::rms_norm(xr, 32_c, w), coil::arg<"x">(x.data(), 4, 32), coil::arg<"w">(wv.data(), 32));
}

TEST_CASE("golden: rms_norm without weight, eps 1e-6, over the last dim of [2, 3, 8]") {
  constexpr auto xr = coil::input<"x", float>(2_c, 3_c, 8_c);
  const auto x = golden_in("rms_norm_eps", "x").as_float();
  expect_golden("rms_norm_eps", coil::rms_norm(xr, coil::dims(8_c), coil::none, 1e-6_c), coil::arg<"x">(x.data(), 2, 3, 8));
}

TEST_CASE("golden: batch_norm inference on [N, C, H, W]") {
  constexpr auto xb = coil::input<"x", float>(coil::sym<"N">, 4_c, 5_c, 2_c);
  constexpr auto m = coil::input<"m", float>(4_c);
  constexpr auto v = coil::input<"v", float>(4_c);
  constexpr auto w = coil::input<"w", float>(4_c);
  constexpr auto b = coil::input<"b", float>(4_c);
  const auto& c = "batch_norm";
  const auto x = golden_in(c, "x").as_float(), mv = golden_in(c, "m").as_float(), vv = golden_in(c, "v").as_float(),
             wv = golden_in(c, "w").as_float(), bv = golden_in(c, "b").as_float();
  expect_golden(c, coil::batch_norm(xb, m, v, w, b, 1e-5_c), coil::arg<"x">(x.data(), 3, 4, 5, 2),
                coil::arg<"m">(mv.data(), 4), coil::arg<"v">(vv.data(), 4), coil::arg<"w">(wv.data(), 4),
                coil::arg<"b">(bv.data(), 4));
}

TEST_CASE("golden: group_norm, 3 groups of 2 channels") {
  constexpr auto xg = coil::input<"x", float>(B, 6_c, 5_c);
  constexpr auto w = coil::input<"w", float>(6_c);
  constexpr auto b = coil::input<"b", float>(6_c);
  const auto x = golden_in("group_norm", "x").as_float(), wv = golden_in("group_norm", "w").as_float(),
             bv = golden_in("group_norm", "b").as_float();
  expect_golden("group_norm", coil::group_norm(xg, 3_c, w, b), coil::arg<"x">(x.data(), 2, 6, 5),
                coil::arg<"w">(wv.data(), 6), coil::arg<"b">(bv.data(), 6));
}
