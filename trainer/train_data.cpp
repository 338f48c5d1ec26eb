#include "trainer/train_data.hpp"

#include <iterator>

#include "space/input_error.hpp"
#include "trainer/cifar10.hpp"
#include "trainer/fashion_mnist.hpp"

namespace patchnas::trainer {
namespace {

// The first `limit` samples (all when limit is 0), for quick runs.
Dataset first_samples(Dataset data, int limit, const DataSpec& spec, const std::string& field) {
  if (limit < 0) throw InputError(spec.file, field, "must not be negative");
  if (limit == 0 || limit >= data.size()) return data;
  std::vector<int> indices(static_cast<std::size_t>(limit));
  for (int i = 0; i < limit; ++i) indices[static_cast<std::size_t>(i)] = i;
  return select_samples(data, indices, "first " + std::to_string(limit));
}

}  // namespace

TrainData load_train_data(const DataSpec& spec) {
  TrainData data;
  Dataset train;
  if (spec.data == "fashion-mnist") {
    const std::string dir = spec.data_dir.empty() ? kFashionMnistDir : spec.data_dir;
    train = load_fashion_mnist(dir, Subset::train);
    data.test = load_fashion_mnist(dir, Subset::test);
    data.mean = {kFashionMnistMean};
    data.stddev = {kFashionMnistStd};
  } else if (spec.data == "cifar10") {
    if (spec.data_dir.empty()) {
      throw InputError(spec.file, spec.data_dir_field, "cifar10 needs a data directory");
    }
    train = load_cifar10(spec.data_dir, Subset::train);
    data.test = load_cifar10(spec.data_dir, Subset::test);
    data.mean.assign(std::begin(kCifar10Mean), std::end(kCifar10Mean));
    data.stddev.assign(std::begin(kCifar10Std), std::end(kCifar10Std));
  } else {
    throw InputError(spec.file, spec.data_field,
                     "unknown data set \"" + spec.data + "\" (fashion-mnist, cifar10)");
  }
  if (spec.validation < 0 || spec.validation >= train.size()) {
    throw InputError(spec.file, spec.validation_field,
                     "must be in [0, " + std::to_string(train.size() - 1) + "]");
  }
  ValidationSplit split = split_validation(train, spec.validation, spec.seed);
  data.train = first_samples(std::move(split.train), spec.limit_train, spec, spec.limit_train_field);
  data.validation = std::move(split.validation);
  data.test = first_samples(std::move(data.test), spec.limit_test, spec, spec.limit_test_field);
  return data;
}

}  // namespace patchnas::trainer
