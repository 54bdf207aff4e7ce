// The Plan: which nodes are realized into buffers and which are inlined into their
// consumers, the kernels in execution order, and the buffers the kernels write. It is an
// ordinary constexpr value computed by loops over the graph's records, so tests can
// static_assert on it and debug/ can print it.
#pragma once
#include <array>
#include <cstdint>

#include "../ir/graph.hpp"

namespace coil {

// Why a node is, or is not, materialized. Printed by explain().
enum class realize_reason : std::uint8_t {
  inlined,      // recomputed inside each consumer's loop
  input,        // the caller's buffer
  constant,     // a literal folded into every consumer
  output,       // written to the caller's output buffer
  reduction,    // reductions are kernels of their own (v1)
  extern_op,    // a library kernel (matmul)
  extern_input, // a library kernel reads it from memory in row-major order
  multi_user,   // read by several consumers: stored once instead of recomputed
  buffer_view,  // index remapping of a value already in memory: free to inline
};

constexpr const char* reason_name(realize_reason r) {
  constexpr const char* names[] = {"one consumer", "input", "constant", "output", "reduction",
                                   "extern op", "extern input", "several users", "view of a buffer"};
  return names[static_cast<int>(r)];
}

template <int N> struct plan_value {
  std::array<bool, N> realized{};         // has a buffer (inputs included)
  std::array<realize_reason, N> reason{};
  std::array<int, N> output_slot{};       // index among the model's outputs, or -1
  int kernel_count = 0;
  std::array<int, N> kernel_root{};       // kernel k computes node kernel_root[k]
  int buffer_count = 0;                   // intermediates living in the arena
  std::array<int, N> buffer_node{};       // arena buffer b holds node buffer_node[b]
  std::array<int, N> buffer_of{};         // node -> arena buffer, or -1

  constexpr bool is_kernel_root(int node) const {
    for (int k = 0; k < kernel_count; ++k)
      if (kernel_root[k] == node) return true;
    return false;
  }
};

namespace detail {
// True when node i reads, through views only, a value that is already in memory.
template <std::size_t N>
constexpr bool views_a_buffer(const std::array<node_record, N>& rec, const std::array<bool, N>& realized, int i) {
  while (rec[i].kind == op_kind::view) {
    i = rec[i].inputs[0];
    if (realized[i]) return true;
  }
  return realized[i] || rec[i].kind == op_kind::constant;
}
} // namespace detail

// Planner v1: outputs, reductions, matmul and its inputs, and multi-user values are
// realized; everything else is inlined, so a chain of pointwise ops is one loop.
template <class G> constexpr plan_value<G::size> make_plan() {
  constexpr int n = G::size;
  const auto& rec = G::records;
  plan_value<n> p;
  for (int i = 0; i < n; ++i) {
    p.output_slot[i] = -1;
    p.buffer_of[i] = -1;
  }
  for (int o = 0; o < G::output_count; ++o) p.output_slot[G::outputs[o]] = o;

  // extern kernels need their operands in memory
  std::array<bool, n> extern_operand{};
  for (int i = 0; i < n; ++i)
    if (rec[i].kind == op_kind::matmul)
      for (int k = 0; k < rec[i].ninputs; ++k) extern_operand[rec[i].inputs[k]] = true;

  for (int i = 0; i < n; ++i) { // topological order: inputs are decided before users
    auto set = [&](bool r, realize_reason why) {
      p.realized[i] = r;
      p.reason[i] = why;
    };
    const op_kind k = rec[i].kind;
    if (k == op_kind::input) set(true, realize_reason::input);
    else if (p.output_slot[i] >= 0) set(true, realize_reason::output);
    else if (k == op_kind::constant) set(false, realize_reason::constant);
    else if (k == op_kind::reduction) set(true, realize_reason::reduction);
    else if (k == op_kind::matmul) set(true, realize_reason::extern_op);
    else if (extern_operand[i]) set(true, realize_reason::extern_input);
    else if (k == op_kind::view && detail::views_a_buffer(rec, p.realized, i)) set(false, realize_reason::buffer_view);
    else if (G::users[i] > 1) set(true, realize_reason::multi_user);
    else set(false, realize_reason::inlined);
  }
  for (int i = 0; i < n; ++i) {
    if (!p.realized[i] || (rec[i].kind == op_kind::input && p.output_slot[i] < 0)) continue;
    p.kernel_root[p.kernel_count++] = i;
    if (p.output_slot[i] < 0) {
      p.buffer_of[i] = p.buffer_count;
      p.buffer_node[p.buffer_count++] = i;
    }
  }
  return p;
}

} // namespace coil
