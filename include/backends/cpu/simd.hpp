// Vector bodies for the CPU loops (xsimd): the same kernel program that eval.hpp runs on
// scalar registers, run on batch registers, so each op lowers once per backend and the
// scalar path stays the definition of the semantics.
//
// A program is vectorized along the innermost axis of the index it is asked for when
//  - at compile time (plan_lanes): its element type is f32 (or int32/int64 in a pointwise
//    loop; f64 stays scalar: xsimd 8.1's double log mishandles subnormals and its
//    tanh(+-inf) is NaN, where the tests hold libm's values), and every step is a load of
//    that type or of bool, a constant, a supported pointwise op, a comparison or logical
//    op (bool registers are masks, batch_bool<T>), `where` (both branches run, then
//    xsimd::select), a cast between bool and T or of a literal, an iota (int64 index
//    values in int32 lanes beside f32/int32, with +, -, neg and comparisons on them), or
//    an affine index step (broadcast, permute, slice, squeeze, unsqueeze, window, flip);
//  - at run time: every load moves by 1 element (a batch load) or by 0 (a splat: a
//    broadcast operand) when the inner index moves by 1, and every index value of the
//    call fits in int32 (batch_map). Strides come from exec_state, so a transposed or
//    strided input goes through tiles (cpu/tiles.hpp) or the scalar loop, never a gather.
// A pointwise loop whose output is bool (a comparison, a logical op, a `where` of masks or
// a realized mask, stored as bytes) runs its program in the lanes of the type its
// comparisons run in (lane_type) and stores the result mask as bytes 0/1 (store_flags);
// so does a bool stage of a row kernel, in f32 lanes.
// What stays scalar: f64 programs, integer division, shifts, pow, gather and cat, int64
// arithmetic beyond +/- on index values in f32 programs, bool programs whose operands mix
// element types, and the inputs of reductions of bools.
// Anything else runs the scalar code in loops.hpp. `COIL_NO_SIMD`, a build without
// xsimd, or a target xsimd has no batches for leaves only the scalar path
// (COIL_HAS_SIMD is 0).
//
// The instruction set is part of every vector function's template arguments (Arch), so
// two translation units built with different -m flags instantiate different symbols.
#pragma once
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>

#include "../eval.hpp"
#include "../load_map.hpp"
#include "../row_invariant.hpp"

#if !defined(COIL_NO_SIMD) && defined(__has_include)
#if __has_include(<xsimd/xsimd.hpp>)
#include <xsimd/xsimd.hpp>
#if XSIMD_WITH_AVX512F || XSIMD_WITH_AVX2 || XSIMD_WITH_AVX || XSIMD_WITH_SSE2 || XSIMD_WITH_NEON64 || XSIMD_WITH_NEON
#define COIL_HAS_SIMD 1
#endif
#endif
#endif
#ifndef COIL_HAS_SIMD
#define COIL_HAS_SIMD 0
#endif

namespace coil::kernel::simd {

// Arithmetic and math ops with a vector form on float batches (comparisons and logic,
// whose results are masks, are plan_lanes' own cases); pow stays scalar.
constexpr bool has_vector_form(op_code c) {
  switch (c) {
  case op_code::neg: case op_code::abs: case op_code::relu: case op_code::exp: case op_code::log:
  case op_code::log1p: case op_code::expm1: case op_code::sqrt: case op_code::rsqrt: case op_code::sin:
  case op_code::cos: case op_code::tanh: case op_code::sigmoid: case op_code::erf: case op_code::realize_hint:
  case op_code::inline_hint: case op_code::add: case op_code::sub: case op_code::mul: case op_code::div:
  case op_code::minimum: case op_code::maximum:
    return true;
  default:
    return false;
  }
}

// Integer pointwise ops with a vector form (int32 and int64 batches, pointwise loops only):
// the scalar ops wrap in two's complement (scalar_math.hpp), as the vector instructions do.
// Division and shifts stay scalar (comparisons give masks: plan_lanes).
constexpr bool has_int_vector_form(op_code c) {
  switch (c) {
  case op_code::neg: case op_code::abs: case op_code::relu: case op_code::add: case op_code::sub: case op_code::mul:
  case op_code::minimum: case op_code::maximum: case op_code::realize_hint: case op_code::inline_hint:
    return true;
  default:
    return false;
  }
}

// What a value register holds on batches (plan_lanes): the program's element type T
// (`value`), a literal (a constant: held as T, and as index lanes when it is an integer),
// a mask (`mask`: bool registers, comparisons, `where`'s select register: one
// batch_bool<T> lane per element), or an int64 index value (`index`: iota and sums of
// iotas and small literals, in an f32 or int32 program: held in int32 lanes, as many as
// T's, exact while every such value fits in int32: checked per call, batch_map).
enum class lane_kind : std::uint8_t { none, value, literal, mask, index };

// The register kinds of a program and the bound of its index values: every index
// register's magnitude is at most iota_coeff * E + iota_const, E the largest magnitude of
// an iota of the call (load_map::iota_max). ok: the program runs on batches of T.
template <std::size_t Steps> struct lane_plan {
  bool ok = false;
  std::int64_t iota_coeff = 0, iota_const = 0;
  lane_kind kind[Steps + 1]{}; // per value register
};

// Whether a program can run on batches of T (the compile-time half of the test above):
// f32 programs, and with Integers int32/int64 ones (pointwise loops, and amax/amin
// reductions of them: an integer sum accumulates in int64, a row kernel is floating). Literals are f64 (or i64)
// nodes, PyTorch's Python scalars, that a pointwise op converts to its compute type: their
// register holds the converted value, so such an operand that is a constant is as good as
// one of type T.
//
// `where` runs both branches on every lane and selects (xsimd::select): the scalar step
// runs one branch under a guard so that a branch never computes what it must not (an
// integer division by zero, a concatenation's input out of its bounds), and neither can
// happen here: integer division and `cat` have no vector form, and a branch's loads read
// at the where's own index (in bounds). Bool (b8) registers are masks: comparisons, logical
// and/or/not, bool loads (bytes 0/1) and casts between bool and T. The int64 index values
// of an f32/int32 program (iota, +, -, neg, comparisons) run in int32 lanes; an int64
// program's are its own batches.
template <class Prog> constexpr auto plan_lanes(const Prog& p, dtype t, bool integers) {
  constexpr std::size_t steps = Prog{}.steps.size();
  lane_plan<steps> out;
  const bool integer = integers && (t == dtype::i32 || t == dtype::i64);
  if (t != dtype::f32 && !integer) return out;
  const bool index_lanes = t != dtype::i64; // i64 values in int32 lanes
  constexpr std::int64_t small = std::int64_t{1} << 30; // largest literal in index lanes
  lane_kind* kind = out.kind;
  std::int64_t coeff[steps + 1]{}, cst[steps + 1]{}; // per index register: its bound
  std::int64_t lit[steps + 1]{};                     // per literal register: |value| (integers)
  bool lit_int[steps + 1]{};
  auto value_ok = [&](int reg, dtype type) {
    return (kind[reg] == lane_kind::value && type == t) ||
           (kind[reg] == lane_kind::literal && (type == t || type == dtype::f64 || type == dtype::i64));
  };
  auto index_ok = [&](int reg) {
    return kind[reg] == lane_kind::index || (kind[reg] == lane_kind::literal && lit_int[reg] && lit[reg] < small);
  };
  auto mask_ok = [&](int reg) { return kind[reg] == lane_kind::mask; };
  for (const step& s : p.steps) {
    if (s.guard >= 0 && !mask_ok(s.guard)) return out; // only `where`'s select registers guard here
    switch (s.op) {
    case step_op::load:
      if (s.type == t) kind[s.out] = lane_kind::value;
      else if (s.type == dtype::b8) kind[s.out] = lane_kind::mask;
      else return out;
      break;
    case step_op::constant:
      if (s.type == dtype::b8) return out;
      if (!is_floating(s.type)) {
        const std::int64_t v = static_cast<std::int64_t>(s.bits);
        lit_int[s.out] = true;
        lit[s.out] = v < 0 ? (v < -small ? small : -v) : v;
      }
      kind[s.out] = lane_kind::literal;
      break;
    case step_op::iota:
      kind[s.out] = index_lanes ? lane_kind::index : lane_kind::value;
      coeff[s.out] = 1;
      break;
    case step_op::select:
      if (s.ta != dtype::b8 || !mask_ok(s.a)) return out;
      kind[s.out] = lane_kind::mask;
      break;
    case step_op::move: // a `where` branch's value into the where's register
      if (s.code == op_code::where && s.type == dtype::b8 && s.ta == dtype::b8 && mask_ok(s.a)) {
        kind[s.out] = lane_kind::mask; // a where of masks (a bool output)
        break;
      }
      if (s.code != op_code::where || s.type != t || s.compute != t || !value_ok(s.a, s.ta)) return out;
      kind[s.out] = lane_kind::value;
      break;
    case step_op::cast:
      if (s.type == t && (kind[s.a] == lane_kind::literal || (s.ta == dtype::b8 && mask_ok(s.a)))) kind[s.out] = lane_kind::value;
      else if (s.type == dtype::b8 && s.ta == t && kind[s.a] == lane_kind::value) kind[s.out] = lane_kind::mask;
      else return out;
      break;
    case step_op::pointwise: {
      const bool two = s.b >= 0;
      const bool logic = s.code == op_code::logical_and || s.code == op_code::logical_or || s.code == op_code::logical_not;
      const bool hint = s.code == op_code::realize_hint || s.code == op_code::inline_hint; // realize(mask): the mask
      if (logic || ((hint || coil::detail::is_comparison(s.code)) && s.compute == dtype::b8)) { // masks of masks
        if (s.compute != dtype::b8 || !mask_ok(s.a) || (two && !mask_ok(s.b))) return out;
        kind[s.out] = lane_kind::mask;
      } else if (s.compute == t) {
        if (!value_ok(s.a, s.ta) || (two && !value_ok(s.b, s.tb))) return out;
        if (coil::detail::is_comparison(s.code)) kind[s.out] = lane_kind::mask;
        else if (s.type == t && (integer ? has_int_vector_form(s.code) : has_vector_form(s.code))) kind[s.out] = lane_kind::value;
        else return out;
      } else if (s.compute == dtype::i64 && index_lanes) {
        if (!index_ok(s.a) || (two && !index_ok(s.b))) return out;
        auto co = [&](int r) { return kind[r] == lane_kind::index ? coeff[r] : 0; };
        auto cs = [&](int r) { return kind[r] == lane_kind::index ? cst[r] : lit[r]; };
        if (coil::detail::is_comparison(s.code)) {
          kind[s.out] = lane_kind::mask;
        } else if (s.type == dtype::i64 && (s.code == op_code::add || s.code == op_code::sub || s.code == op_code::neg)) {
          kind[s.out] = lane_kind::index;
          coeff[s.out] = co(s.a) + (two ? co(s.b) : 0);
          cst[s.out] = cs(s.a) + (two ? cs(s.b) : 0);
          if (coeff[s.out] > 64 || cst[s.out] >= small) return out;
          out.iota_coeff = coeff[s.out] > out.iota_coeff ? coeff[s.out] : out.iota_coeff;
          out.iota_const = cst[s.out] > out.iota_const ? cst[s.out] : out.iota_const;
        } else {
          return out;
        }
      } else {
        return out;
      }
      break;
    }
    case step_op::ix_bcast: case step_op::ix_permute: case step_op::ix_slice: case step_op::ix_squeeze:
    case step_op::ix_unsqueeze: case step_op::ix_window: case step_op::ix_flip: case step_op::ix_merge: // affine in the index
      break;
    default:
      return out;
    }
    if (s.op == step_op::iota && index_lanes) out.iota_coeff = out.iota_coeff > 1 ? out.iota_coeff : 1;
  }
  // a mask result: the program's value is bool (lane_type), stored as bytes
  out.ok = kind[p.result] == lane_kind::value || kind[p.result] == lane_kind::literal || kind[p.result] == lane_kind::mask;
  return out;
}
template <class Prog> constexpr bool vectorizable(const Prog& p, dtype t, bool integers = false) {
  return plan_lanes(p, t, integers).ok;
}

// The lane type of a program whose value is of type `root`: root itself, or for a bool
// value (a mask, stored as bytes) the type its comparisons run in. plan_lanes requires
// every value load, compared operand and cast source of a program to have its lane type,
// so the first of f32, int32, int64 that passes is the only one. A program that has no
// such type (bool loads and logical ops only, comparisons of iotas) passes with the first,
// f32: its masks are batch_bool<float>, its index values int32 lanes, checked per call as
// in any f32 program. A program whose operands mix types (f32 and int64 loads) passes with
// none: b8, and it stays scalar.
template <class Prog> constexpr dtype lane_type(const Prog& p, dtype root, bool integers) {
  if (root != dtype::b8) return root;
  for (const dtype t : {dtype::f32, dtype::i32, dtype::i64})
    if (plan_lanes(p, t, integers).ok) return t;
  return dtype::b8;
}

// Reductions' inputs run on batches of their own type: a reduction of bools stays scalar.
template <class P, int I, int Root>
inline constexpr bool vectorizable_v = vectorizable(program_v<P, I, Root>, record_v<P, I>.type);
// A row kernel's pointwise stage: an f32 program, or a bool one in f32 lanes (a realized
// mask that the next stages read: lane_type, without integer programs; where f32 lanes
// pass, they are also the pointwise loops' choice, lane_dtype_v).
template <class P, int I>
inline constexpr bool vectorizable_stage_v =
    vectorizable(program_v<P, I, I>, lane_type(program_v<P, I, I>, record_v<P, I>.type, false), false);
// The lane type of I's program in a pointwise loop (lane_type), and its element type.
template <class P, int I, int Root>
inline constexpr dtype lane_dtype_v = lane_type(program_v<P, I, Root>, record_v<P, I>.type, true);
template <class P, int I, int Root> using lane_t = element_t<lane_dtype_v<P, I, Root>>;
// ... in a pointwise loop, where integer programs and bool outputs run on batches too.
template <class P, int I, int Root>
inline constexpr bool vectorizable_elementwise_v = vectorizable(program_v<P, I, Root>, lane_dtype_v<P, I, Root>, true);
// The register kinds of a program that runs on batches (the elementwise superset: the
// same kinds for an f32 program either way).
template <class P, int I, int Root> inline constexpr auto lanes_v = plan_lanes(program_v<P, I, Root>, lane_dtype_v<P, I, Root>, true);
// The loads of one row of I's program, in its lane type.
template <class P, int I, int Root> using lane_reads_t = row_reads_t<lane_t<P, I, Root>, P, I, Root>;

#if COIL_HAS_SIMD

template <class T, class Arch> using batch = xsimd::batch<T, Arch>;

// a clamped to [lo, hi], NaN kept: x86's min/max (and so xsimd's) return their second
// operand when one is NaN, so the input goes second (NEON's return NaN). On AVX-512 floats
// the zero-masked forms with an all-ones mask: the same instructions, but g++ 12 warns
// that the plain forms read an uninitialized _mm512_undefined_ps once inlined, an error
// under -Werror.
template <class B> COIL_INLINE B clamp_batch(const B& a, typename B::value_type lo, typename B::value_type hi) {
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<typename B::value_type, float> && std::is_base_of_v<xsimd::avx512f, typename B::arch_type>) {
    constexpr __mmask16 all = static_cast<__mmask16>(0xffff);
    return _mm512_maskz_max_ps(all, _mm512_set1_ps(lo), _mm512_maskz_min_ps(all, _mm512_set1_ps(hi), a));
  } else
#endif
    return xsimd::max(B(lo), xsimd::min(B(hi), a));
}

// exp of a batch. On AVX-512 floats: xsimd 8.1's reduction and polynomial, step for step
// (the same bits wherever xsimd's result is a normal float), with the scaling by 2^k done
// by one vscalefps instead of an integer ldexp and two range selects: the input is
// clamped to [-104, 100] first (NaN kept), where scalef itself gives 0 and inf at the
// ends; subnormal results are kept (xsimd flushes them to 0 below -87.34). Elsewhere
// xsimd::exp.
template <class B> COIL_INLINE B exp_batch(const B& a) {
#if defined(__AVX512F__)
  using T = typename B::value_type;
  if constexpr (std::is_same_v<T, float> && std::is_base_of_v<xsimd::avx512f, typename B::arch_type>) {
    constexpr __mmask16 all = static_cast<__mmask16>(0xffff);
    const __m512 x = clamp_batch(a, -104.0f, 100.0f);
    const B k = _mm512_maskz_roundscale_ps(all, _mm512_mul_ps(xsimd::constants::invlog_2<B>(), x), _MM_FROUND_TO_NEAREST_INT);
    B r = xsimd::fnma(k, xsimd::constants::log_2hi<B>(), B(x));
    r = xsimd::fnma(k, xsimd::constants::log_2lo<B>(), r);
    // xsimd's Horner scheme: its innermost coefficient is fma(r, 0, c), c for finite r
    B y = xsimd::fma(r, B(std::bit_cast<float>(0x3ab778cfu)), B(std::bit_cast<float>(0x3c098d8bu)));
    y = xsimd::fma(r, y, B(std::bit_cast<float>(0x3d2aa957u)));
    y = xsimd::fma(r, y, B(std::bit_cast<float>(0x3e2aa9a5u)));
    y = xsimd::fma(r, y, B(std::bit_cast<float>(0x3f000000u)));
    const B p = xsimd::fma(y, r * r, r) + B(1.0f);
    return _mm512_maskz_scalef_ps(all, p, k);
  } else
#endif
    return xsimd::exp(a);
}

// erf of float batches as a rational function of x on [-4, 4] (an odd polynomial of
// degree 13 over an even one of degree 8: Eigen's generic_fast_erf_float coefficients),
// clamped there (erf is +-1 in float beyond), NaN kept: 12 fused multiply-adds and one
// division. Its error is about 1e-7 absolute, the class of PyTorch's own vectorized CPU
// erf (Abramowitz-Stegun 7.1.26); xsimd 8.1's erf evaluates both of its branches and an
// exp on every batch that mixes small and large inputs.
template <class B> COIL_INLINE B erf_rational(const B& a) {
  using T = typename B::value_type;
  const B x = clamp_batch(a, T(-4), T(4));
  const B x2 = x * x;
  B p = xsimd::fma(x2, B(T(-2.72614225801306e-10)), B(T(2.77068142495902e-08)));
  p = xsimd::fma(x2, p, B(T(-2.10102402082508e-06)));
  p = xsimd::fma(x2, p, B(T(-5.69250639462346e-05)));
  p = xsimd::fma(x2, p, B(T(-7.34990630326855e-04)));
  p = xsimd::fma(x2, p, B(T(-2.95459980854025e-03)));
  p = xsimd::fma(x2, p, B(T(-1.60960333262415e-02)));
  p = x * p;
  B q = xsimd::fma(x2, B(T(-1.45660718464996e-05)), B(T(-2.13374055278905e-04)));
  q = xsimd::fma(x2, q, B(T(-1.68282697438203e-03)));
  q = xsimd::fma(x2, q, B(T(-7.37332916720468e-03)));
  q = xsimd::fma(x2, q, B(T(-1.42647390514189e-02)));
  return xsimd::select(xsimd::isnan(a), a, p / q);
}

template <op_code C, class B> COIL_INLINE B apply(const B& a) {
  using T = typename B::value_type;
  if constexpr (C == op_code::neg) return -a;
  else if constexpr (C == op_code::abs) return xsimd::abs(a);
  else if constexpr (C == op_code::relu) return xsimd::select(a <= B(T(0)), B(T(0)), a); // NaN stays NaN
  else if constexpr (C == op_code::exp) return exp_batch(a);
  else if constexpr (C == op_code::log) return xsimd::log(a);
  else if constexpr (C == op_code::log1p) return xsimd::log1p(a);
  else if constexpr (C == op_code::expm1) return xsimd::expm1(a);
  else if constexpr (C == op_code::sqrt) return xsimd::sqrt(a);
  else if constexpr (C == op_code::rsqrt) return B(T(1)) / xsimd::sqrt(a); // not the 12-bit estimate
  else if constexpr (C == op_code::sin) return xsimd::sin(a);
  else if constexpr (C == op_code::cos) return xsimd::cos(a);
  else if constexpr (C == op_code::tanh) return xsimd::tanh(a);
  else if constexpr (C == op_code::sigmoid) return B(T(1)) / (B(T(1)) + xsimd::exp(-a));
  else if constexpr (C == op_code::erf) {
    if constexpr (std::is_same_v<T, float>) return erf_rational(a);
    else return xsimd::erf(a);
  }
  else return a; // realize_hint, inline_hint
}

template <op_code C, class B> COIL_INLINE B apply(const B& a, const B& b) {
  if constexpr (std::is_integral_v<typename B::value_type> && (C == op_code::minimum || C == op_code::maximum))
    return C == op_code::minimum ? xsimd::min(a, b) : xsimd::max(a, b);
  else if constexpr (C == op_code::add) return a + b;
  else if constexpr (C == op_code::sub) return a - b;
  else if constexpr (C == op_code::mul) return a * b;
  else if constexpr (C == op_code::div) return a / b;
  else if constexpr (C == op_code::minimum) // scalar::minimum: a NaN operand wins, ties give b
    return xsimd::select(xsimd::isnan(a), a, xsimd::select(xsimd::isnan(b), b, xsimd::select(a < b, a, b)));
  else // maximum
    return xsimd::select(xsimd::isnan(a), a, xsimd::select(xsimd::isnan(b), b, xsimd::select(a > b, a, b)));
}

// The element type of index lanes: int32 beside f32 and int32 batches (as many lanes),
// int64 in an int64 program (whose i64 values are its own batches: never used there).
template <class T> using index_lane_t = std::conditional_t<sizeof(T) == 8, std::int64_t, std::int32_t>;

// A program's registers on batches: values (and literals) as batch<T>, masks as
// batch_bool<T>, index values as int32 lanes (lane_kind), each array indexed by the value
// register; a register lives in the array of its kind, the other entries are never
// touched (and cost nothing: the arrays are locals of one inlined function).
template <class T, class Arch, int Values> struct batch_regs {
  batch<T, Arch> v[Values];
  xsimd::batch_bool<T, Arch> m[Values];
  batch<index_lane_t<T>, Arch> i[Values];
};

// The mask of a comparison of U lanes as a mask of T lanes of the same width (int32 index
// lanes beside f32): the same register where the arch keeps masks as bits (AVX-512, NEON),
// else its bits reinterpreted (SSE/AVX: an __m128i mask as __m128).
template <class T, class U, class Arch> COIL_INLINE xsimd::batch_bool<T, Arch> mask_as(const xsimd::batch_bool<U, Arch>& m) {
  if constexpr (std::is_same_v<T, U>) {
    return m;
  } else {
    typename xsimd::batch_bool<T, Arch>::register_type to;
    const typename xsimd::batch_bool<U, Arch>::register_type from = m;
    static_assert(sizeof(to) == sizeof(from));
    std::memcpy(&to, &from, sizeof(to)); // one register move, or none
    return xsimd::batch_bool<T, Arch>(to);
  }
}

// A mask from `size` bools in memory (bytes 0 and 1): widened to lanes and tested on
// AVX-512 and AVX2 (one load, one widening move, one test); elsewhere through a T buffer
// (xsimd 8.1's batch_bool::load_unaligned does the same).
template <class T, class Arch> COIL_INLINE xsimd::batch_bool<T, Arch> load_flags(const bool* p) {
  using M = xsimd::batch_bool<T, Arch>;
#if defined(__AVX512F__)
  if constexpr (std::is_base_of_v<xsimd::avx512f, Arch> && sizeof(T) == 4) {
    const __m512i w = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    return M(_mm512_test_epi32_mask(w, w));
  } else if constexpr (std::is_base_of_v<xsimd::avx512f, Arch> && sizeof(T) == 8) {
    const __m512i w = _mm512_cvtepu8_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
    return M(_mm512_test_epi64_mask(w, w));
  } else
#endif
#if defined(__AVX2__)
  if constexpr (std::is_base_of_v<xsimd::avx2, Arch> && sizeof(T) == 4) {
    const __m256i w = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
    return mask_as<T>(xsimd::batch_bool<std::int32_t, Arch>(_mm256_cmpgt_epi32(w, _mm256_setzero_si256())));
  } else
#endif
  {
    alignas(64) T lanes[M::size];
    for (std::size_t k = 0; k < M::size; ++k) lanes[k] = p[k] ? T(1) : T(0);
    return batch<T, Arch>::load_aligned(lanes) != batch<T, Arch>(T(0));
  }
}

// A mask stored as `size` bools (bytes 0 and 1) at p, any alignment, no byte past them
// written. AVX-512: with BW and VL one zero-masked byte move of ones (vmovdqu8), else the
// mask's lanes as 0/1 narrowed to bytes (vpmovdb, vpmovqb); AVX2, 32-bit lanes: the 0/-1
// lanes packed to bytes and negated. Elsewhere through a T buffer (xsimd 8.1's
// batch_bool::store_unaligned(bool*) does the same on SSE/AVX, and tests the 16 bits
// one at a time on AVX-512).
template <class T, class Arch> COIL_INLINE void store_flags(const xsimd::batch_bool<T, Arch>& m, bool* p) {
  using M = xsimd::batch_bool<T, Arch>;
#if defined(__AVX512F__)
  if constexpr (std::is_base_of_v<xsimd::avx512f, Arch>) {
    const typename M::register_type k = m; // a __mmask16 (4-byte lanes) or __mmask8
#if defined(__AVX512BW__) && defined(__AVX512VL__)
    const __m128i bytes = _mm_maskz_mov_epi8(static_cast<__mmask16>(k), _mm_set1_epi8(1));
#else
    __m128i bytes;
    if constexpr (sizeof(T) == 4) bytes = _mm512_cvtepi32_epi8(_mm512_maskz_set1_epi32(k, 1));
    else bytes = _mm512_cvtepi64_epi8(_mm512_maskz_set1_epi64(k, 1));
#endif
    if constexpr (M::size == 16) _mm_storeu_si128(reinterpret_cast<__m128i*>(p), bytes);
    else _mm_storel_epi64(reinterpret_cast<__m128i*>(p), bytes);
    return;
  } else
#endif
#if defined(__AVX2__)
  if constexpr (std::is_base_of_v<xsimd::avx2, Arch> && sizeof(T) == 4) {
    const __m256i w = mask_as<std::int32_t>(m); // 8 lanes of 0 / -1
    const __m128i h = _mm_packs_epi32(_mm256_castsi256_si128(w), _mm256_extracti128_si256(w, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(p), _mm_sub_epi8(_mm_setzero_si128(), _mm_packs_epi16(h, h)));
    return;
  } else
#endif
  {
    alignas(64) T lanes[M::size];
    xsimd::select(m, batch<T, Arch>(T(1)), batch<T, Arch>(T(0))).store_aligned(lanes);
    for (std::size_t k = 0; k < M::size; ++k) p[k] = lanes[k] != T(0);
  }
}

// A batch of a program's values at `out`: the values, or a bool program's mask as bytes.
template <class V, class Out> COIL_INLINE void store_lanes(const V& v, Out* out) {
  if constexpr (std::is_same_v<Out, bool>) store_flags(v, out);
  else v.store_unaligned(out);
}

// 0, step, 2 step, ... in the lanes of B (a constant for step 1).
template <class B> COIL_INLINE B lane_ramp(std::int64_t step = 1) {
  using T = typename B::value_type;
  alignas(64) T lanes[B::size];
  for (std::size_t k = 0; k < B::size; ++k) lanes[k] = static_cast<T>(static_cast<std::int64_t>(k) * step);
  return B::load_aligned(lanes);
}

// A comparison on batches, as the scalar operator: ordered (false with a NaN operand),
// != true with one (xsimd 8.1's != on AVX and AVX-512 floats is the ordered _CMP_NEQ_OQ,
// false with NaN: so != is written as not ==).
template <op_code C, class B> COIL_INLINE auto compare(const B& a, const B& b) {
  if constexpr (C == op_code::eq) return a == b;
  else if constexpr (C == op_code::ne) return !(a == b);
  else if constexpr (C == op_code::lt) return a < b;
  else if constexpr (C == op_code::le) return a <= b;
  else if constexpr (C == op_code::gt) return a > b;
  else return a >= b; // ge
}

// A comparison of two masks, as the scalar operator on bools (false < true), in and, or
// and not: xsimd 8.1's == on batch_bool<float> of SSE/AVX compares the lanes as floats
// (a true lane, all ones, is a NaN), and its ^ of AVX-512 masks is an or.
template <op_code C, class M> COIL_INLINE M compare_masks(const M& a, const M& b) {
  if constexpr (C == op_code::eq) return (a & b) | ~(a | b);
  else if constexpr (C == op_code::ne) return (a | b) & ~(a & b);
  else if constexpr (C == op_code::lt) return ~a & b;
  else if constexpr (C == op_code::le) return ~a | b;
  else if constexpr (C == op_code::gt) return a & ~b;
  else return a | ~b; // ge
}

// Which array of batch_regs step S writes, in a program of element type T (plan_lanes'
// rules; a literal writes values, and index lanes when it is an integer).
constexpr lane_kind written_kind(const step& s, dtype t) {
  switch (s.op) {
  case step_op::load: return s.type == dtype::b8 ? lane_kind::mask : lane_kind::value;
  case step_op::constant: return lane_kind::literal;
  case step_op::iota: return t == dtype::i64 ? lane_kind::value : lane_kind::index;
  case step_op::select: return lane_kind::mask;
  case step_op::cast: return s.type == dtype::b8 ? lane_kind::mask : lane_kind::value;
  case step_op::pointwise:
    if (s.type == dtype::b8) return lane_kind::mask;
    return s.compute == dtype::i64 && t != dtype::i64 ? lane_kind::index : lane_kind::value;
  case step_op::move: return s.type == dtype::b8 ? lane_kind::mask : lane_kind::value;
  default: return lane_kind::none;
  }
}
// Copies register `r` of the kind step S writes (a hoisted step's value into a batch's
// registers).
template <step S, dtype Type, class Regs> COIL_INLINE void copy_written(Regs& to, const Regs& from) {
  constexpr lane_kind k = written_kind(S, Type);
  if constexpr (k == lane_kind::value || k == lane_kind::literal) to.v[S.out] = from.v[S.out];
  if constexpr (k == lane_kind::index || k == lane_kind::literal) to.i[S.out] = from.i[S.out];
  if constexpr (k == lane_kind::mask) to.m[S.out] = from.m[S.out];
}

// One step on batch registers; J is the step's number (its entry in row_reads). Index
// steps are folded into the row's load map (make_load_map). Every step runs, guarded or
// not: a `where` computes both branches and selects (plan_lanes).
template <step S, std::size_t J, class T, class Arch, int Values, class Reads>
COIL_INLINE void run_step_simd(batch_regs<T, Arch, Values>& g, const Reads& r, std::int64_t j) {
  using B = batch<T, Arch>;
  using L = index_lane_t<T>;
  using IB = batch<L, Arch>;
  constexpr dtype t = dtype_v<T>;
  constexpr bool index_lanes = t != dtype::i64;
  if constexpr (S.op == step_op::load) {
    // a splat re-reads one cached element per batch: as cheap as keeping it in a register
    if constexpr (S.type == dtype::b8)
      g.m[S.out] = r.moves[J] ? load_flags<T, Arch>(r.flag[J] + j) : xsimd::batch_bool<T, Arch>(r.flag[J][0]);
    else g.v[S.out] = r.moves[J] ? B::load_unaligned(r.at[J] + j) : B(r.at[J][0]);
  } else if constexpr (S.op == step_op::constant) {
    // as scalar::cast<T> of the literal's own type, like the scalar step and its consumer
    g.v[S.out] = B(scalar::cast<T>(constant_value<element_t<S.type>>(S.type, S.bits)));
    if constexpr (index_lanes && !is_floating(S.type)) { // an integer literal in index lanes (plan_lanes: small)
      constexpr std::int64_t v = constant_value<std::int64_t>(S.type, S.bits);
      if constexpr (v >= std::numeric_limits<L>::min() && v <= std::numeric_limits<L>::max()) g.i[S.out] = IB(static_cast<L>(v));
    }
  } else if constexpr (S.op == step_op::iota) {
    // the index along the axis at inner index j, moving by iota_step per lane
    const std::int64_t at = r.iota[J] + j * r.iota_step[J], st = r.iota_step[J];
    using V = std::conditional_t<index_lanes, IB, B>;
    using E = typename V::value_type;
    const V lanes = st == 1 ? lane_ramp<V>() : st == 0 ? V(E(0)) : lane_ramp<V>(st);
    if constexpr (index_lanes) g.i[S.out] = IB(static_cast<L>(at)) + lanes;
    else g.v[S.out] = B(static_cast<T>(at)) + lanes;
  } else if constexpr (S.op == step_op::select) {
    g.m[S.out] = g.m[S.a]; // branch 0 (the where's first branch) where the condition holds
  } else if constexpr (S.op == step_op::move) {
    if constexpr (S.type == dtype::b8 && S.branch == 0) g.m[S.out] = g.m[S.a];
    else if constexpr (S.type == dtype::b8) g.m[S.out] = (g.m[S.guard] & g.m[S.out]) | (~g.m[S.guard] & g.m[S.a]);
    else if constexpr (S.branch == 0) g.v[S.out] = g.v[S.a];
    else g.v[S.out] = xsimd::select(g.m[S.guard], g.v[S.out], g.v[S.a]);
  } else if constexpr (S.op == step_op::cast) {
    if constexpr (S.ta == dtype::b8) g.v[S.out] = xsimd::select(g.m[S.a], B(T(1)), B(T(0)));
    else if constexpr (S.type == dtype::b8) g.m[S.out] = !(g.v[S.a] == B(T(0))); // != 0: NaN is true
    else g.v[S.out] = g.v[S.a]; // a literal: its register holds it as T already
  } else if constexpr (S.op == step_op::pointwise) {
    if constexpr (S.code == op_code::logical_and) g.m[S.out] = g.m[S.a] & g.m[S.b];
    else if constexpr (S.code == op_code::logical_or) g.m[S.out] = g.m[S.a] | g.m[S.b];
    else if constexpr (S.code == op_code::logical_not) g.m[S.out] = !g.m[S.a];
    else if constexpr (S.compute == dtype::b8 && S.b < 0) g.m[S.out] = g.m[S.a]; // realize/inline hints
    else if constexpr (S.compute == dtype::b8) g.m[S.out] = compare_masks<S.code>(g.m[S.a], g.m[S.b]);
    else if constexpr (S.compute == dtype::i64 && index_lanes) {
      if constexpr (S.type == dtype::b8) g.m[S.out] = mask_as<T>(compare<S.code>(g.i[S.a], g.i[S.b]));
      else if constexpr (S.b < 0) g.i[S.out] = apply<S.code>(g.i[S.a]);
      else g.i[S.out] = apply<S.code>(g.i[S.a], g.i[S.b]);
    } else if constexpr (S.type == dtype::b8) {
      g.m[S.out] = compare<S.code>(g.v[S.a], g.v[S.b]);
    } else if constexpr (S.b < 0) {
      g.v[S.out] = apply<S.code>(g.v[S.a]);
    } else {
      g.v[S.out] = apply<S.code>(g.v[S.a], g.v[S.b]);
    }
  }
}

// The values of a program's row-invariant steps (row_invariant) on the row `r` reads,
// and the reciprocals of its invariant divisors (rcp_ok: all of them may be used).
template <class P, int I, int Root, class B> struct hoisted {
  static constexpr int values = program_v<P, I, Root>.values > 0 ? program_v<P, I, Root>.values : 1;
  batch_regs<typename B::value_type, typename B::arch_type, values> g;
  B rcp[values];
  bool rcp_ok = true;
};
template <class P, int I, int Root, class B, class Reads> COIL_INLINE hoisted<P, I, Root, B> hoist(const Reads& r) {
  using T = typename B::value_type;
  hoisted<P, I, Root, B> h;
  [&]<std::size_t... J>(std::index_sequence<J...>) {
    (
        [&] {
          constexpr step S = program_v<P, I, Root>.steps[J];
          if constexpr (row_invariant_v<P, I, Root>.step[J]) run_step_simd<S, J>(h.g, r, 0);
          if constexpr (row_invariant_v<P, I, Root>.recip[J]) {
            alignas(64) T lanes[B::size];
            h.g.v[S.b].store_aligned(lanes); // a splat: every lane holds the divisor
            const T b = lanes[0], q = T(1) / b;
            const bool same = b == T(0) || !std::isfinite(b) || (std::isnormal(b) && std::isnormal(q));
            h.rcp_ok = h.rcp_ok && same;
            h.rcp[S.b] = B(q);
          }
        }(),
        ...);
  }(std::make_index_sequence<program_v<P, I, Root>.steps.size()>{});
  return h;
}

// The program's value on the batch of inner indices [j, j + size): a batch of B, or the
// mask of a bool program; the row-invariant steps are read from `h` (hoist), and with
// Rcp its invariant divisions multiply by h.rcp.
template <class P, int I, int Root, class B, bool Rcp = false, class Reads>
COIL_INLINE auto eval_batch(const Reads& r, std::int64_t j, const hoisted<P, I, Root, B>& h) {
  using T = typename B::value_type;
  batch_regs<T, typename B::arch_type, hoisted<P, I, Root, B>::values> g;
  [&]<std::size_t... J>(std::index_sequence<J...>) {
    (
        [&] {
          constexpr step S = program_v<P, I, Root>.steps[J];
          if constexpr (row_invariant_v<P, I, Root>.step[J]) copy_written<S, dtype_v<T>>(g, h.g);
          else if constexpr (Rcp && row_invariant_v<P, I, Root>.recip[J]) g.v[S.out] = g.v[S.a] * h.rcp[S.b];
          else run_step_simd<S, J>(g, r, j);
        }(),
        ...);
  }(std::make_index_sequence<program_v<P, I, Root>.steps.size()>{});
  if constexpr (record_v<P, I>.type == dtype::b8) return g.m[program_v<P, I, Root>.result];
  else return g.v[program_v<P, I, Root>.result];
}

// out[j] = value of I at inner index j of the row `r` reads, j in [0, n), on batches of B,
// I's lane type (with the reciprocals of its invariant divisors where hoist allows them:
// Rcp). The tail shorter than a batch runs as one more batch over copies of its elements
// padded with zeros (the padded lanes are dropped: its values, or a bool program's bytes,
// go through a buffer, and only the row's own elements are copied out), so every element
// of a row is computed by the same code: an element and its mirror in x + x^T get the
// same bits whichever of them falls in a tail (libm's scalar exp and xsimd's differ in
// the last bit).
template <class P, int I, int Root, class B, bool Rcp, class Reads>
COIL_INLINE void row_batches_with(const Reads& r, std::int64_t n, value_t<P, I>* out, const hoisted<P, I, Root, B>& h) {
  using T = typename B::value_type;
  constexpr std::int64_t W = B::size;
  std::int64_t j = 0;
  for (; j + W <= n; j += W) store_lanes(eval_batch<P, I, Root, B, Rcp>(r, j, h), out + j);
  if (j == n) return;
  constexpr std::size_t loads = sizeof(r.at) / sizeof(r.at[0]);
  alignas(64) T pad[loads][W]{};
  Reads tail = r;
  for (std::size_t k = 0; k < loads; ++k) {
    if (!r.moves[k] || program_v<P, I, Root>.steps[k].type == dtype::b8) continue;
    for (std::int64_t l = 0; l < W; ++l) pad[k][l] = j + l < n ? r.at[k][j + l] : T(0);
    tail.at[k] = pad[k];
  }
  [[maybe_unused]] std::conditional_t<Reads::lanes, bool[loads][W], no_lane_reads> flags;
  if constexpr (Reads::lanes) { // bool loads padded with false; iotas start at j
    for (std::size_t k = 0; k < loads; ++k) {
      tail.iota[k] = r.iota[k] + j * r.iota_step[k];
      if (!r.moves[k] || program_v<P, I, Root>.steps[k].type != dtype::b8) continue;
      for (std::int64_t l = 0; l < W; ++l) flags[k][l] = j + l < n ? r.flag[k][j + l] : false;
      tail.flag[k] = flags[k];
    }
  }
  alignas(64) value_t<P, I> lanes[W];
  store_lanes(eval_batch<P, I, Root, B, Rcp>(tail, 0, h), lanes);
  for (std::int64_t l = 0; j + l < n; ++l) out[j + l] = lanes[l];
}
template <class P, int I, int Root, class B, class Reads>
COIL_INLINE void row_batches(const Reads& r, std::int64_t n, value_t<P, I>* out) {
  const auto h = hoist<P, I, Root, B>(r);
  if constexpr (row_invariant_v<P, I, Root>.any_recip)
    if (h.rcp_ok) return row_batches_with<P, I, Root, B, true>(r, n, out, h);
  row_batches_with<P, I, Root, B, false>(r, n, out, h);
}

// The load map of a program that runs on batches, built once per kernel call: make_load_map,
// and where the program has index values in int32 lanes (lanes_v), whether every one of
// them fits for this call's extents (else the map is not ok and the scalar loop runs).
template <class P, int I, int Root, int N> load_map_t<P, I, Root> batch_map(const exec_state<N>& s, int rank, int inner) {
  load_map_t<P, I, Root> m = make_load_map<P, I, Root>(s, rank, inner);
  constexpr std::int64_t coeff = lanes_v<P, I, Root>.iota_coeff, cst = lanes_v<P, I, Root>.iota_const;
  if constexpr (coeff > 0) {
    constexpr std::int64_t limit = std::numeric_limits<std::int32_t>::max();
    if (m.iota_max > (limit - cst) / coeff) m.ok = m.fits = false;
  }
  return m;
}

// out[j] = value of I at (ix with inner index j), j in [0, n), on batches (row_batches,
// the tail padded). `out` points at inner index 0 and moves by 1. False (nothing
// written) when a load of this row cannot be read as batches.
template <class P, int I, int Root, class Arch, int N>
COIL_INLINE bool row_loop(const load_map_t<P, I, Root>& m, const exec_state<N>& s, index_t ix, int inner, std::int64_t n,
                          value_t<P, I>* out) {
  using B = batch<lane_t<P, I, Root>, Arch>;
  if (!m.ok) return false;
  lane_reads_t<P, I, Root> r;
  ix.v[inner] = 0;
  reads_at<P, I, Root>(m, s, ix, r);
  row_batches<P, I, Root, B>(r, n, out);
  return true;
}

// The max (Max) or min of the lanes of b, none of them NaN: one instruction sequence on
// AVX-512 floats, else a branch-free scalar loop (a compare-and-branch per lane
// mispredicts on data).
template <bool Max, class B> COIL_INLINE typename B::value_type lanes_fold(const B& b) {
  using T = typename B::value_type;
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<T, float> && std::is_base_of_v<xsimd::avx512f, typename B::arch_type>) {
    if constexpr (Max) return _mm512_reduce_max_ps(b);
    else return _mm512_reduce_min_ps(b);
  } else
#endif
  {
    alignas(64) T lanes[B::size];
    b.store_aligned(lanes);
    T out = lanes[0];
    for (std::size_t k = 1; k < B::size; ++k) out = Max ? (lanes[k] > out ? lanes[k] : out) : (lanes[k] < out ? lanes[k] : out);
    return out;
  }
}

// Reduction of I's values along the inner axis of the row at `ix` into `acc` (sum: +,
// amax/amin: NaN-propagating max/min), j in [0, n). Four batch accumulators hide the add
// latency; they are combined once at the end, lanes in a tree (a sum's rounding differs
// from a left-to-right fold, within the tests' tolerance; the same bits for any thread
// count). max/min run as plain max/min on batches, with the lanes that saw a NaN kept in
// a mask: a NaN anywhere in the row makes the result NaN, as scalar::maximum does (int32
// and int64 amax/amin run here too, without NaN). False when the row's loads don't fit.
template <op_code C, class P, int I, int Root, class Arch, int N>
COIL_INLINE bool row_reduce(const load_map_t<P, I, Root>& m, const exec_state<N>& s, index_t ix, int inner, std::int64_t n,
                            value_t<P, I>& acc) {
  using T = value_t<P, I>;
  using B = batch<T, Arch>;
  constexpr std::int64_t W = B::size;
  if (!m.ok) return false;
  row_reads_t<T, P, I, Root> r;
  ix.v[inner] = 0;
  reads_at<P, I, Root>(m, s, ix, r);
  constexpr bool is_sum = C == op_code::sum || C == op_code::mean;
  // the batch rule (NaN is tracked apart for max/min) and the scalar rule (the tail)
  auto fold = [](const B& a, const B& b) {
    if constexpr (is_sum) return a + b;
    else if constexpr (C == op_code::amax) return xsimd::select(b > a, b, a);
    else return xsimd::select(b < a, b, a);
  };
  auto fold1 = [](T a, T b) {
    if constexpr (is_sum) return a + b;
    else if constexpr (C == op_code::amax) return scalar::maximum(a, b);
    else return scalar::minimum(a, b);
  };
  // max/min are idempotent: every lane may start at acc; a sum starts at 0 and adds acc
  // once after the horizontal combine
  const B init(is_sum || scalar::isnan_(acc) ? T(0) : acc);
  B a0 = init, a1 = init, a2 = init, a3 = init;
  xsimd::batch_bool<T, Arch> nan(false);
  const auto h = hoist<P, I, Root, B>(r);
  auto next = [&](B& a, std::int64_t at) {
    const B v = eval_batch<P, I, Root, B>(r, at, h);
    if constexpr (!is_sum && std::is_floating_point_v<T>) nan = nan | xsimd::isnan(v); // (integers: amax/amin, no NaN)
    a = fold(a, v);
  };
  std::int64_t j = 0;
  for (; j + 4 * W <= n; j += 4 * W) {
    next(a0, j);
    next(a1, j + W);
    next(a2, j + 2 * W);
    next(a3, j + 3 * W);
  }
  for (; j + W <= n; j += W) next(a0, j);
  const B all = fold(fold(a0, a1), fold(a2, a3));
  T out;
  if constexpr (is_sum) {
    out = acc + xsimd::hadd(all);
  } else if (std::is_floating_point_v<T> && (xsimd::any(nan) || scalar::isnan_(acc))) {
    out = std::numeric_limits<T>::quiet_NaN();
  } else {
    out = fold1(acc, lanes_fold<C == op_code::amax>(all));
  }
  for (; j < n; ++j) {
    ix.v[inner] = j;
    out = fold1(out, eval<P, I, Root>(s, ix));
  }
  acc = out;
  return true;
}

// One folded position of a reduction that keeps the inner axis (a column sum): the row
// of I's values at `ix`, inner indices [from, to), folded into acc[0 .. to - from), or
// stored there when it is the first position. Sums add into double accumulators (Acc =
// double), as the scalar loop does, in the same order, so they give its bits; amax/amin
// fold in T with scalar::maximum/minimum's NaN rule. Every element folds the positions
// in order whichever chunk of the inner axis or thread it is in. False (nothing
// written) when the row's loads don't fit.
template <op_code C, class P, int I, int Root, class Arch, class Acc, int N>
COIL_INLINE bool row_fold_into(const load_map_t<P, I, Root>& m, const exec_state<N>& s, index_t ix, int inner, std::int64_t from,
                               std::int64_t to, Acc* acc, bool first) {
  using T = value_t<P, I>;
  using B = batch<T, Arch>;
  constexpr std::int64_t W = B::size;
  constexpr bool is_sum = C == op_code::sum || C == op_code::mean;
  constexpr op_code fold_code = C == op_code::amax ? op_code::maximum : op_code::minimum;
  static_assert(std::is_same_v<Acc, std::conditional_t<is_sum, double, T>>);
  if (!m.ok) return false;
  row_reads_t<T, P, I, Root> r;
  ix.v[inner] = 0;
  reads_at<P, I, Root>(m, s, ix, r);
  const auto h = hoist<P, I, Root, B>(r);
  std::int64_t j = from;
  for (; j + W <= to; j += W) {
    const B v = eval_batch<P, I, Root, B>(r, j, h);
    Acc* at = acc + (j - from);
    if constexpr (is_sum) {
#if defined(__AVX512F__)
      if constexpr (std::is_same_v<T, float> && std::is_base_of_v<xsimd::avx512f, Arch>) {
        // the 16 floats as two halves of 8 doubles (vcvtps2pd), added to the accumulators
        const __m512 f = v;
        const __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(f));
        const __m512d hi = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(f), 1)));
        _mm512_storeu_pd(at, first ? lo : _mm512_add_pd(_mm512_loadu_pd(at), lo));
        _mm512_storeu_pd(at + 8, first ? hi : _mm512_add_pd(_mm512_loadu_pd(at + 8), hi));
        continue;
      }
#endif
      alignas(64) T lanes[W]; // elsewhere widened lane by lane
      v.store_aligned(lanes);
      if (first)
        for (std::int64_t k = 0; k < W; ++k) at[k] = lanes[k];
      else
        for (std::int64_t k = 0; k < W; ++k) at[k] += lanes[k];
    } else {
      (first ? v : apply<fold_code>(B::load_unaligned(at), v)).store_unaligned(at);
    }
  }
  for (; j < to; ++j) {
    ix.v[inner] = j;
    const T v = eval<P, I, Root>(s, ix);
    Acc& at = acc[j - from];
    if constexpr (is_sum) at = first ? Acc(v) : at + Acc(v);
    else at = first ? v : coil::apply_pointwise<fold_code>(at, v);
  }
  return true;
}

#endif // COIL_HAS_SIMD

} // namespace coil::kernel::simd
