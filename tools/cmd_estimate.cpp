// `patchnas estimate`: the analytical estimate of one arch on one MCU.
#include <iostream>
#include <memory>

#include "estimators/estimate.hpp"
#include "space/arch_json.hpp"
#include "tools/commands.hpp"
#include "tools/estimate_report.hpp"

namespace patchnas::cli {
namespace {

struct EstimateArgs {
  std::string arch_file;
  std::string mcu = "stm32f746";
  bool json = false;
  bool input_in_arena = false;
};

void run_estimate(const EstimateArgs& args) {
  const Arch arch = read_arch_file(args.arch_file);
  const McuProfile mcu = find_mcu_profile(args.mcu);
  Estimator estimator;
  estimator.run(arch, mcu, EstimateOptions{args.input_in_arena});
  if (args.json) {
    std::cout << estimate_json(arch, mcu, estimator).dump(2) << "\n";
  } else {
    std::cout << estimate_table(arch, mcu, estimator);
  }
}

}  // namespace

void add_estimate_command(CLI::App& app) {
  auto args = std::make_shared<EstimateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "estimate",
      "Estimate MACs, params, flash, peak SRAM (per-layer and patch-based), the arena plan and "
      "latency of an arch on an MCU");
  cmd->add_option("--arch", args->arch_file, "Arch JSON file (format patchnas.arch/1)")
      ->required();
  cmd->add_option("--mcu", args->mcu,
                  "MCU profile: a name in configs/mcus (stm32f412, stm32f746, stm32h743, "
                  "nrf52840) or a profile JSON path")
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "Print one JSON object instead of the table");
  cmd->add_flag("--input-in-arena", args->input_in_arena,
                "Count the input image in the arena (default: the application owns it)");
  cmd->callback([args] { run_estimate(*args); });
}

}  // namespace patchnas::cli
