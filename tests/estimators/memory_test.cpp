// Live activation bytes per step, worked out by hand for the small arch (see small_arch.hpp),
// per-layer and patch-based, and the arena plan on top of them.
#include <gtest/gtest.h>

#include <vector>

#include "estimators/estimate.hpp"
#include "small_arch.hpp"
#include "space/lower.hpp"
#include "test_support.hpp"

namespace patchnas {
namespace {

using Bytes = std::vector<std::int64_t>;

TEST(MemorySchedule, PerLayerByHand) {
  const Network net = lower(testing::small_arch());
  MemorySchedule s;
  build_memory_schedule(net, nullptr, false, s);
  // T1 stem out 5x5x4=100 | T2 dw out 100 (input kept for the residual) | projection over T1 |
  // T4 expansion 5x5x12=300 | dw in place in T4 (+25 B scratch plane) | T6 3x3x8=72 |
  // pool 8 | fc 10
  EXPECT_EQ(s.step_activation_bytes, (Bytes{100, 200, 200, 400, 300, 372, 80, 18}));
  EXPECT_EQ(s.step_total_bytes, (Bytes{100, 200, 200, 400, 325, 372, 80, 18}));
  EXPECT_EQ(s.peak_activation_bytes, 400);
  EXPECT_EQ(s.peak_total_bytes, 400);
  // The projection of the residual block reuses the block input's buffer, the in-place
  // depthwise reuses the expansion's.
  EXPECT_EQ(s.tensor_buffer[3], s.tensor_buffer[1]);
  EXPECT_EQ(s.tensor_buffer[5], s.tensor_buffer[4]);
  EXPECT_NE(s.tensor_buffer[2], s.tensor_buffer[1]);
  EXPECT_EQ(s.tensor_buffer[0], -1);  // the image is outside the arena
  EXPECT_EQ(s.step_scratch[4] >= 0, true);
  EXPECT_EQ(s.step_scratch[1], -1);  // not in place: no scratch
}

TEST(MemorySchedule, InputInArena) {
  const Network net = lower(testing::small_arch());
  MemorySchedule s;
  build_memory_schedule(net, nullptr, true, s);
  // The 9x9x3 = 243 B image is live while the stem reads it.
  EXPECT_EQ(s.step_activation_bytes[0], 243 + 100);
  EXPECT_EQ(s.step_activation_bytes[1], 200);
  EXPECT_EQ(s.peak_activation_bytes, 400);
}

TEST(MemorySchedule, PatchByHand) {
  Arch arch = testing::small_arch();
  arch.patch = PatchSpec{2, 2};
  const MemorySchedule s = testing::schedule_of(arch, false);
  // Largest tile rows per layer output: 5,5,5,5,2 (see patch_geometry_test); the 3x3x8 = 72 B
  // stage output is live from the first tile on. Tile buffers: T1 5x5x4=100, T2 100, T3 over
  // T1, T4 5x5x12=300, T5 (2x2x12) in place in T4 with a 25 B plane.
  EXPECT_EQ(s.step_activation_bytes, (Bytes{172, 272, 272, 472, 372, 372, 80, 18}));
  EXPECT_EQ(s.step_total_bytes[4], 372 + 25);
  EXPECT_EQ(s.peak_activation_bytes, 472);

  const Estimate e = estimate(arch, testing::unit_mcu());
  ASSERT_TRUE(e.patch.has_value());
  EXPECT_EQ(e.peak_activation_bytes, 472);
  EXPECT_EQ(e.patch->stage_peak_activation_bytes, 472);
  EXPECT_EQ(e.per_layer_peak_activation_bytes, 400);
  EXPECT_EQ(e.arena_bytes, 472);
}

TEST(MemorySchedule, PatchWithInputInArenaKeepsTheImageForEveryTile) {
  Arch arch = testing::small_arch();
  arch.patch = PatchSpec{2, 2};
  const MemorySchedule s = testing::schedule_of(arch, true);
  EXPECT_EQ(s.step_activation_bytes[0], 243 + 172);
  EXPECT_EQ(s.step_activation_bytes[5], 243 + 372);  // last tile step still reads the image
  EXPECT_EQ(s.step_activation_bytes[6], 80);
}

TEST(MemoryPlan, ReachesTheBoundAndKeepsLiveBuffersApart) {
  const Network net = lower(testing::small_arch());
  MemorySchedule s;
  build_memory_schedule(net, nullptr, false, s);
  MemoryPlan plan;
  plan_arena(s, plan);
  EXPECT_EQ(plan.arena_bytes, 400);
  EXPECT_TRUE(plan_is_valid(s, plan));
  // Corrupt the plan: two buffers live at step 1 (stem out, dw out) put on the same bytes.
  MemoryPlan broken = plan;
  broken.offsets[s.tensor_buffer[2]] = broken.offsets[s.tensor_buffer[1]];
  EXPECT_FALSE(plan_is_valid(s, broken));
}

TEST(MemoryPlan, GrowsPastAnUnreachableBoundAndStaysValid) {
  // A bound below the real live load (25 B at step 2) cannot be met: the planner must stack
  // buffers above it instead of overlapping live ones.
  MemorySchedule s;
  s.buffers = {{10, 0, 1, BufferKind::Activation},
               {10, 1, 2, BufferKind::Activation},
               {15, 2, 2, BufferKind::Activation}};
  s.peak_total_bytes = 5;
  MemoryPlan plan;
  plan_arena(s, plan);
  EXPECT_TRUE(plan_is_valid(s, plan));
  EXPECT_GE(plan.arena_bytes, 25);
}

}  // namespace
}  // namespace patchnas
