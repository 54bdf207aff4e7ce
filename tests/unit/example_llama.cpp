// examples/models/llama_block.hpp against PyTorch (tests/golden, make_goldens.py's
// llama_block, written after Meta's reference model: RMSNorm, complex-pair rotary
// embeddings, causal attention, SwiGLU). CPU and reference backends.
#include <doctest/doctest.h>

#include "../../examples/models/llama_block.hpp"
#include "support/golden_check.hpp"

using coil::testing::expect_golden;
using coil::testing::golden_arg;

TEST_CASE("example: LLaMA block matches PyTorch") {
  constexpr const char* c = "llama_block";
  expect_golden(c, examples::llama_block(), golden_arg<"x", 3>(c), golden_arg<"attn_norm", 1>(c), golden_arg<"wq", 2>(c),
                golden_arg<"wk", 2>(c), golden_arg<"wv", 2>(c), golden_arg<"wo", 2>(c), golden_arg<"ffn_norm", 1>(c),
                golden_arg<"w1", 2>(c), golden_arg<"w2", 2>(c), golden_arg<"w3", 2>(c));
}
