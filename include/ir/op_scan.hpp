// Scans: the running sum (cumsum) or product (cumprod) along one axis, a primitive of its
// own: one pass per line, in order, so each result is the sequential fold PyTorch's CPU
// kernel computes (float values accumulate in double, integers and bool in int64).
#pragma once
#include "op_leaf.hpp"

namespace coil {

template <op_code C, int Axis> struct scan_op {
  static_assert(C == op_code::cumsum || C == op_code::cumprod, "coil::scan_op: cumsum or cumprod");
  static constexpr op_code code = C;
  static constexpr infer_result infer(const node_record* in, int) {
    const node_record& x = in[0];
    infer_result r;
    r.rec.code = C;
    r.rec.kind = op_kind::scan;
    r.rec.shp = x.shp;
    r.rec.compute = x.type;
    r.rec.type = is_floating(x.type) ? x.type : dtype::i64; // torch: integers and bool give int64
    const int a = normalize_axis(Axis, x.shp.rank);
    if (a < 0 || x.shp.rank == 0) {
      r = detail::fail_prefix(r, op_name(C), "dim out of range: ");
      r.msg << "dim " << Axis << " of ";
      detail::label(r.msg, x, "input");
      r.msg << " ";
      format_shape(r.msg, x.shp);
      return r;
    }
    r.rec.axis = a;
    return r;
  }
};

} // namespace coil
