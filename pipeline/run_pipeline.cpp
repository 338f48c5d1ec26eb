#include "pipeline/run_pipeline.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "cluster/cluster.hpp"
#include "estimators/estimate.hpp"
#include "export/codegen.hpp"
#include "pipeline/report_html.hpp"
#include "pipeline/run_ranks.hpp"
#include "pipeline/run_report.hpp"
#include "pipeline/stage.hpp"
#include "pipeline/survivors.hpp"
#include "pipeline/verify.hpp"
#include "search/search_run.hpp"
#include "space/arch_json.hpp"
#include "space/genome.hpp"
#include "space/atomic_file.hpp"
#include "space/input_error.hpp"
#include "space/json_fields.hpp"

namespace patchnas {
namespace {

namespace fs = std::filesystem;

std::string percent(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f%%", 100 * x);
  return text;
}

// The survivors' arch files written by the search, best first.
std::vector<Arch> read_survivors(const std::string& search_dir) {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(search_dir + "/survivors")) {
    if (entry.path().extension() == ".json") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<Arch> archs;
  for (const std::string& f : files) archs.push_back(read_arch_file(f));
  if (archs.empty()) throw std::runtime_error("the search left no survivors in " + search_dir);
  return archs;
}

// The data set's shape against the arch's: a config error, named before anything trains.
void check_data_fits(const RunConfig& c, const trainer::TrainData& data, const Arch& arch) {
  if (arch.input_channels != data.train.channels || arch.classes != data.train.classes) {
    throw InputError(c.experiment.file, "training.data",
                     c.training.data.data + " has " + std::to_string(data.train.channels) +
                         " channels and " + std::to_string(data.train.classes) +
                         " classes, but the space's archs have " +
                         std::to_string(arch.input_channels) + " and " +
                         std::to_string(arch.classes));
  }
}

}  // namespace

nlohmann::json run_pipeline(const RunConfig& config, const std::string& out,
                            const PipelineOptions& options) {
  if (!cluster::is_coordinator()) {
    take_part_in_run(config, out);
    return nullptr;
  }
  StageRunner stages(out, options.resume);
  write_file_atomically(out + "/run.json", config.experiment.source.dump(2) + "\n");
  announce_shared_stages(stages);
  const auto log = options.log;
  const ExperimentConfig& experiment = config.experiment;

  // 1. search
  const nlohmann::json search = stages.run("search", [&](const std::string& dir) {
    log("stage search: " + std::to_string(experiment.algorithm.population) + " x " +
        std::to_string(experiment.algorithm.generations) + " candidates on " +
        experiment.mcu.name);
    const Candidate best = run_search_in(
        experiment, dir, /*resume=*/true, [&](const SearchEngine& engine, double) {
          options.on_generation(engine.generation(), experiment.algorithm.generations);
        });
    nlohmann::ordered_json s;
    s["best_genome"] = genome_to_string(best.genome);
    s["best_macs"] = best.macs;
    return nlohmann::json(s);
  });

  // The data, loaded once for the training stages and the check.
  std::unique_ptr<trainer::TrainData> data;
  const auto load_data = [&]() -> const trainer::TrainData& {
    if (!data) {
      data = std::make_unique<trainer::TrainData>(trainer::load_train_data(config.training.data));
    }
    return *data;
  };

  // 2. survivors: successive halving
  const nlohmann::json survivors = stages.run("survivors", [&](const std::string& dir) {
    const std::vector<Arch> archs = read_survivors(stages.dir("search"));
    check_data_fits(config, load_data(), archs.front());
    log("stage survivors: successive halving over " + std::to_string(archs.size()) + " archs");
    const HalvingResult r = halving_over_ranks(archs, config.training, load_data(), dir, log);
    write_file_atomically(dir + "/winner.json", arch_to_json(r.winner).dump(2) + "\n");
    return halving_result_to_json(r);
  });

  // 3. final training of the winner, then quantization-aware epochs
  const nlohmann::json final_run = stages.run("final", [&](const std::string& dir) {
    const Arch winner = read_arch_file(stages.dir("survivors") + "/winner.json");
    check_data_fits(config, load_data(), winner);
    trainer::TrainOptions o = config.training.options;
    o.epochs = config.training.final_epochs;
    log("stage final: " + winner.name + ", " + std::to_string(o.epochs) + " + " +
        std::to_string(o.qat_epochs) + " quantization-aware epochs");
    trainer::Trainer trainer(winner, o, load_data());
    const std::string checkpoint = dir + "/checkpoint.bin";
    const std::string survivor_weights = survivors.value("winner_checkpoint", std::string());
    if (fs::exists(checkpoint)) {
      trainer.resume_from(checkpoint);
    } else if (config.training.warm_start && !survivor_weights.empty()) {
      log("  warm start from the survivors' " + survivor_weights);
      trainer.start_from_weights(stages.dir("survivors") + "/" + survivor_weights);
    }
    trainer.on_epoch = [&](const trainer::EpochReport& e) {
      log("  epoch " + std::to_string(e.epoch) + "/" + std::to_string(e.epochs) +
          ": validation accuracy " + percent(e.validation_accuracy));
    };
    const trainer::TrainResult r = trainer.run(checkpoint);
    std::string metrics;
    for (const auto& e : r.history) metrics += trainer::epoch_report_to_json(e).dump() + "\n";
    write_file_atomically(dir + "/metrics.jsonl", metrics);
    nlohmann::ordered_json s;
    s["arch"] = winner.name;
    s["float_test_accuracy"] = r.float_test_accuracy;
    s["ptq_int8_test_accuracy"] = r.ptq_int8_test_accuracy;
    s["int8_test_accuracy"] = r.int8_test_accuracy;
    return nlohmann::json(s);
  });

  // 4. export
  const nlohmann::json exported = stages.run("export", [&](const std::string& dir) {
    log("stage export");
    const ExportInputs inputs =
        export_inputs_from_checkpoint(stages.dir("final") + "/checkpoint.bin", 8);
    write_export(inputs, dir + "/model", ExportTarget::CortexM4);
    const Estimate e = estimate(inputs.arch, experiment.mcu);
    nlohmann::ordered_json s;
    s["dir"] = dir + "/model";
    s["arena_bytes"] = e.arena_bytes;
    s["per_layer_peak_activation_bytes"] = e.per_layer_peak_activation_bytes;
    s["flash_bytes"] = e.flash_bytes;
    s["latency_ms"] = e.latency_ms;
    s["macs"] = e.macs;
    s["patched"] = inputs.arch.patch.has_value();
    return nlohmann::json(s);
  });

  // 5. verify
  const nlohmann::json verify = stages.run("verify", [&](const std::string&) {
    log("stage verify: host bit-exactness, then QEMU");
    const VerifyResult v = verify_export(stages.dir("final") + "/checkpoint.bin",
                                         stages.dir("export") + "/model", load_data());
    if (!v.passed()) {
      throw std::runtime_error("the exported model does not match: " +
                               verify_result_to_json(v).dump());
    }
    return verify_result_to_json(v);
  });

  // 6. report
  stages.run("report", [&](const std::string& dir) {
    log("stage report");
    write_file_atomically(out + "/report.html", render_report_html(run_report_data(config, out)));
    return nlohmann::json{{"report", out + "/report.html"}, {"dir", dir}};
  });

  nlohmann::ordered_json summary;
  summary["experiment"] = experiment.name;
  summary["search"] = search;
  summary["survivors"] = survivors;
  summary["final"] = final_run;
  summary["export"] = exported;
  summary["verify"] = verify;
  write_file_atomically(out + "/summary.json", summary.dump(2) + "\n");
  return summary;
}

}  // namespace patchnas
