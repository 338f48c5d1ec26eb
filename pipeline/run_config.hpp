// RunConfig: what `patchnas run` does with an experiment: the experiment's search
// (search/experiment.hpp) plus its optional "training" object, which says how survivors and
// the winner are trained. Every key is optional:
//   "training": {"data": "fashion-mnist", "data_dir": "...", "validation": 5000,
//                "limit_train": 0, "limit_test": 0,
//                "survivor_epochs": 1, "final_epochs": 10, "warm_start": true,
//                "qat_epochs": 1, "qat_lr": 0.005,
//                "batch_size": 128, "lr": 0.05, "momentum": 0.9, "nesterov": false,
//                "weight_decay": 0, "warmup_epochs": 0, "label_smoothing": 0,
//                "crop_padding": 0, "horizontal_flip": false, "seed": 1}
// Successive halving trains the experiment's `survivors` archs for survivor_epochs, keeps the
// better half by validation accuracy, doubles the epochs, and repeats until one is left; the
// winner is then trained for final_epochs float + qat_epochs quantization-aware epochs, starting
// from its weights after its last survivor round when warm_start is true (from scratch if not).
// --quick (quick_overrides) shrinks the same pipeline to a smoke test of a few minutes.
//   const RunConfig c = read_run_config("configs/experiments/fmnist-f412.json", {});
#pragma once

#include <string>
#include <vector>

#include "search/experiment.hpp"
#include "trainer/train.hpp"
#include "trainer/train_data.hpp"

namespace patchnas {

struct TrainingPlan {
  trainer::DataSpec data;
  int survivor_epochs = 1;
  int final_epochs = 10;
  bool warm_start = true;  // the final training starts from the winner's survivor weights
  trainer::TrainOptions options;  // epochs unused (set per run); qat_epochs for the winner
};

struct RunConfig {
  ExperimentConfig experiment;
  TrainingPlan training;
};

RunConfig run_config_from_json(const nlohmann::json& json, const std::string& file);
RunConfig read_run_config(const std::string& path, const std::vector<std::string>& overrides);

// `--set` overrides that scale the pipeline down for smoke tests (applied before the user's):
// a 20 x 10 search, 2 survivors, 1 epoch each, 1 + 1 final epochs, 3,000 training, 500
// validation and 1,000 test samples, batches of 64.
std::vector<std::string> quick_overrides();

}  // namespace patchnas
