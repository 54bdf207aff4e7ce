// The expression evaluator shared by the CPU and CUDA emitters: the value of node I at
// index `ix`, recomputing inlined nodes and reading realized ones from memory. Which is
// which comes from the Plan; the op's arithmetic from its IR record and scalar function.
// Everything here is COIL_HOST_DEVICE and recursion is resolved at compile time.
#pragma once
#include <utility>

#include "../ir/op_leaf.hpp"
#include "../ir/op_pointwise.hpp"
#include "../schedule/plan.hpp"
#include "exec_state.hpp"

namespace coil::kernel {

// A program is what a backend instantiates: `graph` (the graph type) and `plan`.
template <class P> using graph_t = typename P::graph;

template <class P, int I> inline constexpr node_record record_v = P::graph::records[I];
template <class P, int I> using value_t = element_t<record_v<P, I>.type>;

// Extent of node I along axis d: a constant where the dim is static.
template <class P, int I, int D, int N> COIL_HOST_DEVICE COIL_INLINE std::int64_t extent(const exec_state<N>& s) {
  constexpr dim d = record_v<P, I>.shp.d[D];
  if constexpr (d.is_static()) return d.static_value();
  else return s.ext[I][D];
}

template <class P, int I, int N> COIL_HOST_DEVICE COIL_INLINE std::int64_t offset_of(const exec_state<N>& s, const index_t& ix) {
  std::int64_t off = 0;
  for (int d = 0; d < record_v<P, I>.shp.rank; ++d) off += ix.v[d] * s.str[I][d];
  return off;
}

// Index of input Child for a broadcasting consumer Parent at `ix` (right-aligned; a
// static size-1 dim reads index 0).
template <class P, int Parent, int Child> COIL_HOST_DEVICE COIL_INLINE index_t broadcast_index(const index_t& ix) {
  constexpr node_record p = record_v<P, Parent>, c = record_v<P, Child>;
  index_t out{};
  for (int j = 0; j < c.shp.rank; ++j) out.v[j] = c.shp.d[j].is_static(1) ? 0 : ix.v[j + p.shp.rank - c.shp.rank];
  return out;
}

template <class P, int I, int Root, int N> COIL_HOST_DEVICE auto eval(const exec_state<N>& s, const index_t& ix);

namespace detail {
template <class P, int I, int Root, int N, std::size_t... K>
COIL_HOST_DEVICE COIL_INLINE auto eval_cat(const exec_state<N>& s, const index_t& ix, std::index_sequence<K...>) {
  constexpr node_record r = record_v<P, I>;
  using T = value_t<P, I>;
  T result{};
  std::int64_t at = ix.v[r.axis];
  bool done = false;
  // Walk the inputs in order; the first whose extent covers `at` supplies the value.
  (
      [&] {
        if (done) return;
        constexpr int c = r.inputs[K];
        std::int64_t n = extent<P, c, r.axis>(s);
        if (at < n) {
          index_t cix = ix;
          cix.v[r.axis] = at;
          result = convert<T>(eval<P, c, Root>(s, cix));
          done = true;
        } else {
          at -= n;
        }
      }(),
      ...);
  return result;
}

template <class P, int I, int N> COIL_HOST_DEVICE COIL_INLINE index_t reshape_index(const exec_state<N>& s, const index_t& ix) {
  constexpr node_record r = record_v<P, I>;
  constexpr int c = r.inputs[0];
  constexpr int crank = record_v<P, c>.shp.rank;
  std::int64_t lin = 0;
  for (int d = 0; d < r.shp.rank; ++d) lin = lin * s.ext[I][d] + ix.v[d];
  index_t out{};
  for (int d = crank - 1; d >= 0; --d) {
    std::int64_t e = s.ext[c][d];
    out.v[d] = e ? lin % e : 0;
    lin = e ? lin / e : 0;
  }
  return out;
}
} // namespace detail

template <class P, int I, int Root, int N> COIL_HOST_DEVICE auto eval(const exec_state<N>& s, const index_t& ix) {
  constexpr node_record r = record_v<P, I>;
  using T = value_t<P, I>;
  if constexpr ((I != Root && P::plan.realized[I]) || r.kind == op_kind::input) {
    return static_cast<const T*>(s.data[I])[offset_of<P, I>(s, ix)];
  } else if constexpr (r.kind == op_kind::constant) {
    return constant_value<T>(r.type, r.bits);
  } else if constexpr (r.kind == op_kind::pointwise) {
    using C = element_t<r.compute>;
    constexpr int a = r.inputs[0];
    auto arg = [&]<int Child>() { return scalar::cast<C>(eval<P, Child, Root>(s, broadcast_index<P, I, Child>(ix))); };
    if constexpr (r.code == op_code::cast) {
      return scalar::cast<T>(arg.template operator()<a>());
    } else if constexpr (r.ninputs == 1) {
      return convert<T>(apply_pointwise<r.code, C>(arg.template operator()<a>()));
    } else if constexpr (r.ninputs == 2) {
      return convert<T>(apply_pointwise<r.code, C>(arg.template operator()<a>(), arg.template operator()<r.inputs[1]>()));
    } else { // where
      const bool cond = eval<P, a, Root>(s, broadcast_index<P, I, a>(ix));
      return cond ? convert<T>(arg.template operator()<r.inputs[1]>()) : convert<T>(arg.template operator()<r.inputs[2]>());
    }
  } else if constexpr (r.kind == op_kind::view) {
    constexpr int c = r.inputs[0];
    constexpr int crank = record_v<P, c>.shp.rank;
    index_t cix{};
    if constexpr (r.code == op_code::reshape) {
      cix = detail::reshape_index<P, I>(s, ix);
    } else if constexpr (r.code == op_code::permute) {
      for (int d = 0; d < r.shp.rank; ++d) cix.v[r.perm[d]] = ix.v[d];
    } else if constexpr (r.code == op_code::expand) {
      cix = broadcast_index<P, I, c>(ix);
    } else if constexpr (r.code == op_code::slice) {
      cix = ix;
      cix.v[r.axis] = r.start + ix.v[r.axis] * r.step;
    } else if constexpr (r.code == op_code::squeeze) {
      for (int d = 0, j = 0; d < crank; ++d) cix.v[d] = d == r.axis ? 0 : ix.v[j++];
    } else { // unsqueeze
      for (int d = 0, j = 0; d < r.shp.rank; ++d)
        if (d != r.axis) cix.v[j++] = ix.v[d];
    }
    return static_cast<T>(eval<P, c, Root>(s, cix));
  } else if constexpr (r.kind == op_kind::cat) {
    return detail::eval_cat<P, I, Root>(s, ix, std::make_index_sequence<r.ninputs>{});
  } else {
    static_assert(r.kind == op_kind::cat, "coil: a reduction or extern op must be realized before it is read");
    return T{};
  }
}

} // namespace coil::kernel
