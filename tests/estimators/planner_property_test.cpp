// Planner properties on hundreds of random archs, per-layer and patch-based, image in or out
// of the arena: the plan keeps live buffers apart, its arena equals the lower bound (the
// largest live total of any step, recounted here from the buffers), and the lower bound is at
// least the live activation bytes of every step.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "estimators/estimate.hpp"
#include "support/random_arch.hpp"
#include "test_support.hpp"
#include "space/lower.hpp"

namespace patchnas {
namespace {

std::int64_t recount_lower_bound(const MemorySchedule& s) {
  std::int64_t bound = 0;
  for (int step = 0; step < s.steps(); ++step) {
    std::int64_t live = 0;
    for (const ArenaBuffer& b : s.buffers) {
      if (b.first_step <= step && step <= b.last_step) live += b.bytes;
    }
    bound = std::max(bound, live);
  }
  return bound;
}

void check_plan(const Arch& arch, bool input_in_arena, int trial) {
  const MemorySchedule s = testing::schedule_of(arch, input_in_arena);
  MemoryPlan plan;
  plan_arena(s, plan);
  ASSERT_TRUE(plan_is_valid(s, plan)) << "trial " << trial;
  const std::int64_t bound = recount_lower_bound(s);
  ASSERT_EQ(s.peak_total_bytes, bound) << "trial " << trial;
  ASSERT_EQ(plan.arena_bytes, bound) << "trial " << trial << " patched " << arch.patch.has_value();
  ASSERT_GE(bound, s.peak_activation_bytes);
}

TEST(PlannerProperty, ReachesTheLowerBoundOnRandomArchs) {
  std::mt19937 rng(2024);
  int patched = 0;
  for (int trial = 0; trial < 600; ++trial) {
    const Arch arch = testing::random_arch(rng, trial % 2 == 0);
    if (arch.patch) ++patched;
    check_plan(arch, trial % 3 == 0, trial);
  }
  EXPECT_GT(patched, 200);
}

}  // namespace
}  // namespace patchnas
