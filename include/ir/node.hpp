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

// A node's place in the DAG as a value: its record and its children's descriptors. The
// graph is flattened by a constexpr walk over these pointers, not by template recursion,
// so flattening costs time linear in the number of distinct nodes and no template depth.
struct node_desc {
  const node_record* rec;
  const node_desc* const* kids;
  int arity;
  std::uint64_t hash; // structural hash of the sub-DAG: a hint for lookups, pointers decide
};

namespace detail {
constexpr std::uint64_t hash_mix(std::uint64_t h, std::uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdull;
}
template <class... Kids> constexpr std::uint64_t node_hash(const node_record& r, Kids... kids) {
  std::uint64_t h = hash_mix(static_cast<std::uint64_t>(r.code), static_cast<std::uint64_t>(r.type));
  h = hash_mix(h, r.bits ^ (static_cast<std::uint64_t>(r.axes) << 32) ^ static_cast<std::uint64_t>(r.axis));
  h = hash_mix(h, static_cast<std::uint64_t>(r.start) ^ (static_cast<std::uint64_t>(r.stop) << 20));
  for (const char* c = r.name.c_str(); *c; ++c) h = hash_mix(h, static_cast<unsigned char>(*c));
  ((h = hash_mix(h, kids)), ...);
  return h;
}
} // namespace detail

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
  static constexpr std::uint64_t hash = detail::node_hash(record, Children::hash...);
  static constexpr const node_desc* kids[sizeof...(Children) + 1] = {&Children::desc..., nullptr};
  static constexpr node_desc desc{&record, kids, arity, hash};
  // Every op in this sub-DAG is a primitive: its lowering is itself, found without recursing.
  static constexpr bool all_primitive = requires { Op::code; } && (Children::all_primitive && ...);
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
  // Instantiate the descriptor and the lowering flag now, bottom-up as the expression is
  // built: left to first use at the root, each would instantiate its children's, nesting
  // as deep as the DAG (a chain of 300 ops would pass g++'s template depth limit).
  static_assert(N::desc.arity == static_cast<int>(sizeof...(C)) && (N::all_primitive || !N::all_primitive));
  return N{};
}

} // namespace coil
