// Test support: the PyTorch goldens of tests/golden/ (written by make_goldens.py on a
// machine with torch). manifest.txt lists every tensor of every case: case, role (in or
// out), name, dtype, shape, byte offset into goldens.bin; the bytes are raw little-endian.
// Inputs are float32, int64 (indices) or bool (one byte); outputs are float64, computed by torch in float64
// from the float32 inputs.
#pragma once
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>


namespace coil::testing {

struct golden_tensor {
  std::string case_name, role, name, dtype;
  std::vector<std::int64_t> shape;
  std::vector<double> values; // every dtype widened to double (bool as 0/1)

  std::int64_t numel() const {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
  }
  std::vector<float> as_float() const { return {values.begin(), values.end()}; }
  std::vector<std::int64_t> as_i64() const { return {values.begin(), values.end()}; } // int64 inputs (indices)
  std::vector<unsigned char> as_bytes() const { // for bool inputs
    std::vector<unsigned char> b;
    for (double v : values) b.push_back(v != 0 ? 1 : 0);
    return b;
  }
};

// All tensors of the manifest, read once.
inline const std::vector<golden_tensor>& goldens() {
  static const std::vector<golden_tensor> all = [] {
    // tests/golden beside this file's folder (tests/support), wherever the build runs
    std::string dir = __FILE__;
    dir = dir.substr(0, dir.find_last_of("/\\")) + "/../golden";
    std::ifstream bin(dir + "/goldens.bin", std::ios::binary), manifest(dir + "/manifest.txt");
    if (!bin || !manifest) throw std::runtime_error("golden files not found under " + dir);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(bin)), std::istreambuf_iterator<char>());
    std::vector<golden_tensor> out;
    std::string line;
    while (std::getline(manifest, line)) {
      if (line.empty()) continue;
      std::istringstream is(line);
      golden_tensor t;
      std::string shape;
      std::int64_t offset = 0;
      is >> t.case_name >> t.role >> t.name >> t.dtype >> shape >> offset;
      if (shape != "-") {
        std::istringstream ss(shape);
        std::string d;
        while (std::getline(ss, d, 'x')) t.shape.push_back(std::stoll(d));
      }
      const std::int64_t n = t.numel();
      const std::size_t width = t.dtype == "f64" || t.dtype == "i64" ? 8 : t.dtype == "f32" ? 4 : 1;
      if (offset < 0 || static_cast<std::size_t>(offset) + width * static_cast<std::size_t>(n) > bytes.size())
        throw std::runtime_error("golden tensor past the end of goldens.bin: " + line);
      const char* p = bytes.data() + offset;
      for (std::int64_t i = 0; i < n; ++i, p += width) { // memcpy: little-endian hosts only (x86, arm64)
        if (t.dtype == "i64") {
          std::int64_t v;
          std::memcpy(&v, p, 8);
          t.values.push_back(static_cast<double>(v));
        } else if (width == 8) {
          double v;
          std::memcpy(&v, p, 8);
          t.values.push_back(v);
        } else if (width == 4) {
          float v;
          std::memcpy(&v, p, 4);
          t.values.push_back(v);
        } else {
          t.values.push_back(*p != 0 ? 1.0 : 0.0);
        }
      }
      out.push_back(std::move(t));
    }
    return out;
  }();
  return all;
}

// The tensor `name` of `role` in `case_name`; fails the test when absent.
inline const golden_tensor& golden(const std::string& case_name, const std::string& role, const std::string& name) {
  for (const auto& t : goldens())
    if (t.case_name == case_name && t.role == role && t.name == name) return t;
  throw std::runtime_error("no golden tensor " + case_name + " " + role + " " + name);
}
inline const golden_tensor& golden_in(const std::string& c, const std::string& name) { return golden(c, "in", name); }
inline const golden_tensor& golden_out(const std::string& c, int i = 0) { return golden(c, "out", std::to_string(i)); }

// The extents of a golden tensor of rank Rank (as a model binds them); fails the test on
// another rank.
template <int Rank> std::array<std::int64_t, static_cast<std::size_t>(Rank)> golden_extents(const golden_tensor& t) {
  REQUIRE(t.shape.size() == static_cast<std::size_t>(Rank));
  std::array<std::int64_t, static_cast<std::size_t>(Rank)> ext{};
  for (std::size_t d = 0; d < ext.size(); ++d) ext[d] = t.shape[d];
  return ext;
}

// Compares a float32 result with a float64 golden: |got - want| <= rtol * |want| + atol;
// NaN matches NaN, infinities match exactly. atol covers values that cancel to ~0, whose
// relative error in float32 is meaningless.
// `rtol_at(i)` gives the relative tolerance of element i (for rows whose conditioning in
// float32 cannot reach the default).
template <class T, class Rtol>
void expect_matches_golden_with(const T& got, const golden_tensor& want, Rtol rtol_at, double atol = 1e-6) {
  REQUIRE(static_cast<std::int64_t>(got.size()) == want.numel());
  std::vector<std::int64_t> extents(got.extents.begin(), got.extents.end());
  CHECK(extents == want.shape);
  int reported = 0;
  for (std::int64_t i = 0; i < want.numel(); ++i) {
    const double g = static_cast<double>(got.data()[i]), w = want.values[static_cast<std::size_t>(i)];
    bool ok;
    if (std::isnan(w)) ok = std::isnan(g);
    else if (std::isinf(w) || std::isinf(g)) ok = g == w;
    else ok = std::fabs(g - w) <= atol + rtol_at(i) * std::fabs(w);
    if (!ok && reported++ < 5) {
      std::ostringstream os;
      os.precision(10);
      os << want.case_name << " element " << i << ": got " << g << ", torch " << w;
      FAIL_CHECK(os.str());
    }
  }
  CHECK(reported == 0);
}
template <class T>
void expect_matches_golden(const T& got, const golden_tensor& want, double rtol = 1e-5, double atol = 1e-6) {
  expect_matches_golden_with(got, want, [rtol](std::int64_t) { return rtol; }, atol);
}

} // namespace coil::testing
