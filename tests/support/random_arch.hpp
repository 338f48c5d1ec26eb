// Random archs for property tests, wider than any search space: odd resolutions, every odd
// kernel up to 7, strides 1/2, expand 1 (with and without residual) and >1, optional head and
// an optional patch schedule that does not collapse.
#pragma once

#include <random>

#include "space/arch.hpp"

namespace patchnas::testing {

// Upper limits of the draws; the defaults suit the estimators' property tests, smaller ones
// the tests that run the networks through the reference int8 loops.
struct RandomArchLimits {
  int resolution = 96;
  int blocks = 10;
  int stem_multiple = 4;  // stem channels: 8 x [1, stem_multiple]
  int out_multiple = 6;   // block channels: 8 x [1, out_multiple]
  int expand = 6;
  int head_multiple = 20;  // head channels: 8 x [4, head_multiple]
  int classes = 100;
  int patch_n = 5;
};

inline Arch random_arch(std::mt19937& rng, bool with_patch, const RandomArchLimits& limit = {}) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Arch a;
  a.name = "random";
  a.resolution = pick(9, limit.resolution);
  a.input_channels = pick(1, 3);
  a.stem = {8 * pick(1, limit.stem_multiple), 2 * pick(0, 2) + 1, pick(1, 2)};
  int channels = a.stem.out;
  const int blocks = pick(1, limit.blocks);
  for (int b = 0; b < blocks; ++b) {
    const int out = pick(0, 2) == 0 ? channels : 8 * pick(1, limit.out_multiple);
    const double expand = pick(0, 2) == 0 ? 1.0 : static_cast<double>(pick(2, limit.expand));
    a.blocks.push_back({2 * pick(1, 3) + 1, expand, out, pick(0, 2) == 0 ? 2 : 1});
    channels = out;
  }
  if (pick(0, 1) == 1) a.head_out = 8 * pick(4, limit.head_multiple);
  a.classes = pick(2, limit.classes);
  if (with_patch) {
    for (int attempt = 0; attempt < 10 && !a.patch; ++attempt) {
      const int split = pick(1, blocks);
      const int n = pick(2, limit.patch_n);
      if (feature_size_after(a, split) >= n) a.patch = PatchSpec{n, split};
    }
  }
  return a;
}

}  // namespace patchnas::testing
