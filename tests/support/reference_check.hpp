// Test support: run one expression on a backend under test and on the reference
// backend (the oracle) with the same inputs, and compare every element.
#pragma once
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <coil.hpp>

namespace coil::testing {

// Seeded values in [lo, hi] (integers: inclusive range; bool: coin flips).
template <class T> std::vector<T> random_values(std::int64_t n, std::uint32_t seed, double lo = -2.0, double hi = 2.0) {
  std::mt19937 gen(seed);
  std::vector<T> v(static_cast<std::size_t>(n));
  for (auto&& x : v) { // auto&&: vector<bool> yields proxies
    if constexpr (std::is_same_v<T, bool>) x = std::uniform_int_distribution<int>(0, 1)(gen) != 0;
    else if constexpr (std::is_integral_v<T>) x = static_cast<T>(std::uniform_int_distribution<std::int64_t>(static_cast<std::int64_t>(lo), static_cast<std::int64_t>(hi))(gen));
    else x = static_cast<T>(std::uniform_real_distribution<double>(lo, hi)(gen));
  }
  return v;
}

// Equal within rtol/atol; NaN equals NaN, infinities must match exactly.
template <class T> bool close(T got, T want, double rtol, double atol) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(want)) return std::isnan(got);
    if (std::isinf(want) || std::isinf(got)) return got == want;
    return std::fabs(static_cast<double>(got) - static_cast<double>(want)) <= atol + rtol * std::fabs(static_cast<double>(want));
  } else {
    return got == want;
  }
}

// Default tolerance per element type: fp32 paths to 1e-5 relative, exact for integers.
template <class T> constexpr double default_rtol() { return std::is_same_v<T, float> ? 1e-5 : 1e-12; }

template <class T, int Rank>
void expect_tensors_close(const tensor<T, Rank>& got, const tensor<T, Rank>& want, double rtol, double atol) {
  REQUIRE(got.extents == want.extents);
  int reported = 0;
  for (std::int64_t i = 0; i < want.size(); ++i) {
    const T g = got.data()[i], w = want.data()[i];
    if (!close(g, w, rtol, atol)) {
      if (reported++ < 5) {
        std::ostringstream os;
        os << "element " << i << ": got " << +g << ", reference " << +w;
        FAIL_CHECK(os.str());
      }
    }
  }
  CHECK(reported == 0);
}

// Compiles `expr` for Backend and for the reference, calls both with args, and checks
// that outputs agree. Returns the backend's output for further checks.
template <class Backend = cpu, class E, class... Args> auto expect_matches_reference(E expr, const Args&... args) {
  auto model = compile<Backend>(expr);
  auto oracle = compile<reference>(expr);
  auto got = model(args...);
  auto want = oracle(args...);
  using T = typename decltype(got)::element_type;
  expect_tensors_close(got, want, default_rtol<T>(), std::is_same_v<T, float> ? 1e-6 : 1e-12);
  return got;
}

} // namespace coil::testing
