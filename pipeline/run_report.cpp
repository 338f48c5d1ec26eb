#include "pipeline/run_report.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "estimators/memory_schedule.hpp"
#include "estimators/patch_geometry.hpp"
#include "space/arch_json.hpp"
#include "space/json_fields.hpp"
#include "space/lower.hpp"

namespace patchnas {
namespace {

namespace fs = std::filesystem;

std::string bytes_text(double b) {
  char text[48];
  std::snprintf(text, sizeof text, "%.0f B", b);
  return text;
}

std::string percent_text(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f%%", 100 * x);
  return text;
}

std::string layer_label(const Layer& l) {
  std::string label = l.block >= 0 ? "b" + std::to_string(l.block) + "." : "";
  label.append(layer_role_name(l.role));
  if (l.kernel > 1 && l.kind != LayerKind::GlobalAvgPool) {
    label.append(" ").append(std::to_string(l.kernel)).append("x").append(std::to_string(l.kernel));
  }
  return label;
}

// Live bytes (activations + scratch) while each layer runs, per layer and as scheduled.
std::vector<ReportLayerMemory> memory_profile(const Arch& arch, bool input_in_arena) {
  const Network net = lower(arch);
  Arch unpatched = arch;
  unpatched.patch.reset();
  MemorySchedule per_layer;
  build_memory_schedule(lower(unpatched), nullptr, input_in_arena, per_layer);
  MemorySchedule scheduled = per_layer;
  if (net.patched()) {
    PatchGeometry geometry;
    compute_patch_geometry(net, geometry);
    build_memory_schedule(net, &geometry, input_in_arena, scheduled);
  }
  std::vector<ReportLayerMemory> rows;
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    rows.push_back({layer_label(net.layers[i]),
                    static_cast<double>(per_layer.step_total_bytes[i]),
                    static_cast<double>(scheduled.step_total_bytes[i])});
  }
  return rows;
}

// A training run's epoch as written by epoch_report_to_json (metrics.jsonl, result.json).
ReportEpoch report_epoch(const nlohmann::json& json) {
  const trainer::EpochReport e = trainer::epoch_report_from_json(json);
  ReportEpoch r;
  r.epoch = e.epoch;
  r.quantization_aware = e.quantization_aware;
  r.train_loss = e.train_loss;
  r.train_accuracy = e.train_accuracy;
  r.validation_loss = e.validation_loss;
  r.validation_accuracy = e.validation_accuracy;
  return r;
}

}  // namespace

ReportData run_report_data(const RunConfig& config, const std::string& out) {
  const ExperimentConfig& x = config.experiment;
  const Arch winner = read_arch_file(out + "/survivors/winner.json");
  const nlohmann::json final_run = read_json_file(out + "/final/done.json");
  const nlohmann::json exported = read_json_file(out + "/export/done.json");
  const nlohmann::json verify = read_json_file(out + "/verify/done.json");

  ReportData d;
  d.title = x.name;
  char subtitle[256];
  std::snprintf(
      subtitle, sizeof subtitle, "%s (%s), budgets: %lld B SRAM, %lld B flash%s",
      x.mcu.name.c_str(), x.mcu.core.c_str(), static_cast<long long>(x.budgets.sram_bytes),
      static_cast<long long>(x.budgets.flash_bytes),
      x.budgets.latency_ms ? (", " + std::to_string(*x.budgets.latency_ms) + " ms").c_str() : "");
  d.subtitle = subtitle;
  d.sram_budget_bytes = static_cast<double>(x.budgets.sram_bytes);
  d.latency_budget_ms = x.budgets.latency_ms.value_or(0.0);

  const nlohmann::json pareto = read_json_file(out + "/search/pareto.json");
  for (const auto& p : pareto.at("points")) {
    ReportCandidate c;
    c.objective = p.at("macs").get<double>();
    c.peak_sram_bytes = p.at("peak_sram_bytes").get<double>();
    c.latency_ms = p.at("latency_ms").get<double>();
    c.chosen = p.at("arch").at("name").get<std::string>() == winner.name;
    d.pareto.push_back(c);
  }
  d.memory = memory_profile(winner, x.input_in_arena);

  // Training curves: every successive-halving run, then the final one.
  for (const auto& round : fs::directory_iterator(out + "/survivors")) {
    if (!round.is_directory()) continue;
    std::vector<fs::path> runs;
    for (const auto& run : fs::directory_iterator(round.path())) runs.push_back(run.path());
    std::sort(runs.begin(), runs.end());
    for (const fs::path& run : runs) {
      const nlohmann::json r = read_json_file((run / "result.json").string());
      ReportRun rr;
      rr.label = round.path().filename().string() + " #" + run.filename().string();
      for (const auto& e : r.at("history")) rr.epochs.push_back(report_epoch(e));
      d.training.push_back(rr);
    }
  }
  std::sort(d.training.begin(), d.training.end(),
            [](const ReportRun& a, const ReportRun& b) { return a.label < b.label; });
  ReportRun final_curve;
  final_curve.label = "final";
  std::ifstream metrics(out + "/final/metrics.jsonl");
  for (std::string line; std::getline(metrics, line);) {
    if (!line.empty()) final_curve.epochs.push_back(report_epoch(nlohmann::json::parse(line)));
  }
  d.training.push_back(final_curve);

  const auto measured = [&](const char* key) {
    const long long v = verify.value(key, -1LL);
    return v >= 0 ? bytes_text(static_cast<double>(v)) : std::string("not measured");
  };
  d.figures.push_back({"peak SRAM (arena)", bytes_text(exported.at("arena_bytes").get<double>()),
                       measured("arena_high_water_bytes")});
  d.figures.push_back({"static SRAM (firmware)",
                       bytes_text(exported.at("arena_bytes").get<double>()),
                       measured("static_sram_bytes")});
  d.figures.push_back({"flash (model + runtime)",
                       bytes_text(exported.at("flash_bytes").get<double>()),
                       measured("model_flash_bytes")});
  char latency[64], instructions[64];
  std::snprintf(latency, sizeof latency, "%.1f ms on %s", exported.at("latency_ms").get<double>(),
                x.mcu.name.c_str());
  const long long n = verify.value("instructions", -1LL);
  std::snprintf(instructions, sizeof instructions, "%lld instructions (QEMU Cortex-M4)", n);
  d.figures.push_back({"one inference", latency, n >= 0 ? instructions : "not measured"});
  d.figures.push_back({"int8 test accuracy (reference -> C runtime)",
                       percent_text(verify.at("reference_int8_accuracy").get<double>()),
                       percent_text(verify.at("runtime_int8_accuracy").get<double>())});
  d.figures.push_back({"test accuracy (float -> int8)",
                       percent_text(final_run.at("float_test_accuracy").get<double>()),
                       percent_text(final_run.at("int8_test_accuracy").get<double>())});

  d.notes.push_back({"winner", winner.name});
  d.notes.push_back({"schedule", winner.patch
                                     ? "patch-based, n = " + std::to_string(winner.patch->n) +
                                           ", split = " + std::to_string(winner.patch->split)
                                     : std::string("per-layer")});
  d.notes.push_back({"MACs", std::to_string(exported.at("macs").get<long long>())});
  d.notes.push_back({"export", exported.at("dir").get<std::string>()});
  d.notes.push_back({"QEMU", verify.at("qemu_note").get<std::string>()});
  return d;
}

}  // namespace patchnas
