// matmul on the CPU through Eigen (the extern kernel for now): one GEMM per batch index,
// operands read in place through their strides.
#pragma once
// Under nvcc, Eigen 3.4's defaulted __host__ __device__ members draw warning 20012 from
// the device front end; the GEMM is host code, so silence it for Eigen's headers only.
#if defined(__NVCC__)
#pragma nv_diagnostic push
#pragma nv_diag_suppress 20012
#endif
// Eigen's GEMM runs its own OpenMP threads under -fopenmp and blocks k differently for
// one thread and for several: the sums' order, and so the bits, would follow the thread
// count. coil's results must not, so Eigen stays single-threaded.
#ifndef EIGEN_DONT_PARALLELIZE
#define EIGEN_DONT_PARALLELIZE
#endif
#include <Eigen/Core>
#if defined(__NVCC__)
#pragma nv_diagnostic pop
#endif

#include "../eval.hpp"
#include "for_each_index.hpp"

namespace coil::kernel {

template <class T> using RowMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T> using ColMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;

// out = a * b in T (operands converted on the fly when their dtype differs).
template <class T, class MA, class MB, class MO> void gemm(const MA& ma, const MB& mb, MO mo, std::int64_t k) {
  if (k == 0) mo.setZero();
  else mo.noalias() = ma.template cast<T>() * mb.template cast<T>();
}

template <class P, int R, int N> void run_matmul(exec_state<N>& s) {
  constexpr node_record r = record_v<P, R>;
  constexpr int a = r.inputs[0], b = r.inputs[1];
  constexpr node_record ra = record_v<P, a>, rb = record_v<P, b>;
  using T = value_t<P, R>;
  using A = value_t<P, a>;
  using B = value_t<P, b>;
  using Stride = Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>;
  constexpr int rank = r.shp.rank, batch = rank - 2;
  const std::int64_t m = s.ext[R][rank - 2], n = s.ext[R][rank - 1], k = s.ext[a][ra.shp.rank - 1];
  T* out = static_cast<T*>(const_cast<void*>(s.data[R]));
  std::int64_t bext[max_rank]{};
  for (int d = 0; d < batch; ++d) bext[d] = s.ext[R][d];
  // Node's batch rank is a constant here: with a runtime rank g++ -O3 warns (-Warray-bounds)
  // about the never-taken loop of a 2-D operand.
  auto batch_offset = [&]<int Node>(const index_t& bix) {
    constexpr node_record nr = record_v<P, Node>;
    constexpr int nb = nr.shp.rank - 2;
    std::int64_t off = 0;
    for (int d = 0; d < nb; ++d)
      if (!nr.shp.d[d].is_static(1) && !(nr.shp.d[d].broadcastable() && s.ext[Node][d] == 1))
        off += bix.v[d + batch - nb] * s.str[Node][d];
    return off;
  };
  auto body = [&](const index_t& bix) {
    const A* pa = static_cast<const A*>(s.data[a]) + batch_offset.template operator()<a>(bix);
    const B* pb = static_cast<const B*>(s.data[b]) + batch_offset.template operator()<b>(bix);
    std::int64_t ooff = 0;
    for (int d = 0; d < batch; ++d) ooff += bix.v[d] * s.str[R][d];
    const std::int64_t sa = s.str[a][ra.shp.rank - 1], sb = s.str[b][rb.shp.rank - 1], so = s.str[R][rank - 1];
    using Outer = Eigen::OuterStride<>;
    if (sa == 1 && sb == 1 && so == 1) {
      // rows contiguous: Eigen's GEMM reads the operands where they are (with a runtime
      // inner stride it would first copy them into heap temporaries)
      gemm<T>(Eigen::Map<const RowMajor<A>, 0, Outer>(pa, m, k, Outer(s.str[a][ra.shp.rank - 2])),
              Eigen::Map<const RowMajor<B>, 0, Outer>(pb, k, n, Outer(s.str[b][rb.shp.rank - 2])),
              Eigen::Map<RowMajor<T>, 0, Outer>(out + ooff, m, n, Outer(s.str[R][rank - 2])), k);
    } else if (sa == 1 && so == 1 && s.str[b][rb.shp.rank - 2] == 1) {
      // b's columns contiguous (a transposed weight read in place: linear's): its
      // column-major map, again without temporaries
      gemm<T>(Eigen::Map<const RowMajor<A>, 0, Outer>(pa, m, k, Outer(s.str[a][ra.shp.rank - 2])),
              Eigen::Map<const ColMajor<B>, 0, Outer>(pb, k, n, Outer(sb)),
              Eigen::Map<RowMajor<T>, 0, Outer>(out + ooff, m, n, Outer(s.str[R][rank - 2])), k);
    } else {
      gemm<T>(Eigen::Map<const RowMajor<A>, 0, Stride>(pa, m, k, Stride(s.str[a][ra.shp.rank - 2], sa)),
              Eigen::Map<const RowMajor<B>, 0, Stride>(pb, k, n, Stride(s.str[b][rb.shp.rank - 2], sb)),
              Eigen::Map<RowMajor<T>, 0, Stride>(out + ooff, m, n, Stride(s.str[R][rank - 2], so)), k);
    }
  };
  if (m == 0 || n == 0) return;
  for_each_index(batch, bext, body);
}

} // namespace coil::kernel
