// Memory plan: where each realized intermediate lives in the model's one arena. The same
// function gives constexpr offsets for static graphs and per-call offsets for symbolic
// ones (dims evaluated under the bound symbols).
#pragma once
#include <array>
#include <cstdint>

#include "plan.hpp"

namespace coil {

inline constexpr std::int64_t arena_alignment = 64;

template <int N> struct arena_layout {
  std::int64_t bytes = 0;
  std::array<std::int64_t, N> offset{}; // per arena buffer
};

constexpr std::int64_t buffer_bytes(const node_record& r, const sym_env& env) {
  return eval(numel(r.shp), env) * dtype_size(r.type);
}

// v1 places buffers one after another (no reuse yet), each aligned for vector loads.
template <class G>
constexpr arena_layout<G::size> layout_arena(const plan_value<G::size>& p, const sym_env& env) {
  arena_layout<G::size> a;
  for (int b = 0; b < p.buffer_count; ++b) {
    a.offset[b] = a.bytes;
    std::int64_t sz = buffer_bytes(G::records[p.buffer_node[b]], env);
    a.bytes += (sz + arena_alignment - 1) / arena_alignment * arena_alignment;
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
