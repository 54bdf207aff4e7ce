// Kernel programs (backends/kernel_program.hpp) as constexpr values: a body is computed
// from its DAG, each (node, index) once; index registers are shared; where/cat branches
// run under guards; reductions and realized nodes are loads. Compiled only.
#include <coil.hpp>

using namespace coil::literals;

namespace {

using coil::step_op;

template <class M> constexpr int root_of = M::graph::outputs[0];
template <class M> constexpr auto program = coil::kernel::program_v<M, root_of<M>, root_of<M>>;

template <class Prog> constexpr int count(const Prog& p, step_op op) {
  int n = 0;
  for (const coil::step& s : p.steps) n += s.op == op ? 1 : 0;
  return n;
}
// Every operand register is written by an earlier step (or is the entry index 0).
template <class Prog> constexpr bool operands_defined_first(const Prog& p) {
  bool value_written[512]{}, index_written[512]{};
  index_written[0] = true;
  for (const coil::step& s : p.steps) {
    const bool index_op = s.op >= step_op::ix_bcast && s.op <= step_op::ix_unsqueeze;
    if (s.op == step_op::load || index_op || s.op == step_op::ix_cat) {
      if (!index_written[s.a]) return false;
    } else if (s.op != step_op::constant) {
      if (s.a >= 0 && !value_written[s.a]) return false;
      if (s.b >= 0 && !value_written[s.b]) return false;
    }
    if (s.guard >= 0 && !value_written[s.guard]) return false;
    if (index_op) index_written[s.out] = true;
    else value_written[s.out] = true;
    if (s.op == step_op::ix_cat) index_written[s.out_ix] = true;
  }
  return true;
}

constexpr auto x = coil::input<"x", float>(4_c, 8_c);
constexpr auto row = coil::input<"row", float>(8_c);

// ---- a diamond ladder: the tree has 2^10 leaves, the program one step per DAG node -------
constexpr auto l1 = x * x + 1_c;
constexpr auto l2 = l1 * l1 + 1_c;
constexpr auto l3 = l2 * l2 + 1_c;
constexpr auto l4 = l3 * l3 + 1_c;
constexpr auto l5 = l4 * l4 + 1_c;
constexpr auto l6 = l5 * l5 + 1_c;
constexpr auto l7 = l6 * l6 + 1_c;
constexpr auto l8 = l7 * l7 + 1_c;
constexpr auto l9 = l8 * l8 + 1_c;
constexpr auto l10 = l9 * l9 + 1_c;
using ladder = decltype(coil::compile<coil::cpu>(l10));
static_assert(ladder::plan.kernel_count == 1);
static_assert(program<ladder>.steps.size() == 1 + 1 + 2 * 10); // load x, the constant, mul + add per level
static_assert(count(program<ladder>, step_op::load) == 1);
static_assert(count(program<ladder>, step_op::constant) == 1);
static_assert(program<ladder>.indices == 1); // every read at the entry index
static_assert(operands_defined_first(program<ladder>));

// ---- broadcasting: one index register per distinct derivation --------------------------
constexpr auto bc = (x + row) * (x - row);
using broadcast = decltype(coil::compile<coil::cpu>(bc));
static_assert(count(program<broadcast>, step_op::ix_bcast) == 1); // row's index, shared
static_assert(count(program<broadcast>, step_op::load) == 2);     // x and row, each once
static_assert(program<broadcast>.indices == 2);
static_assert(operands_defined_first(program<broadcast>));

// ---- where: both branches run under the select register's guard -------------------------
constexpr auto w = coil::where(x > 0_c, coil::log(x), x * 2_c);
using guarded = decltype(coil::compile<coil::cpu>(w));
constexpr auto wp = program<guarded>;
static_assert(count(wp, step_op::select) == 1 && count(wp, step_op::move) == 2);
constexpr bool branches_guarded = [] {
  int sel = -1;
  for (const coil::step& s : wp.steps)
    if (s.op == step_op::select) sel = s.out;
  for (const coil::step& s : wp.steps) {
    if (s.op == step_op::pointwise && s.code == coil::op_code::log && !(s.guard == sel && s.branch == 0)) return false;
    if (s.op == step_op::pointwise && s.code == coil::op_code::mul && !(s.guard == sel && s.branch == 1)) return false;
    if (s.op == step_op::pointwise && s.code == coil::op_code::gt && s.guard != -1) return false;
  }
  return sel >= 0;
}();
static_assert(branches_guarded);
// x is loaded once, before the select: the branches reuse it (an enclosing guard).
static_assert(count(wp, step_op::load) == 1);
static_assert(operands_defined_first(wp));

// ---- cat: each input read only in its own branch, at the index inside it ----------------
constexpr auto y = coil::input<"y", float>(4_c, 3_c);
constexpr auto c = coil::cat<1>(x, coil::exp(y));
using concat = decltype(coil::compile<coil::cpu>(c));
constexpr auto cp = program<concat>;
static_assert(count(cp, step_op::ix_cat) == 1 && count(cp, step_op::move) == 2);
constexpr bool cat_guarded = [] {
  for (const coil::step& s : cp.steps)
    if (s.op == step_op::load && s.guard < 0) return false; // no input read outside its branch
  return true;
}();
static_assert(cat_guarded);
static_assert(operands_defined_first(cp));

// ---- a reduction's result is a load in the kernel that reads it ------------------------
constexpr auto centered = x - coil::mean(x, -1_c, coil::keepdim);
using rows = decltype(coil::compile<coil::cpu>(centered));
static_assert(rows::plan.kernel_count == 1);
static_assert(count(program<rows>, step_op::load) == 2); // x and the stored mean
static_assert(count(program<rows>, step_op::ix_bcast) == 1);

// ---- reshapes: axis groups merged and split with static extents --------------------------
// (the index runs from the view to its input: the view's axes merge, the input's split)
template <class E> using reshaped = decltype(coil::compile<coil::cpu>(E{}));
template <class Prog> constexpr bool reshape_steps(const Prog& p, int merges, int splits, int linear) {
  return count(p, step_op::ix_merge) == merges && count(p, step_op::ix_split) == splits &&
         count(p, step_op::ix_reshape) == linear && operands_defined_first(p);
}
// [2, 2, 8] from [4, 8]: the view's first two axes merge into the input's 4
static_assert(reshape_steps(program<reshaped<decltype(coil::reshape(x, 2_c, 2_c, 8_c) + 1_c)>>, 1, 0, 0));
// [32] from [4, 8]: one axis split into two
static_assert(reshape_steps(program<reshaped<decltype(coil::reshape(x, 32_c) + 1_c)>>, 0, 1, 0));
// [8, 4] from [4, 8]: neither dim lines up, so one group merged and split
static_assert(reshape_steps(program<reshaped<decltype(coil::reshape(x, 8_c, 4_c) + 1_c)>>, 1, 1, 0));
// [1, 4, 1, 8] from [4, 8]: size-1 axes only (unsqueeze steps, no division)
static_assert(reshape_steps(program<reshaped<decltype(coil::reshape(x, 1_c, 4_c, 1_c, 8_c) + 1_c)>>, 0, 0, 0));
// [B * 8] from [B, 8]: a symbolic extent in the group, through the linear index
constexpr auto xs = coil::input<"x", float>(coil::sym<"B">, 8_c);
static_assert(reshape_steps(program<reshaped<decltype(coil::flatten<0>(xs) + 1_c)>>, 0, 0, 1));
// [B, 2, 4] from [B, 8]: the symbol lines up, the view's 2 and 4 merge into the input's 8
static_assert(reshape_steps(program<reshaped<decltype(coil::reshape(xs, coil::sym<"B">, 2_c, 4_c) + 1_c)>>, 1, 0, 0));

} // namespace
