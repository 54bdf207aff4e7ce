// examples/models/llama_block.hpp compiled for coil::cuda against PyTorch (tests/golden): the
// LLaMA block, with the case and tolerance of tests/unit/example_llama.cpp and the inputs and
// output in device memory. One model per translation unit: nvcc's front end needs ~15 GB
// for the three models in one, too much beside a second job on a 24 GiB CI machine.
// Skips cleanly without a GPU.
#include <doctest/doctest.h>

#include <coil.hpp>

#include "../../examples/models/llama_block.hpp"
#include "cuda/device_check.hpp"
#include "support/cuda_device.hpp"

using coil::testing::expect_device_matches_golden;
using coil::testing::golden_device_input;

namespace cases {
constexpr auto llama = examples::llama_block();
// nvcc needs the kernels' key types named (runtime/model.hpp, keyed_model).
struct llama_gpu : coil::keyed_model<llama_gpu, coil::cuda, decltype(llama)> {};
} // namespace cases

namespace {
bool have_device() { return coil::testing::have_cuda_device("cuda_example_llama_cuda"); }
} // namespace

TEST_CASE("cuda example: LLaMA block matches PyTorch") {
  if (!have_device()) return;
  constexpr const char* c = "llama_block";
  expect_device_matches_golden<cases::llama_gpu>(
      c, golden_device_input<"x", 3>(c), golden_device_input<"attn_norm", 1>(c), golden_device_input<"wq", 2>(c),
      golden_device_input<"wk", 2>(c), golden_device_input<"wv", 2>(c), golden_device_input<"wo", 2>(c),
      golden_device_input<"ffn_norm", 1>(c), golden_device_input<"w1", 2>(c), golden_device_input<"w2", 2>(c),
      golden_device_input<"w3", 2>(c));
}
