// The op families with a symbolic batch dim B, on the CPU backend against the reference,
// at B = 1 (a size-1 symbol that must not be taken for a broadcast), 3 and 17 (not a
// multiple of any vector width). The same expressions with static dims are covered by
// the per-family tests; here every extent the kernels use is bound at call time.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "support/reference_check.hpp"

using namespace coil::literals;
using coil::testing::expect_matches_reference;
using coil::testing::random_values;

namespace {

constexpr auto B = coil::sym<"B">;
constexpr auto x = coil::input<"x", float>(B, 7_c);
constexpr auto v = coil::input<"v", float>(7_c);
constexpr auto w = coil::input<"w", float>(7_c, 5_c);
constexpr auto k = coil::input<"k", std::int32_t>(B, 7_c);

constexpr std::int64_t sizes[] = {1, 3, 17};

// Runs `check(rows, xa, va, wa, ka)` for every batch size with fresh seeded inputs.
template <class F> void for_each_batch(F check) {
  for (std::int64_t rows : sizes) {
    CAPTURE(rows);
    const auto seed = static_cast<std::uint32_t>(rows);
    const std::vector<float> xs = random_values<float>(rows * 7, seed), vs = random_values<float>(7, seed + 1),
                             ws = random_values<float>(35, seed + 2);
    const std::vector<std::int32_t> ks = random_values<std::int32_t>(rows * 7, seed + 3, -5, 5);
    check(coil::arg<"x">(xs.data(), rows, 7), coil::arg<"v">(vs.data(), 7), coil::arg<"w">(ws.data(), 7, 5),
          coil::arg<"k">(ks.data(), rows, 7), rows);
  }
}

TEST_CASE("symbolic batch: pointwise math, broadcasting, promotion") {
  for_each_batch([](auto xa, auto va, auto, auto ka, std::int64_t) {
    expect_matches_reference(coil::tanh(x * v + 0.5_c) - coil::exp(-coil::abs(x)), xa, va);
    expect_matches_reference(coil::where(x > v, x, v * 2_c), xa, va);
    expect_matches_reference(x + k, xa, ka);                  // int32 promotes to float
    expect_matches_reference(coil::maximum(k, 0_c) * 3_c, ka); // stays int32
  });
}

TEST_CASE("symbolic batch: reductions over the symbolic and the static axis") {
  for_each_batch([](auto xa, auto, auto, auto ka, std::int64_t) {
    expect_matches_reference(coil::sum(x, -1_c), xa);
    expect_matches_reference(coil::mean(x, 0_c, coil::keepdim), xa);
    expect_matches_reference(coil::amax(x, 0_c), xa);
    expect_matches_reference(x - coil::mean(x, -1_c, coil::keepdim), xa);
    expect_matches_reference(coil::sum(k), ka);
    expect_matches_reference(coil::argmax(x, 1_c), xa);
  });
}

TEST_CASE("symbolic batch: views, cat and matmul") {
  for_each_batch([](auto xa, auto, auto wa, auto, std::int64_t) {
    expect_matches_reference(coil::transpose<0, 1>(x) * 2_c, xa);
    expect_matches_reference(coil::flatten(x) + 1_c, xa);
    expect_matches_reference(coil::unsqueeze<1>(x) - 1_c, xa);
    expect_matches_reference(coil::cat<0>(x, x * 2_c), xa);
    expect_matches_reference(coil::matmul(x, w), xa, wa);
    expect_matches_reference(coil::relu(coil::matmul(x, w)) + 1_c, xa, wa);
  });
}

TEST_CASE("symbolic batch: composite ops") {
  for_each_batch([](auto xa, auto va, auto, auto, std::int64_t) {
    expect_matches_reference(coil::softmax(x, -1_c), xa);
    expect_matches_reference(coil::log_softmax(x, 0_c), xa);
    expect_matches_reference(coil::layer_norm(x, 7_c, v, v, 1e-5_c), xa, va);
    expect_matches_reference(coil::gelu(x), xa);
  });
}

} // namespace
