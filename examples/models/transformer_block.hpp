// A pre-LN transformer encoder block with a causal mask, as PyTorch code writes it:
//   h = x + out_proj(sdpa(split_heads(qkv_proj(layer_norm(x))), is_causal=True))
//   y = h + fc2(gelu_tanh(fc1(layer_norm(h))))
// Batch and sequence length are symbols (bound at call time); the width D, the head count
// and the MLP width are static. examples/transformer_block.cpp runs it;
// tests/unit/example_transformer.cpp checks it against PyTorch at several (B, S).
#pragma once
#include <coil.hpp>

#include <tuple>

namespace examples {
using namespace coil::literals;

// The static widths: model width D, heads x head width, the fused q/k/v width 3 D, the MLP.
inline constexpr auto tb_D = 16_c;
inline constexpr auto tb_heads = 4_c;
inline constexpr auto tb_head_dim = 4_c;
inline constexpr auto tb_qkv = 48_c;
inline constexpr auto tb_mlp = 64_c;
static_assert(decltype(tb_heads)::int_value * decltype(tb_head_dim)::int_value == decltype(tb_D)::int_value &&
              decltype(tb_qkv)::int_value == 3 * decltype(tb_D)::int_value);

inline constexpr auto tb_B = coil::sym<"B">;
inline constexpr auto tb_S = coil::sym<"S">;

// [B, S, D] -> [B, heads, S, head_dim]
constexpr auto split_heads(coil::expr auto t) {
  return coil::transpose<1, 2>(coil::reshape(t, tb_B, tb_S, tb_heads, tb_head_dim));
}

constexpr auto transformer_block() {
  constexpr auto x = coil::input<"x", float>(tb_B, tb_S, tb_D);
  constexpr auto ln1_w = coil::input<"ln1_w", float>(tb_D);
  constexpr auto ln1_b = coil::input<"ln1_b", float>(tb_D);
  constexpr auto w_qkv = coil::input<"w_qkv", float>(tb_qkv, tb_D);
  constexpr auto b_qkv = coil::input<"b_qkv", float>(tb_qkv);
  constexpr auto w_o = coil::input<"w_o", float>(tb_D, tb_D);
  constexpr auto b_o = coil::input<"b_o", float>(tb_D);
  constexpr auto ln2_w = coil::input<"ln2_w", float>(tb_D);
  constexpr auto ln2_b = coil::input<"ln2_b", float>(tb_D);
  constexpr auto w_1 = coil::input<"w_1", float>(tb_mlp, tb_D);
  constexpr auto b_1 = coil::input<"b_1", float>(tb_mlp);
  constexpr auto w_2 = coil::input<"w_2", float>(tb_D, tb_mlp);
  constexpr auto b_2 = coil::input<"b_2", float>(tb_D);

  const auto qkv = coil::linear(coil::layer_norm(x, tb_D, ln1_w, ln1_b), w_qkv, b_qkv); // [B, S, 48]
  const auto [q, k, v] = coil::split<decltype(tb_D)::int_value, -1>(qkv);
  const auto attn = coil::scaled_dot_product_attention<coil::causal>(split_heads(q), split_heads(k), split_heads(v));
  const auto merged = coil::reshape(coil::transpose<1, 2>(attn), tb_B, tb_S, tb_D); // [B, S, D]
  const auto h = x + coil::linear(merged, w_o, b_o);
  const auto mlp = coil::linear(coil::gelu<"tanh">(coil::linear(coil::layer_norm(h, tb_D, ln2_w, ln2_b), w_1, b_1)), w_2, b_2);
  return h + mlp;
}

} // namespace examples
