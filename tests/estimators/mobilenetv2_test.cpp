// The published MobileNetV2 figures (MCUNetV2 paper, Table/Fig. on peak memory) and the
// trainer's reference net, checked end to end through lowering and the estimators.
#include <gtest/gtest.h>

#include "estimators/estimate.hpp"
#include "test_support.hpp"

namespace patchnas {
namespace {

using testing::bundled_arch;
using testing::unit_mcu;

TEST(MobileNetV2, PerLayerFigures) {
  const Arch arch = bundled_arch("mbv2-w1.0-r224");
  const Estimate e = estimate(arch, unit_mcu());
  EXPECT_EQ(e.macs, 300774272);
  // Block 2's 1x1 expansion: its input 112*112*16 and its output 112*112*96 live together.
  EXPECT_EQ(e.per_layer_peak_activation_bytes, 112 * 112 * 16 + 112 * 112 * 96);
  EXPECT_EQ(e.per_layer_peak_activation_bytes, 1404928);
  EXPECT_EQ(e.peak_activation_bytes, e.per_layer_peak_activation_bytes);
  EXPECT_FALSE(e.patch.has_value());
  EXPECT_EQ(e.executed_macs, e.macs);
}

TEST(MobileNetV2, PatchFigures) {
  const Arch arch = bundled_arch("mbv2-w1.0-r224-p4s4");
  const Estimate e = estimate(arch, unit_mcu());
  ASSERT_TRUE(e.patch.has_value());
  const PatchSummary& p = *e.patch;
  EXPECT_EQ(p.n, 4);
  EXPECT_EQ(p.split, 4);
  // Interior tile: 7 output rows at 28x28, walked back through s2 k3, s1 k3, s2 k3, s1 k3, s2 k3.
  EXPECT_EQ(p.input_patch_h, 75);
  EXPECT_EQ(p.input_patch_w, 75);
  // 28*28*32 stage output + block 2's expansion on a 35x35 tile (16 in + 96 out channels).
  EXPECT_EQ(p.stage_peak_activation_bytes, 28 * 28 * 32 + 35 * 35 * (16 + 96));
  EXPECT_EQ(p.stage_peak_activation_bytes, 162288);
  // Block 5's expansion in the per-layer rest sets the peak: 28*28*32 + 28*28*192.
  EXPECT_EQ(e.peak_activation_bytes, 28 * 28 * 32 + 28 * 28 * 192);
  EXPECT_EQ(e.peak_activation_bytes, 175616);
  EXPECT_EQ(p.stage_macs, 91282688);
  EXPECT_EQ(p.stage_macs_with_overlap, 119202032);
  EXPECT_NEAR(p.overhead_ratio, 0.306, 0.0005);
  EXPECT_EQ(e.macs, 300774272);
  EXPECT_EQ(e.executed_macs, e.macs + (p.stage_macs_with_overlap - p.stage_macs));
  // Per-layer peak is still reported for comparison.
  EXPECT_EQ(e.per_layer_peak_activation_bytes, 1404928);
}

TEST(MobileNetV2, ArenaCoversActivationsAndScratch) {
  for (const char* name : {"mbv2-w1.0-r224", "mbv2-w1.0-r224-p4s4", "mbv2-w0.35-r144"}) {
    Estimator estimator;
    const Estimate& e = estimator.run(bundled_arch(name), unit_mcu());
    EXPECT_GE(e.arena_bytes, e.peak_activation_bytes) << name;
    EXPECT_EQ(e.arena_bytes, estimator.schedule().peak_total_bytes) << name;
    EXPECT_EQ(e.peak_sram_bytes, e.arena_bytes) << name;
    EXPECT_TRUE(plan_is_valid(estimator.schedule(), estimator.plan())) << name;
  }
}

TEST(MobileNetV2, PatchArenaIncludesInPlaceDepthwiseScratch) {
  // Block 5's depthwise runs in place on 28x28x192 while the block input (28x28x32) waits for
  // the add: it needs one 28x28 channel plane of scratch on top of the 175,616 bytes.
  const Estimate e = estimate(bundled_arch("mbv2-w1.0-r224-p4s4"), unit_mcu());
  EXPECT_EQ(e.arena_bytes, 175616 + 28 * 28);
}

TEST(FashionReference, MacsMatchTrainerIssue) {
  const Estimate e = estimate(bundled_arch("fmnist-ref"), unit_mcu());
  EXPECT_EQ(e.macs, 1851496);
}

}  // namespace
}  // namespace patchnas
