// Lowering: layer list, shapes and residual wiring follow the arch format's semantics.
#include <gtest/gtest.h>

#include "space/lower.hpp"

namespace patchnas {
namespace {

Arch arch_with(std::vector<BlockSpec> blocks, int resolution = 33) {
  Arch a;
  a.name = "t";
  a.resolution = resolution;
  a.input_channels = 3;
  a.stem = {16, 3, 2};
  a.blocks = std::move(blocks);
  a.classes = 10;
  return a;
}

TEST(Lower, OutputSizeIsCeilOfInOverStrideForOddKernels) {
  EXPECT_EQ(conv_output_size(33, 3, 2), 17);
  EXPECT_EQ(conv_output_size(33, 7, 2), 17);
  EXPECT_EQ(conv_output_size(224, 3, 2), 112);
  EXPECT_EQ(conv_output_size(7, 5, 1), 7);
  EXPECT_EQ(conv_output_size(1, 7, 2), 1);
}

TEST(Lower, InvertedResidualLayersAndShapes) {
  // stem 33 -> 17x17x16; block 0 (expand 1, s1, 16 -> 16): dw + project with residual;
  // block 1 (expand 6, k5 s2, 16 -> 24): expand to 96, dw to 9x9, project, no residual.
  Arch a = arch_with({{3, 1.0, 16, 1}, {5, 6.0, 24, 2}});
  a.head_out = 64;
  const Network net = lower(a);
  ASSERT_EQ(net.layers.size(), 9u);
  const auto& l = net.layers;
  EXPECT_EQ(l[0].kind, LayerKind::Conv);
  EXPECT_EQ(l[0].out, (Shape{17, 17, 16}));
  EXPECT_TRUE(l[0].relu6);
  EXPECT_EQ(l[1].kind, LayerKind::Depthwise);
  EXPECT_EQ(l[2].role, LayerRole::Project);
  EXPECT_FALSE(l[2].relu6);
  EXPECT_EQ(l[2].residual, 1);  // adds the block input (the stem's output, tensor 1)
  EXPECT_EQ(l[3].role, LayerRole::Expand);
  EXPECT_EQ(l[3].out, (Shape{17, 17, 96}));
  EXPECT_EQ(l[4].out, (Shape{9, 9, 96}));
  EXPECT_EQ(l[4].kernel, 5);
  EXPECT_EQ(l[4].pad, 2);
  EXPECT_EQ(l[5].out, (Shape{9, 9, 24}));
  EXPECT_EQ(l[5].residual, -1);
  EXPECT_EQ(l[6].role, LayerRole::Head);
  EXPECT_EQ(l[6].out, (Shape{9, 9, 64}));
  EXPECT_EQ(l[7].kind, LayerKind::GlobalAvgPool);
  EXPECT_EQ(l[7].out, (Shape{1, 1, 64}));
  EXPECT_EQ(l[8].kind, LayerKind::FullyConnected);
  EXPECT_EQ(l[8].out, (Shape{1, 1, 10}));
  for (std::size_t i = 0; i < l.size(); ++i) EXPECT_EQ(l[i].input, static_cast<int>(i));
}

TEST(Lower, ResidualOnlyWhenStrideOneAndSameChannels) {
  const Network net = lower(arch_with({{3, 4.0, 16, 1}, {3, 4.0, 24, 1}, {3, 4.0, 24, 2}}));
  std::vector<int> residuals;
  for (const Layer& l : net.layers) {
    if (l.role == LayerRole::Project) residuals.push_back(l.residual);
  }
  // block 0 adds tensor 1 (stem out); block 1 changes channels; block 2 has stride 2
  EXPECT_EQ(residuals, (std::vector<int>{1, -1, -1}));
}

TEST(Lower, ExpandRoundsToNearestChannel) {
  EXPECT_EQ(expanded_channels(16, 4.5), 72);
  EXPECT_EQ(expanded_channels(7, 4.5), 32);  // 31.5 rounds away from zero
  EXPECT_EQ(expanded_channels(24, 3.0), 72);
}

TEST(Lower, PatchStageCoversStemAndSplitBlocks) {
  Arch a = arch_with({{3, 1.0, 16, 1}, {5, 6.0, 24, 2}, {3, 6.0, 24, 1}});
  a.patch = PatchSpec{2, 2};
  const Network net = lower(a);
  // stem (1) + block 0 (dw, project) + block 1 (expand, dw, project) = 6 layers
  EXPECT_EQ(net.patch_layers, 6);
  EXPECT_EQ(net.patch_n, 2);
  a.patch = PatchSpec{1, 2};  // one patch is per-layer execution
  EXPECT_FALSE(lower(a).patched());
}

}  // namespace
}  // namespace patchnas
