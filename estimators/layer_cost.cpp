#include "estimators/layer_cost.hpp"

namespace patchnas {

std::int64_t layer_macs_per_output_pixel(const Layer& l) {
  const std::int64_t k2 = std::int64_t{l.kernel} * l.kernel;
  switch (l.kind) {
    case LayerKind::Conv: return k2 * l.in.c * l.out.c;
    case LayerKind::Depthwise: return k2 * l.out.c;
    case LayerKind::Pointwise: return std::int64_t{l.in.c} * l.out.c;
    case LayerKind::FullyConnected: return std::int64_t{l.in.c} * l.out.c;
    case LayerKind::GlobalAvgPool: return 0;
  }
  return 0;
}

std::int64_t layer_macs(const Layer& l) {
  return layer_macs_per_output_pixel(l) * l.out.h * l.out.w;
}

std::int64_t layer_weights(const Layer& l) {
  const std::int64_t k2 = std::int64_t{l.kernel} * l.kernel;
  switch (l.kind) {
    case LayerKind::Conv: return k2 * l.in.c * l.out.c;
    case LayerKind::Depthwise: return k2 * l.out.c;
    case LayerKind::Pointwise:
    case LayerKind::FullyConnected: return std::int64_t{l.in.c} * l.out.c;
    case LayerKind::GlobalAvgPool: return 0;
  }
  return 0;
}

namespace {

std::int64_t weighted_output_channels(const Layer& l) {
  return l.kind == LayerKind::GlobalAvgPool ? 0 : l.out.c;
}

}  // namespace

std::int64_t layer_params(const Layer& l) { return layer_weights(l) + weighted_output_channels(l); }

std::int64_t layer_flash_bytes(const Layer& l) {
  const std::int64_t requantization = l.kind == LayerKind::GlobalAvgPool
                                          ? kFlashBytesPoolRequantization
                                          : kFlashBytesPerOutputChannel * weighted_output_channels(l);
  return layer_weights(l) + requantization + kFlashBytesPerLayer +
         (l.residual >= 0 ? kFlashBytesPerResidual : 0);
}

CostTotals network_costs(const Network& net) {
  CostTotals t;
  t.model_flash_bytes = kFlashBytesPerModel +
                        kFlashBytesPerTileRow * net.patch_n * static_cast<std::int64_t>(net.patch_layers);
  for (const Layer& l : net.layers) {
    t.macs += layer_macs(l);
    t.params += layer_params(l);
    t.model_flash_bytes += layer_flash_bytes(l);
  }
  return t;
}

}  // namespace patchnas
