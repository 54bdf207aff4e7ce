// Index primitives: `iota` (the index along one axis, as an int64 value) and `gather`
// (reading a tensor at indices another tensor holds). arange, tril/triu, causal masks and
// pooling windows are built from iota; embedding and index_select from gather.
#pragma once
#include <cstdint>

#include "op_leaf.hpp"

namespace coil {

// iota over a shape: the value at index i is i[Axis] (int64). No inputs; every dim of the
// shape must be static or a symbol that an input binds.
template <int Axis, class... Dims> struct iota_op {
  static constexpr op_code code = op_code::iota;
  static constexpr infer_result infer(const node_record*, int) {
    infer_result r;
    r.rec.code = code;
    r.rec.kind = op_kind::pointwise;
    r.rec.type = r.rec.compute = dtype::i64;
    r.rec.shp.rank = sizeof...(Dims);
    const dim ds[] = {dim_const(0), Dims::value...};
    for (int i = 0; i < r.rec.shp.rank; ++i) r.rec.shp.d[i] = ds[i + 1];
    const int a = normalize_axis(Axis, r.rec.shp.rank);
    if (a < 0) {
      r = detail::fail_prefix(r, "iota", "axis out of range: ");
      r.msg << "axis " << Axis << " of ";
      format_shape(r.msg, r.rec.shp);
      return r;
    }
    r.rec.axis = a;
    return r;
  }
};

// gather along Axis: out[i.., j.., k..] = src[i.., idx[j..], k..] with i.. the dims of src
// before Axis and k.. those after it; the result's shape is src's with dim Axis replaced
// by idx's shape (torch.index_select for a 1-d idx, F.embedding for Axis 0).
//
// An index outside [0, src.size(Axis)) is an error at call time when idx is a model input
// (checked before any write, runtime/guards.hpp); an index computed inside the model is
// clamped into range, so no kernel reads out of bounds.
template <int Axis> struct gather_op {
  static constexpr op_code code = op_code::gather;
  static constexpr infer_result infer(const node_record* in, int) {
    const node_record& src = in[0];
    const node_record& idx = in[1];
    infer_result r;
    r.rec.code = code;
    r.rec.kind = op_kind::gather;
    r.rec.type = r.rec.compute = src.type;
    const int a = normalize_axis(Axis, src.shp.rank);
    if (a < 0 || src.shp.rank == 0) {
      r = detail::fail_prefix(r, "gather", "axis out of range: ");
      r.msg << "axis " << Axis << " of ";
      detail::label(r.msg, src, "input");
      r.msg << " ";
      format_shape(r.msg, src.shp);
      return r;
    }
    if (idx.type != dtype::i32 && idx.type != dtype::i64) {
      r = detail::fail_prefix(r, "gather", "indices must be int32 or int64: ");
      detail::label(r.msg, idx, "indices");
      r.msg << " is " << dtype_name(idx.type);
      return r;
    }
    if (src.shp.rank - 1 + idx.shp.rank > max_rank) {
      r = detail::fail_prefix(r, "gather", "result rank above coil::max_rank: ");
      detail::label(r.msg, src, "input");
      r.msg << " ";
      format_shape(r.msg, src.shp);
      r.msg << ", ";
      detail::label(r.msg, idx, "indices");
      r.msg << " ";
      format_shape(r.msg, idx.shp);
      return r;
    }
    r.rec.axis = a;
    shape& s = r.rec.shp;
    for (int d = 0; d < a; ++d) s.d[s.rank++] = src.shp.d[d];
    for (int d = 0; d < idx.shp.rank; ++d) s.d[s.rank++] = idx.shp.d[d];
    for (int d = a + 1; d < src.shp.rank; ++d) s.d[s.rank++] = src.shp.d[d];
    return r;
  }
};

// `iota<Axis>(dims...)`: int64 tensor of the given dims holding the index along Axis.
template <int Axis, dim_type... Dims> constexpr auto iota(Dims...) {
  static_assert(sizeof...(Dims) <= max_rank, "coil::iota: rank above coil::max_rank");
  return make_node<iota_op<Axis, std::remove_cvref_t<Dims>...>>();
}

// `gather<Axis>(src, idx)`: see gather_op.
template <int Axis, expr Src, expr Idx> constexpr auto gather(Src s, Idx i) { return make_node<gather_op<Axis>>(s, i); }

} // namespace coil
