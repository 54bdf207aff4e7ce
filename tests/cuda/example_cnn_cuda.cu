// examples/models/small_cnn.hpp compiled for coil::cuda against PyTorch (tests/golden): the
// small CNN, with the case and tolerance of tests/unit/example_cnn.cpp and the inputs and
// output in device memory. One model per translation unit: nvcc's front end needs ~15 GB
// for the three models in one, too much beside a second job on a 24 GiB CI machine.
// Skips cleanly without a GPU.
#include <doctest/doctest.h>

#include <coil.hpp>

#include "../../examples/models/small_cnn.hpp"
#include "cuda/device_check.hpp"
#include "support/cuda_device.hpp"

using coil::testing::expect_device_matches_golden;
using coil::testing::golden_device_input;

namespace cases {
constexpr auto cnn = examples::small_cnn();
// nvcc needs the kernels' key types named (runtime/model.hpp, keyed_model).
struct cnn_gpu : coil::keyed_model<cnn_gpu, coil::cuda, decltype(cnn)> {};
} // namespace cases

namespace {
bool have_device() { return coil::testing::have_cuda_device("cuda_example_cnn_cuda"); }
} // namespace

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
