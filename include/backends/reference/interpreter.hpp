// The reference backend: the test oracle. An interpreter over the graph's records, not
// over its types: every node is materialized separately, in double, in a plain
// row-major vector, with its own index arithmetic and its own scalar math. It shares no
// evaluation code with the CPU and CUDA emitters, so their fusion and indexing are
// checked against something independent.
#pragma once
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "../../ir/graph.hpp"
#include "../exec_state.hpp"

namespace coil::reference_impl {

using values = std::vector<double>;

// A value converted to dtype t: bool is 0 or 1; float32 values round to float (as a
// float32 tensor stores them); float64 stays. Integers: NaN and out-of-range values of
// a floating source become the integer minimum (x86 float -> int); an integral source
// (`wrap`: an int64 -> int32 cast) wraps to the width.
inline double fit(dtype t, double v, bool wrap = false) {
  switch (t) {
  case dtype::b8: return v != 0.0 ? 1.0 : 0.0;
  case dtype::i32:
  case dtype::i64: {
    if (std::isnan(v) || v >= 9.2233720368547758e18 || v < -9.2233720368547758e18)
      return t == dtype::i32 ? static_cast<double>(std::numeric_limits<std::int32_t>::min())
                             : static_cast<double>(std::numeric_limits<std::int64_t>::min());
    auto i = static_cast<std::int64_t>(v);
    if (t == dtype::i32) {
      if (!wrap && (v >= 2147483648.0 || v < -2147483648.0)) return static_cast<double>(std::numeric_limits<std::int32_t>::min());
      return static_cast<double>(static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::uint64_t>(i))));
    }
    return static_cast<double>(i);
  }
  case dtype::f32: return std::isfinite(v) ? static_cast<double>(static_cast<float>(v)) : v;
  default: return v;
  }
}

// Two's-complement integer arithmetic in the compute type's width (PyTorch's integer
// tensors wrap): operands as uint64, the result truncated to int32 or int64.
inline std::uint64_t as_bits(double v) {
  return v < 0 ? 0 - static_cast<std::uint64_t>(-v) : static_cast<std::uint64_t>(v);
}
inline double wrap_int(dtype t, std::uint64_t u) {
  return t == dtype::i32 ? static_cast<double>(static_cast<std::int32_t>(static_cast<std::uint32_t>(u)))
                         : static_cast<double>(static_cast<std::int64_t>(u));
}

// Row-major strides of an extent list.
inline void contiguous(int rank, const std::int64_t* ext, std::int64_t* str) {
  std::int64_t s = 1;
  for (int d = rank - 1; d >= 0; --d) {
    str[d] = s;
    s *= ext[d];
  }
}

inline std::int64_t count(int rank, const std::int64_t* ext) {
  std::int64_t n = 1;
  for (int d = 0; d < rank; ++d) n *= ext[d];
  return n;
}

inline void unravel(std::int64_t lin, int rank, const std::int64_t* ext, std::int64_t* ix) {
  for (int d = rank - 1; d >= 0; --d) {
    ix[d] = ext[d] ? lin % ext[d] : 0;
    lin = ext[d] ? lin / ext[d] : 0;
  }
}

inline std::int64_t ravel(int rank, const std::int64_t* ext, const std::int64_t* ix) {
  std::int64_t lin = 0;
  for (int d = 0; d < rank; ++d) lin = lin * ext[d] + ix[d];
  return lin;
}

inline double pointwise(op_code c, dtype compute, const double* a) {
  const double x = a[0];
  const bool integral = !is_floating(compute);
  const bool wraps = compute == dtype::i32 || compute == dtype::i64;
  switch (c) {
  case op_code::neg: return wraps ? wrap_int(compute, 0 - as_bits(x)) : -x;
  case op_code::abs: return wraps ? wrap_int(compute, x < 0 ? 0 - as_bits(x) : as_bits(x)) : std::fabs(x);
  case op_code::relu: return std::isnan(x) ? x : (x > 0 ? x : 0.0);
  case op_code::logical_not: return x == 0.0 ? 1.0 : 0.0;
  case op_code::exp: return std::exp(x);
  case op_code::log: return std::log(x);
  case op_code::log1p: return std::log1p(x);
  case op_code::expm1: return std::expm1(x);
  case op_code::sqrt: return std::sqrt(x);
  case op_code::rsqrt: return 1.0 / std::sqrt(x);
  case op_code::sin: return std::sin(x);
  case op_code::cos: return std::cos(x);
  case op_code::tanh: return std::tanh(x);
  case op_code::sigmoid: return 1.0 / (1.0 + std::exp(-x));
  case op_code::erf: return std::erf(x);
  case op_code::cast:
  case op_code::realize_hint:
  case op_code::inline_hint: return x;
  case op_code::add:
    if (wraps) return wrap_int(compute, as_bits(x) + as_bits(a[1]));
    return compute == dtype::b8 ? ((x != 0 || a[1] != 0) ? 1 : 0) : x + a[1];
  case op_code::sub: return wraps ? wrap_int(compute, as_bits(x) - as_bits(a[1])) : x - a[1];
  case op_code::mul: return wraps ? wrap_int(compute, as_bits(x) * as_bits(a[1])) : x * a[1];
  case op_code::div: return x / a[1];
  case op_code::minimum: return std::isnan(x) || std::isnan(a[1]) ? std::numeric_limits<double>::quiet_NaN() : std::fmin(x, a[1]);
  case op_code::maximum: return std::isnan(x) || std::isnan(a[1]) ? std::numeric_limits<double>::quiet_NaN() : std::fmax(x, a[1]);
  case op_code::pow:
    if (integral || compute == dtype::b8) {
      double b = x, e = a[1];
      if (e < 0) return b == 1 ? 1 : (b == -1 ? (std::fmod(e, 2) == 0 ? 1 : -1) : 0);
      double r = 1;
      for (std::int64_t k = 0; k < static_cast<std::int64_t>(e); ++k)
        r = wraps ? wrap_int(compute, as_bits(r) * as_bits(b)) : fit(compute, r * b);
      return r;
    }
    return std::pow(x, a[1]);
  case op_code::eq: return x == a[1];
  case op_code::ne: return x != a[1];
  case op_code::lt: return x < a[1];
  case op_code::le: return x <= a[1];
  case op_code::gt: return x > a[1];
  case op_code::ge: return x >= a[1];
  case op_code::logical_and: return (x != 0) && (a[1] != 0);
  case op_code::logical_or: return (x != 0) || (a[1] != 0);
  default: return std::numeric_limits<double>::quiet_NaN();
  }
}

// Element e of a typed buffer of dtype t, as a double, and back (the custom-kernel bridge).
inline void store_as(dtype t, unsigned char* p, std::size_t e, double v) {
  switch (t) {
  case dtype::b8: reinterpret_cast<bool*>(p)[e] = v != 0; break;
  case dtype::i32: reinterpret_cast<std::int32_t*>(p)[e] = static_cast<std::int32_t>(v); break;
  case dtype::i64: reinterpret_cast<std::int64_t*>(p)[e] = static_cast<std::int64_t>(v); break;
  case dtype::f32: reinterpret_cast<float*>(p)[e] = static_cast<float>(v); break;
  case dtype::f64: reinterpret_cast<double*>(p)[e] = v; break;
  }
}
inline double load_as(dtype t, const unsigned char* p, std::size_t e) {
  switch (t) {
  case dtype::b8: return reinterpret_cast<const bool*>(p)[e] ? 1.0 : 0.0;
  case dtype::i32: return reinterpret_cast<const std::int32_t*>(p)[e];
  case dtype::i64: return static_cast<double>(reinterpret_cast<const std::int64_t*>(p)[e]);
  case dtype::f32: return reinterpret_cast<const float*>(p)[e];
  default: return reinterpret_cast<const double*>(p)[e];
  }
}

// Index of the element of a (right-aligned, broadcast) input read at ix.
inline std::int64_t broadcast_read(const node_record& in, const std::int64_t* in_ext, int rank, const std::int64_t* ix) {
  std::int64_t cix[max_rank]{};
  for (int j = 0; j < in.shp.rank; ++j) cix[j] = in_ext[j] == 1 ? 0 : ix[j + rank - in.shp.rank];
  return ravel(in.shp.rank, in_ext, cix);
}

// Runs graph G: inputs from s (data/str), every node's extents from s.ext; writes each
// output through s.data/s.str of the output nodes.
template <class G, int N> void run(const exec_state<N>& s) {
  const auto& recs = G::records;
  std::vector<values> val(N);
  for (int i = 0; i < N; ++i) {
    const node_record& r = recs[i];
    const std::int64_t* ext = s.ext[i];
    const int rank = r.shp.rank;
    const std::int64_t n = count(rank, ext);
    values& out = val[i];
    out.assign(static_cast<std::size_t>(n), 0.0);
    std::int64_t ix[max_rank]{};
    auto in = [&](int k) -> const node_record& { return recs[r.inputs[k]]; };
    auto in_ext = [&](int k) { return s.ext[r.inputs[k]]; };
    auto in_val = [&](int k) -> const values& { return val[r.inputs[k]]; };
    switch (r.kind) {
    case op_kind::input: {
      for (std::int64_t l = 0; l < n; ++l) {
        unravel(l, rank, ext, ix);
        std::int64_t off = 0;
        for (int d = 0; d < rank; ++d) off += ix[d] * s.str[i][d];
        switch (r.type) {
        case dtype::b8: out[l] = static_cast<const bool*>(s.data[i])[off]; break;
        case dtype::i32: out[l] = static_cast<const std::int32_t*>(s.data[i])[off]; break;
        case dtype::i64: out[l] = static_cast<double>(static_cast<const std::int64_t*>(s.data[i])[off]); break;
        case dtype::f32: out[l] = static_cast<const float*>(s.data[i])[off]; break;
        case dtype::f64: out[l] = static_cast<const double*>(s.data[i])[off]; break;
        }
      }
      break;
    }
    case op_kind::constant:
      out[0] = is_floating(r.type) ? std::bit_cast<double>(r.bits) : static_cast<double>(static_cast<std::int64_t>(r.bits));
      break;
    case op_kind::pointwise:
      for (std::int64_t l = 0; l < n; ++l) {
        unravel(l, rank, ext, ix);
        if (r.code == op_code::iota) {
          out[l] = static_cast<double>(ix[r.axis]);
          continue;
        }
        double a[3]{};
        for (int k = 0; k < r.ninputs; ++k) {
          double v = in_val(k)[broadcast_read(in(k), in_ext(k), rank, ix)];
          // operands convert to the compute type first (where's condition stays bool); an
          // integer constant too wide for an int32 compute type wraps, as on the CPU
          a[k] = (r.code == op_code::where && k == 0) ? v : fit(r.compute, v, !is_floating(in(k).type));
          if (r.code == op_code::cast && r.type == dtype::f32 && std::isfinite(a[k]))
            a[k] = static_cast<double>(static_cast<float>(a[k]));
        }
        double v = r.code == op_code::where ? (a[0] != 0 ? a[1] : a[2]) : pointwise(r.code, r.compute, a);
        out[l] = fit(r.type, v, !is_floating(r.compute)); // an int64 -> int32 cast wraps
      }
      break;
    case op_kind::reduction: {
      const node_record& x = in(0);
      const std::int64_t* xext = in_ext(0);
      const values& xv = in_val(0);
      std::int64_t rcount = 1;
      for (int d = 0; d < x.shp.rank; ++d)
        if ((r.axes >> d) & 1u) rcount *= xext[d];
      std::vector<double> acc(static_cast<std::size_t>(n), r.code == op_code::prod ? 1.0 : 0.0);
      std::vector<std::int64_t> best_at(static_cast<std::size_t>(n), -1), seen(static_cast<std::size_t>(n), 0);
      const std::int64_t xn = count(x.shp.rank, xext);
      std::int64_t xi[max_rank]{}, oi[max_rank]{};
      for (std::int64_t l = 0; l < xn; ++l) { // walk the input once, fold into outputs
        unravel(l, x.shp.rank, xext, xi);
        int o = 0;
        for (int d = 0; d < x.shp.rank; ++d) {
          if ((r.axes >> d) & 1u) {
            if (r.keepdim) oi[o++] = 0;
          } else {
            oi[o++] = xi[d];
          }
        }
        const std::int64_t ol = ravel(rank, ext, oi);
        const double v = xv[l];
        double& a = acc[ol];
        const std::int64_t at = seen[ol]++;
        switch (r.code) {
        case op_code::sum:
        case op_code::mean: a = fit(is_floating(r.type) ? dtype::f64 : r.type, a + v); break;
        case op_code::prod: a = fit(is_floating(r.type) ? dtype::f64 : r.type, a * v); break;
        default: {
          const bool want_max = r.code == op_code::amax || r.code == op_code::argmax;
          const bool take = best_at[ol] < 0 || (std::isnan(v) && !std::isnan(a)) ||
                            (!std::isnan(a) && (want_max ? v > a : v < a));
          if (take) {
            a = v;
            best_at[ol] = at;
          }
        }
        }
      }
      for (std::int64_t l = 0; l < n; ++l) {
        double v = acc[l];
        if (r.code == op_code::mean) v = v / static_cast<double>(rcount);
        if (r.code == op_code::argmax || r.code == op_code::argmin) v = static_cast<double>(best_at[l]);
        out[l] = fit(r.type, v);
      }
      break;
    }
    case op_kind::view: {
      const node_record& x = in(0);
      const std::int64_t* xext = in_ext(0);
      const values& xv = in_val(0);
      std::int64_t xi[max_rank]{};
      for (std::int64_t l = 0; l < n; ++l) {
        unravel(l, rank, ext, ix);
        switch (r.code) {
        case op_code::reshape: unravel(l, x.shp.rank, xext, xi); break; // same row-major order
        case op_code::permute:
          for (int d = 0; d < rank; ++d) xi[r.perm[d]] = ix[d];
          break;
        case op_code::expand:
          for (int j = 0; j < x.shp.rank; ++j) xi[j] = xext[j] == 1 ? 0 : ix[j + rank - x.shp.rank];
          break;
        case op_code::slice: {
          for (int d = 0; d < rank; ++d) xi[d] = ix[d];
          std::int64_t start = r.start;
          xi[r.axis] = start + ix[r.axis] * r.step;
          break;
        }
        case op_code::squeeze:
          for (int d = 0, j = 0; d < x.shp.rank; ++d) xi[d] = d == r.axis ? 0 : ix[j++];
          break;
        case op_code::window: // axes (position, offset) -> position * stride + offset * dilation
          for (int d = 0; d < x.shp.rank; ++d) xi[d] = d < r.axis ? ix[d] : ix[d + 1];
          xi[r.axis] = ix[r.axis] * r.step + ix[r.axis + 1] * r.stop;
          break;
        case op_code::flip:
          for (int d = 0; d < rank; ++d) xi[d] = ix[d];
          xi[r.axis] = xext[r.axis] - 1 - ix[r.axis];
          break;
        default: // unsqueeze
          for (int d = 0, j = 0; d < rank; ++d)
            if (d != r.axis) xi[j++] = ix[d];
        }
        out[l] = xv[ravel(x.shp.rank, xext, xi)];
      }
      break;
    }
    case op_kind::cat:
      for (std::int64_t l = 0; l < n; ++l) {
        unravel(l, rank, ext, ix);
        std::int64_t at = ix[r.axis];
        for (int k = 0; k < r.ninputs; ++k) {
          const std::int64_t e = in_ext(k)[r.axis];
          if (at < e) {
            std::int64_t xi[max_rank]{};
            for (int d = 0; d < rank; ++d) xi[d] = ix[d];
            xi[r.axis] = at;
            out[l] = fit(r.type, in_val(k)[ravel(rank, in_ext(k), xi)]);
            break;
          }
          at -= e;
        }
      }
      break;
    case op_kind::gather: {
      const node_record &src = in(0), &idx = in(1);
      const std::int64_t *sext = in_ext(0), *iext = in_ext(1);
      std::int64_t si[max_rank]{}, ii[max_rank]{};
      for (std::int64_t l = 0; l < n; ++l) {
        unravel(l, rank, ext, ix);
        for (int d = 0; d < idx.shp.rank; ++d) ii[d] = ix[r.axis + d];
        const auto at = static_cast<std::int64_t>(in_val(1)[ravel(idx.shp.rank, iext, ii)]);
        const std::int64_t size = sext[r.axis];
        for (int d = 0; d < src.shp.rank; ++d) si[d] = d < r.axis ? ix[d] : ix[d + idx.shp.rank - 1];
        si[r.axis] = at < 0 ? 0 : (at >= size ? size - 1 : at); // clamped as the kernels do (gather_op)
        out[l] = in_val(0)[ravel(src.shp.rank, sext, si)];
      }
      break;
    }
    case op_kind::scan: { // one pass per line along the axis, in order
      const values& xv = in_val(0);
      const dtype acc_type = is_floating(r.type) ? dtype::f64 : dtype::i64;
      for (std::int64_t l = 0; l < n; ++l) {
        unravel(l, rank, ext, ix);
        if (ix[r.axis] != 0) continue; // each line from its first element
        double acc = r.code == op_code::cumsum ? 0.0 : 1.0;
        const std::int64_t step = [&] {
          std::int64_t st = 1;
          for (int d = r.axis + 1; d < rank; ++d) st *= ext[d];
          return st;
        }();
        for (std::int64_t j = 0; j < ext[r.axis]; ++j) {
          const double v = fit(acc_type, xv[static_cast<std::size_t>(l + j * step)]);
          acc = r.code == op_code::cumsum ? (acc_type == dtype::i64 ? wrap_int(dtype::i64, as_bits(acc) + as_bits(v)) : acc + v)
                                          : (acc_type == dtype::i64 ? wrap_int(dtype::i64, as_bits(acc) * as_bits(v)) : acc * v);
          out[static_cast<std::size_t>(l + j * step)] = fit(r.type, acc);
        }
      }
      break;
    }
    case op_kind::custom: { // the user's function, on typed row-major copies of the inputs
      std::vector<std::vector<unsigned char>> bufs(static_cast<std::size_t>(r.ninputs));
      std::int64_t strs[max_inputs][max_rank]{}, ostr[max_rank]{};
      custom_call c;
      for (int k = 0; k < r.ninputs; ++k) {
        const values& v = in_val(k);
        auto& b = bufs[static_cast<std::size_t>(k)];
        b.resize(v.size() * static_cast<std::size_t>(dtype_size(in(k).type)));
        for (std::size_t e = 0; e < v.size(); ++e) store_as(in(k).type, b.data(), e, v[e]);
        contiguous(in(k).shp.rank, in_ext(k), strs[k]);
        c.in[k] = b.data();
        c.in_ext[k] = in_ext(k);
        c.in_str[k] = strs[k];
      }
      std::vector<unsigned char> ob(static_cast<std::size_t>(n) * static_cast<std::size_t>(dtype_size(r.type)));
      contiguous(rank, ext, ostr);
      c.out = ob.data();
      c.out_ext = ext;
      c.out_str = ostr;
      G::launchers[i](c);
      for (std::int64_t l = 0; l < n; ++l) out[static_cast<std::size_t>(l)] = load_as(r.type, ob.data(), static_cast<std::size_t>(l));
      break;
    }
    case op_kind::matmul: {
      const node_record &a = in(0), &b = in(1);
      const std::int64_t *aext = in_ext(0), *bext = in_ext(1);
      const std::int64_t m = ext[rank - 2], nn = ext[rank - 1], k = aext[a.shp.rank - 1];
      std::int64_t ai[max_rank]{}, bi[max_rank]{};
      for (std::int64_t l = 0; l < n; ++l) {
        unravel(l, rank, ext, ix);
        for (int j = 0; j < a.shp.rank - 2; ++j) ai[j] = aext[j] == 1 ? 0 : ix[j + rank - a.shp.rank];
        for (int j = 0; j < b.shp.rank - 2; ++j) bi[j] = bext[j] == 1 ? 0 : ix[j + rank - b.shp.rank];
        double sum = 0;
        for (std::int64_t q = 0; q < k; ++q) {
          ai[a.shp.rank - 2] = ix[rank - 2];
          ai[a.shp.rank - 1] = q;
          bi[b.shp.rank - 2] = q;
          bi[b.shp.rank - 1] = ix[rank - 1];
          sum += in_val(0)[ravel(a.shp.rank, aext, ai)] * in_val(1)[ravel(b.shp.rank, bext, bi)];
        }
        (void)m;
        (void)nn;
        out[l] = fit(r.type, sum);
      }
      break;
    }
    }
  }
  // write outputs in their dtype through their strides
  for (int o = 0; o < G::output_count; ++o) {
    const int i = G::outputs[o];
    const node_record& r = recs[i];
    const std::int64_t n = count(r.shp.rank, s.ext[i]);
    std::int64_t ix[max_rank]{};
    for (std::int64_t l = 0; l < n; ++l) {
      unravel(l, r.shp.rank, s.ext[i], ix);
      std::int64_t off = 0;
      for (int d = 0; d < r.shp.rank; ++d) off += ix[d] * s.str[i][d];
      const double v = val[i][l];
      void* p = const_cast<void*>(s.data[i]);
      switch (r.type) {
      case dtype::b8: static_cast<bool*>(p)[off] = v != 0; break;
      case dtype::i32: static_cast<std::int32_t*>(p)[off] = static_cast<std::int32_t>(v); break;
      case dtype::i64: static_cast<std::int64_t*>(p)[off] = static_cast<std::int64_t>(v); break;
      case dtype::f32: static_cast<float*>(p)[off] = static_cast<float>(v); break;
      case dtype::f64: static_cast<double*>(p)[off] = v; break;
      }
    }
  }
}

} // namespace coil::reference_impl
