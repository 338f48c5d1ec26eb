#include "trainer/folded_float_inference.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include <tbb/parallel_for.h>

#include "trainer/parallel.hpp"
#include "trainer/reference_loops.hpp"

namespace patchnas::trainer {
namespace {

[[noreturn]] void fail(std::size_t layer, const std::string& what) {
  throw std::invalid_argument("folded float inference: layer " + std::to_string(layer) + ": " +
                              what);
}

float finish(float v, const float* residual, std::size_t index, bool relu6) {
  if (residual != nullptr) v += residual[index];
  if (relu6) v = std::min(std::max(v, 0.0f), 6.0f);
  return v;
}

// Conv, depthwise, pointwise and FC layers, BN folded.
void conv_like_layer(const Layer& l, const FoldedLayer& p, const float* in, const float* residual,
                     float* out) {
  for_each_output(
      l, p.weight.data(), in, [&](int o) { return p.bias[o]; },
      [](float& acc, float w, float x) { acc = madd(w, x, acc); },
      [&](std::size_t index, int, float acc) { out[index] = finish(acc, residual, index, l.relu6); });
}

void global_avg_pool(const Layer& l, const float* in, float* out) {
  const std::size_t pixels = static_cast<std::size_t>(l.in.h) * l.in.w;
  for (int c = 0; c < l.in.c; ++c) {
    float sum = 0.0f;
    for (std::size_t i = 0; i < pixels; ++i) sum += in[i * l.in.c + c];
    out[c] = sum / static_cast<float>(pixels);
  }
}

Shape tensor_shape(const Network& net, int id) {
  return id == 0 ? net.layers.front().in : net.layers[static_cast<std::size_t>(id) - 1].out;
}

// For each tensor id, the last layer that reads it (-1: none).
std::vector<int> last_reads(const Network& net) {
  std::vector<int> last(net.layers.size() + 1, -1);
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    last[net.layers[i].input] = static_cast<int>(i);
    if (net.layers[i].residual >= 0) last[net.layers[i].residual] = static_cast<int>(i);
  }
  return last;
}

void include_all(TensorRange& range, const std::vector<float>& values) {
  for (float v : values) range.include(v);
}

// Runs one image. tensors must hold layers.size() + 1 entries; tensor 0 is set by the caller.
// Unless keep_all, a tensor is released after its last reader (the logits always stay).
void run_image(const Network& net, const std::vector<FoldedLayer>& folded,
               std::vector<std::vector<float>>& tensors, TensorRange* ranges, bool keep_all) {
  const std::vector<int> last = keep_all ? std::vector<int>{} : last_reads(net);
  if (ranges != nullptr) include_all(ranges[0], tensors[0]);
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    std::vector<float>& out = tensors[i + 1];
    out.assign(static_cast<std::size_t>(l.out.elements()), 0.0f);
    const float* in = tensors[l.input].data();
    const float* residual = l.residual >= 0 ? tensors[l.residual].data() : nullptr;
    switch (l.kind) {
      case LayerKind::GlobalAvgPool: global_avg_pool(l, in, out.data()); break;
      default: conv_like_layer(l, folded[i], in, residual, out.data()); break;
    }
    if (ranges != nullptr) include_all(ranges[i + 1], out);
    if (!keep_all) {
      for (std::size_t t = 0; t <= i; ++t) {
        if (last[t] == static_cast<int>(i)) std::vector<float>().swap(tensors[t]);
      }
    }
  }
}

}  // namespace

void merge_ranges(TensorRanges& total, const TensorRanges& batch) {
  if (total.empty()) {
    total = batch;
    return;
  }
  if (batch.empty()) return;
  if (total.size() != batch.size()) {
    throw std::invalid_argument("merge_ranges: the range lists cover different tensor counts");
  }
  for (std::size_t t = 0; t < total.size(); ++t) total[t].include(batch[t]);
}

void check_folded(const Network& net, const std::vector<FoldedLayer>& folded) {
  if (net.layers.empty()) throw std::invalid_argument("folded float inference: empty network");
  if (folded.size() != net.layers.size()) {
    throw std::invalid_argument("folded float inference: " + std::to_string(folded.size()) +
                                " parameter sets for " + std::to_string(net.layers.size()) +
                                " layers");
  }
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    const auto produced = static_cast<int>(i);  // tensors 0..i exist before layer i
    if (l.input < 0 || l.input > produced) fail(i, "reads a tensor that does not exist yet");
    if (l.residual > produced) fail(i, "adds a tensor that does not exist yet");
    if (!(tensor_shape(net, l.input) == l.in)) fail(i, "input shape differs from its tensor's");
    if (l.residual >= 0 && !(tensor_shape(net, l.residual) == l.out)) {
      fail(i, "residual shape differs from the output's");
    }
    if (l.kind == LayerKind::GlobalAvgPool) {
      if (l.out.c != l.in.c || l.out.h != 1 || l.out.w != 1) fail(i, "bad pooling shape");
      continue;
    }
    const auto expected_weights =
        static_cast<std::size_t>(weights_per_output_channel(l)) * static_cast<std::size_t>(l.out.c);
    if (folded[i].weight.size() != expected_weights) fail(i, "wrong weight count");
    if (folded[i].bias.size() != static_cast<std::size_t>(l.out.c)) fail(i, "wrong bias count");
    if (l.kind == LayerKind::Depthwise && l.in.c != l.out.c) fail(i, "depthwise changes channels");
  }
}

Tensor folded_float_inference(const Network& net, const std::vector<FoldedLayer>& folded,
                              const Tensor& images, TensorRanges* ranges) {
  check_folded(net, folded);
  const Shape input = net.layers.front().in;
  if (images.h != input.h || images.w != input.w || images.c != input.c || images.n < 0 ||
      images.size() != static_cast<std::size_t>(images.n) * input.elements()) {
    throw std::invalid_argument("folded float inference: the images do not match the input shape");
  }
  const Shape logits_shape = net.layers.back().out;
  Tensor logits(images.n, logits_shape.h, logits_shape.w, logits_shape.c);
  const std::size_t tensor_count = net.layers.size() + 1;
  const auto image_size = static_cast<std::size_t>(input.elements());
  const auto logits_size = static_cast<std::size_t>(logits_shape.elements());
  // One range list per image, merged afterwards: exact min/max, so thread-count independent.
  std::vector<TensorRange> image_ranges(ranges != nullptr ? images.n * tensor_count : 0);
  tbb::parallel_for(0, images.n, [&](int b) {
    std::vector<std::vector<float>> tensors(tensor_count);
    const float* first = images.ptr() + static_cast<std::size_t>(b) * image_size;
    tensors[0].assign(first, first + image_size);
    run_image(net, folded, tensors,
              ranges != nullptr ? image_ranges.data() + static_cast<std::size_t>(b) * tensor_count
                                : nullptr,
              false);
    std::copy(tensors.back().begin(), tensors.back().end(),
              logits.ptr() + static_cast<std::size_t>(b) * logits_size);
  });
  if (ranges != nullptr) {
    ranges->assign(tensor_count, TensorRange{});
    for (int b = 0; b < images.n; ++b) {
      for (std::size_t t = 0; t < tensor_count; ++t) {
        (*ranges)[t].include(image_ranges[static_cast<std::size_t>(b) * tensor_count + t]);
      }
    }
  }
  return logits;
}

std::vector<std::vector<float>> folded_float_tensors(const Network& net,
                                                     const std::vector<FoldedLayer>& folded,
                                                     const float* image) {
  check_folded(net, folded);
  std::vector<std::vector<float>> tensors(net.layers.size() + 1);
  tensors[0].assign(image, image + net.layers.front().in.elements());
  run_image(net, folded, tensors, nullptr, true);
  return tensors;
}

}  // namespace patchnas::trainer
