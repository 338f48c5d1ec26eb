// What training an arch needs in memory, checked before the trainer allocates anything:
// every layer's activation, its gradient and what the backward keeps, for a training batch
// and for the evaluation batch, plus the parameters with their gradients and momentum.
//   if (auto why = training_memory_problem(arch, 128)) throw InputError(file, field, *why);
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "space/arch.hpp"

namespace patchnas::trainer {

inline constexpr int kEvalBatch = 256;  // the batch of validation and test passes
inline constexpr double kTrainingMemoryLimitBytes = 16.0 * 1024 * 1024 * 1024;  // 16 GiB

// Bytes that training `arch` (a validated arch) with batches of `batch` would need.
double training_memory_bytes(const Arch& arch, int batch);

// A message when that exceeds kTrainingMemoryLimitBytes, else nothing:
// "resolution 2048 would need 1.2 TiB for training (activations of a batch of 16, ...)".
std::optional<std::string> training_memory_problem(const Arch& arch, int batch);

}  // namespace patchnas::trainer
