// Planner v2, fused row kernels: softmax, log_softmax, layer_norm, rms_norm, centering and
// sibling reductions written in primitives. Each case static_asserts the plan shape it
// exercises (one `kernel_kind::rows` kernel, its stages and arena buffers) and checks the
// fused CPU backend against the reference backend; realize()/inline_() hints must not
// change a single bit of the result. (Cases where fusion must not happen, arena reuse and
// heap allocation are in planner_fusion_splits.cpp.)
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <tuple>
#include <vector>

#include "support/multi_output_check.hpp"
#include "support/reference_check.hpp"

using namespace coil::literals;
using coil::kernel_kind;
using coil::op_code;
using coil::realize_reason;
using coil::testing::expect_all_match;
using coil::testing::expect_matches_reference;
using coil::testing::random_values;

namespace {

// Index of the (skip+1)-th node with op code c in a model's graph, or -1.
template <class M> constexpr int find_node(op_code c, int skip = 0) {
  for (int i = 0; i < M::graph::size; ++i)
    if (M::graph::records[i].code == c && skip-- == 0) return i;
  return -1;
}

// The model is one row kernel of `stages` stages over an outer loop of rank `outer`,
// computing every output.
template <class M> constexpr bool one_row_kernel(int stages, int outer) {
  const auto& p = M::plan;
  if (p.kernel_count != 1 || p.kind[0] != kernel_kind::rows || p.stages_in(0) != stages || p.outer_rank[0] != outer ||
      p.split[0] != coil::split_reason::first)
    return false;
  for (int o = 0; o < M::graph::output_count; ++o)
    if (p.kernel_of[M::graph::outputs[o]] != 0) return false;
  // every arena buffer is born and dies in the kernel
  for (int b = 0; b < p.buffer_count; ++b)
    if (p.kernel_of[p.buffer_node[b]] != 0 || p.buffer_last_use[b] != 0) return false;
  return true;
}

template <class M> constexpr bool has_reason(op_code c, realize_reason why, int skip = 0) {
  const int i = find_node<M>(c, skip);
  return i >= 0 && M::plan.reason[i] == why;
}

// Same element values, bit for bit (NaN payloads aside).
template <class T, int R> bool identical(const coil::tensor<T, R>& a, const coil::tensor<T, R>& b) {
  if (a.extents != b.extents) return false;
  for (std::int64_t i = 0; i < a.size(); ++i) {
    const T x = a.data()[i], y = b.data()[i];
    if (std::isnan(x) && std::isnan(y)) continue;
    if (std::memcmp(&x, &y, sizeof(T)) != 0) return false;
  }
  return true;
}

// ---- the expressions, in primitives ----------------------------------------------------

template <class X> constexpr auto softmax(X x) {
  return coil::exp(x - coil::amax<-1>(x, coil::keepdim)) /
         coil::sum<-1>(coil::exp(x - coil::amax<-1>(x, coil::keepdim)), coil::keepdim);
}
template <class X> constexpr auto log_softmax(X x) {
  const auto shifted = x - coil::amax<-1>(x, coil::keepdim);
  return shifted - coil::log(coil::sum<-1>(coil::exp(shifted), coil::keepdim));
}
template <class X, class W, class Bias> constexpr auto layer_norm(X x, W w, Bias b) {
  const auto centered = x - coil::mean<-1>(x, coil::keepdim);
  return centered * coil::rsqrt(coil::mean<-1>(centered * centered, coil::keepdim) + 1e-5_c) * w + b;
}
template <class X, class W> constexpr auto rms_norm(X x, W w) {
  return x * coil::rsqrt(coil::mean<-1>(x * x, coil::keepdim) + 1e-6_c) * w;
}

constexpr auto B = coil::sym<"B">;
constexpr auto xs = coil::input<"x", float>(64_c, 128_c); // static
constexpr auto xb = coil::input<"x", float>(B, 128_c);    // symbolic rows

constexpr auto x64 = coil::input<"x", float>(B, 64_c);
constexpr auto w64 = coil::input<"w", float>(64_c);
constexpr auto b64 = coil::input<"b", float>(64_c);
constexpr auto x3 = coil::input<"x", float>(2_c, B, 32_c);
constexpr auto w32 = coil::input<"w", float>(32_c);
constexpr auto b32 = coil::input<"b", float>(32_c);

// ---- plans ------------------------------------------------------------------------------

// softmax: amax, exp (two users, expensive: stored), sum, div; the subtraction is inlined.
using softmax_static = decltype(coil::compile<coil::cpu>(softmax(xs)));
static_assert(one_row_kernel<softmax_static>(4, 1));
static_assert(softmax_static::graph::size == 6 && softmax_static::plan.buffer_count == 3);
static_assert(has_reason<softmax_static>(op_code::amax, realize_reason::reduction));
static_assert(has_reason<softmax_static>(op_code::sub, realize_reason::inlined));
static_assert(has_reason<softmax_static>(op_code::exp, realize_reason::multi_user));
static_assert(has_reason<softmax_static>(op_code::sum, realize_reason::reduction));
static_assert(has_reason<softmax_static>(op_code::div, realize_reason::output));
// amax [64,1] 256 B, exp [64,128] 32768 B, sum [64,1] 256 B: all live in k0, no reuse
static_assert(softmax_static::static_arena && softmax_static::arena_bytes == 256 + 32768 + 256);
static_assert(softmax_static::plan.kernel_root[0] == softmax_static::graph::outputs[0]);

using softmax_sym = decltype(coil::compile<coil::cpu>(softmax(xb)));
static_assert(one_row_kernel<softmax_sym>(4, 1));
static_assert(softmax_sym::plan.buffer_count == 3 && !softmax_sym::static_arena && softmax_sym::arena_bytes == -1);

// log_softmax: x - amax has two users but is cheap (recomputed); exp is inlined into the
// sum: stages amax, sum, output.
using log_softmax_sym = decltype(coil::compile<coil::cpu>(log_softmax(xb)));
static_assert(one_row_kernel<log_softmax_sym>(3, 1));
static_assert(log_softmax_sym::plan.buffer_count == 2);
static_assert(has_reason<log_softmax_sym>(op_code::sub, realize_reason::cheap_recompute));
static_assert(has_reason<log_softmax_sym>(op_code::exp, realize_reason::inlined));
static_assert(has_reason<log_softmax_sym>(op_code::log, realize_reason::inlined));

// layer_norm: mean, mean of the recomputed centered square, the output.
using layer_norm_2d = decltype(coil::compile<coil::cpu>(layer_norm(x64, w64, b64)));
static_assert(one_row_kernel<layer_norm_2d>(3, 1));
static_assert(layer_norm_2d::plan.buffer_count == 2);
static_assert(has_reason<layer_norm_2d>(op_code::mean, realize_reason::reduction));
static_assert(has_reason<layer_norm_2d>(op_code::mean, realize_reason::reduction, 1));
static_assert(has_reason<layer_norm_2d>(op_code::sub, realize_reason::cheap_recompute));
static_assert(has_reason<layer_norm_2d>(op_code::rsqrt, realize_reason::inlined));

// over the last dim of [2, B, 32]: the outer loop is [2, B]
using layer_norm_3d = decltype(coil::compile<coil::cpu>(layer_norm(x3, w32, b32)));
static_assert(one_row_kernel<layer_norm_3d>(3, 2));
static_assert(layer_norm_3d::plan.buffer_count == 2);

// rms_norm: the mean of squares, the output.
using rms_norm_model = decltype(coil::compile<coil::cpu>(rms_norm(x64, w64)));
static_assert(one_row_kernel<rms_norm_model>(2, 1));
static_assert(rms_norm_model::plan.buffer_count == 1);
static_assert(rms_norm_model::plan.buffer_node[0] == find_node<rms_norm_model>(op_code::mean));
static_assert(has_reason<rms_norm_model>(op_code::mul, realize_reason::inlined)); // x * x

// centering: the mean, then x - mean.
using centering = decltype(coil::compile<coil::cpu>(x64 - coil::mean<-1>(x64, coil::keepdim)));
static_assert(one_row_kernel<centering>(2, 1) && centering::plan.buffer_count == 1);

// centering with the mean as a second output: one kernel, two outputs, nothing in the arena.
constexpr auto mean64 = coil::mean<-1>(x64, coil::keepdim);
using centering_and_mean = decltype(coil::compile<coil::cpu>(x64 - mean64, mean64));
static_assert(one_row_kernel<centering_and_mean>(2, 1) && centering_and_mean::plan.buffer_count == 0);
static_assert(centering_and_mean::arena_bytes == 0);

// sibling reductions of the same x (no keepdim), each an output: one kernel, two stages.
using siblings = decltype(coil::compile<coil::cpu>(coil::amax<-1>(x64), coil::sum<-1>(x64)));
static_assert(one_row_kernel<siblings>(2, 1) && siblings::plan.buffer_count == 0);
static_assert(siblings::graph::output_count == 2);
static_assert(siblings::plan.output_slot[find_node<siblings>(op_code::amax)] == 0);
static_assert(siblings::plan.output_slot[find_node<siblings>(op_code::sum)] == 1);

// ---- hints -------------------------------------------------------------------------------

// realize(x - amax): stored (5 stages, 4 buffers), still one row kernel
constexpr auto shifted_b = xb - coil::amax<-1>(xb, coil::keepdim);
constexpr auto softmax_realized =
    coil::exp(coil::realize(shifted_b)) / coil::sum<-1>(coil::exp(coil::realize(shifted_b)), coil::keepdim);
using softmax_realized_model = decltype(coil::compile<coil::cpu>(softmax_realized));
static_assert(one_row_kernel<softmax_realized_model>(5, 1) && softmax_realized_model::plan.buffer_count == 4);
static_assert(has_reason<softmax_realized_model>(op_code::realize_hint, realize_reason::user_realize));

// inline_(exp(x - amax)): recomputed in the sum and in the division (3 stages, 2 buffers)
constexpr auto softmax_inlined =
    coil::inline_(coil::exp(shifted_b)) / coil::sum<-1>(coil::inline_(coil::exp(shifted_b)), coil::keepdim);
using softmax_inlined_model = decltype(coil::compile<coil::cpu>(softmax_inlined));
static_assert(one_row_kernel<softmax_inlined_model>(3, 1) && softmax_inlined_model::plan.buffer_count == 2);
static_assert(has_reason<softmax_inlined_model>(op_code::inline_hint, realize_reason::user_inline));
static_assert(has_reason<softmax_inlined_model>(op_code::exp, realize_reason::inlined));

// layer_norm with the centered value stored: 4 stages, 3 buffers
constexpr auto centered_r = coil::realize(x64 - coil::mean<-1>(x64, coil::keepdim));
constexpr auto layer_norm_realized =
    centered_r * coil::rsqrt(coil::mean<-1>(centered_r * centered_r, coil::keepdim) + 1e-5_c) * w64 + b64;
using layer_norm_realized_model = decltype(coil::compile<coil::cpu>(layer_norm_realized));
static_assert(one_row_kernel<layer_norm_realized_model>(4, 1) && layer_norm_realized_model::plan.buffer_count == 3);

} // namespace

// ---- values -------------------------------------------------------------------------------

TEST_CASE("planner fusion: softmax over the last dim, static [64, 128]") {
  const auto d = random_values<float>(64 * 128, 101, -6, 6);
  auto y = expect_matches_reference(softmax(xs), coil::arg<"x">(d.data(), 64, 128));
  for (int r = 0; r < 64; ++r) {
    double total = 0;
    for (int c = 0; c < 128; ++c) total += y(r, c);
    CHECK(total == doctest::Approx(1.0).epsilon(1e-5));
  }
  // a second call through the same static arena
  auto m = coil::compile<coil::cpu>(softmax(xs));
  const auto d2 = random_values<float>(64 * 128, 102, -30, 30);
  auto y1 = m(coil::arg<"x">(d.data(), 64, 128));
  auto y2 = m(coil::arg<"x">(d2.data(), 64, 128));
  CHECK(identical(y1, y));
  coil::testing::expect_tensors_close(y2, coil::compile<coil::reference>(softmax(xs))(coil::arg<"x">(d2.data(), 64, 128)),
                                      1e-5, 1e-6);
}

TEST_CASE("planner fusion: softmax over symbolic rows [B, 128], B = 0, 1, 5, 33") {
  for (std::int64_t rows : {0, 1, 5, 33}) {
    CAPTURE(rows);
    const auto d = random_values<float>(rows * 128 + 1, 103 + static_cast<std::uint32_t>(rows), -8, 8);
    auto y = expect_matches_reference(softmax(xb), coil::arg<"x">(d.data(), rows, 128));
    CHECK(y.extents == std::array<std::int64_t, 2>{rows, 128});
    for (std::int64_t r = 0; r < rows; ++r) {
      double total = 0;
      for (int c = 0; c < 128; ++c) total += y(r, c);
      CHECK(total == doctest::Approx(1.0).epsilon(1e-5));
    }
  }
  // one model, sizes going up and down (the arena is re-laid out per call)
  auto m = coil::compile<coil::cpu>(softmax(xb));
  auto oracle = coil::compile<coil::reference>(softmax(xb));
  for (std::int64_t rows : {33, 1, 5, 0, 33}) {
    CAPTURE(rows);
    const auto d = random_values<float>(rows * 128 + 1, 200 + static_cast<std::uint32_t>(rows), -8, 8);
    coil::testing::expect_tensors_close(m(coil::arg<"x">(d.data(), rows, 128)), oracle(coil::arg<"x">(d.data(), rows, 128)),
                                        1e-5, 1e-6);
  }
}

TEST_CASE("planner fusion: log_softmax over [B, 128]") {
  for (std::int64_t rows : {0, 1, 5, 33}) {
    CAPTURE(rows);
    const auto d = random_values<float>(rows * 128 + 1, 110 + static_cast<std::uint32_t>(rows), -8, 8);
    auto y = expect_matches_reference(log_softmax(xb), coil::arg<"x">(d.data(), rows, 128));
    for (std::int64_t r = 0; r < rows; ++r) {
      double total = 0;
      for (int c = 0; c < 128; ++c) {
        CHECK(y(r, c) <= 0.0f);
        total += std::exp(static_cast<double>(y(r, c)));
      }
      CHECK(total == doctest::Approx(1.0).epsilon(1e-5));
    }
  }
}

TEST_CASE("planner fusion: softmax and log_softmax of large-magnitude rows stay finite") {
  // values spread over [-1e4, 1e4]: exp(x) alone would overflow, exp(x - max) cannot
  const std::int64_t rows = 9;
  auto d = random_values<float>(rows * 128, 120, -1e4, 1e4);
  for (int c = 0; c < 128; ++c) d[static_cast<std::size_t>(c)] = 1e4f - static_cast<float>(c % 3); // near-ties at the top
  auto y = expect_matches_reference(softmax(xb), coil::arg<"x">(d.data(), rows, 128));
  auto ly = expect_matches_reference(log_softmax(xb), coil::arg<"x">(d.data(), rows, 128));
  for (std::int64_t r = 0; r < rows; ++r) {
    CAPTURE(r);
    double total = 0;
    int bad = 0;
    for (int c = 0; c < 128; ++c) {
      bad += !std::isfinite(y(r, c)) || !std::isfinite(ly(r, c)) || y(r, c) < 0.0f || y(r, c) > 1.0f;
      total += y(r, c);
    }
    CHECK(bad == 0);
    CHECK(total == doctest::Approx(1.0).epsilon(1e-5));
  }
  // row 0: 43 entries at 1e4, 43 at 1e4-1, 42 at 1e4-2
  const double e1 = std::exp(-1.0), e2 = std::exp(-2.0), den = 43 + 43 * e1 + 42 * e2;
  CHECK(y(0, 0) == doctest::Approx(1 / den).epsilon(1e-5));
  CHECK(y(0, 1) == doctest::Approx(e1 / den).epsilon(1e-5));
  CHECK(ly(0, 2) == doctest::Approx(-2 - std::log(den)).epsilon(1e-5));
}

TEST_CASE("planner fusion: a row of all -inf gives NaN, like PyTorch") {
  constexpr float inf = std::numeric_limits<float>::infinity();
  std::vector<float> d(4 * 128, 0.0f);
  for (int c = 0; c < 128; ++c) {
    d[static_cast<std::size_t>(c)] = -inf;                                  // row 0: all -inf
    d[static_cast<std::size_t>(128 + c)] = c % 2 ? -inf : 0.5f;             // row 1: half -inf
    d[static_cast<std::size_t>(256 + c)] = c == 7 ? inf : 1.0f;             // row 2: one +inf
    d[static_cast<std::size_t>(384 + c)] = static_cast<float>(c % 5) - 2.0f; // row 3: finite
  }
  auto y = expect_matches_reference(softmax(xb), coil::arg<"x">(d.data(), 4, 128));
  auto ly = expect_matches_reference(log_softmax(xb), coil::arg<"x">(d.data(), 4, 128));
  int nan0 = 0, nan2 = 0;
  for (int c = 0; c < 128; ++c) {
    nan0 += std::isnan(y(0, c)) && std::isnan(ly(0, c));
    nan2 += std::isnan(y(2, c)); // inf - inf in the shift
  }
  CHECK(nan0 == 128);
  CHECK(nan2 == 128);
  // -inf entries of a row with a finite max get probability 0 (log: -inf)
  CHECK(y(1, 1) == 0.0f);
  CHECK(ly(1, 1) == -inf);
  CHECK(y(1, 0) == doctest::Approx(1.0 / 64).epsilon(1e-6));
  CHECK(ly(1, 0) == doctest::Approx(-std::log(64.0)).epsilon(1e-6));
  CHECK(std::isfinite(y(3, 0)));
  // the static model too
  std::vector<float> s(64 * 128, 1.0f);
  for (int c = 0; c < 128; ++c) s[static_cast<std::size_t>(5 * 128 + c)] = -inf;
  auto ys = expect_matches_reference(softmax(xs), coil::arg<"x">(s.data(), 64, 128));
  CHECK(std::isnan(ys(5, 0)));
  CHECK(std::isnan(ys(5, 127)));
  CHECK(ys(4, 0) == doctest::Approx(1.0 / 128).epsilon(1e-6));
}

TEST_CASE("planner fusion: layer_norm with weight and bias over [B, 64]") {
  const auto w = random_values<float>(64, 131, 0.5, 1.5);
  const auto b = random_values<float>(64, 132, -1, 1);
  for (std::int64_t rows : {0, 1, 5, 33}) {
    CAPTURE(rows);
    auto d = random_values<float>(rows * 64 + 1, 133 + static_cast<std::uint32_t>(rows), -3, 3);
    // an offset row: centering before squaring keeps the variance accurate
    if (rows > 2)
      for (int c = 0; c < 64; ++c) d[static_cast<std::size_t>(64 + c)] += 1000.0f;
    auto y = expect_matches_reference(layer_norm(x64, w64, b64), coil::arg<"x">(d.data(), rows, 64),
                                      coil::arg<"w">(w.data(), 64), coil::arg<"b">(b.data(), 64));
    // with w = 1, b = 0 every row has mean 0 and variance 1 / (1 + 1e-5 / var)
    const std::vector<float> ones(64, 1.0f), zeros(64, 0.0f);
    auto n = coil::compile<coil::cpu>(layer_norm(x64, w64, b64))(
        coil::arg<"x">(d.data(), rows, 64), coil::arg<"w">(ones.data(), 64), coil::arg<"b">(zeros.data(), 64));
    for (std::int64_t r = 0; r < rows; ++r) {
      double s = 0, ss = 0;
      for (int c = 0; c < 64; ++c) s += n(r, c), ss += double(n(r, c)) * n(r, c);
      CHECK(s / 64 == doctest::Approx(0.0).epsilon(1e-5).scale(1.0));
      CHECK(ss / 64 == doctest::Approx(1.0).epsilon(1e-3));
    }
  }
}

TEST_CASE("planner fusion: layer_norm over the last dim of [2, B, 32]") {
  const auto w = random_values<float>(32, 141, 0.5, 1.5);
  const auto b = random_values<float>(32, 142, -1, 1);
  for (std::int64_t mid : {0, 1, 5, 33}) {
    CAPTURE(mid);
    const auto d = random_values<float>(2 * mid * 32 + 1, 143 + static_cast<std::uint32_t>(mid), -3, 3);
    auto y = expect_matches_reference(layer_norm(x3, w32, b32), coil::arg<"x">(d.data(), 2, mid, 32),
                                      coil::arg<"w">(w.data(), 32), coil::arg<"b">(b.data(), 32));
    CHECK(y.extents == std::array<std::int64_t, 3>{2, mid, 32});
  }
  // a strided (transposed-layout) input: the row kernel reads through the strides
  const std::int64_t mid = 5;
  const auto d = random_values<float>(2 * mid * 32, 149, -3, 3);
  // element (i, j, k) at k * (2 * mid) + i * mid + j
  const auto in = coil::strided_view(d.data(), std::array<std::int64_t, 3>{2, mid, 32},
                                     std::array<std::int64_t, 3>{mid, 1, 2 * mid});
  expect_matches_reference(layer_norm(x3, w32, b32), coil::arg<"x">(in), coil::arg<"w">(w.data(), 32),
                           coil::arg<"b">(b.data(), 32));
}

TEST_CASE("planner fusion: rms_norm is one kernel") {
  const auto w = random_values<float>(64, 151, -2, 2);
  for (std::int64_t rows : {0, 1, 5, 33}) {
    CAPTURE(rows);
    const auto d = random_values<float>(rows * 64 + 1, 152 + static_cast<std::uint32_t>(rows), -4, 4);
    auto y = expect_matches_reference(rms_norm(x64, w64), coil::arg<"x">(d.data(), rows, 64), coil::arg<"w">(w.data(), 64));
    if (rows > 0) {
      double ms = 0;
      for (int c = 0; c < 64; ++c) ms += double(d[static_cast<std::size_t>(c)]) * d[static_cast<std::size_t>(c)];
      const double want = d[3] / std::sqrt(ms / 64 + 1e-6) * w[3];
      CHECK(y(0, 3) == doctest::Approx(want).epsilon(1e-5));
    }
  }
}

TEST_CASE("planner fusion: centering, and sibling reductions as two outputs of one kernel") {
  for (std::int64_t rows : {0, 1, 5, 33}) {
    CAPTURE(rows);
    const auto d = random_values<float>(rows * 64 + 1, 161 + static_cast<std::uint32_t>(rows), -5, 5);
    auto c = expect_matches_reference(x64 - coil::mean<-1>(x64, coil::keepdim), coil::arg<"x">(d.data(), rows, 64));
    for (std::int64_t r = 0; r < rows; ++r) {
      double s = 0;
      for (int k = 0; k < 64; ++k) s += c(r, k);
      CHECK(s == doctest::Approx(0.0).scale(1.0).epsilon(1e-4));
    }
    auto [centered, mean] = expect_all_match(std::tuple{x64 - mean64, mean64}, coil::arg<"x">(d.data(), rows, 64));
    CHECK(mean.extents == std::array<std::int64_t, 2>{rows, 1});
    auto [mx, total] = expect_all_match(std::tuple{coil::amax<-1>(x64), coil::sum<-1>(x64)}, coil::arg<"x">(d.data(), rows, 64));
    REQUIRE(mx.extents == std::array<std::int64_t, 1>{rows});
    REQUIRE(total.extents == std::array<std::int64_t, 1>{rows});
    for (std::int64_t r = 0; r < rows; ++r) {
      float m = -std::numeric_limits<float>::infinity();
      double s = 0;
      for (int k = 0; k < 64; ++k) {
        const float v = d[static_cast<std::size_t>(r * 64 + k)];
        m = std::max(m, v);
        s += v;
      }
      CHECK(mx(r) == m);
      CHECK(total(r) == doctest::Approx(s).epsilon(1e-5));
    }
  }
  // NaN in one row propagates through amax and sum of that row only
  std::vector<float> d(3 * 64, 1.0f);
  d[64 + 17] = std::numeric_limits<float>::quiet_NaN();
  auto [mx, total] = expect_all_match(std::tuple{coil::amax<-1>(x64), coil::sum<-1>(x64)}, coil::arg<"x">(d.data(), 3, 64));
  CHECK(std::isnan(mx(1)));
  CHECK(std::isnan(total(1)));
  CHECK(mx(0) == 1.0f);
  CHECK(total(2) == 64.0f);
}

TEST_CASE("planner fusion: realize() and inline_() hints give identical numbers") {
  auto plain = coil::compile<coil::cpu>(softmax(xb));
  auto stored = coil::compile<coil::cpu>(softmax_realized);
  auto recomputed = coil::compile<coil::cpu>(softmax_inlined);
  for (std::int64_t rows : {0, 1, 5, 33}) {
    CAPTURE(rows);
    const auto d = random_values<float>(rows * 128 + 1, 171 + static_cast<std::uint32_t>(rows), -20, 20);
    const auto a = coil::arg<"x">(d.data(), rows, 128);
    auto y = plain(a);
    CHECK(identical(stored(a), y));
    CHECK(identical(recomputed(a), y));
    expect_matches_reference(softmax_realized, a);
    expect_matches_reference(softmax_inlined, a);
  }
  const auto w = random_values<float>(64, 172, 0.5, 1.5);
  const auto b = random_values<float>(64, 173, -1, 1);
  const auto d = random_values<float>(7 * 64, 174, -3, 3);
  const auto args = std::tuple{coil::arg<"x">(d.data(), 7, 64), coil::arg<"w">(w.data(), 64), coil::arg<"b">(b.data(), 64)};
  auto ln = std::apply(coil::compile<coil::cpu>(layer_norm(x64, w64, b64)), args);
  auto ln_stored = std::apply(coil::compile<coil::cpu>(layer_norm_realized), args);
  CHECK(identical(ln_stored, ln));
}
