// Finite-difference checks of every backward kernel in trainer/ops: for a random r, the scalar
// L = sum(y * r) (or the loss itself) is differentiated by central differences on a random
// sample of coordinates of every input and parameter, and compared with the analytic gradient.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
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

double dot(const Tensor& y, const std::vector<float>& r) {
  double sum = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) sum += static_cast<double>(y.data[i]) * r[i];
  return sum;
}

// A loss evaluation: the value, and a signature of the piecewise-linear regions it went
// through (the ReLU6 mask); a coordinate whose +h and -h runs differ in it sits on a kink.
struct Evaluation {
  double value = 0.0;
  std::uint64_t regions = 0;
};

// Checks analytic[i] against (L(v_i + h) - L(v_i - h)) / 2h on `samples` random coordinates.
void expect_gradient(const char* what, std::vector<float>& values,
                     const std::vector<float>& analytic, const std::function<Evaluation()>& loss,
                     std::mt19937& rng, int samples = 30, float h = 1e-2f) {
  ASSERT_EQ(values.size(), analytic.size()) << what;
  std::uniform_int_distribution<std::size_t> pick(0, values.size() - 1);
  int checked = 0;
  for (int s = 0; s < samples; ++s) {
    const bool every = samples >= static_cast<int>(values.size());
    const std::size_t i = every ? s % values.size() : pick(rng);
    const float saved = values[i];
    values[i] = saved + h;
    const float up = values[i] - saved;  // the step actually taken in float
    const Evaluation plus = loss();
    values[i] = saved - h;
    const float down = saved - values[i];
    const Evaluation minus = loss();
    values[i] = saved;
    if (plus.regions != minus.regions) continue;
    ++checked;
    const double numeric = (plus.value - minus.value) / (static_cast<double>(up) + down);
    const double a = analytic[i];
    EXPECT_NEAR(a, numeric, 2e-3 + 1e-2 * std::max(std::abs(a), std::abs(numeric)))
        << what << " coordinate " << i;
  }
  EXPECT_GE(checked, samples * 3 / 4) << what << ": too many coordinates on a kink";
}

std::uint64_t relu6_regions(const Tensor& y) {
  std::uint64_t signature = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const float v = y.data[i];
    if (v > 0.0f && v < 6.0f) signature = signature * 1000003u + i + 1;
  }
  return signature;
}

struct ConvCase {
  int k;
  int stride;
  int in_c;
};

class GradConv2d : public ::testing::TestWithParam<ConvCase> {};

TEST_P(GradConv2d, InputAndWeight) {
  const ConvCase p = GetParam();
  std::mt19937 rng(11);
  const ConvGeometry g{p.k, p.stride, p.k / 2};
  const int out_c = 4;
  Tensor x = random_tensor(2, 9, 7, p.in_c, rng);
  std::vector<float> w(static_cast<std::size_t>(out_c) * p.k * p.k * p.in_c);
  fill_uniform(w, rng);
  Tensor y;
  conv2d_forward(x, w, out_c, g, y);
  std::vector<float> r(y.size());
  fill_uniform(r, rng);
  Tensor dy(y.n, y.h, y.w, y.c);
  dy.data = r;
  Tensor dx;
  std::vector<float> dw(w.size(), 123.0f);  // overwritten, not accumulated
  conv2d_backward(x, dy, w, g, &dx, dw);
  const auto loss = [&] {
    Tensor out;
    conv2d_forward(x, w, out_c, g, out);
    return Evaluation{dot(out, r), 0};
  };
  expect_gradient("conv2d dx", x.data, dx.data, loss, rng);
  expect_gradient("conv2d dw", w, dw, loss, rng);
}

INSTANTIATE_TEST_SUITE_P(Grad, GradConv2d,
                         ::testing::Values(ConvCase{3, 1, 1}, ConvCase{3, 2, 3}, ConvCase{5, 1, 3},
                                           ConvCase{5, 2, 1}, ConvCase{3, 2, 1}));

struct DwCase {
  int k;
  int stride;
};

class GradDepthwise : public ::testing::TestWithParam<DwCase> {};

TEST_P(GradDepthwise, InputAndWeight) {
  const DwCase p = GetParam();
  std::mt19937 rng(12);
  const ConvGeometry g{p.k, p.stride, p.k / 2};
  const int c = 41;  // one block of 32, one of 8, one single channel
  Tensor x = random_tensor(2, 9, 7, c, rng);
  std::vector<float> w(static_cast<std::size_t>(p.k) * p.k * c);
  fill_uniform(w, rng);
  Tensor y;
  depthwise_forward(x, w, g, y);
  std::vector<float> r(y.size());
  fill_uniform(r, rng);
  Tensor dy(y.n, y.h, y.w, y.c);
  dy.data = r;
  Tensor dx;
  std::vector<float> dw(w.size(), 123.0f);
  depthwise_backward(x, dy, w, g, &dx, dw);
  const auto loss = [&] {
    Tensor out;
    depthwise_forward(x, w, g, out);
    return Evaluation{dot(out, r), 0};
  };
  expect_gradient("depthwise dx", x.data, dx.data, loss, rng, 60);
  expect_gradient("depthwise dw", w, dw, loss, rng, 60);
}

INSTANTIATE_TEST_SUITE_P(Grad, GradDepthwise,
                         ::testing::Values(DwCase{3, 1}, DwCase{3, 2}, DwCase{5, 1}, DwCase{5, 2},
                                           DwCase{7, 1}, DwCase{7, 2}));

TEST(GradPointwise, InputWeightAndResidual) {
  std::mt19937 rng(13);
  const int in_c = 12;
  const int out_c = 20;
  Tensor x = random_tensor(2, 5, 3, in_c, rng);
  Tensor residual = random_tensor(2, 5, 3, out_c, rng);
  std::vector<float> w(static_cast<std::size_t>(out_c) * in_c);
  fill_uniform(w, rng);
  Tensor y;
  pointwise_forward(x, w, out_c, &residual, y);
  std::vector<float> r(y.size());
  fill_uniform(r, rng);
  Tensor dy(y.n, y.h, y.w, y.c);
  dy.data = r;
  Tensor dx;
  std::vector<float> dw(w.size(), 123.0f);
  pointwise_backward(x, dy, w, &dx, dw);
  const auto loss = [&] {
    Tensor out;
    pointwise_forward(x, w, out_c, &residual, out);
    return Evaluation{dot(out, r), 0};
  };
  expect_gradient("pointwise dx", x.data, dx.data, loss, rng);
  expect_gradient("pointwise dw", w, dw, loss, rng);
  expect_gradient("pointwise dresidual (= dy)", residual.data, dy.data, loss, rng);
}

class GradBatchNorm : public ::testing::TestWithParam<Activation> {};

// Through the batch statistics: moving one x moves the mean and variance of its channel.
TEST_P(GradBatchNorm, InputGammaBeta) {
  const Activation act = GetParam();
  std::mt19937 rng(14);
  const int c = 10;
  Tensor x = random_tensor(3, 3, 5, c, rng);
  for (float& v : x.data) v = 2.0f * v + 0.5f;
  BatchNormParams bn{std::vector<float>(c), std::vector<float>(c), std::vector<float>(c, 0.0f),
                     std::vector<float>(c, 1.0f)};
  fill_uniform(bn.gamma, rng, 0.5f, 2.0f);
  fill_uniform(bn.beta, rng, 1.0f, 4.0f);
  BatchNormParams state = bn;
  Tensor y;
  BatchNormSaved saved;
  batchnorm_forward_train(x, state, act, y, saved);
  std::vector<float> r(y.size());
  fill_uniform(r, rng);
  Tensor dy(y.n, y.h, y.w, y.c);
  dy.data = r;
  Tensor dx;
  std::vector<float> dgamma(c, 123.0f);
  std::vector<float> dbeta(c, 123.0f);
  batchnorm_backward(x, dy, bn, saved, act, dx, dgamma, dbeta);
  const auto loss = [&] {
    BatchNormParams scratch = bn;
    BatchNormSaved unused;
    Tensor out;
    batchnorm_forward_train(x, scratch, act, out, unused);
    return Evaluation{dot(out, r), act == Activation::Relu6 ? relu6_regions(out) : 0};
  };
  expect_gradient("batchnorm dx", x.data, dx.data, loss, rng, 60, 1e-2f);
  expect_gradient("batchnorm dgamma", bn.gamma, dgamma, loss, rng, c);
  expect_gradient("batchnorm dbeta", bn.beta, dbeta, loss, rng, c);
}

INSTANTIATE_TEST_SUITE_P(Grad, GradBatchNorm,
                         ::testing::Values(Activation::None, Activation::Relu6));

TEST(GradRelu6, Standalone) {
  std::mt19937 rng(15);
  Tensor x = random_tensor(2, 3, 3, 4, rng);
  for (float& v : x.data) v = 8.0f * v + 3.0f;
  Tensor y;
  relu6_forward(x, y);
  std::vector<float> r(y.size());
  fill_uniform(r, rng);
  Tensor dy(y.n, y.h, y.w, y.c);
  dy.data = r;
  Tensor dx;
  relu6_backward(y, dy, dx);
  const auto loss = [&] {
    Tensor out;
    relu6_forward(x, out);
    return Evaluation{dot(out, r), relu6_regions(out)};
  };
  expect_gradient("relu6 dx", x.data, dx.data, loss, rng, static_cast<int>(x.size()));
}

TEST(GradPooling, GlobalAverage) {
  std::mt19937 rng(16);
  Tensor x = random_tensor(3, 5, 3, 7, rng);
  Tensor y;
  global_avg_pool_forward(x, y);
  std::vector<float> r(y.size());
  fill_uniform(r, rng);
  Tensor dy(y.n, 1, 1, y.c);
  dy.data = r;
  Tensor dx;
  global_avg_pool_backward(dy, x.h, x.w, dx);
  const auto loss = [&] {
    Tensor out;
    global_avg_pool_forward(x, out);
    return Evaluation{dot(out, r), 0};
  };
  expect_gradient("pool dx", x.data, dx.data, loss, rng);
}

TEST(GradFullyConnected, InputWeightBias) {
  std::mt19937 rng(17);
  const int in = 24;
  const int out = 10;
  Tensor x = random_tensor(5, 1, 1, in, rng);
  std::vector<float> w(static_cast<std::size_t>(out) * in);
  std::vector<float> b(out);
  fill_uniform(w, rng);
  fill_uniform(b, rng);
  Tensor y;
  fc_forward(x, w, b, y);
  std::vector<float> r(y.size());
  fill_uniform(r, rng);
  Tensor dy(y.n, 1, 1, out);
  dy.data = r;
  Tensor dx;
  std::vector<float> dw(w.size(), 123.0f);
  std::vector<float> db(b.size(), 123.0f);
  fc_backward(x, dy, w, &dx, dw, db);
  const auto loss = [&] {
    Tensor o;
    fc_forward(x, w, b, o);
    return Evaluation{dot(o, r), 0};
  };
  expect_gradient("fc dx", x.data, dx.data, loss, rng);
  expect_gradient("fc dw", w, dw, loss, rng);
  expect_gradient("fc db", b, db, loss, rng, out);
}

class GradLoss : public ::testing::TestWithParam<float> {};

TEST_P(GradLoss, Logits) {
  const float smoothing = GetParam();
  std::mt19937 rng(18);
  Tensor logits = random_tensor(6, 1, 1, 5, rng);
  for (float& v : logits.data) v *= 3.0f;
  const std::vector<int> labels = {0, 4, 2, 2, 1, 3};
  Tensor grad;
  softmax_cross_entropy(logits, labels, smoothing, grad);
  const auto loss = [&] {
    Tensor unused;
    return Evaluation{softmax_cross_entropy(logits, labels, smoothing, unused).loss, 0};
  };
  expect_gradient("loss dlogits", logits.data, grad.data, loss, rng,
                  static_cast<int>(logits.size()), 1e-2f);
}

INSTANTIATE_TEST_SUITE_P(Grad, GradLoss, ::testing::Values(0.0f, 0.1f));

}  // namespace
}  // namespace patchnas::trainer
