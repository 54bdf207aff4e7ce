// explain(model): the plan in words: every node with its dtype, shape and whether it is
// realized or inlined (and why), every kernel with the nodes fused into it, and the
// arena. The only room that includes fmt, so the core path stays free of it.
#pragma once
#include <fmt/format.h>

#include <string>

#include "plan_text.hpp"

namespace coil {

// A multi-line description of a compiled model's plan.
//   fmt::print("{}", coil::explain(model));
template <class Target, class G, class K> std::string explain(const model<Target, G, K>&) {
  using M = model<Target, G, K>;
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
    std::array<bool, G::size> fused{};
    std::string stages;
    for (int st = p.kernel_begin[k]; st < p.kernel_end[k]; ++st) {
      const int i = p.stage_node[st];
      detail::collect_fused<G>(p, i, i, fused);
      stages += fmt::format(" %{}", i);
    }
    std::string nodes, reads;
    const auto io = detail::io_of<G>(p, k);
    for (int i = 0; i < G::size; ++i) {
      if (fused[i] && G::records[i].kind != op_kind::constant) nodes += fmt::format(" %{}", i);
      if (io.reads[i]) reads += fmt::format(" %{}", i);
    }
    shape outer{};
    outer.rank = p.outer_rank[k];
    const int first = p.stage_node[p.kernel_begin[k]];
    const shape& space = G::records[first].kind == op_kind::reduction ? G::records[G::records[first].inputs[0]].shp
                                                                       : G::records[first].shp;
    for (int d = 0; d < outer.rank; ++d) outer.d[d] = space.d[d];
    const std::string loop = p.kind[k] == kernel_kind::matmul || p.kind[k] == kernel_kind::custom ? detail::shape_text(G::records[root].shp)
                                                               : "outer " + detail::shape_text(outer);
    out += fmt::format("  k{}: {} over {}; stores{}; computes{}; reads{}", k, kernel_kind_name(p.kind[k]), loop, stages,
                       nodes, reads.empty() ? " nothing" : reads);
    const kernel_traffic traffic = traffic_of<G>(p, k);
    out += fmt::format("; bytes read {}, written {}", detail::dim_text(traffic.read), detail::dim_text(traffic.written));
    if (k > 0) out += fmt::format("; not fused with k{}: {}", k - 1, split_name(p.split[k]));
    out += "\n";
  }
  if (p.buffer_count > 0) {
    out += "arena:\n";
    const auto a = layout_arena<G>(p, sym_env{});
    for (int b = 0; b < p.buffer_count; ++b) {
      const node_record& r = G::records[p.buffer_node[b]];
      std::string live = fmt::format("live k{}..k{}", p.kernel_of[p.buffer_node[b]], p.buffer_last_use[b]);
      bool row_major = true;
      std::string order;
      for (int d = 0; d < r.shp.rank; ++d) {
        row_major = row_major && p.dim_order[p.buffer_node[b]][d] == d;
        order += fmt::format("{}{}", d ? ", " : "", p.dim_order[p.buffer_node[b]][d]);
      }
      if (p.in_place_of[b] >= 0) live += fmt::format(", written in place over buffer {}", p.in_place_of[b]);
      if (!row_major) live += fmt::format(", stored in dim order ({}) for its permuted readers", order);
      if (M::static_arena)
        out += fmt::format("  buffer {}: %{} {} {} at offset {} ({} bytes), {}\n", b, p.buffer_node[b], dtype_name(r.type),
                           detail::shape_text(r.shp), a.offset[b], buffer_bytes(r, sym_env{}), live);
      else
        out += fmt::format("  buffer {}: %{} {} {} (offset computed per call), {}\n", b, p.buffer_node[b],
                           dtype_name(r.type), detail::shape_text(r.shp), live);
    }
  }
  return out;
}

} // namespace coil
