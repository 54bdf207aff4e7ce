// Convolutions and pooling against PyTorch's goldens (CPU and reference backends):
// conv1d with stride, padding and dilation, grouped conv1d, conv2d with per-axis
// parameters, depthwise conv2d, each also through the other lowering (im2col + GEMM or
// direct, conv_algorithm); max_pool2d (NaN, padding, dilation), avg_pool2d (with and
// without counting the padding), adaptive_avg_pool2d (uneven, divisible and global).
#include <doctest/doctest.h>

#include "support/golden_check.hpp"

using namespace coil::literals;
using coil::testing::expect_golden;
using coil::testing::golden_arg;

namespace {
constexpr auto N = coil::sym<"N">;
}

TEST_CASE("golden: conv1d") {
  constexpr auto x = coil::input<"x", float>(N, 4_c, 11_c);
  constexpr auto w = coil::input<"w", float>(6_c, 4_c, 3_c);
  constexpr auto b = coil::input<"b", float>(6_c);
  expect_golden("conv1d", coil::conv1d<coil::conv1d_args{.stride = 2, .padding = 1, .dilation = 2}>(x, w, b),
                golden_arg<"x", 3>("conv1d"), golden_arg<"w", 3>("conv1d"), golden_arg<"b", 1>("conv1d"));
  constexpr auto xg = coil::input<"x", float>(1_c, 4_c, 9_c);
  constexpr auto wg = coil::input<"w", float>(6_c, 2_c, 4_c);
  expect_golden("conv1d_groups", coil::conv1d<coil::conv1d_args{.groups = 2}>(xg, wg), golden_arg<"x", 3>("conv1d_groups"),
                golden_arg<"w", 3>("conv1d_groups"));
  expect_golden("conv1d_groups", coil::conv1d<coil::conv1d_args{.groups = 2, .algorithm = coil::conv_algorithm::im2col}>(xg, wg),
                golden_arg<"x", 3>("conv1d_groups"), golden_arg<"w", 3>("conv1d_groups"));
}

TEST_CASE("golden: conv2d, and depthwise") {
  constexpr auto x = coil::input<"x", float>(N, 3_c, 7_c, 8_c);
  constexpr auto w = coil::input<"w", float>(4_c, 3_c, 3_c, 2_c);
  constexpr auto b = coil::input<"b", float>(4_c);
  constexpr coil::conv2d_args args{.stride = {2, 1}, .padding = {1, 2}, .dilation = {1, 2}};
  expect_golden("conv2d", coil::conv2d<args>(x, w, b), golden_arg<"x", 4>("conv2d"), golden_arg<"w", 4>("conv2d"),
                golden_arg<"b", 1>("conv2d"));
  // the same conv summed directly (the default takes im2col + GEMM here)
  constexpr coil::conv2d_args direct{.stride = {2, 1}, .padding = {1, 2}, .dilation = {1, 2}, .algorithm = coil::conv_algorithm::direct};
  expect_golden("conv2d", coil::conv2d<direct>(x, w, b), golden_arg<"x", 4>("conv2d"), golden_arg<"w", 4>("conv2d"),
                golden_arg<"b", 1>("conv2d"));
  constexpr auto xd = coil::input<"x", float>(N, 4_c, 6_c, 6_c);
  constexpr auto wd = coil::input<"w", float>(8_c, 1_c, 3_c, 3_c);
  constexpr auto bd = coil::input<"b", float>(8_c);
  expect_golden("conv2d_depthwise", coil::conv2d<coil::conv2d_args{.padding = {1, 1}, .groups = 4}>(xd, wd, bd),
                golden_arg<"x", 4>("conv2d_depthwise"), golden_arg<"w", 4>("conv2d_depthwise"),
                golden_arg<"b", 1>("conv2d_depthwise"));
  // depthwise through im2col + GEMM when asked: a [2, 9] x [9, 36] GEMM per (image, group)
  expect_golden("conv2d_depthwise",
                coil::conv2d<coil::conv2d_args{.padding = {1, 1}, .groups = 4, .algorithm = coil::conv_algorithm::im2col}>(xd, wd, bd),
                golden_arg<"x", 4>("conv2d_depthwise"), golden_arg<"w", 4>("conv2d_depthwise"),
                golden_arg<"b", 1>("conv2d_depthwise"));
}

TEST_CASE("golden: max_pool2d") {
  constexpr auto x = coil::input<"x", float>(N, 3_c, 7_c, 9_c);
  expect_golden("max_pool2d", coil::max_pool2d<2>(x), golden_arg<"x", 4>("max_pool2d"));
  constexpr auto xp = coil::input<"x", float>(1_c, 2_c, 8_c, 7_c);
  expect_golden("max_pool2d_pad", coil::max_pool2d<coil::pool2d_args{.kernel = {3, 3}, .stride = {2, 2}, .padding = {1, 1}}>(xp),
                golden_arg<"x", 4>("max_pool2d_pad"));
  constexpr auto xd = coil::input<"x", float>(2_c, 7_c, 9_c); // unbatched [C, H, W]
  expect_golden("max_pool2d_dilation",
                coil::max_pool2d<coil::pool2d_args{.kernel = {2, 3}, .stride = {1, 2}, .dilation = {2, 1}}>(xd),
                golden_arg<"x", 3>("max_pool2d_dilation"));
}

TEST_CASE("golden: avg_pool2d") {
  constexpr auto x = coil::input<"x", float>(N, 3_c, 6_c, 9_c);
  expect_golden("avg_pool2d", coil::avg_pool2d<coil::pool2d_args{.kernel = {2, 3}}>(x), golden_arg<"x", 4>("avg_pool2d"));
  constexpr auto xp = coil::input<"x", float>(1_c, 2_c, 7_c, 8_c);
  constexpr coil::pool2d_args padded{.kernel = {3, 3}, .stride = {2, 2}, .padding = {1, 1}};
  expect_golden("avg_pool2d_pad", coil::avg_pool2d<padded>(xp), golden_arg<"x", 4>("avg_pool2d_pad"));
  constexpr coil::pool2d_args exclude{.kernel = {3, 3}, .stride = {2, 2}, .padding = {1, 1}, .count_include_pad = false};
  expect_golden("avg_pool2d_exclude_pad", coil::avg_pool2d<exclude>(xp), golden_arg<"x", 4>("avg_pool2d_exclude_pad"));
}

TEST_CASE("golden: adaptive_avg_pool2d") {
  constexpr auto x = coil::input<"x", float>(N, 3_c, 7_c, 10_c);
  expect_golden("adaptive_avg_pool2d", coil::adaptive_avg_pool2d<3, 4>(x), golden_arg<"x", 4>("adaptive_avg_pool2d"));
  constexpr auto xd = coil::input<"x", float>(N, 3_c, 6_c, 9_c);
  expect_golden("adaptive_avg_pool2d_div", coil::adaptive_avg_pool2d<2, 3>(xd), golden_arg<"x", 4>("adaptive_avg_pool2d_div"));
  constexpr auto x1 = coil::input<"x", float>(N, 3_c, coil::sym<"H">, coil::sym<"W">);
  expect_golden("adaptive_avg_pool2d_1", coil::adaptive_avg_pool2d<1>(x1), golden_arg<"x", 4>("adaptive_avg_pool2d_1"));
}
