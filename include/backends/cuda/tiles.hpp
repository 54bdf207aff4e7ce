// Pointwise kernels with a transposed operand, through shared memory (the CUDA side of
// cpu/tiles.hpp). A thread per output element along the inner axis would read such an
// operand at its stride: every thread of a warp touches a different 32-byte sector. Here
// a block takes a 32 x 32 tile of the output (32 indices of the inner axis by 32 of the
// axis along which the operand is contiguous), reads the operand's tile along that axis
// into shared memory (each warp one coalesced 128-byte row), and then computes the tile
// with the inner axis across the lanes, taking the operand from shared memory (rows of 33
// floats: no bank conflicts either way) and every other load as the row kernels do.
// Compiled only by nvcc.
#pragma once
#if defined(__CUDACC__)
#include <cuda_runtime.h>

#include <cstdint>

#include "../eval.hpp"
#include "../load_map.hpp"

namespace coil::cuda_kernel {

inline constexpr int tile_side = 32;     // the tile is tile_side x tile_side elements
// Rows of a tile a block covers at a time (x + t^T [4096, 4096] on an H200, one call:
// 4 rows 0.0839 ms, 8 rows 0.0763, 16 rows 0.1029).
#ifndef COIL_CUDA_TILE_ROWS
#define COIL_CUDA_TILE_ROWS 8
#endif
inline constexpr int tile_rows_step = COIL_CUDA_TILE_ROWS; // a block is tile_side x tile_rows_step threads
inline constexpr int max_staged = 4;     // operands staged per kernel (shared memory: 4 x 32 x 33 elements)

// What the launcher found (host, from the call's load map): the staged loads (their step
// numbers, all below 64, and their type is the output's), the tiled axis, and where each
// staged operand starts and moves.
struct tile_args {
  int axis = -1;           // output axis along which every staged operand moves by 1
  int nstaged = 0;
  std::uint64_t mask = 0;  // bit J: step J is staged (its slot: the staged steps below it)
  const void* data[max_staged]{};
  std::int64_t base[max_staged]{};
  std::int64_t step[max_staged][max_rank]{}; // elements per output index, per axis
};

// The staging of pointwise kernel R for this call, or nstaged == 0 (no transposed operand,
// or one that the tiles cannot take: then the row kernels run).
template <class P, int R, int N> tile_args plan_tiles(const exec_state<N>& s) {
  tile_args t;
  constexpr int rank = kernel::record_v<P, R>.shp.rank;
  if constexpr (rank >= 2 && kernel::affine_program_v<P, R, R>) {
    constexpr auto& prog = kernel::program_v<P, R, R>;
    constexpr int inner = rank - 1;
    if (s.str[R][inner] != 1) return t;
    const auto m = kernel::make_load_map<P, R, R>(s, rank, inner);
    if (m.ok) return t;
    for (std::size_t j = 0; j < prog.steps.size(); ++j) {
      const step& st = prog.steps[j];
      const std::int64_t d = m.step[inner][j];
      if (st.op != step_op::load || d == 0 || d == 1 || st.type != kernel::record_v<P, R>.type) continue;
      if (j >= 64 || t.nstaged == max_staged) return tile_args{};
      const int k = t.nstaged++;
      t.mask |= std::uint64_t{1} << j;
      t.data[k] = s.data[st.node];
      t.base[k] = m.base[j];
      for (int a = 0; a < rank; ++a) t.step[k][a] = m.step[a][j];
    }
    t.axis = kernel::unit_axis(m, s.ext[R], inner, [&](std::size_t j) { return j < 64 && ((t.mask >> j) & 1u); });
    if (t.axis < 0) t.nstaged = 0;
  }
  return t;
}

// Tiles of the output: the tiled axis and the inner axis in steps of tile_side, every
// other axis one index at a time (`outer`: their product; a grid-stride loop over them all). The tiled axis is a
// run-time value: every array indexed by an axis or a staged operand is indexed inside a
// loop unrolled over the compile-time rank (or max_staged), so the indices are constants
// (an index computed at run time into the kernel's parameters, exec_state included, makes
// nvcc copy the whole struct to local memory: 0.39 ms instead of 0.05 for x + t^T
// [4096, 4096]).
template <class P, int R, int N>
__global__ void __launch_bounds__(tile_side * tile_rows_step) pointwise_tiled(exec_state<N> s, tile_args t, std::int64_t outer) {
  constexpr int rank = kernel::record_v<P, R>.shp.rank, inner = rank - 1;
  using T = kernel::value_t<P, R>;
  __shared__ T stage[max_staged][tile_side][tile_side + 1]; // [operand][inner][tiled axis]
  T* out = static_cast<T*>(const_cast<void*>(s.data[R]));
  const int lane = static_cast<int>(threadIdx.x) % tile_side, row0 = static_cast<int>(threadIdx.x) / tile_side;
  const int a = t.axis;
  std::int64_t na = 0;
#pragma unroll
  for (int d = 0; d < inner; ++d)
    if (d == a) na = s.ext[R][d];
  const std::int64_t n = s.ext[R][inner];
  const std::int64_t ta = (na + tile_side - 1) / tile_side, tj = (n + tile_side - 1) / tile_side;
  // the block's tiles: (o, at, jt), jt fastest, moved by gridDim.x tiles at a time as a
  // mixed-radix addition (64-bit divisions are long on a GPU: once per block, not per tile)
  std::int64_t jt = blockIdx.x % tj, at = blockIdx.x / tj % ta, o = blockIdx.x / tj / ta;
  const std::int64_t sj = gridDim.x % tj, sa = gridDim.x / tj % ta, so = gridDim.x / tj / ta;
  for (; o < outer; ) {
    index_t ix{};
    ix.v[inner] = jt * tile_side;
    const std::int64_t a0 = at * tile_side;
    std::int64_t rest = o;
#pragma unroll
    for (int d = inner - 1; d >= 0; --d) {
      if (d == a) {
        ix.v[d] = a0;
      } else {
        ix.v[d] = rest % s.ext[R][d];
        rest /= s.ext[R][d];
      }
    }
    const int rows = static_cast<int>(na - a0 < tile_side ? na - a0 : tile_side);
    const int cols = static_cast<int>(n - ix.v[inner] < tile_side ? n - ix.v[inner] : tile_side);
    __syncthreads(); // the previous tile's reads of `stage` are done
#pragma unroll
    for (int k = 0; k < max_staged; ++k) {
      if (k >= t.nstaged) break;
      std::int64_t origin = t.base[k];
#pragma unroll
      for (int d = 0; d < rank; ++d) origin += ix.v[d] * t.step[k][d];
      const T* src = static_cast<const T*>(t.data[k]) + origin;
      const std::int64_t across = t.step[k][inner];
      // lanes along the tiled axis (the operand's contiguous one): coalesced; a constant
      // trip count, so a thread's loads are all in flight before the first store
      if (lane < rows) {
#pragma unroll
        for (int i = 0; i < tile_side / tile_rows_step; ++i) {
          const int c = row0 + i * tile_rows_step;
          if (c < cols) stage[k][c][lane] = src[lane + c * across];
        }
      }
    }
    __syncthreads();
    if (lane < cols) {
#pragma unroll
      for (int i = 0; i < tile_side / tile_rows_step; ++i) {
        const int r = row0 + i * tile_rows_step;
        if (r >= rows) break;
        index_t at = ix;
        at.v[inner] += lane;
#pragma unroll
        for (int d = 0; d < inner; ++d)
          if (d == a) at.v[d] += r;
        out[kernel::offset_of<P, R>(s, at)] = kernel::eval_with<P, R, R>(at, [&]<step S, std::size_t J>(kernel::value_slot* v, index_t* x) {
          if constexpr (S.op == step_op::load && J < 64) {
            if ((t.mask >> J) & 1u) {
              const int k = __popcll(t.mask & ((std::uint64_t{1} << J) - 1u));
              kernel::slot_as<element_t<S.type>>(v[S.out]) = static_cast<element_t<S.type>>(stage[k][lane][r]);
              return;
            }
          }
          kernel::run_step<S>(v, x, s);
        });
      }
    }
    jt += sj;
    std::int64_t carry = jt >= tj;
    if (carry) jt -= tj;
    at += sa + carry;
    carry = at >= ta;
    if (carry) at -= ta;
    o += so + carry;
  }
}

} // namespace coil::cuda_kernel
#endif
