// Scalar semantics of every pointwise op, as PyTorch defines them, for the typed
// backends (CPU loops and CUDA kernels). Host/device clean: only <math.h> functions,
// which nvcc provides on the device too. The reference backend computes the same ops
// in double with its own code, so a mistake here shows up as a test failure.
#pragma once
#include <math.h>

#include <cstdint>
#include <limits>
#include <type_traits>

#include "../core/config.hpp"

namespace coil::scalar {

template <class T> COIL_HOST_DEVICE constexpr bool isnan_(T x) {
  if constexpr (std::is_floating_point_v<T>) return x != x;
  else return false;
}

// Integer arithmetic wraps like PyTorch's two's-complement tensors; done in unsigned so
// that overflow is defined behaviour.
template <class T> COIL_HOST_DEVICE constexpr T wrap_add(T a, T b) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
  } else if constexpr (std::is_same_v<T, bool>) {
    return a || b;
  } else {
    return a + b;
  }
}
template <class T> COIL_HOST_DEVICE constexpr T wrap_sub(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
  } else {
    return a - b;
  }
}
template <class T> COIL_HOST_DEVICE constexpr T wrap_mul(T a, T b) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
  } else if constexpr (std::is_same_v<T, bool>) {
    return a && b;
  } else {
    return a * b;
  }
}
// Floating negation flips the sign bit (-(0.0) is -0.0, as torch.neg); 0 - x would not.
template <class T> COIL_HOST_DEVICE constexpr T wrap_neg(T a) {
  if constexpr (std::is_floating_point_v<T>) return -a;
  else return wrap_sub(T(0), a);
}

// NaN-propagating max/min (torch.maximum, torch.amax).
template <class T> COIL_HOST_DEVICE constexpr T maximum(T a, T b) {
  if (isnan_(a)) return a;
  if (isnan_(b)) return b;
  return a > b ? a : b;
}
template <class T> COIL_HOST_DEVICE constexpr T minimum(T a, T b) {
  if (isnan_(a)) return a;
  if (isnan_(b)) return b;
  return a < b ? a : b;
}

template <class T> COIL_HOST_DEVICE constexpr T abs_(T x) {
  if constexpr (std::is_floating_point_v<T>) return x < T(0) ? -x : (x == T(0) ? T(0) : x);
  else return x < T(0) ? wrap_neg(x) : x;
}

template <class T> COIL_HOST_DEVICE constexpr T relu(T x) {
  if (isnan_(x)) return x;
  return x > T(0) ? x : T(0);
}

// Integer power by squaring; negative exponents give what integer division would
// (1 for base 1, +-1 for base -1, 0 otherwise) instead of PyTorch's runtime error.
template <class T> COIL_HOST_DEVICE constexpr T ipow(T base, T e) {
  if (e < 0) {
    if (base == 1) return 1;
    if (base == -1) return (e % 2 == 0) ? T(1) : T(-1);
    return 0;
  }
  T r = 1;
  while (e > 0) {
    if (e & 1) r = wrap_mul(r, base);
    base = wrap_mul(base, base);
    e >>= 1;
  }
  return r;
}

// float -> int conversion of NaN and out-of-range values is undefined in C++; PyTorch
// on x86 yields the integer minimum (the hardware's "indefinite" value). Do the same.
template <class To, class From> COIL_HOST_DEVICE constexpr To cast(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<From>) {
    constexpr From lo = static_cast<From>(std::numeric_limits<To>::min());
    constexpr From hi = -lo; // 2^(bits-1), exactly representable
    if (!(v >= lo && v < hi)) return std::numeric_limits<To>::min();
    return static_cast<To>(v);
  } else {
    return static_cast<To>(v);
  }
}

// Transcendentals: float and double overloads of the C library, callable on the device.
#define COIL_SCALAR_FN(fn, expr_f, expr_d)                                                         \
  COIL_HOST_DEVICE inline float fn(float x) { return expr_f; }                                    \
  COIL_HOST_DEVICE inline double fn(double x) { return expr_d; }
COIL_SCALAR_FN(exp, ::expf(x), ::exp(x))
COIL_SCALAR_FN(log, ::logf(x), ::log(x))
COIL_SCALAR_FN(log1p, ::log1pf(x), ::log1p(x))
COIL_SCALAR_FN(expm1, ::expm1f(x), ::expm1(x))
COIL_SCALAR_FN(sqrt, ::sqrtf(x), ::sqrt(x))
COIL_SCALAR_FN(rsqrt, 1.0f / ::sqrtf(x), 1.0 / ::sqrt(x))
COIL_SCALAR_FN(sin, ::sinf(x), ::sin(x))
COIL_SCALAR_FN(cos, ::cosf(x), ::cos(x))
COIL_SCALAR_FN(tanh, ::tanhf(x), ::tanh(x))
COIL_SCALAR_FN(erf, ::erff(x), ::erf(x))
COIL_SCALAR_FN(sigmoid, 1.0f / (1.0f + ::expf(-x)), 1.0 / (1.0 + ::exp(-x)))
#undef COIL_SCALAR_FN

COIL_HOST_DEVICE inline float fpow(float a, float b) { return ::powf(a, b); }
COIL_HOST_DEVICE inline double fpow(double a, double b) { return ::pow(a, b); }

} // namespace coil::scalar
