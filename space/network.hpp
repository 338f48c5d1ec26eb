// Network: an Arch lowered to the typed list of layers every estimator, the trainer and the
// exporter walk. Tensor ids: tensor 0 is the input image, tensor i+1 is layer i's output.
// BatchNorm is not a layer here: it is folded into the preceding conv for int8 inference.
// The residual add of an inverted residual block is fused into its projection conv
// (Layer::residual names the tensor added to the projection's output).
//   Network net = lower(arch);
//   for (const Layer& l : net.layers) total += layer_macs(l);
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace patchnas {

enum class LayerKind : std::uint8_t {
  Conv,            // k x k full convolution (the stem)
  Depthwise,       // k x k depthwise convolution
  Pointwise,       // 1 x 1 convolution (expansion, projection, head)
  GlobalAvgPool,   // H x W x C -> 1 x 1 x C
  FullyConnected,  // C -> classes
};
inline constexpr int kLayerKindCount = 5;

enum class LayerRole : std::uint8_t { Stem, Expand, Depthwise, Project, Head, Pool, Classifier };

std::string_view layer_kind_name(LayerKind kind);  // "conv", "depthwise", "pointwise", "pool", "fc"
std::string_view layer_role_name(LayerRole role);

struct Shape {
  int h = 0;
  int w = 0;
  int c = 0;
  std::int64_t elements() const { return std::int64_t{h} * w * c; }
  bool operator==(const Shape&) const = default;
};

struct Layer {
  LayerKind kind = LayerKind::Conv;
  LayerRole role = LayerRole::Stem;
  int block = -1;  // index into Arch::blocks, -1 for stem, head, pool and classifier
  Shape in;
  Shape out;
  int kernel = 1;
  int stride = 1;
  int pad = 0;
  bool relu6 = false;
  int input = 0;      // tensor id read by this layer
  int residual = -1;  // tensor id added to the output (fused residual add), or -1
};

struct Network {
  std::vector<Layer> layers;
  // Patch schedule: the first `patch_layers` layers (stem + first `split` blocks) run as
  // patch_n x patch_n tiles. patch_layers == 0 means per-layer execution throughout.
  int patch_layers = 0;
  int patch_n = 1;

  int output_tensor(int layer) const { return layer + 1; }
  bool patched() const { return patch_layers > 0; }
};

}  // namespace patchnas
