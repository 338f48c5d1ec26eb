// Dataset: an in-memory labelled image set (the trainer's one data container), and the
// deterministic train/validation split. Images are uint8, HWC per sample (channels
// contiguous), samples back to back: sample i starts at pixels[i * sample_bytes()].
// Loaders (fashion_mnist.hpp, cifar10.hpp) fill it; the Batcher (batcher.hpp) turns it
// into normalized float batches.
//   Dataset train = load_fashion_mnist();                       // 60000 x 28x28x1
//   ValidationSplit parts = split_validation(train, 5000, 42);  // 55000 + 5000, seeded
//   const std::uint8_t* first = parts.validation.image(0);
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace patchnas::trainer {

// Which half of a published data set to load.
enum class Subset { train, test };

struct Dataset {
  std::string name;  // where it came from, for messages, e.g. "fashion-mnist/train"
  int height = 0;
  int width = 0;
  int channels = 0;
  int classes = 0;
  std::vector<std::uint8_t> pixels;  // size() * sample_bytes() bytes, HWC per sample
  std::vector<std::uint8_t> labels;  // one per sample, each < classes

  int size() const { return static_cast<int>(labels.size()); }
  std::size_t sample_bytes() const {
    return static_cast<std::size_t>(height) * static_cast<std::size_t>(width) *
           static_cast<std::size_t>(channels);
  }
  const std::uint8_t* image(int index) const {
    return pixels.data() + static_cast<std::size_t>(index) * sample_bytes();
  }

  // Throws std::invalid_argument (naming `name`) when the shape is not positive, the pixel
  // buffer does not hold exactly size() images, or a label is >= classes.
  void check_consistent() const;
};

// The samples `indices` of `data`, in that order (a copy; name gets `suffix` appended).
Dataset select_samples(const Dataset& data, const std::vector<int>& indices,
                       const std::string& suffix);

struct ValidationSplit {
  Dataset train;
  Dataset validation;
};

// Holds out `validation_count` samples of `data` as a validation set. The choice is a
// Fisher-Yates shuffle of the indices 0..N-1 driven by Rng(seed) (i from N-1 down to 1,
// j = rng.uniform(i + 1), swap): the first validation_count shuffled indices are the
// validation set, the rest the training set. Both parts then keep the original sample
// order (indices sorted ascending), so the result depends on (data, count, seed) only and is
// the same on every platform. Throws std::invalid_argument unless 0 <= count <= N.
ValidationSplit split_validation(const Dataset& data, int validation_count, std::uint64_t seed);

// The same with validation_count = round(fraction * N) (half away from zero);
// throws std::invalid_argument unless 0 <= fraction <= 1.
ValidationSplit split_validation_fraction(const Dataset& data, double validation_fraction,
                                          std::uint64_t seed);

}  // namespace patchnas::trainer
