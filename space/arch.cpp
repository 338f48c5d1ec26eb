#include "space/arch.hpp"

#include <cmath>

#include "space/input_error.hpp"
#include "space/size_limits.hpp"

namespace patchnas {

bool operator==(const StemSpec& a, const StemSpec& b) {
  return a.out == b.out && a.kernel == b.kernel && a.stride == b.stride;
}

bool operator==(const BlockSpec& a, const BlockSpec& b) {
  return a.kernel == b.kernel && a.expand == b.expand && a.out == b.out && a.stride == b.stride;
}

bool operator==(const Arch& a, const Arch& b) {
  return a.name == b.name && a.resolution == b.resolution && a.input_channels == b.input_channels &&
         a.stem == b.stem && a.blocks == b.blocks && a.head_out == b.head_out &&
         a.classes == b.classes && a.patch == b.patch;
}

int expanded_channels(int in_channels, double expand) {
  const auto mid = static_cast<int>(std::lround(in_channels * expand));
  return mid < 1 ? 1 : mid;
}

int feature_size_after(const Arch& arch, int blocks) {
  int size = conv_output_size(arch.resolution, arch.stem.kernel, arch.stem.stride);
  for (int b = 0; b < blocks; ++b) {
    size = conv_output_size(size, arch.blocks[b].kernel, arch.blocks[b].stride);
  }
  return size;
}

namespace {

void check_kernel(int kernel, const std::string& file, const std::string& field) {
  if (kernel <= 0) throw InputError(file, field, "must be positive, got " + std::to_string(kernel));
  if (kernel % 2 == 0) throw InputError(file, field, "must be odd, got " + std::to_string(kernel));
}

void check_stride(int stride, const std::string& file, const std::string& field) {
  if (stride != 1 && stride != 2) {
    throw InputError(file, field, "must be 1 or 2, got " + std::to_string(stride));
  }
}

void check_positive(int value, const std::string& file, const std::string& field) {
  if (value <= 0) throw InputError(file, field, "must be positive, got " + std::to_string(value));
}

}  // namespace

void validate_arch(const Arch& arch, const std::string& file) {
  check_positive(arch.resolution, file, "input.resolution");
  check_positive(arch.input_channels, file, "input.channels");
  check_positive(arch.stem.out, file, "stem.out");
  check_kernel(arch.stem.kernel, file, "stem.kernel");
  check_stride(arch.stem.stride, file, "stem.stride");
  if (arch.blocks.empty()) throw InputError(file, "blocks", "must hold at least one block");
  for (std::size_t i = 0; i < arch.blocks.size(); ++i) {
    const auto& b = arch.blocks[i];
    const std::string at = "blocks[" + std::to_string(i) + "]";
    check_kernel(b.kernel, file, at + ".kernel");
    check_stride(b.stride, file, at + ".stride");
    check_positive(b.out, file, at + ".out");
    if (!(b.expand >= 1.0) || !std::isfinite(b.expand)) {
      throw InputError(file, at + ".expand", "must be at least 1, got " + std::to_string(b.expand));
    }
  }
  if (arch.head_out) check_positive(*arch.head_out, file, "head.out");
  check_positive(arch.classes, file, "classes");
  check_arch_size(arch, file);  // before any shape arithmetic below
  if (arch.patch) {
    const auto& p = *arch.patch;
    const int blocks = static_cast<int>(arch.blocks.size());
    if (p.n < 1) throw InputError(file, "patch.n", "must be at least 1, got " + std::to_string(p.n));
    if (p.split < 1 || p.split > blocks) {
      throw InputError(file, "patch.split",
                       "must be in [1, " + std::to_string(blocks) + "] (the number of blocks), got " +
                           std::to_string(p.split));
    }
    const int stage_out = feature_size_after(arch, p.split);
    if (stage_out < p.n) {
      throw InputError(file, "patch.n",
                       std::to_string(p.n) + "x" + std::to_string(p.n) +
                           " patches collapse: the feature map after block " +
                           std::to_string(p.split) + " is only " + std::to_string(stage_out) + "x" +
                           std::to_string(stage_out));
    }
  }
}

}  // namespace patchnas
