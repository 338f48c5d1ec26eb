// pool_fc.hpp: the classifier head: global average pooling and the fully connected layer.
//
// Global average pooling: x [n][h][w][c] -> y [n][1][1][c], the mean over the h*w pixels.
// Fully connected: x [n][1][1][in] (or any [n][h][w][c], read as n rows of h*w*c features),
// weight [out][in], bias [out] -> y [n][1][1][out] = x * weight^T + bias (matmul_abt).
// Parallelism: pooling over fixed chunks of samples. The FC layer is tiny (batch x 64 x 10), so it
// runs as single GEMMs on the calling thread: deterministic trivially.
//
//   global_avg_pool_forward(features, pooled);
//   fc_forward(pooled, w, b, logits);
//   fc_backward(pooled, dlogits, w, &dpooled, dw, db);   // dw, db overwritten
//   global_avg_pool_backward(dpooled, features.h, features.w, dfeatures);
#pragma once

#include <span>

#include "trainer/tensor.hpp"

namespace patchnas::trainer {

// y resized to [x.n][1][1][x.c].
void global_avg_pool_forward(const Tensor& x, Tensor& y);

// dx [dy.n][h][w][dy.c] = dy / (h*w) at every pixel (resized, overwritten).
void global_avg_pool_backward(const Tensor& dy, int h, int w, Tensor& dx);

// y = x * weight^T + bias; weight [out][in] with in = x.h*x.w*x.c, bias [out]; y resized to
// [x.n][1][1][out].
void fc_forward(const Tensor& x, std::span<const float> weight, std::span<const float> bias,
                Tensor& y);

// From dy [n][1][1][out]: dx (nullable; resized to x's shape) = dy * weight,
// dweight [out][in] = dy^T * x, dbias [out] = column sums of dy (both overwritten).
void fc_backward(const Tensor& x, const Tensor& dy, std::span<const float> weight, Tensor* dx,
                 std::span<float> dweight, std::span<float> dbias);

}  // namespace patchnas::trainer
