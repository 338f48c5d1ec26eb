#include "trainer/ops/pool_fc.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "trainer/ops/pointwise.hpp"
#include "trainer/parallel.hpp"

namespace patchnas::trainer {
namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("pool_fc: " + what);
}

constexpr std::size_t kSampleGrain = 8;

}  // namespace

void global_avg_pool_forward(const Tensor& x, Tensor& y) {
  require(x.h > 0 && x.w > 0 && x.c > 0, "pooling needs a non-empty image");
  require(&y != &x, "y must not alias x");
  y.resize(x.n, 1, 1, x.c);
  const auto c = static_cast<std::size_t>(x.c);
  const std::size_t area = static_cast<std::size_t>(x.h) * x.w;
  const float inv_area = 1.0f / static_cast<float>(area);
  parallel_chunks(static_cast<std::size_t>(x.n), kSampleGrain, [&](ChunkRange r) {
    for (std::size_t n = r.begin; n < r.end; ++n) {
      float* out = y.ptr() + n * c;
      const float* in = x.ptr() + n * area * c;
      std::fill(out, out + c, 0.0f);
      for (std::size_t p = 0; p < area; ++p) {
        for (std::size_t i = 0; i < c; ++i) out[i] += in[p * c + i];
      }
      for (std::size_t i = 0; i < c; ++i) out[i] *= inv_area;
    }
  });
}

void global_avg_pool_backward(const Tensor& dy, int h, int w, Tensor& dx) {
  require(h > 0 && w > 0, "pooling needs a non-empty image");
  require(dy.h == 1 && dy.w == 1, "dy must be [n][1][1][c]");
  require(&dx != &dy, "dx must not alias dy");
  dx.resize(dy.n, h, w, dy.c);
  const auto c = static_cast<std::size_t>(dy.c);
  const std::size_t area = static_cast<std::size_t>(h) * w;
  const float inv_area = 1.0f / static_cast<float>(area);
  parallel_chunks(static_cast<std::size_t>(dy.n), kSampleGrain, [&](ChunkRange r) {
    for (std::size_t n = r.begin; n < r.end; ++n) {
      const float* g = dy.ptr() + n * c;
      float* out = dx.ptr() + n * area * c;
      for (std::size_t p = 0; p < area; ++p) {
        for (std::size_t i = 0; i < c; ++i) out[p * c + i] = g[i] * inv_area;
      }
    }
  });
}

void fc_forward(const Tensor& x, std::span<const float> weight, std::span<const float> bias,
                Tensor& y) {
  const int in = x.h * x.w * x.c;
  const auto out = static_cast<int>(bias.size());
  require(out > 0 && in > 0, "feature counts must be positive");
  require(weight.size() == static_cast<std::size_t>(out) * in, "weight must be [out][in]");
  require(&y != &x, "y must not alias x");
  y.resize(x.n, 1, 1, out);
  for (int n = 0; n < x.n; ++n) std::copy(bias.begin(), bias.end(), y.ptr() + n * out);
  matmul_abt(x.n, out, in, x.ptr(), weight.data(), y.ptr(), true);
}

void fc_backward(const Tensor& x, const Tensor& dy, std::span<const float> weight, Tensor* dx,
                 std::span<float> dweight, std::span<float> dbias) {
  const int in = x.h * x.w * x.c;
  const int out = dy.c;
  require(dy.n == x.n && dy.h == 1 && dy.w == 1, "dy must be [n][1][1][out]");
  require(weight.size() == static_cast<std::size_t>(out) * in, "weight must be [out][in]");
  require(dweight.size() == weight.size() && dbias.size() == static_cast<std::size_t>(out),
          "dweight and dbias must match weight and bias");
  matmul_atb(out, in, x.n, dy.ptr(), x.ptr(), dweight.data(), false);
  std::fill(dbias.begin(), dbias.end(), 0.0f);
  for (int n = 0; n < x.n; ++n) {
    for (int o = 0; o < out; ++o) dbias[o] += dy.ptr()[static_cast<std::size_t>(n) * out + o];
  }
  if (dx != nullptr) {
    require(dx != &x && dx != &dy, "dx must not alias x or dy");
    dx->resize(x.n, x.h, x.w, x.c);
    matmul_ab(x.n, in, out, dy.ptr(), weight.data(), dx->ptr(), false);
  }
}

}  // namespace patchnas::trainer
