// The memory planner: gives every buffer of a MemorySchedule an offset in one arena so that
// buffers live at the same step never share bytes. It aims at the lower bound (the largest
// live total of any step): buffers are placed in order of first use, each either as low as it
// fits or as high as it fits under the bound, on the side opposite the newest live buffer (its
// producer), so a chain of layers ping-pongs between the two ends around long-lived buffers
// (the image, the patch stage output); scratch goes as low as it fits. Only when nothing fits
// under the bound does the arena grow. For chains of inverted residual
// blocks this reaches the bound (property-tested on random archs). The exporter emits this
// plan unchanged; the runtime never re-plans.
//   MemoryPlan plan; plan_arena(schedule, plan);
//   plan.arena_bytes;   // == schedule.peak_total_bytes for these networks
#pragma once

#include <cstdint>
#include <vector>

#include "estimators/memory_schedule.hpp"

namespace patchnas {

struct MemoryPlan {
  std::vector<std::int64_t> offsets;  // per buffer of the schedule
  std::int64_t arena_bytes = 0;
};

void plan_arena(const MemorySchedule& schedule, MemoryPlan& plan);

// True when no two buffers live at a common step share a byte (checked by tests and the exporter).
bool plan_is_valid(const MemorySchedule& schedule, const MemoryPlan& plan);

}  // namespace patchnas
