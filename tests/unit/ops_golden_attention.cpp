// scaled_dot_product_attention and rotary embeddings against PyTorch's goldens (CPU and
// reference backends): no mask, is_causal, a boolean mask with a row that sees no key, an
// additive mask with an explicit scale; Meta's interleaved rotation with the angle table
// computed in the graph, and Hugging Face's half rotation with tables as inputs.
#include <doctest/doctest.h>

#include "support/golden_check.hpp"

using namespace coil::literals;
using coil::testing::expect_golden;
using coil::testing::golden_arg;

namespace {
constexpr auto B = coil::sym<"B">;
constexpr auto q = coil::input<"q", float>(B, 3_c, 5_c, 8_c);
constexpr auto k = coil::input<"k", float>(B, 3_c, 6_c, 8_c);
constexpr auto v = coil::input<"v", float>(B, 3_c, 6_c, 4_c);
template <class... A> void qkv_golden(const char* c, coil::expr auto e, const A&... more) {
  expect_golden(c, e, golden_arg<"q", 4>(c), golden_arg<"k", 4>(c), golden_arg<"v", 4>(c), more...);
}
} // namespace

TEST_CASE("golden: scaled_dot_product_attention") {
  qkv_golden("sdpa", coil::scaled_dot_product_attention(q, k, v));
  qkv_golden("sdpa_causal", coil::scaled_dot_product_attention<coil::causal>(q, k, v));
  constexpr auto bm = coil::input<"m", bool>(5_c, 6_c);
  qkv_golden("sdpa_bool_mask", coil::scaled_dot_product_attention(q, k, v, bm), golden_arg<"m", 2, bool>("sdpa_bool_mask"));
  constexpr auto fm = coil::input<"m", float>(5_c, 6_c);
  qkv_golden("sdpa_float_mask_scale", coil::scaled_dot_product_attention(q, k, v, fm, 0.3_c),
             golden_arg<"m", 2>("sdpa_float_mask_scale"));
}

TEST_CASE("golden: rotary embeddings") {
  constexpr auto S = coil::sym<"S">;
  constexpr auto x = coil::input<"x", float>(B, S, 8_c);
  const auto angles = coil::rope_angles<8>(coil::arange(S), 10000.0_c);
  expect_golden("rope_interleaved",
                coil::apply_rotary_emb(x, coil::cast<float>(coil::cos(angles)), coil::cast<float>(coil::sin(angles))),
                golden_arg<"x", 3>("rope_interleaved"));
  constexpr auto c = coil::input<"c", float>(S, 8_c);
  constexpr auto s = coil::input<"s", float>(S, 8_c);
  expect_golden("rope_half", coil::apply_rotary_pos_emb(x, c, s), golden_arg<"x", 3>("rope_half"),
                golden_arg<"c", 2>("rope_half"), golden_arg<"s", 2>("rope_half"));
}
