// Row-major iteration over a multi-index, shared by the CPU loops.
#pragma once
#include <cstdint>

#include "../exec_state.hpp"

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace coil::kernel {

// Calls f(ix) for every index of the extents ext[0..rank), last axis fastest. Nothing is
// called when an extent is 0; f is called once for rank 0.
template <class F> void for_each_index(int rank, const std::int64_t* ext, F&& f) {
  for (int d = 0; d < rank; ++d)
    if (ext[d] == 0) return;
  index_t ix{};
  while (true) {
    f(ix);
    int d = rank - 1;
    for (; d >= 0; --d) {
      if (++ix.v[d] < ext[d]) break;
      ix.v[d] = 0;
    }
    if (d < 0) return;
  }
}

// for_each_index over a kernel's outer loop, on OpenMP threads when the build has OpenMP
// (-fopenmp), more than one thread is allowed and the kernel touches at least `grain`
// elements (`work`); else serial. Indices go to threads in static chunks, and each index
// runs the same code whichever thread takes it, so the results are the same bits for
// any thread count.
template <class F>
void for_each_index_parallel(int rank, const std::int64_t* ext, [[maybe_unused]] std::int64_t work,
                             [[maybe_unused]] std::int64_t grain, F&& f) {
#if defined(_OPENMP)
  std::int64_t total = 1;
  for (int d = 0; d < rank; ++d) total *= ext[d];
  if (total > 1 && work >= grain && omp_get_max_threads() > 1) {
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < total; ++i) {
      index_t ix{};
      std::int64_t rest = i;
      for (int d = rank - 1; d >= 0; --d) {
        ix.v[d] = rest % ext[d];
        rest /= ext[d];
      }
      f(ix);
    }
    return;
  }
#endif
  for_each_index(rank, ext, f);
}

// Calls f(begin, end) over contiguous ranges that cover [0, total) in order: one range per
// OpenMP thread (thread t of n gets [t * total / n, (t + 1) * total / n)) when the build
// has OpenMP, more than one thread is allowed and `work` >= `grain`; else f(0, total) on
// the calling thread. Nothing is called for an empty range.
template <class F>
void for_each_range_parallel(std::int64_t total, [[maybe_unused]] std::int64_t work, [[maybe_unused]] std::int64_t grain,
                             F&& f) {
  if (total <= 0) return;
#if defined(_OPENMP)
  if (total > 1 && work >= grain && omp_get_max_threads() > 1) {
#pragma omp parallel
    {
      const std::int64_t n = omp_get_num_threads(), t = omp_get_thread_num();
      const std::int64_t begin = total * t / n, end = total * (t + 1) / n;
      if (begin < end) f(begin, end);
    }
    return;
  }
#endif
  f(std::int64_t{0}, total);
}

// The multi-index of row-major position i under the extents ext[0..rank).
inline index_t index_at(int rank, const std::int64_t* ext, std::int64_t i) {
  index_t ix{};
  for (int d = rank - 1; d >= 0; --d) {
    ix.v[d] = i % ext[d];
    i /= ext[d];
  }
  return ix;
}

// Moves ix to the next row-major index under ext[0..rank) (past the last one it wraps).
inline void next_index(int rank, const std::int64_t* ext, index_t& ix) {
  for (int d = rank - 1; d >= 0; --d) {
    if (++ix.v[d] < ext[d]) return;
    ix.v[d] = 0;
  }
}

} // namespace coil::kernel
