// Shape ops as PyTorch defines them, lowered to views and cat: stack, split / chunk
// (a std::tuple of slices), repeat (unsqueeze + expand + reshape, one dim at a time) and
// flatten(start_dim, end_dim). None of them does arithmetic.
#pragma once
#include <cstdint>
#include <tuple>
#include <utility>

#include "common.hpp"

namespace coil {

// ---- stack -----------------------------------------------------------------------

// stack along a new dim Dim of tensors of one shape (dtypes promote, as torch.stack).
template <int Dim> struct stack_op {
  static constexpr const char* name = "stack";
  static constexpr infer_result infer(const node_record* in, int n) {
    infer_result r;
    r.rec.kind = op_kind::cat;
    const node_record& x = in[0];
    const int a = Dim < 0 ? Dim + x.shp.rank + 1 : Dim;
    if (a < 0 || a > x.shp.rank || x.shp.rank == max_rank) return detail::fail_dim(r, name, Dim, x);
    promo_operand ops[max_inputs]{};
    for (int i = 0; i < n; ++i) {
      ops[i] = {in[i].type, false};
      bool same = in[i].shp.rank == x.shp.rank;
      for (int d = 0; same && d < x.shp.rank; ++d) same = detail::may_equal(in[i].shp.d[d], x.shp.d[d]);
      if (!same) return detail::fail_shapes(r, name, "tensors must have one shape: ", x, "first", in[i], "operand");
    }
    r.rec.type = r.rec.compute = promote(ops, n);
    r.rec.shp.rank = x.shp.rank + 1;
    for (int d = 0, j = 0; d < r.rec.shp.rank; ++d) r.rec.shp.d[d] = d == a ? dim_const(n) : x.shp.d[j++];
    return r;
  }
};

template <int Dim, class Target> struct lower_impl<stack_op<Dim>, Target> {
  template <class... X> using apply = decltype(cat<Dim>(unsqueeze<Dim>(X{})...));
};

// `stack<0>(a, b, c)`: torch.stack((a, b, c), dim=0), up to coil::max_inputs tensors.
template <int Dim = 0, expr... X> constexpr auto stack(X... x) {
  static_assert(sizeof...(X) >= 1 && sizeof...(X) <= max_inputs, "coil::stack: takes 1 to 8 tensors");
  return make_node<stack_op<Dim>>(x...);
}

// ---- split / chunk -------------------------------------------------------------------

// How a split divides a static extent: pieces of Size (the last may be shorter), the
// given section sizes, or Chunks pieces of ceil(extent / Chunks) (maybe fewer pieces).
enum class split_kind : std::uint8_t { size, sections, chunks };

struct split_plan {
  bool ok = true;
  bool too_many = false; // more pieces than a split_plan holds
  int count = 0;
  std::int64_t start[64]{}, stop[64]{};
};

namespace detail {
template <split_kind K, std::int64_t... Args> constexpr split_plan plan_split(std::int64_t extent) {
  split_plan p;
  const std::int64_t args[] = {Args..., 0};
  constexpr int nargs = sizeof...(Args);
  auto piece = [&p](std::int64_t a, std::int64_t b) {
    if (p.count == 64) {
      p.ok = false;
      p.too_many = true;
      return;
    }
    p.start[p.count] = a;
    p.stop[p.count++] = b;
  };
  if constexpr (K == split_kind::sections) {
    std::int64_t at = 0;
    for (int i = 0; i < nargs; ++i) {
      if (args[i] < 0) p.ok = false;
      piece(at, at + args[i]);
      at += args[i];
    }
    if (at != extent) p.ok = false;
  } else {
    std::int64_t size = args[0];
    if (K == split_kind::chunks) size = args[0] > 0 ? (extent + args[0] - 1) / args[0] : 0;
    if (size <= 0) {
      p.ok = extent == 0 && K == split_kind::chunks && args[0] > 0;
      if (p.ok) piece(0, 0);
      return p;
    }
    if (extent == 0) piece(0, 0); // torch.split of an empty dim gives one empty piece
    for (std::int64_t at = 0; at < extent; at += size) piece(at, at + size < extent ? at + size : extent);
  }
  return p;
}
} // namespace detail

// Piece Part of a split of dim Dim.
template <split_kind K, int Dim, int Part, std::int64_t... Args> struct split_op {
  static constexpr const char* name = K == split_kind::chunks ? "chunk" : "split";
  static constexpr infer_result infer(const node_record* in, int) {
    const node_record& x = in[0];
    infer_result r = detail::view_base(x, op_code::slice);
    const int a = normalize_axis(Dim, x.shp.rank);
    if (a < 0 || x.shp.rank == 0) return detail::fail_dim(r, name, Dim, x);
    r.rec.axis = a;
    if (!x.shp.d[a].is_static()) {
      r = detail::fail_shape(r, name, "the split dim must be static: ", x);
      r.msg << ", dim " << a;
      return r;
    }
    const split_plan p = detail::plan_split<K, Args...>(x.shp.d[a].static_value());
    if (!p.ok) {
      const char* what = p.too_many                   ? "more than 64 pieces: "
                         : K == split_kind::sections ? "section sizes must add up to the dim: "
                         : K == split_kind::chunks ? "chunks must be positive: "
                                                   : "split size must be positive: ";
      r = detail::fail_shape(r, name, what, x);
      r.msg << ", dim " << a << ", argument";
      for (std::int64_t v : {Args...}) r.msg << ' ' << v;
      return r;
    }
    r.rec.start = p.start[Part];
    r.rec.stop = p.stop[Part];
    r.rec.shp = x.shp;
    r.rec.shp.d[a] = dim_const(p.stop[Part] - p.start[Part]);
    return r;
  }
};

template <split_kind K, int Dim, int Part, std::int64_t... Args, class Target>
struct lower_impl<split_op<K, Dim, Part, Args...>, Target> {
  template <class X> using apply = decltype(slice<Dim, record_of<node<split_op<K, Dim, Part, Args...>, X>>.start,
                                                  record_of<node<split_op<K, Dim, Part, Args...>, X>>.stop>(X{}));
};

namespace detail {
template <split_kind K, int Dim, std::int64_t... Args, class X, std::size_t... P>
constexpr auto split_parts(X x, std::index_sequence<P...>) {
  return std::tuple{make_node<split_op<K, Dim, static_cast<int>(P), Args...>>(x)...};
}
template <split_kind K, int Dim, std::int64_t... Args, class X> constexpr auto split_impl(X x) {
  using first = node<split_op<K, Dim, 0, Args...>, X>;
  if constexpr (!node_result<first>.ok) {
    static_assert(report_invalid_node<first>()); // stops here with the op's message
    return std::tuple<>{};
  } else {
    constexpr int count = plan_split<K, Args...>(record_of<X>.shp.d[record_of<first>.axis].static_value()).count;
    return split_parts<K, Dim, Args...>(x, std::make_index_sequence<static_cast<std::size_t>(count)>{});
  }
}
} // namespace detail

// `split<2>(x)` / `split<2, -1>(x)`: torch.split(x, 2, dim), pieces of 2 (the last may be
// shorter); `split_sections<-1, 2, 3>(x)`: torch.split(x, [2, 3], dim=-1). The split dim
// must be static: the number of pieces is part of the result's type.
template <std::int64_t SplitSize, int Dim = 0, expr X> constexpr auto split(X x) {
  return detail::split_impl<split_kind::size, Dim, SplitSize>(x);
}
template <int Dim, std::int64_t... Sections, expr X> constexpr auto split_sections(X x) {
  return detail::split_impl<split_kind::sections, Dim, Sections...>(x);
}
// `chunk<3>(x)`, `chunk<3, -1>(x)`: torch.chunk(x, 3, dim): pieces of ceil(n / 3), so
// possibly fewer than 3 of them, as in PyTorch.
template <std::int64_t Chunks, int Dim = 0, expr X> constexpr auto chunk(X x) {
  return detail::split_impl<split_kind::chunks, Dim, Chunks>(x);
}

// ---- repeat ----------------------------------------------------------------------

// x.repeat(Reps...): x (with leading size-1 dims added up to the number of repeats)
// tiled Reps[i] times along each dim i.
template <std::int64_t... Reps> struct repeat_op {
  static constexpr const char* name = "repeat";
  static constexpr infer_result infer(const node_record* in, int) {
    const node_record& x = in[0];
    infer_result r = detail::view_base(x, op_code::reshape);
    constexpr int n = sizeof...(Reps);
    const std::int64_t reps[] = {Reps..., 0};
    if (n < x.shp.rank) {
      r = detail::fail_shape(r, name, "needs a repeat count per dim: ", x);
      r.msg << ", " << n << " counts";
      return r;
    }
    if (n + 1 > max_rank) return detail::fail_shape(r, name, "more repeat counts than coil::max_rank - 1: ", x);
    r.rec.shp.rank = n;
    for (int i = 0; i < n; ++i) {
      if (reps[i] < 0) {
        r = detail::fail_prefix(r, name, "repeat counts must be non-negative: ");
        r.msg << "count " << reps[i] << " at dim " << i;
        return r;
      }
      const int xi = i - (n - x.shp.rank);
      r.rec.shp.d[i] = (xi >= 0 ? x.shp.d[xi] : dim_const(1)) * dim_const(reps[i]);
    }
    return r;
  }
};

namespace detail {
// Tiles dim I of x (already of the result's rank) Rep times: [.., a, ..] -> unsqueeze ->
// [.., 1, a, ..] -> expand -> [.., Rep, a, ..] -> reshape -> [.., Rep * a, ..].
constexpr shape insert_dim(const shape& s, int at, const dim& d) {
  shape e;
  e.rank = s.rank + 1;
  for (int i = 0, j = 0; i < e.rank; ++i) e.d[i] = i == at ? d : s.d[j++];
  return e;
}
constexpr shape scale_dim(shape s, int at, std::int64_t by) {
  s.d[at] = s.d[at] * dim_const(by);
  return s;
}
constexpr shape pad_leading(const shape& s, int rank) {
  shape p;
  p.rank = rank;
  for (int i = 0; i < rank; ++i) p.d[i] = i < rank - s.rank ? dim_const(1) : s.d[i - (rank - s.rank)];
  return p;
}

template <int I, std::int64_t Rep, class X> constexpr auto tile_dim(X x) {
  if constexpr (Rep == 1) {
    return x;
  } else {
    constexpr shape expanded = insert_dim(record_of<X>.shp, I, dim_const(Rep));
    constexpr shape tiled = scale_dim(record_of<X>.shp, I, Rep);
    using up = decltype(unsqueeze<I>(x));
    return reshape_to_t<typename expand_to<up, expanded>::type, tiled>{};
  }
}
// Tiles dims I.. of x, one dim at a time: the rank stays at most rank + 1.
template <int I, std::int64_t... Reps, class X> constexpr auto tile_from(X x) {
  constexpr std::int64_t reps[] = {Reps..., 0};
  if constexpr (I == static_cast<int>(sizeof...(Reps))) return x;
  else return tile_from<I + 1, Reps...>(tile_dim<I, reps[I]>(x));
}
} // namespace detail

template <std::int64_t... Reps, class Target> struct lower_impl<repeat_op<Reps...>, Target> {
  template <class X> static constexpr auto build(X) {
    constexpr shape padded = detail::pad_leading(record_of<X>.shp, static_cast<int>(sizeof...(Reps)));
    return detail::tile_from<0, Reps...>(detail::reshape_to_t<X, padded>{});
  }
  template <class X> using apply = decltype(build(X{}));
};

// `repeat(x, 2_c, 3_c)`: x.repeat(2, 3).
template <expr X, static_integer... Reps> constexpr auto repeat(X x, Reps...) {
  static_assert(sizeof...(Reps) >= 1, "coil::repeat: give one repeat count per dim");
  return make_node<repeat_op<Reps::int_value...>>(x);
}

// ---- flatten ---------------------------------------------------------------------

// flatten(x, Start, End): dims Start..End (inclusive) merged into one.
template <int Start, int End> struct flatten_op {
  static constexpr const char* name = "flatten";
  static constexpr infer_result infer(const node_record* in, int) {
    const node_record& x = in[0];
    infer_result r = detail::view_base(x, op_code::reshape);
    const int s = normalize_axis(Start, x.shp.rank), e = normalize_axis(End, x.shp.rank);
    if (s < 0) return detail::fail_dim(r, name, Start, x);
    if (e < 0) return detail::fail_dim(r, name, End, x);
    if (x.shp.rank == 0) { // a 0-d tensor flattens to [1]
      r.rec.shp.rank = 1;
      r.rec.shp.d[0] = dim_const(1);
      return r;
    }
    if (s > e) {
      r = detail::fail_shape(r, name, "start_dim comes after end_dim: ", x);
      r.msg << ", start_dim " << Start << ", end_dim " << End;
      return r;
    }
    dim merged = dim_const(1);
    for (int d = s; d <= e; ++d) merged = merged * x.shp.d[d];
    if (!merged.valid) return detail::fail_shape(r, name, "the merged dim is too complex a symbolic expression: ", x);
    for (int d = 0; d < x.shp.rank; ++d) {
      if (d < s || d > e) r.rec.shp.d[r.rec.shp.rank++] = x.shp.d[d];
      else if (d == s) r.rec.shp.d[r.rec.shp.rank++] = merged;
    }
    return r;
  }
};

template <int Start, int End, class Target> struct lower_impl<flatten_op<Start, End>, Target> {
  template <class X> using apply = detail::reshape_to_t<X, record_of<node<flatten_op<Start, End>, X>>.shp>;
};

// `flatten<1>(x)`, `flatten<1, 2>(x)`: torch.flatten(x, start_dim, end_dim). (`flatten(x)`,
// all dims, is coil's reshape to one dim in ir/op_view.hpp.)
template <int Start, int End = -1, expr X> constexpr auto flatten(X x) { return make_node<flatten_op<Start, End>>(x); }

} // namespace coil
