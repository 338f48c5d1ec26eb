#include "trainer/sgd.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace patchnas::trainer {

void Sgd::step(const std::vector<ParamSlot>& slots, double lr) {
  if (buffers_.size() != slots.size()) {
    buffers_.resize(slots.size());
    for (std::size_t i = 0; i < slots.size(); ++i) buffers_[i].assign(slots[i].count, 0.0f);
  }
  const auto momentum = static_cast<float>(options_.momentum);
  const auto rate = static_cast<float>(lr);
  for (std::size_t s = 0; s < slots.size(); ++s) {
    const ParamSlot& slot = slots[s];
    const float decay = slot.decay ? static_cast<float>(options_.weight_decay) : 0.0f;
    float* w = slot.value;
    const float* grad = slot.grad;
    float* buf = buffers_[s].data();
    for (std::size_t i = 0; i < slot.count; ++i) {
      const float g = grad[i] + decay * w[i];
      buf[i] = momentum * buf[i] + g;
      const float step = options_.nesterov ? g + momentum * buf[i] : buf[i];
      w[i] -= rate * step;
    }
  }
}

double LrSchedule::at(std::int64_t step) const {
  if (step < warmup_steps) {
    return base_lr * static_cast<double>(step + 1) / static_cast<double>(warmup_steps);
  }
  const std::int64_t span = total_steps - warmup_steps;
  if (span <= 0) return base_lr;
  const double t = static_cast<double>(step - warmup_steps) / static_cast<double>(span);
  return base_lr * 0.5 * (1.0 + std::cos(std::numbers::pi * std::min(t, 1.0)));
}

}  // namespace patchnas::trainer
