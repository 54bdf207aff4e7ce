// Helpers of the CUDA tests that compare a coil::cuda model with the reference backend or
// with PyTorch's goldens (tests/golden): a seeded or golden host input with its device
// copy, and "run on the device, compare on the host".
#pragma once
#include <doctest/doctest.h>

#include <cuda_runtime.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <coil.hpp>

#include "support/golden.hpp"
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
  // The golden input `t` (float32, int64 or bool values, widened to double) as T.
  explicit device_input(const golden_tensor& t) : host(golden_extents<Rank>(t)) {
    std::transform(t.values.begin(), t.values.end(), host.data(), [](double v) { return static_cast<T>(v); });
    dev = std::make_unique<device_buffer<T>>(host.size());
    upload();
  }
  // Copies the host values to the device again (after a test changed them).
  void upload() { copy_to_device(dev->data(), host.data(), host.size()); }
  auto host_arg() const { return arg<Name>(host); }
  auto arg_of(tensor_view<const T, Rank> v) const { return arg<Name>(v); }
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

// Golden input Name of case `c` (rank Rank) on the device: golden_arg's device twin.
template <fixed_string Name, int Rank, class T = float> device_input<Name, T, Rank> golden_device_input(const std::string& c) {
  return device_input<Name, T, Rank>(golden_in(c, Name.data));
}

// Runs the device model Gpu on golden device inputs and compares its one output with the
// case's golden out/0 within expect_matches_golden's tolerance, as the CPU tests'
// expect_golden does. The output buffer takes the golden's extents; the model's guards
// check them against the inputs.
template <class Gpu, class... Inputs> void expect_device_matches_golden(const std::string& case_name, const Inputs&... in) {
  using G = typename Gpu::graph;
  static_assert(G::output_count == 1, "expect_device_matches_golden: one output");
  constexpr auto& result = G::records[G::outputs[0]];
  static_assert(result.type == dtype::f32, "expect_device_matches_golden: a float32 output");
  constexpr int rank = result.shp.rank;
  const golden_tensor& want = golden_out(case_name, 0);
  tensor<float, rank> got(golden_extents<rank>(want));
  device_buffer<float> out(got.size());
  Gpu model;
  const status st = model.run(in.device_arg()..., coil::out(tensor_view<float, rank>{out.data(), got.extents, row_major_strides<rank>(got.extents)}));
  REQUIRE_MESSAGE(st.ok(), st.message());
  cuda_check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  copy_to_host(got.data(), out.data(), got.size());
  expect_matches_golden(got, want);
}

// A device copy of `host` ([rows, cols], row-major on the host) laid out with element
// `offset` from an aligned allocation and an inner stride of `step`: offset 1 breaks the
// 16-byte alignment, step 2 the contiguity.
struct laid_out {
  std::unique_ptr<device_buffer<float>> dev;
  tensor_view<const float, 2> view;
  laid_out(const tensor<float, 2>& host, std::int64_t offset, std::int64_t step) {
    const std::int64_t rows = host.extents[0], cols = host.extents[1];
    std::vector<float> buf(static_cast<std::size_t>(offset + rows * cols * step + 1), 0.0f);
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t c = 0; c < cols; ++c) buf[static_cast<std::size_t>(offset + (r * cols + c) * step)] = host(r, c);
    dev = std::make_unique<device_buffer<float>>(static_cast<std::int64_t>(buf.size()));
    copy_to_device(dev->data(), buf.data(), static_cast<std::int64_t>(buf.size()));
    view = tensor_view<const float, 2>{dev->data() + offset, {rows, cols}, {cols * step, step}};
  }
};

// As expect_device_matches_reference with "x" read from the laid-out copy `x` of xh's
// values, and the output one element past an aligned start (the vector stores fall back).
// (xh: the device_input of "x"; a parameter spelled device_input<"x", ...> trips nvcc's
// host code generation.)
template <class Gpu, class E, class XH, class... Inputs>
void expect_laid_out_matches_reference(E expr, const laid_out& x, const XH& xh, const Inputs&... in) {
  auto oracle = compile<reference>(expr);
  auto want = oracle(xh.host_arg(), in.host_arg()...);
  device_buffer<float> out(want.size() + 1);
  Gpu model;
  const status st = model.run(xh.arg_of(x.view), in.device_arg()...,
                              coil::out(tensor_view<float, 2>{out.data() + 1, want.extents, row_major_strides<2>(want.extents)}));
  REQUIRE_MESSAGE(st.ok(), st.message());
  cuda_check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  tensor<float, 2> got(want.extents);
  copy_to_host(got.data(), out.data() + 1, got.size());
  expect_tensors_close(got, want, default_rtol<float>(), 1e-6);
}

} // namespace coil::testing
