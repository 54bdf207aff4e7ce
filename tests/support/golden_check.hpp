// Test support: run one expression on the CPU backend and on the reference backend with a
// golden case's inputs, and compare both outputs with PyTorch's (tests/golden/).
#pragma once
#include <array>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "golden.hpp"
#include "reference_check.hpp"

namespace coil::testing {

// Every output of `outputs` (one expression, or several as a model's outputs) against
// the case's goldens out/0, out/1, ..., on both backends.
template <class... E, class... Args>
void expect_golden(const std::string& case_name, std::tuple<E...> outputs, const Args&... args) {
  auto run = [&](auto model) {
    if constexpr (sizeof...(E) == 1) {
      expect_matches_golden(model(args...), golden_out(case_name, 0));
    } else {
      auto got = model(args...);
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        (expect_matches_golden(std::get<I>(got), golden_out(case_name, static_cast<int>(I))), ...);
      }(std::index_sequence_for<E...>{});
    }
  };
  std::apply([&](auto... e) { run(compile<cpu>(e...)); }, outputs);
  std::apply([&](auto... e) { run(compile<reference>(e...)); }, outputs);
}
template <expr E, class... Args> void expect_golden(const std::string& case_name, E output, const Args&... args) {
  expect_golden(case_name, std::tuple<E>{output}, args...);
}

// coil::arg<Name> over golden input Name of case `c` (rank Rank), as float32, or as int64
// when the golden holds indices. The values are kept for the whole test program.
template <fixed_string Name, int Rank, class T = float> auto golden_arg(const std::string& c) {
  const golden_tensor& t = golden_in(c, Name.data);
  const auto ext = golden_extents<Rank>(t);
  static std::map<std::string, std::unique_ptr<T[]>> kept; // per (Name, Rank, T): by case (T[]: bool too)
  std::unique_ptr<T[]>& v = kept[c];
  if (!v) {
    v = std::make_unique<T[]>(static_cast<std::size_t>(t.numel()));
    for (std::size_t i = 0; i < t.values.size(); ++i) v[i] = static_cast<T>(t.values[i]);
  }
  return arg<Name>(strided_view(static_cast<const T*>(v.get()), ext, row_major_strides<Rank>(ext)));
}

// A golden case with one 1-D input named "x" (of any length) and one output.
template <expr E> void expect_golden_of_x(const std::string& case_name, E output) {
  const auto xs = golden_in(case_name, "x").as_float();
  expect_golden(case_name, output, arg<"x">(xs.data(), static_cast<std::int64_t>(xs.size())));
}

} // namespace coil::testing
