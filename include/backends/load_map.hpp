// Where the loads of a kernel program read, as an affine map of the index the program is
// asked for (views and broadcasts are affine): built once per kernel call on the host from
// the call's strides, then used to walk rows without re-running the index steps. Shared
// by the CPU vector loops (cpu/simd.hpp, cpu/tiles.hpp) and the CUDA launcher (its
// shared-memory transposes, cuda/tiles.hpp).
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "eval.hpp"

namespace coil::kernel {

// Where each load of a program reads at one index of its row: the element at inner index
// 0 and whether it moves with the inner index (1) or stays (0). Indexed by step number.
// With Lanes (a program with bool loads or iota, cpu/simd.hpp): a bool load's bytes in
// `flag` (its `at` unused), and an iota's value at inner index 0 and its step along the row.
template <std::size_t Steps> struct lane_reads {
  const bool* flag[Steps > 0 ? Steps : 1]{};
  std::int64_t iota[Steps > 0 ? Steps : 1]{};
  std::int64_t iota_step[Steps > 0 ? Steps : 1]{};
};
struct no_lane_reads {};
template <class T, std::size_t Steps, bool Lanes = false>
struct row_reads : std::conditional_t<Lanes, lane_reads<Steps>, no_lane_reads> {
  static constexpr bool lanes = Lanes;
  const T* at[Steps > 0 ? Steps : 1]{};
  bool moves[Steps > 0 ? Steps : 1]{};
};
template <class Prog> constexpr bool reads_lanes(const Prog& p) {
  for (const step& s : p.steps)
    if (s.op == step_op::iota || (s.op == step_op::load && s.type == dtype::b8)) return true;
  return false;
}
// (T: the program's lane type, cpu/simd.hpp: its element type, or the compared operands'
// type of a bool program)
template <class T, class P, int I, int Root>
using row_reads_t = row_reads<T, program_v<P, I, Root>.steps.size(), reads_lanes(program_v<P, I, Root>)>;

// A step with its guard dropped: the load map runs every index step (a where's branches
// read at the where's own index; cpu/simd.hpp runs both branches).
constexpr step unguarded(step s) {
  s.guard = -1;
  return s;
}

// Runs the index steps of the program at `ix` and records each load's element offset (and
// each iota's value).
// (The program is named in full inside the lambdas: g++ 13 stops with an internal
// compiler error, tsubst, on a local `constexpr auto&` to it used there.)
template <class P, int I, int Root, int N>
COIL_INLINE void load_offsets(const exec_state<N>& s, const index_t& ix, std::int64_t* off) {
  constexpr std::size_t steps = program_v<P, I, Root>.steps.size();
  index_t x[program_v<P, I, Root>.indices]{};
  x[0] = ix;
  [&]<std::size_t... J>(std::index_sequence<J...>) {
    (
        [&] {
          constexpr step S = program_v<P, I, Root>.steps[J];
          if constexpr (S.op == step_op::load)
            off[J] = offset_in<S.rank>(s.str[S.node], x[S.a]);
          else if constexpr (S.op == step_op::iota)
            off[J] = x[S.a].v[S.axis];
          else if constexpr (S.op != step_op::constant && S.op != step_op::pointwise && S.op != step_op::cast &&
                             S.op != step_op::select && S.op != step_op::move) // index steps: index registers only
            run_step<unguarded(S)>(nullptr, x, s);
        }(),
        ...);
  }(std::make_index_sequence<steps>{});
}

// Whether every index step of a program is affine in the index it is asked for (views and
// broadcasts: no gather, cat, iota or guarded branch), so that a load map describes it.
template <class Prog> constexpr bool affine_program(const Prog& p) {
  for (const step& s : p.steps) {
    if (s.guard >= 0) return false;
    switch (s.op) {
    case step_op::load: case step_op::constant: case step_op::pointwise: case step_op::cast:
    case step_op::ix_bcast: case step_op::ix_permute: case step_op::ix_slice: case step_op::ix_squeeze:
    case step_op::ix_unsqueeze: case step_op::ix_window: case step_op::ix_flip: case step_op::ix_merge:
      break;
    default:
      return false;
    }
  }
  return true;
}
template <class P, int I, int Root> inline constexpr bool affine_program_v = affine_program(program_v<P, I, Root>);

// Where every load of a program reads, as an affine map of the index it is asked for:
// offset = base + sum over axes d of ix[d] * step[d]. Every index step of a vectorizable
// program is affine (views and broadcasts; a broadcastable symbol bound to 1 is a step
// of 0 for the whole call; affine_program), so the map is built once per kernel call from rank + 1 runs
// of the index steps, not twice per row. `ok`: every load moves by 0 or 1 along the inner
// axis (else the caller runs the scalar loop).
//
// An iota's entry is its value (base and steps the same way); iota_max bounds the
// magnitude of every iota of the call over the iterated space, a batch past its end
// included (cpu/simd.hpp keeps index values in int32 lanes while they fit: `fits`).
template <std::size_t Steps> struct load_map {
  static constexpr std::size_t size = Steps > 0 ? Steps : 1;
  bool ok = true;
  bool fits = true; // every index value fits the lanes holding it (batch_map)
  int rank = 0, inner = 0;
  std::int64_t iota_max = 0;
  // per step: 1 a load of values (of the program's lane type on batches: cpu/simd.hpp), 2 a
  // bool load, 3 an iota
  std::uint8_t what[size]{};
  std::int64_t base[size]{};
  std::int64_t step[max_rank][size]{};
  bool moves[size]{};
};
template <class P, int I, int Root> using load_map_t = load_map<program_v<P, I, Root>.steps.size()>;

template <class P, int I, int Root, int N>
load_map_t<P, I, Root> make_load_map(const exec_state<N>& s, int rank, int inner) {
  constexpr auto& prog = program_v<P, I, Root>;
  load_map_t<P, I, Root> m;
  m.rank = rank;
  m.inner = inner;
  index_t ix{};
  load_offsets<P, I, Root>(s, ix, m.base);
  for (int d = 0; d < rank; ++d) {
    std::int64_t at[load_map_t<P, I, Root>::size]{};
    ix.v[d] = 1;
    load_offsets<P, I, Root>(s, ix, at);
    ix.v[d] = 0;
    for (std::size_t j = 0; j < prog.steps.size(); ++j) m.step[d][j] = at[j] - m.base[j];
  }
  for (std::size_t j = 0; j < prog.steps.size(); ++j) {
    const step& st = prog.steps[j];
    m.what[j] = st.op == step_op::iota ? 3 : st.op != step_op::load ? 0 : st.type != dtype::b8 ? 1 : 2;
    if (prog.steps[j].op == step_op::iota) {
      auto mag = [](std::int64_t v) { return v < 0 ? -v : v; };
      std::int64_t at = mag(m.base[j]) + 64 * mag(m.step[inner][j]); // 64: lanes of a padded tail
      for (int d = 0; d < rank; ++d) at += mag(m.step[d][j]) * (s.ext[I][d] > 0 ? s.ext[I][d] - 1 : 0);
      m.iota_max = at > m.iota_max ? at : m.iota_max;
    }
    if (prog.steps[j].op != step_op::load) continue;
    const std::int64_t d = m.step[inner][j];
    m.ok = m.ok && (d == 0 || d == 1);
    m.moves[j] = d == 1;
  }
  return m;
}

// The innermost axis below `inner` with an extent above 1 along which every load J with
// staged(J) moves by exactly 1 element, or -1: the axis along which transposed operands
// are read into tiles (cpu/tiles.hpp, cuda/tiles.hpp).
template <std::size_t Steps, class Staged>
int unit_axis(const load_map<Steps>& m, const std::int64_t* ext, int inner, const Staged& staged) {
  for (int a = inner - 1; a >= 0; --a) {
    bool all = ext[a] > 1;
    for (std::size_t j = 0; j < Steps && all; ++j) all = !staged(j) || m.step[a][j] == 1;
    if (all) return a;
  }
  return -1;
}

// Where load (or iota) step S, number J, of a program of rank Rank reads in the row
// starting at `ix`. (A function template per step, not a branch in reads_at's fold: clang
// checks a discarded branch of a lambda once the lambda is no longer a template.)
template <step S, std::size_t J, int Rank, class T, std::size_t Steps, bool Lanes, int N>
COIL_INLINE void read_at(const load_map<Steps>& m, const exec_state<N>& s, const index_t& ix, row_reads<T, Steps, Lanes>& r) {
  if constexpr (S.op == step_op::load || (Lanes && S.op == step_op::iota)) {
    std::int64_t off = m.base[J];
    for (int d = 0; d < Rank; ++d) off += ix.v[d] * m.step[d][J];
    if constexpr (S.op == step_op::iota) {
      r.iota[J] = off;
      r.iota_step[J] = m.step[m.inner][J];
    } else if constexpr (S.type == dtype::b8) {
      if constexpr (Lanes) r.flag[J] = static_cast<const bool*>(s.data[S.node]) + off;
    } else {
      r.at[J] = static_cast<const T*>(s.data[S.node]) + off;
    }
    r.moves[J] = m.moves[J];
  }
}

// The loads of the row starting at `ix` (its inner index 0), from the map.
template <class P, int I, int Root, class T, std::size_t Steps, bool Lanes, int N>
COIL_INLINE void reads_at(const load_map<Steps>& m, const exec_state<N>& s, const index_t& ix, row_reads<T, Steps, Lanes>& r) {
  [&]<std::size_t... J>(std::index_sequence<J...>) {
    (read_at<program_v<P, I, Root>.steps[J], J, record_v<P, I>.shp.rank>(m, s, ix, r), ...);
  }(std::make_index_sequence<Steps>{});
}

} // namespace coil::kernel
