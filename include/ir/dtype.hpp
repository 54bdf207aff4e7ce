// Element types and PyTorch's type promotion. Depends on core/ only.
#pragma once
#include <cstdint>
#include <type_traits>

#include "../core/config.hpp"

namespace coil {

enum class dtype : std::uint8_t { b8, i32, i64, f32, f64 };

// PyTorch orders types by category (bool < integral < floating) before size.
enum class dtype_category : std::uint8_t { boolean, integral, floating };

constexpr dtype_category category(dtype t) {
  switch (t) {
  case dtype::b8: return dtype_category::boolean;
  case dtype::i32:
  case dtype::i64: return dtype_category::integral;
  default: return dtype_category::floating;
  }
}
constexpr bool is_floating(dtype t) { return category(t) == dtype_category::floating; }
constexpr bool is_integral(dtype t) { return category(t) == dtype_category::integral; }

constexpr const char* dtype_name(dtype t) {
  switch (t) {
  case dtype::b8: return "bool";
  case dtype::i32: return "int32";
  case dtype::i64: return "int64";
  case dtype::f32: return "float32";
  default: return "float64";
  }
}

constexpr int dtype_size(dtype t) {
  switch (t) {
  case dtype::b8: return 1;
  case dtype::i32:
  case dtype::f32: return 4;
  default: return 8;
  }
}

// The C++ element type of a dtype, and the dtype of a C++ element type.
template <dtype T> struct element_of;
template <> struct element_of<dtype::b8> { using type = bool; };
template <> struct element_of<dtype::i32> { using type = std::int32_t; };
template <> struct element_of<dtype::i64> { using type = std::int64_t; };
template <> struct element_of<dtype::f32> { using type = float; };
template <> struct element_of<dtype::f64> { using type = double; };
template <dtype T> using element_t = typename element_of<T>::type;

template <class T> struct dtype_of_t;
template <> struct dtype_of_t<bool> { static constexpr dtype value = dtype::b8; };
template <> struct dtype_of_t<std::int32_t> { static constexpr dtype value = dtype::i32; };
template <> struct dtype_of_t<std::int64_t> { static constexpr dtype value = dtype::i64; };
template <> struct dtype_of_t<float> { static constexpr dtype value = dtype::f32; };
template <> struct dtype_of_t<double> { static constexpr dtype value = dtype::f64; };
template <class T> inline constexpr bool is_element_v = requires { dtype_of_t<std::remove_cv_t<T>>::value; };
template <class T> inline constexpr dtype dtype_v = dtype_of_t<std::remove_cv_t<T>>::value;

// An operand of a promotion. PyTorch ranks operands in three tiers: tensors with dims,
// 0-dim tensors, and wrapped numbers (scalars written in the expression). A lower tier
// changes the result only when its category (bool < integral < floating) is higher; a
// wrapped number then contributes its category's default dtype, a 0-dim tensor its own.
struct promo_operand {
  dtype type;
  bool wrapped = false;
  bool zero_dim = false;
};

constexpr dtype larger(dtype a, dtype b) {
  if (category(a) != category(b)) return category(a) > category(b) ? a : b;
  return static_cast<int>(a) >= static_cast<int>(b) ? a : b;
}

// The default dtype a wrapped number of a category promotes a tensor to.
constexpr dtype default_of(dtype_category c) {
  switch (c) {
  case dtype_category::boolean: return dtype::b8;
  case dtype_category::integral: return dtype::i64;
  default: return dtype::f32;
  }
}

// torch.result_type over a list of operands.
constexpr dtype promote(const promo_operand* ops, int n) {
  bool seen[3]{};
  dtype tier[3]{}; // 0: tensors with dims, 1: 0-dim tensors, 2: wrapped numbers
  for (int i = 0; i < n; ++i) {
    const int t = ops[i].wrapped ? 2 : ops[i].zero_dim ? 1 : 0;
    tier[t] = seen[t] ? larger(tier[t], ops[i].type) : ops[i].type;
    seen[t] = true;
  }
  bool any = false;
  dtype result = dtype::b8;
  for (int t = 0; t < 3; ++t) {
    if (!seen[t]) continue;
    const dtype candidate = t == 2 ? default_of(category(tier[t])) : tier[t];
    if (!any || category(tier[t]) > category(result)) result = candidate;
    any = true;
  }
  return result;
}

// Conversion with PyTorch's meaning on every backend (bool is "!= 0").
template <class To, class From> COIL_HOST_DEVICE constexpr To convert(From v) {
  if constexpr (std::is_same_v<To, bool>) return v != From(0);
  else return static_cast<To>(v);
}

} // namespace coil
