#include "trainer/ops/batchnorm.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "trainer/parallel.hpp"

namespace patchnas::trainer {
namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("batchnorm: " + what);
}

// About 64 KiB of activations per chunk (the second, centred pass over a chunk hits the cache),
// at most 1024 pixels (float partial sums over a chunk stay accurate).
std::size_t pixel_grain(int channels) {
  return std::clamp<std::size_t>(16384 / static_cast<std::size_t>(channels), 16, 1024);
}

template <Activation A>
using ActivationTag = std::integral_constant<Activation, A>;

// Calls fn(ActivationTag<act>) so every kernel body is compiled once per activation.
template <class Fn>
void with_activation(Activation act, Fn&& fn) {
  if (act == Activation::Relu6) {
    fn(ActivationTag<Activation::Relu6>{});
  } else {
    fn(ActivationTag<Activation::None>{});
  }
}

inline float clamp_relu6(float v) { return std::min(std::max(v, 0.0f), 6.0f); }

// The pre-activation value, computed identically by forward and backward (so the ReLU6 mask
// backward recomputes is exactly forward's).
inline float pre_activation(float x, float scale, float shift) { return madd(x, scale, shift); }

// Per-channel scale = gamma * inv_std and shift = beta - mean * scale, into scratch [2c].
void affine_coefficients(const BatchNormParams& bn, const float* mean, const float* inv_std,
                         std::vector<float>& scratch) {
  const std::size_t c = bn.gamma.size();
  scratch.resize(2 * c);
  for (std::size_t i = 0; i < c; ++i) {
    const float scale = bn.gamma[i] * inv_std[i];
    scratch[i] = scale;
    scratch[c + i] = bn.beta[i] - mean[i] * scale;
  }
}

// One pixel of c channels: y = act(x * scale + shift) (+ residual). The row kernels take
// __restrict pointers (the ops forbid aliasing) so their loops vectorize without alias checks.
template <Activation A>
void normalize_row(int c, const float* __restrict x, const float* __restrict scale,
                   const float* __restrict shift, const float* __restrict residual,
                   float* __restrict y) {
  for (int i = 0; i < c; ++i) {
    const float v = pre_activation(x[i], scale[i], shift[i]);
    y[i] = A == Activation::Relu6 ? clamp_relu6(v) : v;
  }
  if (residual != nullptr) {
    for (int i = 0; i < c; ++i) y[i] += residual[i];
  }
}

// dy through the activation: for ReLU6, passes where 0 < y < 6, y recomputed exactly as forward.
// Loads unconditionally and selects without branches, so the loops vectorize.
template <Activation A>
inline float masked_gradient(float x, float g, float scale, float shift) {
  if constexpr (A == Activation::Relu6) {
    const float v = pre_activation(x, scale, shift);
    return ((v > 0.0f) & (v < 6.0f)) ? g : 0.0f;
  } else {
    return g;
  }
}

// One pixel: sum_g += g, sum_gx += g * xhat.
template <Activation A>
void gradient_sums_row(int c, const float* __restrict x, const float* __restrict dy,
                       const float* __restrict scale, const float* __restrict shift,
                       const float* __restrict mean, const float* __restrict inv_std,
                       float* __restrict sum_g, float* __restrict sum_gx) {
  for (int i = 0; i < c; ++i) {
    const float g = masked_gradient<A>(x[i], dy[i], scale[i], shift[i]);
    const float xhat = (x[i] - mean[i]) * inv_std[i];
    sum_g[i] += g;
    sum_gx[i] = madd(g, xhat, sum_gx[i]);
  }
}

// One pixel: dx = scale (g - mean(g) - xhat mean(g xhat)).
template <Activation A>
void input_gradient_row(int c, const float* __restrict x, const float* __restrict dy,
                        const float* __restrict scale, const float* __restrict shift,
                        const float* __restrict mean, const float* __restrict inv_std,
                        const float* __restrict mean_g, const float* __restrict mean_gx,
                        float* __restrict dx) {
  for (int i = 0; i < c; ++i) {
    const float g = masked_gradient<A>(x[i], dy[i], scale[i], shift[i]);
    const float xhat = (x[i] - mean[i]) * inv_std[i];
    dx[i] = scale[i] * (g - mean_g[i] - xhat * mean_gx[i]);
  }
}

// y = act(x * scale + shift) (+ residual), per channel, in parallel over pixel chunks.
void normalize(const Tensor& x, const float* scale, const float* shift, Activation act,
               const Tensor* residual, Tensor& y) {
  const auto c = static_cast<std::size_t>(x.c);
  const float* in = x.ptr();
  const float* res = residual != nullptr ? residual->ptr() : nullptr;
  float* out = y.ptr();
  with_activation(act, [&](auto tag) {
    parallel_chunks(x.pixels(), pixel_grain(x.c), [&](ChunkRange r) {
      for (std::size_t p = r.begin; p < r.end; ++p) {
        normalize_row<decltype(tag)::value>(x.c, in + p * c, scale, shift,
                                            res != nullptr ? res + p * c : nullptr, out + p * c);
      }
    });
  });
}

void check_residual(const Tensor& x, const Tensor* residual, const Tensor& y) {
  require(&y != &x, "y must not alias x");
  if (residual == nullptr) return;
  require(residual->n == x.n && residual->h == x.h && residual->w == x.w && residual->c == x.c,
          "the residual must have x's shape");
  require(residual != &x && residual != &y, "the residual must not be x or y");
}

void check_params(const Tensor& x, const BatchNormParams& bn) {
  const auto c = static_cast<std::size_t>(x.c);
  require(x.c > 0, "the channel count must be positive");
  require(bn.gamma.size() == c && bn.beta.size() == c && bn.running_mean.size() == c &&
              bn.running_var.size() == c,
          "gamma, beta and the running statistics must have one value per channel");
}

}  // namespace

void batchnorm_forward_train(const Tensor& x, BatchNormParams& bn, Activation act, Tensor& y,
                             BatchNormSaved& saved, const Tensor* residual) {
  check_params(x, bn);
  check_residual(x, residual, y);
  const std::size_t pixels = x.pixels();
  require(pixels > 1, "training needs more than one value per channel");
  const int c = x.c;
  const auto cs = static_cast<std::size_t>(c);

  // Per chunk: [sum | sum of squares about the chunk mean | sum^2 / count], in double; merged,
  // sum of squares about the batch mean = sum(m2) + sum(sum^2 / count) - total mean^2.
  thread_local std::vector<double> stats;
  stats.resize(3 * cs);
  const float* in = x.ptr();
  reduce_chunks_ordered<double>(pixels, pixel_grain(c), std::span<double>(stats),
                                [&](ChunkRange r, double* partial) {
    thread_local std::vector<double> sum;
    thread_local std::vector<float> centre;
    sum.assign(cs, 0.0);
    centre.assign(2 * cs, 0.0f);
    float* mean = centre.data();
    float* m2 = mean + cs;
    for (std::size_t p = r.begin; p < r.end; ++p) {
      const float* row = in + p * cs;
      for (int i = 0; i < c; ++i) sum[i] += row[i];
    }
    const auto count = static_cast<double>(r.end - r.begin);
    for (int i = 0; i < c; ++i) mean[i] = static_cast<float>(sum[i] / count);
    for (std::size_t p = r.begin; p < r.end; ++p) {
      const float* row = in + p * cs;
      for (int i = 0; i < c; ++i) {
        const float d = row[i] - mean[i];
        m2[i] = madd(d, d, m2[i]);
      }
    }
    for (int i = 0; i < c; ++i) {
      // m2 is centred on the float mean; shift it to the exact chunk mean.
      const double offset = sum[i] / count - mean[i];
      partial[i] = sum[i];
      partial[cs + i] = std::max(0.0, m2[i] - count * offset * offset);
      partial[2 * cs + i] = sum[i] * sum[i] / count;
    }
  });

  saved.mean.resize(cs);
  saved.inv_std.resize(cs);
  const auto total = static_cast<double>(pixels);
  const auto m = static_cast<double>(kBatchNormMomentum);
  for (std::size_t i = 0; i < cs; ++i) {
    const double mean = stats[i] / total;
    const double m2 = stats[cs + i] + stats[2 * cs + i] - total * mean * mean;
    const double var = std::max(m2 / total, 0.0);
    saved.mean[i] = static_cast<float>(mean);
    saved.inv_std[i] = static_cast<float>(1.0 / std::sqrt(var + kBatchNormEpsilon));
    bn.running_mean[i] = static_cast<float>((1.0 - m) * bn.running_mean[i] + m * mean);
    bn.running_var[i] =
        static_cast<float>((1.0 - m) * bn.running_var[i] + m * var * total / (total - 1.0));
  }

  thread_local std::vector<float> coefficients;
  affine_coefficients(bn, saved.mean.data(), saved.inv_std.data(), coefficients);
  y.resize(x.n, x.h, x.w, c);
  normalize(x, coefficients.data(), coefficients.data() + cs, act, residual, y);
}

void batchnorm_forward_eval(const Tensor& x, const BatchNormParams& bn, Activation act, Tensor& y,
                            const Tensor* residual) {
  check_params(x, bn);
  check_residual(x, residual, y);
  const auto cs = static_cast<std::size_t>(x.c);
  thread_local std::vector<float> inv_std;
  inv_std.resize(cs);
  for (std::size_t i = 0; i < cs; ++i) {
    inv_std[i] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(bn.running_var[i]) +
                                                    kBatchNormEpsilon));
  }
  thread_local std::vector<float> coefficients;
  affine_coefficients(bn, bn.running_mean.data(), inv_std.data(), coefficients);
  y.resize(x.n, x.h, x.w, x.c);
  normalize(x, coefficients.data(), coefficients.data() + cs, act, residual, y);
}

void batchnorm_backward(const Tensor& x, const Tensor& dy, const BatchNormParams& bn,
                        const BatchNormSaved& saved, Activation act, Tensor& dx,
                        std::span<float> dgamma, std::span<float> dbeta) {
  check_params(x, bn);
  const int c = x.c;
  const auto cs = static_cast<std::size_t>(c);
  require(dy.n == x.n && dy.h == x.h && dy.w == x.w && dy.c == c, "dy must have x's shape");
  require(saved.mean.size() == cs && saved.inv_std.size() == cs,
          "saved statistics must come from the training forward of this x");
  require(dgamma.size() == cs && dbeta.size() == cs, "dgamma and dbeta need one value per channel");
  require(&dx != &x && &dx != &dy, "dx must not alias x or dy");

  thread_local std::vector<float> coefficients;
  affine_coefficients(bn, saved.mean.data(), saved.inv_std.data(), coefficients);
  const float* scale = coefficients.data();
  const float* shift = scale + cs;
  const float* mean = saved.mean.data();
  const float* inv_std = saved.inv_std.data();
  const float* in = x.ptr();
  const float* grad = dy.ptr();
  const std::size_t pixels = x.pixels();
  const std::size_t grain = pixel_grain(c);

  // sums: [sum g | sum g * xhat] with g = dy through the activation's mask.
  thread_local std::vector<double> sums;
  sums.resize(2 * cs);
  thread_local std::vector<float> means;  // [mean g | mean g * xhat]
  means.resize(2 * cs);
  const float* mean_g = means.data();
  const float* mean_gx = mean_g + cs;
  dx.resize(x.n, x.h, x.w, c);
  float* out = dx.ptr();
  with_activation(act, [&](auto tag) {
    constexpr Activation A = decltype(tag)::value;
    reduce_chunks_ordered<double>(pixels, grain, std::span<double>(sums),
                                  [&](ChunkRange r, double* partial) {
      thread_local std::vector<float> acc;
      acc.assign(2 * cs, 0.0f);
      for (std::size_t p = r.begin; p < r.end; ++p) {
        gradient_sums_row<A>(c, in + p * cs, grad + p * cs, scale, shift, mean, inv_std,
                             acc.data(), acc.data() + cs);
      }
      for (std::size_t i = 0; i < 2 * cs; ++i) partial[i] = acc[i];
    });
    const auto total = static_cast<double>(pixels);
    for (std::size_t i = 0; i < cs; ++i) {
      means[i] = static_cast<float>(sums[i] / total);
      means[cs + i] = static_cast<float>(sums[cs + i] / total);
      dbeta[i] = static_cast<float>(sums[i]);
      dgamma[i] = static_cast<float>(sums[cs + i]);
    }
    parallel_chunks(pixels, grain, [&](ChunkRange r) {
      for (std::size_t p = r.begin; p < r.end; ++p) {
        input_gradient_row<A>(c, in + p * cs, grad + p * cs, scale, shift, mean, inv_std, mean_g,
                              mean_gx, out + p * cs);
      }
    });
  });
}

void relu6_forward(const Tensor& x, Tensor& y) {
  y.resize(x.n, x.h, x.w, x.c);
  const float* in = x.ptr();
  float* out = y.ptr();
  parallel_chunks(x.size(), 16384, [&](ChunkRange r) {
    for (std::size_t i = r.begin; i < r.end; ++i) out[i] = clamp_relu6(in[i]);
  });
}

void relu6_backward(const Tensor& y, const Tensor& dy, Tensor& dx) {
  require(dy.size() == y.size(), "dy must have y's shape");
  dx.resize(y.n, y.h, y.w, y.c);
  const float* out = y.ptr();
  const float* grad = dy.ptr();
  float* dst = dx.ptr();
  parallel_chunks(y.size(), 16384, [&](ChunkRange r) {
    for (std::size_t i = r.begin; i < r.end; ++i) {
      dst[i] = (out[i] > 0.0f && out[i] < 6.0f) ? grad[i] : 0.0f;
    }
  });
}

}  // namespace patchnas::trainer
