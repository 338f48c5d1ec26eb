// Memory schedule: the arena buffers an execution needs and the steps during which each is live.
// Step i runs layer i; in patch mode steps 0..P-1 stand for one tile (every tile has the same
// buffers, each sized for the largest tile) and the stage output is one full-size buffer, live
// from the first tile to its last reader. Rules (int8, one byte per element):
//  - a layer's input and output are live together;
//  - a depthwise conv writes over its input when no later layer reads that input; it then needs
//    a scratch plane of one input channel (in_h x in_w bytes) for the channel being computed;
//  - a residual block's input stays live until its add, which is fused into the projection;
//    the projection writes its output over the block input;
//  - the input image is outside the arena unless `input_in_arena`.
// The planner (memory_planner.hpp) turns this into offsets; the runtime executes that plan.
//   MemorySchedule s; build_memory_schedule(net, nullptr, false, s);   // per-layer
//   s.peak_activation_bytes;   // 1,404,928 for MobileNetV2 w1.0 r224
#pragma once

#include <cstdint>
#include <vector>

#include "estimators/patch_geometry.hpp"
#include "space/network.hpp"

namespace patchnas {

enum class BufferKind : std::uint8_t { Image, Activation, StageOutput, Scratch };

struct ArenaBuffer {
  std::int64_t bytes = 0;
  int first_step = 0;
  int last_step = 0;  // inclusive
  BufferKind kind = BufferKind::Activation;
};

struct MemorySchedule {
  std::vector<ArenaBuffer> buffers;
  std::vector<int> tensor_buffer;   // tensor id -> buffer index, -1 when outside the arena
  std::vector<int> step_scratch;    // step -> scratch buffer index, -1 when none
  std::vector<int> tensor_last_step;  // tensor id -> last step that reads it (or makes it)
  std::vector<std::int64_t> step_activation_bytes;  // live activation bytes per step
  std::vector<std::int64_t> step_total_bytes;       // the same plus scratch
  std::int64_t peak_activation_bytes = 0;
  std::int64_t peak_total_bytes = 0;  // the lower bound of any arena for this schedule

  int steps() const { return static_cast<int>(step_total_bytes.size()); }
};

// Depthwise-in-place scratch: one channel plane of the input.
inline std::int64_t depthwise_inplace_scratch_bytes(int in_h, int in_w) {
  return std::int64_t{in_h} * in_w;
}

// `geometry` is null for per-layer execution; for patch execution it must describe `net`.
void build_memory_schedule(const Network& net, const PatchGeometry* geometry, bool input_in_arena,
                           MemorySchedule& schedule);

}  // namespace patchnas
