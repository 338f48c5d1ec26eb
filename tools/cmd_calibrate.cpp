// `patchnas calibrate`: fits an MCU profile's latency coefficients to per-layer measurements
// (estimators/calibrate.hpp) and writes the calibrated profile; prints the fit report. The
// measurements come from a CSV (a real board) or, with --qemu, from the exported firmware's
// instruction counts under QEMU (export/qemu_calibration.hpp).
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include <spdlog/fmt/fmt.h>
#include <unistd.h>

#include "estimators/calibrate.hpp"
#include "export/qemu_calibration.hpp"
#include "space/atomic_file.hpp"
#include "tools/commands.hpp"

namespace patchnas::cli {
namespace {

struct CalibrateArgs {
  std::string mcu;
  std::string measurements;
  std::string qemu;  // cortex-m4 | cortex-m7, or empty
  std::string save_measurements;
  std::string out;
  std::string name;
};

std::string coefficient_cell(const OpFit& fit, Term term, double value) {
  const TermStatus status = fit.term_status(term);
  if (status == TermStatus::Fitted || status == TermStatus::Kept) return fmt::format("{:.6g}", value);
  return status == TermStatus::Clamped ? "0 (clamped)" : "0 (undetermined)";
}

std::string percent(double ratio) { return fmt::format("{:.2f}%", ratio * 100.0); }

std::string fit_report(const McuProfile& base, const Calibration& fit, const std::string& file) {
  std::string out = fmt::format(
      "calibrated {} ({}, {:.0f} MHz) from {}: {} rows; cycles per mac, output, call, input, "
      "weight, row and window word\n\n",
      base.name, base.core, base.clock_hz / 1e6, file, fit.overall.rows);
  out += fmt::format("{:<18} {:>5} ", "op", "rows");
  for (int t = 0; t < kTermCount; ++t) {
    out += fmt::format(" {:<16}", term_name(static_cast<Term>(t)).substr(std::string_view("cycles_").size()));
  }
  out += fmt::format(" {:>8} {:>8}\n", "rms err", "max err");
  for (const CostKind kind : kAllCostKinds) {
    const OpFit& op = fit.op(kind);
    OpCoefficients k = op.coefficients;
    out += fmt::format("{:<18} {:>5} ", cost_kind_name(kind), op.error.rows);
    for (int t = 0; t < kTermCount; ++t) {
      const Term term = static_cast<Term>(t);
      out += fmt::format(" {:<16}", coefficient_cell(op, term, coefficient(k, term)));
    }
    const LayerKind layer_kind = layer_kind_of(kind);
    if (op.fitted()) {
      out += fmt::format(" {:>8} {:>8}\n", percent(op.error.rms_relative_error),
                         percent(op.error.max_relative_error));
    } else if (static_cast<CostKind>(layer_kind) != kind &&
               fit.op(static_cast<CostKind>(layer_kind)).fitted()) {
      out += fmt::format("  (no rows: {}'s fit)\n", layer_kind_name(layer_kind));
    } else {
      out += "  (no rows: base coefficients kept)\n";
    }
  }
  out += fmt::format("{:<18} {:>5} {:<{}} {:>8} {:>8}\n", "all", fit.overall.rows, "",
                     17 * kTermCount, percent(fit.overall.rms_relative_error),
                     percent(fit.overall.max_relative_error));
  out +=
      "\nerrors are relative: |predicted - measured| / measured. undetermined: too few or collinear "
      "rows for that term; clamped: the unconstrained fit made it negative.\n";
  return out;
}

// The grid's instruction counts under QEMU on the profile's core.
MeasurementSet measure_qemu(const McuProfile& base, const std::string& core_name,
                            const std::string& out) {
  if (core_name != base.core) {
    throw CLI::ValidationError("--qemu", "measures " + core_name + " but profile " + base.name +
                                             " has core " + base.core);
  }
  const ExportTarget core =
      core_name == "cortex-m7" ? ExportTarget::CortexM7 : ExportTarget::CortexM4;
  const std::vector<Arch> grid = qemu_calibration_grid();
  std::string work = out;
  work.append(".qemu.").append(std::to_string(::getpid()));
  std::printf("measuring %zu calibration networks on %s under QEMU (instructions)\n", grid.size(),
              core_name.c_str());
  std::fflush(stdout);
  MeasurementSet data;
  try {
    data = measure_on_qemu(grid, core, work, [](int done, int total) {
      std::fprintf(stderr, "  network %d/%d measured\n", done, total);
    });
  } catch (...) {
    std::filesystem::remove_all(work);
    throw;
  }
  std::filesystem::remove_all(work);
  return data;
}

void run_calibrate(const CalibrateArgs& args) {
  const McuProfile base = find_mcu_profile(args.mcu);
  const MeasurementSet data = args.qemu.empty()
                                  ? read_measurements(args.measurements, base.clock_hz)
                                  : measure_qemu(base, args.qemu, args.out);
  if (!args.save_measurements.empty()) {
    write_file_atomically(args.save_measurements, measurements_to_csv(data));
  }
  Calibration fit = calibrate(base, data);
  if (!args.name.empty()) fit.profile.name = args.name;
  // The profile must read back as written; check before anything touches the disk.
  const nlohmann::ordered_json json = mcu_profile_to_json(fit.profile);
  mcu_profile_from_json(nlohmann::json::parse(json.dump()), args.out);
  write_file_atomically(args.out, json.dump(2) + "\n");
  std::cout << fit_report(base, fit, data.file) << "wrote " << args.out << "\n";
}

}  // namespace

void add_calibrate_command(CLI::App& app) {
  auto args = std::make_shared<CalibrateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "calibrate",
      "Fit an MCU profile's per-op latency coefficients to per-layer measurements (CSV) and "
      "write the calibrated profile");
  cmd->add_option("--mcu", args->mcu,
                  "Base MCU profile: a name in configs/mcus or a profile JSON path")
      ->required();
  CLI::Option* csv = cmd->add_option(
      "--measurements", args->measurements,
      "CSV with a header row: op,in_h,in_w,in_c,out_h,out_w,out_c,kernel,stride and one of "
      "cycles or ms; one row per measured layer call");
  CLI::Option* qemu =
      cmd->add_option("--qemu", args->qemu,
                      "Instead of a CSV, measure instructions per layer under QEMU on this core "
                      "(a grid of networks, exported and profiled; needs tools/setup.sh's "
                      "arm-none-eabi-gcc and qemu-system-arm). The fitted coefficients then "
                      "count instructions as cycles")
          ->check(CLI::IsMember({"cortex-m4", "cortex-m7"}));
  csv->excludes(qemu);
  qemu->excludes(csv);
  cmd->add_option("--save-measurements", args->save_measurements,
                  "Also write the measurement rows used for the fit as CSV");
  cmd->add_option("--out", args->out, "Where to write the calibrated profile JSON")->required();
  cmd->add_option("--name", args->name,
                  "Name of the calibrated profile (default: the base profile's name)");
  cmd->callback([args] {
    if (args->measurements.empty() && args->qemu.empty()) {
      throw CLI::RequiredError("--measurements or --qemu");
    }
    run_calibrate(*args);
  });
}

}  // namespace patchnas::cli
