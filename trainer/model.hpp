// Model: the trainable float network for a lowered Arch. It owns the parameters, their
// gradients and the activations a backward pass needs, and runs every layer through the
// kernels in trainer/ops (conv -> BatchNorm (+ReLU6, + the block's residual) per conv layer,
// then pooling and the classifier). Forward in training mode uses batch statistics and updates
// the running ones; in evaluation mode it uses the running statistics.
//   Model model(net, init_params(net, seed));
//   const Tensor& logits = model.forward(batch.images, /*training=*/true);
//   LossResult r = softmax_cross_entropy(logits, batch.labels, 0.0f, dlogits);
//   model.backward(dlogits);
//   sgd.step(model.param_slots(), lr);
// Quantization-aware training: enable_quantization(ranges) folds every BatchNorm (frozen from
// then on) into its conv and fake-quantizes, in every forward, the folded weights per output
// channel and every activation tensor with the int8 parameters of its calibrated range, so
// the forward computes what int8 inference will; backward passes gradients straight through
// the rounding (and zeroes them outside an activation's range).
#pragma once

#include <vector>

#include "space/network.hpp"
#include "trainer/folded_float_inference.hpp"
#include "trainer/model_params.hpp"
#include "trainer/ops/batchnorm.hpp"
#include "trainer/quantize_model.hpp"
#include "trainer/sgd.hpp"
#include "trainer/tensor.hpp"

namespace patchnas::trainer {

// Gradients, shaped like ModelParams.
struct LayerGrads {
  std::vector<float> weight;
  std::vector<float> bias;
  std::vector<float> gamma;
  std::vector<float> beta;
};

class Model {
 public:
  Model(const Network& net, ModelParams params);

  const Network& network() const { return net_; }
  ModelParams& params() { return params_; }
  const ModelParams& params() const { return params_; }
  const std::vector<LayerGrads>& grads() const { return grads_; }

  // Returns the logits [n][1][1][classes]; valid until the next forward.
  const Tensor& forward(const Tensor& images, bool training);
  // The activation tensor `id` of the last forward (0: the input, i+1: layer i's output).
  const Tensor& activation(int id) const { return acts_[id]; }

  // Gradients of the loss whose gradient wrt the logits is `dlogits`, for the last training
  // forward; parameter gradients are overwritten.
  void backward(const Tensor& dlogits);

  // Every trainable array with its gradient, in a fixed order (the optimizer's and the
  // checkpoint's): per layer weight, bias, BN gamma, BN beta. Weight decay on weights only.
  // With quantization enabled, BN is frozen: weights and the FC bias only.
  std::vector<ParamSlot> param_slots();

  // Switches to quantization-aware training with these per-tensor ranges (tensor ids).
  void enable_quantization(const TensorRanges& ranges);
  bool quantized() const { return !ranges_.empty(); }
  const TensorRanges& quantization_ranges() const { return ranges_; }

 private:
  void accumulate_grad(int tensor, Tensor& grad);
  // The folded, fake-quantized weights of `layer` for this step (quantization-aware mode).
  const std::vector<float>& fake_quantized_weights(std::size_t layer);
  // Fake-quantizes `y` in place with tensor `id`'s parameters, keeping the input in `pre`.
  void fake_quantize_tensor(int id, Tensor& y, Tensor& pre);

  Network net_;
  ModelParams params_;
  std::vector<LayerGrads> grads_;
  std::vector<Tensor> acts_;          // [tensor id]
  std::vector<Tensor> pre_norm_;      // [layer]: conv output before BatchNorm
  std::vector<BatchNormSaved> saved_;  // [layer]
  std::vector<Tensor> dacts_;         // [tensor id]
  std::vector<char> has_grad_;        // [tensor id]
  Tensor scratch_;                    // gradient of a layer's input before accumulation
  Tensor dnorm_;                      // gradient before BatchNorm
  // Quantization-aware training state.
  TensorRanges ranges_;                    // empty: float training
  std::vector<QuantParams> tensor_params_;  // [tensor id]
  std::vector<FoldedLayer> fake_weights_;   // [layer]: folded, fake-quantized weights
  std::vector<std::vector<float>> fold_scale_;  // [layer]: gamma / sqrt(var + eps)
  std::vector<Tensor> before_quant_;       // [tensor id]: values before fake quantization
  std::vector<BatchNormParams> bias_only_;  // [layer]: an identity BN adding the folded bias
};

}  // namespace patchnas::trainer
