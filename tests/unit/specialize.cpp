// Specializations: compile<cpu>(specialize<"B", 1, 8>, y) builds fully static variants for
// the listed batch sizes and keeps the symbolic model as the fallback; a call runs the
// variant whose value the inputs bind. Every path matches the reference.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "support/reference_check.hpp"

using namespace coil::literals;

namespace {

constexpr auto B = coil::sym<"B">;
constexpr auto x = coil::input<"x", float>(B, 16_c);
constexpr auto w = coil::input<"w", float>(16_c);
// a row softmax of x * w (one row kernel) plus a mean over the batch (a second kernel
// whose arena buffer depends on B)
constexpr auto s = x * w;
constexpr auto e = coil::exp(s - coil::amax(s, -1_c, coil::keepdim));
constexpr auto y = e / coil::sum(e, -1_c, coil::keepdim) - coil::mean(x, 0_c, coil::keepdim);

using spec_t = decltype(coil::compile<coil::cpu>(coil::specialize<"B", 1, 8>, y));
// The variants are static: the batch dim of every record is a constant, the arena is
// sized at compile time; the fallback stays symbolic.
static_assert(spec_t::variant_type<0>::static_arena && spec_t::variant_type<1>::static_arena);
static_assert(!spec_t::fallback_type::static_arena);
static_assert(spec_t::variant_type<1>::graph::records[spec_t::variant_type<1>::graph::index_of_input("x")].shp.d[0].is_static(8));
static_assert(spec_t::fallback_type::graph::records[spec_t::fallback_type::graph::index_of_input("x")].shp.d[0].is_symbol());
// Same plan shape: specializing sizes changes no fusion decision here.
static_assert(spec_t::variant_type<1>::plan.kernel_count == spec_t::fallback_type::plan.kernel_count);
static_assert(coil::substitute(coil::dim_symbol("B") * coil::dim_const(3) + coil::dim_symbol("S"), coil::name16("B"), 4) ==
              coil::dim_const(12) + coil::dim_symbol("S"));

TEST_CASE("each batch size runs its variant and matches the reference") {
  auto m = coil::compile<coil::cpu>(coil::specialize<"B", 1, 8>, y);
  auto ref = coil::compile<coil::reference>(y);
  const std::vector<float> ws = coil::testing::random_values<float>(16, 99);
  for (std::int64_t rows : {1, 8, 5, 0 + 13}) {
    const std::vector<float> xs = coil::testing::random_values<float>(rows * 16, static_cast<std::uint32_t>(rows));
    const auto xa = coil::arg<"x">(xs.data(), rows, 16);
    const auto wa = coil::arg<"w">(ws.data(), 16);
    const int expect_variant = rows == 1 ? 0 : rows == 8 ? 1 : -1;
    CHECK(decltype(m)::variant_for(xa, wa) == expect_variant);
    const auto got = m(xa, wa);
    const auto want = ref(xa, wa);
    REQUIRE(got.extents == want.extents);
    for (std::size_t i = 0; i < got.storage.size(); ++i)
      CHECK(coil::testing::close(got.storage[i], want.storage[i], 1e-5, 1e-6));
  }
}

TEST_CASE("guards still apply on every path") {
  auto m = coil::compile<coil::cpu>(coil::specialize<"B", 1, 8>, y);
  const std::vector<float> xs(8 * 16, 1.0f), ws(15, 1.0f);
  std::vector<float> out(8 * 16, -3.0f);
  const coil::status st = m.run(coil::arg<"x">(xs.data(), 8, 16), coil::arg<"w">(ws.data(), 15),
                                coil::out(coil::view(out.data(), 8, 16)));
  CHECK_FALSE(st.ok());
  CHECK(std::string(st.message()).find("'w'") != std::string::npos);
  for (float v : out) CHECK(v == -3.0f);
}

} // namespace
