// A tiny arch small enough to work every figure out by hand in the tests' comments:
//   input 9x9x3; stem 3x3 s2 -> 5x5x4;
//   block 0: k3, expand 1, out 4, s1 (residual: dw cannot run in place, projection adds);
//   block 1: k5, expand 3, out 8, s2 (expand 4->12 at 5x5, dw k5 s2 -> 3x3x12, project -> 3x3x8);
//   pool -> 8; fc -> 10.
#pragma once

#include "space/arch.hpp"

namespace patchnas::testing {

inline Arch small_arch() {
  Arch a;
  a.name = "small";
  a.resolution = 9;
  a.input_channels = 3;
  a.stem = {4, 3, 2};
  a.blocks = {{3, 1.0, 4, 1}, {5, 3.0, 8, 2}};
  a.classes = 10;
  return a;
}

}  // namespace patchnas::testing
