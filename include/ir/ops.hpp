// Op codes and kinds of the primitive IR. Every node of a lowered graph is one of these;
// the kind decides how the planner and the backends treat it.
#pragma once
#include <cstdint>

namespace coil {

enum class op_kind : std::uint8_t {
  input,     // a named tensor the caller passes
  constant,  // a scalar written in the expression
  pointwise, // elementwise over the broadcast of its inputs
  reduction, // folds one or more axes
  view,      // index remapping, no arithmetic
  cat,       // concatenation: elementwise selection among inputs
  matmul,    // extern kernel (Eigen on CPU)
  gather,    // reads its first input at indices that a second (integer) input holds
  custom,    // a user's kernel (coil::custom<Kernel>): host code over its realized inputs
  scan,      // a running sum or product along one axis (cumsum, cumprod)
};

enum class op_code : std::uint8_t {
  input, constant,
  // unary pointwise
  iota, // no inputs: the index along one axis (arange, masks)
  neg, abs, exp, log, log1p, expm1, sqrt, rsqrt, sin, cos, tanh, sigmoid, erf, relu, logical_not, cast,
  realize_hint, inline_hint, // identities that force the planner's decision
  // binary pointwise
  add, sub, mul, div, minimum, maximum, pow, eq, ne, lt, le, gt, ge, logical_and, logical_or,
  // ternary pointwise
  where,
  // reductions
  sum, mean, prod, amax, amin, argmax, argmin,
  // views
  reshape, permute, expand, slice, squeeze, unsqueeze, window, flip,
  cat, matmul, gather, custom,
  cumsum, cumprod,
};

constexpr const char* op_name(op_code c) {
  constexpr const char* names[] = {
      "input", "constant", "iota", "neg", "abs", "exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "sin",
      "cos", "tanh", "sigmoid", "erf", "relu", "logical_not", "cast", "realize", "inline_", "add", "sub", "mul", "div",
      "minimum", "maximum", "pow", "eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or",
      "where", "sum", "mean", "prod", "amax", "amin", "argmax", "argmin", "reshape", "permute",
      "expand", "slice", "squeeze", "unsqueeze", "window", "flip", "cat", "matmul", "gather", "custom", "cumsum", "cumprod"};
  return names[static_cast<int>(c)];
}

constexpr op_kind kind_of(op_code c) {
  if (c == op_code::input) return op_kind::input;
  if (c == op_code::constant) return op_kind::constant;
  if (c <= op_code::where) return op_kind::pointwise;
  if (c <= op_code::argmin) return op_kind::reduction;
  if (c <= op_code::flip) return op_kind::view;
  if (c == op_code::cat) return op_kind::cat;
  if (c == op_code::gather) return op_kind::gather;
  if (c == op_code::custom) return op_kind::custom;
  if (c == op_code::cumsum || c == op_code::cumprod) return op_kind::scan;
  return op_kind::matmul;
}

// Ops whose evaluation costs a transcendental call; the planner weighs them when it
// decides between storing and recomputing a value (Inductor's exp/sigmoid rule).
constexpr bool is_expensive(op_code c) {
  switch (c) {
  case op_code::exp: case op_code::log: case op_code::log1p: case op_code::expm1:
  case op_code::sin: case op_code::cos: case op_code::tanh: case op_code::sigmoid:
  case op_code::erf: case op_code::pow: return true;
  default: return false;
  }
}

} // namespace coil
