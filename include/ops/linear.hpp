// linear: x @ weight^T + bias (torch.nn.functional.linear), through coil's matmul and a
// transposed view of the weight, so the GEMM reads the weight in place.
#pragma once
#include "../ir/op_matmul.hpp"
#include "common.hpp"

namespace coil {

// linear(x, weight[, bias]): x [..., in] (or [in]), weight [out, in], bias [out].
template <bool HasBias> struct linear_op {
  static constexpr const char* name = "linear";
  static constexpr infer_result infer(const node_record* in, int) {
    const node_record &x = in[0], &w = in[1];
    infer_result r;
    r.rec.kind = op_kind::matmul;
    if (x.shp.rank < 1 || w.shp.rank != 2)
      return detail::fail_shapes(r, name, "needs input [..., in] and weight [out, in]: ", x, "input", w, "weight");
    if (!detail::may_equal(x.shp.d[x.shp.rank - 1], w.shp.d[1]))
      return detail::fail_shapes(r, name, "in_features differ: ", x, "input", w, "weight");
    const promo_operand ops[] = {{x.type, false}, {w.type, false}};
    r.rec.type = r.rec.compute = promote(ops, 2);
    if (r.rec.type == dtype::b8) return detail::fail_shapes(r, name, "not defined for bool: ", x, "input", w, "weight");
    r.rec.shp = x.shp;
    r.rec.shp.d[x.shp.rank - 1] = w.shp.d[0];
    if (HasBias) {
      const node_record& b = in[2];
      if (b.shp.rank > 1 || (b.shp.rank == 1 && !detail::may_equal(b.shp.d[0], w.shp.d[0])))
        return detail::fail_shapes(r, name, "bias must be [out_features]: ", b, "bias", w, "weight");
      const promo_operand all[] = {{r.rec.type, false}, {b.type, false}};
      r.rec.type = r.rec.compute = promote(all, 2);
    }
    return r;
  }
};

namespace detail {
template <class X, class W> constexpr auto linear_product(X x, W w) {
  if constexpr (record_of<X>.shp.rank == 1) return squeeze<0>(matmul(unsqueeze<0>(x), transpose<0, 1>(w))); // [in] -> [out]
  else return matmul(x, transpose<0, 1>(w));
}
} // namespace detail

template <bool HasBias, class Target> struct lower_impl<linear_op<HasBias>, Target> {
  template <class X, class W, class... B> static constexpr auto build(X x, W w, B... b) {
    if constexpr (HasBias) return (detail::linear_product(x, w) + ... + b);
    else return detail::linear_product(x, w);
  }
  template <class... C> using apply = decltype(build(C{}...));
};

// `linear(x, w, b)`, `linear(x, w)`: torch.nn.functional.linear(input, weight, bias=None).
template <expr X, expr W, optional_tensor B = none_t> constexpr auto linear(X x, W weight, B bias = {}) {
  return detail::make_node_present<linear_op<expr<B>>>(x, weight, bias);
}

} // namespace coil
