// The composite ops through the planner: softmax, log_softmax, layer_norm and rms_norm
// over the last dim are ONE row kernel, as their hand-written primitive forms are
// (tests/unit/planner_fusion.cpp); activation chains are one pointwise kernel; linear's
// bias is a separate pointwise kernel after the GEMM. Compiled only.
#include <coil.hpp>

using namespace coil::literals;

namespace {

using coil::kernel_kind;

template <class M> constexpr bool one_row_kernel() {
  return M::plan.kernel_count == 1 && M::plan.kind[0] == kernel_kind::rows;
}

constexpr auto B = coil::sym<"B">;
constexpr auto xs = coil::input<"x", float>(64_c, 128_c);  // static rows
constexpr auto xb = coil::input<"x", float>(B, 128_c);     // symbolic rows
constexpr auto x3 = coil::input<"x", float>(2_c, B, 32_c); // rank 3: outer loop [2, B]
constexpr auto w = coil::input<"w", float>(128_c);
constexpr auto b = coil::input<"b", float>(128_c);
constexpr auto w32 = coil::input<"w", float>(32_c);

template <class E> using cpu_model = decltype(coil::compile<coil::cpu>(E{}));

// softmax: amax, exp (stored once: two users, expensive), sum, div
using softmax_static = cpu_model<decltype(coil::softmax(xs, -1_c))>;
static_assert(one_row_kernel<softmax_static>() && softmax_static::plan.stages_in(0) == 4);
static_assert(softmax_static::graph::size == 6); // x, amax, sub, exp, sum, div: nothing added by the op
// amax, exp and sum are read only inside the row kernel: one row of each per CPU thread
// (plan.row_scratch); the output is not
static_assert(softmax_static::plan.row_scratch[1] && softmax_static::plan.row_scratch[3] &&
              softmax_static::plan.row_scratch[4] && !softmax_static::plan.row_scratch[5]);
using softmax_sym = cpu_model<decltype(coil::softmax<-1>(xb))>;
static_assert(one_row_kernel<softmax_sym>());
using softmax_3d = cpu_model<decltype(coil::softmax<2>(x3))>;
static_assert(one_row_kernel<softmax_3d>() && softmax_3d::plan.outer_rank[0] == 2);

// log_softmax: amax, sum of exp, output
using log_softmax_sym = cpu_model<decltype(coil::log_softmax(xb, -1_c))>;
static_assert(one_row_kernel<log_softmax_sym>() && log_softmax_sym::plan.stages_in(0) == 3);
using log_softmax_static = cpu_model<decltype(coil::log_softmax<1>(xs))>;
static_assert(one_row_kernel<log_softmax_static>());

// layer_norm: mean, mean of squared deviations, output
using layer_norm_affine = cpu_model<decltype(coil::layer_norm(xb, 128_c, w, b))>;
static_assert(one_row_kernel<layer_norm_affine>() && layer_norm_affine::plan.stages_in(0) == 3);
using layer_norm_plain = cpu_model<decltype(coil::layer_norm(xs, coil::dims(128_c)))>;
static_assert(one_row_kernel<layer_norm_plain>());
using layer_norm_3d = cpu_model<decltype(coil::layer_norm(x3, 32_c, w32, coil::none, 1e-6_c))>;
static_assert(one_row_kernel<layer_norm_3d>() && layer_norm_3d::plan.outer_rank[0] == 2);

// rms_norm: mean of squares, output
using rms_norm_w = cpu_model<decltype(coil::rms_norm(xb, 128_c, w))>;
static_assert(one_row_kernel<rms_norm_w>() && rms_norm_w::plan.stages_in(0) == 2);
using rms_norm_plain = cpu_model<decltype(coil::rms_norm(x3, coil::dims(32_c), coil::none, 1e-5_c))>;
static_assert(one_row_kernel<rms_norm_plain>());

// logsumexp over the last dim with keepdim: amax, sum and output share the rows. Without
// keepdim the [B] output is a second (pointwise) kernel: the planner does not run a
// consumer of reductions without keepdim inside their row loop (a planner limit, not the
// op's: the same holds for log(sum(x, -1)) written by hand).
using logsumexp_kept = cpu_model<decltype(coil::logsumexp(x3, -1_c, coil::keepdim))>;
static_assert(one_row_kernel<logsumexp_kept>());
using logsumexp_rows = cpu_model<decltype(coil::logsumexp(xb, -1_c))>;
static_assert(logsumexp_rows::plan.kernel_count == 2 && logsumexp_rows::plan.kind[0] == kernel_kind::rows);
static_assert(cpu_model<decltype(coil::log(coil::sum<-1>(xb)))>::plan.kernel_count == 2);

// an activation chain is one pointwise kernel with nothing stored
using act_chain =
    cpu_model<decltype(coil::clamp(coil::leaky_relu(xb), 0_c, 6_c) * coil::hardsigmoid(xb) + coil::mish(xb) + coil::elu(xb))>;
static_assert(act_chain::plan.kernel_count == 1 && act_chain::plan.kind[0] == kernel_kind::pointwise);
static_assert(act_chain::plan.buffer_count == 0);
// gelu reads its argument twice: an argument with expensive math (silu's sigmoid) is
// stored once per row (Inductor's rule), still in one kernel
using gelu_of_silu = cpu_model<decltype(coil::gelu(coil::silu(xb)))>;
static_assert(gelu_of_silu::plan.kernel_count == 1 && gelu_of_silu::plan.buffer_count == 1);

// dropout adds no node at all
static_assert(cpu_model<decltype(coil::dropout(coil::relu(xb), 0.1_c))>::graph::size ==
              cpu_model<decltype(coil::relu(xb))>::graph::size);

// linear: the GEMM reads weight^T in place (a strided operand: no copy kernel), and the
// bias is added by a second kernel on the CPU (on CUDA, cuBLASLt's bias epilogue takes it:
// backends/gemm_epilogue.hpp, tests/static/gemm_epilogue.cpp).
constexpr auto W = coil::input<"W", float>(10_c, 128_c);
constexpr auto bias = coil::input<"bias", float>(10_c);
using linear_model = cpu_model<decltype(coil::linear(xb, W, bias))>;
static_assert(linear_model::plan.kernel_count == 2 && linear_model::plan.kind[0] == kernel_kind::matmul);
static_assert(linear_model::plan.kind[1] == kernel_kind::pointwise && linear_model::plan.buffer_count == 1);

// cumsum: one scan kernel whose input (x * 2) is computed inside it, then the + 1 loop
using cumsum_model = cpu_model<decltype(coil::cumsum(xb * 2.0_c, 1_c) + 1.0_c)>;
static_assert(cumsum_model::plan.kernel_count == 2 && cumsum_model::plan.kind[0] == kernel_kind::scan);
static_assert(cumsum_model::plan.kind[1] == kernel_kind::pointwise && cumsum_model::plan.split[1] == coil::split_reason::scan);

// conv2d: im2col + GEMM when each pixel sums enough products into enough channels (here 27
// into 4): the weight's [groups, out / groups, 27] view and the columns [N, 1, 27, 64] are
// stored by two pointwise kernels (the padded input read through the windows, never
// stored), the GEMM writes [N, 1, 4, 64], and the reshape into the output is a copy. A
// depthwise conv, and the reference backend always, sum directly: one reduction kernel.
// max_pool2d: one reduction kernel over the window offsets.
constexpr auto img = coil::input<"img", float>(B, 3_c, 8_c, 8_c);
constexpr auto kw = coil::input<"kw", float>(4_c, 3_c, 3_c, 3_c);
using conv_model = cpu_model<decltype(coil::conv2d<coil::conv2d_args{.padding = {1, 1}}>(img, kw))>;
static_assert(conv_model::plan.kernel_count == 4 && conv_model::plan.kind[0] == kernel_kind::pointwise &&
              conv_model::plan.kind[1] == kernel_kind::pointwise && conv_model::plan.kind[2] == kernel_kind::matmul &&
              conv_model::plan.kind[3] == kernel_kind::pointwise);
static_assert(coil::detail::conv_as_gemm<coil::cuda, 2, coil::conv2d_args{}>(coil::record_of<decltype(img)>,
                                                                              coil::record_of<decltype(kw)>));
static_assert(!coil::detail::conv_as_gemm<coil::reference, 2, coil::conv2d_args{}>(coil::record_of<decltype(img)>,
                                                                                    coil::record_of<decltype(kw)>));
constexpr auto dkw = coil::input<"kw", float>(6_c, 1_c, 3_c, 3_c);
constexpr auto img6 = coil::input<"img", float>(B, 6_c, 8_c, 8_c);
using depthwise_model = cpu_model<decltype(coil::conv2d<coil::conv2d_args{.padding = {1, 1}, .groups = 6}>(img6, dkw))>;
static_assert(depthwise_model::plan.kernel_count == 2 && depthwise_model::plan.kind[0] == kernel_kind::reduction);
// conv_algorithm overrides the choice either way
using direct_model = cpu_model<decltype(coil::conv2d<coil::conv2d_args{.padding = {1, 1}, .algorithm = coil::conv_algorithm::direct}>(img, kw))>;
static_assert(direct_model::plan.kernel_count == 2 && direct_model::plan.kind[0] == kernel_kind::reduction);
using im2col_depthwise =
    cpu_model<decltype(coil::conv2d<coil::conv2d_args{.padding = {1, 1}, .groups = 6, .algorithm = coil::conv_algorithm::im2col}>(img6, dkw))>;
static_assert(im2col_depthwise::plan.kernel_count == 4 && im2col_depthwise::plan.kind[2] == kernel_kind::matmul);
using pool_model = cpu_model<decltype(coil::max_pool2d<coil::pool2d_args{.kernel = {3, 3}, .stride = {2, 2}, .padding = {1, 1}}>(img))>;
static_assert(pool_model::plan.kernel_count == 1 && pool_model::plan.kind[0] == kernel_kind::reduction);

// embedding: the gather is fused into its consumer's loop
constexpr auto ids = coil::input<"ids", std::int64_t>(B, 16_c);
using embed_model = cpu_model<decltype(coil::embedding(ids, coil::input<"table", float>(100_c, 128_c)) * 2.0_c)>;
static_assert(embed_model::plan.kernel_count == 1 && embed_model::plan.kind[0] == kernel_kind::pointwise);

} // namespace
