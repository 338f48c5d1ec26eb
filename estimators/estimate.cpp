#include "estimators/estimate.hpp"

#include <algorithm>

#include "estimators/latency.hpp"
#include "estimators/layer_cost.hpp"
#include "space/lower.hpp"

namespace patchnas {

const Estimate& Estimator::run(const Arch& arch, const McuProfile& mcu,
                               const EstimateOptions& options) {
  lower_into(arch, network_);
  const Network& net = network_;
  const int layers = static_cast<int>(net.layers.size());
  Estimate& e = result_;
  e = Estimate{};

  const CostTotals costs = network_costs(net);
  e.macs = costs.macs;
  e.params = costs.params;
  e.model_flash_bytes = costs.model_flash_bytes;
  e.flash_bytes = costs.model_flash_bytes + mcu.runtime_code_bytes;

  build_memory_schedule(net, nullptr, options.input_in_arena, per_layer_);
  e.per_layer_peak_activation_bytes = per_layer_.peak_activation_bytes;

  const PatchGeometry* geometry = nullptr;
  if (net.patched()) {
    compute_patch_geometry(net, geometry_);
    geometry = &geometry_;
    build_memory_schedule(net, geometry, options.input_in_arena, patched_);
  }
  const MemorySchedule& schedule = net.patched() ? patched_ : per_layer_;
  e.peak_activation_bytes = schedule.peak_activation_bytes;
  plan_arena(schedule, plan_);
  e.arena_bytes = plan_.arena_bytes;
  e.peak_sram_bytes = plan_.arena_bytes;

  // Compute and latency, per layer; patch-stage layers run once per tile on their regions.
  layer_executed_macs_.assign(layers, 0);
  layer_cycles_.assign(layers, 0.0);
  const int stage = net.patch_layers;
  for (int i = 0; i < layers; ++i) {
    const Layer& l = net.layers[i];
    // Tile (r, c) of the patch stage covers rows_r x cols_c; columns follow the rows.
    const LayerWork work =
        i < stage ? layer_work(l, net.patch_n, geometry->sum_out_rows[i],
                               geometry->sum_out_rows[i], geometry->sum_in_rows[i],
                               geometry->sum_in_rows[i])
                  : layer_work(l);
    layer_executed_macs_[i] = work.macs;
    const bool in_place = schedule.step_scratch[static_cast<std::size_t>(i)] >= 0;
    layer_cycles_[i] = patchnas::layer_cycles(mcu, cost_kind_of(l, in_place), work);
    e.executed_macs += layer_executed_macs_[i];
    e.latency_cycles += layer_cycles_[i];
  }
  e.latency_ms = cycles_to_ms(mcu, e.latency_cycles);

  if (net.patched()) {
    PatchSummary p;
    p.n = net.patch_n;
    p.split = arch.patch->split;
    p.input_patch_h = geometry_.max_image_rows;
    p.input_patch_w = geometry_.max_image_rows;
    for (int i = 0; i < stage; ++i) {
      p.stage_macs += layer_macs(net.layers[i]);
      p.stage_macs_with_overlap += layer_executed_macs_[i];
    }
    p.overhead_ratio = p.stage_macs > 0 ? static_cast<double>(p.stage_macs_with_overlap) /
                                                  static_cast<double>(p.stage_macs) -
                                              1.0
                                        : 0.0;
    p.stage_peak_activation_bytes =
        *std::max_element(patched_.step_activation_bytes.begin(),
                          patched_.step_activation_bytes.begin() + stage);
    e.patch = p;
  }
  e.fits_sram = e.peak_sram_bytes <= mcu.sram_bytes;
  e.fits_flash = e.flash_bytes <= mcu.flash_bytes;
  return e;
}

Estimate estimate(const Arch& arch, const McuProfile& mcu, const EstimateOptions& options) {
  Estimator estimator;
  return estimator.run(arch, mcu, options);
}

}  // namespace patchnas
