// Text pieces shared by explain() and to_dot(): shapes and nodes as text, byte counts as
// dim expressions, and what each kernel computes, reads and writes.
#pragma once
#include <fmt/format.h>

#include <array>
#include <bit>
#include <string>

#include "../runtime/model.hpp"
#include "../schedule/traffic.hpp"

namespace coil {

namespace detail {
inline std::string shape_text(const shape& s) {
  text<160> t;
  format_shape(t, s);
  return t.c_str();
}

template <class G> std::string node_text(int i) {
  const node_record& r = G::records[i];
  std::string s = r.code == op_code::input ? fmt::format("input '{}'", r.name.c_str()) : op_name(r.code);
  if (r.code == op_code::constant) {
    s += is_floating(r.type) ? fmt::format(" {}", std::bit_cast<double>(r.bits))
                             : fmt::format(" {}", static_cast<std::int64_t>(r.bits));
  }
  if (r.ninputs > 0) {
    s += "(";
    for (int k = 0; k < r.ninputs; ++k) s += fmt::format("{}%{}", k ? ", " : "", r.inputs[k]);
    s += ")";
  }
  return s;
}

// Bytes of a node's value as a dim expression: 4096, or 512*B for a symbolic shape.
inline std::string bytes_text(const node_record& r) {
  text<120> t;
  format_dim(t, numel(r.shp) * dim_const(dtype_size(r.type)));
  return t.c_str();
}

// Realized nodes a kernel reads from memory (not its own stages) and the ones it writes.
template <class G> struct kernel_io {
  std::array<bool, G::size> reads{}, writes{};
};
template <class G> kernel_io<G> io_of(const plan_value<G::size>& p, int k) {
  kernel_io<G> io;
  for (int st = p.kernel_begin[k]; st < p.kernel_end[k]; ++st) {
    const int i = p.stage_node[st];
    io.writes[i] = true;
    const std::array<bool, G::size> r = reads_of(G::records, p.realized, i);
    for (int j = 0; j < G::size; ++j) io.reads[j] = io.reads[j] || (r[j] && p.kernel_of[j] != k);
  }
  return io;
}

inline std::string dim_text(const dim& d) {
  text<120> t;
  format_dim(t, d);
  return t.c_str();
}

// Nodes computed inside kernel root's loop: the root and every inlined node it reaches
// without crossing a realized one.
template <class G> void collect_fused(const plan_value<G::size>& p, int i, int root, std::array<bool, G::size>& in) {
  if (in[i] || (i != root && p.realized[i])) return;
  in[i] = true;
  for (int k = 0; k < G::records[i].ninputs; ++k) collect_fused<G>(p, G::records[i].inputs[k], root, in);
}
} // namespace detail

} // namespace coil
