// Test support: shapes as values, for static_asserts on inferred shapes.
#pragma once
#include <cstdint>
#include <initializer_list>

#include <coil.hpp>

namespace coil::testing {
template <class E> constexpr coil::shape shape_of(E) { return coil::record_of<E>.shp; }
constexpr coil::shape make_shape(std::initializer_list<coil::dim> ds) {
  coil::shape s;
  for (const coil::dim& d : ds) s.d[s.rank++] = d;
  return s;
}
constexpr coil::dim c(std::int64_t v) { return coil::dim_const(v); }
} // namespace coil::testing
