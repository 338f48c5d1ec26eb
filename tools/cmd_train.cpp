// `patchnas train`: trains an arch on a real data set, reports progress, writes the
// checkpoint, the metrics and a summary with float and int8 test accuracy.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "space/arch_json.hpp"
#include "space/atomic_file.hpp"
#include "space/input_error.hpp"
#include "tools/commands.hpp"
#include "tools/thread_limit.hpp"
#include "trainer/memory_limit.hpp"
#include "trainer/train.hpp"
#include "trainer/fashion_mnist.hpp"
#include "trainer/train_data.hpp"

namespace patchnas::cli {
namespace {

using namespace patchnas::trainer;

struct TrainArgs {
  std::string arch_file;
  std::string data = "fashion-mnist";
  std::string data_dir;
  std::string out_dir;
  int validation = 5000;
  int limit_train = 0;  // 0: all
  int limit_test = 0;
  std::string metrics = "jsonl";
  bool resume = false;
  int threads = 0;
  TrainOptions options;
};

TrainData load_data(const TrainArgs& args) {
  DataSpec spec;
  spec.data = args.data;
  spec.data_dir = args.data_dir;
  spec.validation = args.validation;
  spec.limit_train = args.limit_train;
  spec.limit_test = args.limit_test;
  spec.seed = args.options.seed;
  return load_train_data(spec);
}

std::string metrics_text(const std::vector<EpochReport>& history, bool csv) {
  std::string text;
  if (csv) {
    text = "epoch,lr,train_loss,train_accuracy,validation_loss,validation_accuracy,seconds,"
           "samples_per_second\n";
  }
  for (const EpochReport& e : history) {
    if (csv) {
      char line[256];
      std::snprintf(line, sizeof line, "%d,%.6g,%.6f,%.6f,%.6f,%.6f,%.3f,%.1f\n", e.epoch, e.lr,
                    e.train_loss, e.train_accuracy, e.validation_loss, e.validation_accuracy,
                    e.seconds, e.samples_per_second);
      text += line;
    } else {
      text += epoch_report_to_json(e).dump() + "\n";
    }
  }
  return text;
}

// Before the data is loaded: the arch too large to train at any batch size, or the batch.
void check_memory(const TrainArgs& a, const Arch& arch) {
  const int batch = std::max(a.options.batch_size, 2);
  const auto why = training_memory_problem(arch, batch);
  if (!why) return;
  if (training_memory_problem(arch, 2)) throw InputError(a.arch_file, "input.resolution", *why);
  throw InputError("", "--batch", *why);
}

void check_args(const TrainArgs& a, const Arch& arch, const TrainData& data) {
  const auto& o = a.options;
  if (o.epochs < 1) throw InputError("", "--epochs", "must be at least 1");
  if (o.batch_size < 2) throw InputError("", "--batch", "must be at least 2 (BatchNorm)");
  if (!(o.lr > 0)) throw InputError("", "--lr", "must be positive");
  if (o.qat_epochs < 0) throw InputError("", "--qat-epochs", "must not be negative");
  if (o.qat_epochs > 0 && !(o.qat_lr > 0)) throw InputError("", "--qat-lr", "must be positive");
  if (o.label_smoothing < 0 || o.label_smoothing >= 1) {
    throw InputError("", "--label-smoothing", "must be in [0, 1)");
  }
  if (arch.input_channels != data.train.channels) {
    throw InputError(a.arch_file, "input.channels",
                     std::to_string(arch.input_channels) + " channels, but " + a.data + " has " +
                         std::to_string(data.train.channels));
  }
  if (arch.classes != data.train.classes) {
    throw InputError(a.arch_file, "classes",
                     std::to_string(arch.classes) + " classes, but " + a.data + " has " +
                         std::to_string(data.train.classes));
  }
}

void run_train(const TrainArgs& args) {
  const ThreadLimit thread_limit(args.threads);
  const Arch arch = read_arch_file(args.arch_file);
  check_memory(args, arch);
  const TrainData data = load_data(args);
  check_args(args, arch, data);
  const std::string checkpoint = args.out_dir + "/checkpoint.bin";
  if (!args.resume && std::filesystem::exists(checkpoint)) {
    throw InputError(args.out_dir, "", "holds a training run already: pass --resume to continue "
                                       "it, or use another --out");
  }
  std::filesystem::create_directories(args.out_dir);
  remove_stale_temporaries(args.out_dir);  // what a killed run was writing when it stopped
  const bool csv = args.metrics == "csv";
  const std::string metrics_file = args.out_dir + (csv ? "/metrics.csv" : "/metrics.jsonl");

  Trainer trainer(arch, args.options, data);
  if (args.resume && std::filesystem::exists(checkpoint)) {
    trainer.resume_from(checkpoint);
    std::printf("resumed from %s after epoch %d\n", checkpoint.c_str(), trainer.epochs_done());
  }
  std::printf("training %s on %s: %d train, %d validation, %d test samples, %d float + %d "
              "quantization-aware epochs, batch %d\n",
              arch.name.c_str(), args.data.c_str(), data.train.size(), data.validation.size(),
              data.test.size(), args.options.epochs, args.options.qat_epochs,
              args.options.batch_size);
  std::fflush(stdout);

  const bool live = ::isatty(::fileno(stderr)) != 0;
  std::vector<EpochReport> history;
  double seconds_so_far = 0.0;
  int timed_epochs = 0;
  trainer.on_step = [&](int step, int steps, double loss) {
    if (!live) return;
    const int width = 30;
    const int filled = step * width / steps;
    std::fprintf(stderr, "\r  epoch %d/%d [%s%s] %d/%d loss %.4f", trainer.epochs_done() + 1,
                 trainer.total_epochs(), std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), step, steps, loss);
    std::fflush(stderr);
  };
  trainer.on_epoch = [&](const EpochReport& e) {
    if (live) std::fprintf(stderr, "\r%*s\r", 80, "");
    seconds_so_far += e.seconds;
    ++timed_epochs;
    const double eta = seconds_so_far / timed_epochs * (e.epochs - e.epoch);
    char validation[64] = "";
    if (data.validation.size() > 0) {
      std::snprintf(validation, sizeof validation, "  val loss %.4f  val acc %.2f%%",
                    e.validation_loss, 100 * e.validation_accuracy);
    }
    std::printf("%s %d/%d  loss %.4f  acc %.2f%%%s  lr %.4g  %.0f samples/s  %.1f s  ETA %.0f s\n",
                e.quantization_aware ? "qat epoch" : "epoch", e.epoch, e.epochs, e.train_loss,
                100 * e.train_accuracy, validation, e.lr, e.samples_per_second, e.seconds, eta);
    std::fflush(stdout);
  };
  // The metrics are written from the checkpointed history: a resumed run's file is complete.
  const TrainResult result = trainer.run(checkpoint);
  write_file_atomically(metrics_file, metrics_text(result.history, csv));

  nlohmann::ordered_json summary;
  summary["arch"] = arch.name;
  summary["data"] = args.data;
  summary["epochs"] = args.options.epochs;
  summary["qat_epochs"] = args.options.qat_epochs;
  summary["float_test_accuracy"] = result.float_test_accuracy;
  summary["float_test_loss"] = result.float_test_loss;
  summary["ptq_int8_test_accuracy"] = result.ptq_int8_test_accuracy;
  summary["int8_test_accuracy"] = result.int8_test_accuracy;
  summary["checkpoint"] = checkpoint;
  summary["metrics"] = metrics_file;
  write_file_atomically(args.out_dir + "/summary.json", summary.dump(2) + "\n");
  std::printf("test accuracy: float %.2f%%, int8 %.2f%% (post-training %.2f%%)  (%s)\n",
              100 * result.float_test_accuracy, 100 * result.int8_test_accuracy,
              100 * result.ptq_int8_test_accuracy, (args.out_dir + "/summary.json").c_str());
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand(
      "train", "Train an arch on real data (CPU, no Python), then calibrate and test it in int8");
  cmd->add_option("--arch", args->arch_file, "Arch JSON file (format patchnas.arch/1)")->required();
  cmd->add_option("--data", args->data, "Data set: fashion-mnist or cifar10")->capture_default_str();
  cmd->add_option("--data-dir", args->data_dir,
                  "Data directory (default for fashion-mnist: " + std::string(kFashionMnistDir) + ")");
  cmd->add_option("--out", args->out_dir, "Output directory (checkpoint, metrics, summary)")->required();
  auto& o = args->options;
  cmd->add_option("--epochs", o.epochs, "Epochs")->capture_default_str();
  cmd->add_option("--batch", o.batch_size, "Batch size")->capture_default_str();
  cmd->add_option("--lr", o.lr, "Peak learning rate (cosine to 0 per step)")->capture_default_str();
  cmd->add_option("--momentum", o.momentum, "SGD momentum")->capture_default_str();
  cmd->add_flag("--nesterov", o.nesterov, "Nesterov momentum");
  cmd->add_option("--weight-decay", o.weight_decay, "Weight decay (conv and FC weights only)")
      ->capture_default_str();
  cmd->add_option("--warmup-epochs", o.warmup_epochs, "Linear warmup epochs")->capture_default_str();
  cmd->add_option("--label-smoothing", o.label_smoothing, "Label smoothing epsilon")
      ->capture_default_str();
  cmd->add_option("--seed", o.seed, "Seed of initialization, order, augmentation, split")
      ->capture_default_str();
  cmd->add_option("--augment-crop", o.crop_padding, "Random crop with this zero padding (0: off)")
      ->capture_default_str();
  cmd->add_flag("--augment-flip", o.horizontal_flip, "Random horizontal flips");
  cmd->add_option("--calibration-batches", o.calibration_batches,
                  "Training batches used to calibrate int8 ranges")
      ->capture_default_str();
  cmd->add_option("--qat-epochs", o.qat_epochs,
                  "Quantization-aware epochs after the float ones (BN frozen, fake int8)")
      ->capture_default_str();
  cmd->add_option("--qat-lr", o.qat_lr, "Peak learning rate of the quantization-aware epochs")
      ->capture_default_str();
  cmd->add_option("--validation", args->validation, "Training samples held out for validation")
      ->capture_default_str();
  cmd->add_option("--limit-train", args->limit_train,
                  "Train on the first N training samples only (0: all; for quick runs)")
      ->capture_default_str();
  cmd->add_option("--limit-test", args->limit_test, "Test on the first N test samples (0: all)")
      ->capture_default_str();
  cmd->add_option("--metrics", args->metrics, "Metrics format: jsonl or csv")
      ->check(CLI::IsMember({"jsonl", "csv"}))
      ->capture_default_str();
  cmd->add_flag("--resume", args->resume, "Continue from OUT/checkpoint.bin if it exists");
  add_threads_option(cmd, args->threads, "Worker threads (0: all cores)");
  cmd->callback([args] { run_train(*args); });
}

}  // namespace patchnas::cli
