// Test helper: uniformly random float arrays and tensors for the kernel tests.
//   std::mt19937 rng(1);
//   Tensor x = random_tensor(2, 9, 7, 3, rng);
#pragma once

#include <random>
#include <vector>

#include "trainer/tensor.hpp"

namespace patchnas::trainer::testing {

inline void fill_uniform(std::vector<float>& v, std::mt19937& rng, float lo = -1.0f,
                         float hi = 1.0f) {
  std::uniform_real_distribution<float> dist(lo, hi);
  for (float& x : v) x = dist(rng);
}

inline Tensor random_tensor(int n, int h, int w, int c, std::mt19937& rng) {
  Tensor t(n, h, w, c);
  fill_uniform(t.data, rng);
  return t;
}

}  // namespace patchnas::trainer::testing
