#include "trainer/ops/loss.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace patchnas::trainer {

LossResult softmax_cross_entropy(const Tensor& logits, std::span<const int> labels,
                                 float label_smoothing, Tensor& dlogits) {
  const int classes = logits.h * logits.w * logits.c;
  const auto fail = [](const std::string& what) {
    throw std::invalid_argument("softmax_cross_entropy: " + what);
  };
  if (classes <= 0 || logits.n <= 0) fail("logits must be [n][1][1][classes], non-empty");
  if (labels.size() != static_cast<std::size_t>(logits.n)) fail("one label per sample needed");
  if (!(label_smoothing >= 0.0f && label_smoothing <= 1.0f)) {
    fail("label smoothing must be in [0, 1]");
  }
  if (&dlogits == &logits) fail("dlogits must not alias logits");
  dlogits.resize(logits.n, logits.h, logits.w, logits.c);

  const double eps = label_smoothing;
  const double off_target = eps / classes;
  const double inv_n = 1.0 / logits.n;
  LossResult result;
  double total = 0.0;
  for (int n = 0; n < logits.n; ++n) {
    const int label = labels[static_cast<std::size_t>(n)];
    if (label < 0 || label >= classes) fail("label " + std::to_string(label) + " out of range");
    const float* z = logits.ptr() + static_cast<std::size_t>(n) * classes;
    float* dz = dlogits.ptr() + static_cast<std::size_t>(n) * classes;
    int argmax = 0;
    for (int k = 1; k < classes; ++k) {
      if (z[k] > z[argmax]) argmax = k;
    }
    if (argmax == label) ++result.correct;
    const double max_logit = z[argmax];
    double denom = 0.0;
    for (int k = 0; k < classes; ++k) denom += std::exp(z[k] - max_logit);
    const double log_denom = std::log(denom);
    for (int k = 0; k < classes; ++k) {
      const double log_p = z[k] - max_logit - log_denom;
      const double q = off_target + (k == label ? 1.0 - eps : 0.0);
      total -= q * log_p;
      dz[k] = static_cast<float>((std::exp(log_p) - q) * inv_n);
    }
  }
  result.loss = total * inv_n;
  return result;
}

}  // namespace patchnas::trainer
