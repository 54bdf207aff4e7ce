// The shared evaluator (backends/eval.hpp) instantiated by nvcc inside __global__ kernels:
// a fused pointwise expression planned for coil::cpu is evaluated on the device through
// coil::kernel::eval<Model, root, root> and compared with the CPU model's own result.
// Compiling this file checks that the core headers are device-clean; running it without a
// GPU skips the device part.
#include <doctest/doctest.h>

#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <coil.hpp>

#include "support/cuda_device.hpp"

using namespace coil::literals;

namespace {

constexpr auto B = coil::sym<"B">;
constexpr auto x = coil::input<"x", float>(B, 8_c);
constexpr auto a = coil::input<"a", float>(8_c);
constexpr auto b = coil::input<"b", float>(1_c);
constexpr auto k = coil::input<"k", std::int32_t>(B, 1_c);

// relu(x * a + b): a broadcasts along the rows, b everywhere. One fused kernel.
constexpr auto fused = coil::relu(x * a + b);
// Views, transcendentals, int -> float promotion, a comparison and where, all inlined.
constexpr auto fancy = coil::where(coil::transpose<0, 1>(x) > 0.25_c,
                                   coil::sigmoid(coil::transpose<0, 1>(x)) * 2_c,
                                   coil::tanh(coil::transpose<0, 1>(x) - coil::permute<1, 0>(k)));

// The kernel's template argument is a named, non-template class deriving from the model
// type (its `graph` and `plan` are what eval reads): nvcc 13 spells a kernel template's
// arguments out in the host stub it generates, and it spells a class-type template
// argument such as coil::fixed_string<2>{"x"} (inside input_op<"x", ...>) as
// `fixed_string<2ul>{char [2]{...}}`, which the host compiler rejects.
struct fused_model : decltype(coil::compile<coil::cpu>(fused)) {};
struct fancy_model : decltype(coil::compile<coil::cpu>(fancy)) {};

template <class M> constexpr int root_of = M::graph::outputs[0];

// The planner must have fused each expression into the one kernel that writes its output:
// that is what makes evaluating the root on the device the whole computation.
static_assert(fused_model::plan.kernel_count == 1 && fused_model::plan.kernel_root[0] == root_of<fused_model>);
static_assert(fancy_model::plan.kernel_count == 1 && fancy_model::plan.kernel_root[0] == root_of<fancy_model>);
static_assert(fused_model::plan.buffer_count == 0 && fancy_model::plan.buffer_count == 0);

// One thread per output element; the output is written row-major.
template <class Model, int Root, int N, class T>
__global__ void eval_kernel(coil::exec_state<N> s, T* out, std::int64_t n) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n) return;
  constexpr int rank = coil::kernel::record_v<Model, Root>.shp.rank;
  coil::index_t ix{};
  std::int64_t rest = i;
  for (int d = rank - 1; d >= 0; --d) {
    ix.v[d] = rest % s.ext[Root][d];
    rest /= s.ext[Root][d];
  }
  out[i] = coil::kernel::eval<Model, Root, Root>(s, ix);
}

bool have_device() { return coil::testing::have_cuda_device("cuda_device_eval"); }

#define CUDA_REQUIRE(call)                                                                          \
  do {                                                                                              \
    const cudaError_t err_ = (call);                                                                \
    REQUIRE_MESSAGE(err_ == cudaSuccess, #call ": " << std::string(cudaGetErrorString(err_)));     \
  } while (0)

// A host buffer copied to the device, freed at scope exit.
struct device_buffer {
  void* ptr = nullptr;
  device_buffer(const void* host, std::size_t bytes) {
    CUDA_REQUIRE(cudaMalloc(&ptr, bytes == 0 ? 1 : bytes));
    if (host != nullptr && bytes != 0) CUDA_REQUIRE(cudaMemcpy(ptr, host, bytes, cudaMemcpyHostToDevice));
  }
  ~device_buffer() { cudaFree(ptr); }
  device_buffer(const device_buffer&) = delete;
  device_buffer& operator=(const device_buffer&) = delete;
};

// The state the CPU runtime would build: every node's extents under the bound symbols,
// and device pointers plus row-major strides for the inputs.
template <class Model> struct device_state {
  using G = typename Model::graph;
  coil::exec_state<G::size> s{};
  coil::sym_env env{};

  explicit device_state(std::int64_t batch) {
    env.bind(coil::name16("B"), batch);
    for (int i = 0; i < G::size; ++i)
      for (int d = 0; d < G::records[i].shp.rank; ++d) s.ext[i][d] = coil::eval(G::records[i].shp.d[d], env);
  }
  void set_input(const char* name, const void* device_ptr) {
    const int i = G::index_of_input(name);
    REQUIRE(i >= 0);
    s.data[i] = device_ptr;
    std::int64_t acc = 1;
    for (int d = G::records[i].shp.rank - 1; d >= 0; --d) {
      s.str[i][d] = acc;
      acc *= s.ext[i][d];
    }
  }
  std::int64_t root_count() const {
    constexpr int r = root_of<Model>;
    std::int64_t n = 1;
    for (int d = 0; d < G::records[r].shp.rank; ++d) n *= s.ext[r][d];
    return n;
  }
};

template <class Model, class T> std::vector<T> run_on_device(const device_state<Model>& st) {
  constexpr int root = root_of<Model>;
  const std::int64_t n = st.root_count();
  device_buffer out(nullptr, static_cast<std::size_t>(n) * sizeof(T));
  const int threads = 128;
  const int blocks = static_cast<int>((n + threads - 1) / threads);
  eval_kernel<Model, root><<<blocks, threads>>>(st.s, static_cast<T*>(out.ptr), n);
  CUDA_REQUIRE(cudaGetLastError());
  CUDA_REQUIRE(cudaDeviceSynchronize());
  std::vector<T> host(static_cast<std::size_t>(n));
  CUDA_REQUIRE(cudaMemcpy(host.data(), out.ptr, host.size() * sizeof(T), cudaMemcpyDeviceToHost));
  return host;
}

template <class T> void expect_close(const std::vector<T>& got, const T* want, std::size_t n) {
  REQUIRE(got.size() == n);
  int bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double g = got[i], w = want[i];
    if (!(std::fabs(g - w) <= 1e-6 + 1e-5 * std::fabs(w))) {
      if (bad++ < 5) FAIL_CHECK("element " << i << ": device " << g << ", cpu " << w);
    }
  }
  CHECK(bad == 0);
}

std::vector<float> values(std::size_t n, float scale, float shift) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = scale * static_cast<float>((i * 37) % 17) - shift;
  return v;
}

} // namespace

TEST_CASE("device eval: relu(x * a + b) fused, inside a __global__ kernel") {
  if (!have_device()) return;
  const std::int64_t batch = 37; // not a multiple of the block size
  const auto xs = values(static_cast<std::size_t>(batch * 8), 0.25f, 2.0f);
  const auto as = values(8, -0.5f, 1.0f);
  const float bs[1] = {0.125f};

  auto cpu = coil::compile<coil::cpu>(fused);
  const auto want = cpu(coil::arg<"x">(xs.data(), batch, 8), coil::arg<"a">(as.data(), 8), coil::arg<"b">(bs, 1));

  device_buffer dx(xs.data(), xs.size() * sizeof(float)), da(as.data(), as.size() * sizeof(float)),
      db(bs, sizeof(bs));
  device_state<fused_model> st(batch);
  st.set_input("x", dx.ptr);
  st.set_input("a", da.ptr);
  st.set_input("b", db.ptr);
  const auto got = run_on_device<fused_model, float>(st);
  expect_close(got, want.data(), static_cast<std::size_t>(want.size()));
}

TEST_CASE("device eval: views, where, transcendentals and promotion, inside a __global__ kernel") {
  if (!have_device()) return;
  const std::int64_t batch = 5;
  const auto xs = values(static_cast<std::size_t>(batch * 8), 0.125f, 1.0f);
  std::vector<std::int32_t> ks(static_cast<std::size_t>(batch));
  for (std::size_t i = 0; i < ks.size(); ++i) ks[i] = static_cast<std::int32_t>(i) - 2;

  auto cpu = coil::compile<coil::cpu>(fancy);
  const auto want = cpu(coil::arg<"x">(xs.data(), batch, 8), coil::arg<"k">(ks.data(), batch, 1));
  REQUIRE(want.extents[0] == 8);
  REQUIRE(want.extents[1] == batch);

  device_buffer dx(xs.data(), xs.size() * sizeof(float)), dk(ks.data(), ks.size() * sizeof(std::int32_t));
  device_state<fancy_model> st(batch);
  st.set_input("x", dx.ptr);
  st.set_input("k", dk.ptr);
  const auto got = run_on_device<fancy_model, float>(st);
  expect_close(got, want.data(), static_cast<std::size_t>(want.size()));
}
