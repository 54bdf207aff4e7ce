// Row kernels that read each row from global memory once (nvcc only).
//
// A row kernel (plan kind `rows`) runs its stages in order for one outer index: softmax's
// max, exp, sum and output, layer_norm's mean, variance and output. Run stage by stage
// over global memory (kernels.hpp, `rows`), every stage re-reads the row's input and a
// stored intermediate (softmax's exp) goes to the arena and back. This kernel keeps the
// row on chip instead, for any row kernel the planner emits whose stages all iterate
// [outer..., n] (loops over the row, reductions over its last axis):
//
//   input rows    a node the stages load at their own index (index register 0) in two or
//                 more places is copied into shared memory once per row (16-byte loads
//                 when its row is contiguous and aligned); the loads read shared memory
//   stage rows    a loop stage that later stages of the kernel read is written to shared
//                 memory; to global memory too only when it is an output or a later
//                 kernel reads it (otherwise its arena buffer is never touched)
//   reductions    every thread of the row's group gets the result (a fixed tree) and
//                 keeps it in a register; later stages read it from there
//
// The stages read stage values only at their own row (the planner splits kernels that
// read another row), so a stage row is indexed by the last axis of the index it is read at.
//
// A group of `TPR` threads takes a row (one warp for rows up to 512 wide, up to a block
// of 256 for rows past 2048), a block of 256 threads holds 256 / TPR groups. TPR depends on
// the row length only (fixed at compile time for a static length), so the reduction order
// and the result are the same on every call. When the rows do not fit in shared memory
// the launcher runs the global-memory kernel.
#pragma once
#if defined(__CUDACC__)
#include <cuda_runtime.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "../eval.hpp"
#include "../exec_state.hpp"
#include "../kernel_program.hpp"
#include "kernels.hpp"

namespace coil::cuda_kernel {

enum class row_role : std::uint8_t {
  none,         // read from global memory as usual
  input_row,    // copied into a shared-memory row at the start of each row
  stage_row,    // a loop stage of this kernel kept in a shared-memory row
  stage_scalar, // a reduction stage of this kernel kept in a register
};

// What a cached row kernel keeps on chip: a role and slot per node, and for each stage
// whether it is written to global memory. `ok` is false when some stage does not iterate
// [outer..., n] (a rank-0 stage, a reduction over several trailing axes, an input that is
// also an output): such kernels run the global-memory row kernel.
template <int N> struct row_cache {
  bool ok = false;
  int row_slots = 0;
  int scalar_slots = 0;
  int input_rows = 0;                   // row slots [0, input_rows) are input rows
  std::array<row_role, N> role{};
  std::array<int, N> slot{};            // node -> its row or scalar slot, or -1
  std::array<bool, N> store{};          // stage -> written to global memory
  std::array<int, N> row_node{};        // row slot -> node
};

template <class P, int K> constexpr auto make_row_cache() {
  constexpr int n = P::graph::size;
  const auto& rec = P::graph::records;
  const auto& plan = P::plan;
  row_cache<n> c;
  for (int i = 0; i < n; ++i) c.slot[i] = -1;
  const int begin = plan.kernel_begin[K], end = plan.kernel_end[K], orank = plan.outer_rank[K];
  for (int s = begin; s < end; ++s) {
    const node_record& r = rec[plan.stage_node[s]];
    if (r.kind == op_kind::reduction) {
      if (rec[r.inputs[0]].shp.rank != orank + 1 || r.axes != (1u << orank)) return c;
    } else if (r.kind == op_kind::input || r.kind == op_kind::matmul || r.shp.rank != orank + 1) {
      return c;
    }
  }
  std::array<int, n> loads_at_own_index{};
  std::array<bool, n> read_here{}; // a stage of this kernel read by a later one
  for (int s = begin; s < end; ++s) {
    const int i = plan.stage_node[s];
    const int body = kernel::stage_space(rec, i);
    detail::program_builder<n> b(rec, plan.realized, i);
    b.value(body, 0, -1, 0);
    for (const step& t : b.steps) {
      if (t.op != step_op::load) continue;
      if (plan.kernel_of[t.node] == K) read_here[t.node] = true;
      else if (t.a == 0 && t.rank == orank + 1) ++loads_at_own_index[t.node];
    }
  }
  for (int i = 0; i < n; ++i)
    if (loads_at_own_index[i] >= 2) {
      c.role[i] = row_role::input_row;
      c.row_node[c.row_slots] = i;
      c.slot[i] = c.row_slots++;
    }
  c.input_rows = c.row_slots;
  for (int s = begin; s < end; ++s) {
    const int i = plan.stage_node[s];
    const int buf = plan.buffer_of[i];
    const bool read_later = plan.output_slot[i] >= 0 || (buf >= 0 && plan.buffer_last_use[buf] > K);
    c.store[i] = read_later || !read_here[i];
    if (!read_here[i]) continue;
    if (rec[i].kind == op_kind::reduction) {
      c.role[i] = row_role::stage_scalar;
      c.slot[i] = c.scalar_slots++;
    } else {
      c.role[i] = row_role::stage_row;
      c.row_node[c.row_slots] = i;
      c.slot[i] = c.row_slots++;
    }
  }
  c.ok = true;
  return c;
}

template <class P, int K> inline constexpr auto row_cache_v = make_row_cache<P, K>();

// Bytes of one row slot (16-byte aligned) and of one group's rows.
__host__ __device__ constexpr std::int64_t row_slot_bytes(std::int64_t n, std::int64_t elem) { return (n * elem + 15) / 16 * 16; }
// (Scalars copied out of row_cache_v: device code may not read the host array.)
template <class P, int K, int S, int N> __host__ __device__ __forceinline__ std::int64_t slot_bytes(const exec_state<N>& s) {
  constexpr int X = row_cache_v<P, K>.row_node[S];
  return row_slot_bytes(s.ext[X][record_v<P, X>.shp.rank - 1], static_cast<std::int64_t>(sizeof(value_t<P, X>)));
}
template <class P, int K, int N> __host__ __device__ std::int64_t group_row_bytes(const exec_state<N>& s) {
  std::int64_t bytes = 0;
  [&]<std::size_t... S>(std::index_sequence<S...>) {
    ((bytes += slot_bytes<P, K, static_cast<int>(S)>(s)), ...);
  }(std::make_index_sequence<row_cache_v<P, K>.row_slots>{});
  return bytes;
}

// One step of a stage's program inside the cached row kernel: loads of cached nodes read
// shared memory or registers, everything else runs as in eval.hpp.
template <class P, int K, step S, int N, int NR, int NS>
__device__ __forceinline__ void run_row_step(kernel::value_slot* v, index_t* x, const exec_state<N>& s, std::byte* const (&rows)[NR],
                                             const kernel::value_slot (&sc)[NS]) {
  if constexpr (S.op == step_op::load) {
    constexpr row_role role = row_cache_v<P, K>.role[S.node];
    constexpr int slot = row_cache_v<P, K>.slot[S.node];
    if constexpr (role == row_role::stage_scalar || role == row_role::stage_row || (role == row_role::input_row && S.a == 0)) {
      if constexpr (S.guard >= 0)
        if (v[S.guard].l != S.branch) return;
      using T = element_t<S.type>;
      if constexpr (role == row_role::stage_scalar) v[S.out] = sc[slot];
      else kernel::slot_as<T>(v[S.out]) = reinterpret_cast<const T*>(rows[slot])[x[S.a].v[S.rank - 1]];
      return;
    }
  }
  kernel::run_step<S>(v, x, s);
}

template <class P, int K, int I, int Root, int N, int NR, int NS>
__device__ __forceinline__ auto eval_row(const exec_state<N>& s, const index_t& ix, std::byte* const (&rows)[NR],
                                         const kernel::value_slot (&sc)[NS]) {
  return kernel::eval_with<P, I, Root>(ix, [&]<step S, std::size_t>(kernel::value_slot* v, index_t* x) { run_row_step<P, K, S>(v, x, s, rows, sc); });
}

// Waits for the threads that share rows: the warp when a group is at most a warp (groups
// never share memory then), else the block.
template <int TPR> __device__ __forceinline__ void group_sync() {
  if constexpr (TPR <= 32) __syncwarp();
  else __syncthreads();
}

// Reduces one partial per thread of a group of TPR threads; every thread of the group gets
// the result. A fixed tree: shuffles inside each warp, then the group's warps in order.
// Tag (the stage) gives each stage its own scratch, so two reductions of one row never
// share it.
template <int TPR, int Tag, op_code C, class In> __device__ __forceinline__ partial<In> group_reduce(partial<In> p) {
  if constexpr (TPR <= 32) {
    for (int by = TPR / 2; by > 0; by /= 2) p = combine<C>(p, shuffle_down<C>(p, by, TPR));
    return shuffle_from<C>(p, 0, TPR);
  } else {
    __shared__ partial<In> per_warp[block_threads / 32]; // one array per stage: no reuse inside a row
    for (int by = 16; by > 0; by /= 2) p = combine<C>(p, shuffle_down<C>(p, by, 32));
    const int warp = static_cast<int>(threadIdx.x) / 32;
    if (threadIdx.x % 32 == 0) per_warp[warp] = p;
    __syncthreads();
    constexpr int warps = TPR / 32;
    const int first = warp / warps * warps;
    partial<In> r = per_warp[first];
    for (int w = 1; w < warps; ++w) r = combine<C>(r, per_warp[first + w]);
    return r;
  }
}

// Copies node X's row at outer index o into shared memory: 16-byte loads when the row is
// contiguous and its start aligned, else element by element.
template <class P, int X, int TPR, int N>
__device__ __forceinline__ void fill_row(const exec_state<N>& s, const index_t& o, std::byte* dst_bytes, int t, bool active) {
  using T = value_t<P, X>;
  constexpr int last = record_v<P, X>.shp.rank - 1;
  const std::int64_t n = active ? s.ext[X][last] : 0;
  T* dst = reinterpret_cast<T*>(dst_bytes);
  const T* src = static_cast<const T*>(s.data[X]) + offset_in<last>(s.str[X], o);
  const std::int64_t step = s.str[X][last];
  if constexpr (16 % sizeof(T) == 0) {
    constexpr int V = 16 / static_cast<int>(sizeof(T));
    if (step == 1 && reinterpret_cast<std::uintptr_t>(src) % 16 == 0) {
      const std::int64_t nv = n / V;
      // up to 4 loads in flight per thread before their stores
      constexpr int batch = 4;
      for (std::int64_t k = t; k < nv; k += batch * TPR) {
        uint4 r[batch];
#pragma unroll
        for (int u = 0; u < batch; ++u)
          if (k + u * TPR < nv) r[u] = __ldg(reinterpret_cast<const uint4*>(src) + k + u * TPR);
#pragma unroll
        for (int u = 0; u < batch; ++u)
          if (k + u * TPR < nv) reinterpret_cast<uint4*>(dst)[k + u * TPR] = r[u];
      }
      for (std::int64_t j = nv * V + t; j < n; j += TPR) dst[j] = src[j];
      return;
    }
  }
  for (std::int64_t j = t; j < n; j += TPR) dst[j] = src[j * step];
}

// One stage of a cached row kernel for the row at outer index o.
template <class P, int K, int TPR, int I, int N, int NR, int NS>
__device__ __forceinline__ void cached_stage(const exec_state<N>& s, const index_t& o, int t, bool active, std::byte* const (&rows)[NR],
                                             kernel::value_slot (&sc)[NS]) {
  constexpr node_record r = record_v<P, I>;
  constexpr int orank = P::plan.outer_rank[K];
  constexpr row_role role = row_cache_v<P, K>.role[I];
  constexpr int slot = row_cache_v<P, K>.slot[I];
  constexpr bool store = row_cache_v<P, K>.store[I];
  using T = value_t<P, I>;
  T* out = static_cast<T*>(const_cast<void*>(s.data[I]));
  index_t ix = o;
  if constexpr (r.kind == op_kind::reduction) {
    constexpr int c = r.inputs[0];
    using In = value_t<P, c>;
    const std::int64_t count = s.ext[c][orank];
    const std::int64_t n = active ? count : 0;
    partial<In> p = empty_partial<r.code, In>();
    for (std::int64_t j = t; j < n; j += TPR) {
      ix.v[orank] = j;
      add_value<r.code>(p, static_cast<In>(eval_row<P, K, c, I>(s, ix, rows, sc)), j);
    }
    p = group_reduce<TPR, I, r.code>(p);
    const T result = finish<r.code, T>(p, count);
    if constexpr (role == row_role::stage_scalar) kernel::slot_as<T>(sc[slot]) = result;
    if constexpr (store)
      if (active && t == 0) out[offset_of<P, I>(s, o)] = result; // o: keepdim's trailing index is 0
  } else {
    const std::int64_t n = active ? s.ext[I][orank] : 0;
    for (std::int64_t j = t; j < n; j += TPR) {
      ix.v[orank] = j;
      const T val = eval_row<P, K, I, I>(s, ix, rows, sc);
      if constexpr (role == row_role::stage_row) reinterpret_cast<T*>(rows[slot])[j] = val;
      if constexpr (store) out[offset_of<P, I>(s, ix)] = val;
    }
    if constexpr (role == row_role::stage_row) group_sync<TPR>(); // later stages read other positions
  }
}

// The cached row kernel: block b takes the row groups b, b + gridDim.x, ...; a group runs
// every stage of its row.
#ifndef COIL_CUDA_ROW_MIN_BLOCKS
#define COIL_CUDA_ROW_MIN_BLOCKS 4
#endif
template <class P, int K, int TPR, int N>
__global__ void __launch_bounds__(block_threads, COIL_CUDA_ROW_MIN_BLOCKS) cached_rows(exec_state<N> s, std::int64_t outer, std::int64_t group_bytes) {
  constexpr int row_slots = row_cache_v<P, K>.row_slots, input_rows = row_cache_v<P, K>.input_rows;
  constexpr int scalar_slots = row_cache_v<P, K>.scalar_slots;
  constexpr int begin = P::plan.kernel_begin[K];
  constexpr int orank = P::plan.outer_rank[K];
  constexpr int space = kernel::kernel_space_v<P, K>;
  constexpr int groups = block_threads / TPR;
  constexpr int NR = row_slots > 0 ? row_slots : 1;
  constexpr int NS = scalar_slots > 0 ? scalar_slots : 1;
  extern __shared__ __align__(16) std::byte cached_rows_smem[];
  const int g = static_cast<int>(threadIdx.x) / TPR, t = static_cast<int>(threadIdx.x) % TPR;
  std::byte* rows[NR]{};
  {
    std::byte* at = cached_rows_smem + g * group_bytes;
    [&]<std::size_t... S>(std::index_sequence<S...>) {
      ((rows[S] = at, at += slot_bytes<P, K, static_cast<int>(S)>(s)), ...);
    }(std::make_index_sequence<row_slots>{});
  }
  kernel::value_slot sc[NS]{};
  for (std::int64_t base = static_cast<std::int64_t>(blockIdx.x) * groups; base < outer;
       base += static_cast<std::int64_t>(gridDim.x) * groups) {
    const std::int64_t row = base + g;
    const bool active = row < outer;
    const index_t o = unflatten(active ? row : 0, s.ext[space], orank);
    if constexpr (input_rows > 0) {
      [&]<std::size_t... S>(std::index_sequence<S...>) {
        (fill_row<P, row_cache_v<P, K>.row_node[S], TPR>(s, o, rows[S], t, active), ...);
      }(std::make_index_sequence<input_rows>{});
      group_sync<TPR>();
    }
    [&]<std::size_t... S>(std::index_sequence<S...>) {
      (cached_stage<P, K, TPR, P::plan.stage_node[begin + static_cast<int>(S)]>(s, o, t, active, rows, sc), ...);
    }(std::make_index_sequence<P::plan.stages_in(K)>{});
    group_sync<TPR>(); // the next row overwrites the rows and the reductions' scratch
  }
}

// Threads per row for a row of n elements: about COIL_CUDA_ROW_ITEMS elements per thread
// (several 16-byte loads in flight each), a power of two from a warp to the block.
#ifndef COIL_CUDA_ROW_ITEMS
#define COIL_CUDA_ROW_ITEMS 16
#endif
__host__ __device__ constexpr int threads_per_row(std::int64_t n) {
  int tpr = 32;
  while (tpr < block_threads && static_cast<std::int64_t>(tpr) * COIL_CUDA_ROW_ITEMS < n) tpr *= 2;
  return tpr;
}

} // namespace coil::cuda_kernel
#endif // __CUDACC__
