#include "trainer/batcher.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

#include "space/random.hpp"

namespace patchnas::trainer {
namespace {

// Random streams derived from the Batcher's seed; distinct tags keep them independent.
constexpr std::uint64_t kOrderStream = 0x6f72646572ULL;  // "order"
constexpr std::uint64_t kAugmentStream = 0x6175676dULL;  // "augm"

std::uint64_t mix64(std::uint64_t x) {  // the splitmix64 finalizer
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t stream, std::uint64_t epoch,
                          std::uint64_t sample) {
  return mix64(mix64(mix64(mix64(seed) ^ stream) ^ epoch) ^ sample);
}

std::vector<float> per_channel(const std::vector<float>& values, int channels, const char* what) {
  if (values.size() == 1) return std::vector<float>(static_cast<std::size_t>(channels), values[0]);
  if (values.size() == static_cast<std::size_t>(channels)) return values;
  throw std::invalid_argument(std::string("Batcher: ") + what + " has " +
                              std::to_string(values.size()) + " values, expected 1 or " +
                              std::to_string(channels));
}

}  // namespace

// The taps of PyTorch's compute_source_index_and_lambda (in float) for align_corners=False.
std::vector<BilinearResize::Tap> BilinearResize::taps(int in_size, int out_size) {
  std::vector<Tap> out(static_cast<std::size_t>(out_size));
  const float scale = static_cast<float>(in_size) / static_cast<float>(out_size);
  for (int d = 0; d < out_size; ++d) {
    float source = scale * (static_cast<float>(d) + 0.5f) - 0.5f;
    if (source < 0.0f) source = 0.0f;
    Tap& tap = out[static_cast<std::size_t>(d)];
    tap.index0 = std::min(static_cast<int>(source), in_size - 1);
    tap.index1 = tap.index0 + (tap.index0 < in_size - 1 ? 1 : 0);
    tap.lambda1 = std::clamp(source - static_cast<float>(tap.index0), 0.0f, 1.0f);
    tap.lambda0 = 1.0f - tap.lambda1;
  }
  return out;
}

BilinearResize::BilinearResize(int src_h, int src_w, int channels, int dst_h, int dst_w)
    : src_w_(src_w), channels_(channels) {
  if (src_h < 1 || src_w < 1 || dst_h < 1 || dst_w < 1 || channels < 1) {
    throw std::invalid_argument("BilinearResize: sizes must be positive");
  }
  rows_ = taps(src_h, dst_h);
  cols_ = taps(src_w, dst_w);
}

void BilinearResize::operator()(const float* src, float* dst) const {
  const std::size_t c = static_cast<std::size_t>(channels_);
  const std::size_t row_stride = static_cast<std::size_t>(src_w_) * c;
  for (const Tap& ty : rows_) {
    const float* row0 = src + static_cast<std::size_t>(ty.index0) * row_stride;
    const float* row1 = src + static_cast<std::size_t>(ty.index1) * row_stride;
    for (const Tap& tx : cols_) {
      const std::size_t x0 = static_cast<std::size_t>(tx.index0) * c;
      const std::size_t x1 = static_cast<std::size_t>(tx.index1) * c;
      for (std::size_t ch = 0; ch < c; ++ch) {
        *dst++ = ty.lambda0 * (tx.lambda0 * row0[x0 + ch] + tx.lambda1 * row0[x1 + ch]) +
                 ty.lambda1 * (tx.lambda0 * row1[x0 + ch] + tx.lambda1 * row1[x1 + ch]);
      }
    }
  }
}

void resize_bilinear(const float* src, int src_h, int src_w, int channels, float* dst, int dst_h,
                     int dst_w) {
  BilinearResize(src_h, src_w, channels, dst_h, dst_w)(src, dst);
}

Batcher::Batcher(const Dataset& data, BatcherOptions options)
    : data_(&data), options_(std::move(options)) {
  data.check_consistent();
  if (options_.batch_size < 1) throw std::invalid_argument("Batcher: batch_size must be >= 1");
  if (options_.resolution < 0) throw std::invalid_argument("Batcher: resolution must be >= 0");
  if (options_.crop_padding < 0) {
    throw std::invalid_argument("Batcher: crop_padding must be >= 0");
  }
  height_ = options_.resolution > 0 ? options_.resolution : data.height;
  width_ = options_.resolution > 0 ? options_.resolution : data.width;
  if (height_ != data.height || width_ != data.width) {
    resize_.emplace(data.height, data.width, data.channels, height_, width_);
  }
  mean_ = per_channel(options_.mean, data.channels, "mean");
  stddev_ = per_channel(options_.stddev, data.channels, "stddev");
  for (std::size_t c = 0; c < mean_.size(); ++c) {
    if (!(stddev_[c] > 0.0f)) throw std::invalid_argument("Batcher: stddev must be > 0");
    pad_value_.push_back((0.0f - mean_[c]) / stddev_[c]);
  }

  const std::size_t floats = sample_floats();
  const std::size_t samples = static_cast<std::size_t>(data.size());
  if (resize_ && samples > 0 && floats * sizeof(float) <= options_.cache_limit_bytes / samples) {
    std::vector<float> cache(samples * floats);
    tbb::parallel_for(
        tbb::blocked_range<int>(0, data.size(), 64), [&](const tbb::blocked_range<int>& range) {
          std::vector<float> scratch;
          for (int i = range.begin(); i != range.end(); ++i) {
            const float* image = prepared(i, scratch);
            std::copy(
                image, image + floats,
                cache.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(i) * floats));
          }
        });
    cache_ = std::move(cache);
  }
}

std::size_t Batcher::sample_floats() const {
  return static_cast<std::size_t>(height_) * static_cast<std::size_t>(width_) *
         static_cast<std::size_t>(data_->channels);
}

int Batcher::batch_count() const {
  const int n = data_->size();
  const int b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

EpochOrder Batcher::epoch_order(int epoch) const {
  if (epoch < 0) throw std::invalid_argument("Batcher: epoch must be >= 0");
  EpochOrder order;
  order.epoch = epoch;
  order.samples.resize(static_cast<std::size_t>(data_->size()));
  std::iota(order.samples.begin(), order.samples.end(), 0);
  if (options_.shuffle) {
    Rng rng(stream_seed(options_.seed, kOrderStream, static_cast<std::uint64_t>(epoch), 0));
    for (int i = data_->size() - 1; i > 0; --i) {
      std::swap(order.samples[static_cast<std::size_t>(i)],
                order.samples[static_cast<std::size_t>(rng.uniform(i + 1))]);
    }
  }
  return order;
}

const float* Batcher::prepared(int index, std::vector<float>& scratch) const {
  const std::size_t floats = sample_floats();
  if (!cache_.empty()) return cache_.data() + static_cast<std::size_t>(index) * floats;
  const std::size_t source_floats = data_->sample_bytes();
  const std::size_t c = static_cast<std::size_t>(data_->channels);
  scratch.resize(floats + (resize_ ? source_floats : 0));
  float* out = scratch.data();
  const std::uint8_t* pixels = data_->image(index);
  if (resize_) {
    float* source = scratch.data() + floats;
    for (std::size_t k = 0; k < source_floats; ++k) {
      source[k] = static_cast<float>(pixels[k]) / 255.0f;
    }
    (*resize_)(source, out);
  } else {
    for (std::size_t k = 0; k < floats; ++k) out[k] = static_cast<float>(pixels[k]) / 255.0f;
  }
  for (std::size_t k = 0; k < floats; k += c) {
    for (std::size_t ch = 0; ch < c; ++ch) out[k + ch] = (out[k + ch] - mean_[ch]) / stddev_[ch];
  }
  return out;
}

void Batcher::write_sample(int epoch, int index, std::vector<float>& scratch, float* out) const {
  const float* image = prepared(index, scratch);
  const int padding = options_.crop_padding;
  if (padding == 0 && !options_.horizontal_flip) {
    std::copy(image, image + sample_floats(), out);
    return;
  }
  Rng rng(stream_seed(options_.seed, kAugmentStream, static_cast<std::uint64_t>(epoch),
                      static_cast<std::uint64_t>(index)));
  const int dy = rng.uniform(2 * padding + 1);
  const int dx = rng.uniform(2 * padding + 1);
  const bool flip = rng.bernoulli(0.5) && options_.horizontal_flip;
  // Row by row: the crop window's row sy, padded where the window leaves the image (output
  // columns [0, lo) and [hi, width)), then mirrored in place when flipped.
  const std::size_t c = static_cast<std::size_t>(data_->channels);
  const std::size_t row_floats = static_cast<std::size_t>(width_) * c;
  const int lo = std::clamp(padding - dx, 0, width_);
  const int hi = std::clamp(width_ + padding - dx, lo, width_);
  auto fill_pad = [&](float* first, int pixels) {
    for (int x = 0; x < pixels; ++x) std::copy(pad_value_.begin(), pad_value_.end(), first + x * c);
  };
  for (int y = 0; y < height_; ++y) {
    float* row = out + static_cast<std::size_t>(y) * row_floats;
    const int sy = y + dy - padding;
    if (sy < 0 || sy >= height_) {
      fill_pad(row, width_);
      continue;
    }
    const float* source = image + static_cast<std::size_t>(sy) * row_floats +
                          static_cast<std::size_t>(lo + dx - padding) * c;
    fill_pad(row, lo);
    std::copy(source, source + static_cast<std::size_t>(hi - lo) * c, row + lo * c);
    fill_pad(row + hi * c, width_ - hi);
    if (flip) {
      for (int left = 0, right = width_ - 1; left < right; ++left, --right) {
        std::swap_ranges(row + left * c, row + (left + 1) * c, row + right * c);
      }
    }
  }
}

void Batcher::fill_batch(const EpochOrder& order, int batch_index, Batch& out) const {
  if (order.samples.size() != static_cast<std::size_t>(data_->size())) {
    throw std::invalid_argument("Batcher: the epoch order is not one of this data set");
  }
  if (batch_index < 0 || batch_index >= batch_count()) {
    throw std::invalid_argument("Batcher: batch index " + std::to_string(batch_index) +
                                " not in [0, " + std::to_string(batch_count()) + ")");
  }
  const int first = batch_index * options_.batch_size;
  const int count = std::min(options_.batch_size, data_->size() - first);
  out.images.resize(count, height_, width_, data_->channels);
  out.labels.resize(static_cast<std::size_t>(count));
  out.samples.assign(order.samples.begin() + first, order.samples.begin() + first + count);
  for (const int index : out.samples) {
    if (index < 0 || index >= data_->size()) {
      throw std::invalid_argument("Batcher: sample index " + std::to_string(index) +
                                  " out of range in the epoch order");
    }
  }
  const std::size_t floats = sample_floats();
  tbb::parallel_for(
      tbb::blocked_range<int>(0, count, 8), [&](const tbb::blocked_range<int>& range) {
        std::vector<float> scratch;
        for (int k = range.begin(); k != range.end(); ++k) {
          const int index = out.samples[static_cast<std::size_t>(k)];
          write_sample(order.epoch, index, scratch,
                       out.images.ptr() + static_cast<std::size_t>(k) * floats);
          out.labels[static_cast<std::size_t>(k)] = data_->labels[static_cast<std::size_t>(index)];
        }
      });
}

Batch Batcher::batch(const EpochOrder& order, int batch_index) const {
  Batch out;
  fill_batch(order, batch_index, out);
  return out;
}

}  // namespace patchnas::trainer
