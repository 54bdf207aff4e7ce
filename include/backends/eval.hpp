// The expression evaluator shared by the CPU and CUDA emitters: the value of node I at
// index `ix` inside the kernel rooted at Root, recomputing inlined nodes and reading
// realized ones from memory. The body is the node's kernel program (kernel_program.hpp),
// run as straight-line code: one fold over its steps, each step a small function keyed
// by the step's value (op, registers, ranks), not by the graph. Everything here is
// COIL_HOST_DEVICE.
#pragma once
#include <bit>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "../ir/op_index.hpp"
#include "../ir/op_leaf.hpp"
#include "../ir/op_pointwise.hpp"
#include "../schedule/plan.hpp"
#include "exec_state.hpp"
#include "kernel_program.hpp"

namespace coil::kernel {

// A program is what a backend instantiates: `graph` (the graph type) and `plan`.
template <class P> using graph_t = typename P::graph;

template <class P, int I> inline constexpr node_record record_v = P::graph::records[I];
template <class P, int I> using value_t = element_t<record_v<P, I>.type>;

// Offset of an index in a node's memory, given its element strides.
template <int Rank> COIL_HOST_DEVICE COIL_INLINE std::int64_t offset_in(const std::int64_t* str, const index_t& ix) {
  std::int64_t off = 0;
  for (int d = 0; d < Rank; ++d) off += ix.v[d] * str[d];
  return off;
}

template <class P, int I, int N> COIL_HOST_DEVICE COIL_INLINE std::int64_t offset_of(const exec_state<N>& s, const index_t& ix) {
  return offset_in<record_v<P, I>.shp.rank>(s.str[I], ix);
}

// What custom kernel R is called with (ops/custom.hpp): the call's pointers, extents and
// strides of its output and its realized inputs (the CPU loops and the CUDA launcher).
template <class P, int R, int N> custom_call custom_call_of(const exec_state<N>& s) {
  constexpr node_record r = record_v<P, R>;
  custom_call c;
  c.out = const_cast<void*>(s.data[R]);
  c.out_ext = s.ext[R];
  c.out_str = s.str[R];
  for (int k = 0; k < r.ninputs; ++k) {
    c.in[k] = s.data[r.inputs[k]];
    c.in_ext[k] = s.ext[r.inputs[k]];
    c.in_str[k] = s.str[r.inputs[k]];
  }
  return c;
}

// The axes reduction R folds (its input's axes in order), known at compile time.
struct folded_axes {
  int n = 0;
  int axis[max_rank]{};
};
template <class P, int R> constexpr folded_axes folded_axes_v = [] {
  constexpr node_record r = record_v<P, R>;
  folded_axes a;
  for (int d = 0; d < record_v<P, r.inputs[0]>.shp.rank; ++d)
    if ((r.axes >> d) & 1u) a.axis[a.n++] = d;
  return a;
}();

// Where reduction R reads its input at output index oix: the folded axes, their extents
// and count, and the input index with the kept axes filled in (the folded ones are the
// caller's loop). Shared by the CPU loops and the CUDA kernels. The loop is unrolled in
// device code, so every array index is a constant and a kernel keeps the frame in
// registers (not unrolled, the arrays went to local memory).
struct fold_frame {
  int folded[max_rank]{};
  std::int64_t fext[max_rank]{};
  int nfolded = 0;
  std::int64_t count = 1;
  index_t cix{};
};
template <class P, int R, int N> COIL_HOST_DEVICE COIL_INLINE fold_frame fold_of(const exec_state<N>& s, const index_t& oix) {
  constexpr node_record r = record_v<P, R>;
  constexpr int c = r.inputs[0];
  fold_frame f;
  f.nfolded = folded_axes_v<P, R>.n;
  COIL_UNROLL
  for (int d = 0; d < record_v<P, c>.shp.rank; ++d) {
    const int below = std::popcount(r.axes & ((1u << d) - 1u)); // folded axes before d
    if ((r.axes >> d) & 1u) {
      f.folded[below] = d;
      f.fext[below] = s.ext[c][d];
      f.count *= s.ext[c][d];
    } else {
      f.cix.v[d] = oix.v[r.keepdim ? d : d - below];
    }
  }
  return f;
}

// A value register: any element type.
union value_slot {
  bool b;
  std::int32_t i;
  std::int64_t l;
  float f;
  double d;
};
template <class T> COIL_HOST_DEVICE COIL_INLINE T& slot_as(value_slot& v) {
  if constexpr (std::is_same_v<T, bool>) return v.b;
  else if constexpr (std::is_same_v<T, std::int32_t>) return v.i;
  else if constexpr (std::is_same_v<T, std::int64_t>) return v.l;
  else if constexpr (std::is_same_v<T, float>) return v.f;
  else return v.d;
}

// Runs one step of a kernel program.
template <step S, int N>
COIL_HOST_DEVICE COIL_INLINE void run_step(value_slot* v, index_t* x, const exec_state<N>& s) {
  if constexpr (S.guard >= 0) {
    if (v[S.guard].l != S.branch) {
      if constexpr (S.op == step_op::select || S.op == step_op::ix_cat) v[S.out].l = -1; // nested branches stay off
      return;
    }
  }
  using T = element_t<S.type>;
  using A = element_t<S.ta>;
  if constexpr (S.op == step_op::load) {
    slot_as<T>(v[S.out]) = static_cast<const T*>(s.data[S.node])[offset_in<S.rank>(s.str[S.node], x[S.a])];
  } else if constexpr (S.op == step_op::constant) {
    slot_as<T>(v[S.out]) = constant_value<T>(S.type, S.bits);
  } else if constexpr (S.op == step_op::pointwise) {
    using C = element_t<S.compute>;
    if constexpr (S.b < 0) {
      slot_as<T>(v[S.out]) = convert<T>(apply_pointwise<S.code, C>(scalar::cast<C>(slot_as<A>(v[S.a]))));
    } else {
      using B = element_t<S.tb>;
      slot_as<T>(v[S.out]) = convert<T>(
          apply_pointwise<S.code, C>(scalar::cast<C>(slot_as<A>(v[S.a])), scalar::cast<C>(slot_as<B>(v[S.b]))));
    }
  } else if constexpr (S.op == step_op::cast) {
    slot_as<T>(v[S.out]) = scalar::cast<T>(slot_as<A>(v[S.a]));
  } else if constexpr (S.op == step_op::select) {
    v[S.out].l = convert<bool>(slot_as<A>(v[S.a])) ? 0 : 1;
  } else if constexpr (S.op == step_op::move) {
    if constexpr (S.code == op_code::where)
      slot_as<T>(v[S.out]) = convert<T>(scalar::cast<element_t<S.compute>>(slot_as<A>(v[S.a])));
    else slot_as<T>(v[S.out]) = convert<T>(slot_as<A>(v[S.a]));
  } else if constexpr (S.op == step_op::ix_bcast) {
    index_t& out = x[S.out];
    const index_t& in = x[S.a];
    for (int j = 0; j < S.crank; ++j) out.v[j] = ((S.mask >> j) & 1u) ? 0 : in.v[j + S.rank - S.crank];
    if constexpr (S.dmask != 0)
      for (int j = 0; j < S.crank; ++j)
        if (((S.dmask >> j) & 1u) && s.ext[S.node][j] == 1) out.v[j] = 0;
  } else if constexpr (S.op == step_op::ix_permute) {
    for (int d = 0; d < S.rank; ++d) x[S.out].v[(S.perm >> (4 * d)) & 15u] = x[S.a].v[d];
  } else if constexpr (S.op == step_op::ix_reshape) {
    std::int64_t lin = 0;
    for (int d = 0; d < S.rank; ++d) lin = lin * s.ext[S.node][d] + x[S.a].v[d];
    for (int d = S.crank - 1; d >= 0; --d) {
      const std::int64_t e = s.ext[S.kids[0]][d];
      x[S.out].v[d] = e ? lin % e : 0;
      lin = e ? lin / e : 0;
    }
  } else if constexpr (S.op == step_op::ix_merge) {
    constexpr int k = S.rank - S.crank + 1;
    const index_t& in = x[S.a];
    index_t& out = x[S.out];
    std::int64_t m = in.v[S.axis];
    for (int t = 1; t < k; ++t) m = m * S.sizes[t] + in.v[S.axis + t];
    for (int d = 0; d < S.axis; ++d) out.v[d] = in.v[d];
    out.v[S.axis] = m;
    for (int d = S.axis + 1; d < S.crank; ++d) out.v[d] = in.v[d + k - 1];
  } else if constexpr (S.op == step_op::ix_split) {
    constexpr int k = S.crank - S.rank + 1;
    const index_t& in = x[S.a];
    index_t& out = x[S.out];
    for (int d = 0; d < S.axis; ++d) out.v[d] = in.v[d];
    for (int d = S.axis + 1; d < S.rank; ++d) out.v[d + k - 1] = in.v[d];
    // divisions by constants; in 32 bits when the split axis's extent fits (much cheaper
    // on a GPU than 64-bit division)
    constexpr std::int64_t extent = [] {
      std::int64_t e = 1;
      for (int t = 0; t < k; ++t) e *= S.sizes[t];
      return e;
    }();
    using U = std::conditional_t<(extent <= 0xffffffffLL), std::uint32_t, std::uint64_t>;
    U m = static_cast<U>(in.v[S.axis]);
    for (int t = k - 1; t > 0; --t) {
      out.v[S.axis + t] = static_cast<std::int64_t>(m % static_cast<U>(S.sizes[t]));
      m /= static_cast<U>(S.sizes[t]);
    }
    out.v[S.axis] = static_cast<std::int64_t>(m);
  } else if constexpr (S.op == step_op::ix_slice) {
    x[S.out] = x[S.a];
    x[S.out].v[S.axis] = S.start + x[S.a].v[S.axis] * S.stride;
  } else if constexpr (S.op == step_op::ix_squeeze) {
    for (int d = 0, j = 0; d < S.crank; ++d) x[S.out].v[d] = d == S.axis ? 0 : x[S.a].v[j++];
  } else if constexpr (S.op == step_op::ix_unsqueeze) {
    for (int d = 0, j = 0; d < S.rank; ++d)
      if (d != S.axis) x[S.out].v[j++] = x[S.a].v[d];
  } else if constexpr (S.op == step_op::iota) {
    v[S.out].l = x[S.a].v[S.axis];
  } else if constexpr (S.op == step_op::ix_window) {
    const index_t& in = x[S.a];
    index_t& out = x[S.out];
    for (int d = 0; d < S.axis; ++d) out.v[d] = in.v[d];
    out.v[S.axis] = in.v[S.axis] * S.stride + in.v[S.axis + 1] * S.dil;
    for (int d = S.axis + 1; d < S.crank; ++d) out.v[d] = in.v[d + 1];
  } else if constexpr (S.op == step_op::ix_flip) {
    x[S.out] = x[S.a];
    x[S.out].v[S.axis] = s.ext[S.node][S.axis] - 1 - x[S.a].v[S.axis];
  } else if constexpr (S.op == step_op::ix_range) {
    for (int d = 0; d < S.crank; ++d) x[S.out].v[d] = x[S.a].v[d + S.axis];
  } else if constexpr (S.op == step_op::ix_gather) {
    const index_t& in = x[S.a];
    index_t& out = x[S.out];
    constexpr int irank = S.rank - S.crank + 1; // the indices' rank
    for (int d = 0; d < S.axis; ++d) out.v[d] = in.v[d];
    const std::int64_t n = s.ext[S.node][S.axis];
    const std::int64_t at = static_cast<std::int64_t>(slot_as<element_t<S.tb>>(v[S.b]));
    out.v[S.axis] = at < 0 ? 0 : (at >= n ? (n > 0 ? n - 1 : 0) : at); // in range: see gather_op
    for (int d = S.axis + 1; d < S.crank; ++d) out.v[d] = in.v[d + irank - 1];
  } else { // ix_cat: walk the inputs in order; the first whose extent covers the index supplies it
    std::int64_t at = x[S.a].v[S.axis];
    std::int64_t pick = S.nkids - 1;
    for (int k = 0; k < S.nkids; ++k) {
      const std::int64_t n = s.ext[S.kids[k]][S.axis];
      if (at < n) {
        pick = k;
        break;
      }
      at -= n;
    }
    x[S.out_ix] = x[S.a];
    x[S.out_ix].v[S.axis] = at;
    v[S.out].l = pick;
  }
}

// The node whose extents a stage iterates: a reduction's input, else the stage itself;
// and the one a row kernel K iterates (that of its first stage: [outer..., row]).
template <std::size_t N> constexpr int stage_space(const std::array<node_record, N>& rec, int i) {
  return rec[i].kind == op_kind::reduction ? rec[i].inputs[0] : i;
}
template <class P, int K> inline constexpr int kernel_space_v = stage_space(P::graph::records, P::plan.stage_node[P::plan.kernel_begin[K]]);

// The kernel program of node I inside the kernel rooted at Root.
template <class P, int I, int Root>
inline constexpr auto program_v = make_program<program_size(P::graph::records, P::plan.realized, I, Root)>(
    P::graph::records, P::plan.realized, I, Root);

// The value of node I at `ix`, computed inside the kernel rooted at Root, each step run by
// `run.template operator()<S, J>(v, x)` (J: the step's number in the program): a backend
// that keeps some loads elsewhere (CUDA's row kernels: shared memory, registers) passes its
// own step runner.
template <class P, int I, int Root, class Run> COIL_HOST_DEVICE COIL_INLINE auto eval_with(const index_t& ix, const Run& run) {
  // constants copied out of the program: device code may not refer to the host variable
  constexpr int values = program_v<P, I, Root>.values, indices = program_v<P, I, Root>.indices;
  constexpr int result = program_v<P, I, Root>.result;
  constexpr std::size_t steps = program_v<P, I, Root>.steps.size();
  value_slot v[values]{};
  index_t x[indices]{};
  x[0] = ix;
  [&]<std::size_t... J>(std::index_sequence<J...>) {
    (run.template operator()<program_v<P, I, Root>.steps[J], J>(v, x), ...);
  }(std::make_index_sequence<steps>{});
  return slot_as<value_t<P, I>>(v[result]);
}

// The value of node I at `ix`, computed inside the kernel rooted at Root.
template <class P, int I, int Root, int N> COIL_HOST_DEVICE COIL_INLINE auto eval(const exec_state<N>& s, const index_t& ix) {
  return eval_with<P, I, Root>(ix, [&]<step S, std::size_t>(value_slot* v, index_t* x) { run_step<S>(v, x, s); });
}

// One line of scan R (cumsum, cumprod) through `ix` (its scan-axis entry is overwritten):
// the running value in double (floating) or int64, written at every step. Shared by the
// CPU loop and the CUDA kernel.
template <class P, int R, int N> COIL_HOST_DEVICE COIL_INLINE void scan_line(const exec_state<N>& s, index_t ix) {
  constexpr node_record r = record_v<P, R>;
  constexpr int c = r.inputs[0], a = r.axis;
  using T = value_t<P, R>;
  using Acc = std::conditional_t<std::is_floating_point_v<T>, double, std::int64_t>;
  T* out = static_cast<T*>(const_cast<void*>(s.data[R]));
  Acc acc = r.code == op_code::cumsum ? Acc(0) : Acc(1);
  for (std::int64_t j = 0; j < s.ext[R][a]; ++j) {
    ix.v[a] = j;
    const Acc v = static_cast<Acc>(eval<P, c, R>(s, ix));
    acc = r.code == op_code::cumsum ? scalar::wrap_add(acc, v) : scalar::wrap_mul(acc, v);
    out[offset_of<P, R>(s, ix)] = static_cast<T>(acc);
  }
}

} // namespace coil::kernel
