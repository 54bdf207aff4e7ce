// matmul on the CPU through Eigen (the extern kernel of v1): one GEMM per batch index,
// operands read in place through their strides.
#pragma once
// Under nvcc, Eigen 3.4's defaulted __host__ __device__ members draw warning 20012 from
// the device front end; the GEMM is host code, so silence it for Eigen's headers only.
#if defined(__NVCC__)
#pragma nv_diagnostic push
#pragma nv_diag_suppress 20012
#endif
#include <Eigen/Core>
#if defined(__NVCC__)
#pragma nv_diagnostic pop
#endif

#include "../eval.hpp"
#include "for_each_index.hpp"

namespace coil::kernel {

template <class P, int R, int N> void run_matmul(exec_state<N>& s) {
  constexpr node_record r = record_v<P, R>;
  constexpr int a = r.inputs[0], b = r.inputs[1];
  constexpr node_record ra = record_v<P, a>, rb = record_v<P, b>;
  using T = value_t<P, R>;
  using A = value_t<P, a>;
  using B = value_t<P, b>;
  using Stride = Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>;
  using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
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
      if (!nr.shp.d[d].is_static(1)) off += bix.v[d + batch - nb] * s.str[Node][d];
    return off;
  };
  auto body = [&](const index_t& bix) {
    const A* pa = static_cast<const A*>(s.data[a]) + batch_offset.template operator()<a>(bix);
    const B* pb = static_cast<const B*>(s.data[b]) + batch_offset.template operator()<b>(bix);
    std::int64_t ooff = 0;
    for (int d = 0; d < batch; ++d) ooff += bix.v[d] * s.str[R][d];
    Eigen::Map<const Eigen::Matrix<A, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>, 0, Stride> ma(
        pa, m, k, Stride(s.str[a][ra.shp.rank - 2], s.str[a][ra.shp.rank - 1]));
    Eigen::Map<const Eigen::Matrix<B, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>, 0, Stride> mb(
        pb, k, n, Stride(s.str[b][rb.shp.rank - 2], s.str[b][rb.shp.rank - 1]));
    Eigen::Map<Mat, 0, Stride> mo(out + ooff, m, n, Stride(s.str[R][rank - 2], s.str[R][rank - 1]));
    if (k == 0) mo.setZero();
    else mo.noalias() = ma.template cast<T>() * mb.template cast<T>();
  };
  if (m == 0 || n == 0) return;
  for_each_index(batch, bext, body);
}

} // namespace coil::kernel
