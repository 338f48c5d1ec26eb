#include "trainer/quantize_model.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#include "trainer/requantize.hpp"

namespace patchnas::trainer {
namespace {

struct Multiplier {
  std::int32_t multiplier = 0;
  int shift = 0;
};

Multiplier multiplier_for(double real) {
  Multiplier m;
  quantize_multiplier(real, &m.multiplier, &m.shift);
  return m;
}

// Largest |bias| that keeps bias + sum(w * (x - zp)) inside int32 for `taps` products.
std::int64_t bias_bound(const Layer& layer) {
  const std::int64_t taps = weights_per_output_channel(layer);
  return std::int64_t{std::numeric_limits<std::int32_t>::max()} - taps * kWeightMax * 255;
}

void quantize_weights_and_bias(const Layer& layer, const FoldedLayer& f, double input_scale,
                               QuantizedLayer& q) {
  q.weight_scale = weight_scales(layer, f.weight);
  q.weight.resize(f.weight.size());
  for (std::size_t j = 0; j < f.weight.size(); ++j) {
    q.weight[j] = quantize_weight(f.weight[j], q.weight_scale[weight_channel(layer, j)]);
  }
  const auto bound = static_cast<double>(bias_bound(layer));
  q.bias.resize(f.bias.size());
  for (std::size_t o = 0; o < f.bias.size(); ++o) {
    const double b = std::round(static_cast<double>(f.bias[o]) /
                                (input_scale * static_cast<double>(q.weight_scale[o])));
    q.bias[o] = static_cast<std::int32_t>(std::clamp(b, -bound, bound));
  }
}

void check_ranges(const Network& net, const TensorRanges& ranges) {
  if (ranges.size() != net.layers.size() + 1) {
    throw std::invalid_argument("quantize_model: " + std::to_string(ranges.size()) +
                                " calibrated ranges for " + std::to_string(net.layers.size() + 1) +
                                " tensors");
  }
  for (std::size_t t = 0; t < ranges.size(); ++t) {
    if (ranges[t].empty() || !std::isfinite(ranges[t].min) || !std::isfinite(ranges[t].max)) {
      throw std::invalid_argument("quantize_model: tensor " + std::to_string(t) +
                                  " has no finite calibrated range");
    }
  }
}

}  // namespace

QuantParams choose_activation_params(float min, float max) {
  if (!std::isfinite(min) || !std::isfinite(max) || min > max) {
    throw std::invalid_argument("choose_activation_params: need finite min <= max");
  }
  const double lo = std::min(static_cast<double>(min), 0.0);
  const double hi = std::max(static_cast<double>(max), 0.0);
  QuantParams p;
  p.scale = static_cast<float>((hi - lo) / (kActivationMax - kActivationMin));
  if (!(p.scale > 0.0f) || !std::isfinite(p.scale)) p.scale = 1.0f;
  const double zero_point = std::round(kActivationMin - lo / static_cast<double>(p.scale));
  p.zero_point = static_cast<std::int32_t>(std::clamp(
      zero_point, static_cast<double>(kActivationMin), static_cast<double>(kActivationMax)));
  return p;
}

std::int8_t quantize_value(float x, const QuantParams& params) {
  return static_cast<std::int8_t>(quantize_to_grid(x, params.scale,
                                                   static_cast<float>(params.zero_point),
                                                   static_cast<float>(kActivationMin),
                                                   static_cast<float>(kActivationMax)));
}

float dequantize_value(std::int8_t q, const QuantParams& params) {
  return static_cast<float>(std::int32_t{q} - params.zero_point) * params.scale;
}

int weight_channel(const Layer& layer, std::size_t index) {
  if (layer.kind == LayerKind::Depthwise) {
    return static_cast<int>(index % static_cast<std::size_t>(layer.out.c));
  }
  return static_cast<int>(index / static_cast<std::size_t>(weights_per_output_channel(layer)));
}

std::vector<float> weight_scales(const Layer& layer, const std::vector<float>& weight) {
  std::vector<float> max_abs(static_cast<std::size_t>(layer.out.c), 0.0f);
  for (std::size_t j = 0; j < weight.size(); ++j) {
    float& m = max_abs[weight_channel(layer, j)];
    m = std::max(m, std::fabs(weight[j]));
  }
  for (float& m : max_abs) m = m > 0.0f ? m / static_cast<float>(kWeightMax) : 1.0f;
  return max_abs;
}

std::int8_t quantize_weight(float w, float scale) {
  constexpr auto kMax = static_cast<float>(kWeightMax);
  return static_cast<std::int8_t>(quantize_to_grid(w, scale, 0.0f, -kMax, kMax));
}

QuantizedModel quantize_model(const Network& net, const std::vector<FoldedLayer>& folded,
                              const TensorRanges& ranges) {
  check_folded(net, folded);
  check_ranges(net, ranges);
  QuantizedModel model;
  model.tensors.reserve(ranges.size());
  for (const TensorRange& r : ranges) model.tensors.push_back(choose_activation_params(r.min, r.max));

  model.layers.resize(net.layers.size());
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& layer = net.layers[i];
    QuantizedLayer& q = model.layers[i];
    const QuantParams& in = model.tensors[layer.input];
    const QuantParams& out = model.tensors[i + 1];
    const auto s_in = static_cast<double>(in.scale);
    const auto s_out = static_cast<double>(out.scale);
    q.input_zero_point = in.zero_point;
    q.output_zero_point = out.zero_point;
    if (layer.relu6) {
      q.act_min = quantize_value(0.0f, out);
      q.act_max = quantize_value(6.0f, out);
    }

    if (layer.kind == LayerKind::GlobalAvgPool) {
      const double pixels = static_cast<double>(layer.in.h) * layer.in.w;
      const Multiplier m = multiplier_for(s_in / (s_out * pixels));
      q.multiplier = {m.multiplier};
      q.shift = {m.shift};
      continue;
    }

    quantize_weights_and_bias(layer, folded[i], s_in, q);
    // Plain layers rescale to the output; a fused residual add first goes to the add domain.
    double target_scale = s_out;
    if (layer.residual >= 0) {
      const QuantParams& res = model.tensors[layer.residual];
      const double twice_max = 2.0 * std::max(static_cast<double>(res.scale), s_out);
      target_scale = twice_max / static_cast<double>(1 << kResidualLeftShift);
      q.has_residual = true;
      q.residual.zero_point = res.zero_point;
      const Multiplier rm = multiplier_for(static_cast<double>(res.scale) / twice_max);
      q.residual.multiplier = rm.multiplier;
      q.residual.shift = rm.shift;
      const Multiplier om = multiplier_for(target_scale / s_out);
      q.residual.output_multiplier = om.multiplier;
      q.residual.output_shift = om.shift;
    }
    q.multiplier.resize(q.weight_scale.size());
    q.shift.resize(q.weight_scale.size());
    for (std::size_t o = 0; o < q.weight_scale.size(); ++o) {
      const Multiplier m =
          multiplier_for(s_in * static_cast<double>(q.weight_scale[o]) / target_scale);
      q.multiplier[o] = m.multiplier;
      q.shift[o] = m.shift;
    }
  }
  return model;
}

}  // namespace patchnas::trainer
