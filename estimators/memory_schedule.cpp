#include "estimators/memory_schedule.hpp"

#include <algorithm>

namespace patchnas {
namespace {

// Spatial extent of tensor t as this execution materializes it. Feature maps are square (the
// input is), and so are tiles (tile rows and columns follow the same edges).
int tensor_rows(const Network& net, const PatchGeometry* g, int tensor) {
  if (g != nullptr && tensor >= 1 && tensor < g->stage_layers) return g->max_out_rows[tensor - 1];
  return tensor == 0 ? net.layers[0].in.h : net.layers[tensor - 1].out.h;
}

std::int64_t tensor_bytes(const Network& net, const PatchGeometry* g, int tensor) {
  const std::int64_t rows = tensor_rows(net, g, tensor);
  const int channels = tensor == 0 ? net.layers[0].in.c : net.layers[tensor - 1].out.c;
  return rows * rows * channels;
}

int add_buffer(MemorySchedule& s, std::int64_t bytes, int first, int last, BufferKind kind) {
  s.buffers.push_back({bytes, first, last, kind});
  return static_cast<int>(s.buffers.size()) - 1;
}

}  // namespace

void build_memory_schedule(const Network& net, const PatchGeometry* g, bool input_in_arena,
                           MemorySchedule& s) {
  const int layers = static_cast<int>(net.layers.size());
  const int stage = g != nullptr ? g->stage_layers : 0;
  s.buffers.clear();
  s.tensor_buffer.assign(layers + 1, -1);
  s.step_scratch.assign(layers, -1);

  // last[t]: the last step reading tensor t (or making it, for the network output). The image,
  // read inside the patch stage but made outside it, stays live for every tile.
  std::vector<int>& last = s.tensor_last_step;
  last.assign(layers + 1, 0);
  for (int i = 0; i < layers; ++i) {
    const Layer& l = net.layers[i];
    last[l.input] = std::max(last[l.input], i);
    if (l.residual >= 0) last[l.residual] = std::max(last[l.residual], i);
    last[i + 1] = std::max(last[i + 1], i);
  }
  if (stage > 0) last[0] = std::max(last[0], stage - 1);

  if (input_in_arena) {
    s.tensor_buffer[0] = add_buffer(s, tensor_bytes(net, g, 0), 0, last[0], BufferKind::Image);
  }
  for (int i = 0; i < layers; ++i) {
    const Layer& l = net.layers[i];
    const int out = i + 1;
    const std::int64_t bytes = tensor_bytes(net, g, out);
    const bool writes_stage_output = stage > 0 && i == stage - 1;
    int reuse = -1;
    if (!writes_stage_output && l.kind == LayerKind::Depthwise && last[l.input] == i &&
        s.tensor_buffer[l.input] >= 0) {
      reuse = s.tensor_buffer[l.input];
      const int in_rows = tensor_rows(net, g, l.input);
      s.step_scratch[i] = add_buffer(s, depthwise_inplace_scratch_bytes(in_rows, in_rows), i, i,
                                     BufferKind::Scratch);
    } else if (!writes_stage_output && l.residual >= 0 && last[l.residual] == i &&
               s.tensor_buffer[l.residual] >= 0) {
      reuse = s.tensor_buffer[l.residual];
    }
    if (reuse >= 0) {
      ArenaBuffer& b = s.buffers[reuse];
      b.bytes = std::max(b.bytes, bytes);
      b.last_step = std::max(b.last_step, last[out]);
      s.tensor_buffer[out] = reuse;
    } else {
      s.tensor_buffer[out] =
          add_buffer(s, bytes, writes_stage_output ? 0 : i, last[out],
                     writes_stage_output ? BufferKind::StageOutput : BufferKind::Activation);
    }
  }

  // Live bytes per step by difference arrays over the lifetimes.
  std::vector<std::int64_t>& act = s.step_activation_bytes;
  std::vector<std::int64_t>& total = s.step_total_bytes;
  act.assign(layers + 1, 0);
  total.assign(layers + 1, 0);
  for (const ArenaBuffer& b : s.buffers) {
    total[b.first_step] += b.bytes;
    total[b.last_step + 1] -= b.bytes;
    if (b.kind != BufferKind::Scratch) {
      act[b.first_step] += b.bytes;
      act[b.last_step + 1] -= b.bytes;
    }
  }
  act.pop_back();
  total.pop_back();
  s.peak_activation_bytes = 0;
  s.peak_total_bytes = 0;
  std::int64_t running_act = 0;
  std::int64_t running_total = 0;
  for (int i = 0; i < layers; ++i) {
    running_act += act[i];
    running_total += total[i];
    act[i] = running_act;
    total[i] = running_total;
    s.peak_activation_bytes = std::max(s.peak_activation_bytes, running_act);
    s.peak_total_bytes = std::max(s.peak_total_bytes, running_total);
  }
}

}  // namespace patchnas
