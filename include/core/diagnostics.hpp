// One grammar for every diagnostic: `coil::<op>: <what is wrong>: <the values>`.
// Compile-time errors name an incomplete template whose argument is the whole message,
// so the compiler prints it (g++ prints the text; clang prints it as character codes,
// which is why a static_assert with the op's generic message accompanies it).
#pragma once
#include "fixed_string.hpp"

namespace coil {

// Never defined: instantiating it is the compile error, and its argument is the message.
template <fixed_string Message> struct compile_error;

namespace detail {
template <class...> inline constexpr bool dependent_false = false;
} // namespace detail

// Declaring a variable of `compile_error<msg>` inside an `if constexpr` branch that is
// taken only when something is wrong is how every compile-time check reports:
//   if constexpr (!ok) { [[maybe_unused]] compile_error<msg> error; static_assert(ok, "..."); }
// The static_assert that follows carries the op's generic text for compilers that print
// the template argument as character codes.
#define COIL_COMPILE_ERROR(text_value)                                                             \
  [[maybe_unused]] ::coil::compile_error<::coil::to_fixed<(text_value).len + 1>(text_value)> coil_error

} // namespace coil
