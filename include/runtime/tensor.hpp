// How the caller hands tensors to a model: non-owning strided views over their memory,
// owning tensors returned by a call, and named arguments `arg<"x">(...)` / `out(...)`.
#pragma once
#include <array>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "../core/fixed_string.hpp"
#include "../ir/dtype.hpp"

namespace coil {

// A non-owning view: pointer, extents and element strides (row-major by default).
template <class T, int Rank> struct tensor_view {
  static constexpr int rank = Rank;
  using element_type = T;
  T* data = nullptr;
  std::array<std::int64_t, Rank> extents{};
  std::array<std::int64_t, Rank> strides{};

  constexpr std::int64_t size() const {
    std::int64_t n = 1;
    for (auto e : extents) n *= e;
    return n;
  }
  // Element at a multi-index, through the strides.
  template <class... I> constexpr T& operator()(I... i) const {
    static_assert(sizeof...(I) == Rank, "coil::tensor_view: one index per dim");
    const std::int64_t ix[] = {static_cast<std::int64_t>(i)..., 0};
    std::int64_t off = 0;
    for (int d = 0; d < Rank; ++d) off += ix[d] * strides[d];
    return data[off];
  }
};

template <int Rank> constexpr std::array<std::int64_t, Rank> row_major_strides(const std::array<std::int64_t, Rank>& ext) {
  std::array<std::int64_t, Rank> s{};
  std::int64_t acc = 1;
  for (int d = Rank - 1; d >= 0; --d) {
    s[d] = acc;
    acc *= ext[d];
  }
  return s;
}

// `view(ptr, 4, 784)`: a row-major view of ptr with the given extents.
template <class T, class... E>
  requires(std::is_integral_v<E> && ...)
constexpr tensor_view<T, sizeof...(E)> view(T* data, E... extents) {
  tensor_view<T, sizeof...(E)> v;
  v.data = data;
  v.extents = {static_cast<std::int64_t>(extents)...};
  v.strides = row_major_strides<sizeof...(E)>(v.extents);
  return v;
}

// `strided_view(ptr, {4, 784}, {1, 4})`: any layout, strides in elements.
template <class T, std::size_t Rank>
constexpr tensor_view<T, static_cast<int>(Rank)> strided_view(T* data, const std::array<std::int64_t, Rank>& extents,
                                                              const std::array<std::int64_t, Rank>& strides) {
  return {data, extents, strides};
}

// An owning, row-major tensor: what a model returns when no output buffer is given.
template <class T, int Rank> struct tensor {
  static constexpr int rank = Rank;
  using element_type = T;
  std::array<std::int64_t, Rank> extents{};
  std::vector<std::conditional_t<std::is_same_v<T, bool>, unsigned char, T>> storage;

  tensor() = default;
  explicit tensor(const std::array<std::int64_t, Rank>& ext) : extents(ext) {
    std::int64_t n = 1;
    for (auto e : ext) n *= e;
    storage.assign(static_cast<std::size_t>(n), {});
  }
  T* data() { return reinterpret_cast<T*>(storage.data()); }
  const T* data() const { return reinterpret_cast<const T*>(storage.data()); }
  std::int64_t size() const { return static_cast<std::int64_t>(storage.size()); }
  tensor_view<T, Rank> view() { return {data(), extents, row_major_strides<Rank>(extents)}; }
  tensor_view<const T, Rank> view() const { return {data(), extents, row_major_strides<Rank>(extents)}; }
  template <class... I> T& operator()(I... i) { return view()(i...); }
  template <class... I> const T& operator()(I... i) const { return view()(i...); }
};

// A named input: `arg<"x">(view(xs, 4, 784))` or `arg<"x">(xs, 4, 784)`.
template <fixed_string Name, class T, int Rank> struct named_arg {
  static constexpr bool is_named_arg = true; // what coil::is_named_arg matches (see below)
  static constexpr auto name = Name;
  using element_type = std::remove_const_t<T>;
  static constexpr int rank = Rank;
  tensor_view<const element_type, Rank> v;
};

template <fixed_string Name, class T, int Rank> constexpr auto arg(tensor_view<T, Rank> v) {
  return named_arg<Name, T, Rank>{{v.data, v.extents, v.strides}};
}
template <fixed_string Name, class T, int Rank> constexpr auto arg(const tensor<T, Rank>& t) { return arg<Name>(t.view()); }
template <fixed_string Name, class T, class... E>
  requires(std::is_integral_v<E> && ...)
constexpr auto arg(T* data, E... extents) {
  return arg<Name>(view(data, extents...));
}

// An output buffer, matched to the model's outputs in order: `out(view(ys, 4, 10))`.
template <class T, int Rank> struct out_arg {
  using element_type = T;
  static constexpr int rank = Rank;
  tensor_view<T, Rank> v;
};
template <class T, int Rank> constexpr out_arg<T, Rank> out(tensor_view<T, Rank> v) { return {v}; }
template <class T, int Rank> constexpr out_arg<T, Rank> out(tensor<T, Rank>& t) { return {t.view()}; }

// Memory the caller lends for the intermediates of one call, instead of the model's own
// arena: `model.run(coil::workspace(buf, bytes), ...)`. Its size comes from
// `model.workspace_bytes(inputs...)`; with it a call never allocates.
struct workspace_arg {
  void* data;
  std::int64_t bytes;
};
inline workspace_arg workspace(void* data, std::size_t bytes) { return {data, static_cast<std::int64_t>(bytes)}; }
template <class T> struct is_workspace_arg : std::false_type {};
template <> struct is_workspace_arg<workspace_arg> : std::true_type {};

template <class T> struct is_named_arg : std::false_type {};
// Matched by its marker, not as named_arg<N, T, R>: nvcc's front end (CUDA 13) does not
// deduce a `fixed_string` template parameter in a partial specialization.
template <class T> requires(T::is_named_arg) struct is_named_arg<T> : std::true_type {};
template <class T> struct is_out_arg : std::false_type {};
template <class T, int R> struct is_out_arg<out_arg<T, R>> : std::true_type {};

} // namespace coil
