// A kernel body as straight-line code: the value of node I at one index, in the context
// of kernel root Root (realized nodes other than Root are loads), as a list of steps over
// numbered registers. Built by a constexpr walk of I's cone; every (node, index) pair is
// one step, so a value read twice at the same index is computed once (a diamond ladder
// costs its DAG, not its tree), and the backends instantiate one small function per
// distinct step instead of one function per node whose name spells the whole graph.
//
// Index registers hold multi-indices (register 0 is the index the body is asked for);
// views and broadcasts derive new index registers. `where` and `cat` pick a branch at run
// time: their branches run under a guard (a select register and the branch it must hold),
// so a branch never computes what it must not (an integer division by zero, a
// concatenated input read out of its bounds).
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "../ir/node.hpp"

namespace coil {

enum class step_op : std::uint8_t {
  load,       // value of a node in memory at an index register
  constant,   // a literal
  pointwise,  // an elementwise op on 1 or 2 value registers
  cast,       // conversion to another dtype
  select,     // `where`: select register := cond ? 0 : 1
  move,       // out := operand converted to the result type (a where/cat branch's result)
  ix_bcast,   // index of a broadcast operand (right-aligned; static size-1 axes read 0, and
              // broadcastable symbolic axes read 0 where they are 1 at call time)
  ix_permute, // index of a permuted view's input
  ix_reshape, // index of a reshaped view's input (through the linear index, runtime extents)
  ix_merge,   // axes [axis, axis + k) of the index merged into one (static extents `sizes`)
  ix_split,   // axis `axis` of the index split into k axes (static extents `sizes`)
  ix_slice,   // index of a sliced view's input
  ix_squeeze, // index of a squeezed view's input
  ix_unsqueeze,
  ix_cat,     // `cat`: select register := the input covering the index; index register := the index in it
  iota,       // value := the index register's entry on one axis (int64)
  ix_window,  // index of a windowed view's input: two axes (position, offset) fold into one
  ix_flip,    // index of a flipped view's input
  ix_range,   // the axes [axis, axis + crank) of an index (a gather's index into its indices)
  ix_gather,  // index of a gather's source: the axis read from value register b, clamped into range
};

// One step. A structural type: the backends take it as a template argument.
struct step {
  step_op op = step_op::load;
  op_code code = op_code::input;
  dtype type = dtype::f32;    // type of the register written (values)
  dtype compute = dtype::f32; // pointwise: operands are converted to it
  dtype ta = dtype::f32, tb = dtype::f32; // operand register types
  int out = -1;               // register written (value or index, by op)
  int out_ix = -1;            // ix_cat: the index register written beside the select register
  int a = -1, b = -1;         // operand registers (value, or index for ix_* and load)
  int node = -1;              // load: the node in memory; ix_reshape/ix_cat: the view or cat node
  int rank = 0, crank = 0;    // rank of the index read, of the index written
  std::uint32_t mask = 0;     // ix_bcast: written axes that read 0
  std::uint32_t dmask = 0;    // ix_bcast: written axes that read 0 when node's extent there is 1 (broadcastable symbols)
  std::uint32_t perm = 0;     // ix_permute: 4 bits per axis, written axis perm[d] := read axis d
  int axis = 0;              // ix_slice, ix_cat, ix_window, ix_flip, ix_range, ix_gather, iota
  std::int64_t start = 0, stride = 1; // ix_slice; ix_window: stride
  std::int64_t dil = 1;       // ix_window: dilation
  std::uint64_t bits = 0;     // constant: the literal's bits
  std::int64_t sizes[4]{};    // ix_merge, ix_split: the k axes' static extents
  int guard = -1;             // run only when select register `guard` holds `branch`
  int branch = 0;
  int kids[max_inputs]{};     // ix_cat: the concatenated nodes
  int nkids = 0;
};

template <int Steps> struct kernel_program {
  std::array<step, Steps> steps{};
  int values = 0;  // value registers
  int indices = 1; // index registers
  int result = -1; // the value register holding the body's value
};

namespace detail {
// Not constexpr: reaching it stops constant evaluation with this name in the error. The
// planner always realizes reductions and extern ops, so only a planner bug gets here.
void read_of_unrealized_reduction_or_extern_op();

// Builds the steps of one body. Steps are appended in the order their operands need, so
// running them in order is correct.
template <std::size_t N> class program_builder {
public:
  constexpr program_builder(const std::array<node_record, N>& rec, const std::array<bool, N>& realized, int root)
      : rec_(rec), realized_(realized), root_(root) {}

  constexpr int value(int i, int ix, int guard, int branch) {
    for (const memo& m : memo_)
      if (m.node == i && m.ix == ix && dominates(m.guard, m.branch, guard, branch)) return m.reg;
    const int reg = make_value(i, ix, guard, branch);
    memo_.push_back({i, ix, guard, branch, reg});
    return reg;
  }

  std::vector<step> steps;
  int values = 0, indices = 1;

private:
  struct memo {
    int node, ix, guard, branch, reg;
  };
  struct select_origin {
    int guard, branch; // the guard the select step itself runs under
  };

  // Whether a value computed under (g, b) is available under (guard, branch): (g, b) is
  // the guard itself or one of its enclosing guards.
  constexpr bool dominates(int g, int b, int guard, int branch) const {
    while (true) {
      if (g == guard && (g < 0 || b == branch)) return true;
      if (guard < 0) return false;
      const select_origin o = origin_[static_cast<std::size_t>(guard)];
      guard = o.guard;
      branch = o.branch;
    }
  }

  constexpr int emit(step s, int guard, int branch) {
    s.guard = guard;
    s.branch = branch;
    steps.push_back(s);
    return s.out;
  }
  constexpr int new_value(dtype t) {
    origin_.push_back({-1, 0});
    types_.push_back(t);
    return values++;
  }
  constexpr int new_select(int guard, int branch) {
    const int r = new_value(dtype::i64);
    origin_[static_cast<std::size_t>(r)] = {guard, branch};
    return r;
  }

  // A reshape from `from` to `to` as adjacent axis groups, static size-1 axes aside: a
  // group is `to_axes` axes of the view holding the same elements as `from_axes` axes of
  // the input (one and one when the dims are equal, symbolic or not; else static dims
  // whose products match, at most 4 a side). Not ok when a group would need a symbolic
  // or zero extent: the reshape then goes through the linear index.
  struct reshape_group {
    int to_axes = 1, from_axes = 1;
  };
  struct reshape_groups {
    bool ok = false;
    int count = 0;
    reshape_group g[max_rank]{};
    dim to[max_rank]{}, from[max_rank]{}; // the non-unit dims
    int nto = 0, nfrom = 0;
  };
  static constexpr reshape_groups group_reshape(const shape& to, const shape& from) {
    reshape_groups p;
    for (int d = 0; d < to.rank; ++d)
      if (!to.d[d].is_static(1)) p.to[p.nto++] = to.d[d];
    for (int d = 0; d < from.rank; ++d)
      if (!from.d[d].is_static(1)) p.from[p.nfrom++] = from.d[d];
    auto extent = [](const dim& x) { return x.is_static() && x.static_value() > 0 ? x.static_value() : std::int64_t{0}; };
    int i = 0, j = 0;
    while (i < p.nto && j < p.nfrom) {
      reshape_group g;
      if (p.to[i] == p.from[j]) {
        ++i, ++j;
      } else {
        std::int64_t pt = extent(p.to[i++]), pf = extent(p.from[j++]);
        while (pt != pf && pt > 0 && pf > 0) {
          if (pt < pf) {
            pt = i < p.nto ? pt * extent(p.to[i++]) : 0;
            ++g.to_axes;
          } else {
            pf = j < p.nfrom ? pf * extent(p.from[j++]) : 0;
            ++g.from_axes;
          }
        }
        if (pt == 0 || pf == 0 || g.to_axes > 4 || g.from_axes > 4) return p;
      }
      p.g[p.count++] = g;
    }
    p.ok = i == p.nto && j == p.nfrom;
    return p;
  }

  // The index of reshape r's input from the view's index `ix`: the view's static size-1
  // axes dropped (ix_unsqueeze), each axis group merged and split with static extents
  // (ix_merge, ix_split: divisions by constants), the input's size-1 axes inserted
  // (ix_squeeze). Through the linear index only when the groups need symbolic extents:
  // ix_reshape's 64-bit divisions by run-time extents per element cost a CUDA
  // convolution most of its time.
  constexpr int reshape_index(const node_record& r, const node_record& c, int i, int ix, int guard, int branch) {
    const reshape_groups p = group_reshape(r.shp, c.shp);
    if (!p.ok) {
      step d;
      d.op = step_op::ix_reshape;
      d.rank = r.shp.rank;
      d.crank = c.shp.rank;
      d.node = i;
      d.kids[0] = r.inputs[0];
      d.nkids = 1;
      return derive(d, ix, guard, branch);
    }
    int cix = ix, rank = r.shp.rank;
    for (int a = r.shp.rank - 1; a >= 0; --a) {
      if (!r.shp.d[a].is_static(1)) continue;
      step u;
      u.op = step_op::ix_unsqueeze;
      u.rank = rank;
      u.crank = rank - 1;
      u.axis = a;
      cix = derive(u, cix, guard, branch);
      --rank;
    }
    for (int k = 0, pos = 0, t = 0, f = 0; k < p.count; ++k) {
      const reshape_group g = p.g[k];
      if (g.to_axes > 1) {
        step m;
        m.op = step_op::ix_merge;
        m.rank = rank;
        m.crank = rank - g.to_axes + 1;
        m.axis = pos;
        for (int a = 0; a < g.to_axes; ++a) m.sizes[a] = p.to[t + a].static_value();
        cix = derive(m, cix, guard, branch);
        rank = m.crank;
      }
      if (g.from_axes > 1) {
        step sp;
        sp.op = step_op::ix_split;
        sp.rank = rank;
        sp.crank = rank + g.from_axes - 1;
        sp.axis = pos;
        for (int a = 0; a < g.from_axes; ++a) sp.sizes[a] = p.from[f + a].static_value();
        cix = derive(sp, cix, guard, branch);
        rank = sp.crank;
      }
      pos += g.from_axes;
      t += g.to_axes;
      f += g.from_axes;
    }
    for (int a = 0; a < c.shp.rank; ++a) {
      if (!c.shp.d[a].is_static(1)) continue;
      step q;
      q.op = step_op::ix_squeeze;
      q.rank = rank;
      q.crank = rank + 1;
      q.axis = a;
      cix = derive(q, cix, guard, branch);
      ++rank;
    }
    return cix;
  }

  // An index register derived from `ix` by `s` (its op and parameters set); identical
  // derivations under an available guard share one register.
  constexpr int derive(step s, int ix, int guard, int branch) {
    s.a = ix;
    for (const step& t : steps)
      if (t.op == s.op && t.a == ix && t.node == s.node && t.rank == s.rank && t.crank == s.crank && t.mask == s.mask &&
          t.dmask == s.dmask && t.perm == s.perm && t.axis == s.axis && t.start == s.start && t.stride == s.stride &&
          t.dil == s.dil && t.b == s.b && t.sizes[0] == s.sizes[0] && t.sizes[1] == s.sizes[1] && t.sizes[2] == s.sizes[2] &&
          t.sizes[3] == s.sizes[3] && dominates(t.guard, t.branch, guard, branch))
        return t.out;
    s.out = indices++;
    return emit(s, guard, branch);
  }

  // Index of operand `c` of a broadcasting consumer `p` read at `ix`.
  constexpr int broadcast(int p, int c, int ix, int guard, int branch) {
    const shape& ps = rec_[p].shp;
    const shape& cs = rec_[c].shp;
    std::uint32_t mask = 0, dmask = 0;
    for (int d = 0; d < cs.rank; ++d) {
      mask |= cs.d[d].is_static(1) ? (1u << d) : 0u;
      // a broadcastable symbol differing from the consumer's dim may be 1 while it is not
      if (cs.d[d].broadcastable() && !(cs.d[d] == ps.d[d + ps.rank - cs.rank])) dmask |= 1u << d;
    }
    if (mask == 0 && dmask == 0 && ps.rank == cs.rank) return ix;
    step s;
    s.op = step_op::ix_bcast;
    s.rank = ps.rank;
    s.crank = cs.rank;
    s.mask = mask;
    s.dmask = dmask;
    if (dmask) s.node = c; // whose extents decide
    return derive(s, ix, guard, branch);
  }

  // The register of operand k of node i, read at the index i is read at (broadcast to
  // the operand's shape). Conversion to i's compute type happens when the step runs.
  constexpr int operand(int i, int k, int ix, int guard, int branch) {
    const int c = rec_[i].inputs[k];
    if (rec_[c].kind == op_kind::constant) return value(c, -1, -1, 0); // needs no index, valid everywhere
    return value(c, broadcast(i, c, ix, guard, branch), guard, branch);
  }

  constexpr int make_value(int i, int ix, int guard, int branch) {
    const node_record& r = rec_[i];
    step s;
    s.type = r.type;
    s.code = r.code;
    s.compute = r.compute;
    if ((i != root_ && realized_[i]) || r.kind == op_kind::input) {
      s.op = step_op::load;
      s.node = i;
      s.a = ix;
      s.rank = r.shp.rank;
      s.out = new_value(r.type);
      return emit(s, guard, branch);
    }
    if (r.kind == op_kind::constant) {
      s.op = step_op::constant;
      s.bits = r.bits;
      s.out = new_value(r.type);
      return emit(s, guard, branch);
    }
    if (r.code == op_code::iota) {
      s.op = step_op::iota;
      s.a = ix;
      s.axis = r.axis;
      s.out = new_value(r.type);
      return emit(s, guard, branch);
    }
    if (r.kind == op_kind::gather) return gather(i, ix, guard, branch);
    if (r.kind == op_kind::pointwise && r.code == op_code::where) {
      const int cond = operand(i, 0, ix, guard, branch);
      step sel;
      sel.op = step_op::select;
      sel.a = cond;
      sel.ta = types_[static_cast<std::size_t>(cond)];
      sel.out = new_select(guard, branch);
      emit(sel, guard, branch);
      const int out = new_value(r.type);
      for (int k = 1; k <= 2; ++k) {
        step mv = s;
        mv.op = step_op::move;
        mv.a = operand(i, k, ix, sel.out, k - 1);
        mv.ta = types_[static_cast<std::size_t>(mv.a)];
        mv.out = out;
        emit(mv, sel.out, k - 1);
      }
      return out;
    }
    if (r.kind == op_kind::pointwise) {
      s.op = r.code == op_code::cast ? step_op::cast : step_op::pointwise;
      s.a = operand(i, 0, ix, guard, branch);
      s.ta = types_[static_cast<std::size_t>(s.a)];
      if (r.ninputs == 2) {
        s.b = operand(i, 1, ix, guard, branch);
        s.tb = types_[static_cast<std::size_t>(s.b)];
      }
      s.out = new_value(r.type);
      return emit(s, guard, branch);
    }
    if (r.kind == op_kind::view) {
      const int c = r.inputs[0];
      const int crank = rec_[c].shp.rank;
      step d;
      d.rank = r.shp.rank;
      d.crank = crank;
      d.node = i;
      int cix = ix;
      if (r.code == op_code::reshape) {
        cix = reshape_index(r, rec_[c], i, ix, guard, branch);
      } else if (r.code == op_code::permute) {
        d.op = step_op::ix_permute;
        d.node = -1;
        for (int k = 0; k < r.shp.rank; ++k) d.perm |= static_cast<std::uint32_t>(r.perm[k]) << (4 * k);
        cix = derive(d, ix, guard, branch);
      } else if (r.code == op_code::expand) {
        cix = broadcast(i, c, ix, guard, branch);
      } else if (r.code == op_code::window) {
        d.op = step_op::ix_window;
        d.node = -1;
        d.axis = r.axis;
        d.stride = r.step;
        d.dil = r.stop;
        cix = derive(d, ix, guard, branch);
      } else if (r.code == op_code::flip) {
        d.op = step_op::ix_flip;
        d.axis = r.axis;
        cix = derive(d, ix, guard, branch);
      } else if (r.code == op_code::slice) {
        d.op = step_op::ix_slice;
        d.node = -1;
        d.axis = r.axis;
        d.start = r.start;
        d.stride = r.step;
        cix = derive(d, ix, guard, branch);
      } else {
        d.op = r.code == op_code::squeeze ? step_op::ix_squeeze : step_op::ix_unsqueeze;
        d.node = -1;
        d.axis = r.axis;
        cix = derive(d, ix, guard, branch);
      }
      const int v = value(c, cix, guard, branch);
      if (types_[static_cast<std::size_t>(v)] == r.type) return v;
      s.op = step_op::cast;
      s.a = v;
      s.ta = types_[static_cast<std::size_t>(v)];
      s.out = new_value(r.type);
      return emit(s, guard, branch);
    }
    if (r.kind != op_kind::cat) read_of_unrealized_reduction_or_extern_op();
    // cat: the input covering the index along the axis supplies the value
    step sel;
    sel.op = step_op::ix_cat;
    sel.a = ix;
    sel.rank = r.shp.rank;
    sel.axis = r.axis;
    sel.node = i;
    sel.nkids = r.ninputs;
    for (int k = 0; k < r.ninputs; ++k) sel.kids[k] = r.inputs[k];
    sel.out = new_select(guard, branch);
    sel.out_ix = indices++;
    emit(sel, guard, branch);
    const int out = new_value(r.type);
    for (int k = 0; k < r.ninputs; ++k) {
      step mv = s;
      mv.op = step_op::move;
      mv.a = value(r.inputs[k], sel.out_ix, sel.out, k);
      mv.ta = types_[static_cast<std::size_t>(mv.a)];
      mv.out = out;
      emit(mv, sel.out, k);
    }
    return out;
  }

  // gather: the indices are read at the index's middle axes, then the source at the
  // index with those axes replaced by the index value.
  constexpr int gather(int i, int ix, int guard, int branch) {
    const node_record& r = rec_[i];
    const int src = r.inputs[0], idx = r.inputs[1];
    step take;
    take.op = step_op::ix_range;
    take.rank = r.shp.rank;
    take.crank = rec_[idx].shp.rank;
    take.axis = r.axis;
    const int at = value(idx, derive(take, ix, guard, branch), guard, branch);
    step g;
    g.op = step_op::ix_gather;
    g.rank = r.shp.rank;
    g.crank = rec_[src].shp.rank;
    g.axis = r.axis;
    g.node = src; // whose extent the index is clamped to
    g.b = at;
    g.tb = types_[static_cast<std::size_t>(at)];
    const int v = value(src, derive(g, ix, guard, branch), guard, branch);
    if (types_[static_cast<std::size_t>(v)] == r.type) return v;
    step s;
    s.op = step_op::cast;
    s.type = s.compute = r.type;
    s.a = v;
    s.ta = types_[static_cast<std::size_t>(v)];
    s.out = new_value(r.type);
    return emit(s, guard, branch);
  }

  const std::array<node_record, N>& rec_;
  const std::array<bool, N>& realized_;
  int root_;
  std::vector<memo> memo_;
  std::vector<select_origin> origin_; // per value register; meaningful for select registers
  std::vector<dtype> types_;          // per value register
};
} // namespace detail

// The program computing node `i` at an index inside the kernel whose root is `root`.
template <std::size_t N>
constexpr int program_size(const std::array<node_record, N>& rec, const std::array<bool, N>& realized, int i, int root) {
  detail::program_builder<N> b(rec, realized, root);
  b.value(i, 0, -1, 0);
  return static_cast<int>(b.steps.size());
}

template <int Steps, std::size_t N>
constexpr kernel_program<Steps> make_program(const std::array<node_record, N>& rec, const std::array<bool, N>& realized,
                                             int i, int root) {
  detail::program_builder<N> b(rec, realized, root);
  kernel_program<Steps> p;
  p.result = b.value(i, 0, -1, 0);
  for (int k = 0; k < Steps; ++k) p.steps[k] = b.steps[static_cast<std::size_t>(k)];
  p.values = b.values;
  p.indices = b.indices;
  return p;
}

} // namespace coil
