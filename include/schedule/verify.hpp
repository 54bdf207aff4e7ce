// Invariants of a Plan, re-checked between planning and code generation when the build
// defines COIL_VERIFY_PLAN (tinygrad's SPEC idea): a planner bug then stops the build
// with the broken invariant instead of producing wrong numbers.
#pragma once
#include "memory.hpp"

namespace coil {

struct plan_check {
  bool ok = true;
  text<160> msg{};
};

template <class G> constexpr plan_check verify_plan(const plan_value<G::size>& p) {
  plan_check c;
  auto fail = [&c](const char* what, int node) {
    c.ok = false;
    c.msg << "coil::plan: " << what << ": node %" << node;
    return c;
  };
  const auto& rec = G::records;
  for (int s = 0; s < p.stage_count; ++s) {
    const int i = p.stage_node[s];
    const int k = p.kernel_of[i];
    if (k < 0 || s < p.kernel_begin[k] || s >= p.kernel_end[k]) return fail("a stage outside its kernel", i);
    if (!p.realized[i]) return fail("a stage that is not realized", i);
    cone_walker<G::size> walk(rec, p.realized);
    const cone body = walk.of(i);
    for (int at = 0; at < body.read_count; ++at) {
      const int j = walk.read(at);
      if (rec[j].kind == op_kind::input) continue;
      // every buffer is written before it is read: by an earlier kernel, or an earlier
      // stage of this one, read at the same row
      const int kj = p.kernel_of[j];
      if (kj < 0 || kj > k) return fail("a buffer read before it is written", j);
      if (kj == k && (j >= i || !walk.reads_row_locally(i, j))) return fail("a fused buffer read across rows", j);
      if (p.buffer_of[j] >= 0 && p.buffer_last_use[p.buffer_of[j]] < k) return fail("a buffer read after its last use", j);
    }
    for (int at = 1; at < body.node_count; ++at)
      if (p.realized[walk.node(at)]) return fail("a realized node recomputed", walk.node(at));
  }
  for (int b = 0; b < p.buffer_count; ++b) {
    const int o = p.in_place_of[b];
    if (o >= 0) {
      const int i = p.buffer_node[b], j = p.buffer_node[o];
      if (o >= b || p.buffer_last_use[o] != p.kernel_of[i] || p.kind[p.kernel_of[i]] != kernel_kind::pointwise ||
          !reads_elementwise(rec, p.realized, i, j))
        return fail("an unsafe in-place write", i);
    }
  }
  for (int b = 0; b < p.buffer_count; ++b)
    if (p.buffer_of[p.buffer_node[b]] != b || p.output_slot[p.buffer_node[b]] >= 0) return fail("a bad arena buffer", p.buffer_node[b]);
  if (arena_is_static<G>(p)) {
    const arena_layout<G::size> a = layout_arena<G>(p, sym_env{});
    for (int b = 0; b < p.buffer_count; ++b) {
      if (a.offset[b] % arena_alignment != 0 || a.offset[b] + a.size[b] > a.bytes)
        return fail("a buffer misplaced in the arena", p.buffer_node[b]);
      if (a.size[b] < buffer_bytes(rec[p.buffer_node[b]], sym_env{})) return fail("a buffer smaller than its value", p.buffer_node[b]);
      for (int o = 0; o < b; ++o) {
        const bool together = p.buffer_last_use[o] >= p.kernel_of[p.buffer_node[b]];
        const bool overlap = a.offset[b] < a.offset[o] + a.size[o] && a.offset[o] < a.offset[b] + a.size[b];
        const bool in_place = p.in_place_of[b] == o && a.offset[b] == a.offset[o];
        if (together && overlap && !in_place) return fail("live buffers overlap", p.buffer_node[b]);
      }
    }
  }
  return c;
}

} // namespace coil
