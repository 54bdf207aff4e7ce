// A string usable as a template argument (input names, symbol names) and a small
// constexpr text builder used to compose one-line compile-time diagnostics.
#pragma once
#include <cstddef>
#include <cstdint>

namespace coil {

// Structural string for template arguments: `input<"x", float>`, `sym<"B">`.
template <std::size_t N> struct fixed_string {
  char data[N]{};
  constexpr fixed_string() = default;
  constexpr fixed_string(const char (&s)[N]) {
    for (std::size_t i = 0; i < N; ++i) data[i] = s[i];
  }
  constexpr std::size_t size() const { return N - 1; }
  constexpr const char* c_str() const { return data; }
};
template <std::size_t N> fixed_string(const char (&)[N]) -> fixed_string<N>;

// Fixed-capacity name stored by value inside IR records (symbols, input names).
struct name16 {
  char c[16]{};
  constexpr name16() = default;
  constexpr explicit name16(const char* s) {
    for (int i = 0; i < 15 && s[i]; ++i) c[i] = s[i];
  }
  constexpr bool empty() const { return c[0] == 0; }
  constexpr const char* c_str() const { return c; }
  friend constexpr bool operator==(const name16& a, const name16& b) {
    for (int i = 0; i < 16; ++i)
      if (a.c[i] != b.c[i]) return false;
    return true;
  }
  // Total order, used to keep symbolic products in a canonical order.
  friend constexpr bool operator<(const name16& a, const name16& b) {
    for (int i = 0; i < 16; ++i)
      if (a.c[i] != b.c[i]) return static_cast<unsigned char>(a.c[i]) < static_cast<unsigned char>(b.c[i]);
    return false;
  }
};

constexpr std::size_t cstr_len(const char* s) {
  std::size_t n = 0;
  while (s[n]) ++n;
  return n;
}

constexpr bool cstr_eq(const char* a, const char* b) {
  std::size_t i = 0;
  for (; a[i] && b[i]; ++i)
    if (a[i] != b[i]) return false;
  return a[i] == b[i];
}

// Text builder with a fixed capacity; truncates rather than overflowing. Used both at
// compile time (diagnostic messages as template arguments) and at run time (errors).
template <std::size_t Cap> struct text {
  char data[Cap]{};
  std::size_t len = 0;

  constexpr text& operator<<(const char* s) {
    for (std::size_t i = 0; s[i] && len + 1 < Cap; ++i) data[len++] = s[i];
    return *this;
  }
  constexpr text& operator<<(char ch) {
    if (len + 1 < Cap) data[len++] = ch;
    return *this;
  }
  constexpr text& operator<<(std::int64_t v) {
    char buf[24]{};
    int n = 0;
    bool neg = v < 0;
    std::uint64_t u = neg ? static_cast<std::uint64_t>(-(v + 1)) + 1 : static_cast<std::uint64_t>(v);
    do {
      buf[n++] = static_cast<char>('0' + u % 10);
      u /= 10;
    } while (u != 0);
    if (neg) *this << '-';
    while (n > 0) *this << buf[--n];
    return *this;
  }
  constexpr text& operator<<(int v) { return *this << static_cast<std::int64_t>(v); }
  template <std::size_t C2> constexpr text& operator<<(const text<C2>& t) { return *this << t.data; }
  constexpr const char* c_str() const { return data; }
};

// Turns a built text into a template-argument string of exactly its length (L = len + 1),
// so that the compiler prints it without padding.
template <std::size_t L, std::size_t Cap> constexpr fixed_string<L> to_fixed(const text<Cap>& t) {
  fixed_string<L> f;
  for (std::size_t i = 0; i + 1 < L; ++i) f.data[i] = t.data[i];
  return f;
}

} // namespace coil
