// Buffers stored in a permuted layout give the same numbers as the reference.
#include <doctest/doctest.h>

#include "support/reference_check.hpp"

using namespace coil::literals;
using coil::testing::expect_matches_reference;
using coil::testing::random_values;

template <class M> constexpr int hint_node() {
  for (int i = 0; i < M::graph::size; ++i)
    if (M::graph::records[i].code == coil::op_code::realize_hint) return i;
  return -1;
}

TEST_CASE("a value read through a transpose is stored transposed, with the same results") {
  constexpr auto x = coil::input<"x", float>(coil::sym<"B">, 6_c);
  constexpr auto stored = coil::realize(coil::exp(x) * 0.5_c); // [B, 6]
  constexpr auto y = coil::transpose<0, 1>(stored) + 1_c;      // [6, B]
  using M = decltype(coil::compile<coil::cpu>(y));
  static_assert(M::plan.realized[hint_node<M>()] && M::plan.dim_order[hint_node<M>()][0] == 1);
  for (int n : {1, 4, 9}) {
    const auto xv = random_values<float>(n * 6, static_cast<std::uint32_t>(n));
    auto out = expect_matches_reference(y, coil::arg<"x">(xv.data(), n, 6));
    CHECK(out.extents == std::array<std::int64_t, 2>{6, n});
  }
}

TEST_CASE("a rank-3 value read through one permutation is stored in that order") {
  constexpr auto x = coil::input<"x", float>(2_c, 3_c, 4_c);
  constexpr auto stored = coil::realize(coil::tanh(x)); // [2, 3, 4]
  constexpr auto y = coil::permute<2, 0, 1>(stored) * 3_c; // [4, 2, 3]
  using M = decltype(coil::compile<coil::cpu>(y));
  constexpr int s = hint_node<M>();
  static_assert(M::plan.dim_order[s][0] == 2 && M::plan.dim_order[s][1] == 0 && M::plan.dim_order[s][2] == 1);
  const auto xv = random_values<float>(24, 3);
  expect_matches_reference(y, coil::arg<"x">(xv.data(), 2, 3, 4));
}
