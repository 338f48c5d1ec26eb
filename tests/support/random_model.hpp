// Test helper: random quantized models for an arch (random float parameters with a
// non-trivial BatchNorm, calibrated on random images), and random float images.
//   const QuantizedModel q = testing::random_quantized(arch, 7);
#pragma once

#include "space/lower.hpp"
#include "space/random.hpp"
#include "trainer/folded_float_inference.hpp"
#include "trainer/init.hpp"
#include "trainer/quantize_model.hpp"

namespace patchnas::testing {

inline trainer::Tensor random_images(int n, const Arch& a, Rng& rng) {
  trainer::Tensor t(n, a.resolution, a.resolution, a.input_channels);
  for (float& v : t.data) v = static_cast<float>(rng.unit() * 2.0 - 1.0);
  return t;
}

inline trainer::QuantizedModel random_quantized(const Arch& arch, std::uint64_t seed) {
  const Network net = lower(arch);
  trainer::ModelParams params = trainer::init_params(net, seed);
  Rng rng(seed + 1);
  for (trainer::LayerParams& p : params.layers) {
    if (!p.has_bn) continue;
    for (std::size_t o = 0; o < p.bn.gamma.size(); ++o) {
      p.bn.gamma[o] = static_cast<float>(0.5 + rng.unit());
      p.bn.beta[o] = static_cast<float>(0.4 * rng.unit() - 0.2);
      p.bn.running_mean[o] = static_cast<float>(0.4 * rng.unit() - 0.2);
      p.bn.running_var[o] = static_cast<float>(0.5 + rng.unit());
    }
  }
  const auto folded = trainer::fold_batchnorm(net, params);
  trainer::TensorRanges ranges;
  trainer::folded_float_inference(net, folded, random_images(8, arch, rng), &ranges);
  return trainer::quantize_model(net, folded, ranges);
}

}  // namespace patchnas::testing
