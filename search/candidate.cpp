#include "search/candidate.hpp"

#include <algorithm>

namespace patchnas {
namespace {

class MacsObjective final : public Objective {
 public:
  std::string name() const override { return "macs"; }
  double score(const Arch&, const Estimate& estimate) override {
    return static_cast<double>(estimate.macs);
  }
};

double excess(double value, double budget) { return value > budget ? value / budget - 1.0 : 0.0; }

}  // namespace

bool ranks_before(const Candidate& a, const Candidate& b) {
  if (a.feasible != b.feasible) return a.feasible;
  if (a.feasible) {
    if (a.objective != b.objective) return a.objective > b.objective;
    if (a.latency_ms != b.latency_ms) return a.latency_ms < b.latency_ms;
  } else if (a.violation != b.violation) {
    return a.violation < b.violation;
  }
  return a.genome < b.genome;
}

std::unique_ptr<Objective> make_objective(ObjectiveKind kind) {
  switch (kind) {
    case ObjectiveKind::Macs: return std::make_unique<MacsObjective>();
  }
  return nullptr;
}

Genome canonical_for(const ExperimentConfig& config, const Genome& genome) {
  Genome canonical = canonical_genome(config.space, genome);
  if (config.schedule == ScheduleMode::Best) {
    const GenomeLayout layout = genome_layout(config.space);
    canonical.genes[layout.patch_n] = 0;
    canonical.genes[layout.patch_split] = 0;
  }
  return canonical;
}

Arch candidate_arch(const ExperimentConfig& config, const Candidate& candidate) {
  Arch arch = decode_genome(config.space, candidate.genome);
  arch.patch = candidate.patch;
  return arch;
}

CandidateEvaluator::CandidateEvaluator(const ExperimentConfig& config)
    : config_(config), objective_(make_objective(config.objective)) {}

Candidate CandidateEvaluator::evaluate_arch(const Genome& genome, const Arch& arch) {
  const Estimate& e = estimator_.run(arch, config_.mcu, EstimateOptions{config_.input_in_arena});
  Candidate c;
  c.genome = genome;
  c.patch = arch.patch;
  c.macs = e.macs;
  c.peak_sram_bytes = e.peak_sram_bytes;
  c.flash_bytes = e.flash_bytes;
  c.latency_ms = e.latency_ms;
  const Budgets& b = config_.budgets;
  c.violation = excess(static_cast<double>(c.peak_sram_bytes), static_cast<double>(b.sram_bytes)) +
                excess(static_cast<double>(c.flash_bytes), static_cast<double>(b.flash_bytes)) +
                (b.latency_ms ? excess(c.latency_ms, *b.latency_ms) : 0.0);
  c.feasible = c.violation == 0.0;
  c.objective = objective_->score(arch, e);
  return c;
}

Candidate CandidateEvaluator::evaluate(const Genome& genome) {
  Arch arch = decode_genome(config_.space, genome);
  if (config_.schedule == ScheduleMode::Genome) return evaluate_arch(genome, arch);

  // Every (n, split) of the space that fits this backbone, per-layer execution included:
  // keep the feasible one of lowest latency, or the least violating when none is feasible.
  arch.patch.reset();
  Candidate best = evaluate_arch(genome, arch);
  const int blocks = static_cast<int>(arch.blocks.size());
  for (const int n : config_.space.patch.n) {
    if (n <= 1) continue;
    for (const int split : config_.space.patch.split) {
      if (split > blocks || feature_size_after(arch, split) < n) continue;
      arch.patch = PatchSpec{n, split};
      Candidate c = evaluate_arch(genome, arch);
      const bool better = c.feasible != best.feasible
                              ? c.feasible
                              : (c.feasible ? c.latency_ms < best.latency_ms
                                            : c.violation < best.violation);
      if (better) best = std::move(c);
    }
  }
  return best;
}

}  // namespace patchnas
