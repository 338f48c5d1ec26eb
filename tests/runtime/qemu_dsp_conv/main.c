/* On-device check (bare-metal Cortex-M under QEMU, `make CPU=m4 run`) of the conv core's DSP
 * path and of the DSP output stage, beyond the fixed shapes of bench/qemu_kernels:
 *  1. dsp_requantize / dsp_output / dsp_sat8 + dsp_clamp4 (pn_dsp.h) against pn__requantize /
 *     pn__output_stage for every shift in [-31, 30], edge and random multipliers (0, below
 *     2^30, 2^30, near 2^31), edge and random accumulators, including ones placed next to a
 *     rounding boundary, random zero points and activation ranges.
 *  2. pn_pointwise_s8 (with and without the residual add, also written over the residual),
 *     pn_conv_s8 and pn_fc_s8 (the DSP path on a DSP target) against pn__conv_core_portable on
 *     random shapes (every pointwise width class, odd channel counts, stride 1 and 2, kernels 3
 *     and 5 with any padding, sub-regions into offset output views) and random quantization
 *     parameters (any shift in [-31, 30], multipliers below 2^30, biases of any size).
 * Prints the number of cases and failures; exit status 0 only when everything matched. */
#include <stdint.h>
#include <string.h>

#include "pn_dsp.h"
#include "semihost.h"

#define MAX_BYTES 40000
#define MAX_CHANNELS 512

static int8_t input_map[MAX_BYTES], residual_map[MAX_BYTES], residual_copy[MAX_BYTES];
static int8_t out_dsp[MAX_BYTES], out_portable[MAX_BYTES], weights[MAX_BYTES];
static int32_t multipliers[MAX_CHANNELS], shifts[MAX_CHANNELS], biases[MAX_CHANNELS];

static uint32_t rng_state = 0xC0FFEE11u;

#include "xorshift32.h"

static uint32_t cases, failures;

/* ---- 1. the output stage ---- */

static void check_output(int32_t acc, int32_t m, int32_t shift, int32_t zp, int32_t lo,
                         int32_t hi) {
  pn_quant_params q;
  dsp_channel ch;
  int32_t bias = 0, v, four;
  int8_t expected;
  memset(&q, 0, sizeof q);
  q.multiplier = &m;
  q.shift = &shift;
  q.bias = &bias;
  q.output_zero_point = zp;
  q.act_min = lo;
  q.act_max = hi;
  dsp_channel_at(&q, 0, &ch);
  expected = pn__output_stage(&q, 0, acc, NULL);
  v = dsp_sat8(acc, &ch, zp, 2 * zp + 1);
  four = dsp_clamp4(dsp_bytes4(v), dsp_bytes4(lo), dsp_bytes4(hi));
  ++cases;
  if (dsp_requantize(acc, &ch) != pn__requantize(acc, m, shift) ||
      dsp_output(&q, &ch, acc) != expected || four != dsp_bytes4(expected)) {
    if (failures < 10) {
      sh_putu("FAIL output stage: acc ", (uint32_t)acc);
      sh_putu(" multiplier ", (uint32_t)m);
      sh_putu(" shift ", (uint32_t)shift);
    }
    ++failures;
  }
}

static void check_output_stage(void) {
  static const int32_t edge_m[] = {0, 1, 2, 3, 12345, 0x3FFFFFFF, 0x40000000, 0x40000001,
                                   0x5A827999, 0x60000000, 0x7FFF0000, 0x7FFFFFFE, 0x7FFFFFFF};
  static const int32_t edge_acc[] = {INT32_MIN, INT32_MIN + 1, -0x40000000, -65536, -257, -256,
                                     -129, -128, -3, -2, -1, 0, 1, 2, 3, 127, 128, 255, 256,
                                     65535, 0x3FFFFFFF, 0x40000000, INT32_MAX - 1, INT32_MAX};
  int32_t shift;
  uint32_t i, j;
  for (shift = -31; shift <= 30; ++shift) {
    for (i = 0; i < sizeof edge_m / sizeof edge_m[0]; ++i) {
      for (j = 0; j < sizeof edge_acc / sizeof edge_acc[0]; ++j) {
        check_output(edge_acc[j], edge_m[i], shift, 0, -128, 127);
        check_output(edge_acc[j], edge_m[i], shift, 127, -128, 127);
        check_output(edge_acc[j], edge_m[i], shift, -128, -50, 60);
      }
      for (j = 0; j < 300; ++j) { /* small sums: the ties of both roundings */
        check_output(((int32_t)j - 150) * (1 << (rng() % 20u)), edge_m[i], shift,
                     rng_range(-128, 127), -128, 127);
      }
    }
    for (i = 0; i < 1500; ++i) {
      const uint32_t kind = rng() % 4u;
      const int32_t m = kind == 0   ? (int32_t)(rng() >> 1)
                        : kind == 1 ? (int32_t)(0x40000000u | (rng() >> 2))
                        : kind == 2 ? (int32_t)(0x7FFFFFFFu - (rng() & 0xFFFFu))
                                    : (int32_t)(rng() >> (1u + rng() % 31u));
      const int32_t zp = rng_range(-128, 127);
      const int32_t lo = rng_range(-128, 127);
      const int32_t hi = rng_range(lo, 127);
      int32_t acc = (int32_t)rng();
      if (rng() & 1u) acc >>= rng() % 31u;
      check_output(acc, m, shift, zp, lo, hi);
      if (m > 0 && shift < 0) { /* acc * m next to a multiple of 2^30 */
        int64_t a = ((int64_t)(int32_t)rng() * 32768 + ((int64_t)1 << 30)) / m;
        int32_t d;
        if (a > INT32_MAX - 2) a = INT32_MAX - 2;
        if (a < INT32_MIN + 2) a = INT32_MIN + 2;
        for (d = -2; d <= 2; ++d) check_output((int32_t)a + d, m, shift, zp, lo, hi);
      }
    }
  }
}

/* ---- 2. the conv core on random shapes ---- */

typedef enum { C_POINTWISE, C_POINTWISE_RESIDUAL, C_CONV, C_FC } conv_kind;

static void random_shape(conv_kind kind, pn_conv_params* p) {
  memset(p, 0, sizeof *p);
  p->kernel = 1;
  p->stride = 1;
  if (kind == C_POINTWISE || kind == C_POINTWISE_RESIDUAL) {
    const uint32_t width = rng() % 4u; /* widened pair, half-widened, wide input, any */
    p->stride = rng_range(1, 2);
    p->in_c = width == 0 ? 4 * rng_range(1, 16)
              : width == 1 ? rng_range(65, 200)
              : width == 2 ? rng_range(4, 64)
                           : rng_range(1, 3);
    p->out_c = rng_range(1, 21);
    p->in_h = rng_range(1, 9);
    p->in_w = rng_range(1, 9);
  } else if (kind == C_CONV) {
    p->kernel = (rng() & 1u) ? 3 : 5;
    p->pad = rng_range(0, p->kernel / 2);
    p->stride = rng_range(1, 2);
    p->in_c = (rng() & 3u) == 0 ? rng_range(4, 12) : rng_range(1, 3);
    p->out_c = rng_range(1, 19);
    p->in_h = rng_range(p->kernel, 12);
    p->in_w = rng_range(p->kernel, 12);
  } else {
    p->in_h = p->in_w = 1;
    p->in_c = rng_range(1, 300);
    p->out_c = rng_range(1, 40);
  }
  p->out_h = (p->in_h + 2 * p->pad - p->kernel) / p->stride + 1;
  p->out_w = (p->in_w + 2 * p->pad - p->kernel) / p->stride + 1;
}

static void random_quant(int32_t channels, pn_quant_params* q, pn_residual_params* add) {
  int32_t o;
  q->input_zero_point = rng_range(-128, 127);
  q->output_zero_point = rng_range(-128, 127);
  q->act_min = (rng() & 1u) ? -128 : rng_range(-128, 127);
  q->act_max = (rng() & 1u) ? 127 : rng_range(q->act_min, 127);
  for (o = 0; o < channels; ++o) {
    const uint32_t kind = rng() % 8u;
    multipliers[o] = kind == 0   ? (int32_t)(rng() >> 1)
                     : kind == 1 ? (int32_t)(rng() >> rng_range(2, 31))
                                 : (int32_t)(0x40000000u | (rng() >> 2));
    shifts[o] = kind == 2 ? rng_range(-31, 30) : kind == 3 ? rng_range(-3, 3) : rng_range(-14, -4);
    biases[o] = (rng() & 7u) == 0 ? (int32_t)rng() : rng_range(-30000, 30000);
  }
  q->weights = weights;
  q->multiplier = multipliers;
  q->shift = shifts;
  q->bias = biases;
  q->residual = NULL;
  add->zero_point = rng_range(-128, 127);
  add->multiplier = (int32_t)(rng() >> 1);
  add->shift = (rng() & 1u) ? rng_range(-3, 0) : rng_range(-31, 30);
  add->output_multiplier = (int32_t)(rng() >> 1);
  add->output_shift = (rng() & 1u) ? rng_range(-22, -18) : rng_range(-31, 30);
}

static void fill(int8_t* p, int32_t n) {
  int32_t i;
  for (i = 0; i < n; ++i) p[i] = (int8_t)rng();
}

/* One random case; returns 0 when the DSP path gave the portable loop's bytes. */
static int check_conv_case(void) {
  const conv_kind kind = (conv_kind)(rng() % 4u);
  pn_conv_params p;
  pn_quant_params q;
  pn_residual_params add;
  pn_tensor in, res, res_portable, out_a, out_b;
  pn_region r;
  pn_status status;
  int in_place = 0;
  random_shape(kind, &p);
  if (p.in_h * p.in_w * p.in_c > MAX_BYTES || p.out_h * p.out_w * p.out_c > MAX_BYTES ||
      p.kernel * p.kernel * p.in_c * p.out_c > MAX_BYTES) {
    return -1;
  }
  fill(input_map, p.in_h * p.in_w * p.in_c);
  fill(weights, p.kernel * p.kernel * p.in_c * p.out_c);
  fill(residual_map, MAX_BYTES);
  memcpy(residual_copy, residual_map, MAX_BYTES);
  random_quant(p.out_c, &q, &add);
  in.data = input_map;
  in.h = p.in_h;
  in.w = p.in_w;
  in.c = p.in_c;
  in.y0 = in.x0 = 0;
  r.h = rng_range(1, p.out_h);
  r.w = rng_range(1, p.out_w);
  r.y0 = rng_range(0, p.out_h - r.h);
  r.x0 = rng_range(0, p.out_w - r.w);
  out_a.data = out_dsp;
  out_a.c = p.out_c;
  if (rng() & 1u) { /* the whole map, or a view of exactly the region */
    out_a.h = p.out_h;
    out_a.w = p.out_w;
    out_a.y0 = out_a.x0 = 0;
  } else {
    out_a.h = r.h;
    out_a.w = r.w;
    out_a.y0 = r.y0;
    out_a.x0 = r.x0;
  }
  res = out_a;
  res.data = residual_map;
  res.h = p.out_h;
  res.w = p.out_w;
  res.y0 = res.x0 = 0;
  res_portable = res;
  res_portable.data = residual_copy;
  memset(out_dsp, 0x5A, MAX_BYTES);
  memset(out_portable, 0x5A, MAX_BYTES);
  if (kind == C_POINTWISE_RESIDUAL) {
    q.residual = &add;
    in_place = (rng() & 1u) != 0;
    if (in_place) { /* written over the residual, the same view */
      out_a = res;
    }
  }
  out_b = out_a;
  out_b.data = in_place ? residual_copy : out_portable;
  if (kind == C_FC) {
    pn_fc_params f;
    f.in_c = p.in_c;
    f.out_c = p.out_c;
    r.y0 = r.x0 = 0;
    r.h = r.w = 1;
    out_a.h = out_a.w = 1;
    out_a.y0 = out_a.x0 = 0;
    out_b = out_a;
    out_b.data = out_portable;
    status = pn_fc_s8(&f, &q, &in, &out_a, NULL);
  } else if (kind == C_CONV) {
    status = pn_conv_s8(&p, &q, &in, &out_a, &r, NULL);
  } else {
    status = pn_pointwise_s8(&p, &q, &in, q.residual != NULL ? &res : NULL, &out_a, &r, NULL);
  }
  pn__conv_core_portable(&p, &q, &in, q.residual != NULL ? &res_portable : NULL, &out_b, &r);
  if (status != PN_OK) return 1;
  if (in_place) return memcmp(residual_map, residual_copy, MAX_BYTES) != 0;
  return memcmp(out_dsp, out_portable, MAX_BYTES) != 0;
}

int main(void) {
  uint32_t i;
  check_output_stage();
  sh_putu("output stage cases ", cases);
  sh_putu("output stage failures ", failures);
  for (i = 0; i < 4000u; ++i) {
    const int result = check_conv_case();
    if (result < 0) continue;
    ++cases;
    if (result != 0) {
      if (failures < 10) sh_putu("FAIL conv core case ", i);
      ++failures;
    }
  }
  sh_putu("cases ", cases);
  sh_putu("failures ", failures);
  return failures != 0u;
}
