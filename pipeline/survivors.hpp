// Successive halving over the search's survivors: every candidate is trained from scratch for
// the round's epochs (survivor_epochs, doubled each round), ranked by its last validation
// accuracy (never the test set; ties keep the search's order), and the better half goes on,
// until one is left. Every training run checkpoints into its own folder and records its result,
// so a resumed stage trains only what was not finished. The winner's last checkpoint
// (winner_checkpoint; empty when there was a single candidate and nothing was trained) is what
// the final training warm-starts from.
// Within a round the training runs are independent jobs (SurvivorJob): successive_halving
// hands a round's unfinished jobs to `train_round`, which may run them anywhere and in any
// order (the pipeline deals them to the ranks of an MPI job) as long as each ends with its
// result recorded; then the round is ranked from the recorded results in the search's order,
// so the winner does not depend on who trained what. Without train_round the jobs run here,
// one after the other.
//   const HalvingResult r = successive_halving(archs, plan, data, "runs/x/survivors", log);
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/run_config.hpp"
#include "space/arch.hpp"

namespace patchnas {

struct HalvingEntry {
  int round = 0;
  int epochs = 0;
  std::string arch;  // name
  double validation_accuracy = 0.0;
  std::vector<trainer::EpochReport> history;
  std::string checkpoint;  // relative to the stage folder
};

struct HalvingResult {
  Arch winner;
  std::string winner_checkpoint;  // the winner's last training run, relative to the stage folder
  std::vector<HalvingEntry> entries;  // every training run, round by round
};

nlohmann::json halving_result_to_json(const HalvingResult& result);

// One training run of successive halving: `arch` for `epochs` epochs from scratch, in
// <stage folder>/<sub> (its checkpoint.bin and, when done, result.json).
struct SurvivorJob {
  Arch arch;
  int round = 0;  // 1-based
  int epochs = 0;
  std::string sub;
};
std::string survivor_job_to_text(const SurvivorJob& job);
SurvivorJob survivor_job_from_text(const std::string& text);

// Trains the job (resuming its checkpoint) and records its result; nothing when it has one.
void train_survivor_job(const SurvivorJob& job, const TrainingPlan& plan,
                        const trainer::TrainData& data, const std::string& stage_dir);

using RoundTrainer = std::function<void(const std::vector<SurvivorJob>& unfinished)>;

HalvingResult successive_halving(const std::vector<Arch>& candidates, const TrainingPlan& plan,
                                 const trainer::TrainData& data, const std::string& dir,
                                 const std::function<void(const std::string&)>& log,
                                 const RoundTrainer& train_round = {});

}  // namespace patchnas
