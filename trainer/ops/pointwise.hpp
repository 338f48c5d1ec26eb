// pointwise.hpp: the 1x1 convolution (expand and project layers) and the trainer's one matrix
// product, which conv2d and the fully connected layer use as well.
//
// A 1x1 convolution over NHWC is a GEMM: x viewed as [pixels][in_c] times weight [out_c][in_c]
// transposed gives y [pixels][out_c]; nothing is copied (Eigen maps the tensors in place).
// The projection's residual add can be fused: y = x * W^T + residual. That is the folded-BN
// (inference) form; in training the shortcut goes after the projection's BN, which
// batchnorm_forward_train fuses instead (batchnorm.hpp).
// Parallelism (trainer/parallel.hpp): fixed chunks of gemm_row_grain(max(in_c, out_c)) pixels; the
// weight gradient is one partial [out_c][in_c] per chunk, summed in chunk order. Deterministic
// whatever the thread count.
//
//   pointwise_forward(x, w, 96, nullptr, y);                  // y: [n][h][w][96]
//   pointwise_forward(x, w, 24, &shortcut, y);                // projection + residual
//   pointwise_backward(x, dy, w, &dx, dw);                    // dw overwritten; the residual's
//                                                             // gradient is dy itself
#pragma once

#include <cstddef>
#include <span>

#include "trainer/tensor.hpp"

namespace patchnas::trainer {

// Rows per chunk for GEMMs whose other dimensions are at most `width`: up to 256, and small
// enough that Eigen's packed panels (rows x width floats) stay under its 128 KiB stack
// allocation limit, so no product touches the heap (fresh pages cost more than the product).
inline std::size_t gemm_row_grain(int width) {
  const std::size_t rows = 24576 / static_cast<std::size_t>(width > 0 ? width : 1);
  return rows < 16 ? 16 : (rows > 256 ? 256 : rows);
}

// Row-major single-threaded products (callers parallelize over chunks). With accumulate the
// product is added to c, otherwise c is overwritten. Tiny or vector-shaped products use a plain
// loop so the summation order never depends on the alignment of the operands.
//   matmul_abt: c[m][n] = a[m][k] * b[n][k]^T
//   matmul_ab:  c[m][n] = a[m][k] * b[k][n]
//   matmul_atb: c[m][n] = a[k][m]^T * b[k][n]
void matmul_abt(int m, int n, int k, const float* a, const float* b, float* c, bool accumulate);
void matmul_ab(int m, int n, int k, const float* a, const float* b, float* c, bool accumulate);
void matmul_atb(int m, int n, int k, const float* a, const float* b, float* c, bool accumulate);

// y = x * weight^T (+ residual). weight: [out_c][x.c]. residual (nullable) has y's shape and may
// be y itself. y is resized to [x.n][x.h][x.w][out_c]. y must not alias x.
void pointwise_forward(const Tensor& x, std::span<const float> weight, int out_c,
                       const Tensor* residual, Tensor& y);

// From dy [n][h][w][out_c]: dx = dy * weight (skipped when dx is null; resized to x's shape),
// dweight [out_c][in_c] = dy^T * x (overwritten).
void pointwise_backward(const Tensor& x, const Tensor& dy, std::span<const float> weight,
                        Tensor* dx, std::span<float> dweight);

}  // namespace patchnas::trainer
