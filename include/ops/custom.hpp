// Custom kernels: a user's host function as an op (Inductor's fallback kernel). The op's
// inputs are realized before it runs, like a GEMM's: a value computed in the model arrives
// in a row-major buffer; a model input arrives as the caller passed it (its strides are in
// the view). The kernel writes its output through the view it is given (row-major in the
// arena, or the caller's layout when it is an output). Host targets (cpu and the
// reference, which calls the same function on its own copies of the inputs); a kernel that
// declares `static constexpr bool cuda = true` runs on coil::cuda instead, as
// `run(stream, out, in...)` with device views, launching its work on `stream` (a
// cudaStream_t): the implicit-GEMM convolution (backends/cuda/conv_igemm.hpp) is one.
//
//   struct my_kernel {
//     static constexpr const char* name = "my_op";
//     static constexpr coil::infer_result infer(const coil::node_record* in, int n);
//     template <class Out, class... In> static void run(Out out, In... in); // tensor_views
//   };
//   auto y = coil::custom<my_kernel>(x, w);
//
// docs/extending.md has the worked example (tests/unit/extending_example.cpp).
#pragma once
#include <array>
#include <cstdint>
#include <utility>

#include "../ir/node.hpp"
#include "../runtime/tensor.hpp"

namespace coil {

namespace detail {
template <class T, int Rank> tensor_view<T, Rank> view_of_call(T* data, const std::int64_t* ext, const std::int64_t* str) {
  tensor_view<T, Rank> v;
  v.data = data;
  for (int d = 0; d < Rank; ++d) {
    v.extents[static_cast<std::size_t>(d)] = ext[d];
    v.strides[static_cast<std::size_t>(d)] = str[d];
  }
  return v;
}
} // namespace detail

// The op of `custom<Kernel>(children...)`. It names its children's types so that its
// launcher knows their dtypes and ranks (lowering keeps both).
template <class Kernel, class... C> struct custom_op {
  static constexpr op_code code = op_code::custom;
  static constexpr const char* name = Kernel::name;
  static constexpr bool cuda_kernel = [] {
    if constexpr (requires { Kernel::cuda; }) return static_cast<bool>(Kernel::cuda);
    else return false;
  }();
  static constexpr infer_result infer(const node_record* in, int n) {
    infer_result r = Kernel::infer(in, n);
    r.rec.code = code;
    r.rec.kind = op_kind::custom;
    r.rec.compute = r.rec.type;
    r.rec.cuda_kernel = cuda_kernel;
    return r;
  }

  // Runs Kernel::run(out, in...) on typed views of the call's buffers.
  static void launch(const custom_call& c) {
    constexpr node_record out = node_result<node<custom_op, C...>>.rec;
    using T = element_t<out.type>;
    const auto ov = detail::view_of_call<T, out.shp.rank>(static_cast<T*>(c.out), c.out_ext, c.out_str);
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      if constexpr (cuda_kernel)
        Kernel::run(c.stream, ov,
                    detail::view_of_call<const element_t<record_of<C>.type>, record_of<C>.shp.rank>(
                        static_cast<const element_t<record_of<C>.type>*>(c.in[I]), c.in_ext[I], c.in_str[I])...);
      else
        Kernel::run(ov, detail::view_of_call<const element_t<record_of<C>.type>, record_of<C>.shp.rank>(
                            static_cast<const element_t<record_of<C>.type>*>(c.in[I]), c.in_ext[I], c.in_str[I])...);
    }(std::index_sequence_for<C...>{});
  }
};

// `custom<Kernel>(x, ...)`: Kernel's output for the given inputs (1 to coil::max_inputs).
template <class Kernel, expr... X> constexpr auto custom(X...) {
  static_assert(sizeof...(X) >= 1 && sizeof...(X) <= max_inputs, "coil::custom: takes 1 to 8 tensors");
  return node_t<custom_op<Kernel, X...>, X...>{};
}

} // namespace coil
