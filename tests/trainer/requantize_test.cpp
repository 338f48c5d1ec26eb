// The int8 primitives: requantize (hand-computed roundings, saturation, an independent
// exact re-derivation), quantize_multiplier (hand cases and round trips), activation and
// per-channel weight quantization by hand, and fake quantization against quantize/dequantize.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include "space/random.hpp"
#include "trainer/fake_quant.hpp"
#include "trainer/quantize_model.hpp"
#include "trainer/requantize.hpp"

namespace patchnas::trainer {
namespace {

constexpr std::int32_t kMax32 = std::numeric_limits<std::int32_t>::max();
constexpr std::int32_t kMin32 = std::numeric_limits<std::int32_t>::min();
constexpr std::int32_t kHalf = std::int32_t{1} << 30;  // Q31 0.5

TEST(RequantizeTest, HighMulRoundsHalfTowardPlusInfinity) {
  // a * b / 2^31 with b = 2^30 is a / 2.
  EXPECT_EQ(saturating_rounding_doubling_high_mul(1, kHalf), 1);    // 0.5 -> 1
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-1, kHalf), 0);   // -0.5 -> 0
  EXPECT_EQ(saturating_rounding_doubling_high_mul(3, kHalf), 2);    // 1.5 -> 2
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-3, kHalf), -1);  // -1.5 -> -1
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-4, kHalf), -2);  // exact
  // b = 2^29 is a / 4: no ties, plain nearest.
  EXPECT_EQ(saturating_rounding_doubling_high_mul(5, kHalf / 2), 1);    // 1.25
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-5, kHalf / 2), -1);  // -1.25
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-7, kHalf / 2), -2);  // -1.75
  EXPECT_EQ(saturating_rounding_doubling_high_mul(7, kHalf / 2), 2);    // 1.75
}

TEST(RequantizeTest, HighMulSaturatesOnlyMinTimesMin) {
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMin32, kMin32), kMax32);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMin32, kMax32), -kMax32);  // exact
  // (2^31 - 1)^2 / 2^31 = 2^31 - 2 + 2^-31 -> 2^31 - 2
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMax32, kMax32), kMax32 - 1);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMin32, 1), -1);  // -1 exactly
}

TEST(RequantizeTest, DivideByPowerOfTwoRoundsHalfAwayFromZero) {
  EXPECT_EQ(rounding_divide_by_pot(5, 1), 3);    // 2.5
  EXPECT_EQ(rounding_divide_by_pot(-5, 1), -3);  // -2.5
  EXPECT_EQ(rounding_divide_by_pot(3, 1), 2);
  EXPECT_EQ(rounding_divide_by_pot(-3, 1), -2);
  EXPECT_EQ(rounding_divide_by_pot(5, 2), 1);    // 1.25
  EXPECT_EQ(rounding_divide_by_pot(-5, 2), -1);
  EXPECT_EQ(rounding_divide_by_pot(6, 2), 2);    // 1.5
  EXPECT_EQ(rounding_divide_by_pot(-6, 2), -2);
  EXPECT_EQ(rounding_divide_by_pot(-7, 2), -2);  // -1.75
  EXPECT_EQ(rounding_divide_by_pot(-42, 0), -42);
  EXPECT_EQ(rounding_divide_by_pot(kHalf, 31), 1);       // 0.5
  EXPECT_EQ(rounding_divide_by_pot(-kHalf, 31), -1);     // -0.5
  EXPECT_EQ(rounding_divide_by_pot(kHalf - 1, 31), 0);
  EXPECT_EQ(rounding_divide_by_pot(kMin32, 31), -1);
  EXPECT_EQ(rounding_divide_by_pot(kMax32, 31), 1);
}

TEST(RequantizeTest, HandCases) {
  // M = 2^30, shift 0: x 0.5, one rounding (the high multiply's, ties up).
  EXPECT_EQ(requantize(100, kHalf, 0), 50);
  EXPECT_EQ(requantize(101, kHalf, 0), 51);    // 50.5
  EXPECT_EQ(requantize(-101, kHalf, 0), -50);  // -50.5 rounds up
  // M = 2^30, shift -1: x 0.25, two roundings.
  EXPECT_EQ(requantize(5, kHalf, -1), 2);    // 2.5 -> 3, then 1.5 -> 2 (5/4 = 1.25!)
  EXPECT_EQ(requantize(-5, kHalf, -1), -1);  // -2.5 -> -2, then -1
  EXPECT_EQ(requantize(6, kHalf, -1), 2);    // 3, then 1.5 -> 2
  EXPECT_EQ(requantize(-6, kHalf, -1), -2);  // -3, then -1.5 -> -2
  EXPECT_EQ(requantize(-7, kHalf, -1), -2);  // -3.5 -> -3, then -1.5 -> -2
  // 0.75 = 3 * 2^29 (shift 0): 10 * 0.75 = 7.5 -> 8, -7.5 -> -7.
  EXPECT_EQ(requantize(10, 3 * (kHalf / 2), 0), 8);
  EXPECT_EQ(requantize(-10, 3 * (kHalf / 2), 0), -7);
  // Left shift: x 2 (M = 2^30, shift 2).
  EXPECT_EQ(requantize(3, kHalf, 2), 6);
  EXPECT_EQ(requantize(-3, kHalf, 2), -6);
  // The left shift saturates to int32 before the multiply.
  EXPECT_EQ(requantize(kHalf, kHalf, 2), kHalf);    // 2^32 -> 2^31 - 1, halved, rounded up
  EXPECT_EQ(requantize(-kHalf, kHalf, 2), -kHalf);  // -2^32 -> -2^31, halved
  EXPECT_EQ(requantize(123, 0, 0), 0);
}

// floor(a / b) for b > 0.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if (a % b != 0 && a < 0) --q;
  return q;
}

// requantize re-derived from its documented definition with no shared code: the high multiply
// as floor(a * M / 2^31 + 1/2), the divide as sign(s) * floor(|s| / 2^e + 1/2).
std::int32_t requantize_by_definition(std::int32_t acc, std::int32_t m, int shift) {
  const std::int64_t x = std::int64_t{acc} << (shift > 0 ? shift : 0);
  const std::int64_t high = floor_div(x * m + (std::int64_t{1} << 30), std::int64_t{1} << 31);
  const int e = shift > 0 ? 0 : -shift;
  if (e == 0) return static_cast<std::int32_t>(high);
  const std::int64_t magnitude = ((high < 0 ? -high : high) + (std::int64_t{1} << (e - 1))) >> e;
  return static_cast<std::int32_t>(high < 0 ? -magnitude : magnitude);
}

TEST(RequantizeTest, MatchesItsDefinitionOnRandomInputs) {
  Rng rng(7);
  for (int i = 0; i < 200000; ++i) {
    const std::int32_t acc = rng.uniform(1 << 25) - (1 << 24);
    const auto m = static_cast<std::int32_t>(kHalf + rng.uniform(kHalf));
    const int shift = rng.uniform(26) - 24;  // [-24, 1]: acc << 1 stays in int32
    ASSERT_EQ(requantize(acc, m, shift), requantize_by_definition(acc, m, shift))
        << acc << " " << m << " " << shift;
  }
}

TEST(QuantizeMultiplierTest, HandCases) {
  std::int32_t m = -1;
  int shift = -1;
  quantize_multiplier(0.0, &m, &shift);
  EXPECT_EQ(m, 0);
  EXPECT_EQ(shift, 0);
  quantize_multiplier(0.5, &m, &shift);
  EXPECT_EQ(m, kHalf);
  EXPECT_EQ(shift, 0);
  quantize_multiplier(1.0, &m, &shift);
  EXPECT_EQ(m, kHalf);
  EXPECT_EQ(shift, 1);
  quantize_multiplier(0.25, &m, &shift);
  EXPECT_EQ(m, kHalf);
  EXPECT_EQ(shift, -1);
  quantize_multiplier(0.75, &m, &shift);
  EXPECT_EQ(m, 3 * (kHalf / 2));
  EXPECT_EQ(shift, 0);
  // q * 2^31 rounds up to 2^31: renormalized to 2^30 with shift + 1.
  quantize_multiplier(1.0 - std::ldexp(1.0, -33), &m, &shift);
  EXPECT_EQ(m, kHalf);
  EXPECT_EQ(shift, 1);
}

TEST(QuantizeMultiplierTest, TinyFlushesToZeroAndHugeSaturates) {
  std::int32_t m = 0;
  int shift = 0;
  quantize_multiplier(std::ldexp(1.0, -32), &m, &shift);  // smallest kept: shift -31
  EXPECT_EQ(m, kHalf);
  EXPECT_EQ(shift, -31);
  quantize_multiplier(std::ldexp(1.0, -33), &m, &shift);
  EXPECT_EQ(m, 0);
  EXPECT_EQ(shift, 0);
  EXPECT_EQ(requantize(kMax32, m, shift), 0);
  quantize_multiplier(std::ldexp(1.0, 29), &m, &shift);  // largest exact: shift 30
  EXPECT_EQ(m, kHalf);
  EXPECT_EQ(shift, 30);
  quantize_multiplier(std::ldexp(1.0, 31), &m, &shift);
  EXPECT_EQ(m, kMax32);
  EXPECT_EQ(shift, 30);
  EXPECT_THROW(quantize_multiplier(-0.5, &m, &shift), std::invalid_argument);
  EXPECT_THROW(quantize_multiplier(std::nan(""), &m, &shift), std::invalid_argument);
  EXPECT_THROW(quantize_multiplier(INFINITY, &m, &shift), std::invalid_argument);
}

TEST(QuantizeMultiplierTest, RoundTripsWithinTwoToTheMinus30) {
  Rng rng(11);
  for (int i = 0; i < 100000; ++i) {
    const double real = std::ldexp(1.0 + rng.unit(), rng.uniform(60) - 32);  // [2^-32, 2^28)
    std::int32_t m = 0;
    int shift = 0;
    quantize_multiplier(real, &m, &shift);
    ASSERT_GE(m, kHalf);
    ASSERT_LT(std::int64_t{m}, std::int64_t{1} << 31);
    ASSERT_GE(shift, -31);
    ASSERT_LE(shift, 30);
    const double back = std::ldexp(static_cast<double>(m), shift - 31);
    ASSERT_LT(std::fabs(back - real) / real, std::ldexp(1.0, -30)) << real;
  }
}

TEST(QuantizeParamsTest, ActivationParamsByHand) {
  QuantParams p = choose_activation_params(0.0f, 6.0f);
  EXPECT_FLOAT_EQ(p.scale, 6.0f / 255.0f);
  EXPECT_EQ(p.zero_point, -128);
  p = choose_activation_params(-1.0f, 3.0f);  // -128 + 1 / (4/255) = -64.25
  EXPECT_FLOAT_EQ(p.scale, 4.0f / 255.0f);
  EXPECT_EQ(p.zero_point, -64);
  p = choose_activation_params(2.0f, 5.0f);  // widened to [0, 5]
  EXPECT_FLOAT_EQ(p.scale, 5.0f / 255.0f);
  EXPECT_EQ(p.zero_point, -128);
  p = choose_activation_params(-4.0f, -1.0f);  // widened to [-4, 0]
  EXPECT_FLOAT_EQ(p.scale, 4.0f / 255.0f);
  EXPECT_EQ(p.zero_point, 127);
  p = choose_activation_params(0.0f, 0.0f);
  EXPECT_EQ(p.scale, 1.0f);
  EXPECT_EQ(p.zero_point, -128);
  EXPECT_THROW(choose_activation_params(1.0f, 0.0f), std::invalid_argument);
  EXPECT_THROW(choose_activation_params(0.0f, INFINITY), std::invalid_argument);
}

TEST(QuantizeParamsTest, ValuesQuantizeAndZeroIsExact) {
  const QuantParams p = choose_activation_params(-1.0f, 3.0f);  // scale 4/255, zp -64
  EXPECT_EQ(quantize_value(0.0f, p), -64);
  EXPECT_EQ(dequantize_value(-64, p), 0.0f);
  EXPECT_EQ(quantize_value(1.0f, p), -64 + 64);   // 63.75 -> 64
  EXPECT_EQ(quantize_value(-0.5f, p), -64 - 32);  // -31.875 -> -32
  EXPECT_EQ(quantize_value(3.0f, p), 127);        // 191.25 - 64 = 127.25
  EXPECT_EQ(quantize_value(100.0f, p), 127);
  EXPECT_EQ(quantize_value(-100.0f, p), -128);
  EXPECT_EQ(quantize_value(std::nanf(""), p), -128);
  EXPECT_FLOAT_EQ(dequantize_value(127, p), 191.0f * 4.0f / 255.0f);
}

Layer pointwise_layer(int in_c, int out_c) {
  Layer l;
  l.kind = LayerKind::Pointwise;
  l.in = {1, 1, in_c};
  l.out = {1, 1, out_c};
  return l;
}

Layer depthwise_layer(int k, int c) {
  Layer l;
  l.kind = LayerKind::Depthwise;
  l.kernel = k;
  l.pad = k / 2;
  l.in = {k, k, c};
  l.out = {k, k, c};
  return l;
}

TEST(QuantizeParamsTest, PerChannelWeightsByHand) {
  // Pointwise [out][in]: channel 0 max |w| 1.27 -> scale 0.01; channel 1 all zero -> scale 1.
  const Layer pw = pointwise_layer(3, 2);
  const std::vector<float> w = {0.5f, -1.27f, 0.1f, 0.0f, 0.0f, 0.0f};
  const std::vector<float> scales = weight_scales(pw, w);
  ASSERT_EQ(scales.size(), 2u);
  EXPECT_FLOAT_EQ(scales[0], 0.01f);
  EXPECT_EQ(scales[1], 1.0f);
  const std::vector<int> expected = {50, -127, 10, 0, 0, 0};
  for (std::size_t j = 0; j < w.size(); ++j) {
    EXPECT_EQ(quantize_weight(w[j], scales[weight_channel(pw, j)]), expected[j]) << j;
  }

  // Depthwise [k][k][c], c = 2: channel 0 at even indices (max 0.4), channel 1 at odd (max 2.54).
  const Layer dw = depthwise_layer(3, 2);
  const std::vector<float> c0 = {-0.4f, 0.1f, 0.3f, -0.05f, 0.0f, 0.4f, 0.01f, -0.3f, 0.25f};
  const std::vector<int> q0 = {-127, 32, 95, -16, 0, 127, 3, -95, 79};  // w * 317.5
  const std::vector<float> c1 = {0.02f, -0.04f, 2.54f, 0.0f, 0.1f, -2.0f, 1.0f, 0.06f, -0.02f};
  const std::vector<int> q1 = {1, -2, 127, 0, 5, -100, 50, 3, -1};  // w * 50
  std::vector<float> dw_w;
  for (std::size_t t = 0; t < 9; ++t) {
    dw_w.push_back(c0[t]);
    dw_w.push_back(c1[t]);
  }
  const std::vector<float> dw_scales = weight_scales(dw, dw_w);
  EXPECT_FLOAT_EQ(dw_scales[0], 0.4f / 127.0f);
  EXPECT_FLOAT_EQ(dw_scales[1], 0.02f);
  for (std::size_t t = 0; t < 9; ++t) {
    EXPECT_EQ(quantize_weight(dw_w[2 * t], dw_scales[0]), q0[t]) << t;
    EXPECT_EQ(quantize_weight(dw_w[2 * t + 1], dw_scales[1]), q1[t]) << t;
  }
}

std::vector<float> random_values(std::size_t count, float lo, float hi, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<float> v(count);
  for (float& x : v) x = lo + (hi - lo) * static_cast<float>(rng.unit());
  return v;
}

TEST(FakeQuantTest, ActivationsEqualQuantizeThenDequantize) {
  const QuantParams p = choose_activation_params(-1.3f, 4.1f);
  std::vector<float> x = random_values(10000, -3.0f, 6.0f, 3);  // some beyond the range
  x.push_back(0.0f);
  std::vector<float> y(x.size());
  fake_quantize_activations(p, x.data(), y.data(), x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    ASSERT_EQ(y[i], dequantize_value(quantize_value(x[i], p), p)) << x[i];
  }
  EXPECT_EQ(y.back(), 0.0f);
  // In place, through the Tensor overload with a range, gives the same values.
  Tensor t(1, 1, 1, static_cast<int>(x.size()));
  t.data = x;
  fake_quantize_activations(-1.3f, 4.1f, t);
  EXPECT_EQ(t.data, y);
  // Already on the grid: a second pass changes nothing.
  std::vector<float> again(y.size());
  fake_quantize_activations(p, y.data(), again.data(), y.size());
  EXPECT_EQ(again, y);
}

TEST(FakeQuantTest, WeightsEqualQuantizeThenDequantizePerChannel) {
  for (const Layer& layer : {pointwise_layer(5, 4), depthwise_layer(3, 6)}) {
    const std::size_t count =
        static_cast<std::size_t>(weights_per_output_channel(layer)) * layer.out.c;
    const std::vector<float> w = random_values(count, -0.7f, 0.9f, 5);
    std::vector<float> fq;
    const std::vector<float> scales = fake_quantize_weights(layer, w, fq);
    EXPECT_EQ(scales, weight_scales(layer, w));
    ASSERT_EQ(fq.size(), w.size());
    for (std::size_t j = 0; j < w.size(); ++j) {
      const float s = scales[weight_channel(layer, j)];
      ASSERT_EQ(fq[j], static_cast<float>(quantize_weight(w[j], s)) * s) << j;
      ASSERT_LE(std::fabs(fq[j] - w[j]), 0.5001f * s) << j;  // max-abs scale: nothing clipped
    }
    std::vector<float> in_place = w;
    fake_quantize_weights(layer, in_place, in_place);
    EXPECT_EQ(in_place, fq);
  }
}

TEST(FakeQuantTest, StraightThroughGradientMasksOutsideTheRange) {
  const QuantParams p = choose_activation_params(-1.0f, 3.0f);  // scale 4/255, zp -64
  const float lo = dequantize_value(-128, p);  // -64 * 4/255
  const float hi = dequantize_value(127, p);   // 191 * 4/255
  const std::vector<float> x = {lo - 0.01f, lo, -0.5f, 0.0f, 2.9f, hi, hi + 0.01f, 100.0f};
  const std::vector<float> expected = {0.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 0.0f, 0.0f};
  std::vector<float> grad = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f};
  fake_quantize_activations_backward(p, x.data(), grad.data(), x.size());
  EXPECT_EQ(grad, expected);
  // The forward clamps exactly where the gradient stops.
  std::vector<float> y(x.size());
  fake_quantize_activations(p, x.data(), y.data(), x.size());
  EXPECT_EQ(y.front(), lo);
  EXPECT_EQ(y.back(), hi);
}

}  // namespace
}  // namespace patchnas::trainer
