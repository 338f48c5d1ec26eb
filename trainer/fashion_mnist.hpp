// Fashion-MNIST (Xiao et al. 2017): 60000 train / 10000 test grey 28x28 images, 10 classes,
// read from the four gzipped IDX files of the Debian package dataset-fashion-mnist
// ({train,t10k}-{images-idx3,labels-idx1}-ubyte.gz). Errors are InputErrors naming the
// file: those of idx_file.hpp, an image/label count mismatch (names the labels file) and a
// label >= 10 (names the labels file, field "labels[i]").
//   Dataset train = load_fashion_mnist();                       // default directory
//   Dataset test = load_fashion_mnist("/data/fmnist", Subset::test);
#pragma once

#include <string>

#include "trainer/dataset.hpp"

namespace patchnas::trainer {

inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";
inline constexpr int kFashionMnistClasses = 10;

// Normalization statistics of the Fashion-MNIST training images (pixel / 255).
inline constexpr float kFashionMnistMean = 0.2860f;
inline constexpr float kFashionMnistStd = 0.3530f;

Dataset load_fashion_mnist(const std::string& dir = kFashionMnistDir, Subset which = Subset::train);
inline Dataset load_fashion_mnist(Subset which) {
  return load_fashion_mnist(kFashionMnistDir, which);
}

// The images file and labels file of one subset: a data set of 1-channel images.
Dataset load_idx_dataset(const std::string& images_path, const std::string& labels_path,
                         int classes, const std::string& name);

}  // namespace patchnas::trainer
