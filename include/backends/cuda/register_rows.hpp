// Row kernels that keep the row in registers (nvcc only).
//
// rows.hpp's cached kernel copies a row into shared memory, synchronizes, and runs each
// stage over it; a group of threads loads a row, then computes on it, so few bytes are in
// flight per multiprocessor and the copy bandwidth is not reached. When the row length is
// static and small enough, this kernel holds the row in registers instead: every thread
// of the row's group owns ITEMS elements of it, issues all its loads (16 bytes each when the
// row is contiguous and aligned) at the start of the row, and runs the stages from its
// registers; only the reductions talk to other threads (rows.hpp's fixed tree).
//
// Element j of a row lives in thread t = (j / 4) % TPR, register u = (j / (4 * TPR)) * 4 +
// j % 4: four consecutive elements per thread and chunk, the chunks of a warp adjacent, so
// the loads and stores of a warp are coalesced.
//
// It uses rows.hpp's roles (row_cache): an input row and a stage row live in registers
// instead of shared memory, a reduction's result in a register as there. A stage row read
// at another position than its own (a view of it) would need another thread's register:
// such kernels, and rows too long for the registers, run the shared-memory kernel.
// A 1-d operand read along the row (layer_norm's weight and bias: a broadcast of the row's
// own index onto its only axis) is a row parameter: the stages that read it load it with
// 16-byte loads into registers of the same layout first, instead of one load per element.
// TPR and ITEMS depend on the static row length only, so the reduction order and the
// result are the same on every call.
#pragma once
#if defined(__CUDACC__)
#include <cuda_runtime.h>

#include <bit>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "../eval.hpp"
#include "../exec_state.hpp"
#include "../kernel_program.hpp"
#include "../row_invariant.hpp"
#include "kernels.hpp"
#include "rows.hpp"

namespace coil::cuda_kernel {

// Elements one thread holds per register row: the smallest multiple of 4 that lets a group
// of at most a block cover the row, with groups as small as a warp while a thread holds at
// most COIL_CUDA_REG_ITEMS; rows past register_row_max elements use shared memory. A warp
// per row needs no shared memory and no block barrier in its reductions and keeps eight
// 16-byte loads per thread in flight. (On an H200, [16384, 1024]: layer_norm 0.0396 ms with
// 8 items (128 threads per row), 0.0380 with 32 (a warp); softmax 0.0369 and 0.0368.)
#ifndef COIL_CUDA_REG_ITEMS
#define COIL_CUDA_REG_ITEMS 32
#endif
inline constexpr std::int64_t register_row_max = 32 * block_threads;
struct register_shape {
  int tpr = 0;   // threads per row: a power of two from a warp to a block
  int items = 0; // elements per thread, a multiple of 4
};
constexpr register_shape register_shape_for(std::int64_t n) {
  register_shape r;
  r.tpr = 32;
  while (r.tpr < block_threads && static_cast<std::int64_t>(r.tpr) * COIL_CUDA_REG_ITEMS < n) r.tpr *= 2;
  const std::int64_t per_thread = (n + r.tpr - 1) / r.tpr;
  r.items = static_cast<int>((per_thread + 3) / 4 * 4);
  return r;
}
// The position in the row of register u of thread t.
template <int TPR> __device__ __forceinline__ std::int64_t register_position(int u, int t) {
  return (static_cast<std::int64_t>(u / 4) * TPR + t) * 4 + u % 4;
}

// The row length of kernel K when it is static and the same for every stage, else 0.
template <class P, int K> constexpr std::int64_t static_row_length() {
  const auto& rec = P::graph::records;
  const auto& plan = P::plan;
  const int orank = plan.outer_rank[K];
  std::int64_t n = 0;
  for (int st = plan.kernel_begin[K]; st < plan.kernel_end[K]; ++st) {
    const int i = plan.stage_node[st];
    const int space = kernel::stage_space(rec, i);
    const dim d = rec[space].shp.d[orank];
    if (!d.is_static()) return 0;
    if (n != 0 && d.static_value() != n) return 0;
    n = d.static_value();
  }
  return n;
}

// Whether a stage's program reads a stage row of K only at its own position.
template <class P, int K, int I> constexpr bool reads_rows_in_place() {
  constexpr auto& prog = kernel::program_v<P, kernel::stage_space(P::graph::records, I), I>;
  for (const step& t : prog.steps)
    if (t.op == step_op::load && row_cache_v<P, K>.role[t.node] == row_role::stage_row && t.a != 0) return false;
  return true;
}

template <class P, int K> constexpr bool register_rows_ok() {
  if constexpr (!row_cache_v<P, K>.ok) {
    return false;
  } else {
    constexpr std::int64_t n = static_row_length<P, K>();
    if (n <= 0 || n > register_row_max) return false;
    constexpr int begin = P::plan.kernel_begin[K];
    return []<std::size_t... S>(std::index_sequence<S...>) {
      return (reads_rows_in_place<P, K, P::plan.stage_node[begin + static_cast<int>(S)]>() && ...);
    }(std::make_index_sequence<P::plan.stages_in(K)>{});
  }
}
template <class P, int K> inline constexpr bool register_rows_ok_v = register_rows_ok<P, K>();

// The row parameters of kernel K: nodes every load of which reads a 1-d operand at the
// stage's own position along the row, and for each stage which of them it reads.
template <int N> struct param_plan {
  int slots = 0;
  std::array<int, N> slot{};            // node -> parameter slot, or -1
  std::array<int, N> node{};            // parameter slot -> node
  std::array<std::uint64_t, N> used{};  // stage node -> bit per parameter slot it reads
};
template <class P, int K> constexpr auto make_param_plan() {
  constexpr int n = P::graph::size;
  const auto& rec = P::graph::records;
  const auto& plan = P::plan;
  param_plan<n> pp;
  std::array<int, n> along_row{}, other{};
  for (int st = plan.kernel_begin[K]; st < plan.kernel_end[K]; ++st) {
    const int i = plan.stage_node[st];
    detail::program_builder<n> b(rec, plan.realized, i);
    b.value(kernel::stage_space(rec, i), 0, -1, 0);
    std::vector<bool> row_index(static_cast<std::size_t>(b.indices), false); // x[0]'s last axis alone
    for (const step& t : b.steps) {
      if (t.op == step_op::ix_bcast)
        row_index[static_cast<std::size_t>(t.out)] = t.a == 0 && t.crank == 1 && (t.mask & 1u) == 0 && (t.dmask & 1u) == 0;
      if (t.op != step_op::load || plan.kernel_of[t.node] == K || row_cache_v<P, K>.role[t.node] != row_role::none) continue;
      const bool fits = row_index[static_cast<std::size_t>(t.a)] && t.rank == 1 && t.guard < 0 && rec[t.node].shp.d[0].is_static() &&
                        rec[t.node].shp.d[0].static_value() == static_row_length<P, K>();
      ++(fits ? along_row : other)[t.node];
    }
  }
  for (int i = 0; i < n; ++i) {
    pp.slot[i] = -1;
    if (along_row[i] > 0 && other[i] == 0 && pp.slots < 64) {
      pp.node[pp.slots] = i;
      pp.slot[i] = pp.slots++;
    }
  }
  for (int st = plan.kernel_begin[K]; st < plan.kernel_end[K]; ++st) {
    const int i = plan.stage_node[st];
    detail::program_builder<n> b(rec, plan.realized, i);
    b.value(kernel::stage_space(rec, i), 0, -1, 0);
    for (const step& t : b.steps)
      if (t.op == step_op::load && pp.slot[t.node] >= 0) pp.used[i] |= std::uint64_t{1} << pp.slot[t.node];
  }
  return pp;
}
template <class P, int K> inline constexpr auto param_plan_v = make_param_plan<P, K>();

// The registers of a group thread: one array of ITEMS elements per row slot, typed.
template <class P, int K, int ITEMS, class Slots> struct register_rows_of;
template <class P, int K, int ITEMS, std::size_t... S> struct register_rows_of<P, K, ITEMS, std::index_sequence<S...>> {
  template <std::size_t X> struct row {
    value_t<P, row_cache_v<P, K>.row_node[X]> v[ITEMS];
  };
  using type = std::tuple<row<S>...>;
};
template <class P, int K, int ITEMS>
using register_rows_t = typename register_rows_of<P, K, ITEMS, std::make_index_sequence<row_cache_v<P, K>.row_slots>>::type;
// The row parameters a stage loads, in the same layout.
template <class P, int K, int ITEMS, class Slots> struct register_params_of;
template <class P, int K, int ITEMS, std::size_t... S> struct register_params_of<P, K, ITEMS, std::index_sequence<S...>> {
  template <std::size_t X> struct row {
    value_t<P, param_plan_v<P, K>.node[X]> v[ITEMS];
  };
  using type = std::tuple<row<S>...>;
};
template <class P, int K, int ITEMS>
using register_params_t = typename register_params_of<P, K, ITEMS, std::make_index_sequence<param_plan_v<P, K>.slots>>::type;

// Whether step J of the program of I (at Root) is row-invariant (a constexpr function:
// device code may not refer to the host variable row_invariant_v).
template <class P, int I, int Root, std::size_t J> constexpr bool invariant_step() {
  return kernel::row_invariant_v<P, I, Root>.step[J];
}
// Whether step J of the program of I (at Root) is an all-f32 division by a row-invariant
// value.
template <class P, int I, int Root, std::size_t J> constexpr bool f32_recip() {
  constexpr step S = kernel::program_v<P, I, Root>.steps[J];
  return kernel::row_invariant_v<P, I, Root>.recip[J] && S.type == dtype::f32 && S.compute == dtype::f32 && S.ta == dtype::f32 &&
         S.tb == dtype::f32;
}

// One step (number J) of the program of I (at Root) at register U: loads of rows kept in
// registers read them; with Rcp, a division by a row-invariant value multiplies by its
// reciprocal (row_invariant.hpp; the unrolled registers share one reciprocal: the same
// value, so the compiler computes it once).
template <class P, int K, int I, int Root, int U, bool Rcp, step S, std::size_t J, int N, class Regs, class Params, int NS>
__device__ __forceinline__ void run_register_step(kernel::value_slot* v, index_t* x, const exec_state<N>& s, const Regs& regs,
                                                  const Params& params, const kernel::value_slot (&sc)[NS]) {
  if constexpr (Rcp && f32_recip<P, I, Root, J>()) {
    kernel::slot_as<float>(v[S.out]) = kernel::slot_as<float>(v[S.a]) * (1.0f / kernel::slot_as<float>(v[S.b]));
    return;
  }
  if constexpr (S.op == step_op::load) {
    if constexpr (param_plan_v<P, K>.slot[S.node] >= 0) {
      kernel::slot_as<element_t<S.type>>(v[S.out]) = std::get<param_plan_v<P, K>.slot[S.node]>(params).v[U]; // (never guarded)
      return;
    }
    constexpr row_role role = row_cache_v<P, K>.role[S.node];
    constexpr int slot = row_cache_v<P, K>.slot[S.node];
    if constexpr (role == row_role::stage_scalar || role == row_role::stage_row || (role == row_role::input_row && S.a == 0)) {
      if constexpr (S.guard >= 0)
        if (v[S.guard].l != S.branch) return;
      using T = element_t<S.type>;
      if constexpr (role == row_role::stage_scalar) v[S.out] = sc[slot];
      else kernel::slot_as<T>(v[S.out]) = std::get<slot>(regs).v[U];
      return;
    }
  }
  kernel::run_step<S>(v, x, s);
}

template <class P, int K, int I, int Root, int U, bool Rcp, int N, class Regs, class Params, int NS>
__device__ __forceinline__ auto eval_register(const exec_state<N>& s, const index_t& ix, const Regs& regs, const Params& params,
                                              const kernel::value_slot (&sc)[NS]) {
  return kernel::eval_with<P, I, Root>(ix, [&]<step S, std::size_t J>(kernel::value_slot* v, index_t* x) {
    run_register_step<P, K, I, Root, U, Rcp, S, J>(v, x, s, regs, params, sc);
  });
}

// Whether a step derives an index register (the ix_ steps), not a value.
constexpr bool computes_index(step_op op) {
  switch (op) {
  case step_op::load: case step_op::constant: case step_op::pointwise: case step_op::cast:
  case step_op::select: case step_op::move: case step_op::iota:
    return false;
  default:
    return true;
  }
}

// Whether the program of I (at Root) divides by a row-invariant f32 value somewhere.
template <class P, int I, int Root> constexpr bool divides_by_invariant() {
  return []<std::size_t... J>(std::index_sequence<J...>) {
    return (f32_recip<P, I, Root, J>() || ...);
  }(std::make_index_sequence<kernel::program_v<P, I, Root>.steps.size()>{});
}
// Whether every row-invariant f32 divisor of I's program, on this row, may be replaced by
// its reciprocal (as the CPU: divisor and reciprocal normal, or a divisor of 0, inf or NaN
// where both forms agree). Runs the program's index and row-invariant steps once at `ix`.
template <class P, int K, int I, int Root, int N, class Regs, class Params, int NS>
__device__ __forceinline__ bool reciprocal_ok(const exec_state<N>& s, const index_t& ix, const Regs& regs, const Params& params,
                                              const kernel::value_slot (&sc)[NS]) {
  bool ok = true;
  kernel::eval_with<P, I, Root>(ix, [&]<step S, std::size_t J>(kernel::value_slot* v, index_t* x) {
    if constexpr (f32_recip<P, I, Root, J>()) {
      const float b = kernel::slot_as<float>(v[S.b]), q = 1.0f / b;
      constexpr float lo = std::numeric_limits<float>::min(), hi = std::numeric_limits<float>::max();
      const float ab = fabsf(b), aq = fabsf(q);
      ok = ok && (b == 0.0f || !(ab <= hi) || (ab >= lo && ab <= hi && aq >= lo && aq <= hi));
    } else if constexpr (invariant_step<P, I, Root, J>() || computes_index(S.op)) {
      run_register_step<P, K, I, Root, 0, false, S, J>(v, x, s, regs, params, sc);
    }
  });
  return ok;
}

// Loads node X's row at outer index o (its last axis) into this thread's registers r.
template <class P, int X, int TPR, int ITEMS, int N, class T>
__device__ __forceinline__ void load_register_row(const exec_state<N>& s, const index_t& o, std::int64_t n, int t, T (&r)[ITEMS]) {
  constexpr int last = record_v<P, X>.shp.rank - 1;
  const T* src = static_cast<const T*>(s.data[X]) + offset_in<last>(s.str[X], o);
  const std::int64_t step = s.str[X][last];
  if constexpr (sizeof(T) == 4) {
    if (step == 1 && n % 4 == 0 && reinterpret_cast<std::uintptr_t>(src) % 16 == 0) {
#pragma unroll
      for (int c = 0; c < ITEMS / 4; ++c) {
        const std::int64_t at = register_position<TPR>(c * 4, t);
        if (at < n) {
          const uint4 q = __ldg(reinterpret_cast<const uint4*>(src + at));
          r[c * 4 + 0] = std::bit_cast<T>(q.x);
          r[c * 4 + 1] = std::bit_cast<T>(q.y);
          r[c * 4 + 2] = std::bit_cast<T>(q.z);
          r[c * 4 + 3] = std::bit_cast<T>(q.w);
        }
      }
      return;
    }
  }
#pragma unroll
  for (int u = 0; u < ITEMS; ++u) {
    const std::int64_t at = register_position<TPR>(u, t);
    if (at < n) r[u] = src[at * step];
  }
}

// The work of one stage (register_stage) once its row parameters are loaded; Rcp: its
// divisions by row-invariant values multiply by their reciprocals.
template <class P, int K, int TPR, int ITEMS, int I, bool Rcp, int N, class Regs, class Params, int NS>
__device__ __forceinline__ void register_stage_body(const exec_state<N>& s, const index_t& o, std::int64_t n, int t, bool active,
                                                    Regs& regs, const Params& params, kernel::value_slot (&sc)[NS]) {
  constexpr node_record r = record_v<P, I>;
  constexpr int orank = P::plan.outer_rank[K];
  constexpr row_role role = row_cache_v<P, K>.role[I];
  constexpr int slot = row_cache_v<P, K>.slot[I];
  constexpr bool store = row_cache_v<P, K>.store[I];
  using T = value_t<P, I>;
  // every register of every thread holds an element of the row (no bound check per element)
  constexpr bool whole_rows = static_row_length<P, K>() == static_cast<std::int64_t>(TPR) * ITEMS;
  T* out = static_cast<T*>(const_cast<void*>(s.data[I]));
  index_t ix = o;
  if constexpr (r.kind == op_kind::reduction) {
    constexpr int c = r.inputs[0];
    using In = value_t<P, c>;
    partial<In> p = empty_partial<r.code, In>();
    // A float sum adds a thread's ITEMS values in float (-0 is its identity), then joins the
    // double tree once: one conversion and one double add per thread, not per element.
    constexpr bool float_sum = (r.code == op_code::sum || r.code == op_code::mean) && std::is_same_v<In, float>;
    float local = -0.0f;
    [&]<std::size_t... U>(std::index_sequence<U...>) {
      ([&] {
        const std::int64_t j = register_position<TPR>(static_cast<int>(U), t);
        if (active && (whole_rows || j < n)) {
          ix.v[orank] = j;
          const In v = static_cast<In>(eval_register<P, K, c, I, static_cast<int>(U), Rcp>(s, ix, regs, params, sc));
          if constexpr (float_sum) local += v;
          else add_value<r.code>(p, v, j);
        }
      }(), ...);
    }(std::make_index_sequence<ITEMS>{});
    if constexpr (float_sum) add_value<r.code>(p, local, 0);
    p = group_reduce<TPR, I, r.code>(p);
    const T result = finish<r.code, T>(p, n);
    if constexpr (role == row_role::stage_scalar) kernel::slot_as<T>(sc[slot]) = result;
    if constexpr (store)
      if (active && t == 0) out[offset_of<P, I>(s, o)] = result; // o: keepdim's trailing index is 0
  } else {
    T val[ITEMS]{};
    [&]<std::size_t... U>(std::index_sequence<U...>) {
      ([&] {
        const std::int64_t j = register_position<TPR>(static_cast<int>(U), t);
        if (active && (whole_rows || j < n)) {
          ix.v[orank] = j;
          val[U] = eval_register<P, K, I, I, static_cast<int>(U), Rcp>(s, ix, regs, params, sc);
          if constexpr (role == row_role::stage_row) std::get<slot>(regs).v[U] = val[U];
        }
      }(), ...);
    }(std::make_index_sequence<ITEMS>{});
    if constexpr (store) {
      if (!active) return;
      ix.v[orank] = 0;
      T* row = out + offset_of<P, I>(s, ix);
      const std::int64_t step = s.str[I][orank];
      if constexpr (sizeof(T) == 4) {
        if (step == 1 && n % 4 == 0 && reinterpret_cast<std::uintptr_t>(row) % 16 == 0) {
#pragma unroll
          for (int c = 0; c < ITEMS / 4; ++c) {
            const std::int64_t at = register_position<TPR>(c * 4, t);
            if (at < n)
              *reinterpret_cast<uint4*>(row + at) = uint4{std::bit_cast<unsigned>(val[c * 4]), std::bit_cast<unsigned>(val[c * 4 + 1]),
                                                          std::bit_cast<unsigned>(val[c * 4 + 2]), std::bit_cast<unsigned>(val[c * 4 + 3])};
          }
          return;
        }
      }
#pragma unroll
      for (int u = 0; u < ITEMS; ++u) {
        const std::int64_t at = register_position<TPR>(u, t);
        if (at < n) row[at * step] = val[u];
      }
    }
  }
}

// One stage of a register row kernel for the row at outer index o.
template <class P, int K, int TPR, int ITEMS, int I, int N, class Regs, int NS>
__device__ __forceinline__ void register_stage(const exec_state<N>& s, const index_t& o, std::int64_t n, int t, bool active, Regs& regs,
                                               kernel::value_slot (&sc)[NS]) {
  register_params_t<P, K, ITEMS> params{};
  if (active)
    [&]<std::size_t... S>(std::index_sequence<S...>) {
      ([&] {
        if constexpr ((param_plan_v<P, K>.used[I] >> S) & 1u)
          load_register_row<P, param_plan_v<P, K>.node[S], TPR, ITEMS>(s, o, n, t, std::get<S>(params).v);
      }(), ...);
    }(std::make_index_sequence<param_plan_v<P, K>.slots>{});
  constexpr node_record r = record_v<P, I>;
  constexpr int evaluated = r.kind == op_kind::reduction ? r.inputs[0] : I; // the stage's program: evaluated's value in I
  if constexpr (divides_by_invariant<P, evaluated, I>()) {
    // the divisor is the same for the whole row (and so for every thread of the group)
    index_t ix = o;
    ix.v[P::plan.outer_rank[K]] = 0;
    if (reciprocal_ok<P, K, evaluated, I>(s, ix, regs, params, sc)) {
      register_stage_body<P, K, TPR, ITEMS, I, true>(s, o, n, t, active, regs, params, sc);
      return;
    }
  }
  register_stage_body<P, K, TPR, ITEMS, I, false>(s, o, n, t, active, regs, params, sc);
}

// The register row kernel: a group of TPR threads per row, block b takes the row groups
// b, b + gridDim.x, ...
// Blocks per multiprocessor the kernel is compiled for (__launch_bounds__): as many as the
// registers it keeps live allow, estimated as ITEMS per row slot and per row parameter of
// the stage that reads the most of them, plus COIL_CUDA_REG_OVERHEAD for the rest (indices,
// pointers, partials). Fewer blocks leave the loads of too few rows in flight; more make
// the compiler spill. (On an H200, with 8 items and 128 threads per row of 1024: softmax,
// 2 row slots, 6 blocks: 0.044 ms; 5: 0.048; layer_norm, 1 row and 2 parameters, 5 blocks:
// 0.040 ms; 6: 0.045; 8: 0.060. With 32 items, a warp per row: 2 blocks for both.)
#ifndef COIL_CUDA_REG_OVERHEAD
#define COIL_CUDA_REG_OVERHEAD 24
#endif
template <class P, int K> constexpr int register_min_blocks() {
  const int items = register_shape_for(static_row_length<P, K>()).items;
  int params = 0;
  for (int st = P::plan.kernel_begin[K]; st < P::plan.kernel_end[K]; ++st) {
    const int used = std::popcount(param_plan_v<P, K>.used[P::plan.stage_node[st]]);
    params = used > params ? used : params;
  }
  const int regs = items * (row_cache_v<P, K>.row_slots + params) + COIL_CUDA_REG_OVERHEAD;
  const int blocks = 65536 / (block_threads * regs);
  return blocks < 1 ? 1 : blocks > 8 ? 8 : blocks;
}
template <class P, int K, int N>
__global__ void __launch_bounds__(block_threads, register_min_blocks<P, K>()) register_rows(exec_state<N> s, std::int64_t outer) {
  constexpr std::int64_t n = static_row_length<P, K>();
  constexpr register_shape shape = register_shape_for(n);
  constexpr int TPR = shape.tpr, ITEMS = shape.items;
  constexpr int input_rows = row_cache_v<P, K>.input_rows;
  constexpr int scalar_slots = row_cache_v<P, K>.scalar_slots;
  constexpr int begin = P::plan.kernel_begin[K];
  constexpr int orank = P::plan.outer_rank[K];
  constexpr int space = kernel::kernel_space_v<P, K>;
  constexpr int groups = block_threads / TPR;
  constexpr int NS = scalar_slots > 0 ? scalar_slots : 1;
  const int g = static_cast<int>(threadIdx.x) / TPR, t = static_cast<int>(threadIdx.x) % TPR;
  register_rows_t<P, K, ITEMS> regs{};
  kernel::value_slot sc[NS]{};
  for (std::int64_t base = static_cast<std::int64_t>(blockIdx.x) * groups; base < outer;
       base += static_cast<std::int64_t>(gridDim.x) * groups) {
    const std::int64_t row = base + g;
    const bool active = row < outer;
    const index_t o = unflatten(active ? row : 0, s.ext[space], orank);
    if (active)
      [&]<std::size_t... S>(std::index_sequence<S...>) {
        (load_register_row<P, row_cache_v<P, K>.row_node[S], TPR, ITEMS>(s, o, n, t, std::get<S>(regs).v), ...);
      }(std::make_index_sequence<input_rows>{});
    [&]<std::size_t... S>(std::index_sequence<S...>) {
      (register_stage<P, K, TPR, ITEMS, P::plan.stage_node[begin + static_cast<int>(S)]>(s, o, n, t, active, regs, sc), ...);
    }(std::make_index_sequence<P::plan.stages_in(K)>{});
    if constexpr (TPR > 32) __syncthreads(); // the next row's reductions reuse their scratch
  }
}

} // namespace coil::cuda_kernel
#endif // __CUDACC__
