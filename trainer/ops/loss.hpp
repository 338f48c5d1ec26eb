// loss.hpp: softmax cross-entropy with optional label smoothing, the training loss.
//
// For logits z [n][classes] (a Tensor [n][1][1][classes]) and labels t: p = softmax(z) (max
// subtracted first), target q = (1 - eps) onehot(t) + eps / classes, loss = mean over the batch
// of -sum_k q_k log p_k, gradient dz = (p - q) / n. `correct` counts samples whose argmax logit
// (first one on ties) equals the label. Sums run in double, serially in sample order (the op is
// batch x classes: tiny), so the result is deterministic.
//
//   Tensor dlogits;
//   LossResult r = softmax_cross_entropy(logits, batch.labels, 0.1f, dlogits);
//   total_loss += r.loss * n;  hits += r.correct;
#pragma once

#include <span>

#include "trainer/tensor.hpp"

namespace patchnas::trainer {

struct LossResult {
  double loss = 0.0;  // mean over the batch
  int correct = 0;    // samples with argmax(logits) == label
};

// labels: one per sample, in [0, classes). dlogits is resized to logits' shape (overwritten).
LossResult softmax_cross_entropy(const Tensor& logits, std::span<const int> labels,
                                 float label_smoothing, Tensor& dlogits);

}  // namespace patchnas::trainer
