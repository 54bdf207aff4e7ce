// explain(model): the plan in words: every node with its dtype, shape and whether it is
// realized or inlined (and why), every kernel with the nodes fused into it, and the
// arena. The only room that includes fmt, so the core path stays free of it.
#pragma once
#include <fmt/format.h>

#include <string>

#include "../runtime/model.hpp"

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

// Nodes computed inside kernel root's loop: the root and every inlined node it reaches
// without crossing a realized one.
template <class G> void collect_fused(const plan_value<G::size>& p, int i, int root, std::array<bool, G::size>& in) {
  if (in[i] || (i != root && p.realized[i])) return;
  in[i] = true;
  for (int k = 0; k < G::records[i].ninputs; ++k) collect_fused<G>(p, G::records[i].inputs[k], root, in);
}
} // namespace detail

// A multi-line description of a compiled model's plan.
//   fmt::print("{}", coil::explain(model));
template <class Target, class G> std::string explain(const model<Target, G>&) {
  using M = model<Target, G>;
  constexpr auto& p = M::plan;
  std::string out = fmt::format("coil model for {}: {} nodes, {} kernels, {} arena buffers, arena {}\n", Target::name,
                                G::size, p.kernel_count, p.buffer_count,
                                M::static_arena ? fmt::format("{} bytes (static)", M::arena_bytes)
                                                : std::string("sized at call time (symbolic dims)"));
  out += "nodes:\n";
  for (int i = 0; i < G::size; ++i) {
    const node_record& r = G::records[i];
    std::string where = p.realized[i] ? fmt::format("realized ({})", reason_name(p.reason[i]))
                                      : fmt::format("inlined ({})", reason_name(p.reason[i]));
    if (p.output_slot[i] >= 0) where += fmt::format(", output {}", p.output_slot[i]);
    out += fmt::format("  %{:<3} {:<28} {:<8} {:<18} users {}  {}\n", i, detail::node_text<G>(i), dtype_name(r.type),
                       detail::shape_text(r.shp), G::users[i], where);
  }
  out += "kernels:\n";
  for (int k = 0; k < p.kernel_count; ++k) {
    const int root = p.kernel_root[k];
    const node_record& r = G::records[root];
    const char* kind = r.kind == op_kind::reduction ? "reduction" : r.kind == op_kind::matmul ? "matmul (Eigen GEMM)" : "pointwise loop";
    std::array<bool, G::size> fused{};
    detail::collect_fused<G>(p, root, root, fused);
    std::string nodes, reads;
    for (int i = 0; i < G::size; ++i) {
      if (fused[i] && G::records[i].kind != op_kind::constant) nodes += fmt::format(" %{}", i);
      if (!fused[i] && p.realized[i]) {
        bool read = false;
        for (int j = 0; j < G::size; ++j)
          for (int q = 0; q < G::records[j].ninputs; ++q) read = read || (fused[j] && G::records[j].inputs[q] == i);
        if (read) reads += fmt::format(" %{}", i);
      }
    }
    std::string dest = p.output_slot[root] >= 0 ? fmt::format("output {}", p.output_slot[root])
                                                 : fmt::format("arena buffer {}", p.buffer_of[root]);
    out += fmt::format("  k{}: {} over {} -> %{} ({}); computes{}; reads{}\n", k, kind, detail::shape_text(r.shp), root,
                       dest, nodes, reads.empty() ? " nothing" : reads);
  }
  if (p.buffer_count > 0) {
    out += "arena:\n";
    const auto a = layout_arena<G>(p, sym_env{});
    for (int b = 0; b < p.buffer_count; ++b) {
      const node_record& r = G::records[p.buffer_node[b]];
      if (M::static_arena)
        out += fmt::format("  buffer {}: %{} {} {} at offset {} ({} bytes)\n", b, p.buffer_node[b], dtype_name(r.type),
                           detail::shape_text(r.shp), a.offset[b], buffer_bytes(r, sym_env{}));
      else
        out += fmt::format("  buffer {}: %{} {} {} (offset computed per call)\n", b, p.buffer_node[b], dtype_name(r.type),
                           detail::shape_text(r.shp));
    }
  }
  return out;
}

} // namespace coil
