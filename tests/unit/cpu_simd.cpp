// The CPU backend's vector paths (backends/cpu/simd.hpp) against the reference backend:
// inner extents that are not multiples of any vector width (tails), pointers one float
// off any vector alignment, broadcast operands (splats), transposed and strided inputs
// (tiles, cpu/tiles.hpp), int32/int64 pointwise loops, the row kernels (softmax,
// log_softmax, layer_norm) and inner-axis reductions, NaN included; and masks
// (comparisons with NaN operands, logical ops, where, bool loads full and broadcast, iota
// causal masks, int32/int64 where), with static_asserts that those models' stages run on
// batches. Built twice: for the default target, and with -march=native
// (unit_cpu_simd_native) so the widest batches of the build machine run too.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "support/reference_check.hpp"

using namespace coil::literals;
using coil::testing::expect_matches_reference;
using coil::testing::random_values;

namespace {
constexpr auto R = coil::sym<"R">;
constexpr auto C = coil::sym<"C">;
constexpr auto x = coil::input<"x", float>(R, C);
constexpr auto a = coil::input<"a", float>(C);
constexpr auto b = coil::input<"b", float>(C);

// Sizes around the widths of SSE (4), AVX (8) and AVX-512 (16) float batches, and four
// accumulators of them (64).
constexpr std::int64_t cols[] = {1, 3, 4, 5, 15, 16, 17, 31, 33, 63, 64, 65, 100, 257};

// Data starting `skew` elements past the start of its storage.
template <class T> struct skewed_as {
  std::vector<T> store;
  T* p;
  skewed_as(const std::vector<T>& v, int skew) : store(v.size() + 16), p(store.data() + skew) {
    std::copy(v.begin(), v.end(), p);
  }
};
using skewed = skewed_as<float>;
} // namespace

TEST_CASE("cpu simd: gelu(x*a+b) with broadcast rows, every tail length, unaligned pointers") {
  for (const std::int64_t c : cols)
    for (const int skew : {0, 1, 3}) {
      CAPTURE(c);
      CAPTURE(skew);
      const std::int64_t r = 3;
      const skewed xv(random_values<float>(r * c, 1, -4, 4), skew), av(random_values<float>(c, 2), skew),
          bv(random_values<float>(c, 3), skew);
      expect_matches_reference(coil::gelu(x * a + b), coil::arg<"x">(xv.p, r, c), coil::arg<"a">(av.p, c),
                               coil::arg<"b">(bv.p, c));
    }
}

TEST_CASE("cpu simd: unary math, min/max with NaN and infinities on vector lanes") {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  std::vector<float> v = random_values<float>(2 * 37, 4, -3, 3);
  v[1] = nan, v[5] = inf, v[9] = -inf, v[17] = -0.0f, v[40] = nan, v[41] = 0.0f;
  std::vector<float> w = random_values<float>(37, 5, -3, 3);
  w[2] = nan, w[5] = nan, w[6] = inf;
  const skewed xv(v, 1), av(w, 1);
  auto X = coil::arg<"x">(xv.p, 2, 37);
  auto A = coil::arg<"a">(av.p, 37);
  expect_matches_reference(coil::relu(x) + coil::abs(-x), X);
  expect_matches_reference(coil::exp(x) * coil::tanh(x) - coil::sigmoid(x), X);
  expect_matches_reference(coil::erf(x) + coil::sin(x) * coil::cos(x), X);
  expect_matches_reference(coil::minimum(x, a) - coil::maximum(a, x), X, A);
  expect_matches_reference(coil::sqrt(coil::abs(x)) + coil::log(coil::abs(x) + 1.0_c), X);
}

TEST_CASE("cpu simd: transposed and strided operands are read through tiles") {
  // 64 x 64 tiles (cpu/tiles.hpp): sizes below one tile, on its edge, and past it
  for (const auto& rc : {std::pair<std::int64_t, std::int64_t>{5, 19}, {64, 64}, {65, 129}, {70, 45}, {130, 70}, {1, 40}, {40, 1}}) {
    const std::int64_t r = rc.first, c = rc.second; // (clang 14 cannot capture structured bindings)
    CAPTURE(r);
    CAPTURE(c);
    constexpr auto y = coil::input<"y", float>(C, R);
    std::vector<float> yv = random_values<float>(c * r, 6, -3, 3), xv = random_values<float>(r * c, 7, -3, 3);
    yv[static_cast<std::size_t>(c * r / 2)] = std::numeric_limits<float>::quiet_NaN();
    const skewed ys(yv, 1), xs(xv, 3);
    auto Y = coil::arg<"y">(ys.p, c, r);
    auto X = coil::arg<"x">(xs.p, r, c);
    expect_matches_reference(coil::exp(coil::permute<1, 0>(y)) + x, Y, X);
    // two staged operands, one of them also broadcast along the rows
    expect_matches_reference(coil::permute<1, 0>(y) * coil::permute<1, 0>(y) - coil::permute<1, 0>(y) / (x * x + 1.0_c), Y, X);
    expect_matches_reference(coil::permute<1, 0>(y) + a, Y, coil::arg<"a">(xs.p, c));
  }
  // a batch of transposed matrices (the tiled axis is not the first one)
  constexpr auto z = coil::input<"z", float>(2_c, C, R);
  const auto zv = random_values<float>(2 * 37 * 41, 12, -2, 2);
  expect_matches_reference(coil::tanh(coil::permute<0, 2, 1>(z)), coil::arg<"z">(zv.data(), 2, 37, 41));
  // every second column: strided along the inner axis, contiguous along no other (one row per tile)
  constexpr auto w = coil::input<"w", float>(R, 90_c);
  const auto wv = random_values<float>(6 * 90, 13, -2, 2);
  expect_matches_reference(coil::sigmoid(coil::slice<1, 0, coil::slice_end, 2>(w)), coil::arg<"w">(wv.data(), 6, 90));
  expect_matches_reference(coil::slice<1, 1, coil::slice_end, 2>(w) - coil::slice<1, 0, coil::slice_end, 2>(w),
                           coil::arg<"w">(wv.data(), 6, 90));
}

template <class I> void check_integer_batches() {
  constexpr auto xi = coil::input<"x", I>(R, C);
  constexpr auto ai = coil::input<"a", I>(C);
  using lim = std::numeric_limits<I>;
  for (const std::int64_t c : {3, 17, 65}) {
    CAPTURE(c);
    std::vector<I> v = random_values<I>(3 * c, 20, -1000, 1000), w = random_values<I>(c, 21, -1000, 1000);
    if constexpr (sizeof(I) == 4) // wrap, abs(min) == min (the reference is exact for int32 products only)
      v[1] = lim::max(), v[2] = lim::min(), v[static_cast<std::size_t>(c)] = lim::min();
    w[1] = 2, w[2] = -1;
    const skewed_as<I> xs(v, 1), as(w, 3);
    auto X = coil::arg<"x">(xs.p, 3, c);
    auto A = coil::arg<"a">(as.p, c);
    expect_matches_reference(xi * ai + 7_c, X, A);
    expect_matches_reference(coil::maximum(xi, ai) - coil::minimum(-xi, ai), X, A);
    expect_matches_reference(coil::abs(xi) + coil::relu(xi - ai), X, A);
    expect_matches_reference(coil::permute<1, 0>(coil::permute<1, 0>(xi)) * xi, X); // a view, still contiguous
  }
  // a transposed integer operand: tiles of 8-byte elements are 64 x 32
  constexpr auto yi = coil::input<"y", I>(C, R);
  for (const auto& rc : {std::pair<std::int64_t, std::int64_t>{70, 45}, {65, 129}}) {
    const std::int64_t r = rc.first, c = rc.second;
    CAPTURE(r);
    CAPTURE(c);
    const std::vector<I> x = random_values<I>(r * c, 22, -1000, 1000), y = random_values<I>(c * r, 23, -1000, 1000);
    expect_matches_reference(xi - coil::permute<1, 0>(yi) * 3_c, coil::arg<"x">(x.data(), r, c), coil::arg<"y">(y.data(), c, r));
  }
}

TEST_CASE("cpu simd: int32 and int64 pointwise loops wrap as the scalar ops") {
  check_integer_batches<std::int32_t>();
  check_integer_batches<std::int64_t>();
}

// amax/amin of int32/int64 run on batches (the input program too), along the inner axis
// and across it; sums of integers stay scalar (they accumulate in int64)
template <class I> void check_integer_extremes() {
  constexpr auto xi = coil::input<"x", I>(R, C);
  constexpr auto ai = coil::input<"a", I>(C);
  using M = decltype(coil::compile<coil::cpu>(coil::amax<1>(xi * ai)));
  static_assert(coil::kernel::reduce_on_batches<M, M::graph::outputs[0], coil::kernel::default_arch>());
  using S = decltype(coil::compile<coil::cpu>(coil::sum<1>(xi)));
  static_assert(!coil::kernel::reduce_on_batches<S, S::graph::outputs[0], coil::kernel::default_arch>());
  using lim = std::numeric_limits<I>;
  for (const std::int64_t c : {1, 3, 16, 17, 65, 257}) {
    CAPTURE(c);
    std::vector<I> v = random_values<I>(4 * c, 24, -1000, 1000), w = random_values<I>(c, 25, -3, 3);
    // row 0: the lowest value; row 1: the largest, at the row's end (for int64, the
    // extremes whose sums with the small a the reference's doubles hold exactly: +-2^50)
    v[0] = sizeof(I) == 4 ? lim::min() : static_cast<I>(-(std::int64_t{1} << 50));
    v[static_cast<std::size_t>(2 * c - 1)] = sizeof(I) == 4 ? lim::max() : static_cast<I>(std::int64_t{1} << 50);
    const skewed_as<I> xs(v, 1), as(w, 3);
    auto X = coil::arg<"x">(xs.p, 4, c);
    auto A = coil::arg<"a">(as.p, c);
    expect_matches_reference(coil::amax<1>(xi), X);
    expect_matches_reference(coil::amin<1>(xi), X);
    expect_matches_reference(coil::amax<1>(coil::abs(xi - ai)), X, A);
    expect_matches_reference(coil::amin<0>(xi), X); // across the kept inner axis
    expect_matches_reference(coil::amax<0, 1>(xi + ai), X, A);
  }
}

TEST_CASE("cpu simd: int32 and int64 amax and amin on batches, with the type's lowest and largest values") {
  check_integer_extremes<std::int32_t>();
  check_integer_extremes<std::int64_t>();
}

TEST_CASE("cpu simd: softmax, log_softmax and layer_norm rows of every tail length, unaligned") {
  for (const std::int64_t c : cols)
    for (const int skew : {0, 1}) {
      CAPTURE(c);
      CAPTURE(skew);
      const std::int64_t r = 4;
      const skewed xv(random_values<float>(r * c, 8, -6, 6), skew), wv(random_values<float>(c, 9), skew),
          bv(random_values<float>(c, 10), skew);
      auto X = coil::arg<"x">(xv.p, r, c);
      expect_matches_reference(coil::softmax(x, -1_c), X);
      expect_matches_reference(coil::log_softmax(x, -1_c), X);
      if (c > 1) // layer_norm of one element is 0 * rsqrt(eps): fine, but tolerance-bound
        expect_matches_reference(coil::layer_norm(x, C, a, b, 1e-5_c), X, coil::arg<"a">(wv.p, c),
                                 coil::arg<"b">(bv.p, c));
    }
}

TEST_CASE("cpu simd: sum, mean, amax, amin along the inner axis; NaN propagates") {
  for (const std::int64_t c : {5, 16, 67, 300}) {
    CAPTURE(c);
    std::vector<float> v = random_values<float>(3 * c, 11, -5, 5);
    v[static_cast<std::size_t>(c + c / 2)] = std::numeric_limits<float>::quiet_NaN(); // row 1
    const skewed xv(v, 1);
    auto X = coil::arg<"x">(xv.p, 3, c);
    expect_matches_reference(coil::sum<1>(x), X);
    expect_matches_reference(coil::mean<1>(x * x), X);
    expect_matches_reference(coil::amax<1>(x), X);
    expect_matches_reference(coil::amin<1>(coil::exp(x)), X);
    expect_matches_reference(coil::sum<0, 1>(x), X);
  }
}

TEST_CASE("cpu simd: a divisor the same along the row (reciprocal path); subnormal, huge, 0, inf, NaN divisors") {
  // x / d with d [R, 1]: the row loop multiplies by 1 / d where 1 / d and d are normal, and
  // divides where they are not (a subnormal d: 1 / d overflows; a huge d: 1 / d is subnormal).
  constexpr auto d = coil::input<"d", float>(R, 1_c);
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> dv = {3.0f, 1e-40f, 3e38f, 0.0f, -0.0f, inf, std::numeric_limits<float>::quiet_NaN(), -7.5f};
  const std::int64_t r = static_cast<std::int64_t>(dv.size());
  for (const std::int64_t c : {16, 33, 100}) {
    CAPTURE(c);
    std::vector<float> v = random_values<float>(r * c, 12, -3, 3);
    v[0] = 0.0f, v[static_cast<std::size_t>(5 * c + 1)] = inf;
    v[static_cast<std::size_t>(c + 2)] = 1e-3f; // / 1e-40 is finite; * (1 / 1e-40) would be inf
    const skewed xv(v, 1);
    expect_matches_reference(x / d, coil::arg<"x">(xv.p, r, c), coil::arg<"d">(dv.data(), r, 1));
    expect_matches_reference(coil::exp(x) / (d * d + 1.0_c), coil::arg<"x">(xv.p, r, c), coil::arg<"d">(dv.data(), r, 1));
  }
}

TEST_CASE("cpu simd: reductions that keep the inner axis (column sums) fold rows on batches; NaN, keepdim, several folded axes") {
  constexpr auto t = coil::input<"t", float>(coil::sym<"A">, R, C);
  for (const std::int64_t c : {5, 16, 67, 300, 2100}) // 2100: two chunks of the accumulator row
    for (const std::int64_t r : {1, 7}) {
      CAPTURE(c);
      CAPTURE(r);
      std::vector<float> v = random_values<float>(r * c, 13, -5, 5);
      v[static_cast<std::size_t>((r / 2) * c + c / 3)] = std::numeric_limits<float>::quiet_NaN();
      const skewed xv(v, 1);
      auto X = coil::arg<"x">(xv.p, r, c);
      expect_matches_reference(coil::sum<0>(x), X);
      expect_matches_reference(coil::mean<0>(x * x), X);
      expect_matches_reference(coil::amax<0>(x), X);
      expect_matches_reference(coil::amin<0>(coil::exp(x), coil::keepdim), X);
      // positive terms: float products summed with cancellation would be off the double
      // reference by more than the tolerance whatever the order
      const skewed av(random_values<float>(c, 16, 0.5, 1.5), 2), bv(random_values<float>(c, 17, 0, 1), 0);
      expect_matches_reference(coil::sum<0>(coil::exp(x) * a + b), X, coil::arg<"a">(av.p, c), coil::arg<"b">(bv.p, c));
      const skewed tv(random_values<float>(3 * r * c, 14, -2, 2), 3);
      auto T3 = coil::arg<"t">(tv.p, 3, r, c);
      expect_matches_reference(coil::sum<0, 1>(t), T3);
      expect_matches_reference(coil::mean<1>(t), T3);
      expect_matches_reference(coil::amax<0>(coil::tanh(t), coil::keepdim), T3);
    }
}

TEST_CASE("cpu simd: a column sum of a transposed input, and of no rows") {
  constexpr auto y = coil::input<"y", float>(C, R);
  const auto yv = random_values<float>(40 * 9, 15);
  expect_matches_reference(coil::sum<0>(coil::permute<1, 0>(y)), coil::arg<"y">(yv.data(), 40, 9)); // scalar fallback
  expect_matches_reference(coil::sum<0>(x), coil::arg<"x">(yv.data(), 0, 40));                      // zeros
  expect_matches_reference(coil::mean<0>(x), coil::arg<"x">(yv.data(), 0, 40));                     // NaN
}

// ---- masks: comparisons, logic, where, bool loads and iota on batches ----------------

namespace {
using coil::op_kind;
template <class E> using cpu_model_t = decltype(coil::compile<coil::cpu>(E{}));
// Whether every stage of a model runs on batches (a reduction: its input's program; a
// pointwise loop may run integer programs too).
template <class M, std::size_t... S> constexpr bool stages_vectorize(std::index_sequence<S...>) {
  return ([] {
    constexpr int I = M::plan.stage_node[S];
    constexpr coil::node_record r = coil::kernel::record_v<M, I>;
    if constexpr (r.kind == op_kind::reduction) return coil::kernel::simd::vectorizable_v<M, r.inputs[0], I>;
    else return coil::kernel::simd::vectorizable_elementwise_v<M, I, I>;
  }() && ...);
}
template <class E> constexpr bool on_batches(E) {
  using M = cpu_model_t<E>;
  return stages_vectorize<M>(std::make_index_sequence<M::plan.stage_count>{});
}

constexpr float nan_f = std::numeric_limits<float>::quiet_NaN(), inf_f = std::numeric_limits<float>::infinity();
constexpr auto minus_inf = -coil::static_real<std::bit_cast<std::uint64_t>(std::numeric_limits<double>::infinity())>{};
constexpr std::int64_t mask_cols[] = {1, 15, 17, 33, 257};

// x with NaN, infinities, zeros of both signs, at positions spread over batches and tails
std::vector<float> edgy(std::int64_t n, unsigned seed) {
  std::vector<float> v = random_values<float>(n, seed, -4, 4);
  const float special[] = {nan_f, inf_f, -inf_f, 0.0f, -0.0f};
  for (std::size_t k = 0; k < v.size(); k += 7) v[k] = special[(k / 7) % 5];
  return v;
}

constexpr auto m2 = coil::input<"m", bool>(R, C); // a mask per element
constexpr auto mc = coil::input<"m", bool>(C);    // broadcast along the rows
constexpr auto mr = coil::input<"m", bool>(R, 1_c); // the same along each row (stride 0)
constexpr auto s_sq = coil::input<"s", float>(R, R);
constexpr auto causal = coil::where(coil::iota<1>(R, R) <= coil::iota<0>(R, R), s_sq, minus_inf);

// the vector path is taken (compile time): these used to run scalar
static_assert(on_batches(coil::leaky_relu(x * a + b, 0.01_c)));
static_assert(on_batches(coil::elu(x, 1.0_c)));
static_assert(on_batches(coil::softplus(x)));
static_assert(on_batches(coil::masked_fill(x, m2, 2.5_c)));
static_assert(on_batches(coil::masked_fill(x, mc, minus_inf)));
static_assert(on_batches(coil::softmax(causal, -1_c)));
static_assert(on_batches(coil::tril(x)) && on_batches(coil::triu<1>(x)));
static_assert(on_batches(coil::where(x != a, coil::cast<float>(x >= b), x)));
static_assert(on_batches(coil::where((x > a) && !(x < b), x, b)));
static_assert(on_batches(coil::where(coil::input<"x", std::int32_t>(R, C) > coil::input<"a", std::int32_t>(C),
                                     coil::input<"x", std::int32_t>(R, C), coil::input<"a", std::int32_t>(C))));
} // namespace

TEST_CASE("cpu simd masks: leaky_relu, elu, softplus on batches; NaN, inf, tails, unaligned") {
  for (const std::int64_t c : mask_cols)
    for (const int skew : {0, 1, 3}) {
      CAPTURE(c);
      CAPTURE(skew);
      const std::int64_t r = 3;
      const skewed xv(edgy(r * c, 30), skew), av(random_values<float>(c, 31), skew), bv(random_values<float>(c, 32), skew);
      auto X = coil::arg<"x">(xv.p, r, c);
      auto A = coil::arg<"a">(av.p, c);
      auto Bb = coil::arg<"b">(bv.p, c);
      expect_matches_reference(coil::leaky_relu(x * a + b, 0.01_c), X, A, Bb);
      expect_matches_reference(coil::leaky_relu(x, 0.2_c), X);
      expect_matches_reference(coil::elu(x, 1.0_c), X);
      expect_matches_reference(coil::elu(x * a, 0.5_c), X, A);
      expect_matches_reference(coil::softplus(x), X);
      expect_matches_reference(coil::softplus(x * 8.0_c, 2.0_c, 10.0_c), X); // past the threshold too
    }
}

TEST_CASE("cpu simd masks: comparisons with NaN operands; logical and, or, not; bool casts") {
  for (const std::int64_t c : mask_cols) {
    CAPTURE(c);
    std::vector<float> w = random_values<float>(c, 34, -4, 4);
    for (std::size_t k = 0; k < w.size(); k += 3) w[k] = nan_f; // NaN against NaN and numbers
    const skewed xv(edgy(2 * c, 33), 1), av(w, 3);
    auto X = coil::arg<"x">(xv.p, 2, c);
    auto A = coil::arg<"a">(av.p, c);
    expect_matches_reference(coil::where(x == a, 1.0_c, 0.0_c) + coil::where(x != a, 2.0_c, 0.0_c), X, A);
    expect_matches_reference(coil::where(x < a, x, a) - coil::where(x <= a, a, x), X, A);
    expect_matches_reference(coil::where(x > a, x, 4.0_c) * coil::where(x >= a, 3.0_c, x), X, A);
    expect_matches_reference(coil::where(((x > 0.0_c) && !(x > a)) || (x != x), x, -a), X, A);
    expect_matches_reference(coil::cast<float>(x >= a) + coil::cast<float>(x != 0.0_c) * 2.0_c, X, A); // NaN != 0
    expect_matches_reference(coil::where(x > 1.0_c, coil::where(a < 0.0_c, x, a), coil::maximum(x, a)), X, A); // nested
  }
}

TEST_CASE("cpu simd masks: masked_fill with a full, a row-broadcast and a stride-0 bool mask") {
  for (const std::int64_t c : mask_cols)
    for (const int skew : {0, 1}) {
      CAPTURE(c);
      CAPTURE(skew);
      const std::int64_t r = 4;
      const skewed xv(edgy(r * c, 35), skew);
      std::vector<std::uint8_t> bytes(static_cast<std::size_t>(r * c + 16));
      const auto coin = random_values<float>(r * c + 16, 36, 0, 1);
      for (std::size_t k = 0; k < bytes.size(); ++k) bytes[k] = coin[k] < 0.4f;
      bool* mp = reinterpret_cast<bool*>(bytes.data()) + skew; // bytes 0/1, unaligned
      auto X = coil::arg<"x">(xv.p, r, c);
      expect_matches_reference(coil::masked_fill(x, m2, 2.5_c), X, coil::arg<"m">(mp, r, c));
      expect_matches_reference(coil::masked_fill(x * 2.0_c, mc, minus_inf), X, coil::arg<"m">(mp, c));
      expect_matches_reference(coil::masked_fill(x, mr, -1.0_c) + x, X, coil::arg<"m">(mp, r, 1));
      expect_matches_reference(coil::where(m2 || (x > 1.0_c), x, 0.0_c), X, coil::arg<"m">(mp, r, c));
    }
}

TEST_CASE("cpu simd masks: causal mask (where over iota) then softmax; tril, triu") {
  for (const std::int64_t n : mask_cols) {
    CAPTURE(n);
    const skewed sv(random_values<float>(n * n, 37, -5, 5), 1);
    auto S = coil::arg<"s">(sv.p, n, n);
    expect_matches_reference(causal, S);
    expect_matches_reference(coil::softmax(causal, -1_c), S);
    expect_matches_reference(coil::tril(s_sq), S);
    expect_matches_reference(coil::triu<1>(s_sq) + coil::tril<-2>(s_sq), S);
    // an iota moving backwards along the row (flip) and one read through a slice
    expect_matches_reference(coil::where(coil::flip<1>(coil::iota<1>(R, R)) < coil::iota<0>(R, R), s_sq, 0.0_c), S);
  }
}

TEST_CASE("cpu simd masks: int32 and int64 where and comparisons") {
  for (const std::int64_t c : mask_cols) {
    CAPTURE(c);
    constexpr auto xi = coil::input<"x", std::int32_t>(R, C);
    constexpr auto ai = coil::input<"a", std::int32_t>(C);
    constexpr auto xl = coil::input<"x", std::int64_t>(R, C);
    std::vector<std::int32_t> v = random_values<std::int32_t>(3 * c, 38, -5, 5), w = random_values<std::int32_t>(c, 39, -5, 5);
    v[0] = std::numeric_limits<std::int32_t>::min();
    const skewed_as<std::int32_t> xs(v, 1), as(w, 3);
    auto X = coil::arg<"x">(xs.p, 3, c);
    auto A = coil::arg<"a">(as.p, c);
    expect_matches_reference(coil::where(xi > ai, xi, ai * 2_c), X, A);
    expect_matches_reference(coil::where((xi == ai) || (xi < 0_c), 7_c, xi) - coil::where(xi != ai, ai, 1_c), X, A);
    expect_matches_reference(coil::where(coil::iota<1>(R, C) <= coil::iota<0>(R, C), xi, -xi), X);
    std::vector<std::int64_t> l(static_cast<std::size_t>(3 * c));
    for (std::size_t k = 0; k < l.size(); ++k) l[k] = v[k] * std::int64_t{3000000000};
    expect_matches_reference(coil::where(xl >= 0_c, xl, coil::iota<1>(R, C)), coil::arg<"x">(l.data(), 3, c));
  }
}
