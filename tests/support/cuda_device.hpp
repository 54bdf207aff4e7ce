// Whether a CUDA device is present; CUDA tests return early (and say so) without one, so
// CI without a GPU still builds and runs them.
#pragma once
#include <cuda_runtime.h>

#include <cstdio>

namespace coil::testing {
inline bool have_cuda_device(const char* test) {
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess || count == 0) {
    std::printf("%s: no CUDA device (%s); skipping the device run\n", test,
                err != cudaSuccess ? cudaGetErrorString(err) : "0 devices");
    (void)cudaGetLastError(); // clear the sticky error, if any
    return false;
  }
  return true;
}
} // namespace coil::testing
