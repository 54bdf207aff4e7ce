// Call-time checks of what compile time could not decide: every relation between dims
// that involves a symbol (broadcasts, matmul inner dims, cat, reshape sizes, slices,
// reductions that need a non-empty axis). All run before any kernel writes a byte.
#pragma once
#include <array>

#include "../backends/exec_state.hpp"
#include "../ir/graph.hpp"
#include "status.hpp"

namespace coil::detail {

template <std::size_t Cap> void format_extents(text<Cap>& out, const std::int64_t* ext, int rank) {
  out << '[';
  for (int d = 0; d < rank; ++d) {
    if (d) out << ", ";
    out << ext[d];
  }
  out << ']';
}

template <std::size_t N>
void describe_operand(status& st, const std::array<node_record, N>& recs, const std::int64_t (*ext)[max_rank], int i,
                      const char* role) {
  label(st.msg, recs[i], role);
  st.msg << " is ";
  format_shape(st.msg, recs[i].shp);
  st.msg << " = ";
  format_extents(st.msg, ext[i], recs[i].shp.rank);
}

template <std::size_t N>
status fail_two(const std::array<node_record, N>& recs, const std::int64_t (*ext)[max_rank], int node, const char* what,
                int a, int b) {
  status st;
  st.failed = true;
  st.msg << "coil::" << op_name(recs[node].code) << ": " << what << " at call time: ";
  describe_operand(st, recs, ext, a, "lhs");
  st.msg << ", ";
  describe_operand(st, recs, ext, b, "rhs");
  return st;
}

// Appends " (B = 3, S = 4)": the values the symbols of d are bound to.
template <std::size_t Cap> void format_bindings(text<Cap>& out, const dim& d, const sym_env& env) {
  const symbol_list l = symbols_of(d);
  for (int k = 0; k < l.n; ++k) {
    const std::int64_t* v = env.find(l.names[k]);
    out << (k ? ", " : " (") << l.names[k].c_str() << " = " << (v ? *v : 0);
  }
  if (l.n) out << ')';
}

// Whether operand dim `d` (extent `e`) may be read broadcast: a static 1, or a
// broadcastable symbol bound to 1.
constexpr bool reads_broadcast(const dim& d, std::int64_t e) { return d.is_static(1) || (e == 1 && d.broadcastable()); }

// A reshape whose -1 dim was inferred as a floor division (the input's element count
// is divisible by the other dims only for some values of its symbols) fails at call time
// with the division that did not come out even.
template <std::size_t N>
status fail_reshape_divisibility(const std::array<node_record, N>& recs, const std::int64_t (*ext)[max_rank],
                                 const sym_env& env, int i, std::int64_t total, std::int64_t known) {
  const node_record& r = recs[i];
  const node_record& x = recs[r.inputs[0]];
  const dim count = numel(x.shp);
  status st;
  st.failed = true;
  st.msg << "coil::reshape: the -1 in dim " << static_cast<std::int64_t>(r.axis) << " needs ";
  format_dim(st.msg, count);
  st.msg << " = " << total << " elements divisible by " << known << " at call time";
  format_bindings(st.msg, count, env);
  st.msg << ": ";
  describe_operand(st, recs, ext, r.inputs[0], "input");
  return st;
}

// Checks every node's dims under the bound extents `ext` (one row per node) and the
// symbols' values `env`.
template <std::size_t N>
status check_dims(const std::array<node_record, N>& recs, const std::int64_t (*ext)[max_rank], const sym_env& env) {
  for (int i = 0; i < static_cast<int>(N); ++i) {
    const node_record& r = recs[i];
    const int rank = r.shp.rank;
    switch (r.kind) {
    case op_kind::pointwise:
    case op_kind::view:
      if (r.kind == op_kind::view && r.code != op_code::expand) {
        if (r.code == op_code::reshape) {
          const int c = r.inputs[0];
          std::int64_t a = 1, b = 1;
          for (int d = 0; d < recs[c].shp.rank; ++d) a *= ext[c][d];
          for (int d = 0; d < rank; ++d) b *= ext[i][d];
          if (a != b) {
            if (r.axis >= 0) { // the -1 dim was inferred: its floor division left a remainder
              std::int64_t known = 1;
              for (int d = 0; d < rank; ++d) known *= d == r.axis ? 1 : ext[i][d];
              if (known != 0 && a % known != 0) return fail_reshape_divisibility(recs, ext, env, i, a, known);
            }
            return fail_two(recs, ext, i, "element counts differ", c, i);
          }
        }
        if (r.code == op_code::window && ext[r.inputs[0]][r.axis] < r.stop * (r.start - 1) + 1) {
          status st;
          st.failed = true;
          st.msg << "coil::window: the window (span " << r.stop * (r.start - 1) + 1 << ") is longer than dim "
                 << static_cast<std::int64_t>(r.axis) << " at call time: ";
          describe_operand(st, recs, ext, r.inputs[0], "input");
          return st;
        }
        if (r.code == op_code::slice && ext[i][r.axis] < 0) {
          status st;
          st.failed = true;
          st.msg << "coil::slice: the axis is shorter than the slice start at call time: ";
          describe_operand(st, recs, ext, r.inputs[0], "input");
          return st;
        }
        break;
      }
      for (int k = 0; k < r.ninputs; ++k) {
        const node_record& c = recs[r.inputs[k]];
        for (int j = 0; j < c.shp.rank; ++j) {
          if (reads_broadcast(c.shp.d[j], ext[r.inputs[k]][j])) continue;
          if (ext[r.inputs[k]][j] != ext[i][j + rank - c.shp.rank]) {
            const int other = r.ninputs > 1 ? r.inputs[k == 0 ? 1 : 0] : i;
            return fail_two(recs, ext, i, "shapes do not broadcast", other, r.inputs[k]);
          }
        }
      }
      break;
    case op_kind::matmul: {
      const int a = r.inputs[0], b = r.inputs[1];
      const int ra = recs[a].shp.rank, rb = recs[b].shp.rank;
      if (ext[a][ra - 1] != ext[b][rb - 2]) return fail_two(recs, ext, i, "inner dims differ", a, b);
      for (int k = 0; k < 2; ++k) {
        const int c = r.inputs[k];
        const int rc = recs[c].shp.rank;
        for (int j = 0; j < rc - 2; ++j)
          if (!reads_broadcast(recs[c].shp.d[j], ext[c][j]) && ext[c][j] != ext[i][j + rank - rc])
            return fail_two(recs, ext, i, "batch dims do not broadcast", a, b);
      }
      break;
    }
    case op_kind::cat:
      for (int k = 1; k < r.ninputs; ++k)
        for (int d = 0; d < rank; ++d)
          if (d != r.axis && ext[r.inputs[k]][d] != ext[r.inputs[0]][d])
            return fail_two(recs, ext, i, "shapes differ off the cat axis", r.inputs[0], r.inputs[k]);
      break;
    case op_kind::reduction:
      if (r.code == op_code::amax || r.code == op_code::amin || r.code == op_code::argmax || r.code == op_code::argmin) {
        const int c = r.inputs[0];
        for (int d = 0; d < recs[c].shp.rank; ++d)
          if (((r.axes >> d) & 1u) && ext[c][d] == 0) {
            status st;
            st.failed = true;
            st.msg << "coil::" << op_name(r.code) << ": reduction over a zero-size dim at call time: ";
            describe_operand(st, recs, ext, c, "input");
            return st;
          }
      }
      break;
    default: break;
    }
  }
  return {};
}

// The model input whose values a gather's index operand holds, all of them: the operand
// itself, or the input behind views that keep every value (reshape, permute, expand,
// squeeze, unsqueeze, flip) and integer casts; -1 otherwise (a computed index, or a slice
// or window that reads only some values of the input).
template <std::size_t N> constexpr int index_source(const std::array<node_record, N>& recs, int i) {
  for (;;) {
    const node_record& r = recs[i];
    if (r.kind == op_kind::input) return r.type == dtype::i32 || r.type == dtype::i64 ? i : -1;
    const bool keeps_values = r.kind == op_kind::view && (r.code == op_code::reshape || r.code == op_code::permute || r.code == op_code::expand ||
                                                         r.code == op_code::squeeze || r.code == op_code::unsqueeze || r.code == op_code::flip);
    const bool int_cast = r.kind == op_kind::pointwise && r.code == op_code::cast && is_integral(recs[r.inputs[0]].type) && is_integral(r.type);
    if (!keeps_values && !int_cast) return -1;
    i = r.inputs[0];
  }
}

// Every index a gather reads from a model input must be in range, and a gather that reads
// anything needs a source dim that is not empty; checked on the host before any kernel
// runs (an index computed inside the model is clamped instead).
template <std::size_t N, int S> status check_gather_indices(const std::array<node_record, N>& recs, const exec_state<S>& s) {
  for (int i = 0; i < static_cast<int>(N); ++i) {
    const node_record& r = recs[i];
    if (r.kind != op_kind::gather) continue;
    std::int64_t reads = 1;
    for (int d = 0; d < r.shp.rank; ++d) reads *= s.ext[i][d];
    if (reads > 0 && s.ext[r.inputs[0]][r.axis] == 0) {
      status st;
      st.failed = true;
      st.msg << "coil::gather: " << reads << " elements read from dim " << static_cast<std::int64_t>(r.axis) << " of size 0 of ";
      label(st.msg, recs[r.inputs[0]], "the source");
      return st;
    }
    const int idx = index_source(recs, r.inputs[1]);
    if (idx < 0) continue;
    const int rank = recs[idx].shp.rank;
    const std::int64_t size = s.ext[r.inputs[0]][r.axis];
    std::int64_t count = 1;
    for (int d = 0; d < rank; ++d) count *= s.ext[idx][d];
    for (std::int64_t l = 0; l < count; ++l) {
      std::int64_t ix[max_rank]{}, off = 0, rest = l;
      for (int d = rank - 1; d >= 0; --d) {
        ix[d] = rest % s.ext[idx][d];
        rest /= s.ext[idx][d];
        off += ix[d] * s.str[idx][d];
      }
      const std::int64_t at = recs[idx].type == dtype::i32 ? static_cast<const std::int32_t*>(s.data[idx])[off]
                                                          : static_cast<const std::int64_t*>(s.data[idx])[off];
      if (at >= 0 && at < size) continue;
      status st;
      st.failed = true;
      st.msg << "coil::gather: index " << at << " is out of range [0, " << size << ") for dim "
             << static_cast<std::int64_t>(r.axis) << " of ";
      label(st.msg, recs[r.inputs[0]], "the source");
      st.msg << ": " << recs[idx].name.c_str();
      format_extents(st.msg, ix, rank);
      return st;
    }
  }
  return {};
}

} // namespace coil::detail
