// An output buffer that is also an input buffer: the model computes as if they were
// separate (PyTorch's out= semantics for a fresh result), whatever order its loops read.
#include <doctest/doctest.h>

#include "support/reference_check.hpp"

using namespace coil::literals;
using coil::testing::random_values;

TEST_CASE("an output written over its own input, read transposed, is still right") {
  constexpr auto x = coil::input<"x", float>(coil::sym<"N">, coil::sym<"N">);
  constexpr auto y = coil::transpose<0, 1>(x) * 2_c + x; // every element reads another one
  auto model = coil::compile<coil::cpu>(y);
  auto oracle = coil::compile<coil::reference>(y);
  for (int n : {1, 3, 8}) {
    auto buf = random_values<float>(n * n, static_cast<std::uint32_t>(n));
    const auto want = oracle(coil::arg<"x">(buf.data(), n, n));
    model(coil::arg<"x">(buf.data(), n, n), coil::out(coil::view(buf.data(), n, n)));
    for (int i = 0; i < n * n; ++i) CHECK(buf[static_cast<std::size_t>(i)] == doctest::Approx(want.data()[i]).epsilon(1e-6));
  }
}

TEST_CASE("an output overlapping an input through a row reduction and a second output") {
  constexpr auto x = coil::input<"x", float>(4_c, 6_c);
  constexpr auto shifted = x - coil::amax<-1>(x, coil::keepdim);
  constexpr auto soft = coil::exp(shifted) / coil::sum<-1>(coil::exp(shifted), coil::keepdim);
  auto model = coil::compile<coil::cpu>(soft, coil::sum<0>(x));
  auto oracle = coil::compile<coil::reference>(soft, coil::sum<0>(x));
  auto buf = random_values<float>(24, 5);
  const auto [want, want_cols] = oracle(coil::arg<"x">(buf.data(), 4, 6));
  std::vector<float> cols(6, -1.0f);
  const auto st = model.run(coil::arg<"x">(buf.data(), 4, 6), coil::out(coil::view(buf.data(), 4, 6)),
                            coil::out(coil::view(cols.data(), 6)));
  REQUIRE(st.ok());
  for (int i = 0; i < 24; ++i) CHECK(buf[static_cast<std::size_t>(i)] == doctest::Approx(want.data()[i]).epsilon(1e-6));
  for (int j = 0; j < 6; ++j) CHECK(cols[static_cast<std::size_t>(j)] == doctest::Approx(want_cols.data()[j]).epsilon(1e-6));
}

TEST_CASE("an aliased call with a bad shape fails before writing anything") {
  constexpr auto x = coil::input<"x", float>(coil::sym<"N">, 3_c);
  auto model = coil::compile<coil::cpu>(x * 2_c);
  std::vector<float> buf(6, 7.0f);
  const auto st = model.run(coil::arg<"x">(buf.data(), 2, 3), coil::out(coil::view(buf.data(), 3, 2)));
  CHECK_FALSE(st.ok());
  CHECK(std::string(st.message()) == "coil::model: output 0 dim 0: expected 2, got 3");
  for (float v : buf) CHECK(v == 7.0f);
}
