// Test helper of the executor tests in tests/runtime: one fixed small network with random int8
// parameters, one image and the reference int8 logits, per-layer or patch-based.
//   const testing::SmallModel fx(true);   // patched
//   pn_model_run(&fx.model.model(), fx.image.data(), arena.data(), arena.size(), logits);
#pragma once

#include <cstdint>
#include <vector>

#include "export/runtime_model.hpp"
#include "space/lower.hpp"
#include "space/random.hpp"
#include "support/random_model.hpp"
#include "trainer/int8_inference.hpp"

namespace patchnas::testing {

// 24x24x1 input; stem 8ch stride 2 (layer 0); a residual block with expand 1 (1 dw, 2 pw); an
// expanding strided block (3 pw, 4 in-place dw, 5 pw); a residual k5 block (6, 7, 8); head (9),
// pool (10), fc (11). Patched: n = 2 over the stem and two blocks, layers 0..5.
inline Arch small_arch(bool patched) {
  Arch a;
  a.name = "small-executor-test";
  a.resolution = 24;
  a.input_channels = 1;
  a.stem = {8, 3, 2};
  a.blocks = {{3, 1.0, 8, 1}, {3, 3.0, 16, 2}, {5, 2.0, 16, 1}};
  a.head_out = 32;
  a.classes = 10;
  if (patched) a.patch = PatchSpec{2, 2};
  return a;
}

struct SmallModel {
  explicit SmallModel(bool patched)
      : arch(small_arch(patched)), quantized(random_quantized(arch, 17)), model(arch, quantized) {
    Rng rng(3);
    const trainer::Int8Tensor input =
        trainer::quantize_images(random_images(1, arch, rng), quantized.tensors[0]);
    image = input.data;
    expected = trainer::int8_inference(lower(arch), quantized, input).data;
  }
  Arch arch;
  trainer::QuantizedModel quantized;
  RuntimeModel model;
  std::vector<std::int8_t> image;
  std::vector<std::int8_t> expected;  // the reference logits
};

}  // namespace patchnas::testing
