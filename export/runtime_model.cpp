#include "export/runtime_model.hpp"

#include <stdexcept>

#include "estimators/estimate.hpp"

namespace patchnas {
namespace {

pn_layer_kind runtime_kind(LayerKind kind) {
  switch (kind) {
    case LayerKind::Conv: return PN_LAYER_CONV;
    case LayerKind::Depthwise: return PN_LAYER_DEPTHWISE;
    case LayerKind::Pointwise: return PN_LAYER_POINTWISE;
    case LayerKind::GlobalAvgPool: return PN_LAYER_AVGPOOL;
    case LayerKind::FullyConnected: return PN_LAYER_FC;
  }
  throw std::invalid_argument("unknown layer kind");
}

// Only the plan matters here; the MCU's budgets and speed do not.
McuProfile planning_profile() {
  McuProfile mcu;
  mcu.name = "plan";
  mcu.clock_hz = 1.0;
  mcu.sram_bytes = INT64_MAX;
  mcu.flash_bytes = INT64_MAX;
  return mcu;
}

}  // namespace

RuntimeModel::RuntimeModel(const Arch& arch, const trainer::QuantizedModel& quantized,
                           bool input_in_arena)
    : quantized_(quantized) {
  Estimator estimator;
  estimator.run(arch, planning_profile(), EstimateOptions{input_in_arena});
  const Network& net = estimator.network();
  const MemorySchedule& schedule = estimator.schedule();
  const MemoryPlan& plan = estimator.plan();
  if (quantized_.layers.size() != net.layers.size()) {
    throw std::invalid_argument("RuntimeModel: the int8 model does not match the arch");
  }
  const auto offset_of_tensor = [&](int tensor) -> std::int32_t {
    const int buffer = schedule.tensor_buffer[tensor];
    return buffer < 0 ? -1 : static_cast<std::int32_t>(plan.offsets[buffer]);
  };

  const std::size_t count = net.layers.size();
  shifts_.resize(count);
  residuals_.resize(count);
  layers_.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    const Layer& l = net.layers[i];
    const trainer::QuantizedLayer& q = quantized_.layers[i];
    shifts_[i].assign(q.shift.begin(), q.shift.end());
    pn_layer& r = layers_[i];
    r.kind = runtime_kind(l.kind);
    r.geometry = {l.in.h, l.in.w, l.in.c, l.out.h, l.out.w, l.out.c, l.kernel, l.stride, l.pad};
    if (l.kind == LayerKind::GlobalAvgPool) r.geometry.kernel = 1;
    r.quant.input_zero_point = q.input_zero_point;
    r.quant.output_zero_point = q.output_zero_point;
    r.quant.act_min = q.act_min;
    r.quant.act_max = q.act_max;
    r.quant.weights = q.weight.empty() ? nullptr : q.weight.data();
    r.quant.multiplier = q.multiplier.data();
    r.quant.shift = shifts_[i].data();
    r.quant.bias = q.bias.empty() ? nullptr : q.bias.data();
    r.quant.residual = nullptr;
    if (q.has_residual) {
      residuals_[i] = {q.residual.zero_point, q.residual.multiplier, q.residual.shift,
                       q.residual.output_multiplier, q.residual.output_shift};
      r.quant.residual = &residuals_[i];
    }
    r.input = l.input;
    r.residual = l.residual;
    r.input_offset = offset_of_tensor(l.input);
    r.output_offset = offset_of_tensor(static_cast<int>(i) + 1);
    r.residual_offset = l.residual >= 0 ? offset_of_tensor(l.residual) : -1;
    const int scratch = schedule.step_scratch[i];
    r.scratch_offset = scratch < 0 ? -1 : static_cast<std::int32_t>(plan.offsets[scratch]);
    r.scratch_bytes = scratch < 0 ? 0 : static_cast<std::int32_t>(schedule.buffers[scratch].bytes);
  }

  model_.layers = layers_.data();
  model_.layer_count = static_cast<std::int32_t>(count);
  model_.patch_layers = net.patch_layers;
  model_.patch_n = net.patch_n;
  if (net.patched()) {
    const PatchGeometry& g = estimator.geometry();
    for (int l = 0; l < net.patch_layers; ++l) {
      for (int t = 0; t < net.patch_n; ++t) {
        tile_rows_.push_back(static_cast<std::int16_t>(g.rows(l, t).lo));
        tile_rows_.push_back(static_cast<std::int16_t>(g.rows(l, t).hi));
      }
    }
  }
  model_.tile_rows = tile_rows_.empty() ? nullptr : tile_rows_.data();
  model_.arena_bytes = static_cast<std::int32_t>(plan.arena_bytes);
  model_.image_offset = offset_of_tensor(0);
}

}  // namespace patchnas
