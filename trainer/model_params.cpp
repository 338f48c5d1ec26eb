#include "trainer/model_params.hpp"

#include <cmath>

namespace patchnas::trainer {

int weights_per_output_channel(const Layer& l) {
  switch (l.kind) {
    case LayerKind::Conv: return l.kernel * l.kernel * l.in.c;
    case LayerKind::Depthwise: return l.kernel * l.kernel;
    case LayerKind::Pointwise:
    case LayerKind::FullyConnected: return l.in.c;
    case LayerKind::GlobalAvgPool: return 0;
  }
  return 0;
}

void scale_per_output_channel(const Layer& layer, const std::vector<float>& scale,
                              std::vector<float>& weight) {
  if (layer.kind == LayerKind::Depthwise) {
    const std::size_t channels = scale.size();
    for (std::size_t j = 0; j < weight.size(); ++j) weight[j] *= scale[j % channels];
  } else {
    const std::size_t per_out = weights_per_output_channel(layer);
    for (std::size_t j = 0; j < weight.size(); ++j) weight[j] *= scale[j / per_out];
  }
}

std::vector<FoldedLayer> fold_batchnorm(const Network& net, const ModelParams& params) {
  std::vector<FoldedLayer> folded(net.layers.size());
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& layer = net.layers[i];
    const LayerParams& p = params.layers[i];
    FoldedLayer& f = folded[i];
    f.weight = p.weight;
    if (!p.has_bn) {
      f.bias = p.bias;
      continue;
    }
    const int out_c = layer.out.c;
    f.bias.assign(out_c, 0.0f);
    std::vector<float> scale(out_c);
    for (int o = 0; o < out_c; ++o) {
      scale[o] = p.bn.gamma[o] / std::sqrt(p.bn.running_var[o] + kBatchNormEpsilon);
      f.bias[o] = p.bn.beta[o] - p.bn.running_mean[o] * scale[o];
    }
    scale_per_output_channel(layer, scale, f.weight);
  }
  return folded;
}

}  // namespace patchnas::trainer
