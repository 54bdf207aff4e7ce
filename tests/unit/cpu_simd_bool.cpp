// Bool outputs of pointwise loops on batches (backends/cpu/simd.hpp: lane_type,
// store_flags) against the reference backend: f32 comparisons with NaN and infinities,
// int32 and int64 comparisons with the types' extremes, logical ops, a `where` of masks,
// bool loads only (full, broadcast, stride 0), iota masks, a transposed operand (tiles) and
// a realized mask (a bool stage of a row kernel), for every inner extent 1..257 and
// output pointers 0..3 bytes past a 64-byte boundary; every byte around the output must
// stay as it was. Apart from cpu_simd.cpp (its compile time); built twice like it, for
// the default target and -march=native.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <sstream>
#include <type_traits>
#include <utility>
#include <vector>

#include "support/reference_check.hpp"

using namespace coil::literals;
using coil::testing::random_values;

namespace {
constexpr auto R = coil::sym<"R">;
constexpr auto C = coil::sym<"C">;
constexpr auto x = coil::input<"x", float>(R, C);
constexpr auto y = coil::input<"y", float>(R, C);
constexpr auto a = coil::input<"a", float>(C);
constexpr auto m2 = coil::input<"m", bool>(R, C);    // a mask per element
constexpr auto mc = coil::input<"n", bool>(C);       // broadcast along the rows
constexpr auto mr = coil::input<"k", bool>(R, 1_c);  // the same along each row (stride 0)
constexpr auto xi = coil::input<"x", std::int32_t>(R, C);
constexpr auto ai = coil::input<"a", std::int32_t>(C);
constexpr auto xl = coil::input<"x", std::int64_t>(R, C);
constexpr auto al = coil::input<"a", std::int64_t>(C);
constexpr auto s_sq = coil::input<"s", float>(R, R);
constexpr auto t_cr = coil::input<"t", float>(C, R);

template <class E> using cpu_model_t = decltype(coil::compile<coil::cpu>(E{}));
// Whether the model's single pointwise kernel runs on batches, and in which lanes.
template <class E> constexpr bool on_batches(E) {
  using M = cpu_model_t<E>;
  constexpr int root = M::plan.kernel_root[0];
  return M::plan.kernel_count == 1 && coil::kernel::simd::vectorizable_elementwise_v<M, root, root>;
}
template <class E> constexpr coil::dtype lanes_of(E) {
  using M = cpu_model_t<E>;
  constexpr int root = M::plan.kernel_root[0];
  return coil::kernel::simd::lane_dtype_v<M, root, root>;
}

// on batches, in the lanes of the compared operands (these ran scalar before)
static_assert(on_batches(x > a) && lanes_of(x > a) == coil::dtype::f32);
static_assert(on_batches(xi >= ai) && lanes_of(xi >= ai) == coil::dtype::i32);
static_assert(on_batches(xl != al) && lanes_of(xl != al) == coil::dtype::i64);
static_assert(on_batches(((x > a) && !(x < 0.0_c)) || (x != x)));
static_assert(on_batches(coil::where(x > 0.0_c, x < a, m2)));
static_assert(on_batches(coil::cast<bool>(x * a)));
// no compared type: bool loads and logic, iotas: f32 lanes (masks of 4-byte lanes)
static_assert(on_batches(m2 && !mc) && lanes_of(m2 && !mc) == coil::dtype::f32);
static_assert(on_batches((m2 || mr) != mc) && on_batches((x > a) == m2)); // comparisons of masks
static_assert(on_batches((coil::iota<1>(R, R) <= coil::iota<0>(R, R)) && mr));
// a realized mask: its own kernel with a bool output, read by the next as bool loads
constexpr auto mask_kept = coil::realize((x > a) || (x != x));
constexpr auto two_readers = coil::where(mask_kept, x, 0.0_c) * coil::where(mask_kept, a, 1.0_c);
static_assert(on_batches(mask_kept));
// ... here a stage of a row kernel (its buffer one row per thread) before the stage that
// reads it: both on batches
static_assert([] {
  using M = cpu_model_t<decltype(two_readers)>;
  constexpr int first = M::plan.stage_node[0], second = M::plan.stage_node[1];
  return M::plan.stage_count == 2 && coil::kernel::record_v<M, first>.type == coil::dtype::b8 &&
         coil::kernel::simd::vectorizable_stage_v<M, first> && coil::kernel::simd::vectorizable_stage_v<M, second>;
}());
// still scalar: operands of two types (no one lane type), f64 comparisons
static_assert(!on_batches((x > a) && (xl > 0_c)) && lanes_of((x > a) && (xl > 0_c)) == coil::dtype::b8);
static_assert(!on_batches(coil::input<"d", double>(R, C) > 0.5_c));

constexpr float nan_f = std::numeric_limits<float>::quiet_NaN(), inf_f = std::numeric_limits<float>::infinity();

// x with NaN, infinities, zeros of both signs at positions spread over batches and tails
std::vector<float> edgy(std::int64_t n, unsigned seed) {
  std::vector<float> v = random_values<float>(n, seed, -2, 2);
  const float special[] = {nan_f, inf_f, -inf_f, 0.0f, -0.0f, 0.5f};
  for (std::size_t k = 0; k < v.size(); k += 5) v[k] = special[(k / 5) % 6];
  return v;
}

// Bytes 0/1 as bools, from coin flips.
std::vector<std::uint8_t> flags(std::int64_t n, unsigned seed) {
  const auto coin = random_values<float>(n, seed, 0, 1);
  std::vector<std::uint8_t> b(coin.size());
  for (std::size_t k = 0; k < b.size(); ++k) b[k] = coin[k] < 0.4f;
  return b;
}
const bool* as_bools(const std::vector<std::uint8_t>& b) { return reinterpret_cast<const bool*>(b.data()); }

// Runs expr on the CPU backend into an [r, c] bool output `skew` bytes past a 64-byte
// boundary, and checks its bytes against the reference backend's and that no byte around
// it was written.
template <class E, class... Args> void expect_bools(E expr, std::int64_t r, std::int64_t c, int skew, const Args&... args) {
  const auto want = coil::compile<coil::reference>(expr)(args...);
  static_assert(std::is_same_v<typename std::remove_cvref_t<decltype(want)>::element_type, bool>);
  constexpr std::uint8_t sentinel = 0xa5;
  const std::size_t n = static_cast<std::size_t>(r * c);
  std::vector<std::uint8_t> bytes(n + 192, sentinel);
  const std::size_t lead = (64 - reinterpret_cast<std::uintptr_t>(bytes.data()) % 64) % 64 + static_cast<std::size_t>(skew);
  const auto st = coil::compile<coil::cpu>(expr).run(args..., coil::out(coil::view(reinterpret_cast<bool*>(bytes.data() + lead), r, c)));
  REQUIRE(st.ok());
  int reported = 0;
  for (std::size_t k = 0; k < bytes.size(); ++k) {
    const bool inside = k >= lead && k < lead + n;
    const std::uint8_t expected = inside ? static_cast<std::uint8_t>(want.data()[k - lead] ? 1 : 0) : sentinel;
    if (bytes[k] != expected && reported++ < 5) {
      std::ostringstream os;
      os << (inside ? "element " : "byte outside the output at ") << (inside ? k - lead : k) << ": got " << +bytes[k]
         << ", expected " << +expected;
      FAIL_CHECK(os.str());
    }
  }
  CHECK(reported == 0);
}
} // namespace

TEST_CASE("cpu simd bool outputs: f32 comparisons with NaN and infinities, every tail, unaligned outputs") {
  for (std::int64_t c = 1; c <= 257; ++c) {
    CAPTURE(c);
    const int skew = static_cast<int>(c % 4);
    const std::int64_t r = 3;
    std::vector<float> w = random_values<float>(c, 41, -2, 2);
    for (std::size_t k = 0; k < w.size(); k += 3) w[k] = k % 2 ? inf_f : nan_f;
    const std::vector<float> xv = edgy(r * c, 40), yv = edgy(r * c, 42), wv = w;
    auto X = coil::arg<"x">(xv.data(), r, c);
    auto Y = coil::arg<"y">(yv.data(), r, c);
    auto A = coil::arg<"a">(wv.data(), c);
    expect_bools(x > a, r, c, skew, X, A);
    expect_bools(x <= 0.5_c, r, c, skew, X);
    expect_bools((x == y) || (x != a), r, c, skew, X, Y, A); // != is true with NaN
    expect_bools(!(x < y) && (x >= a), r, c, skew, X, Y, A);
    expect_bools(coil::cast<bool>(x * a), r, c, skew, X, A); // != 0: NaN is true, -0 false
    expect_bools(((x > a) && !(x < 0.0_c)) || (x != x), r, c, skew, X, A); // x != x: isnan
    expect_bools(mask_kept, r, c, skew, X, A);
    coil::testing::expect_matches_reference(two_readers, X, A); // the mask through the arena
  }
}

template <class I> void check_integer_bools() {
  constexpr auto xn = coil::input<"x", I>(R, C);
  constexpr auto an = coil::input<"a", I>(C);
  using lim = std::numeric_limits<I>;
  for (std::int64_t c = 1; c <= 257; c += (c < 40 ? 1 : 13)) {
    CAPTURE(c);
    const std::int64_t r = 3;
    std::vector<I> v = random_values<I>(r * c, 43, -4, 4), w = random_values<I>(c, 44, -4, 4);
    // int32's extremes; for int64 the largest magnitudes the reference's doubles hold
    // exactly (+-(2^53 - 1)), far outside int32
    const I lo = sizeof(I) == 4 ? lim::min() : static_cast<I>(-((std::int64_t{1} << 53) - 1)), hi = static_cast<I>(-(lo + 1));
    v[0] = lo, v[static_cast<std::size_t>(r * c - 1)] = hi, v[static_cast<std::size_t>(r * c / 2)] = static_cast<I>(hi - 1);
    w[0] = hi, w[static_cast<std::size_t>(c - 1)] = lo;
    auto X = coil::arg<"x">(v.data(), r, c);
    auto A = coil::arg<"a">(w.data(), c);
    const int skew = static_cast<int>(c % 4);
    expect_bools(xn < an, r, c, skew, X, A);
    expect_bools((xn != an) && !(xn >= 0_c), r, c, skew, X, A);
    expect_bools((coil::maximum(xn, an) == xn) || (xn > 2_c), r, c, skew, X, A);
  }
}

TEST_CASE("cpu simd bool outputs: int32 and int64 comparisons with the types' extremes") {
  check_integer_bools<std::int32_t>();
  check_integer_bools<std::int64_t>();
}

TEST_CASE("cpu simd bool outputs: where of masks; bool loads full, broadcast and stride 0") {
  for (std::int64_t c = 1; c <= 257; c += (c < 40 ? 1 : 7)) {
    CAPTURE(c);
    const std::int64_t r = 4;
    const int skew = static_cast<int>((c + 1) % 4);
    const std::vector<float> xv = edgy(r * c, 45), av = edgy(c, 46);
    const auto mv = flags(r * c + 3, 47), nv = flags(c + 3, 48), kv = flags(r, 49);
    auto X = coil::arg<"x">(xv.data(), r, c);
    auto A = coil::arg<"a">(av.data(), c);
    auto M = coil::arg<"m">(as_bools(mv) + 1, r, c); // bool loads from an odd address
    auto Nn = coil::arg<"n">(as_bools(nv) + 3, c);
    auto K = coil::arg<"k">(as_bools(kv), r, 1);
    expect_bools(coil::where(x > 0.0_c, x < a, m2), r, c, skew, X, A, M);
    expect_bools(coil::where(m2, x > a, !(x > a)), r, c, skew, X, A, M);
    expect_bools(m2 && !mc, r, c, skew, M, Nn);
    expect_bools((m2 || mr) != mc, r, c, skew, M, K, Nn);
    expect_bools(((x > a) == m2) || ((x < 0.0_c) < mc) || (m2 >= mr), r, c, skew, X, A, M, Nn, K);
  }
}

TEST_CASE("cpu simd bool outputs: iota masks, and a transposed operand read through tiles") {
  for (const std::int64_t n : {1, 15, 16, 17, 33, 64, 65, 130}) {
    CAPTURE(n);
    const std::vector<float> sv = edgy(n * n, 50), tv = edgy(n * n, 51);
    const auto kv = flags(n, 52);
    auto S = coil::arg<"s">(sv.data(), n, n);
    expect_bools((coil::iota<1>(R, R) <= coil::iota<0>(R, R)) && (s_sq > 0.0_c), n, n, 1, S);
    expect_bools((coil::iota<1>(R, R) > coil::iota<0>(R, R)) || coil::input<"k", bool>(R, 1_c), n, n, 2,
                 coil::arg<"k">(as_bools(kv), n, 1));
    // x [R, C] against t^T: t is [C, R] in memory (rows and columns both n here)
    expect_bools(coil::permute<1, 0>(t_cr) > s_sq, n, n, 3, coil::arg<"t">(tv.data(), n, n), S);
  }
}
