#include "trainer/init.hpp"

#include <cmath>

#include "space/random.hpp"

namespace patchnas::trainer {
namespace {

void fill_uniform(std::vector<float>& values, std::size_t count, double bound, Rng& rng) {
  values.resize(count);
  for (float& v : values) v = static_cast<float>(bound * (2.0 * rng.unit() - 1.0));
}

}  // namespace

ModelParams init_params(const Network& net, std::uint64_t seed) {
  Rng rng(seed);
  ModelParams params;
  params.layers.resize(net.layers.size());
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    LayerParams& p = params.layers[i];
    if (l.kind == LayerKind::GlobalAvgPool) continue;
    const std::size_t fan_in = static_cast<std::size_t>(weights_per_output_channel(l));
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
    fill_uniform(p.weight, fan_in * l.out.c, bound, rng);
    if (l.kind == LayerKind::FullyConnected) {
      fill_uniform(p.bias, l.out.c, bound, rng);
      continue;
    }
    p.has_bn = true;
    p.bn.gamma.assign(l.out.c, 1.0f);
    p.bn.beta.assign(l.out.c, 0.0f);
    p.bn.running_mean.assign(l.out.c, 0.0f);
    p.bn.running_var.assign(l.out.c, 1.0f);
  }
  return params;
}

}  // namespace patchnas::trainer
