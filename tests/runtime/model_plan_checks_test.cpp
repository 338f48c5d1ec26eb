// The executor refuses a corrupted model before a kernel could write outside the arena or into
// the caller's image: every arena buffer of a kernel call must lie inside the planned arena,
// tensor ids must name earlier tensors, and only the image may live outside the arena. Each
// case would run to PN_OK (writing out of bounds) without its check.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "pn_model.h"
#include "runtime/small_model.hpp"

namespace patchnas {
namespace {

// Runs a copy of `fx`'s model after `corrupt` changed it, in an arena with 4 KiB of slack past
// the planned size (so an unchecked write there goes unseen by anything but the status).
pn_status run_corrupted(const testing::SmallModel& fx,
                        const std::function<void(pn_model&, std::vector<pn_layer>&)>& corrupt) {
  std::vector<pn_layer> layers = fx.model.layers();
  pn_model m = fx.model.model();
  m.layers = layers.data();
  corrupt(m, layers);
  std::vector<std::uint8_t> arena(fx.model.arena_bytes() + 4096);
  std::vector<std::int8_t> image = fx.image;
  std::vector<std::int8_t> logits(static_cast<std::size_t>(fx.arch.classes));
  return pn_model_run(&m, image.data(), arena.data(), arena.size(), logits.data());
}

class ModelPlanChecks : public ::testing::TestWithParam<bool> {};

TEST_P(ModelPlanChecks, TheUncorruptedModelRuns) {
  const testing::SmallModel fx(GetParam());
  EXPECT_EQ(run_corrupted(fx, [](pn_model&, std::vector<pn_layer>&) {}), PN_OK);
}

TEST_P(ModelPlanChecks, RefusesAnOutputPastTheArenaEnd) {
  const testing::SmallModel fx(GetParam());
  EXPECT_EQ(run_corrupted(fx,
                          [](pn_model& m, std::vector<pn_layer>& l) {
                            l[3].output_offset = m.arena_bytes - 1;
                          }),
            PN_ERR_ARGUMENT);
}

TEST_P(ModelPlanChecks, RefusesAnArenaSmallerThanItsBuffers) {
  const testing::SmallModel fx(GetParam());
  EXPECT_EQ(run_corrupted(fx, [](pn_model& m, std::vector<pn_layer>&) { m.arena_bytes /= 2; }),
            PN_ERR_ARGUMENT);
}

TEST_P(ModelPlanChecks, RefusesScratchPastTheArenaEnd) {
  const testing::SmallModel fx(GetParam());
  EXPECT_EQ(run_corrupted(fx,
                          [](pn_model& m, std::vector<pn_layer>& l) {
                            ASSERT_GE(l[4].scratch_offset, 0);  // the in-place depthwise
                            l[4].scratch_offset = m.arena_bytes - l[4].scratch_bytes + 1;
                          }),
            PN_ERR_ARGUMENT);
}

TEST_P(ModelPlanChecks, RefusesAnActivationOutsideTheArena) {
  const testing::SmallModel fx(GetParam());
  EXPECT_EQ(run_corrupted(fx, [](pn_model&, std::vector<pn_layer>& l) { l[0].output_offset = -1; }),
            PN_ERR_ARGUMENT);
}

TEST_P(ModelPlanChecks, RefusesTensorIdsThatAreNotEarlierTensors) {
  const testing::SmallModel fx(GetParam());
  EXPECT_EQ(run_corrupted(fx, [](pn_model&, std::vector<pn_layer>& l) { l[2].input = 3; }),
            PN_ERR_ARGUMENT);
  EXPECT_EQ(run_corrupted(fx, [](pn_model&, std::vector<pn_layer>& l) { l[2].residual = 40; }),
            PN_ERR_ARGUMENT);
}

INSTANTIATE_TEST_SUITE_P(PerLayerAndPatched, ModelPlanChecks, ::testing::Bool());

}  // namespace
}  // namespace patchnas
