// A LLaMA-style decoder block as Meta's reference code writes it: RMSNorm, q/k/v
// projections, rotary embeddings on interleaved pairs (apply_rotary_emb), causal
// attention, output projection and a SwiGLU MLP, with residuals. Batch and sequence
// length are symbols; the rotary angle table is computed in the graph from the positions.
// examples/llama_block.cpp runs it; tests/unit/example_llama.cpp checks it against PyTorch.
#pragma once
#include <coil.hpp>

namespace examples {
using namespace coil::literals;

inline constexpr auto ll_B = coil::sym<"B">;
inline constexpr auto ll_S = coil::sym<"S">;

// [B, S, 16] -> [B, 2 heads, S, 8]
constexpr auto llama_heads(coil::expr auto t) {
  return coil::transpose<1, 2>(coil::reshape(t, ll_B, ll_S, 2_c, 8_c));
}

constexpr auto llama_block() {
  constexpr auto x = coil::input<"x", float>(ll_B, ll_S, 16_c);
  constexpr auto attn_norm = coil::input<"attn_norm", float>(16_c);
  constexpr auto wq = coil::input<"wq", float>(16_c, 16_c);
  constexpr auto wk = coil::input<"wk", float>(16_c, 16_c);
  constexpr auto wv = coil::input<"wv", float>(16_c, 16_c);
  constexpr auto wo = coil::input<"wo", float>(16_c, 16_c);
  constexpr auto ffn_norm = coil::input<"ffn_norm", float>(16_c);
  constexpr auto w1 = coil::input<"w1", float>(48_c, 16_c);
  constexpr auto w2 = coil::input<"w2", float>(16_c, 48_c);
  constexpr auto w3 = coil::input<"w3", float>(48_c, 16_c);

  // rotary tables [S, 4] in float64 from the positions 0 .. S-1, then float32
  const auto angles = coil::rope_angles<8>(coil::arange(ll_S), 10000.0_c);
  const auto cos_t = coil::cast<float>(coil::cos(angles));
  const auto sin_t = coil::cast<float>(coil::sin(angles));

  const auto h = coil::rms_norm(x, 16_c, attn_norm, 1e-6_c);
  const auto q = coil::apply_rotary_emb(llama_heads(coil::linear(h, wq)), cos_t, sin_t);
  const auto k = coil::apply_rotary_emb(llama_heads(coil::linear(h, wk)), cos_t, sin_t);
  const auto v = llama_heads(coil::linear(h, wv));
  const auto attn = coil::scaled_dot_product_attention<coil::causal>(q, k, v);
  const auto r = x + coil::linear(coil::reshape(coil::transpose<1, 2>(attn), ll_B, ll_S, 16_c), wo);
  const auto g = coil::rms_norm(r, 16_c, ffn_norm, 1e-6_c);
  return r + coil::linear(coil::silu(coil::linear(g, w1)) * coil::linear(g, w3), w2);
}

} // namespace examples
