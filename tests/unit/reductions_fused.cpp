// Reductions inside larger graphs: fused pointwise producers, pointwise consumers of a
// reduction (softmax and log-softmax by hand), reductions of views and of reductions;
// the plan's kernel counts and reasons; call-time errors of reductions.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "support/reference_check.hpp"

using namespace coil::literals;
using coil::testing::expect_matches_reference;
using coil::testing::random_values;

namespace {
constexpr auto x = coil::input<"x", float>(coil::sym<"B">, 8_c);

// Index of the first node with op code c in a model's graph, or -1.
template <class M> constexpr int find_node(coil::op_code c) {
  for (int i = 0; i < M::graph::size; ++i)
    if (M::graph::records[i].code == c) return i;
  return -1;
}

// The hand-written softmax over the last axis, and log-softmax.
constexpr auto shifted = x - coil::amax<-1>(x, coil::keepdim);
constexpr auto softmax = coil::exp(shifted) / coil::sum<-1>(coil::exp(shifted), coil::keepdim);
constexpr auto log_softmax = shifted - coil::log(coil::sum<-1>(coil::exp(shifted), coil::keepdim));
} // namespace

// ---- plan facts -------------------------------------------------------------------

// A pointwise chain is one kernel.
using chain_model = decltype(coil::compile<coil::cpu>(coil::relu(coil::exp(x) * 2_c + 1_c)));
static_assert(chain_model::plan.kernel_count == 1);
static_assert(chain_model::plan.buffer_count == 0);

// A reduction of a pointwise producer: the producer is inlined into the reduction.
using sum_exp_model = decltype(coil::compile<coil::cpu>(coil::sum(coil::exp(x - 1_c))));
static_assert(sum_exp_model::plan.kernel_count == 1);
static_assert(sum_exp_model::plan.reason[find_node<sum_exp_model>(coil::op_code::exp)] == coil::realize_reason::inlined);

// A reduction and its pointwise consumer over the same rows: one row kernel, the
// reduction's per-row value in the arena.
using center_model = decltype(coil::compile<coil::cpu>(shifted));
static_assert(center_model::plan.kernel_count == 1);
static_assert(center_model::plan.kind[0] == coil::kernel_kind::rows);
static_assert(center_model::plan.buffer_count == 1);
static_assert(center_model::plan.reason[find_node<center_model>(coil::op_code::amax)] == coil::realize_reason::reduction);
// [B, 1] float: the arena size depends on B
static_assert(center_model::arena_bytes == -1);

// Softmax: amax, exp (two users, expensive: stored once), sum, div: one row kernel.
using softmax_model = decltype(coil::compile<coil::cpu>(softmax));
static_assert(softmax_model::plan.kernel_count == 1);
static_assert(softmax_model::plan.stages_in(0) == 4);
static_assert(softmax_model::plan.reason[find_node<softmax_model>(coil::op_code::exp)] == coil::realize_reason::multi_user);
static_assert(softmax_model::graph::users[find_node<softmax_model>(coil::op_code::exp)] == 2);
static_assert(softmax_model::plan.reason[find_node<softmax_model>(coil::op_code::sub)] == coil::realize_reason::inlined);
// x is read by amax and by sub
static_assert(softmax_model::graph::users[find_node<softmax_model>(coil::op_code::input)] == 2);
// nodes: x, amax, sub, exp, sum, div
static_assert(softmax_model::graph::size == 6);

// A shared subexpression is one node: e * e + e has nodes x, exp, mul, add; exp has two
// distinct users (mul reads it twice but counts once), so it is stored once.
constexpr auto e_shared = coil::exp(x);
using shared_model = decltype(coil::compile<coil::cpu>(e_shared * e_shared + e_shared));
static_assert(shared_model::graph::size == 4);
static_assert(shared_model::graph::users[find_node<shared_model>(coil::op_code::exp)] == 2);
static_assert(shared_model::graph::users[find_node<shared_model>(coil::op_code::mul)] == 1);
static_assert(shared_model::plan.reason[find_node<shared_model>(coil::op_code::exp)] == coil::realize_reason::multi_user);
static_assert(shared_model::plan.kernel_count == 1); // exp and the output share the row loop
static_assert(shared_model::plan.stages_in(0) == 2);

// Static shapes: a compile-time arena.
constexpr auto xs = coil::input<"xs", float>(4_c, 8_c);
using static_center = decltype(coil::compile<coil::cpu>(xs - coil::amax<1>(xs, coil::keepdim)));
static_assert(static_center::arena_bytes == 64); // 4 floats, rounded up to the 64-byte alignment

// ---- values -----------------------------------------------------------------------

TEST_CASE("fused reductions: sum(exp(x - 1)) matches the reference and hand values") {
  const std::vector<float> zeros(3 * 8, 0.0f);
  auto y = coil::compile<coil::cpu>(coil::sum(coil::exp(x - 1_c)))(coil::arg<"x">(zeros.data(), 3, 8));
  CHECK(y() == doctest::Approx(24.0 * std::exp(-1.0)).epsilon(1e-6));
  const auto d = random_values<float>(5 * 8, 11);
  expect_matches_reference(coil::sum(coil::exp(x - 1_c)), coil::arg<"x">(d.data(), 5, 8));
  expect_matches_reference(coil::mean<-1>(x * x + 0.5_c, coil::keepdim), coil::arg<"x">(d.data(), 5, 8));
  expect_matches_reference(coil::amax<0>(coil::abs(x) - x), coil::arg<"x">(d.data(), 5, 8));
  expect_matches_reference(coil::argmin<1>(coil::sin(x) * x), coil::arg<"x">(d.data(), 5, 8));
}

TEST_CASE("fused reductions: a shared subexpression stored once gives the same values") {
  const auto d = random_values<float>(3 * 8, 18);
  auto y = expect_matches_reference(e_shared * e_shared + e_shared, coil::arg<"x">(d.data(), 3, 8));
  const double e = std::exp(double(d[5]));
  CHECK(y(0, 5) == doctest::Approx(e * e + e).epsilon(1e-6));
}

TEST_CASE("fused reductions: x - amax(x, keepdim) centers every row at a max of 0") {
  const auto d = random_values<float>(6 * 8, 12, -5, 5);
  auto y = expect_matches_reference(shifted, coil::arg<"x">(d.data(), 6, 8));
  REQUIRE(y.extents == std::array<std::int64_t, 2>{6, 8});
  for (int r = 0; r < 6; ++r) {
    float dmax = -1e30f, ymax = -1e30f;
    for (int c = 0; c < 8; ++c) {
      dmax = std::max(dmax, d[static_cast<std::size_t>(r * 8 + c)]);
      ymax = std::max(ymax, y(r, c));
    }
    CHECK(ymax == 0.0f);
    for (int c = 0; c < 8; ++c) CHECK(y(r, c) == d[static_cast<std::size_t>(r * 8 + c)] - dmax);
  }
}

TEST_CASE("fused reductions: softmax by hand") {
  const auto d = random_values<float>(5 * 8, 13, -20, 20);
  auto y = expect_matches_reference(softmax, coil::arg<"x">(d.data(), 5, 8));
  for (int r = 0; r < 5; ++r) {
    double total = 0;
    for (int c = 0; c < 8; ++c) {
      CHECK(y(r, c) >= 0.0f);
      total += y(r, c);
    }
    CHECK(total == doctest::Approx(1.0).epsilon(1e-5));
  }
  // large inputs: the max shift keeps exp from overflowing
  const std::vector<float> big = {1000, 1000, 999, 0, 0, 0, 0, 0};
  auto b = coil::compile<coil::cpu>(softmax)(coil::arg<"x">(big.data(), 1, 8));
  const double e1 = std::exp(-1.0), den = 2 + e1;
  CHECK(b(0, 0) == doctest::Approx(1 / den).epsilon(1e-6));
  CHECK(b(0, 2) == doctest::Approx(e1 / den).epsilon(1e-6));
  CHECK(b(0, 7) == 0.0f);
  expect_matches_reference(log_softmax, coil::arg<"x">(d.data(), 5, 8));
  // B = 0: nothing to do, nothing thrown (the reduced axis is not empty)
  float dummy = 0;
  auto e = coil::compile<coil::cpu>(softmax)(coil::arg<"x">(&dummy, 0, 8));
  CHECK(e.extents == std::array<std::int64_t, 2>{0, 8});
}

TEST_CASE("fused reductions: reductions of views, of broadcasts and of reductions") {
  constexpr auto t = coil::input<"t", float>(3_c, 4_c, 5_c);
  constexpr auto bias = coil::input<"bias", float>(5_c);
  const auto td = random_values<float>(60, 14);
  const auto bd = random_values<float>(5, 15);
  expect_matches_reference(coil::sum<0>(coil::transpose<0, 2>(t)), coil::arg<"t">(td.data(), 3, 4, 5));
  expect_matches_reference(coil::amax<1>(coil::amin<-1>(t)), coil::arg<"t">(td.data(), 3, 4, 5));
  expect_matches_reference(coil::sum<0, 1>(t + bias), coil::arg<"t">(td.data(), 3, 4, 5), coil::arg<"bias">(bd.data(), 5));
  expect_matches_reference(coil::argmax<1>(coil::reshape(t, 3_c, 20_c)), coil::arg<"t">(td.data(), 3, 4, 5));
  // sum over an axis of a broadcast: the broadcast operand counts once per position
  auto y = coil::compile<coil::cpu>(coil::sum<0>(coil::expand(bias, 7_c, 5_c)))(coil::arg<"bias">(bd.data(), 5));
  for (int j = 0; j < 5; ++j) CHECK(y(j) == doctest::Approx(7.0 * bd[static_cast<std::size_t>(j)]).epsilon(1e-6));
  // a reduction consumed through a view (unsqueeze of a buffer)
  expect_matches_reference(t - coil::unsqueeze<1>(coil::mean<1>(t)), coil::arg<"t">(td.data(), 3, 4, 5));
}

TEST_CASE("fused reductions: several outputs share the graph") {
  const auto d = random_values<float>(4 * 8, 16);
  auto model = coil::compile<coil::cpu>(coil::amax<-1>(x), coil::argmax<-1>(x), coil::sum<-1>(x));
  auto oracle = coil::compile<coil::reference>(coil::amax<-1>(x), coil::argmax<-1>(x), coil::sum<-1>(x));
  static_assert(decltype(model)::plan.kernel_count == 1); // siblings over the same rows: one loop
  auto [mx, am, s] = model(coil::arg<"x">(d.data(), 4, 8));
  auto [rmx, ram, rs] = oracle(coil::arg<"x">(d.data(), 4, 8));
  coil::testing::expect_tensors_close(mx, rmx, 1e-6, 0);
  coil::testing::expect_tensors_close(am, ram, 0, 0);
  coil::testing::expect_tensors_close(s, rs, 1e-5, 1e-6);
  for (int r = 0; r < 4; ++r) CHECK(d[static_cast<std::size_t>(r * 8 + am(r))] == mx(r));
}

// ---- call-time errors ---------------------------------------------------------------

TEST_CASE("reduction errors: amax/argmax over a symbolic dim bound to 0 throw and write nothing") {
  constexpr auto z = coil::input<"z", float>(coil::sym<"N">, 3_c);
  float dummy = 0;
  std::vector<float> out(3, 42.0f);
  auto amax_model = coil::compile<coil::cpu>(coil::amax<0>(z));
  try {
    amax_model(coil::arg<"z">(&dummy, 0, 3), coil::out(coil::view(out.data(), 3)));
    FAIL("expected coil::error");
  } catch (const coil::error& e) {
    const std::string msg = e.what();
    CHECK(msg.find("coil::amax: reduction over a zero-size dim") != std::string::npos);
    CHECK(msg.find("z is [N, 3] = [0, 3]") != std::string::npos);
  }
  CHECK(out == std::vector<float>{42, 42, 42});

  const coil::status st = amax_model.run(coil::arg<"z">(&dummy, 0, 3), coil::out(coil::view(out.data(), 3)));
  CHECK_FALSE(st.ok());
  CHECK(std::string(st.message()).find("coil::amax") == 0);
  CHECK(out == std::vector<float>{42, 42, 42});

  std::vector<std::int64_t> iout(3, 42);
  auto argmin_model = coil::compile<coil::cpu>(coil::argmin<-2>(z));
  CHECK_THROWS_WITH_AS(argmin_model(coil::arg<"z">(&dummy, 0, 3), coil::out(coil::view(iout.data(), 3))),
                       doctest::Contains("coil::argmin: reduction over a zero-size dim"), coil::error);
  CHECK(iout == std::vector<std::int64_t>{42, 42, 42});
  // the same model is fine once N > 0
  const std::vector<float> d = {1, 5, 3, 4, 2, 6};
  argmin_model(coil::arg<"z">(d.data(), 2, 3), coil::out(coil::view(iout.data(), 3)));
  CHECK(iout == std::vector<std::int64_t>{0, 1, 0});
  // the reference backend reports the same error
  auto oracle = coil::compile<coil::reference>(coil::amax<0>(z));
  CHECK_THROWS_AS(oracle(coil::arg<"z">(&dummy, 0, 3)), coil::error);
}

TEST_CASE("reduction errors: a reduction's consumer checks broadcasts against bound symbols") {
  constexpr auto a = coil::input<"a", float>(coil::sym<"B">, 4_c);
  constexpr auto b = coil::input<"b", float>(coil::sym<"C">, 1_c);
  auto model = coil::compile<coil::cpu>(a - coil::amax<-1>(b, coil::keepdim));
  const std::vector<float> ad(3 * 4, 1.0f), bd(2, 1.0f);
  std::vector<float> out(3 * 4, 42.0f);
  CHECK_THROWS_WITH_AS(model(coil::arg<"a">(ad.data(), 3, 4), coil::arg<"b">(bd.data(), 2, 1),
                             coil::out(coil::view(out.data(), 3, 4))),
                       doctest::Contains("coil::sub: shapes do not broadcast at call time"), coil::error);
  CHECK(out == std::vector<float>(12, 42.0f));
  // the reference agrees when they do broadcast
  const std::vector<float> bd3 = {1, 2, 3};
  const auto ad2 = random_values<float>(12, 17);
  expect_matches_reference(a - coil::amax<-1>(b, coil::keepdim), coil::arg<"a">(ad2.data(), 3, 4),
                           coil::arg<"b">(bd3.data(), 3, 1));
}
