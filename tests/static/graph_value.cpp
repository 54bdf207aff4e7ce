// The graph value: expression types flattened once into a constexpr table of records in
// topological order. Identical subexpressions are one type, hence one node. Compiled only.
#include <coil.hpp>

using namespace coil::literals;

namespace {

using coil::op_code;

// Every record's inputs come before it, and its input count matches its op.
template <class G> constexpr bool topological() {
  for (int i = 0; i < G::size; ++i)
    for (int k = 0; k < G::records[i].ninputs; ++k)
      if (G::records[i].inputs[k] < 0 || G::records[i].inputs[k] >= i) return false;
  return true;
}

// The graph holds `want` records of op c.
template <class G> constexpr bool count_code(op_code c, int want) {
  int n = 0;
  for (const auto& r : G::records) n += r.code == c ? 1 : 0;
  return n == want;
}

constexpr auto x = coil::input<"x", float>(coil::sym<"B">, 8_c);
constexpr auto y = coil::input<"y", float>(8_c);

// ---- exp(x) + exp(x): one exp node --------------------------------------------------------
constexpr auto twice = coil::exp(x) + coil::exp(x);
using G1 = coil::graph<decltype(twice)>;
static_assert(std::is_same_v<decltype(coil::exp(x)), decltype(coil::exp(x))>);
static_assert(G1::size == 3);
static_assert(G1::records[0].code == op_code::input);
static_assert(G1::records[1].code == op_code::exp);
static_assert(G1::records[2].code == op_code::add);
static_assert(G1::records[2].ninputs == 2 && G1::records[2].inputs[0] == 1 && G1::records[2].inputs[1] == 1);
static_assert(G1::users[0] == 1 && G1::users[1] == 1);     // add reads exp twice: one consumer
static_assert(G1::users[2] == 1);                          // the output counts as a consumer
static_assert(G1::output_count == 1 && G1::outputs[0] == 2);
static_assert(topological<G1>());

// ---- a diamond, shared leaves, shared constants ------------------------------------------------
constexpr auto e = coil::exp(x);
constexpr auto diamond = e * coil::sigmoid(e) + x * 2_c - 2_c;
using G2 = coil::graph<decltype(diamond)>;
static_assert(topological<G2>());
static_assert(G2::size == 8);                               // x, exp, sigmoid, mul, 2, mul, add, sub
static_assert(count_code<G2>(op_code::input, 1));
static_assert(count_code<G2>(op_code::exp, 1));
static_assert(count_code<G2>(op_code::constant, 1));        // the literal 2 is one node
static_assert(count_code<G2>(op_code::mul, 2));
static_assert(G2::users[G2::index_of_input("x")] == 2);     // exp and x*2
static_assert(G2::users[1] == 2);                           // exp: the product and sigmoid
static_assert(G2::outputs[0] == G2::size - 1);              // the root is last
static_assert(G2::records[G2::size - 1].code == op_code::sub);

constexpr int const_index = [] {
  for (int i = 0; i < G2::size; ++i)
    if (G2::records[i].code == op_code::constant) return i;
  return -1;
}();
static_assert(const_index >= 0 && G2::users[const_index] == 2);  // read by the mul and the sub
static_assert(G2::records[const_index].bits == 2 && G2::records[const_index].type == coil::dtype::i64);

// Records are the nodes' own records, in post-order: the input first, then exp.
static_assert(G2::records[1].code == op_code::exp);
static_assert(G2::records[0].code == op_code::input && coil::cstr_eq(G2::records[0].name.c_str(), "x"));

// ---- inputs -----------------------------------------------------------------------------------
constexpr auto two_inputs = coil::matmul(coil::unsqueeze<0>(y), coil::transpose<0, 1>(x)) + coil::sum(x);
using G3 = coil::graph<decltype(two_inputs)>;
static_assert(topological<G3>());
static_assert(G3::index_of_input("x") >= 0 && G3::index_of_input("y") >= 0);
static_assert(G3::index_of_input("z") == -1);
static_assert(G3::index_of_input("x") != G3::index_of_input("y"));
static_assert(coil::cstr_eq(G3::records[G3::index_of_input("y")].name.c_str(), "y"));
static_assert(G3::users[G3::index_of_input("x")] == 2);     // transpose and sum

// ---- several outputs ----------------------------------------------------------------------------
constexpr auto o1 = coil::relu(e);
constexpr auto o2 = e * 0.5_c;
using G4 = coil::graph<decltype(o1), decltype(o2), decltype(e)>;
static_assert(topological<G4>());
static_assert(G4::output_count == 3);
static_assert(G4::size == 5);                               // x, exp, relu, 0.5, mul (exp is also an output)
static_assert(G4::records[G4::outputs[0]].code == op_code::relu);
static_assert(G4::records[G4::outputs[1]].code == op_code::mul);
static_assert(G4::records[G4::outputs[2]].code == op_code::exp);
static_assert(G4::outputs[2] == 1);
static_assert(G4::users[1] == 3);                           // relu, mul and being an output
static_assert(G4::users[G4::outputs[0]] == 1 && G4::users[G4::outputs[1]] == 1);

// ---- the graph a model compiles --------------------------------------------------------------------
using M1 = decltype(coil::compile<coil::cpu>(twice));
using MG1 = M1::graph;
static_assert(std::is_same_v<MG1, G1>);                     // primitives lower to themselves
static_assert(M1::size == 3);

using MG2 = decltype(coil::compile<coil::cpu>(o1, o2))::graph;
static_assert(MG2::output_count == 2 && topological<MG2>());
static_assert(MG2::outputs[0] != MG2::outputs[1]);

// An input returned as an output gets a node of its own (a copy), so the model never writes
// into the caller's input.
using MG3 = decltype(coil::compile<coil::cpu>(y, y * 2_c))::graph;
static_assert(topological<MG3>());
static_assert(MG3::records[MG3::outputs[0]].code == op_code::cast);
static_assert(MG3::records[MG3::outputs[0]].inputs[0] == MG3::index_of_input("y"));
static_assert(MG3::records[MG3::outputs[0]].type == coil::dtype::f32);

} // namespace
