// depthwise.hpp: the depthwise convolution (one k x k filter per channel), forward and backward.
//
// Layouts: x [n][h][w][c] (NHWC), weight [k][k][c] (HWC), y [n][ho][wo][c] with
// ho = (h + 2*pad - k) / stride + 1 (zero padding; the trainer uses k = 3/5/7, stride 1/2,
// pad = k/2, but any odd k and stride work).
// Speed: channels are contiguous, so every pass walks pixels, lists the taps that land inside
// the image, and runs one of two channel kernels (AVX2/FMA intrinsics when compiled for them,
// plain loops otherwise; same rounding): a dot over taps with 32 channels of accumulators in
// registers, or a per-tap accumulate. Forward keeps the accumulators over the k*k taps;
// backward accumulates dweight over each sample's output pixels, and gathers dx per input pixel
// (the transposed convolution: each dx written once, no zero fill, no read-modify-write).
// k <= 15.
// Parallelism (trainer/parallel.hpp): forward over fixed chunks of output rows, backward over
// fixed chunks of samples with one dweight partial per chunk summed in chunk order: results do
// not depend on the thread count.
//
//   const ConvGeometry g{.k = 5, .stride = 2, .pad = 2};   // from conv2d.hpp
//   depthwise_forward(x, w, g, y);
//   depthwise_backward(x, dy, w, g, &dx, dw);              // dw overwritten
#pragma once

#include <span>

#include "trainer/ops/conv2d.hpp"
#include "trainer/tensor.hpp"

namespace patchnas::trainer {

// y = depthwise(x, weight); weight [k][k][x.c]; y resized to [x.n][ho][wo][x.c].
void depthwise_forward(const Tensor& x, std::span<const float> weight, ConvGeometry g, Tensor& y);

// From dy [n][ho][wo][c]: dx (nullable; resized to x's shape, overwritten) and
// dweight [k][k][c] (overwritten).
void depthwise_backward(const Tensor& x, const Tensor& dy, std::span<const float> weight,
                        ConvGeometry g, Tensor* dx, std::span<float> dweight);

}  // namespace patchnas::trainer
