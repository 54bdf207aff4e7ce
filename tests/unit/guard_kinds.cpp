// Every kind of call-time guard failing, one test each: the one-line message (naming the
// input, the dim, the symbol and both values where they apply) and an output buffer left
// exactly as poisoned before the call. Status return (run) and exception (operator())
// styles both.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "support/reference_check.hpp"

using namespace coil::literals;

namespace {
constexpr float poison = -7.25f;
constexpr auto B = coil::sym<"B">;
constexpr auto C = coil::sym<"C">;

bool all_poison(const std::vector<float>& v) {
  return std::all_of(v.begin(), v.end(), [](float f) { return f == poison; });
}

// Runs model m into a poisoned output of `n` elements with extents `oext`; returns the message.
template <class M, class... A> std::string fails(M& m, std::int64_t n, std::array<std::int64_t, 2> oext, const A&... args) {
  std::vector<float> out(static_cast<std::size_t>(n), poison);
  const coil::status st =
      m.run(args..., coil::out(coil::strided_view(out.data(), oext, coil::row_major_strides<2>(oext))));
  CHECK_FALSE(st.ok());
  CHECK(all_poison(out));
  CHECK_THROWS_AS(m(args...), coil::error);
  return st.message();
}
} // namespace

TEST_CASE("guard: duck shaping, a symbol bound by one input and contradicted by another") {
  auto m = coil::compile<coil::cpu>(coil::input<"x", float>(B, 4_c) + coil::input<"y", float>(B, 4_c));
  const std::vector<float> xv(12, 1.0f), yv(8, 1.0f);
  CHECK(fails(m, 12, {3, 4}, coil::arg<"x">(xv.data(), 3, 4), coil::arg<"y">(yv.data(), 2, 4)) ==
        "coil::model: input 'y' dim 0 (B): expected 3 (bound by an earlier input), got 2");
}

TEST_CASE("guard: a static dim passed another size") {
  auto m = coil::compile<coil::cpu>(coil::input<"x", float>(B, 4_c) * 2_c);
  const std::vector<float> xv(15, 1.0f);
  CHECK(fails(m, 15, {3, 5}, coil::arg<"x">(xv.data(), 3, 5)) == "coil::model: input 'x' dim 1: expected 4, got 5");
}

TEST_CASE("guard: two symbols that must broadcast") {
  auto m = coil::compile<coil::cpu>(coil::input<"a", float>(B, 1_c) + coil::input<"b", float>(C, 1_c));
  const std::vector<float> av(3, 1.0f), bv(2, 1.0f);
  const std::string msg = fails(m, 3, {3, 1}, coil::arg<"a">(av.data(), 3, 1), coil::arg<"b">(bv.data(), 2, 1));
  CHECK(msg == "coil::add: shapes do not broadcast at call time: b is [C, 1] = [2, 1], a is [B, 1] = [3, 1]");
}

TEST_CASE("guard: matmul inner dims") {
  auto m = coil::compile<coil::cpu>(coil::matmul(coil::input<"a", float>(2_c, B), coil::input<"b", float>(C, 3_c)));
  const std::vector<float> av(8, 1.0f), bv(15, 1.0f);
  const std::string msg = fails(m, 6, {2, 3}, coil::arg<"a">(av.data(), 2, 4), coil::arg<"b">(bv.data(), 5, 3));
  CHECK(msg == "coil::matmul: inner dims differ at call time: a is [2, B] = [2, 4], b is [C, 3] = [5, 3]");
}

TEST_CASE("guard: cat off its axis") {
  auto m = coil::compile<coil::cpu>(coil::cat<1>(coil::input<"a", float>(B, 2_c), coil::input<"b", float>(C, 2_c)));
  const std::vector<float> av(6, 1.0f), bv(8, 1.0f);
  const std::string msg = fails(m, 12, {3, 4}, coil::arg<"a">(av.data(), 3, 2), coil::arg<"b">(bv.data(), 4, 2));
  CHECK(msg == "coil::cat: shapes differ off the cat axis at call time: a is [B, 2] = [3, 2], b is [C, 2] = [4, 2]");
}

TEST_CASE("guard: reshape element counts and divisibility") {
  constexpr auto y = coil::input<"y", float>(C, 1_c); // binds C
  auto m = coil::compile<coil::cpu>(coil::reshape(coil::input<"x", float>(B, 6_c), C, 4_c) + y);
  const std::vector<float> xv(18, 1.0f), yv(4, 1.0f);
  CHECK(fails(m, 16, {4, 4}, coil::arg<"x">(xv.data(), 3, 6), coil::arg<"y">(yv.data(), 4, 1)) ==
        "coil::reshape: element counts differ at call time: x is [B, 6] = [3, 6], rhs is [C, 4] = [4, 4]");
  auto d = coil::compile<coil::cpu>(coil::reshape(coil::input<"x", float>(B, 6_c), -1_c, 4_c));
  CHECK(fails(d, 16, {4, 4}, coil::arg<"x">(xv.data(), 3, 6)) ==
        "coil::reshape: the -1 in dim 0 needs 6*B = 18 elements divisible by 4 at call time (B = 3): x is [B, 6] = [3, 6]");
}

TEST_CASE("guard: a slice start past a symbolic extent") {
  auto m = coil::compile<coil::cpu>(coil::slice<0, 3>(coil::input<"x", float>(B, 2_c)));
  const std::vector<float> xv(4, 1.0f);
  CHECK(fails(m, 2, {1, 2}, coil::arg<"x">(xv.data(), 2, 2)) ==
        "coil::slice: the axis is shorter than the slice start at call time: x is [B, 2] = [2, 2]");
}

TEST_CASE("guard: max over a zero-size symbolic dim") {
  auto m = coil::compile<coil::cpu>(coil::amax(coil::input<"x", float>(2_c, B), 1_c, coil::keepdim));
  const std::vector<float> xv(1, 1.0f);
  CHECK(fails(m, 2, {2, 1}, coil::arg<"x">(xv.data(), 2, 0)) ==
        "coil::amax: reduction over a zero-size dim at call time: x is [2, B] = [2, 0]");
}

TEST_CASE("guard: a window longer than a symbolic dim") {
  auto m = coil::compile<coil::cpu>(coil::sum(coil::window<0, 3>(coil::input<"x", float>(B, 2_c)), -1_c));
  const std::vector<float> xv(4, 1.0f);
  CHECK(fails(m, 2, {1, 2}, coil::arg<"x">(xv.data(), 2, 2)) ==
        "coil::window: the window (span 3) is longer than dim 0 at call time: x is [B, 2] = [2, 2]");
}

TEST_CASE("guard: an embedding index out of range") {
  auto m = coil::compile<coil::cpu>(
      coil::reshape(coil::embedding(coil::input<"ids", std::int32_t>(B), coil::input<"w", float>(3_c, 2_c)), B, 2_c));
  const std::vector<std::int32_t> ids = {0, 3};
  const std::vector<float> wv(6, 1.0f);
  CHECK(fails(m, 4, {2, 2}, coil::arg<"ids">(ids.data(), 2), coil::arg<"w">(wv.data(), 3, 2)) ==
        "coil::gather: index 3 is out of range [0, 3) for dim 0 of w: ids[1]");
}

TEST_CASE("guard: an embedding index out of range behind a cast or a reshape of the input") {
  const std::vector<float> wv(6, 1.0f);
  auto cast_ids = coil::compile<coil::cpu>(coil::embedding(coil::cast<std::int64_t>(coil::input<"ids", std::int32_t>(B)), coil::input<"w", float>(3_c, 2_c)));
  const std::vector<std::int32_t> ids = {0, 1, -1};
  CHECK(fails(cast_ids, 6, {3, 2}, coil::arg<"ids">(ids.data(), 3), coil::arg<"w">(wv.data(), 3, 2)) ==
        "coil::gather: index -1 is out of range [0, 3) for dim 0 of w: ids[2]");
  auto flat_ids = coil::compile<coil::cpu>(
      coil::embedding(coil::reshape(coil::input<"ids", std::int64_t>(2_c, 2_c), 4_c), coil::input<"w", float>(3_c, 2_c)));
  const std::vector<std::int64_t> grid = {0, 1, 2, 7};
  CHECK(fails(flat_ids, 8, {4, 2}, coil::arg<"ids">(grid.data(), 2, 2), coil::arg<"w">(wv.data(), 3, 2)) ==
        "coil::gather: index 7 is out of range [0, 3) for dim 0 of w: ids[1, 1]");
}

TEST_CASE("guard: a gather from a source dim of size 0") {
  auto m = coil::compile<coil::cpu>(coil::embedding(coil::input<"ids", std::int64_t>(2_c), coil::input<"w", float>(B, 2_c)));
  const std::vector<std::int64_t> ids = {0, 0};
  const std::vector<float> wv(1, 1.0f);
  CHECK(fails(m, 4, {2, 2}, coil::arg<"ids">(ids.data(), 2), coil::arg<"w">(wv.data(), 0, 2)) ==
        "coil::gather: 4 elements read from dim 0 of size 0 of w");
}

TEST_CASE("guard: an output buffer of the wrong extents") {
  auto m = coil::compile<coil::cpu>(coil::input<"x", float>(B, 2_c) * 2_c);
  const std::vector<float> xv(6, 1.0f);
  std::vector<float> out(4, poison);
  const coil::status st = m.run(coil::arg<"x">(xv.data(), 3, 2), coil::out(coil::view(out.data(), 2, 2)));
  CHECK(std::string(st.message()) == "coil::model: output 0 dim 0: expected 3, got 2");
  CHECK(all_poison(out));
}
