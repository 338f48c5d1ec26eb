#include "pipeline/run_ranks.hpp"

#include <stdexcept>

#include "cluster/cluster.hpp"
#include "cluster/job_dealer.hpp"
#include "search/search_run.hpp"

namespace patchnas {
namespace {

// The announcement: one character per shared stage, '1' when it is left to run.
constexpr std::size_t kSearch = 0;
constexpr std::size_t kSurvivors = 1;

cluster::JobFunction survivor_job_runner(const TrainingPlan& plan, const trainer::TrainData& data,
                                         const std::string& dir) {
  return [&plan, &data, dir](const std::string& job) {
    train_survivor_job(survivor_job_from_text(job), plan, data, dir);
  };
}

// "4 training runs dealt over 3 ranks: rank 0 ran 2, rank 1 ran 1, rank 2 ran 1".
std::string ranks_line(const std::vector<int>& ran_on, std::size_t jobs) {
  std::vector<int> count(static_cast<std::size_t>(cluster::size()), 0);
  for (const int r : ran_on) ++count[static_cast<std::size_t>(r)];
  std::string line = std::to_string(jobs) + " training runs dealt over " +
                     std::to_string(count.size()) + " ranks:";
  for (std::size_t r = 0; r < count.size(); ++r) {
    line += (r == 0 ? " rank " : ", rank ") + std::to_string(r) + " ran " + std::to_string(count[r]);
  }
  return line;
}

// The data set as this rank sees it. Its errors are this rank's own (its node may lack the
// files rank 0 has), so they are not reported as input errors, which rank 0 alone reports.
trainer::TrainData load_data_here(const trainer::DataSpec& spec) {
  try {
    return trainer::load_train_data(spec);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("loading the training data: ") + e.what());
  }
}

}  // namespace

void announce_shared_stages(const StageRunner& stages) {
  std::string left = "00";
  if (!stages.done("search")) left[kSearch] = '1';
  if (!stages.done("survivors")) left[kSurvivors] = '1';
  cluster::broadcast(left);
}

void take_part_in_run(const RunConfig& config, const std::string& out) {
  const std::string left = cluster::broadcast("");
  if (left.at(kSearch) == '1') {
    run_search_in(config.experiment, stage_dir(out, "search"), /*resume=*/true,
                  [](const SearchEngine&, double) {});
  }
  if (left.at(kSurvivors) == '1') {
    const trainer::TrainData data = load_data_here(config.training.data);
    cluster::serve_jobs(survivor_job_runner(config.training, data, stage_dir(out, "survivors")));
  }
}

HalvingResult halving_over_ranks(const std::vector<Arch>& candidates, const TrainingPlan& plan,
                                 const trainer::TrainData& data, const std::string& dir,
                                 const std::function<void(const std::string&)>& log) {
  cluster::JobDealer dealer(survivor_job_runner(plan, data, dir));
  const HalvingResult result =
      successive_halving(candidates, plan, data, dir, log, [&](const std::vector<SurvivorJob>& jobs) {
        std::vector<std::string> texts;
        for (const SurvivorJob& job : jobs) texts.push_back(survivor_job_to_text(job));
        const std::vector<int> ran_on = dealer.run(texts);
        if (cluster::size() > 1 && !jobs.empty()) log(ranks_line(ran_on, jobs.size()));
      });
  dealer.finish();
  return result;
}

}  // namespace patchnas
