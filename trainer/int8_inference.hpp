// Reference int8 inference: THE integer arithmetic of a quantized network (ARCHITECTURE.md,
// invariant 3). The C99 runtime must produce the same int8 outputs bit for bit, so everything
// below is int32/int64 integer arithmetic in a fixed, documented form (float only appears in
// quantize_images / dequantize, outside the integer path). Parameters come from
// quantize_model.hpp; requantize() is defined in requantize.hpp. Per image, layer by layer,
// tensors int8 NHWC (tensor ids as in network.hpp):
//
// Conv / Depthwise / Pointwise / FullyConnected, for output element (y, x, o):
//   acc = bias[o] + sum over taps of  w_q * (x_q - input_zero_point)            (int32)
//     taps falling into the padding (pad = k/2) are skipped: they hold the real value 0.
//     Integer addition is exact and quantize_model bounds the bias, so the order is free.
//     int8_inference and int8_layer refuse (std::invalid_argument) parameters for which
//     |bias| + taps * max|w| * 255 could exceed INT32_MAX, or an input zero point outside int8.
//   without residual:  v = requantize(acc, multiplier[o], shift[o])
//   with residual (fused add, tensor layer.residual at the same (y, x, o) holds r_q):
//     p = requantize(acc, multiplier[o], shift[o])                          (add domain)
//     r = requantize((r_q - residual.zero_point) * 2^20, residual.multiplier, residual.shift)
//     v = requantize(saturate_int32(p + r), residual.output_multiplier, residual.output_shift)
//       (p + r computed in int64 and clamped to int32)
//   out = clamp(v + output_zero_point, act_min, act_max)   (the add exact: in int64, or clamp
//         v to [-256, 256] first; act_min/act_max are [q(0), q(6)] for ReLU6, else [-128, 127])
//
// GlobalAvgPool, for channel c over the H x W input pixels:
//   sum = sum over pixels of (x_q - input_zero_point)                        (int32)
//   out = clamp(requantize(sum, multiplier[0], shift[0]) + output_zero_point, -128, 127)
//   with multiplier ~ s_in / (s_out * H * W). The rounding is requantize's: the high multiply
//   rounds half up, then the power-of-two divide rounds half away from zero. For a 2x2 pool
//   with s_out = s_in (M = 2^30, shift = -1): sum 6 -> 2, -6 -> -2, 2 -> 1, -2 -> -1, and, by
//   double rounding, 5 -> 2 and -5 -> -1 (not 1 and -1: 5/4 = 1.25).
//
//   QuantizedModel q = quantize_model(net, folded, ranges);
//   Int8Tensor x = quantize_images(images, q.tensors[0]);
//   Int8Tensor logits = int8_inference(net, q, x);                 // [n, 1, 1, classes]
//   double acc = accuracy(argmax_rows(logits), labels);
#pragma once

#include <cstdint>
#include <vector>

#include "space/network.hpp"
#include "trainer/quantize_model.hpp"
#include "trainer/tensor.hpp"

namespace patchnas::trainer {

// A dense int8 tensor in NHWC layout, like Tensor.
struct Int8Tensor {
  int n = 0;
  int h = 0;
  int w = 0;
  int c = 0;
  std::vector<std::int8_t> data;

  Int8Tensor() = default;
  Int8Tensor(int batch, int height, int width, int channels)
      : n(batch), h(height), w(width), c(channels),
        data(static_cast<std::size_t>(batch) * height * width * channels, 0) {}
};

// Element-wise quantize_value / dequantize_value (quantize_model.hpp).
Int8Tensor quantize_images(const Tensor& images, const QuantParams& params);
Tensor dequantize(const Int8Tensor& values, const QuantParams& params);

// One layer on one image: `input` is tensor layer.input, `residual` tensor layer.residual
// (nullptr when the layer has none), `output` receives layer.out.elements() values.
void int8_layer(const Layer& layer, const QuantizedLayer& params, const std::int8_t* input,
                const std::int8_t* residual, std::int8_t* output);

// The whole network on a batch (images in parallel, oneTBB; results independent of the thread
// count); returns the int8 logits [n, 1, 1, classes]. Dequantize them with
// model.tensors.back(). Throws std::invalid_argument on a shape or parameter mismatch.
Int8Tensor int8_inference(const Network& net, const QuantizedModel& model,
                          const Int8Tensor& images);

// Every tensor of one image (index = tensor id), for per-layer comparisons with the runtime.
std::vector<std::vector<std::int8_t>> int8_tensors(const Network& net,
                                                   const QuantizedModel& model,
                                                   const std::int8_t* image);

// Index of the largest value of each row (batch entry); the first one on ties.
std::vector<int> argmax_rows(const Int8Tensor& logits);
std::vector<int> argmax_rows(const Tensor& logits);

// Fraction of positions where predicted equals labels (the two must have the same size,
// else std::invalid_argument); 0 for empty inputs.
double accuracy(const std::vector<int>& predicted, const std::vector<int>& labels);

}  // namespace patchnas::trainer
