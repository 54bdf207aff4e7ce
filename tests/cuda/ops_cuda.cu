// The op library's index, window and attention ops on coil::cuda against the reference
// backend: embedding (a gather, with ids in range and ids clamped on the device), conv1d
// and conv2d (the implicit-GEMM kernel, im2col + cuBLAS, and the direct sum over window
// views), max/avg pooling (window views of a padded input, one reduction kernel), constant
// and reflect pad (cat of broadcast values and flipped slices), causal
// scaled_dot_product_attention (two cuBLAS GEMMs around the masked softmax row kernel),
// cumsum (a scan) and rotary embeddings (step-2 slices, stack, iota through
// arange). Symbolic batch sizes where the op allows them. Skips cleanly without a GPU.
#include <doctest/doctest.h>

#include <cuda_runtime.h>

#include <cstdint>
#include <limits>

#include <coil.hpp>

#include "cuda/device_check.hpp"
#include "support/cuda_device.hpp"

using namespace coil::literals;
using coil::testing::device_input;
using coil::testing::expect_device_matches_reference;

namespace cases {
constexpr auto B = coil::sym<"B">;

constexpr auto ids = coil::input<"ids", std::int64_t>(B, 7_c);
constexpr auto table = coil::input<"w", float>(50_c, 32_c);
constexpr auto embed = coil::embedding(ids, table); // [B, 7, 32]

constexpr auto img = coil::input<"x", float>(B, 3_c, 12_c, 13_c);
constexpr auto filt = coil::input<"w", float>(4_c, 3_c, 3_c, 2_c);
constexpr auto bias = coil::input<"b", float>(4_c);
constexpr auto conv = coil::conv2d<coil::conv2d_args{.stride = {2, 1}, .padding = {1, 2}, .dilation = {1, 2}}>(img, filt, bias);
constexpr auto dimg = coil::input<"x", float>(B, 4_c, 9_c, 9_c);
constexpr auto dfilt = coil::input<"w", float>(8_c, 1_c, 3_c, 3_c);
constexpr auto depthwise = coil::conv2d<coil::conv2d_args{.padding = {1, 1}, .groups = 4}>(dimg, dfilt);
constexpr auto img16 = coil::input<"x", float>(B, 4_c, 8_c, 16_c);
constexpr auto filt16 = coil::input<"w", float>(8_c, 4_c, 3_c, 3_c);
constexpr auto bias16 = coil::input<"b", float>(8_c);
constexpr auto conv16 = coil::conv2d<coil::conv2d_args{.padding = {1, 1}}>(img16, filt16, bias16);
constexpr auto conv16_direct =
    coil::conv2d<coil::conv2d_args{.padding = {1, 1}, .algorithm = coil::conv_algorithm::direct}>(img16, filt16, bias16);
constexpr auto depthwise_im2col =
    coil::conv2d<coil::conv2d_args{.padding = {1, 1}, .groups = 4, .algorithm = coil::conv_algorithm::im2col}>(dimg, dfilt);
constexpr auto gfilt = coil::input<"w", float>(8_c, 2_c, 3_c, 3_c);
constexpr auto grouped = coil::conv2d<coil::conv2d_args{.padding = {1, 1}, .groups = 2}>(dimg, gfilt);
constexpr auto conv16_im2col =
    coil::conv2d<coil::conv2d_args{.padding = {1, 1}, .algorithm = coil::conv_algorithm::im2col}>(img16, filt16, bias16);
constexpr auto depthwise_igemm =
    coil::conv2d<coil::conv2d_args{.padding = {1, 1}, .groups = 4, .algorithm = coil::conv_algorithm::implicit_gemm}>(dimg, dfilt);
// 40 output channels (two channel tiles, the second partial), 45 products (a partial step)
constexpr auto wide_img = coil::input<"x", float>(B, 5_c, 20_c, 21_c);
constexpr auto wide_filt = coil::input<"w", float>(40_c, 5_c, 3_c, 3_c);
constexpr auto wide_bias = coil::input<"b", float>(40_c);
constexpr auto wide = coil::conv2d<coil::conv2d_args{.stride = {1, 2}, .padding = {2, 1}}>(wide_img, wide_filt, wide_bias);
constexpr auto seq_in = coil::input<"x", float>(B, 4_c, 40_c);
constexpr auto seq_filt = coil::input<"w", float>(8_c, 4_c, 5_c);
constexpr auto seq_bias = coil::input<"b", float>(8_c);
constexpr auto conv1 = coil::conv1d<coil::conv1d_args{.stride = 2, .padding = 2, .dilation = 2}>(seq_in, seq_filt, seq_bias);
constexpr auto img64 = coil::input<"x", double>(B, 4_c, 8_c, 9_c);
constexpr auto filt64 = coil::input<"w", double>(8_c, 4_c, 3_c, 3_c);
constexpr auto conv64 = coil::conv2d<coil::conv2d_args{.padding = {1, 1}}>(img64, filt64);
constexpr auto pimg = coil::input<"x", float>(B, 4_c, 15_c, 16_c);
constexpr auto max_pool = coil::max_pool2d<coil::pool2d_args{.kernel = {3, 3}, .stride = {2, 2}, .padding = {1, 1}}>(pimg);
constexpr auto avg_pool = coil::avg_pool2d<2>(pimg);

constexpr auto seq = coil::input<"x", float>(B, 3_c, 40_c);
constexpr auto pad_constant = coil::pad<1, 2, 0, 1>(seq, -1.5_c);
constexpr auto small = coil::input<"x", float>(B, 2_c, 4_c, 5_c);
constexpr auto pad_reflect = coil::pad<coil::pad_mode::reflect, 2, 1, 1, 2>(small);

constexpr auto S = coil::sym<"S">;
constexpr auto q = coil::input<"q", float>(B, 4_c, S, 16_c);
constexpr auto k = coil::input<"k", float>(B, 4_c, S, 16_c);
constexpr auto v = coil::input<"v", float>(B, 4_c, S, 16_c);
constexpr auto sdpa_causal = coil::scaled_dot_product_attention<coil::causal>(q, k, v);

constexpr auto L = coil::sym<"L">;
constexpr auto rows = coil::input<"x", float>(4_c, L);
constexpr auto running = coil::cumsum(rows, 1_c);

constexpr auto hx = coil::input<"x", float>(B, S, 16_c);
constexpr auto cos_t = coil::input<"c", float>(S, 8_c);
constexpr auto sin_t = coil::input<"s", float>(S, 8_c);
constexpr auto rope_tables = coil::apply_rotary_emb(hx, cos_t, sin_t);
constexpr auto angles = coil::rope_angles<16>(coil::arange(S), 10000.0_c); // float64 [S, 8]
constexpr auto rope_computed = coil::apply_rotary_emb(hx, coil::cast<float>(coil::cos(angles)), coil::cast<float>(coil::sin(angles)));

struct embed_gpu : coil::keyed_model<embed_gpu, coil::cuda, decltype(embed)> {};
struct conv_gpu : coil::keyed_model<conv_gpu, coil::cuda, decltype(conv)> {};
struct depthwise_gpu : coil::keyed_model<depthwise_gpu, coil::cuda, decltype(depthwise)> {};
struct grouped_gpu : coil::keyed_model<grouped_gpu, coil::cuda, decltype(grouped)> {};
struct conv16_gpu : coil::keyed_model<conv16_gpu, coil::cuda, decltype(conv16)> {};
struct conv16_direct_gpu : coil::keyed_model<conv16_direct_gpu, coil::cuda, decltype(conv16_direct)> {};
struct depthwise_im2col_gpu : coil::keyed_model<depthwise_im2col_gpu, coil::cuda, decltype(depthwise_im2col)> {};
struct conv16_im2col_gpu : coil::keyed_model<conv16_im2col_gpu, coil::cuda, decltype(conv16_im2col)> {};
struct depthwise_igemm_gpu : coil::keyed_model<depthwise_igemm_gpu, coil::cuda, decltype(depthwise_igemm)> {};
struct wide_gpu : coil::keyed_model<wide_gpu, coil::cuda, decltype(wide)> {};
struct conv1_gpu : coil::keyed_model<conv1_gpu, coil::cuda, decltype(conv1)> {};
struct conv64_gpu : coil::keyed_model<conv64_gpu, coil::cuda, decltype(conv64)> {};
static_assert(conv16_direct_gpu::plan.kind[0] == coil::kernel_kind::reduction &&
              depthwise_im2col_gpu::plan.kind[2] == coil::kernel_kind::matmul &&
              conv16_im2col_gpu::plan.kind[2] == coil::kernel_kind::matmul);
// conv16_im2col's last kernel adds the bias to the GEMM's [B, 1, 8, 128] read as
// [B, 8, 8, 16]: the merge of (8, 16) into 128 keeps its load moving by one per lane, a
// 16-byte lane load
static_assert(coil::cuda_kernel::lane_plan_v<conv16_im2col_gpu, conv16_im2col_gpu::graph::outputs[0]>.any);
// A conv worth a GEMM is one implicit-GEMM kernel, the bias added in it; depthwise sums
// directly unless asked for the GEMM.
template <class M> constexpr bool one_implicit_gemm = M::plan.kernel_count == 1 && M::plan.kind[0] == coil::kernel_kind::custom;
static_assert(one_implicit_gemm<conv_gpu> && one_implicit_gemm<grouped_gpu> && one_implicit_gemm<conv16_gpu> &&
              one_implicit_gemm<wide_gpu> && one_implicit_gemm<conv1_gpu> && one_implicit_gemm<conv64_gpu> &&
              one_implicit_gemm<depthwise_igemm_gpu>);
static_assert(depthwise_gpu::plan.kind[0] == coil::kernel_kind::reduction);
struct max_pool_gpu : coil::keyed_model<max_pool_gpu, coil::cuda, decltype(max_pool)> {};
struct avg_pool_gpu : coil::keyed_model<avg_pool_gpu, coil::cuda, decltype(avg_pool)> {};
struct pad_constant_gpu : coil::keyed_model<pad_constant_gpu, coil::cuda, decltype(pad_constant)> {};
struct pad_reflect_gpu : coil::keyed_model<pad_reflect_gpu, coil::cuda, decltype(pad_reflect)> {};
struct sdpa_gpu : coil::keyed_model<sdpa_gpu, coil::cuda, decltype(sdpa_causal)> {};
struct cumsum_gpu : coil::keyed_model<cumsum_gpu, coil::cuda, decltype(running)> {};
struct rope_tables_gpu : coil::keyed_model<rope_tables_gpu, coil::cuda, decltype(rope_tables)> {};
struct rope_angles_gpu : coil::keyed_model<rope_angles_gpu, coil::cuda, decltype(rope_computed)> {};
} // namespace cases

namespace {
bool have_device() { return coil::testing::have_cuda_device("cuda_ops_cuda"); }

// The device's embedding of `ids` equals the reference's of `rows` (the ids it reads).
// (A template: nvcc's host code generation trips over these types spelled in a test body.)
template <class Ids, class W, class Rows> void expect_embedding_reads(const Ids& ids, const W& w, const Rows& rows) {
  auto want = coil::compile<coil::reference>(cases::embed)(rows.host_arg(), w.host_arg());
  coil::device_buffer<float> out(want.size());
  cases::embed_gpu m;
  const coil::status st = m.run(ids.device_arg(), w.device_arg(), coil::out(coil::tensor_view<float, 3>{out.data(), want.extents, coil::row_major_strides<3>(want.extents)}));
  REQUIRE_MESSAGE(st.ok(), st.message());
  coil::cuda_check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  coil::tensor<float, 3> got(want.extents);
  coil::copy_to_host(got.data(), out.data(), got.size());
  coil::testing::expect_tensors_close(got, want, 0.0, 0.0);
}
} // namespace

TEST_CASE("cuda ops: embedding gathers the rows the ids name") {
  if (!have_device()) return;
  for (std::int64_t batch : {1, 5}) {
    CAPTURE(batch);
    device_input<"ids", std::int64_t, 2> i({batch, 7}, 1, 0, 49);
    device_input<"w", float, 2> w({50, 32}, 2);
    expect_device_matches_reference<cases::embed_gpu>(0.0, cases::embed, i, w);
  }
}

TEST_CASE("cuda ops: an id out of range reads the nearest row on the device") {
  // The host checks gather indices only where it can read them (host targets); a device
  // kernel clamps each index into [0, rows) so nothing reads out of bounds.
  if (!have_device()) return;
  device_input<"ids", std::int64_t, 2> i({2, 7}, 3, 0, 49);
  i.host(0, 1) = -3;
  i.host(1, 6) = 77;
  i.host(1, 2) = std::numeric_limits<std::int64_t>::max();
  i.upload();
  device_input<"w", float, 2> w({50, 32}, 4);
  device_input<"ids", std::int64_t, 2> clamped({2, 7}, 3, 0, 49);
  clamped.host(0, 1) = 0;
  clamped.host(1, 6) = 49;
  clamped.host(1, 2) = 49;
  expect_embedding_reads(i, w, clamped);
}

TEST_CASE("cuda ops: conv2d (strided, padded, dilated, grouped, depthwise) and pooling over window views") {
  if (!have_device()) return;
  for (std::int64_t batch : {1, 3}) {
    CAPTURE(batch);
    // sums of 18 (conv, grouped) and 9 (depthwise) fp32 products of size up to 4: atol 1e-5
    device_input<"x", float, 4> x({batch, 3, 12, 13}, 5);
    device_input<"w", float, 4> w({4, 3, 3, 2}, 6);
    device_input<"b", float, 1> b({4}, 7);
    expect_device_matches_reference<cases::conv_gpu>(1e-5, cases::conv, x, w, b);
    device_input<"x", float, 4> xd({batch, 4, 9, 9}, 8);
    device_input<"w", float, 4> wd({8, 1, 3, 3}, 9);
    expect_device_matches_reference<cases::depthwise_gpu>(1e-5, cases::depthwise, xd, wd);
    device_input<"w", float, 4> wg({8, 2, 3, 3}, 11);
    expect_device_matches_reference<cases::grouped_gpu>(1e-5, cases::grouped, xd, wg);
    device_input<"x", float, 4> x16({batch, 4, 8, 16}, 12);
    device_input<"w", float, 4> w16({8, 4, 3, 3}, 13);
    device_input<"b", float, 1> b16({8}, 14);
    expect_device_matches_reference<cases::conv16_gpu>(1e-5, cases::conv16, x16, w16, b16); // sums of 36
    expect_device_matches_reference<cases::conv16_direct_gpu>(1e-5, cases::conv16_direct, x16, w16, b16);
    expect_device_matches_reference<cases::depthwise_im2col_gpu>(1e-5, cases::depthwise_im2col, xd, wd);
    expect_device_matches_reference<cases::conv16_im2col_gpu>(1e-5, cases::conv16_im2col, x16, w16, b16);
    expect_device_matches_reference<cases::depthwise_igemm_gpu>(1e-5, cases::depthwise_igemm, xd, wd);
    device_input<"x", float, 4> xw({batch, 5, 20, 21}, 15);
    device_input<"w", float, 4> ww({40, 5, 3, 3}, 16);
    device_input<"b", float, 1> bw({40}, 17);
    expect_device_matches_reference<cases::wide_gpu>(1e-5, cases::wide, xw, ww, bw); // sums of 45
    device_input<"x", float, 3> xs({batch, 4, 40}, 18);
    device_input<"w", float, 3> ws({8, 4, 5}, 19);
    device_input<"b", float, 1> bs({8}, 20);
    expect_device_matches_reference<cases::conv1_gpu>(1e-5, cases::conv1, xs, ws, bs);
    device_input<"x", double, 4> x64({batch, 4, 8, 9}, 21);
    device_input<"w", double, 4> w64({8, 4, 3, 3}, 22);
    expect_device_matches_reference<cases::conv64_gpu>(1e-12, cases::conv64, x64, w64);
    device_input<"x", float, 4> xp({batch, 4, 15, 16}, 10);
    xp.host(0, 1, 4, 5) = std::numeric_limits<float>::quiet_NaN(); // propagates through max
    xp.upload();
    expect_device_matches_reference<cases::max_pool_gpu>(0.0, cases::max_pool, xp);
    expect_device_matches_reference<cases::avg_pool_gpu>(1e-6, cases::avg_pool, xp);
  }
}

TEST_CASE("cuda ops: constant and reflect pad") {
  if (!have_device()) return;
  for (std::int64_t batch : {1, 4}) {
    CAPTURE(batch);
    device_input<"x", float, 3> x({batch, 3, 40}, 11);
    expect_device_matches_reference<cases::pad_constant_gpu>(0.0, cases::pad_constant, x);
    device_input<"x", float, 4> y({batch, 2, 4, 5}, 12);
    expect_device_matches_reference<cases::pad_reflect_gpu>(0.0, cases::pad_reflect, y);
  }
}

TEST_CASE("cuda ops: causal scaled_dot_product_attention") {
  if (!have_device()) return;
  for (std::int64_t len : {1, 33}) {
    CAPTURE(len);
    // q.k^T over E = 16 products up to 4 in fp32 GEMMs, then softmax weights times v:
    // absolute errors of a few 1e-6 against the reference's doubles
    device_input<"q", float, 4> q({2, 4, len, 16}, 13);
    device_input<"k", float, 4> k({2, 4, len, 16}, 14);
    device_input<"v", float, 4> v({2, 4, len, 16}, 15);
    expect_device_matches_reference<cases::sdpa_gpu>(2e-5, cases::sdpa_causal, q, k, v);
  }
}

TEST_CASE("cuda ops: cumsum along a symbolic axis") {
  if (!have_device()) return;
  for (std::int64_t len : {1, 9, 200}) {
    CAPTURE(len);
    // the scan sums in double and rounds each output once, as the reference does
    device_input<"x", float, 2> x({4, len}, 16);
    expect_device_matches_reference<cases::cumsum_gpu>(1e-6, cases::running, x);
  }
}

TEST_CASE("cuda ops: rotary embeddings from tables and from angles computed on the device") {
  if (!have_device()) return;
  for (std::int64_t len : {1, 20}) {
    CAPTURE(len);
    device_input<"x", float, 3> x({3, len, 16}, 17);
    device_input<"c", float, 2> c({len, 8}, 18);
    device_input<"s", float, 2> s({len, 8}, 19);
    expect_device_matches_reference<cases::rope_tables_gpu>(1e-6, cases::rope_tables, x, c, s);
    // cos/sin of float64 angles, rounded to fp32: rtol 1e-5 and atol 1e-6 cover it
    expect_device_matches_reference<cases::rope_angles_gpu>(1e-6, cases::rope_computed, x);
  }
}
