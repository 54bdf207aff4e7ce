// scaled_dot_product_attention as F.scaled_dot_product_attention (additive or boolean
// mask, is_causal, scale), and rotary position embeddings as LLaMA applies them
// (interleaved pairs, Meta's apply_rotary_emb) or as Hugging Face does (halves,
// apply_rotary_pos_emb), with the angle table from positions.
//
// Attention lowers to matmul -> mask -> softmax -> matmul: the scores are one GEMM, the
// masked softmax is the planner's row kernel, the weighted sum a second GEMM. A row whose
// every score is masked gives 0, as PyTorch's math path (its _safe_softmax) does.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>

#include "../ir/op_matmul.hpp"
#include "shape_ops.hpp"

namespace coil {

namespace detail {
constexpr std::uint64_t default_scale = 0; // bits of +0.0: "scale=None", 1 / sqrt(E)

constexpr double sqrt_of(double v) { // Newton's method: std::sqrt is not constexpr in C++20
  if (v <= 0) return 0;
  double x = v > 1 ? v : 1;
  for (int i = 0; i < 100; ++i) x = 0.5 * (x + v / x);
  return x;
}
} // namespace detail

// Inputs: q [..., L, E], k [..., S, E], v [..., S, Ev] (batch dims broadcast), and when
// HasMask a mask broadcastable to [..., L, S]: bool (true: attend) or of q's dtype (added).
template <bool Causal, bool HasMask, std::uint64_t ScaleBits> struct sdpa_op {
  static constexpr const char* name = "scaled_dot_product_attention";
  static constexpr infer_result infer(const node_record* in, int) {
    const node_record &q = in[0], &k = in[1], &v = in[2];
    infer_result r;
    r.rec.kind = op_kind::matmul;
    if (q.shp.rank < 2 || k.shp.rank < 2 || v.shp.rank < 2)
      return detail::fail_shapes(r, name, "q, k and v need 2 or more dims: ", q, "query", k, "key");
    if (!is_floating(q.type) || k.type != q.type || v.type != q.type)
      return detail::fail_shapes(r, name, "q, k and v must be one floating dtype: ", q, "query", v, "value");
    const dim &e = q.shp.d[q.shp.rank - 1], &ek = k.shp.d[k.shp.rank - 1];
    if (!detail::may_equal(e, ek)) return detail::fail_shapes(r, name, "q and k embedding dims differ: ", q, "query", k, "key");
    if (!detail::may_equal(k.shp.d[k.shp.rank - 2], v.shp.d[v.shp.rank - 2]))
      return detail::fail_shapes(r, name, "k and v sequence lengths differ: ", k, "key", v, "value");
    if (ScaleBits == detail::default_scale && !e.is_static())
      return detail::fail_shape(r, name, "the default scale needs a static embedding dim (pass scale): ", q, "query");
    if (Causal && HasMask)
      return detail::fail_shape(r, name, "pass either attn_mask or is_causal, not both (as PyTorch): ", q, "query");
    // the result: broadcast batch dims, then [L, Ev]
    shape bq = q.shp, bk = k.shp, bv = v.shp;
    bq.rank -= 2, bk.rank -= 2, bv.rank -= 2;
    broadcast_result b = broadcast(bq, bk);
    if (b.ok) b = broadcast(b.value, bv);
    if (!b.ok) return detail::fail_shapes(r, name, "batch dims do not broadcast: ", q, "query", k, "key");
    r.rec.type = r.rec.compute = q.type;
    r.rec.shp = b.value;
    r.rec.shp.d[r.rec.shp.rank++] = q.shp.d[q.shp.rank - 2];
    r.rec.shp.d[r.rec.shp.rank++] = v.shp.d[v.shp.rank - 1];
    if (r.rec.shp.rank > max_rank) return detail::fail_shape(r, name, "result rank above coil::max_rank: ", q, "query");
    if (HasMask) {
      const node_record& m = in[3];
      shape scores = b.value;
      scores.d[scores.rank++] = q.shp.d[q.shp.rank - 2];
      scores.d[scores.rank++] = k.shp.d[k.shp.rank - 2];
      const broadcast_result mb = broadcast(scores, m.shp);
      if (!mb.ok || !(mb.value == scores))
        return detail::fail_shapes(r, name, "attn_mask does not broadcast to [..., L, S]: ", m, "attn_mask", q, "query");
      if (m.type != dtype::b8 && m.type != q.type)
        return detail::fail_shapes(r, name, "attn_mask must be bool or q's dtype: ", m, "attn_mask", q, "query");
    }
    return r;
  }
};

template <bool Causal, bool HasMask, std::uint64_t ScaleBits, class Target>
struct lower_impl<sdpa_op<Causal, HasMask, ScaleBits>, Target> {
  using neg_inf = detail::real_node<detail::bits_of(-std::numeric_limits<double>::infinity())>;

  template <class Q, class K> static constexpr auto scores(Q q, K k) {
    constexpr shape qs = record_of<Q>.shp, ks = record_of<K>.shp;
    constexpr double scale = ScaleBits != detail::default_scale
                                 ? detail::real_of(ScaleBits)
                                 : 1.0 / detail::sqrt_of(static_cast<double>(qs.d[qs.rank - 1].static_value()));
    const auto s = matmul(q, transpose<-2, -1>(k)) * detail::real_node<detail::bits_of(scale)>{};
    if constexpr (Causal) {
      constexpr shape ls = detail::shape_of_dims({qs.d[qs.rank - 2], ks.d[ks.rank - 2]});
      // PyTorch's causal mask is tril(ones(L, S)): key j is seen by query i when j <= i
      return where(detail::iota_to_t<1, ls>{} <= detail::iota_to_t<0, ls>{}, s, neg_inf{});
    } else {
      return s;
    }
  }
  template <class S, class M> static constexpr auto apply_mask(S s, M mask) {
    if constexpr (record_of<M>.type == dtype::b8) return where(mask, s, neg_inf{});
    else return s + mask;
  }
  template <class S, class V> static constexpr auto attend(S s, V v) {
    const auto top = amax<-1>(s, keepdim);
    const auto e = exp(s - top);
    const auto weights = where(top == neg_inf{}, detail::fill_t<record_of<V>.type, detail::bits_of(0.0)>{},
                               e / sum<-1>(e, keepdim));
    return matmul(weights, v);
  }
  template <class Q, class K, class V> static constexpr auto build(Q q, K k, V v) { return attend(scores(q, k), v); }
  template <class Q, class K, class V, class M> static constexpr auto build(Q q, K k, V v, M m) {
    return attend(apply_mask(scores(q, k), m), v);
  }
  template <class... C> using apply = decltype(build(C{}...));
};

// `scaled_dot_product_attention(q, k, v)`, `scaled_dot_product_attention(q, k, v, mask)`,
// `scaled_dot_product_attention<coil::causal>(q, k, v)`, with `scale` a literal or none:
// F.scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
// is_causal=False, scale=None) at dropout_p = 0 (coil compiles inference graphs).
inline constexpr bool causal = true;
template <bool IsCausal = false, expr Q, expr K, expr V, optional_tensor M = none_t, class Scale = none_t>
constexpr auto scaled_dot_product_attention(Q q, K k, V v, M attn_mask = {}, Scale = {}) {
  static_assert(none_type<Scale> || scalar_literal<Scale>, "coil::scaled_dot_product_attention: scale is a literal (0.125_c) or coil::none");
  constexpr std::uint64_t bits = [] {
    if constexpr (none_type<Scale>) return detail::default_scale;
    else return detail::real_bits_of(Scale{});
  }();
  static_assert(bits != detail::default_scale || none_type<Scale>, "coil::scaled_dot_product_attention: scale must be nonzero");
  return detail::make_node_present<sdpa_op<IsCausal, expr<M>, bits>>(q, k, v, attn_mask);
}

// ---- rotary position embedding ----------------------------------------------------------

// x [..., S, D] rotated by angle tables cos, sin broadcastable to [..., S, D / 2]
// (Interleaved: pairs (x[2i], x[2i + 1]), Meta's LLaMA) or to [..., S, D] (halves:
// (x[i], x[i + D/2]) with the table repeated, Hugging Face's rotate_half).
template <bool Interleaved> struct rotary_op {
  static constexpr const char* name = Interleaved ? "apply_rotary_emb" : "apply_rotary_pos_emb";
  static constexpr infer_result infer(const node_record* in, int) {
    const node_record &x = in[0], &c = in[1], &s = in[2];
    infer_result r = detail::same_as_floating(x, name);
    if (!r.ok) return r;
    if (x.shp.rank < 2 || !x.shp.d[x.shp.rank - 1].is_static() || x.shp.d[x.shp.rank - 1].static_value() % 2 != 0)
      return detail::fail_shape(r, name, "needs x [..., S, D] with a static even D: ", x);
    shape want = x.shp;
    if (Interleaved) want.d[want.rank - 1] = dim_const(x.shp.d[x.shp.rank - 1].static_value() / 2);
    for (const node_record* t : {&c, &s}) {
      const broadcast_result b = broadcast(want, t->shp);
      if (!b.ok || !(b.value == want) || t->type != x.type)
        return detail::fail_shapes(r, name,
                                   Interleaved ? "cos and sin must broadcast to [..., S, D / 2] in the dtype of x: "
                                               : "cos and sin must broadcast to [..., S, D] in the dtype of x: ",
                                   *t, "table", x, "input");
    }
    return r;
  }
};

template <bool Interleaved, class Target> struct lower_impl<rotary_op<Interleaved>, Target> {
  template <class X, class C, class S> static constexpr auto build(X x, C cos_t, S sin_t) {
    constexpr shape xs = record_of<X>.shp;
    constexpr std::int64_t d = xs.d[xs.rank - 1].static_value();
    if constexpr (Interleaved) {
      const auto even = slice<-1, 0, slice_end, 2>(x);
      const auto odd = slice<-1, 1, slice_end, 2>(x);
      const auto pairs = stack<-1>(even * cos_t - odd * sin_t, even * sin_t + odd * cos_t); // [..., D/2, 2]
      return detail::reshape_to_t<decltype(pairs), xs>{};
    } else {
      const auto first = slice<-1, 0, d / 2>(x);
      const auto second = slice<-1, d / 2>(x);
      return x * cos_t + cat<-1>(-second, first) * sin_t;
    }
  }
  template <class X, class C, class S> using apply = decltype(build(X{}, C{}, S{}));
};

// `apply_rotary_emb(x, cos, sin)`: Meta LLaMA's rotation of interleaved pairs (its complex
// freqs_cis as cos and sin tables [S, D / 2]).
template <expr X, expr C, expr S> constexpr auto apply_rotary_emb(X x, C cos_table, S sin_table) {
  return make_node<rotary_op<true>>(x, cos_table, sin_table);
}
// `apply_rotary_pos_emb(x, cos, sin)`: Hugging Face's x * cos + rotate_half(x) * sin with
// tables [S, D].
template <expr X, expr C, expr S> constexpr auto apply_rotary_pos_emb(X x, C cos_table, S sin_table) {
  return make_node<rotary_op<false>>(x, cos_table, sin_table);
}

// `rope_angles<D>(positions, 10000.0_c)`: the float64 table [P, D / 2] of angles
// position * theta^(-2i / D) (LLaMA's freqs outer product); take cos and sin of it and
// cast to the model's dtype.
template <std::int64_t D, expr P, scalar_literal Theta> constexpr auto rope_angles(P positions, Theta theta) {
  static_assert(D > 0 && D % 2 == 0, "coil::rope_angles: the head dim must be even and positive");
  static_assert(record_of<P>.shp.rank == 1, "coil::rope_angles: positions are a 1-d tensor");
  const auto exponent = cast<double>(iota<0>(static_int<D / 2>{})) * detail::real_node<detail::bits_of(-2.0 / static_cast<double>(D))>{};
  const auto inv_freq = pow(cast<double>(theta), exponent);
  return unsqueeze<1>(cast<double>(positions)) * inv_freq;
}

} // namespace coil
