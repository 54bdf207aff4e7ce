// Prints the kernel graph of the MLP demo (784-128-10 with log_softmax) as Graphviz DOT,
// or the plan in words with --explain:
//   ./example_plan_dot | dot -Tpng -o plan.png
// docs/demo-plan.png, shown in the README, was made this way.
#include <coil.hpp>

#include <fmt/format.h>

#include <cstring>

using namespace coil::literals;

constexpr auto B = coil::sym<"B">;
constexpr auto x = coil::input<"x", float>(B, 784_c);
constexpr auto W1 = coil::input<"W1", float>(784_c, 128_c);
constexpr auto b1 = coil::input<"b1", float>(128_c);
constexpr auto W2 = coil::input<"W2", float>(128_c, 10_c);
constexpr auto b2 = coil::input<"b2", float>(10_c);

constexpr auto logits = coil::matmul(coil::relu(coil::matmul(x, W1) + b1), W2) + b2; // [B, 10]
constexpr auto shifted = logits - coil::amax<-1>(logits, coil::keepdim);
constexpr auto y = shifted - coil::log(coil::sum<-1>(coil::exp(shifted), coil::keepdim)); // log_softmax

int main(int argc, char** argv) {
  auto model = coil::compile<coil::cpu>(y);
  if (argc > 1 && std::strcmp(argv[1], "--explain") == 0) fmt::print("{}", coil::explain(model));
  else fmt::print("{}", coil::to_dot(model));
}
