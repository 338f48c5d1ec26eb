// Per-layer and whole-network compute and storage costs for int8 inference with BatchNorm
// folded into the convs: MACs, parameters (weights + one bias per output channel) and flash
// bytes: what the exported model.c holds as constants, to the byte on Cortex-M (int8 weights,
// an int32 bias, requantization multiplier and shift per output channel, the runtime's layer
// descriptor and residual parameters per layer, the tile rows of the patch stage and the model
// descriptor). The runtime's code size is added by the estimate from the MCU profile.
//   std::int64_t m = layer_macs(net.layers[0]);
//   CostTotals t = network_costs(net);
#pragma once

#include <cstdint>

#include "space/network.hpp"

namespace patchnas {

// Bytes stored per output channel besides the weights: int32 bias, multiplier and shift.
inline constexpr std::int64_t kFlashBytesPerOutputChannel = 4 + 4 + 4;
// The runtime's structures on a 32-bit Cortex-M (runtime/include/pn_model.h): a pn_layer per
// layer, a pn_residual_params per residual add, the pooling layer's one multiplier and shift,
// two int16 tile rows per patch-stage layer and tile, and the pn_model itself.
inline constexpr std::int64_t kFlashBytesPerLayer = 104;
inline constexpr std::int64_t kFlashBytesPerResidual = 20;
inline constexpr std::int64_t kFlashBytesPoolRequantization = 4 + 4;
inline constexpr std::int64_t kFlashBytesPerTileRow = 2 * 2;
inline constexpr std::int64_t kFlashBytesPerModel = 28;

// MACs to produce one output pixel (all channels of it).
std::int64_t layer_macs_per_output_pixel(const Layer& layer);
std::int64_t layer_macs(const Layer& layer);
std::int64_t layer_weights(const Layer& layer);  // int8 weights, no biases
std::int64_t layer_params(const Layer& layer);   // weights + biases
std::int64_t layer_flash_bytes(const Layer& layer);

struct CostTotals {
  std::int64_t macs = 0;
  std::int64_t params = 0;
  std::int64_t model_flash_bytes = 0;  // the model's constants, no runtime code
};

CostTotals network_costs(const Network& net);

}  // namespace patchnas
