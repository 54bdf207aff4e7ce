// The main demo: an MLP 784-128-10 with ReLU and log_softmax, batch 4, seeded random
// weights. Prints the output, the plan, and the max error against the reference backend.
#include <coil.hpp>

#include <fmt/format.h>

#include <cmath>
#include <random>
#include <vector>

using namespace coil::literals;

constexpr auto B = coil::sym<"B">; // batch: known only at call time
constexpr auto x = coil::input<"x", float>(B, 784_c);
constexpr auto W1 = coil::input<"W1", float>(784_c, 128_c);
constexpr auto b1 = coil::input<"b1", float>(128_c);
constexpr auto W2 = coil::input<"W2", float>(128_c, 10_c);
constexpr auto b2 = coil::input<"b2", float>(10_c);

// log_softmax over the last dim, written with primitives: z - max - log(sum(exp(z - max)))
constexpr auto log_softmax_last(coil::expr auto z) {
  auto shifted = z - coil::amax<-1>(z, coil::keepdim); // [B, 10]
  return shifted - coil::log(coil::sum<-1>(coil::exp(shifted), coil::keepdim));
}

constexpr auto hidden = coil::relu(coil::matmul(x, W1) + b1); // [B, 128]
constexpr auto y = log_softmax_last(coil::matmul(hidden, W2) + b2); // [B, 10]

std::vector<float> seeded(std::size_t n, unsigned seed, float scale) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (auto& e : v) e = dist(gen);
  return v;
}

int main() {
  auto model = coil::compile<coil::cpu>(y);         // everything decided here, at compile time
  auto oracle = coil::compile<coil::reference>(y);  // unfused, double precision
  // two GEMMs, the bias + relu that feeds the second GEMM, and log_softmax with the
  // second bias as ONE row kernel (max, sum of exp and the output per row)
  static_assert(decltype(model)::plan.kernel_count == 4);

  const int batch = 4;
  auto xs = seeded(batch * 784, 1, 1.0f);
  auto w1 = seeded(784 * 128, 2, 1.0f / 28.0f), bias1 = seeded(128, 3, 0.1f);
  auto w2 = seeded(128 * 10, 4, 1.0f / 11.3f), bias2 = seeded(10, 5, 0.1f);

  auto args = [&](auto& m) {
    return m(coil::arg<"x">(xs.data(), batch, 784), coil::arg<"W1">(w1.data(), 784, 128), coil::arg<"b1">(bias1.data(), 128),
             coil::arg<"W2">(w2.data(), 128, 10), coil::arg<"b2">(bias2.data(), 10));
  };
  auto out = args(model);
  auto ref = args(oracle);

  fmt::print("log_softmax(MLP 784-128-10) for batch {}:\n", batch);
  double max_err = 0;
  for (int i = 0; i < batch; ++i) {
    fmt::print("  row {}:", i);
    for (int j = 0; j < 10; ++j) {
      fmt::print(" {:8.4f}", out(i, j));
      max_err = std::fmax(max_err, std::fabs(static_cast<double>(out(i, j)) - static_cast<double>(ref(i, j))));
    }
    fmt::print("\n");
  }
  fmt::print("\n{}\n", coil::explain(model));
  fmt::print("max abs error vs reference backend: {:.3g} ({})\n", max_err, max_err < 1e-5 ? "ok" : "TOO LARGE");
  return max_err < 1e-5 ? 0 : 1;
}
