// examples/models/small_cnn.hpp against PyTorch (tests/golden, make_goldens.py's
// small_cnn): conv + batch_norm + relu, max pool, conv + batch_norm + relu, global average
// pool, linear. CPU and reference backends.
#include <doctest/doctest.h>

#include "../../examples/models/small_cnn.hpp"
#include "support/golden_check.hpp"

using coil::testing::expect_golden;
using coil::testing::golden_arg;

TEST_CASE("example: small CNN matches PyTorch") {
  constexpr const char* c = "small_cnn";
  expect_golden(c, examples::small_cnn(), golden_arg<"x", 4>(c), golden_arg<"c1_w", 4>(c), golden_arg<"c1_b", 1>(c),
                golden_arg<"bn1_mean", 1>(c), golden_arg<"bn1_var", 1>(c), golden_arg<"bn1_w", 1>(c),
                golden_arg<"bn1_b", 1>(c), golden_arg<"c2_w", 4>(c), golden_arg<"c2_b", 1>(c), golden_arg<"bn2_mean", 1>(c),
                golden_arg<"bn2_var", 1>(c), golden_arg<"bn2_w", 1>(c), golden_arg<"bn2_b", 1>(c),
                golden_arg<"fc_w", 2>(c), golden_arg<"fc_b", 1>(c));
}
