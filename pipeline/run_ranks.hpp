// How the ranks of an MPI job (cluster/) share `patchnas run`. Rank 0 runs the pipeline as on
// one process and tells the others which shared stages are left (announce_shared_stages); the
// others then take part in them (take_part_in_run) and end:
//  - search: every rank runs the same engine, scoring spread over the ranks (search_run.hpp);
//  - survivors: every round's training jobs are dealt to the ranks as they free up
//    (halving_over_ranks on rank 0, cluster/job_dealer.hpp); each job writes its checkpoint and
//    result into the run directory, which every rank must see (a shared file system).
// The final training, export, verification and report run on rank 0 alone.
//   // rank 0                                         // every other rank
//   announce_shared_stages(stages);                    take_part_in_run(config, out);
//   ... halving_over_ranks(archs, plan, data, dir, log) ...
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "pipeline/run_config.hpp"
#include "pipeline/stage.hpp"
#include "pipeline/survivors.hpp"

namespace patchnas {

// Rank 0: which of the shared stages are not done yet, sent to every rank. Collective.
void announce_shared_stages(const StageRunner& stages);

// Every rank but 0: the shared stages rank 0 announced, then return.
void take_part_in_run(const RunConfig& config, const std::string& out);

// Rank 0: successive_halving with each round's unfinished jobs dealt over the ranks.
HalvingResult halving_over_ranks(const std::vector<Arch>& candidates, const TrainingPlan& plan,
                                 const trainer::TrainData& data, const std::string& dir,
                                 const std::function<void(const std::string&)>& log);

}  // namespace patchnas
