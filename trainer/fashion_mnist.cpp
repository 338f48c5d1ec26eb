#include "trainer/fashion_mnist.hpp"

#include <utility>

#include "space/input_error.hpp"
#include "trainer/idx_file.hpp"

namespace patchnas::trainer {

Dataset load_idx_dataset(const std::string& images_path, const std::string& labels_path,
                         int classes, const std::string& name) {
  IdxImages images = read_idx_images(images_path);
  std::vector<std::uint8_t> labels = read_idx_labels(labels_path);
  if (static_cast<std::size_t>(images.count) != labels.size()) {
    throw InputError(labels_path, "",
                     "holds " + std::to_string(labels.size()) + " labels but " + images_path +
                         " holds " + std::to_string(images.count) + " images");
  }
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] >= classes) {
      throw InputError(labels_path, "labels[" + std::to_string(i) + "]",
                       "label " + std::to_string(labels[i]) + " is not a class (expected < " +
                           std::to_string(classes) + ")");
    }
  }
  Dataset data;
  data.name = name;
  data.height = images.rows;
  data.width = images.cols;
  data.channels = 1;
  data.classes = classes;
  data.pixels = std::move(images.pixels);
  data.labels = std::move(labels);
  return data;
}

Dataset load_fashion_mnist(const std::string& dir, Subset which) {
  const std::string prefix = dir + "/" + (which == Subset::train ? "train" : "t10k");
  return load_idx_dataset(prefix + "-images-idx3-ubyte.gz", prefix + "-labels-idx1-ubyte.gz",
                          kFashionMnistClasses,
                          which == Subset::train ? "fashion-mnist/train" : "fashion-mnist/test");
}

}  // namespace patchnas::trainer
