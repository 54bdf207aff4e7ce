// Planner v2, the other side of fusion: graphs whose stages must NOT share a row loop
// (a reduction over a leading axis, a fused value read at another row through a
// transpose or a broadcast, different outer loops, a matmul before a row softmax) still
// give the reference's numbers; the liveness arena reuses dead buffers without
// corrupting live ones; and a call allocates nothing through operator new once the
// arena exists. Every case static_asserts the plan shape it exercises.
//
// This executable counts every C++ heap allocation (support/counting_new.hpp).
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <tuple>
#include <vector>

#include "support/counting_new.hpp"
#include "support/reference_check.hpp"

using namespace coil::literals;
using coil::kernel_kind;
using coil::op_code;
using coil::realize_reason;
using coil::split_reason;
using coil::testing::expect_matches_reference;
using coil::testing::expect_tensors_close;
using coil::testing::random_values;

namespace {

template <class M> constexpr int find_node(op_code c, int skip = 0) {
  for (int i = 0; i < M::graph::size; ++i)
    if (M::graph::records[i].code == c && skip-- == 0) return i;
  return -1;
}

// Two kernels: k0 of kind k0 computing node `first`, k1 of kind k1 computing every output,
// split from k0 for reason `why`.
template <class M> constexpr bool two_kernels(kernel_kind k0, kernel_kind k1, split_reason why, int first) {
  const auto& p = M::plan;
  if (p.kernel_count != 2 || p.kind[0] != k0 || p.kind[1] != k1 || p.split[1] != why) return false;
  if (first < 0 || p.kernel_of[first] != 0) return false;
  for (int o = 0; o < M::graph::output_count; ++o)
    if (p.kernel_of[M::graph::outputs[o]] != 1) return false;
  return true;
}

// Arena buffer holding node i lives until kernel k.
template <class M> constexpr bool buffer_dies_in(int node, int k) {
  const int b = node >= 0 ? M::plan.buffer_of[node] : -1;
  return b >= 0 && M::plan.buffer_last_use[b] == k;
}

// Some buffer is placed at the offset of an earlier buffer that is dead when it is born.
template <class M> constexpr bool reuses_a_dead_buffer() {
  const auto& p = M::plan;
  const auto a = coil::layout_arena<typename M::graph>(p, coil::sym_env{});
  for (int b = 0; b < p.buffer_count; ++b)
    for (int c = 0; c < b; ++c)
      if (a.offset[b] == a.offset[c] && p.buffer_last_use[c] < p.kernel_of[p.buffer_node[b]]) return true;
  return false;
}
template <class M> constexpr std::int64_t sum_of_buffer_sizes() {
  const auto a = coil::layout_arena<typename M::graph>(M::plan, coil::sym_env{});
  std::int64_t total = 0;
  for (int b = 0; b < M::plan.buffer_count; ++b) total += a.size[b];
  return total;
}

template <class X> constexpr auto softmax(X x) {
  return coil::exp(x - coil::amax<-1>(x, coil::keepdim)) /
         coil::sum<-1>(coil::exp(x - coil::amax<-1>(x, coil::keepdim)), coil::keepdim);
}

constexpr auto B = coil::sym<"B">;
constexpr auto x64 = coil::input<"x", float>(B, 64_c);
constexpr auto sq = coil::input<"s", float>(B, B);
constexpr auto ysq = coil::input<"y", float>(B, B);

// ---- a reduction over a leading axis -------------------------------------------------------
// amax<0> keeps the last axis: its consumer cannot share a row loop with it.
using lead_keep = decltype(coil::compile<coil::cpu>(x64 - coil::amax<0>(x64, coil::keepdim)));
static_assert(two_kernels<lead_keep>(kernel_kind::reduction, kernel_kind::pointwise, split_reason::reduction_axes,
                                     find_node<lead_keep>(op_code::amax)));
static_assert(buffer_dies_in<lead_keep>(find_node<lead_keep>(op_code::amax), 1));
static_assert(lead_keep::static_arena && lead_keep::arena_bytes == 256); // [1, 64] float
// without keepdim: [64], broadcast over the rows
using lead_flat = decltype(coil::compile<coil::cpu>(x64 - coil::amax<0>(x64)));
static_assert(two_kernels<lead_flat>(kernel_kind::reduction, kernel_kind::pointwise, split_reason::reduction_axes,
                                     find_node<lead_flat>(op_code::amax)));

// ---- a fused value read through a transpose ---------------------------------------------
// exp(s) (two users, stored), then exp(s) + exp(s)^T: row i of the sum reads column i of
// exp(s), which a shared row loop would not have computed yet.
constexpr auto es = coil::exp(sq);
using cross_exp = decltype(coil::compile<coil::cpu>(es + coil::transpose<0, 1>(es)));
static_assert(two_kernels<cross_exp>(kernel_kind::pointwise, kernel_kind::pointwise, split_reason::cross_row_read,
                                     find_node<cross_exp>(op_code::exp)));
static_assert(cross_exp::plan.reason[find_node<cross_exp>(op_code::exp)] == realize_reason::multi_user);
static_assert(cross_exp::plan.reason[find_node<cross_exp>(op_code::permute)] == realize_reason::buffer_view);
static_assert(buffer_dies_in<cross_exp>(find_node<cross_exp>(op_code::exp), 1));

// a row softmax read transposed: the softmax row kernel (amax, exp, sum), then the sum of
// the softmax and its transpose (the division, cheap, recomputed on both sides).
constexpr auto sm = softmax(sq);
using cross_softmax = decltype(coil::compile<coil::cpu>(sm + coil::transpose<0, 1>(sm)));
static_assert(two_kernels<cross_softmax>(kernel_kind::rows, kernel_kind::pointwise, split_reason::cross_row_read,
                                         find_node<cross_softmax>(op_code::sum)));
static_assert(cross_softmax::plan.stages_in(0) == 3 && cross_softmax::plan.stages_in(1) == 1);
static_assert(cross_softmax::plan.reason[find_node<cross_softmax>(op_code::div)] == realize_reason::cheap_recompute);
static_assert(buffer_dies_in<cross_softmax>(find_node<cross_softmax>(op_code::amax), 0));
static_assert(buffer_dies_in<cross_softmax>(find_node<cross_softmax>(op_code::exp), 1));
static_assert(buffer_dies_in<cross_softmax>(find_node<cross_softmax>(op_code::sum), 1));

// ---- a reduction without keepdim, broadcast along the last dim ---------------------------
// sum<-1>(x) of [4, 8] is [4]; + y [6, 4] broadcasts it along y's last dim: the outer
// loops ([4] and [6]) differ.
constexpr auto x48 = coil::input<"x", float>(4_c, 8_c);
constexpr auto y64 = coil::input<"y", float>(6_c, 4_c);
using flat_iter = decltype(coil::compile<coil::cpu>(coil::sum<-1>(x48) + y64));
static_assert(two_kernels<flat_iter>(kernel_kind::reduction, kernel_kind::pointwise, split_reason::iteration_space,
                                     find_node<flat_iter>(op_code::sum)));
static_assert(flat_iter::static_arena && flat_iter::arena_bytes == 64);
// The same outer loop ([8] and [8], or [B] and [B]), but row i of the output reads the
// sums of every row: a row loop shared with the sum would read sums not computed yet.
constexpr auto s8 = coil::input<"s", float>(8_c, 8_c);
constexpr auto y8 = coil::input<"y", float>(8_c, 8_c);
using flat_square = decltype(coil::compile<coil::cpu>(coil::sum<-1>(s8) + y8));
static_assert(two_kernels<flat_square>(kernel_kind::reduction, kernel_kind::pointwise, split_reason::cross_row_read,
                                       find_node<flat_square>(op_code::sum)));
using flat_square_sym = decltype(coil::compile<coil::cpu>(coil::sum<-1>(sq) + ysq));
static_assert(two_kernels<flat_square_sym>(kernel_kind::reduction, kernel_kind::pointwise, split_reason::cross_row_read,
                                           find_node<flat_square_sym>(op_code::sum)));
static_assert(buffer_dies_in<flat_square_sym>(find_node<flat_square_sym>(op_code::sum), 1));

// ---- a matmul, then a row softmax ------------------------------------------------------------
constexpr auto a32 = coil::input<"a", float>(B, 32_c);
constexpr auto W = coil::input<"W", float>(32_c, 128_c);
using mm_softmax = decltype(coil::compile<coil::cpu>(softmax(coil::matmul(a32, W))));
static_assert(two_kernels<mm_softmax>(kernel_kind::matmul, kernel_kind::rows, split_reason::extern_op,
                                      find_node<mm_softmax>(op_code::matmul)));
static_assert(mm_softmax::plan.stages_in(1) == 4 && mm_softmax::plan.outer_rank[1] == 1);
static_assert(mm_softmax::plan.reason[find_node<mm_softmax>(op_code::matmul)] == realize_reason::extern_op);
static_assert(buffer_dies_in<mm_softmax>(find_node<mm_softmax>(op_code::matmul), 1));

// ---- arena reuse: matmuls in sequence with pointwise in between --------------------------------
// Buffers: x@W1 [8,64] k0..k1, tanh(.+b1) [8,64] k1..k2, .@W2 [8,48] k2..k3, relu [8,48]
// k3..k4, .@W3 [8,16] k4..k5 (the output's epilogue is k5). When .@W3 is written, x@W1
// and tanh are dead: it goes back to offset 0, where x@W1 was. (The exact offsets of the
// others depend on whether a pointwise kernel may write over the buffer it reads, so they
// are not pinned here; tests/static/plan.cpp pins them.)
constexpr auto mx = coil::input<"x", float>(8_c, 32_c);
constexpr auto W1 = coil::input<"W1", float>(32_c, 64_c);
constexpr auto b1 = coil::input<"b1", float>(64_c);
constexpr auto W2 = coil::input<"W2", float>(64_c, 48_c);
constexpr auto W3 = coil::input<"W3", float>(48_c, 16_c);
constexpr auto b3 = coil::input<"b3", float>(16_c);
constexpr auto mlp = coil::matmul(coil::relu(coil::matmul(coil::tanh(coil::matmul(mx, W1) + b1), W2)), W3) + b3;
using mlp_model = decltype(coil::compile<coil::cpu>(mlp));
constexpr auto mlp_arena = coil::layout_arena<mlp_model::graph>(mlp_model::plan, coil::sym_env{});
static_assert(mlp_model::plan.kernel_count == 6 && mlp_model::plan.buffer_count == 5);
static_assert(mlp_model::plan.kind[0] == kernel_kind::matmul && mlp_model::plan.kind[1] == kernel_kind::pointwise &&
              mlp_model::plan.kind[2] == kernel_kind::matmul && mlp_model::plan.kind[4] == kernel_kind::matmul);
static_assert(buffer_dies_in<mlp_model>(find_node<mlp_model>(op_code::matmul), 1));
static_assert(buffer_dies_in<mlp_model>(find_node<mlp_model>(op_code::tanh), 2));
static_assert(buffer_dies_in<mlp_model>(find_node<mlp_model>(op_code::matmul, 1), 3));
static_assert(buffer_dies_in<mlp_model>(find_node<mlp_model>(op_code::relu), 4));
static_assert(reuses_a_dead_buffer<mlp_model>());
static_assert(mlp_model::plan.buffer_node[0] == find_node<mlp_model>(op_code::matmul) &&
              mlp_model::plan.buffer_node[4] == find_node<mlp_model>(op_code::matmul, 2));
static_assert(mlp_arena.offset[0] == 0 && mlp_arena.offset[4] == mlp_arena.offset[0]);
static_assert(mlp_model::static_arena && mlp_model::arena_bytes == mlp_arena.bytes);
// at most the two 2048-byte buffers live together in k1, not one slot per buffer
static_assert(sum_of_buffer_sizes<mlp_model>() == 2048 + 2048 + 1536 + 1536 + 512);
static_assert(mlp_model::arena_bytes <= 4096);

// The row kernel's buffers reuse the dead relu(x) buffer: relu(x) [8,32] k0..k1 at 0,
// x@W k1..k2 at 1024, then amax [8,1] at 0 and the row sum at 64 in k2.
constexpr auto rx = coil::input<"x", float>(8_c, 32_c);
using relu_mm_softmax = decltype(coil::compile<coil::cpu>(softmax(coil::matmul(coil::relu(rx), W))));
constexpr auto rms_arena = coil::layout_arena<relu_mm_softmax::graph>(relu_mm_softmax::plan, coil::sym_env{});
static_assert(relu_mm_softmax::plan.kernel_count == 3 && relu_mm_softmax::plan.kind[2] == kernel_kind::rows);
static_assert(reuses_a_dead_buffer<relu_mm_softmax>());
static_assert(rms_arena.offset[relu_mm_softmax::plan.buffer_of[find_node<relu_mm_softmax>(op_code::amax)]] ==
              rms_arena.offset[relu_mm_softmax::plan.buffer_of[find_node<relu_mm_softmax>(op_code::relu)]]);
static_assert(relu_mm_softmax::arena_bytes < sum_of_buffer_sizes<relu_mm_softmax>());

// the symbolic softmax row kernel: its arena is sized per call
using softmax_sym = decltype(coil::compile<coil::cpu>(softmax(coil::input<"x", float>(B, 128_c))));
static_assert(!softmax_sym::static_arena && softmax_sym::plan.buffer_count == 3 && softmax_sym::plan.kernel_count == 1);

struct mlp_inputs {
  std::vector<float> x, w1, bb1, w2, w3, bb3;
  explicit mlp_inputs(std::uint32_t seed)
      : x(random_values<float>(8 * 32, seed, -2, 2)), w1(random_values<float>(32 * 64, seed + 1, -0.5, 0.5)),
        bb1(random_values<float>(64, seed + 2)), w2(random_values<float>(64 * 48, seed + 3, -0.5, 0.5)),
        w3(random_values<float>(48 * 16, seed + 4, -0.5, 0.5)), bb3(random_values<float>(16, seed + 5)) {}
  auto args() const {
    return std::tuple{coil::arg<"x">(x.data(), 8, 32),     coil::arg<"W1">(w1.data(), 32, 64), coil::arg<"b1">(bb1.data(), 64),
                      coil::arg<"W2">(w2.data(), 64, 48), coil::arg<"W3">(w3.data(), 48, 16), coil::arg<"b3">(bb3.data(), 16)};
  }
};

} // namespace

// ---- values -------------------------------------------------------------------------------

TEST_CASE("planner splits: a reduction over a leading axis (amax<0>)") {
  for (std::int64_t rows : {1, 5, 33}) {
    CAPTURE(rows);
    const auto d = random_values<float>(rows * 64, 301 + static_cast<std::uint32_t>(rows), -5, 5);
    auto y = expect_matches_reference(x64 - coil::amax<0>(x64, coil::keepdim), coil::arg<"x">(d.data(), rows, 64));
    auto z = expect_matches_reference(x64 - coil::amax<0>(x64), coil::arg<"x">(d.data(), rows, 64));
    // every column's max is at 0
    for (int c = 0; c < 64; ++c) {
      float top = -1e30f;
      for (std::int64_t r = 0; r < rows; ++r) top = std::max(top, y(r, c));
      CHECK(top == 0.0f);
      CHECK(z(rows - 1, c) == y(rows - 1, c));
    }
  }
  // amax over an empty axis is an error (as in PyTorch), on both backends
  float dummy = 0;
  CHECK_FALSE(coil::compile<coil::cpu>(x64 - coil::amax<0>(x64, coil::keepdim))
                  .run(coil::arg<"x">(&dummy, 0, 64), coil::out(coil::view(&dummy, 0, 64)))
                  .ok());
  CHECK_FALSE(coil::compile<coil::reference>(x64 - coil::amax<0>(x64, coil::keepdim))
                  .run(coil::arg<"x">(&dummy, 0, 64), coil::out(coil::view(&dummy, 0, 64)))
                  .ok());
}

TEST_CASE("planner splits: a fused value read through a transpose") {
  for (std::int64_t n : {0, 1, 5, 33}) {
    CAPTURE(n);
    const auto d = random_values<float>(n * n + 1, 311 + static_cast<std::uint32_t>(n), -3, 3);
    auto y = expect_matches_reference(es + coil::transpose<0, 1>(es), coil::arg<"s">(d.data(), n, n));
    if (n == 0) { // amax over an empty last dim is an error (as in PyTorch)
      CHECK_THROWS_AS(coil::compile<coil::cpu>(sm + coil::transpose<0, 1>(sm))(coil::arg<"s">(d.data(), n, n)), coil::error);
      continue;
    }
    auto z = expect_matches_reference(sm + coil::transpose<0, 1>(sm), coil::arg<"s">(d.data(), n, n));
    // both are symmetric: y to the bit (a sum of two loads); z to rounding, as its division
    // by a row's sum is a multiplication by the reciprocal where the sum is row-invariant
    // (the operand read straight) and a division where it is not (the transposed operand,
    // on batches through tiles): the two sides of z(i, j) and z(j, i) round differently
    int asymmetric = 0;
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t j = 0; j < n; ++j)
        asymmetric += y(i, j) != y(j, i) || std::fabs(z(i, j) - z(j, i)) > 1e-6 * std::fabs(z(i, j));
    CHECK(asymmetric == 0);
    if (n > 1) CHECK(y(0, 1) == doctest::Approx(std::exp(double(d[1])) + std::exp(double(d[static_cast<std::size_t>(n)]))));
  }
}

TEST_CASE("planner splits: a reduction without keepdim broadcast along the last dim") {
  const auto d = random_values<float>(4 * 8, 321);
  const auto e = random_values<float>(6 * 4, 322);
  auto y = expect_matches_reference(coil::sum<-1>(x48) + y64, coil::arg<"x">(d.data(), 4, 8), coil::arg<"y">(e.data(), 6, 4));
  double row2 = 0;
  for (int c = 0; c < 8; ++c) row2 += d[static_cast<std::size_t>(2 * 8 + c)];
  CHECK(y(5, 2) == doctest::Approx(row2 + e[5 * 4 + 2]).epsilon(1e-5));

  const auto s = random_values<float>(8 * 8, 323);
  const auto t = random_values<float>(8 * 8, 324);
  auto z = expect_matches_reference(coil::sum<-1>(s8) + y8, coil::arg<"s">(s.data(), 8, 8), coil::arg<"y">(t.data(), 8, 8));
  // z(i, j) = sum of row j of s + t(i, j): every row of z reads all the sums
  double row7 = 0;
  for (int c = 0; c < 8; ++c) row7 += s[static_cast<std::size_t>(7 * 8 + c)];
  CHECK(z(0, 7) == doctest::Approx(row7 + t[7]).epsilon(1e-5));

  for (std::int64_t n : {0, 1, 5, 33}) {
    CAPTURE(n);
    const auto u = random_values<float>(n * n + 1, 325 + static_cast<std::uint32_t>(n));
    const auto v = random_values<float>(n * n + 1, 326 + static_cast<std::uint32_t>(n));
    expect_matches_reference(coil::sum<-1>(sq) + ysq, coil::arg<"s">(u.data(), n, n), coil::arg<"y">(v.data(), n, n));
  }
}

TEST_CASE("planner splits: a matmul followed by a row softmax") {
  const auto w = random_values<float>(32 * 128, 331, -0.5, 0.5);
  for (std::int64_t rows : {0, 1, 5, 33}) {
    CAPTURE(rows);
    const auto a = random_values<float>(rows * 32 + 1, 332 + static_cast<std::uint32_t>(rows), -2, 2);
    auto y = expect_matches_reference(softmax(coil::matmul(a32, W)), coil::arg<"a">(a.data(), rows, 32),
                                      coil::arg<"W">(w.data(), 32, 128));
    for (std::int64_t r = 0; r < rows; ++r) {
      double total = 0;
      for (int c = 0; c < 128; ++c) total += y(r, c);
      CHECK(total == doctest::Approx(1.0).epsilon(1e-5));
    }
  }
  // static, with the relu(x) buffer reused by the row kernel
  const auto x = random_values<float>(8 * 32, 339, -2, 2);
  expect_matches_reference(softmax(coil::matmul(coil::relu(rx), W)), coil::arg<"x">(x.data(), 8, 32),
                           coil::arg<"W">(w.data(), 32, 128));
}

TEST_CASE("planner splits: an arena that reuses dead buffers gives the reference's numbers") {
  auto m = coil::compile<coil::cpu>(mlp);
  auto oracle = coil::compile<coil::reference>(mlp);
  // several calls through the same arena: a buffer overwritten early would show up
  for (std::uint32_t seed : {341u, 351u, 361u, 341u}) {
    CAPTURE(seed);
    const mlp_inputs in(seed);
    auto got = std::apply(m, in.args());
    auto want = std::apply(oracle, in.args());
    expect_tensors_close(got, want, 1e-5, 1e-5);
  }
  // by hand, one element, in double
  const mlp_inputs in(371);
  auto y = std::apply(m, in.args());
  std::vector<double> h1(64), h2(48);
  for (int j = 0; j < 64; ++j) {
    double acc = in.bb1[static_cast<std::size_t>(j)];
    for (int k = 0; k < 32; ++k) acc += double(in.x[static_cast<std::size_t>(3 * 32 + k)]) * in.w1[static_cast<std::size_t>(k * 64 + j)];
    h1[static_cast<std::size_t>(j)] = std::tanh(acc);
  }
  for (int j = 0; j < 48; ++j) {
    double acc = 0;
    for (int k = 0; k < 64; ++k) acc += h1[static_cast<std::size_t>(k)] * in.w2[static_cast<std::size_t>(k * 48 + j)];
    h2[static_cast<std::size_t>(j)] = std::max(acc, 0.0);
  }
  double out = in.bb3[5];
  for (int k = 0; k < 48; ++k) out += h2[static_cast<std::size_t>(k)] * in.w3[static_cast<std::size_t>(k * 16 + 5)];
  CHECK(y(3, 5) == doctest::Approx(out).epsilon(1e-4));
}

TEST_CASE("planner memory: a static-shape model's calls allocate nothing through operator new") {
  const heap_counts before_construct;
  auto m = coil::compile<coil::cpu>(mlp);
  const heap_counts after_construct;
  // the arena is reserved once, by the constructor (this also shows the counters work)
  CHECK(after_construct.allocations > before_construct.allocations);

  const mlp_inputs in1(401), in2(402);
  std::vector<float> y1(8 * 16), y2(8 * 16);
  const auto a1 = in1.args();
  const auto a2 = in2.args();
  const auto o1 = coil::out(coil::view(y1.data(), 8, 16));
  const auto o2 = coil::out(coil::view(y2.data(), 8, 16));
  bool all_ok = true;

  const heap_counts start;
  for (int it = 0; it < 4; ++it) {
    std::apply([&](const auto&... a) { m(a..., o1); }, a1);
    std::apply([&](const auto&... a) { m(a..., o2); }, a2);
    all_ok = all_ok && std::apply([&](const auto&... a) { return m.run(a..., o1).ok(); }, a1);
  }
  const heap_counts stop;
  CHECK(stop.allocations == start.allocations);
  CHECK(stop.deallocations == start.deallocations);
  CHECK(all_ok);

  // and the numbers are right
  auto oracle = coil::compile<coil::reference>(mlp);
  auto want1 = std::apply(oracle, a1);
  auto want2 = std::apply(oracle, a2);
  for (int i = 0; i < 8 * 16; ++i) {
    CHECK(y1[static_cast<std::size_t>(i)] == doctest::Approx(want1.data()[i]).epsilon(1e-5).scale(1e-1));
    CHECK(y2[static_cast<std::size_t>(i)] == doctest::Approx(want2.data()[i]).epsilon(1e-5).scale(1e-1));
  }

  // a static row-kernel model (relu, matmul, softmax), too
  auto s = coil::compile<coil::cpu>(softmax(coil::matmul(coil::relu(rx), W)));
  const auto x = random_values<float>(8 * 32, 403);
  const auto w = random_values<float>(32 * 128, 404, -0.5, 0.5);
  std::vector<float> p(8 * 128);
  const heap_counts s_start;
  for (int it = 0; it < 4; ++it)
    s(coil::arg<"x">(x.data(), 8, 32), coil::arg<"W">(w.data(), 32, 128), coil::out(coil::view(p.data(), 8, 128)));
  const heap_counts s_stop;
  CHECK(s_stop.allocations == s_start.allocations);
  CHECK(s_stop.deallocations == s_start.deallocations);
  auto want = coil::compile<coil::reference>(softmax(coil::matmul(coil::relu(rx), W)))(coil::arg<"x">(x.data(), 8, 32),
                                                                                       coil::arg<"W">(w.data(), 32, 128));
  int off = 0;
  for (int i = 0; i < 8 * 128; ++i) off += !coil::testing::close(p[static_cast<std::size_t>(i)], want.data()[i], 1e-5, 1e-6);
  CHECK(off == 0);
}

TEST_CASE("planner memory: a symbolic model stops allocating after its first call at the largest size") {
  constexpr auto xb = coil::input<"x", float>(B, 128_c);
  auto m = coil::compile<coil::cpu>(softmax(xb));
  const auto d = random_values<float>(33 * 128, 411, -8, 8);
  std::vector<float> y(33 * 128);
  auto call = [&](std::int64_t rows) {
    m(coil::arg<"x">(d.data(), rows, 128), coil::out(coil::view(y.data(), rows, 128)));
  };
  call(5);
  const heap_counts before_largest;
  call(33);
  const heap_counts after_largest;
  CHECK(after_largest.allocations > before_largest.allocations); // the arena grew (it cannot hold 33 rows yet)
  const heap_counts start;
  for (std::int64_t rows : {33, 1, 5, 0, 33, 17, 32})
    call(rows);
  const heap_counts stop;
  CHECK(stop.allocations == start.allocations);
  CHECK(stop.deallocations == start.deallocations);
  // the last call (32 rows) through the reused arena matches the reference
  auto want = coil::compile<coil::reference>(softmax(xb))(coil::arg<"x">(d.data(), 32, 128));
  int off = 0;
  for (int i = 0; i < 32 * 128; ++i) off += !coil::testing::close(y[static_cast<std::size_t>(i)], want.data()[i], 1e-5, 1e-6);
  CHECK(off == 0);

  // a symbolic model with a matmul and a row kernel: same
  auto mm = coil::compile<coil::cpu>(softmax(coil::matmul(a32, W)));
  const auto a = random_values<float>(33 * 32, 412, -2, 2);
  const auto w = random_values<float>(32 * 128, 413, -0.5, 0.5);
  auto mm_call = [&](std::int64_t rows) {
    mm(coil::arg<"a">(a.data(), rows, 32), coil::arg<"W">(w.data(), 32, 128), coil::out(coil::view(y.data(), rows, 128)));
  };
  mm_call(33);
  const heap_counts mm_start;
  for (std::int64_t rows : {1, 33, 0, 7, 33})
    mm_call(rows);
  const heap_counts mm_stop;
  CHECK(mm_stop.allocations == mm_start.allocations);
  CHECK(mm_stop.deallocations == mm_start.deallocations);
}
