// The loop nest shared by the reference inferences (folded float and int8): which input
// values and weights every output of a conv-like layer (stem conv, depthwise, pointwise, FC)
// reads, in which order. Padding taps are skipped (zero padding contributes nothing; for
// int8 the skipped taps are exactly the zero-point-valued ones).
//
// Every output starts from start(o) and then takes mac(acc, weight, input) once per
// (tap, input channel) it reads: taps in row-major order, then input channels in order.
// That order is the arithmetic's definition; the loops below keep it while computing all of
// a pixel's output channels side by side (the innermost loop runs over output channels,
// independent sums over contiguous weights), which the compiler can vectorize without
// reordering any one sum.
//
// Weights come in the model's layout, conv / pointwise / FC [out_c][k][k][in_c] (k = 1 for
// the last two) and depthwise [k][k][c]; the first three are read through a copy laid out
// [k][k][in_c][out_c] made once per call.
//   for_each_output(layer, weight, in,
//       [&](int o) { return bias[o]; },                                 // start an output
//       [](auto& acc, auto w, auto x) { acc = madd(w, x, acc); },        // one product
//       [&](std::size_t index, int o, auto acc) { out[index] = finish(acc); });
#pragma once

#include <cstddef>
#include <type_traits>
#include <vector>

#include "space/network.hpp"

namespace patchnas::trainer {

// The weights of a conv, pointwise or FC layer reordered from [out_c][taps][in_c] to
// [taps][in_c][out_c], so that one (tap, input channel) reads a contiguous row of out_c.
template <typename W>
std::vector<W> weights_output_channel_last(const Layer& l, const W* weight) {
  const auto out_c = static_cast<std::size_t>(l.out.c);
  const auto per_output = static_cast<std::size_t>(l.kernel) * l.kernel * l.in.c;
  std::vector<W> rows(per_output * out_c);
  for (std::size_t o = 0; o < out_c; ++o) {
    for (std::size_t j = 0; j < per_output; ++j) rows[j * out_c + o] = weight[o * per_output + j];
  }
  return rows;
}

template <typename W, typename X, typename Start, typename Mac, typename Finish>
void for_each_output(const Layer& l, const W* weight, const X* in, Start&& start, Mac&& mac,
                     Finish&& finish) {
  using Acc = std::decay_t<decltype(start(0))>;
  const bool depthwise = l.kind == LayerKind::Depthwise;
  const int k = l.kernel;
  const int in_c = l.in.c;
  const auto out_c = static_cast<std::size_t>(l.out.c);
  std::vector<W> reordered;
  if (!depthwise) reordered = weights_output_channel_last(l, weight);
  const W* rows = depthwise ? weight : reordered.data();
  std::vector<Acc> acc(out_c);
  for (int oy = 0; oy < l.out.h; ++oy) {
    for (int ox = 0; ox < l.out.w; ++ox) {
      const std::size_t pixel = static_cast<std::size_t>(oy) * l.out.w + ox;
      for (std::size_t o = 0; o < out_c; ++o) acc[o] = start(static_cast<int>(o));
      for (int ky = 0; ky < k; ++ky) {
        const int iy = oy * l.stride - l.pad + ky;
        if (iy < 0 || iy >= l.in.h) continue;
        for (int kx = 0; kx < k; ++kx) {
          const int ix = ox * l.stride - l.pad + kx;
          if (ix < 0 || ix >= l.in.w) continue;
          const X* x = in + (static_cast<std::size_t>(iy) * l.in.w + ix) * in_c;
          const std::size_t tap = static_cast<std::size_t>(ky) * k + kx;
          if (depthwise) {
            const W* w = rows + tap * out_c;
            for (std::size_t o = 0; o < out_c; ++o) mac(acc[o], w[o], x[o]);
          } else {
            for (int c = 0; c < in_c; ++c) {
              const W* w = rows + (tap * in_c + c) * out_c;
              const X xc = x[c];
              for (std::size_t o = 0; o < out_c; ++o) mac(acc[o], w[o], xc);
            }
          }
        }
      }
      for (std::size_t o = 0; o < out_c; ++o) finish(pixel * out_c + o, static_cast<int>(o), acc[o]);
    }
  }
}

}  // namespace patchnas::trainer
