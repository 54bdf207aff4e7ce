// The graph value: output expression types flattened ONCE into a constexpr table of node
// records in topological order. Identical subexpressions are one type, hence one
// descriptor, hence one node (CSE for free); each record lists its inputs by index and
// the graph counts each node's users.
//
// Flattening is a constexpr depth-first walk over the node descriptors (node.hpp) with a
// hash table of visited descriptors: linear in the number of distinct nodes, with no
// template recursion, so neither compile time nor template depth grows with the DAG's
// depth or its (possibly exponential) tree size.
#pragma once
#include <array>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "node.hpp"

namespace coil {

namespace detail {
// Descriptor -> graph index, by open addressing on the descriptor's structural hash; the
// pointer decides equality. O(1) per lookup in constant evaluation.
class desc_index {
public:
  constexpr int find(const node_desc* d) const {
    const std::size_t mask = slot_.size() - 1;
    for (std::size_t h = d->hash & mask;; h = (h + 1) & mask) {
      if (slot_[h] == nullptr) return -1;
      if (slot_[h] == d) return index_[h];
    }
  }
  // Gives d the next index; d must not be present.
  constexpr int insert(const node_desc* d) {
    if (2 * (count_ + 1) > static_cast<int>(slot_.size())) grow();
    place(d, count_);
    return count_++;
  }
  constexpr int count() const { return count_; }

private:
  constexpr void place(const node_desc* d, int i) {
    const std::size_t mask = slot_.size() - 1;
    std::size_t h = d->hash & mask;
    while (slot_[h] != nullptr) h = (h + 1) & mask;
    slot_[h] = d;
    index_[h] = i;
  }
  constexpr void grow() {
    std::vector<const node_desc*> old_slot(slot_.size() * 2, nullptr);
    std::vector<int> old_index(index_.size() * 2, -1);
    old_slot.swap(slot_);
    old_index.swap(index_);
    for (std::size_t h = 0; h < old_slot.size(); ++h)
      if (old_slot[h] != nullptr) place(old_slot[h], old_index[h]);
  }
  std::vector<const node_desc*> slot_ = std::vector<const node_desc*>(64, nullptr);
  std::vector<int> index_ = std::vector<int>(64, -1);
  int count_ = 0;
};

// Depth-first post-order over the descriptors reachable from the outputs, each node once
// (children before parents, outputs in order). Writes the records, their inputs as graph
// indices, into `records` and the outputs' indices into `outputs` when they are given;
// returns the number of nodes.
constexpr int flatten(const node_desc* const* outs, int nout, node_record* records, int* outputs,
                      custom_launcher* launchers = nullptr) {
  desc_index seen;
  std::vector<const node_desc*> path;
  std::vector<int> next_kid;
  for (int o = 0; o < nout; ++o) {
    if (seen.find(outs[o]) < 0) {
      path.push_back(outs[o]);
      next_kid.push_back(0);
    }
    while (!path.empty()) {
      const node_desc* d = path.back();
      if (next_kid.back() < d->arity) {
        const node_desc* kid = d->kids[next_kid.back()++];
        if (seen.find(kid) < 0) {
          path.push_back(kid);
          next_kid.push_back(0);
        }
        continue;
      }
      const int at = seen.insert(d);
      if (records) {
        node_record& r = records[at];
        r = *d->rec;
        r.ninputs = d->arity;
        for (int k = 0; k < d->arity; ++k) r.inputs[k] = seen.find(d->kids[k]);
      }
      if (launchers) launchers[at] = d->launch;
      path.pop_back();
      next_kid.pop_back();
    }
    if (outputs) outputs[o] = seen.find(outs[o]);
  }
  return seen.count();
}

template <int Size, int Outputs> struct flat_table {
  std::array<node_record, Size> records{};
  std::array<int, Outputs> outputs{};
  std::array<custom_launcher, Size> launchers{};
};

// The graph's size, then its table; called only in constant initializers. Not templates
// on the output types: a function named by deep node types costs g++ a long mangled name
// (node.hpp).
constexpr int flat_size(const node_desc* const* outs, int nout) { return flatten(outs, nout, nullptr, nullptr); }
template <int Size, int Outputs> constexpr flat_table<Size, Outputs> flat_records(const node_desc* const* outs) {
  flat_table<Size, Outputs> t;
  flatten(outs, Outputs, t.records.data(), t.outputs.data(), t.launchers.data());
  return t;
}
template <class... Outputs> constexpr const node_desc* output_descs[sizeof...(Outputs)] = {&desc_of<Outputs>...};
} // namespace detail

// A flattened graph of (already lowered) output node types.
template <class... Outputs> struct graph_of {
  static constexpr int size = detail::flat_size(detail::output_descs<Outputs...>, sizeof...(Outputs));
  static constexpr int output_count = sizeof...(Outputs);

private:
  static constexpr auto table = detail::flat_records<size, sizeof...(Outputs)>(detail::output_descs<Outputs...>);

public:
  static constexpr std::array<int, sizeof...(Outputs)> outputs = table.outputs;
  static constexpr std::array<node_record, size> records = table.records;
  // Per node: the host function of a custom op's kernel, null elsewhere.
  static constexpr std::array<custom_launcher, size> launchers = table.launchers;

  // Distinct consumers of each node, outputs counting as consumers.
  static constexpr std::array<int, size> users = [] {
    std::array<int, size> u{};
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
template <class... Outputs> using graph = graph_of<std::remove_cvref_t<Outputs>...>;

} // namespace coil
