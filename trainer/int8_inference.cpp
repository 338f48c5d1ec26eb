#include "trainer/int8_inference.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#include <tbb/parallel_for.h>

#include "trainer/reference_loops.hpp"
#include "trainer/requantize.hpp"

namespace patchnas::trainer {
namespace {

std::int32_t saturate_int32(std::int64_t v) {
  return static_cast<std::int32_t>(std::clamp<std::int64_t>(
      v, std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max()));
}

std::int8_t clamp_to(std::int64_t v, std::int32_t lo, std::int32_t hi) {
  return static_cast<std::int8_t>(std::clamp<std::int64_t>(v, lo, hi));
}

// The output stage of the conv-like layers for output channel o, element `index`.
std::int8_t output_stage(const QuantizedLayer& q, int o, std::int32_t acc,
                         const std::int8_t* residual, std::size_t index) {
  std::int32_t v = requantize(acc, q.multiplier[o], q.shift[o]);
  if (residual != nullptr) {
    const ResidualAddParams& add = q.residual;
    const std::int32_t r = requantize(
        (std::int32_t{residual[index]} - add.zero_point) * (std::int32_t{1} << kResidualLeftShift),
        add.multiplier, add.shift);
    v = requantize(saturate_int32(std::int64_t{v} + r), add.output_multiplier, add.output_shift);
  }
  return clamp_to(std::int64_t{v} + q.output_zero_point, q.act_min, q.act_max);
}

// Throws std::invalid_argument unless no accumulator of the layer can leave int32:
// |bias[o]| + taps * max|w| * max|x - zero point| <= INT32_MAX, with the input zero point an
// int8 value (so |x - zero point| <= 255). quantize_model's bias clamp guarantees it.
void check_accumulator_bound(const Layer& l, const QuantizedLayer& q) {
  if (q.input_zero_point < kActivationMin || q.input_zero_point > kActivationMax) {
    throw std::invalid_argument("input zero point " + std::to_string(q.input_zero_point) +
                                " is not an int8 value");
  }
  std::int64_t max_weight = 0;
  for (const std::int8_t w : q.weight) max_weight = std::max<std::int64_t>(max_weight, w < 0 ? -w : w);
  std::int64_t max_bias = 0;
  for (const std::int32_t b : q.bias) max_bias = std::max(max_bias, b < 0 ? -std::int64_t{b} : b);
  const std::int64_t taps = weights_per_output_channel(l);
  if (max_bias + taps * max_weight * 255 > std::numeric_limits<std::int32_t>::max()) {
    throw std::invalid_argument("the int32 accumulator could overflow: bias up to " +
                                std::to_string(max_bias) + " with " + std::to_string(taps) +
                                " taps of weights up to " + std::to_string(max_weight));
  }
}

// Conv, depthwise, pointwise and FC layers: int32 accumulation of w * (x - input zero point).
// check_accumulator_bound has proved that no partial sum leaves int32, so the sums are taken
// in uint32 (wrapping, which then never happens): the same values, and loops the compiler can
// vectorize even where UBSan checks signed arithmetic.
void conv_like_layer(const Layer& l, const QuantizedLayer& q, const std::int8_t* in,
                     const std::int8_t* residual, std::int8_t* out) {
  const auto zero_point = static_cast<std::uint32_t>(q.input_zero_point);
  for_each_output(
      l, q.weight.data(), in, [&](int o) { return static_cast<std::uint32_t>(q.bias[o]); },
      [zero_point](std::uint32_t& acc, std::int8_t w, std::int8_t x) {
        acc += static_cast<std::uint32_t>(w) * (static_cast<std::uint32_t>(x) - zero_point);
      },
      [&](std::size_t index, int o, std::uint32_t acc) {
        out[index] = output_stage(q, o, static_cast<std::int32_t>(acc), residual, index);
      });
}

void global_avg_pool(const Layer& l, const QuantizedLayer& q, const std::int8_t* in,
                     std::int8_t* out) {
  const std::size_t pixels = static_cast<std::size_t>(l.in.h) * l.in.w;
  for (int c = 0; c < l.in.c; ++c) {
    std::int32_t sum = 0;
    for (std::size_t i = 0; i < pixels; ++i) {
      sum += std::int32_t{in[i * l.in.c + c]} - q.input_zero_point;
    }
    const std::int32_t v = requantize(sum, q.multiplier[0], q.shift[0]);
    out[c] = clamp_to(std::int64_t{v} + q.output_zero_point, kActivationMin, kActivationMax);
  }
}

[[noreturn]] void fail(std::size_t layer, const std::string& what) {
  throw std::invalid_argument("int8 inference: layer " + std::to_string(layer) + ": " + what);
}

// Checks the parameter sizes the kernels index (shapes and tensor ids are the Network's).
void check_model(const Network& net, const QuantizedModel& model) {
  if (net.layers.empty()) throw std::invalid_argument("int8 inference: empty network");
  if (model.layers.size() != net.layers.size() || model.tensors.size() != net.layers.size() + 1) {
    throw std::invalid_argument("int8 inference: the quantized model does not match the network");
  }
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    const QuantizedLayer& q = model.layers[i];
    if (l.input < 0 || static_cast<std::size_t>(l.input) > i ||
        (l.residual >= 0 && static_cast<std::size_t>(l.residual) > i)) {
      fail(i, "reads a tensor that does not exist yet");
    }
    if ((l.residual >= 0) != q.has_residual) fail(i, "residual parameters do not match");
    const auto out_c = static_cast<std::size_t>(l.out.c);
    if (l.kind == LayerKind::GlobalAvgPool) {
      if (q.multiplier.size() != 1 || q.shift.size() != 1) fail(i, "pooling needs one multiplier");
      continue;
    }
    const std::size_t weights = static_cast<std::size_t>(weights_per_output_channel(l)) * out_c;
    if (q.weight.size() != weights || q.bias.size() != out_c || q.multiplier.size() != out_c ||
        q.shift.size() != out_c) {
      fail(i, "parameter sizes do not match the layer");
    }
    try {
      check_accumulator_bound(l, q);
    } catch (const std::invalid_argument& e) {
      fail(i, e.what());
    }
  }
}

// int8_layer once the parameters are checked.
void checked_layer(const Layer& layer, const QuantizedLayer& params, const std::int8_t* input,
                   const std::int8_t* residual, std::int8_t* output) {
  switch (layer.kind) {
    case LayerKind::GlobalAvgPool: global_avg_pool(layer, params, input, output); break;
    default: conv_like_layer(layer, params, input, residual, output); break;
  }
}

void run_image(const Network& net, const QuantizedModel& model,
               std::vector<std::vector<std::int8_t>>& tensors) {
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    tensors[i + 1].assign(static_cast<std::size_t>(l.out.elements()), 0);
    checked_layer(l, model.layers[i], tensors[l.input].data(),
                  l.residual >= 0 ? tensors[l.residual].data() : nullptr, tensors[i + 1].data());
  }
}

}  // namespace

Int8Tensor quantize_images(const Tensor& images, const QuantParams& params) {
  Int8Tensor q(images.n, images.h, images.w, images.c);
  for (std::size_t j = 0; j < images.size(); ++j) q.data[j] = quantize_value(images.data[j], params);
  return q;
}

Tensor dequantize(const Int8Tensor& values, const QuantParams& params) {
  Tensor t(values.n, values.h, values.w, values.c);
  for (std::size_t j = 0; j < t.size(); ++j) t.data[j] = dequantize_value(values.data[j], params);
  return t;
}

void int8_layer(const Layer& layer, const QuantizedLayer& params, const std::int8_t* input,
                const std::int8_t* residual, std::int8_t* output) {
  if (layer.kind != LayerKind::GlobalAvgPool) check_accumulator_bound(layer, params);
  checked_layer(layer, params, input, residual, output);
}

Int8Tensor int8_inference(const Network& net, const QuantizedModel& model,
                          const Int8Tensor& images) {
  check_model(net, model);
  const Shape input = net.layers.front().in;
  if (images.h != input.h || images.w != input.w || images.c != input.c || images.n < 0 ||
      images.data.size() != static_cast<std::size_t>(images.n) * input.elements()) {
    throw std::invalid_argument("int8 inference: the images do not match the input shape");
  }
  const Shape out = net.layers.back().out;
  Int8Tensor logits(images.n, out.h, out.w, out.c);
  const auto image_size = static_cast<std::size_t>(input.elements());
  const auto logits_size = static_cast<std::size_t>(out.elements());
  tbb::parallel_for(0, images.n, [&](int b) {
    std::vector<std::vector<std::int8_t>> tensors(net.layers.size() + 1);
    const std::int8_t* first = images.data.data() + static_cast<std::size_t>(b) * image_size;
    tensors[0].assign(first, first + image_size);
    run_image(net, model, tensors);
    std::copy(tensors.back().begin(), tensors.back().end(),
              logits.data.data() + static_cast<std::size_t>(b) * logits_size);
  });
  return logits;
}

std::vector<std::vector<std::int8_t>> int8_tensors(const Network& net,
                                                   const QuantizedModel& model,
                                                   const std::int8_t* image) {
  check_model(net, model);
  std::vector<std::vector<std::int8_t>> tensors(net.layers.size() + 1);
  tensors[0].assign(image, image + net.layers.front().in.elements());
  run_image(net, model, tensors);
  return tensors;
}

namespace {

template <typename T>
std::vector<int> argmax_of_rows(const T* data, int rows, std::size_t row_size) {
  std::vector<int> best(static_cast<std::size_t>(rows), 0);
  for (int r = 0; r < rows; ++r) {
    const T* row = data + static_cast<std::size_t>(r) * row_size;
    best[r] = static_cast<int>(std::max_element(row, row + row_size) - row);
  }
  return best;
}

}  // namespace

std::vector<int> argmax_rows(const Int8Tensor& logits) {
  return argmax_of_rows(logits.data.data(), logits.n,
                        static_cast<std::size_t>(logits.h) * logits.w * logits.c);
}

std::vector<int> argmax_rows(const Tensor& logits) {
  return argmax_of_rows(logits.ptr(), logits.n,
                        static_cast<std::size_t>(logits.h) * logits.w * logits.c);
}

double accuracy(const std::vector<int>& predicted, const std::vector<int>& labels) {
  if (predicted.size() != labels.size()) {
    throw std::invalid_argument("accuracy: predictions and labels differ in count");
  }
  if (predicted.empty()) return 0.0;
  std::size_t hits = 0;
  for (std::size_t i = 0; i < predicted.size(); ++i) hits += predicted[i] == labels[i] ? 1 : 0;
  return static_cast<double>(hits) / static_cast<double>(predicted.size());
}

}  // namespace patchnas::trainer
