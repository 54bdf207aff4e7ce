// Test support for several outputs at once: compile a tuple of expressions as the outputs
// of one model for a backend and for the reference, call both, compare every output
// (as expect_matches_reference does for one). Also bool buffers for inputs, since
// std::vector<bool> has no data().
#pragma once
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

#include "reference_check.hpp"

namespace coil::testing {

// expect_all_match(std::tuple{e1, e2, ...}, coil::arg<"x">(...), ...) -> tuple of outputs.
template <class Backend = cpu, class... Es, class... Args> auto expect_all_match(std::tuple<Es...>, const Args&... args) {
  auto got = compile<Backend>(Es{}...)(args...);
  auto want = compile<reference>(Es{}...)(args...);
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          using T = typename std::tuple_element_t<I, decltype(got)>::element_type;
          INFO("output ", I);
          expect_tensors_close(std::get<I>(got), std::get<I>(want), default_rtol<T>(), std::is_same_v<T, float> ? 1e-6 : 1e-12);
        }(),
        ...);
  }(std::index_sequence_for<Es...>{});
  return got;
}

// A bool buffer from 0/1 values: bool_buffer({1, 0, 1}).get() is a bool*.
inline std::unique_ptr<bool[]> bool_buffer(std::initializer_list<int> values) {
  auto p = std::make_unique<bool[]>(values.size());
  std::size_t k = 0;
  for (int b : values) p[k++] = b != 0;
  return p;
}

} // namespace coil::testing
