// SearchSpace: the joint space of MobileNetV2-style backbones and patch schedules that the
// search samples from (format "patchnas.space/1", parsed in space_json.hpp). It owns the
// choices and the rules that turn a width multiplier into channel counts; genome.hpp turns
// choices into concrete Archs.
//
// An arch of the space is: an input resolution, a width multiplier, the stem, an optional
// fixed first block (expand 1, stride 1), then for every stage a depth and, per block, a
// kernel and an expand ratio, an optional head, and a patch schedule (n x n patches over the
// first `split` blocks, n = 1 meaning none). Channel counts are the base counts of the space
// scaled by the width and rounded with make_divisible(), exactly like MobileNetV2.
//   SearchSpace space = read_space_file("configs/spaces/mcunetv2.json");
//   int out = stage_channels(space, space.stages[0], 0.75);   // make_divisible(24 * 0.75) = 24
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "space/arch.hpp"

namespace patchnas {

// A stage: `depth` blocks with `out` base channels; the first has `stride`, the others 1.
struct StageChoices {
  int out = 0;
  int stride = 1;
  std::vector<int> depths;
};

// The fixed block between stem and stages: expand 1, stride 1, not searched.
struct FixedBlock {
  int out = 0;
  int kernel = 3;
};

// Patch choices; n always includes 1 (no patch), which decoding falls back to.
struct PatchChoices {
  std::vector<int> n{1};
  std::vector<int> split{1};  // blocks in the patch stage, counting the fixed first block
};

struct SearchSpace {
  std::string name;         // prefix of the names of sampled archs
  std::string description;  // free text, shown by `patchnas space info`
  int input_channels = 3;
  int classes = 0;
  std::vector<int> resolutions;
  std::vector<double> widths;
  int channel_divisor = 8;
  StemSpec stem;  // stem.out is the base (width 1.0) channel count
  std::optional<FixedBlock> first_block;
  std::vector<StageChoices> stages;
  std::vector<int> kernels;      // per searched block
  std::vector<double> expands;   // per searched block
  std::optional<int> head_out;   // base channels, scaled by max(1, width)
  PatchChoices patch;
};

// Genome strings use one base-36 character per gene, so no choice list may be longer.
inline constexpr int kMaxChoices = 36;

// MobileNetV2's _make_divisible(v, divisor): the multiple of `divisor` nearest to v (halves
// up), at least `divisor`, and one more multiple if rounding lost more than 10% of v.
int make_divisible(double value, int divisor);

// Width-scaled channel counts of the parts of the space.
int stem_channels(const SearchSpace& space, double width);
int first_block_channels(const SearchSpace& space, double width);  // requires a first block
int stage_channels(const SearchSpace& space, const StageChoices& stage, double width);
std::optional<int> head_channels(const SearchSpace& space, double width);

// Block counts of the shallowest and deepest arch, the fixed first block included.
int min_blocks(const SearchSpace& space);
int max_blocks(const SearchSpace& space);

// Checks every rule of the space format and throws InputError(file, field path, reason) on the
// first broken one. Paths are those of the JSON format ("stages[2].depths[1]"), because this
// is where parsed files are checked; spaces built in code are checked by the same rules.
// Beyond ranges it rejects duplicate choices, two widths that give identical channels, and a
// stride-1 stage with the same channels as the stage before it (its boundary would be
// ambiguous): each of these would let two different genomes decode to the same arch.
void validate_space(const SearchSpace& space, const std::string& file);

// Sizes of the space, as log10 of the counts.
struct SpaceSize {
  double log10_backbones = 0;        // distinct archs ignoring the patch schedule (exact)
  double log10_with_patches = 0;     // upper bound: backbones x (1 + patched (n, split) pairs)
  double log10_genomes = 0;          // product of all gene choice counts (inactive slots too)
};
SpaceSize space_size(const SearchSpace& space);

}  // namespace patchnas
