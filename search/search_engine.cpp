#include "search/search_engine.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "search/spread_scoring.hpp"

namespace patchnas {
namespace {

constexpr int kNoveltyRetries = 8;

}  // namespace

std::size_t GenomeHash::operator()(const Genome& g) const {
  std::size_t h = 1469598103934665603ULL;  // FNV-1a
  for (const std::uint8_t gene : g.genes) h = (h ^ gene) * 1099511628211ULL;
  return h;
}

SearchEngine::SearchEngine(const ExperimentConfig& config) : config_(config), rng_(config.seed) {}

Genome SearchEngine::random_genome() { return canonical_for(config_, sample_genome(config_.space, rng_)); }

Genome SearchEngine::mutated(const Genome& parent) {
  const AlgorithmParams& a = config_.algorithm;
  return canonical_for(config_, mutate(config_.space, parent, rng_, a.mutation_probability,
                                       a.resolution_mutation_probability));
}

void SearchEngine::score(const std::vector<Genome>& genomes) {
  // The distinct genomes not scored before, in order of first appearance.
  std::vector<Genome> fresh;
  std::unordered_map<Genome, int, GenomeHash> seen;
  for (const Genome& g : genomes) {
    if (!cache_.contains(g) && seen.emplace(g, 0).second) fresh.push_back(g);
  }
  const std::vector<Candidate> scored = score_across_ranks(config_, fresh);
  for (std::size_t i = 0; i < fresh.size(); ++i) {
    const Candidate& c = scored[i];
    smallest_.peak_sram_bytes = std::min(smallest_.peak_sram_bytes, c.peak_sram_bytes);
    smallest_.flash_bytes = std::min(smallest_.flash_bytes, c.flash_bytes);
    smallest_.latency_ms = std::min(smallest_.latency_ms, c.latency_ms);
    pareto_.offer(c);
    if (c.feasible && (!best_ || ranks_before(c, candidate(*best_)))) best_ = c.genome;
    scored_order_.push_back(c.genome);
    cache_.emplace(fresh[i], c);
  }
}

std::vector<Genome> SearchEngine::next_evolution() {
  const AlgorithmParams& a = config_.algorithm;
  const int size = a.population;
  std::vector<Genome> ranked = population_;
  std::sort(ranked.begin(), ranked.end(), [&](const Genome& x, const Genome& y) {
    return ranks_before(candidate(x), candidate(y));
  });
  const int parents = std::max(1, static_cast<int>(std::lround(a.parent_fraction * size)));
  const int mutations = std::min(size - parents,
                                 static_cast<int>(std::lround(a.mutation_fraction * size)));
  std::vector<Genome> next(ranked.begin(), ranked.begin() + std::min(parents, size));
  std::unordered_map<Genome, int, GenomeHash> members;
  for (const Genome& g : next) members.emplace(g, 0);
  // A child that is already in the population or was scored before wastes a slot: draw it
  // again a few times (a bounded retry, so a converged or tiny space cannot stall).
  const auto add_novel = [&](auto&& make_child) {
    Genome child = make_child();
    for (int retry = 0; retry < kNoveltyRetries && (members.contains(child) || cache_.contains(child));
         ++retry) {
      child = make_child();
    }
    members.emplace(child, 0);
    next.push_back(std::move(child));
  };
  for (int i = 0; i < mutations; ++i) {
    add_novel([&] { return mutated(next[rng_.uniform(parents)]); });
  }
  while (static_cast<int>(next.size()) < size) {
    add_novel([&] {
      const Genome& x = next[rng_.uniform(parents)];
      const Genome& y = next[rng_.uniform(parents)];
      return canonical_for(config_, crossover(config_.space, x, y, rng_));
    });
  }
  return next;
}

std::vector<Genome> SearchEngine::next_aging() {
  const AlgorithmParams& a = config_.algorithm;
  const int size = a.population;
  const int batch = std::max(1, size / 4);
  std::vector<Genome> population = population_;
  std::vector<int> order(size);
  for (int made = 0; made < size; made += batch) {
    std::vector<Genome> children;
    for (int c = 0; c < std::min(batch, size - made); ++c) {
      // A tournament of distinct members (partial Fisher-Yates); its best is the parent.
      for (int i = 0; i < size; ++i) order[i] = i;
      int winner = -1;
      for (int t = 0; t < a.tournament; ++t) {
        std::swap(order[t], order[t + rng_.uniform(size - t)]);
        const int pick = order[t];
        if (winner < 0 || ranks_before(candidate(population[pick]), candidate(population[winner]))) {
          winner = pick;
        }
      }
      children.push_back(mutated(population[winner]));
    }
    score(children);
    population.erase(population.begin(), population.begin() + static_cast<long>(children.size()));
    population.insert(population.end(), children.begin(), children.end());
  }
  return population;
}

void SearchEngine::record(double seconds) {
  GenerationLog entry;
  entry.generation = generation_;
  if (best_) entry.best = candidate(*best_).objective;
  std::vector<double> objectives;
  for (const Genome& g : population_) {
    const Candidate& c = candidate(g);
    if (c.feasible) objectives.push_back(c.objective);
  }
  entry.feasible_fraction =
      static_cast<double>(objectives.size()) / static_cast<double>(population_.size());
  if (!objectives.empty()) {
    std::sort(objectives.begin(), objectives.end());
    const std::size_t n = objectives.size();
    entry.median = n % 2 == 1 ? objectives[n / 2] : 0.5 * (objectives[n / 2 - 1] + objectives[n / 2]);
  }
  entry.unique_scored = static_cast<std::int64_t>(cache_.size());
  entry.seconds = seconds;
  log_.push_back(entry);
}

void SearchEngine::step() {
  if (done()) return;
  const auto start = std::chrono::steady_clock::now();
  const int size = config_.algorithm.population;
  if (generation_ == 0 || config_.algorithm.type == SearchAlgorithm::Random) {
    std::vector<Genome> next;
    for (int i = 0; i < size; ++i) next.push_back(random_genome());
    population_ = std::move(next);
    score(population_);
  } else if (config_.algorithm.type == SearchAlgorithm::Evolution) {
    population_ = next_evolution();
    score(population_);
  } else {
    population_ = next_aging();
  }
  ++generation_;
  record(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

std::vector<Candidate> SearchEngine::survivors(int k) const {
  std::vector<const Candidate*> feasible;
  for (const Genome& g : scored_order_) {
    const Candidate& c = candidate(g);
    if (c.feasible) feasible.push_back(&c);
  }
  const auto count = std::min<std::size_t>(static_cast<std::size_t>(k), feasible.size());
  std::partial_sort(feasible.begin(), feasible.begin() + static_cast<long>(count), feasible.end(),
                    [](const Candidate* a, const Candidate* b) { return ranks_before(*a, *b); });
  std::vector<Candidate> out;
  for (std::size_t i = 0; i < count; ++i) out.push_back(*feasible[i]);
  return out;
}

void SearchEngine::restore(int generation, const Rng& rng, std::vector<Genome> population,
                           std::vector<GenerationLog> log, const std::vector<Genome>& scored_order) {
  cache_.clear();
  scored_order_.clear();
  pareto_.clear();
  best_.reset();
  smallest_ = Smallest{};
  score(scored_order);
  for (const Genome& g : population) {
    if (!cache_.contains(g)) throw std::invalid_argument("checkpoint population genome was never scored");
  }
  generation_ = generation;
  rng_ = rng;
  population_ = std::move(population);
  log_ = std::move(log);
}

}  // namespace patchnas
