// Helpers shared by the estimator tests: loading bundled archs and a simple MCU profile whose
// coefficients are chosen by the test (so latency checks do not depend on shipped profiles).
#pragma once

#include <string>

#include "estimators/mcu_profile.hpp"
#include "estimators/memory_schedule.hpp"
#include "space/arch_json.hpp"
#include "space/lower.hpp"

namespace patchnas::testing {

inline Arch bundled_arch(const std::string& name) {
  return read_arch_file(std::string(PATCHNAS_SOURCE_DIR) + "/configs/archs/" + name + ".json");
}

// 1 cycle per MAC for every op, nothing else, 1 MHz: latency_ms == MACs / 1000.
inline McuProfile unit_mcu(std::int64_t sram_bytes = 1 << 30, std::int64_t flash_bytes = 1 << 30) {
  McuProfile mcu;
  mcu.name = "unit";
  mcu.core = "test";
  mcu.clock_hz = 1e6;
  mcu.sram_bytes = sram_bytes;
  mcu.flash_bytes = flash_bytes;
  for (auto& op : mcu.ops) op = {1.0, 0.0, 0.0};
  mcu.source = "test";
  return mcu;
}

// The memory schedule of `arch` in its execution mode (patch-based when it has patches).
inline MemorySchedule schedule_of(const Arch& arch, bool input_in_arena) {
  const Network net = lower(arch);
  PatchGeometry geometry;
  if (net.patched()) compute_patch_geometry(net, geometry);
  MemorySchedule schedule;
  build_memory_schedule(net, net.patched() ? &geometry : nullptr, input_in_arena, schedule);
  return schedule;
}

}  // namespace patchnas::testing
