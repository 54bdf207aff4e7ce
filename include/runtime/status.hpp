// Runtime errors in the project's one-line grammar. A call reports through a status
// (no exceptions needed, for embedded builds) and the throwing call wraps it.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "../core/config.hpp"
#include "../core/fixed_string.hpp"

namespace coil {

// Outcome of a model call: ok, or a one-line message naming the op or input and dims.
struct status {
  bool failed = false;
  text<320> msg{};

  constexpr explicit operator bool() const { return !failed; }
  constexpr bool ok() const { return !failed; }
  constexpr const char* message() const { return msg.c_str(); }
};

// The exception a throwing call raises; what() is the status message.
class error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

namespace detail {
// A failed status whose message is the parts in order (strings and integers).
template <class... Parts> constexpr status fail_status(const Parts&... parts) {
  status st;
  st.failed = true;
  ((st.msg << parts), ...);
  return st;
}

// Raise st as coil::error, or, in a build without exceptions, print it and abort.
inline void throw_if_failed(const status& st) {
  if (st.ok()) return;
#if COIL_HAS_EXCEPTIONS
  throw error(st.message());
#else
  std::fputs(st.message(), stderr);
  std::fputc('\n', stderr);
  std::abort();
#endif
}
} // namespace detail

} // namespace coil
