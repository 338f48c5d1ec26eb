// SearchEngine: evolutionary search over an experiment's space, one generation per step().
// Algorithms (every one scores population x generations candidates, the first generation
// being the random initial population):
//  - evolution (MCUNetV2/OFA): keep the top parent_fraction as parents, make
//    mutation_fraction of the population by mutating a random parent, the rest by uniform
//    crossover of two random parents;
//  - aging (regularized evolution, Real et al. 2019): children come from the best of a random
//    tournament, join the population and the oldest leave; children are made in batches of a
//    quarter of the population so that a batch is scored in parallel;
//  - random: a fresh random population every generation (the baseline).
// Infeasible candidates are penalized (they rank after every feasible one, by how far they
// exceed the budgets), so selection repairs them and infeasible budgets never hang anything.
// Scoring runs on oneTBB over the distinct genomes not seen before (a cache keeps every
// scored genome); all random draws happen on the calling thread, so the result is the same
// whatever the number of threads. In a job of several ranks every rank runs the same engine
// with the same seed (replicated state) and the scoring is spread over the ranks
// (spread_scoring.hpp): step() and restore() are collective then, and every rank ends every
// generation with the same population, cache and archive.
//   SearchEngine engine(config);
//   while (!engine.done()) engine.step();
//   const Candidate* best = engine.best();
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "search/candidate.hpp"
#include "search/pareto.hpp"
#include "space/random.hpp"

namespace patchnas {

struct GenerationLog {
  int generation = 0;          // 1-based
  std::optional<double> best;  // objective of the best feasible candidate so far
  std::optional<double> median;  // median objective of the population's feasible members
  double feasible_fraction = 0.0;  // of the population
  std::int64_t unique_scored = 0;  // distinct candidates scored so far
  double seconds = 0.0;            // wall time of the generation (not reproducible)
};

struct GenomeHash {
  std::size_t operator()(const Genome& g) const;
};

// The smallest value of each constrained quantity over every candidate scored.
struct Smallest {
  std::int64_t peak_sram_bytes = INT64_MAX;
  std::int64_t flash_bytes = INT64_MAX;
  double latency_ms = 1e300;
};

class SearchEngine {
 public:
  explicit SearchEngine(const ExperimentConfig& config);

  void step();
  bool done() const { return generation_ >= config_.algorithm.generations; }
  int generation() const { return generation_; }

  const std::vector<GenerationLog>& log() const { return log_; }
  const ParetoArchive& pareto() const { return pareto_; }
  const Candidate* best() const { return best_ ? &cache_.at(*best_) : nullptr; }
  const Smallest& smallest() const { return smallest_; }
  // The k best distinct feasible candidates scored so far, best first.
  std::vector<Candidate> survivors(int k) const;
  const std::vector<Genome>& population() const { return population_; }
  // Every genome scored, in the order it was first scored (checkpoints store this).
  const std::vector<Genome>& scored_order() const { return scored_order_; }
  const Rng& rng() const { return rng_; }

  // Continues a search from a checkpoint: the genomes scored so far (in their order, re-scored
  // here to rebuild the cache, archive and best), the population, the generator and the log.
  void restore(int generation, const Rng& rng, std::vector<Genome> population,
               std::vector<GenerationLog> log, const std::vector<Genome>& scored_order);

 private:
  void score(const std::vector<Genome>& genomes);
  const Candidate& candidate(const Genome& g) const { return cache_.at(g); }
  Genome random_genome();
  Genome mutated(const Genome& parent);
  std::vector<Genome> next_evolution();
  std::vector<Genome> next_aging();
  void record(double seconds);

  const ExperimentConfig& config_;
  Rng rng_;
  int generation_ = 0;
  std::vector<Genome> population_;
  std::unordered_map<Genome, Candidate, GenomeHash> cache_;
  std::vector<Genome> scored_order_;
  ParetoArchive pareto_;
  std::optional<Genome> best_;
  Smallest smallest_;
  std::vector<GenerationLog> log_;
};

}  // namespace patchnas
