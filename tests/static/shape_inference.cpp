// Shape inference at compile time: every result shape is a constexpr value of the node
// type, checked here with static_assert only (this TU is compiled, never run).
#include <coil.hpp>

using namespace coil::literals;

namespace {

using coil::dim;
constexpr dim D(std::int64_t v) { return coil::dim_const(v); }
constexpr dim Bd = coil::sym<"B">.value;
constexpr dim Sd = coil::sym<"S">.value;

// The result shape of E equals the given dims (rank included).
template <coil::expr E> constexpr bool shape_is(E, std::initializer_list<dim> want) {
  const coil::shape& s = coil::record_of<E>.shp;
  if (s.rank != static_cast<int>(want.size())) return false;
  int i = 0;
  for (const dim& d : want)
    if (!(s.d[i++] == d)) return false;
  return true;
}

// The result shape of E, printed as diagnostics print it.
template <coil::expr E> constexpr bool shape_reads(E, const char* want) {
  coil::text<160> t;
  coil::format_shape(t, coil::record_of<E>.shp);
  return coil::cstr_eq(t.c_str(), want);
}

constexpr auto B = coil::sym<"B">;
constexpr auto S = coil::sym<"S">;

// ---- broadcasting ------------------------------------------------------------------
constexpr auto m34 = coil::input<"m34", float>(3_c, 4_c);
constexpr auto v4 = coil::input<"v4", float>(4_c);
constexpr auto c31 = coil::input<"c31", float>(3_c, 1_c);
constexpr auto r14 = coil::input<"r14", float>(1_c, 4_c);
constexpr auto s0 = coil::input<"s0", float>();
constexpr auto t234 = coil::input<"t234", float>(2_c, 3_c, 4_c);
constexpr auto t1x1 = coil::input<"t1x1", float>(2_c, 1_c, 1_c);

static_assert(shape_is(m34 + v4, {D(3), D(4)}));            // right-aligned
static_assert(shape_is(c31 * r14, {D(3), D(4)}));           // both sides stretch
static_assert(shape_is(m34 - s0, {D(3), D(4)}));            // 0-d against anything
static_assert(shape_is(s0 + s0, {}));                       // 0-d stays 0-d
static_assert(shape_is(t234 * c31, {D(2), D(3), D(4)}));    // rank 2 into rank 3
static_assert(shape_is(c31 + t1x1, {D(2), D(3), D(1)}));    // size-1 against size-1 stays 1
static_assert(shape_is(m34 * 2_c, {D(3), D(4)}));           // a scalar literal is 0-d
static_assert(shape_is(coil::where(m34 > 0_c, c31, r14), {D(3), D(4)}));  // three-way

constexpr auto xb = coil::input<"xb", float>(B, 4_c);
constexpr auto xb1 = coil::input<"xb1", float>(B, 1_c);
constexpr auto vb = coil::input<"vb", float>(B);
constexpr auto vs = coil::input<"vs", float>(S);
constexpr auto one = coil::input<"one", float>(1_c);

static_assert(shape_is(xb + v4, {Bd, D(4)}));               // symbolic dim kept
static_assert(shape_is(xb1 * r14, {Bd, D(4)}));             // B against 1, 1 against 4
static_assert(shape_is(xb1 + xb, {Bd, D(4)}));              // B == B
static_assert(shape_is(vb + one, {Bd}));                    // static 1 yields to B
static_assert(shape_is(vb + v4, {D(4)}));                   // B vs 4: guarded at call time, static 4 wins
static_assert(shape_is(vb * vs, {Sd}));                     // B vs S: guarded at call time
static_assert(shape_reads(xb1 * r14, "[B, 4]"));

// ---- reductions -----------------------------------------------------------------------
constexpr auto x3 = coil::input<"x3", float>(B, 3_c, 5_c);

static_assert(shape_is(coil::sum<-1>(x3), {Bd, D(3)}));
static_assert(shape_is(coil::sum<-1>(x3, coil::keepdim), {Bd, D(3), D(1)}));
static_assert(shape_is(coil::sum(x3, 1_c), {Bd, D(5)}));
static_assert(shape_is(coil::sum(x3, -2_c, coil::keepdim), {Bd, D(1), D(5)}));
static_assert(shape_is(coil::mean<0, 2>(x3), {D(3)}));
static_assert(shape_is(coil::amax<0, 2>(x3, coil::keepdim), {D(1), D(3), D(1)}));
static_assert(shape_is(coil::prod(x3, 0_c, 1_c), {D(5)}));  // axes as literals
static_assert(shape_is(coil::sum(x3), {}));                 // all axes
static_assert(shape_is(coil::sum(x3, coil::keepdim), {D(1), D(1), D(1)}));
static_assert(shape_is(coil::amin<2, 0>(x3), {D(3)}));      // axis order does not matter
static_assert(shape_is(coil::argmax<1>(x3), {Bd, D(5)}));
static_assert(shape_is(coil::argmin<-1>(x3, coil::keepdim), {Bd, D(3), D(1)}));
static_assert(shape_is(coil::argmax(x3), {}));              // flat index
static_assert(shape_is(coil::sum(s0), {}));                 // 0-d input
static_assert(shape_is(coil::sum<-1>(s0), {}));             // a 0-d tensor takes axis -1 or 0
static_assert(shape_is(coil::amax<0>(s0, coil::keepdim), {}));
static_assert(coil::record_of<decltype(coil::sum<0, 2>(x3))>.axes == 0b101u);
static_assert(coil::record_of<decltype(coil::sum<-1>(x3, coil::keepdim))>.keepdim);
static_assert(!coil::record_of<decltype(coil::sum<-1>(x3))>.keepdim);

// ---- reshape / flatten ------------------------------------------------------------------
constexpr auto xr = coil::input<"xr", float>(B, 16_c, 4_c);
constexpr auto s24 = coil::input<"s24", float>(2_c, 3_c, 4_c);
constexpr auto bs4 = coil::input<"bs4", float>(B, S, 4_c);

static_assert(shape_is(coil::reshape(xr, B, 64_c), {Bd, D(64)}));
static_assert(shape_is(coil::reshape(xr, B, -1_c), {Bd, D(64)}));           // [B,16,4] -> [B,64]
static_assert(shape_is(coil::reshape(xr, -1_c, 4_c), {D(16) * Bd, D(4)}));  // the -1 is 16*B
static_assert(shape_reads(coil::reshape(xr, -1_c, 4_c), "[16*B, 4]"));
static_assert(shape_is(coil::reshape(xr, B * 16_c, 4_c), {D(16) * Bd, D(4)}));
static_assert(shape_is(coil::reshape(coil::reshape(xr, -1_c, 4_c), B, -1_c), {Bd, D(64)}));
static_assert(shape_is(coil::reshape(s24, -1_c), {D(24)}));
static_assert(shape_is(coil::reshape(s24, 4_c, -1_c, 2_c), {D(4), D(3), D(2)}));
static_assert(shape_is(coil::reshape(s24, 24_c, 1_c), {D(24), D(1)}));
static_assert(shape_is(coil::flatten(s24), {D(24)}));
static_assert(shape_is(coil::flatten(xr), {D(64) * Bd}));
static_assert(shape_is(coil::reshape(bs4, B * S, 4_c), {Bd * Sd, D(4)}));
static_assert(shape_is(coil::reshape(bs4, S * B, -1_c), {Bd * Sd, D(4)}));  // S*B is B*S
static_assert(shape_is(coil::reshape(bs4, -1_c), {D(4) * Bd * Sd}));
static_assert(shape_reads(coil::reshape(bs4, -1_c), "[4*B*S]"));

// ---- permute / transpose ------------------------------------------------------------------
static_assert(shape_is(coil::permute<2, 0, 1>(x3), {D(5), Bd, D(3)}));
static_assert(shape_is(coil::permute<-1, 0, 1>(x3), {D(5), Bd, D(3)}));
static_assert(shape_is(coil::transpose<0, 1>(m34), {D(4), D(3)}));
static_assert(shape_is(coil::transpose<0, -1>(x3), {D(5), D(3), Bd}));
static_assert(coil::record_of<decltype(coil::permute<2, 0, 1>(x3))>.perm[0] == 2);
static_assert(coil::record_of<decltype(coil::permute<2, 0, 1>(x3))>.perm[1] == 0);
static_assert(coil::record_of<decltype(coil::permute<2, 0, 1>(x3))>.perm[2] == 1);

// ---- slice ---------------------------------------------------------------------------------
constexpr auto v10 = coil::input<"v10", float>(10_c);

static_assert(shape_is(coil::slice<0, 2, 8>(v10), {D(6)}));
static_assert(shape_is(coil::slice<0, 2>(v10), {D(8)}));                  // to the end
static_assert(shape_is(coil::slice<0, 2, 8, 3>(v10), {D(2)}));            // 2, 5
static_assert(shape_is(coil::slice<0, 1, 10, 3>(v10), {D(3)}));           // 1, 4, 7
static_assert(shape_is(coil::slice<0, 0, coil::slice_end, 4>(v10), {D(3)}));  // 0, 4, 8
static_assert(shape_is(coil::slice<0, -3>(v10), {D(3)}));                 // x[-3:]
static_assert(shape_is(coil::slice<0, -5, -1>(v10), {D(4)}));             // x[-5:-1]
static_assert(shape_is(coil::slice<0, 0, -2, 2>(v10), {D(4)}));           // x[0:-2:2]: 0, 2, 4, 6
static_assert(shape_is(coil::slice<0, -100, 3>(v10), {D(3)}));            // start clamps to 0
static_assert(shape_is(coil::slice<0, 4, 100>(v10), {D(6)}));             // stop clamps to 10
static_assert(shape_is(coil::slice<0, 8, 2>(v10), {D(0)}));               // empty
static_assert(shape_is(coil::slice<0, 12>(v10), {D(0)}));                 // start past the end
static_assert(coil::record_of<decltype(coil::slice<0, -3>(v10))>.start == 7);                 // normalized bounds
static_assert(coil::record_of<decltype(coil::slice<0, -5, -1>(v10))>.stop == 9);
static_assert(coil::record_of<decltype(coil::slice<0, 2, 8, 3>(v10))>.step == 3);
static_assert(shape_is(coil::slice<1, 1, 3>(m34), {D(3), D(2)}));
static_assert(shape_is(coil::slice<-1, 1, 3>(m34), {D(3), D(2)}));
static_assert(shape_is(coil::slice<0, 1>(vb), {Bd - D(1)}));              // symbolic: x[1:]
static_assert(shape_is(coil::slice<0, 1, -2>(vb), {Bd - D(3)}));          // symbolic: x[1:-2]
static_assert(shape_reads(coil::slice<0, 1, -2>(vb), "[-3 + B]"));
static_assert(shape_is(coil::slice<1, 1>(xb), {Bd, D(3)}));               // static axis of a symbolic tensor

// ---- squeeze / unsqueeze / expand ---------------------------------------------------------
static_assert(shape_is(coil::squeeze<1>(xb1), {Bd}));
static_assert(shape_is(coil::squeeze<-1>(c31), {D(3)}));
static_assert(shape_is(coil::unsqueeze<0>(xb), {D(1), Bd, D(4)}));
static_assert(shape_is(coil::unsqueeze<-1>(xb), {Bd, D(4), D(1)}));
static_assert(shape_is(coil::unsqueeze<0>(s0), {D(1)}));
static_assert(shape_is(coil::expand(c31, 3_c, 4_c), {D(3), D(4)}));
static_assert(shape_is(coil::expand(v4, B, 4_c), {Bd, D(4)}));            // new leading dim
static_assert(shape_is(coil::expand(xb1, -1_c, 7_c), {Bd, D(7)}));        // -1 keeps a dim
static_assert(shape_is(coil::broadcast_to(one, 2_c, 5_c), {D(2), D(5)}));

// ---- cat -------------------------------------------------------------------------------------
constexpr auto a23 = coil::input<"a23", float>(2_c, 3_c);
constexpr auto a25 = coil::input<"a25", float>(2_c, 5_c);
constexpr auto a43 = coil::input<"a43", float>(4_c, 3_c);
constexpr auto b3 = coil::input<"b3", float>(B, 3_c);
constexpr auto b5 = coil::input<"b5", float>(B, 5_c);
constexpr auto s3 = coil::input<"s3", float>(S, 3_c);

static_assert(shape_is(coil::cat<1>(a23, a25), {D(2), D(8)}));
static_assert(shape_is(coil::cat<-1>(a23, a25, a23), {D(2), D(11)}));
static_assert(shape_is(coil::cat<0>(a23, a43), {D(6), D(3)}));
static_assert(shape_is(coil::cat<1>(a23), {D(2), D(3)}));                  // one input
static_assert(shape_is(coil::cat<1>(b3, b5), {Bd, D(8)}));                // [B,3] + [B,5] -> [B,8]
static_assert(shape_is(coil::cat<0>(b3, s3), {Bd + Sd, D(3)}));           // symbolic sum
static_assert(shape_is(coil::cat<0>(b3, b3), {D(2) * Bd, D(3)}));         // B + B is 2*B
static_assert(shape_is(coil::cat<0>(b3, a43), {Bd + D(4), D(3)}));
static_assert(shape_reads(coil::cat<0>(b3, a43, s3), "[4 + B + S, 3]"));
static_assert(coil::record_of<decltype(coil::cat<-1>(b3, b5))>.axis == 1);

// ---- matmul -----------------------------------------------------------------------------------
constexpr auto x784 = coil::input<"x784", float>(B, 784_c);
constexpr auto w = coil::input<"w", float>(784_c, 128_c);
constexpr auto q = coil::input<"q", float>(B, 1_c, 7_c, 5_c);   // [B, 1, M, K]
constexpr auto k = coil::input<"k", float>(3_c, 5_c, 9_c);      // [H, K, N]
constexpr auto kb = coil::input<"kb", float>(B, 5_c, 9_c);

static_assert(shape_is(coil::matmul(a23, coil::transpose<0, 1>(a43)), {D(2), D(4)}));
static_assert(shape_is(coil::matmul(x784, w), {Bd, D(128)}));
static_assert(shape_is(coil::matmul(q, k), {Bd, D(3), D(7), D(9)}));     // batch dims broadcast
static_assert(shape_is(coil::matmul(coil::squeeze<1>(q), kb), {Bd, D(7), D(9)}));
static_assert(shape_is(coil::matmul(kb, coil::transpose<1, 2>(kb)), {Bd, D(5), D(5)}));
static_assert(shape_is(coil::matmul(coil::input<"e1", float>(1_c, 2_c, 3_c), coil::input<"e2", float>(4_c, 3_c, 6_c)),
                       {D(4), D(2), D(6)}));
static_assert(coil::record_of<decltype(coil::matmul(x784, w))>.kind == coil::op_kind::matmul);

} // namespace
