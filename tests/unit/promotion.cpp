// dtype promotion of pointwise ops as torch.result_type: tensor with tensor (category,
// then size), tensor with a wrapped number (2_c, 0.5_c lift only the category), true
// division and float unary ops on integers, bool results of comparisons and logic, and
// the compute type the operands are converted to. Static checks on the records, then the
// values of mixed-dtype expressions against the reference and PyTorch's results.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <tuple>
#include <type_traits>
#include <vector>

#include "support/multi_output_check.hpp"
#include "support/reference_check.hpp"

using namespace coil::literals;
using coil::dtype;
using coil::testing::bool_buffer;
using coil::testing::expect_all_match;
using coil::testing::expect_matches_reference;

namespace {
constexpr auto b = coil::input<"b", bool>(3_c);
constexpr auto b2 = coil::input<"b2", bool>(3_c);
constexpr auto i = coil::input<"i", std::int32_t>(3_c);
constexpr auto i2 = coil::input<"i2", std::int32_t>(3_c);
constexpr auto l = coil::input<"l", std::int64_t>(3_c);
constexpr auto f = coil::input<"f", float>(3_c);
constexpr auto d = coil::input<"d", double>(3_c);
} // namespace

// ---- tensor with tensor -----------------------------------------------------------

static_assert(coil::record_of<decltype(b + b2)>.type == dtype::b8); // True + True is True
static_assert(coil::record_of<decltype(b * b2)>.type == dtype::b8);
static_assert(coil::record_of<decltype(b + i)>.type == dtype::i32);
static_assert(coil::record_of<decltype(b + l)>.type == dtype::i64);
static_assert(coil::record_of<decltype(b + f)>.type == dtype::f32);
static_assert(coil::record_of<decltype(b + d)>.type == dtype::f64);
static_assert(coil::record_of<decltype(i + i2)>.type == dtype::i32);
static_assert(coil::record_of<decltype(i + l)>.type == dtype::i64); // int32 + int64 -> int64
static_assert(coil::record_of<decltype(l + i)>.type == dtype::i64);
static_assert(coil::record_of<decltype(i + f)>.type == dtype::f32);
static_assert(coil::record_of<decltype(i + d)>.type == dtype::f64);
static_assert(coil::record_of<decltype(l + f)>.type == dtype::f32); // category first: int64 + float32 -> float32
static_assert(coil::record_of<decltype(l * d)>.type == dtype::f64);
static_assert(coil::record_of<decltype(f + d)>.type == dtype::f64); // float32 + float64 -> float64
static_assert(coil::record_of<decltype(d - f)>.type == dtype::f64);
static_assert(coil::record_of<decltype(coil::minimum(i, f))>.type == dtype::f32);
static_assert(coil::record_of<decltype(coil::maximum(b, b2))>.type == dtype::b8);
static_assert(coil::record_of<decltype(coil::maximum(l, i))>.type == dtype::i64);
static_assert(coil::record_of<decltype(coil::pow(f, d))>.type == dtype::f64);
static_assert(coil::record_of<decltype(coil::pow(i, l))>.type == dtype::i64);

// ---- tensor with a wrapped number ---------------------------------------------------

static_assert(coil::record_of<decltype(i * 0.5_c)>.type == dtype::f32); // int32 tensor * 0.5 -> float32
static_assert(coil::record_of<decltype(0.5_c * i)>.type == dtype::f32);
static_assert(coil::record_of<decltype(l * 0.5_c)>.type == dtype::f32); // the default float, not float64
static_assert(coil::record_of<decltype(b * 0.5_c)>.type == dtype::f32);
static_assert(coil::record_of<decltype(b + 2_c)>.type == dtype::i64); // bool + 2 -> int64
static_assert(coil::record_of<decltype(i + 2_c)>.type == dtype::i32); // same category: the tensor wins
static_assert(coil::record_of<decltype(i - 2_c)>.type == dtype::i32);
static_assert(coil::record_of<decltype(l + 2_c)>.type == dtype::i64);
static_assert(coil::record_of<decltype(f + 2_c)>.type == dtype::f32);
static_assert(coil::record_of<decltype(f * 0.5_c)>.type == dtype::f32); // 0.5 does not make float32 into float64
static_assert(coil::record_of<decltype(d * 0.5_c)>.type == dtype::f64);
static_assert(coil::record_of<decltype(d + 2_c)>.type == dtype::f64);
static_assert(coil::record_of<decltype(coil::pow(i, 2_c))>.type == dtype::i32);
static_assert(coil::record_of<decltype(coil::pow(i, 0.5_c))>.type == dtype::f32);
static_assert(coil::record_of<decltype(coil::pow(2_c, i))>.type == dtype::i32);
static_assert(coil::record_of<decltype(coil::pow(2.0_c, i))>.type == dtype::f32);
static_assert(coil::record_of<decltype(coil::maximum(i, 0_c))>.type == dtype::i32);
static_assert(coil::record_of<decltype(coil::maximum(i, 0.0_c))>.type == dtype::f32);
// wrapped with wrapped: the category's default type; the result is itself wrapped
static_assert(coil::record_of<decltype(coil::add(2_c, 3_c))>.type == dtype::i64);
static_assert(coil::record_of<decltype(coil::add(2_c, 0.5_c))>.type == dtype::f32);
static_assert(coil::record_of<decltype(coil::add(2_c, 3_c))>.wrapped);
static_assert(!coil::record_of<decltype(i + 2_c)>.wrapped);
static_assert(coil::record_of<decltype(i + coil::add(2_c, 3_c))>.type == dtype::i32);
static_assert(coil::record_of<decltype(i + coil::mul(2_c, 0.5_c))>.type == dtype::f32);
static_assert(coil::record_of<decltype(f + coil::mul(2_c, 0.5_c))>.type == dtype::f32);

// ---- division, unary, comparisons, logic, where, cast ----------------------------------

static_assert(coil::record_of<decltype(i / i2)>.type == dtype::f32); // int / int -> float32
static_assert(coil::record_of<decltype(l / l)>.type == dtype::f32);
static_assert(coil::record_of<decltype(i / l)>.type == dtype::f32);
static_assert(coil::record_of<decltype(b / b2)>.type == dtype::f32);
static_assert(coil::record_of<decltype(i / 2_c)>.type == dtype::f32);
static_assert(coil::record_of<decltype(d / i)>.type == dtype::f64);
static_assert(coil::record_of<decltype(f / 2_c)>.type == dtype::f32);
static_assert(coil::record_of<decltype(coil::exp(i))>.type == dtype::f32);
static_assert(coil::record_of<decltype(coil::sqrt(l))>.type == dtype::f32);
static_assert(coil::record_of<decltype(coil::sigmoid(b))>.type == dtype::f32);
static_assert(coil::record_of<decltype(coil::erf(d))>.type == dtype::f64);
static_assert(coil::record_of<decltype(coil::tanh(f))>.type == dtype::f32);
static_assert(coil::record_of<decltype(-i)>.type == dtype::i32);
static_assert(coil::record_of<decltype(coil::abs(l))>.type == dtype::i64);
static_assert(coil::record_of<decltype(coil::relu(d))>.type == dtype::f64);
static_assert(coil::record_of<decltype(coil::relu(i))>.type == dtype::i32);
static_assert(coil::record_of<decltype(i < l)>.type == dtype::b8); // comparisons -> bool
static_assert(coil::record_of<decltype(f == d)>.type == dtype::b8);
static_assert(coil::record_of<decltype(b != b2)>.type == dtype::b8);
static_assert(coil::record_of<decltype(i >= 0.5_c)>.type == dtype::b8);
static_assert(coil::record_of<decltype(i && f)>.type == dtype::b8);
static_assert(coil::record_of<decltype(d || 0_c)>.type == dtype::b8);
static_assert(coil::record_of<decltype(!i)>.type == dtype::b8);
static_assert(coil::record_of<decltype(coil::where(b, i, l))>.type == dtype::i64);
static_assert(coil::record_of<decltype(coil::where(b, f, d))>.type == dtype::f64);
static_assert(coil::record_of<decltype(coil::where(b, i, 0.5_c))>.type == dtype::f32);
static_assert(coil::record_of<decltype(coil::where(b, b2, b))>.type == dtype::b8);
static_assert(coil::record_of<decltype(coil::cast<double>(i))>.type == dtype::f64);
static_assert(coil::record_of<decltype(coil::cast<bool>(f))>.type == dtype::b8);
static_assert(coil::record_of<decltype(coil::cast<std::int32_t>(d))>.type == dtype::i32);
// chains promote step by step
static_assert(coil::record_of<decltype((i + l) * 0.5_c)>.type == dtype::f32);
static_assert(coil::record_of<decltype(i / i2 + d)>.type == dtype::f64);
static_assert(coil::record_of<decltype((b + b2) * i)>.type == dtype::i32);
static_assert(coil::record_of<decltype(coil::cast<float>(l) + i)>.type == dtype::f32);

// The compute type: what the operands are converted to before the op.
static_assert(coil::record_of<decltype(i < 0.5_c)>.compute == dtype::f32); // compared in float32
static_assert(coil::record_of<decltype(i < l)>.compute == dtype::i64);
static_assert(coil::record_of<decltype(f == d)>.compute == dtype::f64);
static_assert(coil::record_of<decltype(f == 0.1_c)>.compute == dtype::f32);
static_assert(coil::record_of<decltype(i && f)>.compute == dtype::b8);
static_assert(coil::record_of<decltype(i / i2)>.compute == dtype::f32);
static_assert(coil::record_of<decltype(coil::exp(l))>.compute == dtype::f32);
static_assert(coil::record_of<decltype(coil::cast<float>(l))>.compute == dtype::i64);

// The output tensor's element type follows the record.
static_assert(std::is_same_v<decltype(coil::compile<coil::cpu>(i * 0.5_c)(coil::arg<"i">(static_cast<const std::int32_t*>(nullptr), 3))),
                             coil::tensor<float, 1>>);
static_assert(std::is_same_v<decltype(coil::compile<coil::cpu>(i + l)(coil::arg<"i">(static_cast<const std::int32_t*>(nullptr), 3),
                                                                    coil::arg<"l">(static_cast<const std::int64_t*>(nullptr), 3))),
                             coil::tensor<std::int64_t, 1>>);

// ---- values -------------------------------------------------------------------

namespace {
const std::vector<std::int32_t> iv = {3, -3, std::numeric_limits<std::int32_t>::max()};
const std::vector<std::int64_t> lv = {1, -4294967296, 1099511627777}; // 2**40 + 1
const std::vector<float> fv = {0.1f, -2.5f, 16777216.0f};
const std::vector<double> dv = {0.1, 1e-300, 1.0 / 3.0};
} // namespace

TEST_CASE("promotion values: int32 * 0.5 is float32; int32 + int64 does not wrap at 2**31") {
  auto I = coil::arg<"i">(iv.data(), 3);
  auto L = coil::arg<"l">(lv.data(), 3);
  auto [h, s, q] = expect_all_match(std::tuple{i * 0.5_c, i + l, i / 2_c}, I, L);
  static_assert(std::is_same_v<decltype(h), coil::tensor<float, 1>>);
  static_assert(std::is_same_v<decltype(s), coil::tensor<std::int64_t, 1>>);
  CHECK(h(0) == 1.5f);
  CHECK(h(1) == -1.5f);
  CHECK(h(2) == 1073741824.0f); // float32(2**31 - 1) * 0.5
  CHECK(s(0) == 4);
  CHECK(s(1) == -4294967299);
  CHECK(s(2) == std::int64_t{2147483647} + 1099511627777);
  CHECK(q(0) == 1.5f);
  CHECK(q(1) == -1.5f);
}

TEST_CASE("promotion values: bool + bool is logical or, bool * bool is and; bool + 2 is int64; bool * 0.5 is float32") {
  auto bv = bool_buffer({1, 1, 0});
  auto b2v = bool_buffer({1, 0, 0});
  auto B = coil::arg<"b">(bv.get(), 3);
  auto B2 = coil::arg<"b2">(b2v.get(), 3);
  auto [s, p, t, h] = expect_all_match(std::tuple{b + b2, b * b2, b + 2_c, b2 * 0.5_c}, B, B2);
  static_assert(std::is_same_v<decltype(s), coil::tensor<bool, 1>>);
  static_assert(std::is_same_v<decltype(t), coil::tensor<std::int64_t, 1>>);
  static_assert(std::is_same_v<decltype(h), coil::tensor<float, 1>>);
  CHECK(s(0)); // True + True = True
  CHECK(s(1));
  CHECK(!s(2));
  CHECK(p(0));
  CHECK(!p(1));
  CHECK(t(0) == 3);
  CHECK(t(2) == 2);
  CHECK(h(0) == 0.5f);
  CHECK(h(1) == 0.0f);
}

TEST_CASE("promotion values: float32 + float64 is float64 (the float32 operand is exact, not re-rounded)") {
  auto [s, m] = expect_all_match(std::tuple{f + d, f * 2_c + d * 0.5_c}, coil::arg<"f">(fv.data(), 3), coil::arg<"d">(dv.data(), 3));
  static_assert(std::is_same_v<decltype(s), coil::tensor<double, 1>>);
  CHECK(s(0) == static_cast<double>(0.1f) + 0.1);
  CHECK(s(0) != 0.2);
  CHECK(s(1) == -2.5 + 1e-300);
  CHECK(s(2) == 16777216.0 + 1.0 / 3.0); // would be 16777216 in float32
  CHECK(m(2) == static_cast<double>(16777216.0f * 2.0f) + (1.0 / 3.0) * 0.5);
}

TEST_CASE("promotion values: int64 with a floating scalar computes in float32") {
  auto L = coil::arg<"l">(lv.data(), 3);
  auto [h, e] = expect_all_match(std::tuple{l * 1.0_c, l == 1099511627776.0_c}, L);
  static_assert(std::is_same_v<decltype(h), coil::tensor<float, 1>>);
  CHECK(h(2) == 1099511627776.0f); // 2**40 + 1 rounds to 2**40 in float32
  CHECK(e(2));                     // ...so it equals 2**40 there
  CHECK(!e(0));
}

TEST_CASE("promotion values: mixed int32/int64/float32/float64 chain") {
  auto I = coil::arg<"i">(iv.data(), 3);
  auto L = coil::arg<"l">(lv.data(), 3);
  auto F = coil::arg<"f">(fv.data(), 3);
  auto D = coil::arg<"d">(dv.data(), 3);
  auto y = expect_matches_reference((i + l) / i + f * d - coil::cast<double>(coil::relu(i - 4_c)), I, L, F, D);
  static_assert(std::is_same_v<decltype(y), coil::tensor<double, 1>>);
  for (int k = 0; k < 3; ++k) {
    const auto kk = static_cast<std::size_t>(k);
    const std::int64_t s = std::int64_t{iv[kk]} + lv[kk];
    const float q = static_cast<float>(s) / static_cast<float>(iv[kk]); // int / int in float32
    const std::int32_t r = iv[kk] - 4 > 0 ? iv[kk] - 4 : 0;
    const double want = static_cast<double>(q) + static_cast<double>(fv[kk]) * dv[kk] - static_cast<double>(r);
    CHECK(y(k) == doctest::Approx(want).epsilon(1e-12));
  }
}

// PyTorch ranks a 0-dim tensor below a tensor with dims (but above a wrapped number):
// torch.result_type(int32 [3], int64 0-dim) is int32 and float32 [3] * float64 0-dim is
// float32; coil follows.
TEST_CASE("promotion: a rank-0 input promotes like a PyTorch 0-dim tensor") {
  constexpr auto l0 = coil::input<"l0", std::int64_t>();
  constexpr auto d0 = coil::input<"d0", double>();
  constexpr auto f0 = coil::input<"f0", float>();
  CHECK(coil::record_of<decltype(i + l0)>.type == dtype::i32);
  CHECK(coil::record_of<decltype(f * d0)>.type == dtype::f32);
  CHECK(coil::record_of<decltype(i * f0)>.type == dtype::f32); // category still lifts
  CHECK(coil::record_of<decltype(b + l0)>.type == dtype::i64);
}
