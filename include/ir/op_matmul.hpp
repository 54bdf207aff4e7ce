// matmul: an extern op (a library GEMM on CPU), batched with broadcasting batch dims.
#pragma once
#include "op_leaf.hpp"

namespace coil {

struct matmul_op {
  static constexpr op_code code = op_code::matmul;
  static constexpr infer_result infer(const node_record* in, int) {
    infer_result r;
    r.rec.code = code;
    r.rec.kind = op_kind::matmul;
    const node_record &a = in[0], &b = in[1];
    auto shapes = [&](infer_result e) {
      detail::label(e.msg, a, "lhs");
      e.msg << " is ";
      format_shape(e.msg, a.shp);
      e.msg << ", ";
      detail::label(e.msg, b, "rhs");
      e.msg << " is ";
      format_shape(e.msg, b.shp);
      return e;
    };
    if (a.shp.rank < 2 || b.shp.rank < 2)
      return shapes(detail::fail_prefix(r, "matmul", "operands need 2 or more dims (unsqueeze a vector): "));
    const dim &k1 = a.shp.d[a.shp.rank - 1], &k2 = b.shp.d[b.shp.rank - 2];
    if (k1.is_static() && k2.is_static() && !(k1 == k2))
      return shapes(detail::fail_prefix(r, "matmul", "inner dims differ: "));
    const promo_operand ops[] = {{a.type, false}, {b.type, false}};
    r.rec.type = r.rec.compute = promote(ops, 2);
    if (r.rec.type == dtype::b8) return shapes(detail::fail_prefix(r, "matmul", "not defined for bool: "));
    shape ba = a.shp, bb = b.shp;
    ba.rank -= 2;
    bb.rank -= 2;
    broadcast_result batch = broadcast(ba, bb);
    if (!batch.ok) return shapes(detail::fail_prefix(r, "matmul", "batch dims do not broadcast: "));
    r.rec.shp = batch.value;
    r.rec.shp.d[r.rec.shp.rank++] = a.shp.d[a.shp.rank - 2];
    r.rec.shp.d[r.rec.shp.rank++] = b.shp.d[b.shp.rank - 1];
    return r;
  }
};

// `matmul(a, b)`: [..., M, K] x [..., K, N] -> [..., M, N], batch dims broadcast.
template <expr A, expr B> constexpr auto matmul(A a, B b) { return make_node<matmul_op>(a, b); }

} // namespace coil
