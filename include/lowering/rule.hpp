// The one primary template of lowering, and the pass that applies it. A rule rewrites a
// node of some op into an expression of primitive ops; primitive ops lower to themselves.
// "Is this op lowerable?" is whether a non-default rule exists: there is no second list.
#pragma once
#include <type_traits>

#include "../ir/node.hpp"

namespace coil {

// The priority slot (Boost.Hana's `when`): a specialization on `when<condition>` applies
// where the condition holds.
template <bool Condition> struct when;

// Marker base of the primary template: no rule for this op and target.
struct default_rule {};

// Lowering rule of Op for Target. Specialize it to add an op: its member alias template
// `apply<Children...>` is the lowered node type for the given (lowered) children.
template <class Op, class Target, class = when<true>> struct lower_impl : default_rule {};

template <class Op> concept primitive_op = requires { Op::code; };

// Primitive ops of the IR are their own lowering.
template <class Op, class Target> struct lower_impl<Op, Target, when<primitive_op<Op>>> {
  static constexpr bool identity = true;
  template <class... Children> using apply = node<Op, Children...>;
};

template <class Op, class Target>
inline constexpr bool has_lowering = !std::is_base_of_v<default_rule, lower_impl<Op, Target>>;

namespace detail {
template <class Op> constexpr const char* op_display_name() {
  if constexpr (requires { Op::name; }) return Op::name;
  else return "<unnamed op>";
}

constexpr auto no_rule_message(const char* name) {
  text<200> t;
  t << "coil: no lowering for '" << name
    << "': specialize coil::lower_impl<...> or register a kernel (docs/extending.md)";
  return t;
}

template <class N, class Target> struct lower_node;
// An all-primitive sub-DAG is its own lowering: found from a flag computed when the node
// was built, so lowering a large primitive graph neither recurses nor instantiates per node.
template <class N, class Target> struct lower_entry { using type = typename lower_node<N, Target>::type; };
template <class N, class Target> requires(all_primitive<N>) struct lower_entry<N, Target> { using type = N; };
template <class Op, class... C, class Target> struct lower_node<node<Op, C...>, Target> {
  using rule = lower_impl<Op, Target>;
  static constexpr bool found = has_lowering<Op, Target>;
  static constexpr auto check = [] {
    if constexpr (!found) {
      COIL_COMPILE_ERROR(no_rule_message(op_display_name<Op>()));
      static_assert(found, "coil: no lowering rule for this op (see the compile_error above)");
    }
    return 0;
  }();
  template <class R> static auto pick() {
    if constexpr (!found) return node<Op, C...>{};
    else if constexpr (requires { R::identity; }) return typename R::template apply<typename lower_entry<C, Target>::type...>{};
    else return typename lower_entry<typename R::template apply<typename lower_entry<C, Target>::type...>, Target>::type{};
  }
  using type = decltype(pick<rule>());
};
} // namespace detail

// The lowered (all-primitive) node type of an expression type, for a target.
template <class N, class Target> using lowered_t = typename detail::lower_entry<std::remove_cvref_t<N>, Target>::type;

} // namespace coil
