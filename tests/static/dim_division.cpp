// Quotients and remainders in the dim algebra, and broadcastable symbols: canonical forms
// (equal expressions compare equal, what cannot reduce is one atom such as
// floordiv(1 + B, 4)), their values under bound symbols, convolution/pooling output sizes,
// and the shapes inference gives. Compiled only.
#include <coil.hpp>

using namespace coil::literals;

namespace {

using coil::dim;
using coil::dim_const;
using coil::dim_symbol;
using coil::floordiv;
using coil::mod;

constexpr dim B = dim_symbol("B");
constexpr dim S = dim_symbol("S");
constexpr dim L = dim_symbol("L");
constexpr dim C(std::int64_t v) { return dim_const(v); }

constexpr bool reads(const dim& d, const char* want) {
  coil::text<120> t;
  coil::format_dim(t, d);
  return coil::cstr_eq(t.c_str(), want);
}

// ---- floor division by a constant ---------------------------------------------------------------
static_assert((C(4) * B) / C(2) == C(2) * B);                // (4*B) / 2 == 2*B
static_assert(floordiv(C(4) * B + C(8), 4) == B + C(2));
static_assert(floordiv(C(4) * B + C(5), 4) == B + C(1));      // the remainder 1 < 4 floors away
static_assert(floordiv(C(2) * B + C(1), 2) == B);
static_assert(floordiv(B, 1) == B);
static_assert(floordiv(C(7), 2) == C(3) && floordiv(C(-7), 2) == C(-4)); // Python's //
static_assert(floordiv(C(0), 5) == C(0));
static_assert(!floordiv(B, 0).valid && !floordiv(B, -2).valid);
// what does not reduce is one canonical atom
static_assert(reads(floordiv(B + C(3), 4), "floordiv(3 + B, 4)"));
static_assert(floordiv(B + C(3), 4) == floordiv(B + C(3), 4)); // identically built: equal
static_assert(floordiv(B + C(3), 4) == floordiv(C(3) + B, 4)); // argument order does not matter
static_assert(floordiv(B + C(7), 4) == floordiv(B + C(3), 4) + C(1)); // multiples of 4 come out
static_assert(floordiv(B - C(1), 4) == floordiv(B + C(3), 4) - C(1));  // negative constants too
static_assert(floordiv(C(5) * B, 4) == B + floordiv(B, 4));
static_assert(floordiv(C(2) * B + C(2), 4) == floordiv(B + C(1), 2)); // common divisor 2 leaves
static_assert(floordiv(C(2) * B + C(3), 4) == floordiv(B + C(1), 2)); // floor(3/2) = 1
static_assert(!(floordiv(B, 4) == floordiv(B, 2)));
static_assert(!(floordiv(B, 4) == floordiv(S, 4)));
static_assert(!floordiv(B, 4).is_static() && !floordiv(B, 4).is_symbol());
static_assert(reads(C(2) * floordiv(B, 4) + C(1), "1 + 2*floordiv(B, 4)"));
static_assert(floordiv(B * S + C(1), 2) == floordiv(B * S + C(1), 2));
// arithmetic with the atom as a factor
static_assert(floordiv(B, 2) + floordiv(B, 2) == C(2) * floordiv(B, 2));
static_assert(floordiv(B, 2) - floordiv(B, 2) == C(0));
static_assert((floordiv(B, 2) - floordiv(B, 2)).at.kind == coil::atom_kind::none); // no atom left behind
static_assert(floordiv(B, 2) * S == S * floordiv(B, 2));
static_assert(!(floordiv(B, 2) + floordiv(B, 3)).valid);    // a dim holds one atom
// nested: floor((floor(x/m) + a) / c) == floor((x + a*m) / (m*c))
static_assert(floordiv(floordiv(B, 2), 3) == floordiv(B, 6));
static_assert(floordiv(floordiv(B + C(1), 2) + C(1), 2) == floordiv(B + C(3), 4));
static_assert(floordiv(C(4) * floordiv(B, 3), 2) == C(2) * floordiv(B, 3));

// ---- remainders ---------------------------------------------------------------------------------
static_assert((C(4) * B + C(8)) % C(4) == C(0));             // (4*B + 8) % 4 == 0
static_assert(B % C(1) == C(0));                              // B % 1 == 0
static_assert(mod(C(7), 3) == C(1) && mod(C(-7), 3) == C(2)); // Python's %, in [0, c)
static_assert(mod(C(2) * B + C(1), 2) == C(1));
static_assert(reads(mod(B + C(3), 4), "mod(3 + B, 4)"));
static_assert(mod(B + C(7), 4) == mod(B + C(3), 4));
static_assert(mod(B - C(1), 4) == mod(B + C(3), 4));
static_assert(mod(C(-1) * B, 4) == mod(C(3) * B, 4));          // -B == 3*B (mod 4)
static_assert(mod(C(2) * B + C(1), 4) == C(2) * mod(B, 2) + C(1));
static_assert(reads(mod(C(6) * B, 4), "2*mod(B, 2)"));
static_assert(!(mod(B, 4) == floordiv(B, 4)));
static_assert(!mod(B, 0).valid);

// ---- exact division by a polynomial -------------------------------------------------------------
constexpr dim div(const dim& a, const dim& b) {
  bool ok = false;
  dim q = coil::exact_div(a, b, ok);
  if (!ok) q.valid = false;
  return q;
}
static_assert((B * S) / S == B);                              // (B*S)/S == B
static_assert((B * S) % S == C(0));
static_assert(div(B * S + S, B + C(1)) == S);                 // (B + 1)*S / (B + 1)
static_assert(div(B * B - C(1), B + C(1)) == B - C(1));
static_assert(div(C(2) * B * S + C(4) * S, B + C(2)) == C(2) * S);
static_assert(div(floordiv(B, 2) * S, floordiv(B, 2)) == S);
static_assert(!div(B * S + C(1), B + C(1)).valid);
static_assert(!div(B * S, B + S).valid);
static_assert(!(B / S).valid && !(B % S).valid);              // not exact: not representable

// ---- values under bound symbols -----------------------------------------------------------------
constexpr coil::sym_env env = [] {
  coil::sym_env e;
  e.bind(coil::name16("B"), 13);
  e.bind(coil::name16("S"), 3);
  e.bind(coil::name16("L"), 0);
  return e;
}();
static_assert(coil::eval(floordiv(B + C(3), 4), env) == 4);
static_assert(coil::eval(floordiv(B, 4) * C(2) + C(1), env) == 7);
static_assert(coil::eval(mod(B + C(3), 4), env) == 0);
static_assert(coil::eval(mod(C(2) * B + C(1), 4), env) == 3);
static_assert(coil::eval(floordiv(L - C(1), 2), env) == -1);   // floors toward -inf
static_assert(coil::eval(mod(L - C(1), 4), env) == 3);
static_assert(coil::eval(floordiv(B, 2) * S, env) == 18);
// the canonical forms evaluate as the expressions they came from, for every B in a range
constexpr bool forms_agree() {
  for (std::int64_t b = -20; b <= 40; ++b) {
    coil::sym_env e;
    e.bind(coil::name16("B"), b);
    if (coil::eval(floordiv(C(6) * B + C(5), 4), e) != coil::detail::floor_div(6 * b + 5, 4)) return false;
    if (coil::eval(mod(C(6) * B + C(5), 4), e) != coil::detail::floor_mod(6 * b + 5, 4)) return false;
    if (coil::eval(floordiv(C(-3) * B + C(2), 6), e) != coil::detail::floor_div(-3 * b + 2, 6)) return false;
    if (coil::eval(mod(C(-3) * B + C(2), 6), e) != coil::detail::floor_mod(-3 * b + 2, 6)) return false;
    if (coil::eval(floordiv(floordiv(B + C(1), 2) + C(1), 3), e) !=
        coil::detail::floor_div(coil::detail::floor_div(b + 1, 2) + 1, 3))
      return false;
  }
  return true;
}
static_assert(forms_agree());

// ---- specialization substitutes into atoms ---------------------------------------------------
static_assert(coil::substitute(floordiv(B + C(3), 4), coil::name16("B"), 13) == C(4));
static_assert(coil::substitute(C(2) * mod(B, 3) + S, coil::name16("B"), 5) == C(4) + S);
static_assert(coil::substitute(floordiv(B * S, 4), coil::name16("S"), 8) == C(2) * B);
static_assert(coil::substitute(floordiv(B * S, 4), coil::name16("S"), 2) == floordiv(B, 2));

// ---- convolution and pooling output sizes ----------------------------------------------------
// floor((L + 2*padding - dilation*(kernel - 1) - 1) / stride) + 1, as torch.nn.Conv1d
using coil::conv_output_dim;
static_assert(conv_output_dim(C(32), 3) == C(30));                        // no padding, stride 1
static_assert(conv_output_dim(C(32), 3, 1, 1) == C(32));                  // "same"
static_assert(conv_output_dim(C(32), 3, 2, 1) == C(16));
static_assert(conv_output_dim(C(33), 3, 2, 1) == C(17));
static_assert(conv_output_dim(C(224), 7, 2, 3) == C(112));                // ResNet stem
static_assert(conv_output_dim(C(112), 3, 2, 1) == C(56));                 // its max pool
static_assert(conv_output_dim(C(10), 3, 1, 0, 2) == C(6));                // dilation 2
static_assert(conv_output_dim(C(5), 2, 2) == C(2));                       // MaxPool1d(2) drops the tail
static_assert(conv_output_dim(L, 3) == L - C(2));                          // stride 1 stays a polynomial
static_assert(conv_output_dim(L, 3, 1, 1) == L);
static_assert(conv_output_dim(L, 3, 2, 1) == floordiv(L + C(1), 2));
static_assert(reads(conv_output_dim(L, 3, 2, 1), "floordiv(1 + L, 2)"));
static_assert(conv_output_dim(L, 2, 2) == floordiv(L, 2));
static_assert(conv_output_dim(L, 5, 3, 0) == floordiv(L + C(1), 3) - C(1));
static_assert(conv_output_dim(C(4) * L, 2, 2) == C(2) * L);               // even length: exact
static_assert(conv_output_dim(conv_output_dim(L, 3, 2, 1), 3, 2, 1) == floordiv(L + C(3), 4)); // stacked
static_assert(conv_output_dim(conv_output_dim(L, 7, 2, 3), 3, 2, 1) == floordiv(L + C(3), 4));
static_assert(!conv_output_dim(L, 0).valid && !conv_output_dim(L, 3, 0).valid);
// the symbolic size evaluates as the formula does for every length
constexpr bool conv_sizes_agree() {
  for (std::int64_t l = 8; l <= 80; ++l) {
    coil::sym_env e;
    e.bind(coil::name16("L"), l);
    const std::int64_t once = (l + 2 - 2 - 1) / 2 + 1, twice = (once + 2 - 2 - 1) / 2 + 1;
    if (coil::eval(conv_output_dim(L, 3, 2, 1), e) != once) return false;
    if (coil::eval(conv_output_dim(conv_output_dim(L, 3, 2, 1), 3, 2, 1), e) != twice) return false;
    if (coil::eval(conv_output_dim(L, 5, 3, 1, 2), e) != (l + 2 - 8 - 1) / 3 + 1) return false;
  }
  return true;
}
static_assert(conv_sizes_agree());

// ---- dims written in user code ---------------------------------------------------------------
constexpr auto Bt = coil::sym<"B">;
constexpr auto Lt = coil::sym<"L">;
static_assert(decltype((Bt * 4_c) / 2_c)::value == C(2) * B);
static_assert(decltype((Bt + 3_c) / 4_c)::value == floordiv(B + C(3), 4));
static_assert(decltype((Bt * 4_c + 8_c) % 4_c)::value == C(0));
static_assert(decltype(Bt % 1_c)::value == C(0));
static_assert(decltype((Bt * Lt) / Lt)::value == B);
static_assert(decltype((Lt - 1_c) / 2_c + 1_c)::value == conv_output_dim(L, 3, 2, 1));
static_assert(coil::symbolic_dim_type<decltype(Bt / 2_c)>);

// ---- broadcastable symbols -------------------------------------------------------------------
constexpr dim Bb = coil::sym<"B", coil::broadcastable>.value;
constexpr dim B2b = coil::sym<"B2", coil::broadcastable>.value;
constexpr dim B3b = dim_symbol("B3", true);
static_assert(Bb.is_symbol() && Bb.broadcastable() && !B.broadcastable());
static_assert(Bb == B);                                   // the same symbol, the same value
static_assert(!(C(2) * Bb).broadcastable() && (Bb + C(0)).broadcastable() && (Bb * C(1)).broadcastable());
static_assert(!(Bb + C(1)).broadcastable());
using coil::broadcast;
// against 1: the symbol (as without the declaration)
static_assert(broadcast(Bb, C(1)).value == B && broadcast(Bb, C(1)).value.broadcastable());
// against a static dim or an ordinary symbol: that dim (B is guarded to be 1 or equal)
static_assert(broadcast(Bb, C(4)).ok && broadcast(Bb, C(4)).value == C(4));
static_assert(broadcast(C(4), Bb).value == C(4));
static_assert(broadcast(Bb, S).value == S && broadcast(S, Bb).value == S);
static_assert(broadcast(B, S).value == S);                 // without: guarded equal, as before
// two broadcastable symbols: bcast(B, B2), the first not bound to 1
static_assert(reads(broadcast(Bb, B2b).value, "bcast(B, B2)"));
static_assert(broadcast(Bb, B2b).value == broadcast(B2b, Bb).value);
static_assert(broadcast(Bb, B2b).value.broadcastable());
static_assert(broadcast(broadcast(Bb, B2b).value, B3b).value == broadcast(Bb, broadcast(B2b, B3b).value).value);
static_assert(broadcast(broadcast(Bb, B2b).value, Bb).value == broadcast(Bb, B2b).value);
constexpr std::int64_t bcast_at(std::int64_t b, std::int64_t b2) {
  coil::sym_env e;
  e.bind(coil::name16("B"), b);
  e.bind(coil::name16("B2"), b2);
  return coil::eval(broadcast(Bb, B2b).value, e);
}
static_assert(bcast_at(1, 5) == 5 && bcast_at(5, 1) == 5 && bcast_at(5, 5) == 5 && bcast_at(1, 1) == 1);
static_assert(bcast_at(0, 1) == 0 && bcast_at(1, 0) == 0);
static_assert(coil::substitute(broadcast(Bb, B2b).value, coil::name16("B"), 1) == B2b);
static_assert(coil::substitute(broadcast(Bb, B2b).value, coil::name16("B"), 1).broadcastable());
static_assert(coil::substitute(broadcast(Bb, B2b).value, coil::name16("B"), 6) == C(6));
static_assert(coil::substitute(Bb, coil::name16("S"), 6).broadcastable()); // untouched keeps the flag

// ---- shape inference -------------------------------------------------------------------------
constexpr auto Bs = coil::sym<"B", coil::broadcastable>;
constexpr auto B2s = coil::sym<"B2", coil::broadcastable>;
constexpr auto Ss = coil::sym<"S">;
constexpr auto shape_of = [](auto e) { return coil::record_of<decltype(e)>.shp; };
constexpr coil::shape shp(std::initializer_list<dim> ds) {
  coil::shape s;
  for (const dim& d : ds) s.d[s.rank++] = d;
  return s;
}
constexpr auto xb = coil::input<"x", float>(Bs, 8_c);
static_assert(shape_of(xb + coil::input<"y", float>(1_c, 8_c)) == shp({B, C(8)}));
static_assert(shape_of(xb + coil::input<"y", float>(4_c, 8_c)) == shp({C(4), C(8)}));
static_assert(shape_of(xb + coil::input<"y", float>(Ss, 8_c)) == shp({S, C(8)}));
static_assert(shape_of(xb + coil::input<"y", float>(B2s, 8_c)) == shp({broadcast(Bb, B2b).value, C(8)}));
static_assert(shape_of(coil::input<"x", float>(Ss, 8_c) + coil::input<"y", float>(4_c, 8_c)) == shp({C(4), C(8)}));
static_assert(shape_of(coil::matmul(coil::input<"a", float>(Bs, 3_c, 4_c), coil::input<"b", float>(5_c, 4_c, 2_c))) ==
              shp({C(5), C(3), C(2)}));
// reshape: the -1 dim as a floor division, checked at call time
constexpr auto r6 = coil::reshape(coil::input<"x", float>(Ss, 6_c), -1_c, 4_c);
static_assert(shape_of(r6) == shp({S + floordiv(S, 2), C(4)}));
static_assert(coil::record_of<decltype(r6)>.axis == 0);    // the dim the call checks
static_assert(coil::record_of<decltype(coil::reshape(coil::input<"x", float>(Ss, 8_c), -1_c, 4_c))>.axis == -1); // exact
static_assert(shape_of(coil::reshape(coil::input<"x", float>(Ss, 8_c), -1_c, 4_c)) == shp({C(2) * S, C(4)}));

} // namespace
