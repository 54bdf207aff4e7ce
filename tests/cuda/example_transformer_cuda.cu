// examples/models/transformer_block.hpp compiled for coil::cuda against PyTorch (tests/golden): the
// pre-LN transformer block (symbolic batch and sequence, three sizes), with the case and tolerance of tests/unit/example_transformer.cpp and the inputs and
// output in device memory. One model per translation unit: nvcc's front end needs ~15 GB
// for the three models in one, too much beside a second job on a 24 GiB CI machine.
// Skips cleanly without a GPU.
#include <doctest/doctest.h>

#include <coil.hpp>

#include "../../examples/models/transformer_block.hpp"
#include "cuda/device_check.hpp"
#include "support/cuda_device.hpp"

using coil::testing::expect_device_matches_golden;
using coil::testing::golden_device_input;

namespace cases {
constexpr auto transformer = examples::transformer_block();
// nvcc needs the kernels' key types named (runtime/model.hpp, keyed_model).
struct transformer_gpu : coil::keyed_model<transformer_gpu, coil::cuda, decltype(transformer)> {};
} // namespace cases

namespace {
bool have_device() { return coil::testing::have_cuda_device("cuda_example_transformer_cuda"); }
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
