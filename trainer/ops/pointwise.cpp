#define EIGEN_DONT_PARALLELIZE  // threads come from oneTBB chunks only (determinism)
#include "trainer/ops/pointwise.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "trainer/parallel.hpp"

namespace patchnas::trainer {
namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMatrix>;
using Map = Eigen::Map<RowMatrix>;

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("pointwise: " + what);
}

// Eigen's blocked GEMM packs its operands, so its arithmetic depends on the shape only; its
// small-size and matrix-vector paths may peel unaligned heads. Those shapes take this loop.
bool use_plain_loop(int m, int n, int k) { return m <= 1 || n <= 1 || m + n + k < 24; }

// c[i][j] (+)= sum_p A(i, p) * B(p, j), with element accessors for the three layouts.
template <class A, class B>
void plain_product(int m, int n, int k, A a, B b, float* c, bool accumulate) {
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      float sum = 0.0f;
      for (int p = 0; p < k; ++p) sum += a(i, p) * b(p, j);
      float& out = c[static_cast<std::size_t>(i) * n + j];
      out = accumulate ? out + sum : sum;
    }
  }
}

template <class Product>
void assign(Map& c, const Product& product, bool accumulate) {
  if (accumulate) {
    c.noalias() += product;
  } else {
    c.noalias() = product;
  }
}

}  // namespace

void matmul_abt(int m, int n, int k, const float* a, const float* b, float* c, bool accumulate) {
  if (use_plain_loop(m, n, k)) {
    plain_product(
        m, n, k, [&](int i, int p) { return a[static_cast<std::size_t>(i) * k + p]; },
        [&](int p, int j) { return b[static_cast<std::size_t>(j) * k + p]; }, c, accumulate);
    return;
  }
  Map cm(c, m, n);
  assign(cm, ConstMap(a, m, k) * ConstMap(b, n, k).transpose(), accumulate);
}

void matmul_ab(int m, int n, int k, const float* a, const float* b, float* c, bool accumulate) {
  if (use_plain_loop(m, n, k)) {
    plain_product(
        m, n, k, [&](int i, int p) { return a[static_cast<std::size_t>(i) * k + p]; },
        [&](int p, int j) { return b[static_cast<std::size_t>(p) * n + j]; }, c, accumulate);
    return;
  }
  Map cm(c, m, n);
  assign(cm, ConstMap(a, m, k) * ConstMap(b, k, n), accumulate);
}

void matmul_atb(int m, int n, int k, const float* a, const float* b, float* c, bool accumulate) {
  if (use_plain_loop(m, n, k)) {
    plain_product(
        m, n, k, [&](int i, int p) { return a[static_cast<std::size_t>(p) * m + i]; },
        [&](int p, int j) { return b[static_cast<std::size_t>(p) * n + j]; }, c, accumulate);
    return;
  }
  Map cm(c, m, n);
  assign(cm, ConstMap(a, k, m).transpose() * ConstMap(b, k, n), accumulate);
}

void pointwise_forward(const Tensor& x, std::span<const float> weight, int out_c,
                       const Tensor* residual, Tensor& y) {
  const int in_c = x.c;
  require(out_c > 0 && in_c > 0, "channel counts must be positive");
  require(weight.size() == static_cast<std::size_t>(out_c) * in_c, "weight must be [out_c][in_c]");
  require(&y != &x, "y must not alias x");
  if (residual != nullptr) {
    require(residual->n == x.n && residual->h == x.h && residual->w == x.w && residual->c == out_c,
            "residual must have the output's shape");
  }
  y.resize(x.n, x.h, x.w, out_c);
  const bool add_residual = residual != nullptr;
  const bool residual_in_place = residual == &y;
  parallel_chunks(x.pixels(), gemm_row_grain(std::max(in_c, out_c)), [&](ChunkRange r) {
    const int rows = static_cast<int>(r.end - r.begin);
    float* out = y.ptr() + r.begin * out_c;
    if (add_residual && !residual_in_place) {
      const float* res = residual->ptr() + r.begin * out_c;
      std::copy(res, res + static_cast<std::size_t>(rows) * out_c, out);
    }
    matmul_abt(rows, out_c, in_c, x.ptr() + r.begin * in_c, weight.data(), out, add_residual);
  });
}

void pointwise_backward(const Tensor& x, const Tensor& dy, std::span<const float> weight,
                        Tensor* dx, std::span<float> dweight) {
  const int in_c = x.c;
  const int out_c = dy.c;
  require(dy.n == x.n && dy.h == x.h && dy.w == x.w, "dy must have x's pixels");
  require(weight.size() == static_cast<std::size_t>(out_c) * in_c, "weight must be [out_c][in_c]");
  require(dweight.size() == weight.size(), "dweight must have weight's size");
  if (dx != nullptr) {
    require(dx != &x && dx != &dy, "dx must not alias x or dy");
    dx->resize(x.n, x.h, x.w, in_c);
  }
  const std::size_t grain = gemm_row_grain(std::max(in_c, out_c));
  reduce_chunks_ordered<float>(x.pixels(), grain, dweight, [&](ChunkRange r, float* partial) {
    const int rows = static_cast<int>(r.end - r.begin);
    const float* g = dy.ptr() + r.begin * out_c;
    if (dx != nullptr) {
      matmul_ab(rows, in_c, out_c, g, weight.data(), dx->ptr() + r.begin * in_c, false);
    }
    matmul_atb(out_c, in_c, rows, g, x.ptr() + r.begin * in_c, partial, false);
  });
}

}  // namespace patchnas::trainer
