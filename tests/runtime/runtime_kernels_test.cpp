// The C99 runtime kernels against the trainer's reference int8 inference, bit for bit
// (ARCHITECTURE.md, invariant 3): pn_requantize on millions of inputs; every kernel on random
// shapes and random integer parameters, over the full output and assembled from tiles (each
// tile computed from an input view cropped to exactly what it reads); the in-place depthwise
// (same bytes, nothing written outside its buffer and scratch); argument errors; and a whole
// lowered network with quantize_model's parameters, layer by layer and tile by tile.
#include <gtest/gtest.h>

#include "support/random_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

#include "pn_runtime.h"
#include "space/arch.hpp"
#include "space/lower.hpp"
#include "space/random.hpp"
#include "trainer/folded_float_inference.hpp"
#include "trainer/int8_inference.hpp"
#include "trainer/model_params.hpp"
#include "trainer/quantize_model.hpp"
#include "trainer/requantize.hpp"

namespace patchnas {
namespace {

using trainer::QuantizedLayer;

// ---- random numbers ----

std::int32_t uniform_int(Rng& rng, std::int64_t lo, std::int64_t hi) {  // [lo, hi]
  const auto span = static_cast<std::uint64_t>(hi - lo + 1);
  return static_cast<std::int32_t>(lo + static_cast<std::int64_t>(rng.next() % span));
}

std::int32_t random_int32(Rng& rng) {
  switch (rng.uniform(8)) {
    case 0: return std::numeric_limits<std::int32_t>::min() + uniform_int(rng, 0, 3);
    case 1: return std::numeric_limits<std::int32_t>::max() - uniform_int(rng, 0, 3);
    case 2: return uniform_int(rng, -300, 300);
    case 3: return uniform_int(rng, -(1 << 20), 1 << 20);
    default: return static_cast<std::int32_t>(static_cast<std::uint32_t>(rng.next()));
  }
}

std::vector<std::int8_t> random_s8(Rng& rng, std::size_t n) {
  std::vector<std::int8_t> v(n);
  for (auto& x : v) x = static_cast<std::int8_t>(uniform_int(rng, -128, 127));
  return v;
}

// ---- requantize ----

TEST(RuntimeRequantizeTest, MatchesTrainerOnMillionsOfInputs) {
  Rng rng(7);
  for (int i = 0; i < 4'000'000; ++i) {
    const std::int32_t acc = random_int32(rng);
    std::int32_t m = random_int32(rng);
    if (m < 0) m = m == std::numeric_limits<std::int32_t>::min() ? 0 : -m;
    if (rng.uniform(4) == 0) m = uniform_int(rng, 1 << 30, std::numeric_limits<std::int32_t>::max());
    const int shift = uniform_int(rng, -31, 30);
    ASSERT_EQ(pn_requantize(acc, m, shift), trainer::requantize(acc, m, shift))
        << acc << " " << m << " " << shift;
    const std::int32_t b = random_int32(rng);
    ASSERT_EQ(pn_saturating_rounding_doubling_high_mul(acc, b),
              trainer::saturating_rounding_doubling_high_mul(acc, b));
    const int e = uniform_int(rng, 0, 31);
    ASSERT_EQ(pn_rounding_divide_by_pot(acc, e), trainer::rounding_divide_by_pot(acc, e));
  }
  constexpr std::int32_t kMin = std::numeric_limits<std::int32_t>::min();
  constexpr std::int32_t kMax = std::numeric_limits<std::int32_t>::max();
  for (std::int32_t acc : {kMin, kMin + 1, -1, 0, 1, kMax - 1, kMax}) {
    for (std::int32_t m : {0, 1, 1 << 30, kMax}) {
      for (int shift = -31; shift <= 30; ++shift) {
        ASSERT_EQ(pn_requantize(acc, m, shift), trainer::requantize(acc, m, shift));
      }
    }
    for (std::int32_t b : {kMin, -1, 0, 1, kMax}) {
      ASSERT_EQ(pn_saturating_rounding_doubling_high_mul(acc, b),
                trainer::saturating_rounding_doubling_high_mul(acc, b));
    }
    for (int e = 0; e <= 31; ++e) {
      ASSERT_EQ(pn_rounding_divide_by_pot(acc, e), trainer::rounding_divide_by_pot(acc, e));
    }
  }
  // The documented double rounding: 5 * 1/4 -> 2.
  EXPECT_EQ(pn_requantize(5, 1 << 30, -1), 2);
}

// ---- layers, parameters and the host-side glue ----

Layer make_layer(LayerKind kind, Shape in, int out_c, int kernel, int stride) {
  Layer l;
  l.kind = kind;
  l.in = in;
  l.kernel = kernel;
  l.stride = stride;
  l.pad = kernel / 2;
  if (kind == LayerKind::GlobalAvgPool) {
    l.out = {1, 1, in.c};
    l.kernel = in.h;
    l.pad = 0;
  } else {
    l.out = {conv_output_size(in.h, kernel, stride), conv_output_size(in.w, kernel, stride), out_c};
  }
  return l;
}

// Directly randomized integer parameters (as quantize_model could produce them, and beyond:
// extreme shifts and zero points included, biases bounded so accumulators cannot overflow).
QuantizedLayer random_quant(const Layer& l, bool residual, Rng& rng) {
  QuantizedLayer q;
  const int out_c = l.out.c;
  const int per_output = trainer::weights_per_output_channel(l);
  q.weight = random_s8(rng, static_cast<std::size_t>(per_output) * out_c);
  for (auto& w : q.weight) w = static_cast<std::int8_t>(std::max<int>(w, -127));
  const int channels = l.kind == LayerKind::GlobalAvgPool ? 1 : out_c;
  // Typical accumulator size: sqrt(taps) * E|w| * E|x - zp|; scale it to about +-64, give or
  // take a factor 4, so outputs mostly land inside the clamps.
  const int taps = l.kind == LayerKind::GlobalAvgPool ? l.in.h * l.in.w : per_output;
  const double typical = std::sqrt(static_cast<double>(taps)) * 64.0 * 74.0;
  const int base_shift = -static_cast<int>(std::ceil(std::log2(typical / 64.0)));
  for (int o = 0; o < channels; ++o) {
    q.bias.push_back(uniform_int(rng, -static_cast<std::int64_t>(typical), static_cast<std::int64_t>(typical)));
    int shift = std::clamp(base_shift + uniform_int(rng, -2, 1), -31, 30);
    std::int32_t m = uniform_int(rng, 1 << 30, std::numeric_limits<std::int32_t>::max());
    switch (rng.uniform(32)) {
      case 0: shift = uniform_int(rng, -31, 30); break;
      case 1: m = 0; break;
      case 2: m = std::numeric_limits<std::int32_t>::max(); break;
      default: break;
    }
    q.multiplier.push_back(m);
    q.shift.push_back(shift);
  }
  if (l.kind == LayerKind::GlobalAvgPool) q.bias.clear();
  q.input_zero_point = uniform_int(rng, -128, 127);
  q.output_zero_point = uniform_int(rng, -128, 127);
  if (rng.uniform(2) == 0) {  // a ReLU6-like range
    q.act_min = uniform_int(rng, -128, -20);
    q.act_max = uniform_int(rng, 20, 127);
  }
  if (l.kind == LayerKind::GlobalAvgPool) {
    q.act_min = trainer::kActivationMin;  // the reference pool clamps to the int8 range
    q.act_max = trainer::kActivationMax;
  }
  if (residual) {
    q.has_residual = true;
    q.residual.zero_point = uniform_int(rng, -128, 127);
    q.residual.multiplier = uniform_int(rng, 1 << 30, std::numeric_limits<std::int32_t>::max());
    q.residual.shift = uniform_int(rng, -4, 0);
    q.residual.output_multiplier =
        uniform_int(rng, 1 << 30, std::numeric_limits<std::int32_t>::max());
    q.residual.output_shift = uniform_int(rng, -21, -18);
    for (int o = 0; o < out_c; ++o) q.shift[o] = std::min(q.shift[o] + 18, 30);  // add domain
  }
  return q;
}

// A QuantizedLayer converted to the runtime's parameter structs (owns the int32 shifts).
struct RuntimeLayer {
  Layer layer;
  std::vector<std::int32_t> shift;
  pn_residual_params residual{};
  pn_quant_params quant{};
  pn_conv_params conv{};

  RuntimeLayer(const Layer& l, const QuantizedLayer& q) : layer(l), shift(q.shift.begin(), q.shift.end()) {
    quant.input_zero_point = q.input_zero_point;
    quant.output_zero_point = q.output_zero_point;
    quant.act_min = q.act_min;
    quant.act_max = q.act_max;
    quant.weights = q.weight.empty() ? nullptr : q.weight.data();
    quant.multiplier = q.multiplier.data();
    quant.shift = shift.data();
    quant.bias = q.bias.empty() ? nullptr : q.bias.data();
    if (q.has_residual) {
      residual = {q.residual.zero_point, q.residual.multiplier, q.residual.shift,
                  q.residual.output_multiplier, q.residual.output_shift};
      quant.residual = &residual;
    }
    conv = {l.in.h, l.in.w, l.in.c, l.out.h, l.out.w, l.out.c, l.kernel, l.stride, l.pad};
  }

  // Runs one region (ignored for pool and FC) from the given views.
  pn_status run(const pn_tensor& in, const pn_tensor* res, const pn_tensor& out,
                const pn_region& region, const pn_scratch* scratch = nullptr) const {
    switch (layer.kind) {
      case LayerKind::Conv: return pn_conv_s8(&conv, &quant, &in, &out, &region, scratch);
      case LayerKind::Depthwise: return pn_depthwise_s8(&conv, &quant, &in, &out, &region, scratch);
      case LayerKind::Pointwise:
        return pn_pointwise_s8(&conv, &quant, &in, res, &out, &region, scratch);
      case LayerKind::GlobalAvgPool: {
        const pn_pool_params p{layer.in.h, layer.in.w, layer.in.c};
        return pn_avgpool_s8(&p, &quant, &in, &out, scratch);
      }
      case LayerKind::FullyConnected: {
        const pn_fc_params p{layer.in.c, layer.out.c};
        return pn_fc_s8(&p, &quant, &in, &out, scratch);
      }
    }
    return PN_ERR_NOT_IMPLEMENTED;
  }
};

pn_tensor whole(std::vector<std::int8_t>& data, Shape s) {
  return {data.data(), s.h, s.w, s.c, 0, 0};
}

std::vector<std::int8_t> reference(const Layer& l, const QuantizedLayer& q,
                                   const std::vector<std::int8_t>& in,
                                   const std::vector<std::int8_t>* res) {
  std::vector<std::int8_t> out(static_cast<std::size_t>(l.out.elements()), 0);
  trainer::int8_layer(l, q, in.data(), res != nullptr ? res->data() : nullptr, out.data());
  return out;
}

std::vector<std::int8_t> runtime_full(const RuntimeLayer& rt, std::vector<std::int8_t>& in,
                                      std::vector<std::int8_t>* res) {
  const Layer& l = rt.layer;
  std::vector<std::int8_t> out(static_cast<std::size_t>(l.out.elements()), 0);
  pn_tensor res_view{};
  if (res != nullptr) res_view = whole(*res, l.out);
  const pn_status s = rt.run(whole(in, l.in), res != nullptr ? &res_view : nullptr,
                             whole(out, l.out), pn_region{0, 0, l.out.h, l.out.w});
  EXPECT_EQ(s, PN_OK);
  return out;
}

// Copies rows [y0, y0+h) x cols [x0, x0+w) of a full HWC map.
std::vector<std::int8_t> crop(const std::vector<std::int8_t>& map, Shape s, int y0, int x0,
                              int h, int w) {
  std::vector<std::int8_t> out(static_cast<std::size_t>(h) * w * s.c);
  for (int y = 0; y < h; ++y) {
    std::memcpy(out.data() + static_cast<std::size_t>(y) * w * s.c,
                map.data() + (static_cast<std::size_t>(y0 + y) * s.w + x0) * s.c,
                static_cast<std::size_t>(w) * s.c);
  }
  return out;
}

// The input rows (or columns) a run of outputs reads, clipped to the map: [lo, hi].
std::pair<int, int> input_span(int first, int count, const Layer& l, int in_size) {
  const int lo = std::max(0, first * l.stride - l.pad);
  const int hi = std::min(in_size - 1, (first + count - 1) * l.stride - l.pad + l.kernel - 1);
  return {lo, hi};
}

struct Tile {
  pn_region region;
  int in_y0, in_x0, in_h, in_w;  // the input rectangle the region reads
};

std::vector<Tile> tiles(const Layer& l, int n) {
  std::vector<Tile> result;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      const int y0 = i * l.out.h / n;
      const int y1 = (i + 1) * l.out.h / n;
      const int x0 = j * l.out.w / n;
      const int x1 = (j + 1) * l.out.w / n;
      if (y1 == y0 || x1 == x0) continue;
      const auto [iy0, iy1] = input_span(y0, y1 - y0, l, l.in.h);
      const auto [ix0, ix1] = input_span(x0, x1 - x0, l, l.in.w);
      result.push_back({{y0, x0, y1 - y0, x1 - x0}, iy0, ix0, iy1 - iy0 + 1, ix1 - ix0 + 1});
    }
  }
  return result;
}

// Tile by tile, each from a cropped input (and residual) buffer into its own tile buffer,
// then pasted into the full map. With `in_place` (depthwise), the output tile is written over
// the cropped input buffer, which is surrounded by guard bytes, as is the scratch.
std::vector<std::int8_t> runtime_tiled(const RuntimeLayer& rt, const std::vector<std::int8_t>& in,
                                       const std::vector<std::int8_t>* res, int n,
                                       bool in_place = false) {
  const Layer& l = rt.layer;
  constexpr std::size_t kGuard = 64;
  constexpr std::int8_t kGuardValue = 0x5a;
  std::vector<std::int8_t> out(static_cast<std::size_t>(l.out.elements()), 0);
  for (const Tile& t : tiles(l, n)) {
    const pn_region& r = t.region;
    std::vector<std::int8_t> in_tile = crop(in, l.in, t.in_y0, t.in_x0, t.in_h, t.in_w);
    std::vector<std::int8_t> buffer(in_tile.size() + 2 * kGuard, kGuardValue);
    std::copy(in_tile.begin(), in_tile.end(), buffer.begin() + kGuard);
    const pn_tensor in_view{buffer.data() + kGuard, t.in_h, t.in_w, l.in.c, t.in_y0, t.in_x0};
    std::vector<std::int8_t> out_tile(static_cast<std::size_t>(r.h) * r.w * l.out.c);
    pn_tensor out_view{out_tile.data(), r.h, r.w, l.out.c, r.y0, r.x0};
    if (in_place) out_view.data = in_view.data;
    std::vector<std::int8_t> res_tile;
    pn_tensor res_view{};
    if (res != nullptr) {
      res_tile = crop(*res, l.out, r.y0, r.x0, r.h, r.w);
      res_view = {res_tile.data(), r.h, r.w, l.out.c, r.y0, r.x0};
    }
    std::vector<std::int8_t> scratch_bytes;
    pn_scratch scratch{nullptr, 0};
    std::size_t need = 0;
    if (l.kind == LayerKind::Depthwise) {
      need = pn_depthwise_s8_scratch_bytes(&rt.conv, &in_view, &out_view);
      EXPECT_EQ(need, in_place ? static_cast<std::size_t>(t.in_h) * t.in_w : 0u);
      scratch_bytes.assign(need + 2 * kGuard, kGuardValue);
      scratch = {scratch_bytes.data() + kGuard, need};
    }
    EXPECT_EQ(rt.run(in_view, res != nullptr ? &res_view : nullptr, out_view, r, &scratch), PN_OK);
    for (std::size_t g = 0; g < kGuard; ++g) {
      EXPECT_EQ(buffer[g], kGuardValue);
      EXPECT_EQ(buffer[buffer.size() - 1 - g], kGuardValue);
      if (!scratch_bytes.empty()) {
        EXPECT_EQ(scratch_bytes[g], kGuardValue);
        EXPECT_EQ(scratch_bytes[scratch_bytes.size() - 1 - g], kGuardValue);
      }
    }
    if (in_place) {
      // Bytes of the buffer past the output view are input leftovers: only the view counts.
      std::copy(buffer.begin() + kGuard, buffer.begin() + kGuard + out_tile.size(), out_tile.begin());
    }
    for (int y = 0; y < r.h; ++y) {
      std::memcpy(out.data() + (static_cast<std::size_t>(r.y0 + y) * l.out.w + r.x0) * l.out.c,
                  out_tile.data() + static_cast<std::size_t>(y) * r.w * l.out.c,
                  static_cast<std::size_t>(r.w) * l.out.c);
    }
  }
  return out;
}

// A random layer of `kind` with odd and even sizes, k in {1, 3, 5, 7}, strides 1 and 2.
Layer random_layer(LayerKind kind, Rng& rng) {
  const int h = uniform_int(rng, 1, 13);
  const int w = uniform_int(rng, 1, 13);
  const int k = 2 * uniform_int(rng, 0, 3) + 1;
  const int stride = uniform_int(rng, 1, 2);
  switch (kind) {
    case LayerKind::Conv: return make_layer(kind, {h, w, uniform_int(rng, 1, 24)}, uniform_int(rng, 1, 40), k, stride);
    case LayerKind::Depthwise: {
      const int c = uniform_int(rng, 1, 40);
      return make_layer(kind, {h, w, c}, c, k, stride);
    }
    case LayerKind::Pointwise:
      return make_layer(kind, {h, w, uniform_int(rng, 1, 40)}, uniform_int(rng, 1, 40), 1, 1);
    case LayerKind::GlobalAvgPool: return make_layer(kind, {h, w, uniform_int(rng, 1, 40)}, 0, 1, 1);
    case LayerKind::FullyConnected:
      return make_layer(kind, {1, 1, uniform_int(rng, 1, 64)}, uniform_int(rng, 1, 40), 1, 1);
  }
  return {};
}

void check_kind(LayerKind kind, bool residual, std::uint64_t seed, int cases) {
  Rng rng(seed);
  const bool spatial = kind == LayerKind::Conv || kind == LayerKind::Depthwise ||
                       kind == LayerKind::Pointwise;
  std::size_t outputs = 0;
  std::size_t unclamped = 0;  // the parameters must exercise the arithmetic, not the clamps
  for (int i = 0; i < cases; ++i) {
    const Layer l = random_layer(kind, rng);
    const QuantizedLayer q = random_quant(l, residual, rng);
    const RuntimeLayer rt(l, q);
    std::vector<std::int8_t> in = random_s8(rng, static_cast<std::size_t>(l.in.elements()));
    std::vector<std::int8_t> res;
    if (residual) res = random_s8(rng, static_cast<std::size_t>(l.out.elements()));
    const std::vector<std::int8_t>* res_ptr = residual ? &res : nullptr;
    const std::string what = "case " + std::to_string(i) + ": " + std::string(layer_kind_name(kind)) +
                             " in " + std::to_string(l.in.h) + "x" + std::to_string(l.in.w) + "x" +
                             std::to_string(l.in.c) + " k" + std::to_string(l.kernel) + " s" +
                             std::to_string(l.stride) + " out_c " + std::to_string(l.out.c);
    const std::vector<std::int8_t> expected = reference(l, q, in, res_ptr);
    outputs += expected.size();
    for (std::int8_t v : expected) unclamped += v > q.act_min && v < q.act_max ? 1 : 0;
    ASSERT_EQ(runtime_full(rt, in, residual ? &res : nullptr), expected) << what;
    if (!spatial) continue;
    for (int n : {2, 3}) {
      ASSERT_EQ(runtime_tiled(rt, in, res_ptr, n), expected) << what << " tiles " << n;
      if (kind == LayerKind::Depthwise) {
        ASSERT_EQ(runtime_tiled(rt, in, res_ptr, n, true), expected) << what << " in place " << n;
      }
    }
    if (kind == LayerKind::Depthwise) {
      ASSERT_EQ(runtime_tiled(rt, in, res_ptr, 1, true), expected) << what << " in place, whole";
    }
  }
  std::printf("%s%s: %.1f%% of %zu outputs unclamped\n",
              std::string(layer_kind_name(kind)).c_str(), residual ? " + residual" : "",
              100.0 * static_cast<double>(unclamped) / static_cast<double>(outputs), outputs);
  EXPECT_GT(unclamped * 4, outputs);
}

TEST(RuntimeKernelsTest, ConvMatchesReferenceWholeAndTiled) { check_kind(LayerKind::Conv, false, 11, 300); }
TEST(RuntimeKernelsTest, DepthwiseMatchesReferenceWholeTiledAndInPlace) {
  check_kind(LayerKind::Depthwise, false, 12, 400);
}
TEST(RuntimeKernelsTest, PointwiseMatchesReferenceWholeAndTiled) {
  check_kind(LayerKind::Pointwise, false, 13, 300);
}
TEST(RuntimeKernelsTest, PointwiseWithResidualMatchesReferenceWholeAndTiled) {
  check_kind(LayerKind::Pointwise, true, 14, 300);
}
TEST(RuntimeKernelsTest, AvgPoolMatchesReference) { check_kind(LayerKind::GlobalAvgPool, false, 15, 300); }
TEST(RuntimeKernelsTest, FullyConnectedMatchesReference) {
  check_kind(LayerKind::FullyConnected, false, 16, 300);
}

TEST(RuntimeKernelsTest, DepthwiseLargeOddKernels) {
  Rng rng(17);
  for (int k : {9, 11}) {
    for (int stride : {1, 2}) {
      const Layer l = make_layer(LayerKind::Depthwise, {12, 9, 5}, 5, k, stride);
      const QuantizedLayer q = random_quant(l, false, rng);
      const RuntimeLayer rt(l, q);
      std::vector<std::int8_t> in = random_s8(rng, static_cast<std::size_t>(l.in.elements()));
      const auto expected = reference(l, q, in, nullptr);
      EXPECT_EQ(runtime_full(rt, in, nullptr), expected);
      EXPECT_EQ(runtime_tiled(rt, in, nullptr, 3), expected);
      EXPECT_EQ(runtime_tiled(rt, in, nullptr, 3, true), expected);
    }
  }
}

// ---- argument errors ----

struct ErrorFixture {
  Layer l = make_layer(LayerKind::Depthwise, {8, 8, 4}, 4, 3, 1);
  QuantizedLayer q;
  std::vector<std::int8_t> in = std::vector<std::int8_t>(8 * 8 * 4, 1);
  std::vector<std::int8_t> out = std::vector<std::int8_t>(8 * 8 * 4, 0);
  ErrorFixture() {
    Rng rng(3);
    q = random_quant(l, false, rng);
  }
};

TEST(RuntimeErrorsTest, DepthwiseArgumentErrors) {
  ErrorFixture f;
  RuntimeLayer rt(f.l, f.q);
  const pn_tensor in = whole(f.in, f.l.in);
  const pn_tensor out = whole(f.out, f.l.out);
  const pn_region all{0, 0, 8, 8};
  EXPECT_EQ(pn_depthwise_s8(nullptr, &rt.quant, &in, &out, &all, nullptr), PN_ERR_ARGUMENT);
  EXPECT_EQ(pn_depthwise_s8(&rt.conv, nullptr, &in, &out, &all, nullptr), PN_ERR_ARGUMENT);
  EXPECT_EQ(pn_depthwise_s8(&rt.conv, &rt.quant, nullptr, &out, &all, nullptr), PN_ERR_ARGUMENT);
  EXPECT_EQ(pn_depthwise_s8(&rt.conv, &rt.quant, &in, nullptr, &all, nullptr), PN_ERR_ARGUMENT);
  EXPECT_EQ(pn_depthwise_s8(&rt.conv, &rt.quant, &in, &out, nullptr, nullptr), PN_ERR_ARGUMENT);
  pn_tensor null_data = in;
  null_data.data = nullptr;
  EXPECT_EQ(pn_depthwise_s8(&rt.conv, &rt.quant, &null_data, &out, &all, nullptr), PN_ERR_ARGUMENT);

  // Region outside the output map / outside the output view.
  for (const pn_region r : {pn_region{0, 0, 9, 8}, pn_region{-1, 0, 2, 2}, pn_region{7, 7, 2, 1},
                            pn_region{0, 0, -1, 1}}) {
    EXPECT_EQ(pn_depthwise_s8(&rt.conv, &rt.quant, &in, &out, &r, nullptr), PN_ERR_SHAPE);
  }
  pn_tensor small_out{f.out.data(), 2, 2, 4, 4, 4};
  const pn_region outside_view{3, 4, 2, 2};
  EXPECT_EQ(pn_depthwise_s8(&rt.conv, &rt.quant, &in, &small_out, &outside_view, nullptr), PN_ERR_SHAPE);
  // Input view missing one row / column of the receptive field, then exactly enough.
  const pn_region middle{3, 3, 2, 2};  // reads rows/cols 2..5
  pn_tensor view{f.in.data(), 3, 4, 4, 3, 2};
  EXPECT_EQ(pn_depthwise_s8(&rt.conv, &rt.quant, &view, &out, &middle, nullptr), PN_ERR_SHAPE);
  view = {f.in.data(), 4, 3, 4, 2, 2};
  EXPECT_EQ(pn_depthwise_s8(&rt.conv, &rt.quant, &view, &out, &middle, nullptr), PN_ERR_SHAPE);
  view = {f.in.data(), 4, 4, 4, 2, 2};
  EXPECT_EQ(pn_depthwise_s8(&rt.conv, &rt.quant, &view, &out, &middle, nullptr), PN_OK);
  // A view that sticks out of the full map, or has the wrong channel count.
  view = {f.in.data(), 4, 4, 4, 6, 0};
  EXPECT_EQ(pn_depthwise_s8(&rt.conv, &rt.quant, &view, &out, &middle, nullptr), PN_ERR_SHAPE);
  view = {f.in.data(), 8, 8, 3, 0, 0};
  EXPECT_EQ(pn_depthwise_s8(&rt.conv, &rt.quant, &view, &out, &all, nullptr), PN_ERR_SHAPE);

  // Geometry: stride / kernel / pad / output size.
  pn_conv_params bad = rt.conv;
  bad.stride = 0;
  EXPECT_EQ(pn_depthwise_s8(&bad, &rt.quant, &in, &out, &all, nullptr), PN_ERR_ARGUMENT);
  bad = rt.conv;
  bad.stride = 3;
  bad.out_h = bad.out_w = 3;
  EXPECT_EQ(pn_depthwise_s8(&bad, &rt.quant, &in, &out, &all, nullptr), PN_ERR_NOT_IMPLEMENTED);
  bad = rt.conv;
  bad.kernel = 4;
  bad.pad = 2;
  bad.out_h = bad.out_w = 9;
  EXPECT_EQ(pn_depthwise_s8(&bad, &rt.quant, &in, &out, &all, nullptr), PN_ERR_NOT_IMPLEMENTED);
  bad = rt.conv;
  bad.kernel = 0;
  EXPECT_EQ(pn_depthwise_s8(&bad, &rt.quant, &in, &out, &all, nullptr), PN_ERR_ARGUMENT);
  bad = rt.conv;
  bad.pad = 3;
  EXPECT_EQ(pn_depthwise_s8(&bad, &rt.quant, &in, &out, &all, nullptr), PN_ERR_ARGUMENT);
  bad = rt.conv;
  bad.out_h = 7;
  EXPECT_EQ(pn_depthwise_s8(&bad, &rt.quant, &in, &out, &all, nullptr), PN_ERR_SHAPE);
  bad = rt.conv;
  bad.out_c = 5;
  EXPECT_EQ(pn_depthwise_s8(&bad, &rt.quant, &in, &out, &all, nullptr), PN_ERR_SHAPE);

  // Quantization parameters.
  pn_quant_params quant = rt.quant;
  quant.weights = nullptr;
  EXPECT_EQ(pn_depthwise_s8(&rt.conv, &quant, &in, &out, &all, nullptr), PN_ERR_ARGUMENT);
  quant = rt.quant;
  quant.input_zero_point = 128;
  EXPECT_EQ(pn_depthwise_s8(&rt.conv, &quant, &in, &out, &all, nullptr), PN_ERR_ARGUMENT);
  quant = rt.quant;
  quant.act_min = 10;
  quant.act_max = 9;
  EXPECT_EQ(pn_depthwise_s8(&rt.conv, &quant, &in, &out, &all, nullptr), PN_ERR_ARGUMENT);
  std::vector<std::int32_t> shifts(4, 31);
  quant = rt.quant;
  quant.shift = shifts.data();
  EXPECT_EQ(pn_depthwise_s8(&rt.conv, &quant, &in, &out, &all, nullptr), PN_ERR_ARGUMENT);
  std::vector<std::int32_t> negative(4, -1);
  quant = rt.quant;
  quant.multiplier = negative.data();
  EXPECT_EQ(pn_depthwise_s8(&rt.conv, &quant, &in, &out, &all, nullptr), PN_ERR_ARGUMENT);

  // Partially overlapping input and output (not the in-place mode) are rejected.
  pn_tensor shifted_out = out;
  shifted_out.data = f.in.data() + 4;
  shifted_out.h = 7;
  const pn_region top{0, 0, 7, 8};
  EXPECT_EQ(pn_depthwise_s8(&rt.conv, &rt.quant, &in, &shifted_out, &top, nullptr), PN_ERR_ARGUMENT);

  // In place: scratch missing, too small, overlapping the buffer.
  pn_tensor in_place_out = in;
  EXPECT_EQ(pn_depthwise_s8_scratch_bytes(&rt.conv, &in, &in_place_out), 64u);
  EXPECT_EQ(pn_depthwise_s8_scratch_bytes(&rt.conv, &in, &out), 0u);
  std::vector<std::int8_t> scratch_data(64);
  pn_scratch scratch{scratch_data.data(), 63};
  EXPECT_EQ(pn_depthwise_s8(&rt.conv, &rt.quant, &in, &in_place_out, &all, nullptr), PN_ERR_SCRATCH);
  EXPECT_EQ(pn_depthwise_s8(&rt.conv, &rt.quant, &in, &in_place_out, &all, &scratch), PN_ERR_SCRATCH);
  scratch = {f.in.data() + 100, 64};
  EXPECT_EQ(pn_depthwise_s8(&rt.conv, &rt.quant, &in, &in_place_out, &all, &scratch), PN_ERR_ARGUMENT);

  // Nothing was written by any failing call.
  EXPECT_TRUE(std::all_of(f.in.begin(), f.in.end(), [](std::int8_t v) { return v == 1; }));
  // An empty region is a no-op.
  const pn_region empty{3, 3, 0, 5};
  EXPECT_EQ(pn_depthwise_s8(&rt.conv, &rt.quant, &in, &out, &empty, nullptr), PN_OK);
}

// The memory plan writes a projection over its block input (the residual) when the block input
// dies at the add; inside a tile the output view is the residual view minus its halo.
TEST(RuntimeKernelsTest, PointwiseWritesOverItsResidual) {
  Rng rng(23);
  for (int trial = 0; trial < 50; ++trial) {
    const int size = uniform_int(rng, 3, 12);
    const int c = uniform_int(rng, 1, 24);
    const Layer pw = make_layer(LayerKind::Pointwise, {size, size, uniform_int(rng, 1, 24)}, c, 1, 1);
    const QuantizedLayer q = random_quant(pw, true, rng);
    RuntimeLayer rt(pw, q);
    std::vector<std::int8_t> in = random_s8(rng, static_cast<std::size_t>(pw.in.elements()));
    std::vector<std::int8_t> res = random_s8(rng, static_cast<std::size_t>(pw.out.elements()));
    std::vector<std::int8_t> expected(res.size());
    const pn_region all{0, 0, size, size};
    ASSERT_EQ(rt.run(whole(in, pw.in), nullptr, whole(expected, pw.out), all), PN_ERR_ARGUMENT);
    const pn_tensor res_view = whole(res, pw.out);
    ASSERT_EQ(rt.run(whole(in, pw.in), &res_view, whole(expected, pw.out), all), PN_OK);

    // Whole map in place.
    std::vector<std::int8_t> buffer = res;
    const pn_tensor shared = whole(buffer, pw.out);
    ASSERT_EQ(rt.run(whole(in, pw.in), &shared, shared, all), PN_OK);
    EXPECT_EQ(buffer, expected) << "trial " << trial;

    // A tile: the residual view covers rows/cols [y0-1, y0+h], the output view [y0, y0+h-1].
    const int y0 = uniform_int(rng, 1, size - 2), h = uniform_int(rng, 1, size - 1 - y0);
    const int x0 = uniform_int(rng, 1, size - 2), w = uniform_int(rng, 1, size - 1 - x0);
    std::vector<std::int8_t> tile((h + 2) * (w + 2) * c);
    for (int y = 0; y < h + 2; ++y) {
      for (int x = 0; x < w + 2; ++x) {
        for (int ch = 0; ch < c; ++ch) {
          tile[(y * (w + 2) + x) * c + ch] = res[((y0 - 1 + y) * size + (x0 - 1 + x)) * c + ch];
        }
      }
    }
    const pn_tensor tile_res{tile.data(), h + 2, w + 2, c, y0 - 1, x0 - 1};
    const pn_tensor tile_out{tile.data(), h, w, c, y0, x0};
    const pn_region region{y0, x0, h, w};
    ASSERT_EQ(rt.run(whole(in, pw.in), &tile_res, tile_out, region), PN_OK);
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        for (int ch = 0; ch < c; ++ch) {
          ASSERT_EQ(tile[(y * w + x) * c + ch], expected[((y0 + y) * size + (x0 + x)) * c + ch])
              << "trial " << trial;
        }
      }
    }
    // An output view wider than the residual's cannot be written over it.
    const pn_tensor wide_out{tile.data(), 1, w + 3, c, y0, x0 - 1};
    EXPECT_NE(rt.run(whole(in, pw.in), &tile_res, wide_out, pn_region{y0, x0 - 1, 1, 1}), PN_OK);
  }
}

TEST(RuntimeErrorsTest, OtherKernelsArgumentErrors) {
  Rng rng(5);
  const Layer pw = make_layer(LayerKind::Pointwise, {4, 4, 3}, 3, 1, 1);
  QuantizedLayer q = random_quant(pw, true, rng);
  RuntimeLayer rt(pw, q);
  std::vector<std::int8_t> in(48, 0), res(48, 0), out(48, 0);
  const pn_tensor in_view = whole(in, pw.in), res_view = whole(res, pw.out), out_view = whole(out, pw.out);
  const pn_region all{0, 0, 4, 4};
  EXPECT_EQ(pn_pointwise_s8(&rt.conv, &rt.quant, &in_view, &res_view, &out_view, &all, nullptr), PN_OK);
  EXPECT_EQ(pn_pointwise_s8(&rt.conv, &rt.quant, &in_view, nullptr, &out_view, &all, nullptr),
            PN_ERR_ARGUMENT);  // residual params without a residual tensor
  pn_conv_params k3 = rt.conv;
  k3.kernel = 3;
  k3.pad = 1;
  EXPECT_EQ(pn_pointwise_s8(&k3, &rt.quant, &in_view, &res_view, &out_view, &all, nullptr),
            PN_ERR_ARGUMENT);
  const pn_tensor small_res{res.data(), 2, 4, 3, 0, 0};
  EXPECT_EQ(pn_pointwise_s8(&rt.conv, &rt.quant, &in_view, &small_res, &out_view, &all, nullptr),
            PN_ERR_SHAPE);
  pn_tensor shifted_res = res_view;
  shifted_res.data = out.data() + 3;  // overlapping the output, but not the same view start
  shifted_res.h = 3;
  const pn_region top3{0, 0, 3, 4};
  EXPECT_EQ(pn_pointwise_s8(&rt.conv, &rt.quant, &in_view, &shifted_res, &out_view, &top3, nullptr),
            PN_ERR_ARGUMENT);  // residual partly overlapping the output
  EXPECT_EQ(pn_pointwise_s8(&rt.conv, &rt.quant, &in_view, &in_view, &out_view, &all, nullptr),
            PN_ERR_ARGUMENT);  // residual over the input
  EXPECT_EQ(pn_pointwise_s8(&rt.conv, &rt.quant, &in_view, &res_view, &in_view, &all, nullptr),
            PN_ERR_ARGUMENT);  // output over the input

  pn_quant_params no_res = rt.quant;
  no_res.residual = nullptr;
  const pn_conv_params conv{5, 5, 3, 3, 3, 3, 3, 2, 1};
  EXPECT_EQ(pn_conv_s8(&conv, &no_res, &in_view, &out_view, &all, nullptr), PN_ERR_SHAPE);
  EXPECT_EQ(pn_conv_s8(&conv, &rt.quant, &in_view, &out_view, &all, nullptr), PN_ERR_ARGUMENT);
  EXPECT_EQ(pn_conv_s8_scratch_bytes(&conv), 0u);

  const pn_pool_params pool{4, 4, 3};
  const pn_tensor pooled{out.data(), 1, 1, 3, 0, 0};
  EXPECT_EQ(pn_avgpool_s8(&pool, &no_res, &in_view, &pooled, nullptr), PN_OK);
  const pn_tensor part{in.data(), 2, 4, 3, 0, 0};
  EXPECT_EQ(pn_avgpool_s8(&pool, &no_res, &part, &pooled, nullptr), PN_ERR_SHAPE);
  EXPECT_EQ(pn_avgpool_s8(&pool, &no_res, &in_view, &out_view, nullptr), PN_ERR_SHAPE);
  EXPECT_EQ(pn_avgpool_s8(nullptr, &no_res, &in_view, &pooled, nullptr), PN_ERR_ARGUMENT);

  const pn_fc_params fc{3, 3};
  const pn_tensor vec_in{in.data(), 1, 1, 3, 0, 0};
  EXPECT_EQ(pn_fc_s8(&fc, &no_res, &vec_in, &pooled, nullptr), PN_OK);
  EXPECT_EQ(pn_fc_s8(&fc, &no_res, &in_view, &pooled, nullptr), PN_ERR_SHAPE);
  const pn_fc_params fc_bad{0, 3};
  EXPECT_EQ(pn_fc_s8(&fc_bad, &no_res, &vec_in, &pooled, nullptr), PN_ERR_SHAPE);
  EXPECT_EQ(pn_fc_s8(&fc, &no_res, &vec_in, nullptr, nullptr), PN_ERR_ARGUMENT);
}

// ---- a whole network with quantize_model's parameters ----

TEST(RuntimeNetworkTest, LayerByLayerAndTiledMatchInt8Inference) {
  Arch a;
  a.name = "runtime-test";
  a.resolution = 19;
  a.input_channels = 3;
  a.stem = {8, 3, 2};
  a.blocks = {{3, 1.0, 8, 1}, {5, 4.0, 16, 2}, {7, 3.0, 16, 1}, {3, 2.0, 24, 1}};
  a.head_out = 32;
  a.classes = 10;
  validate_arch(a, "runtime-test");
  const Network net = lower(a);
  Rng rng(21);
  const trainer::QuantizedModel model = testing::random_quantized(a, 21);

  bool saw_residual = false;
  for (int image = 0; image < 4; ++image) {
    const trainer::Tensor x = testing::random_images(1, a, rng);
    const trainer::Int8Tensor xq = trainer::quantize_images(x, model.tensors[0]);
    const auto expected = trainer::int8_tensors(net, model, xq.data.data());
    std::vector<std::vector<std::int8_t>> tensors(net.layers.size() + 1);
    tensors[0] = xq.data;
    for (std::size_t i = 0; i < net.layers.size(); ++i) {
      const Layer& l = net.layers[i];
      const RuntimeLayer rt(l, model.layers[i]);
      std::vector<std::int8_t>* res = l.residual >= 0 ? &tensors[l.residual] : nullptr;
      saw_residual = saw_residual || res != nullptr;
      tensors[i + 1] = runtime_full(rt, tensors[l.input], res);
      ASSERT_EQ(tensors[i + 1], expected[i + 1]) << "layer " << i;
      if (l.kind == LayerKind::Conv || l.kind == LayerKind::Depthwise ||
          l.kind == LayerKind::Pointwise) {
        ASSERT_EQ(runtime_tiled(rt, tensors[l.input], res, 3), expected[i + 1]) << "layer " << i;
      }
      if (l.kind == LayerKind::Depthwise) {
        ASSERT_EQ(runtime_tiled(rt, tensors[l.input], res, 2, true), expected[i + 1]) << "layer " << i;
      }
    }
    trainer::Int8Tensor batch(1, xq.h, xq.w, xq.c);
    batch.data = xq.data;
    EXPECT_EQ(tensors.back(), trainer::int8_inference(net, model, batch).data);
  }
  EXPECT_TRUE(saw_residual);
}

}  // namespace
}  // namespace patchnas
