#include "space/search_space.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "space/input_error.hpp"
#include "space/size_limits.hpp"

namespace patchnas {

int make_divisible(double value, int divisor) {
  // int(v + divisor / 2) // divisor * divisor, with Python's truncating int() (v > 0).
  const auto rounded = static_cast<long long>(value + divisor / 2.0) / divisor * divisor;
  auto channels = static_cast<int>(std::max<long long>(divisor, rounded));
  if (channels < 0.9 * value) channels += divisor;
  return channels;
}

int stem_channels(const SearchSpace& space, double width) {
  return make_divisible(space.stem.out * width, space.channel_divisor);
}

int first_block_channels(const SearchSpace& space, double width) {
  return make_divisible(space.first_block.value().out * width, space.channel_divisor);
}

int stage_channels(const SearchSpace& space, const StageChoices& stage, double width) {
  return make_divisible(stage.out * width, space.channel_divisor);
}

std::optional<int> head_channels(const SearchSpace& space, double width) {
  if (!space.head_out) return std::nullopt;
  return make_divisible(*space.head_out * std::max(1.0, width), space.channel_divisor);
}

int min_blocks(const SearchSpace& space) {
  int blocks = space.first_block ? 1 : 0;
  for (const auto& stage : space.stages) {
    blocks += *std::min_element(stage.depths.begin(), stage.depths.end());
  }
  return blocks;
}

int max_blocks(const SearchSpace& space) {
  int blocks = space.first_block ? 1 : 0;
  for (const auto& stage : space.stages) {
    blocks += *std::max_element(stage.depths.begin(), stage.depths.end());
  }
  return blocks;
}

namespace {

std::string number_text(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// Checks a choice list: non-empty, at most kMaxChoices, every element passing `check_value`
// (which returns a reason or ""), no duplicates.
template <typename T, typename Check>
void check_choices(const std::vector<T>& choices, const std::string& file, const std::string& path,
                   Check check_value) {
  if (choices.empty()) throw InputError(file, path, "must list at least one choice");
  if (static_cast<int>(choices.size()) > kMaxChoices) {
    throw InputError(file, path,
                     "at most " + std::to_string(kMaxChoices) +
                         " choices (one base-36 character per gene), got " +
                         std::to_string(choices.size()));
  }
  for (std::size_t i = 0; i < choices.size(); ++i) {
    const std::string at = path + "[" + std::to_string(i) + "]";
    const std::string reason = check_value(choices[i]);
    if (!reason.empty()) throw InputError(file, at, reason);
    for (std::size_t j = 0; j < i; ++j) {
      if (choices[j] == choices[i]) {
        throw InputError(file, at, "duplicate of " + path + "[" + std::to_string(j) + "]");
      }
    }
  }
}

std::string at_least(int value, int minimum) {
  if (value >= minimum) return "";
  return "must be at least " + std::to_string(minimum) + ", got " + std::to_string(value);
}

std::string odd_kernel(int kernel) {
  if (kernel <= 0) return "must be positive, got " + std::to_string(kernel);
  if (kernel % 2 == 0) return "must be odd, got " + std::to_string(kernel);
  return "";
}

std::string stride_1_or_2(int stride) {
  if (stride == 1 || stride == 2) return "";
  return "must be 1 or 2, got " + std::to_string(stride);
}

void check(const std::string& reason, const std::string& file, const std::string& path) {
  if (!reason.empty()) throw InputError(file, path, reason);
}

// Every channel count an arch of the space has at `width`, in order.
std::vector<int> channel_plan(const SearchSpace& space, double width) {
  std::vector<int> plan{stem_channels(space, width)};
  if (space.first_block) plan.push_back(first_block_channels(space, width));
  for (const auto& stage : space.stages) plan.push_back(stage_channels(space, stage, width));
  if (const auto head = head_channels(space, width)) plan.push_back(*head);
  return plan;
}

// log10(sum of 10^x) without overflow.
double log10_sum(const std::vector<double>& logs) {
  const double top = *std::max_element(logs.begin(), logs.end());
  double sum = 0;
  for (const double x : logs) sum += std::pow(10.0, x - top);
  return top + std::log10(sum);
}

}  // namespace

void validate_space(const SearchSpace& space, const std::string& file) {
  if (space.name.empty()) throw InputError(file, "name", "must not be empty");
  check(at_least(space.input_channels, 1), file, "input.channels");
  check_choices(space.resolutions, file, "input.resolutions",
                [](int r) { return at_least(r, 1); });
  check_choices(space.widths, file, "widths", [](double w) -> std::string {
    if (w > 0 && std::isfinite(w)) return "";
    return "must be a positive number, got " + number_text(w);
  });
  check(at_least(space.channel_divisor, 1), file, "channel_divisor");
  check(at_least(space.stem.out, 1), file, "stem.out");
  check(odd_kernel(space.stem.kernel), file, "stem.kernel");
  check(stride_1_or_2(space.stem.stride), file, "stem.stride");
  if (space.first_block) {
    check(at_least(space.first_block->out, 1), file, "first_block.out");
    check(odd_kernel(space.first_block->kernel), file, "first_block.kernel");
  }
  if (space.stages.empty()) throw InputError(file, "stages", "must hold at least one stage");
  for (std::size_t s = 0; s < space.stages.size(); ++s) {
    const auto& stage = space.stages[s];
    const std::string at = "stages[" + std::to_string(s) + "]";
    check(at_least(stage.out, 1), file, at + ".out");
    check(stride_1_or_2(stage.stride), file, at + ".stride");
    check_choices(stage.depths, file, at + ".depths", [](int d) { return at_least(d, 1); });
  }
  check_choices(space.kernels, file, "kernels", odd_kernel);
  check_choices(space.expands, file, "expands", [](double e) -> std::string {
    if (e >= 1 && std::isfinite(e)) return "";
    return "must be at least 1, got " + number_text(e);
  });
  if (space.head_out) check(at_least(*space.head_out, 1), file, "head.out");
  check(at_least(space.classes, 1), file, "classes");

  check_space_size(space, file);  // before block and channel counts are computed in integers
  check_choices(space.patch.n, file, "patch.n", [](int n) { return at_least(n, 1); });
  if (std::find(space.patch.n.begin(), space.patch.n.end(), 1) == space.patch.n.end()) {
    throw InputError(file, "patch.n",
                     "must include 1 (no patch), which decoding falls back to when patches "
                     "would collapse");
  }
  const int most_blocks = max_blocks(space);
  check_choices(space.patch.split, file, "patch.split", [most_blocks](int split) -> std::string {
    if (split < 1 || split > most_blocks) {
      return "must be in [1, " + std::to_string(most_blocks) +
             "] (the most blocks an arch of the space has), got " + std::to_string(split);
    }
    return "";
  });

  for (std::size_t i = 0; i < space.widths.size(); ++i) {
    const auto plan = channel_plan(space, space.widths[i]);
    for (std::size_t j = 0; j < i; ++j) {
      if (channel_plan(space, space.widths[j]) == plan) {
        throw InputError(file, "widths[" + std::to_string(i) + "]",
                         "gives exactly the channels of widths[" + std::to_string(j) +
                             "], so the two cannot be told apart");
      }
    }
    for (std::size_t s = 1; s < space.stages.size(); ++s) {
      const auto& stage = space.stages[s];
      if (stage.stride == 1 && stage_channels(space, stage, space.widths[i]) ==
                                   stage_channels(space, space.stages[s - 1], space.widths[i])) {
        throw InputError(file, "stages[" + std::to_string(s) + "].stride",
                         "a stride-1 stage with the channels of stages[" + std::to_string(s - 1) +
                             "] at width " + number_text(space.widths[i]) +
                             " makes the boundary between them ambiguous; merge the two stages");
      }
    }
  }
}

SpaceSize space_size(const SearchSpace& space) {
  const double per_block = std::log10(static_cast<double>(space.kernels.size()) *
                                      static_cast<double>(space.expands.size()));
  SpaceSize size;
  size.log10_backbones = std::log10(static_cast<double>(space.resolutions.size())) +
                         std::log10(static_cast<double>(space.widths.size()));
  size.log10_genomes = size.log10_backbones;
  for (const auto& stage : space.stages) {
    std::vector<double> per_depth;
    for (const int depth : stage.depths) per_depth.push_back(depth * per_block);
    size.log10_backbones += log10_sum(per_depth);
    const int slots = *std::max_element(stage.depths.begin(), stage.depths.end());
    size.log10_genomes += std::log10(static_cast<double>(stage.depths.size())) + slots * per_block;
  }
  const double n_count = static_cast<double>(space.patch.n.size());
  const double split_count = static_cast<double>(space.patch.split.size());
  size.log10_with_patches = size.log10_backbones + std::log10(1 + (n_count - 1) * split_count);
  size.log10_genomes += std::log10(n_count) + std::log10(split_count);
  return size;
}

}  // namespace patchnas
