// A small CNN classifier: two conv + batch_norm (inference) + relu stages with a 2x2 max
// pool between them, global average pooling and a linear head, as PyTorch code writes it.
// The batch is a symbol. examples/small_cnn.cpp runs it; tests/unit/example_cnn.cpp checks
// it against PyTorch.
#pragma once
#include <coil.hpp>

namespace examples {
using namespace coil::literals;

inline constexpr auto cnn_N = coil::sym<"N">;

constexpr auto conv_bn_relu(coil::expr auto x, coil::expr auto w, coil::expr auto b, coil::expr auto mean,
                            coil::expr auto var, coil::expr auto gamma, coil::expr auto beta) {
  return coil::relu(coil::batch_norm(coil::conv2d<coil::conv2d_args{.padding = {1, 1}}>(x, w, b), mean, var, gamma, beta));
}

constexpr auto small_cnn() {
  constexpr auto x = coil::input<"x", float>(cnn_N, 3_c, 12_c, 12_c);
  constexpr auto c1_w = coil::input<"c1_w", float>(8_c, 3_c, 3_c, 3_c);
  constexpr auto c1_b = coil::input<"c1_b", float>(8_c);
  constexpr auto bn1_mean = coil::input<"bn1_mean", float>(8_c);
  constexpr auto bn1_var = coil::input<"bn1_var", float>(8_c);
  constexpr auto bn1_w = coil::input<"bn1_w", float>(8_c);
  constexpr auto bn1_b = coil::input<"bn1_b", float>(8_c);
  constexpr auto c2_w = coil::input<"c2_w", float>(16_c, 8_c, 3_c, 3_c);
  constexpr auto c2_b = coil::input<"c2_b", float>(16_c);
  constexpr auto bn2_mean = coil::input<"bn2_mean", float>(16_c);
  constexpr auto bn2_var = coil::input<"bn2_var", float>(16_c);
  constexpr auto bn2_w = coil::input<"bn2_w", float>(16_c);
  constexpr auto bn2_b = coil::input<"bn2_b", float>(16_c);
  constexpr auto fc_w = coil::input<"fc_w", float>(10_c, 16_c);
  constexpr auto fc_b = coil::input<"fc_b", float>(10_c);

  const auto a = coil::max_pool2d<2>(conv_bn_relu(x, c1_w, c1_b, bn1_mean, bn1_var, bn1_w, bn1_b)); // [N, 8, 6, 6]
  const auto b = conv_bn_relu(a, c2_w, c2_b, bn2_mean, bn2_var, bn2_w, bn2_b);                    // [N, 16, 6, 6]
  return coil::linear(coil::flatten<1>(coil::adaptive_avg_pool2d<1>(b)), fc_w, fc_b);            // [N, 10]
}

} // namespace examples
