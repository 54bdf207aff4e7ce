// coil: the one public entry. Typed tensor expressions in, fused kernels out, with every
// decision (lowering, realization, fusion, memory) taken at compile time.
//
//   #include <coil.hpp>
//   using namespace coil::literals;
//   constexpr auto x = coil::input<"x", float>(coil::sym<"B">, 784_c);
//   auto model = coil::compile<coil::cpu>(coil::relu(x) * 0.5_c);
//   auto y = model(coil::arg<"x">(xs, 4, 784));   // owning tensor [4, 784]
#pragma once

#include "core/config.hpp"
#include "core/diagnostics.hpp"
#include "core/fixed_string.hpp"
#include "core/targets.hpp"

#include "ir/dim.hpp"
#include "ir/dim_types.hpp"
#include "ir/dtype.hpp"
#include "ir/graph.hpp"
#include "ir/node.hpp"
#include "ir/op_index.hpp"
#include "ir/op_leaf.hpp"
#include "ir/op_matmul.hpp"
#include "ir/op_pointwise.hpp"
#include "ir/op_reduction.hpp"
#include "ir/op_scan.hpp"
#include "ir/op_view.hpp"
#include "ir/shape.hpp"

#include "lowering/rule.hpp"

#include "ops/activations.hpp"
#include "ops/attention.hpp"
#include "ops/common.hpp"
#include "ops/conv.hpp"
#include "ops/custom.hpp"
#include "ops/indexing.hpp"
#include "ops/linear.hpp"
#include "ops/normalization.hpp"
#include "ops/padding.hpp"
#include "ops/pooling.hpp"
#include "ops/shape_ops.hpp"
#include "ops/softmax.hpp"

#include "schedule/memory.hpp"
#include "schedule/plan.hpp"
#include "schedule/traffic.hpp"
#include "schedule/verify.hpp"

#include "backends/eval.hpp"

#include "runtime/model.hpp"
#include "runtime/specialize.hpp"
#include "runtime/status.hpp"
#include "runtime/tensor.hpp"

#if defined(__CUDACC__)
#include "runtime/cuda_model.hpp"
#endif

#if defined(COIL_HAS_FMT) && !defined(__CUDACC__)
#include "debug/explain.hpp"
#include "debug/to_dot.hpp"
#endif
