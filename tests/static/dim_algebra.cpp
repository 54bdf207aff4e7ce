// The dim algebra: canonical polynomials over named symbols, so that equal expressions
// compare equal (B*S == S*B, (B+1)*2 == 2*B+2) and exact division undoes products.
// Compiled only.
#include <coil.hpp>

using namespace coil::literals;

namespace {

using coil::dim;
using coil::dim_const;
using coil::dim_symbol;

constexpr dim B = dim_symbol("B");
constexpr dim S = dim_symbol("S");
constexpr dim H = dim_symbol("H");
constexpr dim C(std::int64_t v) { return dim_const(v); }

constexpr bool reads(const dim& d, const char* want) {
  coil::text<80> t;
  coil::format_dim(t, d);
  return coil::cstr_eq(t.c_str(), want);
}

// a / b, or an invalid dim when b does not divide a exactly.
constexpr dim div(const dim& a, const dim& b) {
  bool ok = false;
  dim q = coil::exact_div(a, b, ok);
  if (!ok) q.valid = false;
  return q;
}
constexpr bool divides(const dim& a, const dim& b) {
  bool ok = false;
  (void)coil::exact_div(a, b, ok);
  return ok;
}

// ---- constants and symbols -------------------------------------------------------------------
static_assert(C(784).is_static() && C(784).static_value() == 784);
static_assert(C(0).is_static() && C(0).static_value() == 0 && C(0).nterms == 0);  // 0 has no terms
static_assert(C(-1).is_static(-1));
static_assert(C(7) == C(7) && !(C(7) == C(8)));
static_assert(!B.is_static() && B.is_symbol());
static_assert(B == dim_symbol("B") && !(B == S));
static_assert(!(C(2) * B).is_symbol());                     // 2*B is not a plain symbol
static_assert(coil::sym<"B">.value == B);
static_assert((784_c).value == C(784));

// ---- sums ---------------------------------------------------------------------------------------
static_assert(C(3) + C(4) == C(7));
static_assert(B + S == S + B);                              // commutative
static_assert((B + S) + H == B + (S + H));                  // associative
static_assert(B + B == C(2) * B);                           // like terms merge
static_assert(B + C(0) == B);
static_assert(B - B == C(0));                               // cancelling terms vanish
static_assert((B + C(4)) - C(4) == B);
static_assert(B + C(1) == C(1) + B);
static_assert(reads(B + C(4), "4 + B"));                    // constants print first
static_assert(reads(B - C(1), "-1 + B"));
static_assert(reads(S + B, "B + S"));                       // symbols in name order

// ---- products ------------------------------------------------------------------------------------
static_assert(C(6) * C(7) == C(42));
static_assert(B * S == S * B);                              // B*S == S*B
static_assert((B * S) * H == B * (S * H));
static_assert(C(16) * B == B * C(16));
static_assert(B * C(1) == B);
static_assert(B * C(0) == C(0));
static_assert((B + C(1)) * C(2) == C(2) * B + C(2));        // (B+1)*2 == 2*B+2
static_assert((B + C(1)) * (B - C(1)) == B * B - C(1));      // B^2 - 1
static_assert((B + S) * H == B * H + S * H);
static_assert(reads(C(16) * B, "16*B"));
static_assert(reads(S * B * C(4), "4*B*S"));
static_assert(reads(B * S + C(4), "4 + B*S"));
static_assert(reads(C(2) * B - C(2) * S, "2*B - 2*S"));
static_assert(reads(B * B, "B*B"));

// ---- exact division ----------------------------------------------------------------------------
static_assert(div(C(16) * B, C(16)) == B);                  // 16*B/16 == B
static_assert(div(C(64), C(16)) == C(4));
static_assert(div(B * S, S) == B);
static_assert(div(C(4) * B * S, C(2) * B) == C(2) * S);
static_assert(div(C(2) * B + C(2), C(2)) == B + C(1));
static_assert(div(B + C(1), B + C(1)) == C(1));              // a polynomial by itself
static_assert(div(C(0), B) == C(0));
static_assert(!divides(C(16) * B, C(3)));                   // coefficient does not divide
static_assert(!divides(B + C(1), B));                       // the constant term has no B
static_assert(!divides(C(16) * B, S));                      // no S to remove
static_assert(!divides(C(7), C(2)));
static_assert(!divides(B, C(0)));                           // division by zero
static_assert(!divides(B * S, B + S));                      // a non-monomial divisor

// ---- dim types written in user code -----------------------------------------------------------
constexpr auto Bt = coil::sym<"B">;
constexpr auto St = coil::sym<"S">;
static_assert(decltype(Bt * St)::value == B * S);
static_assert(decltype(St * Bt)::value == B * S);
static_assert(decltype(Bt * 16_c)::value == C(16) * B);
static_assert(decltype(16_c * Bt)::value == C(16) * B);
static_assert(decltype(Bt + 1_c)::value == B + C(1));
static_assert(decltype((Bt + 1_c) * 2_c)::value == C(2) * B + C(2));
static_assert(coil::symbolic_dim_type<decltype(Bt * 2_c)>);
static_assert(!coil::symbolic_dim_type<decltype(2_c)>);
static_assert(coil::dim_type<decltype(Bt)> && coil::dim_type<decltype(784_c)>);
static_assert(!coil::dim_type<int> && !coil::dim_type<decltype(0.5_c)>);
static_assert(std::is_same_v<decltype(-(3_c)), coil::static_int<-3>>);
static_assert((0x10_c).int_value == 16 && (0b101_c).int_value == 5 && (017_c).int_value == 15);
static_assert((1'000_c).int_value == 1000);
static_assert(decltype(0.5_c)::real_value == 0.5 && decltype(2.5e-3_c)::real_value == 2.5e-3);

// ---- evaluation under bound symbols ------------------------------------------------------------
constexpr coil::sym_env env = [] {
  coil::sym_env e;
  e.bind(coil::name16("B"), 8);
  e.bind(coil::name16("S"), 3);
  return e;
}();
static_assert(coil::eval(C(784), env) == 784);
static_assert(coil::eval(B, env) == 8);
static_assert(coil::eval(C(16) * B, env) == 128);
static_assert(coil::eval(B * S + C(4), env) == 28);
static_assert(coil::eval(B - S, env) == 5);
static_assert(coil::eval(C(2) * B + C(2), env) == coil::eval((B + C(1)) * C(2), env));

// ---- shapes --------------------------------------------------------------------------------------
constexpr coil::shape shp(std::initializer_list<dim> ds) {
  coil::shape s;
  for (const dim& d : ds) s.d[s.rank++] = d;
  return s;
}
static_assert(coil::numel(shp({B, C(16), C(4)})) == C(64) * B);
static_assert(coil::numel(shp({})) == C(1));
static_assert(coil::numel(shp({C(3), C(0)})) == C(0));
static_assert(shp({B, C(4)}).is_static() == false && shp({C(2), C(4)}).is_static());
static_assert(coil::normalize_axis(-1, 3) == 2 && coil::normalize_axis(3, 3) == -1 && coil::normalize_axis(-4, 3) == -1);
static_assert(coil::normalize_axis(0, 0) == 0 && coil::normalize_axis(-1, 0) == 0);  // a 0-d tensor has axis 0 / -1
static_assert(coil::broadcast(shp({B, C(1)}), shp({C(4)})).value == shp({B, C(4)}));
static_assert(!coil::broadcast(shp({C(3), C(4)}), shp({C(5), C(4)})).ok);
static_assert(coil::broadcast(shp({C(3), C(4)}), shp({C(5), C(4)})).bad_axis == 0);
static_assert(coil::broadcast(shp({C(2), C(3), C(4)}), shp({C(3), C(5)})).bad_axis == 2);

} // namespace
