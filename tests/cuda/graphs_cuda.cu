// CUDA graphs (device_state::use_graphs): a model call recorded once and replayed gives
// the reference's results and the eager path's; new data behind the same pointers is
// read on replay; a new batch size, new pointers or a new stream record again or replay
// on that stream; a failed guard records and writes nothing; graphs off runs eagerly
// again. The MLP (W6's shape, cuBLAS GEMMs inside the graph), softmax rows long enough
// to opt in to more shared memory, and a conv2d (a CUDA custom kernel, the implicit GEMM,
// launched on the capture stream). Skips cleanly without a GPU.
#include <doctest/doctest.h>

#include <cuda_runtime.h>

#include <cstdint>
#include <string>
#include <vector>

#include <coil.hpp>

#include "cuda/device_check.hpp"
#include "support/cuda_device.hpp"

using namespace coil::literals;
using coil::testing::device_input;

namespace cases {
constexpr auto B = coil::sym<"B">;
constexpr auto x = coil::input<"x", float>(B, 784_c);
constexpr auto V1 = coil::input<"V1", float>(784_c, 128_c);
constexpr auto c1 = coil::input<"c1", float>(128_c);
constexpr auto V2 = coil::input<"V2", float>(128_c, 10_c);
constexpr auto c2 = coil::input<"c2", float>(10_c);
constexpr auto mlp = coil::log_softmax<-1>(coil::matmul(coil::relu(coil::matmul(x, V1) + c1), V2) + c2); // [B, 10]

constexpr auto C = coil::sym<"C">;
constexpr auto xc = coil::input<"x", float>(B, C);
constexpr auto softmax_any = coil::softmax<-1>(xc);

constexpr auto img = coil::input<"x", float>(B, 8_c, 16_c, 16_c);
constexpr auto filt = coil::input<"w", float>(16_c, 8_c, 3_c, 3_c);
constexpr auto fbias = coil::input<"b", float>(16_c);
constexpr auto conv_relu = coil::relu(coil::conv2d<coil::conv2d_args{.padding = {1, 1}}>(img, filt, fbias));

struct mlp_gpu : coil::keyed_model<mlp_gpu, coil::cuda, decltype(mlp)> {};
struct softmax_gpu : coil::keyed_model<softmax_gpu, coil::cuda, decltype(softmax_any)> {};
struct conv_relu_gpu : coil::keyed_model<conv_relu_gpu, coil::cuda, decltype(conv_relu)> {};
// the conv is the custom kernel, relu a pointwise kernel after it
static_assert(conv_relu_gpu::plan.kernel_count == 2 && conv_relu_gpu::plan.kind[0] == coil::kernel_kind::custom);
} // namespace cases

namespace {

bool have_device() { return coil::testing::have_cuda_device("cuda_graphs_cuda"); }

// W6's weights; the input and output of one batch size.
struct mlp_io {
  device_input<"V1", float, 2> V1{{784, 128}, 2};
  device_input<"c1", float, 1> c1{{128}, 3};
  device_input<"V2", float, 2> V2{{128, 10}, 4};
  device_input<"c2", float, 1> c2{{10}, 5};
};

// fp32 GEMMs over k = 784 products of size up to 4 against the reference's doubles: an
// absolute error of about sqrt(k) * 2^-24 * 4 per logit (as in model_cuda.cu's MLP)
constexpr double mlp_atol = 1e-4;

// (X: a device_input of "x"; a parameter spelled device_input<"x", ...> trips nvcc's host
// code generation, as model_cuda.cu notes.)
template <class X> coil::tensor<float, 2> mlp_reference(const X& x, const mlp_io& w) {
  return coil::compile<coil::reference>(cases::mlp)(x.host_arg(), w.V1.host_arg(), w.c1.host_arg(), w.V2.host_arg(), w.c2.host_arg());
}

template <class X> coil::status run_mlp(cases::mlp_gpu& m, const X& x, const mlp_io& w, float* out) {
  const std::int64_t batch = x.host.extents[0];
  return m.run(x.device_arg(), w.V1.device_arg(), w.c1.device_arg(), w.V2.device_arg(), w.c2.device_arg(),
               coil::out(coil::tensor_view<float, 2>{out, {batch, 10}, {10, 1}}));
}

// (X, W, Bi: device_inputs of "x", "w" and "b", as mlp_reference's.)
template <class X, class W, class Bi>
void expect_conv_matches_reference(cases::conv_relu_gpu& m, const X& x, const W& w, const Bi& b, float* out) {
  const auto want = coil::compile<coil::reference>(cases::conv_relu)(x.host_arg(), w.host_arg(), b.host_arg());
  const coil::status st = m.run(x.device_arg(), w.device_arg(), b.device_arg(),
                                coil::out(coil::tensor_view<float, 4>{out, want.extents, coil::row_major_strides<4>(want.extents)}));
  REQUIRE_MESSAGE(st.ok(), st.message());
  coil::cuda_check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  coil::tensor<float, 4> got(want.extents);
  coil::copy_to_host(got.data(), out, got.size());
  coil::testing::expect_tensors_close(got, want, coil::testing::default_rtol<float>(), 1e-5); // sums of 72 products
}

coil::tensor<float, 2> fetch(const float* out, std::int64_t batch, cudaStream_t stream = nullptr) {
  coil::cuda_check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
  coil::tensor<float, 2> got({batch, 10});
  coil::copy_to_host(got.data(), out, got.size());
  return got;
}

} // namespace

TEST_CASE("cuda graphs: a recorded MLP call replays with the eager path's results") {
  if (!have_device()) return;
  mlp_io w;
  device_input<"x", float, 2> x({1, 784}, 1);
  coil::device_buffer<float> eager_out(10), graph_out(10);
  cases::mlp_gpu eager, graphed;
  graphed.device().use_graphs(true);
  CHECK(graphed.device().graphs());
  REQUIRE(run_mlp(eager, x, w, eager_out.data()).ok());
  const auto want = mlp_reference(x, w);
  const auto eager_got = fetch(eager_out.data(), 1);
  for (int call = 0; call < 3; ++call) {
    CAPTURE(call);
    const coil::status st = run_mlp(graphed, x, w, graph_out.data());
    REQUIRE_MESSAGE(st.ok(), st.message());
    const auto got = fetch(graph_out.data(), 1);
    coil::testing::expect_tensors_close(got, want, coil::testing::default_rtol<float>(), mlp_atol);
    // cuBLAS may pick another algorithm with the graph's workspace: equal to rounding
    coil::testing::expect_tensors_close(got, eager_got, 1e-5, 1e-6);
  }
  CHECK(graphed.device().graph_captures() == 1);
  CHECK(eager.device().graph_captures() == 0);
}

TEST_CASE("cuda graphs: new data behind the same pointers is read on replay") {
  if (!have_device()) return;
  mlp_io w;
  device_input<"x", float, 2> x({4, 784}, 6);
  coil::device_buffer<float> out(40);
  cases::mlp_gpu m;
  m.device().use_graphs(true);
  REQUIRE(run_mlp(m, x, w, out.data()).ok());
  coil::testing::expect_tensors_close(fetch(out.data(), 4), mlp_reference(x, w), coil::testing::default_rtol<float>(), mlp_atol);
  for (std::uint32_t seed : {7u, 8u}) {
    const auto v = coil::testing::random_values<float>(x.host.size(), seed);
    std::copy(v.begin(), v.end(), x.host.data());
    x.upload();
    w.c2.host(3) = static_cast<float>(seed); // a weight changes too
    w.c2.upload();
    REQUIRE(run_mlp(m, x, w, out.data()).ok());
    coil::testing::expect_tensors_close(fetch(out.data(), 4), mlp_reference(x, w), coil::testing::default_rtol<float>(), mlp_atol);
  }
  CHECK(m.device().graph_captures() == 1);
}

TEST_CASE("cuda graphs: a new batch size, new pointers or a lent workspace record again") {
  if (!have_device()) return;
  mlp_io w;
  cases::mlp_gpu m;
  m.device().use_graphs(true);
  device_input<"x", float, 2> x1({1, 784}, 9), x5({5, 784}, 10);
  coil::device_buffer<float> out_a(50), out_b(50);
  std::int64_t expected = 0;
  auto step = [&](const auto& x, float* out, bool records) {
    const coil::status st = run_mlp(m, x, w, out);
    REQUIRE_MESSAGE(st.ok(), st.message());
    if (records) ++expected;
    CHECK(m.device().graph_captures() == expected);
    coil::testing::expect_tensors_close(fetch(out, x.host.extents[0]), mlp_reference(x, w), coil::testing::default_rtol<float>(), mlp_atol);
  };
  step(x1, out_a.data(), true);
  step(x1, out_a.data(), false);
  step(x5, out_a.data(), true);  // batch 5: new extents
  step(x5, out_a.data(), false);
  step(x5, out_b.data(), true);  // another output pointer
  step(x1, out_b.data(), true);  // one graph is kept: going back records again
  step(x1, out_b.data(), false);

  // a workspace lent by the caller moves the intermediates: their pointers are part of the key
  const std::int64_t bytes = m.workspace_bytes(x1.device_arg(), w.V1.device_arg(), w.c1.device_arg(), w.V2.device_arg(), w.c2.device_arg());
  REQUIRE(bytes > 0);
  coil::device_buffer<std::byte> lent(bytes);
  const coil::status st = m.run(x1.device_arg(), w.V1.device_arg(), w.c1.device_arg(), w.V2.device_arg(), w.c2.device_arg(),
                                coil::workspace(lent.data(), static_cast<std::size_t>(bytes)), coil::out(coil::tensor_view<float, 2>{out_b.data(), {1, 10}, {10, 1}}));
  REQUIRE_MESSAGE(st.ok(), st.message());
  CHECK(m.device().graph_captures() == ++expected);
  coil::testing::expect_tensors_close(fetch(out_b.data(), 1), mlp_reference(x1, w), coil::testing::default_rtol<float>(), mlp_atol);

  // graphs off: eager launches, nothing recorded
  m.device().use_graphs(false);
  step(x5, out_a.data(), false);
}

TEST_CASE("cuda graphs: replay on the model's stream, and a failed guard records nothing") {
  if (!have_device()) return;
  mlp_io w;
  device_input<"x", float, 2> x({3, 784}, 11);
  coil::device_buffer<float> out(30);
  cudaStream_t stream{};
  coil::cuda_check(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
  {
    cases::mlp_gpu m;
    m.device().use_graphs(true);
    m.device().set_stream(stream);
    for (int call = 0; call < 2; ++call) {
      REQUIRE(run_mlp(m, x, w, out.data()).ok());
      coil::testing::expect_tensors_close(fetch(out.data(), 3, stream), mlp_reference(x, w), coil::testing::default_rtol<float>(), mlp_atol);
    }
    CHECK(m.device().graph_captures() == 1);

    // c1 of the wrong length: the guard fails on the host before any replay
    std::vector<float> poison(30, 42.0f);
    coil::copy_to_device(out.data(), poison.data(), 30);
    device_input<"c1", float, 1> wrong({64}, 12);
    const coil::status st = m.run(x.device_arg(), w.V1.device_arg(), wrong.device_arg(), w.V2.device_arg(), w.c2.device_arg(),
                                  coil::out(coil::tensor_view<float, 2>{out.data(), {3, 10}, {10, 1}}));
    REQUIRE_FALSE(st.ok());
    CHECK(std::string(st.message()).find("64") != std::string::npos);
    coil::cuda_check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    std::vector<float> after(30);
    coil::copy_to_host(after.data(), out.data(), 30);
    CHECK(after == poison);
    CHECK(m.device().graph_captures() == 1);
  } // the model (and its graph) goes before the stream it replayed on
  coil::cuda_check(cudaStreamDestroy(stream), "cudaStreamDestroy");
}

TEST_CASE("cuda graphs: row kernels without cuBLAS, including rows that opt in to more shared memory") {
  if (!have_device()) return;
  for (std::int64_t cols : {128, 20000}) {
    CAPTURE(cols);
    device_input<"x", float, 2> x({3, cols}, 13);
    const auto want = coil::compile<coil::reference>(cases::softmax_any)(x.host_arg());
    coil::device_buffer<float> out(3 * cols);
    cases::softmax_gpu m;
    m.device().use_graphs(true);
    for (int call = 0; call < 2; ++call) {
      const coil::status st = m.run(x.device_arg(), coil::out(coil::tensor_view<float, 2>{out.data(), {3, cols}, {cols, 1}}));
      REQUIRE_MESSAGE(st.ok(), st.message());
      coil::cuda_check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
      coil::tensor<float, 2> got({3, cols});
      coil::copy_to_host(got.data(), out.data(), got.size());
      coil::testing::expect_tensors_close(got, want, coil::testing::default_rtol<float>(), 1e-6);
    }
    CHECK(m.device().graph_captures() == 1);
  }
}

TEST_CASE("cuda graphs: a CUDA custom kernel (the implicit-GEMM conv2d) records and replays") {
  if (!have_device()) return;
  device_input<"x", float, 4> x({2, 8, 16, 16}, 14);
  device_input<"w", float, 4> w({16, 8, 3, 3}, 15);
  device_input<"b", float, 1> b({16}, 16);
  coil::device_buffer<float> out(2 * 16 * 16 * 16);
  cases::conv_relu_gpu m;
  m.device().use_graphs(true);
  for (std::uint32_t seed : {17u, 18u, 19u}) { // recorded on the first call, replayed on new data
    CAPTURE(seed);
    expect_conv_matches_reference(m, x, w, b, out.data());
    const auto v = coil::testing::random_values<float>(x.host.size(), seed);
    std::copy(v.begin(), v.end(), x.host.data());
    x.upload();
  }
  CHECK(m.device().graph_captures() == 1);
}
