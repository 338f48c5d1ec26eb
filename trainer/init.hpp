// Parameter initialization for a lowered network, PyTorch's defaults for Conv2d and Linear:
// weights uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)] (kaiming_uniform with a = sqrt(5)),
// fan_in = k*k*in_c per output channel (k*k for depthwise), the FC bias uniform in the same
// bound; BN gamma 1, beta 0, running mean 0 and variance 1. Deterministic for a seed (Rng).
//   ModelParams p = init_params(net, 42);
#pragma once

#include <cstdint>

#include "trainer/model_params.hpp"

namespace patchnas::trainer {

ModelParams init_params(const Network& net, std::uint64_t seed);

}  // namespace patchnas::trainer
