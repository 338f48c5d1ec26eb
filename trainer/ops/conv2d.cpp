#include "trainer/ops/conv2d.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "trainer/ops/pointwise.hpp"
#include "trainer/parallel.hpp"

namespace patchnas::trainer {
namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("conv2d: " + what);
}

struct ConvShape {
  int ho = 0;
  int wo = 0;
  int taps = 0;          // k * k * in_c: one im2col row, one weight row
  std::size_t grain = 1;  // samples per chunk
};

ConvShape check(const Tensor& x, std::size_t weight_size, int out_c, ConvGeometry g) {
  require(g.k > 0 && g.stride > 0 && g.pad >= 0, "k and stride must be positive, pad >= 0");
  require(x.c > 0 && out_c > 0, "channel counts must be positive");
  ConvShape s;
  s.ho = g.out_size(x.h);
  s.wo = g.out_size(x.w);
  require(s.ho > 0 && s.wo > 0, "the input is smaller than the kernel");
  s.taps = g.k * g.k * x.c;
  require(weight_size == static_cast<std::size_t>(out_c) * s.taps,
          "weight must be [out_c][k][k][in_c]");
  // Whole samples, about gemm_row_grain rows of columns per chunk (no heap inside the GEMM).
  s.grain = std::max<std::size_t>(
      1, gemm_row_grain(std::max(s.taps, out_c)) / static_cast<std::size_t>(s.ho * s.wo));
  return s;
}

// Calls visit(row, tap_offset, input_offset) for every in-bounds (output pixel, kernel tap) of
// samples [n0, n1); row counts output pixels from n0, tap_offset = (ky*k + kx) * in_c, and
// input_offset indexes x's pixel (in units of floats). Out-of-bounds taps are zero padding.
template <class Visit>
void for_each_tap(const Tensor& x, ConvGeometry g, const ConvShape& s, std::size_t n0,
                  std::size_t n1, Visit&& visit) {
  std::size_t row = 0;
  for (std::size_t n = n0; n < n1; ++n) {
    for (int oy = 0; oy < s.ho; ++oy) {
      for (int ox = 0; ox < s.wo; ++ox, ++row) {
        for (int ky = 0; ky < g.k; ++ky) {
          const int iy = oy * g.stride - g.pad + ky;
          if (iy < 0 || iy >= x.h) continue;
          for (int kx = 0; kx < g.k; ++kx) {
            const int ix = ox * g.stride - g.pad + kx;
            if (ix < 0 || ix >= x.w) continue;
            visit(row, (ky * g.k + kx) * x.c, x.index(static_cast<int>(n), iy, ix, 0));
          }
        }
      }
    }
  }
}

// cols [rows][taps] of samples [n0, n1), zero where the kernel hangs over the border.
void im2col(const Tensor& x, ConvGeometry g, const ConvShape& s, std::size_t n0, std::size_t n1,
            std::vector<float>& cols) {
  const std::size_t rows = (n1 - n0) * s.ho * s.wo;
  cols.assign(rows * s.taps, 0.0f);
  const float* in = x.ptr();
  const int c = x.c;
  for_each_tap(x, g, s, n0, n1, [&](std::size_t row, int tap, std::size_t at) {
    std::copy(in + at, in + at + c, cols.data() + row * s.taps + tap);
  });
}

}  // namespace

void conv2d_forward(const Tensor& x, std::span<const float> weight, int out_c, ConvGeometry g,
                    Tensor& y) {
  const ConvShape s = check(x, weight.size(), out_c, g);
  require(&y != &x, "y must not alias x");
  y.resize(x.n, s.ho, s.wo, out_c);
  const std::size_t per_sample = static_cast<std::size_t>(s.ho) * s.wo;
  parallel_chunks(static_cast<std::size_t>(x.n), s.grain, [&](ChunkRange r) {
    thread_local std::vector<float> cols;
    im2col(x, g, s, r.begin, r.end, cols);
    const int rows = static_cast<int>((r.end - r.begin) * per_sample);
    matmul_abt(rows, out_c, s.taps, cols.data(), weight.data(),
               y.ptr() + r.begin * per_sample * out_c, false);
  });
}

void conv2d_backward(const Tensor& x, const Tensor& dy, std::span<const float> weight,
                     ConvGeometry g, Tensor* dx, std::span<float> dweight) {
  const int out_c = dy.c;
  const ConvShape s = check(x, weight.size(), out_c, g);
  require(dy.n == x.n && dy.h == s.ho && dy.w == s.wo, "dy must have the output's shape");
  require(dweight.size() == weight.size(), "dweight must have weight's size");
  if (dx != nullptr) {
    require(dx != &x && dx != &dy, "dx must not alias x or dy");
    dx->resize(x.n, x.h, x.w, x.c);
  }
  const std::size_t per_sample = static_cast<std::size_t>(s.ho) * s.wo;
  reduce_chunks_ordered<float>(
      static_cast<std::size_t>(x.n), s.grain, dweight, [&](ChunkRange r, float* partial) {
        thread_local std::vector<float> cols;
        thread_local std::vector<float> dcols;
        im2col(x, g, s, r.begin, r.end, cols);
        const int rows = static_cast<int>((r.end - r.begin) * per_sample);
        const float* g_out = dy.ptr() + r.begin * per_sample * out_c;
        matmul_atb(out_c, s.taps, rows, g_out, cols.data(), partial, false);
        if (dx == nullptr) return;
        dcols.resize(static_cast<std::size_t>(rows) * s.taps);
        matmul_ab(rows, s.taps, out_c, g_out, weight.data(), dcols.data(), false);
        float* out = dx->ptr();
        const std::size_t sample_size = static_cast<std::size_t>(x.h) * x.w * x.c;
        std::fill(out + r.begin * sample_size, out + r.end * sample_size, 0.0f);
        const int c = x.c;
        for_each_tap(x, g, s, r.begin, r.end, [&](std::size_t row, int tap, std::size_t at) {
          const float* src = dcols.data() + row * s.taps + tap;
          for (int ch = 0; ch < c; ++ch) out[at + ch] += src[ch];
        });
      });
}

}  // namespace patchnas::trainer
