// Forward kernels of trainer/ops against naive loops written here (in double), BatchNorm and the
// loss against hand-computed values, and bit-identical results whatever the thread count.
#include <gtest/gtest.h>

#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <stdexcept>
#include <vector>

#include "random_tensors.hpp"
#include "trainer/ops/batchnorm.hpp"
#include "trainer/ops/conv2d.hpp"
#include "trainer/ops/depthwise.hpp"
#include "trainer/ops/loss.hpp"
#include "trainer/ops/pointwise.hpp"
#include "trainer/ops/pool_fc.hpp"

namespace patchnas::trainer {
namespace {

using testing::fill_uniform;
using testing::random_tensor;

void expect_close(const std::vector<float>& actual, const std::vector<double>& expected,
                  double tolerance = 1e-4) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    ASSERT_NEAR(actual[i], expected[i], tolerance * (1.0 + std::abs(expected[i]))) << "at " << i;
  }
}

// The naive dense convolution; depthwise when `depthwise` (weight [k][k][c], out_c = c).
std::vector<double> naive_conv(const Tensor& x, const std::vector<float>& w, int out_c,
                               ConvGeometry g, bool depthwise) {
  const int ho = (x.h + 2 * g.pad - g.k) / g.stride + 1;
  const int wo = (x.w + 2 * g.pad - g.k) / g.stride + 1;
  std::vector<double> y(static_cast<std::size_t>(x.n) * ho * wo * out_c, 0.0);
  for (int n = 0; n < x.n; ++n)
    for (int oy = 0; oy < ho; ++oy)
      for (int ox = 0; ox < wo; ++ox)
        for (int o = 0; o < out_c; ++o) {
          double sum = 0.0;
          for (int ky = 0; ky < g.k; ++ky)
            for (int kx = 0; kx < g.k; ++kx) {
              const int iy = oy * g.stride - g.pad + ky;
              const int ix = ox * g.stride - g.pad + kx;
              if (iy < 0 || iy >= x.h || ix < 0 || ix >= x.w) continue;
              if (depthwise) {
                sum += double{x.at(n, iy, ix, o)} * w[(ky * g.k + kx) * x.c + o];
              } else {
                for (int i = 0; i < x.c; ++i) {
                  sum += double{x.at(n, iy, ix, i)} * w[((o * g.k + ky) * g.k + kx) * x.c + i];
                }
              }
            }
          y[((static_cast<std::size_t>(n) * ho + oy) * wo + ox) * out_c + o] = sum;
        }
  return y;
}

struct GeometryCase {
  int k;
  int stride;
  int channels;  // in_c for conv2d, c for depthwise
};

class OpsConv2d : public ::testing::TestWithParam<GeometryCase> {};

TEST_P(OpsConv2d, MatchesNaiveLoops) {
  const GeometryCase p = GetParam();
  std::mt19937 rng(1);
  const ConvGeometry g{p.k, p.stride, p.k / 2};
  Tensor x = random_tensor(3, 11, 9, p.channels, rng);
  std::vector<float> w(static_cast<std::size_t>(6) * p.k * p.k * p.channels);
  fill_uniform(w, rng);
  Tensor y;
  conv2d_forward(x, w, 6, g, y);
  EXPECT_EQ(y.h, (11 - 1) / p.stride + 1);
  EXPECT_EQ(y.w, (9 - 1) / p.stride + 1);
  expect_close(y.data, naive_conv(x, w, 6, g, false));
}

INSTANTIATE_TEST_SUITE_P(Ops, OpsConv2d,
                         ::testing::Values(GeometryCase{3, 1, 1}, GeometryCase{3, 2, 1},
                                           GeometryCase{3, 2, 3}, GeometryCase{5, 1, 3},
                                           GeometryCase{5, 2, 8}, GeometryCase{7, 2, 3}));

class OpsDepthwise : public ::testing::TestWithParam<GeometryCase> {};

TEST_P(OpsDepthwise, MatchesNaiveLoops) {
  const GeometryCase p = GetParam();
  std::mt19937 rng(2);
  const ConvGeometry g{p.k, p.stride, p.k / 2};
  Tensor x = random_tensor(2, 13, 10, p.channels, rng);
  std::vector<float> w(static_cast<std::size_t>(p.k) * p.k * p.channels);
  fill_uniform(w, rng);
  Tensor y;
  depthwise_forward(x, w, g, y);
  EXPECT_EQ(y.c, p.channels);
  expect_close(y.data, naive_conv(x, w, p.channels, g, true));
}

INSTANTIATE_TEST_SUITE_P(Ops, OpsDepthwise,
                         ::testing::Values(GeometryCase{3, 1, 96}, GeometryCase{3, 2, 13},
                                           GeometryCase{5, 1, 41}, GeometryCase{5, 2, 8},
                                           GeometryCase{7, 1, 3}, GeometryCase{7, 2, 72}));

// Backward with and without dx gives the same weight gradient (the nullable dx path).
TEST(OpsDepthwise, WeightGradientDoesNotDependOnDx) {
  std::mt19937 rng(3);
  const ConvGeometry g{3, 2, 1};
  Tensor x = random_tensor(3, 9, 9, 24, rng);
  std::vector<float> w(9 * 24);
  fill_uniform(w, rng);
  Tensor dy = random_tensor(3, 5, 5, 24, rng);
  Tensor dx;
  std::vector<float> dw_with(w.size());
  std::vector<float> dw_without(w.size());
  depthwise_backward(x, dy, w, g, &dx, dw_with);
  depthwise_backward(x, dy, w, g, nullptr, dw_without);
  EXPECT_EQ(dw_with, dw_without);
}

std::vector<double> naive_pointwise(const Tensor& x, const std::vector<float>& w, int out_c,
                                    const Tensor* residual) {
  std::vector<double> y(x.pixels() * out_c);
  for (std::size_t p = 0; p < x.pixels(); ++p)
    for (int o = 0; o < out_c; ++o) {
      double sum = residual ? residual->data[p * out_c + o] : 0.0;
      for (int i = 0; i < x.c; ++i) sum += double{x.data[p * x.c + i]} * w[o * x.c + i];
      y[p * out_c + o] = sum;
    }
  return y;
}

TEST(OpsPointwise, MatchesNaiveLoopsWithAndWithoutResidual) {
  std::mt19937 rng(4);
  // 2*23*13 = 598 pixels: two full chunks of 256 and a short one.
  Tensor x = random_tensor(2, 23, 13, 16, rng);
  std::vector<float> w(24 * 16);
  fill_uniform(w, rng);
  Tensor residual = random_tensor(2, 23, 13, 24, rng);
  Tensor y;
  pointwise_forward(x, w, 24, nullptr, y);
  expect_close(y.data, naive_pointwise(x, w, 24, nullptr));
  pointwise_forward(x, w, 24, &residual, y);
  expect_close(y.data, naive_pointwise(x, w, 24, &residual));
  const std::vector<double> expected = naive_pointwise(x, w, 24, &residual);
  Tensor in_place = residual;  // the residual added in place into the output
  pointwise_forward(x, w, 24, &in_place, in_place);
  expect_close(in_place.data, expected);
}

TEST(OpsMatmul, AllLayoutsAndTinyShapes) {
  std::mt19937 rng(5);
  for (const auto [m, n, k] : {std::array{1, 7, 5}, std::array{9, 1, 4}, std::array{3, 4, 2},
                               std::array{37, 29, 19}, std::array{64, 10, 1}}) {
    std::vector<float> a(static_cast<std::size_t>(m) * k);
    std::vector<float> b(static_cast<std::size_t>(k) * n);
    fill_uniform(a, rng);
    fill_uniform(b, rng);
    // a as [m][k] and [k][m]; b as [k][n] and [n][k].
    std::vector<float> a_t(a.size());
    std::vector<float> b_t(b.size());
    for (int i = 0; i < m; ++i)
      for (int p = 0; p < k; ++p) a_t[p * m + i] = a[i * k + p];
    for (int p = 0; p < k; ++p)
      for (int j = 0; j < n; ++j) b_t[j * k + p] = b[p * n + j];
    std::vector<double> expected(static_cast<std::size_t>(m) * n);
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) {
        double sum = 1.0;  // the accumulate case starts from ones
        for (int p = 0; p < k; ++p) sum += double{a[i * k + p]} * b[p * n + j];
        expected[i * n + j] = sum;
      }
    std::vector<float> c(expected.size(), 1.0f);
    matmul_ab(m, n, k, a.data(), b.data(), c.data(), true);
    expect_close(c, expected);
    c.assign(c.size(), 1.0f);
    matmul_abt(m, n, k, a.data(), b_t.data(), c.data(), true);
    expect_close(c, expected);
    c.assign(c.size(), 1.0f);
    matmul_atb(m, n, k, a_t.data(), b.data(), c.data(), true);
    expect_close(c, expected);
    c.assign(c.size(), 99.0f);  // overwrite mode ignores the old contents
    matmul_ab(m, n, k, a.data(), b.data(), c.data(), false);
    for (double& e : expected) e -= 1.0;
    expect_close(c, expected);
  }
}

BatchNormParams make_bn(std::vector<float> gamma, std::vector<float> beta, std::vector<float> mean,
                        std::vector<float> var) {
  return BatchNormParams{std::move(gamma), std::move(beta), std::move(mean), std::move(var)};
}

TEST(OpsBatchNorm, EvalUsesRunningStatisticsByHand) {
  Tensor x(1, 1, 2, 2);
  x.data = {1.5f, -1.0f, 6.5f, 0.0f};
  const BatchNormParams bn = make_bn({2.0f, 1.0f}, {1.0f, -0.5f}, {0.5f, 1.0f}, {4.0f, 0.25f});
  Tensor y;
  batchnorm_forward_eval(x, bn, Activation::None, y);
  // channel 0: 2 (x - 0.5) / sqrt(4 + 1e-5) + 1;  channel 1: (x - 1) / sqrt(0.25 + 1e-5) - 0.5
  const double s0 = 2.0 / std::sqrt(4.0 + 1e-5);
  const double s1 = 1.0 / std::sqrt(0.25 + 1e-5);
  expect_close(y.data, {s0 * 1.0 + 1.0, s1 * -2.0 - 0.5, s0 * 6.0 + 1.0, s1 * -1.0 - 0.5}, 1e-6);
  batchnorm_forward_eval(x, bn, Activation::Relu6, y);
  expect_close(y.data, {s0 * 1.0 + 1.0, 0.0, 6.0, 0.0}, 1e-6);
}

TEST(OpsBatchNorm, TrainingNormalizesAndUpdatesRunningStatisticsByHand) {
  // One channel, values 1, 2, 3, 4: mean 2.5, biased variance 1.25, unbiased 5/3.
  Tensor x(2, 1, 2, 1);
  x.data = {1.0f, 2.0f, 3.0f, 4.0f};
  BatchNormParams bn = make_bn({1.0f}, {0.0f}, {0.0f}, {1.0f});
  Tensor y;
  BatchNormSaved saved;
  batchnorm_forward_train(x, bn, Activation::None, y, saved);
  const double inv_std = 1.0 / std::sqrt(1.25 + 1e-5);
  expect_close(y.data, {-1.5 * inv_std, -0.5 * inv_std, 0.5 * inv_std, 1.5 * inv_std}, 1e-6);
  EXPECT_FLOAT_EQ(saved.mean[0], 2.5f);
  EXPECT_NEAR(saved.inv_std[0], inv_std, 1e-6);
  EXPECT_NEAR(bn.running_mean[0], 0.9 * 0.0 + 0.1 * 2.5, 1e-7);
  EXPECT_NEAR(bn.running_var[0], 0.9 * 1.0 + 0.1 * (5.0 / 3.0), 1e-7);
  batchnorm_forward_train(x, bn, Activation::None, y, saved);  // momentum applies again
  EXPECT_NEAR(bn.running_mean[0], 0.9 * 0.25 + 0.1 * 2.5, 1e-6);
  EXPECT_NEAR(bn.running_var[0], 0.9 * (0.9 + 0.1 * 5.0 / 3.0) + 0.1 * (5.0 / 3.0), 1e-6);
}

// Statistics stay accurate when the mean dwarfs the spread (no E[x^2] - E[x]^2 cancellation),
// over many chunks of pixels.
TEST(OpsBatchNorm, StatisticsRobustToLargeMean) {
  std::mt19937 rng(6);
  Tensor x = random_tensor(16, 12, 12, 3, rng);
  std::vector<double> mean(3, 0.0);
  std::vector<double> var(3, 0.0);
  for (float& v : x.data) v = 1000.0f + 0.01f * v;
  for (std::size_t i = 0; i < x.size(); ++i) mean[i % 3] += x.data[i];
  for (double& m : mean) m /= static_cast<double>(x.pixels());
  for (std::size_t i = 0; i < x.size(); ++i) var[i % 3] += std::pow(x.data[i] - mean[i % 3], 2);
  for (double& v : var) v /= static_cast<double>(x.pixels());
  BatchNormParams bn = make_bn({1, 1, 1}, {0, 0, 0}, {0, 0, 0}, {1, 1, 1});
  Tensor y;
  BatchNormSaved saved;
  batchnorm_forward_train(x, bn, Activation::None, y, saved);
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(saved.mean[c], mean[c], 1e-4);
    EXPECT_NEAR(saved.inv_std[c], 1.0 / std::sqrt(var[c] + 1e-5), 1e-3 / std::sqrt(var[c] + 1e-5));
  }
}

TEST(OpsBatchNorm, FusedRelu6EqualsBatchNormThenRelu6) {
  std::mt19937 rng(7);
  Tensor x = random_tensor(4, 7, 7, 20, rng);
  for (float& v : x.data) v *= 5.0f;
  BatchNormParams bn = make_bn(std::vector<float>(20), std::vector<float>(20),
                               std::vector<float>(20, 0.0f), std::vector<float>(20, 1.0f));
  fill_uniform(bn.gamma, rng, 0.5f, 3.0f);
  fill_uniform(bn.beta, rng, -1.0f, 5.0f);
  BatchNormParams plain_state = bn;
  BatchNormParams fused_state = bn;
  Tensor plain;
  Tensor fused;
  BatchNormSaved saved_plain;
  BatchNormSaved saved_fused;
  batchnorm_forward_train(x, plain_state, Activation::None, plain, saved_plain);
  batchnorm_forward_train(x, fused_state, Activation::Relu6, fused, saved_fused);
  Tensor clamped;
  relu6_forward(plain, clamped);
  EXPECT_EQ(fused.data, clamped.data);
  EXPECT_EQ(plain_state.running_var, fused_state.running_var);

  // Backward: fused == relu6 backward then plain BN backward.
  Tensor dy = random_tensor(4, 7, 7, 20, rng);
  Tensor d_fused;
  Tensor d_masked;
  Tensor d_plain;
  std::vector<float> dg_fused(20), db_fused(20), dg_plain(20), db_plain(20);
  batchnorm_backward(x, dy, bn, saved_fused, Activation::Relu6, d_fused, dg_fused, db_fused);
  relu6_backward(fused, dy, d_masked);
  batchnorm_backward(x, d_masked, bn, saved_plain, Activation::None, d_plain, dg_plain, db_plain);
  EXPECT_EQ(d_fused.data, d_plain.data);
  EXPECT_EQ(dg_fused, dg_plain);
  EXPECT_EQ(db_fused, db_plain);
}

// The projection's shortcut, added after the (linear) BN in the same pass.
TEST(OpsBatchNorm, ResidualIsAddedAfterNormalization) {
  std::mt19937 rng(10);
  Tensor x = random_tensor(2, 5, 5, 12, rng);
  Tensor shortcut = random_tensor(2, 5, 5, 12, rng);
  BatchNormParams bn = make_bn(std::vector<float>(12, 1.5f), std::vector<float>(12, 0.25f),
                               std::vector<float>(12, 0.0f), std::vector<float>(12, 1.0f));
  BatchNormParams state = bn;
  Tensor plain;
  Tensor with_shortcut;
  BatchNormSaved saved;
  batchnorm_forward_train(x, state, Activation::None, plain, saved);
  batchnorm_forward_train(x, bn, Activation::None, with_shortcut, saved, &shortcut);
  for (std::size_t i = 0; i < x.size(); ++i) {
    ASSERT_EQ(with_shortcut.data[i], plain.data[i] + shortcut.data[i]) << "at " << i;
  }
  batchnorm_forward_eval(x, bn, Activation::None, plain);
  batchnorm_forward_eval(x, bn, Activation::None, with_shortcut, &shortcut);
  for (std::size_t i = 0; i < x.size(); ++i) {
    ASSERT_EQ(with_shortcut.data[i], plain.data[i] + shortcut.data[i]) << "at " << i;
  }
  EXPECT_THROW(batchnorm_forward_eval(x, bn, Activation::None, with_shortcut, &with_shortcut),
               std::invalid_argument);
}

TEST(OpsPoolFc, MatchNaiveLoops) {
  std::mt19937 rng(8);
  Tensor x = random_tensor(20, 4, 3, 12, rng);  // 20 samples: chunks of 8, 8 and 4
  Tensor pooled;
  global_avg_pool_forward(x, pooled);
  std::vector<double> expected(20 * 12, 0.0);
  for (int n = 0; n < 20; ++n)
    for (int y = 0; y < 4; ++y)
      for (int xx = 0; xx < 3; ++xx)
        for (int c = 0; c < 12; ++c) expected[n * 12 + c] += x.at(n, y, xx, c) / 12.0;
  ASSERT_EQ(pooled.h, 1);
  expect_close(pooled.data, expected);

  std::vector<float> w(10 * 12);
  std::vector<float> b(10);
  fill_uniform(w, rng);
  fill_uniform(b, rng);
  Tensor logits;
  fc_forward(pooled, w, b, logits);
  std::vector<double> expected_logits(20 * 10);
  for (int n = 0; n < 20; ++n)
    for (int o = 0; o < 10; ++o) {
      double sum = b[o];
      for (int i = 0; i < 12; ++i) sum += double{pooled.data[n * 12 + i]} * w[o * 12 + i];
      expected_logits[n * 10 + o] = sum;
    }
  expect_close(logits.data, expected_logits);
}

TEST(OpsLoss, TwoClassesByHand) {
  // Logits (0, ln 3): p = (1/4, 3/4).
  Tensor logits(2, 1, 1, 2);
  const float ln3 = static_cast<float>(std::log(3.0));
  logits.data = {0.0f, ln3, 0.0f, ln3};
  const std::vector<int> labels = {1, 0};
  Tensor grad;
  LossResult r = softmax_cross_entropy(logits, labels, 0.0f, grad);
  EXPECT_NEAR(r.loss, (-std::log(0.75) - std::log(0.25)) / 2.0, 1e-6);
  EXPECT_EQ(r.correct, 1);
  expect_close(grad.data, {0.25 / 2, -0.25 / 2, -0.75 / 2, 0.75 / 2}, 1e-6);

  // Smoothing 0.2: targets (0.1, 0.9) for label 1 and (0.9, 0.1) for label 0.
  r = softmax_cross_entropy(logits, labels, 0.2f, grad);
  const double l1 = -(0.1 * std::log(0.25) + 0.9 * std::log(0.75));
  const double l0 = -(0.9 * std::log(0.25) + 0.1 * std::log(0.75));
  EXPECT_NEAR(r.loss, (l1 + l0) / 2.0, 1e-6);
  expect_close(grad.data, {(0.25 - 0.1) / 2, (0.75 - 0.9) / 2, (0.25 - 0.9) / 2, (0.75 - 0.1) / 2},
               1e-6);
}

TEST(OpsLoss, RejectsBadLabels) {
  Tensor logits(1, 1, 1, 3);
  Tensor grad;
  EXPECT_THROW(softmax_cross_entropy(logits, std::vector<int>{3}, 0.0f, grad),
               std::invalid_argument);
  EXPECT_THROW(softmax_cross_entropy(logits, std::vector<int>{0, 1}, 0.0f, grad),
               std::invalid_argument);
}

// Every op forward and backward on shapes with many chunks; returns all outputs and gradients.
std::vector<std::vector<float>> run_all_ops(std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::vector<float>> out;
  const auto keep = [&](const std::vector<float>& v) { out.push_back(v); };

  Tensor image = random_tensor(24, 28, 28, 1, rng);
  std::vector<float> stem_w(16 * 9);
  fill_uniform(stem_w, rng);
  const ConvGeometry stem{3, 2, 1};
  Tensor a;
  conv2d_forward(image, stem_w, 16, stem, a);
  keep(a.data);

  BatchNormParams bn{std::vector<float>(16, 1.5f), std::vector<float>(16, 0.5f),
                     std::vector<float>(16, 0.0f), std::vector<float>(16, 1.0f)};
  BatchNormSaved saved;
  Tensor b;
  batchnorm_forward_train(a, bn, Activation::Relu6, b, saved);
  keep(b.data);
  keep(bn.running_var);

  std::vector<float> expand_w(96 * 16);
  fill_uniform(expand_w, rng);
  Tensor e;
  pointwise_forward(b, expand_w, 96, nullptr, e);
  keep(e.data);

  std::vector<float> dw_w(25 * 96);
  fill_uniform(dw_w, rng);
  const ConvGeometry dw5{5, 1, 2};
  Tensor d;
  depthwise_forward(e, dw_w, dw5, d);
  keep(d.data);

  Tensor project_residual = random_tensor(24, 14, 14, 16, rng);
  std::vector<float> project_w(16 * 96);
  fill_uniform(project_w, rng);
  Tensor p;
  pointwise_forward(d, project_w, 16, &project_residual, p);
  keep(p.data);

  Tensor pooled;
  global_avg_pool_forward(p, pooled);
  std::vector<float> fc_w(10 * 16);
  std::vector<float> fc_b(10);
  fill_uniform(fc_w, rng);
  Tensor logits;
  fc_forward(pooled, fc_w, fc_b, logits);
  std::vector<int> labels(24);
  for (int i = 0; i < 24; ++i) labels[i] = i % 10;
  Tensor dlogits;
  const LossResult loss = softmax_cross_entropy(logits, labels, 0.1f, dlogits);
  keep({static_cast<float>(loss.loss), static_cast<float>(loss.correct)});

  Tensor dpooled;
  std::vector<float> g_fc_w(fc_w.size()), g_fc_b(10);
  fc_backward(pooled, dlogits, fc_w, &dpooled, g_fc_w, g_fc_b);
  keep(g_fc_w);
  Tensor dp;
  global_avg_pool_backward(dpooled, p.h, p.w, dp);
  for (float& v : dp.data) v *= 1000.0f;  // make the gradients sizeable
  Tensor dd;
  std::vector<float> g_project(project_w.size());
  pointwise_backward(d, dp, project_w, &dd, g_project);
  keep(dd.data);
  keep(g_project);
  Tensor de;
  std::vector<float> g_dw(dw_w.size());
  depthwise_backward(e, dd, dw_w, dw5, &de, g_dw);
  keep(de.data);
  keep(g_dw);
  Tensor db;
  std::vector<float> g_expand(expand_w.size());
  pointwise_backward(b, de, expand_w, &db, g_expand);
  keep(g_expand);
  Tensor da;
  std::vector<float> dgamma(16), dbeta(16);
  batchnorm_backward(a, db, bn, saved, Activation::Relu6, da, dgamma, dbeta);
  keep(da.data);
  keep(dgamma);
  std::vector<float> g_stem(stem_w.size());
  Tensor dimage;
  conv2d_backward(image, da, stem_w, stem, &dimage, g_stem);
  keep(g_stem);
  keep(dimage.data);
  return out;
}

TEST(OpsDeterminism, BitIdenticalWhateverTheThreadCount) {
  // Allow 8 workers even on a 2-core machine (oversubscribed, which is the point).
  const tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 8);
  std::vector<std::vector<std::vector<float>>> runs;
  for (const int threads : {1, 2, 8}) {
    tbb::task_arena arena(threads);
    arena.execute([&] { runs.push_back(run_all_ops(9)); });
  }
  ASSERT_EQ(runs.size(), 3u);
  for (std::size_t r = 1; r < runs.size(); ++r) {
    ASSERT_EQ(runs[r].size(), runs[0].size());
    for (std::size_t i = 0; i < runs[0].size(); ++i) {
      ASSERT_EQ(runs[r][i].size(), runs[0][i].size());
      EXPECT_EQ(0, std::memcmp(runs[r][i].data(), runs[0][i].data(),
                               runs[0][i].size() * sizeof(float)))
          << "output " << i << " differs between 1 thread and run " << r;
    }
  }
}

}  // namespace
}  // namespace patchnas::trainer
