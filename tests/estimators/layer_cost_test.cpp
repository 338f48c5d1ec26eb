// MACs, params and flash of each layer kind, computed by hand.
#include <gtest/gtest.h>

#include "estimators/estimate.hpp"
#include "estimators/layer_cost.hpp"
#include "small_arch.hpp"
#include "space/lower.hpp"
#include "test_support.hpp"

namespace patchnas {
namespace {

TEST(LayerCost, EachKindByHand) {
  const Network net = lower(testing::small_arch());
  ASSERT_EQ(net.layers.size(), 8u);
  // stem: 5*5 outputs * 4 channels * 3*3*3 taps
  EXPECT_EQ(layer_macs(net.layers[0]), 5 * 5 * 4 * 27);
  EXPECT_EQ(layer_params(net.layers[0]), 27 * 4 + 4);
  // block 0 depthwise k3 on 5x5x4
  EXPECT_EQ(layer_macs(net.layers[1]), 5 * 5 * 4 * 9);
  EXPECT_EQ(layer_params(net.layers[1]), 9 * 4 + 4);
  // block 0 projection 4 -> 4 at 5x5
  EXPECT_EQ(layer_macs(net.layers[2]), 5 * 5 * 4 * 4);
  // block 1 expansion 4 -> 12 at 5x5
  EXPECT_EQ(layer_macs(net.layers[3]), 5 * 5 * 12 * 4);
  // block 1 depthwise k5 s2: 3x3x12 outputs, 25 taps each
  EXPECT_EQ(layer_macs(net.layers[4]), 3 * 3 * 12 * 25);
  // block 1 projection 12 -> 8 at 3x3
  EXPECT_EQ(layer_macs(net.layers[5]), 3 * 3 * 8 * 12);
  EXPECT_EQ(layer_macs(net.layers[6]), 0);  // pool
  EXPECT_EQ(layer_params(net.layers[6]), 0);
  EXPECT_EQ(layer_macs(net.layers[7]), 8 * 10);  // fc
  EXPECT_EQ(layer_params(net.layers[7]), 8 * 10 + 10);
  // flash: int8 weights + 12 bytes (bias, multiplier, shift) per output channel + the
  // 104-byte layer descriptor (+ 20 bytes of residual parameters when it adds a residual)
  EXPECT_EQ(layer_flash_bytes(net.layers[7]), 80 + 12 * 10 + 104);
  EXPECT_EQ(layer_flash_bytes(net.layers[4]), 25 * 12 + 12 * 12 + 104);
  ASSERT_GE(net.layers[2].residual, 0);  // block 0 (4 -> 4, stride 1) adds its input
  EXPECT_EQ(layer_flash_bytes(net.layers[2]), 16 + 12 * 4 + 104 + 20);
  EXPECT_EQ(layer_flash_bytes(net.layers[6]), 4 + 4 + 104);  // pool: one multiplier and shift
}

TEST(LayerCost, NetworkTotalsAndRuntimeCode) {
  const int macs = 2700 + 900 + 400 + 1200 + 2700 + 864 + 0 + 80;
  const int weights = 108 + 36 + 16 + 48 + 300 + 96 + 80;
  const int channels = 4 + 4 + 4 + 12 + 12 + 8 + 10;
  McuProfile mcu = testing::unit_mcu();
  mcu.runtime_code_bytes = 1000;
  const Estimate e = estimate(testing::small_arch(), mcu);
  EXPECT_EQ(e.macs, macs);
  EXPECT_EQ(e.params, weights + channels);
  // + 8 layer descriptors, one residual, the pool's requantization and the model descriptor
  const int model_flash = weights + 12 * channels + 8 * 104 + 20 + 8 + 28;
  EXPECT_EQ(e.model_flash_bytes, model_flash);
  EXPECT_EQ(e.flash_bytes, model_flash + 1000);
  // Patched: two int16 tile rows per patch-stage layer and tile.
  Arch patched = testing::small_arch();
  patched.patch = PatchSpec{2, 1};
  const Network net = lower(patched);
  ASSERT_GT(net.patch_layers, 0);
  const Estimate p = estimate(patched, mcu);
  EXPECT_EQ(p.model_flash_bytes, model_flash + 4 * 2 * net.patch_layers);
}

TEST(LayerCost, FitsComparesWithTheMcu) {
  const Estimate roomy = estimate(testing::small_arch(), testing::unit_mcu());
  EXPECT_TRUE(roomy.fits());
  // The per-layer arena is 400 bytes (see memory_test): 399 bytes of SRAM is one too few.
  const Estimate tight = estimate(testing::small_arch(), testing::unit_mcu(399));
  EXPECT_FALSE(tight.fits_sram);
  EXPECT_TRUE(tight.fits_flash);
  EXPECT_FALSE(tight.fits());
  const Estimate exact = estimate(testing::small_arch(), testing::unit_mcu(400));
  EXPECT_TRUE(exact.fits_sram);
  const Estimate no_flash = estimate(testing::small_arch(), testing::unit_mcu(1 << 20, 100));
  EXPECT_FALSE(no_flash.fits_flash);
}

TEST(Latency, CoefficientsPerOpAndPerCall) {
  McuProfile mcu = testing::unit_mcu();
  mcu.clock_hz = 1000.0;  // 1 cycle = 1 ms
  for (auto& op : mcu.ops) op = {0.0, 0.0, 0.0};
  mcu.ops[static_cast<int>(CostKind::Depthwise)] = {2.0, 1.0, 10.0};
  mcu.ops[static_cast<int>(CostKind::DepthwiseInPlace)] = {3.0, 0.5, 20.0};
  // Two depthwise layers, one call each: block 0's (900 MACs, 100 outputs) reads the block
  // input, which its residual add still needs, so it runs out of place; block 1's (2700 MACs,
  // 108 outputs) writes over the expansion's output: in place.
  const Estimate e = estimate(testing::small_arch(), mcu);
  EXPECT_DOUBLE_EQ(e.latency_ms, (2.0 * 900 + 100 + 10.0) + (3.0 * 2700 + 0.5 * 108 + 20.0));
  // cycles_per_input charges the in-place layer's input map (5x5x12) on top.
  mcu.ops[static_cast<int>(CostKind::DepthwiseInPlace)].cycles_per_input = 0.25;
  EXPECT_DOUBLE_EQ(estimate(testing::small_arch(), mcu).latency_ms, e.latency_ms + 0.25 * 300);
}

}  // namespace
}  // namespace patchnas
