// Pointwise loops over operands that do not move by 0 or 1 element along the output's
// inner axis (a transposed operand, a strided slice): such an operand is read a tile at a
// time into a small buffer, in its own memory order, and the program then runs on batches
// over the buffer as over a contiguous row (simd::row_batches). The scalar loop would read
// it element by element at its stride, one cache line per element, and run the whole
// program on scalars.
//
// A tile covers up to `tile_cols` indices of the output's inner axis and, when every
// staged operand moves by 1 along some other output axis (`axis`: a transpose), up to
// `tile_rows` indices of that axis, so a staged operand is read along its contiguous axis.
// Otherwise (a strided slice) a tile is one row. The staged values are the operand's own
// elements and each output element is computed by the same batch code as on the
// contiguous path, so the results do not depend on the tiling nor on the thread count.
#pragma once
#include <algorithm>
#include <cstdint>

#include "for_each_index.hpp"
#include "simd.hpp"

namespace coil::kernel::simd {

#if COIL_HAS_SIMD

// A tile: tile_rows indices of the tiled axis by tile_cols of the inner axis, multiples of
// every float batch width (4, 8, 16 lanes). Measured on x + t^T [2048, 2048] (bench/cpu.cpp,
// AVX-512, 1 thread): 32 x 32 4.7 ms, 64 x 32 6.1, 16 x 256 4.8, 32 x 128 4.0, 64 x 64 3.6..4.0,
// 64 x 128 3.5: the cost is per row of a tile (its loads' addresses, the hoisted values),
// so wide tiles win until the buffers leave L1.
// (For 8-byte elements, int64, 64 x 32: every buffer is 16 KiB.)
inline constexpr std::int64_t tile_rows = 64, tile_bytes = 16 * 1024;
template <class T> inline constexpr std::int64_t tile_cols = tile_bytes / (tile_rows * static_cast<std::int64_t>(sizeof(T)));
// Operands staged per kernel at most; a buffer each on the stack, as many as the program has
// loads, and one more for the copy before the transpose. More runs the scalar loop.
inline constexpr int max_staged = 4;

// Which loads of a program are staged, and the output axis their tiles run along.
template <std::size_t Steps> struct tile_plan {
  static constexpr std::size_t size = Steps > 0 ? Steps : 1;
  bool ok = false;
  int axis = -1;          // every staged load moves by 1 along this output axis; -1: one row per tile
  int nstaged = 0;
  int slot[size]{};       // load J's buffer, or -1 when it is read in place
};

template <class Prog> constexpr int load_steps(const Prog& p) {
  int n = 0;
  for (const step& s : p.steps) n += s.op == step_op::load;
  return n;
}

// The tiling of a program whose load map is not contiguous (m.ok false) along `inner`, with
// at most `Buffers` staged loads (the non-load steps of a map move by 0: never staged).
template <int Buffers, std::size_t Steps>
tile_plan<Steps> plan_tiles(const load_map<Steps>& m, const std::int64_t* ext, int inner) {
  tile_plan<Steps> t;
  for (std::size_t j = 0; j < tile_plan<Steps>::size; ++j) t.slot[j] = -1;
  if (!m.fits) return t;
  for (std::size_t j = 0; j < Steps; ++j) {
    const std::int64_t d = m.step[inner][j];
    if (d == 0 || d == 1 || m.what[j] == 3) continue; // an iota is computed, not read
    if (m.what[j] != 1) return t;                       // a bool load is not staged
    if (t.nstaged == Buffers) return t;
    t.slot[j] = t.nstaged++;
  }
  if (t.nstaged == 0) return t;
  t.axis = unit_axis(m, ext, inner, [&](std::size_t j) { return t.slot[j] >= 0; });
  t.ok = true;
  return t;
}

// Runs pointwise kernel R (root and body R, vectorizable, its output contiguous along the
// inner axis of rank `rank`) through tiles. False (nothing written) when its loads do not
// fit a tile plan. The staged operands are of R's lane type (a bool output's: the type its
// comparisons run in).
template <class P, int R, class Arch, int N, class Map>
bool run_elementwise_tiled(const Map& m, exec_state<N>& s, int rank, value_t<P, R>* out, std::int64_t work,
                           std::int64_t grain) {
  using T = lane_t<P, R, R>;
  using B = batch<T, Arch>;
  constexpr std::size_t steps = program_v<P, R, R>.steps.size();
  constexpr std::int64_t width = tile_cols<T>; // of a tile, along the inner axis
  const int inner = rank - 1;
  constexpr int buffers = std::max(1, std::min(max_staged, load_steps(program_v<P, R, R>)));
  const tile_plan<steps> t = plan_tiles<buffers>(m, s.ext[R], inner);
  if (!t.ok) return false;
  const int a = t.axis;
  const std::int64_t n = s.ext[R][inner];
  // the outer loop: every axis but the inner one, the tiled axis in steps of tile_rows
  std::int64_t ext[max_rank]{};
  for (int d = 0; d < inner; ++d) ext[d] = s.ext[R][d];
  if (a >= 0) ext[a] = (ext[a] + tile_rows - 1) / tile_rows;
  for_each_index_parallel(inner, ext, work, grain, [&](index_t o) {
    std::int64_t rows = 1;
    if (a >= 0) {
      o.v[a] *= tile_rows;
      rows = std::min(tile_rows, s.ext[R][a] - o.v[a]);
    }
    alignas(64) T buf[buffers][tile_rows * width];
    alignas(64) T runs[width * tile_rows]; // a staged operand's columns, before the transpose
    for (std::int64_t j0 = 0; j0 < n; j0 += width) {
      const std::int64_t cols = std::min(width, n - j0);
      index_t ix = o;
      ix.v[inner] = j0;
      lane_reads_t<P, R, R> origin;
      reads_at<P, R, R>(m, s, ix, origin);
      // stage: buf[r][c] = operand at (tile row r, column c). A transposed operand is
      // copied a contiguous run of `rows` elements per column first (vector loads, many
      // cache lines in flight: an element-wise strided loop waits on one line after
      // another), then transposed inside L1.
      for (std::size_t j = 0; j < steps; ++j) {
        if (t.slot[j] < 0) continue;
        const T* src = origin.at[j];
        const std::int64_t across = m.step[inner][j];
        T* dst = buf[t.slot[j]];
        if (a >= 0) { // m.step[a][j] == 1 (plan_tiles)
          for (std::int64_t c = 0; c < cols; ++c) std::copy_n(src + c * across, rows, runs + c * tile_rows);
          for (std::int64_t r = 0; r < rows; ++r)
            for (std::int64_t c = 0; c < cols; ++c) dst[r * width + c] = runs[c * tile_rows + r];
        } else {
          for (std::int64_t c = 0; c < cols; ++c) dst[c] = src[c * across];
        }
      }
      for (std::int64_t r = 0; r < rows; ++r) {
        if (a >= 0) ix.v[a] = o.v[a] + r;
        ix.v[inner] = j0;
        lane_reads_t<P, R, R> rr;
        reads_at<P, R, R>(m, s, ix, rr);
        for (std::size_t j = 0; j < steps; ++j)
          if (t.slot[j] >= 0) {
            rr.at[j] = buf[t.slot[j]] + r * width;
            rr.moves[j] = true;
          }
        row_batches<P, R, R, B>(rr, cols, out + offset_of<P, R>(s, ix));
      }
    }
  });
  return true;
}

#endif // COIL_HAS_SIMD

} // namespace coil::kernel::simd
