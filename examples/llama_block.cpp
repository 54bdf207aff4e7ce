// Runs examples/models/llama_block.hpp (RMSNorm, rotary embeddings, causal attention,
// SwiGLU) for a seeded batch, prints part of the output, the kernel plan and the max
// error against the reference backend.
#include <fmt/format.h>

#include <cmath>
#include <vector>

#include "models/llama_block.hpp"
#include "models/seeded.hpp"

using examples::seeded;

int main() {
  constexpr auto y = examples::llama_block();
  auto model = coil::compile<coil::cpu>(y);
  auto oracle = coil::compile<coil::reference>(y);
  const int batch = 2, seq = 6;
  const auto x = seeded(batch * seq * 16, 1, 1.0f), an = seeded(16, 2, 0.1f, 1.0f), wq = seeded(256, 3, 0.25f),
             wk = seeded(256, 4, 0.25f), wv = seeded(256, 5, 0.25f), wo = seeded(256, 6, 0.25f),
             fn = seeded(16, 7, 0.1f, 1.0f), w1 = seeded(48 * 16, 8, 0.25f), w2 = seeded(16 * 48, 9, 0.15f),
             w3 = seeded(48 * 16, 10, 0.25f);
  auto run = [&](auto& m) {
    return m(coil::arg<"x">(x.data(), batch, seq, 16), coil::arg<"attn_norm">(an.data(), 16),
             coil::arg<"wq">(wq.data(), 16, 16), coil::arg<"wk">(wk.data(), 16, 16), coil::arg<"wv">(wv.data(), 16, 16),
             coil::arg<"wo">(wo.data(), 16, 16), coil::arg<"ffn_norm">(fn.data(), 16), coil::arg<"w1">(w1.data(), 48, 16),
             coil::arg<"w2">(w2.data(), 16, 48), coil::arg<"w3">(w3.data(), 48, 16));
  };
  const auto out = run(model), ref = run(oracle);
  double max_err = 0;
  for (std::int64_t i = 0; i < out.size(); ++i)
    max_err = std::fmax(max_err, std::fabs(static_cast<double>(out.data()[i]) - static_cast<double>(ref.data()[i])));
  fmt::print("LLaMA block, batch {} x sequence {}: y[1, 5, :4] = {:.4f} {:.4f} {:.4f} {:.4f}\n", batch, seq, out(1, 5, 0),
             out(1, 5, 1), out(1, 5, 2), out(1, 5, 3));
  fmt::print("\n{}\n", coil::explain(model));
  fmt::print("max abs error vs reference backend: {:.3g} ({})\n", max_err, max_err < 1e-4 ? "ok" : "TOO LARGE");
  return max_err < 1e-4 ? 0 : 1;
}
