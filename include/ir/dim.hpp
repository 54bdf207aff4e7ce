// A dimension is a canonical polynomial over named symbols with integer coefficients:
// a compile-time constant (784), a symbol (B), or an expression such as 16*B or B*S + 4.
// Canonical form (sorted monomials, merged coefficients, no zero terms) makes equal
// expressions compare equal, so shape checks between symbolic dims are decided at compile
// time where they can be. Values, not types: shapes are computed by constexpr functions.
#pragma once
#include <cstdint>

#include "../core/config.hpp"
#include "../core/fixed_string.hpp"

namespace coil {

// A monomial: coeff * sym[0] * sym[1] * ... (symbols sorted, repeats allowed).
struct term {
  std::int64_t coeff = 0;
  int nsym = 0;
  name16 sym[3]{};

  constexpr bool same_monomial(const term& o) const {
    if (nsym != o.nsym) return false;
    for (int i = 0; i < nsym; ++i)
      if (!(sym[i] == o.sym[i])) return false;
    return true;
  }
  // Order of monomials inside a dim: constants first, then by symbol count and names.
  constexpr bool before(const term& o) const {
    if (nsym != o.nsym) return nsym < o.nsym;
    for (int i = 0; i < nsym; ++i)
      if (!(sym[i] == o.sym[i])) return sym[i] < o.sym[i];
    return false;
  }
};

struct dim {
  int nterms = 0;   // 0 terms is the constant 0
  term t[3]{};
  bool valid = true; // false when an expression outgrew the fixed capacity

  constexpr bool is_static() const { return valid && (nterms == 0 || (nterms == 1 && t[0].nsym == 0)); }
  constexpr std::int64_t static_value() const { return nterms == 0 ? 0 : t[0].coeff; }
  constexpr bool is_static(std::int64_t v) const { return is_static() && static_value() == v; }
  // A plain symbol such as `B`: the only kind of symbolic dim an input may declare, and
  // the kind that binds the symbol's value at call time.
  constexpr bool is_symbol() const { return nterms == 1 && t[0].nsym == 1 && t[0].coeff == 1; }
  constexpr const name16& symbol() const { return t[0].sym[0]; }

  friend constexpr bool operator==(const dim& a, const dim& b) {
    if (a.nterms != b.nterms || a.valid != b.valid) return false;
    for (int i = 0; i < a.nterms; ++i)
      if (a.t[i].coeff != b.t[i].coeff || !a.t[i].same_monomial(b.t[i])) return false;
    return true;
  }
};

constexpr dim dim_const(std::int64_t v) {
  dim d;
  if (v != 0) {
    d.nterms = 1;
    d.t[0].coeff = v;
  }
  return d;
}

constexpr dim dim_symbol(const char* name) {
  dim d;
  d.nterms = 1;
  d.t[0].coeff = 1;
  d.t[0].nsym = 1;
  d.t[0].sym[0] = name16(name);
  return d;
}

namespace detail {
// Adds a term into a canonical dim, merging with an equal monomial and keeping order.
constexpr void add_term(dim& d, const term& x) {
  if (x.coeff == 0) return;
  for (int i = 0; i < d.nterms; ++i) {
    if (d.t[i].same_monomial(x)) {
      d.t[i].coeff += x.coeff;
      if (d.t[i].coeff == 0) {
        for (int j = i; j + 1 < d.nterms; ++j) d.t[j] = d.t[j + 1];
        d.t[--d.nterms] = term{};
      }
      return;
    }
  }
  if (d.nterms == 3) {
    d.valid = false;
    return;
  }
  int pos = d.nterms;
  while (pos > 0 && x.before(d.t[pos - 1])) {
    d.t[pos] = d.t[pos - 1];
    --pos;
  }
  d.t[pos] = x;
  ++d.nterms;
}

constexpr term mul_term(const term& a, const term& b, bool& ok) {
  term r;
  r.coeff = a.coeff * b.coeff;
  if (a.nsym + b.nsym > 3) {
    ok = false;
    return r;
  }
  // merge two sorted symbol lists
  int i = 0, j = 0;
  while (i < a.nsym || j < b.nsym) {
    if (j >= b.nsym || (i < a.nsym && !(b.sym[j] < a.sym[i]))) r.sym[r.nsym++] = a.sym[i++];
    else r.sym[r.nsym++] = b.sym[j++];
  }
  return r;
}
} // namespace detail

constexpr dim operator+(const dim& a, const dim& b) {
  dim r = a;
  for (int i = 0; i < b.nterms; ++i) detail::add_term(r, b.t[i]);
  r.valid = a.valid && b.valid && r.valid;
  return r;
}

constexpr dim operator*(const dim& a, const dim& b) {
  dim r;
  bool ok = a.valid && b.valid;
  for (int i = 0; i < a.nterms; ++i)
    for (int j = 0; j < b.nterms; ++j) detail::add_term(r, detail::mul_term(a.t[i], b.t[j], ok));
  r.valid = r.valid && ok;
  return r;
}

constexpr dim operator-(const dim& a, const dim& b) { return a + b * dim_const(-1); }

// a / b when b divides a exactly as polynomials; `ok` is false otherwise (the caller
// then needs a runtime guard or reports an error).
constexpr dim exact_div(const dim& a, const dim& b, bool& ok) {
  ok = false;
  if (!a.valid || !b.valid || b.nterms == 0) return dim{};
  if (a == b) {
    ok = true;
    return dim_const(1);
  }
  if (b.nterms != 1) return dim{};
  const term& q = b.t[0];
  dim r;
  for (int i = 0; i < a.nterms; ++i) {
    term x = a.t[i];
    if (x.coeff % q.coeff != 0) return dim{};
    x.coeff /= q.coeff;
    for (int s = 0; s < q.nsym; ++s) { // remove one occurrence of each divisor symbol
      int at = -1;
      for (int k = 0; k < x.nsym; ++k)
        if (x.sym[k] == q.sym[s]) {
          at = k;
          break;
        }
      if (at < 0) return dim{};
      for (int k = at; k + 1 < x.nsym; ++k) x.sym[k] = x.sym[k + 1];
      x.sym[--x.nsym] = name16{};
    }
    detail::add_term(r, x);
  }
  ok = r.valid;
  return r;
}

// Appends a dim in the printed form used by every diagnostic: 784, B, 16*B, B*S + 4.
template <std::size_t Cap> constexpr void format_dim(text<Cap>& out, const dim& d) {
  if (!d.valid) {
    out << "<too complex>";
    return;
  }
  if (d.nterms == 0) {
    out << std::int64_t{0};
    return;
  }
  for (int i = 0; i < d.nterms; ++i) {
    const term& x = d.t[i];
    std::int64_t c = x.coeff;
    if (i > 0) {
      out << (c < 0 ? " - " : " + ");
      if (c < 0) c = -c;
    }
    bool wrote = false;
    if (c != 1 || x.nsym == 0) {
      out << c;
      wrote = true;
    }
    for (int s = 0; s < x.nsym; ++s) {
      if (wrote) out << '*';
      out << x.sym[s].c_str();
      wrote = true;
    }
  }
}

// The dim with symbol `s` replaced by the value v (the others kept): how a symbolic graph
// becomes a static specialization.
constexpr dim substitute(const dim& d, const name16& s, std::int64_t v) {
  dim out = dim_const(0);
  for (int i = 0; i < d.nterms; ++i) {
    std::int64_t coeff = d.t[i].coeff;
    dim rest = dim_const(1);
    for (int k = 0; k < d.t[i].nsym; ++k) {
      if (d.t[i].sym[k] == s) coeff *= v;
      else rest = rest * dim_symbol(d.t[i].sym[k].c_str());
    }
    out = out + dim_const(coeff) * rest;
  }
  out.valid = out.valid && d.valid;
  return out;
}

// Values of the symbols bound at call time (duck shaping: one value per name).
struct sym_env {
  static constexpr int capacity = 16;
  int n = 0;
  name16 names[capacity]{};
  std::int64_t values[capacity]{};

  constexpr const std::int64_t* find(const name16& s) const {
    for (int i = 0; i < n; ++i)
      if (names[i] == s) return &values[i];
    return nullptr;
  }
  constexpr bool bind(const name16& s, std::int64_t v) {
    if (n == capacity) return false;
    names[n] = s;
    values[n++] = v;
    return true;
  }
};

// The value of a dim under bound symbols. Unbound symbols evaluate as 0; the runtime
// binds every symbol before it evaluates anything, so that never reaches a kernel.
constexpr std::int64_t eval(const dim& d, const sym_env& env) {
  std::int64_t v = 0;
  for (int i = 0; i < d.nterms; ++i) {
    std::int64_t m = d.t[i].coeff;
    for (int s = 0; s < d.t[i].nsym; ++s) {
      const std::int64_t* p = env.find(d.t[i].sym[s]);
      m *= p ? *p : 0;
    }
    v += m;
  }
  return v;
}

} // namespace coil
