// Index ops as PyTorch defines them, lowered to iota, gather and scan: arange, tril /
// triu, embedding, index_select, cumsum / cumprod.
#pragma once
#include <cstdint>
#include <limits>

#include "../ir/op_scan.hpp"
#include "common.hpp"

namespace coil {

// ---- arange ----------------------------------------------------------------------

namespace detail {
template <class L> constexpr double literal_value(L) {
  if constexpr (static_integer<L>) return static_cast<double>(L::int_value);
  else return L::real_value;
}
constexpr std::int64_t arange_count(double start, double end, double step) {
  const double n = (end - start) / step;
  const auto whole = static_cast<std::int64_t>(n);
  return n <= 0 ? 0 : (static_cast<double>(whole) < n ? whole + 1 : whole); // ceil
}
} // namespace detail

// `arange(n)`: int64 [n] holding 0 .. n-1, for a static (`8_c`) or symbolic (`S`) n.
template <dim_type N> constexpr auto arange(N n) { return iota<0>(n); }

// `arange(start_c, end_c, step_c)`: torch.arange(start, end, step). Integer literals give
// int64; any floating literal gives float32 (PyTorch's default dtype), each value computed
// as start + i * step in double and rounded once. (PyTorch's vectorized CPU kernel adds
// step to a rounded base in float within a vector, so a fractional step can differ from
// it by an ulp; the goldens compare within float tolerance.)
template <scalar_literal S, scalar_literal E, scalar_literal St = static_int<1>>
constexpr auto arange(S start, E, St step = {}) {
  constexpr double a = detail::literal_value(S{}), b = detail::literal_value(E{}), c = detail::literal_value(St{});
  static_assert(c != 0, "coil::arange: step must be nonzero");
  static_assert((b - a) / c >= 0 || a == b, "coil::arange: the range's bounds run against the sign of the step");
  constexpr std::int64_t n = detail::arange_count(a, b, c);
  const auto i = iota<0>(static_int<n>{});
  if constexpr (static_integer<S> && static_integer<E> && static_integer<St>) return i * step + start;
  else return cast<float>(cast<double>(i) * step + start);
}

// ---- tril / triu -------------------------------------------------------------------

// tril (Upper false) or triu of the last two dims, with a diagonal offset.
template <bool Upper, std::int64_t Diagonal> struct triangle_op {
  static constexpr const char* name = Upper ? "triu" : "tril";
  static constexpr infer_result infer(const node_record* in, int) {
    const node_record& x = in[0];
    infer_result r;
    r.rec.kind = op_kind::pointwise;
    r.rec.type = r.rec.compute = x.type;
    r.rec.shp = x.shp;
    if (x.shp.rank < 2) return detail::fail_shape(r, name, "needs 2 or more dims: ", x);
    return r;
  }
};

template <bool Upper, std::int64_t Diagonal, class Target> struct lower_impl<triangle_op<Upper, Diagonal>, Target> {
  template <class X> static constexpr auto build(X x) {
    constexpr shape m = detail::trailing_dims(record_of<X>.shp, 2);
    const auto offset = detail::iota_to_t<1, m>{} - detail::iota_to_t<0, m>{}; // column - row
    const auto zero = detail::fill_t<record_of<X>.type, detail::bits_of(0.0)>{};
    if constexpr (Upper) return where(offset >= static_int<Diagonal>{}, x, zero);
    else return where(offset <= static_int<Diagonal>{}, x, zero);
  }
  template <class X> using apply = decltype(build(X{}));
};

// `tril(x)`, `tril<-1>(x)`: torch.tril(input, diagonal=0); `triu` likewise.
template <std::int64_t Diagonal = 0, expr X> constexpr auto tril(X x) { return make_node<triangle_op<false, Diagonal>>(x); }
template <std::int64_t Diagonal = 0, expr X> constexpr auto triu(X x) { return make_node<triangle_op<true, Diagonal>>(x); }

// ---- embedding / index_select -------------------------------------------------------

struct embedding_op {
  static constexpr const char* name = "embedding";
  static constexpr infer_result infer(const node_record* in, int) {
    const node_record &ids = in[0], &w = in[1];
    infer_result r;
    r.rec.kind = op_kind::gather;
    r.rec.type = r.rec.compute = w.type;
    if (w.shp.rank != 2) return detail::fail_shape(r, name, "weight must be [num_embeddings, embedding_dim]: ", w, "weight");
    if (ids.type != dtype::i32 && ids.type != dtype::i64) {
      r = detail::fail_prefix(r, name, "indices must be int32 or int64: ");
      detail::label(r.msg, ids, "input");
      r.msg << " is " << dtype_name(ids.type);
      return r;
    }
    if (ids.shp.rank + 1 > max_rank) return detail::fail_shape(r, name, "result rank above coil::max_rank: ", ids);
    r.rec.shp = ids.shp;
    r.rec.shp.d[r.rec.shp.rank++] = w.shp.d[1];
    return r;
  }
};

template <class Target> struct lower_impl<embedding_op, Target> {
  template <class Ids, class W> using apply = node_t<gather_op<0>, W, Ids>;
};

// `embedding(ids, weight)`: F.embedding(input, weight). Rows of weight by index; an index
// outside [0, num_embeddings) in an input is a call-time error (gather_op).
template <expr Ids, expr W> constexpr auto embedding(Ids ids, W weight) { return make_node<embedding_op>(ids, weight); }

template <int Dim> struct index_select_op {
  static constexpr const char* name = "index_select";
  static constexpr infer_result infer(const node_record* in, int n) {
    infer_result r = gather_op<Dim>::infer(in, n);
    if (in[1].shp.rank > 1) return detail::fail_shape(infer_result{}, name, "index must be 0-d or 1-d: ", in[1], "index");
    if (!r.ok) {
      infer_result named;
      named.ok = false;
      named.msg << "coil::index_select" << (r.msg.c_str() + cstr_len("coil::gather"));
      return named;
    }
    if (in[1].shp.rank == 0) r.rec.shp = in[0].shp, r.rec.shp.d[r.rec.axis] = dim_const(1); // torch keeps the dim
    return r;
  }
};

template <int Dim, class Target> struct lower_impl<index_select_op<Dim>, Target> {
  template <class X, class I> static constexpr auto build(X x, I i) {
    if constexpr (record_of<I>.shp.rank == 0) return gather<Dim>(x, unsqueeze<0>(i));
    else return gather<Dim>(x, i);
  }
  template <class X, class I> using apply = decltype(build(X{}, I{}));
};

// `index_select(x, 1_c, idx)` or `index_select<1>(x, idx)`: torch.index_select(input, dim, index).
template <int Dim, expr X, expr I> constexpr auto index_select(X x, I index) { return make_node<index_select_op<Dim>>(x, index); }
template <expr X, static_integer D, expr I> constexpr auto index_select(X x, D, I index) {
  return index_select<static_cast<int>(D::int_value)>(x, index);
}

// ---- cumsum / cumprod -----------------------------------------------------------------

// cumsum (C = cumsum) or cumprod along Dim: the scan primitive (ir/op_scan.hpp), one pass
// per line.
template <op_code C, int Dim> struct cumulative_op {
  static constexpr const char* name = C == op_code::cumsum ? "cumsum" : "cumprod";
  static constexpr infer_result infer(const node_record* in, int n) { return scan_op<C, Dim>::infer(in, n); }
};

template <op_code C, int Dim, class Target> struct lower_impl<cumulative_op<C, Dim>, Target> {
  template <class X> using apply = node_t<scan_op<C, Dim>, X>;
};

// `cumsum(x, 1_c)` or `cumsum<1>(x)`: torch.cumsum(input, dim); `cumprod` likewise.
template <int Dim, expr X> constexpr auto cumsum(X x) { return make_node<cumulative_op<op_code::cumsum, Dim>>(x); }
template <expr X, static_integer D> constexpr auto cumsum(X x, D) { return cumsum<static_cast<int>(D::int_value)>(x); }
template <int Dim, expr X> constexpr auto cumprod(X x) { return make_node<cumulative_op<op_code::cumprod, Dim>>(x); }
template <expr X, static_integer D> constexpr auto cumprod(X x, D) { return cumprod<static_cast<int>(D::int_value)>(x); }

} // namespace coil
