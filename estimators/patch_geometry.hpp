// Patch geometry: which rows (and, the input being square, which columns) of every patch-stage
// layer's output each tile computes. The stage output (H x W at the split) is cut into n x n
// tiles with edges at floor(i*H/n); walking back, output rows lo..hi of a layer need input rows
// lo*s-p .. hi*s-p+k-1, clipped to the feature map (zero padding only at true image borders),
// and a tensor read by several layers (a residual) is computed over the union of their needs.
// Tile (i, j) of layer l covers rows out_rows(l, i) x columns out_rows(l, j), so every tile is
// computed exactly and patch execution equals per-layer execution.
//   PatchGeometry g; compute_patch_geometry(net, g);
//   int interior = g.max_image_rows;     // 75 for MobileNetV2 r224, n=4, split=4
#pragma once

#include <vector>

#include "space/network.hpp"

namespace patchnas {

struct RowRange {
  int lo = 0;
  int hi = -1;  // inclusive; hi < lo means empty
  int rows() const { return hi - lo + 1; }
  bool empty() const { return hi < lo; }
  bool operator==(const RowRange&) const = default;
};

// Rows of `layer`'s input needed to compute its output rows `out`, clipped to the input.
RowRange input_rows_needed(const Layer& layer, RowRange out);

// Rows [floor(i*size/n), floor((i+1)*size/n) - 1] of tile i.
RowRange tile_rows(int size, int n, int i);

struct PatchGeometry {
  int n = 1;
  int stage_layers = 0;
  std::vector<RowRange> out_rows;  // [layer * n + tile]: output rows computed by tile row `tile`
  std::vector<RowRange> image_rows;  // [tile]: rows of the input image read by tile row `tile`
  std::vector<int> max_out_rows;     // [layer]: largest tile extent of the layer's output
  std::vector<int> sum_out_rows;     // [layer]: sum over tile rows (> size when tiles overlap)
  std::vector<int> sum_in_rows;      // [layer]: the same for the input rows the tiles need
  int max_image_rows = 0;

  const RowRange& rows(int layer, int tile) const { return out_rows[layer * n + tile]; }
};

// `net` must be patched (net.patch_layers > 0).
void compute_patch_geometry(const Network& net, PatchGeometry& geometry);

}  // namespace patchnas
