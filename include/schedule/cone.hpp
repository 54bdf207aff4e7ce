// What a node costs when it is inlined: the cone of nodes its loop body evaluates (down
// to realized nodes), the buffers that cone reads, how many ops it has and whether it
// uses expensive math. The planner's store-vs-recompute rules and the kernel grouping
// are computed from these; all are constexpr loops over the graph's records.
//
// Cones are small (the planner realizes any body past its caps), so they are walked with
// visit stamps and list buffers shared across walks: a walk costs the size of its cone,
// not the size of the graph, and planning a graph of N nodes costs O(N x cap).
#pragma once
#include <array>
#include <climits>

#include "../ir/node.hpp"

namespace coil {

// Counts of one walk. The nodes and reads themselves stay in the walker's buffers until
// its next walk.
struct cone {
  int node_count = 0;            // evaluated inside the loop body: the root first, then the rest
  int read_count = 0;            // realized nodes read from memory, each once
  int op_count = 0;              // distinct ops, constants and views not counted
  bool expensive = false;        // exp, log, tanh, sigmoid, erf, pow...
};

// Walks cones over one graph. Holds references to the records and to the realization
// flags, which the planner fills while it walks (a node's inputs are decided first).
// Its buffers are allocated once: a walk touches only the nodes of its cone.
template <std::size_t N> class cone_walker {
public:
  constexpr cone_walker(const std::array<node_record, N>& rec, const std::array<bool, N>& realized)
      : rec_(rec), realized_(realized) {}

  // The cone of `root`: root itself and every node reached through nodes that are not
  // realized. A realized node other than the root ends a path and counts as a read. The
  // walk stops once the cone has more than `op_cap` ops or `read_cap` reads.
  constexpr cone of(int root, int op_cap = INT_MAX, int read_cap = INT_MAX) {
    cone c;
    const int stamp = next_stamp();
    nodes_[c.node_count++] = root;
    mark_[root] = stamp;
    for (int at = 0; at < c.node_count; ++at) {
      const node_record& r = rec_[nodes_[at]];
      if (r.kind == op_kind::pointwise || r.kind == op_kind::cat || r.kind == op_kind::reduction || r.kind == op_kind::gather ||
          r.kind == op_kind::scan) {
        ++c.op_count;
        c.expensive = c.expensive || is_expensive(r.code);
      }
      for (int k = 0; k < r.ninputs; ++k) {
        const int j = r.inputs[k];
        if (mark_[j] == stamp) continue;
        mark_[j] = stamp;
        if (realized_[j]) reads_[c.read_count++] = j;
        else nodes_[c.node_count++] = j;
      }
      if (c.op_count > op_cap || c.read_count > read_cap) break; // counts are lower bounds from here
    }
    last_ = c;
    return c;
  }

  // The last walk's nodes and reads.
  constexpr int node(int at) const { return nodes_[at]; }
  constexpr int read(int at) const { return reads_[at]; }
  constexpr bool reads_node(int j) const {
    for (int at = 0; at < last_.read_count; ++at)
      if (reads_[at] == j) return true;
    return false;
  }

  // True when every path from `root` down to the realized node `target` runs through
  // nodes for which `keeps(record)` holds (the root included). A node may be reached by a
  // path that keeps the property and by one that does not, so both are tracked. Does not
  // disturb the last cone's lists.
  template <class Keeps> constexpr bool all_paths_keep(int root, int target, Keeps keeps) {
    const int stamp = next_stamp();
    int top = 0;
    stack_[top] = root;
    clean_[top++] = true;
    while (top > 0) {
      --top;
      const node_record& r = rec_[stack_[top]];
      const bool f = clean_[top] && keeps(r);
      for (int k = 0; k < r.ninputs; ++k) {
        const int j = r.inputs[k];
        if (j == target) {
          if (!f) return false;
        } else if (!realized_[j]) {
          int& seen = f ? mark_[j] : mark_other_[j];
          if (seen != stamp) {
            seen = stamp;
            stack_[top] = j;
            clean_[top++] = f;
          }
        }
      }
    }
    return true;
  }

  // True when the loop body of `stage` reads the realized node `target` only at its own
  // row: every path between them is pointwise of the body's rank. That is what lets the
  // two share their outer loop. (A reduction's body is its input, of the input's rank.)
  constexpr bool reads_row_locally(int stage, int target) {
    int root = stage;
    if (rec_[stage].kind == op_kind::reduction) {
      root = rec_[stage].inputs[0];
      if (root == target) return true;
    }
    const int rank = rec_[root].shp.rank;
    if (rec_[target].shp.rank != rank) return false;
    return all_paths_keep(root, target,
                          [rank](const node_record& r) { return r.kind == op_kind::pointwise && r.shp.rank == rank; });
  }

  // True when `root` reads `target` only at the element it computes: every path between
  // them is pointwise of root's exact shape. The root may then write its result over the
  // target's buffer (each element is read before it is overwritten).
  constexpr bool reads_elementwise(int root, int target) {
    const shape want = rec_[root].shp;
    if (!(rec_[target].shp == want)) return false;
    return all_paths_keep(root, target,
                          [want](const node_record& r) { return r.kind == op_kind::pointwise && r.shp == want; });
  }

private:
  constexpr int next_stamp() { return ++stamp_; }

  const std::array<node_record, N>& rec_;
  const std::array<bool, N>& realized_;
  // the stamp of the last walk that visited each node (on a clean / other path)
  std::array<int, N> mark_{}, mark_other_{};
  std::array<int, N> nodes_{}, reads_{};
  std::array<int, 2 * N + 1> stack_{}; // every node at most twice: on a clean path and on another
  std::array<bool, 2 * N + 1> clean_{};
  cone last_{};
  int stamp_ = 0;
};

// One-off forms, for callers outside the planner's loops (tests, explain, verification).
template <std::size_t N>
constexpr std::array<bool, N> reads_of(const std::array<node_record, N>& rec, const std::array<bool, N>& realized,
                                       int root) {
  cone_walker<N> walk(rec, realized);
  std::array<bool, N> reads{};
  const cone c = walk.of(root);
  for (int at = 0; at < c.read_count; ++at) reads[walk.read(at)] = true;
  return reads;
}
template <std::size_t N>
constexpr bool reads_row_locally(const std::array<node_record, N>& rec, const std::array<bool, N>& realized, int stage,
                                 int target) {
  return cone_walker<N>(rec, realized).reads_row_locally(stage, target);
}
template <std::size_t N>
constexpr bool reads_elementwise(const std::array<node_record, N>& rec, const std::array<bool, N>& realized, int root,
                                 int target) {
  return cone_walker<N>(rec, realized).reads_elementwise(root, target);
}

} // namespace coil
