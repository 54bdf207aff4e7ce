// Which GEMM epilogues a BLAS library can apply for the planner: a matmul kernel K whose
// product only the next kernel reads, where that kernel is one pointwise stage computing
// `product + bias` (bias a vector along the output's last axis), optionally through relu.
// cuBLASLt computes these inside the GEMM (CUBLASLT_EPILOGUE_BIAS, _RELU_BIAS), writing
// the epilogue's output directly: the pointwise kernel and the product's round trip
// through memory go away. Anything else (gelu with erf, a residual, a cast, another
// reader of the product) stays the planner's own epilogue kernel.
//
// Decided from the plan and the epilogue's kernel program alone, so it is a constant of
// the model; whether a call can use it (strides, alignment) is the backend's run-time
// check.
#pragma once
#include "eval.hpp"

namespace coil::kernel {

enum class gemm_epilogue_kind : std::uint8_t { none, bias, relu_bias };

struct gemm_epilogue {
  gemm_epilogue_kind kind = gemm_epilogue_kind::none;
  int product = -1; // the matmul node (kernel K's root)
  int bias = -1;    // the bias vector's node
  int out = -1;     // the epilogue's node (kernel K + 1's root): where the GEMM writes
};

namespace detail {
template <class P, int K> constexpr gemm_epilogue match_gemm_epilogue() {
  constexpr auto& plan = P::plan;
  if constexpr (K < 0 || K + 1 >= plan.kernel_count) {
    return {};
  } else if constexpr (plan.kind[K] != kernel_kind::matmul || plan.kind[K + 1] != kernel_kind::pointwise ||
                       plan.stages_in(K + 1) != 1) {
    return {};
  } else {
    constexpr int m = plan.kernel_root[K], e = plan.kernel_root[K + 1];
    constexpr node_record rm = record_v<P, m>, re = record_v<P, e>;
    // the product: 2-d float, read by one node only (inside the epilogue), not an output
    if constexpr (rm.shp.rank != 2 || re.shp.rank != 2 || rm.type != dtype::f32 || re.type != dtype::f32 ||
                  P::graph::users[m] != 1 || plan.output_slot[m] >= 0) {
      return {};
    } else {
      // Walk the program with a tag per register: what each value and index holds.
      enum tag : std::uint8_t { other, product_here, bias_here, sum, relu_sum, out_index, last_axis };
      constexpr auto& prog = program_v<P, e, e>;
      tag val[prog.values > 0 ? prog.values : 1]{};
      tag ix[prog.indices > 0 ? prog.indices : 1]{};
      ix[0] = out_index;
      // axes of the output whose extent is a static 1: an index reading 0 there is the
      // output's own index (the planner writes such reads of a [1, n] product)
      std::uint32_t static_ones = 0;
      for (int d = 0; d < 2; ++d)
        if (re.shp.d[d].is_static(1)) static_ones |= 1u << d;
      gemm_epilogue g;
      int loads_of_product = 0;
      for (const step& s : prog.steps) {
        if (s.guard >= 0) return {};
        if (s.op == step_op::ix_bcast) {
          if (ix[s.a] != out_index || s.rank != 2 || s.dmask != 0) return {};
          if (s.crank == 2 && (s.mask & ~static_ones) == 0) ix[s.out] = out_index; // 0 only where the extent is 1
          else if (s.crank == 1 && s.mask == 0) ix[s.out] = last_axis;             // [n] at the output's last axis
          else return {};
        } else if (s.op == step_op::load) {
          if (s.type != dtype::f32) return {};
          if (s.node == m && ix[s.a] == out_index && s.rank == 2) {
            val[s.out] = product_here;
            ++loads_of_product;
          } else if (s.node != m && ix[s.a] == last_axis && s.rank == 1 && (g.bias < 0 || g.bias == s.node)) {
            val[s.out] = bias_here;
            g.bias = s.node;
          } else {
            return {};
          }
        } else if (s.op == step_op::pointwise && s.code == op_code::add && s.type == dtype::f32 && s.compute == dtype::f32) {
          const bool pb = val[s.a] == product_here && val[s.b] == bias_here;
          const bool bp = val[s.a] == bias_here && val[s.b] == product_here;
          if (!pb && !bp) return {};
          val[s.out] = sum;
        } else if (s.op == step_op::pointwise && s.code == op_code::relu && s.type == dtype::f32 && s.compute == dtype::f32) {
          if (val[s.a] != sum) return {};
          val[s.out] = relu_sum;
        } else {
          return {};
        }
      }
      if (loads_of_product != 1) return {};
      if (val[prog.result] == sum) g.kind = gemm_epilogue_kind::bias;
      else if (val[prog.result] == relu_sum) g.kind = gemm_epilogue_kind::relu_bias;
      else return {};
      g.product = m;
      g.out = e;
      return g;
    }
  }
}
} // namespace detail

// The epilogue a library may fuse into matmul kernel K (kind none: none).
template <class P, int K> inline constexpr gemm_epilogue gemm_epilogue_v = detail::match_gemm_epilogue<P, K>();

} // namespace coil::kernel
