#include "pipeline/run_config.hpp"

#include <algorithm>
#include <filesystem>

#include "space/json_fields.hpp"
#include "space/size_limits.hpp"
#include "trainer/memory_limit.hpp"

namespace patchnas {
namespace {

int int_at_least(FieldReader& r, std::string_view key, int lowest) {
  const std::int64_t v = r.integer(key);
  if (v < lowest || v > 1'000'000'000) {
    r.fail(key, "must be in [" + std::to_string(lowest) + ", 1e9], got " + std::to_string(v));
  }
  return static_cast<int>(v);
}

double number_in(FieldReader& r, std::string_view key, double lo, double hi, bool lo_open) {
  const double v = r.number(key);
  if (!(lo_open ? v > lo : v >= lo) || !(v <= hi)) {
    r.fail(key, std::string("must be in ") + (lo_open ? "(" : "[") + std::to_string(lo) + ", " +
                    std::to_string(hi) + "], got " + std::to_string(v));
  }
  return v;
}

TrainingPlan read_training(FieldReader t) {
  TrainingPlan plan;
  trainer::DataSpec& d = plan.data;
  trainer::TrainOptions& o = plan.options;
  o.qat_epochs = 1;
  d.file = t.file();
  d.data_field = t.field_path("data");
  d.data_dir_field = t.field_path("data_dir");
  d.validation_field = t.field_path("validation");
  d.limit_train_field = t.field_path("limit_train");
  d.limit_test_field = t.field_path("limit_test");
  if (t.has("data")) d.data = t.string("data");
  if (d.data != "fashion-mnist" && d.data != "cifar10") {
    t.fail("data", "unknown data set \"" + d.data + "\" (fashion-mnist, cifar10)");
  }
  if (t.has("data_dir")) {
    d.data_dir = t.string("data_dir");
    std::error_code error;
    if (!std::filesystem::is_directory(d.data_dir, error)) t.fail("data_dir", "not a directory");
  }
  if (d.data == "cifar10" && d.data_dir.empty()) {
    t.fail("data_dir", "cifar10 needs a data directory");
  }
  if (t.has("validation")) d.validation = int_at_least(t, "validation", 1);
  if (t.has("limit_train")) d.limit_train = int_at_least(t, "limit_train", 0);
  if (t.has("limit_test")) d.limit_test = int_at_least(t, "limit_test", 0);
  if (t.has("survivor_epochs")) plan.survivor_epochs = int_at_least(t, "survivor_epochs", 1);
  if (t.has("final_epochs")) plan.final_epochs = int_at_least(t, "final_epochs", 1);
  if (t.has("warm_start")) plan.warm_start = t.boolean("warm_start");
  if (t.has("qat_epochs")) o.qat_epochs = int_at_least(t, "qat_epochs", 0);
  if (t.has("qat_lr")) o.qat_lr = number_in(t, "qat_lr", 0.0, 10.0, true);
  if (t.has("batch_size")) o.batch_size = int_at_least(t, "batch_size", 2);
  if (t.has("lr")) o.lr = number_in(t, "lr", 0.0, 10.0, true);
  if (t.has("momentum")) o.momentum = number_in(t, "momentum", 0.0, 1.0, false);
  if (t.has("nesterov")) o.nesterov = t.boolean("nesterov");
  if (t.has("weight_decay")) o.weight_decay = number_in(t, "weight_decay", 0.0, 1.0, false);
  if (t.has("warmup_epochs")) o.warmup_epochs = int_at_least(t, "warmup_epochs", 0);
  if (t.has("label_smoothing")) {
    o.label_smoothing = number_in(t, "label_smoothing", 0.0, 0.99, false);
  }
  if (t.has("crop_padding")) o.crop_padding = int_at_least(t, "crop_padding", 0);
  if (t.has("horizontal_flip")) o.horizontal_flip = t.boolean("horizontal_flip");
  if (t.has("seed")) o.seed = static_cast<std::uint64_t>(int_at_least(t, "seed", 0));
  d.seed = o.seed;
  t.finish();
  return plan;
}

// A batch size no arch of the space can train with is an error now, not after the search.
void check_batch_memory(const RunConfig& config, const std::string& file) {
  const int batch = config.training.options.batch_size;
  const Arch smallest = smallest_arch(config.experiment.space);
  if (const auto why = trainer::training_memory_problem(smallest, batch)) {
    throw InputError(file, "training.batch_size",
                     "even the smallest arch of the space: " + *why);
  }
}

}  // namespace

RunConfig run_config_from_json(const nlohmann::json& json, const std::string& file) {
  RunConfig config;
  config.experiment = experiment_from_json(json, file);
  FieldReader root(json, file);
  static const nlohmann::json kNoTraining = nlohmann::json::object();
  config.training = read_training(
      root.has("training") ? root.object("training") : FieldReader(kNoTraining, file, "training"));
  check_batch_memory(config, file);
  return config;
}

RunConfig read_run_config(const std::string& path, const std::vector<std::string>& overrides) {
  nlohmann::json json = read_json_file(path);
  apply_overrides(json, overrides, path);
  return run_config_from_json(json, path);
}

std::vector<std::string> quick_overrides() {
  return {"algorithm.population=20",       "algorithm.generations=10",
          "algorithm.tournament=5",        "survivors=2",
          "training.survivor_epochs=1",    "training.final_epochs=1",
          "training.qat_epochs=1",         "training.validation=500",
          "training.limit_train=3000",     "training.limit_test=1000",
          "training.batch_size=64"};
}

}  // namespace patchnas
