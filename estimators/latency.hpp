// The analytical latency model: cycles per layer from an McuProfile's coefficients,
//   cycles = cycles_per_mac * MACs + cycles_per_output * outputs + cycles_per_call * calls
//          + cycles_per_input * inputs + cycles_per_weight * weights + cycles_per_row * rows
//          + cycles_per_window_word * window_words
// where, summed over the layer's kernel calls (one per layer, or one per tile in the patch
// stage, which also pays the overlap): outputs are output elements, inputs the elements of the
// input regions the outputs need, weights the layer's int8 weights once per call (per-call
// setup that scales with them: weight sums, repacking), rows the output rows of every output
// channel (per-row, per-channel loop overhead, e.g. the in-place depthwise's plane loop),
// window_words (conv, depthwise, pointwise), per output, the 32-bit words its k x k window spans together with its right
// neighbour's over the k kernel rows, k * ceil((k + stride) / 4): SIMD kernels read int8 four
// to a word and compute neighbouring outputs together, so their loads follow this, not k * k
// (a depthwise 5x5 loads as many words as a 7x7; stride 2 loads more).
//   const LayerWork w = layer_work(layer);                        // one call, whole maps
//   double c = layer_cycles(mcu, cost_kind_of(layer, in_place), w);
#pragma once

#include <cstdint>

#include "estimators/layer_cost.hpp"
#include "estimators/mcu_profile.hpp"

namespace patchnas {

struct LayerWork {
  std::int64_t macs = 0;
  std::int64_t outputs = 0;
  std::int64_t inputs = 0;
  std::int64_t weights = 0;
  std::int64_t rows = 0;
  std::int64_t window_words = 0;
  std::int64_t calls = 1;
};

// The work of `layer` run as n x n tiles whose output rows sum to out_rows (columns to
// out_cols) and whose needed input rows sum to in_rows (columns to in_cols); per-layer
// execution is n = 1 with the full map sizes (the default).
inline LayerWork layer_work(const Layer& l, int n, std::int64_t out_rows, std::int64_t out_cols,
                            std::int64_t in_rows, std::int64_t in_cols) {
  LayerWork w;
  w.calls = std::int64_t{n} * n;
  w.macs = layer_macs_per_output_pixel(l) * out_rows * out_cols;
  w.outputs = out_rows * out_cols * l.out.c;
  w.inputs = in_rows * in_cols * l.in.c;
  w.weights = layer_weights(l) * w.calls;
  w.rows = out_rows * n * l.out.c;  // tile (r, c) computes rows_r of each channel
  const bool windowed = l.kind == LayerKind::Conv || l.kind == LayerKind::Depthwise ||
                        l.kind == LayerKind::Pointwise;
  w.window_words = windowed ? w.outputs * l.kernel * ((l.kernel + l.stride + 3) / 4) : 0;
  return w;
}
inline LayerWork layer_work(const Layer& l) {
  return layer_work(l, 1, l.out.h, l.out.w, l.in.h, l.in.w);
}

inline double layer_cycles(const McuProfile& mcu, CostKind kind, const LayerWork& w) {
  const OpCoefficients& k = mcu.coefficients(kind);
  return k.cycles_per_mac * static_cast<double>(w.macs) +
         k.cycles_per_output * static_cast<double>(w.outputs) +
         k.cycles_per_call * static_cast<double>(w.calls) +
         k.cycles_per_input * static_cast<double>(w.inputs) +
         k.cycles_per_weight * static_cast<double>(w.weights) +
         k.cycles_per_row * static_cast<double>(w.rows) +
         k.cycles_per_window_word * static_cast<double>(w.window_words);
}

inline double cycles_to_ms(const McuProfile& mcu, double cycles) {
  return cycles / mcu.clock_hz * 1000.0;
}

}  // namespace patchnas
