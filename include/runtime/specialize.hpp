// Specializations: a model compiled once more for each listed value of one symbol, fully
// static there (constant extents in the kernels, a compile-time arena), with the symbolic
// model as the fallback. The call binds the symbol from its inputs and dispatches.
//   auto m = coil::compile<coil::cpu>(coil::specialize<"B", 1, 8, 32>, y);
#pragma once
#include <array>
#include <cstdint>
#include <tuple>
#include <utility>

#include "model.hpp"

namespace coil {

template <fixed_string Name, std::int64_t... Values> struct specialize_t {
  static_assert(sizeof...(Values) >= 1, "coil::specialize: list at least one value");
  static_assert(((Values >= 0) && ...), "coil::specialize: values are sizes (>= 0)");
};
template <fixed_string Name, std::int64_t... Values> inline constexpr specialize_t<Name, Values...> specialize{};

// Graph G with symbol Name bound to Value in every shape. Same nodes, same order.
template <class G, fixed_string Name, std::int64_t Value> struct specialized_graph {
  static constexpr int size = G::size;
  static constexpr int output_count = G::output_count;
  static constexpr auto outputs = G::outputs;
  static constexpr auto users = G::users;
  static constexpr std::array<node_record, size> records = [] {
    std::array<node_record, size> r = G::records;
    const name16 s(Name.data);
    for (node_record& rec : r)
      for (int d = 0; d < rec.shp.rank; ++d) rec.shp.d[d] = substitute(rec.shp.d[d], s, Value);
    return r;
  }();
  static constexpr int index_of_input(const char* name) { return G::index_of_input(name); }
};

namespace detail {
// Whether some input of G declares symbol `name` as one of its dims (so a call binds it).
template <class G> constexpr bool bound_value_possible(const char* name) {
  const name16 s(name);
  for (const node_record& r : G::records)
    if (r.code == op_code::input)
      for (int d = 0; d < r.shp.rank; ++d)
        if (r.shp.d[d].is_symbol() && r.shp.d[d].symbol() == s) return true;
  return false;
}

// The value the inputs give symbol `name` (the first input dim declared as it), or -1.
template <class G, class... Args> std::int64_t bound_value(const name16& name, const Args&... args) {
  std::int64_t v = -1;
  (
      [&](const auto& a) {
        using A = std::remove_cvref_t<decltype(a)>;
        if constexpr (is_named_arg_v<A>) {
          const int i = G::index_of_input(A::name.data);
          if (v >= 0 || i < 0) return;
          const node_record& r = G::records[i];
          for (int d = 0; d < r.shp.rank && d < A::rank; ++d)
            if (r.shp.d[d].is_symbol() && r.shp.d[d].symbol() == name) {
              v = a.v.extents[d];
              return;
            }
        }
      }(args),
      ...);
  return v;
}
} // namespace detail

template <class Target, class G, fixed_string Name, std::int64_t... Values> class specialized_model {
public:
  using fallback_type = model<Target, G>;
  template <std::size_t K> using variant_type =
      std::tuple_element_t<K, std::tuple<model<Target, specialized_graph<G, Name, Values>>...>>;
  static constexpr std::array<std::int64_t, sizeof...(Values)> values{Values...};

  template <class... Args> status run(const Args&... args) {
    auto f = [&](auto& m) { return m.run(args...); };
    return pick(*this, variant_for(args...), f);
  }
  template <class... Args> auto operator()(const Args&... args) {
    // every variant returns the same tensor types: dtypes and ranks do not depend on sizes
    auto f = [&](auto& m) { return m(args...); };
    return pick(*this, variant_for(args...), f);
  }
  template <class... Args> std::int64_t workspace_bytes(const Args&... args) const {
    auto f = [&](const auto& m) { return m.workspace_bytes(args...); };
    return pick(*this, variant_for(args...), f);
  }
  // Which variant a call with these inputs runs: its index in `values`, or -1 (fallback).
  template <class... Args> static int variant_for(const Args&... args) {
    const std::int64_t v = detail::bound_value<G>(name16(Name.data), args...);
    for (std::size_t k = 0; k < values.size(); ++k)
      if (values[k] == v) return static_cast<int>(k);
    return -1;
  }

private:
  std::tuple<model<Target, specialized_graph<G, Name, Values>>...> variants_;
  fallback_type fallback_;

  // f applied to variant k (or the fallback when k is -1); Self is this class, const or not.
  template <std::size_t K = 0, class Self, class F> static auto pick(Self& self, int k, F& f) {
    if constexpr (K == sizeof...(Values)) return f(self.fallback_);
    else return k == static_cast<int>(K) ? f(std::get<K>(self.variants_)) : pick<K + 1>(self, k, f);
  }
};

// compile<Target>(specialize<"B", 1, 8>, outputs...): the specialized model.
template <class Target, fixed_string Name, std::int64_t... Values, expr... Outputs>
auto compile(specialize_t<Name, Values...>, Outputs... outs) {
  using symbolic = decltype(compile<Target>(outs...));
  using G = typename symbolic::graph;
  static_assert(detail::bound_value_possible<G>(Name.data),
                "coil::specialize: no input declares this symbol as a dim");
  return specialized_model<Target, G, Name, Values...>{};
}

} // namespace coil
