// The model examples (examples/models/) compiled for coil::cuda against PyTorch
// (tests/golden): the cases and tolerance of tests/unit/example_*.cpp, with the inputs
// and the output in device memory. The transformer runs at three (batch, sequence) sizes
// bound at call time. Skips cleanly without a GPU.
#include <doctest/doctest.h>

#include <coil.hpp>

#include "../../examples/models/llama_block.hpp"
#include "../../examples/models/small_cnn.hpp"
#include "../../examples/models/transformer_block.hpp"
#include "cuda/device_check.hpp"
#include "support/cuda_device.hpp"

using coil::testing::expect_device_matches_golden;
using coil::testing::golden_device_input;

namespace cases {
constexpr auto transformer = examples::transformer_block();
constexpr auto cnn = examples::small_cnn();
constexpr auto llama = examples::llama_block();

// nvcc needs the kernels' key types named (runtime/model.hpp, keyed_model).
struct transformer_gpu : coil::keyed_model<transformer_gpu, coil::cuda, decltype(transformer)> {};
struct cnn_gpu : coil::keyed_model<cnn_gpu, coil::cuda, decltype(cnn)> {};
struct llama_gpu : coil::keyed_model<llama_gpu, coil::cuda, decltype(llama)> {};
} // namespace cases

namespace {
bool have_device() { return coil::testing::have_cuda_device("cuda_examples_cuda"); }
} // namespace

TEST_CASE("cuda example: pre-LN transformer block matches PyTorch at several batch and sequence sizes") {
  if (!have_device()) return;
  for (const char* c : {"transformer_2x5", "transformer_1x7", "transformer_3x1"}) {
    CAPTURE(c);
    expect_device_matches_golden<cases::transformer_gpu>(
        c, golden_device_input<"x", 3>(c), golden_device_input<"ln1_w", 1>(c), golden_device_input<"ln1_b", 1>(c),
        golden_device_input<"w_qkv", 2>(c), golden_device_input<"b_qkv", 1>(c), golden_device_input<"w_o", 2>(c),
        golden_device_input<"b_o", 1>(c), golden_device_input<"ln2_w", 1>(c), golden_device_input<"ln2_b", 1>(c),
        golden_device_input<"w_1", 2>(c), golden_device_input<"b_1", 1>(c), golden_device_input<"w_2", 2>(c),
        golden_device_input<"b_2", 1>(c));
  }
}

TEST_CASE("cuda example: small CNN matches PyTorch") {
  if (!have_device()) return;
  constexpr const char* c = "small_cnn";
  expect_device_matches_golden<cases::cnn_gpu>(
      c, golden_device_input<"x", 4>(c), golden_device_input<"c1_w", 4>(c), golden_device_input<"c1_b", 1>(c),
      golden_device_input<"bn1_mean", 1>(c), golden_device_input<"bn1_var", 1>(c), golden_device_input<"bn1_w", 1>(c),
      golden_device_input<"bn1_b", 1>(c), golden_device_input<"c2_w", 4>(c), golden_device_input<"c2_b", 1>(c),
      golden_device_input<"bn2_mean", 1>(c), golden_device_input<"bn2_var", 1>(c), golden_device_input<"bn2_w", 1>(c),
      golden_device_input<"bn2_b", 1>(c), golden_device_input<"fc_w", 2>(c), golden_device_input<"fc_b", 1>(c));
}

TEST_CASE("cuda example: LLaMA block matches PyTorch") {
  if (!have_device()) return;
  constexpr const char* c = "llama_block";
  expect_device_matches_golden<cases::llama_gpu>(
      c, golden_device_input<"x", 3>(c), golden_device_input<"attn_norm", 1>(c), golden_device_input<"wq", 2>(c),
      golden_device_input<"wk", 2>(c), golden_device_input<"wv", 2>(c), golden_device_input<"wo", 2>(c),
      golden_device_input<"ffn_norm", 1>(c), golden_device_input<"w1", 2>(c), golden_device_input<"w2", 2>(c),
      golden_device_input<"w3", 2>(c));
}
