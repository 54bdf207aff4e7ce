// Runs examples/models/small_cnn.hpp (conv + batch_norm + relu, max pool, global average
// pool, linear) on a seeded batch, prints the logits, the kernel plan and the max error
// against the reference backend.
#include <fmt/format.h>

#include <cmath>
#include <vector>

#include "models/small_cnn.hpp"
#include "models/seeded.hpp"

using examples::seeded;

int main() {
  constexpr auto y = examples::small_cnn();
  auto model = coil::compile<coil::cpu>(y);
  auto oracle = coil::compile<coil::reference>(y);
  const int batch = 3;
  const auto x = seeded(batch * 3 * 12 * 12, 1, 1.0f), c1_w = seeded(8 * 27, 2, 0.3f), c1_b = seeded(8, 3, 0.1f),
             m1 = seeded(8, 4, 0.1f), v1 = seeded(8, 5, 0.1f, 1.0f), g1 = seeded(8, 6, 0.1f, 1.0f), b1 = seeded(8, 7, 0.1f),
             c2_w = seeded(16 * 72, 8, 0.2f), c2_b = seeded(16, 9, 0.1f), m2 = seeded(16, 10, 0.1f),
             v2 = seeded(16, 11, 0.1f, 1.0f), g2 = seeded(16, 12, 0.1f, 1.0f), b2 = seeded(16, 13, 0.1f),
             fc_w = seeded(160, 14, 0.3f), fc_b = seeded(10, 15, 0.1f);
  auto run = [&](auto& m) {
    return m(coil::arg<"x">(x.data(), batch, 3, 12, 12), coil::arg<"c1_w">(c1_w.data(), 8, 3, 3, 3),
             coil::arg<"c1_b">(c1_b.data(), 8), coil::arg<"bn1_mean">(m1.data(), 8), coil::arg<"bn1_var">(v1.data(), 8),
             coil::arg<"bn1_w">(g1.data(), 8), coil::arg<"bn1_b">(b1.data(), 8), coil::arg<"c2_w">(c2_w.data(), 16, 8, 3, 3),
             coil::arg<"c2_b">(c2_b.data(), 16), coil::arg<"bn2_mean">(m2.data(), 16), coil::arg<"bn2_var">(v2.data(), 16),
             coil::arg<"bn2_w">(g2.data(), 16), coil::arg<"bn2_b">(b2.data(), 16), coil::arg<"fc_w">(fc_w.data(), 10, 16),
             coil::arg<"fc_b">(fc_b.data(), 10));
  };
  const auto out = run(model), ref = run(oracle);
  double max_err = 0;
  for (int i = 0; i < batch; ++i) {
    fmt::print("  logits {}:", i);
    for (int j = 0; j < 10; ++j) {
      fmt::print(" {:7.3f}", out(i, j));
      max_err = std::fmax(max_err, std::fabs(static_cast<double>(out(i, j)) - static_cast<double>(ref(i, j))));
    }
    fmt::print("\n");
  }
  fmt::print("\n{}\n", coil::explain(model));
  fmt::print("max abs error vs reference backend: {:.3g} ({})\n", max_err, max_err < 1e-4 ? "ok" : "TOO LARGE");
  return max_err < 1e-4 ? 0 : 1;
}
