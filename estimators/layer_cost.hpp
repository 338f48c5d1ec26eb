// Per-layer and whole-network compute and storage costs for int8 inference with BatchNorm
// folded into the convs: MACs, parameters (weights + one bias per output channel) and flash
// bytes (int8 weights, int32 biases, an int32 requantization multiplier and an int32 shift per
// output channel). The runtime's code size is added by the estimate from the MCU profile.
//   std::int64_t m = layer_macs(net.layers[0]);
//   CostTotals t = network_costs(net);
#pragma once

#include <cstdint>

#include "space/network.hpp"

namespace patchnas {

// Bytes stored per output channel besides the weights: int32 bias, multiplier and shift.
inline constexpr std::int64_t kFlashBytesPerOutputChannel = 4 + 4 + 4;

// MACs to produce one output pixel (all channels of it).
std::int64_t layer_macs_per_output_pixel(const Layer& layer);
std::int64_t layer_macs(const Layer& layer);
std::int64_t layer_weights(const Layer& layer);  // int8 weights, no biases
std::int64_t layer_params(const Layer& layer);   // weights + biases
std::int64_t layer_flash_bytes(const Layer& layer);

struct CostTotals {
  std::int64_t macs = 0;
  std::int64_t params = 0;
  std::int64_t model_flash_bytes = 0;  // weights and per-channel constants, no runtime code
};

CostTotals network_costs(const Network& net);

}  // namespace patchnas
