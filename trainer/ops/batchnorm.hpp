// batchnorm.hpp: BatchNorm over NHWC (statistics per channel over n*h*w pixels), optionally fused
// with the ReLU6 that follows every BN except the projection's; and a standalone ReLU6.
//
// Training forward normalizes with the batch statistics (biased variance), saves mean and
// 1/sqrt(var + eps) for backward, and updates the running statistics as PyTorch does:
//   running_mean = (1 - m) running_mean + m mean
//   running_var  = (1 - m) running_var + m var * M / (M - 1)
// with m = kBatchNormMomentum, eps = kBatchNormEpsilon (model_params.hpp), M = n*h*w (> 1).
// Eval forward uses the running statistics. Fused ReLU6: y = clamp(gamma xhat + beta, 0, 6); its
// gradient passes where 0 < y < 6 (backward recomputes y from x, nothing else is stored).
// Statistics are robust: each chunk of pixels computes its own mean and centred sum of squares
// (cache-hot second pass), and chunks are merged in double (Chan et al.) in chunk order.
// Parallelism (trainer/parallel.hpp): fixed pixel chunks, per-chunk partial sums reduced in
// chunk order: bit-identical whatever the thread count.
// Residual: MobileNetV2 adds the shortcut after the projection's BN, so the forwards optionally
// add a residual tensor to their output (y = act(BN(x)) + residual, fused into the same pass);
// its gradient is dy itself, and backward is unchanged. (pointwise_forward's fused residual is
// the folded-BN form: right for inference, not before a training BN.)
// Aliasing: none (outputs are distinct tensors from inputs; the kernels use __restrict).
//
//   BatchNormSaved saved;
//   batchnorm_forward_train(conv_out, params.bn, Activation::Relu6, act_out, saved);
//   batchnorm_backward(conv_out, d_act_out, params.bn, saved, Activation::Relu6,
//                      d_conv_out, dgamma, dbeta);      // dgamma, dbeta overwritten
//   batchnorm_forward_train(proj_out, p.bn, Activation::None, block_out, saved, &block_in);
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "trainer/model_params.hpp"
#include "trainer/tensor.hpp"

namespace patchnas::trainer {

// The activation fused after the normalization.
enum class Activation : std::uint8_t { None, Relu6 };

// What backward needs from the training forward, per channel.
struct BatchNormSaved {
  std::vector<float> mean;
  std::vector<float> inv_std;  // 1 / sqrt(biased batch variance + eps)
};

// y = act(gamma (x - mean_batch) * inv_std + beta) (+ residual, nullable, x's shape, not x);
// updates bn.running_mean/var; fills saved; y resized to x's shape.
void batchnorm_forward_train(const Tensor& x, BatchNormParams& bn, Activation act, Tensor& y,
                             BatchNormSaved& saved, const Tensor* residual = nullptr);

// y = act(gamma (x - running_mean) / sqrt(running_var + eps) + beta) (+ residual).
void batchnorm_forward_eval(const Tensor& x, const BatchNormParams& bn, Activation act, Tensor& y,
                            const Tensor* residual = nullptr);

// Gradient of batchnorm_forward_train (through the batch statistics) given x (its input), dy
// (the gradient of its output) and what it saved: dx (resized), dgamma and dbeta [c] (overwritten).
void batchnorm_backward(const Tensor& x, const Tensor& dy, const BatchNormParams& bn,
                        const BatchNormSaved& saved, Activation act, Tensor& dx,
                        std::span<float> dgamma, std::span<float> dbeta);

// y = clamp(x, 0, 6); dx = dy where 0 < y < 6, else 0 (these two may work in place).
void relu6_forward(const Tensor& x, Tensor& y);
void relu6_backward(const Tensor& y, const Tensor& dy, Tensor& dx);

}  // namespace patchnas::trainer
