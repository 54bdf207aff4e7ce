// The CUDA target's runtime: the device arena, the stream and cuBLAS handles a model uses,
// the kernel launches of a plan, and host/device copy helpers. Compiled only by nvcc.
//
//   constexpr auto y = coil::softmax<-1>(x);
//   struct softmax_gpu : coil::keyed_model<softmax_gpu, coil::cuda, decltype(y)> {};
//   softmax_gpu m;
//   m.device().set_stream(stream);                       // optional; default stream otherwise
//   m.run(coil::arg<"x">(dx, rows, 1024), coil::out(coil::view(dy, rows, 1024)));  // device pointers
//   m.device().use_graphs(true);   // optional: replay each call as one CUDA graph (below)
//
// Every CUDA call is checked; a failure is a status (or coil::error from the call
// operator) in the one-line grammar: `coil::cuda: <call>: <cuda error text>`.
#pragma once
#if defined(__CUDACC__)
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "../backends/cuda/conv_igemm.hpp"
#include "../backends/cuda/kernels.hpp"
#include "../backends/cuda/register_rows.hpp"
#include "../backends/cuda/rows.hpp"
#include "../backends/cuda/tiles.hpp"
#include "../backends/exec_state.hpp"
#include "../backends/gemm_epilogue.hpp"
#include "../core/targets.hpp"
#include "../schedule/plan.hpp"
#include "cuda_lt.hpp"
#include "model.hpp"
#include "status.hpp"

namespace coil {

namespace detail {
inline status cuda_status(cudaError_t err, const char* what) {
  if (err == cudaSuccess) return {};
  return fail_status("coil::cuda: ", what, ": ", cudaGetErrorString(err));
}
inline status cublas_status(cublasStatus_t err, const char* what) {
  if (err == CUBLAS_STATUS_SUCCESS) return {};
  return fail_status("coil::cuda: ", what, ": cuBLAS status ", static_cast<int>(err));
}
} // namespace detail

// Raises a failed CUDA call as coil::error (host helpers and tests).
inline void cuda_check(cudaError_t err, const char* what) { detail::throw_if_failed(detail::cuda_status(err, what)); }

// Host <-> device copies of n elements (synchronous).
template <class T> void copy_to_device(T* device, const T* host, std::int64_t n) {
  cuda_check(cudaMemcpy(device, host, static_cast<std::size_t>(n) * sizeof(T), cudaMemcpyHostToDevice), "cudaMemcpy to device");
}
template <class T> void copy_to_host(T* host, const T* device, std::int64_t n) {
  cuda_check(cudaMemcpy(host, device, static_cast<std::size_t>(n) * sizeof(T), cudaMemcpyDeviceToHost), "cudaMemcpy to host");
}

// Device memory for n elements of T, freed with the object.
template <class T> class device_buffer {
public:
  explicit device_buffer(std::int64_t n) : n_(n) {
    if (n > 0) cuda_check(cudaMalloc(reinterpret_cast<void**>(&p_), static_cast<std::size_t>(n) * sizeof(T)), "cudaMalloc");
  }
  device_buffer(const device_buffer&) = delete;
  device_buffer& operator=(const device_buffer&) = delete;
  ~device_buffer() {
    if (p_) (void)cudaFree(p_);
  }
  T* data() const { return p_; }
  std::int64_t size() const { return n_; }

private:
  T* p_ = nullptr;
  std::int64_t n_ = 0;
};

namespace detail {

// What the launches need to know about the current device, queried once per device.
struct device_caps {
  int sms = 132;                      // multiprocessors
  int smem_optin = 48 * 1024;         // dynamic shared memory a block may opt in to
  int major = 9;                      // compute capability
};
// (A failed cudaGetDevice leaves the defaults: the launch that follows reports the error.)
inline const device_caps& current_device_caps() {
  constexpr int max_devices = 64;
  static device_caps caps[max_devices];
  static std::atomic<bool> known[max_devices] = {};
  static std::mutex filling;
  int dev = 0;
  if (cudaGetDevice(&dev) != cudaSuccess || dev < 0 || dev >= max_devices) return caps[0];
  if (!known[dev].load(std::memory_order_acquire)) {
    const std::lock_guard<std::mutex> lock(filling);
    if (known[dev].load(std::memory_order_relaxed)) return caps[dev];
    int v = 0;
    if (cudaDeviceGetAttribute(&v, cudaDevAttrMultiProcessorCount, dev) == cudaSuccess && v > 0) caps[dev].sms = v;
    if (cudaDeviceGetAttribute(&v, cudaDevAttrMaxSharedMemoryPerBlockOptin, dev) == cudaSuccess && v > 0) caps[dev].smem_optin = v;
    if (cudaDeviceGetAttribute(&v, cudaDevAttrComputeCapabilityMajor, dev) == cudaSuccess && v > 0) caps[dev].major = v;
    known[dev].store(true, std::memory_order_release);
  }
  return caps[dev];
}

// A CUDA model's device resources: one arena allocation (grown only when a call needs
// more), the stream its kernels run on, its cuBLAS and cuBLASLt handles (created on first
// use) with the GEMMs cuBLASLt prepared, and, with use_graphs(true), the CUDA graph of
// the last call.
template <> class device_state<cuda> {
public:
  static constexpr bool host_memory = false;
  device_state() = default;
  device_state(const device_state&) = delete;
  device_state& operator=(const device_state&) = delete;
  ~device_state() {
    if (exec_) (void)cudaGraphExecDestroy(exec_);
    if (capture_stream_) (void)cudaStreamDestroy(capture_stream_);
    lt_gemms_.clear();
    if (lt_) (void)cublasLtDestroy(lt_);
    if (blas_) (void)cublasDestroy(blas_);
    if (blas_workspace_) (void)cudaFree(blas_workspace_);
    if (scratch_) (void)cudaFree(scratch_);
    if (arrivals_) (void)cudaFree(arrivals_);
    if (arena_) (void)cudaFree(arena_);
  }

  status reserve(std::int64_t bytes) {
    if (bytes <= capacity_) return {};
    if (arena_) {
      (void)cudaFree(arena_);
      arena_ = nullptr;
      capacity_ = 0;
    }
    const status st = cuda_status(cudaMalloc(reinterpret_cast<void**>(&arena_), static_cast<std::size_t>(bytes + arena_alignment)),
                                  "cudaMalloc (model arena)");
    if (st) capacity_ = bytes;
    return st;
  }
  std::byte* arena() const { return arena_; }

  // Scratch for the partials of two-stage reductions, and their arrival counts (one per
  // output): grown (never shrunk) before a call's launches, since recording a graph
  // forbids allocation. The counts are zeroed once on the model's stream when allocated;
  // every reduction leaves them at 0 again.
  status reserve_scratch(std::size_t bytes, std::size_t counts) {
    if (bytes > scratch_bytes_) {
      if (scratch_) (void)cudaFree(scratch_);
      scratch_ = nullptr;
      scratch_bytes_ = 0;
      const status st = cuda_status(cudaMalloc(&scratch_, bytes), "cudaMalloc (reduction partials)");
      if (!st) return st;
      scratch_bytes_ = bytes;
    }
    if (counts > arrival_count_) {
      if (arrivals_) (void)cudaFree(arrivals_);
      arrivals_ = nullptr;
      arrival_count_ = 0;
      status st = cuda_status(cudaMalloc(&arrivals_, counts * sizeof(unsigned)), "cudaMalloc (reduction counts)");
      if (st) st = cuda_status(cudaMemsetAsync(arrivals_, 0, counts * sizeof(unsigned), stream_), "cudaMemsetAsync (reduction counts)");
      if (!st) return st;
      arrival_count_ = counts;
    }
    return {};
  }
  void* scratch() const { return scratch_; }
  unsigned* arrivals() const { return arrivals_; }

  void set_stream(cudaStream_t s) { stream_ = s; }
  cudaStream_t stream() const { return stream_; }

  // Opt in to CUDA graphs: a call records its launches (kernels and cuBLAS GEMMs) into a
  // graph once and replays it with one cudaGraphLaunch on the model's stream while the
  // call's kernel parameters stay the same: the same input, output and workspace
  // pointers, extents and strides (the data behind them may change). Any difference
  // records the call again and updates the graph in place (cudaGraphExecUpdate), or
  // instantiates a new one when the update is refused. The guards still run on the host
  // before every replay. A model with GEMMs allocates a cuBLAS workspace on its first
  // recording (32 MiB on Hopper and later, 4 MiB before: cuBLAS's recommendation), since
  // recording forbids allocation. Off by default; turning it off frees the graph.
  //   m.device().use_graphs(true);
  //   m.run(coil::arg<"x">(dx, 1, 784), coil::out(coil::view(dy, 1, 10)));  // records, launches
  //   m.run(coil::arg<"x">(dx, 1, 784), coil::out(coil::view(dy, 1, 10)));  // replays
  void use_graphs(bool on) {
    graphs_ = on;
    if (!on) drop_graph();
  }
  bool graphs() const { return graphs_; }
  // How many calls recorded a graph (the rest of the calls with graphs on replayed one).
  std::int64_t graph_captures() const { return captures_; }

  status blas(cublasHandle_t& out) {
    if (!blas_) {
      const status st = cublas_status(cublasCreate(&blas_), "cublasCreate");
      if (!st) return st;
    }
    out = blas_;
    status st = cublas_status(cublasSetStream(blas_, stream_), "cublasSetStream");
    // cublasSetStream goes back to cuBLAS's own workspace pool, which may allocate while
    // a graph is recorded: point it at ours again
    if (st && blas_workspace_)
      st = cublas_status(cublasSetWorkspace(blas_, blas_workspace_, blas_workspace_bytes_), "cublasSetWorkspace");
    return st;
  }

  // The cuBLASLt handle, the GEMM slot of kernel k (its prepared objects: cuda_lt.hpp) and
  // the workspace the GEMMs share with cuBLAS (allocated on first use here; before
  // recording a graph, which forbids allocation, by record()).
  status blas_lt(cublasLtHandle_t& out) {
    const status st = prepare_blas();
    out = lt_;
    return st;
  }
  lt_gemm& lt_slot(int k) {
    if (static_cast<std::size_t>(k) >= lt_gemms_.size()) lt_gemms_.resize(static_cast<std::size_t>(k) + 1);
    if (!lt_gemms_[static_cast<std::size_t>(k)]) lt_gemms_[static_cast<std::size_t>(k)] = std::make_unique<lt_gemm>();
    return *lt_gemms_[static_cast<std::size_t>(k)];
  }
  void* workspace() const { return blas_workspace_; }
  std::size_t workspace_bytes() const { return blas_workspace_bytes_; }
  // How many GEMMs ran with their bias (relu) epilogue inside cuBLASLt (recorded into a
  // graph counts once), in place of the epilogue kernel.
  std::int64_t library_epilogues() const { return library_epilogues_; }
  void count_library_epilogue() { ++library_epilogues_; }

  // Runs `launch` (which puts every launch of a call on stream()) through the graph keyed
  // by `key` (the call's kernel parameter block, `bytes` long). `uses_blas`: the launches
  // include cuBLAS calls, whose handle and workspace must exist before recording starts
  // (recording forbids cudaMalloc).
  template <class Launch> status run_graph(const void* key, std::size_t bytes, bool uses_blas, Launch&& launch) {
    int device = -1;
    status st = cuda_status(cudaGetDevice(&device), "cudaGetDevice");
    if (!st) return st;
    if (!exec_ || device != graph_device_ || bytes != key_.size() || std::memcmp(key_.data(), key, bytes) != 0) {
      st = record(uses_blas, launch);
      if (!st) {
        drop_graph();
        return st;
      }
      const auto* k = static_cast<const std::byte*>(key);
      key_.assign(k, k + bytes);
      graph_device_ = device;
    }
    return cuda_status(cudaGraphLaunch(exec_, stream_), "cudaGraphLaunch");
  }

private:
  std::byte* arena_ = nullptr;
  std::int64_t capacity_ = 0;
  cudaStream_t stream_ = nullptr;
  cublasHandle_t blas_ = nullptr;
  cublasLtHandle_t lt_ = nullptr;
  std::vector<std::unique_ptr<lt_gemm>> lt_gemms_; // by kernel index
  std::int64_t library_epilogues_ = 0;

  bool graphs_ = false;
  cudaGraphExec_t exec_ = nullptr;
  std::vector<std::byte> key_;       // the parameter block the graph was recorded with
  int graph_device_ = -1;
  std::int64_t captures_ = 0;
  // Recording needs a stream of its own: the legacy default stream cannot be captured,
  // and the user's stream may have work of its own in flight. Only the replay goes on
  // stream_.
  cudaStream_t capture_stream_ = nullptr;
  void* blas_workspace_ = nullptr;
  std::size_t blas_workspace_bytes_ = 0;
  void* scratch_ = nullptr;
  std::size_t scratch_bytes_ = 0;
  unsigned* arrivals_ = nullptr;
  std::size_t arrival_count_ = 0;

  void drop_graph() {
    if (exec_) (void)cudaGraphExecDestroy(exec_);
    exec_ = nullptr;
    key_.clear();
    graph_device_ = -1;
  }

  // The cuBLAS and cuBLASLt handles and the workspace they share (created at most once).
  status prepare_blas() {
    if (!blas_) {
      const status st = cublas_status(cublasCreate(&blas_), "cublasCreate");
      if (!st) return st;
    }
    if (!lt_) {
      const status st = cublaslt_status(cublasLtCreate(&lt_), "cublasLtCreate");
      if (!st) return st;
    }
    if (blas_workspace_) return {};
    // cuBLAS's recommended workspace: 32 MiB on Hopper and later, 4 MiB before
    const std::size_t bytes = current_device_caps().major >= 9 ? std::size_t{32} << 20 : std::size_t{4} << 20;
    const status st = cuda_status(cudaMalloc(&blas_workspace_, bytes), "cudaMalloc (cuBLAS workspace)");
    if (st) blas_workspace_bytes_ = bytes;
    else blas_workspace_ = nullptr;
    return st;
  }

  // Records the launches on the capture stream, then updates or instantiates exec_.
  template <class Launch> status record(bool uses_blas, Launch& launch) {
    status st;
    if (!capture_stream_)
      st = cuda_status(cudaStreamCreateWithFlags(&capture_stream_, cudaStreamNonBlocking), "cudaStreamCreateWithFlags (graph capture)");
    if (st && uses_blas) st = prepare_blas();
    if (!st) return st;
    st = cuda_status(cudaStreamBeginCapture(capture_stream_, cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture");
    if (!st) return st;
    const cudaStream_t user = stream_;
    stream_ = capture_stream_;
    const status launched = launch();
    stream_ = user;
    cudaGraph_t graph = nullptr;
    const status ended = cuda_status(cudaStreamEndCapture(capture_stream_, &graph), "cudaStreamEndCapture");
    st = !launched ? launched : ended; // a failed launch invalidates the capture: report the launch
    if (st) {
      ++captures_;
      if (exec_) {
        cudaGraphExecUpdateResultInfo info{};
        if (cudaGraphExecUpdate(exec_, graph, &info) != cudaSuccess) {
          // a refused update (e.g. cuBLAS chose another kernel for new extents) is no
          // error of the call: clear it and instantiate anew (compute-sanitizer still
          // lists the refusal as an API error)
          (void)cudaGetLastError();
          (void)cudaGraphExecDestroy(exec_);
          exec_ = nullptr;
        }
      }
      if (!exec_) st = cuda_status(cudaGraphInstantiate(&exec_, graph, 0), "cudaGraphInstantiate");
    }
    if (graph) (void)cudaGraphDestroy(graph);
    return st;
  }
};

// Blocks for a grid-stride loop over `work` items: enough to fill the GPU (32 blocks per
// multiprocessor), never more than the work.
#ifndef COIL_CUDA_BLOCKS_PER_SM
#define COIL_CUDA_BLOCKS_PER_SM 32
#endif
inline unsigned grid_for(std::int64_t work) {
  return static_cast<unsigned>(
      std::clamp<std::int64_t>(work, 1, static_cast<std::int64_t>(current_device_caps().sms) * COIL_CUDA_BLOCKS_PER_SM));
}

// Whether node X can be read (or written) 16 bytes at a time along its inner axis from
// every chunk of V elements: contiguous inner axis, aligned base, outer strides that keep
// each row's start aligned.
template <int N> bool vector_ready(const exec_state<N>& s, int x, int rank, int v) {
  if (rank == 0 || s.str[x][rank - 1] != 1 || reinterpret_cast<std::uintptr_t>(s.data[x]) % 16 != 0) return false;
  for (int d = 0; d < rank - 1; ++d)
    if (s.ext[x][d] != 1 && s.str[x][d] % v != 0) return false;
  return true;
}
template <class P, int R, int N> bool pointwise_vector_ready(const exec_state<N>& s) {
  using T = kernel::value_t<P, R>;
  if constexpr (16 % sizeof(T) != 0 || sizeof(T) > 8) {
    return false;
  } else {
    constexpr int V = 16 / static_cast<int>(sizeof(T));
    constexpr auto& prog = kernel::program_v<P, R, R>;
    if (!vector_ready(s, R, kernel::record_v<P, R>.shp.rank, V)) return false;
    for (std::size_t j = 0; j < prog.steps.size(); ++j)
      if (cuda_kernel::lane_plan_v<P, R>.vector_load[j] && !vector_ready(s, prog.steps[j].node, prog.steps[j].rank, V)) return false;
    return true;
  }
}

// Whether reduction R can read its input in lanes (cuda_kernel::reduce_lanes_v) in this
// call: the innermost input axis a multiple of the lanes, and every lane load vector_ready.
template <class P, int R, int N> bool reduction_lanes_ready(const exec_state<N>& s) {
  constexpr int V = cuda_kernel::reduce_lanes_v<P, R>;
  if constexpr (V == 1) {
    return false;
  } else {
    constexpr int c = kernel::record_v<P, R>.inputs[0];
    constexpr auto& prog = kernel::program_v<P, c, R>;
    if (s.ext[c][kernel::record_v<P, c>.shp.rank - 1] % V != 0) return false;
    for (std::size_t j = 0; j < prog.steps.size(); ++j)
      if (cuda_kernel::lane_plan_v<P, c, R>.vector_load[j] && !vector_ready(s, prog.steps[j].node, prog.steps[j].rank, V)) return false;
    return true;
  }
}

// Launches the cached row kernel of K with TPR threads per row; false when its rows do not
// fit in shared memory (the caller runs the global-memory row kernel then).
template <class P, int K, int TPR, int N> bool launch_cached_rows(const exec_state<N>& s, std::int64_t outer, cudaStream_t stream) {
  constexpr int groups = cuda_kernel::block_threads / TPR;
  const std::int64_t group_bytes = cuda_kernel::group_row_bytes<P, K>(s);
  const std::int64_t bytes = group_bytes * groups;
  const device_caps& caps = current_device_caps();
  if (bytes > caps.smem_optin) return false;
  auto kernel = cuda_kernel::cached_rows<P, K, TPR, N>;
  if (bytes > 48 * 1024) {
    // per kernel and device: the largest size opted in to so far
    static std::atomic<std::int64_t> opted[64] = {};
    int dev = 0;
    if (cudaGetDevice(&dev) != cudaSuccess || dev < 0 || dev >= 64) {
      (void)cudaGetLastError();
      return false;
    }
    if (bytes > opted[dev].load(std::memory_order_relaxed)) {
      if (cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(bytes)) != cudaSuccess) {
        (void)cudaGetLastError(); // the global-memory kernel runs instead: no error pending for its launch
        return false;
      }
      opted[dev].store(bytes, std::memory_order_relaxed); // (a race only repeats the opt-in)
    }
  }
  const std::int64_t blocks = (outer + groups - 1) / groups;
  kernel<<<grid_for(blocks), cuda_kernel::block_threads, static_cast<std::size_t>(bytes), stream>>>(s, outer, group_bytes);
  return true;
}

template <class P, int K, int N> bool launch_cached_rows(const exec_state<N>& s, std::int64_t outer, std::int64_t n, cudaStream_t stream) {
  constexpr int space = kernel::kernel_space_v<P, K>;
  constexpr dim last = kernel::record_v<P, space>.shp.d[P::plan.outer_rank[K]];
  if constexpr (last.is_static()) {
    return launch_cached_rows<P, K, cuda_kernel::threads_per_row(last.static_value())>(s, outer, stream);
  } else {
    switch (cuda_kernel::threads_per_row(n)) {
    case 32: return launch_cached_rows<P, K, 32>(s, outer, stream);
    case 64: return launch_cached_rows<P, K, 64>(s, outer, stream);
    case 128: return launch_cached_rows<P, K, 128>(s, outer, stream);
    default: return launch_cached_rows<P, K, 256>(s, outer, stream);
    }
  }
}

inline std::int64_t product(const std::int64_t* ext, int from, int to) {
  std::int64_t n = 1;
  for (int d = from; d < to; ++d) n *= ext[d];
  return n;
}

// Slices per output of a reduction with `outputs` outputs of `count` inputs each: 1 (one
// stage, a block per output) when the outputs alone give every multiprocessor 8 blocks (a
// full one: 8 x 256 threads) or the inputs are few; else enough slices of at least 8 Ki
// inputs to do so (at most 2048). A function of the extents and the device: the same
// call gives the same bits.
inline std::int64_t reduction_slices(std::int64_t outputs, std::int64_t count) {
  constexpr std::int64_t min_slice = 8192;
  const std::int64_t want = 8 * static_cast<std::int64_t>(current_device_caps().sms);
  if (outputs <= 0 || outputs >= want || count < 2 * min_slice) return 1;
  return std::min({(want + outputs - 1) / outputs, count / min_slice, std::int64_t{2048}});
}
// The outputs and the inputs per output of reduction R in this call.
template <class P, int R, int N> std::pair<std::int64_t, std::int64_t> reduction_size(const exec_state<N>& s) {
  return {product(s.ext[R], 0, kernel::record_v<P, R>.shp.rank), kernel::fold_of<P, R>(s, index_t{}).count};
}
// Bytes of partials kernel K needs in this call and its outputs, one arrival count each
// ({0, 0}: not a two-stage reduction).
template <class P, int K, int N> std::pair<std::size_t, std::int64_t> scratch_need(const exec_state<N>& s) {
  if constexpr (P::plan.kind[K] != kernel_kind::reduction) {
    return {0, 0};
  } else {
    constexpr int R = P::plan.kernel_root[K];
    const auto [outputs, count] = reduction_size<P, R>(s);
    const std::int64_t slices = reduction_slices(outputs, count);
    if (slices <= 1) return {0, 0};
    return {static_cast<std::size_t>(outputs * slices) * sizeof(cuda_kernel::reduction_partial<P, R>), outputs};
  }
}

// (row stride, column stride) of a row-major matrix -> cuBLAS's op and leading dimension
// for the column-major view of the same memory; false when neither stride is 1.
inline bool blas_layout(std::int64_t row_stride, std::int64_t col_stride, std::int64_t cols, cublasOperation_t& op, std::int64_t& ld) {
  if (col_stride == 1 || cols == 1) { // (one column: its stride is never used)
    op = CUBLAS_OP_N;
    ld = std::max<std::int64_t>(row_stride, std::max<std::int64_t>(cols, 1));
    return true;
  }
  if (row_stride != 1) return false;
  op = CUBLAS_OP_T;
  ld = std::max<std::int64_t>(col_stride, 1);
  return true;
}

// C = A * B for row-major operands through cuBLAS (column-major C^T = B^T * A^T), one GEMM
// per batch index. Operands whose inner stride is not 1 are read transposed when their
// outer stride is 1.
template <class P, int R, int N> status run_matmul_cuda(const exec_state<N>& s, device_state<cuda>& dev) {
  constexpr node_record r = kernel::record_v<P, R>;
  constexpr int a = r.inputs[0], b = r.inputs[1];
  constexpr node_record ra = kernel::record_v<P, a>, rb = kernel::record_v<P, b>;
  using T = kernel::value_t<P, R>;
  static_assert((std::is_same_v<T, float> || std::is_same_v<T, double>) && std::is_same_v<kernel::value_t<P, a>, T> &&
                    std::is_same_v<kernel::value_t<P, b>, T>,
                "coil::matmul on cuda: float or double operands of one dtype (cast the operands first)");
  constexpr int rank = r.shp.rank, batch = rank - 2;
  const std::int64_t m = s.ext[R][rank - 2], n = s.ext[R][rank - 1], k = s.ext[a][ra.shp.rank - 1];
  if (m == 0 || n == 0) return {};
  if (s.str[R][rank - 1] != 1) return fail_status("coil::matmul on cuda: the output's last axis must be contiguous");
  cublasHandle_t h{};
  status st = dev.blas(h);
  if (!st) return st;
  cublasOperation_t opa{}, opb{};
  std::int64_t lda64 = 0, ldb64 = 0;
  if (!blas_layout(s.str[a][ra.shp.rank - 2], s.str[a][ra.shp.rank - 1], k, opa, lda64) ||
      !blas_layout(s.str[b][rb.shp.rank - 2], s.str[b][rb.shp.rank - 1], n, opb, ldb64))
    return fail_status("coil::matmul on cuda: [", m, ", ", k, "] x [", k, ", ", n,
                       "]: an operand has neither its rows nor its columns contiguous (copy it first)");
  const int lda = static_cast<int>(lda64), ldb = static_cast<int>(ldb64);
  const int ldc = static_cast<int>(s.str[R][rank - 2]);
  std::int64_t bext[max_rank]{};
  for (int d = 0; d < batch; ++d) bext[d] = s.ext[R][d];
  const std::int64_t batches = product(bext, 0, batch);
  const T one = 1, zero = 0;
  // Each operand's offset of flat batch index `flat` (a broadcast batch dim adds nothing).
  auto offsets = [&](std::int64_t flat) {
    index_t bix{};
    std::int64_t rest = flat;
    for (int d = batch - 1; d >= 0; --d) bix.v[d] = rest % bext[d], rest /= bext[d];
    auto batch_offset = [&](int node, const node_record& nr) {
      const int nb = nr.shp.rank - 2;
      std::int64_t off = 0;
      for (int d = 0; d < nb; ++d)
        if (!nr.shp.d[d].is_static(1)) off += bix.v[d + batch - nb] * s.str[node][d];
      return off;
    };
    return std::array<std::int64_t, 3>{batch_offset(a, ra), batch_offset(b, rb), batch_offset(R, r)};
  };
  auto gemm = [&](std::int64_t flat) {
    const std::array<std::int64_t, 3> off = offsets(flat);
    const T* pa = static_cast<const T*>(s.data[a]) + off[0];
    const T* pb = static_cast<const T*>(s.data[b]) + off[1];
    T* pc = static_cast<T*>(const_cast<void*>(s.data[R])) + off[2];
    if constexpr (std::is_same_v<T, float>)
      return cublas_status(cublasSgemm(h, opb, opa, static_cast<int>(n), static_cast<int>(m), static_cast<int>(k), &one, pb, ldb,
                                       pa, lda, &zero, pc, ldc),
                           "cublasSgemm");
    else
      return cublas_status(cublasDgemm(h, opb, opa, static_cast<int>(n), static_cast<int>(m), static_cast<int>(k), &one, pb, ldb,
                                       pa, lda, &zero, pc, ldc),
                           "cublasDgemm");
  };
  // Batches whose offsets all step evenly (one batch dim, or dims that flatten, with
  // broadcast operands stepping by 0: conv's weight over the images) are one strided
  // batched GEMM: one launch instead of one per batch index.
  if (batches > 1 && batches <= 2147483647) {
    const std::array<std::int64_t, 3> step = offsets(1);
    bool even = true;
    for (std::int64_t flat = 2; flat < batches && even; ++flat) {
      const std::array<std::int64_t, 3> off = offsets(flat);
      for (int i = 0; i < 3; ++i) even = even && off[i] == flat * step[i];
    }
    if (even) {
      const T* pa = static_cast<const T*>(s.data[a]);
      const T* pb = static_cast<const T*>(s.data[b]);
      T* pc = static_cast<T*>(const_cast<void*>(s.data[R]));
      const int count = static_cast<int>(batches), ni = static_cast<int>(n), mi = static_cast<int>(m), ki = static_cast<int>(k);
      if constexpr (std::is_same_v<T, float>)
        return cublas_status(cublasSgemmStridedBatched(h, opb, opa, ni, mi, ki, &one, pb, ldb, step[1], pa, lda, step[0], &zero, pc,
                                                       ldc, step[2], count),
                             "cublasSgemmStridedBatched");
      else
        return cublas_status(cublasDgemmStridedBatched(h, opb, opa, ni, mi, ki, &one, pb, ldb, step[1], pa, lda, step[0], &zero, pc,
                                                       ldc, step[2], count),
                             "cublasDgemmStridedBatched");
    }
  }
  for (std::int64_t flat = 0; flat < batches && st; ++flat) st = gemm(flat);
  return st;
}

// The bytes a 2-d float node spans in memory (non-negative strides), [first, last).
template <int N> std::pair<std::uintptr_t, std::uintptr_t> span_2d(const exec_state<N>& s, int node, int rank) {
  std::int64_t last = 0;
  for (int d = 0; d < rank; ++d) last += (s.ext[node][d] - 1) * s.str[node][d];
  const auto first = reinterpret_cast<std::uintptr_t>(s.data[node]);
  return {first, first + static_cast<std::uintptr_t>(last + 1) * sizeof(float)};
}

// Whether matmul kernel K runs with its epilogue inside cuBLASLt in this call
// (kernel::gemm_epilogue_v: a model constant; here the call's layouts): the operands
// readable by cuBLAS, the output's rows contiguous, the bias contiguous, every extent
// positive and within int range, and the output apart from the operands and the bias (the
// arena may give the epilogue's output the memory of an operand whose last reader is the
// GEMM: the epilogue kernel ran after the GEMM, the fused GEMM reads while it writes).
// Kernel K + 1, the epilogue, is skipped then.
template <class P, int K, int N> bool lt_epilogue_taken(const exec_state<N>& s) {
  constexpr kernel::gemm_epilogue g = kernel::gemm_epilogue_v<P, K>;
  if constexpr (g.kind == kernel::gemm_epilogue_kind::none) {
    return false;
  } else {
    constexpr int a = kernel::record_v<P, g.product>.inputs[0], b = kernel::record_v<P, g.product>.inputs[1];
    const std::int64_t m = s.ext[g.out][0], n = s.ext[g.out][1], k = s.ext[a][1];
    constexpr std::int64_t int_max = 2147483647;
    if (m <= 0 || n <= 0 || k <= 0 || m > int_max || n > int_max || k > int_max) return false;
    if (s.str[g.out][1] != 1 || s.str[g.out][0] < n || s.str[g.out][0] > int_max) return false;
    if (n > 1 && s.str[g.bias][0] != 1) return false;
    cublasOperation_t op{};
    std::int64_t lda = 0, ldb = 0;
    if (!blas_layout(s.str[a][0], s.str[a][1], k, op, lda) || !blas_layout(s.str[b][0], s.str[b][1], n, op, ldb) ||
        lda > int_max || ldb > int_max)
      return false;
    for (int d = 0; d < 2; ++d)
      if (s.str[a][d] < 0 || s.str[b][d] < 0 || s.str[g.out][d] < 0) return false;
    const auto out = span_2d(s, g.out, 2), sa = span_2d(s, a, 2), sb = span_2d(s, b, 2), sbias = span_2d(s, g.bias, 1);
    auto apart = [&](const std::pair<std::uintptr_t, std::uintptr_t>& x) { return x.second <= out.first || out.second <= x.first; };
    return apart(sa) && apart(sb) && apart(sbias);
  }
}

// Matmul kernel K with its bias (relu) epilogue through cuBLASLt, written straight into
// the epilogue's output (lt_epilogue_taken said yes).
template <class P, int K, int N> status run_matmul_lt(const exec_state<N>& s, device_state<cuda>& dev) {
  constexpr kernel::gemm_epilogue g = kernel::gemm_epilogue_v<P, K>;
  constexpr int a = kernel::record_v<P, g.product>.inputs[0], b = kernel::record_v<P, g.product>.inputs[1];
  static_assert(std::is_same_v<kernel::value_t<P, a>, float> && std::is_same_v<kernel::value_t<P, b>, float>,
                "coil::matmul on cuda: the cuBLASLt epilogue takes float operands (gemm_epilogue_v matched another dtype)");
  cublasLtHandle_t h{};
  status st = dev.blas_lt(h);
  if (!st) return st;
  const auto* pa = static_cast<const float*>(s.data[a]);
  const auto* pb = static_cast<const float*>(s.data[b]);
  const auto* bias = static_cast<const float*>(s.data[g.bias]);
  auto* out = static_cast<float*>(const_cast<void*>(s.data[g.out]));
  lt_gemm_shape shape;
  shape.m = s.ext[g.out][0];
  shape.n = s.ext[g.out][1];
  shape.k = s.ext[a][1];
  (void)blas_layout(s.str[b][0], s.str[b][1], shape.n, shape.op_first, shape.ld_first);
  (void)blas_layout(s.str[a][0], s.str[a][1], shape.k, shape.op_second, shape.ld_second);
  shape.ld_out = s.str[g.out][0];
  shape.epilogue = g.kind;
  shape.align_first = pointer_alignment(pb);
  shape.align_second = pointer_alignment(pa);
  shape.align_out = pointer_alignment(out);
  shape.align_bias = pointer_alignment(bias);
  shape.workspace = dev.workspace_bytes();
  st = dev.lt_slot(K).run(h, shape, pb, pa, bias, out, dev.workspace(), dev.stream());
  if (st) dev.count_library_epilogue();
  return st;
}

template <class P, int K, int N> status launch_kernel(const exec_state<N>& s, device_state<cuda>& dev) {
  constexpr int R = P::plan.kernel_root[K];
  constexpr kernel_kind kind = P::plan.kind[K];
  constexpr int threads = cuda_kernel::block_threads;
  const cudaStream_t stream = dev.stream();
  static_assert(kind != kernel_kind::custom || kernel::record_v<P, R>.cuda_kernel,
                "coil: this custom kernel (coil::custom) runs on host targets only; one that declares `cuda = true` runs "
                "on coil::cuda (ops/custom.hpp)");
  if constexpr (K > 0) {
    if constexpr (kernel::gemm_epilogue_v<P, K - 1>.kind != kernel::gemm_epilogue_kind::none)
      if (lt_epilogue_taken<P, K - 1>(s)) return {}; // the GEMM before computed this kernel's output
  }
  if constexpr (kind == kernel_kind::custom) { // a CUDA custom kernel: it launches on the model's stream
    custom_call c = kernel::custom_call_of<P, R>(s);
    c.stream = stream;
    P::graph::launchers[R](c);
    return cuda_status(cudaGetLastError(), "kernel launch");
  } else if constexpr (kind == kernel_kind::matmul) {
    if constexpr (kernel::gemm_epilogue_v<P, K>.kind != kernel::gemm_epilogue_kind::none) {
      if (lt_epilogue_taken<P, K>(s)) return run_matmul_lt<P, K>(s, dev);
    }
    return run_matmul_cuda<P, R>(s, dev);
  } else if constexpr (kind == kernel_kind::rows) {
    constexpr int space = kernel::kernel_space_v<P, K>;
    const std::int64_t outer = product(s.ext[space], 0, P::plan.outer_rank[K]);
    if (outer == 0) return {};
    if constexpr (cuda_kernel::register_rows_ok_v<P, K>) {
      constexpr int groups = threads / cuda_kernel::register_shape_for(cuda_kernel::static_row_length<P, K>()).tpr;
      cuda_kernel::register_rows<P, K><<<grid_for((outer + groups - 1) / groups), threads, 0, stream>>>(s, outer);
      return cuda_status(cudaGetLastError(), "kernel launch");
    } else if constexpr (cuda_kernel::row_cache_v<P, K>.ok) {
      if (launch_cached_rows<P, K>(s, outer, s.ext[space][P::plan.outer_rank[K]], stream))
        return cuda_status(cudaGetLastError(), "kernel launch");
    }
    cuda_kernel::rows<P, K><<<grid_for(outer), threads, 0, stream>>>(s, outer);
  } else if constexpr (kind == kernel_kind::scan) {
    constexpr node_record r = kernel::record_v<P, R>;
    const std::int64_t lines = r.shp.rank == 0 ? 1 : product(s.ext[R], 0, r.shp.rank) / (s.ext[R][r.axis] ? s.ext[R][r.axis] : 1);
    if (lines == 0 || s.ext[R][r.axis] == 0) return {};
    cuda_kernel::scan<P, R><<<grid_for((lines + threads - 1) / threads), threads, 0, stream>>>(s, lines);
  } else if constexpr (kind == kernel_kind::reduction) {
    const auto [outputs, count] = reduction_size<P, R>(s);
    if (outputs == 0) return {};
    const std::int64_t slices = reduction_slices(outputs, count);
    constexpr int V = cuda_kernel::reduce_lanes_v<P, R>;
    const bool lanes = V > 1 && reduction_lanes_ready<P, R>(s);
    if (slices > 1) { // run() reserved the partials and the counts (scratch_need)
      auto* parts = static_cast<cuda_kernel::reduction_partial<P, R>*>(dev.scratch());
      const unsigned blocks = static_cast<unsigned>(outputs * slices);
      if (lanes) cuda_kernel::reduction_slices_kernel<P, R, V><<<blocks, threads, 0, stream>>>(s, slices, parts, dev.arrivals());
      else cuda_kernel::reduction_slices_kernel<P, R, 1><<<blocks, threads, 0, stream>>>(s, slices, parts, dev.arrivals());
    } else if (count <= cuda_kernel::warp_reduction_max) {
      const std::int64_t blocks = (outputs + threads / 32 - 1) / (threads / 32);
      if (lanes) cuda_kernel::reduction_warps<P, R, V><<<grid_for(blocks), threads, 0, stream>>>(s, outputs);
      else cuda_kernel::reduction_warps<P, R, 1><<<grid_for(blocks), threads, 0, stream>>>(s, outputs);
    } else if (lanes) {
      cuda_kernel::reduction<P, R, V><<<grid_for(outputs), threads, 0, stream>>>(s, outputs);
    } else {
      cuda_kernel::reduction<P, R, 1><<<grid_for(outputs), threads, 0, stream>>>(s, outputs);
    }
  } else {
    constexpr int rank = kernel::record_v<P, R>.shp.rank;
    const std::int64_t total = product(s.ext[R], 0, rank);
    if (total == 0) return {};
    if constexpr (rank >= 2) {
      // a transposed operand: through shared-memory tiles (cuda/tiles.hpp)
      const cuda_kernel::tile_args t = cuda_kernel::plan_tiles<P, R>(s);
      if (t.nstaged > 0) {
        const std::int64_t side = cuda_kernel::tile_side, na = s.ext[R][t.axis], n = s.ext[R][rank - 1];
        const std::int64_t outer = total / (na * n), tiles = outer * ((na + side - 1) / side) * ((n + side - 1) / side);
        cuda_kernel::pointwise_tiled<P, R><<<grid_for(tiles), cuda_kernel::tile_side * cuda_kernel::tile_rows_step, 0, stream>>>(s, t, outer);
        return cuda_status(cudaGetLastError(), "kernel launch");
      }
    }
    if constexpr (rank > 0) {
      if (s.ext[R][rank - 1] >= 64) {
        const std::int64_t n = s.ext[R][rank - 1], rows = total / n;
        // (the kernels' row groups: block_threads / row_group_threads(work items of a row) rows a block)
        if (pointwise_vector_ready<P, R>(s)) {
          constexpr int V = cuda_kernel::pointwise_lanes_v<P, R>;
          const std::int64_t groups = threads / cuda_kernel::row_group_threads(n / V);
          cuda_kernel::pointwise_vector<P, R><<<grid_for((rows + groups - 1) / groups), threads, 0, stream>>>(s, rows);
        } else {
          const std::int64_t groups = threads / cuda_kernel::row_group_threads(n);
          cuda_kernel::pointwise_rows<P, R><<<grid_for((rows + groups - 1) / groups), threads, 0, stream>>>(s, rows);
        }
        return cuda_status(cudaGetLastError(), "kernel launch");
      }
    }
    cuda_kernel::pointwise_flat<P, R><<<grid_for((total + threads - 1) / threads), threads, 0, stream>>>(s, total);
  }
  return cuda_status(cudaGetLastError(), "kernel launch");
}

template <> struct backend_runner<cuda> {
  // Launches every kernel of the plan in order on the model's stream (or replays them as
  // one CUDA graph, device_state::use_graphs); returns without waiting for them (a launch
  // or cuBLAS failure is reported).
  template <class P, int N> static status run(exec_state<N>& s, device_state<cuda>& dev) {
    static_assert(sizeof(exec_state<N>) <= 32000,
                  "coil::cuda: the graph has too many nodes for one kernel parameter block (about 230 at most)");
    // the partials and counts of the largest two-stage reduction (kernels run in order on one stream)
    std::size_t scratch = 0;
    std::int64_t counts = 0;
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (
          [&] {
            const auto [bytes, outputs] = scratch_need<P, static_cast<int>(K)>(s);
            scratch = std::max(scratch, bytes);
            counts = std::max(counts, outputs);
          }(),
          ...);
    }(std::make_index_sequence<P::plan.kernel_count>{});
    if (scratch > 0) {
      const status st = dev.reserve_scratch(scratch, static_cast<std::size_t>(counts));
      if (!st) return st;
    }
    auto launch_all = [&] {
      status st;
      [&]<std::size_t... K>(std::index_sequence<K...>) {
        ((st = st ? launch_kernel<P, static_cast<int>(K)>(s, dev) : st), ...);
      }(std::make_index_sequence<P::plan.kernel_count>{});
      return st;
    };
    if (!dev.graphs()) return launch_all();
    // exec_state is the whole of what the launches read (pointers, extents, strides), and
    // launch configurations are functions of it: equal bytes, equal graph
    constexpr bool uses_blas = [] {
      for (int k = 0; k < P::plan.kernel_count; ++k)
        if (P::plan.kind[k] == kernel_kind::matmul) return true;
      return false;
    }();
    return dev.run_graph(&s, sizeof s, uses_blas, launch_all);
  }
};

} // namespace detail
} // namespace coil
#endif // __CUDACC__
