// Compile-time checks of a model call's arguments: names, presence, dtype and rank of
// each input and output. The ok variant makes the same calls with correct arguments.
// COIL_FAIL_CASE: WRONG_NAME coil::model: no input named ..x2... inputs are: x w.}>
// COIL_FAIL_CASE: MISSING_INPUT coil::model: input ..w.. is not passed: add coil::arg<..w..>\(\.\.\.\).}>
// COIL_FAIL_CASE: DUPLICATE_INPUT coil::model: input ..x.. is passed 2 times: pass it once.}>
// COIL_FAIL_CASE: INPUT_DTYPE coil::model: input ..x.. is float32 of rank 2, got float64 of rank 2.}>
// COIL_FAIL_CASE: INPUT_RANK coil::model: input ..w.. is float32 of rank 2, got float32 of rank 1.}>
// COIL_FAIL_CASE: OUTPUT_DTYPE coil::model: output 0 is float32 of rank 2, got int32 of rank 2.}>
// COIL_FAIL_CASE: RUN_WRONG_NAME coil::model: no input named ..W... inputs are: x w.}>
#include <coil.hpp>

#include <cstdint>

using namespace coil::literals;

constexpr auto x = coil::input<"x", float>(coil::sym<"B">, 3_c);
constexpr auto w = coil::input<"w", float>(3_c, 2_c);
constexpr auto y = coil::relu(coil::matmul(x, w));

float xs[4 * 3], ws[3 * 2], ys[4 * 2];
double xd[4 * 3];
std::int32_t yi[4 * 2];

void call() {
  auto m = coil::compile<coil::cpu>(y);
#if defined(COIL_FAIL_WRONG_NAME)
  (void)m(coil::arg<"x2">(xs, 4, 3), coil::arg<"w">(ws, 3, 2));
#elif defined(COIL_FAIL_MISSING_INPUT)
  (void)m(coil::arg<"x">(xs, 4, 3));
#elif defined(COIL_FAIL_DUPLICATE_INPUT)
  (void)m(coil::arg<"x">(xs, 4, 3), coil::arg<"w">(ws, 3, 2), coil::arg<"x">(xs, 4, 3));
#elif defined(COIL_FAIL_INPUT_DTYPE)
  (void)m(coil::arg<"x">(xd, 4, 3), coil::arg<"w">(ws, 3, 2));
#elif defined(COIL_FAIL_INPUT_RANK)
  (void)m(coil::arg<"x">(xs, 4, 3), coil::arg<"w">(ws, 6));
#elif defined(COIL_FAIL_OUTPUT_DTYPE)
  m(coil::arg<"x">(xs, 4, 3), coil::arg<"w">(ws, 3, 2), coil::out(coil::view(yi, 4, 2)));
#elif defined(COIL_FAIL_RUN_WRONG_NAME)
  (void)m.run(coil::arg<"x">(xs, 4, 3), coil::arg<"W">(ws, 3, 2), coil::out(coil::view(ys, 4, 2)));
#else
  auto t = m(coil::arg<"x">(xs, 4, 3), coil::arg<"w">(ws, 3, 2));        // owning result
  m(coil::arg<"w">(ws, 3, 2), coil::arg<"x">(xs, 4, 3), coil::out(coil::view(ys, 4, 2)));  // any order, out buffer
  (void)m.run(coil::arg<"x">(coil::view(xs, 4, 3)), coil::arg<"w">(t.data(), 3, 2), coil::out(coil::view(ys, 4, 2)));
  static_assert(decltype(t)::rank == 2);
#endif
}

int main() {
  call();
  return 0;
}
