// Parameter initialization for a lowered network, as torchvision's MobileNetV2 does it:
// convs Kaiming-normal with fan_out (std = sqrt(2 / (k*k*out_c)), for depthwise k*k),
// BN gamma 1 and beta 0 with running mean 0 and variance 1, FC weights normal(0, 0.01) and
// bias 0. Deterministic for a seed (Rng + Box-Muller).
//   ModelParams p = init_params(net, 42);
#pragma once

#include <cstdint>

#include "trainer/model_params.hpp"

namespace patchnas::trainer {

ModelParams init_params(const Network& net, std::uint64_t seed);

}  // namespace patchnas::trainer
