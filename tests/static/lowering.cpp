// Lowering: primitive ops are their own rule; a user-defined op lowers through its
// coil::lower_impl specialization into primitives (recursively); an op with no rule has
// none (coil::has_lowering is false). Compiled only.
#include <coil.hpp>

using namespace coil::literals;

namespace {

// Shape/dtype inference shared by the user ops below: elementwise, same shape and dtype.
// (No `code` member: that is what makes an op user-defined rather than primitive. The
// record's code is never read, because the node is lowered before any graph is built.)
constexpr coil::infer_result same_as_input(const coil::node_record* in, int) {
  coil::infer_result r;
  r.rec.kind = coil::op_kind::pointwise;
  r.rec.type = r.rec.compute = in[0].type;
  r.rec.shp = in[0].shp;
  return r;
}

} // namespace

// x * x, written as a user op with a CPU rule.
struct my_square {
  static constexpr const char* name = "my_square";
  static constexpr coil::infer_result infer(const coil::node_record* in, int n) { return same_as_input(in, n); }
};
template <> struct coil::lower_impl<my_square, coil::cpu> {
  template <class X> using apply = decltype(X{} * X{});
};

template <coil::expr X> constexpr auto square(X x) { return coil::make_node<my_square>(x); }

// x * square(x): a rule whose result holds another user op, lowered in turn.
struct my_cube {
  static constexpr const char* name = "my_cube";
  static constexpr coil::infer_result infer(const coil::node_record* in, int n) { return same_as_input(in, n); }
};
template <> struct coil::lower_impl<my_cube, coil::cpu> {
  template <class X> using apply = decltype(X{} * square(X{}));
};

// A user op with no rule at all.
struct my_op {
  static constexpr const char* name = "my_op";
  static constexpr coil::infer_result infer(const coil::node_record* in, int n) { return same_as_input(in, n); }
};

namespace {

using coil::op_code;

template <class G> constexpr int count(op_code c) {
  int n = 0;
  for (const auto& r : G::records) n += r.code == c ? 1 : 0;
  return n;
}

// ---- which ops have a rule ---------------------------------------------------------------------
static_assert(coil::has_lowering<coil::pointwise_op<op_code::add>, coil::cpu>);
static_assert(coil::has_lowering<coil::pointwise_op<op_code::exp>, coil::cpu>);
static_assert(coil::has_lowering<coil::pointwise_op<op_code::where>, coil::cpu>);
static_assert(coil::has_lowering<coil::cast_op<coil::dtype::f32>, coil::cpu>);
static_assert(coil::has_lowering<coil::matmul_op, coil::cpu>);
static_assert(coil::has_lowering<coil::cat_op<0>, coil::cpu>);
static_assert(coil::has_lowering<coil::permute_op<1, 0>, coil::cpu>);
static_assert(coil::has_lowering<coil::slice_op<0, 1, 3, 1>, coil::cpu>);
static_assert(coil::has_lowering<coil::constant_op<coil::dtype::i64, 2>, coil::cpu>);
static_assert(coil::has_lowering<coil::pointwise_op<op_code::mul>, coil::reference>);
static_assert(coil::has_lowering<coil::matmul_op, coil::cuda>);

constexpr auto x = coil::input<"x", float>(coil::sym<"B">, 4_c);
using input_op_t = decltype(x)::op;
using sum_op_t = decltype(coil::sum<-1>(x, coil::keepdim))::op;
using reshape_op_t = decltype(coil::reshape(x, -1_c))::op;
static_assert(coil::has_lowering<input_op_t, coil::cpu>);
static_assert(coil::has_lowering<sum_op_t, coil::cpu>);
static_assert(coil::has_lowering<reshape_op_t, coil::reference>);
static_assert(coil::primitive_op<input_op_t> && coil::primitive_op<sum_op_t>);

static_assert(!coil::primitive_op<my_square> && !coil::primitive_op<my_op>);
static_assert(!coil::has_lowering<my_op, coil::cpu>);       // no rule anywhere
static_assert(!coil::has_lowering<my_op, coil::reference>);
static_assert(coil::has_lowering<my_square, coil::cpu>);    // its rule is for cpu only
static_assert(!coil::has_lowering<my_square, coil::cuda>);
static_assert(!coil::has_lowering<my_square, coil::reference>);

// ---- primitives lower to themselves ------------------------------------------------------------
constexpr auto prim = coil::relu(coil::sum<-1>(x) * 2_c);
static_assert(std::is_same_v<coil::lowered_t<decltype(prim), coil::cpu>, std::remove_cvref_t<decltype(prim)>>);
static_assert(std::is_same_v<coil::lowered_t<decltype(x), coil::reference>, std::remove_cvref_t<decltype(x)>>);

// ---- a user op lowers to primitives ------------------------------------------------------------
constexpr auto sq = square(x);
static_assert(coil::record_of<decltype(sq)>.shp == coil::record_of<decltype(x)>.shp && coil::record_of<decltype(sq)>.type == coil::dtype::f32);
using sq_lowered = coil::lowered_t<decltype(sq), coil::cpu>;
static_assert(std::is_same_v<sq_lowered, std::remove_cvref_t<decltype(x * x)>>);  // exactly x * x
using SQ = coil::graph<sq_lowered>;
static_assert(SQ::size == 2);
static_assert(SQ::records[1].code == op_code::mul);
static_assert(SQ::records[1].inputs[0] == 0 && SQ::records[1].inputs[1] == 0);

// Inside a larger expression, through compile: the user op is gone, a mul is in its place.
using sq_model = decltype(coil::compile<coil::cpu>(coil::exp(square(x)) + 1_c));
using SQM = sq_model::graph;
static_assert(count<SQM>(op_code::mul) == 1);
static_assert(count<SQM>(op_code::exp) == 1 && count<SQM>(op_code::add) == 1);
static_assert(SQM::size == 5);                              // x, mul, exp, 1, add
static_assert(sq_model::plan.kernel_count == 1);            // and it fuses like any pointwise op

// Nested user ops: square(square(x)) is (x*x) * (x*x), the inner product one node.
using SQ2 = decltype(coil::compile<coil::cpu>(square(square(x))))::graph;
static_assert(SQ2::size == 3);
static_assert(count<SQ2>(op_code::mul) == 2);
static_assert(SQ2::records[2].inputs[0] == 1 && SQ2::records[2].inputs[1] == 1);

// A rule that produces another user op: cube(x) = x * square(x) = x * (x*x).
constexpr auto cube = coil::make_node<my_cube>(x);
using CUBE = coil::graph<coil::lowered_t<decltype(cube), coil::cpu>>;
static_assert(CUBE::size == 3);
static_assert(count<CUBE>(op_code::mul) == 2);
static_assert(CUBE::records[2].inputs[0] == 0 && CUBE::records[2].inputs[1] == 1);

// The children of a user op are lowered before its rule sees them.
using deep = coil::lowered_t<decltype(coil::make_node<my_cube>(square(x))), coil::cpu>;
static_assert(count<coil::graph<deep>>(op_code::mul) == 3);   // xx = x*x; xx * (xx*xx)

} // namespace
