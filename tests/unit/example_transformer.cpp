// examples/models/transformer_block.hpp against PyTorch (tests/golden, make_goldens.py's
// transformer_block) at three (batch, sequence) sizes from one compiled model: the batch
// and sequence length are symbols bound at each call. CPU and reference backends.
#include <doctest/doctest.h>

#include <string>

#include "../../examples/models/transformer_block.hpp"
#include "support/golden_check.hpp"

using coil::testing::expect_golden;
using coil::testing::golden_arg;

TEST_CASE("example: pre-LN transformer block matches PyTorch at several batch and sequence sizes") {
  constexpr auto y = examples::transformer_block();
  for (const char* c : {"transformer_2x5", "transformer_1x7", "transformer_3x1"}) {
    CAPTURE(c);
    expect_golden(c, y, golden_arg<"x", 3>(c), golden_arg<"ln1_w", 1>(c), golden_arg<"ln1_b", 1>(c),
                  golden_arg<"w_qkv", 2>(c), golden_arg<"b_qkv", 1>(c), golden_arg<"w_o", 2>(c), golden_arg<"b_o", 1>(c),
                  golden_arg<"ln2_w", 1>(c), golden_arg<"ln2_b", 1>(c), golden_arg<"w_1", 2>(c), golden_arg<"b_1", 1>(c),
                  golden_arg<"w_2", 2>(c), golden_arg<"b_2", 1>(c));
  }
}
