// Rng and genomes: golden Rng outputs, hand-decoded genomes (split clamping, n lowering, the
// no-patch fallback), properties over thousands of random genomes of every space (decoded
// archs validate, encode inverts decode, canonical forms identify archs), the genetic
// operators, genome strings and archs outside the space.
#include <gtest/gtest.h>

#include <array>
#include <set>
#include <string>

#include "space/arch_json.hpp"
#include "space/genome.hpp"
#include "space/input_error.hpp"
#include "space/space_json.hpp"

namespace patchnas {
namespace {

SearchSpace shipped_space(const std::string& name) {
  return read_space_file(std::string(PATCHNAS_SOURCE_DIR) + "/configs/spaces/" + name + ".json");
}

// Layout: [resolution, width, depth0, depth1, s0 slot0 (k, e), s0 slot1 (k, e), s1 slot0 (k, e),
// s1 slot1 (k, e), n, split]: 14 genes. Width 0.5 gives stem 8, first block 8, stages 8 and 16;
// width 1.0 gives 16, 8, 16, 32. Between 1 + 1 + 1 = 3 and 1 + 2 + 2 = 5 blocks.
SearchSpace tiny_space() {
  SearchSpace s;
  s.name = "tiny";
  s.classes = 10;
  s.resolutions = {8, 32};
  s.widths = {0.5, 1.0};
  s.stem = {16, 3, 2};
  s.first_block = FixedBlock{8, 3};
  s.stages = {{16, 2, {1, 2}}, {32, 2, {1, 2}}};
  s.kernels = {3, 5};
  s.expands = {1, 6};
  s.patch = {{1, 2, 4}, {1, 3, 5}};
  validate_space(s, "tiny");
  return s;
}

std::vector<SearchSpace> all_spaces() {
  return {shipped_space("mcunetv2"), shipped_space("fashion-mnist"), tiny_space()};
}

Genome genes(std::vector<std::uint8_t> values) { return Genome{std::move(values)}; }

// Equal as networks: names aside (decoded names embed the canonical genome, which would make
// comparing names a comparison of canonical forms).
bool same_network(const Arch& a, Arch b) {
  b.name = a.name;
  return a == b;
}

bool in_range(const SearchSpace& space, const Genome& g) {
  const auto counts = gene_choice_counts(space);
  if (g.genes.size() != counts.size()) return false;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (g.genes[i] >= counts[i]) return false;
  }
  return true;
}

TEST(Rng, GoldenOutputs) {
  // splitmix64-seeded xoshiro256**, computed with an independent Python implementation. The
  // first splitmix64 output for seed 0 is the published 0xe220a8397b1dcdaf.
  Rng rng(42);
  EXPECT_EQ(rng.next(), 0x15780b2e0c2ec716ULL);
  EXPECT_EQ(rng.next(), 0x6104d9866d113a7eULL);
  EXPECT_EQ(rng.next(), 0xae17533239e499a1ULL);
  EXPECT_EQ(Rng(0).next(), 0x99ec5f36cb75f2b4ULL);
  // uniform() and unit() are part of the reproducibility contract too: searches replay them.
  Rng draws(42);
  std::vector<int> digits;
  for (int i = 0; i < 8; ++i) digits.push_back(draws.uniform(10));
  EXPECT_EQ(digits, (std::vector<int>{2, 2, 9, 3, 6, 4, 4, 7}));
  EXPECT_EQ(draws.uniform(1000000007), 378197194);
  EXPECT_EQ(draws.uniform(1000000007), 974661663);
  EXPECT_EQ(draws.uniform(1000000007), 987584276);
  EXPECT_EQ(draws.unit(), 0.29067776176424165);
}

TEST(Rng, SameSeedSameSequence) {
  Rng a(7), b(7), c(8);
  int differ = 0;
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next();
    EXPECT_EQ(x, b.next());
    differ += x != c.next();
  }
  EXPECT_EQ(differ, 100);
}

TEST(Rng, UniformIsInRangeAndRoughlyUniform) {
  Rng rng(1);
  std::array<int, 7> counts{};
  const int draws = 70000;
  for (int i = 0; i < draws; ++i) {
    const int v = rng.uniform(7);
    ASSERT_GE(v, 0);
    ASSERT_LT(v, 7);
    ++counts[static_cast<std::size_t>(v)];
  }
  // Expected 10000 each, standard deviation about 93: 500 is more than 5 sigma.
  for (const int c : counts) EXPECT_NEAR(c, 10000, 500);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(rng.uniform(1), 0);
  EXPECT_THROW(rng.uniform(0), std::invalid_argument);
}

TEST(Rng, UniformCoversLargeRanges) {
  // A range that does not divide 2^64 and whose upper half must be reachable.
  Rng rng(3);
  const int n = 1'500'000'000;
  int above_half = 0;
  for (int i = 0; i < 4000; ++i) {
    const int v = rng.uniform(n);
    ASSERT_GE(v, 0);
    ASSERT_LT(v, n);
    above_half += v >= n / 2;
  }
  EXPECT_NEAR(above_half, 2000, 200);
}

TEST(Rng, UnitAndBernoulli) {
  Rng rng(5);
  double sum = 0;
  int hits = 0;
  for (int i = 0; i < 40000; ++i) {
    const double u = rng.unit();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    hits += rng.bernoulli(0.25);
    ASSERT_FALSE(rng.bernoulli(0.0));
    ASSERT_TRUE(rng.bernoulli(1.0));
  }
  EXPECT_NEAR(sum / 40000, 0.5, 0.01);
  EXPECT_NEAR(hits, 10000, 400);
}

TEST(GenomeLayout, Mcunetv2) {
  const SearchSpace space = shipped_space("mcunetv2");
  const GenomeLayout layout = genome_layout(space);
  // 2 + 6 depths + 2 x (5 stages x 4 slots + 1) + 2 = 52.
  ASSERT_EQ(layout.size(), 52u);
  EXPECT_EQ(layout.depth, (std::vector<std::size_t>{2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(layout.first_slot, (std::vector<std::size_t>{8, 16, 24, 32, 40, 48}));
  EXPECT_EQ(layout.patch_n, 50u);
  EXPECT_EQ(layout.patch_split, 51u);
  std::vector<int> expected{11, 3, 3, 3, 3, 3, 3, 1};
  for (int i = 0; i < 42; ++i) expected.push_back(3);
  expected.push_back(4);
  expected.push_back(8);
  EXPECT_EQ(gene_choice_counts(space), expected);
  EXPECT_EQ(gene_name(space, 0), "resolution");
  EXPECT_EQ(gene_name(space, 7), "stages[5].depth");
  EXPECT_EQ(gene_name(space, 19), "stages[1].blocks[1].expand");
  EXPECT_EQ(gene_name(space, 48), "stages[5].blocks[0].kernel");
  EXPECT_EQ(gene_name(space, 51), "patch.split");
  EXPECT_THROW(gene_name(space, 52), std::out_of_range);
  EXPECT_EQ(genome_layout(shipped_space("fashion-mnist")).size(), 2u + 4 + 2 * 12 + 2);
}

TEST(DecodeGenome, Mcunetv2ByHand) {
  const SearchSpace space = shipped_space("mcunetv2");
  // Resolution 160, width 0.75, the shallowest depths, kernel k / expand e per slot varied,
  // n = 4 over the first 4 blocks.
  Genome g;
  g.genes.assign(52, 0);
  g.genes[0] = 4;
  g.genes[1] = 1;
  g.genes[8] = 2;   // stage 0 slot 0 kernel 7
  g.genes[9] = 1;   // stage 0 slot 0 expand 4
  g.genes[12] = 1;  // stage 0 slot 2: inactive at depth 2
  g.genes[50] = 3;
  g.genes[51] = 3;
  const Arch a = decode_genome(space, g);
  EXPECT_EQ(a.resolution, 160);
  // Width 0.75: stem 32 -> 24, first block 16 -> 12 -> 16, stages 24 -> 18 -> 24 (16 < 16.2),
  // 40 -> 30 -> 32, 80 -> 60 -> 64, 96 -> 72, 192 -> 144, 320 -> 240.
  EXPECT_EQ(a.stem, (StemSpec{24, 3, 2}));
  const std::vector<BlockSpec> blocks{
      {3, 1, 16, 1},                  // fixed first block
      {7, 4, 24, 2}, {3, 3, 24, 1},   // stage 0
      {3, 3, 32, 2}, {3, 3, 32, 1},   // stage 1
      {3, 3, 64, 2}, {3, 3, 64, 1},   // stage 2
      {3, 3, 72, 1}, {3, 3, 72, 1},   // stage 3
      {3, 3, 144, 2}, {3, 3, 144, 1}, // stage 4
      {3, 3, 240, 1}};                // stage 5
  EXPECT_EQ(a.blocks, blocks);
  EXPECT_FALSE(a.head_out.has_value());
  EXPECT_EQ(a.classes, 1000);
  EXPECT_EQ(a.input_channels, 3);
  // 160 -> stem 80 -> 80 -> 40 -> 40 -> 20 after 4 blocks: 4x4 patches fit.
  EXPECT_EQ(a.patch, (PatchSpec{4, 4}));
  Genome canonical = g;
  canonical.genes[12] = 0;
  EXPECT_EQ(canonical_genome(space, g), canonical);
  EXPECT_EQ(a.name, "mcunetv2-r160-w0.75-" + genome_to_string(canonical));
  EXPECT_NO_THROW(validate_arch(a, "decoded"));
}

TEST(DecodeGenome, ClampsSplitToTheBlockCount) {
  const SearchSpace space = tiny_space();
  // Resolution 32, width 1.0, depths 1 and 1 (3 blocks), split choice 5 clamps to 3, n = 2.
  const Genome g = genes({1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 0, 1, 2});
  const Arch a = decode_genome(space, g);
  const std::vector<BlockSpec> blocks{{3, 1, 8, 1}, {5, 6, 16, 2}, {3, 1, 32, 2}};
  EXPECT_EQ(a.blocks, blocks);
  EXPECT_EQ(a.stem, (StemSpec{16, 3, 2}));
  // 32 -> 16 -> 16 -> 8 -> 4 after the 3 blocks: 2x2 patches fit.
  EXPECT_EQ(a.patch, (PatchSpec{2, 3}));
  // Inactive slots zeroed; splits 3 and 5 both give 3 here, the smaller (index 1) stands.
  const Genome canonical = genes({1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1});
  EXPECT_EQ(canonical_genome(space, g), canonical);
  EXPECT_EQ(a.name, "tiny-r32-w1.0-11001100000011");
}

TEST(DecodeGenome, LowersNWhenPatchesWouldCollapse) {
  const SearchSpace space = tiny_space();
  // Resolution 8, width 0.5, depths 2 and 1, n = 4, split 3.
  const Genome g = genes({0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 2, 1});
  const Arch a = decode_genome(space, g);
  // 8 -> stem 4 -> 4 -> 2 -> 2 after 3 blocks: 4x4 collapses, 2x2 is the largest that fits.
  EXPECT_EQ(a.patch, (PatchSpec{2, 3}));
  EXPECT_EQ(a.stem.out, 8);
  EXPECT_EQ(a.blocks[0].out, 8);   // 8 x 0.5 = 4, raised to the divisor
  EXPECT_EQ(a.blocks[3].out, 16);  // 32 x 0.5
  EXPECT_EQ(canonical_genome(space, g), genes({0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1}));
}

TEST(DecodeGenome, FallsBackToNoPatch) {
  const SearchSpace space = tiny_space();
  // Resolution 8, width 1.0, depths 1 and 1, n = 4, split 5 -> 3: 8 -> 4 -> 4 -> 2 -> 1.
  const Genome g = genes({0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2});
  const Arch a = decode_genome(space, g);
  EXPECT_FALSE(a.patch.has_value());
  // No patch: the split gene does not matter and is zeroed, n points at the choice 1.
  EXPECT_EQ(canonical_genome(space, g), genes({0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_NO_THROW(validate_arch(a, "decoded"));
}

TEST(DecodeGenome, RejectsGenomesOfAnotherLayout) {
  const SearchSpace space = tiny_space();
  EXPECT_THROW(decode_genome(space, genes({0, 1})), std::invalid_argument);
  EXPECT_THROW(decode_genome(space, genes({2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})),
               std::invalid_argument);
}

TEST(GenomeProperties, SampledArchsValidateAndEncodeInvertsDecode) {
  for (const SearchSpace& space : all_spaces()) {
    std::set<int> resolutions;
    std::set<int> patch_counts;
    int lowered_or_clamped = 0;
    for (std::uint64_t seed : {1u, 2u, 3u, 4u}) {
      Rng rng(seed);
      for (int i = 0; i < 1000; ++i) {
        const Genome g = sample_genome(space, rng);
        ASSERT_TRUE(in_range(space, g));
        const Arch a = decode_genome(space, g);
        ASSERT_NO_THROW(validate_arch(a, a.name)) << space.name << " " << genome_to_string(g);
        const Genome canonical = canonical_genome(space, g);
        ASSERT_EQ(encode_arch(space, a), canonical) << space.name << " " << genome_to_string(g);
        ASSERT_EQ(decode_genome(space, canonical), a);
        ASSERT_EQ(canonical_genome(space, canonical), canonical);
        ASSERT_EQ(genome_from_string(space, genome_to_string(g)), g);
        // The arch format carries everything: written and read back, it encodes the same.
        ASSERT_EQ(arch_from_json(nlohmann::json::parse(arch_to_json_text(a)), "sampled"), a);
        resolutions.insert(a.resolution);
        patch_counts.insert(a.patch ? a.patch->n : 1);
        const int chosen_n = space.patch.n[g.genes[genome_layout(space).patch_n]];
        lowered_or_clamped += chosen_n > 1 && (!a.patch || a.patch->n != chosen_n);
      }
    }
    EXPECT_EQ(resolutions.size(), space.resolutions.size()) << space.name;
    EXPECT_EQ(patch_counts.size(), space.patch.n.size()) << space.name;
    if (space.name == "tiny") {
      EXPECT_GT(lowered_or_clamped, 0);
    }
  }
}

TEST(GenomeProperties, EqualCanonicalFormsExactlyWhenEqualArchs) {
  const SearchSpace space = tiny_space();
  Rng rng(11);
  int same_arch_different_genes = 0;
  int different_archs = 0;
  for (int i = 0; i < 5000; ++i) {
    const Genome a = sample_genome(space, rng);
    const Genome b = mutate(space, a, rng, 0.2, 0.2);
    const bool same_arch = same_network(decode_genome(space, a), decode_genome(space, b));
    ASSERT_EQ(same_arch, canonical_genome(space, a) == canonical_genome(space, b))
        << genome_to_string(a) << " " << genome_to_string(b);
    same_arch_different_genes += same_arch && a != b;
    different_archs += !same_arch;
  }
  // Both sides of the equivalence were exercised.
  EXPECT_GT(same_arch_different_genes, 100);
  EXPECT_GT(different_archs, 100);
}

TEST(Mutate, ProbabilityZeroIsIdentity) {
  const SearchSpace space = shipped_space("mcunetv2");
  Rng rng(21);
  for (int i = 0; i < 100; ++i) {
    const Genome g = sample_genome(space, rng);
    EXPECT_EQ(mutate(space, g, rng, 0.0, 0.0), g);
  }
}

TEST(Mutate, ProbabilityOneRedrawsEveryGeneInRange) {
  const SearchSpace space = shipped_space("mcunetv2");
  const auto counts = gene_choice_counts(space);
  Rng rng(22);
  double changed = 0;
  for (int i = 0; i < 200; ++i) {
    const Genome g = sample_genome(space, rng);
    const Genome child = mutate(space, g, rng, 1.0, 1.0);
    ASSERT_TRUE(in_range(space, child));
    for (std::size_t k = 0; k < counts.size(); ++k) changed += child.genes[k] != g.genes[k];
  }
  // A redrawn gene with c choices changes with probability (c - 1) / c.
  double expected = 0;
  for (const int c : counts) expected += 200.0 * (c - 1) / c;
  EXPECT_NEAR(changed, expected, 0.05 * expected);
}

TEST(Mutate, ResolutionHasItsOwnProbability) {
  const SearchSpace space = shipped_space("mcunetv2");
  const std::size_t res = genome_layout(space).resolution;
  Rng rng(23);
  int resolution_changes = 0;
  for (int i = 0; i < 200; ++i) {
    const Genome g = sample_genome(space, rng);
    const Genome only_resolution = mutate(space, g, rng, 0.0, 1.0);
    Genome rest = only_resolution;
    rest.genes[res] = g.genes[res];
    EXPECT_EQ(rest, g);
    resolution_changes += only_resolution.genes[res] != g.genes[res];
    const Genome all_but_resolution = mutate(space, g, rng, 1.0, 0.0);
    EXPECT_EQ(all_but_resolution.genes[res], g.genes[res]);
    EXPECT_NE(all_but_resolution, g);
  }
  EXPECT_NEAR(resolution_changes, 200 * 10 / 11, 20);
}

TEST(Crossover, EveryGeneComesFromAParent) {
  const SearchSpace space = shipped_space("mcunetv2");
  const auto counts = gene_choice_counts(space);
  Genome low, high;
  for (const int c : counts) {
    low.genes.push_back(0);
    high.genes.push_back(static_cast<std::uint8_t>(c - 1));
  }
  Rng rng(31);
  int from_high = 0;
  int differing = 0;
  for (int i = 0; i < 200; ++i) {
    const Genome child = crossover(space, low, high, rng);
    for (std::size_t k = 0; k < counts.size(); ++k) {
      ASSERT_TRUE(child.genes[k] == low.genes[k] || child.genes[k] == high.genes[k]);
      if (low.genes[k] != high.genes[k]) {
        ++differing;
        from_high += child.genes[k] == high.genes[k];
      }
    }
    const Genome a = sample_genome(space, rng);
    EXPECT_EQ(crossover(space, a, a, rng), a);
  }
  EXPECT_NEAR(from_high, differing / 2, differing / 20);
}

TEST(GenomeString, RoundTripAndBadText) {
  const SearchSpace space = shipped_space("mcunetv2");
  Rng rng(41);
  const Genome g = sample_genome(space, rng);
  const std::string text = genome_to_string(g);
  EXPECT_EQ(text.size(), 52u);
  EXPECT_EQ(genome_from_string(space, text), g);
  EXPECT_EQ(genome_to_string(genes({0, 9, 10, 35})), "09az");

  auto error = [&](const std::string& bad) {
    try {
      genome_from_string(space, bad, "--genome");
    } catch (const InputError& e) {
      EXPECT_EQ(e.file(), "--genome");
      return e.field();
    }
    ADD_FAILURE() << "accepted " << bad;
    return std::string();
  };
  EXPECT_EQ(error(text.substr(1)), "genome");
  EXPECT_EQ(error(text + "0"), "genome");
  std::string bad = text;
  bad[3] = '!';
  EXPECT_EQ(error(bad), "genome[3]");
  bad = text;
  bad[3] = 'A';  // upper case is not a digit here
  EXPECT_EQ(error(bad), "genome[3]");
  bad = text;
  bad[7] = '1';  // the last stage has a single depth choice
  EXPECT_EQ(error(bad), "genome[7]");
  bad = text;
  bad[0] = 'b';  // 11 resolutions: indices 0-a
  EXPECT_EQ(error(bad), "genome[0]");
}

// The error encode_arch() throws for `arch`.
InputError encode_error(const SearchSpace& space, const Arch& arch) {
  try {
    encode_arch(space, arch, "a.json");
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "a.json");
    return e;
  }
  ADD_FAILURE() << "encoded an arch outside the space: " << arch_to_json_text(arch);
  return InputError("", "", "");
}

TEST(EncodeArch, HandWrittenArchOfTheSpace) {
  const SearchSpace space = shipped_space("fashion-mnist");
  const Arch reference =
      read_arch_file(std::string(PATCHNAS_SOURCE_DIR) + "/configs/archs/fmnist-ref.json");
  const Genome g = encode_arch(space, reference);
  Arch decoded = decode_genome(space, g);
  decoded.name = reference.name;
  EXPECT_EQ(decoded, reference);
}

TEST(EncodeArch, RejectsArchsOutsideTheSpace) {
  const SearchSpace mcunet = shipped_space("mcunetv2");
  // MobileNetV2: stage 1 has 32 channels where the space has 40.
  const Arch mbv2 =
      read_arch_file(std::string(PATCHNAS_SOURCE_DIR) + "/configs/archs/mbv2-w1.0-r224.json");
  EXPECT_EQ(encode_error(mcunet, mbv2).field(), "blocks[3]");

  const SearchSpace space = tiny_space();
  const Arch base = decode_genome(space, genes({1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0}));
  ASSERT_EQ(base.patch, (PatchSpec{2, 1}));
  ASSERT_EQ(base.blocks.size(), 4u);
  auto field = [&](void (*edit)(Arch&)) {
    Arch a = base;
    edit(a);
    return encode_error(space, a).field();
  };
  EXPECT_EQ(field([](Arch& a) { a.resolution = 40; }), "input.resolution");
  EXPECT_EQ(field([](Arch& a) { a.input_channels = 1; }), "input.channels");
  EXPECT_EQ(field([](Arch& a) { a.classes = 11; }), "classes");
  EXPECT_EQ(field([](Arch& a) { a.stem.out = 24; }), "stem.out");
  EXPECT_EQ(field([](Arch& a) { a.stem.kernel = 5; }), "stem");
  EXPECT_EQ(field([](Arch& a) { a.blocks[0].kernel = 5; }), "blocks[0]");
  EXPECT_EQ(field([](Arch& a) { a.blocks[1].kernel = 7; }), "blocks[1].kernel");
  EXPECT_EQ(field([](Arch& a) { a.blocks[2].expand = 4; }), "blocks[2].expand");
  // Stage 1 (depths 1, 2) cannot take a third block; it is left over.
  EXPECT_EQ(field([](Arch& a) { a.blocks.push_back(a.blocks.back()); }), "blocks[4]");
  // Without its stride-2 start, stage 1 is missing.
  EXPECT_EQ(field([](Arch& a) { a.blocks.pop_back(); }), "blocks");
  EXPECT_EQ(field([](Arch& a) { a.head_out = 64; }), "head");
  EXPECT_EQ(field([](Arch& a) { a.patch = PatchSpec{3, 1}; }), "patch.n");
  EXPECT_EQ(field([](Arch& a) { a.patch = PatchSpec{1, 1}; }), "patch.n");
  EXPECT_EQ(field([](Arch& a) { a.patch = PatchSpec{2, 2}; }), "patch.split");

  // A stage shallower than all its depth choices: the error points after it.
  Arch shallow = decode_genome(mcunet, genome_from_string(mcunet, std::string(52, '0')));
  shallow.blocks.erase(shallow.blocks.begin() + 2);
  const InputError e = encode_error(mcunet, shallow);
  EXPECT_EQ(e.field(), "blocks[2]");
  EXPECT_NE(e.reason().find("depths are 2 3 4"), std::string::npos) << e.what();
}

}  // namespace
}  // namespace patchnas
