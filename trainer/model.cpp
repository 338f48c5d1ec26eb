#include "trainer/model.hpp"

#include <cmath>
#include <stdexcept>
#include <utility>

#include "trainer/fake_quant.hpp"
#include "trainer/ops/conv2d.hpp"
#include "trainer/ops/depthwise.hpp"
#include "trainer/ops/pointwise.hpp"
#include "trainer/ops/pool_fc.hpp"

namespace patchnas::trainer {
namespace {

ConvGeometry geometry(const Layer& l) { return {l.kernel, l.stride, l.pad}; }

Activation fused_activation(const Layer& l) { return l.relu6 ? Activation::Relu6 : Activation::None; }

}  // namespace

Model::Model(const Network& net, ModelParams params) : net_(net), params_(std::move(params)) {
  if (params_.layers.size() != net_.layers.size()) {
    throw std::invalid_argument("Model: parameters do not match the network's layers");
  }
  const std::size_t layers = net_.layers.size();
  grads_.resize(layers);
  for (std::size_t i = 0; i < layers; ++i) {
    const LayerParams& p = params_.layers[i];
    grads_[i].weight.assign(p.weight.size(), 0.0f);
    grads_[i].bias.assign(p.bias.size(), 0.0f);
    grads_[i].gamma.assign(p.bn.gamma.size(), 0.0f);
    grads_[i].beta.assign(p.bn.beta.size(), 0.0f);
  }
  acts_.resize(layers + 1);
  dacts_.resize(layers + 1);
  has_grad_.assign(layers + 1, 0);
  pre_norm_.resize(layers);
  saved_.resize(layers);
}

// One forward serves float and quantization-aware training: the latter swaps in the folded,
// fake-quantized weights and an identity BN that adds the folded bias, and fake-quantizes
// every tensor (keeping the values before rounding for the backward's range mask).
const Tensor& Model::forward(const Tensor& images, bool training) {
  acts_[0] = images;
  if (quantized()) fake_quantize_tensor(0, acts_[0], before_quant_[0]);
  for (std::size_t i = 0; i < net_.layers.size(); ++i) {
    const Layer& l = net_.layers[i];
    LayerParams& p = params_.layers[i];
    const Tensor& x = acts_[l.input];
    Tensor& y = acts_[i + 1];
    const std::vector<float>& weight = quantized() ? fake_quantized_weights(i) : p.weight;
    if (l.kind == LayerKind::GlobalAvgPool) {
      global_avg_pool_forward(x, y);
    } else if (l.kind == LayerKind::FullyConnected) {
      fc_forward(x, weight, p.bias, y);
    } else {
      Tensor& z = pre_norm_[i];
      switch (l.kind) {
        case LayerKind::Conv: conv2d_forward(x, weight, l.out.c, geometry(l), z); break;
        case LayerKind::Depthwise: depthwise_forward(x, weight, geometry(l), z); break;
        default: pointwise_forward(x, weight, l.out.c, nullptr, z); break;
      }
      const Tensor* residual = l.residual >= 0 ? &acts_[l.residual] : nullptr;
      if (quantized()) {
        batchnorm_forward_eval(z, bias_only_[i], fused_activation(l), y, residual);
      } else if (training) {
        batchnorm_forward_train(z, p.bn, fused_activation(l), y, saved_[i], residual);
      } else {
        batchnorm_forward_eval(z, p.bn, fused_activation(l), y, residual);
      }
    }
    if (quantized()) fake_quantize_tensor(static_cast<int>(i) + 1, y, before_quant_[i + 1]);
  }
  return acts_.back();
}

void Model::accumulate_grad(int tensor, Tensor& grad) {
  Tensor& target = dacts_[tensor];
  if (!has_grad_[tensor]) {
    std::swap(target, grad);
    has_grad_[tensor] = 1;
    return;
  }
  float* t = target.ptr();
  const float* g = grad.ptr();
  for (std::size_t j = 0; j < target.size(); ++j) t[j] += g[j];
}

void Model::backward(const Tensor& dlogits) {
  const int layers = static_cast<int>(net_.layers.size());
  std::fill(has_grad_.begin(), has_grad_.end(), 0);
  dacts_[layers] = dlogits;
  has_grad_[layers] = 1;
  for (int i = layers - 1; i >= 0; --i) {
    const Layer& l = net_.layers[i];
    const LayerParams& p = params_.layers[i];
    LayerGrads& g = grads_[i];
    const Tensor& x = acts_[l.input];
    Tensor& dy = dacts_[i + 1];
    if (quantized()) {
      // Straight through the rounding, zero outside the tensor's range.
      fake_quantize_activations_backward(tensor_params_[i + 1], before_quant_[i + 1].ptr(),
                                         dy.ptr(), dy.size());
    }
    const std::vector<float>& weight = quantized() ? fake_weights_[i].weight : p.weight;
    // The image needs no gradient.
    Tensor* dx = l.input > 0 ? &scratch_ : nullptr;
    if (l.kind == LayerKind::GlobalAvgPool) {
      global_avg_pool_backward(dy, l.in.h, l.in.w, scratch_);
    } else if (l.kind == LayerKind::FullyConnected) {
      fc_backward(x, dy, weight, dx, g.weight, g.bias);
    } else {
      if (l.residual >= 0) {
        Tensor shortcut = dy;
        accumulate_grad(l.residual, shortcut);
      }
      if (!quantized()) {
        batchnorm_backward(pre_norm_[i], dy, p.bn, saved_[i], fused_activation(l), dnorm_, g.gamma,
                           g.beta);
      } else if (l.relu6) {  // the frozen BN only adds a bias: the clamp's mask remains
        relu6_backward(before_quant_[i + 1], dy, dnorm_);
      } else {
        dnorm_ = dy;
      }
      switch (l.kind) {
        case LayerKind::Conv: conv2d_backward(x, dnorm_, weight, geometry(l), dx, g.weight); break;
        case LayerKind::Depthwise: depthwise_backward(x, dnorm_, weight, geometry(l), dx, g.weight); break;
        default: pointwise_backward(x, dnorm_, weight, dx, g.weight); break;
      }
      // Through the folding w' = w * scale[o] (the rounding passes gradients unchanged).
      if (quantized()) scale_per_output_channel(l, fold_scale_[i], g.weight);
    }
    if (dx != nullptr) accumulate_grad(l.input, scratch_);
  }
}

std::vector<ParamSlot> Model::param_slots() {
  std::vector<ParamSlot> slots;
  for (std::size_t i = 0; i < params_.layers.size(); ++i) {
    LayerParams& p = params_.layers[i];
    const LayerGrads& g = grads_[i];
    if (!p.weight.empty()) slots.push_back({p.weight.data(), g.weight.data(), p.weight.size(), true});
    if (!p.bias.empty()) slots.push_back({p.bias.data(), g.bias.data(), p.bias.size(), false});
    if (p.has_bn && !quantized()) {
      slots.push_back({p.bn.gamma.data(), g.gamma.data(), p.bn.gamma.size(), false});
      slots.push_back({p.bn.beta.data(), g.beta.data(), p.bn.beta.size(), false});
    }
  }
  return slots;
}

}  // namespace patchnas::trainer

namespace patchnas::trainer {

void Model::enable_quantization(const TensorRanges& ranges) {
  if (ranges.size() != net_.layers.size() + 1) {
    throw std::invalid_argument("Model: one range per tensor is needed for quantization");
  }
  ranges_ = ranges;
  tensor_params_.clear();
  for (const TensorRange& r : ranges_) tensor_params_.push_back(choose_activation_params(r.min, r.max));
  const std::size_t layers = net_.layers.size();
  fake_weights_.assign(layers, {});
  fold_scale_.assign(layers, {});
  bias_only_.assign(layers, {});
  before_quant_.resize(layers + 1);
  for (std::size_t i = 0; i < layers; ++i) {
    const LayerParams& p = params_.layers[i];
    if (!p.has_bn) continue;
    const std::size_t out_c = p.bn.gamma.size();
    fold_scale_[i].resize(out_c);
    BatchNormParams& identity = bias_only_[i];
    identity.gamma.assign(out_c, 1.0f);
    identity.beta.resize(out_c);
    identity.running_mean.assign(out_c, 0.0f);
    // 1 / sqrt((1 - eps) + eps) is exactly 1 in float: this BN only adds beta.
    identity.running_var.assign(out_c, 1.0f - kBatchNormEpsilon);
    for (std::size_t o = 0; o < out_c; ++o) {
      fold_scale_[i][o] = p.bn.gamma[o] / std::sqrt(p.bn.running_var[o] + kBatchNormEpsilon);
      identity.beta[o] = p.bn.beta[o] - p.bn.running_mean[o] * fold_scale_[i][o];
    }
  }
}

void Model::fake_quantize_tensor(int id, Tensor& y, Tensor& pre) {
  pre = y;
  fake_quantize_activations(tensor_params_[id], pre.ptr(), y.ptr(), y.size());
}

const std::vector<float>& Model::fake_quantized_weights(std::size_t layer) {
  const Layer& l = net_.layers[layer];
  std::vector<float>& weight = fake_weights_[layer].weight;
  weight = params_.layers[layer].weight;
  // Fold the frozen BN into conv weights, then round them per channel as int8 will.
  if (params_.layers[layer].has_bn) scale_per_output_channel(l, fold_scale_[layer], weight);
  if (!weight.empty()) fake_quantize_weights(l, weight, weight);
  return weight;
}

}  // namespace patchnas::trainer
