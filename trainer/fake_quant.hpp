// Fake quantization for quantization-aware training: float -> the nearest value the int8
// model can represent -> float, with the parameters and rounding of quantize_model.hpp, so a
// fake-quantized value equals dequantize(quantize(value)) exactly.
//
// Weights, per output channel, symmetric (scale_w[o] = max|w_o| / 127, as quantize_model):
//   forward   w -> clamp(nearbyint(w / scale_w[o]), -127, 127) * scale_w[o]
//   backward  straight-through: the gradient passes unchanged. With the max-abs scale no
//             weight lies outside [-127, 127] * scale_w[o], so nothing is clipped and there is
//             no mask to apply: use the weight gradient as it is (no function needed).
// Activations, per tensor, asymmetric, for QuantParams p (choose_activation_params(min, max)
// turns a range into them):
//   forward   x -> (clamp(nearbyint(x / p.scale) + zp, -128, 127) - zp) * p.scale
//   backward  straight-through inside the representable range [lo, hi] =
//             [(-128 - zp) * scale, (127 - zp) * scale] (both ends included), zero outside:
//             grad_x = (lo <= x <= hi) ? grad_y : 0, x being the forward's input.
// Loops are plain element-wise passes the compiler vectorizes (std::nearbyint, min/max).
//   std::vector<float> wq(w.size());
//   std::vector<float> scales = fake_quantize_weights(layer, w, wq);
//   QuantParams p = choose_activation_params(range.min, range.max);
//   fake_quantize_activations(p, x.ptr(), y.ptr(), x.size());
//   fake_quantize_activations_backward(p, x.ptr(), grad.ptr(), x.size());   // grad in place
#pragma once

#include <cstddef>
#include <vector>

#include "space/network.hpp"
#include "trainer/quantize_model.hpp"
#include "trainer/tensor.hpp"

namespace patchnas::trainer {

// Writes the fake-quantized `weight` of `layer` (model_params.hpp layout) to `out` (resized;
// it may be `weight` itself) and returns the per-channel scales.
std::vector<float> fake_quantize_weights(const Layer& layer, const std::vector<float>& weight,
                                         std::vector<float>& out);

// y[i] = fake-quantized x[i] for i < count; y may equal x (in place).
void fake_quantize_activations(const QuantParams& params, const float* x, float* y,
                               std::size_t count);
// In place over a whole tensor, with parameters from a range.
void fake_quantize_activations(float min, float max, Tensor& x);

// grad[i] *= (lo <= x[i] <= hi), in place; x is the forward's input.
void fake_quantize_activations_backward(const QuantParams& params, const float* x, float* grad,
                                        std::size_t count);

}  // namespace patchnas::trainer
