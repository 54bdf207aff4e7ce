// Memory plan: where each realized intermediate lives in the model's one arena. A buffer
// is live from the kernel that writes it to the last kernel that reads it; buffers are
// placed in kernel order, each in the smallest gap left between the buffers still live
// (best fit), so dead buffers' space is reused. The same function gives constexpr offsets
// for static graphs and per-call offsets for symbolic ones (dims evaluated under the
// bound symbols).
#pragma once
#include <array>
#include <cstdint>

#include "plan.hpp"

namespace coil {

inline constexpr std::int64_t arena_alignment = 64;

template <int N> struct arena_layout {
  std::int64_t bytes = 0;
  std::array<std::int64_t, N> offset{}; // per arena buffer
  std::array<std::int64_t, N> size{};   // per arena buffer, aligned
};

// Dim by dim: the product of two dims with different atoms (floordiv(L, 2) * mod(S, 3))
// is not a dim, their values multiply.
constexpr std::int64_t buffer_bytes(const node_record& r, const sym_env& env) {
  std::int64_t n = dtype_size(r.type);
  for (int d = 0; d < r.shp.rank; ++d) n *= eval(r.shp.d[d], env);
  return n;
}

template <class G> constexpr arena_layout<G::size> layout_arena(const plan_value<G::size>& p, const sym_env& env) {
  arena_layout<G::size> a;
  for (int b = 0; b < p.buffer_count; ++b) {
    const std::int64_t sz = buffer_bytes(G::records[p.buffer_node[b]], env);
    a.size[b] = (sz + arena_alignment - 1) / arena_alignment * arena_alignment;
    const int born = p.kernel_of[p.buffer_node[b]];
    if (p.in_place_of[b] >= 0) { // written over a buffer read for the last time, element by element
      a.offset[b] = a.offset[p.in_place_of[b]];
      continue;
    }
    // buffers still live when b is written, by increasing offset
    int live[G::size > 0 ? G::size : 1]{};
    int nlive = 0;
    for (int o = 0; o < b; ++o) {
      if (p.buffer_last_use[o] < born || a.size[o] == 0) continue;
      int at = nlive++;
      while (at > 0 && a.offset[live[at - 1]] > a.offset[o]) {
        live[at] = live[at - 1];
        --at;
      }
      live[at] = o;
    }
    // best fit among the gaps between them; else after the last one
    std::int64_t best = -1, best_gap = 0, cursor = 0;
    for (int l = 0; l <= nlive; ++l) {
      const std::int64_t end = l < nlive ? a.offset[live[l]] : -1;
      if (end >= 0) {
        const std::int64_t gap = end - cursor;
        if (gap >= a.size[b] && (best < 0 || gap < best_gap)) {
          best = cursor;
          best_gap = gap;
        }
        const std::int64_t stop = a.offset[live[l]] + a.size[live[l]];
        cursor = stop > cursor ? stop : cursor;
      }
    }
    a.offset[b] = best >= 0 ? best : cursor;
    if (a.offset[b] + a.size[b] > a.bytes) a.bytes = a.offset[b] + a.size[b];
  }
  return a;
}

// Whether every arena buffer has a compile-time size.
template <class G> constexpr bool arena_is_static(const plan_value<G::size>& p) {
  for (int b = 0; b < p.buffer_count; ++b)
    if (!numel(G::records[p.buffer_node[b]].shp).is_static()) return false;
  return true;
}

} // namespace coil
