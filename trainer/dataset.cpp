#include "trainer/dataset.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <utility>

#include "space/random.hpp"

namespace patchnas::trainer {

void Dataset::check_consistent() const {
  const std::string what = "dataset '" + name + "': ";
  if (height <= 0 || width <= 0 || channels <= 0 || classes <= 0) {
    throw std::invalid_argument(what + "height, width, channels and classes must be positive");
  }
  if (pixels.size() != labels.size() * sample_bytes()) {
    throw std::invalid_argument(what + "holds " + std::to_string(pixels.size()) +
                                " pixel bytes, expected " + std::to_string(labels.size()) +
                                " samples x " + std::to_string(sample_bytes()));
  }
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] >= classes) {
      throw std::invalid_argument(what + "label of sample " + std::to_string(i) + " is " +
                                  std::to_string(labels[i]) + ", expected < " +
                                  std::to_string(classes));
    }
  }
}

Dataset select_samples(const Dataset& data, const std::vector<int>& indices,
                       const std::string& suffix) {
  Dataset out;
  out.name = data.name + suffix;
  out.height = data.height;
  out.width = data.width;
  out.channels = data.channels;
  out.classes = data.classes;
  const std::size_t bytes = data.sample_bytes();
  out.pixels.resize(indices.size() * bytes);
  out.labels.resize(indices.size());
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const int index = indices[k];
    if (index < 0 || index >= data.size()) {
      throw std::invalid_argument("dataset '" + data.name + "': sample index " +
                                  std::to_string(index) + " out of range [0, " +
                                  std::to_string(data.size()) + ")");
    }
    if (bytes > 0) std::memcpy(out.pixels.data() + k * bytes, data.image(index), bytes);
    out.labels[k] = data.labels[static_cast<std::size_t>(index)];
  }
  return out;
}

ValidationSplit split_validation(const Dataset& data, int validation_count, std::uint64_t seed) {
  const int n = data.size();
  if (validation_count < 0 || validation_count > n) {
    throw std::invalid_argument("dataset '" + data.name + "': validation count " +
                                std::to_string(validation_count) + " not in [0, " +
                                std::to_string(n) + "]");
  }
  std::vector<int> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  Rng rng(seed);
  for (int i = n - 1; i > 0; --i) {
    std::swap(order[static_cast<std::size_t>(i)],
              order[static_cast<std::size_t>(rng.uniform(i + 1))]);
  }
  const auto cut = order.begin() + validation_count;
  std::vector<int> validation(order.begin(), cut);
  std::vector<int> train(cut, order.end());
  std::sort(validation.begin(), validation.end());
  std::sort(train.begin(), train.end());
  return {select_samples(data, train, "/train-part"),
          select_samples(data, validation, "/validation-part")};
}

ValidationSplit split_validation_fraction(const Dataset& data, double validation_fraction,
                                          std::uint64_t seed) {
  if (!(validation_fraction >= 0.0 && validation_fraction <= 1.0)) {
    throw std::invalid_argument("dataset '" + data.name + "': validation fraction " +
                                std::to_string(validation_fraction) + " not in [0, 1]");
  }
  const auto count = static_cast<int>(std::lround(validation_fraction * data.size()));
  return split_validation(data, count, seed);
}

}  // namespace patchnas::trainer
