// Call-time errors of pointwise models: a wrong static dim, a symbol bound to two values,
// a symbolic broadcast that fails at call time, a wrong output buffer, a negative
// extent. The throwing call raises coil::error with the one-line message naming the
// input, the dim and both values; .run() returns the same as a failed status; and in
// every case the output buffer is left untouched. The model still works afterwards.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "support/reference_check.hpp"

using namespace coil::literals;

namespace {
constexpr float poison = -12345.0f;

constexpr auto x = coil::input<"x", float>(coil::sym<"B">, 3_c);
constexpr auto w = coil::input<"w", float>(3_c);
constexpr auto e = coil::relu(x * w + 1_c);

bool all_poison(const std::vector<float>& v) {
  return std::all_of(v.begin(), v.end(), [](float f) { return f == poison; });
}

// The message of the coil::error that f throws, or "" (and a failed check) when it does not.
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

TEST_CASE("errors: a wrong static dim throws coil::error naming the input, the dim and both values") {
  const std::vector<float> xv(8, 1.0f), wv(4, 1.0f);
  std::vector<float> out(8, poison);
  auto m = coil::compile<coil::cpu>(e);
  // x is [B, 3]: passing [2, 4] breaks dim 1
  const std::string msg = thrown_message([&] {
    m(coil::arg<"x">(xv.data(), 2, 4), coil::arg<"w">(wv.data(), 3), coil::out(coil::view(out.data(), 2, 3)));
  });
  CHECK(msg == "coil::model: input 'x' dim 1: expected 3, got 4");
  CHECK(all_poison(out)); // nothing written
  // the same for the second input
  const std::string msg2 = thrown_message([&] {
    m(coil::arg<"x">(xv.data(), 2, 3), coil::arg<"w">(wv.data(), 4), coil::out(coil::view(out.data(), 2, 3)));
  });
  CHECK(msg2 == "coil::model: input 'w' dim 0: expected 3, got 4");
  CHECK(all_poison(out));
  // the returning form throws the same
  const std::string msg3 = thrown_message([&] { (void)m(coil::arg<"x">(xv.data(), 2, 4), coil::arg<"w">(wv.data(), 3)); });
  CHECK(msg3 == msg);
  // and the model is still usable
  m(coil::arg<"x">(xv.data(), 2, 3), coil::arg<"w">(wv.data(), 3), coil::out(coil::view(out.data(), 2, 3)));
  for (int k = 0; k < 6; ++k) CHECK(out[static_cast<std::size_t>(k)] == 2.0f);
  CHECK(out[6] == poison); // beyond the [2,3] view
}

TEST_CASE("errors: .run() returns the failure as a status and writes nothing") {
  const std::vector<float> xv(8, 1.0f), wv(4, 1.0f);
  std::vector<float> out(6, poison);
  auto m = coil::compile<coil::cpu>(e);
  coil::status st = m.run(coil::arg<"x">(xv.data(), 2, 4), coil::arg<"w">(wv.data(), 3), coil::out(coil::view(out.data(), 2, 3)));
  CHECK(!st.ok());
  CHECK(!static_cast<bool>(st));
  CHECK(std::string(st.message()) == "coil::model: input 'x' dim 1: expected 3, got 4");
  CHECK(all_poison(out));
  coil::status good = m.run(coil::arg<"x">(xv.data(), 2, 3), coil::arg<"w">(wv.data(), 3), coil::out(coil::view(out.data(), 2, 3)));
  CHECK(good.ok());
  CHECK(out[5] == 2.0f);
}

TEST_CASE("errors: the reference backend checks the same guards") {
  const std::vector<float> xv(8, 1.0f), wv(4, 1.0f);
  std::vector<float> out(6, poison);
  auto r = coil::compile<coil::reference>(e);
  const std::string msg = thrown_message([&] {
    r(coil::arg<"x">(xv.data(), 2, 4), coil::arg<"w">(wv.data(), 3), coil::out(coil::view(out.data(), 2, 3)));
  });
  CHECK(msg == "coil::model: input 'x' dim 1: expected 3, got 4");
  CHECK(all_poison(out));
}

TEST_CASE("errors: a symbol bound to two values names the symbol and both values") {
  constexpr auto y = coil::input<"y", float>(coil::sym<"B">, 3_c);
  const std::vector<float> xv(15, 1.0f), yv(15, 2.0f);
  std::vector<float> out(15, poison);
  auto m = coil::compile<coil::cpu>(x - y);
  const std::string msg = thrown_message([&] {
    m(coil::arg<"x">(xv.data(), 2, 3), coil::arg<"y">(yv.data(), 5, 3), coil::out(coil::view(out.data(), 2, 3)));
  });
  CHECK(msg.find("coil::model: input 'y' dim 0 (B)") != std::string::npos);
  CHECK(msg.find("expected 2") != std::string::npos);
  CHECK(msg.find("got 5") != std::string::npos);
  CHECK(all_poison(out));
  coil::status st = m.run(coil::arg<"y">(yv.data(), 5, 3), coil::arg<"x">(xv.data(), 2, 3), coil::out(coil::view(out.data(), 2, 3)));
  CHECK(!st.ok());
  CHECK(std::string(st.message()) == msg); // argument order does not matter: graph order binds
  CHECK(all_poison(out));
}

TEST_CASE("errors: a symbolic dim against a static dim is checked at call time") {
  constexpr auto v = coil::input<"v", float>(coil::sym<"N">);
  constexpr auto u = coil::input<"u", float>(4_c);
  const std::vector<float> vv(4, 1.0f), uv(4, 2.0f);
  std::vector<float> out(4, poison);
  auto m = coil::compile<coil::cpu>(v + u);
  const std::string msg = thrown_message([&] {
    m(coil::arg<"v">(vv.data(), 3), coil::arg<"u">(uv.data(), 4), coil::out(coil::view(out.data(), 4)));
  });
  CHECK(msg.find("coil::add: shapes do not broadcast at call time") == 0);
  CHECK(msg.find("v is [N] = [3]") != std::string::npos);
  CHECK(msg.find("u is [4] = [4]") != std::string::npos);
  CHECK(all_poison(out));
  // N = 4 is fine
  m(coil::arg<"v">(vv.data(), 4), coil::arg<"u">(uv.data(), 4), coil::out(coil::view(out.data(), 4)));
  CHECK(out[3] == 3.0f);
}

TEST_CASE("errors: an output buffer of the wrong extent is refused before any write") {
  const std::vector<float> xv(6, 1.0f), wv(3, 1.0f);
  std::vector<float> out(8, poison);
  auto m = coil::compile<coil::cpu>(e);
  const std::string msg = thrown_message([&] {
    m(coil::arg<"x">(xv.data(), 2, 3), coil::arg<"w">(wv.data(), 3), coil::out(coil::view(out.data(), 2, 4)));
  });
  CHECK(msg == "coil::model: output 0 dim 1: expected 3, got 4");
  CHECK(all_poison(out));
  const std::string msg0 = thrown_message([&] {
    m(coil::arg<"x">(xv.data(), 2, 3), coil::arg<"w">(wv.data(), 3), coil::out(coil::view(out.data(), 1, 3)));
  });
  CHECK(msg0 == "coil::model: output 0 dim 0: expected 2, got 1");
  CHECK(all_poison(out));
}

TEST_CASE("errors: a negative extent cannot bind a symbol") {
  const std::vector<float> xv(6, 1.0f), wv(3, 1.0f);
  std::vector<float> out(6, poison);
  auto m = coil::compile<coil::cpu>(e);
  coil::status st = m.run(coil::arg<"x">(coil::strided_view(xv.data(), std::array<std::int64_t, 2>{-1, 3}, std::array<std::int64_t, 2>{3, 1})),
                          coil::arg<"w">(wv.data(), 3), coil::out(coil::view(out.data(), 2, 3)));
  CHECK(!st.ok());
  CHECK(std::string(st.message()) == "coil::model: input 'x' dim 0 (B): cannot bind -1");
  CHECK(all_poison(out));
}
