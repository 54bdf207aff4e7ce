// The worked example of docs/extending.md, compiled and run: a user op (softsign) added
// with its own lowering rule, for every target, and checked against the reference.
#include <doctest/doctest.h>

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
