// A dimension is a canonical polynomial over named symbols with integer coefficients:
// a compile-time constant (784), a symbol (B), or an expression such as 16*B or B*S + 4.
// Canonical form (sorted monomials, merged coefficients, no zero terms) makes equal
// expressions compare equal, so shape checks between symbolic dims are decided at compile
// time where they can be. Values, not types: shapes are computed by constexpr functions.
//
// Quotients and remainders by a positive constant reduce as far as integer arithmetic
// allows ((4*B + 8) / 4 == B + 2, (4*B + 8) % 4 == 0) and keep the rest as one opaque
// factor, an `atom`, in a canonical form of its own (floordiv(1 + B, 4), mod(1 + B, 4)),
// so identically built expressions still compare equal and the runtime can evaluate them.
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
  // Within one degree this is the reverse of the lexicographic order of exponent vectors,
  // so it is a monomial order: exact_div's long division relies on that.
  constexpr bool before(const term& o) const {
    if (nsym != o.nsym) return nsym < o.nsym;
    for (int i = 0; i < nsym; ++i)
      if (!(sym[i] == o.sym[i])) return sym[i] < o.sym[i];
    return false;
  }
};

// What an atom computes.
enum class atom_kind : std::uint8_t {
  none,
  floordiv, // floor(arg / k), k > 1
  mod,      // arg - k * floor(arg / k), k > 1: in [0, k)
  bcast,    // the extent broadcasting broadcastable symbols gives: the first argument not
            // bound to 1, else 1 (the others are guarded to be 1 or equal to it)
};

// An expression the polynomial form cannot hold, kept whole as one factor. Its argument is
// a canonical polynomial over plain symbols (bcast: its symbols, each with coefficient 1),
// already reduced (see floordiv and mod), so equal atoms are equal values.
struct atom {
  atom_kind kind = atom_kind::none;
  std::int64_t k = 0;
  int nterms = 0;
  term t[3]{};

  friend constexpr bool operator==(const atom& a, const atom& b) {
    if (a.kind != b.kind || a.k != b.k || a.nterms != b.nterms) return false;
    for (int i = 0; i < a.nterms; ++i)
      if (a.t[i].coeff != b.t[i].coeff || !a.t[i].same_monomial(b.t[i])) return false;
    return true;
  }
};

// The symbol by which a dim's terms name the dim's atom (no symbol a user declares spells
// it). A dim holds at most one atom; an expression that would need two is not valid.
inline constexpr name16 atom_symbol{"\x01"};

struct dim {
  int nterms = 0;   // 0 terms is the constant 0
  term t[3]{};
  bool valid = true; // false when an expression outgrew the fixed capacity
  bool bcast = false; // a plain symbol declared broadcastable (sym<"B", coil::broadcastable>)
  atom at{};         // the factor atom_symbol names in the terms; kind none when no term does

  constexpr bool is_static() const { return valid && (nterms == 0 || (nterms == 1 && t[0].nsym == 0)); }
  constexpr std::int64_t static_value() const { return nterms == 0 ? 0 : t[0].coeff; }
  constexpr bool is_static(std::int64_t v) const { return is_static() && static_value() == v; }
  // A plain symbol such as `B`: the only kind of symbolic dim an input may declare, and
  // the kind that binds the symbol's value at call time.
  constexpr bool is_symbol() const {
    return valid && nterms == 1 && t[0].nsym == 1 && t[0].coeff == 1 && !(t[0].sym[0] == atom_symbol);
  }
  constexpr const name16& symbol() const { return t[0].sym[0]; }
  // Whether the dim may be 1 at call time and then broadcasts (PyTorch) instead of being
  // guarded equal: a symbol declared broadcastable, or the broadcast of such symbols.
  constexpr bool broadcastable() const {
    if (is_symbol()) return bcast;
    return valid && nterms == 1 && t[0].nsym == 1 && t[0].coeff == 1 && at.kind == atom_kind::bcast;
  }

  // Equal values; whether a symbol was declared broadcastable is not part of its value.
  friend constexpr bool operator==(const dim& a, const dim& b) {
    if (a.nterms != b.nterms || a.valid != b.valid) return false;
    for (int i = 0; i < a.nterms; ++i)
      if (a.t[i].coeff != b.t[i].coeff || !a.t[i].same_monomial(b.t[i])) return false;
    return a.at == b.at;
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

// The symbol `name`; `broadcastable` lets it bind to 1 and broadcast (see broadcast()).
constexpr dim dim_symbol(const char* name, bool broadcastable = false) {
  dim d;
  d.nterms = 1;
  d.t[0].coeff = 1;
  d.t[0].nsym = 1;
  d.t[0].sym[0] = name16(name);
  d.bcast = broadcastable;
  return d;
}

namespace detail {
constexpr dim invalid_dim() {
  dim d;
  d.valid = false;
  return d;
}

// Python's // and % on integers (rounding toward -inf; b > 0 for mod).
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if (a % b != 0 && ((a < 0) != (b < 0))) --q;
  return q;
}
constexpr std::int64_t floor_mod(std::int64_t a, std::int64_t b) { return a - b * floor_div(a, b); }
constexpr std::int64_t gcd(std::int64_t a, std::int64_t b) {
  if (a < 0) a = -a;
  if (b < 0) b = -b;
  while (b != 0) {
    const std::int64_t r = a % b;
    a = b;
    b = r;
  }
  return a;
}

constexpr bool names_atom(const term& x) {
  for (int s = 0; s < x.nsym; ++s)
    if (x.sym[s] == atom_symbol) return true;
  return false;
}

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

// Gives the result of combining a and b the atom its terms name (invalid when a and b
// carry different atoms), and keeps a broadcastable symbol broadcastable when the result
// is that symbol (B + 0, B * 1).
constexpr void finish(dim& r, const dim& a, const dim& b) {
  if (a.at.kind != atom_kind::none && b.at.kind != atom_kind::none && !(a.at == b.at)) r.valid = false;
  r.at = a.at.kind != atom_kind::none ? a.at : b.at;
  bool named = false;
  for (int i = 0; i < r.nterms; ++i) named = named || names_atom(r.t[i]);
  if (!named) r.at = atom{};
  r.bcast = r.is_symbol() && ((a.bcast && a == r) || (b.bcast && b == r));
}
} // namespace detail

constexpr dim operator+(const dim& a, const dim& b) {
  dim r = a;
  for (int i = 0; i < b.nterms; ++i) detail::add_term(r, b.t[i]);
  r.valid = a.valid && b.valid && r.valid;
  detail::finish(r, a, b);
  return r;
}

constexpr dim operator*(const dim& a, const dim& b) {
  dim r;
  bool ok = a.valid && b.valid;
  for (int i = 0; i < a.nterms; ++i)
    for (int j = 0; j < b.nterms; ++j) detail::add_term(r, detail::mul_term(a.t[i], b.t[j], ok));
  r.valid = r.valid && ok;
  detail::finish(r, a, b);
  return r;
}

constexpr dim operator-(const dim& a, const dim& b) { return a + b * dim_const(-1); }

namespace detail {
// The dim of one term (with the atom it may name).
constexpr dim term_dim(const term& x, const atom& at) {
  dim d;
  add_term(d, x);
  if (names_atom(x)) d.at = at;
  return d;
}

// The dim that is just the atom `a`.
constexpr dim atom_dim(const atom& a) {
  dim d;
  d.nterms = 1;
  d.t[0].coeff = 1;
  d.t[0].nsym = 1;
  d.t[0].sym[0] = atom_symbol;
  d.at = a;
  return d;
}

// The atom's argument as a dim.
constexpr dim arg_dim(const atom& a) {
  dim d;
  for (int i = 0; i < a.nterms; ++i) add_term(d, a.t[i]);
  return d;
}

// An atom of `kind` over the canonical polynomial `arg` (which names no atom).
constexpr dim make_atom(atom_kind kind, std::int64_t k, const dim& arg) {
  if (!arg.valid || arg.at.kind != atom_kind::none) return invalid_dim();
  atom a;
  a.kind = kind;
  a.k = k;
  a.nterms = arg.nterms;
  for (int i = 0; i < arg.nterms; ++i) a.t[i] = arg.t[i];
  return atom_dim(a);
}

// Splits p into c*q + r with every coefficient of r in [0, c) (monomial by monomial).
constexpr void split_coefficients(const dim& p, std::int64_t c, dim& q, dim& r) {
  for (int i = 0; i < p.nterms; ++i) {
    term x = p.t[i];
    const std::int64_t qc = floor_div(x.coeff, c);
    x.coeff = qc;
    add_term(q, x);
    x.coeff = p.t[i].coeff - qc * c;
    add_term(r, x);
  }
  q.at = r.at = p.at;
  finish(q, q, q);
  finish(r, r, r);
}
} // namespace detail

// floor(p / c) for a constant c > 0, Python's `p // c`, in canonical form: every multiple
// of c leaves the argument ((4*B + 8) / 4 == B + 2, (4*B + 5) / 4 == B + 1), the
// coefficients left are reduced by their common divisor with c ((2*B + 1) / 4 ==
// floordiv(B, 2)), and what remains is the atom floordiv(arg, c) with every coefficient of
// arg in [0, c). floor((floordiv(x, m) + a) / c) folds into floordiv(x + a*m, m*c), so
// stacked strided windows stay one atom. Invalid for c <= 0 or what needs two atoms.
//   floordiv(dim_symbol("L") - dim_const(1), 2) == floordiv(L + 1, 2) - 1
constexpr dim floordiv(const dim& p, std::int64_t c) {
  if (!p.valid || c <= 0) return detail::invalid_dim();
  if (c == 1) return p;
  dim q, r;
  detail::split_coefficients(p, c, q, r);
  const std::int64_t r0 = r.nterms > 0 && r.t[0].nsym == 0 ? r.t[0].coeff : 0;
  dim y = r - dim_const(r0); // coefficients in [1, c), constant 0 <= r0 < c
  if (y.nterms == 0) return q;
  std::int64_t g = c;
  for (int i = 0; i < y.nterms; ++i) g = detail::gcd(g, y.t[i].coeff);
  for (int i = 0; i < y.nterms; ++i) y.t[i].coeff /= g;
  const std::int64_t c2 = c / g, a = r0 / g; // c2 > 1: every coefficient is a multiple of g below c
  if (y.at.kind != atom_kind::none) {
    const bool nested = y.nterms == 1 && y.t[0].coeff == 1 && y.t[0].nsym == 1 && y.at.kind == atom_kind::floordiv;
    if (!nested) return detail::invalid_dim();
    return q + floordiv(detail::arg_dim(y.at) + dim_const(a * y.at.k), y.at.k * c2);
  }
  return q + detail::make_atom(atom_kind::floordiv, c2, y + dim_const(a));
}

// p mod c for a constant c > 0, Python's `p % c` (in [0, c)), in canonical form: multiples
// of c vanish ((4*B + 8) % 4 == 0, B % 1 == 0), a common divisor g of c and the
// coefficients comes out (mod(g*y + r0, c) == g*mod(y + r0/g, c/g) + r0 % g), and what
// remains is the atom mod(arg, c). Invalid for c <= 0 and for an argument with an atom.
//   mod(dim_const(2) * dim_symbol("B") + dim_const(1), 4) == 2*mod(B, 2) + 1
constexpr dim mod(const dim& p, std::int64_t c) {
  if (!p.valid || c <= 0) return detail::invalid_dim();
  if (c == 1) return dim_const(0);
  dim q, r;
  detail::split_coefficients(p, c, q, r);
  const std::int64_t r0 = r.nterms > 0 && r.t[0].nsym == 0 ? r.t[0].coeff : 0;
  dim y = r - dim_const(r0);
  if (y.nterms == 0) return dim_const(r0);
  if (y.at.kind != atom_kind::none) return detail::invalid_dim();
  std::int64_t g = c;
  for (int i = 0; i < y.nterms; ++i) g = detail::gcd(g, y.t[i].coeff);
  for (int i = 0; i < y.nterms; ++i) y.t[i].coeff /= g;
  return dim_const(g) * detail::make_atom(atom_kind::mod, c / g, y + dim_const(r0 / g)) + dim_const(r0 % g);
}

// a / b when b divides a exactly as polynomials; `ok` is false otherwise (the caller
// then needs a runtime guard or reports an error). A divisor of several terms divides by
// long division under the terms' monomial order: for one divisor a zero remainder is
// exactly divisibility (over the integers, when each step's coefficient divides).
//   exact_div(B*S + S, B + 1) == S
constexpr dim exact_div(const dim& a, const dim& b, bool& ok) {
  ok = false;
  if (!a.valid || !b.valid || b.nterms == 0) return dim{};
  if (a.at.kind != atom_kind::none && b.at.kind != atom_kind::none && !(a.at == b.at)) return dim{};
  if (a == b) {
    ok = true;
    return dim_const(1);
  }
  // the quotient of the term x by the divisor's term q (false when q does not divide x)
  auto divide_term = [](term x, const term& q, term& out) {
    if (x.coeff % q.coeff != 0) return false;
    x.coeff /= q.coeff;
    for (int s = 0; s < q.nsym; ++s) { // remove one occurrence of each divisor symbol
      int at = -1;
      for (int k = 0; k < x.nsym; ++k)
        if (x.sym[k] == q.sym[s]) {
          at = k;
          break;
        }
      if (at < 0) return false;
      for (int k = at; k + 1 < x.nsym; ++k) x.sym[k] = x.sym[k + 1];
      x.sym[--x.nsym] = name16{};
    }
    out = x;
    return true;
  };
  const atom& at = a.at.kind != atom_kind::none ? a.at : b.at;
  dim r;
  if (b.nterms == 1) {
    for (int i = 0; i < a.nterms; ++i) {
      term x;
      if (!divide_term(a.t[i], b.t[0], x)) return dim{};
      detail::add_term(r, x);
    }
  } else {
    // long division: the leading (last) term of the remainder by the divisor's, until
    // nothing is left; each step removes the remainder's leading term, so it ends
    dim rest = a;
    for (int step = 0; step < 16 && rest.nterms > 0; ++step) {
      term x;
      if (!divide_term(rest.t[rest.nterms - 1], b.t[b.nterms - 1], x)) return dim{};
      const dim m = detail::term_dim(x, at);
      r = r + m;
      rest = rest - m * b;
      if (!rest.valid || !r.valid) return dim{};
    }
    if (rest.nterms > 0) return dim{};
  }
  r.at = at;
  detail::finish(r, r, r);
  ok = r.valid;
  return r;
}

// Python's // and % on dims: by a constant c > 0, floordiv and mod; by a symbolic dim,
// the exact quotient (and a zero remainder) where exact_div proves it. Anything else is
// an invalid dim.
//   (dim_symbol("B") * dim_symbol("S")) / dim_symbol("S") == B
constexpr dim operator/(const dim& a, const dim& b) {
  if (b.is_static()) return floordiv(a, b.static_value());
  bool ok = false;
  const dim q = exact_div(a, b, ok);
  return ok ? q : detail::invalid_dim();
}
constexpr dim operator%(const dim& a, const dim& b) {
  if (b.is_static()) return mod(a, b.static_value());
  bool ok = false;
  (void)exact_div(a, b, ok);
  return ok ? dim_const(0) : detail::invalid_dim();
}

namespace detail {
// The broadcastable symbols a broadcastable dim stands for (1 for a symbol, the atom's
// arguments for a bcast atom), appended to `names` without repeats, in name order.
constexpr bool collect_bcast_symbols(const dim& d, name16 (&names)[3], int& n) {
  auto add = [&](const name16& s) {
    for (int i = 0; i < n; ++i)
      if (names[i] == s) return true;
    if (n == 3) return false;
    int pos = n++;
    while (pos > 0 && s < names[pos - 1]) {
      names[pos] = names[pos - 1];
      --pos;
    }
    names[pos] = s;
    return true;
  };
  if (d.is_symbol()) return add(d.symbol());
  for (int i = 0; i < d.at.nterms; ++i)
    if (!add(d.at.t[i].sym[0])) return false;
  return true;
}

constexpr dim bcast_of(const name16 (&names)[3], int n) {
  if (n == 0) return dim_const(1);
  if (n == 1) return dim_symbol(names[0].c_str(), true);
  dim args;
  for (int i = 0; i < n; ++i) args = args + dim_symbol(names[i].c_str());
  dim r = make_atom(atom_kind::bcast, 0, args);
  return r;
}
} // namespace detail

// The extent of broadcasting two broadcastable dims a and b (see dim::broadcastable):
// bcast(B, B2) is B unless B binds to 1, then B2. `ok` is false past 3 distinct symbols.
constexpr dim broadcast_symbols(const dim& a, const dim& b, bool& ok) {
  name16 names[3]{};
  int n = 0;
  ok = detail::collect_bcast_symbols(a, names, n) && detail::collect_bcast_symbols(b, names, n);
  return ok ? detail::bcast_of(names, n) : detail::invalid_dim();
}

// Appends a dim in the printed form used by every diagnostic: 784, B, 16*B, B*S + 4,
// floordiv(1 + L, 2), 2*mod(B, 2) + 1, bcast(B, B2).
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
      if (x.sym[s] == atom_symbol) {
        const atom& a = d.at;
        out << (a.kind == atom_kind::floordiv ? "floordiv(" : a.kind == atom_kind::mod ? "mod(" : "bcast(");
        if (a.kind == atom_kind::bcast) {
          for (int k = 0; k < a.nterms; ++k) out << (k ? ", " : "") << a.t[k].sym[0].c_str();
        } else {
          format_dim(out, detail::arg_dim(a));
          out << ", " << a.k;
        }
        out << ')';
      } else {
        out << x.sym[s].c_str();
      }
      wrote = true;
    }
  }
}

// Whether symbol `s` occurs in d (in its atom too).
constexpr bool mentions(const dim& d, const name16& s) {
  for (int i = 0; i < d.nterms; ++i)
    for (int k = 0; k < d.t[i].nsym; ++k)
      if (d.t[i].sym[k] == s) return true;
  for (int i = 0; i < d.at.nterms; ++i)
    for (int k = 0; k < d.at.t[i].nsym; ++k)
      if (d.at.t[i].sym[k] == s) return true;
  return false;
}

// The dim with symbol `s` replaced by the value v (the others kept): how a symbolic graph
// becomes a static specialization. An atom is rebuilt from its substituted argument, so
// floordiv(1 + B, 2) with B = 5 is 3.
constexpr dim substitute(const dim& d, const name16& s, std::int64_t v) {
  if (!mentions(d, s)) return d; // keeps a broadcastable symbol's flag
  dim atom_value = dim_const(0);
  if (d.at.kind == atom_kind::bcast) {
    // s bound to 1 drops out; bound to anything else it is the extent (the rest is guarded)
    name16 names[3]{};
    int n = 0;
    for (int i = 0; i < d.at.nterms; ++i)
      if (!(d.at.t[i].sym[0] == s)) names[n++] = d.at.t[i].sym[0];
    atom_value = v == 1 ? detail::bcast_of(names, n) : dim_const(v);
  } else if (d.at.kind != atom_kind::none) {
    const dim arg = substitute(detail::arg_dim(d.at), s, v);
    atom_value = d.at.kind == atom_kind::floordiv ? floordiv(arg, d.at.k) : mod(arg, d.at.k);
  }
  dim out = dim_const(0);
  for (int i = 0; i < d.nterms; ++i) {
    std::int64_t coeff = d.t[i].coeff;
    dim rest = dim_const(1);
    for (int k = 0; k < d.t[i].nsym; ++k) {
      if (d.t[i].sym[k] == s) coeff *= v;
      else if (d.t[i].sym[k] == atom_symbol) rest = rest * atom_value;
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

namespace detail {
constexpr std::int64_t eval_terms(const term* t, int nterms, const sym_env& env, std::int64_t atom_value) {
  std::int64_t v = 0;
  for (int i = 0; i < nterms; ++i) {
    std::int64_t m = t[i].coeff;
    for (int s = 0; s < t[i].nsym; ++s) {
      if (t[i].sym[s] == atom_symbol) {
        m *= atom_value;
      } else {
        const std::int64_t* p = env.find(t[i].sym[s]);
        m *= p ? *p : 0;
      }
    }
    v += m;
  }
  return v;
}

constexpr std::int64_t eval_atom(const atom& a, const sym_env& env) {
  if (a.kind == atom_kind::bcast) {
    for (int i = 0; i < a.nterms; ++i) {
      const std::int64_t* p = env.find(a.t[i].sym[0]);
      const std::int64_t v = p ? *p : 0;
      if (v != 1) return v;
    }
    return 1;
  }
  const std::int64_t v = eval_terms(a.t, a.nterms, env, 0);
  if (a.kind == atom_kind::floordiv) return floor_div(v, a.k);
  if (a.kind == atom_kind::mod) return floor_mod(v, a.k);
  return 0;
}
} // namespace detail

// The value of a dim under bound symbols. Unbound symbols evaluate as 0; the runtime
// binds every symbol before it evaluates anything, so that never reaches a kernel.
constexpr std::int64_t eval(const dim& d, const sym_env& env) {
  const std::int64_t a = d.at.kind == atom_kind::none ? 0 : detail::eval_atom(d.at, env);
  return detail::eval_terms(d.t, d.nterms, env, a);
}

// The distinct symbols of d (its atom's too), in order of appearance, up to 8: what a
// call-time message lists with their values.
struct symbol_list {
  int n = 0;
  name16 names[8]{};
};
constexpr symbol_list symbols_of(const dim& d) {
  symbol_list l;
  auto add = [&](const name16& s) {
    if (s == atom_symbol || l.n == 8) return;
    for (int i = 0; i < l.n; ++i)
      if (l.names[i] == s) return;
    l.names[l.n++] = s;
  };
  for (int i = 0; i < d.nterms; ++i)
    for (int k = 0; k < d.t[i].nsym; ++k) add(d.t[i].sym[k]);
  for (int i = 0; i < d.at.nterms; ++i)
    for (int k = 0; k < d.at.t[i].nsym; ++k) add(d.at.t[i].sym[k]);
  return l;
}

} // namespace coil
