#include "trainer/init.hpp"

#include <cmath>
#include <numbers>

#include "space/random.hpp"

namespace patchnas::trainer {
namespace {

// Standard normal by Box-Muller on two uniform draws (1 - unit() is in (0, 1]).
float normal(Rng& rng) {
  const double u1 = 1.0 - rng.unit();
  const double u2 = rng.unit();
  return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2));
}

void fill_normal(std::vector<float>& values, std::size_t count, double stddev, Rng& rng) {
  values.resize(count);
  for (float& v : values) v = static_cast<float>(stddev) * normal(rng);
}

}  // namespace

ModelParams init_params(const Network& net, std::uint64_t seed) {
  Rng rng(seed);
  ModelParams params;
  params.layers.resize(net.layers.size());
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    LayerParams& p = params.layers[i];
    const std::size_t per_out = static_cast<std::size_t>(weights_per_output_channel(l));
    switch (l.kind) {
      case LayerKind::Conv:
      case LayerKind::Pointwise: {
        const double fan_out = static_cast<double>(l.kernel) * l.kernel * l.out.c;
        fill_normal(p.weight, per_out * l.out.c, std::sqrt(2.0 / fan_out), rng);
        break;
      }
      case LayerKind::Depthwise: {
        const double fan_out = static_cast<double>(l.kernel) * l.kernel;
        fill_normal(p.weight, per_out * l.out.c, std::sqrt(2.0 / fan_out), rng);
        break;
      }
      case LayerKind::FullyConnected:
        fill_normal(p.weight, per_out * l.out.c, 0.01, rng);
        p.bias.assign(l.out.c, 0.0f);
        break;
      case LayerKind::GlobalAvgPool:
        break;
    }
    if (l.kind == LayerKind::Conv || l.kind == LayerKind::Depthwise ||
        l.kind == LayerKind::Pointwise) {
      p.has_bn = true;
      p.bn.gamma.assign(l.out.c, 1.0f);
      p.bn.beta.assign(l.out.c, 0.0f);
      p.bn.running_mean.assign(l.out.c, 0.0f);
      p.bn.running_var.assign(l.out.c, 1.0f);
    }
  }
  return params;
}

}  // namespace patchnas::trainer
