// The implicit-GEMM convolution on CUDA (conv1d/conv2d on coil::cuda, ops/conv.hpp). Per
// group g it is the GEMM
//   out[n, g*Og + m, p] = sum_k w[g*Og + m, k] * x(k, n, p)  (+ bias[g*Og + m])
// with k = (c, kh, kw) over the group's Cg*KH*KW inputs and p an output pixel (oh, ow);
// x(k, n, p) is the zero-padded input under the window, x[n, g*Cg + c, oh*SH - PH + kh*DH,
// ow*SW - PW + kw*DW]. The im2col lowering stores all of those columns first (KH*KW times
// the input) and hands them to cuBLAS; here each block gathers its tile of them into
// shared memory and multiplies it there, so nothing but the output is written.
//
// A block of 256 threads computes 32 output channels x 128 pixels in steps of 16 inputs;
// each thread 4 x 4 outputs. The next step's tiles are loaded into registers while the
// current one is multiplied. Each output sums its products in k order, one fused
// multiply-add at a time (cuBLAS's order differs: the two agree to rounding).
#pragma once
#if defined(__CUDACC__)
#include <cuda_runtime.h>

#include <cstdint>
#include <type_traits>

#include "../../ops/conv.hpp"
#include "../../runtime/tensor.hpp"

namespace coil::cuda_kernel {

inline constexpr int igemm_tile_m = 32, igemm_tile_n = 128, igemm_tile_k = 16, igemm_threads = 256;

// The sizes and strides of one call, in the 4-d form [N, C, H, W] (conv1d: H = 1, its
// strides 0).
struct conv_igemm_dims {
  std::int64_t x_str[4], w_str[4], out_str[4], bias_str;
  std::int64_t pixels; // N * OH * OW
  int h, w, oh, ow, cg, og;
};

template <class T, int KH, int KW, int SH, int SW, int PH, int PW, int DH, int DW, bool HasBias>
__global__ void __launch_bounds__(igemm_threads)
    conv_igemm_kernel(const T* __restrict__ x, const T* __restrict__ wt, const T* __restrict__ bias, T* __restrict__ out,
                      conv_igemm_dims d) {
  constexpr int BM = igemm_tile_m, BN = igemm_tile_n, BK = igemm_tile_k;
  constexpr int KK = KH * KW;
  constexpr int b_loads = BK * BN / igemm_threads, a_loads = BK * BM / igemm_threads; // per thread and step
  __shared__ alignas(16) T as[BK][BM];
  __shared__ alignas(16) T bs[BK][BN];
  const int tid = static_cast<int>(threadIdx.x);
  const int g = static_cast<int>(blockIdx.z);
  const int m0 = static_cast<int>(blockIdx.y) * BM;
  const std::int64_t p0 = static_cast<std::int64_t>(blockIdx.x) * BN;
  const int depth = d.cg * KK; // K of the GEMM

  // Per step, its BK inputs k = (c, kh, kw) as offsets: in x from a window's corner and in
  // the weight, and the window offsets (kh * DH, kw * DW) for the bounds checks; an input
  // past the end of k gets a window offset no pixel is in bounds at. Two buffers: the
  // next step's table is written while this step's loads read the other.
  constexpr int off_range = 1 << 29; // below any window's corner
  __shared__ std::int64_t x_off[2][BK], w_off[2][BK];
  __shared__ int2 win[2][BK];
  auto make_table = [&](int buf, int k0) {
    if (tid < BK) {
      const int k = k0 + tid;
      const int c = k / KK, kh = (k % KK) / KW, kw = k % KW;
      x_off[buf][tid] = c * d.x_str[1] + (kh * DH) * d.x_str[2] + (kw * DW) * d.x_str[3];
      w_off[buf][tid] = c * d.w_str[1] + kh * d.w_str[2] + kw * d.w_str[3];
      win[buf][tid] = k < depth ? make_int2(kh * DH, kw * DW) : make_int2(-off_range, 0);
    }
  };

  // this thread's column of the pixel tile (fixed over the steps): its window's corner and
  // that corner's offset in x (a pixel past the end: a corner no window offset brings in
  // bounds)
  const int col = tid % BN, row0 = tid / BN;
  const std::int64_t p = p0 + col;
  const std::int64_t plane = static_cast<std::int64_t>(d.oh) * d.ow;
  int ih0 = -off_range, iw0 = 0;
  std::int64_t corner = 0;
  if (p < d.pixels) {
    const std::int64_t img = p / plane;
    const int rest = static_cast<int>(p - img * plane);
    ih0 = (rest / d.ow) * SH - PH;
    iw0 = (rest % d.ow) * SW - PW;
    corner = img * d.x_str[0] + static_cast<std::int64_t>(g) * d.cg * d.x_str[1] + ih0 * d.x_str[2] + iw0 * d.x_str[3];
  }
  const std::int64_t w_rows = static_cast<std::int64_t>(g) * d.og * d.w_str[0];

  T breg[b_loads], areg[a_loads];
  auto load_tiles = [&](int buf) {
#pragma unroll
    for (int i = 0; i < b_loads; ++i) {
      const int kr = row0 + i * (igemm_threads / BN);
      const int2 o = win[buf][kr];
      const bool ok = static_cast<unsigned>(ih0 + o.x) < static_cast<unsigned>(d.h) &&
                      static_cast<unsigned>(iw0 + o.y) < static_cast<unsigned>(d.w);
      breg[i] = ok ? x[corner + x_off[buf][kr]] : T(0);
    }
#pragma unroll
    for (int i = 0; i < a_loads; ++i) {
      const int at = tid + i * igemm_threads, m = at % BM, kr = at / BM;
      const bool ok = m0 + m < d.og && win[buf][kr].x >= 0;
      areg[i] = ok ? wt[w_rows + (m0 + m) * d.w_str[0] + w_off[buf][kr]] : T(0);
    }
  };
  auto store_tiles = [&] {
#pragma unroll
    for (int i = 0; i < b_loads; ++i) bs[row0 + i * (igemm_threads / BN)][col] = breg[i];
#pragma unroll
    for (int i = 0; i < a_loads; ++i) {
      const int at = tid + i * igemm_threads;
      as[at / BM][at % BM] = areg[i];
    }
  };

  // thread (ty, tx) computes channels m0 + 4ty .. +3 and pixels p0 + 4tx .. +3
  const int ty = tid / (BN / 4), tx = tid % (BN / 4);
  T acc[4][4] = {};
  make_table(0, 0);
  __syncthreads();
  load_tiles(0);
  store_tiles();
  make_table(1, BK);
  __syncthreads();
  for (int k0 = 0, step = 0; k0 < depth; k0 += BK, ++step) {
    const bool more = k0 + BK < depth;
    if (more) load_tiles((step + 1) & 1); // in flight while this step multiplies
#pragma unroll
    for (int kk = 0; kk < BK; ++kk) {
      T a[4], b[4];
#pragma unroll
      for (int i = 0; i < 4; ++i) a[i] = as[kk][ty * 4 + i];
#pragma unroll
      for (int j = 0; j < 4; ++j) b[j] = bs[kk][tx * 4 + j];
#pragma unroll
      for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j) acc[i][j] = fma(a[i], b[j], acc[i][j]);
    }
    __syncthreads();
    if (more) {
      store_tiles();
      make_table(step & 1, k0 + 2 * BK); // this step's table is read no more
      __syncthreads();
    }
  }

#pragma unroll
  for (int j = 0; j < 4; ++j) {
    const std::int64_t q = p0 + tx * 4 + j;
    if (q >= d.pixels) continue;
    const std::int64_t n = q / plane;
    const int r = static_cast<int>(q - n * plane), oh = r / d.ow, ow = r % d.ow;
    T* const o = out + n * d.out_str[0] + oh * d.out_str[2] + ow * d.out_str[3];
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const int oc = g * d.og + m0 + ty * 4 + i;
      if (m0 + ty * 4 + i >= d.og) continue;
      T v = acc[i][j];
      if constexpr (HasBias) v += bias[oc * d.bias_str];
      o[oc * d.out_str[1]] = v;
    }
  }
}

// Launches the kernel for views x [N, C, L...], w [O, Cg, K...] and out [N, O, OL...]
// (conv1d's as 4-d with H = 1) on `stream`.
template <int Spatial, conv2d_args A, bool HasBias, std::int64_t KH, std::int64_t KW>
template <class Out, class X, class W, class... B>
void conv_implicit_gemm<Spatial, A, HasBias, KH, KW>::run(void* stream, Out out, X x, W w, B... bias) {
  using T = std::remove_const_t<std::remove_pointer_t<decltype(x.data)>>;
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "coil: the implicit-GEMM convolution takes f32 or f64");
  conv_igemm_dims d{};
  // the 4-d form: [N, C, H, W], a missing H of extent 1 and stride 0
  auto to4 = [](const auto& v, std::int64_t* str) {
    if constexpr (Spatial == 1) {
      str[0] = v.strides[0], str[1] = v.strides[1], str[2] = 0, str[3] = v.strides[2];
    } else {
      for (int k = 0; k < 4; ++k) str[k] = v.strides[static_cast<std::size_t>(k)];
    }
  };
  to4(x, d.x_str);
  to4(w, d.w_str);
  to4(out, d.out_str);
  const std::int64_t n = x.extents[0], c = x.extents[1], o = w.extents[0];
  d.h = Spatial == 1 ? 1 : static_cast<int>(x.extents[2]);
  d.w = static_cast<int>(x.extents[Spatial == 1 ? 2 : 3]);
  d.oh = Spatial == 1 ? 1 : static_cast<int>(out.extents[2]);
  d.ow = static_cast<int>(out.extents[Spatial == 1 ? 2 : 3]);
  d.cg = static_cast<int>(c / A.groups);
  d.og = static_cast<int>(o / A.groups);
  d.pixels = n * d.oh * d.ow;
  const T* b = nullptr;
  if constexpr (HasBias) {
    const auto bv = (bias, ...);
    b = bv.data;
    d.bias_str = bv.strides[0];
  }
  if (d.pixels == 0 || o == 0) return;
  constexpr int sh = Spatial == 1 ? 1 : static_cast<int>(A.stride[0]), sw = static_cast<int>(A.stride[Spatial == 1 ? 0 : 1]);
  constexpr int ph = Spatial == 1 ? 0 : static_cast<int>(A.padding[0]), pw = static_cast<int>(A.padding[Spatial == 1 ? 0 : 1]);
  constexpr int dh = Spatial == 1 ? 1 : static_cast<int>(A.dilation[0]), dw = static_cast<int>(A.dilation[Spatial == 1 ? 0 : 1]);
  const dim3 grid(static_cast<unsigned>((d.pixels + igemm_tile_n - 1) / igemm_tile_n),
                  static_cast<unsigned>((d.og + igemm_tile_m - 1) / igemm_tile_m), static_cast<unsigned>(A.groups));
  conv_igemm_kernel<T, static_cast<int>(KH), static_cast<int>(KW), sh, sw, ph, pw, dh, dw, HasBias>
      <<<grid, igemm_threads, 0, static_cast<cudaStream_t>(stream)>>>(x.data, w.data, b, out.data, d);
}

} // namespace coil::cuda_kernel
#endif // __CUDACC__
