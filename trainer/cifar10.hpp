// CIFAR-10 in its binary distribution (cifar-10-batches-bin): data_batch_1..5.bin (train,
// 5 x 10000) and test_batch.bin (10000). Each record is 1 label byte then 3072 pixel bytes:
// 1024 red, 1024 green, 1024 blue, each plane 32x32 row-major (CHW planar); loading converts
// to the Dataset's HWC. Errors are InputErrors naming the file: missing, a size that is not a
// multiple of 3073 bytes ("truncated"), an empty file, a label > 9 (field "records[i].label").
//   Dataset train = load_cifar10("/data/cifar-10-batches-bin");           // 50000 x 32x32x3
//   Dataset test = load_cifar10("/data/cifar-10-batches-bin", Subset::test);
#pragma once

#include <cstddef>
#include <string>

#include "trainer/dataset.hpp"

namespace patchnas::trainer {

inline constexpr int kCifar10Side = 32;
inline constexpr int kCifar10Classes = 10;
inline constexpr std::size_t kCifar10RecordBytes = 1 + 3 * 32 * 32;  // 3073

// Per-channel (R, G, B) normalization statistics of the CIFAR-10 training images (pixel / 255).
inline constexpr float kCifar10Mean[3] = {0.4914f, 0.4822f, 0.4465f};
inline constexpr float kCifar10Std[3] = {0.2470f, 0.2435f, 0.2616f};

// One batch file (any number of records).
Dataset read_cifar10_file(const std::string& path);

// data_batch_1.bin .. data_batch_5.bin concatenated in that order, or test_batch.bin.
Dataset load_cifar10(const std::string& dir, Subset which = Subset::train);

}  // namespace patchnas::trainer
