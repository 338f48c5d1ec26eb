#include "space/genome.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <stdexcept>

#include "space/input_error.hpp"

namespace patchnas {
namespace {

constexpr std::string_view kDigits = "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr std::size_t kNotFound = static_cast<std::size_t>(-1);

template <typename T>
std::size_t index_of(const std::vector<T>& choices, T value) {
  const auto it = std::find(choices.begin(), choices.end(), value);
  return it == choices.end() ? kNotFound : static_cast<std::size_t>(it - choices.begin());
}

std::uint8_t gene_value(std::size_t index) { return static_cast<std::uint8_t>(index); }

int max_depth(const StageChoices& stage) {
  return *std::max_element(stage.depths.begin(), stage.depths.end());
}

void check_genome(const GenomeLayout& layout, const Genome& genome) {
  if (genome.genes.size() != layout.size()) {
    throw std::invalid_argument("genome has " + std::to_string(genome.genes.size()) +
                                " genes, the space's layout has " + std::to_string(layout.size()));
  }
  for (std::size_t i = 0; i < layout.size(); ++i) {
    if (genome.genes[i] >= layout.choices[i]) {
      throw std::invalid_argument("gene " + std::to_string(i) + " is " +
                                  std::to_string(genome.genes[i]) + " but has only " +
                                  std::to_string(layout.choices[i]) + " choices");
    }
  }
}

// The split gene that decodes to `split` in an arch of `blocks` blocks: splits are clamped to
// the block count, so when several choices clamp to it the smallest stands for all of them.
std::size_t split_index(const SearchSpace& space, int blocks, int split) {
  std::size_t best = kNotFound;
  for (std::size_t i = 0; i < space.patch.split.size(); ++i) {
    const int value = space.patch.split[i];
    if (std::min(value, blocks) == split && (best == kNotFound || value < space.patch.split[best])) {
      best = i;
    }
  }
  return best;
}

// The patch count decoding keeps: the chosen n if n x n patches fit the feature map after the
// split, else the largest choice that does (1 always does).
int fitting_patch_count(const SearchSpace& space, int chosen, int feature_size) {
  if (chosen <= feature_size) return chosen;
  int best = 1;
  for (const int n : space.patch.n) {
    if (n <= feature_size && n > best) best = n;
  }
  return best;
}

std::string width_text(double width) {
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, width).ptr;
  std::string text(buffer, end);
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

std::string list_text(const std::vector<int>& values) {
  std::string text;
  for (const int v : values) text += (text.empty() ? "" : " ") + std::to_string(v);
  return text;
}

std::string list_text(const std::vector<double>& values) {
  std::string text;
  for (const double v : values) text += (text.empty() ? "" : " ") + width_text(v);
  return text;
}

struct Decoded {
  Arch arch;
  Genome canonical;
};

// Decodes a genome and builds its canonical form in the same pass, so the two cannot disagree.
Decoded decode_with_canonical(const SearchSpace& space, const GenomeLayout& layout,
                              const Genome& genome) {
  check_genome(layout, genome);
  const auto& g = genome.genes;
  Decoded out;
  Arch& arch = out.arch;
  auto& c = out.canonical.genes;
  c.assign(layout.size(), 0);

  c[layout.resolution] = g[layout.resolution];
  c[layout.width] = g[layout.width];
  const double width = space.widths[g[layout.width]];
  arch.resolution = space.resolutions[g[layout.resolution]];
  arch.input_channels = space.input_channels;
  arch.classes = space.classes;
  arch.stem = {stem_channels(space, width), space.stem.kernel, space.stem.stride};
  if (space.first_block) {
    arch.blocks.push_back({space.first_block->kernel, 1.0, first_block_channels(space, width), 1});
  }
  for (std::size_t s = 0; s < space.stages.size(); ++s) {
    const auto& stage = space.stages[s];
    c[layout.depth[s]] = g[layout.depth[s]];
    const int depth = stage.depths[g[layout.depth[s]]];
    const int channels = stage_channels(space, stage, width);
    for (int slot = 0; slot < depth; ++slot) {
      const std::size_t k = layout.kernel_gene(s, slot);
      const std::size_t e = layout.expand_gene(s, slot);
      c[k] = g[k];
      c[e] = g[e];
      arch.blocks.push_back(
          {space.kernels[g[k]], space.expands[g[e]], channels, slot == 0 ? stage.stride : 1});
    }
  }
  arch.head_out = head_channels(space, width);

  const int blocks = static_cast<int>(arch.blocks.size());
  const int split = std::min(space.patch.split[g[layout.patch_split]], blocks);
  const int n = fitting_patch_count(space, space.patch.n[g[layout.patch_n]],
                                    feature_size_after(arch, split));
  c[layout.patch_n] = gene_value(index_of(space.patch.n, n));
  if (n > 1) {
    arch.patch = PatchSpec{n, split};
    c[layout.patch_split] = gene_value(split_index(space, blocks, split));
  }
  arch.name = space.name + "-r" + std::to_string(arch.resolution) + "-w" + width_text(width) +
              "-" + genome_to_string(out.canonical);
  return out;
}

std::string block_text(const BlockSpec& b) {
  return "kernel " + std::to_string(b.kernel) + ", expand " + width_text(b.expand) + ", out " +
         std::to_string(b.out) + ", stride " + std::to_string(b.stride);
}

// Matches the stem, blocks and head of `arch` against the space at widths[width_index] and
// fills the width, depth, kernel and expand genes. Throws InputError at the first mismatch;
// `matched` counts the parts matched before it, so the caller can report the error of the
// width that explains the most of the arch.
void match_backbone(const SearchSpace& space, const GenomeLayout& layout, const Arch& arch,
                    std::size_t width_index, const std::string& file, Genome& genome,
                    int& matched) {
  auto& g = genome.genes;
  const double width = space.widths[width_index];
  const std::string at_width = " at width " + width_text(width);
  g[layout.width] = gene_value(width_index);

  if (arch.stem.kernel != space.stem.kernel || arch.stem.stride != space.stem.stride) {
    throw InputError(file, "stem",
                     "the space's stem has kernel " + std::to_string(space.stem.kernel) +
                         " and stride " + std::to_string(space.stem.stride));
  }
  if (arch.stem.out != stem_channels(space, width)) {
    throw InputError(file, "stem.out",
                     "is " + std::to_string(arch.stem.out) + ", the space's stem has " +
                         std::to_string(stem_channels(space, width)) + at_width);
  }
  ++matched;

  const std::size_t block_count = arch.blocks.size();
  std::size_t b = 0;
  if (space.first_block) {
    const BlockSpec expected{space.first_block->kernel, 1.0, first_block_channels(space, width), 1};
    if (block_count == 0 || !(arch.blocks[0] == expected)) {
      throw InputError(file, "blocks[0]",
                       "the space's fixed first block is (" + block_text(expected) + ")" + at_width);
    }
    ++matched;
    b = 1;
  }
  for (std::size_t s = 0; s < space.stages.size(); ++s) {
    const auto& stage = space.stages[s];
    const int channels = stage_channels(space, stage, width);
    const std::size_t stage_begin = b;
    int depth = 0;
    while (b < block_count && depth < max_depth(stage)) {
      const BlockSpec& block = arch.blocks[b];
      if (block.out != channels || block.stride != (depth == 0 ? stage.stride : 1)) break;
      const std::string at = "blocks[" + std::to_string(b) + "]";
      const std::size_t k = index_of(space.kernels, block.kernel);
      if (k == kNotFound) {
        throw InputError(file, at + ".kernel",
                         std::to_string(block.kernel) + " is not among the space's kernels (" +
                             list_text(space.kernels) + ")");
      }
      const std::size_t e = index_of(space.expands, block.expand);
      if (e == kNotFound) {
        throw InputError(file, at + ".expand",
                         width_text(block.expand) + " is not among the space's expands (" +
                             list_text(space.expands) + ")");
      }
      g[layout.kernel_gene(s, depth)] = gene_value(k);
      g[layout.expand_gene(s, depth)] = gene_value(e);
      ++depth;
      ++b;
      ++matched;
    }
    const std::size_t d = index_of(stage.depths, depth);
    if (d == kNotFound) {
      const std::string at = b < block_count ? "blocks[" + std::to_string(b) + "]" : "blocks";
      const std::string stage_name = "stages[" + std::to_string(s) + "]";
      if (depth == 0) {
        throw InputError(file, at,
                         stage_name + " must start here with out " + std::to_string(channels) +
                             " and stride " + std::to_string(stage.stride) + at_width);
      }
      throw InputError(file, at,
                       stage_name + " (out " + std::to_string(channels) + at_width +
                           ") has " + std::to_string(depth) + " blocks from blocks[" +
                           std::to_string(stage_begin) + "], but its depths are " +
                           list_text(stage.depths));
    }
    g[layout.depth[s]] = gene_value(d);
  }
  if (b < block_count) {
    throw InputError(file, "blocks[" + std::to_string(b) + "]",
                     "comes after the last stage of the space (" + block_text(arch.blocks[b]) + ")");
  }
  const auto head = head_channels(space, width);
  if (head != arch.head_out) {
    const std::string reason =
        !head ? "the space has no head"
              : !arch.head_out ? "missing: the space's head has " + std::to_string(*head) +
                                     " channels" + at_width
                               : "is " + std::to_string(*arch.head_out) + ", the space's head has " +
                                     std::to_string(*head) + at_width;
    throw InputError(file, arch.head_out && head ? "head.out" : "head", reason);
  }
}

}  // namespace

GenomeLayout genome_layout(const SearchSpace& space) {
  GenomeLayout layout;
  auto& choices = layout.choices;
  layout.resolution = choices.size();
  choices.push_back(static_cast<int>(space.resolutions.size()));
  layout.width = choices.size();
  choices.push_back(static_cast<int>(space.widths.size()));
  for (const auto& stage : space.stages) {
    layout.depth.push_back(choices.size());
    choices.push_back(static_cast<int>(stage.depths.size()));
  }
  for (const auto& stage : space.stages) {
    layout.first_slot.push_back(choices.size());
    for (int slot = 0; slot < max_depth(stage); ++slot) {
      choices.push_back(static_cast<int>(space.kernels.size()));
      choices.push_back(static_cast<int>(space.expands.size()));
    }
  }
  layout.patch_n = choices.size();
  choices.push_back(static_cast<int>(space.patch.n.size()));
  layout.patch_split = choices.size();
  choices.push_back(static_cast<int>(space.patch.split.size()));
  return layout;
}

std::vector<int> gene_choice_counts(const SearchSpace& space) {
  return genome_layout(space).choices;
}

std::string gene_name(const SearchSpace& space, std::size_t gene) {
  const GenomeLayout layout = genome_layout(space);
  if (gene == layout.resolution) return "resolution";
  if (gene == layout.width) return "width";
  if (gene == layout.patch_n) return "patch.n";
  if (gene == layout.patch_split) return "patch.split";
  for (std::size_t s = 0; s < space.stages.size(); ++s) {
    const std::string stage = "stages[" + std::to_string(s) + "]";
    if (gene == layout.depth[s]) return stage + ".depth";
    for (int slot = 0; slot < max_depth(space.stages[s]); ++slot) {
      const std::string block = stage + ".blocks[" + std::to_string(slot) + "]";
      if (gene == layout.kernel_gene(s, slot)) return block + ".kernel";
      if (gene == layout.expand_gene(s, slot)) return block + ".expand";
    }
  }
  throw std::out_of_range("gene " + std::to_string(gene) + " is beyond the genome's " +
                          std::to_string(layout.size()) + " genes");
}

Genome sample_genome(const SearchSpace& space, Rng& rng) {
  const GenomeLayout layout = genome_layout(space);
  Genome genome;
  genome.genes.reserve(layout.size());
  for (const int count : layout.choices) genome.genes.push_back(gene_value(rng.uniform(count)));
  return genome;
}

Arch decode_genome(const SearchSpace& space, const Genome& genome) {
  return decode_with_canonical(space, genome_layout(space), genome).arch;
}

Arch sample_arch(const SearchSpace& space, Rng& rng) {
  return decode_genome(space, sample_genome(space, rng));
}

Genome mutate(const SearchSpace& space, const Genome& genome, Rng& rng, double gene_probability,
              double resolution_probability) {
  const GenomeLayout layout = genome_layout(space);
  check_genome(layout, genome);
  Genome child = genome;
  for (std::size_t i = 0; i < layout.size(); ++i) {
    const double p = i == layout.resolution ? resolution_probability : gene_probability;
    if (rng.bernoulli(p)) child.genes[i] = gene_value(rng.uniform(layout.choices[i]));
  }
  return child;
}

Genome crossover(const SearchSpace& space, const Genome& a, const Genome& b, Rng& rng) {
  const GenomeLayout layout = genome_layout(space);
  check_genome(layout, a);
  check_genome(layout, b);
  Genome child = a;
  for (std::size_t i = 0; i < layout.size(); ++i) {
    if (rng.bernoulli(0.5)) child.genes[i] = b.genes[i];
  }
  return child;
}

Genome canonical_genome(const SearchSpace& space, const Genome& genome) {
  return decode_with_canonical(space, genome_layout(space), genome).canonical;
}

Genome encode_arch(const SearchSpace& space, const Arch& arch, const std::string& file) {
  const std::string source = !file.empty() ? file : !arch.name.empty() ? arch.name : "<arch>";
  const GenomeLayout layout = genome_layout(space);
  Genome genome;
  genome.genes.assign(layout.size(), 0);

  const std::size_t r = index_of(space.resolutions, arch.resolution);
  if (r == kNotFound) {
    throw InputError(source, "input.resolution",
                     std::to_string(arch.resolution) + " is not among the space's resolutions (" +
                         list_text(space.resolutions) + ")");
  }
  genome.genes[layout.resolution] = gene_value(r);
  if (arch.input_channels != space.input_channels) {
    throw InputError(source, "input.channels",
                     "is " + std::to_string(arch.input_channels) + ", the space has " +
                         std::to_string(space.input_channels));
  }
  if (arch.classes != space.classes) {
    throw InputError(source, "classes",
                     "is " + std::to_string(arch.classes) + ", the space has " +
                         std::to_string(space.classes));
  }

  // The widths give distinct channel plans (validate_space), so at most one matches.
  std::optional<InputError> best_error;
  int best_matched = -1;
  bool found = false;
  for (std::size_t w = 0; w < space.widths.size() && !found; ++w) {
    Genome trial = genome;
    int matched = 0;
    try {
      match_backbone(space, layout, arch, w, source, trial, matched);
      genome = trial;
      found = true;
    } catch (const InputError& e) {
      if (matched > best_matched) {
        best_error = e;
        best_matched = matched;
      }
    }
  }
  if (!found) throw *best_error;

  const int blocks = static_cast<int>(arch.blocks.size());
  if (!arch.patch) {
    genome.genes[layout.patch_n] = gene_value(index_of(space.patch.n, 1));
    return genome;
  }
  const PatchSpec& patch = *arch.patch;
  if (patch.n == 1) {
    throw InputError(source, "patch.n", "1 means no patch here; leave the \"patch\" key out");
  }
  const std::size_t n = index_of(space.patch.n, patch.n);
  if (n == kNotFound) {
    throw InputError(source, "patch.n",
                     std::to_string(patch.n) + " is not among the space's patch counts (" +
                         list_text(space.patch.n) + ")");
  }
  const std::size_t split = split_index(space, blocks, patch.split);
  if (split == kNotFound) {
    throw InputError(source, "patch.split",
                     "no split choice (" + list_text(space.patch.split) + ") gives " +
                         std::to_string(patch.split) + " in an arch of " + std::to_string(blocks) +
                         " blocks");
  }
  if (feature_size_after(arch, patch.split) < patch.n) {
    throw InputError(source, "patch.n",
                     std::to_string(patch.n) + "x" + std::to_string(patch.n) +
                         " patches collapse after block " + std::to_string(patch.split));
  }
  genome.genes[layout.patch_n] = gene_value(n);
  genome.genes[layout.patch_split] = gene_value(split);
  return genome;
}

std::string genome_to_string(const Genome& genome) {
  std::string text;
  text.reserve(genome.genes.size());
  for (const std::uint8_t gene : genome.genes) {
    if (gene >= kDigits.size()) {
      throw std::invalid_argument("gene value " + std::to_string(gene) + " has no base-36 digit");
    }
    text += kDigits[gene];
  }
  return text;
}

Genome genome_from_string(const SearchSpace& space, std::string_view text,
                          const std::string& source) {
  const GenomeLayout layout = genome_layout(space);
  if (text.size() != layout.size()) {
    throw InputError(source, "genome",
                     "expected " + std::to_string(layout.size()) +
                         " characters (one per gene), got " + std::to_string(text.size()));
  }
  Genome genome;
  genome.genes.reserve(layout.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const std::string at = "genome[" + std::to_string(i) + "]";
    const std::size_t value = kDigits.find(text[i]);
    if (value == std::string_view::npos) {
      throw InputError(source, at,
                       "'" + std::string(1, text[i]) + "' is not a base-36 digit (0-9, a-z)");
    }
    if (static_cast<int>(value) >= layout.choices[i]) {
      throw InputError(source, at,
                       gene_name(space, i) + " has " + std::to_string(layout.choices[i]) +
                           " choices, got index " + std::to_string(value));
    }
    genome.genes.push_back(gene_value(value));
  }
  return genome;
}

}  // namespace patchnas
