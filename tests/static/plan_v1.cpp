// Planner v1 as constexpr values: what is realized (and why), how many kernels, which
// buffers live in the arena and how big the arena is. Compiled only.
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
    if (p.realized[i] && r.kind != coil::op_kind::input && !p.is_kernel_root(i)) return false;
  }
  for (int k = 1; k < p.kernel_count; ++k)
    if (p.kernel_root[k] <= p.kernel_root[k - 1]) return false;
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

// ---- a reduction and its pointwise consumer are two kernels ---------------------------------
using reduced = decltype(coil::compile<coil::cpu>(coil::sum<-1>(coil::exp(x)) * 2_c));
static_assert(well_formed<reduced>());
static_assert(reduced::plan.kernel_count == 2);
static_assert(reduced::plan.kernel_root[0] == find<reduced>(op_code::sum));
static_assert(reduced::plan.kernel_root[1] == G<reduced>::outputs[0]);
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
static_assert(shared::plan.kernel_count == 2);
static_assert(inlined<shared>(find<shared>(op_code::mul)));

// e * e reads e twice but is one consumer: e stays inlined.
using square = decltype(coil::compile<coil::cpu>(e * e));
static_assert(well_formed<square>() && square::plan.kernel_count == 1);
static_assert(inlined<square>(find<square>(op_code::exp)));

// Softmax: amax, the shared exp, sum, and the division.
constexpr auto z = e - coil::amax<-1>(e, coil::keepdim);
constexpr auto softmax = coil::exp(z) / coil::sum<-1>(coil::exp(z), coil::keepdim);
using soft = decltype(coil::compile<coil::cpu>(softmax));
static_assert(well_formed<soft>());
static_assert(realized_as<soft>(find<soft>(op_code::exp), realize_reason::multi_user));      // exp(x)
static_assert(realized_as<soft>(find<soft>(op_code::exp, 1), realize_reason::multi_user));   // exp(z)
static_assert(realized_as<soft>(find<soft>(op_code::amax), realize_reason::reduction));
static_assert(realized_as<soft>(find<soft>(op_code::sum), realize_reason::reduction));
static_assert(inlined<soft>(find<soft>(op_code::sub)));
static_assert(soft::plan.kernel_count == 5);

// Several outputs sharing a value: each output is a kernel, the shared value realized.
using two_out = decltype(coil::compile<coil::cpu>(coil::relu(e), e * 3_c));
static_assert(well_formed<two_out>());
static_assert(realized_as<two_out>(find<two_out>(op_code::exp), realize_reason::multi_user));
static_assert(two_out::plan.kernel_count == 3);
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
static_assert(mm::plan.kernel_root[1] == find<mm>(op_code::matmul));

// A view of an input handed to the GEMM is realized too (the GEMM reads row-major memory).
using mm_view = decltype(coil::compile<coil::cpu>(coil::matmul(x, coil::transpose<0, 1>(coil::input<"v", float>(4_c, 16_c)))));
static_assert(well_formed<mm_view>());
static_assert(realized_as<mm_view>(find<mm_view>(op_code::permute), realize_reason::extern_input));
static_assert(realized_as<mm_view>(G<mm_view>::index_of_input("x"), realize_reason::input));
static_assert(realized_as<mm_view>(find<mm_view>(op_code::matmul), realize_reason::output));
static_assert(mm_view::plan.kernel_count == 2);

// ---- constants are never realized, whatever reads them -----------------------------------------
using consts = decltype(coil::compile<coil::cpu>(coil::sum<-1>(x * 2_c) + 2_c, coil::maximum(x, 2_c)));
static_assert(well_formed<consts>());
static_assert(G<consts>::users[find<consts>(op_code::constant)] == 3);
static_assert(consts::plan.reason[find<consts>(op_code::constant)] == realize_reason::constant);
static_assert(!consts::plan.realized[find<consts>(op_code::constant)]);

// ---- arena sizes --------------------------------------------------------------------------------
constexpr auto xs = coil::input<"xs", float>(4_c, 10_c);
constexpr auto es = coil::exp(xs);
constexpr auto ds = coil::input<"ds", double>(5_c, 5_c);
// Intermediates: exp(xs) [4,10] f32 (two users: amax and mul) = 160 B, sum [4] f32 = 16 B,
// amax [4] f32 = 16 B, argmax [5] i64 = 40 B, and ds*ds [5,5] f64 (two users) = 200 B.
constexpr auto dd = ds * ds;
using arena = decltype(coil::compile<coil::cpu>(coil::sum<-1>(es * es) + coil::amax<-1>(es),
                                                coil::cast<double>(coil::argmax<0>(dd)) + coil::sum<0>(dd)));
static_assert(well_formed<arena>());
static_assert(arena::plan.buffer_count == 6);               // + sum<0>(dd) [5] f64 = 40 B
static_assert(arena::static_arena);
static_assert(arena::arena_bytes == aligned(160) + aligned(16) + aligned(16) + aligned(200) + aligned(40) + aligned(40));
static_assert(arena::arena_bytes == 192 + 64 + 64 + 256 + 64 + 64);
// The same number from the plan: every buffer's bytes rounded up to 64, summed.
static_assert(arena::arena_bytes == [] {
  std::int64_t total = 0;
  for (int k = 0; k < arena::plan.buffer_count; ++k) {
    const auto& r = G<arena>::records[arena::plan.buffer_node[k]];
    total += aligned(coil::numel(r.shp).static_value() * coil::dtype_size(r.type));
  }
  return total;
}());
constexpr auto arena_layout = coil::layout_arena<G<arena>>(arena::plan, coil::sym_env{});
static_assert(arena_layout.bytes == arena::arena_bytes);
static_assert([] {
  for (int k = 0; k < arena::plan.buffer_count; ++k)
    if (arena_layout.offset[k] % 64 != 0 || (k > 0 && arena_layout.offset[k] <= arena_layout.offset[k - 1])) return false;
  return true;
}());

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
