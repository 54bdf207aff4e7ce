// Vector bodies for the CPU loops (xsimd): the same kernel program that eval.hpp runs on
// scalar registers, run on batch registers, so each op lowers once per backend and the
// scalar path stays the definition of the semantics.
//
// A program is vectorized along the innermost axis of the index it is asked for when
//  - at compile time: every value register is f32 (f64 stays scalar: xsimd 8.1's double
//    log mishandles subnormals and its tanh(+-inf) is NaN, where the tests hold libm's
//    values), every
//    step is a load, a constant, a supported pointwise op, or an affine index step
//    (broadcast, permute, slice, squeeze, unsqueeze, window, flip), and no step runs
//    under a guard;
//  - at run time: every load moves by 1 element (a batch load) or by 0 (a splat: a
//    broadcast operand) when the inner index moves by 1. Strides come from exec_state,
//    so a transposed or strided input falls back to the scalar loop instead of gathering.
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

// Pointwise ops with a vector form. Comparisons and logic produce bool (not the float
// register type), pow and integer ops stay scalar.
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
// Division, shifts and comparisons stay scalar.
constexpr bool has_int_vector_form(op_code c) {
  switch (c) {
  case op_code::neg: case op_code::abs: case op_code::relu: case op_code::add: case op_code::sub: case op_code::mul:
  case op_code::minimum: case op_code::maximum: case op_code::realize_hint: case op_code::inline_hint:
    return true;
  default:
    return false;
  }
}

// Whether a program can run on batches of T (the compile-time half of the test above):
// f32 programs, and with Integers int32/int64 ones (pointwise loops only: a reduction of
// integers accumulates in int64, a row kernel is floating). Literals are f64 (or i64)
// nodes, PyTorch's Python scalars, that a pointwise op converts to its compute type: their
// register holds the converted value, so such an operand that is a constant is as good as
// one of type T.
template <class Prog> constexpr bool vectorizable(const Prog& p, dtype t, bool integers = false) {
  const bool integer = integers && (t == dtype::i32 || t == dtype::i64);
  if (t != dtype::f32 && !integer) return false;
  const dtype literal_type = integer ? dtype::i64 : dtype::f64;
  bool literal[Prog{}.steps.size() + 1]{}; // per value register: a constant
  auto operand_ok = [&](int reg, dtype type) { return type == t || (literal[reg] && type == literal_type); };
  for (const step& s : p.steps) {
    if (s.guard >= 0) return false;
    switch (s.op) {
    case step_op::load:
      if (s.type != t) return false;
      break;
    case step_op::constant:
      if (s.type != t && s.type != literal_type) return false;
      literal[s.out] = true;
      break;
    case step_op::pointwise:
      if (s.type != t || s.compute != t || !operand_ok(s.a, s.ta) || (s.b >= 0 && !operand_ok(s.b, s.tb)) ||
          !(integer ? has_int_vector_form(s.code) : has_vector_form(s.code)))
        return false;
      break;
    case step_op::ix_bcast: case step_op::ix_permute: case step_op::ix_slice: case step_op::ix_squeeze:
    case step_op::ix_unsqueeze: case step_op::ix_window: case step_op::ix_flip: // affine in the index
      break;
    default:
      return false;
    }
  }
  return true;
}

template <class P, int I, int Root>
inline constexpr bool vectorizable_v = vectorizable(program_v<P, I, Root>, record_v<P, I>.type);
// ... in a pointwise loop, where integer programs run on batches too.
template <class P, int I, int Root>
inline constexpr bool vectorizable_elementwise_v = vectorizable(program_v<P, I, Root>, record_v<P, I>.type, true);

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

// One step on batch registers; J is the step's number (its entry in row_reads). Index
// steps are folded into the row's load map (make_load_map).
template <step S, std::size_t J, class B, class Reads>
COIL_INLINE void run_step_simd(B* v, const Reads& r, std::int64_t j) {
  using T = typename B::value_type;
  if constexpr (S.op == step_op::load) {
    // a splat re-reads one cached element per batch: as cheap as keeping it in a register
    v[S.out] = r.moves[J] ? B::load_unaligned(r.at[J] + j) : B(r.at[J][0]);
  } else if constexpr (S.op == step_op::constant) {
    // as scalar::cast<T> of the literal's own type, like the scalar step and its consumer
    v[S.out] = B(static_cast<T>(constant_value<element_t<S.type>>(S.type, S.bits)));
  } else if constexpr (S.op == step_op::pointwise) {
    if constexpr (S.b < 0) v[S.out] = apply<S.code>(v[S.a]);
    else v[S.out] = apply<S.code>(v[S.a], v[S.b]);
  }
}

// The values of a program's row-invariant steps (row_invariant) on the row `r` reads,
// and the reciprocals of its invariant divisors (rcp_ok: all of them may be used).
template <class P, int I, int Root, class B> struct hoisted {
  static constexpr int values = program_v<P, I, Root>.values > 0 ? program_v<P, I, Root>.values : 1;
  B v[values];
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
          if constexpr (row_invariant_v<P, I, Root>.step[J]) run_step_simd<S, J>(h.v, r, 0);
          if constexpr (row_invariant_v<P, I, Root>.recip[J]) {
            alignas(64) T lanes[B::size];
            h.v[S.b].store_aligned(lanes); // a splat: every lane holds the divisor
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

// The program's value on the batch of inner indices [j, j + size); the row-invariant
// steps are read from `h` (hoist), and with Rcp its invariant divisions multiply by
// h.rcp.
template <class P, int I, int Root, class B, bool Rcp = false, class Reads>
COIL_INLINE B eval_batch(const Reads& r, std::int64_t j, const hoisted<P, I, Root, B>& h) {
  B v[program_v<P, I, Root>.values > 0 ? program_v<P, I, Root>.values : 1];
  [&]<std::size_t... J>(std::index_sequence<J...>) {
    (
        [&] {
          constexpr step S = program_v<P, I, Root>.steps[J];
          if constexpr (row_invariant_v<P, I, Root>.step[J]) v[S.out] = h.v[S.out];
          else if constexpr (Rcp && row_invariant_v<P, I, Root>.recip[J]) v[S.out] = v[S.a] * h.rcp[S.b];
          else run_step_simd<S, J>(v, r, j);
        }(),
        ...);
  }(std::make_index_sequence<program_v<P, I, Root>.steps.size()>{});
  return v[program_v<P, I, Root>.result];
}

// out[j] = value of I at inner index j of the row `r` reads, j in [0, n), on batches (with
// the reciprocals of its invariant divisors where hoist allows them: Rcp). The tail shorter
// than a batch runs as one more batch over copies of its elements padded with zeros (the
// padded lanes are dropped), so every element of a row is computed by the same code: an
// element and its mirror in x + x^T get the same bits whichever of them falls in a tail
// (libm's scalar exp and xsimd's differ in the last bit).
template <class P, int I, int Root, class B, bool Rcp, class Reads>
COIL_INLINE void row_batches_with(const Reads& r, std::int64_t n, typename B::value_type* out, const hoisted<P, I, Root, B>& h) {
  using T = typename B::value_type;
  constexpr std::int64_t W = B::size;
  std::int64_t j = 0;
  for (; j + W <= n; j += W) eval_batch<P, I, Root, B, Rcp>(r, j, h).store_unaligned(out + j);
  if (j == n) return;
  constexpr std::size_t loads = sizeof(r.at) / sizeof(r.at[0]);
  alignas(64) T pad[loads][W]{};
  Reads tail = r;
  for (std::size_t k = 0; k < loads; ++k) {
    if (!r.moves[k]) continue;
    for (std::int64_t l = 0; l < W; ++l) pad[k][l] = j + l < n ? r.at[k][j + l] : T(0);
    tail.at[k] = pad[k];
  }
  alignas(64) T lanes[W];
  eval_batch<P, I, Root, B, Rcp>(tail, 0, h).store_aligned(lanes);
  for (std::int64_t l = 0; j + l < n; ++l) out[j + l] = lanes[l];
}
template <class P, int I, int Root, class B, class Reads>
COIL_INLINE void row_batches(const Reads& r, std::int64_t n, typename B::value_type* out) {
  const auto h = hoist<P, I, Root, B>(r);
  if constexpr (row_invariant_v<P, I, Root>.any_recip)
    if (h.rcp_ok) return row_batches_with<P, I, Root, B, true>(r, n, out, h);
  row_batches_with<P, I, Root, B, false>(r, n, out, h);
}

// out[j] = value of I at (ix with inner index j), j in [0, n), on batches (row_batches,
// the tail padded). `out` points at inner index 0 and moves by 1. False (nothing
// written) when a load of this row cannot be read as batches.
template <class P, int I, int Root, class Arch, int N>
COIL_INLINE bool row_loop(const load_map_t<P, I, Root>& m, const exec_state<N>& s, index_t ix, int inner, std::int64_t n,
                          value_t<P, I>* out) {
  using T = value_t<P, I>;
  using B = batch<T, Arch>;
  if (!m.ok) return false;
  row_reads<T, program_v<P, I, Root>.steps.size()> r;
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
// a mask: a NaN anywhere in the row makes the result NaN, as scalar::maximum does. False
// when the row's loads don't fit.
template <op_code C, class P, int I, int Root, class Arch, int N>
COIL_INLINE bool row_reduce(const load_map_t<P, I, Root>& m, const exec_state<N>& s, index_t ix, int inner, std::int64_t n,
                            value_t<P, I>& acc) {
  using T = value_t<P, I>;
  using B = batch<T, Arch>;
  constexpr std::int64_t W = B::size;
  if (!m.ok) return false;
  row_reads<T, program_v<P, I, Root>.steps.size()> r;
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
    if constexpr (!is_sum) nan = nan | xsimd::isnan(v);
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
  } else if (xsimd::any(nan) || scalar::isnan_(acc)) {
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
  row_reads<T, program_v<P, I, Root>.steps.size()> r;
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
