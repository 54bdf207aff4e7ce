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
// (the runtime re-checks every broadcast whose dims are not both static).
struct broadcast_dim {
  dim value;
  bool ok;
};

constexpr broadcast_dim broadcast(const dim& a, const dim& b) {
  if (a == b) return {a, true};
  if (a.is_static(1)) return {b, true};
  if (b.is_static(1)) return {a, true};
  if (a.is_static() && b.is_static()) return {a, false};
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

} // namespace coil
