// The Plan: which nodes are realized into buffers and which are inlined into their
// consumers (the store-vs-recompute decision), how the realized nodes are grouped into
// kernels (fusion), and the buffers the kernels write. It is an ordinary constexpr value
// computed by loops over the graph's records, so tests can static_assert on it and
// debug/ can print it.
#pragma once
#include <array>
#include <cstdint>

#include "../ir/graph.hpp"
#include "cone.hpp"

namespace coil {

// Inductor's thresholds (torch/_inductor/config.py): a value read by several consumers is
// stored when recomputing it would read more than 4 buffers or run more than 30 ops; any
// inlined body that accumulates more than 8 reads or 100 ops is stored.
struct realize_thresholds {
  int reuse_reads = 4;
  int reuse_ops = 30;
  int acc_reads = 8;
  int acc_ops = 100;
};
inline constexpr realize_thresholds default_thresholds{};

// Why a node is, or is not, materialized. Printed by explain().
enum class realize_reason : std::uint8_t {
  inlined,         // one consumer: computed inside its loop
  input,           // the caller's buffer
  constant,        // a literal folded into every consumer
  output,          // written to the caller's output buffer
  reduction,       // a reduction's result is stored (possibly within a fused row kernel)
  extern_op,       // a library kernel (matmul)
  extern_input,    // a library kernel reads it from memory in row-major order
  multi_user,      // several consumers, and recomputing costs reads, ops or expensive math
  buffer_view,     // index remapping of a value already in memory: free to inline
  cheap_recompute, // several consumers, but a few cheap ops on few reads: recomputed
  large_body,      // its inlined body grew past the read/op caps
  user_realize,    // coil::realize(x)
  user_inline,     // coil::inline_(x)
  scan,            // a scan's result is stored: its own kernel, one pass per line
  strided_operand, // a transposed model input only matmuls read: the GEMM reads it in place
};

constexpr const char* reason_name(realize_reason r) {
  constexpr const char* names[] = {"one consumer",     "input",          "constant",
                                   "output",           "reduction",      "extern op",
                                   "extern input",     "several users, costly to recompute",
                                   "view of a buffer", "several users, cheap to recompute",
                                   "body too large",   "coil::realize",  "coil::inline_",
                                   "scan",             "read in place by the GEMM (strided)"};
  return names[static_cast<int>(r)];
}

// How a kernel iterates. A `rows` kernel runs several stages (reductions and pointwise
// loops) inside one outer loop, so each row is read from memory once and stays in cache
// between the stages (softmax, layer_norm: one kernel).
enum class kernel_kind : std::uint8_t { pointwise, reduction, rows, matmul, custom, scan };

constexpr const char* kernel_kind_name(kernel_kind k) {
  constexpr const char* names[] = {"pointwise loop", "reduction", "row kernel", "matmul (Eigen GEMM)", "custom kernel", "scan"};
  return names[static_cast<int>(k)];
}

// Why kernel k was not fused with kernel k-1. Printed by explain().
enum class split_reason : std::uint8_t {
  first,           // the first kernel
  extern_op,       // a library kernel runs on its own
  reduction_axes,  // a reduction over axes other than the trailing ones
  iteration_space, // different outer loops
  cross_row_read,  // reads a fused value at another row (through a view or a broadcast)
  scan,            // a scan runs on its own
};

constexpr const char* split_name(split_reason s) {
  constexpr const char* names[] = {"first kernel", "extern kernel", "reduces non-trailing axes",
                                   "different outer iteration space", "reads a value of another row",
                                   "a scan runs on its own"};
  return names[static_cast<int>(s)];
}

template <int N> struct plan_value {
  std::array<bool, N> realized{};         // has a buffer (inputs included)
  std::array<realize_reason, N> reason{};
  std::array<int, N> output_slot{};       // index among the model's outputs, or -1
  // Buffers the node's inlined body reads and the ops it runs. The planner stops counting
  // past the larger of the reuse and accumulation caps (the node is realized then anyway).
  std::array<int, N> cone_reads{};
  std::array<int, N> cone_ops{};

  // Stages are the realized nodes other than inputs, in execution order; kernel k runs
  // stages [kernel_begin[k], kernel_end[k]).
  int stage_count = 0;
  std::array<int, N> stage_node{};
  int kernel_count = 0;
  std::array<int, N> kernel_begin{};
  std::array<int, N> kernel_end{};
  std::array<int, N> kernel_root{};       // the last stage of kernel k
  std::array<kernel_kind, N> kind{};
  std::array<int, N> outer_rank{};        // rank of the shared outer loop of kernel k
  std::array<split_reason, N> split{};    // why kernel k did not join kernel k-1
  std::array<int, N> kernel_of{};         // node -> kernel computing it, or -1

  int buffer_count = 0;                   // intermediates living in the arena
  std::array<int, N> buffer_node{};       // arena buffer b holds node buffer_node[b]
  std::array<int, N> buffer_of{};         // node -> arena buffer, or -1
  std::array<int, N> buffer_last_use{};   // last kernel reading buffer b
  // Row scratch: node i is a stage of a row kernel that only that kernel reads (not an
  // output, no later reader), so each row of it is dead once the row is done. The CPU
  // loops then keep one row of it per thread (the arena still holds all of it), which
  // stays in L1 instead of streaming the whole buffer out to memory.
  std::array<bool, N> row_scratch{};
  // Layout of every arena buffer: its dims from outermost to innermost in memory.
  // Row-major unless all its readers see it through the same permutation; then it is
  // stored permuted, so that they read it along their own innermost axis.
  std::array<std::array<int, max_rank>, N> dim_order{};
  // In-place reuse: arena buffer b is written over buffer in_place_of[b] (or -1), which a
  // pointwise kernel reads for the last time, element by element, as it writes b.
  std::array<int, N> in_place_of{};
  // A CPU kernel whose loop nest touches at least this many elements runs its outer loop
  // on OpenMP threads (when the build has OpenMP); smaller ones stay on one thread, where
  // starting threads would cost more than it saves.
  std::int64_t parallel_grain = 1 << 15;

  constexpr int stages_in(int k) const { return kernel_end[k] - kernel_begin[k]; }
};

namespace detail {
// True when node i is a permute of a model input that only matmuls read, with the input's
// last axis among the view's last two: a GEMM reads it in place through its strides
// (cuBLAS's transposed operand, Eigen's column-major map), so linear's weight^T needs no
// copy. The runtime binds its pointer and strides from the input's (model::bind_views).
template <std::size_t N>
constexpr bool is_strided_operand(const std::array<node_record, N>& rec, const std::array<int, N>& other_users, int i) {
  const node_record& r = rec[i];
  if (r.code != op_code::permute || r.shp.rank < 2 || other_users[i] != 0) return false;
  const node_record& src = rec[r.inputs[0]];
  if (src.code != op_code::input) return false;
  return r.perm[r.shp.rank - 1] == src.shp.rank - 1 || r.perm[r.shp.rank - 2] == src.shp.rank - 1;
}

// True when node i reads, through views only, a value that is already in memory.
template <std::size_t N>
constexpr bool views_a_buffer(const std::array<node_record, N>& rec, const std::array<bool, N>& realized, int i) {
  while (rec[i].kind == op_kind::view) {
    i = rec[i].inputs[0];
    if (realized[i]) return true;
  }
  return realized[i] || rec[i].kind == op_kind::constant;
}

// The outer iteration space of a stage: all dims but the last for a loop, the kept
// leading dims for a reduction over trailing axes. False when the stage cannot share
// an outer loop (an extern kernel, a reduction over other axes).
constexpr bool outer_space(const node_record* rec, int i, shape& outer) {
  const node_record& r = rec[i];
  outer = shape{};
  if (r.kind == op_kind::matmul || r.kind == op_kind::custom || r.kind == op_kind::scan) return false;
  if (r.kind == op_kind::reduction) {
    const shape& x = rec[r.inputs[0]].shp;
    int k = 0;
    for (int d = 0; d < x.rank; ++d) k += (r.axes >> d) & 1u;
    const std::uint32_t trailing = x.rank == 0 ? 0u : ((1u << x.rank) - 1u) & ~((1u << (x.rank - k)) - 1u);
    if (r.axes != trailing) return false;
    outer.rank = x.rank - k;
    for (int d = 0; d < outer.rank; ++d) outer.d[d] = x.d[d];
    return true;
  }
  outer.rank = r.shp.rank > 0 ? r.shp.rank - 1 : 0;
  for (int d = 0; d < outer.rank; ++d) outer.d[d] = r.shp.d[d];
  return true;
}
} // namespace detail

// Plans graph G: realization by Inductor's rules, then kernels by grouping consecutive
// stages that share their outer loop and read each other only at the same row.
template <class G> constexpr plan_value<G::size> make_plan(realize_thresholds th = default_thresholds) {
  constexpr int n = G::size;
  const auto& rec = G::records;
  plan_value<n> p;
  for (int i = 0; i < n; ++i) {
    p.output_slot[i] = -1;
    p.buffer_of[i] = -1;
    p.kernel_of[i] = -1;
  }
  for (int o = 0; o < G::output_count; ++o) p.output_slot[G::outputs[o]] = o;

  // extern kernels need their operands in memory
  std::array<bool, n> extern_operand{};
  std::array<int, n> non_matmul_users{}; // (outputs count as users)
  for (int i = 0; i < n; ++i) {
    if (rec[i].kind == op_kind::matmul || rec[i].kind == op_kind::custom)
      for (int k = 0; k < rec[i].ninputs; ++k) extern_operand[rec[i].inputs[k]] = true;
    if (rec[i].kind != op_kind::matmul)
      for (int k = 0; k < rec[i].ninputs; ++k) ++non_matmul_users[rec[i].inputs[k]];
  }
  for (int o = 0; o < G::output_count; ++o) ++non_matmul_users[G::outputs[o]];

  cone_walker<n> walk(rec, p.realized);
  // A body past these caps is realized whatever its users: its walk can stop there.
  const int op_cap = th.acc_ops > th.reuse_ops ? th.acc_ops : th.reuse_ops;
  const int read_cap = th.acc_reads > th.reuse_reads ? th.acc_reads : th.reuse_reads;

  // ---- realization, in topological order: a node's inputs are decided before it ----
  for (int i = 0; i < n; ++i) {
    auto set = [&](bool r, realize_reason why) {
      p.realized[i] = r;
      p.reason[i] = why;
    };
    const node_record& r = rec[i];
    const cone c = walk.of(i, op_cap, read_cap);
    p.cone_reads[i] = c.read_count;
    p.cone_ops[i] = c.op_count;
    if (r.kind == op_kind::input) set(true, realize_reason::input);
    else if (p.output_slot[i] >= 0) set(true, realize_reason::output);
    else if (r.kind == op_kind::constant) set(false, realize_reason::constant);
    else if (r.kind == op_kind::reduction) set(true, realize_reason::reduction);
    else if (r.kind == op_kind::scan) set(true, realize_reason::scan);
    else if (r.kind == op_kind::matmul || r.kind == op_kind::custom) set(true, realize_reason::extern_op);
    else if (extern_operand[i] && detail::is_strided_operand(rec, non_matmul_users, i)) set(false, realize_reason::strided_operand);
    else if (extern_operand[i]) set(true, realize_reason::extern_input);
    else if (r.code == op_code::realize_hint) set(true, realize_reason::user_realize);
    else if (r.code == op_code::inline_hint) set(false, realize_reason::user_inline);
    else if (r.kind == op_kind::view && detail::views_a_buffer(rec, p.realized, i)) set(false, realize_reason::buffer_view);
    else if (G::users[i] > 1 && (c.read_count > th.reuse_reads || c.op_count > th.reuse_ops || c.expensive))
      set(true, realize_reason::multi_user);
    else if (c.read_count > th.acc_reads || c.op_count > th.acc_ops) set(true, realize_reason::large_body);
    else if (G::users[i] > 1) set(false, realize_reason::cheap_recompute);
    else set(false, realize_reason::inlined);
  }

  // ---- stages and kernels ----
  for (int i = 0; i < n; ++i)
    if (p.realized[i] && !(rec[i].kind == op_kind::input && p.output_slot[i] < 0)) p.stage_node[p.stage_count++] = i;

  shape group_outer{};
  bool group_fusable = false;
  for (int s = 0; s < p.stage_count; ++s) {
    const int i = p.stage_node[s];
    shape outer{};
    const bool fusable = detail::outer_space(rec.data(), i, outer);
    split_reason why = split_reason::first;
    if (p.kernel_count > 0) {
      const int k = p.kernel_count - 1;
      if (rec[i].kind == op_kind::matmul || rec[i].kind == op_kind::custom || p.kind[k] == kernel_kind::matmul ||
          p.kind[k] == kernel_kind::custom)
        why = split_reason::extern_op;
      else if (rec[i].kind == op_kind::scan || p.kind[k] == kernel_kind::scan) why = split_reason::scan;
      else if (!fusable || !group_fusable) why = split_reason::reduction_axes;
      else if (!(outer == group_outer)) why = split_reason::iteration_space;
      else {
        const cone c = walk.of(i);
        for (int at = 0; at < c.read_count && why == split_reason::first; ++at) {
          const int j = walk.read(at);
          if (p.kernel_of[j] == k && !walk.reads_row_locally(i, j)) why = split_reason::cross_row_read;
        }
        if (why == split_reason::first) { // joins kernel k
          p.kernel_end[k] = s + 1;
          p.kernel_root[k] = i;
          p.kind[k] = kernel_kind::rows;
          p.kernel_of[i] = k;
          continue;
        }
      }
    }
    const int k = p.kernel_count++;
    p.kernel_begin[k] = s;
    p.kernel_end[k] = s + 1;
    p.kernel_root[k] = i;
    p.split[k] = why;
    p.outer_rank[k] = outer.rank;
    p.kind[k] = rec[i].kind == op_kind::matmul      ? kernel_kind::matmul
                : rec[i].kind == op_kind::custom    ? kernel_kind::custom
                : rec[i].kind == op_kind::scan      ? kernel_kind::scan
                : rec[i].kind == op_kind::reduction ? kernel_kind::reduction
                                                    : kernel_kind::pointwise;
    p.kernel_of[i] = k;
    group_outer = outer;
    group_fusable = fusable;
  }

  // ---- arena buffers and their last use ----
  for (int s = 0; s < p.stage_count; ++s) {
    const int i = p.stage_node[s];
    if (p.output_slot[i] >= 0) continue;
    p.buffer_of[i] = p.buffer_count;
    p.buffer_node[p.buffer_count] = i;
    p.buffer_last_use[p.buffer_count++] = p.kernel_of[i];
  }
  for (int s = 0; s < p.stage_count; ++s) {
    const int i = p.stage_node[s];
    const cone c = walk.of(i);
    for (int at = 0; at < c.read_count; ++at)
      if (const int j = walk.read(at); p.buffer_of[j] >= 0 && p.buffer_last_use[p.buffer_of[j]] < p.kernel_of[i])
        p.buffer_last_use[p.buffer_of[j]] = p.kernel_of[i];
  }

  for (int b = 0; b < p.buffer_count; ++b) {
    const int i = p.buffer_node[b];
    p.row_scratch[i] = p.kind[p.kernel_of[i]] == kernel_kind::rows && p.buffer_last_use[b] == p.kernel_of[i];
  }

  // ---- layouts of arena buffers ----
  for (int b = 0; b < p.buffer_count; ++b) {
    const int i = p.buffer_node[b];
    const int rank = rec[i].shp.rank;
    for (int d = 0; d < rank; ++d) p.dim_order[i][d] = d;
    int perm_user = -1;
    bool all_permute = true;
    for (int j = i + 1; j < n && all_permute; ++j)
      for (int k = 0; k < rec[j].ninputs; ++k) {
        if (rec[j].inputs[k] != i) continue;
        bool same = rec[j].code == op_code::permute;
        for (int d = 0; same && perm_user >= 0 && d < rank; ++d) same = rec[j].perm[d] == rec[perm_user].perm[d];
        all_permute = all_permute && same;
        perm_user = j;
      }
    if (all_permute && perm_user >= 0)
      for (int d = 0; d < rank; ++d) p.dim_order[i][d] = rec[perm_user].perm[d];
  }

  // ---- in-place reuse ----
  for (int b = 0; b < p.buffer_count; ++b) {
    p.in_place_of[b] = -1;
    const int i = p.buffer_node[b];
    const int k = p.kernel_of[i];
    if (p.kind[k] != kernel_kind::pointwise || rec[i].kind != op_kind::pointwise) continue;
    walk.of(i);
    for (int o = 0; o < b && p.in_place_of[b] < 0; ++o) {
      const int j = p.buffer_node[o];
      bool free = p.buffer_last_use[o] == k && walk.reads_node(j) && dtype_size(rec[j].type) == dtype_size(rec[i].type) &&
                  walk.reads_elementwise(i, j);
      for (int d = 0; free && d < rec[i].shp.rank; ++d) free = p.dim_order[i][d] == p.dim_order[j][d];
      for (int q = 0; free && q < b; ++q) free = p.in_place_of[q] != o; // one taker per buffer
      if (free) p.in_place_of[b] = o;
    }
  }
  return p;
}

} // namespace coil
