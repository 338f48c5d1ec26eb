#include "pipeline/survivors.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <numeric>

#include "space/arch_json.hpp"
#include "space/atomic_file.hpp"
#include "space/json_fields.hpp"

namespace patchnas {
namespace {

namespace fs = std::filesystem;

std::string result_path(const std::string& stage_dir, const SurvivorJob& job) {
  return stage_dir + "/" + job.sub + "/result.json";
}

// The result a job recorded (it must have run).
HalvingEntry recorded_entry(const SurvivorJob& job, const std::string& stage_dir) {
  const nlohmann::json j = read_json_file(result_path(stage_dir, job));
  HalvingEntry entry;
  entry.round = job.round;
  entry.epochs = job.epochs;
  entry.arch = job.arch.name;
  entry.checkpoint = job.sub + "/checkpoint.bin";
  entry.validation_accuracy = j.at("validation_accuracy").get<double>();
  for (const auto& e : j.at("history")) entry.history.push_back(trainer::epoch_report_from_json(e));
  return entry;
}

}  // namespace

std::string survivor_job_to_text(const SurvivorJob& job) {
  nlohmann::json j;
  j["arch"] = arch_to_json_text(job.arch);
  j["round"] = job.round;
  j["epochs"] = job.epochs;
  j["sub"] = job.sub;
  return j.dump();
}

SurvivorJob survivor_job_from_text(const std::string& text) {
  const nlohmann::json j = nlohmann::json::parse(text);
  SurvivorJob job;
  job.arch = arch_from_json(nlohmann::json::parse(j.at("arch").get<std::string>()), "survivor job");
  job.round = j.at("round").get<int>();
  job.epochs = j.at("epochs").get<int>();
  job.sub = j.at("sub").get<std::string>();
  return job;
}

void train_survivor_job(const SurvivorJob& job, const TrainingPlan& plan,
                        const trainer::TrainData& data, const std::string& stage_dir) {
  const std::string result_file = result_path(stage_dir, job);
  if (fs::exists(result_file)) return;
  const std::string dir = stage_dir + "/" + job.sub;
  fs::create_directories(dir);
  trainer::TrainOptions options = plan.options;
  options.epochs = job.epochs;
  options.qat_epochs = 0;
  trainer::Trainer trainer(job.arch, options, data);
  const std::string checkpoint = dir + "/checkpoint.bin";
  if (fs::exists(checkpoint)) trainer.resume_from(checkpoint);
  trainer.train_until(job.epochs, checkpoint);
  const std::vector<trainer::EpochReport>& history = trainer.history();
  nlohmann::ordered_json j;
  j["arch"] = job.arch.name;
  j["round"] = job.round;
  j["epochs"] = job.epochs;
  // The last epoch's validation accuracy decides.
  j["validation_accuracy"] = history.empty() ? 0.0 : history.back().validation_accuracy;
  nlohmann::json reports = nlohmann::json::array();
  for (const auto& r : history) reports.push_back(trainer::epoch_report_to_json(r));
  j["history"] = reports;
  write_file_atomically(result_file, j.dump(2) + "\n");
}

nlohmann::json halving_result_to_json(const HalvingResult& result) {
  nlohmann::ordered_json j;
  j["winner"] = result.winner.name;
  j["winner_checkpoint"] = result.winner_checkpoint;
  nlohmann::json runs = nlohmann::json::array();
  for (const HalvingEntry& e : result.entries) {
    runs.push_back({{"round", e.round},
                    {"epochs", e.epochs},
                    {"arch", e.arch},
                    {"validation_accuracy", e.validation_accuracy}});
  }
  j["runs"] = runs;
  return j;
}

HalvingResult successive_halving(const std::vector<Arch>& candidates, const TrainingPlan& plan,
                                 const trainer::TrainData& data, const std::string& dir,
                                 const std::function<void(const std::string&)>& log,
                                 const RoundTrainer& train_round) {
  if (candidates.empty()) throw std::invalid_argument("successive halving needs candidates");
  std::vector<std::size_t> alive(candidates.size());
  std::iota(alive.begin(), alive.end(), std::size_t{0});
  HalvingResult result;
  std::vector<std::string> checkpoints(candidates.size());  // each one's latest run
  for (int round = 0; alive.size() > 1; ++round) {
    const int epochs = plan.survivor_epochs << round;
    std::vector<SurvivorJob> jobs;
    std::vector<SurvivorJob> unfinished;
    for (const std::size_t i : alive) {
      char sub[64];
      std::snprintf(sub, sizeof sub, "round-%d/%02zu", round + 1, i + 1);
      jobs.push_back({candidates[i], round + 1, epochs, sub});
      if (!fs::exists(result_path(dir, jobs.back()))) unfinished.push_back(jobs.back());
    }
    if (train_round) {
      train_round(unfinished);
    } else {
      for (const SurvivorJob& job : unfinished) train_survivor_job(job, plan, data, dir);
    }
    std::vector<std::pair<double, std::size_t>> ranked;
    for (std::size_t k = 0; k < jobs.size(); ++k) {
      const std::size_t i = alive[k];
      HalvingEntry e = recorded_entry(jobs[k], dir);
      char line[256];
      std::snprintf(line, sizeof line, "round %d: %s, %d epochs: validation accuracy %.2f%%",
                    round + 1, candidates[i].name.c_str(), epochs, 100 * e.validation_accuracy);
      log(line);
      ranked.emplace_back(e.validation_accuracy, i);
      checkpoints[i] = e.checkpoint;
      result.entries.push_back(std::move(e));
    }
    // Better accuracy first; equal accuracy keeps the search's order.
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    alive.clear();
    for (std::size_t k = 0; k < (ranked.size() + 1) / 2; ++k) alive.push_back(ranked[k].second);
  }
  result.winner = candidates[alive.front()];
  result.winner_checkpoint = checkpoints[alive.front()];
  return result;
}

}  // namespace patchnas
