// Broadcastable symbols (`sym<"B", coil::broadcastable>`): a symbol so declared may bind
// to 1 and then broadcasts against the other operand as PyTorch does; an ordinary symbol
// bound to 1 against another extent is a call-time guard that fails with the one-line
// message and leaves the outputs untouched. Every result is checked against the reference
// backend and against values computed here by PyTorch's rule.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "support/reference_check.hpp"

using namespace coil::literals;
using coil::testing::expect_matches_reference;
using coil::testing::random_values;

namespace {

constexpr float poison = -12345.0f;
constexpr auto Bb = coil::sym<"B", coil::broadcastable>;
constexpr auto B2b = coil::sym<"B2", coil::broadcastable>;
constexpr auto B = coil::sym<"B">;
constexpr auto B2 = coil::sym<"B2">;

bool all_poison(const std::vector<float>& v) {
  return std::all_of(v.begin(), v.end(), [](float f) { return f == poison; });
}

template <class F> std::string thrown_message(F&& f) {
  try {
    f();
  } catch (const coil::error& err) {
    return err.what();
  } catch (...) {
    FAIL_CHECK("threw something other than coil::error");
    return "";
  }
  FAIL_CHECK("did not throw");
  return "";
}

// PyTorch's rule for two row-major [rows, 8] operands: an operand with one row is read
// at row 0 for every result row.
std::vector<float> broadcast_add(const std::vector<float>& a, std::int64_t ra, const std::vector<float>& b,
                                 std::int64_t rb) {
  const std::int64_t rows = ra == 1 ? rb : ra;
  std::vector<float> out(static_cast<std::size_t>(rows * 8));
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < 8; ++j)
      out[static_cast<std::size_t>(i * 8 + j)] =
          a[static_cast<std::size_t>((ra == 1 ? 0 : i) * 8 + j)] + b[static_cast<std::size_t>((rb == 1 ? 0 : i) * 8 + j)];
  return out;
}

template <class T, int R> std::vector<float> values_of(const coil::tensor<T, R>& t) {
  return std::vector<float>(t.data(), t.data() + t.size());
}

} // namespace

TEST_CASE("broadcastable symbol: [B, 8] + [4, 8] with B bound to 1 broadcasts, with B = 4 adds row by row") {
  constexpr auto x = coil::input<"x", float>(Bb, 8_c);
  constexpr auto y = coil::input<"y", float>(4_c, 8_c);
  const std::vector<float> yv = random_values<float>(32, 2);
  for (std::int64_t rows : {1, 4}) {
    CAPTURE(rows);
    const std::vector<float> xv = random_values<float>(rows * 8, 1);
    const auto got = expect_matches_reference(x + y, coil::arg<"x">(xv.data(), rows, 8), coil::arg<"y">(yv.data(), 4, 8));
    CHECK(got.extents == std::array<std::int64_t, 2>{4, 8});
    CHECK(values_of(got) == broadcast_add(xv, rows, yv, 4));
    // the broadcast operand on either side, and inside a fused chain of inlined math
    expect_matches_reference(y - x, coil::arg<"x">(xv.data(), rows, 8), coil::arg<"y">(yv.data(), 4, 8));
    expect_matches_reference(coil::relu(x * 2_c + y) - coil::exp(x), coil::arg<"x">(xv.data(), rows, 8),
                             coil::arg<"y">(yv.data(), 4, 8));
    expect_matches_reference(coil::softmax(x + y, -1_c), coil::arg<"x">(xv.data(), rows, 8), coil::arg<"y">(yv.data(), 4, 8));
    expect_matches_reference(coil::sum(x * y, 0_c), coil::arg<"x">(xv.data(), rows, 8), coil::arg<"y">(yv.data(), 4, 8));
  }
}

TEST_CASE("broadcastable symbol: [B, 8] + [1, 8] keeps B rows at every B") {
  constexpr auto x = coil::input<"x", float>(Bb, 8_c);
  constexpr auto y = coil::input<"y", float>(1_c, 8_c);
  const std::vector<float> yv = random_values<float>(8, 2);
  for (std::int64_t rows : {1, 3}) {
    const std::vector<float> xv = random_values<float>(rows * 8, 1);
    const auto got = expect_matches_reference(x + y, coil::arg<"x">(xv.data(), rows, 8), coil::arg<"y">(yv.data(), 1, 8));
    CHECK(values_of(got) == broadcast_add(xv, rows, yv, 1));
  }
}

TEST_CASE("broadcastable symbols: [B, 8] + [B2, 8] follows PyTorch when either side binds to 1") {
  constexpr auto x = coil::input<"x", float>(Bb, 8_c);
  constexpr auto y = coil::input<"y", float>(B2b, 8_c);
  static_assert(coil::record_of<decltype(x + y)>.shp.d[0].broadcastable()); // bcast(B, B2)
  auto m = coil::compile<coil::cpu>(x + y);
  const std::int64_t cases[][2] = {{1, 5}, {5, 1}, {3, 3}, {1, 1}, {0, 1}, {1, 0}};
  for (const auto& c : cases) {
    const std::int64_t ra = c[0], rb = c[1];
    CAPTURE(ra);
    CAPTURE(rb);
    const std::vector<float> xv = random_values<float>(ra * 8, 3), yv = random_values<float>(rb * 8, 4);
    const auto got = expect_matches_reference(x + y, coil::arg<"x">(xv.data(), ra, 8), coil::arg<"y">(yv.data(), rb, 8));
    CHECK(got.extents[0] == (ra == 1 ? rb : ra));
    CHECK(values_of(got) == broadcast_add(xv, ra, yv, rb));
    CHECK(values_of(m(coil::arg<"x">(xv.data(), ra, 8), coil::arg<"y">(yv.data(), rb, 8))) == values_of(got));
  }
  // a third operand broadcasts against the broadcast of the first two
  constexpr auto z = coil::input<"z", float>(4_c, 8_c);
  const std::vector<float> xv = random_values<float>(8, 5), yv = random_values<float>(8, 6), zv = random_values<float>(32, 7);
  expect_matches_reference((x + y) * z, coil::arg<"x">(xv.data(), 1, 8), coil::arg<"y">(yv.data(), 1, 8),
                           coil::arg<"z">(zv.data(), 4, 8));
  const std::vector<float> yv4 = random_values<float>(32, 8);
  expect_matches_reference((x + y) * z, coil::arg<"x">(xv.data(), 1, 8), coil::arg<"y">(yv4.data(), 4, 8),
                           coil::arg<"z">(zv.data(), 4, 8));
}

TEST_CASE("broadcastable symbols: the inner axis, expand and matmul batch dims") {
  // a broadcastable inner dim bound to 1 reads one column (the vector path sees a load that stays)
  constexpr auto x = coil::input<"x", float>(8_c, Bb);
  constexpr auto y = coil::input<"y", float>(8_c, 16_c);
  const std::vector<float> xv = random_values<float>(8, 9), yv = random_values<float>(128, 10);
  const auto got = expect_matches_reference(x * y + 1_c, coil::arg<"x">(xv.data(), 8, 1), coil::arg<"y">(yv.data(), 8, 16));
  for (std::int64_t i = 0; i < 8; ++i)
    for (std::int64_t j = 0; j < 16; ++j) CHECK(got.data()[i * 16 + j] == xv[i] * yv[i * 16 + j] + 1.0f);
  // expand to a static extent
  constexpr auto r = coil::input<"r", float>(Bb, 8_c);
  const auto ex = expect_matches_reference(coil::expand(r, 3_c, 8_c) * 2_c, coil::arg<"r">(xv.data(), 1, 8));
  CHECK(ex.extents == std::array<std::int64_t, 2>{3, 8});
  // batched matmul: a [B, 3, 4] batch of one against [5, 4, 2]
  constexpr auto a = coil::input<"a", float>(Bb, 3_c, 4_c);
  constexpr auto b = coil::input<"b", float>(5_c, 4_c, 2_c);
  const std::vector<float> av = random_values<float>(5 * 12, 11), bv = random_values<float>(40, 12);
  for (std::int64_t batch : {1, 5}) {
    CAPTURE(batch);
    const auto mm = expect_matches_reference(coil::matmul(a, b), coil::arg<"a">(av.data(), batch, 3, 4), coil::arg<"b">(bv.data(), 5, 4, 2));
    CHECK(mm.extents == std::array<std::int64_t, 3>{5, 3, 2});
  }
}

TEST_CASE("broadcastable symbols: a specialization for B = 1 and the symbolic fallback agree") {
  constexpr auto x = coil::input<"x", float>(Bb, 8_c);
  constexpr auto y = coil::input<"y", float>(B2b, 8_c);
  auto m = coil::compile<coil::cpu>(coil::specialize<"B", 1>, x - y);
  auto oracle = coil::compile<coil::reference>(x - y);
  const std::vector<float> xv = random_values<float>(24, 13), yv = random_values<float>(24, 14);
  for (std::int64_t ra : {1, 3}) {
    CAPTURE(ra);
    const auto got = m(coil::arg<"x">(xv.data(), ra, 8), coil::arg<"y">(yv.data(), 3, 8));
    const auto want = oracle(coil::arg<"x">(xv.data(), ra, 8), coil::arg<"y">(yv.data(), 3, 8));
    CHECK(values_of(got) == values_of(want));
  }
}

TEST_CASE("ordinary symbol: bound to 1 against another extent is a guard error; outputs untouched") {
  const std::vector<float> xv(8, 1.0f), yv(40, 2.0f);
  std::vector<float> out(40, poison);
  {
    constexpr auto x = coil::input<"x", float>(B, 8_c);
    constexpr auto y = coil::input<"y", float>(4_c, 8_c);
    static_assert(coil::record_of<decltype(x + y)>.shp.d[0] == coil::dim_const(4));
    auto m = coil::compile<coil::cpu>(x + y);
    const std::string msg = thrown_message(
        [&] { m(coil::arg<"x">(xv.data(), 1, 8), coil::arg<"y">(yv.data(), 4, 8), coil::out(coil::view(out.data(), 4, 8))); });
    CHECK(msg == "coil::add: shapes do not broadcast at call time: y is [4, 8] = [4, 8], x is [B, 8] = [1, 8]");
    CHECK(all_poison(out));
  }
  {
    constexpr auto x = coil::input<"x", float>(B, 8_c);
    constexpr auto y = coil::input<"y", float>(B2, 8_c);
    auto m = coil::compile<coil::cpu>(x + y);
    const coil::status st =
        m.run(coil::arg<"x">(xv.data(), 1, 8), coil::arg<"y">(yv.data(), 5, 8), coil::out(coil::view(out.data(), 5, 8)));
    CHECK(std::string(st.message()) ==
          "coil::add: shapes do not broadcast at call time: y is [B2, 8] = [5, 8], x is [B, 8] = [1, 8]");
    CHECK(all_poison(out));
  }
  {
    // declared on one side only: that side may be 1, the other may not
    constexpr auto x = coil::input<"x", float>(Bb, 8_c);
    constexpr auto y = coil::input<"y", float>(B2, 8_c);
    auto m = coil::compile<coil::cpu>(x + y);
    const std::vector<float> x5(40, 1.0f), y1(8, 2.0f);
    const coil::status st =
        m.run(coil::arg<"x">(x5.data(), 5, 8), coil::arg<"y">(y1.data(), 1, 8), coil::out(coil::view(out.data(), 1, 8)));
    CHECK(std::string(st.message()) ==
          "coil::add: shapes do not broadcast at call time: y is [B2, 8] = [1, 8], x is [B, 8] = [5, 8]");
    CHECK(all_poison(out));
    std::vector<float> ok(40, poison);
    CHECK(m.run(coil::arg<"x">(xv.data(), 1, 8), coil::arg<"y">(yv.data(), 5, 8), coil::out(coil::view(ok.data(), 5, 8))).ok());
    CHECK(std::all_of(ok.begin(), ok.end(), [](float f) { return f == 3.0f; }));
  }
  {
    // broadcastable, but bound to neither 1 nor the other extent
    constexpr auto x = coil::input<"x", float>(Bb, 8_c);
    constexpr auto y = coil::input<"y", float>(4_c, 8_c);
    auto m = coil::compile<coil::cpu>(x + y);
    const std::vector<float> x3(24, 1.0f);
    const std::string msg = thrown_message(
        [&] { m(coil::arg<"x">(x3.data(), 3, 8), coil::arg<"y">(yv.data(), 4, 8), coil::out(coil::view(out.data(), 4, 8))); });
    CHECK(msg == "coil::add: shapes do not broadcast at call time: y is [4, 8] = [4, 8], x is [B, 8] = [3, 8]");
    CHECK(all_poison(out));
  }
}
