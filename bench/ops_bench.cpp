// ops_bench: speed of the trainer's hottest kernels (trainer/ops) and of one whole training step
// (forward + backward, no optimizer) of the reference network, at batch 128.
// Each benchmark takes the thread count as its argument and runs in a oneTBB arena of that size.
// Counters: GB/s counts the tensors each op must read and write once (activations, gradients);
// GFLOP/s counts 2 per multiply-add; samples/s for the whole network.
//   bench_ops --benchmark_filter='Depthwise|BatchNorm|Pointwise|Net'
#include <benchmark/benchmark.h>
#include <tbb/task_arena.h>

#include <random>
#include <vector>

#include "trainer/ops/batchnorm.hpp"
#include "trainer/ops/conv2d.hpp"
#include "trainer/ops/depthwise.hpp"
#include "trainer/ops/loss.hpp"
#include "trainer/ops/pointwise.hpp"
#include "trainer/ops/pool_fc.hpp"

namespace {

using namespace patchnas::trainer;

constexpr int kBatch = 128;

std::mt19937& rng() {
  static std::mt19937 generator(42);
  return generator;
}

void fill(std::vector<float>& v, float lo = -1.0f, float hi = 1.0f) {
  std::uniform_real_distribution<float> dist(lo, hi);
  for (float& x : v) x = dist(rng());
}

Tensor random_tensor(int n, int h, int w, int c) {
  Tensor t(n, h, w, c);
  fill(t.data);
  return t;
}

BatchNormParams make_bn(int c) {
  BatchNormParams bn{std::vector<float>(c), std::vector<float>(c), std::vector<float>(c, 0.0f),
                     std::vector<float>(c, 1.0f)};
  fill(bn.gamma, 0.5f, 1.5f);
  fill(bn.beta, 0.0f, 3.0f);
  return bn;
}

// Runs `body` repeatedly inside an arena of state.range(0) threads; sets the rate counters from
// the bytes and multiply-adds of one iteration.
template <class Body>
void run(benchmark::State& state, double bytes, double macs, Body&& body) {
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  arena.execute([&] {
    for (auto _ : state) body();
  });
  const auto iterations = static_cast<double>(state.iterations());
  if (bytes > 0) {
    state.counters["GB/s"] =
        benchmark::Counter(bytes * iterations / 1e9, benchmark::Counter::kIsRate);
  }
  if (macs > 0) {
    state.counters["GFLOP/s"] =
        benchmark::Counter(2 * macs * iterations / 1e9, benchmark::Counter::kIsRate);
  }
}

constexpr double kFloat = sizeof(float);

void BM_DepthwiseForward3x3(benchmark::State& state) {
  const Tensor x = random_tensor(kBatch, 14, 14, 96);
  std::vector<float> w(9 * 96);
  fill(w);
  Tensor y;
  const ConvGeometry g{3, 1, 1};
  const auto elements = static_cast<double>(x.size());
  run(state, 2.0 * kFloat * elements, 9.0 * elements, [&] { depthwise_forward(x, w, g, y); });
}

void BM_DepthwiseBackward3x3(benchmark::State& state) {
  const Tensor x = random_tensor(kBatch, 14, 14, 96);
  const Tensor dy = random_tensor(kBatch, 14, 14, 96);
  std::vector<float> w(9 * 96);
  std::vector<float> dw(w.size());
  fill(w);
  Tensor dx;
  const ConvGeometry g{3, 1, 1};
  run(state, 3.0 * kFloat * static_cast<double>(x.size()), 18.0 * static_cast<double>(x.size()),
      [&] { depthwise_backward(x, dy, w, g, &dx, dw); });
}

void BM_BatchNormRelu6Forward(benchmark::State& state) {
  const Tensor x = random_tensor(kBatch, 14, 14, 96);
  BatchNormParams bn = make_bn(96);
  BatchNormSaved saved;
  Tensor y;
  run(state, 2.0 * kFloat * static_cast<double>(x.size()), 0,
      [&] { batchnorm_forward_train(x, bn, Activation::Relu6, y, saved); });
}

void BM_BatchNormRelu6Backward(benchmark::State& state) {
  const Tensor x = random_tensor(kBatch, 14, 14, 96);
  const Tensor dy = random_tensor(kBatch, 14, 14, 96);
  BatchNormParams bn = make_bn(96);
  BatchNormSaved saved;
  Tensor y;
  batchnorm_forward_train(x, bn, Activation::Relu6, y, saved);
  Tensor dx;
  std::vector<float> dgamma(96), dbeta(96);
  run(state, 3.0 * kFloat * static_cast<double>(x.size()), 0, [&] {
    batchnorm_backward(x, dy, bn, saved, Activation::Relu6, dx, dgamma, dbeta);
  });
}

void BM_PointwiseForward16to96(benchmark::State& state) {
  const Tensor x = random_tensor(kBatch, 14, 14, 16);
  std::vector<float> w(96 * 16);
  fill(w);
  Tensor y;
  const double pixels = static_cast<double>(x.pixels());
  run(state, pixels * (16 + 96) * kFloat, pixels * 16 * 96,
      [&] { pointwise_forward(x, w, 96, nullptr, y); });
}

void BM_PointwiseBackward16to96(benchmark::State& state) {
  const Tensor x = random_tensor(kBatch, 14, 14, 16);
  const Tensor dy = random_tensor(kBatch, 14, 14, 96);
  std::vector<float> w(96 * 16);
  std::vector<float> dw(w.size());
  fill(w);
  Tensor dx;
  const double pixels = static_cast<double>(x.pixels());
  run(state, pixels * (16 + 96 + 16) * kFloat, 2.0 * pixels * 16 * 96,
      [&] { pointwise_backward(x, dy, w, &dx, dw); });
}

// The reference network: 28x28x1, stem 3x3 s2 -> 16, six inverted-residual blocks, GAP, FC 10.
struct BlockSpec {
  int expand;
  int out;
  int k;
  int stride;
};
constexpr BlockSpec kBlocks[] = {{3, 16, 3, 1}, {6, 24, 3, 2}, {3, 24, 5, 1},
                                 {6, 32, 3, 2}, {3, 32, 5, 1}, {6, 64, 3, 1}};

struct Conv {  // a convolution followed by BatchNorm: weights, BN, and the step's buffers
  std::vector<float> w, dw;
  BatchNormParams bn;
  BatchNormSaved saved;
  std::vector<float> dgamma, dbeta;
  Tensor pre, post;  // conv output, BN(+ReLU6) output

  Conv(std::size_t weights, int c) : w(weights), dw(weights), bn(make_bn(c)), dgamma(c), dbeta(c) {
    fill(w, -0.3f, 0.3f);
  }
};

struct Block {
  BlockSpec spec;
  int in_c;
  bool residual;
  Conv expand, depthwise, project;
  Tensor d_a, d_b;  // scratch gradients, used in turn
};

struct ReferenceNet {
  Conv stem{16 * 9, 16};
  std::vector<Block> blocks;
  std::vector<float> fc_w = std::vector<float>(10 * 64), fc_b = std::vector<float>(10);
  std::vector<float> d_fc_w = std::vector<float>(10 * 64), d_fc_b = std::vector<float>(10);
  Tensor image = random_tensor(kBatch, 28, 28, 1);
  std::vector<int> labels = std::vector<int>(kBatch);
  Tensor pooled, logits, d_logits, d_pooled, d_features, d_stem_pre;

  ReferenceNet() {
    int c = 16;
    for (const BlockSpec& s : kBlocks) {
      const int mid = c * s.expand;
      blocks.push_back(Block{s, c, s.stride == 1 && c == s.out,
                             Conv(static_cast<std::size_t>(mid) * c, mid),
                             Conv(static_cast<std::size_t>(s.k) * s.k * mid, mid),
                             Conv(static_cast<std::size_t>(s.out) * mid, s.out), {}, {}});
      c = s.out;
    }
    fill(fc_w, -0.3f, 0.3f);
    for (int i = 0; i < kBatch; ++i) labels[i] = i % 10;
  }

  void step() {
    const ConvGeometry stem_g{3, 2, 1};
    conv2d_forward(image, stem.w, 16, stem_g, stem.pre);
    batchnorm_forward_train(stem.pre, stem.bn, Activation::Relu6, stem.post, stem.saved);
    const Tensor* x = &stem.post;
    for (Block& b : blocks) {
      const int mid = b.in_c * b.spec.expand;
      const ConvGeometry g{b.spec.k, b.spec.stride, b.spec.k / 2};
      pointwise_forward(*x, b.expand.w, mid, nullptr, b.expand.pre);
      batchnorm_forward_train(b.expand.pre, b.expand.bn, Activation::Relu6, b.expand.post,
                              b.expand.saved);
      depthwise_forward(b.expand.post, b.depthwise.w, g, b.depthwise.pre);
      batchnorm_forward_train(b.depthwise.pre, b.depthwise.bn, Activation::Relu6,
                              b.depthwise.post, b.depthwise.saved);
      pointwise_forward(b.depthwise.post, b.project.w, b.spec.out, nullptr, b.project.pre);
      batchnorm_forward_train(b.project.pre, b.project.bn, Activation::None, b.project.post,
                              b.project.saved, b.residual ? x : nullptr);
      x = &b.project.post;
    }
    global_avg_pool_forward(*x, pooled);
    fc_forward(pooled, fc_w, fc_b, logits);
    benchmark::DoNotOptimize(softmax_cross_entropy(logits, labels, 0.1f, d_logits));

    fc_backward(pooled, d_logits, fc_w, &d_pooled, d_fc_w, d_fc_b);
    global_avg_pool_backward(d_pooled, x->h, x->w, d_features);
    Tensor* dy = &d_features;  // gradient of the current block's output
    for (auto it = blocks.rbegin(); it != blocks.rend(); ++it) {
      Block& b = *it;
      const Tensor& in = std::next(it) == blocks.rend() ? stem.post : std::next(it)->project.post;
      const ConvGeometry g{b.spec.k, b.spec.stride, b.spec.k / 2};
      batchnorm_backward(b.project.pre, *dy, b.project.bn, b.project.saved, Activation::None,
                         b.d_a, b.project.dgamma, b.project.dbeta);
      pointwise_backward(b.depthwise.post, b.d_a, b.project.w, &b.d_b, b.project.dw);
      batchnorm_backward(b.depthwise.pre, b.d_b, b.depthwise.bn, b.depthwise.saved,
                         Activation::Relu6, b.d_a, b.depthwise.dgamma, b.depthwise.dbeta);
      depthwise_backward(b.expand.post, b.d_a, b.depthwise.w, g, &b.d_b, b.depthwise.dw);
      batchnorm_backward(b.expand.pre, b.d_b, b.expand.bn, b.expand.saved, Activation::Relu6,
                         b.d_a, b.expand.dgamma, b.expand.dbeta);
      pointwise_backward(in, b.d_a, b.expand.w, &b.d_b, b.expand.dw);
      if (b.residual) {
        for (std::size_t i = 0; i < dy->size(); ++i) b.d_b.data[i] += dy->data[i];
      }
      dy = &b.d_b;
    }
    batchnorm_backward(stem.pre, *dy, stem.bn, stem.saved, Activation::Relu6, d_stem_pre,
                       stem.dgamma, stem.dbeta);
    conv2d_backward(image, d_stem_pre, stem.w, stem_g, nullptr, stem.dw);
  }
};

void BM_ReferenceNetTrainStep(benchmark::State& state) {
  ReferenceNet net;
  run(state, 0, 1.85e6 * 3 * kBatch, [&] { net.step(); });
  state.counters["samples/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * kBatch, benchmark::Counter::kIsRate);
}

#define OPS_BENCH(fn) BENCHMARK(fn)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()
OPS_BENCH(BM_DepthwiseForward3x3);
OPS_BENCH(BM_DepthwiseBackward3x3);
OPS_BENCH(BM_BatchNormRelu6Forward);
OPS_BENCH(BM_BatchNormRelu6Backward);
OPS_BENCH(BM_PointwiseForward16to96);
OPS_BENCH(BM_PointwiseBackward16to96);
OPS_BENCH(BM_ReferenceNetTrainStep);

}  // namespace

BENCHMARK_MAIN();
