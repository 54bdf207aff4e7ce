// Helpers of the CUDA tests that compare a coil::cuda model with the reference backend:
// a seeded host input with its device copy, and "run both, compare on the host".
#pragma once
#include <doctest/doctest.h>

#include <cuda_runtime.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include <coil.hpp>

#include "support/reference_check.hpp"

namespace coil::testing {

// A host input and its device copy, passed to the models under one name.
template <fixed_string Name, class T, int Rank> struct device_input {
  tensor<T, Rank> host;
  std::unique_ptr<device_buffer<T>> dev;

  device_input(const std::array<std::int64_t, Rank>& ext, std::uint32_t seed, double lo = -2.0, double hi = 2.0) : host(ext) {
    const auto v = random_values<T>(host.size(), seed, lo, hi);
    std::copy(v.begin(), v.end(), host.data());
    dev = std::make_unique<device_buffer<T>>(host.size());
    upload();
  }
  // Copies the host values to the device again (after a test changed them).
  void upload() { copy_to_device(dev->data(), host.data(), host.size()); }
  auto host_arg() const { return arg<Name>(host); }
  auto device_arg() const { return arg<Name>(tensor_view<const T, Rank>{dev->data(), host.extents, row_major_strides<Rank>(host.extents)}); }
};

// Runs the device model Gpu on the device inputs and the reference backend on the host
// ones, and compares the output within atol + rtol * |reference|.
template <class Gpu, class E, class... Inputs> void expect_device_matches_reference(double atol, E expr, const Inputs&... in) {
  auto oracle = compile<reference>(expr);
  auto want = oracle(in.host_arg()...);
  using T = typename decltype(want)::element_type;
  constexpr int rank = decltype(want)::rank;
  device_buffer<T> out(want.size());
  Gpu model;
  const status st = model.run(in.device_arg()..., coil::out(tensor_view<T, rank>{out.data(), want.extents, row_major_strides<rank>(want.extents)}));
  REQUIRE_MESSAGE(st.ok(), st.message());
  cuda_check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  tensor<T, rank> got(want.extents);
  copy_to_host(got.data(), out.data(), got.size());
  expect_tensors_close(got, want, default_rtol<T>(), atol);
}

} // namespace coil::testing
