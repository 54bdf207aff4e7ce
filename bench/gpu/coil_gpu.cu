// coil's side of the GPU benchmark (bench/gpu/run): each workload compiled for coil::cuda,
// timed with CUDA events, printed as one JSON row per workload on stdout.
// Build: nvcc -std=c++20 --expt-relaxed-constexpr -O3 -arch=sm_90 -I include ... -lcublas
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <coil.hpp>

using namespace coil::literals;

namespace w {
constexpr auto R = coil::sym<"R">;
constexpr auto x = coil::input<"x", float>(R, 1024_c);
constexpr auto a = coil::input<"a", float>(1024_c);
constexpr auto b = coil::input<"b", float>(1024_c);
constexpr auto x128 = coil::input<"x", float>(R, 128_c);
constexpr auto w0_affine = x * a + b; // W1 without the erf: how close a light kernel gets to the copy bandwidth
constexpr auto w1_gelu = coil::gelu(x * a + b);
constexpr auto w2_softmax = coil::softmax<-1>(x);
constexpr auto full_sum = coil::sum(x); // few outputs over many inputs: the two-stage reduction
constexpr auto w2_small = coil::softmax<-1>(x128);
constexpr auto w3_layer_norm = coil::layer_norm(x, 1024_c, a, b);

constexpr auto C = coil::sym<"C">;
constexpr auto transposed_add = coil::input<"x", float>(R, C) + coil::permute<1, 0>(coil::input<"t", float>(C, R)); // shared-memory tiles

constexpr auto x768 = coil::input<"x", float>(512_c, 768_c);
constexpr auto W1 = coil::input<"W1", float>(768_c, 3072_c);
constexpr auto b1 = coil::input<"b1", float>(3072_c);
constexpr auto W2 = coil::input<"W2", float>(3072_c, 768_c);
constexpr auto b2 = coil::input<"b2", float>(768_c);
constexpr auto w4_mlp = coil::matmul(coil::gelu(coil::matmul(x768, W1) + b1), W2) + b2;

constexpr auto x784 = coil::input<"x", float>(1_c, 784_c);
constexpr auto V1 = coil::input<"V1", float>(784_c, 128_c);
constexpr auto c1 = coil::input<"c1", float>(128_c);
constexpr auto V2 = coil::input<"V2", float>(128_c, 10_c);
constexpr auto c2 = coil::input<"c2", float>(10_c);
constexpr auto w6_mlp = coil::log_softmax<-1>(coil::matmul(coil::relu(coil::matmul(x784, V1) + c1), V2) + c2);

struct w0_gpu : coil::keyed_model<w0_gpu, coil::cuda, decltype(w0_affine)> {};
struct w1_gpu : coil::keyed_model<w1_gpu, coil::cuda, decltype(w1_gelu)> {};
struct sum_gpu : coil::keyed_model<sum_gpu, coil::cuda, decltype(full_sum)> {};
struct w2_gpu : coil::keyed_model<w2_gpu, coil::cuda, decltype(w2_softmax)> {};
struct w2s_gpu : coil::keyed_model<w2s_gpu, coil::cuda, decltype(w2_small)> {};
struct w3_gpu : coil::keyed_model<w3_gpu, coil::cuda, decltype(w3_layer_norm)> {};
struct tadd_gpu : coil::keyed_model<tadd_gpu, coil::cuda, decltype(transposed_add)> {};
struct w4_gpu : coil::keyed_model<w4_gpu, coil::cuda, decltype(w4_mlp)> {};
struct w6_gpu : coil::keyed_model<w6_gpu, coil::cuda, decltype(w6_mlp)> {};

// conv2d 3x3, padding 1: im2col + cuBLAS (the columns [32, 1, 144, 4096] stored by one
// kernel, one strided batched GEMM over the images, the reshape's copy); torch runs cuDNN
// (TF32 off)
constexpr auto xc = coil::input<"x", float>(32_c, 16_c, 64_c, 64_c);
constexpr auto wc = coil::input<"w", float>(32_c, 16_c, 3_c, 3_c);
constexpr auto conv = coil::conv2d<coil::conv2d_args{.padding = {1, 1}}>(xc, wc);
struct conv_gpu : coil::keyed_model<conv_gpu, coil::cuda, decltype(conv)> {};
} // namespace w

namespace {

struct dev_array {
  coil::device_buffer<float> buf;
  explicit dev_array(std::int64_t n, unsigned seed) : buf(n) {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<float> d(-1.0f, 1.0f);
    std::vector<float> h(static_cast<std::size_t>(n));
    for (auto& v : h) v = d(gen);
    coil::copy_to_device(buf.data(), h.data(), n);
  }
  float* data() const { return buf.data(); }
};

// Median and spread (min..max) of `reps` timings of `iters` back-to-back calls, ms per call.
// COIL_BENCH_ONLY=<substring> times only the workloads whose name contains it. `impl`:
// "coil", or "coil+graph" for a model replaying its launches from a CUDA graph (beside
// torch's "compile+graph": the GPU time without the host's time per call).
template <class F> void time_it(const char* workload, double bytes, double flops, F&& call, const char* impl = "coil") {
  if (const char* only = std::getenv("COIL_BENCH_ONLY"); only && !std::strstr(workload, only)) return;
  for (int i = 0; i < 20; ++i) call(); // warm-up: arena allocation, cuBLAS handle, caches
  coil::cuda_check(cudaDeviceSynchronize(), "sync");
  cudaEvent_t start, stop;
  cudaEventCreate(&start);
  cudaEventCreate(&stop);
  const int reps = 15, iters = 50;
  std::vector<double> ms;
  for (int r = 0; r < reps; ++r) {
    cudaEventRecord(start);
    for (int i = 0; i < iters; ++i) call();
    cudaEventRecord(stop);
    cudaEventSynchronize(stop);
    float t = 0;
    cudaEventElapsedTime(&t, start, stop);
    ms.push_back(static_cast<double>(t) / iters);
  }
  coil::cuda_check(cudaGetLastError(), "benchmark");
  std::sort(ms.begin(), ms.end());
  const double med = ms[ms.size() / 2];
  std::printf("{\"workload\": \"%s\", \"impl\": \"%s\", \"median_ms\": %.6f, \"min_ms\": %.6f, \"max_ms\": %.6f, "
              "\"gbps\": %.1f, \"tflops\": %.3f, \"reps\": %d}\n",
              workload, impl, med, ms.front(), ms.back(), bytes / (med * 1e6), flops / (med * 1e9), reps);
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
}

void check(const coil::status& st) {
  if (!st) {
    std::fprintf(stderr, "%s\n", st.message());
    std::exit(1);
  }
}

} // namespace

int main() {
  const std::int64_t rows = 16384, cols = 1024;
  dev_array x(rows * cols, 1), a(cols, 2), b(cols, 3), y(rows * cols, 4);
  auto xin = coil::arg<"x">(coil::tensor_view<const float, 2>{x.data(), {rows, cols}, {cols, 1}});
  auto yout = coil::out(coil::tensor_view<float, 2>{y.data(), {rows, cols}, {cols, 1}});
  auto av = coil::arg<"a">(coil::tensor_view<const float, 1>{a.data(), {cols}, {1}});
  auto bv = coil::arg<"b">(coil::tensor_view<const float, 1>{b.data(), {cols}, {1}});
  const double rw = 2.0 * rows * cols * 4;

  // each of these as called, then from a CUDA graph (recorded on the first warm-up call)
  for (const bool graph : {false, true}) {
    const char* impl = graph ? "coil+graph" : "coil";
    w::w0_gpu m0;
    m0.device().use_graphs(graph);
    time_it("W0 x*a+b [16384,1024]", rw, 0, [&] { check(m0.run(xin, av, bv, yout)); }, impl);
    w::w1_gpu m1;
    m1.device().use_graphs(graph);
    time_it("W1 gelu(x*a+b) [16384,1024]", rw, 0, [&] { check(m1.run(xin, av, bv, yout)); }, impl);
    w::w2_gpu m2;
    m2.device().use_graphs(graph);
    time_it("W2 softmax [16384,1024]", rw, 0, [&] { check(m2.run(xin, yout)); }, impl);
    w::w3_gpu m3;
    m3.device().use_graphs(graph);
    time_it("W3 layer_norm [16384,1024]", rw, 0, [&] { check(m3.run(xin, av, bv, yout)); }, impl);
    w::sum_gpu msum;
    msum.device().use_graphs(graph);
    dev_array total(1, 17);
    time_it("sum [16384,1024]", 4.0 * rows * cols, 0,
            [&] { check(msum.run(xin, coil::out(coil::tensor_view<float, 0>{total.data(), {}, {}}))); }, impl);
  }
  {
    const std::int64_t n = 4096; // x [n, n] + t^T, t [n, n]: x and the output reuse the buffers above
    dev_array t(n * n, 11);
    w::tadd_gpu mt;
    time_it("x + t^T [4096,4096]", 3.0 * n * n * 4, 0, [&] {
      check(mt.run(coil::arg<"x">(coil::tensor_view<const float, 2>{x.data(), {n, n}, {n, 1}}),
                   coil::arg<"t">(coil::tensor_view<const float, 2>{t.data(), {n, n}, {n, 1}}),
                   coil::out(coil::tensor_view<float, 2>{y.data(), {n, n}, {n, 1}})));
    });
  }
  w::w2s_gpu m2s;
  auto xs = coil::arg<"x">(coil::tensor_view<const float, 2>{x.data(), {64, 128}, {128, 1}});
  auto ys = coil::out(coil::tensor_view<float, 2>{y.data(), {64, 128}, {128, 1}});
  time_it("W2 softmax [64,128]", 2.0 * 64 * 128 * 4, 0, [&] { check(m2s.run(xs, ys)); });

  dev_array W1(768 * 3072, 5), b1(3072, 6), W2(3072 * 768, 7), b2(768, 8), x4(512 * 768, 9), y4(512 * 768, 10);
  w::w4_gpu m4;
  time_it("W4 MLP 512x768x3072", 0, 2.0 * 2 * 512 * 768 * 3072, [&] {
    check(m4.run(coil::arg<"x">(coil::tensor_view<const float, 2>{x4.data(), {512, 768}, {768, 1}}),
                            coil::arg<"W1">(coil::tensor_view<const float, 2>{W1.data(), {768, 3072}, {3072, 1}}),
                            coil::arg<"b1">(coil::tensor_view<const float, 1>{b1.data(), {3072}, {1}}),
                            coil::arg<"W2">(coil::tensor_view<const float, 2>{W2.data(), {3072, 768}, {768, 1}}),
                            coil::arg<"b2">(coil::tensor_view<const float, 1>{b2.data(), {768}, {1}}),
                            coil::out(coil::tensor_view<float, 2>{y4.data(), {512, 768}, {768, 1}})));
  });
  dev_array V1(784 * 128, 11), c1(128, 12), V2(128 * 10, 13), c2(10, 14), x6(784, 15), y6(10, 16);
  auto w6_call = [&](w::w6_gpu& m) {
    check(m.run(coil::arg<"x">(coil::tensor_view<const float, 2>{x6.data(), {1, 784}, {784, 1}}),
                coil::arg<"V1">(coil::tensor_view<const float, 2>{V1.data(), {784, 128}, {128, 1}}),
                coil::arg<"c1">(coil::tensor_view<const float, 1>{c1.data(), {128}, {1}}),
                coil::arg<"V2">(coil::tensor_view<const float, 2>{V2.data(), {128, 10}, {10, 1}}),
                coil::arg<"c2">(coil::tensor_view<const float, 1>{c2.data(), {10}, {1}}),
                coil::out(coil::tensor_view<float, 2>{y6.data(), {1, 10}, {10, 1}})));
  };
  const double w6_flops = 2.0 * (784 * 128 + 128 * 10);
  w::w6_gpu m6;
  time_it("W6 MLP 784-128-10 batch 1", 0, w6_flops, [&] { w6_call(m6); });
  // the same calls replayed as one CUDA graph (recorded on the first warm-up call)
  w::w6_gpu m6g;
  m6g.device().use_graphs(true);
  time_it("W6 MLP 784-128-10 batch 1 (CUDA graph)", 0, w6_flops, [&] { w6_call(m6g); });
  {
    dev_array xcv(32 * 16 * 64 * 64, 18), wcv(32 * 16 * 9, 19), ycv(32 * 32 * 64 * 64, 20);
    w::conv_gpu mc;
    time_it("conv2d 3x3 [32,16,64,64] -> 32", 0, 2.0 * 32 * 32 * 64 * 64 * 16 * 9, [&] {
      check(mc.run(coil::arg<"x">(coil::tensor_view<const float, 4>{xcv.data(), {32, 16, 64, 64}, {16 * 64 * 64, 64 * 64, 64, 1}}),
                   coil::arg<"w">(coil::tensor_view<const float, 4>{wcv.data(), {32, 16, 3, 3}, {16 * 9, 9, 3, 1}}),
                   coil::out(coil::tensor_view<float, 4>{ycv.data(), {32, 32, 64, 64}, {32 * 64 * 64, 64 * 64, 64, 1}})));
    });
  }
  return 0;
}
