// Receptive-field walks: hand-computed tiles of the small arch, border and odd-size tiles, and a
// brute-force check (mark every input row each output row reads, tap by tap) on many shapes.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "estimators/estimate.hpp"
#include "estimators/layer_cost.hpp"
#include "support/random_arch.hpp"
#include "small_arch.hpp"
#include "space/lower.hpp"
#include "test_support.hpp"

namespace patchnas {
namespace {

TEST(TileRows, EdgesAtFloorOfIHOverN) {
  EXPECT_EQ(tile_rows(28, 4, 0), (RowRange{0, 6}));
  EXPECT_EQ(tile_rows(28, 4, 3), (RowRange{21, 27}));
  // 10 rows in 3 tiles: edges 0, 3, 6, 10
  EXPECT_EQ(tile_rows(10, 3, 0), (RowRange{0, 2}));
  EXPECT_EQ(tile_rows(10, 3, 1), (RowRange{3, 5}));
  EXPECT_EQ(tile_rows(10, 3, 2), (RowRange{6, 9}));
}

TEST(InputRowsNeeded, ClipsOnlyAtTheBorders) {
  Layer dw;
  dw.kind = LayerKind::Depthwise;
  dw.kernel = 5;
  dw.stride = 2;
  dw.pad = 2;
  dw.in = {11, 11, 1};
  // rows 2..3 of the output read rows 2*2-2=2 .. 3*2-2+4=8
  EXPECT_EQ(input_rows_needed(dw, {2, 3}), (RowRange{2, 8}));
  // row 0 reads -2..2: clipped to 0..2 (zero padding above the image)
  EXPECT_EQ(input_rows_needed(dw, {0, 0}), (RowRange{0, 2}));
  // last output row of 11 -> 6 rows: row 5 reads 8..12, clipped to 8..10
  EXPECT_EQ(input_rows_needed(dw, {5, 5}), (RowRange{8, 10}));
}

TEST(PatchGeometry, SmallArchByHand) {
  Arch arch = testing::small_arch();
  arch.patch = PatchSpec{2, 2};
  const Network net = lower(arch);
  ASSERT_EQ(net.patch_layers, 6);
  PatchGeometry g;
  compute_patch_geometry(net, g);
  // Stage output 3x3 in 2 tiles: rows [0,0] and [1,2]. Walking back (layer: tile 0 | tile 1):
  //  l5 project, l4 dw k5 s2: outputs [0,0] | [1,2]
  //  l3 expand: dw needs [0*2-2, 0*2-2+4] = [0,2] | [0,6] clipped to [0,4]
  //  l2 project (residual), l1 dw k3 s1: [0,2] | [0,4]
  //  l0 stem: l1 needs [-1,3]->[0,3] | [0,4]; the residual needs [0,2] | [0,4]
  //  image: stem k3 s2 needs [-1,7]->[0,7] | [-1,9]->[0,8]
  const std::vector<std::pair<RowRange, RowRange>> expected = {
      {{0, 3}, {0, 4}}, {{0, 2}, {0, 4}}, {{0, 2}, {0, 4}},
      {{0, 2}, {0, 4}}, {{0, 0}, {1, 2}}, {{0, 0}, {1, 2}}};
  for (int l = 0; l < 6; ++l) {
    EXPECT_EQ(g.rows(l, 0), expected[l].first) << "layer " << l;
    EXPECT_EQ(g.rows(l, 1), expected[l].second) << "layer " << l;
  }
  EXPECT_EQ(g.image_rows[0], (RowRange{0, 7}));
  EXPECT_EQ(g.image_rows[1], (RowRange{0, 8}));
  EXPECT_EQ(g.max_image_rows, 9);
  EXPECT_EQ(g.max_out_rows, (std::vector<int>{5, 5, 5, 5, 2, 2}));
  EXPECT_EQ(g.sum_out_rows, (std::vector<int>{9, 8, 8, 8, 3, 3}));

  // Overlap MACs: per layer, MACs per output pixel x (sum of tile rows)^2.
  const Estimate e = estimate(arch, testing::unit_mcu());
  const std::int64_t with_overlap = 108 * 81 + 36 * 64 + 16 * 64 + 48 * 64 + 300 * 9 + 96 * 9;
  EXPECT_EQ(e.patch->stage_macs_with_overlap, with_overlap);
  EXPECT_EQ(e.patch->stage_macs, 2700 + 900 + 400 + 1200 + 2700 + 864);
  EXPECT_EQ(e.patch->input_patch_h, 9);
}

// Independent check: which rows of every tensor does a tile need, found by marking each
// input row every needed output row reads through every kernel tap. A tile computes a
// rectangle, so a tensor's rows are the span from its first to its last needed row (a 1x1
// stride-2 stem reads every other row, yet the tile holds the rows between).
void fill_span(std::vector<bool>& rows) {
  const auto first = std::find(rows.begin(), rows.end(), true);
  const auto last = std::find(rows.rbegin(), rows.rend(), true);
  if (first != rows.end()) std::fill(first, last.base(), true);
}

std::vector<std::vector<bool>> brute_force_rows(const Network& net, int tile) {
  const int stage = net.patch_layers;
  std::vector<std::vector<bool>> need(stage + 1);
  need[0].assign(net.layers[0].in.h, false);
  for (int l = 0; l < stage; ++l) need[l + 1].assign(net.layers[l].out.h, false);
  const RowRange t = tile_rows(net.layers[stage - 1].out.h, net.patch_n, tile);
  for (int r = t.lo; r <= t.hi; ++r) need[stage][r] = true;
  for (int l = stage - 1; l >= 0; --l) {
    const Layer& layer = net.layers[l];
    fill_span(need[l + 1]);
    for (int r = 0; r < layer.out.h; ++r) {
      if (!need[l + 1][r]) continue;
      for (int tap = 0; tap < layer.kernel; ++tap) {
        const int in = r * layer.stride - layer.pad + tap;
        if (in >= 0 && in < layer.in.h) need[layer.input][in] = true;
      }
      if (layer.residual >= 0) need[layer.residual][r] = true;
    }
  }
  fill_span(need[0]);
  return need;
}

TEST(PatchGeometry, MatchesBruteForceOnRandomShapes) {
  std::mt19937 rng(7);
  int checked = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const Arch a = testing::random_arch(rng, true);
    if (!a.patch) continue;
    const int n = a.patch->n;
    const Network net = lower(a);
    PatchGeometry g;
    compute_patch_geometry(net, g);
    for (int tile = 0; tile < n; ++tile) {
      const auto need = brute_force_rows(net, tile);
      for (int l = 0; l < net.patch_layers; ++l) {
        const auto& rows = need[l + 1];
        const RowRange got = g.rows(l, tile);
        for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
          ASSERT_EQ(rows[r], r >= got.lo && r <= got.hi)
              << "trial " << trial << " layer " << l << " tile " << tile << " row " << r;
        }
      }
      for (int r = 0; r < static_cast<int>(need[0].size()); ++r) {
        ASSERT_EQ(need[0][r], r >= g.image_rows[tile].lo && r <= g.image_rows[tile].hi);
      }
    }
    ++checked;
  }
  EXPECT_GT(checked, 150);
}

}  // namespace
}  // namespace patchnas
