// Result dtypes (and compute dtypes) of every op family, following torch.result_type:
// category first (bool < integral < floating), wrapped numbers (literals) lift only the
// category. Compiled only.
#include <coil.hpp>

using namespace coil::literals;

namespace {

using coil::dtype;

template <coil::expr E> constexpr dtype type_of(E) { return coil::record_of<E>.type; }
template <coil::expr E> constexpr dtype compute_of(E) { return coil::record_of<E>.compute; }

constexpr auto b = coil::input<"b", bool>(4_c);
constexpr auto i32 = coil::input<"i32", std::int32_t>(4_c);
constexpr auto i64 = coil::input<"i64", std::int64_t>(4_c);
constexpr auto f32 = coil::input<"f32", float>(4_c);
constexpr auto f64 = coil::input<"f64", double>(4_c);

// ---- the promotion table itself ---------------------------------------------------------
constexpr dtype promote2(dtype a, bool wa, dtype b2, bool wb) {
  const coil::promo_operand ops[] = {{a, wa}, {b2, wb}};
  return coil::promote(ops, 2);
}
static_assert(promote2(dtype::i32, false, dtype::i64, false) == dtype::i64);
static_assert(promote2(dtype::i64, false, dtype::f32, false) == dtype::f32);  // category beats size
static_assert(promote2(dtype::f32, false, dtype::f64, false) == dtype::f64);
static_assert(promote2(dtype::b8, false, dtype::i32, false) == dtype::i32);
static_assert(promote2(dtype::i32, false, dtype::i64, true) == dtype::i32);   // an int literal keeps int32
static_assert(promote2(dtype::i32, false, dtype::f64, true) == dtype::f32);   // a float literal lifts to the default float
static_assert(promote2(dtype::f32, false, dtype::f64, true) == dtype::f32);   // and never widens a float tensor
static_assert(promote2(dtype::b8, false, dtype::i64, true) == dtype::i64);
static_assert(promote2(dtype::i64, true, dtype::f64, true) == dtype::f32);    // literals only: default dtype
static_assert(promote2(dtype::i64, true, dtype::i64, true) == dtype::i64);

// ---- arithmetic ----------------------------------------------------------------------------
static_assert(type_of(i32 + i64) == dtype::i64);
static_assert(type_of(i64 + i32) == dtype::i64);
static_assert(type_of(i32 + f32) == dtype::f32);
static_assert(type_of(i64 * f32) == dtype::f32);
static_assert(type_of(f32 - f64) == dtype::f64);
static_assert(type_of(b + i32) == dtype::i32);
static_assert(type_of(b + b) == dtype::b8);
static_assert(type_of(b * b) == dtype::b8);
static_assert(type_of(i32 * 2_c) == dtype::i32);
static_assert(type_of(2_c * i32) == dtype::i32);
static_assert(type_of(i32 * 0.5_c) == dtype::f32);
static_assert(type_of(i64 + 0.5_c) == dtype::f32);
static_assert(type_of(f32 * 0.5_c) == dtype::f32);
static_assert(type_of(f32 * 2_c) == dtype::f32);
static_assert(type_of(f64 * 0.5_c) == dtype::f64);
static_assert(type_of(b + 2_c) == dtype::i64);
static_assert(type_of(b * 1.5_c) == dtype::f32);
static_assert(type_of(coil::add(2_c, 3_c)) == dtype::i64);    // literals only
static_assert(type_of(coil::add(2_c, 0.5_c)) == dtype::f32);
static_assert(coil::record_of<decltype(coil::add(2_c, 0.5_c))>.wrapped);           // still a wrapped number
static_assert(!coil::record_of<decltype((f32 * 0.5_c))>.wrapped);
static_assert(type_of(coil::maximum(i32, f64)) == dtype::f64);
static_assert(type_of(coil::minimum(i32, i64)) == dtype::i64);
static_assert(type_of(coil::pow(i32, 2_c)) == dtype::i32);
static_assert(type_of(coil::pow(i32, 0.5_c)) == dtype::f32);
static_assert(type_of(coil::pow(f64, i32)) == dtype::f64);

// true division: integers divide as float
static_assert(type_of(i32 / i32) == dtype::f32);
static_assert(type_of(i64 / 2_c) == dtype::f32);
static_assert(type_of(b / b) == dtype::f32);
static_assert(type_of(f64 / i32) == dtype::f64);
static_assert(compute_of(i32 / i64) == dtype::f32);

// ---- unary --------------------------------------------------------------------------------
static_assert(type_of(-i32) == dtype::i32);
static_assert(type_of(coil::abs(i64)) == dtype::i64);
static_assert(type_of(coil::relu(f64)) == dtype::f64);
static_assert(type_of(coil::exp(i32)) == dtype::f32);       // floating math lifts integers to float
static_assert(type_of(coil::sqrt(i64)) == dtype::f32);
static_assert(type_of(coil::sigmoid(b)) == dtype::f32);
static_assert(type_of(coil::log(f64)) == dtype::f64);
static_assert(type_of(coil::tanh(f32)) == dtype::f32);
static_assert(type_of(!f32) == dtype::b8);
static_assert(compute_of(!f32) == dtype::f32);
static_assert(type_of(coil::logical_not(i32)) == dtype::b8);

// ---- comparisons and logic ------------------------------------------------------------------
static_assert(type_of(i32 < f32) == dtype::b8);
static_assert(compute_of(i32 < f32) == dtype::f32);         // compared in the promoted type
static_assert(compute_of(i32 == 2_c) == dtype::i32);
static_assert(compute_of(i32 > 0.5_c) == dtype::f32);
static_assert(type_of(f64 >= f32) == dtype::b8);
static_assert(compute_of(f64 >= f32) == dtype::f64);
static_assert(type_of(b == b) == dtype::b8);
static_assert(type_of(i32 && f32) == dtype::b8);
static_assert(compute_of(i32 || f32) == dtype::b8);

// ---- where / cast -------------------------------------------------------------------------------
static_assert(type_of(coil::where(b, i32, f32)) == dtype::f32);
static_assert(type_of(coil::where(b, i32, i64)) == dtype::i64);
static_assert(type_of(coil::where(b, i32, 0_c)) == dtype::i32);
static_assert(type_of(coil::where(b, i32, 0.5_c)) == dtype::f32);
static_assert(type_of(coil::where(b, f64, 0.5_c)) == dtype::f64);
static_assert(type_of(coil::where(i32 > 0_c, b, b)) == dtype::b8);
static_assert(type_of(coil::cast<std::int32_t>(f64)) == dtype::i32);
static_assert(compute_of(coil::cast<std::int32_t>(f64)) == dtype::f64);
static_assert(type_of(coil::cast<bool>(f32)) == dtype::b8);
static_assert(type_of(coil::cast<double>(b)) == dtype::f64);

// ---- reductions ----------------------------------------------------------------------------------
static_assert(type_of(coil::sum(i32)) == dtype::i64);       // integer sums widen to int64
static_assert(type_of(coil::sum(b)) == dtype::i64);
static_assert(type_of(coil::prod(i32)) == dtype::i64);
static_assert(type_of(coil::sum(f32)) == dtype::f32);
static_assert(type_of(coil::sum(f64)) == dtype::f64);
static_assert(type_of(coil::mean(f32)) == dtype::f32);
static_assert(type_of(coil::amax(i32)) == dtype::i32);
static_assert(type_of(coil::amin(b)) == dtype::b8);
static_assert(type_of(coil::argmax(f32)) == dtype::i64);
static_assert(type_of(coil::argmin(i32)) == dtype::i64);
static_assert(compute_of(coil::argmax(f64)) == dtype::f64);

// ---- views, cat, matmul ---------------------------------------------------------------------------
static_assert(type_of(coil::reshape(i32, 2_c, 2_c)) == dtype::i32);
static_assert(type_of(coil::slice<0, 1>(b)) == dtype::b8);
static_assert(type_of(coil::unsqueeze<0>(f64)) == dtype::f64);
static_assert(type_of(coil::cat<0>(i32, f32)) == dtype::f32);
static_assert(type_of(coil::cat<0>(i32, i64)) == dtype::i64);
static_assert(type_of(coil::cat<0>(b, b)) == dtype::b8);
static_assert(type_of(coil::cat<0>(b, i32, f64)) == dtype::f64);
constexpr auto mi = coil::input<"mi", std::int32_t>(2_c, 2_c);
constexpr auto mf = coil::input<"mf", float>(2_c, 2_c);
constexpr auto md = coil::input<"md", double>(2_c, 2_c);
static_assert(type_of(coil::matmul(mf, mf)) == dtype::f32);
static_assert(type_of(coil::matmul(mi, mf)) == dtype::f32);
static_assert(type_of(coil::matmul(mf, md)) == dtype::f64);
static_assert(type_of(coil::matmul(mi, mi)) == dtype::i32);

// ---- literals -----------------------------------------------------------------------------------
static_assert(type_of(coil::as_expr(2_c)) == dtype::i64);
static_assert(type_of(coil::as_expr(0.5_c)) == dtype::f64);
static_assert(coil::record_of<decltype(coil::as_expr(0.5_c))>.wrapped);
static_assert(coil::record_of<decltype(coil::as_expr(0.5_c))>.kind == coil::op_kind::constant);

} // namespace
