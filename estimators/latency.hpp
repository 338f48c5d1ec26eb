// The analytical latency model: cycles per layer from an McuProfile's coefficients.
// Patch-based execution calls each patch-stage layer once per tile, so it pays
// cycles_per_call once per tile and the MACs, outputs and inputs of the overlapping regions.
//   double c = layer_cycles(mcu, LayerKind::Pointwise, {macs, outputs, inputs, /*calls=*/1});
#pragma once

#include <cstdint>

#include "estimators/mcu_profile.hpp"

namespace patchnas {

// What one layer executes, summed over its calls (tiles).
struct LayerWork {
  std::int64_t macs = 0;
  std::int64_t outputs = 0;  // output elements written
  std::int64_t inputs = 0;   // elements of the input regions the outputs need
  std::int64_t calls = 1;
};

inline double layer_cycles(const McuProfile& mcu, LayerKind kind, const LayerWork& w) {
  const OpCoefficients& k = mcu.coefficients(kind);
  return k.cycles_per_mac * static_cast<double>(w.macs) +
         k.cycles_per_output * static_cast<double>(w.outputs) +
         k.cycles_per_input * static_cast<double>(w.inputs) +
         k.cycles_per_call * static_cast<double>(w.calls);
}

inline double cycles_to_ms(const McuProfile& mcu, double cycles) {
  return cycles / mcu.clock_hz * 1000.0;
}

}  // namespace patchnas
