#include "trainer/memory_limit.hpp"

#include <algorithm>

#include "space/lower.hpp"
#include "space/size_limits.hpp"

namespace patchnas::trainer {
namespace {

// Floats the trainer keeps per sample and per output element while training: the
// activation, its gradient, the value before BN and the one before fake quantization, and
// the backward's saved mask; an evaluation pass keeps the activation and one scratch copy.
constexpr double kTrainingFloatsPerElement = 5.0;
constexpr double kEvalFloatsPerElement = 2.0;
// Per parameter: value, gradient, momentum, fake-quantized copy, best-so-far copy.
constexpr double kFloatsPerParam = 5.0;

double layer_weights(const Layer& l) {
  const double k2 = static_cast<double>(l.kernel) * l.kernel;
  switch (l.kind) {
    case LayerKind::Conv:
      return k2 * l.in.c * l.out.c;
    case LayerKind::Depthwise:
      return k2 * l.out.c;
    case LayerKind::Pointwise:
    case LayerKind::FullyConnected:
      return static_cast<double>(l.in.c) * l.out.c;
    case LayerKind::GlobalAvgPool:
      return 0.0;
  }
  return 0.0;
}

struct Sizes {
  double elements_per_sample = 0;  // the input and every layer's output
  double params = 0;
};

Sizes sizes(const Arch& arch) {
  const Network net = lower(arch);
  Sizes s;
  s.elements_per_sample =
      static_cast<double>(arch.resolution) * arch.resolution * arch.input_channels;
  for (const Layer& l : net.layers) {
    s.elements_per_sample += static_cast<double>(l.out.elements());
    s.params += layer_weights(l) + 6.0 * l.out.c;  // bias, BN gamma/beta/mean/variance, range
  }
  return s;
}

}  // namespace

double training_memory_bytes(const Arch& arch, int batch) {
  const Sizes s = sizes(arch);
  const double floats_per_element =
      std::max(kTrainingFloatsPerElement * batch, kEvalFloatsPerElement * kEvalBatch);
  return 4.0 * (s.elements_per_sample * floats_per_element + s.params * kFloatsPerParam);
}

std::optional<std::string> training_memory_problem(const Arch& arch, int batch) {
  const double bytes = training_memory_bytes(arch, batch);
  if (bytes <= kTrainingMemoryLimitBytes) return std::nullopt;
  std::string why = "resolution ";
  why.append(std::to_string(arch.resolution))
      .append(" would need ")
      .append(byte_text(bytes))
      .append(" for training (activations and gradients of a batch of ")
      .append(std::to_string(batch))
      .append(", or of an evaluation batch of ")
      .append(std::to_string(kEvalBatch))
      .append("); the limit is ")
      .append(byte_text(kTrainingMemoryLimitBytes));
  return why;
}

}  // namespace patchnas::trainer
