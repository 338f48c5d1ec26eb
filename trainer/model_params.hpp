// ModelParams: the float parameters of a network lowered from an Arch, one LayerParams per
// Network layer (same index), in these layouts (the int8 model uses the same ones):
//   Conv (stem)      weight [out_c][k][k][in_c]   (OHWI, as TFLite)
//   Depthwise        weight [k][k][c]             (HWC)
//   Pointwise        weight [out_c][in_c]
//   FullyConnected   weight [out_c][in_c], bias [out_c]
//   GlobalAvgPool    no parameters
// Every conv is followed by BatchNorm (gamma, beta, running mean and variance; no conv bias);
// fold_batchnorm() turns conv + BN into the weight and bias int8 inference uses:
//   scale = gamma / sqrt(var + eps);  weight' = weight * scale[out_c];  bias' = beta - mean * scale
//   ModelParams p = init_params(net, rng);        (trainer/init.hpp)
//   std::vector<FoldedLayer> f = fold_batchnorm(net, p);
#pragma once

#include <vector>

#include "space/network.hpp"

namespace patchnas::trainer {

inline constexpr float kBatchNormEpsilon = 1e-5f;
inline constexpr float kBatchNormMomentum = 0.1f;  // running = (1-m) running + m batch

struct BatchNormParams {
  std::vector<float> gamma;
  std::vector<float> beta;
  std::vector<float> running_mean;
  std::vector<float> running_var;
};

struct LayerParams {
  std::vector<float> weight;  // empty for pooling
  std::vector<float> bias;    // the FC layer only
  bool has_bn = false;        // every conv (stem, depthwise, pointwise)
  BatchNormParams bn;
};

struct ModelParams {
  std::vector<LayerParams> layers;  // one per Network layer
};

// BN folded into the conv: the parameters of int8 inference, before quantization.
struct FoldedLayer {
  std::vector<float> weight;  // same layout as LayerParams::weight
  std::vector<float> bias;    // [out_c]; empty for pooling
};

std::vector<FoldedLayer> fold_batchnorm(const Network& net, const ModelParams& params);

// Number of weights of one output channel's filter (k*k*in_c, k*k for depthwise's one channel,
// in_c for pointwise/FC); weight[o * per_out + i] belongs to output channel o for every kind
// except depthwise, whose channel o is weight[t * c + o] for tap t.
int weights_per_output_channel(const Layer& layer);

// weight[j] *= scale[output channel of weight j], for every weight of the layer.
void scale_per_output_channel(const Layer& layer, const std::vector<float>& scale,
                              std::vector<float>& weight);

}  // namespace patchnas::trainer
