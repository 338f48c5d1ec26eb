// RuntimeModel: the C runtime's pn_model for an arch, its int8 parameters and the
// estimator's memory plan (the one planner: the runtime runs at exactly these offsets in an
// arena of exactly arena_bytes). It owns every array the pn_model points to; the code
// generator prints the same structure as C source, and host tests run it directly.
//   RuntimeModel rm(arch, quantized);
//   std::vector<uint8_t> arena(rm.arena_bytes());
//   pn_model_run(&rm.model(), image, arena.data(), arena.size(), logits);
#pragma once

#include <cstdint>
#include <vector>

#include "pn_model.h"
#include "space/arch.hpp"
#include "trainer/quantize_model.hpp"

namespace patchnas {

class RuntimeModel {
 public:
  RuntimeModel(const Arch& arch, const trainer::QuantizedModel& quantized,
               bool input_in_arena = false);
  RuntimeModel(const RuntimeModel&) = delete;
  RuntimeModel& operator=(const RuntimeModel&) = delete;

  const pn_model& model() const { return model_; }
  std::size_t arena_bytes() const { return static_cast<std::size_t>(model_.arena_bytes); }
  const std::vector<pn_layer>& layers() const { return layers_; }
  const std::vector<std::int16_t>& tile_rows() const { return tile_rows_; }
  const trainer::QuantizedModel& quantized() const { return quantized_; }
  const std::vector<std::vector<std::int32_t>>& shifts() const { return shifts_; }
  const std::vector<pn_residual_params>& residuals() const { return residuals_; }

 private:
  trainer::QuantizedModel quantized_;  // owned copy: the pn_layers point into it
  std::vector<std::vector<std::int32_t>> shifts_;  // int -> int32_t per layer
  std::vector<pn_residual_params> residuals_;      // per layer (used when it has a residual)
  std::vector<pn_layer> layers_;
  std::vector<std::int16_t> tile_rows_;
  pn_model model_{};
};

}  // namespace patchnas
