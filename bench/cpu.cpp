// CPU benchmark of coil beside its peers, in one binary and one run (issue 5).
//
// Per workload: coil (compile<cpu>), Eigen Tensor writing the same expression (lazy, one
// assignment), a plain C++ loop, and STREAM triad as the bandwidth reference. Every row
// is >= 10 repetitions (Google Benchmark), reported as median and spread (min..max);
// GB/s counts the bytes the workload must move (inputs read once, output written once).
// The max relative error of each impl is measured against coil's reference backend
// (double, unfused) on the first `check_rows` rows: rows are independent in every
// workload, and the reference interpreter is too slow for the full size.
//
// Then size sweeps of W1 and W2 ([rows, 1024], 4 KiB .. 256 MiB of input, one thread),
// charted by bench/chart into bench/results/cpu-sweep.png.
//
// Usage: bench/run (builds, runs, writes bench/results/cpu-latest.json and the chart).
// This binary takes Google Benchmark's flags plus --json=PATH and --no-sweep.
#include <benchmark/benchmark.h>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <unsupported/Eigen/CXX11/Tensor>

#include <coil.hpp>

using namespace coil::literals;

namespace {

// ---- buffers ----------------------------------------------------------------------

// 64-byte aligned float buffer, filled once (first touch outside the timed region).
struct buffer {
  float* p = nullptr;
  std::int64_t n = 0;
  explicit buffer(std::int64_t count) : n(count) {
    p = static_cast<float*>(std::aligned_alloc(64, static_cast<std::size_t>((count * 4 + 63) / 64 * 64)));
    std::fill(p, p + n, 0.0f);
  }
  ~buffer() { std::free(p); }
  buffer(const buffer&) = delete;
  buffer& operator=(const buffer&) = delete;
};

void fill(buffer& b, std::uint32_t seed, float lo, float hi) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  for (std::int64_t i = 0; i < b.n; ++i) b.p[i] = d(gen);
}

// |got - ref| / max(|ref|, 1e-6): the largest over the checked elements.
double max_rel_err(const float* got, const std::vector<double>& ref) {
  double e = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const double g = got[i], r = ref[i];
    if (std::isnan(r) != std::isnan(g)) return INFINITY;
    e = std::max(e, std::fabs(g - r) / std::max(std::fabs(r), 1e-6));
  }
  return e;
}

template <int Options = Eigen::RowMajor> using map2 = Eigen::TensorMap<Eigen::Tensor<float, 2, Options>>;
using cmap2 = Eigen::TensorMap<Eigen::Tensor<const float, 2, Eigen::RowMajor>>;

// ---- threads ------------------------------------------------------------------------

int max_threads() {
#if defined(_OPENMP)
  return omp_get_max_threads();
#else
  return 1;
#endif
}
void set_threads([[maybe_unused]] int n) {
#if defined(_OPENMP)
  omp_set_num_threads(n);
#endif
}

// ---- the expressions, written once for coil ------------------------------------------

constexpr auto B = coil::sym<"B">;
constexpr auto gelu_x = coil::input<"x", float>(B, 1024_c);
constexpr auto gelu_a = coil::input<"a", float>(1024_c);
constexpr auto gelu_b = coil::input<"b", float>(1024_c);
constexpr auto w1_expr = coil::gelu(gelu_x * gelu_a + gelu_b);

constexpr auto sm_x = coil::input<"x", float>(B, coil::sym<"N">);
constexpr auto w2_expr = coil::softmax(sm_x, -1_c);

constexpr auto ln_x = coil::input<"x", float>(B, 1024_c);
constexpr auto ln_w = coil::input<"w", float>(1024_c);
constexpr auto ln_b = coil::input<"b", float>(1024_c);
constexpr auto w3_expr = coil::layer_norm(ln_x, 1024_c, ln_w, ln_b, 1e-5_c);

// ---- workloads ---------------------------------------------------------------------

struct workload {
  std::string name;
  std::int64_t rows, cols;
  double bytes;                                   // moved per call
  std::map<std::string, std::function<void()>> impls; // impl name -> one call
  std::map<std::string, double> err;              // impl name -> max rel err
  bool sweep = false;                             // a point of a size sweep: one thread only
};

// Runs every implementation once on a poisoned output, records its error against the
// reference values, and adds the workload.
void add_checked(std::vector<workload>& out, workload w, buffer& y, const std::vector<double>& ref) {
  for (auto& [name, f] : w.impls) {
    std::fill(y.p, y.p + y.n, NAN);
    f();
    w.err[name] = max_rel_err(y.p, ref);
  }
  out.push_back(std::move(w));
}

// gelu_erf(x*a+b), x [M, N], a and b [N]
struct w1_data {
  std::int64_t m, n;
  buffer x, a, b, y;
  w1_data(std::int64_t rows, std::int64_t cols) : m(rows), n(cols), x(rows * cols), a(cols), b(cols), y(rows * cols) {
    fill(x, 1, -2, 2);
    fill(a, 2, 0.5f, 1.5f);
    fill(b, 3, -0.5f, 0.5f);
  }
};

struct w2_data {
  std::int64_t m, n;
  buffer x, y;
  w2_data(std::int64_t rows, std::int64_t cols) : m(rows), n(cols), x(rows * cols), y(rows * cols) { fill(x, 4, -4, 4); }
};

struct w3_data {
  std::int64_t m, n;
  buffer x, w, b, y;
  w3_data(std::int64_t rows, std::int64_t cols) : m(rows), n(cols), x(rows * cols), w(cols), b(cols), y(rows * cols) {
    fill(x, 5, -3, 5);
    fill(w, 6, 0.5f, 1.5f);
    fill(b, 7, -0.5f, 0.5f);
  }
};

constexpr std::int64_t check_rows = 64;

template <class Model, class... Args> std::vector<double> reference_of(Model& model, std::int64_t elems, const Args&... args) {
  auto t = model(args...);
  std::vector<double> r(static_cast<std::size_t>(elems));
  for (std::int64_t i = 0; i < elems; ++i) r[static_cast<std::size_t>(i)] = t.data()[i];
  return r;
}

// W1 and W4: act(x*a+b) over [m, n], a and b along the rows. `eigen_act(y, z)` assigns the
// activation of Eigen Tensor expression z to y; `scalar_act` is the plain loop's.
template <auto& Expr, class EigenAct, class ScalarAct>
void add_affine_act(std::vector<workload>& out, const std::string& name, std::int64_t m, std::int64_t n, EigenAct eigen_act,
                    ScalarAct scalar_act) {
  auto d = std::make_shared<w1_data>(m, n);
  static auto model = coil::compile<coil::cpu>(Expr);
  workload w{name + " [" + std::to_string(m) + "," + std::to_string(n) + "]", m, n, 2.0 * 4 * m * n, {}, {}};
  w.impls["coil"] = [d] {
    model(coil::arg<"x">(d->x.p, d->m, d->n), coil::arg<"a">(d->a.p, d->n), coil::arg<"b">(d->b.p, d->n),
          coil::out(coil::view(d->y.p, d->m, d->n)));
  };
  w.impls["eigen_tensor"] = [d, eigen_act] {
    cmap2 x(d->x.p, d->m, d->n), a(d->a.p, 1, d->n), b(d->b.p, 1, d->n);
    map2<> y(d->y.p, d->m, d->n);
    const Eigen::array<Eigen::Index, 2> rep{d->m, 1};
    eigen_act(y, x * a.broadcast(rep) + b.broadcast(rep));
  };
  w.impls["plain_loop"] = [d, scalar_act] {
    for (std::int64_t i = 0; i < d->m; ++i)
      for (std::int64_t j = 0; j < d->n; ++j) d->y.p[i * d->n + j] = scalar_act(d->x.p[i * d->n + j] * d->a.p[j] + d->b.p[j]);
  };
  auto oracle = coil::compile<coil::reference>(Expr);
  const std::int64_t rows = std::min(m, check_rows);
  const auto ref = reference_of(oracle, rows * n, coil::arg<"x">(d->x.p, rows, n), coil::arg<"a">(d->a.p, n),
                                coil::arg<"b">(d->b.p, n));
  add_checked(out, std::move(w), d->y, ref);
}

void add_w1(std::vector<workload>& out, std::int64_t m, std::int64_t n) {
  add_affine_act<w1_expr>(
      out, "W1 gelu(x*a+b)", m, n, [](map2<>& y, const auto& z) { y = z * 0.5f * ((z * 0.70710678118654752440f).erf() + 1.0f); },
      [](float z) { return 0.5f * z * (1.0f + std::erf(z * 0.70710678118654752440f)); });
}

// Issue 6's comparison: the row length static (N) and the row count symbolic (B), as one
// model, and as that model specialized for B = M (a fully static variant, chosen at the
// call). The symbolic path should stay within 10% of the static one.
template <std::int64_t M, std::int64_t N> void add_w2_static_rows(workload& w, const std::shared_ptr<w2_data>& d) {
  constexpr auto x = coil::input<"x", float>(B, coil::static_int<N>{});
  static auto symbolic_rows = coil::compile<coil::cpu>(coil::softmax(x, -1_c));
  static auto specialized = coil::compile<coil::cpu>(coil::specialize<"B", M>, coil::softmax(x, -1_c));
  w.impls["coil_static_n"] = [d] {
    symbolic_rows(coil::arg<"x">(d->x.p, d->m, d->n), coil::out(coil::view(d->y.p, d->m, d->n)));
  };
  w.impls["coil_specialized"] = [d] {
    specialized(coil::arg<"x">(d->x.p, d->m, d->n), coil::out(coil::view(d->y.p, d->m, d->n)));
  };
}

void add_w2(std::vector<workload>& out, std::int64_t m, std::int64_t n) {
  auto d = std::make_shared<w2_data>(m, n);
  static auto model = coil::compile<coil::cpu>(w2_expr);
  workload w{"W2 softmax [" + std::to_string(m) + "," + std::to_string(n) + "]", m, n, 2.0 * 4 * m * n, {}, {}};
  w.impls["coil"] = [d] { model(coil::arg<"x">(d->x.p, d->m, d->n), coil::out(coil::view(d->y.p, d->m, d->n))); };
  if (m == 16384 && n == 1024) add_w2_static_rows<16384, 1024>(w, d);
  if (m == 64 && n == 128) add_w2_static_rows<64, 128>(w, d);
  // TensorFlow's softmax functor pattern: the row reductions are forced (.eval()) inside
  // the one assignment, else Eigen recomputes a row's reduction for every element.
  w.impls["eigen_tensor"] = [d] {
    cmap2 x(d->x.p, d->m, d->n);
    map2<> y(d->y.p, d->m, d->n);
    const Eigen::array<Eigen::Index, 1> along{1};
    const Eigen::array<Eigen::Index, 2> col{d->m, 1}, rep{1, d->n};
    auto shifted = x - x.maximum(along).eval().reshape(col).broadcast(rep);
    y = shifted.exp() / shifted.exp().sum(along).eval().reshape(col).broadcast(rep);
  };
  w.impls["plain_loop"] = [d] {
    for (std::int64_t i = 0; i < d->m; ++i) {
      const float* x = d->x.p + i * d->n;
      float* y = d->y.p + i * d->n;
      float mx = -INFINITY;
      for (std::int64_t j = 0; j < d->n; ++j) mx = std::max(mx, x[j]);
      float s = 0;
      for (std::int64_t j = 0; j < d->n; ++j) s += (y[j] = std::exp(x[j] - mx));
      const float inv = 1.0f / s;
      for (std::int64_t j = 0; j < d->n; ++j) y[j] *= inv;
    }
  };
  auto oracle = coil::compile<coil::reference>(w2_expr);
  const std::int64_t rows = std::min(m, check_rows);
  const auto ref = reference_of(oracle, rows * n, coil::arg<"x">(d->x.p, rows, n));
  add_checked(out, std::move(w), d->y, ref);
}

void add_w3(std::vector<workload>& out, std::int64_t m, std::int64_t n) {
  auto d = std::make_shared<w3_data>(m, n);
  static auto model = coil::compile<coil::cpu>(w3_expr);
  workload w{"W3 layer_norm [" + std::to_string(m) + "," + std::to_string(n) + "]", m, n, 2.0 * 4 * m * n, {}, {}};
  w.impls["coil"] = [d] {
    model(coil::arg<"x">(d->x.p, d->m, d->n), coil::arg<"w">(d->w.p, d->n), coil::arg<"b">(d->b.p, d->n),
          coil::out(coil::view(d->y.p, d->m, d->n)));
  };
  w.impls["eigen_tensor"] = [d] {
    cmap2 x(d->x.p, d->m, d->n), wt(d->w.p, 1, d->n), b(d->b.p, 1, d->n);
    map2<> y(d->y.p, d->m, d->n);
    const Eigen::array<Eigen::Index, 1> along{1};
    const Eigen::array<Eigen::Index, 2> col{d->m, 1}, rep{1, d->n}, down{d->m, 1};
    auto xc = x - x.mean(along).eval().reshape(col).broadcast(rep);
    auto inv = ((xc * xc).mean(along).eval() + 1e-5f).rsqrt().eval().reshape(col).broadcast(rep);
    y = xc * inv * wt.broadcast(down) + b.broadcast(down);
  };
  w.impls["plain_loop"] = [d] {
    for (std::int64_t i = 0; i < d->m; ++i) {
      const float* x = d->x.p + i * d->n;
      float* y = d->y.p + i * d->n;
      float s = 0;
      for (std::int64_t j = 0; j < d->n; ++j) s += x[j];
      const float mean = s / static_cast<float>(d->n);
      float v = 0;
      for (std::int64_t j = 0; j < d->n; ++j) v += (x[j] - mean) * (x[j] - mean);
      const float inv = 1.0f / std::sqrt(v / static_cast<float>(d->n) + 1e-5f);
      for (std::int64_t j = 0; j < d->n; ++j) y[j] = (x[j] - mean) * inv * d->w.p[j] + d->b.p[j];
    }
  };
  auto oracle = coil::compile<coil::reference>(w3_expr);
  const auto ref = reference_of(oracle, check_rows * n, coil::arg<"x">(d->x.p, check_rows, n), coil::arg<"w">(d->w.p, n),
                                coil::arg<"b">(d->b.p, n));
  add_checked(out, std::move(w), d->y, ref);
}

// Column sums: sum over the rows of x [M, N] (an outer-axis reduction: the kept axis is
// the contiguous one). Checked in full: one reduction is cheap for the reference.
constexpr auto cs_x = coil::input<"x", float>(B, 1024_c);
constexpr auto colsum_expr = coil::sum<0>(cs_x);

struct colsum_data {
  std::int64_t m, n;
  buffer x, y;
  colsum_data(std::int64_t rows, std::int64_t cols) : m(rows), n(cols), x(rows * cols), y(cols) { fill(x, 10, -4, 4); }
};

void add_colsum(std::vector<workload>& out, std::int64_t m, std::int64_t n) {
  auto d = std::make_shared<colsum_data>(m, n);
  static auto model = coil::compile<coil::cpu>(colsum_expr);
  workload w{"column sum [" + std::to_string(m) + "," + std::to_string(n) + "]", m, n, 4.0 * (m * n + n), {}, {}};
  w.impls["coil"] = [d] { model(coil::arg<"x">(d->x.p, d->m, d->n), coil::out(coil::view(d->y.p, d->n))); };
  w.impls["eigen_tensor"] = [d] {
    cmap2 x(d->x.p, d->m, d->n);
    Eigen::TensorMap<Eigen::Tensor<float, 1, Eigen::RowMajor>> y(d->y.p, d->n);
    y = x.sum(Eigen::array<Eigen::Index, 1>{0});
  };
  w.impls["plain_loop"] = [d] { // row after row into the output row
    std::fill(d->y.p, d->y.p + d->n, 0.0f);
    for (std::int64_t i = 0; i < d->m; ++i)
      for (std::int64_t j = 0; j < d->n; ++j) d->y.p[j] += d->x.p[i * d->n + j];
  };
  auto oracle = coil::compile<coil::reference>(colsum_expr);
  add_checked(out, std::move(w), d->y, reference_of(oracle, n, coil::arg<"x">(d->x.p, m, n)));
}

// A `where` in a pointwise loop: leaky_relu(x*a+b), x [M, N], a and b [N]: lowered to
// where(z > 0, z, z * 0.01), a comparison mask and a select on coil's vector path.
constexpr auto lr_x = coil::input<"x", float>(B, 1024_c);
constexpr auto lr_a = coil::input<"a", float>(1024_c);
constexpr auto lr_b = coil::input<"b", float>(1024_c);
constexpr auto w4_expr = coil::leaky_relu(lr_x * lr_a + lr_b, 0.01_c);

void add_w4(std::vector<workload>& out, std::int64_t m, std::int64_t n) {
  add_affine_act<w4_expr>(
      out, "W4 leaky_relu(x*a+b)", m, n, [](map2<>& y, const auto& z) { y = (z > 0.0f).select(z, z * 0.01f); },
      [](float z) { return z > 0.0f ? z : z * 0.01f; });
}

// A causal mask before a softmax, as attention's scores: softmax(where(j <= i, x, -inf))
// over [N, N], the mask built from iota along both axes (a row kernel: the masked values,
// their max, exp and sum, and the division, one read of each row).
constexpr auto cm_x = coil::input<"x", float>(1024_c, 1024_c);
constexpr auto cm_minus_inf = -coil::static_real<std::bit_cast<std::uint64_t>(std::numeric_limits<double>::infinity())>{};
constexpr auto w5_expr =
    coil::softmax(coil::where(coil::iota<1>(1024_c, 1024_c) <= coil::iota<0>(1024_c, 1024_c), cm_x, cm_minus_inf), -1_c);

void add_w5(std::vector<workload>& out) {
  constexpr std::int64_t n = 1024;
  auto d = std::make_shared<w2_data>(n, n);
  static auto model = coil::compile<coil::cpu>(w5_expr);
  workload w{"W5 causal softmax [1024,1024]", n, n, 2.0 * 4 * n * n, {}, {}};
  w.impls["coil"] = [d] { model(coil::arg<"x">(d->x.p, d->m, d->n), coil::out(coil::view(d->y.p, d->m, d->n))); };
  w.impls["eigen_tensor"] = [d] { // the mask as a generated tensor, then TensorFlow's softmax pattern (W2)
    cmap2 x(d->x.p, d->m, d->n);
    map2<> y(d->y.p, d->m, d->n);
    const Eigen::array<Eigen::Index, 1> along{1};
    const Eigen::array<Eigen::Index, 2> col{d->m, 1}, rep{1, d->n};
    auto causal = x.generate([x](const Eigen::array<Eigen::Index, 2>& i) { return i[1] <= i[0] ? x(i) : -INFINITY; });
    auto shifted = causal - causal.maximum(along).eval().reshape(col).broadcast(rep);
    y = shifted.exp() / shifted.exp().sum(along).eval().reshape(col).broadcast(rep);
  };
  w.impls["plain_loop"] = [d] { // row i reads its first i + 1 elements; the rest are 0
    for (std::int64_t i = 0; i < d->m; ++i) {
      const float* x = d->x.p + i * d->n;
      float* y = d->y.p + i * d->n;
      float mx = -INFINITY;
      for (std::int64_t j = 0; j <= i; ++j) mx = std::max(mx, x[j]);
      float s = 0;
      for (std::int64_t j = 0; j <= i; ++j) s += (y[j] = std::exp(x[j] - mx));
      const float inv = 1.0f / s;
      for (std::int64_t j = 0; j <= i; ++j) y[j] *= inv;
      for (std::int64_t j = i + 1; j < d->n; ++j) y[j] = 0.0f;
    }
  };
  auto oracle = coil::compile<coil::reference>(w5_expr);
  add_checked(out, std::move(w), d->y, reference_of(oracle, n * n, coil::arg<"x">(d->x.p, n, n)));
}

// A transposed operand: y = x + t^T, x [M, N], t [N, M]. t is read through tiles on coil's
// vector path (cpu/tiles.hpp). Checked in full.
constexpr auto tr_x = coil::input<"x", float>(B, coil::sym<"N">);
constexpr auto tr_t = coil::input<"t", float>(coil::sym<"N">, B);
constexpr auto transposed_add_expr = tr_x + coil::permute<1, 0>(tr_t);

struct transposed_data {
  std::int64_t m, n;
  buffer x, t, y;
  transposed_data(std::int64_t rows, std::int64_t cols) : m(rows), n(cols), x(rows * cols), t(rows * cols), y(rows * cols) {
    fill(x, 11, -1, 1);
    fill(t, 12, -1, 1);
  }
};

void add_transposed(std::vector<workload>& out, std::int64_t m, std::int64_t n) {
  auto d = std::make_shared<transposed_data>(m, n);
  static auto model = coil::compile<coil::cpu>(transposed_add_expr);
  workload w{"x + t^T [" + std::to_string(m) + "," + std::to_string(n) + "]", m, n, 3.0 * 4 * m * n, {}, {}};
  w.impls["coil"] = [d] {
    model(coil::arg<"x">(d->x.p, d->m, d->n), coil::arg<"t">(d->t.p, d->n, d->m), coil::out(coil::view(d->y.p, d->m, d->n)));
  };
  w.impls["eigen_tensor"] = [d] {
    cmap2 x(d->x.p, d->m, d->n), t(d->t.p, d->n, d->m);
    map2<> y(d->y.p, d->m, d->n);
    y = x + t.shuffle(Eigen::array<int, 2>{1, 0});
  };
  w.impls["plain_loop"] = [d] {
    for (std::int64_t i = 0; i < d->m; ++i)
      for (std::int64_t j = 0; j < d->n; ++j) d->y.p[i * d->n + j] = d->x.p[i * d->n + j] + d->t.p[j * d->m + i];
  };
  auto oracle = coil::compile<coil::reference>(transposed_add_expr);
  add_checked(out, std::move(w), d->y,
              reference_of(oracle, m * n, coil::arg<"x">(d->x.p, m, n), coil::arg<"t">(d->t.p, n, m)));
}

// A CNN layer: relu(conv2d 3x3, padding 1, [N, 16, 64, 64] -> 32 channels, + bias). coil
// as compiled (im2col + Eigen's GEMM: conv_as_gemm), coil told to sum directly
// (conv_algorithm::direct, the lowering before im2col), and a plain direct loop. Eigen
// Tensor has no NCHW convolution of its own (TensorFlow builds one from image patches and
// a contraction), so no eigen_tensor row. Checked on the first image.
constexpr auto cv_x = coil::input<"x", float>(B, 16_c, 64_c, 64_c);
constexpr auto cv_w = coil::input<"w", float>(32_c, 16_c, 3_c, 3_c);
constexpr auto cv_b = coil::input<"b", float>(32_c);
constexpr auto conv_expr = coil::relu(coil::conv2d<coil::conv2d_args{.padding = {1, 1}}>(cv_x, cv_w, cv_b));
constexpr auto conv_direct_expr =
    coil::relu(coil::conv2d<coil::conv2d_args{.padding = {1, 1}, .algorithm = coil::conv_algorithm::direct}>(cv_x, cv_w, cv_b));

struct conv_data {
  static constexpr std::int64_t c = 16, o = 32, h = 64, w = 64, k = 3;
  std::int64_t n;
  buffer x, wt, b, y;
  explicit conv_data(std::int64_t images) : n(images), x(n * c * h * w), wt(o * c * k * k), b(o), y(n * o * h * w) {
    fill(x, 13, -1, 1);
    fill(wt, 14, -0.2f, 0.2f);
    fill(b, 15, -0.1f, 0.1f);
  }
};

void add_conv(std::vector<workload>& out, std::int64_t n) {
  using D = conv_data;
  auto d = std::make_shared<D>(n);
  static auto model = coil::compile<coil::cpu>(conv_expr);
  static auto direct = coil::compile<coil::cpu>(conv_direct_expr);
  workload w{"conv2d 3x3 relu [" + std::to_string(n) + ",16,64,64] -> 32", n, D::c * D::h * D::w,
             4.0 * static_cast<double>(d->x.n + d->wt.n + d->b.n + d->y.n), {}, {}};
  auto call = [d](auto& m) {
    m(coil::arg<"x">(d->x.p, d->n, D::c, D::h, D::w), coil::arg<"w">(d->wt.p, D::o, D::c, D::k, D::k), coil::arg<"b">(d->b.p, D::o),
      coil::out(coil::view(d->y.p, d->n, D::o, D::h, D::w)));
  };
  w.impls["coil"] = [call] { call(model); };
  w.impls["coil_direct"] = [call] { call(direct); };
  w.impls["plain_loop"] = [d] {
    for (std::int64_t i = 0; i < d->n; ++i)
      for (std::int64_t o = 0; o < D::o; ++o)
        for (std::int64_t r = 0; r < D::h; ++r)
          for (std::int64_t q = 0; q < D::w; ++q) {
            float acc = d->b.p[o];
            for (std::int64_t c = 0; c < D::c; ++c)
              for (std::int64_t kr = 0; kr < D::k; ++kr)
                for (std::int64_t kq = 0; kq < D::k; ++kq) {
                  const std::int64_t ir = r + kr - 1, iq = q + kq - 1;
                  if (ir < 0 || ir >= D::h || iq < 0 || iq >= D::w) continue;
                  acc += d->x.p[((i * D::c + c) * D::h + ir) * D::w + iq] * d->wt.p[((o * D::c + c) * D::k + kr) * D::k + kq];
                }
            d->y.p[((i * D::o + o) * D::h + r) * D::w + q] = acc > 0.0f ? acc : 0.0f;
          }
  };
  auto oracle = coil::compile<coil::reference>(conv_expr);
  add_checked(out, std::move(w), d->y,
              reference_of(oracle, D::o * D::h * D::w, coil::arg<"x">(d->x.p, 1, D::c, D::h, D::w),
                           coil::arg<"w">(d->wt.p, D::o, D::c, D::k, D::k), coil::arg<"b">(d->b.p, D::o)));
}

// STREAM triad a = b + s*c over arrays the size of the workload's input (at least
// 3 x 64 MiB for the large ones, so it measures DRAM bandwidth there).
struct triad_data {
  buffer a, b, c;
  explicit triad_data(std::int64_t n) : a(n), b(n), c(n) {
    fill(b, 8, 0, 1);
    fill(c, 9, 0, 1);
  }
};

// ---- collecting the results --------------------------------------------------------

struct row {
  std::string workload, impl;
  int threads = 1;
  double median_ms = 0, min_ms = 0, max_ms = 0, gbps = 0, err = NAN;
  std::int64_t input_bytes = 0; // of x (the sweeps' axis)
  bool sweep = false;
};

// Keeps the median, min and max aggregates of each benchmark (ms) and prints them.
struct collector : benchmark::ConsoleReporter {
  std::map<std::string, std::map<std::string, double>> ms; // benchmark name -> aggregate -> ms
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs)
      if (r.run_type == Run::RT_Aggregate && !r.error_occurred)
        ms[r.run_name.function_name][r.aggregate_name] =
            r.GetAdjustedRealTime() * 1e3 / benchmark::GetTimeUnitMultiplier(r.time_unit);
    ConsoleReporter::ReportRuns(runs);
  }
};

double min_of(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }
double max_of(const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); }

} // namespace

int main(int argc, char** argv) {
  std::string json = "bench/results/cpu-latest.json";
  std::vector<char*> args;
  bool no_sweep = false;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--json=", 7) == 0) json = argv[i] + 7;
    else if (std::strcmp(argv[i], "--no-sweep") == 0) no_sweep = true;
    else args.push_back(argv[i]);
  }
  int nargs = static_cast<int>(args.size());
  benchmark::Initialize(&nargs, args.data());

  std::vector<workload> ws;
  add_w1(ws, 16384, 1024);
  add_w2(ws, 16384, 1024);
  add_w2(ws, 64, 128);
  add_w3(ws, 16384, 1024);
  add_colsum(ws, 16384, 1024);
  add_transposed(ws, 2048, 2048);
  add_w4(ws, 1024, 1024);
  add_w5(ws);
  add_conv(ws, 8);
  // Size sweeps of W1 and W2: [rows, 1024] with 4 KiB .. 256 MiB of input (x4 a step), to
  // show the cache levels. [16384, 1024] is the main workload above, not measured twice.
  if (!no_sweep) {
    const std::size_t main_rows = ws.size();
    for (std::int64_t rows = 1; rows <= 65536; rows *= 4) {
      if (rows == 16384) continue;
      add_w1(ws, rows, 1024);
      add_w2(ws, rows, 1024);
    }
    for (std::size_t k = main_rows; k < ws.size(); ++k) ws[k].sweep = true;
  }

  std::vector<std::shared_ptr<triad_data>> triads;
  for (auto& w : ws) {
    auto t = std::make_shared<triad_data>(w.rows * w.cols);
    triads.push_back(t);
    w.impls["stream_triad"] = [t] {
      const std::int64_t n = t->a.n;
      float* __restrict a = t->a.p;
      const float* __restrict b = t->b.p;
      const float* __restrict c = t->c.p;
      for (std::int64_t i = 0; i < n; ++i) a[i] = b[i] + 3.0f * c[i];
    };
    w.err["stream_triad"] = NAN;
  }

  // coil's variants first (coil, then coil_* of the workloads that have them), then the peers
  auto order = [](const workload& w) {
    std::vector<std::string> names{"coil"};
    for (const auto& [name, f] : w.impls)
      if (name.rfind("coil_", 0) == 0) names.push_back(name);
    for (const char* peer : {"eigen_tensor", "plain_loop", "stream_triad"})
      if (w.impls.count(peer)) names.emplace_back(peer);
    return names;
  };
  // every implementation on one thread; coil (and the triad, for the ratio) on two as well
  // when the build has OpenMP: coil's large kernels split their outer loop over threads
  const std::vector<int> thread_counts = max_threads() > 1 ? std::vector<int>{1, 2} : std::vector<int>{1};
  auto bench_name = [](const workload& w, const std::string& impl, int threads) {
    return w.name + "/" + impl + (threads > 1 ? "/threads:" + std::to_string(threads) : "");
  };
  for (int threads : thread_counts)
    for (auto& w : ws)
      for (const std::string& impl : order(w)) {
        if (threads > 1 && ((impl.rfind("coil", 0) != 0 && impl != "stream_triad") || w.sweep)) continue;
        auto f = w.impls.at(impl);
        const double bytes = impl == "stream_triad" ? 3.0 * 4 * w.rows * w.cols : w.bytes;
        benchmark::RegisterBenchmark(bench_name(w, impl, threads).c_str(),
                                     [f, bytes, threads](benchmark::State& st) {
                                       set_threads(threads);
                                       for (auto _ : st) {
                                         f();
                                         benchmark::ClobberMemory();
                                       }
                                       st.SetBytesProcessed(static_cast<std::int64_t>(bytes) * st.iterations());
                                       set_threads(1);
                                     })
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime()
            ->MinTime(0.05)
            ->Repetitions(10)
            ->ComputeStatistics("min", min_of)
            ->ComputeStatistics("max", max_of)
            ->ReportAggregatesOnly(true);
      }

  collector rep;
  benchmark::RunSpecifiedBenchmarks(&rep);

  std::vector<row> rows;
  for (int threads : thread_counts)
    for (auto& w : ws)
      for (const std::string& impl : order(w)) {
        const auto it = rep.ms.find(bench_name(w, impl, threads));
        if (it == rep.ms.end() || !it->second.count("median")) continue;
        row r;
        r.workload = w.name;
        r.impl = impl;
        r.threads = threads;
        r.median_ms = it->second.at("median");
        r.min_ms = it->second.at("min");
        r.max_ms = it->second.at("max");
        const double bytes = r.impl == "stream_triad" ? 3.0 * 4 * w.rows * w.cols : w.bytes;
        r.gbps = bytes / (r.median_ms * 1e-3) / 1e9;
        r.err = w.err[impl];
        r.input_bytes = 4 * w.rows * w.cols;
        r.sweep = w.sweep;
        rows.push_back(r);
      }

  auto find = [&](const std::string& wl, const char* impl, int threads = 1) -> const row* {
    for (const row& r : rows)
      if (r.workload == wl && r.impl == impl && r.threads == threads) return &r;
    return nullptr;
  };

  std::printf("\n| workload | impl | threads | median ms | spread ms (min..max) | GB/s | x Eigen | x triad | max rel err |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|\n");
  std::FILE* js = std::fopen(json.c_str(), "w");
  if (js) std::fprintf(js, "[\n");
  bool first = true;
  for (const row& r : rows) {
    const row* eig = find(r.workload, "eigen_tensor"); // Eigen Tensor on one thread
    const row* tri = find(r.workload, "stream_triad", r.threads);
    const double vs_eigen = eig ? eig->median_ms / r.median_ms : NAN;
    const double vs_triad = tri ? r.gbps / tri->gbps : NAN;
    std::printf("| %s | %s | %d | %.4f | %.4f..%.4f | %.2f | %.2f | %.2f | %.2g |\n", r.workload.c_str(), r.impl.c_str(),
                r.threads, r.median_ms, r.min_ms, r.max_ms, r.gbps, vs_eigen, vs_triad, r.err);
    // JSON has no NaN: a missing ratio or error (no Eigen row, the triad's error) is null
    auto number = [](double v, const char* format) {
      std::array<char, 32> text{};
      if (std::isnan(v)) std::snprintf(text.data(), text.size(), "null");
      else std::snprintf(text.data(), text.size(), format, v);
      return text;
    };
    if (js) {
      std::fprintf(js,
                   "%s  {\"workload\": \"%s\", \"impl\": \"%s\", \"threads\": %d, \"median_ms\": %.6f, \"min_ms\": %.6f, "
                   "\"max_ms\": %.6f, \"repetitions\": 10, \"gbps\": %.4f, \"ratio_to_eigen\": %s, \"ratio_to_triad\": %s, "
                   "\"max_rel_err\": %s, \"input_bytes\": %lld, \"sweep\": %s}",
                   first ? "" : ",\n", r.workload.c_str(), r.impl.c_str(), r.threads, r.median_ms, r.min_ms, r.max_ms, r.gbps,
                   number(vs_eigen, "%.4f").data(), number(vs_triad, "%.4f").data(), number(r.err, "%.3e").data(),
                   static_cast<long long>(r.input_bytes), r.sweep ? "true" : "false");
      first = false;
    }
  }
  if (js) {
    std::fprintf(js, "\n]\n");
    std::fclose(js);
    std::printf("\nwrote %s\n", json.c_str());
  } else {
    std::fprintf(stderr, "bench: cannot write %s\n", json.c_str());
  }
  benchmark::Shutdown();
  return 0;
}
