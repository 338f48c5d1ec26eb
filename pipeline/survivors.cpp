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

// One candidate's training run of `epochs` in `dir`, or the result recorded there.
HalvingEntry train_candidate(const Arch& arch, int round, int epochs, const TrainingPlan& plan,
                             const trainer::TrainData& data, const std::string& stage_dir,
                             const std::string& sub) {
  const std::string dir = stage_dir + "/" + sub;
  const std::string result_file = dir + "/result.json";
  HalvingEntry entry;
  entry.round = round;
  entry.epochs = epochs;
  entry.arch = arch.name;
  entry.checkpoint = sub + "/checkpoint.bin";
  if (fs::exists(result_file)) {
    const nlohmann::json j = read_json_file(result_file);
    entry.validation_accuracy = j.at("validation_accuracy").get<double>();
    for (const auto& e : j.at("history")) {
      entry.history.push_back(trainer::epoch_report_from_json(e));
    }
    return entry;
  }
  fs::create_directories(dir);
  trainer::TrainOptions options = plan.options;
  options.epochs = epochs;
  options.qat_epochs = 0;
  trainer::Trainer trainer(arch, options, data);
  const std::string checkpoint = dir + "/checkpoint.bin";
  if (fs::exists(checkpoint)) trainer.resume_from(checkpoint);
  trainer.train_until(epochs, checkpoint);
  entry.history = trainer.history();  // the last epoch's validation accuracy decides
  entry.validation_accuracy =
      entry.history.empty() ? 0.0 : entry.history.back().validation_accuracy;
  nlohmann::ordered_json j;
  j["arch"] = arch.name;
  j["round"] = round;
  j["epochs"] = epochs;
  j["validation_accuracy"] = entry.validation_accuracy;
  nlohmann::json history = nlohmann::json::array();
  for (const auto& r : entry.history) history.push_back(trainer::epoch_report_to_json(r));
  j["history"] = history;
  write_file_atomically(result_file, j.dump(2) + "\n");
  return entry;
}

}  // namespace

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
                                 const std::function<void(const std::string&)>& log) {
  if (candidates.empty()) throw std::invalid_argument("successive halving needs candidates");
  std::vector<std::size_t> alive(candidates.size());
  std::iota(alive.begin(), alive.end(), std::size_t{0});
  HalvingResult result;
  std::vector<std::string> checkpoints(candidates.size());  // each one's latest run
  for (int round = 0; alive.size() > 1; ++round) {
    const int epochs = plan.survivor_epochs << round;
    std::vector<std::pair<double, std::size_t>> ranked;
    for (const std::size_t i : alive) {
      char sub[64];
      std::snprintf(sub, sizeof sub, "round-%d/%02zu", round + 1, i + 1);
      HalvingEntry e = train_candidate(candidates[i], round + 1, epochs, plan, data, dir, sub);
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
