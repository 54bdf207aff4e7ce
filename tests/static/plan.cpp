// The planner as constexpr values: what is realized (and why), how stages group into
// kernels (and why not), which buffers live in the arena, where, and how big it is.
// Every rule of schedule/plan.hpp and schedule/memory.hpp has an assertion here that
// fails if the rule changes. Compiled only.
#include <coil.hpp>

using namespace coil::literals;

namespace {

using coil::op_code;
using coil::realize_reason;

template <class M> using G = typename M::graph;

// Index of the first record with op c (or -1).
template <class M> constexpr int find(op_code c, int skip = 0) {
  for (int i = 0; i < G<M>::size; ++i)
    if (G<M>::records[i].code == c && skip-- == 0) return i;
  return -1;
}

// Realized with the given reason.
template <class M> constexpr bool realized_as(int i, realize_reason why) {
  return i >= 0 && M::plan.realized[i] && M::plan.reason[i] == why;
}
template <class M> constexpr bool inlined(int i) {
  return i >= 0 && !M::plan.realized[i] && M::plan.reason[i] == realize_reason::inlined;
}

// Invariants of every plan: constants are never realized, inputs always are, kernels run
// in topological order, and arena buffers are exactly the realized intermediates.
template <class M> constexpr bool well_formed() {
  using GG = G<M>;
  const auto& p = M::plan;
  for (int i = 0; i < GG::size; ++i) {
    const auto& r = GG::records[i];
    if (r.kind == coil::op_kind::constant && (p.realized[i] || p.reason[i] != realize_reason::constant)) return false;
    if (r.kind == coil::op_kind::input && !p.realized[i]) return false;
    const bool intermediate = p.realized[i] && r.kind != coil::op_kind::input && p.output_slot[i] < 0;
    if (intermediate != (p.buffer_of[i] >= 0)) return false;
    if (intermediate && p.buffer_node[p.buffer_of[i]] != i) return false;
    if (p.realized[i] && r.kind != coil::op_kind::input && p.kernel_of[i] < 0) return false;
  }
  for (int s = 1; s < p.stage_count; ++s)
    if (p.stage_node[s] <= p.stage_node[s - 1]) return false;
  for (int k = 0; k < p.kernel_count; ++k)
    if (p.kernel_begin[k] != (k == 0 ? 0 : p.kernel_end[k - 1]) || p.kernel_root[k] != p.stage_node[p.kernel_end[k] - 1])
      return false;
  // live buffers never overlap (static arenas)
  if constexpr (M::static_arena) {
    const auto a = coil::layout_arena<GG>(p, coil::sym_env{});
    for (int b = 0; b < p.buffer_count; ++b)
      for (int c = 0; c < b; ++c) {
        const bool live_together = p.buffer_last_use[c] >= p.kernel_of[p.buffer_node[b]];
        const bool overlap = a.offset[b] < a.offset[c] + a.size[c] && a.offset[c] < a.offset[b] + a.size[b];
        if (live_together && overlap && p.in_place_of[b] != c) return false;
      }
  }
  for (int o = 0; o < GG::output_count; ++o)
    if (!p.realized[GG::outputs[o]] || p.output_slot[GG::outputs[o]] != o) return false;
  return true;
}

constexpr std::int64_t aligned(std::int64_t bytes) { return (bytes + 63) / 64 * 64; }

constexpr auto B = coil::sym<"B">;
constexpr auto x = coil::input<"x", float>(B, 16_c);
constexpr auto a = coil::input<"a", float>(16_c);
constexpr auto b = coil::input<"b", float>(1_c);

// ---- a pointwise chain is one kernel ---------------------------------------------------------
using chain = decltype(coil::compile<coil::cpu>(coil::relu(x * a + b) * 0.5_c - coil::tanh(x)));
static_assert(well_formed<chain>());
static_assert(chain::plan.kernel_count == 1);
static_assert(chain::plan.kernel_root[0] == G<chain>::outputs[0]);
static_assert(chain::plan.buffer_count == 0);
static_assert(inlined<chain>(find<chain>(op_code::mul)) && inlined<chain>(find<chain>(op_code::add)));
static_assert(inlined<chain>(find<chain>(op_code::relu)) && inlined<chain>(find<chain>(op_code::tanh)));
static_assert(realized_as<chain>(G<chain>::outputs[0], realize_reason::output));
static_assert(realized_as<chain>(G<chain>::index_of_input("x"), realize_reason::input));
static_assert(chain::plan.reason[find<chain>(op_code::constant)] == realize_reason::constant);
static_assert(chain::static_arena && chain::arena_bytes == 0);  // symbolic, but nothing in the arena

// Views of inputs are index remapping: inlined, still one kernel.
using viewed = decltype(coil::compile<coil::cpu>(coil::exp(coil::transpose<0, 1>(x)) + coil::unsqueeze<1>(a)));
static_assert(well_formed<viewed>());
static_assert(viewed::plan.kernel_count == 1);
static_assert(!viewed::plan.realized[find<viewed>(op_code::permute)]);
static_assert(viewed::plan.reason[find<viewed>(op_code::permute)] == realize_reason::buffer_view);

// ---- a reduction and a consumer over other rows are two kernels ------------------------------
// sum<-1> without keepdim is [B]; its consumer is a loop over [B] whose outer space is []
using reduced = decltype(coil::compile<coil::cpu>(coil::sum<-1>(coil::exp(x)) * 2_c));
static_assert(well_formed<reduced>());
static_assert(reduced::plan.kernel_count == 2);
static_assert(reduced::plan.kernel_root[0] == find<reduced>(op_code::sum));
static_assert(reduced::plan.kernel_root[1] == G<reduced>::outputs[0]);
static_assert(reduced::plan.split[1] == coil::split_reason::iteration_space);
static_assert(realized_as<reduced>(find<reduced>(op_code::sum), realize_reason::reduction));
static_assert(inlined<reduced>(find<reduced>(op_code::exp)));   // fused into the reduction's loop
static_assert(reduced::plan.buffer_count == 1 && reduced::plan.buffer_node[0] == find<reduced>(op_code::sum));
static_assert(!reduced::static_arena && reduced::arena_bytes == -1);  // the sum is [B]

// A reduction that is the output is one kernel.
using reduce_out = decltype(coil::compile<coil::cpu>(coil::amax<-1>(coil::exp(x))));
static_assert(well_formed<reduce_out>() && reduce_out::plan.kernel_count == 1 && reduce_out::plan.buffer_count == 0);
static_assert(realized_as<reduce_out>(G<reduce_out>::outputs[0], realize_reason::output));

// ---- several users: realized once ---------------------------------------------------------------
constexpr auto e = coil::exp(x);
using shared = decltype(coil::compile<coil::cpu>(e + e * e));
static_assert(well_formed<shared>());
static_assert(G<shared>::users[find<shared>(op_code::exp)] == 2);
static_assert(realized_as<shared>(find<shared>(op_code::exp), realize_reason::multi_user));
static_assert(shared::plan.kernel_count == 1 && shared::plan.stages_in(0) == 2); // exp, then the output, per row
static_assert(shared::plan.kind[0] == coil::kernel_kind::rows);

// A cheap value with several users is recomputed (Inductor: reads <= 4, ops <= 30, no
// expensive math); coil::realize / coil::inline_ override the rule either way.
constexpr auto cheap = x + 1_c;
using recompute = decltype(coil::compile<coil::cpu>(cheap * cheap + cheap));
static_assert(well_formed<recompute>() && recompute::plan.kernel_count == 1 && recompute::plan.buffer_count == 0);
static_assert(recompute::plan.reason[find<recompute>(op_code::add)] == realize_reason::cheap_recompute);
using forced = decltype(coil::compile<coil::cpu>(coil::realize(cheap) * 2_c + coil::realize(cheap)));
static_assert(well_formed<forced>() && forced::plan.buffer_count == 1);
static_assert(realized_as<forced>(find<forced>(op_code::realize_hint), realize_reason::user_realize));
using kept_inline = decltype(coil::compile<coil::cpu>(coil::inline_(e) * 2_c + coil::inline_(e)));
static_assert(well_formed<kept_inline>() && kept_inline::plan.buffer_count == 0);
static_assert(kept_inline::plan.reason[find<kept_inline>(op_code::inline_hint)] == realize_reason::user_inline);

// Five buffers read by a value with two users: more than 4 reads, so it is stored.
constexpr auto x2 = coil::input<"x2", float>(B, 16_c);
constexpr auto x3 = coil::input<"x3", float>(B, 16_c);
constexpr auto many = x + x2 + x3 + a + b; // reads x, x2, x3, a, b
using many_reads = decltype(coil::compile<coil::cpu>(many * many + many));
static_assert(many_reads::plan.cone_reads[find<many_reads>(op_code::add, 3)] == 5);
static_assert(realized_as<many_reads>(find<many_reads>(op_code::add, 3), realize_reason::multi_user));
constexpr auto four = x + x2 + x3 + a; // 4 reads: recomputed
using four_reads = decltype(coil::compile<coil::cpu>(four * four + four));
static_assert(four_reads::plan.reason[find<four_reads>(op_code::add, 2)] == realize_reason::cheap_recompute);
static_assert(inlined<shared>(find<shared>(op_code::mul)));

// e * e reads e twice but is one consumer: e stays inlined.
using square = decltype(coil::compile<coil::cpu>(e * e));
static_assert(well_formed<square>() && square::plan.kernel_count == 1);
static_assert(inlined<square>(find<square>(op_code::exp)));

// Softmax: amax, the shared exp, sum, and the division: one row kernel.
constexpr auto z = e - coil::amax<-1>(e, coil::keepdim);
constexpr auto softmax = coil::exp(z) / coil::sum<-1>(coil::exp(z), coil::keepdim);
using soft = decltype(coil::compile<coil::cpu>(softmax));
static_assert(well_formed<soft>());
static_assert(realized_as<soft>(find<soft>(op_code::exp), realize_reason::multi_user));      // exp(x)
static_assert(realized_as<soft>(find<soft>(op_code::exp, 1), realize_reason::multi_user));   // exp(z)
static_assert(realized_as<soft>(find<soft>(op_code::amax), realize_reason::reduction));
static_assert(realized_as<soft>(find<soft>(op_code::sum), realize_reason::reduction));
static_assert(inlined<soft>(find<soft>(op_code::sub)));
static_assert(soft::plan.kernel_count == 1 && soft::plan.stages_in(0) == 5);
static_assert(soft::plan.outer_rank[0] == 1);

// layer_norm with weight and bias: mean, var (of the recomputed x - mean), the output.
constexpr auto ln_w = coil::input<"ln_w", float>(16_c);
constexpr auto ln_b = coil::input<"ln_b", float>(16_c);
constexpr auto centered = x - coil::mean<-1>(x, coil::keepdim);
constexpr auto ln = centered * coil::rsqrt(coil::mean<-1>(centered * centered, coil::keepdim) + 1e-5_c) * ln_w + ln_b;
using layer_norm = decltype(coil::compile<coil::cpu>(ln));
static_assert(well_formed<layer_norm>() && layer_norm::plan.kernel_count == 1);
static_assert(layer_norm::plan.stages_in(0) == 3 && layer_norm::plan.buffer_count == 2);

// A chain of 10 pointwise ops is one kernel.
using ten = decltype(coil::compile<coil::cpu>(
    coil::relu(coil::tanh(coil::sigmoid(coil::abs(coil::neg(coil::exp(x) + 1_c) * 2_c) - 3_c) / 4_c))));
static_assert(well_formed<ten>() && ten::plan.kernel_count == 1 && G<ten>::size == 15);

// A reduction over a leading axis cannot share the row loop of its consumer.
using lead = decltype(coil::compile<coil::cpu>(x - coil::amax<0>(x, coil::keepdim)));
static_assert(lead::plan.kernel_count == 2 && lead::plan.split[1] == coil::split_reason::reduction_axes);

// A fused value read at another row (through a transpose) splits the kernel.
constexpr auto sq = coil::input<"sq", float>(B, B);
constexpr auto esq = coil::exp(sq);
using cross = decltype(coil::compile<coil::cpu>(esq + coil::transpose<0, 1>(esq)));
static_assert(well_formed<cross>() && cross::plan.kernel_count == 2);
static_assert(cross::plan.split[1] == coil::split_reason::cross_row_read);

// Several outputs sharing a value: each output is a kernel, the shared value realized.
using two_out = decltype(coil::compile<coil::cpu>(coil::relu(e), e * 3_c));
static_assert(well_formed<two_out>());
static_assert(realized_as<two_out>(find<two_out>(op_code::exp), realize_reason::multi_user));
static_assert(two_out::plan.kernel_count == 1 && two_out::plan.stages_in(0) == 3);
static_assert(two_out::plan.output_slot[G<two_out>::outputs[1]] == 1);

// ---- matmul: an extern op whose computed operands are realized --------------------------------
constexpr auto w = coil::input<"w", float>(16_c, 4_c);
constexpr auto bias = coil::input<"bias", float>(4_c);
using mm = decltype(coil::compile<coil::cpu>(coil::relu(coil::matmul(coil::relu(x), w) + bias)));
static_assert(well_formed<mm>());
static_assert(realized_as<mm>(find<mm>(op_code::relu), realize_reason::extern_input));  // relu(x)
static_assert(realized_as<mm>(G<mm>::index_of_input("w"), realize_reason::input));
static_assert(realized_as<mm>(find<mm>(op_code::matmul), realize_reason::extern_op));
static_assert(inlined<mm>(find<mm>(op_code::add)));
static_assert(mm::plan.kernel_count == 3);                  // relu(x), matmul, the epilogue
static_assert(mm::plan.split[1] == coil::split_reason::extern_op && mm::plan.split[2] == coil::split_reason::extern_op);
static_assert(mm::plan.kernel_root[1] == find<mm>(op_code::matmul));

// A transposed input handed to the GEMM is read in place through its strides (linear's
// weight^T): not realized, no copy kernel. A view of a computed value, or one that a
// pointwise op reads too, is realized (row-major memory for the GEMM).
constexpr auto v = coil::input<"v", float>(4_c, 16_c);
using mm_view = decltype(coil::compile<coil::cpu>(coil::matmul(x, coil::transpose<0, 1>(v))));
static_assert(well_formed<mm_view>());
static_assert(!mm_view::plan.realized[find<mm_view>(op_code::permute)]);
static_assert(mm_view::plan.reason[find<mm_view>(op_code::permute)] == realize_reason::strided_operand);
static_assert(realized_as<mm_view>(G<mm_view>::index_of_input("x"), realize_reason::input));
static_assert(realized_as<mm_view>(find<mm_view>(op_code::matmul), realize_reason::output));
static_assert(mm_view::plan.kernel_count == 1 && mm_view::plan.buffer_count == 0);
using mm_view_of_value = decltype(coil::compile<coil::cpu>(coil::matmul(x, coil::transpose<0, 1>(coil::relu(v)))));
static_assert(realized_as<mm_view_of_value>(find<mm_view_of_value>(op_code::permute), realize_reason::extern_input));
static_assert(mm_view_of_value::plan.kernel_count == 2);
constexpr auto vt = coil::transpose<0, 1>(v);
using mm_view_shared = decltype(coil::compile<coil::cpu>(coil::matmul(x, vt) + coil::sum<0>(vt)));
static_assert(realized_as<mm_view_shared>(find<mm_view_shared>(op_code::permute), realize_reason::extern_input));

// ---- constants are never realized, whatever reads them -----------------------------------------
using consts = decltype(coil::compile<coil::cpu>(coil::sum<-1>(x * 2_c) + 2_c, coil::maximum(x, 2_c)));
static_assert(well_formed<consts>());
static_assert(G<consts>::users[find<consts>(op_code::constant)] == 3);
static_assert(consts::plan.reason[find<consts>(op_code::constant)] == realize_reason::constant);
static_assert(!consts::plan.realized[find<consts>(op_code::constant)]);

// ---- arena: liveness and best-fit reuse ---------------------------------------------------------
// The demo's MLP with a static batch of 4. Buffers, in kernel order, with their lives:
//   x@W1 [4,128] f32 = 2048 B, k0..k1   relu(.+b1) [4,128] = 2048 B, k1..k2
//   h@W2 [4,10] = 160 -> 192 B, k2..k3  amax [4,1] = 16 -> 64 B, k3   sum [4,1] -> 64 B, k3
// relu(.+b1) reads x@W1 element by element for the last time: it is written in place, at
// offset 0. h@W2 goes after it (2048); by k3 the relu buffer is dead, so amax and sum
// take offsets 0 and 64. The arena is 2048 + 192 = 2240 bytes, not the 4416 of one
// buffer each (and not 4096 without the in-place write).
constexpr auto mx = coil::input<"mx", float>(4_c, 784_c);
constexpr auto W1 = coil::input<"W1", float>(784_c, 128_c);
constexpr auto b1 = coil::input<"b1", float>(128_c);
constexpr auto W2 = coil::input<"W2", float>(128_c, 10_c);
constexpr auto b2 = coil::input<"b2", float>(10_c);
constexpr auto logits = coil::matmul(coil::relu(coil::matmul(mx, W1) + b1), W2) + b2;
constexpr auto lsm_shift = logits - coil::amax<-1>(logits, coil::keepdim);
using mlp = decltype(coil::compile<coil::cpu>(lsm_shift - coil::log(coil::sum<-1>(coil::exp(lsm_shift), coil::keepdim))));
static_assert(well_formed<mlp>() && mlp::plan.kernel_count == 4 && mlp::plan.buffer_count == 5);
static_assert(mlp::static_arena && mlp::arena_bytes == 2240);
static_assert(mlp::plan.in_place_of[1] == 0 && mlp::plan.in_place_of[2] == -1);
constexpr auto mlp_arena = coil::layout_arena<G<mlp>>(mlp::plan, coil::sym_env{});
static_assert(mlp_arena.offset[0] == 0 && mlp_arena.offset[1] == 0 && mlp_arena.offset[2] == 2048);
static_assert(mlp_arena.offset[3] == 0 && mlp_arena.offset[4] == 64);

// Bytes each kernel moves, as plan values: the row kernel of the static MLP reads the
// second GEMM's [4,10] result and b2, and stores amax, sum and the output.
constexpr auto mlp_rows = coil::traffic_of<G<mlp>>(mlp::plan, 3);
static_assert(mlp_rows.read.is_static(160 + 40) && mlp_rows.written.is_static(16 + 16 + 160));
static_assert(coil::traffic_of<G<mlp>>(mlp::plan, 0).read.is_static((4 * 784 + 784 * 128) * 4));

// y = a @ b; z = relu(y) + 1: the GEMM, then the whole pointwise part in one kernel.
constexpr auto ma = coil::input<"ma", float>(B, 16_c);
constexpr auto mb = coil::input<"mb", float>(16_c, 8_c);
using gemm_epilogue = decltype(coil::compile<coil::cpu>(coil::relu(coil::matmul(ma, mb)) + 1_c));
static_assert(well_formed<gemm_epilogue>() && gemm_epilogue::plan.kernel_count == 2);
static_assert(gemm_epilogue::plan.kind[0] == coil::kernel_kind::matmul && gemm_epilogue::plan.kind[1] == coil::kernel_kind::pointwise);
static_assert(inlined<gemm_epilogue>(find<gemm_epilogue>(op_code::relu)));
static_assert(coil::traffic_of<G<gemm_epilogue>>(gemm_epilogue::plan, 1).read == coil::dim_symbol("B") * coil::dim_const(32));

// No in-place write where the reader is not elementwise: a transpose of the dead buffer.
constexpr auto sqm = coil::input<"sqm", float>(8_c, 8_c);
constexpr auto mm2 = coil::matmul(sqm, sqm);
using no_in_place = decltype(coil::compile<coil::cpu>(coil::matmul(coil::relu(coil::transpose<0, 1>(mm2)), sqm)));
static_assert(well_formed<no_in_place>() && no_in_place::plan.buffer_count == 2);
static_assert(no_in_place::plan.in_place_of[1] == -1 && no_in_place::arena_bytes == 512);
using in_place = decltype(coil::compile<coil::cpu>(coil::matmul(coil::relu(mm2), sqm)));
static_assert(in_place::plan.in_place_of[1] == 0 && in_place::arena_bytes == 256);
static_assert(mlp::plan.buffer_last_use[0] == 1 && mlp::plan.buffer_last_use[1] == 2 && mlp::plan.buffer_last_use[2] == 3);

// Buffers alive together never share bytes; every offset is 64-byte aligned.
constexpr auto xs = coil::input<"xs", float>(4_c, 10_c);
constexpr auto es = coil::exp(xs);
constexpr auto ds = coil::input<"ds", double>(5_c, 5_c);
constexpr auto dd = ds * ds;
using arena = decltype(coil::compile<coil::cpu>(coil::sum<-1>(es * es) + coil::amax<-1>(es),
                                                coil::cast<double>(coil::argmax<0>(dd)) + coil::sum<0>(dd)));
static_assert(well_formed<arena>() && arena::static_arena);
// exp(xs) (two users, expensive), sum<-1>, amax<-1>, argmax<0>(dd), sum<0>(dd); dd itself is
// cheap and recomputed by both of its reductions.
static_assert(arena::plan.buffer_count == 5);
static_assert(arena::plan.reason[find<arena>(op_code::mul, 1)] == realize_reason::cheap_recompute);
constexpr auto arena_layout = coil::layout_arena<G<arena>>(arena::plan, coil::sym_env{});
static_assert(arena_layout.bytes == arena::arena_bytes);
static_assert(arena::arena_bytes < aligned(160) + 4 * 64); // reuse: less than one slot each
static_assert([] {
  for (int k = 0; k < arena::plan.buffer_count; ++k)
    if (arena_layout.offset[k] % 64 != 0) return false;
  return true;
}());

// ---- layouts ----------------------------------------------------------------------------------
// A stored value read only through a transpose is stored transposed (its readers then
// walk it along their innermost axis); read directly as well, it stays row-major.
constexpr auto stored = coil::realize(coil::exp(sq));
using transposed_read = decltype(coil::compile<coil::cpu>(coil::transpose<0, 1>(stored) * 2_c));
static_assert(well_formed<transposed_read>());
static_assert(transposed_read::plan.dim_order[find<transposed_read>(op_code::realize_hint)][0] == 1);
static_assert(transposed_read::plan.dim_order[find<transposed_read>(op_code::realize_hint)][1] == 0);
using mixed_read = decltype(coil::compile<coil::cpu>(coil::transpose<0, 1>(stored) + stored));
static_assert(mixed_read::plan.dim_order[find<mixed_read>(op_code::realize_hint)][0] == 0);

// COIL_VERIFY_PLAN's checks hold for these plans and catch broken ones.
static_assert(coil::verify_plan<G<mlp>>(mlp::plan).ok && coil::verify_plan<G<soft>>(soft::plan).ok);
static_assert(!coil::verify_plan<G<mlp>>([] {
                 auto p = mlp::plan;
                 p.buffer_last_use[0] = 0; // x@W1 "dead" before relu reads it: h@W2 would overwrite it early
                 return p;
               }()).ok);
static_assert(!coil::verify_plan<G<soft>>([] {
                 auto p = soft::plan;
                 p.realized[p.stage_node[0]] = false; // a stage without a buffer
                 return p;
               }()).ok);

// A symbolic input with static intermediates still has a static arena.
using sym_in = decltype(coil::compile<coil::cpu>(coil::sum<0>(x) * 2_c));  // sum<0> of [B,16] is [16]
static_assert(well_formed<sym_in>() && sym_in::static_arena && sym_in::arena_bytes == 64);

// One symbolic intermediate makes the arena size a call-time value.
using sym_mid = decltype(coil::compile<coil::cpu>(coil::sum<0>(x) + coil::sum<-1>(coil::unsqueeze<1>(coil::sum<1>(x)))));
static_assert(well_formed<sym_mid>());
static_assert(!sym_mid::static_arena && sym_mid::arena_bytes == -1);

// No intermediates at all.
using none = decltype(coil::compile<coil::cpu>(xs * 2_c));
static_assert(well_formed<none>() && none::arena_bytes == 0 && none::plan.kernel_count == 1);

} // namespace
