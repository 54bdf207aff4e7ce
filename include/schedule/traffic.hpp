// Bytes each kernel moves: the realized values it reads from memory (made by other
// kernels, or inputs) and the values it stores, as dim expressions (static numbers for
// static shapes, 512*B for symbolic ones). The cost model and explain() read these.
#pragma once
#include "plan.hpp"

namespace coil {

struct kernel_traffic {
  dim read = dim_const(0);
  dim written = dim_const(0);
};

template <class G> constexpr kernel_traffic traffic_of(const plan_value<G::size>& p, int k) {
  kernel_traffic t;
  std::array<bool, G::size> read{};
  for (int st = p.kernel_begin[k]; st < p.kernel_end[k]; ++st) {
    const int i = p.stage_node[st];
    t.written = t.written + numel(G::records[i].shp) * dim_const(dtype_size(G::records[i].type));
    const std::array<bool, G::size> r = reads_of(G::records, p.realized, i);
    for (int j = 0; j < G::size; ++j) read[j] = read[j] || (r[j] && p.kernel_of[j] != k);
  }
  for (int j = 0; j < G::size; ++j)
    if (read[j]) t.read = t.read + numel(G::records[j].shp) * dim_const(dtype_size(G::records[j].type));
  return t;
}

} // namespace coil
