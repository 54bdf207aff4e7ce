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
  bool cuda_kernel = false; // custom: its kernel launches CUDA work (ops/custom.hpp), coil::cuda only
};

// Outcome of shape/dtype inference: the record, or a one-line message.
struct infer_result {
  node_record rec{};
  bool ok = true;
  text<200> msg{};
};

// What a custom kernel (coil::custom, ops/custom.hpp) is called with: its output's and
// inputs' base pointers, extents and element strides, and for a CUDA kernel the model's
// stream (a cudaStream_t).
struct custom_call {
  void* stream = nullptr;
  void* out = nullptr;
  const std::int64_t* out_ext = nullptr;
  const std::int64_t* out_str = nullptr;
  const void* in[max_inputs]{};
  const std::int64_t* in_ext[max_inputs]{};
  const std::int64_t* in_str[max_inputs]{};
};
using custom_launcher = void (*)(const custom_call&);

// A node's place in the DAG as a value: its record and its children's descriptors. The
// graph is flattened by a constexpr walk over these pointers, not by template recursion,
// so flattening costs time linear in the number of distinct nodes and no template depth.
struct node_desc {
  const node_record* rec = nullptr;
  const node_desc* kids[max_inputs]{};
  int arity = 0;
  std::uint64_t hash = 0; // structural hash of the sub-DAG: a hint for lookups, pointers decide
  custom_launcher launch = nullptr; // custom ops: the host function that runs the user's kernel
};

namespace detail {
// The launcher of a custom op (its static `launch`), or none. A variable template, not a
// function: see `node` on what functions named by op types cost.
template <class Op> constexpr custom_launcher launcher_of = nullptr;
template <class Op> requires requires { Op::launch; } constexpr custom_launcher launcher_of<Op> = &Op::launch;

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
//
// It has no static members on purpose. g++ gives every static data member of a class
// template instance, and every function template instance that is called, even only in
// constant evaluation, a mangled symbol name; the name of something about a node spells the
// node's whole type, k nested levels deep for a node at depth k, and g++ mangles it in time
// about k^2. So what is known about a node lives in the variable templates below, declared
// `constexpr` without `inline`: that gives them internal linkage, and g++ gives them no
// symbol unless code odr-uses them at run time. Adding `inline` brings the cost back
// (docs/compile-cost.md, item 5).
template <class Op, class... Children> struct node {
  using op = Op;
};

template <class T> struct is_node : std::false_type {};
template <class Op, class... C> struct is_node<node<Op, C...>> : std::true_type {};
template <class T> concept expr = is_node<std::remove_cvref_t<T>>::value;

// The node's record (dtype, shape, op parameters) from its op's `infer` over its
// children's records, or the one-line message of why the node is invalid.
template <class N> constexpr infer_result node_result{};
namespace detail {
template <class... C> constexpr node_record child_records[sizeof...(C)] = {node_result<C>.rec...};
} // namespace detail
template <class Op> constexpr infer_result node_result<node<Op>> = Op::infer(nullptr, 0);
template <class Op, class... C>
constexpr infer_result node_result<node<Op, C...>> =
    Op::infer(detail::child_records<C...>, static_cast<int>(sizeof...(C)));

// record_of<decltype(e)>: the record of an expression type (cv-qualifiers ignored).
template <class N> constexpr const node_record& record_of = node_result<std::remove_cvref_t<N>>.rec;

// The node's descriptor: what the graph walk reads.
template <class N> constexpr node_desc desc_of{};
template <class Op, class... C>
constexpr node_desc desc_of<node<Op, C...>> = {&node_result<node<Op, C...>>.rec, {&desc_of<C>...},
                                                      static_cast<int>(sizeof...(C)),
                                                      detail::node_hash(node_result<node<Op, C...>>.rec, desc_of<C>.hash...),
                                                      detail::launcher_of<Op>};

// Every op in this sub-DAG is a primitive: its lowering is itself, found without recursing.
template <class N> constexpr bool all_primitive = false;
template <class Op, class... C>
constexpr bool all_primitive<node<Op, C...>> = requires { Op::code; } && (all_primitive<C> && ...);

namespace detail {
// Reports an invalid node with its message (the compile_error's argument).
template <class N> constexpr bool report_invalid_node() {
  COIL_COMPILE_ERROR(node_result<N>.msg);
  static_assert(node_result<N>.ok, "coil: invalid tensor expression; the compile_error above names the op and the dims");
  return true;
}

// A checked node type. Instantiating it also instantiates the descriptor and the lowering
// flag, bottom-up as the expression is built: left to first use at the root, each would
// instantiate its children's, nesting as deep as the DAG (a chain of 300 ops would pass
// g++'s template depth limit).
template <class N, bool Ok = node_result<N>.ok> struct checked_node {
  static_assert(desc_of<N>.rec != nullptr && (all_primitive<N> || !all_primitive<N>));
  using type = N;
};
template <class N> struct checked_node<N, false> {
  static_assert(report_invalid_node<N>());
  using type = N;
};

// How an operand is named in a diagnostic: an input by its name, anything else by role.
template <std::size_t Cap> constexpr void label(text<Cap>& out, const node_record& r, const char* role) {
  // a composite op's record (before lowering) has no code of its own: only a named node
  // is an input
  if (r.code == op_code::input && r.name.c_str()[0] != '\0') out << r.name.c_str();
  else out << role;
}

// "coil::<op>: <what>: " prefix of every diagnostic.
constexpr infer_result fail_prefix(infer_result r, const char* op, const char* what) {
  r.ok = false;
  r.msg << "coil::" << op << ": " << what;
  return r;
}
} // namespace detail

// node_t<Op, Children...>: the checked node type; the one place factories go through. A
// type, not a function: a factory per node costs g++ a mangled name (see `node`).
template <class Op, class... C> using node_t = typename detail::checked_node<node<Op, std::remove_cvref_t<C>...>>::type;

// make_node<Op>(children...): node_t for callers that have values rather than types.
template <class Op, class... C> constexpr auto make_node(C...) { return node_t<Op, C...>{}; }

} // namespace coil
