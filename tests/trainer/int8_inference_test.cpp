// Folded float inference (hand-computed network, calibration ranges), quantize_model's
// parameters, and the reference int8 inference: hand cases for the residual add and the GAP
// rounding, and agreement with the float model on small lowered archs with random weights.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <numbers>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "space/arch.hpp"
#include "space/lower.hpp"
#include "space/random.hpp"
#include "trainer/folded_float_inference.hpp"
#include "trainer/int8_inference.hpp"
#include "trainer/model_params.hpp"
#include "trainer/quantize_model.hpp"
#include "trainer/requantize.hpp"

namespace patchnas::trainer {
namespace {

// ---- fixtures: archs, random parameters with BatchNorm, random images, calibration ----

float normal(Rng& rng) {
  const double u1 = 1.0 - rng.unit();
  const double u2 = rng.unit();
  return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) *
                            std::cos(2.0 * std::numbers::pi * u2));
}

float uniform(Rng& rng, float lo, float hi) {
  return lo + (hi - lo) * static_cast<float>(rng.unit());
}

// Kaiming-like weights and a non-trivial BatchNorm (so folding changes scale and bias).
ModelParams random_params(const Network& net, std::uint64_t seed) {
  Rng rng(seed);
  ModelParams params;
  params.layers.resize(net.layers.size());
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    LayerParams& p = params.layers[i];
    if (l.kind == LayerKind::GlobalAvgPool) continue;
    const int fan_in = weights_per_output_channel(l);
    p.weight.resize(static_cast<std::size_t>(fan_in) * l.out.c);
    const float stddev = std::sqrt(2.0f / static_cast<float>(fan_in));
    for (float& w : p.weight) w = stddev * normal(rng);
    if (l.kind == LayerKind::FullyConnected) {
      p.bias.resize(static_cast<std::size_t>(l.out.c));
      for (float& b : p.bias) b = 0.1f * normal(rng);
      continue;
    }
    p.has_bn = true;
    for (int o = 0; o < l.out.c; ++o) {
      p.bn.gamma.push_back(uniform(rng, 0.5f, 1.5f));
      p.bn.beta.push_back(0.3f * normal(rng));
      p.bn.running_mean.push_back(0.2f * normal(rng));
      p.bn.running_var.push_back(uniform(rng, 0.5f, 2.0f));
    }
  }
  return params;
}

// Images with per-image structure (a channel tint and a horizontal gradient) plus noise, in
// [0, 1], so different images lead to different classes.
Tensor random_images(int n, Shape shape, Rng& rng) {
  Tensor t(n, shape.h, shape.w, shape.c);
  for (int b = 0; b < n; ++b) {
    std::vector<float> tint(static_cast<std::size_t>(shape.c));
    for (float& v : tint) v = uniform(rng, 0.0f, 1.0f);
    const float slope = uniform(rng, -1.0f, 1.0f);
    for (int y = 0; y < shape.h; ++y) {
      for (int x = 0; x < shape.w; ++x) {
        for (int c = 0; c < shape.c; ++c) {
          const float v = tint[c] + slope * (static_cast<float>(x) / static_cast<float>(shape.w) - 0.5f) +
                          uniform(rng, -0.2f, 0.2f);
          t.at(b, y, x, c) = std::clamp(v, 0.0f, 1.0f);
        }
      }
    }
  }
  return t;
}

Arch small_arch() {
  Arch a;
  a.name = "quant-test";
  a.resolution = 16;
  a.input_channels = 3;
  a.stem = {8, 3, 2};
  a.blocks = {{3, 1.0, 8, 1}, {3, 4.0, 16, 2}, {5, 3.0, 16, 1}};  // blocks 0 and 2 residual
  a.head_out = 32;
  a.classes = 10;
  validate_arch(a, "small_arch");
  return a;
}

struct QuantizedFixture {
  Network net;
  std::vector<FoldedLayer> folded;
  TensorRanges ranges;
  QuantizedModel model;
};

// Random weights map every image to nearly the same pooled features, so one class would win
// everywhere. As training would, spread the classes: the classifier's bias cancels W * (the
// mean pooled feature over some images), leaving the logits to the images' differences.
void center_classifier(const Network& net, std::vector<FoldedLayer>& folded, Rng& rng) {
  const Layer& fc = net.layers.back();
  std::vector<double> mean(static_cast<std::size_t>(fc.in.c), 0.0);
  const Tensor images = random_images(64, net.layers[0].in, rng);
  const auto image_size = static_cast<std::size_t>(net.layers[0].in.elements());
  for (int b = 0; b < images.n; ++b) {
    const auto tensors = folded_float_tensors(net, folded, images.ptr() + b * image_size);
    const std::vector<float>& pooled = tensors[static_cast<std::size_t>(fc.input)];
    for (std::size_t c = 0; c < mean.size(); ++c) mean[c] += static_cast<double>(pooled[c]) / images.n;
  }
  FoldedLayer& p = folded.back();
  for (std::size_t o = 0; o < p.bias.size(); ++o) {
    double dot = 0.0;
    for (std::size_t c = 0; c < mean.size(); ++c) dot += p.weight[o * mean.size() + c] * mean[c];
    p.bias[o] = static_cast<float>(-dot);
  }
}

QuantizedFixture build(const Arch& arch, std::uint64_t seed) {
  QuantizedFixture f;
  f.net = lower(arch);
  f.folded = fold_batchnorm(f.net, random_params(f.net, seed));
  Rng rng(seed + 1);
  center_classifier(f.net, f.folded, rng);
  for (int batch = 0; batch < 4; ++batch) {
    TensorRanges batch_ranges;
    folded_float_inference(f.net, f.folded, random_images(64, f.net.layers[0].in, rng),
                           &batch_ranges);
    merge_ranges(f.ranges, batch_ranges);
  }
  f.model = quantize_model(f.net, f.folded, f.ranges);
  return f;
}

// ---- folded float inference ----

Layer make_layer(LayerKind kind, Shape in, Shape out, int kernel, int input) {
  Layer l;
  l.kind = kind;
  l.in = in;
  l.out = out;
  l.kernel = kernel;
  l.pad = kernel / 2;
  l.input = input;
  return l;
}

// conv 3x3 (ones, bias 0.5, ReLU6) -> pointwise (2, bias -1) + residual -> GAP -> FC [1, -1].
Network hand_network() {
  Network net;
  Layer conv = make_layer(LayerKind::Conv, {3, 3, 1}, {3, 3, 1}, 3, 0);
  conv.relu6 = true;
  Layer project = make_layer(LayerKind::Pointwise, {3, 3, 1}, {3, 3, 1}, 1, 1);
  project.residual = 1;
  net.layers = {conv, project,
                make_layer(LayerKind::GlobalAvgPool, {3, 3, 1}, {1, 1, 1}, 3, 2),
                make_layer(LayerKind::FullyConnected, {1, 1, 1}, {1, 1, 2}, 1, 3)};
  return net;
}

std::vector<FoldedLayer> hand_params() {
  return {{std::vector<float>(9, 1.0f), {0.5f}}, {{2.0f}, {-1.0f}}, {}, {{1.0f, -1.0f}, {0.0f, 0.25f}}};
}

TEST(FoldedFloatInferenceTest, HandNetworkWithPaddingResidualAndRelu6) {
  const Network net = hand_network();
  const std::vector<FoldedLayer> params = hand_params();
  Tensor images(2, 3, 3, 1);
  for (int j = 0; j < 9; ++j) {
    images.data[j] = 0.1f * static_cast<float>(j);  // image 0: 0.0 .. 0.8
    images.data[9 + j] = 1.0f;                      // image 1: all ones
  }
  // Image 0, conv: sums of the 3x3 neighbourhoods (zero padding) + 0.5, none clipped.
  const std::vector<float> conv0 = {1.3f, 2.0f, 1.7f, 2.6f, 4.1f, 3.2f, 2.5f, 3.8f, 2.9f};
  const auto tensors = folded_float_tensors(net, params, images.ptr());
  ASSERT_EQ(tensors.size(), 5u);
  for (int j = 0; j < 9; ++j) {
    EXPECT_NEAR(tensors[1][j], conv0[j], 1e-4f) << j;
    EXPECT_NEAR(tensors[2][j], 3.0f * conv0[j] - 1.0f, 1e-4f) << j;  // 2 t1 - 1 + t1
  }
  const float mean0 = 3.0f * 24.1f / 9.0f - 1.0f;
  EXPECT_NEAR(tensors[3][0], mean0, 1e-4f);

  TensorRanges ranges;
  const Tensor logits = folded_float_inference(net, params, images, &ranges);
  ASSERT_EQ(logits.n, 2);
  ASSERT_EQ(logits.c, 2);
  EXPECT_NEAR(logits.at(0, 0, 0, 0), mean0, 1e-4f);
  EXPECT_NEAR(logits.at(0, 0, 0, 1), 0.25f - mean0, 1e-4f);
  // Image 1: corners 4.5, edges 6.5 and centre 9.5 clip to 6: t1 sums to 48, mean(3 t1 - 1) = 15.
  EXPECT_NEAR(logits.at(1, 0, 0, 0), 15.0f, 1e-5f);
  EXPECT_NEAR(logits.at(1, 0, 0, 1), -14.75f, 1e-5f);

  ASSERT_EQ(ranges.size(), 5u);
  EXPECT_NEAR(ranges[0].min, 0.0f, 1e-5f);
  EXPECT_NEAR(ranges[0].max, 1.0f, 1e-5f);
  EXPECT_NEAR(ranges[1].min, 1.3f, 1e-5f);
  EXPECT_NEAR(ranges[1].max, 6.0f, 1e-5f);
  EXPECT_NEAR(ranges[2].min, 2.9f, 1e-5f);
  EXPECT_NEAR(ranges[2].max, 17.0f, 1e-5f);
  EXPECT_NEAR(ranges[3].min, mean0, 1e-4f);
  EXPECT_NEAR(ranges[3].max, 15.0f, 1e-5f);
  EXPECT_NEAR(ranges[4].min, -14.75f, 1e-5f);
  EXPECT_NEAR(ranges[4].max, 15.0f, 1e-5f);
}

TEST(FoldedFloatInferenceTest, MergeRangesWidens) {
  TensorRanges total;
  merge_ranges(total, {{-1.0f, 2.0f}, {0.0f, 1.0f}});
  merge_ranges(total, {{-0.5f, 3.0f}, {-2.0f, 0.5f}});
  merge_ranges(total, {});
  ASSERT_EQ(total.size(), 2u);
  EXPECT_EQ(total[0].min, -1.0f);
  EXPECT_EQ(total[0].max, 3.0f);
  EXPECT_EQ(total[1].min, -2.0f);
  EXPECT_EQ(total[1].max, 1.0f);
  EXPECT_TRUE(TensorRange{}.empty());
  EXPECT_THROW(merge_ranges(total, {{0.0f, 1.0f}}), std::invalid_argument);
}

TEST(FoldedFloatInferenceTest, RejectsMismatches) {
  const Network net = hand_network();
  std::vector<FoldedLayer> params = hand_params();
  EXPECT_THROW(folded_float_inference(net, params, Tensor(1, 4, 3, 1)), std::invalid_argument);
  params[1].weight.push_back(1.0f);
  EXPECT_THROW(folded_float_inference(net, params, Tensor(1, 3, 3, 1)), std::invalid_argument);
  params.pop_back();
  EXPECT_THROW(folded_float_inference(net, params, Tensor(1, 3, 3, 1)), std::invalid_argument);
}

// ---- quantize_model ----

TEST(QuantizeModelTest, ParametersFollowTheScheme) {
  const QuantizedFixture f = build(small_arch(), 21);
  ASSERT_EQ(f.model.tensors.size(), f.net.layers.size() + 1);
  int residual_layers = 0;
  for (std::size_t i = 0; i < f.net.layers.size(); ++i) {
    const Layer& l = f.net.layers[i];
    const QuantizedLayer& q = f.model.layers[i];
    const QuantParams& in = f.model.tensors[l.input];
    const QuantParams& out = f.model.tensors[i + 1];
    EXPECT_EQ(q.input_zero_point, in.zero_point);
    EXPECT_EQ(q.output_zero_point, out.zero_point);
    EXPECT_EQ(out.scale, choose_activation_params(f.ranges[i + 1].min, f.ranges[i + 1].max).scale);
    if (l.relu6) {
      EXPECT_EQ(q.act_min, out.zero_point);  // ReLU6 ranges start at 0
      EXPECT_EQ(q.act_max, std::min(127L, out.zero_point + std::lround(6.0 / out.scale)));
    } else {
      EXPECT_EQ(q.act_min, -128);
      EXPECT_EQ(q.act_max, 127);
    }
    const auto real = [&](std::size_t o) {
      return std::ldexp(static_cast<double>(q.multiplier[o]), q.shift[o] - 31);
    };
    if (l.kind == LayerKind::GlobalAvgPool) {
      const double expected = in.scale / (out.scale * static_cast<double>(l.in.h * l.in.w));
      EXPECT_NEAR(real(0) / expected, 1.0, 1e-9);
      continue;
    }
    EXPECT_EQ(q.has_residual, l.residual >= 0);
    double target = out.scale;
    if (l.residual >= 0) {
      ++residual_layers;
      const QuantParams& res = f.model.tensors[l.residual];
      const double twice_max = 2.0 * std::max<double>(res.scale, out.scale);
      target = twice_max / (1 << 20);
      EXPECT_EQ(q.residual.zero_point, res.zero_point);
      EXPECT_NEAR(std::ldexp(q.residual.multiplier, q.residual.shift - 31) / (res.scale / twice_max),
                  1.0, 1e-9);
      EXPECT_NEAR(std::ldexp(q.residual.output_multiplier, q.residual.output_shift - 31) /
                      (target / out.scale), 1.0, 1e-9);
    }
    for (std::size_t o = 0; o < q.weight_scale.size(); ++o) {
      const double s = static_cast<double>(in.scale) * q.weight_scale[o];
      EXPECT_NEAR(real(o) / (s / target), 1.0, 1e-9) << i << " " << o;
      EXPECT_EQ(q.bias[o], std::lround(f.folded[i].bias[o] / s)) << i << " " << o;
    }
    for (std::size_t j = 0; j < q.weight.size(); ++j) {
      ASSERT_EQ(q.weight[j], quantize_weight(f.folded[i].weight[j],
                                             q.weight_scale[weight_channel(l, j)]));
    }
  }
  EXPECT_EQ(residual_layers, 2);
}

TEST(QuantizeModelTest, RejectsMissingOrBadRanges) {
  const Network net = hand_network();
  const std::vector<FoldedLayer> params = hand_params();
  TensorRanges ranges(5, TensorRange{-1.0f, 1.0f});
  EXPECT_NO_THROW(quantize_model(net, params, ranges));
  EXPECT_THROW(quantize_model(net, params, TensorRanges(4, TensorRange{-1.0f, 1.0f})),
               std::invalid_argument);
  ranges[2] = TensorRange{};
  EXPECT_THROW(quantize_model(net, params, ranges), std::invalid_argument);
}

// ---- int8 inference: hand cases ----

TEST(Int8InferenceTest, GlobalAvgPoolRoundingByHand) {
  Network net;
  net.layers = {make_layer(LayerKind::GlobalAvgPool, {2, 2, 6}, {1, 1, 6}, 2, 0)};
  // Equal input and output ranges: multiplier 1/4 = 2^30 * 2^(-1 - 31).
  const QuantizedModel model =
      quantize_model(net, {FoldedLayer{}}, TensorRanges(2, TensorRange{-1.0f, 1.0f}));
  const QuantizedLayer& q = model.layers[0];
  ASSERT_EQ(q.multiplier, std::vector<std::int32_t>{1 << 30});
  ASSERT_EQ(q.shift, std::vector<int>{-1});
  const std::int32_t zp = q.input_zero_point;
  ASSERT_EQ(q.output_zero_point, zp);
  // Per channel, the four pixel offsets from the zero point and the pooled offset by hand.
  const std::vector<std::vector<int>> deltas = {{2, 2, 1, 1},     {-2, -2, -1, -1}, {1, 1, 0, 0},
                                                {-1, -1, 0, 0},   {2, 1, 1, 1},     {-2, -1, -1, -1}};
  const std::vector<int> expected = {2, -2, 1, -1, 2, -1};  // sums 6, -6, 2, -2, 5, -5
  std::vector<std::int8_t> image(24);
  for (int p = 0; p < 4; ++p) {
    for (int c = 0; c < 6; ++c) image[p * 6 + c] = static_cast<std::int8_t>(zp + deltas[c][p]);
  }
  std::vector<std::int8_t> out(6);
  int8_layer(net.layers[0], q, image.data(), nullptr, out.data());
  for (int c = 0; c < 6; ++c) EXPECT_EQ(out[c], zp + expected[c]) << c;
}

// A 1x1x1 projection with a fused residual add, parameters by hand: s_in = s_w = s_out = 1,
// s_res = 0.5, so 2 max = 2 and the add domain has scale 2^-19.
QuantizedLayer hand_residual_layer() {
  QuantizedLayer q;
  q.weight = {1};
  q.weight_scale = {1.0f};
  q.bias = {0};
  q.multiplier.resize(1);
  q.shift.resize(1);
  quantize_multiplier(1.0 * 1.0 * (1 << 20) / 2.0, &q.multiplier[0], &q.shift[0]);
  q.input_zero_point = 10;
  q.output_zero_point = 3;
  q.has_residual = true;
  q.residual.zero_point = -20;
  quantize_multiplier(0.5 / 2.0, &q.residual.multiplier, &q.residual.shift);
  quantize_multiplier(2.0 / (1 << 20), &q.residual.output_multiplier, &q.residual.output_shift);
  return q;
}

TEST(Int8InferenceTest, ResidualAddByHand) {
  const QuantizedLayer q = hand_residual_layer();
  EXPECT_EQ(q.multiplier[0], 1 << 30);
  EXPECT_EQ(q.shift[0], 20);
  EXPECT_EQ(q.residual.shift, -1);
  EXPECT_EQ(q.residual.output_shift, -18);
  Layer l = make_layer(LayerKind::Pointwise, {1, 1, 1}, {1, 1, 1}, 1, 0);
  l.residual = 0;
  struct Case {
    std::int8_t x, r, expected;
  };
  const Case cases[] = {
      {13, -15, 9},    // 3 + 5 * 0.5 = 5.5 -> 6 (+3)
      {13, -25, 4},    // 3 - 2.5 = 0.5 -> 1 (+3)
      {7, -25, -3},    // -3 - 2.5 = -5.5 -> -6 (+3): the add domain rounds half away from 0
      {10, -21, 2},    // 0 - 0.5 = -0.5 -> -1 (+3)
      {127, 107, 127}, // 117 + 63.5 = 180.5 -> 181 + 3 clamps to 127
  };
  for (const Case& c : cases) {
    std::int8_t out = 0;
    int8_layer(l, q, &c.x, &c.r, &out);
    EXPECT_EQ(out, c.expected) << int{c.x} << " " << int{c.r};
  }
}

// ---- int8 inference against the float model ----

TEST(Int8InferenceTest, SmallNetworkAgreesWithFloat) {
  const QuantizedFixture f = build(small_arch(), 5);
  Rng rng(99);
  const Tensor images = random_images(200, f.net.layers[0].in, rng);
  const Tensor float_logits = folded_float_inference(f.net, f.folded, images);
  const Int8Tensor q_images = quantize_images(images, f.model.tensors[0]);
  const Int8Tensor q_logits = int8_inference(f.net, f.model, q_images);
  ASSERT_EQ(q_logits.n, 200);
  ASSERT_EQ(q_logits.c, 10);
  const QuantParams& out = f.model.tensors.back();
  const Tensor logits = dequantize(q_logits, out);

  double max_steps = 0.0;
  double sum_steps = 0.0;
  for (std::size_t j = 0; j < logits.size(); ++j) {
    const double steps = std::fabs(logits.data[j] - float_logits.data[j]) / out.scale;
    max_steps = std::max(max_steps, steps);
    sum_steps += steps;
  }
  const double mean_steps = sum_steps / static_cast<double>(logits.size());
  // Errors compound over 12 layers of random weights (the per-layer test below bounds each
  // layer's own error to one step); the logits' range is small, so their steps are fine.
  EXPECT_LE(max_steps, 8.0);
  EXPECT_LE(mean_steps, 2.0);

  const std::vector<int> float_class = argmax_rows(float_logits);
  const std::vector<int> int8_class = argmax_rows(q_logits);
  EXPECT_GE(accuracy(int8_class, float_class), 0.95);
  // The comparison means something only if the inputs reach several classes.
  EXPECT_GE(std::set<int>(float_class.begin(), float_class.end()).size(), 3u);
  std::printf("logits: max %.2f, mean %.3f steps; argmax agreement %.3f over %zu classes\n",
              max_steps, mean_steps, accuracy(int8_class, float_class),
              std::set<int>(float_class.begin(), float_class.end()).size());

  // The batched, parallel path equals the per-image layer-by-layer path.
  for (int b = 0; b < 200; b += 37) {
    const auto tensors = int8_tensors(f.net, f.model, q_images.data.data() + b * 16 * 16 * 3);
    for (int c = 0; c < 10; ++c) EXPECT_EQ(tensors.back()[c], q_logits.data[b * 10 + c]);
  }
}

// Each int8 layer, given int8 inputs, is within one output step of the float layer run on the
// dequantized inputs with the dequantized weights, quantized: the integer arithmetic (zero
// points, bias, multipliers, the residual add, pooling) computes what the scheme says.
TEST(Int8InferenceTest, EveryLayerIsWithinOneStepOfItsDequantizedFloatLayer) {
  const QuantizedFixture f = build(small_arch(), 5);
  Rng rng(17);
  const Tensor images = random_images(20, f.net.layers[0].in, rng);
  const Int8Tensor q_images = quantize_images(images, f.model.tensors[0]);
  const auto image_size = static_cast<std::size_t>(f.net.layers[0].in.elements());
  std::vector<int> differences(3, 0);  // |int8 - quantized float| = 0, 1, more
  for (int b = 0; b < images.n; ++b) {
    const auto q = int8_tensors(f.net, f.model, q_images.data.data() + b * image_size);
    for (std::size_t i = 0; i < f.net.layers.size(); ++i) {
      Layer alone = f.net.layers[i];
      alone.input = 0;
      alone.residual = -1;  // added below, in float
      Network one;
      one.layers = {alone};
      const QuantizedLayer& ql = f.model.layers[i];
      FoldedLayer dequantized{std::vector<float>(ql.weight.size()), f.folded[i].bias};
      for (std::size_t j = 0; j < ql.weight.size(); ++j) {
        dequantized.weight[j] = ql.weight[j] * ql.weight_scale[weight_channel(alone, j)];
      }
      const QuantParams& in = f.model.tensors[f.net.layers[i].input];
      std::vector<float> x(q[f.net.layers[i].input].size());
      for (std::size_t j = 0; j < x.size(); ++j) x[j] = dequantize_value(q[f.net.layers[i].input][j], in);
      std::vector<float> y = folded_float_tensors(one, {dequantized}, x.data()).back();
      if (f.net.layers[i].residual >= 0) {
        const int r = f.net.layers[i].residual;
        for (std::size_t j = 0; j < y.size(); ++j) y[j] += dequantize_value(q[r][j], f.model.tensors[r]);
      }
      for (std::size_t j = 0; j < y.size(); ++j) {
        const int expected = std::clamp<int>(quantize_value(y[j], f.model.tensors[i + 1]), ql.act_min, ql.act_max);
        const int difference = std::abs(expected - q[i + 1][j]);
        ++differences[std::min(difference, 2)];
        ASSERT_LE(difference, 1) << "layer " << i << " element " << j;
      }
    }
  }
  EXPECT_GT(differences[0], 20 * differences[1]);  // off by one only on near-ties
}

TEST(Int8InferenceTest, ResidualBlockTracksFloatPerLayer) {
  Arch a;
  a.name = "residual";
  a.resolution = 12;
  a.input_channels = 3;
  a.stem = {8, 3, 1};
  a.blocks = {{3, 2.0, 8, 1}};
  a.classes = 4;
  validate_arch(a, "residual");
  const QuantizedFixture f = build(a, 8);
  int residual_layer = -1;
  for (std::size_t i = 0; i < f.net.layers.size(); ++i) {
    if (f.net.layers[i].residual >= 0) residual_layer = static_cast<int>(i);
  }
  ASSERT_GE(residual_layer, 0);
  const int tensor = residual_layer + 1;
  const QuantParams& p = f.model.tensors[tensor];
  Rng rng(3);
  const Tensor images = random_images(20, f.net.layers[0].in, rng);
  const Int8Tensor q_images = quantize_images(images, f.model.tensors[0]);
  const std::size_t image_size = 12 * 12 * 3;
  double max_steps = 0.0;
  for (int b = 0; b < images.n; ++b) {
    const auto float_tensors = folded_float_tensors(f.net, f.folded, images.ptr() + b * image_size);
    const auto int8 = int8_tensors(f.net, f.model, q_images.data.data() + b * image_size);
    for (std::size_t j = 0; j < float_tensors[tensor].size(); ++j) {
      const float v = dequantize_value(int8[tensor][j], p);
      max_steps = std::max(max_steps, std::fabs(static_cast<double>(v - float_tensors[tensor][j])) / p.scale);
    }
  }
  EXPECT_LE(max_steps, 3.0);
  std::printf("residual output: max %.2f steps\n", max_steps);
}

TEST(Int8InferenceTest, ArgmaxTakesTheFirstMaximumAndAccuracyCounts) {
  Int8Tensor logits(2, 1, 1, 3);
  logits.data = {5, 7, 7, -3, -9, -4};
  EXPECT_EQ(argmax_rows(logits), (std::vector<int>{1, 0}));
  Tensor float_logits(1, 1, 1, 3);
  float_logits.data = {0.5f, -1.0f, 2.0f};
  EXPECT_EQ(argmax_rows(float_logits), std::vector<int>{2});
  EXPECT_DOUBLE_EQ(accuracy({1, 0, 2, 2}, {1, 1, 2, 0}), 0.5);
  EXPECT_THROW(accuracy({1}, {1, 2}), std::invalid_argument);
}

TEST(Int8InferenceTest, RejectsMismatchedInput) {
  const QuantizedFixture f = build(small_arch(), 2);
  EXPECT_THROW(int8_inference(f.net, f.model, Int8Tensor(1, 8, 8, 3)), std::invalid_argument);
  QuantizedModel broken = f.model;
  broken.layers[1].bias.pop_back();
  EXPECT_THROW(int8_inference(f.net, broken, Int8Tensor(1, 16, 16, 3)), std::invalid_argument);
}

// A layer whose int32 accumulator could overflow is refused, by the whole inference (naming
// the layer) and by int8_layer, before anything is computed; one bias step below the bound is
// accepted. The bound also holds for every model quantize_model makes (the tests above).
TEST(Int8InferenceTest, RefusesParametersWhoseAccumulatorCouldOverflow) {
  const QuantizedFixture f = build(small_arch(), 2);
  const int layer = 1;
  const Layer& l = f.net.layers[layer];
  ASSERT_NE(l.kind, LayerKind::GlobalAvgPool);
  std::int64_t max_weight = 0;
  for (const std::int8_t w : f.model.layers[layer].weight) {
    max_weight = std::max<std::int64_t>(max_weight, std::abs(int{w}));
  }
  const std::int64_t limit =
      std::int64_t{INT32_MAX} - std::int64_t{weights_per_output_channel(l)} * max_weight * 255;
  const Int8Tensor image(1, 16, 16, 3);
  QuantizedModel edge = f.model;
  edge.layers[layer].bias[0] = static_cast<std::int32_t>(-limit);
  EXPECT_NO_THROW(int8_inference(f.net, edge, image));
  QuantizedModel over = f.model;
  over.layers[layer].bias[0] = static_cast<std::int32_t>(-limit - 1);
  try {
    int8_inference(f.net, over, image);
    ADD_FAILURE() << "no error for a bias past the bound";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("layer 1: the int32 accumulator could overflow"),
              std::string::npos) << e.what();
  }
  QuantizedModel zero_point = f.model;
  zero_point.layers[layer].input_zero_point = 128;
  EXPECT_THROW(int8_inference(f.net, zero_point, image), std::invalid_argument);
  std::vector<std::int8_t> out(static_cast<std::size_t>(l.out.elements()));
  const std::vector<std::int8_t> in(static_cast<std::size_t>(l.in.elements()));
  EXPECT_THROW(int8_layer(l, over.layers[layer], in.data(), nullptr, out.data()),
               std::invalid_argument);
}

}  // namespace
}  // namespace patchnas::trainer
