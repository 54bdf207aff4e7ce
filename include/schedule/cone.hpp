// What a node costs when it is inlined: the cone of nodes its loop body evaluates (down
// to realized nodes), the buffers that cone reads, how many ops it has and whether it
// uses expensive math. The planner's store-vs-recompute rules and the kernel grouping
// are computed from these; all are constexpr loops over the graph's records.
#pragma once
#include <array>

#include "../ir/node.hpp"

namespace coil {

template <std::size_t N> struct cone_stats {
  std::array<bool, N> in_cone{}; // evaluated inside the loop body
  std::array<bool, N> reads{};   // realized nodes read from memory
  int read_count = 0;
  int op_count = 0;              // distinct ops, constants and views not counted
  bool expensive = false;        // exp, log, tanh, sigmoid, erf, pow...
};

// The cone of `root`: root itself and every node reached through nodes that are not
// realized. A realized node other than the root ends a path and counts as a read.
template <std::size_t N>
constexpr cone_stats<N> cone_of(const std::array<node_record, N>& rec, const std::array<bool, N>& realized, int root) {
  cone_stats<N> c;
  int stack[N > 0 ? N : 1]{};
  int top = 0;
  stack[top++] = root;
  c.in_cone[root] = true;
  while (top > 0) {
    const int i = stack[--top];
    const node_record& r = rec[i];
    if (r.kind == op_kind::pointwise || r.kind == op_kind::cat || r.kind == op_kind::reduction) {
      ++c.op_count;
      c.expensive = c.expensive || is_expensive(r.code);
    }
    for (int k = 0; k < r.ninputs; ++k) {
      const int j = r.inputs[k];
      if (realized[j]) {
        if (!c.reads[j]) ++c.read_count;
        c.reads[j] = true;
      } else if (!c.in_cone[j]) {
        c.in_cone[j] = true;
        stack[top++] = j;
      }
    }
  }
  return c;
}

// True when every path from `root` down to the realized node `target` runs through
// nodes for which `keeps(record)` holds (the root included). A node may be reached by a
// path that keeps the property and by one that does not, so both are tracked.
template <std::size_t N, class Keeps>
constexpr bool all_paths_keep(const std::array<node_record, N>& rec, const std::array<bool, N>& realized, int root,
                              int target, Keeps keeps) {
  std::array<bool, N> seen_clean{}, seen_other{};
  int stack[2 * N + 1]{};
  bool clean[2 * N + 1]{};
  int top = 0;
  stack[top] = root;
  clean[top++] = true;
  while (top > 0) {
    --top;
    const node_record& r = rec[stack[top]];
    const bool f = clean[top] && keeps(r);
    for (int k = 0; k < r.ninputs; ++k) {
      const int j = r.inputs[k];
      if (j == target) {
        if (!f) return false;
      } else if (!realized[j]) {
        auto& seen = f ? seen_clean : seen_other;
        if (!seen[j]) {
          seen[j] = true;
          stack[top] = j;
          clean[top++] = f;
        }
      }
    }
  }
  return true;
}

// True when the loop body of `stage` reads the realized node `target` only at its own
// row: every path between them is pointwise of the body's rank. That is what lets the
// two share their outer loop. (A reduction's body is its input, of the input's rank.)
template <std::size_t N>
constexpr bool reads_row_locally(const std::array<node_record, N>& rec, const std::array<bool, N>& realized, int stage,
                                 int target) {
  int root = stage;
  if (rec[stage].kind == op_kind::reduction) {
    root = rec[stage].inputs[0];
    if (root == target) return true;
  }
  const int rank = rec[root].shp.rank;
  if (rec[target].shp.rank != rank) return false;
  return all_paths_keep(rec, realized, root, target,
                        [rank](const node_record& r) { return r.kind == op_kind::pointwise && r.shp.rank == rank; });
}

// True when `root` reads `target` only at the element it computes: every path between
// them is pointwise of root's exact shape. The root may then write its result over the
// target's buffer (each element is read before it is overwritten).
template <std::size_t N>
constexpr bool reads_elementwise(const std::array<node_record, N>& rec, const std::array<bool, N>& realized, int root,
                                 int target) {
  const shape want = rec[root].shp;
  if (!(rec[target].shp == want)) return false;
  return all_paths_keep(rec, realized, root, target,
                        [want](const node_record& r) { return r.kind == op_kind::pointwise && r.shp == want; });
}

} // namespace coil
