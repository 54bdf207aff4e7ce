// Shapes as values: a rank and up to max_rank dims. Broadcasting, numel and printing
// are constexpr functions so that one code path serves static and symbolic extents.
#pragma once
#include "dim.hpp"

namespace coil {

struct shape {
  int rank = 0;
  dim d[max_rank]{};

  constexpr bool is_static() const {
    for (int i = 0; i < rank; ++i)
      if (!d[i].is_static()) return false;
    return true;
  }
  friend constexpr bool operator==(const shape& a, const shape& b) {
    if (a.rank != b.rank) return false;
    for (int i = 0; i < a.rank; ++i)
      if (!(a.d[i] == b.d[i])) return false;
    return true;
  }
};

constexpr dim numel(const shape& s) {
  dim n = dim_const(1);
  for (int i = 0; i < s.rank; ++i) n = n * s.d[i];
  return n;
}

// Normalizes a possibly negative axis (PyTorch's `dim=-1`); -1 when out of range. A 0-d
// tensor accepts axes 0 and -1, as in PyTorch (it wraps as if it had one dim).
constexpr int normalize_axis(int axis, int rank) {
  const int r = rank == 0 ? 1 : rank;
  int a = axis < 0 ? axis + r : axis;
  return (a < 0 || a >= r) ? -1 : a;
}

template <std::size_t Cap> constexpr void format_shape(text<Cap>& out, const shape& s) {
  out << '[';
  for (int i = 0; i < s.rank; ++i) {
    if (i) out << ", ";
    format_dim(out, s.d[i]);
  }
  out << ']';
}

// Result of broadcasting two dims. Equal dims, or a static 1 against anything, are
// decided here; two different dims of which one is symbolic need a runtime guard
// (the runtime re-checks every broadcast whose dims are not both static). A broadcastable
// symbol (sym<"B", coil::broadcastable>) may bind to 1 and then takes the other side's
// extent, as PyTorch does: against an ordinary dim the result is that dim (B is guarded to
// be 1 or equal to it); two broadcastable ones give bcast(B, B2), itself broadcastable.
struct broadcast_dim {
  dim value;
  bool ok;
};

constexpr broadcast_dim broadcast(const dim& a, const dim& b) {
  if (a == b) return {a, true};
  if (a.is_static(1)) return {b, true};
  if (b.is_static(1)) return {a, true};
  if (a.is_static() && b.is_static()) return {a, false};
  const bool ba = a.broadcastable(), bb = b.broadcastable();
  if (ba && bb) {
    bool ok = false;
    const dim r = broadcast_symbols(a, b, ok);
    if (ok) return {r, true}; // past 3 symbols: the guarded rule below
  } else if (ba) {
    return {b, true};
  } else if (bb) {
    return {a, true};
  }
  return {a.is_static() ? a : b, true}; // guarded at call time: both must be equal
}

struct broadcast_result {
  shape value;
  bool ok = true;
  int bad_axis = -1; // axis of the result where static dims disagree
};

constexpr broadcast_result broadcast(const shape& a, const shape& b) {
  broadcast_result r;
  r.value.rank = a.rank > b.rank ? a.rank : b.rank;
  for (int i = 0; i < r.value.rank; ++i) {
    int ia = i - (r.value.rank - a.rank), ib = i - (r.value.rank - b.rank);
    dim da = ia >= 0 ? a.d[ia] : dim_const(1);
    dim db = ib >= 0 ? b.d[ib] : dim_const(1);
    broadcast_dim bd = broadcast(da, db);
    r.value.d[i] = bd.value;
    if (!bd.ok && r.ok) {
      r.ok = false;
      r.bad_axis = i;
    }
  }
  return r;
}

// Output length of a convolution or pooling window along one axis, PyTorch's formula for
// Conv1d/2d/3d and Max/AvgPool (ceil_mode=False):
//   floor((L + 2*padding - dilation*(kernel - 1) - 1) / stride) + 1
// Static for a static L; for a symbolic one a canonical dim, so that equal windows give
// equal extents and stacked strided windows stay one floordiv:
//   conv_output_dim(dim_symbol("L"), 3, 2, 1) == floordiv(1 + L, 2)        (kernel 3, stride 2, padding 1)
//   conv_output_dim(conv_output_dim(L, 3, 2, 1), 3, 2, 1) == floordiv(3 + L, 4)
// Invalid for kernel, stride or dilation below 1 or a negative padding. A result below 1
// (the input shorter than the window) is the caller's error to report.
constexpr dim conv_output_dim(const dim& in, std::int64_t kernel, std::int64_t stride = 1, std::int64_t padding = 0,
                              std::int64_t dilation = 1) {
  if (kernel < 1 || stride < 1 || padding < 0 || dilation < 1) return detail::invalid_dim();
  return floordiv(in + dim_const(2 * padding - dilation * (kernel - 1) - 1), stride) + dim_const(1);
}

} // namespace coil
