#include "export/synthetic_model.hpp"

#include "space/lower.hpp"
#include "trainer/folded_float_inference.hpp"
#include "trainer/init.hpp"

namespace patchnas {

trainer::Tensor synthetic_images(int n, const Arch& arch, Rng& rng) {
  trainer::Tensor t(n, arch.resolution, arch.resolution, arch.input_channels);
  for (float& v : t.data) v = static_cast<float>(rng.unit() * 2.0 - 1.0);
  return t;
}

trainer::QuantizedModel synthetic_quantized_model(const Arch& arch, std::uint64_t seed) {
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
  trainer::folded_float_inference(net, folded, synthetic_images(8, arch, rng), &ranges);
  return trainer::quantize_model(net, folded, ranges);
}

}  // namespace patchnas
