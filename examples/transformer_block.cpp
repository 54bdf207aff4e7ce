// Runs examples/models/transformer_block.hpp (pre-LN block, causal attention) for two
// (batch, sequence) sizes from one compiled model, prints the kernel plan and the max
// error against the reference backend.
#include <fmt/format.h>

#include <cmath>
#include <vector>

#include "models/transformer_block.hpp"
#include "models/seeded.hpp"

using examples::seeded;

int main() {
  constexpr auto y = examples::transformer_block();
  auto model = coil::compile<coil::cpu>(y);
  auto oracle = coil::compile<coil::reference>(y);
  const auto ln1_w = seeded(16, 1, 0.1f, 1.0f), ln1_b = seeded(16, 2, 0.1f), w_qkv = seeded(48 * 16, 3, 0.25f),
             b_qkv = seeded(48, 4, 0.1f), w_o = seeded(256, 5, 0.25f), b_o = seeded(16, 6, 0.1f),
             ln2_w = seeded(16, 7, 0.1f, 1.0f), ln2_b = seeded(16, 8, 0.1f), w_1 = seeded(64 * 16, 9, 0.25f),
             b_1 = seeded(64, 10, 0.1f), w_2 = seeded(16 * 64, 11, 0.125f), b_2 = seeded(16, 12, 0.1f);
  double max_err = 0;
  for (auto [batch, seq] : {std::pair{2, 5}, std::pair{3, 9}}) {
    const auto x = seeded(static_cast<std::size_t>(batch * seq * 16), 13, 1.0f);
    auto run = [&](auto& m) {
      return m(coil::arg<"x">(x.data(), batch, seq, 16), coil::arg<"ln1_w">(ln1_w.data(), 16),
               coil::arg<"ln1_b">(ln1_b.data(), 16), coil::arg<"w_qkv">(w_qkv.data(), 48, 16),
               coil::arg<"b_qkv">(b_qkv.data(), 48), coil::arg<"w_o">(w_o.data(), 16, 16), coil::arg<"b_o">(b_o.data(), 16),
               coil::arg<"ln2_w">(ln2_w.data(), 16), coil::arg<"ln2_b">(ln2_b.data(), 16),
               coil::arg<"w_1">(w_1.data(), 64, 16), coil::arg<"b_1">(b_1.data(), 64), coil::arg<"w_2">(w_2.data(), 16, 64),
               coil::arg<"b_2">(b_2.data(), 16));
    };
    const auto out = run(model), ref = run(oracle);
    for (std::int64_t i = 0; i < out.size(); ++i)
      max_err = std::fmax(max_err, std::fabs(static_cast<double>(out.data()[i]) - static_cast<double>(ref.data()[i])));
    fmt::print("transformer block, batch {} x sequence {}: y[0, 0, :4] = {:.4f} {:.4f} {:.4f} {:.4f}\n", batch, seq,
               out(0, 0, 0), out(0, 0, 1), out(0, 0, 2), out(0, 0, 3));
  }
  fmt::print("\n{}\n", coil::explain(model));
  fmt::print("max abs error vs reference backend: {:.3g} ({})\n", max_err, max_err < 1e-4 ? "ok" : "TOO LARGE");
  return max_err < 1e-4 ? 0 : 1;
}
