// CPU loops that execute a Plan: one loop nest per kernel. The inner expression is the
// shared evaluator (backends/eval.hpp) with the kernel's root node. Where the body and the
// strides allow it, the innermost axis runs on xsimd batches (cpu/simd.hpp): pointwise
// loops, the pointwise stages of row kernels, and sum/mean/amax/amin along the inner
// axis; everything else, and every build without SIMD, runs the scalar loops here.
// `Arch` (the xsimd architecture, or `scalar_arch`) is in every function's template
// arguments: TUs built for different instruction sets instantiate different symbols.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <tuple>
#include <utility>

#include "../eval.hpp"
#include "for_each_index.hpp"
#include "matmul.hpp"
#include "simd.hpp"
#include "tiles.hpp"

namespace coil::kernel {

// The architecture tag of the scalar-only build.
struct scalar_arch {};
#if COIL_HAS_SIMD
using default_arch = xsimd::default_arch;
#else
using default_arch = scalar_arch;
#endif
template <class Arch> inline constexpr bool is_simd_v = !std::is_same_v<Arch, scalar_arch>;

// The load map of a loop that does not run on batches.
struct no_map {};

// Elements of node I under the call's extents: a kernel's work, for the threading grain.
template <class P, int I, int N> std::int64_t elements_of(const exec_state<N>& s) {
  std::int64_t n = 1;
  for (int d = 0; d < record_v<P, I>.shp.rank; ++d) n *= s.ext[I][d];
  return n;
}

// out[ix] = value of the root at ix, for every ix of the root's shape.
template <class P, int R, class Arch, int N> void run_elementwise(exec_state<N>& s) {
  using T = value_t<P, R>;
  T* out = static_cast<T*>(const_cast<void*>(s.data[R]));
  constexpr int rank = record_v<P, R>.shp.rank;
#if COIL_HAS_SIMD
  if constexpr (is_simd_v<Arch> && rank > 0 && simd::vectorizable_elementwise_v<P, R, R>) {
    const std::int64_t n = s.ext[R][rank - 1];
    if (s.str[R][rank - 1] == 1 && n >= static_cast<std::int64_t>(simd::batch<simd::lane_t<P, R, R>, Arch>::size)) {
      const auto m = simd::batch_map<P, R, R>(s, rank, rank - 1); // one map for every row
      if (m.ok) {
        for_each_index_parallel(rank - 1, s.ext[R], elements_of<P, R>(s), P::plan.parallel_grain, [&](const index_t& o) {
          simd::row_loop<P, R, R, Arch>(m, s, o, rank - 1, n, out + offset_of<P, R>(s, o));
        });
        return;
      }
      // an operand transposed or strided along the inner axis: read through tiles
      if (simd::run_elementwise_tiled<P, R, Arch>(m, s, rank, out, elements_of<P, R>(s), P::plan.parallel_grain))
        return;
    }
  }
#endif
  // A row per call of the loop body, its elements in an inner loop: with OpenMP the body
  // is called from two places (the parallel loop and the serial one) and g++ stops
  // inlining it, so a body per element paid a call and the zeroing of its registers each
  // time (an im2col kernel ran 8x slower under -fopenmp, even on one thread). The row
  // loop is written out here and in run_reduction: a shared helper taking this body as a
  // lambda lost the inlining again (the im2col kernel 103 ms against 11).
  if constexpr (rank == 0) {
    out[0] = eval<P, R, R>(s, index_t{});
  } else {
    const std::int64_t n = s.ext[R][rank - 1];
    for_each_index_parallel(rank - 1, s.ext[R], elements_of<P, R>(s), P::plan.parallel_grain, [&](const index_t& o) {
      index_t ix = o;
      for (std::int64_t j = 0; j < n; ++j) {
        ix.v[rank - 1] = j;
        out[offset_of<P, R>(s, ix)] = eval<P, R, R>(s, ix);
      }
    });
  }
}

// Accumulator type of the scalar reduction loop: floating sums accumulate in double,
// integer sums in int64. (The vector path in reduce_at sums floats in T, in four
// accumulators: within the tests' tolerance, not bit-identical to this loop.)
template <op_code C, class In> struct accumulator {
  using type = std::conditional_t<std::is_floating_point_v<In>, double, std::int64_t>;
};

// Whether reduction R's input runs on batches: an f32 program (vectorizable_v) for
// sum/mean/amax/amin, or an int32/int64 one for amax/amin, whose result has the input's
// type (integer sums accumulate in int64: scalar).
template <class P, int R> constexpr bool reduce_input_on_batches() {
#if COIL_HAS_SIMD
  constexpr node_record r = record_v<P, R>;
  constexpr node_record in = record_v<P, r.inputs[0]>;
  constexpr bool extreme = r.code == op_code::amax || r.code == op_code::amin;
  constexpr bool integer = (in.type == dtype::i32 || in.type == dtype::i64) && r.type == in.type;
  if constexpr (extreme && integer) return simd::vectorizable_elementwise_v<P, r.inputs[0], R>;
  else return simd::vectorizable_v<P, r.inputs[0], R>;
#else
  return false;
#endif
}

// Whether reduction R folds its inner axis on batches: sum/mean/amax/amin of an input on
// batches (reduce_input_on_batches) that folds the input's innermost axis.
template <class P, int R, class Arch> constexpr bool reduce_on_batches() {
#if COIL_HAS_SIMD
  constexpr node_record r = record_v<P, R>;
  constexpr node_record in = record_v<P, r.inputs[0]>;
  constexpr bool simd_code = r.code == op_code::sum || r.code == op_code::mean || r.code == op_code::amax ||
                             r.code == op_code::amin;
  if constexpr (is_simd_v<Arch> && simd_code && in.shp.rank > 0)
    return ((r.axes >> (in.shp.rank - 1)) & 1u) && reduce_input_on_batches<P, R>();
#endif
  return false;
}

// The load map of reduction R's input, built once per kernel call (or none).
template <class P, int R, class Arch, int N> auto reduce_map(const exec_state<N>& s) {
#if COIL_HAS_SIMD
  if constexpr (reduce_on_batches<P, R, Arch>()) {
    constexpr int c = record_v<P, R>.inputs[0], rank = record_v<P, c>.shp.rank;
    return simd::batch_map<P, c, R>(s, rank, rank - 1);
  } else
#endif
  {
    (void)s;
    return no_map{};
  }
}

// Computes the reduction R at one output index (the folded axes loop inside); `m` is
// reduce_map's map.
template <class P, int R, class Arch, int N, class Map>
COIL_INLINE void reduce_at(exec_state<N>& s, const index_t& oix, [[maybe_unused]] const Map& m) {
  constexpr node_record r = record_v<P, R>;
  constexpr int c = r.inputs[0];
  [[maybe_unused]] constexpr node_record in = record_v<P, c>;
  using T = value_t<P, R>;
  using In = value_t<P, c>;
  using Acc = typename accumulator<r.code, In>::type;
  T* out = static_cast<T*>(const_cast<void*>(s.data[R]));

  fold_frame f = fold_of<P, R>(s, oix);
#if COIL_HAS_SIMD
  // Along the inner axis on batches when it is folded: float sums accumulate in T, in
  // four vector accumulators (not double as below); the other folded axes loop outside.
  constexpr int inner = in.shp.rank > 0 ? in.shp.rank - 1 : 0;
  if constexpr (reduce_on_batches<P, R, Arch>()) {
    const std::int64_t n = s.ext[c][inner];
    if (n >= static_cast<std::int64_t>(simd::batch<In, Arch>::size)) {
      using lim = std::numeric_limits<In>; // the identity of max/min: -inf/+inf, an integer's lowest/max
      In acc = r.code == op_code::amax ? (lim::has_infinity ? -lim::infinity() : lim::lowest())
               : r.code == op_code::amin ? (lim::has_infinity ? lim::infinity() : lim::max()) : In(0);
      bool ok = true;
      if (f.nfolded == 1) { // a row kernel's case: one row, no loop around it
        ok = simd::row_reduce<r.code, P, c, R, Arch>(m, s, f.cix, inner, n, acc);
      } else {
        for_each_index(f.nfolded - 1, f.fext, [&](const index_t& fix) {
          if (!ok) return;
          for (int k = 0; k + 1 < f.nfolded; ++k) f.cix.v[f.folded[k]] = fix.v[k];
          ok = simd::row_reduce<r.code, P, c, R, Arch>(m, s, f.cix, inner, n, acc);
        });
      }
      if (ok) {
        T result{};
        if constexpr (r.code == op_code::mean) result = static_cast<T>(static_cast<double>(acc) / static_cast<double>(f.count));
        else result = static_cast<T>(acc);
        out[offset_of<P, R>(s, oix)] = result;
        return;
      }
    }
  }
#endif
  Acc acc{};
  In best{};
  std::int64_t best_at = -1, at = 0;
  if constexpr (r.code == op_code::prod) acc = 1;
  for_each_index(f.nfolded, f.fext, [&](const index_t& fix) {
    for (int k = 0; k < f.nfolded; ++k) f.cix.v[f.folded[k]] = fix.v[k];
    const In v = eval<P, c, R>(s, f.cix);
    if constexpr (r.code == op_code::sum || r.code == op_code::mean) {
      acc = scalar::wrap_add(acc, static_cast<Acc>(v));
    } else if constexpr (r.code == op_code::prod) {
      acc = scalar::wrap_mul(acc, static_cast<Acc>(v));
    } else if constexpr (r.code == op_code::amax || r.code == op_code::argmax) {
      if (best_at < 0 || (scalar::isnan_(v) && !scalar::isnan_(best)) || (!scalar::isnan_(best) && v > best)) best = v, best_at = at;
    } else { // amin, argmin
      if (best_at < 0 || (scalar::isnan_(v) && !scalar::isnan_(best)) || (!scalar::isnan_(best) && v < best)) best = v, best_at = at;
    }
    ++at;
  });
  T result{};
  if constexpr (r.code == op_code::sum || r.code == op_code::prod) result = static_cast<T>(acc);
  else if constexpr (r.code == op_code::mean) result = static_cast<T>(static_cast<double>(acc) / static_cast<double>(f.count));
  else if constexpr (r.code == op_code::amax || r.code == op_code::amin) result = static_cast<T>(best);
  else result = static_cast<T>(best_at);
  out[offset_of<P, R>(s, oix)] = result;
}

// Whether reduction R runs across its kept inner axis on batches: sum/mean/amax/amin of a
// vectorizable input that keeps the input's innermost axis and folds others (a column
// sum, a mean over the sequence), with the output's element type.
template <class P, int R, class Arch> constexpr bool reduce_across_batches() {
#if COIL_HAS_SIMD
  constexpr node_record r = record_v<P, R>;
  constexpr node_record in = record_v<P, r.inputs[0]>;
  constexpr bool simd_code = r.code == op_code::sum || r.code == op_code::mean || r.code == op_code::amax ||
                             r.code == op_code::amin;
  if constexpr (is_simd_v<Arch> && simd_code && in.shp.rank >= 2 && r.shp.rank >= 1 && r.type == in.type)
    return !((r.axes >> (in.shp.rank - 1)) & 1u) && r.axes != 0 && reduce_input_on_batches<P, R>();
#endif
  return false;
}

#if COIL_HAS_SIMD
// Reduction R across its kept inner axis (reduce_across_batches): each folded position's
// input row is folded into a row of accumulators on batches, so the input is read row
// after row, contiguously, instead of a column at a time. The work is split into
// (output row, chunk of the inner axis) units, chunks short enough that the accumulators
// stay in L1 (sums: doubles on the stack, as the scalar loop accumulates; amax/amin: the
// output row itself); units go to threads, and each output element folds the positions
// in order in any unit: the same bits for any thread count, and for sums the scalar
// loop's bits. False when the strides don't allow it (nothing written): the caller runs
// the scalar loop.
template <class P, int R, class Arch, int N> bool run_reduction_across(exec_state<N>& s) {
  constexpr node_record r = record_v<P, R>;
  constexpr int c = r.inputs[0], in_rank = record_v<P, c>.shp.rank, out_rank = r.shp.rank;
  constexpr bool is_sum = r.code == op_code::sum || r.code == op_code::mean;
  using T = value_t<P, R>;
  // 8 KiB of double accumulators; one chunk of a short output row per unit even when that
  // leaves threads idle: two threads reading the two halves of every input row of a column
  // sum ran 2x slower than one reading whole rows (bench/README.md)
  constexpr std::int64_t chunk = 1024;
  const std::int64_t n = s.ext[R][out_rank - 1];
  if (s.str[R][out_rank - 1] != 1 || n < static_cast<std::int64_t>(simd::batch<T, Arch>::size)) return false;
  if (fold_of<P, R>(s, index_t{}).count == 0) return false; // empty: the scalar loop's 0 / NaN
  const auto m = simd::batch_map<P, c, R>(s, in_rank, in_rank - 1);
  if (!m.ok) return false;
  T* out = static_cast<T*>(const_cast<void*>(s.data[R]));
  std::int64_t rows = 1;
  for (int d = 0; d + 1 < out_rank; ++d) rows *= s.ext[R][d];
  const std::int64_t chunks = (n + chunk - 1) / chunk;
  for_each_range_parallel(rows * chunks, elements_of<P, c>(s), P::plan.parallel_grain, [&](std::int64_t lo, std::int64_t hi) {
    [[maybe_unused]] std::conditional_t<is_sum, double[chunk], no_map> sums;
    for (std::int64_t u = lo; u < hi; ++u) {
      const std::int64_t from = (u % chunks) * chunk, to = from + chunk < n ? from + chunk : n;
      const index_t oix = index_at(out_rank - 1, s.ext[R], u / chunks); // inner index 0
      fold_frame f = fold_of<P, R>(s, oix);
      T* row = out + offset_of<P, R>(s, oix);
      auto* acc = [&] {
        if constexpr (is_sum) return &sums[0];
        else return row + from;
      }();
      bool first = true;
      for_each_index(f.nfolded, f.fext, [&](const index_t& fix) {
        for (int k = 0; k < f.nfolded; ++k) f.cix.v[f.folded[k]] = fix.v[k];
        simd::row_fold_into<r.code, P, c, R, Arch>(m, s, f.cix, in_rank - 1, from, to, acc, first);
        first = false;
      });
      if constexpr (r.code == op_code::sum)
        for (std::int64_t j = from; j < to; ++j) row[j] = static_cast<T>(acc[j - from]);
      else if constexpr (r.code == op_code::mean) // as the scalar loop: the double sum over the count
        for (std::int64_t j = from; j < to; ++j) row[j] = static_cast<T>(acc[j - from] / static_cast<double>(f.count));
    }
  });
  return true;
}
#endif

template <class P, int R, class Arch, int N> void run_reduction(exec_state<N>& s) {
#if COIL_HAS_SIMD
  if constexpr (reduce_across_batches<P, R, Arch>())
    if (run_reduction_across<P, R, Arch>(s)) return;
#endif
  const auto m = reduce_map<P, R, Arch>(s);
  constexpr int rank = record_v<P, R>.shp.rank;
  const std::int64_t work = elements_of<P, record_v<P, R>.inputs[0]>(s);
  if constexpr (rank == 0) {
    reduce_at<P, R, Arch>(s, index_t{}, m);
  } else {
    // a row of outputs per call of the loop body (run_elementwise says why: a pooling
    // window's few inputs per output made the call per output 1.6x slower under -fopenmp)
    const std::int64_t n = s.ext[R][rank - 1];
    for_each_index_parallel(rank - 1, s.ext[R], work, P::plan.parallel_grain, [&](const index_t& o) {
      index_t oix = o;
      for (std::int64_t j = 0; j < n; ++j) {
        oix.v[rank - 1] = j;
        reduce_at<P, R, Arch>(s, oix, m);
      }
    });
  }
}

// The load map of a row kernel's stage (built once per call, before the outer loop).
template <class P, int I, class Arch, int N> auto stage_map(const exec_state<N>& s) {
  constexpr node_record r = record_v<P, I>;
  if constexpr (r.kind == op_kind::reduction) {
    return reduce_map<P, I, Arch>(s);
  } else {
#if COIL_HAS_SIMD
    if constexpr (is_simd_v<Arch> && r.shp.rank > 0 && simd::vectorizable_stage_v<P, I>)
      return simd::batch_map<P, I, I>(s, r.shp.rank, r.shp.rank - 1);
    else
#endif
      return no_map{};
  }
}

// One stage of a row kernel, at the outer index o: a reduction over the trailing axes,
// or a loop over the last axis. `m` is its stage_map.
template <class P, int I, class Arch, int N, class Map>
COIL_INLINE void run_stage(exec_state<N>& s, const index_t& o, int outer_rank, [[maybe_unused]] const Map& m) {
  constexpr node_record r = record_v<P, I>;
  index_t ix = o;
  if constexpr (r.kind == op_kind::reduction) {
    for (int d = outer_rank; d < r.shp.rank; ++d) ix.v[d] = 0; // keepdim: trailing size-1 axes
    reduce_at<P, I, Arch>(s, ix, m);
  } else if constexpr (r.shp.rank == 0) {
    static_cast<value_t<P, I>*>(const_cast<void*>(s.data[I]))[0] = eval<P, I, I>(s, ix);
  } else {
    using T = value_t<P, I>;
    T* out = static_cast<T*>(const_cast<void*>(s.data[I]));
    constexpr int last = r.shp.rank - 1;
    const std::int64_t n = s.ext[I][last];
#if COIL_HAS_SIMD
    if constexpr (is_simd_v<Arch> && simd::vectorizable_stage_v<P, I>) {
      if (s.str[I][last] == 1 && n >= static_cast<std::int64_t>(simd::batch<simd::lane_t<P, I, I>, Arch>::size)) {
        ix.v[last] = 0;
        if (simd::row_loop<P, I, I, Arch>(m, s, ix, last, n, out + offset_of<P, I>(s, ix))) return;
      }
    }
#endif
    for (std::int64_t j = 0; j < n; ++j) {
      ix.v[last] = j;
      out[offset_of<P, I>(s, ix)] = eval<P, I, I>(s, ix);
    }
  }
}

// A row kernel: one outer loop; inside it every stage runs over its row in order, so a
// row read by several stages stays in cache between them. The outer rows are split into
// one contiguous range per thread. A stage buffer that only this kernel reads
// (plan.row_scratch) is kept as one row per thread: its outer strides are 0 and its base
// is the first row of the thread's range, so every row of the range is written to and
// read from the same few cache lines instead of streaming the buffer to memory. Each row
// runs the same code whichever thread and scratch row it gets: the results are the same
// bits for any thread count.
template <class P, int K, class Arch, int N> void run_rows(exec_state<N>& s) {
  constexpr int begin = P::plan.kernel_begin[K];
  constexpr int first = P::plan.stage_node[begin];
  constexpr int outer_rank = P::plan.outer_rank[K];
  constexpr int space = record_v<P, first>.kind == op_kind::reduction ? record_v<P, first>.inputs[0] : first;
  constexpr int stages = P::plan.stages_in(K);
  constexpr bool scratch = [] {
    for (int st = begin; st < begin + stages; ++st)
      if (P::plan.row_scratch[P::plan.stage_node[st]]) return true;
    return false;
  }();
  std::int64_t oext[max_rank]{};
  std::int64_t total = 1;
  for (int d = 0; d < outer_rank; ++d) total *= oext[d] = s.ext[space][d];
  [&]<std::size_t... S>(std::index_sequence<S...>) {
    // the call's state with the scratch stages' outer strides 0 (the load maps see them)
    [[maybe_unused]] std::conditional_t<scratch, exec_state<N>, no_map> rs_copy;
    if constexpr (scratch) {
      rs_copy = s;
      (
          [&] {
            constexpr int I = P::plan.stage_node[begin + static_cast<int>(S)];
            if constexpr (P::plan.row_scratch[I])
              for (int d = 0; d < outer_rank; ++d) rs_copy.str[I][d] = 0;
          }(),
          ...);
    }
    const exec_state<N>& rs = [&]() -> const exec_state<N>& {
      if constexpr (scratch) return rs_copy;
      else return s;
    }();
    const auto maps = std::make_tuple(stage_map<P, P::plan.stage_node[begin + static_cast<int>(S)], Arch>(rs)...);
    for_each_range_parallel(total, elements_of<P, space>(s), P::plan.parallel_grain, [&](std::int64_t lo, std::int64_t hi) {
      index_t o = index_at(outer_rank, oext, lo);
      [[maybe_unused]] std::conditional_t<scratch, exec_state<N>, no_map> ts_copy;
      if constexpr (scratch) {
        ts_copy = rs;
        (
            [&] {
              constexpr int I = P::plan.stage_node[begin + static_cast<int>(S)];
              if constexpr (P::plan.row_scratch[I]) // the buffer's row at o (o's inner indices are 0)
                ts_copy.data[I] = static_cast<const value_t<P, I>*>(s.data[I]) + offset_of<P, I>(s, o);
            }(),
            ...);
      }
      exec_state<N>& ts = [&]() -> exec_state<N>& {
        if constexpr (scratch) return ts_copy;
        else return s;
      }();
      for (std::int64_t i = lo; i < hi; ++i) {
        (run_stage<P, P::plan.stage_node[begin + static_cast<int>(S)], Arch>(ts, o, outer_rank, std::get<S>(maps)), ...);
        next_index(outer_rank, oext, o);
      }
    });
  }(std::make_index_sequence<stages>{});
}

// A scan (cumsum, cumprod): every line along the axis folded in order (scan_line), as
// PyTorch's CPU kernel.
template <class P, int R, int N> void run_scan(exec_state<N>& s) {
  constexpr node_record r = record_v<P, R>;
  std::int64_t lines[max_rank]{};
  for (int d = 0; d < r.shp.rank; ++d) lines[d] = d == r.axis ? 1 : s.ext[R][d];
  for_each_index_parallel(r.shp.rank, lines, elements_of<P, R>(s), P::plan.parallel_grain,
                          [&](const index_t& ix) { scan_line<P, R>(s, ix); });
}

// A custom kernel (ops/custom.hpp): the user's host function over the realized inputs.
template <class P, int R, int N> void run_custom(exec_state<N>& s) {
  P::graph::launchers[R](custom_call_of<P, R>(s));
}

template <class P, int K, class Arch, int N> void run_kernel(exec_state<N>& s) {
  constexpr int R = P::plan.kernel_root[K];
  constexpr kernel_kind kind = P::plan.kind[K];
  if constexpr (kind == kernel_kind::rows) run_rows<P, K, Arch>(s);
  else if constexpr (kind == kernel_kind::reduction) run_reduction<P, R, Arch>(s);
  else if constexpr (kind == kernel_kind::matmul) run_matmul<P, R>(s);
  else if constexpr (kind == kernel_kind::custom) run_custom<P, R>(s);
  else if constexpr (kind == kernel_kind::scan) run_scan<P, R>(s);
  else run_elementwise<P, R, Arch>(s);
}

// Runs every kernel of the plan in order, on batches of Arch where the kernel allows.
template <class P, class Arch = default_arch, int N> void run_cpu(exec_state<N>& s) {
  [&]<std::size_t... K>(std::index_sequence<K...>) { (run_kernel<P, static_cast<int>(K), Arch>(s), ...); }(
      std::make_index_sequence<P::plan.kernel_count>{});
}

} // namespace coil::kernel
