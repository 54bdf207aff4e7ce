// cuBLASLt GEMMs with a fused epilogue (bias, relu + bias: backends/gemm_epilogue.hpp) for
// the CUDA runtime. A float32 GEMM in full fp32 (CUBLAS_COMPUTE_32F: no TF32, as the
// plain cublasSgemm path), the row-major product computed as its column-major transpose:
// D^T [n, m] = B^T [n, k] * A^T [k, m] + bias [n], the bias along D^T's rows, which are
// the output's columns.
//
// cuBLASLt's objects and the algorithm its heuristic picks are kept per GEMM (lt_gemm)
// and reused while the call's shape, layouts and pointer alignments stay the same:
// asking the heuristic costs more than a small GEMM. Compiled only by nvcc.
#pragma once
#if defined(__CUDACC__)
#include <cublasLt.h>
#include <cuda_runtime.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "../backends/gemm_epilogue.hpp"
#include "status.hpp"

namespace coil::detail {

inline status cublaslt_status(cublasStatus_t err, const char* what) {
  if (err == CUBLAS_STATUS_SUCCESS) return {};
  return fail_status("coil::cuda: ", what, ": cuBLAS status ", static_cast<int>(err));
}

// The largest power of two, at most 256, that divides the address: the alignment the
// heuristic may assume (its default, 256, would let it pick kernels that fault on less).
inline std::uint32_t pointer_alignment(const void* p) {
  const auto a = reinterpret_cast<std::uintptr_t>(p);
  std::uint32_t align = 256;
  while (align > 1 && a % align != 0) align /= 2;
  return align;
}

// One GEMM in the column-major terms cuBLASLt takes (first = B^T, second = A^T).
struct lt_gemm_shape {
  std::int64_t m = 0, n = 0, k = 0;          // the row-major output is [m, n]
  cublasOperation_t op_first = CUBLAS_OP_N, op_second = CUBLAS_OP_N;
  std::int64_t ld_first = 0, ld_second = 0, ld_out = 0;
  kernel::gemm_epilogue_kind epilogue = kernel::gemm_epilogue_kind::none;
  // pointer alignments: A, B, C/D are heuristic preferences; cuBLASLt takes none for the
  // bias, whose alignment is in the key so that an algorithm picked with one bias
  // alignment is asked for again, not reused, with another
  std::uint32_t align_first = 0, align_second = 0, align_out = 0, align_bias = 0;
  std::size_t workspace = 0;
  bool operator==(const lt_gemm_shape&) const = default;
};

class lt_gemm {
public:
  lt_gemm() = default;
  lt_gemm(const lt_gemm&) = delete;
  lt_gemm& operator=(const lt_gemm&) = delete;
  ~lt_gemm() { reset(); }

  // D = first * second + bias (through relu for relu_bias), on `stream`. The objects and
  // algorithm of the last call are reused when `shape` equals its shape.
  status run(cublasLtHandle_t h, const lt_gemm_shape& shape, const float* first, const float* second, const float* bias, float* out,
             void* workspace, cudaStream_t stream) {
    if (!ready_ || !(shape == shape_)) {
      reset();
      const status st = prepare(h, shape);
      if (!st) {
        reset();
        return st;
      }
    }
    status st = cublaslt_status(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof bias),
                                "cublasLtMatmulDescSetAttribute (bias)");
    if (!st) return st;
    const float one = 1.0f, zero = 0.0f;
    return cublaslt_status(cublasLtMatmul(h, desc_, &one, first, first_, second, second_, &zero, out, out_, out, out_, &algo_,
                                          workspace, shape.workspace, stream),
                           "cublasLtMatmul");
  }

private:
  lt_gemm_shape shape_{};
  bool ready_ = false;
  cublasLtMatmulDesc_t desc_ = nullptr;
  cublasLtMatrixLayout_t first_ = nullptr, second_ = nullptr, out_ = nullptr;
  cublasLtMatmulAlgo_t algo_{};

  void reset() {
    if (out_) (void)cublasLtMatrixLayoutDestroy(out_);
    if (second_) (void)cublasLtMatrixLayoutDestroy(second_);
    if (first_) (void)cublasLtMatrixLayoutDestroy(first_);
    if (desc_) (void)cublasLtMatmulDescDestroy(desc_);
    out_ = second_ = first_ = nullptr;
    desc_ = nullptr;
    ready_ = false;
  }

  status prepare(cublasLtHandle_t h, const lt_gemm_shape& g) {
    // stored extents of an operand read with `op` as rows x cols (column-major)
    auto layout = [](cublasLtMatrixLayout_t& l, cublasOperation_t op, std::int64_t rows, std::int64_t cols, std::int64_t ld) {
      if (op != CUBLAS_OP_N) std::swap(rows, cols);
      return cublaslt_status(cublasLtMatrixLayoutCreate(&l, CUDA_R_32F, static_cast<std::uint64_t>(rows),
                                                        static_cast<std::uint64_t>(cols), ld),
                             "cublasLtMatrixLayoutCreate");
    };
    status st = cublaslt_status(cublasLtMatmulDescCreate(&desc_, CUBLAS_COMPUTE_32F, CUDA_R_32F), "cublasLtMatmulDescCreate");
    if (st) st = cublaslt_status(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_TRANSA, &g.op_first, sizeof g.op_first),
                                 "cublasLtMatmulDescSetAttribute (transa)");
    if (st) st = cublaslt_status(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_TRANSB, &g.op_second, sizeof g.op_second),
                                 "cublasLtMatmulDescSetAttribute (transb)");
    const cublasLtEpilogue_t epi =
        g.epilogue == kernel::gemm_epilogue_kind::relu_bias ? CUBLASLT_EPILOGUE_RELU_BIAS : CUBLASLT_EPILOGUE_BIAS;
    if (st) st = cublaslt_status(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof epi),
                                 "cublasLtMatmulDescSetAttribute (epilogue)");
    if (st) st = layout(first_, g.op_first, g.n, g.k, g.ld_first);
    if (st) st = layout(second_, g.op_second, g.k, g.m, g.ld_second);
    if (st) st = layout(out_, CUBLAS_OP_N, g.n, g.m, g.ld_out);
    if (!st) return st;

    cublasLtMatmulPreference_t pref = nullptr;
    st = cublaslt_status(cublasLtMatmulPreferenceCreate(&pref), "cublasLtMatmulPreferenceCreate");
    if (!st) return st;
    auto prefer = [&](cublasLtMatmulPreferenceAttributes_t a, const auto& v) {
      if (st) st = cublaslt_status(cublasLtMatmulPreferenceSetAttribute(pref, a, &v, sizeof v), "cublasLtMatmulPreferenceSetAttribute");
    };
    prefer(CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, g.workspace);
    prefer(CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, g.align_first);
    prefer(CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, g.align_second);
    prefer(CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, g.align_out);
    prefer(CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, g.align_out);
    cublasLtMatmulHeuristicResult_t found{};
    int count = 0;
    if (st)
      st = cublaslt_status(cublasLtMatmulAlgoGetHeuristic(h, desc_, first_, second_, out_, out_, pref, 1, &found, &count),
                           "cublasLtMatmulAlgoGetHeuristic");
    (void)cublasLtMatmulPreferenceDestroy(pref);
    if (!st) return st;
    if (count == 0)
      return fail_status("coil::cuda: cublasLtMatmulAlgoGetHeuristic: no algorithm for the GEMM epilogue of [", g.m, ", ", g.k,
                         "] x [", g.k, ", ", g.n, "]");
    algo_ = found.algo;
    shape_ = g;
    ready_ = true;
    return {};
  }
};

} // namespace coil::detail
#endif // __CUDACC__
