// What a kernel reads at call time: every node's extents, and the base pointer and
// element strides of every node that lives in memory (inputs, outputs, arena buffers).
// Plain data, so it can be passed to a CUDA kernel by value.
#pragma once
#include <cstdint>

#include "../core/config.hpp"

namespace coil {

template <int N> struct exec_state {
  const void* data[N]{};                 // realized nodes only
  std::int64_t ext[N][max_rank]{};       // extents of every node under the bound symbols
  std::int64_t str[N][max_rank]{};       // element strides of realized nodes
};

// A multi-index into a node's shape.
struct index_t {
  std::int64_t v[max_rank];
};

} // namespace coil
