// Genome: an arch of a SearchSpace as a fixed-length vector of choice indices, the unit the
// evolutionary search samples, mutates and crosses over. Every gene holds an index into one
// choice list, so every operator here stays inside the space by construction, and
// decode_genome() turns any genome into an Arch that passes validate_arch().
//
// Layout (genome_layout()): [resolution, width, depth of each stage..., (kernel, expand) of
// each block slot of stage 0 up to its deepest choice, then of stage 1, ..., patch n, patch
// split]. Slots beyond a stage's depth are inactive; canonical_genome() zeroes them (and
// normalises split and n the way decoding does), so two genomes decode to the same arch
// exactly when their canonical forms are equal. Inactive genes are kept by mutation and
// crossover on purpose: they are latent choices a later depth mutation can reactivate.
//
// Functions taking a Genome throw std::invalid_argument (a programming error, not bad input)
// when it does not have the space's layout; genome_from_string() is the checked way in.
//
// Genome strings have one base-36 character per gene ('0'-'9', 'a'-'z'), e.g. "4112..." .
//   Rng rng(7);
//   Genome g = sample_genome(space, rng);
//   Arch a = decode_genome(space, g);               // name "mcunetv2-r160-w0.75-<canonical>"
//   Genome child = mutate(space, g, rng, 0.1, 0.5);
//   assert(encode_arch(space, a) == canonical_genome(space, g));
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "space/arch.hpp"
#include "space/input_error.hpp"
#include "space/random.hpp"
#include "space/search_space.hpp"

namespace patchnas {

struct Genome {
  std::vector<std::uint8_t> genes;
  friend bool operator==(const Genome&, const Genome&) = default;
  friend auto operator<=>(const Genome&, const Genome&) = default;
};

// Where each gene of a space's genomes is.
struct GenomeLayout {
  std::size_t resolution = 0;
  std::size_t width = 1;
  std::vector<std::size_t> depth;       // per stage
  std::vector<std::size_t> first_slot;  // per stage: kernel gene of slot 0
  std::size_t patch_n = 0;
  std::size_t patch_split = 0;
  std::vector<int> choices;             // number of choices of each gene

  std::size_t size() const { return choices.size(); }
  // Slot j of stage s: its kernel gene; the expand gene follows it.
  std::size_t kernel_gene(std::size_t stage, int slot) const {
    return first_slot[stage] + 2 * static_cast<std::size_t>(slot);
  }
  std::size_t expand_gene(std::size_t stage, int slot) const {
    return kernel_gene(stage, slot) + 1;
  }
};

GenomeLayout genome_layout(const SearchSpace& space);

// The number of choices of each gene (genome_layout(space).choices).
std::vector<int> gene_choice_counts(const SearchSpace& space);

// A readable name of gene `gene`: "resolution", "width", "stages[1].depth",
// "stages[1].blocks[2].kernel", "patch.n", ... (for messages and `patchnas space info`).
std::string gene_name(const SearchSpace& space, std::size_t gene);

// Every gene uniform over its choices.
Genome sample_genome(const SearchSpace& space, Rng& rng);

// The arch a genome stands for; it always passes validate_arch(). A split larger than the
// number of blocks is clamped to it, and if n x n patches would collapse (the feature map after
// the split is smaller than n) n drops to the largest choice that fits (1: no "patch" key).
Arch decode_genome(const SearchSpace& space, const Genome& genome);

// decode_genome(space, sample_genome(space, rng)).
Arch sample_arch(const SearchSpace& space, Rng& rng);

// Each gene is redrawn uniformly over its choices (possibly to the same value) with
// probability `gene_probability`; the resolution gene with `resolution_probability`.
Genome mutate(const SearchSpace& space, const Genome& genome, Rng& rng, double gene_probability,
              double resolution_probability);

// Uniform crossover: each gene from a or b with probability 1/2.
Genome crossover(const SearchSpace& space, const Genome& a, const Genome& b, Rng& rng);

// The representative of all genomes that decode to the same arch (see the top comment).
Genome canonical_genome(const SearchSpace& space, const Genome& genome);

// The canonical genome of `arch` (its name is ignored). Throws InputError(file, field path of
// the arch, reason) if the arch is not in the space; `file` defaults to the arch's name.
Genome encode_arch(const SearchSpace& space, const Arch& arch, const std::string& file = "");

// One base-36 character per gene.
std::string genome_to_string(const Genome& genome);

// Parses genome_to_string() text, checking its length and every index against the layout;
// throws InputError(source, "genome" or "genome[i]", reason) on bad text.
Genome genome_from_string(const SearchSpace& space, std::string_view text,
                          const std::string& source = "<genome>");

}  // namespace patchnas
