// Quantization of a folded float model to int8 (the TFLite / CMSIS-NN scheme): this header
// owns the quantization parameters and how they are chosen; int8_inference.hpp owns the
// integer arithmetic that uses them.
//
// Activations (every tensor id: 0 = image, i + 1 = layer i's output) are per-tensor
// asymmetric int8:  real = scale * (q - zero_point),  q in [-128, 127].  From a calibrated
// [min, max], widened to include 0:  scale = (max - min) / 255  (1 when max == min == 0),
// zero_point = clamp(round(-128 - min / scale), -128, 127)  (so 0.0 is exactly q = zero_point).
// A float x quantizes to clamp(nearbyint(x / scale) + zero_point, -128, 127), computed in
// float (IEEE division, round half to even under the default rounding mode); it dequantizes
// to (q - zero_point) * scale. ReLU6 outputs additionally clamp to [q(0), q(6)].
//
// Weights are per-output-channel symmetric int8 with zero point 0: scale_w[o] = max|w_o| / 127
// (1 when the channel is all zeros), q = clamp(nearbyint(w / scale_w[o]), -127, 127); a
// depthwise layer's channels are its output channels. Biases are int32 at scale
// s_in * scale_w[o]: round(bias / (s_in * scale_w[o])) (half away from zero), clamped so the
// accumulator can never overflow (|bias| <= 2^31 - 1 - taps * 127 * 255).
//
// Output rescale, one (multiplier, shift) per output channel from quantize_multiplier():
//   plain layer:       s_in * scale_w[o] / s_out
//   residual layer:    s_in * scale_w[o] * 2^20 / (2 max(s_res, s_out))   (into the add domain)
//   GlobalAvgPool:     s_in / (s_out * H * W)        (a single pair, for every channel)
// Residual add (the projection of an inverted residual block, fused): a TFLite ADD-like
// scheme with a common "add domain" of scale s_add = 2 max(s_res, s_out) / 2^20, in which the
// int8 ranges of both operands take at most 2^28 in magnitude:
//   residual  -> requantize((q_res - zp_res) * 2^20, M_res, shift_res),  M_res ~ s_res / (2 max)
//   output    <- requantize(sum, M_out, shift_out),                      M_out ~ 2 max / (2^20 s_out)
// (see int8_inference.hpp for the full sequence). Unlike TFLite's separate CONV + ADD, the
// projection is not rounded to int8 before the add: one rounding fewer, one tensor fewer.
//
//   TensorRanges ranges = ...;                       // calibration, folded_float_inference.hpp
//   QuantizedModel q = quantize_model(net, folded, ranges);
//   std::int8_t x = quantize_value(0.5f, q.tensors[0]);
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "space/network.hpp"
#include "trainer/folded_float_inference.hpp"
#include "trainer/model_params.hpp"

namespace patchnas::trainer {

inline constexpr std::int32_t kActivationMin = -128;
inline constexpr std::int32_t kActivationMax = 127;
inline constexpr std::int32_t kWeightMax = 127;  // weights use [-127, 127]
inline constexpr int kResidualLeftShift = 20;    // TFLite's ADD uses the same 20 bits

// real = scale * (q - zero_point)
struct QuantParams {
  float scale = 1.0f;
  std::int32_t zero_point = 0;
};

// The per-tensor parameters for values in [min, max] (widened to include 0), as above.
// Throws std::invalid_argument when min or max is not finite or min > max.
QuantParams choose_activation_params(float min, float max);

// The grid point of x as an integer-valued float: clamp(nearbyint(x / scale) + zero_point,
// lo, hi); NaN maps to lo. Shared by quantization and fake quantization so the two agree
// exactly; inline so loops over it vectorize.
inline float quantize_to_grid(float x, float scale, float zero_point, float lo, float hi) {
  float q = std::nearbyint(x / scale) + zero_point;
  q = q > lo ? q : lo;
  return q < hi ? q : hi;
}

std::int8_t quantize_value(float x, const QuantParams& params);
float dequantize_value(std::int8_t q, const QuantParams& params);

// Output channel of weight[index] in the layouts of model_params.hpp.
int weight_channel(const Layer& layer, std::size_t index);

// Per-output-channel symmetric scales max|w_o| / 127 (1 for an all-zero channel).
std::vector<float> weight_scales(const Layer& layer, const std::vector<float>& weight);

// clamp(nearbyint(w / scale), -127, 127)
std::int8_t quantize_weight(float w, float scale);

struct ResidualAddParams {
  std::int32_t zero_point = 0;         // of the residual tensor
  std::int32_t multiplier = 0;         // s_res / (2 max(s_res, s_out))
  int shift = 0;
  std::int32_t output_multiplier = 0;  // 2 max(s_res, s_out) / (2^20 s_out)
  int output_shift = 0;
};

// Everything one layer's int8 kernel needs (an exporter maps it to the C runtime's params).
struct QuantizedLayer {
  std::vector<std::int8_t> weight;    // FoldedLayer::weight's layout; empty for pooling
  std::vector<float> weight_scale;    // [out_c]
  std::vector<std::int32_t> bias;     // [out_c], at scale s_in * weight_scale[o]
  std::vector<std::int32_t> multiplier;  // [out_c] (one for GlobalAvgPool), as above
  std::vector<int> shift;
  std::int32_t input_zero_point = 0;
  std::int32_t output_zero_point = 0;
  std::int32_t act_min = kActivationMin;  // [q(0), q(6)] after ReLU6
  std::int32_t act_max = kActivationMax;
  bool has_residual = false;
  ResidualAddParams residual;
};

struct QuantizedModel {
  std::vector<QuantParams> tensors;     // per tensor id
  std::vector<QuantizedLayer> layers;   // per Network layer
};

// `ranges` holds one calibrated, non-empty, finite range per tensor id (merge_ranges over the
// calibration batches). Throws std::invalid_argument on mismatched sizes or a bad range.
QuantizedModel quantize_model(const Network& net, const std::vector<FoldedLayer>& folded,
                              const TensorRanges& ranges);

}  // namespace patchnas::trainer
