// The scored candidates ranks exchange: packing keeps every field, every double's bits and the
// order; scoring through score_across_ranks gives what one evaluator gives.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "search/spread_scoring.hpp"
#include "space/random.hpp"

namespace patchnas {
namespace {

ExperimentConfig experiment() {
  return read_experiment_file(
      std::string(PATCHNAS_SOURCE_DIR) + "/configs/experiments/mcunetv2-h743.json", {});
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void expect_same(const Candidate& a, const Candidate& b) {
  EXPECT_EQ(a.genome, b.genome);
  EXPECT_EQ(a.patch, b.patch);
  EXPECT_EQ(a.macs, b.macs);
  EXPECT_EQ(a.peak_sram_bytes, b.peak_sram_bytes);
  EXPECT_EQ(a.flash_bytes, b.flash_bytes);
  EXPECT_TRUE(same_bits(a.latency_ms, b.latency_ms));
  EXPECT_EQ(a.feasible, b.feasible);
  EXPECT_TRUE(same_bits(a.violation, b.violation));
  EXPECT_TRUE(same_bits(a.objective, b.objective));
}

TEST(SpreadScoring, PackingKeepsEveryFieldAndBit) {
  Candidate a;
  a.genome.genes = {3, 0, 255, 7};
  a.patch = PatchSpec{4, 2};
  a.macs = 123456789012;
  a.peak_sram_bytes = -1;
  a.flash_bytes = INT64_MAX;
  a.latency_ms = 0.1 + 0.2;
  a.feasible = true;
  a.violation = -0.0;
  a.objective = std::numeric_limits<double>::denorm_min();
  Candidate b;  // no patch, empty genome
  b.latency_ms = std::nextafter(1.0, 2.0);
  const std::vector<Candidate> packed = {a, b, a};
  std::vector<Candidate> unpacked = {b};  // appends
  unpack_candidates(pack_candidates(packed), unpacked);
  ASSERT_EQ(unpacked.size(), 4u);
  expect_same(unpacked[0], b);
  for (std::size_t i = 0; i < packed.size(); ++i) expect_same(unpacked[i + 1], packed[i]);
  const std::string bytes = pack_candidates({a});
  std::vector<Candidate> cut;
  EXPECT_THROW(unpack_candidates(bytes.substr(0, bytes.size() - 1), cut), std::runtime_error);
}

TEST(SpreadScoring, ScoresLikeOneEvaluatorInOrder) {
  const ExperimentConfig config = experiment();
  Rng rng(7);
  std::vector<Genome> genomes;
  for (int i = 0; i < 40; ++i) genomes.push_back(canonical_for(config, sample_genome(config.space, rng)));
  const std::vector<Candidate> scored = score_across_ranks(config, genomes);
  ASSERT_EQ(scored.size(), genomes.size());
  CandidateEvaluator evaluator(config);
  for (std::size_t i = 0; i < genomes.size(); ++i) expect_same(scored[i], evaluator.evaluate(genomes[i]));
}

}  // namespace
}  // namespace patchnas
