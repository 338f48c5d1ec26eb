// Trainer: one training run of an Arch on a data set: float epochs (SGD, cosine schedule with
// linear warmup), evaluation on the validation split after each epoch, post-training int8
// calibration and the int8 test accuracy, then optional quantization-aware epochs (BN frozen
// and folded, fake-quantized weights and activations, their own SGD and cosine schedule from
// qat_lr) and the final int8 test accuracy. A checkpoint after every epoch lets run() resume
// and end bit-identical to an uninterrupted run (same options, any number of threads).
//   Trainer trainer(arch, options, data);
//   trainer.on_epoch = [](const EpochReport& r) { ... };
//   TrainResult result = trainer.run("out/checkpoint.bin");
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "space/arch.hpp"
#include "trainer/dataset.hpp"
#include "trainer/folded_float_inference.hpp"
#include "trainer/model.hpp"

namespace patchnas::trainer {

struct CheckpointFile;

struct TrainOptions {
  int epochs = 5;
  int batch_size = 128;
  double lr = 0.05;
  double momentum = 0.9;
  bool nesterov = false;
  double weight_decay = 0.0;
  int warmup_epochs = 0;
  double label_smoothing = 0.0;
  std::uint64_t seed = 1;
  int crop_padding = 0;
  bool horizontal_flip = false;
  int calibration_batches = 16;  // training batches (no augmentation) for int8 calibration
  int qat_epochs = 0;             // quantization-aware epochs after the float ones
  double qat_lr = 0.005;          // peak learning rate of the quantization-aware epochs

  bool operator==(const TrainOptions&) const = default;
};

nlohmann::json train_options_to_json(const TrainOptions& options);
// Reads what train_options_to_json wrote; `file` names the checkpoint in errors.
TrainOptions train_options_from_json(const nlohmann::json& json, const std::string& file);

// The data of a run: training and validation splits, the test set, and the normalization.
struct TrainData {
  Dataset train;
  Dataset validation;  // may be empty
  Dataset test;
  std::vector<float> mean;
  std::vector<float> stddev;
};

struct EpochReport {
  int epoch = 0;  // 1-based, counting float then quantization-aware epochs
  int epochs = 0;
  bool quantization_aware = false;
  double lr = 0.0;  // at the epoch's last step
  double train_loss = 0.0;
  double train_accuracy = 0.0;
  double validation_loss = 0.0;
  double validation_accuracy = 0.0;
  double seconds = 0.0;
  double samples_per_second = 0.0;
};
nlohmann::json epoch_report_to_json(const EpochReport& report);
// Reads what epoch_report_to_json wrote; throws nlohmann::json::exception when malformed.
EpochReport epoch_report_from_json(const nlohmann::json& json);

struct TrainResult {
  double float_test_accuracy = 0.0;  // after the float epochs
  double float_test_loss = 0.0;
  double ptq_int8_test_accuracy = 0.0;  // post-training quantization of the float model
  double int8_test_accuracy = 0.0;      // final: after the quantization-aware epochs, if any
  std::vector<EpochReport> history;
};

class Trainer {
 public:
  Trainer(const Arch& arch, TrainOptions options, const TrainData& data);

  // Called after every epoch, and every few steps with (step in epoch, steps, running loss).
  std::function<void(const EpochReport&)> on_epoch;
  std::function<void(int, int, double)> on_step;

  // Trains the remaining epochs, writing `checkpoint_path` (atomically) after each one when it
  // is not empty; then evaluates float and int8 accuracy on the test set.
  TrainResult run(const std::string& checkpoint_path);

  // Restores a run from a checkpoint written by run(); its arch and options must equal this
  // trainer's (InputError naming the file and the differing field otherwise).
  void resume_from(const std::string& checkpoint_path);

  // Starts this run (before any epoch) from the weights and batch-norm statistics of a
  // checkpoint of the same arch trained with any options: the optimizer, schedule and epoch
  // count start afresh (a warm start). InputError naming the file if the arch differs.
  void start_from_weights(const std::string& checkpoint_path);

  // Trains until `epochs` epochs (float, then quantization-aware) are done in total (for
  // tests: stop early, then resume).
  void train_until(int epochs, const std::string& checkpoint_path);
  int total_epochs() const { return options_.epochs + options_.qat_epochs; }

  int epochs_done() const { return epochs_done_; }
  // The epochs trained so far (restored by resume_from).
  const std::vector<EpochReport>& history() const { return history_; }
  const Model& model() const { return model_; }
  // Per-tensor activation ranges over `calibration_batches` training batches (eval mode).
  TensorRanges calibrate() const;

 private:
  EpochReport train_epoch();
  // Mean loss and accuracy of the model in evaluation mode on `data`.
  std::pair<double, double> evaluate(const Dataset& data) const;
  void save_checkpoint(const std::string& path) const;
  // A training checkpoint's contents, checked to be of this trainer's arch.
  CheckpointFile read_checkpoint_of_this_arch(const std::string& path) const;
  void read_history(const nlohmann::json& history);
  // Float and post-training int8 test accuracy of the float model (before any QAT).
  void measure_float_results();
  // Int8 test accuracy of the model quantized with `ranges`.
  double int8_test_accuracy(const TensorRanges& ranges) const;
  // The float model's calibration: the one measure_float_results made in this process, else a
  // new one (the float weights do not change after it, so both are the same).
  TensorRanges float_model_ranges() const;
  void start_quantization_aware();

  Arch arch_;
  Network net_;
  TrainOptions options_;
  const TrainData& data_;
  mutable Model model_;
  Sgd sgd_;
  std::int64_t step_ = 0;  // within the current phase (float or quantization-aware)
  int epochs_done_ = 0;
  std::vector<EpochReport> history_;
  bool float_results_measured_ = false;
  TrainResult float_results_;  // float_test_* and ptq_int8_test_accuracy
  TensorRanges ptq_ranges_;    // calibration of the float model (this process only)
  TensorRanges int8_ranges_;   // of the final int8 model, saved in the last checkpoint
};

}  // namespace patchnas::trainer
