// to_dot(model): the kernel graph as Graphviz DOT. fmt is used here only (debug/).
#pragma once
#include <fmt/format.h>

#include <string>

#include "plan_text.hpp"

namespace coil {

// Graphviz DOT of the kernel graph: inputs, kernels (with their stages and fused
// nodes) and outputs, edges labelled with the value that flows.
//   std::ofstream("plan.dot") << coil::to_dot(model);   // dot -Tpng plan.dot -o plan.png
template <class Target, class G, class K> std::string to_dot(const model<Target, G, K>&) {
  constexpr auto& p = model<Target, G, K>::plan;
  std::string out = "digraph coil_plan {\n  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=11];\n";
  for (int i = 0; i < G::size; ++i)
    if (G::records[i].kind == op_kind::input)
      out += fmt::format("  n{} [shape=ellipse, label=\"{}\\n{} {}\"];\n", i, G::records[i].name.c_str(),
                         dtype_name(G::records[i].type), detail::shape_text(G::records[i].shp));
  for (int k = 0; k < p.kernel_count; ++k) {
    std::string stages;
    for (int st = p.kernel_begin[k]; st < p.kernel_end[k]; ++st) {
      const int i = p.stage_node[st];
      stages += fmt::format("\\n%{} {} {}", i, op_name(G::records[i].code), detail::shape_text(G::records[i].shp));
    }
    out += fmt::format("  k{} [shape=box, style=rounded, label=\"k{}: {}{}\"];\n", k, k, kernel_kind_name(p.kind[k]), stages);
    const auto io = detail::io_of<G>(p, k);
    for (int j = 0; j < G::size; ++j) {
      if (!io.reads[j]) continue;
      const std::string from = G::records[j].kind == op_kind::input ? fmt::format("n{}", j) : fmt::format("k{}", p.kernel_of[j]);
      out += fmt::format("  {} -> k{} [label=\"%{}\"];\n", from, k, j);
    }
  }
  for (int o = 0; o < G::output_count; ++o) {
    const int i = G::outputs[o];
    out += fmt::format("  out{} [shape=ellipse, style=bold, label=\"output {}\\n{} {}\"];\n  k{} -> out{};\n", o, o,
                       dtype_name(G::records[i].type), detail::shape_text(G::records[i].shp), p.kernel_of[i], o);
  }
  return out + "}\n";
}

} // namespace coil
