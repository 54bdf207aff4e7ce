// Views: reshape, permute/transpose, expand, slice, squeeze/unsqueeze, window (sliding
// windows, Tensor.unfold), flip; and cat. None of
// them does arithmetic: a view remaps the index it is read at, cat selects an input.
#pragma once
#include <limits>
#include <utility>

#include "op_leaf.hpp"

namespace coil {

// Stop value of a slice that runs to the end of the axis (PyTorch's `x[a:]`).
inline constexpr std::int64_t slice_end = std::numeric_limits<std::int64_t>::max();

namespace detail {
constexpr infer_result view_base(const node_record& x, op_code c) {
  infer_result r;
  r.rec.code = c;
  r.rec.kind = op_kind::view;
  r.rec.type = r.rec.compute = x.type;
  r.rec.wrapped = x.wrapped;
  return r;
}
constexpr infer_result bad_axis(infer_result r, const node_record& x, op_code c, int axis) {
  r = fail_prefix(r, op_name(c), "axis out of range: ");
  r.msg << "axis " << axis << " of ";
  label(r.msg, x, "input");
  r.msg << " ";
  format_shape(r.msg, x.shp);
  return r;
}
} // namespace detail

// reshape to the target dims; one of them may be -1 (inferred). `axis` records the -1 dim
// when its size is a floor division that the call must check divides evenly.
template <class... Dims> struct reshape_op {
  static constexpr op_code code = op_code::reshape;
  static constexpr infer_result infer(const node_record* in, int) {
    const node_record& x = in[0];
    infer_result r = detail::view_base(x, code);
    const dim target[] = {dim_const(0), Dims::value...};
    r.rec.shp.rank = sizeof...(Dims);
    int infer_at = -1;
    dim known = dim_const(1);
    for (int i = 0; i < r.rec.shp.rank; ++i) {
      const dim& d = target[i + 1];
      if (d.is_static(-1)) {
        if (infer_at >= 0) return detail::fail_prefix(r, "reshape", "only one dim may be -1");
        infer_at = i;
      } else {
        known = known * d;
      }
      r.rec.shp.d[i] = d;
    }
    const dim total = numel(x.shp);
    r.rec.axis = -1; // the inferred dim when it needs a call-time divisibility guard
    if (infer_at >= 0) {
      bool ok = false;
      dim q = exact_div(total, known, ok);
      // [B, 6] -> [-1, 4]: 6*B is divisible by 4 for even B only; the -1 dim is
      // floordiv(6*B, 4) and the call checks the remainder. A remainder that is a nonzero
      // constant ((4*B + 2) % 4) can never vanish: an error here, as for static sizes.
      if (!ok && !total.is_static() && known.is_static() && known.static_value() > 0) {
        const dim rest = mod(total, known.static_value());
        if (rest.valid && !rest.is_static()) {
          q = floordiv(total, known.static_value());
          ok = q.valid;
          r.rec.axis = infer_at;
        }
      }
      if (!ok) {
        r = detail::fail_prefix(r, "reshape", "cannot infer the -1 dim: ");
        detail::label(r.msg, x, "input");
        r.msg << " is ";
        format_shape(r.msg, x.shp);
        return r;
      }
      r.rec.shp.d[infer_at] = q;
      known = known * q;
    }
    // Provably different sizes are an error here; sizes that differ only by symbols the
    // algebra cannot relate are checked at call time.
    if (total.is_static() && known.is_static() && !(total == known)) {
      r = detail::fail_prefix(r, "reshape", "element counts differ: ");
      detail::label(r.msg, x, "input");
      r.msg << " is ";
      format_shape(r.msg, x.shp);
      r.msg << ", target is ";
      format_shape(r.msg, r.rec.shp);
    }
    return r;
  }
};

// permute: result axis i is input axis Perm[i].
template <int... Perm> struct permute_op {
  static constexpr op_code code = op_code::permute;
  static constexpr infer_result infer(const node_record* in, int) {
    const node_record& x = in[0];
    infer_result r = detail::view_base(x, code);
    const int p[] = {0, Perm...};
    if (static_cast<int>(sizeof...(Perm)) != x.shp.rank) {
      r = detail::fail_prefix(r, "permute", "needs one axis per dim: ");
      r.msg << static_cast<int>(sizeof...(Perm)) << " axes for ";
      detail::label(r.msg, x, "input");
      r.msg << " ";
      format_shape(r.msg, x.shp);
      return r;
    }
    std::uint32_t seen = 0;
    r.rec.shp.rank = x.shp.rank;
    for (int i = 0; i < x.shp.rank; ++i) {
      int a = normalize_axis(p[i + 1], x.shp.rank);
      if (a < 0 || (seen & (1u << a))) return detail::fail_prefix(r, "permute", "axes are not a permutation");
      seen |= 1u << a;
      r.rec.perm[i] = a;
      r.rec.shp.d[i] = x.shp.d[a];
    }
    return r;
  }
};

// expand (broadcast_to): size-1 dims stretch to the target; -1 keeps a dim.
template <class... Dims> struct expand_op {
  static constexpr op_code code = op_code::expand;
  static constexpr infer_result infer(const node_record* in, int) {
    const node_record& x = in[0];
    infer_result r = detail::view_base(x, code);
    const dim target[] = {dim_const(0), Dims::value...};
    const int rank = sizeof...(Dims);
    r.rec.shp.rank = rank;
    if (rank < x.shp.rank) return detail::fail_prefix(r, "expand", "target has fewer dims than the input");
    for (int i = 0; i < rank; ++i) {
      int xi = i - (rank - x.shp.rank);
      dim t = target[i + 1];
      if (t.is_static(-1)) {
        if (xi < 0) return detail::fail_prefix(r, "expand", "-1 is not allowed for a new leading dim");
        t = x.shp.d[xi];
      }
      if (xi >= 0) {
        const dim& s = x.shp.d[xi];
        if (!(s == t) && !s.is_static(1) && s.is_static() && t.is_static()) {
          r = detail::fail_prefix(r, "expand", "a dim that is not 1 cannot expand: ");
          detail::label(r.msg, x, "input");
          r.msg << " is ";
          format_shape(r.msg, x.shp);
          r.msg << ", dim " << xi << " to ";
          format_dim(r.msg, t);
          return r;
        }
      }
      r.rec.shp.d[i] = t;
    }
    return r;
  }
};

// slice(axis, start, stop, step), PyTorch's `x[..., start:stop:step]`: negative bounds
// count from the end, bounds clamp to the extent, step is positive.
template <int Axis, std::int64_t Start, std::int64_t Stop, std::int64_t Step> struct slice_op {
  static constexpr op_code code = op_code::slice;
  static constexpr infer_result infer(const node_record* in, int) {
    const node_record& x = in[0];
    infer_result r = detail::view_base(x, code);
    int a = normalize_axis(Axis, x.shp.rank);
    if (a < 0 || x.shp.rank == 0) return detail::bad_axis(r, x, code, Axis);
    if (Step <= 0) return detail::fail_prefix(r, "slice", "step must be positive");
    r.rec.shp = x.shp;
    r.rec.axis = a;
    r.rec.step = Step;
    const dim& n = x.shp.d[a];
    if (n.is_static()) {
      std::int64_t size = n.static_value();
      auto clamp = [size](std::int64_t v) {
        if (v < 0) v += size;
        return v < 0 ? 0 : (v > size ? size : v);
      };
      std::int64_t s = clamp(Start), e = Stop == slice_end ? size : clamp(Stop);
      r.rec.start = s;
      r.rec.stop = e;
      r.rec.shp.d[a] = dim_const(e > s ? (e - s + Step - 1) / Step : 0);
      return r;
    }
    // Symbolic extent: [start:] and [start:-k] with step 1 are exact expressions; the
    // call checks that the extent is large enough.
    if (Step != 1 || Start < 0 || (Stop != slice_end && Stop >= 0)) {
      r = detail::fail_prefix(r, "slice", "on a symbolic dim only [start:] and [start:-k] with step 1 are supported: ");
      detail::label(r.msg, x, "input");
      r.msg << " is ";
      format_shape(r.msg, x.shp);
      return r;
    }
    r.rec.start = Start;
    r.rec.stop = Stop; // slice_end or negative: resolved against the bound extent
    r.rec.shp.d[a] = n - dim_const(Start + (Stop == slice_end ? 0 : -Stop));
    return r;
  }
};

// squeeze(axis) removes a static size-1 dim; unsqueeze(axis) inserts one.
template <int Axis> struct squeeze_op {
  static constexpr op_code code = op_code::squeeze;
  static constexpr infer_result infer(const node_record* in, int) {
    const node_record& x = in[0];
    infer_result r = detail::view_base(x, code);
    int a = normalize_axis(Axis, x.shp.rank);
    if (a < 0 || x.shp.rank == 0) return detail::bad_axis(r, x, code, Axis);
    if (!x.shp.d[a].is_static(1)) {
      r = detail::fail_prefix(r, "squeeze", "dim is not a static 1: ");
      detail::label(r.msg, x, "input");
      r.msg << " is ";
      format_shape(r.msg, x.shp);
      r.msg << ", axis " << a;
      return r;
    }
    r.rec.axis = a;
    for (int i = 0; i < x.shp.rank; ++i)
      if (i != a) r.rec.shp.d[r.rec.shp.rank++] = x.shp.d[i];
    return r;
  }
};

template <int Axis> struct unsqueeze_op {
  static constexpr op_code code = op_code::unsqueeze;
  static constexpr infer_result infer(const node_record* in, int) {
    const node_record& x = in[0];
    infer_result r = detail::view_base(x, code);
    int a = Axis < 0 ? Axis + x.shp.rank + 1 : Axis;
    if (a < 0 || a > x.shp.rank || x.shp.rank == max_rank) return detail::bad_axis(r, x, code, Axis);
    r.rec.axis = a;
    r.rec.shp.rank = x.shp.rank + 1;
    for (int i = 0, j = 0; i < r.rec.shp.rank; ++i) r.rec.shp.d[i] = i == a ? dim_const(1) : x.shp.d[j++];
    return r;
  }
};

// window (Tensor.unfold with dilation): dim Axis of extent n becomes two dims, the window
// position o and the offset k in it, read at input index o * Stride + k * Dilation:
// [.., n, ..] -> [.., (n - span) / Stride + 1, Size, ..] with span = Dilation * (Size - 1) + 1.
// Convolutions and pooling read their input through it. On a symbolic dim the count is a
// floor division, and the call checks that the dim is at least the span.
template <int Axis, std::int64_t Size, std::int64_t Stride, std::int64_t Dilation> struct window_op {
  static constexpr op_code code = op_code::window;
  static constexpr infer_result infer(const node_record* in, int) {
    const node_record& x = in[0];
    infer_result r = detail::view_base(x, code);
    const int a = normalize_axis(Axis, x.shp.rank);
    if (a < 0 || x.shp.rank == 0 || x.shp.rank == max_rank) return detail::bad_axis(r, x, code, Axis);
    if (Size < 1 || Stride < 1 || Dilation < 1) {
      r = detail::fail_prefix(r, "window", "size, stride and dilation must be positive: ");
      r.msg << "size " << Size << ", stride " << Stride << ", dilation " << Dilation;
      return r;
    }
    constexpr std::int64_t span = Dilation * (Size - 1) + 1;
    const dim& n = x.shp.d[a];
    if (n.is_static() && n.static_value() < span) {
      r = detail::fail_prefix(r, "window", "the window is longer than the dim: ");
      r.msg << "span " << span << " over dim " << a << " of ";
      detail::label(r.msg, x, "input");
      r.msg << " ";
      format_shape(r.msg, x.shp);
      return r;
    }
    r.rec.axis = a;
    r.rec.start = Size;
    r.rec.step = Stride;
    r.rec.stop = Dilation;
    r.rec.shp.rank = x.shp.rank + 1;
    for (int d = 0; d < r.rec.shp.rank; ++d)
      r.rec.shp.d[d] = d < a ? x.shp.d[d] : d > a + 1 ? x.shp.d[d - 1] : x.shp.d[a];
    r.rec.shp.d[a] = floordiv(n - dim_const(span), Stride) + dim_const(1);
    r.rec.shp.d[a + 1] = dim_const(Size);
    if (!r.rec.shp.d[a].valid) return detail::fail_prefix(r, "window", "the window count is too complex a symbolic expression");
    return r;
  }
};

// flip(axis): reverses one dim (torch.flip with one dim).
template <int Axis> struct flip_op {
  static constexpr op_code code = op_code::flip;
  static constexpr infer_result infer(const node_record* in, int) {
    const node_record& x = in[0];
    infer_result r = detail::view_base(x, code);
    const int a = normalize_axis(Axis, x.shp.rank);
    if (a < 0 || x.shp.rank == 0) return detail::bad_axis(r, x, code, Axis);
    r.rec.axis = a;
    r.rec.shp = x.shp;
    return r;
  }
};

// cat along Axis: equal ranks, equal dims off the axis; dtypes promote.
template <int Axis> struct cat_op {
  static constexpr op_code code = op_code::cat;
  static constexpr infer_result infer(const node_record* in, int n) {
    infer_result r;
    r.rec.code = code;
    r.rec.kind = op_kind::cat;
    const node_record& x = in[0];
    int a = normalize_axis(Axis, x.shp.rank);
    if (a < 0 || x.shp.rank == 0) return detail::bad_axis(r, x, code, Axis);
    r.rec.axis = a;
    r.rec.shp = x.shp;
    promo_operand ops[max_inputs]{};
    for (int i = 0; i < n; ++i) {
      ops[i] = {in[i].type, false};
      if (i == 0) continue;
      bool same = in[i].shp.rank == x.shp.rank;
      for (int d = 0; same && d < x.shp.rank; ++d)
        if (d != a && x.shp.d[d].is_static() && in[i].shp.d[d].is_static() && !(x.shp.d[d] == in[i].shp.d[d]))
          same = false;
      if (!same) {
        r = detail::fail_prefix(r, "cat", "shapes differ off the cat axis: ");
        detail::label(r.msg, x, "first");
        r.msg << " is ";
        format_shape(r.msg, x.shp);
        r.msg << ", ";
        detail::label(r.msg, in[i], "operand");
        r.msg << " is ";
        format_shape(r.msg, in[i].shp);
        r.msg << ", axis " << a;
        return r;
      }
      r.rec.shp.d[a] = r.rec.shp.d[a] + in[i].shp.d[a];
    }
    if (!r.rec.shp.d[a].valid) return detail::fail_prefix(r, "cat", "the result extent is too complex a symbolic expression");
    r.rec.type = r.rec.compute = promote(ops, n);
    return r;
  }
};

// ---- factories -------------------------------------------------------------------

// `reshape(x, B, 64_c)`; one dim may be `-1_c`.
template <expr A, dim_type... Dims> constexpr auto reshape(A a, Dims...) {
  static_assert(sizeof...(Dims) <= max_rank, "coil::reshape: rank above coil::max_rank");
  return make_node<reshape_op<std::remove_cvref_t<Dims>...>>(a);
}
// `flatten(x)`: reshape to one dim.
template <expr A> constexpr auto flatten(A a) { return reshape(a, static_int<-1>{}); }

// `permute<1, 0, 2>(x)`.
template <int... Perm, expr A> constexpr auto permute(A a) { return make_node<permute_op<Perm...>>(a); }

namespace detail {
template <int I, int J, int Rank, std::size_t... K> constexpr auto transpose_impl(auto a, std::index_sequence<K...>) {
  constexpr int i = I < 0 ? I + Rank : I, j = J < 0 ? J + Rank : J;
  return permute<(static_cast<int>(K) == i ? j : static_cast<int>(K) == j ? i : static_cast<int>(K))...>(a);
}
} // namespace detail

// `transpose<0, 1>(x)` swaps two axes (negative axes count from the end).
template <int I, int J, expr A> constexpr auto transpose(A a) {
  constexpr int rank = record_of<A>.shp.rank;
  static_assert(I >= -rank && I < rank && J >= -rank && J < rank, "coil::transpose: axis out of range");
  return detail::transpose_impl<I, J, rank>(a, std::make_index_sequence<rank>{});
}

// `expand(x, B, 128_c)` (torch's expand / broadcast_to); -1_c keeps a dim.
template <expr A, dim_type... Dims> constexpr auto expand(A a, Dims...) {
  return make_node<expand_op<std::remove_cvref_t<Dims>...>>(a);
}
template <expr A, dim_type... Dims> constexpr auto broadcast_to(A a, Dims... d) { return expand(a, d...); }

// `slice<Axis, Start, Stop, Step>(x)`: x[..., Start:Stop:Step] along Axis.
template <int Axis, std::int64_t Start, std::int64_t Stop = slice_end, std::int64_t Step = 1, expr A>
constexpr auto slice(A a) {
  return make_node<slice_op<Axis, Start, Stop, Step>>(a);
}

template <int Axis, expr A> constexpr auto squeeze(A a) { return make_node<squeeze_op<Axis>>(a); }
template <int Axis, expr A> constexpr auto unsqueeze(A a) { return make_node<unsqueeze_op<Axis>>(a); }

// `window<Axis, Size, Stride = 1, Dilation = 1>(x)`: sliding windows along Axis (see window_op).
template <int Axis, std::int64_t Size, std::int64_t Stride = 1, std::int64_t Dilation = 1, expr A>
constexpr auto window(A a) {
  return make_node<window_op<Axis, Size, Stride, Dilation>>(a);
}

// `flip<Axis>(x)`: x reversed along Axis.
template <int Axis, expr A> constexpr auto flip(A a) { return make_node<flip_op<Axis>>(a); }

// `cat<Axis>(a, b, ...)`: concatenation of up to coil::max_inputs tensors.
template <int Axis, expr... A> constexpr auto cat(A... a) {
  static_assert(sizeof...(A) >= 1 && sizeof...(A) <= max_inputs, "coil::cat: takes 1 to 8 tensors");
  return make_node<cat_op<Axis>>(a...);
}

} // namespace coil
