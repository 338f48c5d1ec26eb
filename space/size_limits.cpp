#include "space/size_limits.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "space/input_error.hpp"

namespace patchnas {
namespace {

std::string count_text(double value) {
  char text[32];
  if (value < 1e7) {
    std::snprintf(text, sizeof text, "%.0f", value);
  } else {
    std::snprintf(text, sizeof text, "%.1e", value);
  }
  return text;
}

void check_at_most(std::int64_t value, std::int64_t limit, const std::string& file,
                   const std::string& field) {
  if (value > limit) {
    throw InputError(file, field,
                     "must be at most " + std::to_string(limit) + ", got " + std::to_string(value));
  }
}

void check_channels(double channels, const std::string& file, const std::string& field,
                    const std::string& how = "", const std::string& noun = " channels") {
  if (channels > kMaxChannels) {
    throw InputError(
        file, field,
        how + count_text(channels) + noun + "; the limit is " + std::to_string(kMaxChannels));
  }
}

// Walks the layers of an arch whose fields are within their limits, in doubles, and checks
// every tensor, the MACs and the parameters.
class SizeWalk {
 public:
  SizeWalk(const Arch& arch, const std::string& file) : arch_(arch), file_(file) {
    tensor(arch.resolution, arch.input_channels, "input image");
  }

  // A k x k layer (k = 1 for pointwise) from the current map to `out` channels.
  void layer(int kernel, int stride, double out, bool depthwise, const std::string& what,
             const std::string& field) {
    side_ = conv_output_size(side_, kernel, stride);
    const double elements = tensor(side_, out, what);
    const double per_output = static_cast<double>(kernel) * kernel * (depthwise ? 1.0 : channels_);
    add(elements * per_output, per_output * out + out, field);
    channels_ = out;
  }

  void classifier(int classes) {
    add(channels_ * classes, channels_ * classes + classes, "classes");
  }

  double macs() const { return macs_; }

 private:
  double tensor(int side, double channels, const std::string& what) {
    const double elements = static_cast<double>(side) * static_cast<double>(side) * channels;
    if (elements > static_cast<double>(kMaxTensorElements)) {
      throw InputError(file_, "input.resolution",
                       "resolution " + std::to_string(arch_.resolution) + " gives a " +
                           std::to_string(side) + "x" + std::to_string(side) + "x" +
                           count_text(channels) + " " + what + " (" + count_text(elements) +
                           " elements, " + byte_text(elements) +
                           " as int8); a tensor may hold at most " +
                           std::to_string(kMaxTensorElements) + " elements");
    }
    side_ = side;
    channels_ = channels;
    return elements;
  }

  void add(double macs, double params, const std::string& field) {
    macs_ += macs;
    params_ += params;
    if (macs_ > kMaxMacs) {
      throw InputError(file_, field,
                       "brings the network to " + count_text(macs_) + " MACs; the limit is 2^53 (" +
                           count_text(kMaxMacs) + ")");
    }
    if (params_ > static_cast<double>(kMaxParams)) {
      throw InputError(file_, field,
                       "brings the network to " + count_text(params_) +
                           " parameters; the limit is " + std::to_string(kMaxParams));
    }
  }

  const Arch& arch_;
  const std::string& file_;
  int side_ = 0;  // within kMaxResolution, checked before the walk
  double channels_ = 0;
  double macs_ = 0;
  double params_ = 0;
};

}  // namespace

std::string byte_text(double bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int unit = 0;
  while (bytes >= 1024.0 && unit < 6) {
    bytes /= 1024.0;
    ++unit;
  }
  char text[48];
  if (unit == 0) {
    std::snprintf(text, sizeof text, "%.0f B", bytes);
  } else {
    std::snprintf(text, sizeof text, "%.1f %s", bytes, kUnits[unit]);
  }
  return text;
}

void check_arch_size(const Arch& arch, const std::string& file) {
  check_at_most(arch.resolution, kMaxResolution, file, "input.resolution");
  check_channels(arch.input_channels, file, "input.channels");
  check_at_most(arch.stem.kernel, kMaxKernel, file, "stem.kernel");
  check_channels(arch.stem.out, file, "stem.out");
  if (arch.blocks.size() > static_cast<std::size_t>(kMaxBlocks)) {
    throw InputError(file, "blocks",
                     std::to_string(arch.blocks.size()) + " blocks; an arch may have at most " +
                         std::to_string(kMaxBlocks));
  }
  double in_channels = arch.stem.out;
  for (std::size_t i = 0; i < arch.blocks.size(); ++i) {
    const BlockSpec& b = arch.blocks[i];
    const std::string at = "blocks[" + std::to_string(i) + "]";
    check_at_most(b.kernel, kMaxKernel, file, at + ".kernel");
    check_channels(b.out, file, at + ".out");
    check_channels(std::round(in_channels * b.expand), file, at + ".expand",
                   "expand " + count_text(b.expand) + " of " + count_text(in_channels) +
                       " input channels gives ");
    in_channels = b.out;
  }
  if (arch.head_out) check_channels(*arch.head_out, file, "head.out");
  check_channels(arch.classes, file, "classes", "", " classes");

  SizeWalk walk(arch, file);
  walk.layer(arch.stem.kernel, arch.stem.stride, arch.stem.out, false, "stem output", "stem");
  in_channels = arch.stem.out;
  for (std::size_t i = 0; i < arch.blocks.size(); ++i) {
    const BlockSpec& b = arch.blocks[i];
    const std::string at = "blocks[" + std::to_string(i) + "]";
    const std::string which = "block " + std::to_string(i) + " ";
    const double mid =
        b.expand == 1.0 ? in_channels : expanded_channels(static_cast<int>(in_channels), b.expand);
    if (b.expand != 1.0) walk.layer(1, 1, mid, false, which + "expansion", at + ".expand");
    walk.layer(b.kernel, b.stride, mid, true, which + "depthwise output", at + ".kernel");
    walk.layer(1, 1, b.out, false, which + "projection", at + ".out");
    in_channels = b.out;
  }
  if (arch.head_out) walk.layer(1, 1, *arch.head_out, false, "head output", "head.out");
  walk.classifier(arch.classes);
  if (arch.patch && arch.patch->n > 1) {
    // Each tile recomputes at most the whole stage: n^2 x the MACs bounds the executed MACs.
    const double n = arch.patch->n;
    if (n * n * walk.macs() > kMaxMacs * 512.0) {  // 2^62
      throw InputError(file, "patch.n",
                       std::to_string(arch.patch->n) + "x" + std::to_string(arch.patch->n) +
                           " patches over " + count_text(walk.macs()) +
                           " MACs could execute more than 2^62 MACs");
    }
  }
}

namespace {

template <typename T>
T pick(const std::vector<T>& choices, bool largest) {
  return largest ? *std::max_element(choices.begin(), choices.end())
                 : *std::min_element(choices.begin(), choices.end());
}

Arch extreme_arch(const SearchSpace& space, bool largest) {
  const double width = pick(space.widths, largest);
  const int kernel = pick(space.kernels, largest);
  const double expand = pick(space.expands, largest);
  Arch arch;
  arch.name = space.name + (largest ? "-largest" : "-smallest");
  arch.resolution = pick(space.resolutions, largest);
  arch.input_channels = space.input_channels;
  arch.classes = space.classes;
  arch.stem = {stem_channels(space, width), space.stem.kernel, space.stem.stride};
  if (space.first_block) {
    arch.blocks.push_back({space.first_block->kernel, 1.0, first_block_channels(space, width), 1});
  }
  for (const StageChoices& stage : space.stages) {
    const int depth = pick(stage.depths, largest);
    for (int slot = 0; slot < depth; ++slot) {
      arch.blocks.push_back(
          {kernel, expand, stage_channels(space, stage, width), slot == 0 ? stage.stride : 1});
    }
  }
  arch.head_out = head_channels(space, width);
  return arch;
}

}  // namespace

Arch largest_arch(const SearchSpace& space) { return extreme_arch(space, true); }
Arch smallest_arch(const SearchSpace& space) { return extreme_arch(space, false); }

void check_space_size(const SearchSpace& space, const std::string& file) {
  for (std::size_t i = 0; i < space.resolutions.size(); ++i) {
    check_at_most(space.resolutions[i], kMaxResolution, file,
                  "input.resolutions[" + std::to_string(i) + "]");
  }
  check_channels(space.input_channels, file, "input.channels");
  check_channels(space.classes, file, "classes", "", " classes");
  check_at_most(space.channel_divisor, kMaxChannels, file, "channel_divisor");
  check_at_most(space.stem.kernel, kMaxKernel, file, "stem.kernel");
  for (std::size_t i = 0; i < space.kernels.size(); ++i) {
    check_at_most(space.kernels[i], kMaxKernel, file, "kernels[" + std::to_string(i) + "]");
  }
  if (space.first_block)
    check_at_most(space.first_block->kernel, kMaxKernel, file, "first_block.kernel");
  if (space.stages.size() > static_cast<std::size_t>(kMaxBlocks)) {
    throw InputError(
        file, "stages",
        std::to_string(space.stages.size()) + " stages; at most " + std::to_string(kMaxBlocks));
  }
  for (std::size_t s = 0; s < space.stages.size(); ++s) {
    const auto& depths = space.stages[s].depths;
    for (std::size_t d = 0; d < depths.size(); ++d) {
      check_at_most(depths[d], kMaxBlocks, file,
                    "stages[" + std::to_string(s) + "].depths[" + std::to_string(d) + "]");
    }
  }
  if (max_blocks(space) > kMaxBlocks) {
    throw InputError(file, "stages",
                     "the deepest arch of the space has " + std::to_string(max_blocks(space)) +
                         " blocks; an arch may have at most " + std::to_string(kMaxBlocks));
  }

  // Channel counts at every width, before make_divisible computes them in integers.
  std::vector<std::pair<std::string, double>> bases{{"stem.out", space.stem.out}};
  if (space.first_block) bases.emplace_back("first_block.out", space.first_block->out);
  for (std::size_t s = 0; s < space.stages.size(); ++s) {
    bases.emplace_back("stages[" + std::to_string(s) + "].out", space.stages[s].out);
  }
  double widest = 0;
  for (const auto& [field, base] : bases) check_channels(base, file, field);
  if (space.head_out) check_channels(*space.head_out, file, "head.out");
  for (std::size_t i = 0; i < space.widths.size(); ++i) {
    const double w = space.widths[i];
    for (const auto& [field, base] : bases) {
      check_channels(base * w + space.channel_divisor, file, "widths[" + std::to_string(i) + "]",
                     "width " + count_text(w) + " gives " + field + " about ");
      widest = std::max(widest, base * w + space.channel_divisor);
    }
    if (space.head_out) {
      check_channels(*space.head_out * std::max(1.0, w) + space.channel_divisor, file,
                     "widths[" + std::to_string(i) + "]",
                     "width " + count_text(w) + " gives head.out about ");
    }
  }
  for (std::size_t i = 0; i < space.expands.size(); ++i) {
    check_channels(widest * space.expands[i], file, "expands[" + std::to_string(i) + "]",
                   "expand " + count_text(space.expands[i]) + " of up to " + count_text(widest) +
                       " channels gives ");
  }

  // Tensors, MACs and parameters of the largest arch bound those of every arch.
  const auto top = std::max_element(space.resolutions.begin(), space.resolutions.end());
  const Arch largest = largest_arch(space);
  try {
    check_arch_size(largest, file);
  } catch (const InputError& e) {
    throw InputError(file,
                     "input.resolutions[" + std::to_string(top - space.resolutions.begin()) + "]",
                     "the largest arch of the space (" + e.field() + "): " + e.reason());
  }
}

}  // namespace patchnas
