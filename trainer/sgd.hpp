// SGD with momentum (optionally Nesterov) and decoupled-from-BN weight decay, PyTorch's
// semantics: g = grad + wd*w (wd only on conv/FC weights, never on BN parameters or biases);
// buf = momentum*buf + g; step = nesterov ? g + momentum*buf : buf; w -= lr*step.
// And the learning-rate schedule: linear warmup then cosine to zero, per step.
//   Sgd sgd({.momentum = 0.9, .weight_decay = 4e-5, .nesterov = true});
//   sgd.step(params, lr);   // params: the ParamSlots of a model
#pragma once

#include <cstdint>
#include <vector>

namespace patchnas::trainer {

// One trainable array and its gradient.
struct ParamSlot {
  float* value = nullptr;
  const float* grad = nullptr;
  std::size_t count = 0;
  bool decay = false;  // weight decay applies (conv and FC weights)
};

struct SgdOptions {
  double momentum = 0.9;
  double weight_decay = 0.0;
  bool nesterov = false;
};

class Sgd {
 public:
  explicit Sgd(SgdOptions options) : options_(options) {}
  void step(const std::vector<ParamSlot>& slots, double lr);

  // Momentum buffers, one per slot (for checkpoints).
  std::vector<std::vector<float>>& momentum_buffers() { return buffers_; }
  const std::vector<std::vector<float>>& momentum_buffers() const { return buffers_; }
  const SgdOptions& options() const { return options_; }

 private:
  SgdOptions options_;
  std::vector<std::vector<float>> buffers_;
};

struct LrSchedule {
  double base_lr = 0.05;
  std::int64_t warmup_steps = 0;
  std::int64_t total_steps = 1;
  // Linear from base/warmup to base over the warmup, then base * (1 + cos(pi * t)) / 2 with
  // t going from 0 to 1 over the remaining steps.
  double at(std::int64_t step) const;
};

}  // namespace patchnas::trainer
