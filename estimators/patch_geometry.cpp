#include "estimators/patch_geometry.hpp"

#include <algorithm>

namespace patchnas {

RowRange input_rows_needed(const Layer& layer, RowRange out) {
  const int lo = out.lo * layer.stride - layer.pad;
  const int hi = out.hi * layer.stride - layer.pad + layer.kernel - 1;
  return {std::max(lo, 0), std::min(hi, layer.in.h - 1)};
}

RowRange tile_rows(int size, int n, int i) {
  return {static_cast<int>(std::int64_t{i} * size / n),
          static_cast<int>(std::int64_t{i + 1} * size / n) - 1};
}

namespace {

void widen(RowRange& target, RowRange add) {
  if (target.empty()) {
    target = add;
  } else {
    target.lo = std::min(target.lo, add.lo);
    target.hi = std::max(target.hi, add.hi);
  }
}

}  // namespace

void compute_patch_geometry(const Network& net, PatchGeometry& g) {
  const int n = net.patch_n;
  const int stage = net.patch_layers;
  g.n = n;
  g.stage_layers = stage;
  g.out_rows.assign(static_cast<std::size_t>(stage) * n, RowRange{});
  g.image_rows.assign(n, RowRange{});
  g.max_out_rows.assign(stage, 0);
  g.sum_out_rows.assign(stage, 0);
  g.sum_in_rows.assign(stage, 0);

  // need[t]: rows of tensor t the current tile must have; tensors 0..stage.
  std::vector<RowRange> need(stage + 1);
  const int stage_size = net.layers[stage - 1].out.h;
  for (int tile = 0; tile < n; ++tile) {
    std::fill(need.begin(), need.end(), RowRange{});
    need[stage] = tile_rows(stage_size, n, tile);
    for (int l = stage - 1; l >= 0; --l) {
      const Layer& layer = net.layers[l];
      const RowRange out = need[l + 1];
      g.out_rows[static_cast<std::size_t>(l) * n + tile] = out;
      widen(need[layer.input], input_rows_needed(layer, out));
      if (layer.residual >= 0) widen(need[layer.residual], out);
    }
    g.image_rows[tile] = need[0];
  }
  for (int l = 0; l < stage; ++l) {
    for (int tile = 0; tile < n; ++tile) {
      const RowRange& out = g.rows(l, tile);
      g.max_out_rows[l] = std::max(g.max_out_rows[l], out.rows());
      g.sum_out_rows[l] += out.rows();
      g.sum_in_rows[l] += input_rows_needed(net.layers[l], out).rows();
    }
  }
  g.max_image_rows = 0;
  for (const auto& r : g.image_rows) g.max_image_rows = std::max(g.max_image_rows, r.rows());
}

}  // namespace patchnas
