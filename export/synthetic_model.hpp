// Untrained int8 models with realistic quantization, for measuring what does not depend on
// training: instruction counts (patchnas calibrate --qemu) and the tests' bit-exactness checks.
// Parameters are the trainer's default initialization with a non-trivial BatchNorm, folded and
// quantized with ranges calibrated on random images in [-1, 1).
//   const trainer::QuantizedModel q = synthetic_quantized_model(arch, 7);
#pragma once

#include <cstdint>

#include "space/arch.hpp"
#include "space/random.hpp"
#include "trainer/quantize_model.hpp"
#include "trainer/tensor.hpp"

namespace patchnas {

// n random float images of the arch's input shape, values uniform in [-1, 1).
trainer::Tensor synthetic_images(int n, const Arch& arch, Rng& rng);

trainer::QuantizedModel synthetic_quantized_model(const Arch& arch, std::uint64_t seed);

}  // namespace patchnas
