// Which steps of a kernel program are the same along a row: the analysis both the CPU row
// loops (cpu/simd.hpp) and CUDA's register rows (cuda/register_rows.hpp) use to compute
// such steps once per row and to multiply by the reciprocal of a row-invariant divisor.
#pragma once
#include <cstddef>

#include "eval.hpp"

namespace coil::kernel {

// Which steps of a program give the same value at every inner index of a row (axis
// `inner` of index register 0): constants, loads whose index does not follow that axis
// (a broadcast along it, a keepdim reduction read by its row), and pointwise ops of such
// values. The backends compute them once per row instead of once per element or batch
// (the CPU hoists them; CUDA's unrolled row code shares them): the same ops on the same
// values, so the same bits. Index steps are traced by which
// axis of each index register carries the inner index (-1: none; -2: not known, taken
// as moving; value and index registers are numbered apart). A `where` (select and move
// steps) is invariant when its condition and both branches are; an iota when its axis
// does not carry the inner index. A load that only the call's strides make stay (a broadcastable symbol
// bound to 1) still runs per batch.
//
// A division of a moving value by a row-invariant one (softmax's e / sum, x / norm) is
// marked `recip`: the row code multiplies by the divisor's reciprocal, computed once per
// row, as PyTorch's CPU softmax and norm kernels do (a * (1 / b) is within 1.5 ulp of
// a / b). It does so only in rows whose divisor and its reciprocal are both normal (or
// the divisor is 0, inf or NaN, where both forms give the same values); a subnormal or
// huge divisor divides.
template <std::size_t Steps> struct invariant_steps {
  bool step[Steps > 0 ? Steps : 1]{};
  bool recip[Steps > 0 ? Steps : 1]{};
  bool any_recip = false;
};
template <class Prog> constexpr auto row_invariant(const Prog& p, int inner) {
  constexpr std::size_t steps = Prog{}.steps.size();
  invariant_steps<steps> r;
  int pos[steps + 1]{}; // per index register
  bool inv[steps + 1]{}; // per value register
  for (auto& q : pos) q = -2;
  pos[0] = inner;
  for (std::size_t j = 0; j < steps; ++j) {
    const step& st = p.steps[j];
    const int in = st.a >= 0 && st.a <= static_cast<int>(steps) ? pos[st.a] : -2;
    switch (st.op) {
    case step_op::constant:
      r.step[j] = inv[st.out] = true;
      break;
    case step_op::load:
      r.step[j] = inv[st.out] = in == -1;
      break;
    case step_op::cast: case step_op::select: // value registers from value registers
      r.step[j] = inv[st.out] = inv[st.a];
      break;
    case step_op::move: // a branch's value, when its guard (the select) is invariant too, and
      // a later branch only when the earlier ones are (it selects over their value)
      r.step[j] = inv[st.out] = inv[st.a] && (st.guard < 0 || inv[st.guard]) && (st.branch == 0 || inv[st.out]);
      break;
    case step_op::iota: // the index along st.axis: invariant when that axis does not carry the inner index
      r.step[j] = inv[st.out] = in == -1 || (in >= 0 && in != st.axis);
      break;
    case step_op::ix_cat: // a value register (the pick) and an index register
      inv[st.out] = false;
      pos[st.out_ix] = in == -1 ? -1 : -2;
      break;
    case step_op::ix_gather: // an index read from a value register
      pos[st.out] = in == -1 && inv[st.b] ? -1 : -2;
      break;
    case step_op::pointwise:
      r.step[j] = inv[st.out] = inv[st.a] && (st.b < 0 || inv[st.b]);
      r.recip[j] = st.code == op_code::div && st.b >= 0 && !inv[st.a] && inv[st.b];
      r.any_recip = r.any_recip || r.recip[j];
      break;
    case step_op::ix_bcast: {
      const int d = in - (st.rank - st.crank);
      pos[st.out] = in < 0 ? in : d < 0 || ((st.mask >> d) & 1u) ? -1 : d;
      break;
    }
    case step_op::ix_permute:
      pos[st.out] = in < 0 ? in : static_cast<int>((st.perm >> (4 * in)) & 15u);
      break;
    case step_op::ix_slice: case step_op::ix_flip:
      pos[st.out] = in;
      break;
    case step_op::ix_squeeze:
      pos[st.out] = in < 0 ? in : in < st.axis ? in : in + 1;
      break;
    case step_op::ix_unsqueeze:
      pos[st.out] = in < 0 ? in : in == st.axis ? -1 : in < st.axis ? in : in - 1;
      break;
    default: // ix_window and the rest: moving unless nothing they read moves
      if (st.out >= 0 && st.out <= static_cast<int>(steps)) pos[st.out] = in == -1 ? -1 : -2;
      break;
    }
  }
  return r;
}

template <class P, int I, int Root>
inline constexpr auto row_invariant_v = row_invariant(program_v<P, I, Root>, record_v<P, I>.shp.rank - 1);

} // namespace coil::kernel
