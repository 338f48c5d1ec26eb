// The search engine: determinism across thread counts, infeasible and barely feasible
// budgets, the true optimum of a space small enough to enumerate, the "best" schedule mode
// against brute force, the Pareto archive, resume from a checkpoint, and every algorithm.
#include <gtest/gtest.h>

#include <oneapi/tbb/global_control.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <unordered_set>

#include "search/search_checkpoint.hpp"
#include "search/search_engine.hpp"
#include "search/search_outputs.hpp"
#include "space/input_error.hpp"

namespace patchnas {
namespace {

std::filesystem::path temp_dir(const std::string& name) {
  const auto dir =
      std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// A space of a few thousand genomes: 2 resolutions, 2 widths, 2 stages of depth 1-2,
// kernels {3, 5}, expands {3, 6}, n {1, 2}, split {1, 2}.
std::string tiny_experiment(const std::filesystem::path& dir) {
  std::ofstream(dir / "tiny-space.json") << R"({
    "format": "patchnas.space/1", "name": "tiny",
    "input": {"channels": 1, "resolutions": [28, 32]},
    "widths": [0.5, 1.0], "channel_divisor": 8,
    "stem": {"out": 8, "kernel": 3, "stride": 2},
    "stages": [{"out": 8, "stride": 1, "depths": [1, 2]},
               {"out": 16, "stride": 2, "depths": [1, 2]}],
    "kernels": [3, 5], "expands": [3, 6], "classes": 10,
    "patch": {"n": [1, 2], "split": [1, 2]}})";
  std::ofstream(dir / "tiny.json") << R"({
    "format": "patchnas.experiment/1", "name": "tiny", "space": "tiny-space.json",
    "mcu": "stm32f412", "budgets": {"sram_bytes": 9000},
    "algorithm": {"population": 30, "generations": 100}, "seed": 1, "survivors": 3})";
  return (dir / "tiny.json").string();
}

std::string shipped(const std::string& name) {
  return std::string(PATCHNAS_SOURCE_DIR) + "/configs/experiments/" + name + ".json";
}

struct Outcome {
  std::vector<std::string> log;  // the log lines without timings
  std::string best;
  std::vector<std::string> pareto;
};

Outcome run_to_end(const ExperimentConfig& config) {
  SearchEngine engine(config);
  while (!engine.done()) engine.step();
  Outcome o;
  for (GenerationLog e : engine.log()) {
    e.seconds = 0;
    o.log.push_back(generation_log_to_json(e).dump());
  }
  if (engine.best()) o.best = genome_to_string(engine.best()->genome);
  for (const Candidate& c : engine.pareto().entries()) o.pareto.push_back(genome_to_string(c.genome));
  return o;
}

bool same(const Outcome& a, const Outcome& b) {
  return a.log == b.log && a.best == b.best && a.pareto == b.pareto;
}

// Every distinct canonical genome of the space, found by counting through all gene values.
std::vector<Genome> every_genome(const ExperimentConfig& config) {
  const std::vector<int> choices = gene_choice_counts(config.space);
  Genome g;
  g.genes.assign(choices.size(), 0);
  std::vector<Genome> all;
  for (;;) {
    all.push_back(canonical_for(config, g));
    std::size_t i = 0;
    while (i < choices.size() && ++g.genes[i] == choices[i]) g.genes[i++] = 0;
    if (i == choices.size()) break;
  }
  std::unordered_set<Genome, GenomeHash> seen;
  std::erase_if(all, [&](const Genome& x) { return !seen.insert(x).second; });
  return all;
}

TEST(Search, SameResultWhateverTheThreadCount) {
  for (const char* algorithm : {"evolution", "aging", "random"}) {
    const ExperimentConfig config = read_experiment_file(
        shipped("mcunetv2-h743"),
        {"algorithm.population=40", "algorithm.generations=25", "algorithm.tournament=10",
         std::string("algorithm.type=") + algorithm});
    Outcome one;
    {
      oneapi::tbb::global_control limit(oneapi::tbb::global_control::max_allowed_parallelism, 1);
      one = run_to_end(config);
    }
    const Outcome two = run_to_end(config);
    EXPECT_TRUE(same(one, two)) << algorithm;
    EXPECT_FALSE(one.best.empty()) << algorithm;
    EXPECT_EQ(one.log.size(), 25u);
  }
}

// Enumerates the tiny space, then checks that every seed's search ends at the optimum (the
// top of the ranking: most MACs under the budget, then lowest latency) having scored only
// part of the space. Both schedule modes: (n, split) as genes, and chosen per backbone.
void expect_search_finds_optimum(const std::string& schedule, int generations) {
  const auto dir = temp_dir("patchnas_search_tiny");
  const ExperimentConfig config = read_experiment_file(
      tiny_experiment(dir),
      {"schedule=" + schedule, "algorithm.generations=" + std::to_string(generations)});
  CandidateEvaluator evaluator(config);
  std::optional<Candidate> optimum;
  int feasible = 0;
  const std::vector<Genome> all = every_genome(config);
  for (const Genome& g : all) {
    const Candidate c = evaluator.evaluate(g);
    feasible += c.feasible;
    if (!optimum || ranks_before(c, *optimum)) optimum = c;
  }
  ASSERT_TRUE(optimum && optimum->feasible);
  EXPECT_GT(feasible, 10);
  EXPECT_LT(feasible, static_cast<int>(all.size()));  // the budget really constrains
  for (const std::uint64_t seed : {1, 2, 3, 4, 5}) {
    ExperimentConfig seeded = config;
    seeded.seed = seed;
    SearchEngine engine(seeded);
    while (!engine.done()) engine.step();
    ASSERT_NE(engine.best(), nullptr);
    EXPECT_EQ(genome_to_string(engine.best()->genome), genome_to_string(optimum->genome))
        << schedule << " seed " << seed << " of " << all.size() << " genomes: found objective "
        << engine.best()->objective << " latency " << engine.best()->latency_ms << ", optimum "
        << optimum->objective << " latency " << optimum->latency_ms << ", unique scored "
        << engine.log().back().unique_scored;
    // It searched: it scored only part of the space.
    EXPECT_LT(engine.log().back().unique_scored, static_cast<std::int64_t>(all.size()) / 2);
  }
  std::filesystem::remove_all(dir);
}

// With (n, split) as genes the space is 4x larger: more generations.
TEST(Search, FindsTheTrueOptimumOfAnEnumerableSpace) { expect_search_finds_optimum("genome", 150); }

TEST(Search, FindsTheTrueOptimumWithTheBestScheduleMode) { expect_search_finds_optimum("best", 100); }

TEST(Search, InfeasibleBudgetsEndWithTheSmallestValuesFound) {
  const ExperimentConfig config = read_experiment_file(
      shipped("fmnist-f412"), {"budgets.sram_bytes=100", "algorithm.generations=20"});
  SearchEngine engine(config);
  while (!engine.done()) engine.step();  // ends: no rejection loop to hang in
  EXPECT_EQ(engine.best(), nullptr);
  const auto dir = temp_dir("patchnas_search_infeasible");
  try {
    write_search_results(dir.string(), config, engine);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "budgets");
    const std::string what = e.what();
    EXPECT_NE(what.find("smallest peak SRAM found " + std::to_string(engine.smallest().peak_sram_bytes)),
              std::string::npos) << what;
    EXPECT_NE(what.find("budget 100"), std::string::npos) << what;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "best.json"));
  std::filesystem::remove_all(dir);
}

TEST(Search, BarelyFeasibleBudgetIsFound) {
  // The SRAM budget equals the smallest arena of the whole tiny space: only the archs that
  // reach it are feasible, and the search must find one.
  const auto dir = temp_dir("patchnas_search_barely");
  ExperimentConfig config = read_experiment_file(tiny_experiment(dir));
  CandidateEvaluator evaluator(config);
  std::int64_t smallest = INT64_MAX;
  for (const Genome& g : every_genome(config)) {
    smallest = std::min(smallest, evaluator.evaluate(g).peak_sram_bytes);
  }
  config.budgets.sram_bytes = smallest;
  SearchEngine engine(config);
  while (!engine.done()) engine.step();
  ASSERT_NE(engine.best(), nullptr);
  EXPECT_EQ(engine.best()->peak_sram_bytes, smallest);
  std::filesystem::remove_all(dir);
}

TEST(Search, BestScheduleIsTheFeasibleOneOfLowestLatency) {
  ExperimentConfig config =
      read_experiment_file(shipped("mcunetv2-h743"), {"schedule=best"});
  CandidateEvaluator evaluator(config);
  Estimator estimator;
  Rng rng(5);
  int patched = 0;
  for (int trial = 0; trial < 40; ++trial) {
    const Genome g = canonical_for(config, sample_genome(config.space, rng));
    const Candidate c = evaluator.evaluate(g);
    // Brute force over every schedule of the backbone.
    Arch arch = decode_genome(config.space, g);
    std::optional<double> fastest;
    std::vector<std::optional<PatchSpec>> schedules = {std::nullopt};
    for (int n : config.space.patch.n) {
      for (int split : config.space.patch.split) {
        if (n > 1 && split <= static_cast<int>(arch.blocks.size()) &&
            feature_size_after(arch, split) >= n) {
          schedules.push_back(PatchSpec{n, split});
        }
      }
    }
    for (const auto& s : schedules) {
      arch.patch = s;
      const Estimate& e = estimator.run(arch, config.mcu);
      const bool fits = e.peak_sram_bytes <= config.budgets.sram_bytes &&
                        e.flash_bytes <= config.budgets.flash_bytes &&
                        e.latency_ms <= *config.budgets.latency_ms;
      if (fits && (!fastest || e.latency_ms < *fastest)) fastest = e.latency_ms;
    }
    EXPECT_EQ(c.feasible, fastest.has_value());
    if (fastest) {
      EXPECT_DOUBLE_EQ(c.latency_ms, *fastest);
    }
    patched += c.patch.has_value();
  }
  EXPECT_GT(patched, 0);
}

TEST(Search, ParetoArchiveKeepsOnlyTheNonDominated) {
  auto point = [](std::uint8_t id, double objective, std::int64_t sram, double latency) {
    Candidate c;
    c.genome.genes = {id};
    c.feasible = true;
    c.objective = objective;
    c.peak_sram_bytes = sram;
    c.latency_ms = latency;
    return c;
  };
  ParetoArchive archive;
  archive.offer(point(1, 100, 50, 10));
  archive.offer(point(2, 90, 60, 11));   // dominated by 1
  archive.offer(point(3, 120, 80, 10));  // trades SRAM for objective: kept
  archive.offer(point(4, 130, 40, 5));   // dominates 1 and 3
  Candidate infeasible = point(5, 1000, 1, 1);
  infeasible.feasible = false;
  archive.offer(infeasible);
  ASSERT_EQ(archive.entries().size(), 1u);
  EXPECT_EQ(archive.entries()[0].genome.genes[0], 4);
  archive.offer(point(6, 140, 45, 5));  // more objective, more SRAM: both stay
  EXPECT_EQ(archive.entries().size(), 2u);
}

TEST(Search, ResumeFromACheckpointEndsWithTheSameResult) {
  const ExperimentConfig config = read_experiment_file(
      shipped("mcunetv2-f746"), {"algorithm.population=50", "algorithm.generations=30"});
  const Outcome straight = run_to_end(config);
  const auto dir = temp_dir("patchnas_search_resume");
  {
    SearchEngine first(config);
    SearchCheckpointWriter writer(dir.string());
    for (int g = 0; g < 12; ++g) {
      first.step();
      writer.write(config, first);
    }
  }
  SearchEngine second(config);
  SearchCheckpointWriter writer(dir.string());
  ASSERT_TRUE(resume_search(dir.string(), config, second, writer));
  EXPECT_EQ(second.generation(), 12);
  while (!second.done()) second.step();
  Outcome resumed;
  for (GenerationLog e : second.log()) {
    e.seconds = 0;
    resumed.log.push_back(generation_log_to_json(e).dump());
  }
  resumed.best = genome_to_string(second.best()->genome);
  for (const Candidate& c : second.pareto().entries()) resumed.pareto.push_back(genome_to_string(c.genome));
  EXPECT_TRUE(same(straight, resumed));

  // A checkpoint of another experiment is refused.
  const ExperimentConfig other = read_experiment_file(
      shipped("mcunetv2-f746"), {"algorithm.population=50", "algorithm.generations=31"});
  SearchEngine third(other);
  SearchCheckpointWriter w3(dir.string());
  EXPECT_THROW(resume_search(dir.string(), other, third, w3), InputError);
  std::filesystem::remove_all(dir);
}

TEST(Search, EveryCandidateRespectsTheSpace) {
  const ExperimentConfig config = read_experiment_file(
      shipped("mcunetv2-f746"), {"algorithm.population=30", "algorithm.generations=10"});
  SearchEngine engine(config);
  while (!engine.done()) engine.step();
  for (const Candidate& c : engine.survivors(10)) {
    EXPECT_NO_THROW(validate_arch(candidate_arch(config, c), "survivor"));
    EXPECT_TRUE(c.feasible);
    EXPECT_EQ(encode_arch(config.space, candidate_arch(config, c)), c.genome);
  }
}

}  // namespace
}  // namespace patchnas
