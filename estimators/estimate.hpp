// The full analytical estimate of one arch on one MCU: MACs, params, flash, per-layer and
// patch-based activation memory, the arena plan, overlap (recomputation) MACs and latency.
// Estimator keeps its work buffers between calls, so a search thread reuses one and estimates
// without allocating; the details of the last call stay readable for reports.
//   Estimator estimator;
//   const Estimate& e = estimator.run(arch, find_mcu_profile("stm32h743"));
//   e.peak_sram_bytes; e.latency_ms; e.fits();
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "estimators/mcu_profile.hpp"
#include "estimators/memory_planner.hpp"
#include "estimators/memory_schedule.hpp"
#include "estimators/patch_geometry.hpp"
#include "space/arch.hpp"
#include "space/network.hpp"

namespace patchnas {

struct EstimateOptions {
  bool input_in_arena = false;  // count the input image in the arena (default: the app owns it)
};

struct PatchSummary {
  int n = 1;
  int split = 0;
  int input_patch_h = 0;  // the largest tile input region of the image
  int input_patch_w = 0;
  std::int64_t stage_macs = 0;               // patch stage, computed once (per-layer)
  std::int64_t stage_macs_with_overlap = 0;  // patch stage, summed over all tiles
  double overhead_ratio = 0.0;               // with_overlap / stage_macs - 1
  std::int64_t stage_peak_activation_bytes = 0;  // stage output buffer + largest tile working set
};

struct Estimate {
  std::int64_t macs = 0;           // the network's MACs (no recomputation)
  std::int64_t executed_macs = 0;  // MACs actually run, including patch overlap
  std::int64_t params = 0;
  std::int64_t model_flash_bytes = 0;
  std::int64_t flash_bytes = 0;  // model + runtime code
  std::int64_t per_layer_peak_activation_bytes = 0;
  std::int64_t peak_activation_bytes = 0;  // in the arch's execution mode
  std::int64_t arena_bytes = 0;            // planned arena: activations + kernel scratch
  std::int64_t peak_sram_bytes = 0;        // what the firmware allocates: the arena
  double latency_cycles = 0.0;
  double latency_ms = 0.0;
  bool fits_sram = false;
  bool fits_flash = false;
  std::optional<PatchSummary> patch;

  bool fits() const { return fits_sram && fits_flash; }
};

class Estimator {
 public:
  const Estimate& run(const Arch& arch, const McuProfile& mcu, const EstimateOptions& options = {});

  // Details of the last run.
  const Estimate& result() const { return result_; }
  const Network& network() const { return network_; }
  const MemorySchedule& per_layer_schedule() const { return per_layer_; }
  // The schedule of the arch's execution mode (the patch schedule when patched).
  const MemorySchedule& schedule() const { return network_.patched() ? patched_ : per_layer_; }
  const MemoryPlan& plan() const { return plan_; }
  const PatchGeometry& geometry() const { return geometry_; }
  const std::vector<std::int64_t>& layer_executed_macs() const { return layer_executed_macs_; }
  const std::vector<double>& layer_cycles() const { return layer_cycles_; }

 private:
  Network network_;
  PatchGeometry geometry_;
  MemorySchedule per_layer_;
  MemorySchedule patched_;
  MemoryPlan plan_;
  std::vector<std::int64_t> layer_executed_macs_;
  std::vector<double> layer_cycles_;
  Estimate result_;
};

// One-off convenience.
Estimate estimate(const Arch& arch, const McuProfile& mcu, const EstimateOptions& options = {});

}  // namespace patchnas
