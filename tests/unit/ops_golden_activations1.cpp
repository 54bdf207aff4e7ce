// Activations against PyTorch's goldens (gelu, silu, softplus, hardswish, hardsigmoid, leaky_relu) on one input holding
// NaN, +-inf, 0, +-3 (the hard* kinks), +-25, +-1e4 and values either side of softplus's
// threshold. CPU and reference backends both.
#include <doctest/doctest.h>

#include "support/golden_check.hpp"

using namespace coil::literals;

namespace {
constexpr auto x = coil::input<"x", float>(coil::sym<"N">);

template <class E> void check(const char* name, E e) { coil::testing::expect_golden_of_x(name, e); }
} // namespace

TEST_CASE("golden: gelu (erf)") { check("gelu", coil::gelu(x)); }
TEST_CASE("golden: gelu (tanh approximation)") { check("gelu_tanh", coil::gelu<"tanh">(x)); }
TEST_CASE("golden: silu") { check("silu", coil::silu(x)); }
TEST_CASE("golden: softplus, beta 2, threshold 10") { check("softplus", coil::softplus(x, 2_c, 10_c)); }
TEST_CASE("golden: hardswish") { check("hardswish", coil::hardswish(x)); }
TEST_CASE("golden: hardsigmoid") { check("hardsigmoid", coil::hardsigmoid(x)); }
TEST_CASE("golden: leaky_relu, slope 0.2") { check("leaky_relu", coil::leaky_relu(x, 0.2_c)); }
