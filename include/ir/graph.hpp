// The graph value: output expression types flattened ONCE into a constexpr table of node
// records in topological order. Identical subexpressions are one type, hence one node
// (CSE for free); each record lists its inputs by index and counts its users.
#pragma once
#include <array>
#include <type_traits>

#include "node.hpp"

namespace coil {

template <class... Ts> struct type_list {
  static constexpr int size = sizeof...(Ts);
};

namespace detail {
template <class T, class... Ts> constexpr int index_in() {
  constexpr bool same[] = {std::is_same_v<T, Ts>..., false};
  for (int i = 0; i < static_cast<int>(sizeof...(Ts)); ++i)
    if (same[i]) return i;
  return -1;
}

template <class L, class T> struct append;
template <class... Ts, class T> struct append<type_list<Ts...>, T> { using type = type_list<Ts..., T>; };

// Depth-first post-order insertion. A node already in the list is not visited again, so
// shared sub-DAGs (diamonds) cost one visit each: linear in the number of nodes.
template <class L, class N, bool Seen> struct visit_impl;
template <class L, class N> struct visit;
template <class... Ts, class N> struct visit<type_list<Ts...>, N> {
  using type = typename visit_impl<type_list<Ts...>, N, (index_in<N, Ts...>() >= 0)>::type;
};
template <class L, class... Ns> struct visit_all { using type = L; };
template <class L, class N, class... Ns> struct visit_all<L, N, Ns...> {
  using type = typename visit_all<typename visit<L, N>::type, Ns...>::type;
};
template <class L, class N> struct visit_impl<L, N, true> { using type = L; };
template <class L, class Op, class... C> struct visit_impl<L, node<Op, C...>, false> {
  using type = typename append<typename visit_all<L, C...>::type, node<Op, C...>>::type;
};

template <int I, class L> struct type_at;
template <int I, class T, class... Ts> struct type_at<I, type_list<T, Ts...>> : type_at<I - 1, type_list<Ts...>> {};
template <class T, class... Ts> struct type_at<0, type_list<T, Ts...>> { using type = T; };

template <class N, class... Ts> struct child_indices;
template <class Op, class... C, class... Ts> struct child_indices<node<Op, C...>, Ts...> {
  static constexpr std::array<int, sizeof...(C) + 1> value{index_in<C, Ts...>()..., -1};
};
} // namespace detail

template <class Nodes, class... Outputs> struct graph_of;

// A flattened graph of (already lowered) node types.
template <class... Ns, class... Outputs> struct graph_of<type_list<Ns...>, Outputs...> {
  using nodes = type_list<Ns...>;
  static constexpr int size = sizeof...(Ns);
  static constexpr int output_count = sizeof...(Outputs);
  template <int I> using node_t = typename detail::type_at<I, nodes>::type;

  static constexpr std::array<int, sizeof...(Outputs)> outputs{detail::index_in<Outputs, Ns...>()...};

  static constexpr std::array<node_record, sizeof...(Ns)> records = [] {
    std::array<node_record, sizeof...(Ns)> r{Ns::record...};
    const std::array<int, max_inputs + 1> kids[] = {[] {
      std::array<int, max_inputs + 1> k{};
      constexpr auto ci = detail::child_indices<Ns, Ns...>::value;
      for (std::size_t i = 0; i < ci.size(); ++i) k[i] = ci[i];
      return k;
    }()...};
    const int arity[] = {Ns::arity...};
    for (int i = 0; i < size; ++i) {
      r[i].ninputs = arity[i];
      for (int k = 0; k < arity[i]; ++k) r[i].inputs[k] = kids[i][k];
    }
    return r;
  }();

  // Distinct consumers of each node, outputs counting as consumers.
  static constexpr std::array<int, sizeof...(Ns)> users = [] {
    std::array<int, sizeof...(Ns)> u{};
    for (int i = 0; i < size; ++i)
      for (int k = 0; k < records[i].ninputs; ++k) {
        bool repeat = false;
        for (int j = 0; j < k; ++j) repeat = repeat || records[i].inputs[j] == records[i].inputs[k];
        if (!repeat) ++u[records[i].inputs[k]];
      }
    for (int o : outputs) ++u[o];
    return u;
  }();

  static constexpr int index_of_input(const char* name) {
    for (int i = 0; i < size; ++i)
      if (records[i].code == op_code::input && cstr_eq(records[i].name.c_str(), name)) return i;
    return -1;
  }
};

// graph<Outputs...>: the flattened graph of the given output node types (cv and reference
// qualifiers ignored, so `graph<decltype(e)>` works for a `constexpr auto e`).
template <class... Outputs>
using graph = graph_of<typename detail::visit_all<type_list<>, std::remove_cvref_t<Outputs>...>::type,
                       std::remove_cvref_t<Outputs>...>;

} // namespace coil
