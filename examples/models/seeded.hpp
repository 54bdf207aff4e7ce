// Seeded normal values for the model examples' weights and inputs.
#pragma once
#include <cstddef>
#include <random>
#include <vector>

namespace examples {
inline std::vector<float> seeded(std::size_t n, unsigned seed, float scale, float offset = 0.0f) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (auto& e : v) e = offset + dist(gen);
  return v;
}
} // namespace examples
