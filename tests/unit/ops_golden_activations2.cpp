// Activations against PyTorch's goldens (sigmoid, elu, mish, clamp, dropout) on one input holding
// NaN, +-inf, 0, +-3 (the hard* kinks), +-25, +-1e4 and values either side of softplus's
// threshold. CPU and reference backends both.
#include <doctest/doctest.h>

#include "support/golden_check.hpp"

using namespace coil::literals;

namespace {
constexpr auto x = coil::input<"x", float>(coil::sym<"N">);

template <class E> void check(const char* name, E e) { coil::testing::expect_golden_of_x(name, e); }
} // namespace

TEST_CASE("golden: sigmoid") { check("sigmoid", coil::sigmoid(x)); }
TEST_CASE("golden: elu, alpha 1.5") { check("elu", coil::elu(x, 1.5_c)); }
TEST_CASE("golden: mish") { check("mish", coil::mish(x)); }
TEST_CASE("golden: clamp(-0.5, 0.75)") { check("clamp", coil::clamp(x, -0.5_c, 0.75_c)); }
TEST_CASE("golden: clamp(min=-1)") { check("clamp_min", coil::clamp(x, -1_c)); }
TEST_CASE("golden: clamp(max=2)") { check("clamp_max", coil::clamp(x, coil::none, 2_c)); }
TEST_CASE("golden: clamp with min > max gives max") { check("clamp_crossed", coil::clamp(x, 1_c, -1_c)); }
TEST_CASE("golden: dropout in inference is the identity") { check("dropout", coil::dropout(x, 0.3_c)); }
