// The loop nest shared by the reference inferences (folded float and int8): which input
// values and weights every output of a conv-like layer (stem conv, depthwise, pointwise, FC)
// reads, in which order. Padding taps are skipped (zero padding contributes nothing; for
// int8 the skipped taps are exactly the zero-point-valued ones). Weight layouts: conv,
// pointwise and FC [out_c][k][k][in_c] (k = 1 for the last two), depthwise [k][k][c].
//   for_each_output(layer,
//       [&](int o) { return bias[o]; },                               // start an output
//       [&](auto& acc, std::size_t w, std::size_t x) { acc += weight[w] * in[x]; },
//       [&](std::size_t index, int o, auto acc) { out[index] = finish(acc); });
#pragma once

#include <cstddef>

#include "space/network.hpp"

namespace patchnas::trainer {

template <typename Start, typename Mac, typename Finish>
void for_each_output(const Layer& l, Start&& start, Mac&& mac, Finish&& finish) {
  const bool depthwise = l.kind == LayerKind::Depthwise;
  const int k = l.kernel;
  const int in_c = l.in.c;
  const int out_c = l.out.c;
  for (int oy = 0; oy < l.out.h; ++oy) {
    for (int ox = 0; ox < l.out.w; ++ox) {
      const std::size_t pixel = static_cast<std::size_t>(oy) * l.out.w + ox;
      for (int o = 0; o < out_c; ++o) {
        auto acc = start(o);
        for (int ky = 0; ky < k; ++ky) {
          const int iy = oy * l.stride - l.pad + ky;
          if (iy < 0 || iy >= l.in.h) continue;
          for (int kx = 0; kx < k; ++kx) {
            const int ix = ox * l.stride - l.pad + kx;
            if (ix < 0 || ix >= l.in.w) continue;
            const std::size_t input = (static_cast<std::size_t>(iy) * l.in.w + ix) * in_c;
            if (depthwise) {
              mac(acc, static_cast<std::size_t>(ky * k + kx) * out_c + o, input + o);
            } else {
              const std::size_t weight = ((static_cast<std::size_t>(o) * k + ky) * k + kx) * in_c;
              for (int c = 0; c < in_c; ++c) mac(acc, weight + c, input + c);
            }
          }
        }
        finish(pixel * out_c + o, o, acc);
      }
    }
  }
}

}  // namespace patchnas::trainer
