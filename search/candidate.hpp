// Candidate: one scored point of the search, and how candidates are ranked.
// CandidateEvaluator turns a genome into a Candidate: it decodes the arch, chooses the patch
// schedule (from the genome, or with schedule "best" the feasible (n, split) of lowest latency
// for the backbone, as MCUNetV2 does), estimates it and checks the budgets. Objectives are
// pluggable (Objective); the default maximizes MACs. Ranking: feasible before infeasible;
// feasible by higher objective, then lower latency; infeasible by smaller budget violation;
// finally by genome, so the order is total and the search deterministic.
//   CandidateEvaluator evaluator(config, make_objective(config.objective));   // one per thread
//   Candidate c = evaluator.evaluate(canonical_genome(space, g));
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "estimators/estimate.hpp"
#include "search/experiment.hpp"
#include "space/genome.hpp"

namespace patchnas {

struct Candidate {
  Genome genome;  // canonical for the experiment's schedule mode
  std::optional<PatchSpec> patch;  // the schedule the arch runs with
  std::int64_t macs = 0;
  std::int64_t peak_sram_bytes = 0;
  std::int64_t flash_bytes = 0;
  double latency_ms = 0.0;
  bool feasible = false;
  double violation = 0.0;  // sum over budgets of (value / budget - 1) where exceeded
  double objective = 0.0;  // higher is better
};

// a ranks before b.
bool ranks_before(const Candidate& a, const Candidate& b);

// The score a search maximizes. An objective may be slow (a trained accuracy); the engine
// calls it once per distinct candidate, on several threads at once (one instance per thread).
class Objective {
 public:
  virtual ~Objective() = default;
  virtual std::string name() const = 0;
  virtual double score(const Arch& arch, const Estimate& estimate) = 0;
};

// Factory: one new instance (per thread).
std::unique_ptr<Objective> make_objective(ObjectiveKind kind);

// The canonical genome of `genome` under `config`: the space's canonical form, and with
// schedule "best" the patch genes zeroed (the schedule is not part of the genome then).
Genome canonical_for(const ExperimentConfig& config, const Genome& genome);

// The arch a candidate stands for (decoded backbone + its chosen schedule).
Arch candidate_arch(const ExperimentConfig& config, const Candidate& candidate);

class CandidateEvaluator {
 public:
  explicit CandidateEvaluator(const ExperimentConfig& config);
  // `genome` must be canonical_for(config, ...).
  Candidate evaluate(const Genome& genome);

 private:
  Candidate evaluate_arch(const Genome& genome, const Arch& arch);

  const ExperimentConfig& config_;
  std::unique_ptr<Objective> objective_;
  Estimator estimator_;
};

}  // namespace patchnas
