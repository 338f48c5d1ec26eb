// Test helper: random quantized models for an arch and random float images (the exporter's
// synthetic models, export/synthetic_model.hpp, under the names the tests use).
//   const QuantizedModel q = testing::random_quantized(arch, 7);
#pragma once

#include "export/synthetic_model.hpp"

namespace patchnas::testing {

inline trainer::Tensor random_images(int n, const Arch& a, Rng& rng) {
  return synthetic_images(n, a, rng);
}

inline trainer::QuantizedModel random_quantized(const Arch& arch, std::uint64_t seed) {
  return synthetic_quantized_model(arch, seed);
}

}  // namespace patchnas::testing
