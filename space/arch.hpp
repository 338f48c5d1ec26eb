// Arch: one concrete MobileNetV2-style network plus its optional patch schedule, as described
// by the arch JSON format ("patchnas.arch/1", see README). validate_arch() enforces every rule
// the format promises, so anything that holds an Arch that passed it can lower and estimate it.
//   Arch a = read_arch_file("configs/archs/mbv2-w1.0-r224.json");
//   Network net = lower(a);
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace patchnas {

struct StemSpec {
  int out = 0;
  int kernel = 3;
  int stride = 2;
};

// A MobileNetV2 inverted residual block.
struct BlockSpec {
  int kernel = 3;
  double expand = 1.0;  // mid channels = round(in * expand); 1 means no expansion conv
  int out = 0;
  int stride = 1;
};

// n x n patches over the stem and the first `split` blocks.
struct PatchSpec {
  int n = 1;
  int split = 1;
  bool operator==(const PatchSpec&) const = default;
};

struct Arch {
  std::string name;
  int resolution = 0;
  int input_channels = 3;
  StemSpec stem;
  std::vector<BlockSpec> blocks;
  std::optional<int> head_out;  // 1x1 conv + BN + ReLU6 before pooling
  int classes = 0;
  std::optional<PatchSpec> patch;
};

bool operator==(const StemSpec& a, const StemSpec& b);
bool operator==(const BlockSpec& a, const BlockSpec& b);
bool operator==(const Arch& a, const Arch& b);

// Channels after a 1x1 expansion: round(in * expand), at least 1.
int expanded_channels(int in_channels, double expand);

// Spatial size of a k x k convolution with stride s and padding k/2.
constexpr int conv_output_size(int in, int kernel, int stride) {
  return (in + 2 * (kernel / 2) - kernel) / stride + 1;
}

// Spatial size of the output of the stem and the first `blocks` blocks.
int feature_size_after(const Arch& arch, int blocks);

// Checks every semantic rule; throws InputError(file, field path, reason) on the first broken one.
void validate_arch(const Arch& arch, const std::string& file);

}  // namespace patchnas
