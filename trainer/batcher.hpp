// Batcher: turns a Dataset into normalized float NHWC batches (Tensor) plus labels, for
// training (shuffled, augmented) and evaluation (in order, plain). Per sample, in this order:
//   1. v = pixel / 255 (float);
//   2. bilinear resize to R x R, PyTorch's F.interpolate(mode="bilinear",
//      align_corners=False, antialias=False): source coordinate (d + 0.5) * in / out - 0.5,
//      clamped at 0 below, neighbours floor and floor+1 clamped to the edge. R equal to the
//      source size is the identity (the resize is skipped);
//   3. normalize (v - mean[c]) / stddev[c] (float);
//   4. optional random crop with padding P (torchvision RandomCrop(R, padding=P)): pad with
//      pixel value 0 *before* normalization (so the padded value is (0 - mean) / stddev),
//      then take the R x R window at offset (dy, dx), each uniform in [0, 2P];
//   5. optional horizontal flip with probability 0.5 (after the crop).
// Determinism: the order of epoch e is a Fisher-Yates shuffle driven by an Rng seeded from
// (seed, e) alone, and the augmentation of sample i in epoch e by an Rng seeded from
// (seed, e, i), drawing dy, dx, then the flip coin, always all three (so turning crop on or
// off does not change the flips). Batches are therefore the same whatever was produced
// before (resume), whatever the number of threads, with or without the cache.
// Speed: when a resize is needed and the resized, normalized set fits cache_limit_bytes, the
// constructor pre-resizes the whole set once (in parallel). The cache holds resized, normalized,
// not yet augmented images, so it serves crop and flip as well (they act on the resized image and
// pad with the normalized value of pixel 0). Batches are assembled in parallel over samples
// with oneTBB. The Batcher keeps a pointer to `data`: it must outlive it.
//   Batcher batcher(train, {.resolution = 32, .batch_size = 128, .shuffle = true,
//                           .crop_padding = 2, .horizontal_flip = true, .drop_last = true,
//                           .seed = 7});
//   Batch batch;
//   for (int epoch = first_epoch; epoch < epochs; ++epoch) {
//     const EpochOrder order = batcher.epoch_order(epoch);
//     for (int b = 0; b < batcher.batch_count(); ++b) batcher.fill_batch(order, b, batch);
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "trainer/dataset.hpp"
#include "trainer/fashion_mnist.hpp"
#include "trainer/tensor.hpp"

namespace patchnas::trainer {

struct BatcherOptions {
  int resolution = 0;  // R: batches are R x R; 0 keeps the data set's height x width
  int batch_size = 128;
  // One value for every channel, or one per channel. Defaults: Fashion-MNIST.
  std::vector<float> mean = {kFashionMnistMean};
  std::vector<float> stddev = {kFashionMnistStd};
  bool shuffle = false;  // a new seeded order every epoch (training)
  int crop_padding = 0;  // P > 0: random crop with zero padding P
  bool horizontal_flip = false;
  bool drop_last = false;  // drop the last partial batch (training); keep it (evaluation)
  std::uint64_t seed = 0;
  std::size_t cache_limit_bytes = std::size_t{512} << 20;  // 0: never pre-resize
};

// Bilinear resize of HWC float images (see step 2 above) from src_h x src_w to dst_h x dst_w,
// with the source taps and weights computed once; resize_bilinear is the one-shot form.
//   BilinearResize resize(28, 28, 1, 32, 32);
//   resize(source, destination);  // destination holds 32 * 32 * 1 floats
class BilinearResize {
 public:
  BilinearResize(int src_h, int src_w, int channels, int dst_h, int dst_w);
  void operator()(const float* src, float* dst) const;

 private:
  struct Tap {  // one output coordinate: two source indices and their weights
    int index0 = 0;
    int index1 = 0;
    float lambda0 = 1.0f;
    float lambda1 = 0.0f;
  };
  static std::vector<Tap> taps(int in_size, int out_size);

  int src_w_ = 0;
  int channels_ = 0;
  std::vector<Tap> rows_;
  std::vector<Tap> cols_;
};

// The sample order of one epoch.
struct EpochOrder {
  int epoch = 0;
  std::vector<int> samples;  // data set indices, a permutation of 0..N-1
};

struct Batch {
  Tensor images;             // count x R x R x channels, normalized
  std::vector<int> labels;   // count
  std::vector<int> samples;  // the data set index of each row
};

class Batcher {
 public:
  // Throws std::invalid_argument on an inconsistent data set or options (batch_size < 1,
  // resolution < 0, crop_padding < 0, mean/stddev not of size 1 or channels, stddev <= 0).
  Batcher(const Dataset& data, BatcherOptions options);

  int batch_count() const;  // per epoch, honouring drop_last
  int sample_count() const { return data_->size(); }
  int height() const { return height_; }
  int width() const { return width_; }
  bool cached() const { return !cache_.empty(); }
  const BatcherOptions& options() const { return options_; }

  EpochOrder epoch_order(int epoch) const;
  // Batch `batch_index` (0 <= index < batch_count()) of the epoch `order`, into `out`
  // (its buffers are reused). Thread-safe: the Batcher is not modified.
  void fill_batch(const EpochOrder& order, int batch_index, Batch& out) const;
  Batch batch(const EpochOrder& order, int batch_index) const;

 private:
  // The resized, normalized, not yet augmented image of sample `index` (scratch: a buffer of
  // at least sample_floats(), used when the sample is not cached).
  const float* prepared(int index, std::vector<float>& scratch) const;
  void write_sample(int epoch, int index, std::vector<float>& scratch, float* out) const;
  std::size_t sample_floats() const;

  const Dataset* data_;
  BatcherOptions options_;
  int height_ = 0;
  int width_ = 0;
  std::optional<BilinearResize> resize_;  // set when the data set's size is not height x width
  std::vector<float> mean_;               // per channel
  std::vector<float> stddev_;             // per channel
  std::vector<float> pad_value_;          // per channel: (0 - mean) / stddev
  std::vector<float> cache_;              // N x height x width x channels, or empty
};

void resize_bilinear(const float* src, int src_h, int src_w, int channels, float* dst, int dst_h,
                     int dst_w);

}  // namespace patchnas::trainer
