// Tensor: a dense float tensor in NHWC layout (batch, height, width, channels; channels
// contiguous), the one activation type of the trainer. Parameters are plain float vectors
// with the layouts documented in model_params.hpp.
//   Tensor x(128, 28, 28, 1);
//   x.at(n, y, x_, c) = 0.5f;
#pragma once

#include <cstdint>
#include <vector>

namespace patchnas::trainer {

struct Tensor {
  int n = 0;
  int h = 0;
  int w = 0;
  int c = 0;
  std::vector<float> data;

  Tensor() = default;
  Tensor(int batch, int height, int width, int channels)
      : n(batch), h(height), w(width), c(channels),
        data(static_cast<std::size_t>(batch) * height * width * channels, 0.0f) {}

  // Reshapes, keeping the allocation when it is large enough (contents unspecified).
  void resize(int batch, int height, int width, int channels) {
    n = batch;
    h = height;
    w = width;
    c = channels;
    data.resize(static_cast<std::size_t>(batch) * height * width * channels);
  }

  std::size_t size() const { return data.size(); }
  std::size_t pixels() const { return static_cast<std::size_t>(n) * h * w; }
  float* ptr() { return data.data(); }
  const float* ptr() const { return data.data(); }
  std::size_t index(int b, int y, int x, int ch) const {
    return ((static_cast<std::size_t>(b) * h + y) * w + x) * c + ch;
  }
  float& at(int b, int y, int x, int ch) { return data[index(b, y, x, ch)]; }
  float at(int b, int y, int x, int ch) const { return data[index(b, y, x, ch)]; }
};

}  // namespace patchnas::trainer
