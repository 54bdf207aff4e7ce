// matmul: 2-D, batched, broadcasting batch dims, transposed and strided operands, int32,
// mixed dtypes, symbolic M, size-0 K and M, epilogues (bias + relu), a 2-layer MLP;
// the plan around the extern kernel; call-time errors.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "support/reference_check.hpp"
#include "support/shapes.hpp"

using namespace coil::literals;
using coil::testing::expect_matches_reference;
using coil::testing::random_values;

using coil::testing::c;
using coil::testing::make_shape;
using coil::testing::shape_of;

namespace {
constexpr auto M = coil::sym<"M">;
constexpr auto x = coil::input<"x", float>(3_c, 4_c);
constexpr auto w = coil::input<"w", float>(4_c, 5_c);


template <class Model> constexpr int count_reason(coil::realize_reason why) {
  int n = 0;
  for (int i = 0; i < Model::graph::size; ++i) n += Model::plan.reason[i] == why;
  return n;
}
} // namespace

// ---- shapes and dtypes --------------------------------------------------------------

static_assert(shape_of(coil::matmul(x, w)) == make_shape({c(3), c(5)}));
static_assert(shape_of(coil::matmul(coil::input<"a", float>(2_c, 3_c, 4_c), w)) == make_shape({c(2), c(3), c(5)}));
static_assert(shape_of(coil::matmul(coil::input<"a", float>(1_c, 3_c, 4_c), coil::input<"b", float>(2_c, 4_c, 5_c))) ==
              make_shape({c(2), c(3), c(5)}));
static_assert(shape_of(coil::matmul(coil::input<"a", float>(7_c, 1_c, 3_c, 4_c), coil::input<"b", float>(2_c, 4_c, 5_c))) ==
              make_shape({c(7), c(2), c(3), c(5)}));
static_assert(shape_of(coil::matmul(coil::input<"a", float>(M, 4_c), w)) == make_shape({coil::dim_symbol("M"), c(5)}));
static_assert(coil::record_of<decltype(coil::matmul(coil::input<"a", std::int32_t>(3_c, 4_c), coil::input<"b", std::int32_t>(4_c, 5_c)))>.type ==
              coil::dtype::i32);
static_assert(coil::record_of<decltype(coil::matmul(coil::input<"a", std::int32_t>(3_c, 4_c), w))>.type == coil::dtype::f32);
static_assert(coil::record_of<decltype(coil::matmul(x, coil::input<"d", double>(4_c, 5_c)))>.type == coil::dtype::f64);

// ---- values -------------------------------------------------------------------------

TEST_CASE("matmul: 2-D hand values") {
  constexpr auto a = coil::input<"a", float>(2_c, 2_c);
  constexpr auto b = coil::input<"b", float>(2_c, 3_c);
  const std::vector<float> ad = {1, 2, 3, 4}, bd = {5, 6, 7, 8, 9, 10};
  auto y = coil::compile<coil::cpu>(coil::matmul(a, b))(coil::arg<"a">(ad.data(), 2, 2), coil::arg<"b">(bd.data(), 2, 3));
  REQUIRE(y.extents == std::array<std::int64_t, 2>{2, 3});
  CHECK(y(0, 0) == 21.0f); // 1*5 + 2*8
  CHECK(y(0, 1) == 24.0f);
  CHECK(y(0, 2) == 27.0f);
  CHECK(y(1, 0) == 47.0f); // 3*5 + 4*8
  CHECK(y(1, 1) == 54.0f);
  CHECK(y(1, 2) == 61.0f);
  const auto xd = random_values<float>(12, 1), wd = random_values<float>(20, 2);
  expect_matches_reference(coil::matmul(x, w), coil::arg<"x">(xd.data(), 3, 4), coil::arg<"w">(wd.data(), 4, 5));
}

TEST_CASE("matmul: batched and broadcasting batch dims") {
  constexpr auto a3 = coil::input<"a", float>(2_c, 3_c, 4_c);
  constexpr auto b3 = coil::input<"b", float>(2_c, 4_c, 5_c);
  constexpr auto a1 = coil::input<"a", float>(1_c, 3_c, 4_c);
  const auto ad = random_values<float>(24, 3), bd = random_values<float>(40, 4), wd = random_values<float>(20, 5);
  const auto aa = coil::arg<"a">(ad.data(), 2, 3, 4);
  const auto ab = coil::arg<"b">(bd.data(), 2, 4, 5);
  auto y = expect_matches_reference(coil::matmul(a3, b3), aa, ab);
  REQUIRE(y.extents == std::array<std::int64_t, 3>{2, 3, 5});
  // hand check of one element: y[1][2][3] = sum_k a[1][2][k] b[1][k][3]
  double want = 0;
  for (int k = 0; k < 4; ++k) want += double(ad[12 + 8 + k]) * double(bd[20 + 5 * k + 3]);
  CHECK(y(1, 2, 3) == doctest::Approx(want).epsilon(1e-5));
  // [2,3,4] x [4,5]: the 2-D rhs is shared by every batch
  auto z = expect_matches_reference(coil::matmul(a3, w), aa, coil::arg<"w">(wd.data(), 4, 5));
  want = 0;
  for (int k = 0; k < 4; ++k) want += double(ad[12 + k]) * double(wd[5 * k + 1]);
  CHECK(z(1, 0, 1) == doctest::Approx(want).epsilon(1e-5));
  // [1,3,4] x [2,4,5]: the lhs batch of 1 broadcasts
  auto u = expect_matches_reference(coil::matmul(a1, b3), coil::arg<"a">(ad.data(), 1, 3, 4), ab);
  REQUIRE(u.extents == std::array<std::int64_t, 3>{2, 3, 5});
  want = 0;
  for (int k = 0; k < 4; ++k) want += double(ad[4 * 2 + k]) * double(bd[20 + 5 * k + 4]);
  CHECK(u(1, 2, 4) == doctest::Approx(want).epsilon(1e-5));
  // rank 4 x rank 3 with broadcasting on both sides
  constexpr auto a4 = coil::input<"a", float>(3_c, 1_c, 3_c, 4_c);
  const auto a4d = random_values<float>(36, 6);
  auto v = expect_matches_reference(coil::matmul(a4, b3), coil::arg<"a">(a4d.data(), 3, 1, 3, 4), ab);
  CHECK(v.extents == std::array<std::int64_t, 4>{3, 2, 3, 5});
}

TEST_CASE("matmul: transposed and strided operands") {
  constexpr auto wt = coil::input<"wt", float>(5_c, 4_c); // a Linear layer's [out, in] weight
  const auto xd = random_values<float>(12, 7), wd = random_values<float>(20, 8);
  const auto ax = coil::arg<"x">(xd.data(), 3, 4);
  auto y = expect_matches_reference(coil::matmul(x, coil::transpose<0, 1>(wt)), ax, coil::arg<"wt">(wd.data(), 5, 4));
  REQUIRE(y.extents == std::array<std::int64_t, 2>{3, 5});
  double want = 0;
  for (int k = 0; k < 4; ++k) want += double(xd[4 * 2 + k]) * double(wd[4 * 3 + k]);
  CHECK(y(2, 3) == doctest::Approx(want).epsilon(1e-5));
  // the same weight passed as a strided (column-major) view of w [4,5]
  const auto sw = coil::arg<"w">(coil::strided_view(wd.data(), std::array<std::int64_t, 2>{4, 5},
                                                    std::array<std::int64_t, 2>{1, 4}));
  auto z = expect_matches_reference(coil::matmul(x, w), ax, sw);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 5; ++j) CHECK(z(i, j) == doctest::Approx(y(i, j)).epsilon(1e-6));
  // linear's weight^T is read in place (a strided operand, no copy kernel), whatever the
  // weight's own strides: contiguous (above), rows padded to 6, or stored transposed
  using transposed_model = decltype(coil::compile<coil::cpu>(coil::matmul(x, coil::transpose<0, 1>(wt))));
  static_assert(count_reason<transposed_model>(coil::realize_reason::strided_operand) == 1 && transposed_model::plan.kernel_count == 1);
  std::vector<float> padded(5 * 6, 0.0f), stored_t(20);
  for (int o = 0; o < 5; ++o)
    for (int i = 0; i < 4; ++i) {
      padded[static_cast<std::size_t>(6 * o + i)] = wd[static_cast<std::size_t>(4 * o + i)];
      stored_t[static_cast<std::size_t>(5 * i + o)] = wd[static_cast<std::size_t>(4 * o + i)];
    }
  for (const auto& wv : {coil::strided_view(padded.data(), std::array<std::int64_t, 2>{5, 4}, std::array<std::int64_t, 2>{6, 1}),
                         coil::strided_view(stored_t.data(), std::array<std::int64_t, 2>{5, 4}, std::array<std::int64_t, 2>{1, 5})}) {
    auto t = expect_matches_reference(coil::matmul(x, coil::transpose<0, 1>(wt)), ax, coil::arg<"wt">(wv));
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 5; ++j) CHECK(t(i, j) == doctest::Approx(y(i, j)).epsilon(1e-6));
  }
  // transposed lhs: x^T x  [4,4]
  expect_matches_reference(coil::matmul(coil::transpose<-1, -2>(x), x), ax);
  // a pointwise producer feeding the matmul
  expect_matches_reference(coil::matmul(coil::exp(x) - 1_c, w), ax, coil::arg<"w">(wd.data(), 4, 5));
  // the same input on both sides
  constexpr auto sq = coil::input<"sq", float>(4_c, 4_c);
  const auto sd = random_values<float>(16, 9);
  expect_matches_reference(coil::matmul(sq, sq), coil::arg<"sq">(sd.data(), 4, 4));
}

TEST_CASE("matmul: int32 is exact; mixed int32 x float promotes") {
  constexpr auto a = coil::input<"a", std::int32_t>(3_c, 4_c);
  constexpr auto b = coil::input<"b", std::int32_t>(4_c, 2_c);
  const auto ad = random_values<std::int32_t>(12, 10, -100, 100), bd = random_values<std::int32_t>(8, 11, -100, 100);
  auto y = expect_matches_reference(coil::matmul(a, b), coil::arg<"a">(ad.data(), 3, 4), coil::arg<"b">(bd.data(), 4, 2));
  static_assert(std::is_same_v<decltype(y)::element_type, std::int32_t>);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 2; ++j) {
      std::int32_t want = 0;
      for (int k = 0; k < 4; ++k) want += ad[static_cast<std::size_t>(4 * i + k)] * bd[static_cast<std::size_t>(2 * k + j)];
      CHECK(y(i, j) == want);
    }
  const auto wd = random_values<float>(20, 12);
  auto z = expect_matches_reference(coil::matmul(a, w), coil::arg<"a">(ad.data(), 3, 4), coil::arg<"w">(wd.data(), 4, 5));
  static_assert(std::is_same_v<decltype(z)::element_type, float>);
}

TEST_CASE("matmul: symbolic M, and empty M and K") {
  constexpr auto xm = coil::input<"x", float>(M, 4_c);
  const auto xd = random_values<float>(7 * 4, 13), wd = random_values<float>(20, 14);
  auto y = expect_matches_reference(coil::matmul(xm, w), coil::arg<"x">(xd.data(), 7, 4), coil::arg<"w">(wd.data(), 4, 5));
  REQUIRE(y.extents == std::array<std::int64_t, 2>{7, 5});
  auto e = coil::compile<coil::cpu>(coil::matmul(xm, w))(coil::arg<"x">(xd.data(), 0, 4), coil::arg<"w">(wd.data(), 4, 5));
  CHECK(e.extents == std::array<std::int64_t, 2>{0, 5});

  // K = 0: a sum over nothing, all zeros (the output buffer is poisoned first)
  constexpr auto a0 = coil::input<"a", float>(3_c, 0_c);
  constexpr auto b0 = coil::input<"b", float>(0_c, 4_c);
  float dummy = 0;
  std::vector<float> out(12, 42.0f);
  coil::compile<coil::cpu>(coil::matmul(a0, b0))(coil::arg<"a">(&dummy, 3, 0), coil::arg<"b">(&dummy, 0, 4),
                                                 coil::out(coil::view(out.data(), 3, 4)));
  CHECK(out == std::vector<float>(12, 0.0f));
  // symbolic K bound to 0, batched, with a bias on top
  constexpr auto ak = coil::input<"a", float>(2_c, 3_c, coil::sym<"K">);
  constexpr auto bk = coil::input<"b", float>(coil::sym<"K">, 4_c);
  std::vector<float> outk(24, 42.0f);
  coil::compile<coil::cpu>(coil::matmul(ak, bk))(coil::arg<"a">(&dummy, 2, 3, 0), coil::arg<"b">(&dummy, 0, 4),
                                                 coil::out(coil::view(outk.data(), 2, 3, 4)));
  CHECK(outk == std::vector<float>(24, 0.0f));
  auto r = expect_matches_reference(coil::matmul(ak, bk) + 1_c, coil::arg<"a">(&dummy, 2, 3, 0), coil::arg<"b">(&dummy, 0, 4));
  for (int k = 0; k < 24; ++k) CHECK(r.data()[k] == 1.0f);
}

TEST_CASE("matmul: bias + relu epilogue, and a 2-layer MLP with a symbolic batch") {
  constexpr auto bias = coil::input<"bias", float>(5_c);
  const auto xd = random_values<float>(12, 15), wd = random_values<float>(20, 16), bd = random_values<float>(5, 17);
  const auto ax = coil::arg<"x">(xd.data(), 3, 4);
  const auto aw = coil::arg<"w">(wd.data(), 4, 5);
  const auto ab = coil::arg<"bias">(bd.data(), 5);
  constexpr auto linear_relu = coil::relu(coil::matmul(x, w) + bias);
  auto y = expect_matches_reference(linear_relu, ax, aw, ab);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 5; ++j) {
      double acc = bd[static_cast<std::size_t>(j)];
      for (int k = 0; k < 4; ++k) acc += double(xd[static_cast<std::size_t>(4 * i + k)]) * double(wd[static_cast<std::size_t>(5 * k + j)]);
      CHECK(y(i, j) == doctest::Approx(acc > 0 ? acc : 0.0).epsilon(1e-5));
    }
  // plan: the GEMM, then one fused epilogue kernel
  using E = decltype(coil::compile<coil::cpu>(linear_relu));
  static_assert(E::plan.kernel_count == 2);
  static_assert(count_reason<E>(coil::realize_reason::extern_op) == 1);
  static_assert(E::arena_bytes == 64); // [3,5] floats = 60 bytes, aligned

  constexpr auto xb = coil::input<"x", float>(coil::sym<"B">, 8_c);
  constexpr auto w1 = coil::input<"w1", float>(8_c, 16_c);
  constexpr auto b1 = coil::input<"b1", float>(16_c);
  constexpr auto w2 = coil::input<"w2", float>(16_c, 3_c);
  constexpr auto b2 = coil::input<"b2", float>(3_c);
  constexpr auto mlp = coil::matmul(coil::relu(coil::matmul(xb, w1) + b1), w2) + b2;
  using P = decltype(coil::compile<coil::cpu>(mlp));
  // matmul, relu(+b1) stored for the second matmul, matmul, +b2
  static_assert(P::plan.kernel_count == 4);
  static_assert(count_reason<P>(coil::realize_reason::extern_op) == 2);
  static_assert(count_reason<P>(coil::realize_reason::extern_input) == 1);
  const auto xbd = random_values<float>(6 * 8, 18), w1d = random_values<float>(8 * 16, 19), b1d = random_values<float>(16, 20);
  const auto w2d = random_values<float>(16 * 3, 21), b2d = random_values<float>(3, 22);
  auto out = expect_matches_reference(mlp, coil::arg<"x">(xbd.data(), 6, 8), coil::arg<"w1">(w1d.data(), 8, 16),
                                      coil::arg<"b1">(b1d.data(), 16), coil::arg<"w2">(w2d.data(), 16, 3),
                                      coil::arg<"b2">(b2d.data(), 3));
  REQUIRE(out.extents == std::array<std::int64_t, 2>{6, 3});
  // hand check of one row
  for (int j = 0; j < 3; ++j) {
    double acc = b2d[static_cast<std::size_t>(j)];
    for (int h = 0; h < 16; ++h) {
      double hid = b1d[static_cast<std::size_t>(h)];
      for (int k = 0; k < 8; ++k) hid += double(xbd[static_cast<std::size_t>(8 * 5 + k)]) * double(w1d[static_cast<std::size_t>(16 * k + h)]);
      acc += (hid > 0 ? hid : 0.0) * double(w2d[static_cast<std::size_t>(3 * h + j)]);
    }
    CHECK(out(5, j) == doctest::Approx(acc).epsilon(1e-5));
  }
}

TEST_CASE("matmul: results written through strided output views; several outputs") {
  const auto xd = random_values<float>(12, 27), wd = random_values<float>(20, 28);
  const auto ax = coil::arg<"x">(xd.data(), 3, 4);
  const auto aw = coil::arg<"w">(wd.data(), 4, 5);
  auto want = coil::compile<coil::reference>(coil::matmul(x, w))(ax, aw);
  // column-major output [3,5]: strides (1, 3)
  std::vector<float> col(15, 42.0f);
  coil::compile<coil::cpu>(coil::matmul(x, w))(
      ax, aw, coil::out(coil::strided_view(col.data(), std::array<std::int64_t, 2>{3, 5}, std::array<std::int64_t, 2>{1, 3})));
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 5; ++j) CHECK(col[static_cast<std::size_t>(i + 3 * j)] == doctest::Approx(want(i, j)).epsilon(1e-5));
  // two outputs: the hidden activation (also the matmul's operand) and the product, transposed
  auto model = coil::compile<coil::cpu>(coil::relu(x), coil::transpose<0, 1>(coil::matmul(coil::relu(x), w)));
  auto oracle = coil::compile<coil::reference>(coil::relu(x), coil::transpose<0, 1>(coil::matmul(coil::relu(x), w)));
  auto [h, y] = model(ax, aw);
  auto [rh, ry] = oracle(ax, aw);
  coil::testing::expect_tensors_close(h, rh, 0, 0);
  REQUIRE(y.extents == std::array<std::int64_t, 2>{5, 3});
  coil::testing::expect_tensors_close(y, ry, 1e-5, 1e-6);
}

// ---- call-time errors ---------------------------------------------------------------

TEST_CASE("matmul errors: inner dims and shared symbols are checked before anything is written") {
  constexpr auto a = coil::input<"a", float>(M, coil::sym<"K">);
  constexpr auto b = coil::input<"b", float>(coil::sym<"J">, 5_c);
  auto model = coil::compile<coil::cpu>(coil::matmul(a, b));
  const auto ad = random_values<float>(3 * 4, 23), bd = random_values<float>(6 * 5, 24);
  std::vector<float> out(15, 42.0f);
  CHECK_THROWS_WITH_AS(model(coil::arg<"a">(ad.data(), 3, 4), coil::arg<"b">(bd.data(), 6, 5),
                             coil::out(coil::view(out.data(), 3, 5))),
                       doctest::Contains("coil::matmul: inner dims differ at call time"), coil::error);
  CHECK(out == std::vector<float>(15, 42.0f));
  const coil::status st = model.run(coil::arg<"a">(ad.data(), 3, 4), coil::arg<"b">(bd.data(), 6, 5),
                                    coil::out(coil::view(out.data(), 3, 5)));
  REQUIRE_FALSE(st.ok());
  CHECK(std::string(st.message()).find("a is [M, K] = [3, 4]") != std::string::npos);
  CHECK(std::string(st.message()).find("b is [J, 5] = [6, 5]") != std::string::npos);
  CHECK(out == std::vector<float>(15, 42.0f));
  // J == K: fine
  model(coil::arg<"a">(ad.data(), 3, 4), coil::arg<"b">(bd.data(), 4, 5), coil::out(coil::view(out.data(), 3, 5)));
  CHECK(out[0] != 42.0f);

  // one symbol shared by two inputs: the second must agree with the first
  constexpr auto p = coil::input<"p", float>(M, coil::sym<"K">);
  constexpr auto q = coil::input<"q", float>(coil::sym<"K">, M);
  auto sq = coil::compile<coil::cpu>(coil::matmul(p, q));
  std::vector<float> out2(9, 42.0f);
  try {
    sq(coil::arg<"p">(ad.data(), 3, 4), coil::arg<"q">(bd.data(), 5, 3), coil::out(coil::view(out2.data(), 3, 3)));
    FAIL("expected coil::error");
  } catch (const coil::error& e) {
    const std::string msg = e.what();
    CHECK(msg.find("'q'") != std::string::npos);
    CHECK(msg.find("dim 0") != std::string::npos);
    CHECK(msg.find("(K)") != std::string::npos);
    CHECK(msg.find("expected 4") != std::string::npos);
    CHECK(msg.find("got 5") != std::string::npos);
  }
  CHECK(out2 == std::vector<float>(9, 42.0f));
  // broadcast batch dims that disagree at call time
  constexpr auto ba = coil::input<"ba", float>(coil::sym<"N">, 3_c, 4_c);
  constexpr auto bb = coil::input<"bb", float>(coil::sym<"P">, 4_c, 5_c);
  auto bm = coil::compile<coil::cpu>(coil::matmul(ba, bb));
  const auto bad = random_values<float>(2 * 12, 25), bbd = random_values<float>(3 * 20, 26);
  CHECK_THROWS_WITH_AS(bm(coil::arg<"ba">(bad.data(), 2, 3, 4), coil::arg<"bb">(bbd.data(), 3, 4, 5)),
                       doctest::Contains("coil::matmul: batch dims do not broadcast at call time"), coil::error);
}
