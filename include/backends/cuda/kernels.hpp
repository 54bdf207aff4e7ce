// CUDA kernels that execute a Plan: the same kernel kinds as the CPU loops (cpu/loops.hpp),
// with the same evaluator (backends/eval.hpp) inside. Compiled only by nvcc.
//
//   pointwise   a block per run of rows, threads along the innermost axis (coalesced),
//               8 floats per thread with 16-byte loads/stores when aligned (vector mode);
//               a flat grid-stride loop when the innermost axis is short
//   reduction   a warp per output element when it folds few inputs, else a block, a
//               deterministic shuffle (and block) reduce (fixed tree); few outputs over
//               many inputs: a block per slice of each output, then a block per output
//               combining the slices (two stages, also fixed)
//   rows        rows.hpp keeps the row on chip; the fallback here: a block per outer
//               index runs every stage of the row kernel (softmax's max, sum and output,
//               layer_norm's mean, variance and output) in order, and later stages re-read
//               the row, usually from L1/L2
//   matmul      cuBLAS (runtime/cuda_model.hpp launches it)
//
// Launch shapes are chosen at run time from the bound extents; the block size is fixed, so
// the reduction order, and so the result, is the same on every call.
#pragma once
#if defined(__CUDACC__)
#include <cuda_runtime.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "../eval.hpp"
#include "../exec_state.hpp"

namespace coil::cuda_kernel {

using kernel::eval;
using kernel::offset_in;
using kernel::offset_of;
using kernel::record_v;
using kernel::value_t;
using kernel::fold_frame;
using kernel::fold_of;

inline constexpr int block_threads = 256;

// Accumulator of a reduction, as on the CPU: floating sums in double, integers in int64.
template <class In> using acc_t = std::conditional_t<std::is_floating_point_v<In>, double, std::int64_t>;

// A partial result of a reduction: the running sum/product, or the best value so far and
// its flat position (argmax/argmin; the first position wins ties, NaN wins all). amax and
// amin keep the value only: an empty partial holds -inf (+inf), the identity, and any NaN
// wins (a call-time guard keeps these reductions off empty axes).
template <class In> struct partial {
  acc_t<In> acc;
  In best;
  std::int64_t at; // -1: empty
};

template <op_code C> inline constexpr bool value_only = C == op_code::amax || C == op_code::amin;
template <op_code C, class In> __device__ __forceinline__ partial<In> empty_partial() {
  partial<In> p{};
  p.acc = C == op_code::prod ? acc_t<In>(1) : acc_t<In>(0);
  p.at = -1;
  if constexpr (value_only<C>) {
    using lim = std::numeric_limits<In>;
    if constexpr (lim::has_infinity) p.best = C == op_code::amax ? -lim::infinity() : lim::infinity();
    else p.best = C == op_code::amax ? lim::lowest() : lim::max();
  }
  return p;
}
// amax/amin of two values: a NaN wins (for float on sm_80 and later, one max.NaN / min.NaN
// instruction).
template <op_code C, class In> __device__ __forceinline__ In best_of(In a, In b) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  if constexpr (std::is_same_v<In, float>) {
    float r;
    if constexpr (C == op_code::amax) asm("max.NaN.f32 %0, %1, %2;" : "=f"(r) : "f"(a), "f"(b));
    else asm("min.NaN.f32 %0, %1, %2;" : "=f"(r) : "f"(a), "f"(b));
    return r;
  }
#endif
  if (scalar::isnan_(a)) return a;
  if (scalar::isnan_(b)) return b;
  return (C == op_code::amax ? b > a : b < a) ? b : a;
}

template <op_code C, class In> __device__ __forceinline__ partial<In> combine(const partial<In>& a, const partial<In>& b) {
  if constexpr (C == op_code::sum || C == op_code::mean) {
    partial<In> r = a;
    r.acc = scalar::wrap_add(a.acc, b.acc);
    return r;
  } else if constexpr (C == op_code::prod) {
    partial<In> r = a;
    r.acc = scalar::wrap_mul(a.acc, b.acc);
    return r;
  } else if constexpr (value_only<C>) {
    partial<In> r = a;
    r.best = best_of<C>(a.best, b.best);
    return r;
  } else {
    if (a.at < 0) return b;
    if (b.at < 0) return a;
    const bool an = scalar::isnan_(a.best), bn = scalar::isnan_(b.best);
    if (an || bn) return an && bn ? (a.at < b.at ? a : b) : (an ? a : b);
    constexpr bool is_max = C == op_code::amax || C == op_code::argmax;
    const bool a_wins = is_max ? a.best > b.best : a.best < b.best;
    const bool b_wins = is_max ? b.best > a.best : b.best < a.best;
    if (a_wins) return a;
    if (b_wins) return b;
    return a.at < b.at ? a : b;
  }
}

template <op_code C, class In> __device__ __forceinline__ void add_value(partial<In>& p, In v, std::int64_t at) {
  if constexpr (C == op_code::sum || C == op_code::mean) {
    p.acc = scalar::wrap_add(p.acc, static_cast<acc_t<In>>(v));
  } else if constexpr (C == op_code::prod) {
    p.acc = scalar::wrap_mul(p.acc, static_cast<acc_t<In>>(v));
  } else if constexpr (value_only<C>) {
    p.best = best_of<C>(p.best, v);
  } else {
    partial<In> q{};
    q.best = v;
    q.at = at;
    p = combine<C>(p, q);
  }
}

// Moves a partial between lanes (within segments of `width` lanes), only the fields the
// reduction uses: the sum for sum/mean/prod, the best value and its position otherwise.
template <class In> __device__ __forceinline__ In shuffle_value(unsigned mask, In v, int lane, int width, bool down) {
  if constexpr (std::is_same_v<In, bool>) {
    const int w = static_cast<int>(v);
    return (down ? __shfl_down_sync(mask, w, lane, width) : __shfl_sync(mask, w, lane, width)) != 0;
  } else {
    return down ? __shfl_down_sync(mask, v, lane, width) : __shfl_sync(mask, v, lane, width);
  }
}
template <op_code C, class In> __device__ __forceinline__ partial<In> shuffle_partial(const partial<In>& p, int lane, int width, bool down) {
  partial<In> q = p;
  if constexpr (C == op_code::sum || C == op_code::mean || C == op_code::prod) {
    q.acc = shuffle_value(0xffffffffu, p.acc, lane, width, down);
  } else if constexpr (value_only<C>) {
    q.best = shuffle_value(0xffffffffu, p.best, lane, width, down);
  } else {
    q.best = shuffle_value(0xffffffffu, p.best, lane, width, down);
    q.at = shuffle_value(0xffffffffu, p.at, lane, width, down);
  }
  return q;
}
template <op_code C, class In> __device__ __forceinline__ partial<In> shuffle_down(const partial<In>& p, int by, int width = 32) {
  return shuffle_partial<C>(p, by, width, true);
}
// The partial of lane `lane` of this thread's segment of `width` lanes.
template <op_code C, class In> __device__ __forceinline__ partial<In> shuffle_from(const partial<In>& p, int lane, int width) {
  return shuffle_partial<C>(p, lane, width, false);
}

// The value a reduction stores from its final partial over `count` elements.
template <op_code C, class T, class In> __device__ __forceinline__ T finish(const partial<In>& p, std::int64_t count) {
  if constexpr (C == op_code::sum || C == op_code::prod) return static_cast<T>(p.acc);
  else if constexpr (C == op_code::mean) return static_cast<T>(static_cast<double>(p.acc) / static_cast<double>(count));
  else if constexpr (C == op_code::amax || C == op_code::amin) return static_cast<T>(p.best);
  else return static_cast<T>(p.at);
}

// Reduces one partial per thread of the block into the result every thread gets back: a
// shuffle tree inside each warp (lane 0 ends with the warp's result), then the warps'
// results in warp order. The same tree on every call, so the same result.
template <op_code C, class In> __device__ __forceinline__ partial<In> warp_reduce(partial<In> p) {
  for (int by = 16; by > 0; by /= 2) p = combine<C>(p, shuffle_down<C>(p, by));
  return p; // lane 0 holds the warp's result
}
template <op_code C, class In> __device__ partial<In> block_reduce(partial<In> p) {
  constexpr int warps = block_threads / 32;
  __shared__ partial<In> per_warp[warps];
  p = warp_reduce<C>(p);
  const int lane = static_cast<int>(threadIdx.x) % 32, warp = static_cast<int>(threadIdx.x) / 32;
  if (lane == 0) per_warp[warp] = p;
  __syncthreads();
  partial<In> r = per_warp[0];
  for (int w = 1; w < warps; ++w) r = combine<C>(r, per_warp[w]);
  __syncthreads(); // per_warp is reused by the next reduction of this block
  return r;
}

// 16-byte loads per operand and thread in the vector mode, and the blocks per
// multiprocessor its registers are capped for (__launch_bounds__).
#ifndef COIL_CUDA_PW_LOADS
#define COIL_CUDA_PW_LOADS 2
#endif
#ifdef COIL_CUDA_PW_MIN_BLOCKS
#define COIL_CUDA_PW_BOUNDS __launch_bounds__(block_threads, COIL_CUDA_PW_MIN_BLOCKS)
#else // (an explicit minimum of 1 block makes ptxas take more registers: 66 instead of 48 for W1)
#define COIL_CUDA_PW_BOUNDS __launch_bounds__(block_threads)
#endif
template <class T> inline constexpr int vector_lanes = COIL_CUDA_PW_LOADS * 16 / static_cast<int>(sizeof(T));

// Lanes: a program evaluated at V consecutive inner indices by one thread. A load whose
// index moves by one along its inner axis from lane to lane is read in 16-byte loads for
// all lanes; other steps run once per lane. Used by the pointwise vector mode (I = Root:
// the output) and by reductions over an input's innermost axis (I: the input, Root: the
// reduction). The launchers take these paths only when every such load is contiguous
// along the inner axis and 16-byte aligned at every chunk (checked at run time).
//
// Which axis of each index register moves with the lanes is followed through the index
// steps: broadcasts, permutes, squeezes and unit slices and windows move it; a merge
// whose last axis moves, and a split of the moving axis, keep it moving by one when that
// axis's static extent is a multiple of every lane count (lanes never straddle its rows),
// provided the lanes start at a multiple of the lane count there (`aligned`: not after a
// slice's or a window's offset). Anything else (a gather, a cat, the linear reshape)
// stops it.
inline constexpr int per_lane = -3; // lane_plan::shared: the step runs for every lane
template <int Steps> struct lane_plan {
  std::array<bool, Steps> vector_load{}; // step j is one 16-byte load for all lanes
  bool any = false;                      // some step is
  // Index step j runs for lane 0 only when not per_lane: the other lanes copy its index
  // (-1), or copy it and add their lane number on axis shared[j] (>= 0).
  std::array<int, Steps> shared{};
};
template <class P, int I, int Root> constexpr auto make_lane_plan() {
  constexpr auto& prog = kernel::program_v<P, I, Root>;
  constexpr int steps = static_cast<int>(prog.steps.size());
  lane_plan<steps> lp;
  constexpr int regs = prog.indices > 0 ? prog.indices : 1;
  std::array<int, regs> moving{};   // the axis that moves by one per lane; -1: invariant, -2: neither
  std::array<bool, regs> aligned{}; // its entry at lane 0 is a multiple of the lane count
  constexpr std::size_t lane_size = sizeof(value_t<P, I>);
  constexpr std::int64_t lanes = COIL_CUDA_PW_LOADS * 16 / static_cast<std::int64_t>(lane_size); // the most any path uses
  moving[0] = record_v<P, I>.shp.rank - 1;
  aligned[0] = true;
  for (int j = 0; j < steps; ++j) {
    const step& t = prog.steps[j];
    lp.shared[j] = per_lane;
    if (t.op == step_op::load) {
      lp.vector_load[j] = t.rank > 0 && moving[t.a] == t.rank - 1 && aligned[t.a] && t.guard < 0 &&
                          dtype_size(t.type) == static_cast<int>(lane_size);
      lp.any = lp.any || lp.vector_load[j];
      continue;
    }
    if (t.op == step_op::ix_cat) { // a guarded pick
      moving[t.out_ix] = -2;
      continue;
    }
    if (t.op < step_op::ix_bcast || t.op > step_op::ix_gather || t.op == step_op::iota) continue; // value registers
    const int in = moving[t.a];
    int out = -2;
    bool al = aligned[t.a];
    switch (t.op) {
    case step_op::ix_bcast: {
      // (dmask: a broadcastable symbol that may be bound to 1 there, read at 0 then)
      const int d = in - (t.rank - t.crank);
      out = in < 0 ? in : d < 0 || ((t.mask >> d) & 1u) ? -1 : ((t.dmask >> d) & 1u) ? -2 : d;
      break;
    }
    case step_op::ix_permute:
      out = in < 0 ? in : static_cast<int>((t.perm >> (4 * in)) & 15u);
      break;
    case step_op::ix_squeeze: // inserts a 0 at t.axis
      out = in < 0 ? in : in < t.axis ? in : in + 1;
      break;
    case step_op::ix_unsqueeze: // drops t.axis
      out = in < 0 ? in : in == t.axis ? -2 : in < t.axis ? in : in - 1;
      break;
    case step_op::ix_slice:
      out = in < 0 || in != t.axis ? in : t.stride == 1 ? in : -2;
      al = al && (in != t.axis || t.start % lanes == 0);
      break;
    case step_op::ix_window: // axes (position, offset) -> position * stride + offset * dil
      out = in < t.axis ? in : in == t.axis ? (t.stride == 1 ? in : -2) : in == t.axis + 1 ? (t.dil == 1 ? t.axis : -2) : in - 1;
      al = al && (in != t.axis && in != t.axis + 1); // the other axis's term offsets the lanes
      break;
    case step_op::ix_merge: {
      const int k = t.rank - t.crank + 1;
      out = in < t.axis ? in : in >= t.axis + k ? in - (k - 1) : in == t.axis + k - 1 && t.sizes[k - 1] % lanes == 0 ? t.axis : -2;
      break;
    }
    case step_op::ix_split: {
      const int k = t.crank - t.rank + 1;
      out = in < t.axis ? in : in > t.axis ? in + k - 1 : al && t.sizes[k - 1] % lanes == 0 ? t.axis + k - 1 : -2;
      break;
    }
    case step_op::ix_reshape: case step_op::ix_flip: case step_op::ix_range: // index functions of the index alone
      out = in == -1 ? -1 : -2;
      break;
    default: // ix_gather reads a value register: per lane
      out = -2;
      break;
    }
    moving[t.out] = out;
    aligned[t.out] = al;
    if (t.guard < 0 && out != -2) lp.shared[j] = out;
  }
  return lp;
}
template <class P, int I, int Root = I> inline constexpr auto lane_plan_v = make_lane_plan<P, I, Root>();

// offset_in for an operand whose innermost stride the launcher checked to be 1 (the vector
// mode): one multiply fewer per axis-free load.
template <int Rank> __device__ __forceinline__ std::int64_t offset_unit_inner(const std::int64_t* str, const index_t& ix) {
  std::int64_t o = ix.v[Rank - 1];
#pragma unroll
  for (int d = 0; d < Rank - 1; ++d) o += str[d] * ix.v[d];
  return o;
}

// The values of I (a program rooted at Root) at V consecutive inner indices from ix.
template <class P, int I, int Root, int V, int N>
__device__ __forceinline__ void eval_lanes(const exec_state<N>& s, const index_t& ix, value_t<P, I>* outv) {
  constexpr int values = kernel::program_v<P, I, Root>.values, indices = kernel::program_v<P, I, Root>.indices;
  constexpr int result = kernel::program_v<P, I, Root>.result;
  constexpr std::size_t steps = kernel::program_v<P, I, Root>.steps.size();
  constexpr int last = record_v<P, I>.shp.rank - 1;
  kernel::value_slot v[V][values]{};
  index_t x[V][indices]{};
#pragma unroll
  for (int l = 0; l < V; ++l) {
    x[l][0] = ix;
    x[l][0].v[last] += l;
  }
  [&]<std::size_t... J>(std::index_sequence<J...>) {
    ([&] {
      constexpr step S = kernel::program_v<P, I, Root>.steps[J];
      if constexpr (lane_plan_v<P, I, Root>.vector_load[J]) {
        using T = element_t<S.type>;
        const T* p = static_cast<const T*>(s.data[S.node]) + offset_unit_inner<S.rank>(s.str[S.node], x[0][S.a]);
        union {
          uint4 q[V * sizeof(T) / 16];
          T e[V];
        } u;
#pragma unroll
        for (int w = 0; w < static_cast<int>(V * sizeof(T) / 16); ++w) u.q[w] = __ldg(reinterpret_cast<const uint4*>(p) + w);
#pragma unroll
        for (int l = 0; l < V; ++l) kernel::slot_as<T>(v[l][S.out]) = u.e[l];
      } else if constexpr (constexpr int axis = lane_plan_v<P, I, Root>.shared[J]; axis != per_lane) {
        // the same derivation for every lane, up to the lane number along `axis`: once
        kernel::run_step<S>(v[0], x[0], s);
#pragma unroll
        for (int l = 1; l < V; ++l) {
          x[l][S.out] = x[0][S.out];
          if constexpr (axis >= 0) x[l][S.out].v[axis] += l;
        }
      } else {
#pragma unroll
        for (int l = 0; l < V; ++l) kernel::run_step<S>(v[l], x[l], s);
      }
    }(), ...);
  }(std::make_index_sequence<steps>{});
#pragma unroll
  for (int l = 0; l < V; ++l) outv[l] = kernel::slot_as<value_t<P, I>>(v[l][result]);
}

// Lanes a reduction reads its input in: V = 16 / sizeof(input) consecutive positions per
// thread and step, through eval_lanes, when the innermost input axis is the last folded
// one and some load of the input program moves along it (its lanes are then one 16-byte
// load); else 1, a position at a time. The launcher takes the lanes only when that
// axis's extent is a multiple of V and the lane loads are aligned (reduction_lanes_ready).
template <class P, int R> constexpr int make_reduce_lanes() {
  constexpr int c = record_v<P, R>.inputs[0];
  constexpr int rank = record_v<P, c>.shp.rank;
  constexpr kernel::folded_axes fa = kernel::folded_axes_v<P, R>;
  constexpr std::size_t size = sizeof(value_t<P, c>);
  if constexpr (rank == 0 || fa.n == 0 || size < 4 || size > 8) return 1;
  else if constexpr (fa.axis[fa.n - 1] != rank - 1 || !lane_plan_v<P, c, R>.any) return 1;
  else return static_cast<int>(16 / size);
}
template <class P, int R> inline constexpr int reduce_lanes_v = make_reduce_lanes<P, R>();

// This thread's partial of reduction R over the folded positions [begin, end) of its input
// at the output's frame f, for a group of Threads threads (a block, or a warp) of which this
// is number t. Positions go in units of V (1, or reduce_lanes_v: V consecutive positions
// along the innermost input axis, read by eval_lanes), and begin and end count units.
// Consecutive threads take consecutive units: coalesced when the innermost input axis is
// folded. The folded axes are compile-time (folded_axes_v), so the input index, the
// digits and the extents below stay in registers. Every value is added in the order of its
// position within a thread, and the group combines the threads' partials in a fixed tree,
// so a call gives the same bits every time (the lanes, taken or not by alignment, may
// round a sum differently).
#ifndef COIL_CUDA_REDUCE_LOADS
#define COIL_CUDA_REDUCE_LOADS 4 // units a thread loads before adding them
#endif
template <class P, int R, int V, int Threads, int N>
__device__ __forceinline__ partial<kernel::value_t<P, record_v<P, R>.inputs[0]>>
thread_range_partial(const exec_state<N>& s, const fold_frame& f, std::int64_t begin, std::int64_t end, int t) {
  constexpr node_record r = record_v<P, R>;
  constexpr int c = r.inputs[0];
  constexpr kernel::folded_axes fa = kernel::folded_axes_v<P, R>;
  using In = value_t<P, c>;
  constexpr int U = COIL_CUDA_REDUCE_LOADS;
  partial<In> p = empty_partial<r.code, In>();
  index_t cix = f.cix;
  auto load_unit = [&](In* v) { // the V values at cix
    if constexpr (V == 1) v[0] = static_cast<In>(eval<P, c, R>(s, cix));
    else eval_lanes<P, c, R, V>(s, cix, v);
  };
  auto add_unit = [&](const In* v, std::int64_t unit) {
#pragma unroll
    for (int l = 0; l < V; ++l) add_value<r.code>(p, v[l], unit * V + l);
  };
  if constexpr (fa.n == 1) { // one folded axis (a row): no index division per element
    constexpr int a = fa.axis[0];
    std::int64_t j = begin + t;
    // U units a step: their loads are issued before the first add (the adds keep the
    // order of the plain loop, so the result is the same)
    for (; j + (U - 1) * Threads < end; j += U * Threads) {
      In v[U][V];
#pragma unroll
      for (int u = 0; u < U; ++u) {
        cix.v[a] = (j + u * Threads) * V;
        load_unit(v[u]);
      }
#pragma unroll
      for (int u = 0; u < U; ++u) add_unit(v[u], j + u * Threads);
    }
    for (; j < end; j += Threads) {
      In v[V];
      cix.v[a] = j * V;
      load_unit(v);
      add_unit(v, j);
    }
  } else if (begin + static_cast<std::int64_t>(t) < end) {
    // Several folded axes (or none): the thread's first unit split into digits once, then
    // each step of Threads units added digit by digit with a carry (its digits are
    // computed once too): no division per element. The last digit counts units.
    constexpr int n = fa.n > 0 ? fa.n : 1;
    std::int64_t ext[n]{}, at[n]{}, by[n]{};
    std::int64_t rest = begin + t, step = Threads;
#pragma unroll
    for (int k = fa.n - 1; k >= 0; --k) {
      ext[k] = s.ext[c][fa.axis[k]] / (k == fa.n - 1 ? V : 1);
      at[k] = rest % ext[k];
      rest /= ext[k];
      by[k] = step % ext[k];
      step /= ext[k];
    }
    auto load_and_advance = [&](In* v) {
#pragma unroll
      for (int k = 0; k < fa.n; ++k) cix.v[fa.axis[k]] = at[k] * (k == fa.n - 1 ? V : 1);
      load_unit(v);
      std::int64_t carry = 0;
#pragma unroll
      for (int k = fa.n - 1; k >= 0; --k) {
        at[k] += by[k] + carry;
        carry = at[k] >= ext[k];
        if (carry) at[k] -= ext[k];
      }
    };
    std::int64_t j = begin + t;
    for (; j + (U - 1) * Threads < end; j += U * Threads) { // as above: loads first, adds in order
      In v[U][V];
#pragma unroll
      for (int u = 0; u < U; ++u) load_and_advance(v[u]);
#pragma unroll
      for (int u = 0; u < U; ++u) add_unit(v[u], j + u * Threads);
    }
    for (; j < end; j += Threads) {
      In v[V];
      load_and_advance(v);
      add_unit(v, j);
    }
  }
  return p;
}

// The partial over [begin, end) (units of V) computed by the whole block: every thread
// gets it back.
template <class P, int R, int V, int N>
__device__ __forceinline__ partial<kernel::value_t<P, record_v<P, R>.inputs[0]>>
block_reduce_range(const exec_state<N>& s, const fold_frame& f, std::int64_t begin, std::int64_t end) {
  return block_reduce<record_v<P, R>.code>(thread_range_partial<P, R, V, block_threads>(s, f, begin, end, static_cast<int>(threadIdx.x)));
}

// The reduction R at one output index, computed by the whole block; thread 0 writes it.
template <class P, int R, int V, int N> __device__ __forceinline__ void block_reduce_at(const exec_state<N>& s, const index_t& oix) {
  constexpr node_record r = record_v<P, R>;
  using T = value_t<P, R>;
  const fold_frame f = fold_of<P, R>(s, oix);
  const auto p = block_reduce_range<P, R, V>(s, f, 0, f.count / V);
  if (threadIdx.x == 0) static_cast<T*>(const_cast<void*>(s.data[R]))[offset_of<P, R>(s, oix)] = finish<r.code, T>(p, f.count);
}

// Splits a flat position below the product of ext[0..rank) into the multi-index of `ext`
// (row-major). The outermost axis takes what is left without a remainder: no division at
// all for rank 1 and 2 (rows of a matrix), where a 64-bit remainder per row cost a
// pointwise kernel more than its index arithmetic per element.
__device__ __forceinline__ index_t unflatten(std::int64_t flat, const std::int64_t* ext, int rank) {
  index_t ix{};
  for (int d = rank - 1; d > 0; --d) {
    ix.v[d] = flat % ext[d];
    flat /= ext[d];
  }
  if (rank > 0) ix.v[0] = flat;
  return ix;
}

// The threads of a block that walk one row of `units` work items (elements, or vector
// chunks): the smallest power of two from a warp to the block that covers the row, so a
// short row does not leave most of the block idle; a block takes block_threads / group
// rows at a time.
__host__ __device__ constexpr int row_group_threads(std::int64_t units) {
  int g = 32;
  while (g < block_threads && g < units) g *= 2;
  return g;
}
struct row_group {
  int size, at, groups; // threads per row, this thread's place in its group, groups per block
  __device__ explicit row_group(std::int64_t units)
      : size(row_group_threads(units)), at(static_cast<int>(threadIdx.x) % size), groups(block_threads / size) {}
  __device__ std::int64_t first_row() const { return static_cast<std::int64_t>(blockIdx.x) * groups + static_cast<int>(threadIdx.x) / size; }
  __device__ std::int64_t row_step() const { return static_cast<std::int64_t>(gridDim.x) * groups; }
};

// Pointwise, row mode: a group of threads per row (row_group), walking its innermost axis.
template <class P, int R, int N> __global__ void __launch_bounds__(block_threads) pointwise_rows(exec_state<N> s, std::int64_t rows) {
  constexpr int rank = record_v<P, R>.shp.rank;
  using T = value_t<P, R>;
  T* out = static_cast<T*>(const_cast<void*>(s.data[R]));
  const std::int64_t n = s.ext[R][rank - 1];
  const row_group grp(n);
  for (std::int64_t row = grp.first_row(); row < rows; row += grp.row_step()) {
    index_t ix = unflatten(row, s.ext[R], rank - 1);
    for (std::int64_t j = grp.at; j < n; j += grp.size) {
      ix.v[rank - 1] = j;
      out[offset_of<P, R>(s, ix)] = eval<P, R, R>(s, ix);
    }
  }
}


// Elements per thread and chunk in the pointwise vector mode: vector_lanes when some load
// is a lane load, else one 16-byte store's worth (without a wide load to share, more
// lanes per thread only add registers: each lane runs its own loads).
template <class P, int R>
inline constexpr int pointwise_lanes_v =
    lane_plan_v<P, R>.any ? vector_lanes<value_t<P, R>> : 16 / static_cast<int>(sizeof(value_t<P, R>));

// Pointwise, vector mode: the row mode with V = pointwise_lanes_v consecutive elements
// per thread (eval_lanes: a lane load is V * sizeof(T) / 16 16-byte loads), the V results
// as many 16-byte stores; the output, too, must be contiguous
// along its inner axis and aligned at every chunk.
template <class P, int R, int N>
__global__ void COIL_CUDA_PW_BOUNDS pointwise_vector(exec_state<N> s, std::int64_t rows) {
  constexpr int rank = record_v<P, R>.shp.rank;
  using T = value_t<P, R>;
  constexpr int V = pointwise_lanes_v<P, R>;
  T* out = static_cast<T*>(const_cast<void*>(s.data[R]));
  const std::int64_t n = s.ext[R][rank - 1], chunks = n / V;
  const row_group grp(chunks);
  for (std::int64_t row = grp.first_row(); row < rows; row += grp.row_step()) {
    index_t ix = unflatten(row, s.ext[R], rank - 1);
    for (std::int64_t k = grp.at; k < chunks; k += grp.size) {
      ix.v[rank - 1] = k * V;
      union {
        uint4 q[V * sizeof(T) / 16];
        T e[V];
      } u;
      eval_lanes<P, R, R, V>(s, ix, u.e);
      uint4* to = reinterpret_cast<uint4*>(out + offset_unit_inner<rank>(s.str[R], ix));
#pragma unroll
      for (int w = 0; w < static_cast<int>(V * sizeof(T) / 16); ++w) to[w] = u.q[w];
    }
    for (std::int64_t j = chunks * V + grp.at; j < n; j += grp.size) {
      ix.v[rank - 1] = j;
      out[offset_of<P, R>(s, ix)] = eval<P, R, R>(s, ix);
    }
  }
}

// Pointwise, flat mode (short innermost axis, or rank 0): a grid-stride loop over elements.
template <class P, int R, int N> __global__ void __launch_bounds__(block_threads) pointwise_flat(exec_state<N> s, std::int64_t total) {
  constexpr int rank = record_v<P, R>.shp.rank;
  using T = value_t<P, R>;
  T* out = static_cast<T*>(const_cast<void*>(s.data[R]));
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * block_threads + threadIdx.x; i < total;
       i += static_cast<std::int64_t>(gridDim.x) * block_threads) {
    const index_t ix = unflatten(i, s.ext[R], rank);
    out[offset_of<P, R>(s, ix)] = eval<P, R, R>(s, ix);
  }
}

// A scan kernel (cumsum, cumprod): a thread per line along the axis (scan_line, as the CPU).
template <class P, int R, int N> __global__ void __launch_bounds__(block_threads) scan(exec_state<N> s, std::int64_t lines) {
  constexpr node_record r = record_v<P, R>;
  std::int64_t lext[max_rank]{};
  for (int d = 0; d < r.shp.rank; ++d) lext[d] = d == r.axis ? 1 : s.ext[R][d];
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * block_threads + threadIdx.x; i < lines;
       i += static_cast<std::int64_t>(gridDim.x) * block_threads)
    kernel::scan_line<P, R>(s, unflatten(i, lext, r.shp.rank));
}

// A reduction with few inputs per output (at most warp_reduction_max): a warp per output,
// its lanes over the folded positions and one shuffle tree, without shared memory or a
// block barrier (a block per output left most of its threads idle and synchronized twice
// per output: a convolution's 27..576 products, a pooling window). Warp w of block b
// computes outputs b * warps + w, then + gridDim.x * warps, ...
inline constexpr std::int64_t warp_reduction_max = 1024;
template <class P, int R, int V, int N>
__global__ void __launch_bounds__(block_threads) reduction_warps(exec_state<N> s, std::int64_t outputs) {
  constexpr node_record r = record_v<P, R>;
  constexpr int rank = r.shp.rank, warps = block_threads / 32;
  using T = value_t<P, R>;
  const int lane = static_cast<int>(threadIdx.x) % 32;
  const std::int64_t first = static_cast<std::int64_t>(blockIdx.x) * warps + static_cast<int>(threadIdx.x) / 32;
  for (std::int64_t o = first; o < outputs; o += static_cast<std::int64_t>(gridDim.x) * warps) { // warp-uniform
    const index_t oix = unflatten(o, s.ext[R], rank);
    const fold_frame f = fold_of<P, R>(s, oix);
    const auto p = warp_reduce<r.code>(thread_range_partial<P, R, V, 32>(s, f, 0, f.count / V, lane));
    if (lane == 0) static_cast<T*>(const_cast<void*>(s.data[R]))[offset_of<P, R>(s, oix)] = finish<r.code, T>(p, f.count);
  }
}

// A reduction kernel: block b computes outputs b, b + gridDim.x, ... (V: lanes, as in
// block_reduce_range).
template <class P, int R, int V, int N> __global__ void __launch_bounds__(block_threads) reduction(exec_state<N> s, std::int64_t outputs) {
  constexpr int rank = record_v<P, R>.shp.rank;
  for (std::int64_t o = blockIdx.x; o < outputs; o += gridDim.x) block_reduce_at<P, R, V>(s, unflatten(o, s.ext[R], rank));
}

// A reduction with few outputs and many inputs each (a full sum, a norm), in two stages
// of one launch that give the same result on every call: reduction_slices splits each
// output's folded range into `slices` equal slices, a block per (output, slice) writes its
// partial to `parts` (output-major) and counts itself in `arrived[output]`; the block that
// arrives last combines the output's partials in the block's fixed tree, whichever block
// that is, and sets the count back to 0 for the next call. Positions stay global, so
// argmax/argmin ties keep the first index.
template <class P, int R> using reduction_partial = partial<kernel::value_t<P, record_v<P, R>.inputs[0]>>;

// A partial another block wrote in this launch, read from L2 (__ldcg): the L1 caches of the
// multiprocessors are not kept coherent.
template <class T> __device__ __forceinline__ T load_from_l2(const T* p) {
  static_assert(sizeof(T) % sizeof(unsigned) == 0, "coil: a partial is whole 4-byte words");
  unsigned words[sizeof(T) / sizeof(unsigned)];
  const unsigned* from = reinterpret_cast<const unsigned*>(p);
  for (std::size_t k = 0; k < sizeof(T) / sizeof(unsigned); ++k) words[k] = __ldcg(from + k);
  T v;
  memcpy(&v, words, sizeof(T));
  return v;
}

template <class P, int R, int V, int N>
__global__ void __launch_bounds__(block_threads)
    reduction_slices_kernel(exec_state<N> s, std::int64_t slices, reduction_partial<P, R>* parts, unsigned* arrived) {
  constexpr node_record r = record_v<P, R>;
  constexpr int rank = r.shp.rank;
  using T = value_t<P, R>;
  const std::int64_t o = blockIdx.x / slices, slice = blockIdx.x % slices;
  const index_t oix = unflatten(o, s.ext[R], rank);
  const fold_frame f = fold_of<P, R>(s, oix);
  const std::int64_t units = f.count / V, chunk = (units + slices - 1) / slices;
  const std::int64_t begin = slice * chunk, end = begin + chunk < units ? begin + chunk : units;
  const auto p = block_reduce_range<P, R, V>(s, f, begin, end);
  __shared__ bool last;
  if (threadIdx.x == 0) {
    parts[blockIdx.x] = p;
    __threadfence(); // the partial is visible to every block before the count says it is there
    last = atomicAdd(&arrived[o], 1u) == static_cast<unsigned>(slices - 1);
  }
  __syncthreads();
  if (!last) return;
  __threadfence();
  auto q = empty_partial<r.code, kernel::value_t<P, r.inputs[0]>>();
  for (std::int64_t k = threadIdx.x; k < slices; k += block_threads) q = combine<r.code>(q, load_from_l2(parts + o * slices + k));
  q = block_reduce<r.code>(q);
  if (threadIdx.x == 0) {
    static_cast<T*>(const_cast<void*>(s.data[R]))[offset_of<P, R>(s, oix)] = finish<r.code, T>(q, f.count);
    arrived[o] = 0;
  }
}

// One stage of a row kernel at the outer index o (the CPU's run_stage, by a block).
template <class P, int I, int N> __device__ __forceinline__ void row_stage(const exec_state<N>& s, const index_t& o, int outer_rank) {
  constexpr node_record r = record_v<P, I>;
  index_t ix = o;
  if constexpr (r.kind == op_kind::reduction) {
    for (int d = outer_rank; d < r.shp.rank; ++d) ix.v[d] = 0; // keepdim: trailing size-1 axes
    block_reduce_at<P, I, 1>(s, ix);
  } else if constexpr (r.shp.rank == 0) {
    if (threadIdx.x == 0) static_cast<value_t<P, I>*>(const_cast<void*>(s.data[I]))[0] = eval<P, I, I>(s, ix);
  } else {
    using T = value_t<P, I>;
    T* out = static_cast<T*>(const_cast<void*>(s.data[I]));
    constexpr int last = r.shp.rank - 1;
    const std::int64_t n = s.ext[I][last];
    for (std::int64_t j = threadIdx.x; j < n; j += block_threads) {
      ix.v[last] = j;
      out[offset_of<P, I>(s, ix)] = eval<P, I, I>(s, ix);
    }
  }
  __syncthreads(); // the next stage reads what this one wrote
}

// A row kernel: block b takes outer indices b, b + gridDim.x, ...; all stages in order.
template <class P, int K, int N> __global__ void __launch_bounds__(block_threads) rows(exec_state<N> s, std::int64_t outer) {
  constexpr int begin = P::plan.kernel_begin[K];
  constexpr int outer_rank = P::plan.outer_rank[K];
  constexpr int space = kernel::kernel_space_v<P, K>;
  for (std::int64_t b = blockIdx.x; b < outer; b += gridDim.x) {
    const index_t o = unflatten(b, s.ext[space], outer_rank);
    [&]<std::size_t... S>(std::index_sequence<S...>) {
      (row_stage<P, P::plan.stage_node[begin + static_cast<int>(S)]>(s, o, outer_rank), ...);
    }(std::make_index_sequence<P::plan.stages_in(K)>{});
  }
}

} // namespace coil::cuda_kernel
#endif // __CUDACC__
