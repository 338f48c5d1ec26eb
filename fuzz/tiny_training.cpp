// The small training run shared by fuzz_checkpoint and write_seeds (tiny_training.hpp).
#include "fuzz/tiny_training.hpp"

namespace patchnas::fuzz {
namespace {

// `count` 6x6 grey images, image i all of value 40 * (i % 3) + 20, of class i % 3.
trainer::Dataset stripes(int count) {
  trainer::Dataset d;
  d.name = "tiny";
  d.height = d.width = 6;
  d.channels = 1;
  d.classes = 3;
  for (int i = 0; i < count; ++i) {
    d.labels.push_back(static_cast<std::uint8_t>(i % 3));
    d.pixels.insert(d.pixels.end(), d.sample_bytes(), static_cast<std::uint8_t>(40 * (i % 3) + 20));
  }
  return d;
}

}  // namespace

TinyTraining::TinyTraining() {
  arch.name = "tiny";
  arch.resolution = 6;
  arch.input_channels = 1;
  arch.stem = {4, 3, 2};
  arch.blocks = {{3, 2.0, 4, 1}};
  arch.classes = 3;
  arch.patch = PatchSpec{2, 1};
  options.epochs = 1;
  options.qat_epochs = 1;
  options.batch_size = 4;
  options.calibration_batches = 1;
  data.train = stripes(8);
  data.test = stripes(4);
  data.mean = {0.3f};
  data.stddev = {0.2f};
}

}  // namespace patchnas::fuzz
