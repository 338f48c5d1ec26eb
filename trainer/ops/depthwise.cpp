#include "trainer/ops/depthwise.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define PATCHNAS_DEPTHWISE_AVX2 1
#endif

#include "trainer/parallel.hpp"

namespace patchnas::trainer {
namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("depthwise: " + what);
}

constexpr int kMaxKernel = 15;  // tap pointer lists live on the stack
constexpr int kMaxTaps = kMaxKernel * kMaxKernel;

// The two kernels every depthwise pass is made of, over c contiguous channels and a list of
// taps (pointers to the tap's first channel). Channels go in blocks of 32 (four AVX registers of
// accumulators), then 8, then one at a time; every lane computes fma(a, b, acc) in tap order, so
// the vector and scalar paths round identically.

// out[j] = sum over t of a[t][j] * b[t][j] (forward: inputs x weights; dx: dy x weights).
void tap_dot(int taps, const float* const* a, const float* const* b, int c, float* out) {
  int c0 = 0;
#ifdef PATCHNAS_DEPTHWISE_AVX2
  for (; c0 + 32 <= c; c0 += 32) {
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    for (int t = 0; t < taps; ++t) {
      const float* p = a[t] + c0;
      const float* q = b[t] + c0;
      s0 = _mm256_fmadd_ps(_mm256_loadu_ps(p), _mm256_loadu_ps(q), s0);
      s1 = _mm256_fmadd_ps(_mm256_loadu_ps(p + 8), _mm256_loadu_ps(q + 8), s1);
      s2 = _mm256_fmadd_ps(_mm256_loadu_ps(p + 16), _mm256_loadu_ps(q + 16), s2);
      s3 = _mm256_fmadd_ps(_mm256_loadu_ps(p + 24), _mm256_loadu_ps(q + 24), s3);
    }
    _mm256_storeu_ps(out + c0, s0);
    _mm256_storeu_ps(out + c0 + 8, s1);
    _mm256_storeu_ps(out + c0 + 16, s2);
    _mm256_storeu_ps(out + c0 + 24, s3);
  }
  for (; c0 + 8 <= c; c0 += 8) {
    __m256 s = _mm256_setzero_ps();
    for (int t = 0; t < taps; ++t) {
      s = _mm256_fmadd_ps(_mm256_loadu_ps(a[t] + c0), _mm256_loadu_ps(b[t] + c0), s);
    }
    _mm256_storeu_ps(out + c0, s);
  }
#endif
  for (; c0 < c; ++c0) {
    float s = 0.0f;
    for (int t = 0; t < taps; ++t) s = madd(a[t][c0], b[t][c0], s);
    out[c0] = s;
  }
}

// acc[t][j] += g[j] * x[t][j] for every tap t (the weight gradient of one output pixel).
void tap_accumulate(int taps, const float* g, const float* const* x, float* const* acc, int c) {
  int c0 = 0;
#ifdef PATCHNAS_DEPTHWISE_AVX2
  for (; c0 + 32 <= c; c0 += 32) {
    const __m256 g0 = _mm256_loadu_ps(g + c0), g1 = _mm256_loadu_ps(g + c0 + 8),
                 g2 = _mm256_loadu_ps(g + c0 + 16), g3 = _mm256_loadu_ps(g + c0 + 24);
    for (int t = 0; t < taps; ++t) {
      const float* p = x[t] + c0;
      float* q = acc[t] + c0;
      _mm256_storeu_ps(q, _mm256_fmadd_ps(g0, _mm256_loadu_ps(p), _mm256_loadu_ps(q)));
      _mm256_storeu_ps(q + 8, _mm256_fmadd_ps(g1, _mm256_loadu_ps(p + 8), _mm256_loadu_ps(q + 8)));
      _mm256_storeu_ps(q + 16,
                       _mm256_fmadd_ps(g2, _mm256_loadu_ps(p + 16), _mm256_loadu_ps(q + 16)));
      _mm256_storeu_ps(q + 24,
                       _mm256_fmadd_ps(g3, _mm256_loadu_ps(p + 24), _mm256_loadu_ps(q + 24)));
    }
  }
  for (; c0 + 8 <= c; c0 += 8) {
    const __m256 gv = _mm256_loadu_ps(g + c0);
    for (int t = 0; t < taps; ++t) {
      float* q = acc[t] + c0;
      _mm256_storeu_ps(q, _mm256_fmadd_ps(gv, _mm256_loadu_ps(x[t] + c0), _mm256_loadu_ps(q)));
    }
  }
#endif
  for (; c0 < c; ++c0) {
    for (int t = 0; t < taps; ++t) acc[t][c0] = madd(g[c0], x[t][c0], acc[t][c0]);
  }
}

// The taps of the kernel that land inside the input for output coordinate o: [first, last).
struct TapRange {
  int first = 0;
  int last = 0;
};
inline TapRange valid_taps(int o, int in_size, ConvGeometry g) {
  const int start = o * g.stride - g.pad;
  return {std::max(0, -start), std::min(g.k, in_size - start)};
}

struct DwShape {
  int ho = 0;
  int wo = 0;
};

DwShape check(const Tensor& x, std::size_t weight_size, ConvGeometry g) {
  require(g.k > 0 && g.k <= kMaxKernel && g.stride > 0 && g.pad >= 0,
          "k must be in [1, 15], stride positive, pad >= 0");
  require(x.c > 0, "the channel count must be positive");
  require(weight_size == static_cast<std::size_t>(g.k) * g.k * x.c, "weight must be [k][k][c]");
  DwShape s{g.out_size(x.h), g.out_size(x.w)};
  require(s.ho > 0 && s.wo > 0, "the input is smaller than the kernel");
  return s;
}

// For output pixel (n, oy, ox): the in-bounds taps, as pointers into x (or any tensor of x's
// shape, at `base`) and into a [k][k][c] array at `taps_base`. Returns the tap count.
template <class TapPtr>
int output_taps(const Tensor& x, const float* base, TapPtr* taps_base, ConvGeometry g, int n,
                int oy, int ox, const float** in, TapPtr** tap) {
  const TapRange ty = valid_taps(oy, x.h, g);
  const TapRange tx = valid_taps(ox, x.w, g);
  const int iy0 = oy * g.stride - g.pad;
  const int ix0 = ox * g.stride - g.pad;
  int count = 0;
  for (int ky = ty.first; ky < ty.last; ++ky) {
    for (int kx = tx.first; kx < tx.last; ++kx, ++count) {
      in[count] = base + x.index(n, iy0 + ky, ix0 + kx, 0);
      tap[count] = taps_base + static_cast<std::size_t>(ky * g.k + kx) * x.c;
    }
  }
  return count;
}

}  // namespace

void depthwise_forward(const Tensor& x, std::span<const float> weight, ConvGeometry g, Tensor& y) {
  const DwShape s = check(x, weight.size(), g);
  require(&y != &x, "y must not alias x");
  y.resize(x.n, s.ho, s.wo, x.c);
  const int c = x.c;
  const std::size_t rows = static_cast<std::size_t>(x.n) * s.ho;
  const std::size_t grain = std::max<std::size_t>(1, 16384 / (static_cast<std::size_t>(s.wo) * c));
  parallel_chunks(rows, grain, [&](ChunkRange r) {
    const float* in[kMaxTaps];
    const float* tap[kMaxTaps];
    for (std::size_t row = r.begin; row < r.end; ++row) {
      const int n = static_cast<int>(row / s.ho);
      const int oy = static_cast<int>(row % s.ho);
      for (int ox = 0; ox < s.wo; ++ox) {
        const int taps = output_taps(x, x.ptr(), weight.data(), g, n, oy, ox, in, tap);
        tap_dot(taps, in, tap, c, y.ptr() + y.index(n, oy, ox, 0));
      }
    }
  });
}

void depthwise_backward(const Tensor& x, const Tensor& dy, std::span<const float> weight,
                        ConvGeometry g, Tensor* dx, std::span<float> dweight) {
  const DwShape s = check(x, weight.size(), g);
  require(dy.n == x.n && dy.h == s.ho && dy.w == s.wo && dy.c == x.c,
          "dy must have the output's shape");
  require(dweight.size() == weight.size(), "dweight must have weight's size");
  if (dx != nullptr) {
    require(dx != &x && dx != &dy, "dx must not alias x or dy");
    dx->resize(x.n, x.h, x.w, x.c);
  }
  const int c = x.c;
  const std::size_t grain = std::max<std::size_t>(
      1, 16384 / (static_cast<std::size_t>(s.ho) * s.wo * c));
  const float* w = weight.data();
  reduce_chunks_ordered<float>(
      static_cast<std::size_t>(x.n), grain, dweight, [&](ChunkRange r, float* partial) {
        const float* in[kMaxTaps];
        float* acc[kMaxTaps];
        const float* grad[kMaxTaps];
        const float* tap[kMaxTaps];
        for (std::size_t sample = r.begin; sample < r.end; ++sample) {
          const int n = static_cast<int>(sample);
          // dweight[tap] += dy[o] * x[o's tap input], over the output pixels in order.
          for (int oy = 0; oy < s.ho; ++oy) {
            for (int ox = 0; ox < s.wo; ++ox) {
              const int taps = output_taps(x, x.ptr(), partial, g, n, oy, ox, in, acc);
              tap_accumulate(taps, dy.ptr() + dy.index(n, oy, ox, 0), in, acc, c);
            }
          }
          if (dx == nullptr) continue;
          // dx gathered (written once, no zero fill): input (iy, ix) receives dy[oy][ox] * w[tap]
          // from every output whose tap lands on it, iy = oy * stride - pad + ky.
          for (int iy = 0; iy < x.h; ++iy) {
            for (int ix = 0; ix < x.w; ++ix) {
              int taps = 0;
              for (int ky = 0; ky < g.k; ++ky) {
                const int ty = iy + g.pad - ky;
                if (ty < 0) break;
                if (ty % g.stride != 0 || ty / g.stride >= s.ho) continue;
                for (int kx = 0; kx < g.k; ++kx) {
                  const int tx = ix + g.pad - kx;
                  if (tx < 0) break;
                  if (tx % g.stride != 0 || tx / g.stride >= s.wo) continue;
                  grad[taps] = dy.ptr() + dy.index(n, ty / g.stride, tx / g.stride, 0);
                  tap[taps] = w + static_cast<std::size_t>(ky * g.k + kx) * c;
                  ++taps;
                }
              }
              tap_dot(taps, grad, tap, c, dx->ptr() + dx->index(n, iy, ix, 0));
            }
          }
        }
      });
}

}  // namespace patchnas::trainer
