// A caller-lent workspace: `model.workspace_bytes(inputs...)` says how much a call needs
// for its intermediates (symbolic shapes: it depends on the bound sizes), a call given
// `coil::workspace(ptr, bytes)` places them there, allocates nothing, and matches the
// reference; a workspace that is too small fails before any output byte is written.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "support/counting_new.hpp"
#include "support/reference_check.hpp"

using namespace coil::literals;

namespace {

constexpr auto B = coil::sym<"B">;
constexpr auto x = coil::input<"x", float>(B, 6_c);
// A reduction over the leading (symbolic) axis cannot share the rows' loop, so the
// softmax-like body needs arena buffers whose size depends on B.
constexpr auto e = coil::exp(x - coil::amax(x, 0_c, coil::keepdim));
constexpr auto y = e / coil::sum(e, 0_c, coil::keepdim);

using model_t = decltype(coil::compile<coil::cpu>(y));
static_assert(!model_t::static_arena && model_t::plan.buffer_count >= 1);

std::vector<float> reference_of(std::int64_t rows, const std::vector<float>& xs) {
  auto ref = coil::compile<coil::reference>(y);
  return std::vector<float>(ref(coil::arg<"x">(xs.data(), rows, 6)).storage);
}

TEST_CASE("workspace_bytes grows with the bound symbol and covers every call") {
  auto m = coil::compile<coil::cpu>(y);
  const std::vector<float> x3 = coil::testing::random_values<float>(3 * 6, 1), x40 = coil::testing::random_values<float>(40 * 6, 2);
  const std::int64_t w3 = m.workspace_bytes(coil::arg<"x">(x3.data(), 3, 6));
  const std::int64_t w40 = m.workspace_bytes(coil::arg<"x">(x40.data(), 40, 6));
  CHECK(w3 > 0);
  CHECK(w40 > w3);
  // a guard failure is reported as for a call
  CHECK_THROWS_AS((void)m.workspace_bytes(coil::arg<"x">(x3.data(), 3, 5)), coil::error);
}

TEST_CASE("a call in a lent workspace matches the reference and allocates nothing") {
  auto m = coil::compile<coil::cpu>(y);
  for (std::int64_t rows : {1, 7, 33}) {
    const std::vector<float> xs = coil::testing::random_values<float>(rows * 6, static_cast<std::uint32_t>(rows));
    const std::vector<float> want = reference_of(rows, xs);
    const auto bytes = static_cast<std::size_t>(m.workspace_bytes(coil::arg<"x">(xs.data(), rows, 6)));
    // deliberately misaligned: the model aligns inside the slack it asked for
    std::vector<std::byte> ws(bytes + 3);
    std::vector<float> got(static_cast<std::size_t>(rows * 6), std::numeric_limits<float>::quiet_NaN());
    const heap_counts start;
    const coil::status st = m.run(coil::workspace(ws.data() + 3, bytes), coil::arg<"x">(xs.data(), rows, 6),
                                  coil::out(coil::view(got.data(), rows, 6)));
    const heap_counts stop;
    REQUIRE(st.ok());
    CHECK(stop.allocations == start.allocations);
    for (std::size_t i = 0; i < got.size(); ++i) CHECK(coil::testing::close(got[i], want[i], 1e-5, 1e-6));
  }
}

TEST_CASE("a workspace too small fails before writing, naming both sizes") {
  auto m = coil::compile<coil::cpu>(y);
  const std::vector<float> xs = coil::testing::random_values<float>(20 * 6, 5);
  const std::int64_t need = m.workspace_bytes(coil::arg<"x">(xs.data(), 20, 6));
  std::vector<std::byte> ws(static_cast<std::size_t>(need / 2));
  std::vector<float> got(20 * 6, -7.0f); // poison
  const coil::status st =
      m.run(coil::workspace(ws.data(), ws.size()), coil::arg<"x">(xs.data(), 20, 6), coil::out(coil::view(got.data(), 20, 6)));
  REQUIRE_FALSE(st.ok());
  CHECK(std::string(st.msg.c_str()).find("coil::model: workspace of " + std::to_string(need / 2) + " bytes is too small") == 0);
  for (float v : got) CHECK(v == -7.0f);
  // the call operator throws the same message
  CHECK_THROWS_AS((void)m(coil::workspace(ws.data(), ws.size()), coil::arg<"x">(xs.data(), 20, 6)), coil::error);
}

TEST_CASE("an output written over its input still uses the lent workspace and is right") {
  auto m = coil::compile<coil::cpu>(y);
  std::vector<float> xs = coil::testing::random_values<float>(9 * 6, 11);
  const std::vector<float> want = reference_of(9, xs);
  const auto bytes = static_cast<std::size_t>(m.workspace_bytes(coil::arg<"x">(xs.data(), 9, 6)));
  std::vector<std::byte> ws(bytes);
  const coil::status st = m.run(coil::arg<"x">(xs.data(), 9, 6), coil::workspace(ws.data(), ws.size()),
                                coil::out(coil::view(xs.data(), 9, 6)));
  REQUIRE(st.ok());
  for (std::size_t i = 0; i < xs.size(); ++i) CHECK(coil::testing::close(xs[i], want[i], 1e-5, 1e-6));
  // too small is reported on this path as well
  std::vector<float> again = coil::testing::random_values<float>(9 * 6, 12);
  const std::vector<float> before = again;
  const coil::status small = m.run(coil::arg<"x">(again.data(), 9, 6), coil::workspace(ws.data(), 8),
                                   coil::out(coil::view(again.data(), 9, 6)));
  CHECK_FALSE(small.ok());
  CHECK(again == before);
}

} // namespace
