// Folded float inference: the float reference of what int8 inference approximates, and the
// calibration that int8 quantization starts from. It runs a Network with BatchNorm already
// folded into the convs (FoldedLayer, model_params.hpp) on float NHWC images:
//   Conv / Depthwise / Pointwise: y = conv(x) + bias, pad = k/2 with zeros;
//     y += tensor[layer.residual] when the layer has a fused residual add;
//     y = min(max(y, 0), 6) when layer.relu6 (after the add);
//   GlobalAvgPool: y[c] = mean over H x W of x[., ., c];
//   FullyConnected: y = W x + bias.
// Each output sums its products in a fixed order (reference_loops.hpp) with madd (one
// rounding per product where the CPU has FMA), so the result does not depend on how the
// compiler vectorizes the loops. One image at a time; images run in
// parallel (oneTBB), each image's result is independent of the thread count. Only tensors
// still needed are kept. While running it can record, per tensor id (0 = image, i + 1 = layer
// i's output, as in network.hpp), the min and max value seen: merge those over the
// calibration batches and hand them to quantize_model().
//   TensorRanges ranges;
//   for (const Tensor& batch : calibration) {
//     TensorRanges batch_ranges;
//     folded_float_inference(net, folded, batch, &batch_ranges);
//     merge_ranges(ranges, batch_ranges);
//   }
//   Tensor logits = folded_float_inference(net, folded, images);   // [n, 1, 1, classes]
#pragma once

#include <limits>
#include <vector>

#include "space/network.hpp"
#include "trainer/model_params.hpp"
#include "trainer/tensor.hpp"

namespace patchnas::trainer {

// The smallest and largest value of one tensor; empty (min > max) until a value is seen.
struct TensorRange {
  float min = std::numeric_limits<float>::infinity();
  float max = -std::numeric_limits<float>::infinity();

  bool empty() const { return min > max; }
  void include(float v) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  void include(const TensorRange& other) {
    if (other.min < min) min = other.min;
    if (other.max > max) max = other.max;
  }
};

// Indexed by tensor id: layers.size() + 1 entries.
using TensorRanges = std::vector<TensorRange>;

// Widens `total` to cover `batch` (an empty `total` becomes a copy of `batch`). Min and max
// are exact, so the result does not depend on the order batches are merged in.
// Throws std::invalid_argument when both are non-empty and their sizes differ.
void merge_ranges(TensorRanges& total, const TensorRanges& batch);

// Throws std::invalid_argument unless `folded` has one entry per layer with the weight and
// bias sizes of model_params.hpp and every layer reads tensors that exist before it, with
// the shapes it expects (tensor 0 has the first layer's input shape).
void check_folded(const Network& net, const std::vector<FoldedLayer>& folded);

// Runs the whole batch `images` ([n, h, w, c] matching the network's input shape) and
// returns the logits [n, 1, 1, classes]. When `ranges` is not null it is replaced by this
// batch's per-tensor ranges. Throws std::invalid_argument on a shape or parameter mismatch.
Tensor folded_float_inference(const Network& net, const std::vector<FoldedLayer>& folded,
                              const Tensor& images, TensorRanges* ranges = nullptr);

// Every tensor of one image (index = tensor id, each HWC, layers.size() + 1 of them);
// `image` holds net.layers[0].in.elements() floats. For tests and per-layer comparisons.
std::vector<std::vector<float>> folded_float_tensors(const Network& net,
                                                     const std::vector<FoldedLayer>& folded,
                                                     const float* image);

}  // namespace patchnas::trainer
