#include "trainer/train.hpp"

#include <chrono>

#include "space/arch_json.hpp"
#include "space/input_error.hpp"
#include "space/json_fields.hpp"
#include "space/lower.hpp"
#include "trainer/batcher.hpp"
#include "trainer/checkpoint_file.hpp"
#include "trainer/checkpoint_model.hpp"
#include "trainer/init.hpp"
#include "trainer/int8_inference.hpp"
#include "trainer/memory_limit.hpp"
#include "trainer/ops/loss.hpp"
#include "trainer/quantize_model.hpp"

namespace patchnas::trainer {
namespace {

constexpr int kStepReportEvery = 20;

BatcherOptions eval_batches(const TrainData& data, int resolution) {
  BatcherOptions b;
  b.resolution = resolution;
  b.batch_size = kEvalBatch;
  b.mean = data.mean;
  b.stddev = data.stddev;
  return b;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

nlohmann::json train_options_to_json(const TrainOptions& o) {
  return {{"epochs", o.epochs},
          {"batch_size", o.batch_size},
          {"lr", o.lr},
          {"momentum", o.momentum},
          {"nesterov", o.nesterov},
          {"weight_decay", o.weight_decay},
          {"warmup_epochs", o.warmup_epochs},
          {"label_smoothing", o.label_smoothing},
          {"seed", o.seed},
          {"crop_padding", o.crop_padding},
          {"horizontal_flip", o.horizontal_flip},
          {"calibration_batches", o.calibration_batches},
          {"qat_epochs", o.qat_epochs},
          {"qat_lr", o.qat_lr}};
}

TrainOptions train_options_from_json(const nlohmann::json& json, const std::string& file) {
  FieldReader r(json, file, "meta.options");
  TrainOptions o;
  o.epochs = static_cast<int>(r.integer("epochs"));
  o.batch_size = static_cast<int>(r.integer("batch_size"));
  o.lr = r.number("lr");
  o.momentum = r.number("momentum");
  o.nesterov = r.boolean("nesterov");
  o.weight_decay = r.number("weight_decay");
  o.warmup_epochs = static_cast<int>(r.integer("warmup_epochs"));
  o.label_smoothing = r.number("label_smoothing");
  o.seed = static_cast<std::uint64_t>(r.integer("seed"));
  o.crop_padding = static_cast<int>(r.integer("crop_padding"));
  o.horizontal_flip = r.boolean("horizontal_flip");
  o.calibration_batches = static_cast<int>(r.integer("calibration_batches"));
  o.qat_epochs = static_cast<int>(r.integer("qat_epochs"));
  o.qat_lr = r.number("qat_lr");
  r.finish();
  return o;
}

nlohmann::json epoch_report_to_json(const EpochReport& e) {
  return {{"epoch", e.epoch},
          {"epochs", e.epochs},
          {"quantization_aware", e.quantization_aware},
          {"lr", e.lr},
          {"train_loss", e.train_loss},
          {"train_accuracy", e.train_accuracy},
          {"validation_loss", e.validation_loss},
          {"validation_accuracy", e.validation_accuracy},
          {"seconds", e.seconds},
          {"samples_per_second", e.samples_per_second}};
}

EpochReport epoch_report_from_json(const nlohmann::json& e) {
  EpochReport r;
  r.epoch = e.at("epoch");
  r.epochs = e.at("epochs");
  r.quantization_aware = e.at("quantization_aware");
  r.lr = e.at("lr");
  r.train_loss = e.at("train_loss");
  r.train_accuracy = e.at("train_accuracy");
  r.validation_loss = e.at("validation_loss");
  r.validation_accuracy = e.at("validation_accuracy");
  r.seconds = e.at("seconds");
  r.samples_per_second = e.at("samples_per_second");
  return r;
}

namespace {

// `arch`, once training it with batches of `batch` is known to fit the memory limit.
const Arch& within_memory_limit(const Arch& arch, int batch) {
  if (auto why = training_memory_problem(arch, batch)) throw InputError(arch.name, "", *why);
  return arch;
}

}  // namespace

Trainer::Trainer(const Arch& arch, TrainOptions options, const TrainData& data)
    : arch_(within_memory_limit(arch, options.batch_size)),
      net_(lower(arch)),
      options_(options),
      data_(data),
      model_(net_, init_params(net_, options.seed)),
      sgd_(SgdOptions{options.momentum, options.weight_decay, options.nesterov}) {}

EpochReport Trainer::train_epoch() {
  BatcherOptions b;
  b.resolution = arch_.resolution;
  b.batch_size = options_.batch_size;
  b.mean = data_.mean;
  b.stddev = data_.stddev;
  b.shuffle = true;
  b.crop_padding = options_.crop_padding;
  b.horizontal_flip = options_.horizontal_flip;
  b.seed = options_.seed;
  // A last batch of one sample has no batch variance: drop it.
  b.drop_last = data_.train.size() % options_.batch_size == 1;
  const Batcher batcher(data_.train, b);
  const int steps = batcher.batch_count();
  const bool qat = model_.quantized();
  const LrSchedule schedule =
      qat ? LrSchedule{options_.qat_lr, 0, std::int64_t{options_.qat_epochs} * steps}
          : LrSchedule{options_.lr, std::int64_t{options_.warmup_epochs} * steps,
                       std::int64_t{options_.epochs} * steps};

  const auto start = std::chrono::steady_clock::now();
  const EpochOrder order = batcher.epoch_order(epochs_done_);
  Batch batch;
  Tensor dlogits;
  double loss_sum = 0.0;
  std::int64_t correct = 0;
  std::int64_t seen = 0;
  double lr = options_.lr;
  for (int s = 0; s < steps; ++s) {
    batcher.fill_batch(order, s, batch);
    const Tensor& logits = model_.forward(batch.images, true);
    const LossResult r = softmax_cross_entropy(logits, batch.labels,
                                               static_cast<float>(options_.label_smoothing), dlogits);
    model_.backward(dlogits);
    lr = schedule.at(step_);
    sgd_.step(model_.param_slots(), lr);
    ++step_;
    const auto count = static_cast<std::int64_t>(batch.labels.size());
    loss_sum += r.loss * static_cast<double>(count);
    correct += r.correct;
    seen += count;
    if (on_step && (s + 1) % kStepReportEvery == 0) {
      on_step(s + 1, steps, loss_sum / static_cast<double>(seen));
    }
  }
  EpochReport report;
  report.epoch = epochs_done_ + 1;
  report.epochs = total_epochs();
  report.quantization_aware = qat;
  report.lr = lr;
  report.train_loss = loss_sum / static_cast<double>(seen);
  report.train_accuracy = static_cast<double>(correct) / static_cast<double>(seen);
  report.seconds = seconds_since(start);
  report.samples_per_second = static_cast<double>(seen) / report.seconds;
  if (data_.validation.size() > 0) {
    std::tie(report.validation_loss, report.validation_accuracy) = evaluate(data_.validation);
  }
  return report;
}

std::pair<double, double> Trainer::evaluate(const Dataset& data) const {
  const Batcher batcher(data, eval_batches(data_, arch_.resolution));
  const EpochOrder order = batcher.epoch_order(0);
  Batch batch;
  Tensor dlogits;
  double loss_sum = 0.0;
  std::int64_t correct = 0;
  for (int s = 0; s < batcher.batch_count(); ++s) {
    batcher.fill_batch(order, s, batch);
    const LossResult r = softmax_cross_entropy(model_.forward(batch.images, false), batch.labels,
                                               0.0f, dlogits);
    loss_sum += r.loss * static_cast<double>(batch.labels.size());
    correct += r.correct;
  }
  const auto n = static_cast<double>(data.size());
  return {loss_sum / n, static_cast<double>(correct) / n};
}

TensorRanges Trainer::calibrate() const {
  const Batcher batcher(data_.train, eval_batches(data_, arch_.resolution));
  const EpochOrder order = batcher.epoch_order(0);
  const std::vector<FoldedLayer> folded = fold_batchnorm(net_, model_.params());
  TensorRanges total;
  Batch batch;
  const int batches = std::min(options_.calibration_batches, batcher.batch_count());
  for (int s = 0; s < batches; ++s) {
    batcher.fill_batch(order, s, batch);
    TensorRanges ranges;
    folded_float_inference(net_, folded, batch.images, &ranges);
    merge_ranges(total, ranges);
  }
  return total;
}

void Trainer::measure_float_results() {
  std::tie(float_results_.float_test_loss, float_results_.float_test_accuracy) = evaluate(data_.test);
  ptq_ranges_ = calibrate();
  float_results_.ptq_int8_test_accuracy = int8_test_accuracy(ptq_ranges_);
  float_results_measured_ = true;
}

TensorRanges Trainer::float_model_ranges() const {
  return ptq_ranges_.empty() ? calibrate() : ptq_ranges_;
}

void Trainer::start_quantization_aware() {
  if (!float_results_measured_) measure_float_results();
  model_.enable_quantization(float_model_ranges());
  sgd_ = Sgd(SgdOptions{options_.momentum, options_.weight_decay, options_.nesterov});
  step_ = 0;
}

void Trainer::train_until(int epochs, const std::string& checkpoint_path) {
  while (epochs_done_ < epochs && epochs_done_ < total_epochs()) {
    if (epochs_done_ == options_.epochs && !model_.quantized()) start_quantization_aware();
    EpochReport report = train_epoch();
    ++epochs_done_;
    history_.push_back(report);
    if (!checkpoint_path.empty()) save_checkpoint(checkpoint_path);
    if (on_epoch) on_epoch(report);
  }
}

double Trainer::int8_test_accuracy(const TensorRanges& ranges) const {
  const QuantizedModel quantized =
      quantize_model(net_, fold_batchnorm(net_, model_.params()), ranges);
  const Batcher batcher(data_.test, eval_batches(data_, arch_.resolution));
  const EpochOrder order = batcher.epoch_order(0);
  Batch batch;
  std::vector<int> predicted;
  std::vector<int> labels;
  for (int s = 0; s < batcher.batch_count(); ++s) {
    batcher.fill_batch(order, s, batch);
    const Int8Tensor logits =
        int8_inference(net_, quantized, quantize_images(batch.images, quantized.tensors[0]));
    const std::vector<int> p = argmax_rows(logits);
    predicted.insert(predicted.end(), p.begin(), p.end());
    labels.insert(labels.end(), batch.labels.begin(), batch.labels.end());
  }
  return accuracy(predicted, labels);
}

TrainResult Trainer::run(const std::string& checkpoint_path) {
  train_until(options_.epochs, checkpoint_path);
  if (!float_results_measured_) measure_float_results();
  train_until(total_epochs(), checkpoint_path);
  TrainResult result = float_results_;
  result.history = history_;
  if (model_.quantized()) {
    int8_ranges_ = model_.quantization_ranges();
    result.int8_test_accuracy = int8_test_accuracy(int8_ranges_);
  } else {
    int8_ranges_ = float_model_ranges();
    result.int8_test_accuracy = float_results_.ptq_int8_test_accuracy;
  }
  // The final checkpoint also holds the ranges of the int8 model the accuracy is for.
  if (!checkpoint_path.empty()) save_checkpoint(checkpoint_path);
  return result;
}

void Trainer::save_checkpoint(const std::string& path) const {
  CheckpointFile f;
  f.meta["format"] = kTrainingCheckpointFormat;
  f.meta["arch"] = nlohmann::json::parse(arch_to_json(arch_).dump());
  f.meta["options"] = train_options_to_json(options_);
  f.meta["epochs_done"] = epochs_done_;
  f.meta["step"] = step_;
  f.meta["history"] = nlohmann::json::array();
  for (const EpochReport& e : history_) f.meta["history"].push_back(epoch_report_to_json(e));
  visit_parameter_arrays(model_.params(), [&](const std::string& name, std::vector<float>& v) {
    f.arrays[name] = v;
  });
  if (float_results_measured_) {
    f.meta["float_results"] = {{"float_test_accuracy", float_results_.float_test_accuracy},
                               {"float_test_loss", float_results_.float_test_loss},
                               {"ptq_int8_test_accuracy", float_results_.ptq_int8_test_accuracy}};
  }
  if (model_.quantized()) f.arrays["qat.ranges"] = flatten_ranges(model_.quantization_ranges());
  if (!int8_ranges_.empty()) f.arrays["int8.ranges"] = flatten_ranges(int8_ranges_);
  const auto& buffers = sgd_.momentum_buffers();
  for (std::size_t i = 0; i < buffers.size(); ++i) f.arrays["momentum." + std::to_string(i)] = buffers[i];
  write_checkpoint_file(path, f);
}

CheckpointFile Trainer::read_checkpoint_of_this_arch(const std::string& path) const {
  CheckpointFile f = read_checkpoint_file(path);
  FieldReader meta(f.meta, path, "meta");
  if (meta.string("format") != kTrainingCheckpointFormat) {
    meta.fail("format", "not a training checkpoint");
  }
  if (!meta.has("arch") ||
      !(arch_from_json(f.meta.at("arch"), path + " (meta.arch)") == arch_)) {
    throw InputError(path, "meta.arch", "the checkpoint was trained for a different arch");
  }
  return f;
}

void Trainer::start_from_weights(const std::string& path) {
  if (epochs_done_ != 0) {
    throw std::logic_error("start_from_weights: the run has already trained");
  }
  read_parameter_arrays(model_.params(), read_checkpoint_of_this_arch(path), path);
}

void Trainer::resume_from(const std::string& path) {
  const CheckpointFile f = read_checkpoint_of_this_arch(path);
  FieldReader meta(f.meta, path, "meta");
  meta.object("options");  // present and an object, or an InputError naming it
  if (!(train_options_from_json(f.meta.at("options"), path) == options_)) {
    throw InputError(path, "meta.options",
                     "the checkpoint was trained with other options: " + f.meta.at("options").dump());
  }
  const auto epochs_done = meta.integer("epochs_done");
  const auto step = meta.integer("step");
  meta.allow("format");  // checked by read_checkpoint_of_this_arch, like arch
  meta.allow("arch");
  meta.allow("history");
  if (meta.has("float_results")) {
    auto results = meta.object("float_results");
    float_results_.float_test_accuracy = results.number("float_test_accuracy");
    float_results_.float_test_loss = results.number("float_test_loss");
    float_results_.ptq_int8_test_accuracy = results.number("ptq_int8_test_accuracy");
    results.finish();
    float_results_measured_ = true;
  }
  meta.finish();
  if (epochs_done < 0 || epochs_done > total_epochs()) meta.fail("epochs_done", "out of range");

  read_parameter_arrays(model_.params(), f, path);
  if (epochs_done > options_.epochs) {
    const std::size_t tensors = net_.layers.size() + 1;
    model_.enable_quantization(read_ranges(f, "qat.ranges", tensors, path));
  }
  auto slots = model_.param_slots();
  auto& buffers = sgd_.momentum_buffers();
  buffers.assign(slots.size(), {});
  for (std::size_t i = 0; i < slots.size(); ++i) {
    buffers[i] = f.array("momentum." + std::to_string(i), path, static_cast<long long>(slots[i].count));
  }
  history_.clear();
  try {
    read_history(f.meta.at("history"));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path, "meta.history", std::string("malformed: ") + e.what());
  }
  epochs_done_ = static_cast<int>(epochs_done);
  step_ = step;
}

void Trainer::read_history(const nlohmann::json& history) {
  for (const auto& e : history) history_.push_back(epoch_report_from_json(e));
}

}  // namespace patchnas::trainer
