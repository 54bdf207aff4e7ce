// Compiler detection and the few macros every room uses. Depends on nothing.
#pragma once

// Everything a kernel can reach carries COIL_HOST_DEVICE, so the CPU and CUDA backends
// instantiate the same code (CuTe's CUTE_HOST_DEVICE, Eigen's EIGEN_DEVICE_FUNC).
#if defined(__CUDACC__) || defined(__HIPCC__)
#define COIL_HOST_DEVICE __host__ __device__
#define COIL_DEVICE __device__
#else
#define COIL_HOST_DEVICE
#define COIL_DEVICE
#endif

#if defined(__CUDA_ARCH__)
#define COIL_INLINE __forceinline__
#elif defined(__GNUC__) || defined(__clang__)
#define COIL_INLINE inline __attribute__((always_inline))
#else
#define COIL_INLINE inline
#endif

// A loop whose trip count is a compile-time constant, fully unrolled in device code, so
// the arrays it indexes become registers instead of local memory.
#if defined(__CUDA_ARCH__)
#define COIL_UNROLL _Pragma("unroll")
#else
#define COIL_UNROLL
#endif

// Exceptions are the default error style; a build without them gets status returns.
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#define COIL_HAS_EXCEPTIONS 1
#else
#define COIL_HAS_EXCEPTIONS 0
#endif

namespace coil {
// Largest tensor rank the IR represents. Shapes are fixed-capacity values so that they
// can be template arguments and live in constexpr tables.
inline constexpr int max_rank = 8;
} // namespace coil
