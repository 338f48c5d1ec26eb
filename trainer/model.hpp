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
#pragma once

#include <vector>

#include "space/network.hpp"
#include "trainer/model_params.hpp"
#include "trainer/ops/batchnorm.hpp"
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
  std::vector<ParamSlot> param_slots();

 private:
  void accumulate_grad(int tensor, Tensor& grad);

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
};

}  // namespace patchnas::trainer
