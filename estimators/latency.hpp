// The analytical latency model: cycles per layer call from an McuProfile's coefficients.
// Patch-based execution calls each patch-stage layer once per tile, so it pays
// cycles_per_call once per tile and the MACs of the overlapping regions.
//   double c = layer_cycles(mcu, LayerKind::Pointwise, macs, outputs, /*calls=*/1);
#pragma once

#include <cstdint>

#include "estimators/mcu_profile.hpp"

namespace patchnas {

inline double layer_cycles(const McuProfile& mcu, LayerKind kind, std::int64_t macs,
                           std::int64_t output_elements, std::int64_t calls) {
  const OpCoefficients& k = mcu.coefficients(kind);
  return k.cycles_per_mac * static_cast<double>(macs) +
         k.cycles_per_output * static_cast<double>(output_elements) +
         k.cycles_per_call * static_cast<double>(calls);
}

inline double cycles_to_ms(const McuProfile& mcu, double cycles) {
  return cycles / mcu.clock_hz * 1000.0;
}

}  // namespace patchnas
