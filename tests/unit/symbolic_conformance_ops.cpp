// The rest of the op library with a symbolic batch dim B (and a symbolic sequence length
// S where the op has one), on the CPU backend against the reference, at B = 1, 3 and 17:
// normalizations, activations, shape ops, index ops, padding, convolution, pooling,
// attention and rotary embeddings. symbolic_conformance.cpp covers the primitives.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "support/reference_check.hpp"

using namespace coil::literals;
using coil::testing::expect_matches_reference;
using coil::testing::random_values;

namespace {

constexpr auto B = coil::sym<"B">;
constexpr auto S = coil::sym<"S">;
constexpr auto x = coil::input<"x", float>(B, 6_c);
constexpr auto c6 = coil::input<"c6", float>(6_c);
constexpr auto img = coil::input<"img", float>(B, 4_c, 6_c, 5_c);
constexpr auto c4 = coil::input<"c4", float>(4_c);
constexpr auto seq = coil::input<"seq", float>(B, S, 8_c);

constexpr std::int64_t batches[] = {1, 3, 17};

// Seeded inputs for one batch size (and sequence length), as coil::args.
struct inputs {
  std::int64_t rows, len;
  std::vector<float> xs, c6s, imgs, c4s, c4pos, seqs;
  std::vector<std::int64_t> ids;
  inputs(std::int64_t b, std::int64_t s)
      : rows(b), len(s), xs(random_values<float>(b * 6, static_cast<std::uint32_t>(b))),
        c6s(random_values<float>(6, 2)), imgs(random_values<float>(b * 4 * 30, static_cast<std::uint32_t>(b) + 3)),
        c4s(random_values<float>(4, 4)), c4pos(random_values<float>(4, 5, 0.5, 2.0)),
        seqs(random_values<float>(b * s * 8, static_cast<std::uint32_t>(b * s) + 6)),
        ids(random_values<std::int64_t>(b * 3, 7, 0, 4)) {}
  auto x() const { return coil::arg<"x">(xs.data(), rows, 6); }
  auto c6() const { return coil::arg<"c6">(c6s.data(), 6); }
  auto img() const { return coil::arg<"img">(imgs.data(), rows, 4, 6, 5); }
  auto c4() const { return coil::arg<"c4">(c4s.data(), 4); }
  auto var4() const { return coil::arg<"v4">(c4pos.data(), 4); }
  auto seq() const { return coil::arg<"seq">(seqs.data(), rows, len, 8); }
  auto ids_arg() const { return coil::arg<"ids">(ids.data(), rows, 3); }
};

template <class F> void for_each_batch(F check) {
  for (std::int64_t b : batches) {
    CAPTURE(b);
    check(inputs(b, 5));
  }
}

} // namespace

TEST_CASE("symbolic batch: normalizations and reductions of the op library") {
  constexpr auto v4 = coil::input<"v4", float>(4_c);
  for_each_batch([&](const inputs& in) {
    expect_matches_reference(coil::rms_norm(x, 6_c, c6), in.x(), in.c6());
    expect_matches_reference(coil::logsumexp(x, -1_c), in.x());
    expect_matches_reference(coil::var(x, 0_c), in.x());
    expect_matches_reference(coil::std(x, -1_c, coil::keepdim), in.x());
    expect_matches_reference(coil::batch_norm(img, c4, v4, c4, c4), in.img(), in.c4(), in.var4());
    expect_matches_reference(coil::group_norm(img, 2_c, c4, c4), in.img(), in.c4());
  });
}

TEST_CASE("symbolic batch: activations, clamp, masked_fill, linear, shape ops") {
  constexpr auto w = coil::input<"w", float>(3_c, 6_c);
  const auto ws = random_values<float>(18, 11);
  for_each_batch([&](const inputs& in) {
    expect_matches_reference(coil::silu(x) + coil::mish(x) + coil::softplus(x) + coil::hardswish(x), in.x());
    expect_matches_reference(coil::elu(x) * coil::leaky_relu(x) - coil::hardsigmoid(x) + coil::gelu<"tanh">(x), in.x());
    expect_matches_reference(coil::clamp(x, -0.5_c, 0.5_c) + coil::masked_fill(x, x > 0.0_c, 0.0_c), in.x());
    expect_matches_reference(coil::linear(x, w, coil::slice<0, 0, 3>(c6)), in.x(), coil::arg<"w">(ws.data(), 3, 6), in.c6());
    expect_matches_reference(coil::stack<1>(x, x * 2.0_c), in.x());
    expect_matches_reference(std::get<1>(coil::split<3, 1>(x)) + coil::sum(coil::repeat(x, 1_c, 2_c), 1_c, coil::keepdim), in.x());
    expect_matches_reference(coil::flatten<1>(img), in.img());
  });
}

TEST_CASE("symbolic batch: index ops, padding, convolution, pooling") {
  constexpr auto ids = coil::input<"ids", std::int64_t>(B, 3_c);
  constexpr auto table = coil::input<"table", float>(5_c, 6_c);
  constexpr auto kw = coil::input<"kw", float>(8_c, 2_c, 3_c, 3_c);
  const auto ts = random_values<float>(30, 12), kws = random_values<float>(144, 13);
  for_each_batch([&](const inputs& in) {
    expect_matches_reference(coil::embedding(ids, table), in.ids_arg(), coil::arg<"table">(ts.data(), 5, 6));
    expect_matches_reference(coil::cumsum(x, 0_c), in.x());
    expect_matches_reference(coil::cumprod(x, 1_c), in.x());
    expect_matches_reference(coil::tril(img) + coil::triu<1>(img), in.img());
    expect_matches_reference(coil::pad<2, 1, 1, 0>(img, 0.5_c), in.img());
    expect_matches_reference(coil::pad<coil::pad_mode::reflect, 2, 2>(img), in.img());
    expect_matches_reference(coil::conv2d<coil::conv2d_args{.stride = {2, 1}, .padding = {1, 1}, .groups = 2}>(img, kw),
                             in.img(), coil::arg<"kw">(kws.data(), 8, 2, 3, 3));
    expect_matches_reference(coil::conv1d<coil::conv1d_args{.padding = 2, .dilation = 2, .groups = 2}>(
                                 coil::reshape(img, B, 4_c, 30_c), coil::reshape(coil::slice<2, 0, 1>(kw), 8_c, 2_c, 3_c)),
                             in.img(), coil::arg<"kw">(kws.data(), 8, 2, 3, 3));
    expect_matches_reference(coil::max_pool2d<coil::pool2d_args{.kernel = {3, 2}, .stride = {1, 2}, .padding = {1, 1}}>(img),
                             in.img());
    expect_matches_reference(coil::avg_pool2d<2>(img) + coil::adaptive_avg_pool2d<3, 2>(img), in.img());
  });
}

TEST_CASE("symbolic batch and sequence: attention and rotary embeddings") {
  for (std::int64_t b : batches)
    for (std::int64_t s : {std::int64_t{1}, std::int64_t{5}}) {
      CAPTURE(b);
      CAPTURE(s);
      const inputs in(b, s);
      expect_matches_reference(coil::scaled_dot_product_attention<coil::causal>(seq, seq * 0.5_c, seq), in.seq());
      expect_matches_reference(coil::scaled_dot_product_attention(seq, seq, seq, coil::iota<0>(S, S) >= coil::iota<1>(S, S)),
                               in.seq());
      const auto angles = coil::rope_angles<8>(coil::arange(S), 10000.0_c);
      expect_matches_reference(
          coil::apply_rotary_emb(seq, coil::cast<float>(coil::cos(angles)), coil::cast<float>(coil::sin(angles))), in.seq());
    }
}
