// Pointwise math: exp log log1p expm1 sqrt rsqrt sin cos tanh sigmoid erf relu on
// float32 edge values (NaN, +-inf, -0.0, 1e30, 1e-38, ...), on float64, on integer
// inputs (promoted to float32; relu keeps the integer type), and in a fused chain,
// checked against the reference backend and PyTorch's known values.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <tuple>
#include <type_traits>
#include <vector>

#include "support/multi_output_check.hpp"
#include "support/reference_check.hpp"

using namespace coil::literals;
using coil::testing::expect_all_match;
using coil::testing::expect_matches_reference;
using coil::testing::random_values;

namespace {
constexpr float nan_f = std::numeric_limits<float>::quiet_NaN();
constexpr float inf_f = std::numeric_limits<float>::infinity();
constexpr double nan_d = std::numeric_limits<double>::quiet_NaN();
constexpr double inf_d = std::numeric_limits<double>::infinity();

// The float32 edge values, by index.
enum edge : int { NaN, Inf, NInf, NZero, Zero, Big, NBig, Tiny, NTiny, One, NOne, Half, NHalf, Four, M100, E88, n_edges };
const std::vector<float> edges = {nan_f, inf_f, -inf_f, -0.0f, 0.0f, 1e30f, -1e30f, 1e-38f,
                                  -1e-38f, 1.0f, -1.0f, 0.5f, -0.5f, 4.0f, -100.0f, 88.0f};
constexpr auto x = coil::input<"x", float>(16_c);
auto X() { return coil::arg<"x">(edges.data(), 16); }

} // namespace

static_assert(n_edges == 16);
static_assert(coil::record_of<decltype(coil::exp(x))>.type == coil::dtype::f32);
static_assert(coil::record_of<decltype(coil::relu(x))>.type == coil::dtype::f32);

// ---- float32 edge values, one op at a time ---------------------------------------------

TEST_CASE("pointwise math: exp") {
  auto y = expect_matches_reference(coil::exp(x), X());
  CHECK(std::isnan(y(NaN)));
  CHECK(y(Inf) == inf_f);
  CHECK(y(NInf) == 0.0f);
  CHECK(y(Zero) == 1.0f);
  CHECK(y(NZero) == 1.0f);
  CHECK(y(Big) == inf_f);
  CHECK(y(NBig) == 0.0f);
  CHECK(y(Tiny) == 1.0f);
  CHECK(y(One) == doctest::Approx(2.718281828).epsilon(1e-6));
  CHECK(y(E88) == doctest::Approx(1.6516363e38).epsilon(1e-5)); // still finite in float32
}

TEST_CASE("pointwise math: log") {
  auto y = expect_matches_reference(coil::log(x), X());
  CHECK(std::isnan(y(NaN)));
  CHECK(y(Inf) == inf_f);
  CHECK(std::isnan(y(NInf)));
  CHECK(y(Zero) == -inf_f);
  CHECK(y(NZero) == -inf_f);
  CHECK(std::isnan(y(NOne)));
  CHECK(std::isnan(y(NTiny)));
  CHECK(y(One) == 0.0f);
  CHECK(y(Four) == doctest::Approx(1.3862944).epsilon(1e-6));
  CHECK(y(Tiny) == doctest::Approx(-87.498).epsilon(1e-4));
  CHECK(y(Big) == doctest::Approx(69.0776).epsilon(1e-5));
}

TEST_CASE("pointwise math: log1p") {
  auto y = expect_matches_reference(coil::log1p(x), X());
  CHECK(std::isnan(y(NaN)));
  CHECK(y(Zero) == 0.0f);
  CHECK(y(NOne) == -inf_f);
  CHECK(std::isnan(y(M100)));
  CHECK(y(Inf) == inf_f);
  CHECK(y(Tiny) == doctest::Approx(1e-38f)); // accurate near zero
  CHECK(y(Half) == doctest::Approx(0.4054651).epsilon(1e-6));
}

TEST_CASE("pointwise math: expm1") {
  auto y = expect_matches_reference(coil::expm1(x), X());
  CHECK(std::isnan(y(NaN)));
  CHECK(y(Zero) == 0.0f);
  CHECK(y(NInf) == -1.0f);
  CHECK(y(Inf) == inf_f);
  CHECK(y(NBig) == -1.0f);
  CHECK(y(Big) == inf_f);
  CHECK(y(Tiny) == doctest::Approx(1e-38f));
  CHECK(y(One) == doctest::Approx(1.7182818).epsilon(1e-6));
}

TEST_CASE("pointwise math: sqrt") {
  auto y = expect_matches_reference(coil::sqrt(x), X());
  CHECK(std::isnan(y(NaN)));
  CHECK(y(Four) == 2.0f);
  CHECK(std::isnan(y(NOne)));
  CHECK(std::isnan(y(NInf)));
  CHECK(y(Inf) == inf_f);
  CHECK(y(NZero) == 0.0f);
  CHECK(std::signbit(y(NZero))); // sqrt(-0.) is -0.
  CHECK(y(Big) == doctest::Approx(1e15f).epsilon(1e-6));
  CHECK(y(Tiny) == doctest::Approx(1e-19f).epsilon(1e-5));
}

TEST_CASE("pointwise math: rsqrt") {
  auto y = expect_matches_reference(coil::rsqrt(x), X());
  CHECK(std::isnan(y(NaN)));
  CHECK(y(Four) == 0.5f);
  CHECK(y(Zero) == inf_f);
  CHECK(y(NZero) == -inf_f); // 1 / sqrt(-0.) = 1 / -0.
  CHECK(y(Inf) == 0.0f);
  CHECK(std::isnan(y(NOne)));
  CHECK(y(Big) == doctest::Approx(1e-15f).epsilon(1e-6));
}

TEST_CASE("pointwise math: sin and cos") {
  auto s = expect_matches_reference(coil::sin(x), X());
  auto c = expect_matches_reference(coil::cos(x), X());
  CHECK(std::isnan(s(NaN)));
  CHECK(std::isnan(s(Inf)));
  CHECK(std::isnan(c(NInf)));
  CHECK(s(Zero) == 0.0f);
  CHECK(std::signbit(s(NZero)));
  CHECK(c(Zero) == 1.0f);
  CHECK(c(NZero) == 1.0f);
  CHECK(s(One) == doctest::Approx(0.84147098).epsilon(1e-6));
  CHECK(c(One) == doctest::Approx(0.54030231).epsilon(1e-6));
  CHECK(s(Tiny) == doctest::Approx(1e-38f));
  CHECK(std::fabs(s(Big)) <= 1.0f); // large arguments are reduced, not NaN
  CHECK(std::fabs(c(Big)) <= 1.0f);
}

TEST_CASE("pointwise math: tanh") {
  auto y = expect_matches_reference(coil::tanh(x), X());
  CHECK(std::isnan(y(NaN)));
  CHECK(y(Inf) == 1.0f);
  CHECK(y(NInf) == -1.0f);
  CHECK(y(Big) == 1.0f);
  CHECK(y(NBig) == -1.0f);
  CHECK(y(Zero) == 0.0f);
  CHECK(y(Half) == doctest::Approx(0.46211716).epsilon(1e-6));
  CHECK(y(M100) == -1.0f);
}

TEST_CASE("pointwise math: sigmoid (sigmoid(0) = 0.5)") {
  auto y = expect_matches_reference(coil::sigmoid(x), X());
  CHECK(y(Zero) == 0.5f);
  CHECK(y(NZero) == 0.5f);
  CHECK(std::isnan(y(NaN)));
  CHECK(y(Inf) == 1.0f);
  CHECK(y(NInf) == 0.0f);
  CHECK(y(Big) == 1.0f);
  CHECK(y(NBig) == 0.0f);
  CHECK(y(One) == doctest::Approx(0.7310586).epsilon(1e-6));
  CHECK(y(NOne) == doctest::Approx(0.2689414).epsilon(1e-6));
  CHECK(y(M100) >= 0.0f);
  CHECK(y(M100) < 1e-40f);
  CHECK(y(E88) == 1.0f);
}

TEST_CASE("pointwise math: erf") {
  auto y = expect_matches_reference(coil::erf(x), X());
  CHECK(std::isnan(y(NaN)));
  CHECK(y(Zero) == 0.0f);
  CHECK(y(Inf) == 1.0f);
  CHECK(y(NInf) == -1.0f);
  CHECK(y(Big) == 1.0f);
  CHECK(y(One) == doctest::Approx(0.84270079).epsilon(1e-6));
  CHECK(y(NHalf) == doctest::Approx(-0.52049988).epsilon(1e-6));
}

TEST_CASE("pointwise math: relu propagates NaN and clamps -inf") {
  auto y = expect_matches_reference(coil::relu(x), X());
  CHECK(std::isnan(y(NaN))); // torch.relu(nan) is nan
  CHECK(y(Inf) == inf_f);
  CHECK(y(NInf) == 0.0f);
  CHECK(y(NZero) == 0.0f);
  CHECK(y(Big) == 1e30f);
  CHECK(y(NBig) == 0.0f);
  CHECK(y(Tiny) == 1e-38f);
  CHECK(y(NTiny) == 0.0f);
  CHECK(y(NOne) == 0.0f);
  CHECK(y(Half) == 0.5f);
}

// ---- float64 -------------------------------------------------------------------

TEST_CASE("pointwise math: every op on float64 edge values, as the outputs of one model") {
  constexpr auto d = coil::input<"d", double>(coil::sym<"N">);
  const std::vector<double> dv = {nan_d, inf_d, -inf_d, -0.0, 0.0, 1e300, -1e300, 1e-308,
                                  -1e-308, 1.0, -1.0, 0.5, -0.5, 4.0, -100.0, 700.0, 1e-320};
  auto D = coil::arg<"d">(dv.data(), static_cast<std::int64_t>(dv.size()));
  auto [ex, lg, l1, em, sq, rs, sn, cs, th, sg, ef, rl] =
      expect_all_match(std::tuple{coil::exp(d), coil::log(d), coil::log1p(d), coil::expm1(d), coil::sqrt(d),
                                  coil::rsqrt(d), coil::sin(d), coil::cos(d), coil::tanh(d), coil::sigmoid(d),
                                  coil::erf(d), coil::relu(d)},
                       D);
  static_assert(std::is_same_v<decltype(ex), coil::tensor<double, 1>>);
  static_assert(std::is_same_v<decltype(rl), coil::tensor<double, 1>>);
  CHECK(ex(15) == doctest::Approx(1.0142320547350045e304)); // exp(700) is finite in double
  CHECK(ex(14) > 0.0);                                     // exp(-100) does not flush in double
  CHECK(lg(16) == doctest::Approx(-736.8272).epsilon(1e-6)); // log of a subnormal
  CHECK(l1(10) == -inf_d);
  CHECK(em(7) == 1e-308);
  CHECK(sq(5) == 1e150);
  CHECK(rs(4) == inf_d);
  CHECK(rs(3) == -inf_d);
  CHECK(std::isnan(sn(1)));
  CHECK(cs(4) == 1.0);
  CHECK(th(5) == 1.0);
  CHECK(sg(4) == 0.5);
  CHECK(sg(14) == doctest::Approx(3.7200759760208356e-44)); // float32 would give 0
  CHECK(ef(9) == doctest::Approx(0.8427007929497149));
  CHECK(std::isnan(rl(0)));
  CHECK(rl(6) == 0.0);
  CHECK(rl(5) == 1e300);
  for (auto* t : {&ex, &lg, &l1, &em, &sq, &rs, &sn, &cs, &th, &sg, &ef, &rl}) CHECK(std::isnan((*t)(0)));
}

TEST_CASE("pointwise math: float64 random values in each op's domain") {
  constexpr auto d = coil::input<"d", double>(64_c);
  const auto dv = random_values<double>(64, 301, 0.01, 30.0);
  auto D = coil::arg<"d">(dv.data(), 64);
  auto [lg, sq, rs, l1] = expect_all_match(std::tuple{coil::log(d), coil::sqrt(d), coil::rsqrt(d), coil::log1p(d)}, D);
  for (int i = 0; i < 64; ++i) {
    const double v = dv[static_cast<std::size_t>(i)];
    CHECK(lg(i) == std::log(v));
    CHECK(sq(i) == std::sqrt(v));
    CHECK(rs(i) == doctest::Approx(1.0 / std::sqrt(v)).epsilon(1e-15));
    CHECK(l1(i) == std::log1p(v));
  }
}

// ---- integer inputs ----------------------------------------------------------------

TEST_CASE("pointwise math: integer inputs promote to float32 (relu keeps the integer type)") {
  constexpr auto i = coil::input<"i", std::int32_t>(6_c);
  constexpr auto l = coil::input<"l", std::int64_t>(6_c);
  static_assert(coil::record_of<decltype(coil::sqrt(i))>.type == coil::dtype::f32);
  static_assert(coil::record_of<decltype(coil::sigmoid(l))>.type == coil::dtype::f32);
  static_assert(coil::record_of<decltype(coil::relu(i))>.type == coil::dtype::i32);
  static_assert(coil::record_of<decltype(coil::relu(l))>.type == coil::dtype::i64);
  const std::vector<std::int32_t> iv = {0, 1, 4, -1, std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max()};
  const std::vector<std::int64_t> lv = {0, 9, -9, 16777217, std::numeric_limits<std::int64_t>::min(), 100};
  auto I = coil::arg<"i">(iv.data(), 6);
  auto L = coil::arg<"l">(lv.data(), 6);
  auto [sq, ex, ri] = expect_all_match(std::tuple{coil::sqrt(i), coil::exp(i), coil::relu(i)}, I);
  static_assert(std::is_same_v<decltype(sq), coil::tensor<float, 1>>);
  static_assert(std::is_same_v<decltype(ri), coil::tensor<std::int32_t, 1>>);
  CHECK(sq(2) == 2.0f);
  CHECK(std::isnan(sq(3)));
  CHECK(ex(0) == 1.0f);
  CHECK(ex(5) == inf_f);
  CHECK(ri(3) == 0);
  CHECK(ri(4) == 0);
  CHECK(ri(5) == std::numeric_limits<std::int32_t>::max());
  auto [sg, rl, tl] = expect_all_match(std::tuple{coil::sigmoid(l), coil::relu(l), coil::tanh(l)}, L);
  CHECK(sg(0) == 0.5f);
  CHECK(sg(4) == 0.0f);
  CHECK(sg(5) == 1.0f);
  CHECK(rl(2) == 0);
  CHECK(rl(3) == 16777217); // stays int64, not rounded through float
  CHECK(rl(4) == 0);
  CHECK(tl(1) == doctest::Approx(1.0f));
}

// ---- fused math ------------------------------------------------------------------

TEST_CASE("pointwise math: a fused chain of transcendentals (GELU-like) over a symbolic batch") {
  constexpr auto v = coil::input<"v", float>(coil::sym<"B">, 5_c);
  constexpr auto e = v * 0.5_c * (coil::erf(v * 0.7071067811865476_c) + 1_c) +
                     coil::tanh(coil::log1p(coil::exp(v))) * coil::sigmoid(-v) - coil::rsqrt(coil::expm1(coil::abs(v)) + 1_c);
  using M = decltype(coil::compile<coil::cpu>(e));
  static_assert(M::plan.kernel_count == 1);
  for (int n : {1, 3, 7}) {
    const auto vv = random_values<float>(5 * n, static_cast<std::uint32_t>(400 + n), -6.0, 6.0);
    auto y = expect_matches_reference(e, coil::arg<"v">(vv.data(), n, 5));
    for (int k = 0; k < 5 * n; ++k) {
      const double t = vv[static_cast<std::size_t>(k)];
      const double want = t * 0.5 * (std::erf(t * 0.7071067811865476) + 1) + std::tanh(std::log1p(std::exp(t))) / (1 + std::exp(t)) -
                          1 / std::sqrt(std::expm1(std::fabs(t)) + 1);
      CHECK(y(k / 5, k % 5) == doctest::Approx(want).epsilon(1e-5));
    }
  }
}
