// model.run() writes only into the caller's buffers: calling it without one coil::out
// per output is a compile error (it used to run the kernels through null pointers). The
// ok variant passes the buffers, or calls the model for owning tensors.
// COIL_FAIL_CASE: RUN_NO_OUT coil::model::run: pass one coil::out\(\.\.\.\) per output
// COIL_FAIL_CASE: RUN_TOO_FEW_OUTS coil::model::run: pass one coil::out\(\.\.\.\) per output
#include <coil.hpp>

using namespace coil::literals;

constexpr auto x = coil::input<"x", float>(coil::sym<"B">, 3_c);
float xs[4 * 3], ys[4 * 3], zs[4 * 3];

int main() {
  auto m = coil::compile<coil::cpu>(x * 2_c);
  auto m2 = coil::compile<coil::cpu>(x * 2_c, x + 1_c);
#if defined(COIL_FAIL_RUN_NO_OUT)
  (void)m.run(coil::arg<"x">(xs, 4, 3));
#elif defined(COIL_FAIL_RUN_TOO_FEW_OUTS)
  (void)m2.run(coil::arg<"x">(xs, 4, 3), coil::out(coil::view(ys, 4, 3)));
#else
  (void)m.run(coil::arg<"x">(xs, 4, 3), coil::out(coil::view(ys, 4, 3)));
  (void)m2.run(coil::arg<"x">(xs, 4, 3), coil::out(coil::view(ys, 4, 3)), coil::out(coil::view(zs, 4, 3)));
  auto t = m(coil::arg<"x">(xs, 4, 3));
  (void)t;
#endif
  return 0;
}
