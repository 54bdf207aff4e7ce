// The worked examples of docs/extending.md, compiled and run: a user op (softsign) added
// with its own lowering rule, for every target, and checked against the reference; and a
// custom kernel (cummax) registered as a host function, fused into a model around it.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "support/reference_check.hpp"

using namespace coil::literals;

// --- docs/extending.md: begin ---
// 1. The op: a name (for diagnostics) and its shape/dtype inference.
struct softsign_op {
  static constexpr const char* name = "softsign";
  static constexpr coil::infer_result infer(const coil::node_record* in, int) {
    coil::infer_result r;
    r.rec.kind = coil::op_kind::pointwise;
    r.rec.type = r.rec.compute = coil::is_floating(in[0].type) ? in[0].type : coil::dtype::f32;
    r.rec.shp = in[0].shp;
    return r;
  }
};

// 2. The lowering rule, for every target: softsign(x) = x / (1 + |x|).
template <class Target> struct coil::lower_impl<softsign_op, Target> {
  template <class X> using apply = decltype(X{} / (1_c + coil::abs(X{})));
};

// 3. The factory users call.
template <coil::expr X> constexpr auto softsign(X x) { return coil::make_node<softsign_op>(x); }
// --- docs/extending.md: end ---

TEST_CASE("a user op with its own lowering rule runs like a built-in one") {
  constexpr auto x = coil::input<"x", float>(coil::sym<"B">, 5_c);
  constexpr auto y = softsign(x) * 2_c;
  using M = decltype(coil::compile<coil::cpu>(y));
  static_assert(M::plan.kernel_count == 1); // the rewrite fuses with its consumer
  static_assert(M::graph::records[M::graph::outputs[0]].code == coil::op_code::mul);

  auto xs = coil::testing::random_values<float>(3 * 5, 7, -4.0, 4.0);
  auto out = coil::testing::expect_matches_reference(y, coil::arg<"x">(xs.data(), 3, 5));
  for (int i = 0; i < 15; ++i) {
    const float v = xs[static_cast<std::size_t>(i)];
    CHECK(out.data()[i] == doctest::Approx(2.0f * v / (1.0f + std::fabs(v))));
  }
}

// --- docs/extending.md: custom kernel begin ---
// A running maximum along the last dim of a 2-d tensor (torch.cummax(x, -1).values):
// a loop no lowering rule expresses well, written as a host kernel.
struct cummax_kernel {
  static constexpr const char* name = "cummax";
  // The output's dtype and shape; a bad input is a one-line compile error.
  static constexpr coil::infer_result infer(const coil::node_record* in, int) {
    coil::infer_result r;
    r.rec.type = in[0].type;
    r.rec.shp = in[0].shp;
    if (in[0].shp.rank != 2) {
      r.ok = false;
      r.msg << "coil::cummax: needs a 2-d input, got rank " << in[0].shp.rank;
    }
    return r;
  }
  // Views through strides: `x(i, j)`, `out(i, j)`. NaN propagates, as in PyTorch.
  template <class Out, class In> static void run(Out out, In x) {
    if (x.extents[1] == 0) return; // no column 0 to start from
    for (std::int64_t i = 0; i < x.extents[0]; ++i) {
      auto m = x(i, 0);
      for (std::int64_t j = 0; j < x.extents[1]; ++j) {
        const auto v = x(i, j);
        if (!(m != m) && (v != v || v > m)) m = v;
        out(i, j) = m;
      }
    }
  }
};

template <coil::expr X> constexpr auto cummax(X x) { return coil::custom<cummax_kernel>(x); }
// --- docs/extending.md: custom kernel end ---

TEST_CASE("a custom kernel runs between fused kernels, on the CPU and the reference backend") {
  constexpr auto x = coil::input<"x", float>(coil::sym<"B">, 6_c);
  constexpr auto y = cummax(x * 2_c) + 1_c;
  using M = decltype(coil::compile<coil::cpu>(y));
  static_assert(M::plan.kernel_count == 3); // x * 2 (realized for the kernel), cummax, + 1
  static_assert(M::plan.kind[1] == coil::kernel_kind::custom);

  auto xs = coil::testing::random_values<float>(4 * 6, 9, -4.0, 4.0);
  xs[8] = std::numeric_limits<float>::quiet_NaN(); // row 1 from column 2 on
  auto out = coil::testing::expect_matches_reference(y, coil::arg<"x">(xs.data(), 4, 6));
  for (int i = 0; i < 4; ++i) {
    float m = 2.0f * xs[static_cast<std::size_t>(6 * i)];
    for (int j = 0; j < 6; ++j) {
      const float v = 2.0f * xs[static_cast<std::size_t>(6 * i + j)];
      if (!std::isnan(m) && (std::isnan(v) || v > m)) m = v;
      if (std::isnan(m)) CHECK(std::isnan(out(i, j)));
      else CHECK(out(i, j) == m + 1.0f);
    }
  }
  // a view of an input (here transposed) is realized row-major before the kernel runs
  constexpr auto t = coil::input<"t", float>(6_c, coil::sym<"B">);
  auto tr = coil::compile<coil::cpu>(cummax(coil::transpose<0, 1>(t)))(coil::arg<"t">(xs.data(), 6, 4));
  CHECK(tr(2, 3) == std::max({xs[2], xs[6], xs[10], xs[14]}));
}
