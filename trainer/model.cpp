#include "trainer/model.hpp"

#include <stdexcept>
#include <utility>

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

const Tensor& Model::forward(const Tensor& images, bool training) {
  acts_[0] = images;
  for (std::size_t i = 0; i < net_.layers.size(); ++i) {
    const Layer& l = net_.layers[i];
    LayerParams& p = params_.layers[i];
    const Tensor& x = acts_[l.input];
    Tensor& y = acts_[i + 1];
    if (l.kind == LayerKind::GlobalAvgPool) {
      global_avg_pool_forward(x, y);
      continue;
    }
    if (l.kind == LayerKind::FullyConnected) {
      fc_forward(x, p.weight, p.bias, y);
      continue;
    }
    Tensor& z = pre_norm_[i];
    switch (l.kind) {
      case LayerKind::Conv: conv2d_forward(x, p.weight, l.out.c, geometry(l), z); break;
      case LayerKind::Depthwise: depthwise_forward(x, p.weight, geometry(l), z); break;
      default: pointwise_forward(x, p.weight, l.out.c, nullptr, z); break;
    }
    const Tensor* residual = l.residual >= 0 ? &acts_[l.residual] : nullptr;
    if (training) {
      batchnorm_forward_train(z, p.bn, fused_activation(l), y, saved_[i], residual);
    } else {
      batchnorm_forward_eval(z, p.bn, fused_activation(l), y, residual);
    }
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
    const Tensor& dy = dacts_[i + 1];
    // The image needs no gradient.
    Tensor* dx = l.input > 0 ? &scratch_ : nullptr;
    if (l.kind == LayerKind::GlobalAvgPool) {
      global_avg_pool_backward(dy, l.in.h, l.in.w, scratch_);
    } else if (l.kind == LayerKind::FullyConnected) {
      fc_backward(x, dy, p.weight, dx, g.weight, g.bias);
    } else {
      if (l.residual >= 0) {
        Tensor shortcut = dy;
        accumulate_grad(l.residual, shortcut);
      }
      batchnorm_backward(pre_norm_[i], dy, p.bn, saved_[i], fused_activation(l), dnorm_, g.gamma, g.beta);
      switch (l.kind) {
        case LayerKind::Conv: conv2d_backward(x, dnorm_, p.weight, geometry(l), dx, g.weight); break;
        case LayerKind::Depthwise:
          depthwise_backward(x, dnorm_, p.weight, geometry(l), dx, g.weight);
          break;
        default: pointwise_backward(x, dnorm_, p.weight, dx, g.weight); break;
      }
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
    if (p.has_bn) {
      slots.push_back({p.bn.gamma.data(), g.gamma.data(), p.bn.gamma.size(), false});
      slots.push_back({p.bn.beta.data(), g.beta.data(), p.bn.beta.size(), false});
    }
  }
  return slots;
}

}  // namespace patchnas::trainer
