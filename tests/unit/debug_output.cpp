// explain() and to_dot() describe the plan that runs: the kernels, their stages, the
// reasons, the arena. Checked on the MLP demo's model (see examples/plan_dot.cpp).
#include <doctest/doctest.h>

#include <string>

#include <coil.hpp>

using namespace coil::literals;

namespace {
constexpr auto B = coil::sym<"B">;
constexpr auto x = coil::input<"x", float>(B, 784_c);
constexpr auto W1 = coil::input<"W1", float>(784_c, 128_c);
constexpr auto b1 = coil::input<"b1", float>(128_c);
constexpr auto W2 = coil::input<"W2", float>(128_c, 10_c);
constexpr auto b2 = coil::input<"b2", float>(10_c);
constexpr auto logits = coil::matmul(coil::relu(coil::matmul(x, W1) + b1), W2) + b2;
constexpr auto shifted = logits - coil::amax<-1>(logits, coil::keepdim);
constexpr auto y = shifted - coil::log(coil::sum<-1>(coil::exp(shifted), coil::keepdim));

bool has(const std::string& text, const std::string& piece) { return text.find(piece) != std::string::npos; }
} // namespace

TEST_CASE("explain names every kernel, its stages, bytes and why it was not fused") {
  auto model = coil::compile<coil::cpu>(y);
  const std::string text = coil::explain(model);
  CHECK(has(text, "16 nodes, 4 kernels, 5 arena buffers"));
  CHECK(has(text, "k3: row kernel over outer [B]; stores %10 %13 %15"));
  CHECK(has(text, "bytes read 401408 + 3136*B, written 512*B"));
  CHECK(has(text, "not fused with k2: extern kernel"));
  CHECK(has(text, "inlined (several users, cheap to recompute)"));
  CHECK(has(text, "realized (extern input)"));
  CHECK(has(text, "buffer 2: %7 float32 [B, 10] (offset computed per call), live k2..k3"));
}

TEST_CASE("to_dot draws inputs, kernels and the values between them") {
  auto model = coil::compile<coil::cpu>(y);
  const std::string dot = coil::to_dot(model);
  CHECK(has(dot, "digraph coil_plan {"));
  CHECK(has(dot, "n0 [shape=ellipse, label=\"x\\nfloat32 [B, 784]\"];"));
  CHECK(has(dot, "k3 [shape=box, style=rounded, label=\"k3: row kernel\\n%10 amax [B, 1]\\n%13 sum [B, 1]\\n%15 sub [B, 10]\"];"));
  CHECK(has(dot, "k2 -> k3 [label=\"%7\"];"));
  CHECK(has(dot, "n8 -> k3 [label=\"%8\"];"));
  CHECK(has(dot, "k3 -> out0;"));
}

TEST_CASE("explain of a static model prints arena offsets that reuse dead buffers") {
  constexpr auto xs = coil::input<"xs", float>(4_c, 784_c);
  constexpr auto l = coil::matmul(coil::relu(coil::matmul(xs, W1) + b1), W2) + b2;
  constexpr auto s = l - coil::amax<-1>(l, coil::keepdim);
  auto model = coil::compile<coil::cpu>(s - coil::log(coil::sum<-1>(coil::exp(s), coil::keepdim)));
  const std::string text = coil::explain(model);
  CHECK(has(text, "arena 2240 bytes (static)"));
  CHECK(has(text, "buffer 1: %5 float32 [4, 128] at offset 0 (2048 bytes), live k1..k2, written in place over buffer 0"));
  CHECK(has(text, "buffer 2: %7 float32 [4, 10] at offset 2048 (160 bytes), live k2..k3"));
}
