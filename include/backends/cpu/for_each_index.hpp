// Row-major iteration over a multi-index, shared by the CPU loops.
#pragma once
#include <cstdint>

#include "../exec_state.hpp"

namespace coil::kernel {

// Calls f(ix) for every index of the extents ext[0..rank), last axis fastest. Nothing is
// called when an extent is 0; f is called once for rank 0.
template <class F> void for_each_index(int rank, const std::int64_t* ext, F&& f) {
  for (int d = 0; d < rank; ++d)
    if (ext[d] == 0) return;
  index_t ix{};
  while (true) {
    f(ix);
    int d = rank - 1;
    for (; d >= 0; --d) {
      if (++ix.v[d] < ext[d]) break;
      ix.v[d] = 0;
    }
    if (d < 0) return;
  }
}

} // namespace coil::kernel
