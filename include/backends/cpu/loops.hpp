// Scalar CPU loops that execute a Plan: one loop nest per kernel. The inner expression is
// the shared evaluator (backends/eval.hpp) with the kernel's root node. The xsimd emitter
// replaces these loop bodies later; the kernel kinds stay the same.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include "../eval.hpp"
#include "for_each_index.hpp"
#include "matmul.hpp"

namespace coil::kernel {

// out[ix] = value of the root at ix, for every ix of the root's shape.
template <class P, int R, int N> void run_elementwise(exec_state<N>& s) {
  using T = value_t<P, R>;
  T* out = static_cast<T*>(const_cast<void*>(s.data[R]));
  for_each_index(record_v<P, R>.shp.rank, s.ext[R],
                 [&](const index_t& ix) { out[offset_of<P, R>(s, ix)] = eval<P, R, R>(s, ix); });
}

// Accumulator type of a reduction: floating sums accumulate in double (the scalar v1
// loops favour accuracy), integer sums in int64.
template <op_code C, class In> struct accumulator {
  using type = std::conditional_t<std::is_floating_point_v<In>, double, std::int64_t>;
};

template <class P, int R, int N> void run_reduction(exec_state<N>& s) {
  constexpr node_record r = record_v<P, R>;
  constexpr int c = r.inputs[0];
  constexpr node_record in = record_v<P, c>;
  using T = value_t<P, R>;
  using In = value_t<P, c>;
  using Acc = typename accumulator<r.code, In>::type;
  T* out = static_cast<T*>(const_cast<void*>(s.data[R]));

  // the folded axes of the input, in order
  int folded[max_rank]{}, nfolded = 0;
  std::int64_t fext[max_rank]{};
  std::int64_t count = 1;
  for (int d = 0; d < in.shp.rank; ++d)
    if ((r.axes >> d) & 1u) {
      folded[nfolded] = d;
      fext[nfolded++] = s.ext[c][d];
      count *= s.ext[c][d];
    }

  for_each_index(r.shp.rank, s.ext[R], [&](const index_t& oix) {
    // input index: kept axes from the output index, folded ones from the inner loop
    index_t cix{};
    for (int d = 0, o = 0; d < in.shp.rank; ++d) {
      if ((r.axes >> d) & 1u) {
        if (r.keepdim) ++o;
      } else {
        cix.v[d] = oix.v[o++];
      }
    }
    Acc acc{};
    In best{};
    std::int64_t best_at = -1, at = 0;
    if constexpr (r.code == op_code::prod) acc = 1;
    for_each_index(nfolded, fext, [&](const index_t& fix) {
      for (int k = 0; k < nfolded; ++k) cix.v[folded[k]] = fix.v[k];
      const In v = eval<P, c, R>(s, cix);
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
    else if constexpr (r.code == op_code::mean) result = static_cast<T>(static_cast<double>(acc) / static_cast<double>(count));
    else if constexpr (r.code == op_code::amax || r.code == op_code::amin) result = static_cast<T>(best);
    else result = static_cast<T>(best_at);
    out[offset_of<P, R>(s, oix)] = result;
  });
}

template <class P, int K, int N> void run_kernel(exec_state<N>& s) {
  constexpr int R = P::plan.kernel_root[K];
  constexpr op_kind kind = record_v<P, R>.kind;
  if constexpr (kind == op_kind::reduction) run_reduction<P, R>(s);
  else if constexpr (kind == op_kind::matmul) run_matmul<P, R>(s);
  else run_elementwise<P, R>(s);
}

// Runs every kernel of the plan in order.
template <class P, int N> void run_cpu(exec_state<N>& s) {
  [&]<std::size_t... K>(std::index_sequence<K...>) { (run_kernel<P, static_cast<int>(K)>(s), ...); }(
      std::make_index_sequence<P::plan.kernel_count>{});
}

} // namespace coil::kernel
