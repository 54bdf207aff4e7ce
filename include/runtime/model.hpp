// The callable model: `compile<Target>(outputs...)` lowers the expressions, flattens
// them into the graph value, plans, and returns an object that, when called with named
// inputs, binds symbols, checks every guard, then runs the kernels over one arena.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <tuple>
#include <utility>

#include "../backends/exec_state.hpp"
#include "../backends/cpu/loops.hpp"
#include "../core/targets.hpp"
#include "../backends/reference/interpreter.hpp"
#include "../lowering/rule.hpp"
#include "../schedule/memory.hpp"
#include "../schedule/verify.hpp"
#include "guards.hpp"
#include "tensor.hpp"

namespace coil {

namespace detail {
// How a target runs a plan, and where its arena lives. The host targets keep the arena in
// host memory; runtime/cuda_model.hpp specializes both for coil::cuda (device memory,
// kernel launches on the model's stream).
template <class Target> struct backend_runner;
template <> struct backend_runner<cpu> {
  template <class P, int N, class State> static status run(exec_state<N>& s, State&) {
    kernel::run_cpu<P>(s);
    return {};
  }
};
template <> struct backend_runner<reference> {
  template <class P, int N, class State> static status run(exec_state<N>& s, State&) {
    reference_impl::run<typename P::graph>(s);
    return {};
  }
};

// The arena of a host target: one allocation, grown only when a call needs more.
template <class Target> class device_state {
public:
  static constexpr bool host_memory = true;
  status reserve(std::int64_t bytes) {
    if (bytes <= capacity_) return {};
    // over-allocate by the alignment so offsets can start on an aligned address
    arena_.reset(new std::byte[static_cast<std::size_t>(bytes + arena_alignment)]);
    capacity_ = bytes;
    return {};
  }
  std::byte* arena() const { return arena_.get(); }

private:
  std::unique_ptr<std::byte[]> arena_;
  std::int64_t capacity_ = 0;
};

template <fixed_string Name> constexpr auto no_input_message(auto names) {
  text<200> t;
  t << "coil::model: no input named '" << Name.data << "'; inputs are:" << names.data;
  return t;
}
template <fixed_string Name> constexpr auto missing_input_message(int passed) {
  text<200> t;
  if (passed == 0) t << "coil::model: input '" << Name.data << "' is not passed: add coil::arg<\"" << Name.data << "\">(...)";
  else t << "coil::model: input '" << Name.data << "' is passed " << passed << " times: pass it once";
  return t;
}
template <fixed_string Name> constexpr auto input_type_message(dtype want, dtype got, int want_rank, int got_rank) {
  text<200> t;
  t << "coil::model: input '" << Name.data << "' is " << dtype_name(want) << " of rank " << want_rank << ", got "
    << dtype_name(got) << " of rank " << got_rank;
  return t;
}
constexpr auto output_type_message(int slot, dtype want, dtype got, int want_rank, int got_rank) {
  text<200> t;
  t << "coil::model: output " << slot << " is " << dtype_name(want) << " of rank " << want_rank << ", got "
    << dtype_name(got) << " of rank " << got_rank;
  return t;
}
} // namespace detail

namespace detail {
template <class T> inline constexpr bool is_named_arg_v = is_named_arg<T>::value;
template <class A> constexpr bool arg_named(const char* name) {
  if constexpr (is_named_arg_v<A>) return cstr_eq(A::name.data, name);
  else return false;
}
template <int K, class... Args> struct nth_out;
template <int K, class A, class... Rest> struct nth_out<K, A, Rest...> {
  using type = std::conditional_t<is_out_arg<A>::value && K == 0, A,
                                  typename nth_out<(is_out_arg<A>::value ? K - 1 : K), Rest...>::type>;
};
template <int K> struct nth_out<K> { using type = void; };
// An output that is an input itself is written by a copy kernel (a cast to its own
// dtype), so the input and the output keep separate buffers.
template <class N> struct output_node { using type = N; };
// (Matched by the op's code: nvcc's front end does not deduce input_op's fixed_string.)
template <class Op> requires(Op::code == op_code::input) struct output_node<node<Op>> {
  using type = node<cast_op<record_of<node<Op>>.type>, node<Op>>;
};
template <class N> using output_node_t = typename output_node<N>::type;

// Whether two views share any byte (their address ranges intersect).
template <class V> std::pair<std::uintptr_t, std::uintptr_t> byte_range(const V& v) {
  using E = std::remove_cv_t<std::remove_pointer_t<decltype(v.data)>>;
  std::int64_t lo = 0, hi = 0;
  for (std::size_t d = 0; d < v.extents.size(); ++d) {
    if (v.extents[d] == 0) return {0, 0};
    const std::int64_t span = (v.extents[d] - 1) * v.strides[d];
    (span < 0 ? lo : hi) += span;
  }
  const auto base = reinterpret_cast<std::uintptr_t>(v.data);
  return {base + static_cast<std::uintptr_t>(lo * static_cast<std::int64_t>(sizeof(E))),
          base + static_cast<std::uintptr_t>((hi + 1) * static_cast<std::int64_t>(sizeof(E)))};
}

template <class... Args> bool outputs_alias_inputs(const Args&... args) {
  bool alias = false;
  auto check_out = [&](const auto& o) {
    if constexpr (is_out_arg<std::remove_cvref_t<decltype(o)>>::value) {
      const auto ro = byte_range(o.v);
      auto check_in = [&](const auto& i) {
        if constexpr (is_named_arg_v<std::remove_cvref_t<decltype(i)>>) {
          const auto ri = byte_range(i.v);
          alias = alias || (ro.first < ro.second && ri.first < ri.second && ro.first < ri.second && ri.first < ro.second);
        }
      };
      (check_in(args), ...);
    }
  };
  (check_out(args), ...);
  return alias;
}

// The arguments of one kind, in order, as a tuple.
template <template <class> class Is, class... Args> auto select_args(const Args&... args) {
  return std::tuple_cat([](const auto& a) {
    if constexpr (Is<std::remove_cvref_t<decltype(a)>>::value) return std::tuple(a);
    else return std::tuple<>();
  }(args)...);
}

// Element-by-element copy between two views of equal extents.
template <class T, class U, int Rank> void copy_into(const tensor_view<U, Rank>& src, const tensor_view<T, Rank>& dst) {
  std::int64_t ix[Rank > 0 ? Rank : 1]{};
  for (std::int64_t l = 0; l < src.size(); ++l) {
    std::int64_t rest = l, from = 0, to = 0;
    for (int d = Rank - 1; d >= 0; --d) {
      ix[d] = rest % src.extents[d];
      rest /= src.extents[d];
      from += ix[d] * src.strides[d];
      to += ix[d] * dst.strides[d];
    }
    dst.data[to] = src.data[from];
  }
}

template <class... Ts> constexpr bool all_distinct() {
  const node_desc* d[] = {&desc_of<Ts>...};
  for (std::size_t i = 0; i < sizeof...(Ts); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (d[i] == d[j]) return false;
  return true;
}
template <int K, class... Args> using nth_out_t = typename nth_out<K, Args...>::type;

// What a call's intermediates and inputs come from: everything but the outputs.
template <class T> struct is_input_or_workspace : std::bool_constant<is_named_arg<T>::value || is_workspace_arg<T>::value> {};

// The workspace among the arguments, or null.
template <class... Args> const workspace_arg* find_workspace(const Args&... args) {
  const workspace_arg* w = nullptr;
  (
      [&](const auto& a) {
        if constexpr (is_workspace_arg<std::remove_cvref_t<decltype(a)>>::value) w = &a;
      }(args),
      ...);
  return w;
}
} // namespace detail

// Key: the type the kernels are instantiated with (the model itself when void). nvcc
// spells a kernel's template arguments in its host stub and cannot spell the class-type
// template arguments inside node types (an input's name), so a CUDA model is a named type
// deriving from this one: `struct mlp : coil::keyed_model<mlp, coil::cuda, decltype(y)> {};`
template <class Target, class Graph, class Key = void> class model {
public:
  using graph = Graph;
  using target = Target;
  static constexpr int size = Graph::size;
  static constexpr plan_value<size> plan = make_plan<Graph>();
#if defined(COIL_VERIFY_PLAN)
  static constexpr plan_check plan_verified = verify_plan<Graph>(plan);
  static_assert(plan_verified.ok, "coil: the plan breaks an invariant (COIL_VERIFY_PLAN); see coil::verify_plan");
#endif
  static_assert(std::is_same_v<Target, cuda> ||
                    [] {
                      for (const node_record& r : Graph::records)
                        if (r.cuda_kernel) return false;
                      return true;
                    }(),
                "coil: a custom kernel that declares `cuda = true` runs on coil::cuda only (ops/custom.hpp)");
  static constexpr bool static_arena = arena_is_static<Graph>(plan);
  // Bytes of the arena, known at compile time when every intermediate has static dims.
  static constexpr std::int64_t arena_bytes = static_arena ? layout_arena<Graph>(plan, sym_env{}).bytes : -1;

  model() {
    // host arenas are allocated here, once; a device arena on the first call
    if constexpr (static_arena && arena_bytes > 0 && !std::is_same_v<Target, reference> &&
                  detail::device_state<Target>::host_memory)
      (void)state_.reserve(arena_bytes);
  }

  // Runs the model; returns a failed status (and writes nothing) on bad input.
  //   model.run(coil::arg<"x">(xs, 4, 784), coil::out(coil::view(ys, 4, 10)));
  template <class... Args> status run(const Args&... args) {
    check_arguments<Args...>();
    // run() writes only into the caller's buffers (without them the kernels would write
    // through null pointers); the call operator returns owning tensors instead.
    static_assert((0 + ... + (is_out_arg<Args>::value ? 1 : 0)) == Graph::output_count,
                  "coil::model::run: pass one coil::out(...) per output (or call the model to get owning tensors)");
    if (detail::outputs_alias_inputs(args...)) {
      if constexpr (detail::device_state<Target>::host_memory) return run_through_temporaries(args...);
      else return detail::fail_status("coil::model::run: an output shares memory with an input; on ", Target::name,
                                      " pass a separate output buffer");
    }
    exec_state<size> s;
    sym_env env;
    status st = bind_shapes(s, env, args...);
    if (!st) return st;
    st = bind_outputs(s, args...);
    if (!st) return st;
    if constexpr (!std::is_same_v<Target, reference>) { // the oracle keeps its own storage
      st = bind_arena(s, env, detail::find_workspace(args...));
      if (!st) return st;
      bind_strided_operands(s);
    }
    // (no alias between the two: nvcc would spell the alias in the kernels' host stubs)
    if constexpr (std::is_void_v<Key>) return detail::backend_runner<Target>::template run<model>(s, state_);
    else return detail::backend_runner<Target>::template run<Key>(s, state_);
  }

  // Bytes of workspace a call with these inputs needs (intermediates, plus slack to align
  // the caller's pointer): lend that much with coil::workspace(ptr, bytes) and the call
  // allocates nothing. Throws coil::error when the inputs fail a guard.
  template <class... Args> std::int64_t workspace_bytes(const Args&... args) const {
    exec_state<size> s;
    sym_env env;
    detail::throw_if_failed(bind_shapes(s, env, args...));
    const std::int64_t bytes = layout_arena<Graph>(plan, env).bytes;
    return bytes > 0 ? bytes + arena_alignment : 0;
  }

  // Runs the model, throwing coil::error on bad input. Without output arguments it
  // returns the outputs as owning tensors (one tensor, or a tuple of them).
  template <class... Args> auto operator()(const Args&... args) {
    if constexpr ((is_out_arg<Args>::value || ...)) {
      detail::throw_if_failed(run(args...));
    } else {
      static_assert(detail::device_state<Target>::host_memory,
                    "coil::model: on this target the outputs live in device memory: pass coil::out(...) for each");
      return call_returning(std::make_index_sequence<Graph::output_count>{}, args...);
    }
  }

  // The extents of output `Slot` for the given inputs (symbols bound, guards checked).
  template <int Slot, class... Args>
  std::array<std::int64_t, Graph::records[Graph::outputs[Slot]].shp.rank> output_extents(const Args&... args) const {
    exec_state<size> s;
    sym_env env;
    detail::throw_if_failed(bind_shapes(s, env, args...));
    return extents_of<Slot>(s);
  }

  // The target's resources held by this model (arena; on CUDA also the stream).
  detail::device_state<Target>& device() { return state_; }

private:
  detail::device_state<Target> state_;

  template <int Slot> static auto extents_of(const exec_state<size>& s) {
    constexpr int i = Graph::outputs[Slot];
    std::array<std::int64_t, Graph::records[i].shp.rank> e{};
    std::copy_n(s.ext[i], e.size(), e.begin()); // (a loop over a rank-0 array warns in nvcc)
    return e;
  }

  template <std::size_t... O, class... Args> auto call_returning(std::index_sequence<O...>, const Args&... args) {
    exec_state<size> s;
    sym_env env;
    detail::throw_if_failed(bind_shapes(s, env, args...)); // before allocating: sizes may be invalid
    auto outs = std::make_tuple(
        tensor<element_t<Graph::records[Graph::outputs[O]].type>, Graph::records[Graph::outputs[O]].shp.rank>(
            extents_of<static_cast<int>(O)>(s))...);
    detail::throw_if_failed(run(args..., out(std::get<O>(outs))...));
    if constexpr (sizeof...(O) == 1) return std::move(std::get<0>(outs));
    else return outs;
  }

  // An output that shares memory with an input (`y = f(x)` written over x) could be
  // overwritten while other elements still read the input: compute into temporaries,
  // then copy. The only call that allocates on the heap, and only in this case.
  template <class... Args> status run_through_temporaries(const Args&... args) {
    const auto outs = detail::select_args<is_out_arg>(args...);
    status st;
    std::apply(
        [&](const auto&... in) {
          exec_state<size> s;
          sym_env env;
          st = bind_shapes(s, env, in...);
          if (st) st = bind_outputs(s, args...); // the caller's outputs have the right extents
          if (!st) return;
          [&]<std::size_t... O>(std::index_sequence<O...>) {
            auto tmp = std::make_tuple(tensor<element_t<Graph::records[Graph::outputs[O]].type>,
                                              Graph::records[Graph::outputs[O]].shp.rank>(extents_of<static_cast<int>(O)>(s))...);
            st = run(in..., out(std::get<O>(tmp))...);
            if (st) (detail::copy_into(std::as_const(std::get<O>(tmp)).view(), std::get<O>(outs).v), ...);
          }(std::make_index_sequence<Graph::output_count>{});
        },
        detail::select_args<detail::is_input_or_workspace>(args...)); // a lent workspace still holds the intermediates
    return st;
  }

  // Binds the symbols, evaluates every node's extents and checks every call-time guard
  // (and, in host memory, the indices a gather reads from an input).
  template <class... Args> static status bind_shapes(exec_state<size>& s, sym_env& env, const Args&... args) {
    status st = bind_inputs(s, env, args...);
    if (!st) return st;
    for (int i = 0; i < size; ++i)
      for (int d = 0; d < Graph::records[i].shp.rank; ++d) s.ext[i][d] = eval(Graph::records[i].shp.d[d], env);
    st = detail::check_dims(Graph::records, s.ext, env);
    // gather indices that are inputs are read on the host; on a device they are clamped
    if constexpr (detail::device_state<Target>::host_memory)
      if (st) st = detail::check_gather_indices(Graph::records, s);
    return st;
  }

  static constexpr auto input_names() {
    text<120> t;
    for (const auto& r : Graph::records)
      if (r.code == op_code::input) t << ' ' << r.name.c_str();
    return t;
  }

  // Names, dtypes and ranks of the arguments, checked at compile time.
  template <class... Args> static constexpr void check_arguments() {
    static_assert(((detail::is_named_arg_v<Args> || is_out_arg<Args>::value || is_workspace_arg<Args>::value) && ...),
                  "coil::model: arguments are coil::arg<\"name\">(...), coil::out(...) and coil::workspace(...)");
    static_assert((0 + ... + (is_workspace_arg<Args>::value ? 1 : 0)) <= 1, "coil::model: pass at most one coil::workspace(...)");
    (check_named<Args>(), ...);
    check_all_inputs_passed<Args...>(std::make_index_sequence<input_count>{});
    constexpr int outs = (0 + ... + (is_out_arg<Args>::value ? 1 : 0));
    static_assert(outs == 0 || outs == Graph::output_count, "coil::model: pass one coil::out(...) per output, or none");
    check_outputs<Args...>();
  }

  template <class A> static constexpr void check_named() {
    if constexpr (detail::is_named_arg_v<A>) {
      constexpr int i = Graph::index_of_input(A::name.data);
      if constexpr (i < 0) {
        COIL_COMPILE_ERROR(detail::no_input_message<A::name>(input_names()));
        static_assert(i >= 0, "coil::model: no input of this name (see the compile_error above)");
      } else {
        constexpr node_record r = Graph::records[i];
        constexpr bool ok = r.type == dtype_v<typename A::element_type> && r.shp.rank == A::rank;
        if constexpr (!ok) {
          COIL_COMPILE_ERROR(detail::input_type_message<A::name>(r.type, dtype_v<typename A::element_type>, r.shp.rank, A::rank));
          static_assert(ok, "coil::model: input has another dtype or rank (see the compile_error above)");
        }
      }
    }
  }

  // The graph's input nodes: the checks below are instantiated per input, not per node.
  static constexpr int input_count = [] {
    int c = 0;
    for (const node_record& r : Graph::records) c += r.code == op_code::input ? 1 : 0;
    return c;
  }();
  static constexpr std::array<int, input_count> input_nodes = [] {
    std::array<int, input_count> a{};
    for (int i = 0, c = 0; i < size; ++i)
      if (Graph::records[i].code == op_code::input) a[c++] = i;
    return a;
  }();

  template <class... Args, std::size_t... J> static constexpr void check_all_inputs_passed(std::index_sequence<J...>) {
    (check_input_passed<input_nodes[J], Args...>(), ...);
  }
  template <int I, class... Args> static constexpr void check_input_passed() {
    constexpr node_record r = Graph::records[I];
    constexpr int passed = (0 + ... + (detail::arg_named<Args>(r.name.c_str()) ? 1 : 0));
    if constexpr (passed != 1) {
      COIL_COMPILE_ERROR(detail::missing_input_message<fixed_string<16>(r.name.c)>(passed));
      static_assert(passed == 1, "coil::model: every input is passed exactly once (see the compile_error above)");
    }
  }

  template <class... Args> static constexpr void check_outputs() {
    []<std::size_t... K>(std::index_sequence<K...>) {
      (check_output_at<static_cast<int>(K), detail::nth_out_t<static_cast<int>(K), Args...>>(), ...);
    }(std::make_index_sequence<(0 + ... + (is_out_arg<Args>::value ? 1 : 0))>{});
  }
  template <int Slot, class O> static constexpr void check_output_at() {
    if constexpr (Slot < Graph::output_count) {
      constexpr node_record r = Graph::records[Graph::outputs[Slot]];
      constexpr bool ok = r.type == dtype_v<typename O::element_type> && r.shp.rank == O::rank;
      if constexpr (!ok) {
        COIL_COMPILE_ERROR(detail::output_type_message(Slot, r.type, dtype_v<typename O::element_type>, r.shp.rank, O::rank));
        static_assert(ok, "coil::model: output has another dtype or rank (see the compile_error above)");
      }
    }
  }

  // Binds symbols from the inputs in graph order (the first input carrying a symbol
  // binds it; every other occurrence must agree) and records inputs' memory.
  template <class... Args> static status bind_inputs(exec_state<size>& s, sym_env& env, const Args&... args) {
    status st;
    for (int i = 0; i < size && st.ok(); ++i) {
      const node_record& r = Graph::records[i];
      if (r.code != op_code::input) continue;
      (
          [&] {
            if constexpr (detail::is_named_arg_v<Args>) {
              if (!st.ok() || !cstr_eq(Args::name.data, r.name.c_str())) return;
              s.data[i] = args.v.data;
              for (int d = 0; d < r.shp.rank; ++d) {
                const std::int64_t got = args.v.extents[d];
                s.str[i][d] = args.v.strides[d];
                const dim& want = r.shp.d[d];
                if (want.is_static()) {
                  if (got != want.static_value()) {
                    st.failed = true;
                    st.msg << "coil::model: input '" << r.name.c_str() << "' dim " << d << ": expected "
                           << want.static_value() << ", got " << got;
                  }
                } else if (const std::int64_t* bound = env.find(want.symbol())) {
                  if (got != *bound) {
                    st.failed = true;
                    st.msg << "coil::model: input '" << r.name.c_str() << "' dim " << d << " (" << want.symbol().c_str()
                           << "): expected " << *bound << " (bound by an earlier input), got " << got;
                  }
                } else if (got < 0 || !env.bind(want.symbol(), got)) {
                  st.failed = true;
                  st.msg << "coil::model: input '" << r.name.c_str() << "' dim " << d << " (" << want.symbol().c_str()
                         << "): cannot bind " << got;
                }
                if (!st.ok()) return;
              }
            }
          }(),
          ...);
    }
    return st;
  }

  template <class... Args> static status bind_outputs(exec_state<size>& s, const Args&... args) {
    status st;
    int slot = 0;
    (
        [&] {
          if constexpr (is_out_arg<Args>::value) {
            const int i = Graph::outputs[slot];
            const node_record& r = Graph::records[i];
            for (int d = 0; d < r.shp.rank && st.ok(); ++d) {
              if (args.v.extents[d] != s.ext[i][d]) {
                st.failed = true;
                st.msg << "coil::model: output " << slot << " dim " << d << ": expected " << s.ext[i][d] << ", got "
                       << args.v.extents[d];
              }
              s.str[i][d] = args.v.strides[d];
            }
            s.data[i] = args.v.data;
            ++slot;
          }
        }(),
        ...);
    return st;
  }

  // Strided operands (realize_reason::strided_operand): a permute of an input that the
  // GEMMs read in place. Its memory is the input's, its strides the input's permuted.
  static void bind_strided_operands(exec_state<size>& s) {
    for (int i = 0; i < size; ++i) {
      if (plan.realized[i] || plan.reason[i] != realize_reason::strided_operand) continue;
      const node_record& r = Graph::records[i];
      const int src = r.inputs[0];
      s.data[i] = s.data[src];
      for (int d = 0; d < r.shp.rank; ++d) s.str[i][d] = s.str[src][r.perm[d]];
    }
  }

  // Places the intermediates in the caller's workspace when one is lent, else in the
  // model's arena. A workspace too small for this call fails before anything is written.
  status bind_arena(exec_state<size>& s, const sym_env& env, const workspace_arg* lent) {
    const arena_layout<size> a = layout_arena<Graph>(plan, env);
    std::uintptr_t base = 0;
    if (lent) {
      const std::uintptr_t start = reinterpret_cast<std::uintptr_t>(lent->data);
      base = (start + arena_alignment - 1) / arena_alignment * arena_alignment;
      const std::int64_t usable = lent->bytes - static_cast<std::int64_t>(base - start);
      if (a.bytes > 0 && (lent->data == nullptr || usable < a.bytes)) {
        status st;
        st.failed = true;
        st.msg << "coil::model: workspace of " << lent->bytes << " bytes is too small: this call needs " << a.bytes
               << " (+" << arena_alignment << " for alignment); see model.workspace_bytes(...)";
        return st;
      }
    } else {
      const status st = state_.reserve(a.bytes);
      if (!st) return st;
      base = reinterpret_cast<std::uintptr_t>(state_.arena());
      base = (base + arena_alignment - 1) / arena_alignment * arena_alignment;
    }
    for (int b = 0; b < plan.buffer_count; ++b) {
      const int i = plan.buffer_node[b];
      s.data[i] = reinterpret_cast<const void*>(base + static_cast<std::uintptr_t>(a.offset[b]));
      std::int64_t acc = 1; // strides in the plan's dim order, innermost last
      for (int d = Graph::records[i].shp.rank - 1; d >= 0; --d) {
        const int axis = plan.dim_order[i][d];
        s.str[i][axis] = acc;
        acc *= s.ext[i][axis];
      }
    }
    return {};
  }
};

// Compiles output expressions for a target (coil::cpu, coil::reference): everything is
// decided here, at compile time; the returned model object only holds the arena.
//   auto model = coil::compile<coil::cpu>(y);
template <class Target, expr... Outputs> auto compile(Outputs...) {
  static_assert(sizeof...(Outputs) >= 1, "coil::compile: give at least one output expression");
  static_assert(detail::all_distinct<Outputs...>(), "coil::compile: the same expression is passed twice as an output");
  using G = graph<detail::output_node_t<lowered_t<Outputs, Target>>...>;
  return model<Target, G>{};
}

// The model of the output expression types for Target, with its kernels keyed by Key:
//   constexpr auto y = coil::softmax<-1>(x);
//   struct softmax_gpu : coil::keyed_model<softmax_gpu, coil::cuda, decltype(y)> {};
template <class Key, class Target, class... Outputs>
using keyed_model = model<Target, graph<detail::output_node_t<lowered_t<std::remove_cvref_t<Outputs>, Target>>...>, Key>;

} // namespace coil
