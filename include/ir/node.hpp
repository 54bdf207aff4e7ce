// Expression nodes. A node type holds only its children (as template arguments); what
// it is (dtype, shape, op parameters) is a constexpr record computed from the children's
// records by its op's `infer`. The graph flattens node types into a table of these
// records, and the planner and backends read the table.
#pragma once
#include <cstdint>
#include <type_traits>

#include "../core/diagnostics.hpp"
#include "dtype.hpp"
#include "ops.hpp"
#include "shape.hpp"

namespace coil {

inline constexpr int max_inputs = 8;

// Everything the planner and the backends know about one node.
struct node_record {
  op_code code = op_code::input;
  op_kind kind = op_kind::input;
  dtype type = dtype::f32;    // element type of the result
  dtype compute = dtype::f32; // type the operands are converted to before the op
  bool wrapped = false;       // a scalar written in the expression (PyTorch "wrapped number")
  shape shp{};
  int ninputs = 0;
  int inputs[max_inputs]{}; // graph indices, filled when the graph is built
  // op parameters
  std::uint32_t axes = 0;   // reductions: bit i set when axis i of the input is folded
  bool keepdim = false;
  int perm[max_rank]{};     // permute: result axis i reads input axis perm[i]
  int axis = 0;             // slice, squeeze, unsqueeze, cat
  std::int64_t start = 0, stop = 0, step = 1; // slice, normalized to the input extent if static
  std::uint64_t bits = 0;   // constant: the value's bits (double for floating, int64 otherwise)
  name16 name{};            // input: its name
};

// Outcome of shape/dtype inference: the record, or a one-line message.
struct infer_result {
  node_record rec{};
  bool ok = true;
  text<200> msg{};
};

// A node of the expression DAG. Empty: copying it is free and it can be `constexpr`.
template <class Op, class... Children> struct node {
  using op = Op;
  static constexpr int arity = sizeof...(Children);
  static constexpr infer_result result = [] {
    if constexpr (sizeof...(Children) == 0) {
      return Op::infer(nullptr, 0);
    } else {
      const node_record in[] = {Children::record...};
      return Op::infer(in, static_cast<int>(sizeof...(Children)));
    }
  }();
  static constexpr node_record record = result.rec;
};

template <class T> struct is_node : std::false_type {};
template <class Op, class... C> struct is_node<node<Op, C...>> : std::true_type {};
template <class T> concept expr = is_node<std::remove_cvref_t<T>>::value;

namespace detail {
// Stops at the first invalid node with its message (the compile_error's argument).
template <class N> constexpr void check_node() {
  if constexpr (!N::result.ok) {
    COIL_COMPILE_ERROR(N::result.msg);
    static_assert(N::result.ok, "coil: invalid tensor expression; the compile_error above names the op and the dims");
  }
}

// How an operand is named in a diagnostic: an input by its name, anything else by role.
template <std::size_t Cap> constexpr void label(text<Cap>& out, const node_record& r, const char* role) {
  if (r.code == op_code::input) out << r.name.c_str();
  else out << role;
}

// "coil::<op>: <what>: " prefix of every diagnostic.
constexpr infer_result fail_prefix(infer_result r, const char* op, const char* what) {
  r.ok = false;
  r.msg << "coil::" << op << ": " << what;
  return r;
}
} // namespace detail

// Builds a node after checking it; the one place factories go through.
template <class Op, class... C> constexpr auto make_node(C...) {
  using N = node<Op, std::remove_cvref_t<C>...>;
  detail::check_node<N>();
  return N{};
}

} // namespace coil
