// Quotients in symbolic shapes at call time: a reshape whose -1 dim is a floor division
// ([S, 6] -> [-1, 4] needs 6*S divisible by 4) runs when the division comes out even and
// otherwise fails with a one-line message naming the op, the dim, the symbol and the
// values, before any output byte is written; reshape targets written with `/`.
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
constexpr auto S = coil::sym<"S">;
constexpr auto L = coil::sym<"L">;
constexpr auto x = coil::input<"x", float>(S, 6_c);
constexpr auto r = coil::reshape(x, -1_c, 4_c); // [S + floordiv(S, 2), 4]

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

} // namespace

TEST_CASE("reshape [S, 6] -> [-1, 4]: the -1 dim is floordiv(6*S, 4) when S is even") {
  for (std::int64_t s : {0, 2, 4, 10}) {
    CAPTURE(s);
    const std::vector<float> xv = random_values<float>(s * 6, static_cast<std::uint32_t>(s));
    const auto got = expect_matches_reference(r, coil::arg<"x">(xv.data(), s, 6));
    CHECK(got.extents == std::array<std::int64_t, 2>{6 * s / 4, 4});
    CHECK(std::equal(xv.begin(), xv.end(), got.data())); // a reshape keeps the order
    expect_matches_reference(r * 2_c + 1_c, coil::arg<"x">(xv.data(), s, 6));
    expect_matches_reference(coil::sum(r, 1_c), coil::arg<"x">(xv.data(), s, 6));
    expect_matches_reference(coil::softmax(coil::reshape(coil::exp(x), -1_c, 4_c), -1_c), coil::arg<"x">(xv.data(), s, 6));
  }
}

TEST_CASE("reshape [S, 6] -> [-1, 4] with odd S fails before writing, naming op, dim, symbol and values") {
  const std::vector<float> xv(18, 1.0f);
  std::vector<float> out(20, poison);
  auto m = coil::compile<coil::cpu>(r * 2_c);
  const std::string msg = thrown_message([&] { m(coil::arg<"x">(xv.data(), 3, 6), coil::out(coil::view(out.data(), 5, 4))); });
  CHECK(msg == "coil::reshape: the -1 in dim 0 needs 6*S = 18 elements divisible by 4 at call time (S = 3): x is [S, "
               "6] = [3, 6]");
  CHECK(all_poison(out));
  const coil::status st = m.run(coil::arg<"x">(xv.data(), 3, 6), coil::out(coil::view(out.data(), 5, 4)));
  CHECK(std::string(st.message()) == msg);
  CHECK(all_poison(out));
  // the size query fails the same way, and the model still runs for a good size
  CHECK(thrown_message([&] { (void)m.workspace_bytes(coil::arg<"x">(xv.data(), 3, 6)); }) == msg);
  CHECK(m.output_extents<0>(coil::arg<"x">(xv.data(), 2, 6)) == std::array<std::int64_t, 2>{3, 4});
  auto reference = coil::compile<coil::reference>(r * 2_c);
  CHECK(thrown_message([&] { (void)reference(coil::arg<"x">(xv.data(), 3, 6)); }) == msg);
}

TEST_CASE("reshape with a floor-divided -1 dim under a specialization: the static variant and the fallback") {
  auto m = coil::compile<coil::cpu>(coil::specialize<"S", 2>, r + 1_c);
  for (std::int64_t s : {2, 6}) {
    CAPTURE(s);
    const std::vector<float> xv = random_values<float>(s * 6, 21);
    const auto got = m(coil::arg<"x">(xv.data(), s, 6));
    const auto want = coil::compile<coil::reference>(r + 1_c)(coil::arg<"x">(xv.data(), s, 6));
    CHECK(got.extents == want.extents);
    CHECK(std::equal(got.data(), got.data() + got.size(), want.data()));
  }
  const std::vector<float> xv(30, 1.0f);
  CHECK(thrown_message([&] { (void)m(coil::arg<"x">(xv.data(), 5, 6)); }).find("coil::reshape: the -1 in dim 0") == 0);
}

TEST_CASE("a reshape target written with / : [L] -> [L / 2, 2], guarded by the element count") {
  constexpr auto v = coil::input<"v", float>(L);
  constexpr auto h = coil::reshape(v, L / 2_c, 2_c);
  static_assert(coil::record_of<decltype(h)>.shp.d[0] == coil::floordiv(coil::dim_symbol("L"), 2));
  const std::vector<float> vv = random_values<float>(7, 22);
  const auto got = expect_matches_reference(h - 1_c, coil::arg<"v">(vv.data(), 6));
  CHECK(got.extents == std::array<std::int64_t, 2>{3, 2});
  std::vector<float> out(6, poison);
  auto m = coil::compile<coil::cpu>(h);
  const coil::status st = m.run(coil::arg<"v">(vv.data(), 7), coil::out(coil::view(out.data(), 3, 2)));
  CHECK(std::string(st.message()) ==
        "coil::reshape: element counts differ at call time: v is [L] = [7], rhs is [floordiv(L, 2), 2] = [3, 2]");
  CHECK(all_poison(out));
}
