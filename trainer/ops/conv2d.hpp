// conv2d.hpp: the dense convolution (the stem), forward and backward, and ConvGeometry, the
// kernel/stride/padding triple that the depthwise convolution shares.
//
// Layouts: x [n][h][w][in_c] (NHWC), weight [out_c][k][k][in_c] (OHWI), y [n][ho][wo][out_c]
// with ho = (h + 2*pad - k) / stride + 1 (zero padding). Any odd k, any stride, any in_c (1, 3...).
// Method: im2col of a chunk of samples into a per-thread scratch [pixels][k*k*in_c] (same order
// as a weight row), then one GEMM (matmul_abt); backward recomputes the columns, takes
// dweight += dy^T * cols and dcols = dy * weight, and scatters dcols back (col2im).
// Parallelism: fixed chunks of whole samples (trainer/parallel.hpp); the weight gradient is one
// partial per chunk summed in chunk order, so results do not depend on the thread count.
//
//   const ConvGeometry stem{.k = 3, .stride = 2, .pad = 1};
//   conv2d_forward(images, w, 16, stem, y);             // 28x28x1 -> 14x14x16
//   conv2d_backward(images, dy, w, stem, nullptr, dw);  // no dx for the network input
#pragma once

#include <span>

#include "trainer/tensor.hpp"

namespace patchnas::trainer {

struct ConvGeometry {
  int k = 3;
  int stride = 1;
  int pad = 1;  // the trainer always uses k / 2
  int out_size(int in) const { return (in + 2 * pad - k) / stride + 1; }
};

// y = conv(x, weight); weight [out_c][k][k][x.c]; y resized to [x.n][ho][wo][out_c].
void conv2d_forward(const Tensor& x, std::span<const float> weight, int out_c, ConvGeometry g,
                    Tensor& y);

// From dy [n][ho][wo][out_c]: dx (nullable; resized to x's shape, overwritten) and
// dweight [out_c][k][k][in_c] (overwritten).
void conv2d_backward(const Tensor& x, const Tensor& dy, std::span<const float> weight,
                     ConvGeometry g, Tensor* dx, std::span<float> dweight);

}  // namespace patchnas::trainer
