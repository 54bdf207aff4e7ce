#include <coil.hpp>
int main() {
  using namespace coil::literals;
  constexpr auto x = coil::input<"x", float>(3_c);
  auto model = coil::compile<coil::cpu>(coil::relu(x) + 1_c);
  float xs[3] = {-1.f, 0.f, 2.f}, ys[3] = {};
  model(coil::arg<"x">(coil::view(xs, 3)), coil::out(coil::view(ys, 3)));
  return (ys[0] == 1.f && ys[1] == 1.f && ys[2] == 3.f) ? 0 : 1;
}
