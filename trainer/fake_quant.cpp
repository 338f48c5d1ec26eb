#include "trainer/fake_quant.hpp"

namespace patchnas::trainer {
namespace {

// One channel's values at stride `stride` (1: contiguous) onto the symmetric grid of `scale`.
void fake_quantize_symmetric(const float* w, float* out, std::size_t count, std::size_t stride,
                             float scale) {
  constexpr auto kMax = static_cast<float>(kWeightMax);
  for (std::size_t j = 0; j < count; ++j) {
    out[j * stride] = quantize_to_grid(w[j * stride], scale, 0.0f, -kMax, kMax) * scale;
  }
}

}  // namespace

std::vector<float> fake_quantize_weights(const Layer& layer, const std::vector<float>& weight,
                                         std::vector<float>& out) {
  std::vector<float> scales = weight_scales(layer, weight);
  out.resize(weight.size());
  const auto channels = static_cast<std::size_t>(layer.out.c);
  if (layer.kind == LayerKind::Depthwise) {  // channel o is weight[t * channels + o]
    const std::size_t taps = weight.size() / channels;
    for (std::size_t o = 0; o < channels; ++o) {
      fake_quantize_symmetric(weight.data() + o, out.data() + o, taps, channels, scales[o]);
    }
  } else {  // channel o is weight[o * per_out .. (o + 1) * per_out)
    const auto per_out = static_cast<std::size_t>(weights_per_output_channel(layer));
    for (std::size_t o = 0; o < channels; ++o) {
      fake_quantize_symmetric(weight.data() + o * per_out, out.data() + o * per_out, per_out, 1,
                              scales[o]);
    }
  }
  return scales;
}

void fake_quantize_activations(const QuantParams& params, const float* x, float* y,
                               std::size_t count) {
  const float scale = params.scale;
  const auto zero_point = static_cast<float>(params.zero_point);
  const auto lo = static_cast<float>(kActivationMin);
  const auto hi = static_cast<float>(kActivationMax);
  for (std::size_t i = 0; i < count; ++i) {
    y[i] = (quantize_to_grid(x[i], scale, zero_point, lo, hi) - zero_point) * scale;
  }
}

void fake_quantize_activations(float min, float max, Tensor& x) {
  fake_quantize_activations(choose_activation_params(min, max), x.ptr(), x.ptr(), x.size());
}

void fake_quantize_activations_backward(const QuantParams& params, const float* x, float* grad,
                                        std::size_t count) {
  const float lo = dequantize_value(static_cast<std::int8_t>(kActivationMin), params);
  const float hi = dequantize_value(static_cast<std::int8_t>(kActivationMax), params);
  for (std::size_t i = 0; i < count; ++i) {
    grad[i] = (x[i] >= lo && x[i] <= hi) ? grad[i] : 0.0f;
  }
}

}  // namespace patchnas::trainer
