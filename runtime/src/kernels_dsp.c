/* Cortex-M DSP-extension (ARMv7E-M: M4, M7, M33 with DSP) paths of the conv core and the
 * out-of-place depthwise loop, compiled only when the compiler defines __ARM_FEATURE_DSP.
 * They compute the same bytes as the portable loops (conv.c, depthwise.c), which stay the
 * reference: the firmware benchmark (bench/qemu_kernels) runs both on the device and compares.
 *
 * Why exact: int8 pairs are widened to int16 pairs with SXTB16 / SXTAB16, and SXTAB16 adds
 * the packed (-zp, -zp) while widening, so every product is w * (x - zp) with x - zp in
 * [-255, 255], as in the portable loop; SMLAD / SMLAxy accumulate in int32 (wrapping exactly
 * like the portable int32 sums). The output stage (dsp_output) is pn__output_stage rewritten
 * without 64-bit division: for |a*b| <= 2^62, trunc((a*b + nudge) / 2^31) with the sign-
 * dependent nudge of pn__srdhm equals floor((a*b + 2^30) / 2^31), and multipliers are >= 0
 * (validated), so the INT32_MIN * INT32_MIN case cannot occur.
 *
 * Blocking: the conv core computes 2 output pixels x 2 output channels per pass over a run of
 * contiguous taps (4 int8 per load, 8 SMLAD per 4 input channels); depthwise computes 4
 * channels of one pixel per tap (HWC: the 4 channels are one word of input and of weights). */
#include "pn_internal.h"

#if defined(__ARM_FEATURE_DSP)

#include <arm_acle.h>
#include <string.h>

/* Four int8 from an arbitrarily aligned address (ARMv7E-M LDR allows unaligned access). */
static inline int32_t dsp_load4(const int8_t* p) {
  int32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

/* Bytes 1 and 3 of v sign-extended to two int16 (SXTB16 with ROR #8). */
static inline int32_t dsp_sxtb16_odd(int32_t v) {
  int32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
  return r;
}

/* Bytes 1 and 3 of v sign-extended and added to the two int16 of a (SXTAB16 with ROR #8). */
static inline int32_t dsp_sxtab16_odd(int32_t a, int32_t v) {
  int32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(v));
  return r;
}

/* One output channel's constants, gathered once per block of channels. */
typedef struct {
  int32_t bias;         /* q->bias[o] */
  int32_t bias_zp;      /* bias - zp * (sum of the channel's weights), mod 2^32 */
  int32_t multiplier;
  int32_t left;         /* max(shift, 0) */
  int32_t right;        /* max(-shift, 0) */
  int32_t mask;         /* 2^right - 1 */
  int32_t half;         /* mask >> 1 */
} dsp_channel;

static void dsp_channel_at(const pn_quant_params* q, int32_t o, dsp_channel* ch) {
  const int32_t shift = q->shift[o];
  ch->bias = q->bias[o];
  ch->bias_zp = ch->bias;
  ch->multiplier = q->multiplier[o];
  ch->left = shift > 0 ? shift : 0;
  ch->right = shift > 0 ? 0 : -shift;
  ch->mask = (int32_t)(((uint32_t)1 << ch->right) - 1u);
  ch->half = ch->mask >> 1;
}

/* pn__requantize for multiplier >= 0, without 64-bit division (see the top of the file). */
static inline int32_t dsp_requantize(int32_t acc, const dsp_channel* ch) {
  int32_t x = acc;
  if (ch->left > 0) {
    const int32_t limit = INT32_MAX >> ch->left;
    if (x > limit) {
      x = INT32_MAX;
    } else if (x < -limit - 1) {
      x = INT32_MIN;
    } else {
      x = (int32_t)((uint32_t)x << ch->left);
    }
  }
  {
    /* (x * multiplier + 2^30) >> 31 with one SMLAL (gcc widens a variable operand with 3 multiplies). */
    uint32_t lo = 0x40000000u;
    int32_t hi = 0;
    __asm__("smlal %0, %1, %2, %3" : "+r"(lo), "+r"(hi) : "r"(x), "r"(ch->multiplier));
    x = (int32_t)((lo >> 31) | ((uint32_t)hi << 1));
  }
  return (x >> ch->right) + ((x & ch->mask) > ch->half + (x < 0 ? 1 : 0) ? 1 : 0);
}

/* pn__output_stage without the residual: requantize, zero point, clamp. Values outside
 * [-256, 255] clamp to act_min/act_max whatever the zero point, so SSAT to 9 bits first keeps
 * the sum in int32. */
static inline int8_t dsp_output(const pn_quant_params* q, const dsp_channel* ch, int32_t acc) {
  int32_t v = __ssat(dsp_requantize(acc, ch), 9) + q->output_zero_point;
  if (v < q->act_min) v = q->act_min;
  if (v > q->act_max) v = q->act_max;
  return (int8_t)v;
}

static inline int8_t dsp_output_residual(const pn_quant_params* q, int32_t o,
                                         const dsp_channel* ch, int32_t acc,
                                         const int8_t* residual) {
  return residual != NULL ? pn__output_stage(q, o, acc, residual + o) : dsp_output(q, ch, acc);
}

/* acc[2i + j] += sum_t w_i[t] * x_j[t] over 4 * groups values (groups >= 1), for inputs xa, xb
 * and weights wa, wb: per 4 values 4 loads, 8 SXTB16 and 8 SMLAD. The 14 registers it needs
 * leave none for a counter: the end pointer is compared from memory. Unoptimized builds
 * (which cannot give an asm statement 14 registers) get the same loop in C. */
static inline void dsp_dot_2x2_raw(const int8_t* xa, const int8_t* xb, const int8_t* wa,
                                   const int8_t* wb, int32_t groups, int32_t acc[4]) {
  const int8_t* const xa_end = xa + 4 * groups;
  int32_t aa = acc[0], ab = acc[1], ba = acc[2], bb = acc[3];
#if defined(__OPTIMIZE__)
  int32_t t0, t1, t2, t3, t4, t5;
  __asm__ volatile(
      "1:\n\t"
      "ldr %[t0], [%[wa]], #4\n\t"
      "ldr %[t1], [%[wb]], #4\n\t"
      "sxtb16 %[t2], %[t0]\n\t"
      "sxtb16 %[t0], %[t0], ror #8\n\t"
      "sxtb16 %[t3], %[t1]\n\t"
      "sxtb16 %[t1], %[t1], ror #8\n\t"
      "ldr %[t4], [%[xa]], #4\n\t"
      "sxtb16 %[t5], %[t4]\n\t"
      "sxtb16 %[t4], %[t4], ror #8\n\t"
      "smlad %[aa], %[t2], %[t5], %[aa]\n\t"
      "smlad %[aa], %[t0], %[t4], %[aa]\n\t"
      "smlad %[ba], %[t3], %[t5], %[ba]\n\t"
      "smlad %[ba], %[t1], %[t4], %[ba]\n\t"
      "ldr %[t4], [%[xb]], #4\n\t"
      "sxtb16 %[t5], %[t4]\n\t"
      "sxtb16 %[t4], %[t4], ror #8\n\t"
      "smlad %[ab], %[t2], %[t5], %[ab]\n\t"
      "smlad %[ab], %[t0], %[t4], %[ab]\n\t"
      "smlad %[bb], %[t3], %[t5], %[bb]\n\t"
      "smlad %[bb], %[t1], %[t4], %[bb]\n\t"
      "ldr %[t5], %[end]\n\t"
      "cmp %[xa], %[t5]\n\t"
      "bne 1b\n\t"
      : [aa] "+r"(aa), [ab] "+r"(ab), [ba] "+r"(ba), [bb] "+r"(bb), [xa] "+r"(xa),
        [xb] "+r"(xb), [wa] "+r"(wa), [wb] "+r"(wb), [t0] "=&r"(t0), [t1] "=&r"(t1),
        [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4), [t5] "=&r"(t5)
      : [end] "m"(xa_end)
      : "cc", "memory");
#else
  do {
    const int32_t w_a = dsp_load4(wa), w_b = dsp_load4(wb);
    const int32_t xwa = dsp_load4(xa), xwb = dsp_load4(xb);
    aa = __smlad(__sxtb16(w_a), __sxtb16(xwa), aa);
    aa = __smlad(dsp_sxtb16_odd(w_a), dsp_sxtb16_odd(xwa), aa);
    ab = __smlad(__sxtb16(w_a), __sxtb16(xwb), ab);
    ab = __smlad(dsp_sxtb16_odd(w_a), dsp_sxtb16_odd(xwb), ab);
    ba = __smlad(__sxtb16(w_b), __sxtb16(xwa), ba);
    ba = __smlad(dsp_sxtb16_odd(w_b), dsp_sxtb16_odd(xwa), ba);
    bb = __smlad(__sxtb16(w_b), __sxtb16(xwb), bb);
    bb = __smlad(dsp_sxtb16_odd(w_b), dsp_sxtb16_odd(xwb), bb);
    xa += 4;
    xb += 4;
    wa += 4;
    wb += 4;
  } while (xa != xa_end);
#endif
  acc[0] = aa;
  acc[1] = ab;
  acc[2] = ba;
  acc[3] = bb;
}

/* The same over n values, any n >= 0 (the last n % 4 one at a time). */
static inline void dsp_dot_2x2(const int8_t* xa, const int8_t* xb, const int8_t* wa,
                               const int8_t* wb, int32_t n, int32_t acc[4]) {
  const int32_t head = n & ~3;
  int32_t t;
  if (head > 0) dsp_dot_2x2_raw(xa, xb, wa, wb, head >> 2, acc);
  for (t = head; t < n; ++t) {
    const int32_t va = xa[t], vb = xb[t], w_a = wa[t], w_b = wb[t];
    acc[0] += w_a * va;
    acc[1] += w_a * vb;
    acc[2] += w_b * va;
    acc[3] += w_b * vb;
  }
}

/* sum_t w[t] * (x[t] - zp) over t < n, added to acc (one channel, one pixel). */
static inline int32_t dsp_dot_1x1(const int8_t* x, const int8_t* w, int32_t n, int32_t zp,
                                  int32_t acc) {
  const int32_t neg_zp = (int32_t)(((uint32_t)(-zp) & 0xFFFFu) * 0x10001u);
  int32_t t;
  for (t = n >> 2; t > 0; --t) {
    const int32_t xw = dsp_load4(x), ww = dsp_load4(w);
    acc = __smlad(__sxtb16(ww), __sxtab16(neg_zp, xw), acc);
    acc = __smlad(dsp_sxtb16_odd(ww), dsp_sxtab16_odd(neg_zp, xw), acc);
    x += 4;
    w += 4;
  }
  for (t = n & 3; t > 0; --t) acc += (int32_t)*w++ * ((int32_t)*x++ - zp);
  return acc;
}

/* Sum of n int8. */
static int32_t dsp_sum(const int8_t* w, int32_t n) {
  int32_t sum = 0;
  int32_t t;
  for (t = 0; t < n; ++t) sum += w[t];
  return sum;
}

/* Output channels handled per pass over the region: their constants live on the stack. */
#define PN_DSP_CHANNEL_BLOCK 16

/* Input of output pixel (oy, ox) at kernel tap (ky, kx), channel 0. */
static const int8_t* dsp_conv_input(const pn_conv_params* p, const pn_tensor* input, int32_t oy,
                                    int32_t ox, int32_t ky, int32_t kx) {
  const int32_t iy = oy * p->stride - p->pad + ky;
  const int32_t ix = ox * p->stride - p->pad + kx;
  return input->data + ((size_t)(iy - input->y0) * (size_t)input->w + (size_t)(ix - input->x0)) *
                           (size_t)p->in_c;
}

/* Whether every tap of output column ox lies inside the full input map. */
static int dsp_column_inside(const pn_conv_params* p, int32_t ox) {
  const int32_t ix0 = ox * p->stride - p->pad;
  return ix0 >= 0 && ix0 + p->kernel <= p->in_w;
}

/* Channels [o0, o0 + count) of output pixel (oy, ox) when some taps are padding: the portable
 * loop's order, with the zero point subtracted while widening. */
static void dsp_conv_border_pixel(const pn_conv_params* p, const pn_quant_params* q,
                                  const pn_tensor* input, const pn_tensor* residual,
                                  const pn_tensor* output, int32_t oy, int32_t ox, int32_t o0,
                                  int32_t count, const dsp_channel* block) {
  const int32_t k = p->kernel;
  const int32_t in_c = p->in_c;
  const int32_t iy0 = oy * p->stride - p->pad;
  const int32_t ix0 = ox * p->stride - p->pad;
  const int32_t ky_lo = pn__first_tap(iy0);
  const int32_t ky_hi = pn__end_tap(iy0, k, p->in_h);
  const int32_t kx_lo = pn__first_tap(ix0);
  const int32_t kx_hi = pn__end_tap(ix0, k, p->in_w);
  const int32_t run = (kx_hi - kx_lo) * in_c;
  const size_t weights_per_output = (size_t)k * (size_t)k * (size_t)in_c;
  int8_t* out = output->data + ((size_t)(oy - output->y0) * (size_t)output->w +
                                (size_t)(ox - output->x0)) * (size_t)p->out_c;
  const int8_t* res = NULL;
  int32_t j;
  if (residual != NULL) {
    res = residual->data + ((size_t)(oy - residual->y0) * (size_t)residual->w +
                            (size_t)(ox - residual->x0)) * (size_t)p->out_c;
  }
  for (j = 0; j < count; ++j) {
    const int32_t o = o0 + j;
    const int8_t* w_o = q->weights + (size_t)o * weights_per_output;
    int32_t acc = block[j].bias;
    int32_t ky;
    for (ky = ky_lo; ky < ky_hi; ++ky) {
      acc = dsp_dot_1x1(dsp_conv_input(p, input, oy, ox, ky, kx_lo),
                        w_o + ((size_t)ky * (size_t)k + (size_t)kx_lo) * (size_t)in_c, run,
                        q->input_zero_point, acc);
    }
    out[o] = dsp_output_residual(q, o, &block[j], acc, res);
  }
}

/* Channels [o0, o0 + count) of output pixels (oy, ox) and (oy, ox + 1), every tap inside the
 * map: sum of w * x from the 2 x 2 kernel plus bias_zp. */
static void dsp_conv_inside_pair(const pn_conv_params* p, const pn_quant_params* q,
                                 const pn_tensor* input, const pn_tensor* residual,
                                 const pn_tensor* output, int32_t oy, int32_t ox, int32_t o0,
                                 int32_t count, const dsp_channel* block) {
  const int32_t k = p->kernel;
  const int32_t out_c = p->out_c;
  const int32_t run = k * p->in_c; /* one kernel row: contiguous in input and weights */
  const size_t weights_per_output = (size_t)k * (size_t)run;
  const size_t x_row = (size_t)input->w * (size_t)p->in_c;
  const int8_t* xa = dsp_conv_input(p, input, oy, ox, 0, 0);
  const int8_t* xb = dsp_conv_input(p, input, oy, ox + 1, 0, 0);
  int8_t* out_a = output->data + ((size_t)(oy - output->y0) * (size_t)output->w +
                                  (size_t)(ox - output->x0)) * (size_t)out_c;
  int8_t* out_b = out_a + out_c;
  const int8_t* res_a = NULL;
  const int8_t* res_b = NULL;
  int32_t j;
  if (residual != NULL) {
    res_a = residual->data + ((size_t)(oy - residual->y0) * (size_t)residual->w +
                              (size_t)(ox - residual->x0)) * (size_t)out_c;
    res_b = res_a + out_c;
  }
  for (j = 0; j + 1 < count; j += 2) {
    const int32_t o = o0 + j;
    const int8_t* w = q->weights + (size_t)o * weights_per_output;
    int32_t acc[4];
    int32_t r;
    acc[0] = acc[1] = block[j].bias_zp;
    acc[2] = acc[3] = block[j + 1].bias_zp;
    for (r = 0; r < k; ++r) {
      dsp_dot_2x2(xa + (size_t)r * x_row, xb + (size_t)r * x_row, w + (size_t)r * (size_t)run,
                  w + weights_per_output + (size_t)r * (size_t)run, run, acc);
    }
    out_a[o] = dsp_output_residual(q, o, &block[j], acc[0], res_a);
    out_b[o] = dsp_output_residual(q, o, &block[j], acc[1], res_b);
    out_a[o + 1] = dsp_output_residual(q, o + 1, &block[j + 1], acc[2], res_a);
    out_b[o + 1] = dsp_output_residual(q, o + 1, &block[j + 1], acc[3], res_b);
  }
  if (j < count) {
    const int32_t o = o0 + j;
    const int8_t* w = q->weights + (size_t)o * weights_per_output;
    int32_t acc[4];
    int32_t r;
    acc[0] = acc[1] = block[j].bias_zp;
    acc[2] = acc[3] = 0;
    for (r = 0; r < k; ++r) { /* the second weight row is the first again; discarded */
      dsp_dot_2x2(xa + (size_t)r * x_row, xb + (size_t)r * x_row, w + (size_t)r * (size_t)run,
                  w + (size_t)r * (size_t)run, run, acc);
    }
    out_a[o] = dsp_output_residual(q, o, &block[j], acc[0], res_a);
    out_b[o] = dsp_output_residual(q, o, &block[j], acc[1], res_b);
  }
}

void pn__conv_core_dsp(const pn_conv_params* p, const pn_quant_params* q, const pn_tensor* input,
                       const pn_tensor* residual, const pn_tensor* output,
                       const pn_region* region) {
  const int32_t k = p->kernel;
  const int32_t weights_per_output = k * k * p->in_c;
  const int32_t x_end = region->x0 + region->w;
  dsp_channel block[PN_DSP_CHANNEL_BLOCK];
  int32_t o0;
  for (o0 = 0; o0 < p->out_c; o0 += PN_DSP_CHANNEL_BLOCK) {
    const int32_t count = p->out_c - o0 < PN_DSP_CHANNEL_BLOCK ? p->out_c - o0
                                                               : PN_DSP_CHANNEL_BLOCK;
    int32_t j, oy;
    for (j = 0; j < count; ++j) {
      const int32_t sum = dsp_sum(q->weights + (size_t)(o0 + j) * (size_t)weights_per_output,
                                  weights_per_output);
      dsp_channel_at(q, o0 + j, &block[j]);
      block[j].bias_zp = (int32_t)((uint32_t)block[j].bias -
                                   (uint32_t)q->input_zero_point * (uint32_t)sum);
    }
    for (oy = region->y0; oy < region->y0 + region->h; ++oy) {
      const int32_t iy0 = oy * p->stride - p->pad;
      const int rows_inside = iy0 >= 0 && iy0 + k <= p->in_h;
      int32_t ox = region->x0;
      while (ox < x_end) {
        if (rows_inside && ox + 1 < x_end && dsp_column_inside(p, ox) &&
            dsp_column_inside(p, ox + 1)) {
          dsp_conv_inside_pair(p, q, input, residual, output, oy, ox, o0, count, block);
          ox += 2;
        } else {
          dsp_conv_border_pixel(p, q, input, residual, output, oy, ox, o0, count, block);
          ox += 1;
        }
      }
    }
  }
}

/* Largest depthwise kernel the DSP loop takes (its widened weights live on the stack). */
#define PN_DSP_MAX_KERNEL 7

/* GCC: unroll the loop that follows when its trip count is a constant (the tap loops below,
 * inlined with k = 3 or 5). */
#if defined(__GNUC__)
#define PN_DSP_UNROLL _Pragma("GCC unroll 8")
#else
#define PN_DSP_UNROLL
#endif

/* Four channels of one output pixel over rows x taps kernel taps: x the input of the first tap
 * (row stride x_row, tap stride `channels`), w the widened weights (even, odd pairs) of the
 * first tap (row stride w_row words). */
static inline void dsp_dw_pixel(const int8_t* x, int32_t channels, size_t x_row,
                                const int32_t* w, int32_t w_row, int32_t rows, int32_t taps,
                                int32_t neg_zp, int32_t acc[4]) {
  int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
  int32_t r, t;
  for (r = 0; r < rows; ++r) {
    PN_DSP_UNROLL
    for (t = 0; t < taps; ++t) {
      const int32_t xw = dsp_load4(x + (size_t)r * x_row + (size_t)t * (size_t)channels);
      const int32_t x02 = __sxtab16(neg_zp, xw), x13 = dsp_sxtab16_odd(neg_zp, xw);
      const int32_t w02 = w[r * w_row + 2 * t], w13 = w[r * w_row + 2 * t + 1];
      a0 = __smlabb(x02, w02, a0);
      a2 = __smlatt(x02, w02, a2);
      a1 = __smlabb(x13, w13, a1);
      a3 = __smlatt(x13, w13, a3);
    }
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
}

void pn__depthwise_dsp(const pn_conv_params* p, const pn_quant_params* q, const pn_tensor* input,
                       const pn_tensor* output, const pn_region* region) {
  const int32_t k = p->kernel;
  const int32_t channels = p->out_c;
  const int32_t simd_channels = k <= PN_DSP_MAX_KERNEL ? channels & ~3 : 0;
  const int32_t neg_zp = (int32_t)(((uint32_t)(-q->input_zero_point) & 0xFFFFu) * 0x10001u);
  const size_t x_row = (size_t)input->w * (size_t)channels;
  int32_t wide[2 * PN_DSP_MAX_KERNEL * PN_DSP_MAX_KERNEL];
  dsp_channel ch[4];
  int32_t c;
  for (c = 0; c < simd_channels; c += 4) {
    int32_t i, oy;
    for (i = 0; i < k * k; ++i) {
      const int32_t ww = dsp_load4(q->weights + (size_t)i * (size_t)channels + (size_t)c);
      wide[2 * i] = __sxtb16(ww);
      wide[2 * i + 1] = dsp_sxtb16_odd(ww);
    }
    for (i = 0; i < 4; ++i) dsp_channel_at(q, c + i, &ch[i]);
    for (oy = region->y0; oy < region->y0 + region->h; ++oy) {
      const int32_t iy0 = oy * p->stride - p->pad;
      const int32_t ky_lo = pn__first_tap(iy0);
      const int32_t ky_hi = pn__end_tap(iy0, k, p->in_h);
      int8_t* out = output->data + ((size_t)(oy - output->y0) * (size_t)output->w +
                                    (size_t)(region->x0 - output->x0)) * (size_t)channels +
                    (size_t)c;
      int32_t ox;
      for (ox = region->x0; ox < region->x0 + region->w; ++ox, out += channels) {
        const int32_t ix0 = ox * p->stride - p->pad;
        const int32_t kx_lo = pn__first_tap(ix0);
        const int32_t kx_hi = pn__end_tap(ix0, k, p->in_w);
        const int32_t taps = kx_hi - kx_lo;
        const int8_t* x = input->data + ((size_t)(iy0 + ky_lo - input->y0) * (size_t)input->w +
                                         (size_t)(ix0 + kx_lo - input->x0)) *
                                            (size_t)channels + (size_t)c;
        const int32_t* w = wide + 2 * (ky_lo * k + kx_lo);
        const int32_t rows = ky_hi - ky_lo;
        int32_t acc[4];
        acc[0] = ch[0].bias;
        acc[1] = ch[1].bias;
        acc[2] = ch[2].bias;
        acc[3] = ch[3].bias;
        /* Constant trip counts for the interior of the common kernels, so the loops unroll. */
        if (rows == 3 && taps == 3 && k == 3) {
          dsp_dw_pixel(x, channels, x_row, w, 6, 3, 3, neg_zp, acc);
        } else if (rows == 5 && taps == 5 && k == 5) {
          dsp_dw_pixel(x, channels, x_row, w, 10, 5, 5, neg_zp, acc);
        } else {
          dsp_dw_pixel(x, channels, x_row, w, 2 * k, rows, taps, neg_zp, acc);
        }
        out[0] = dsp_output(q, &ch[0], acc[0]);
        out[1] = dsp_output(q, &ch[1], acc[1]);
        out[2] = dsp_output(q, &ch[2], acc[2]);
        out[3] = dsp_output(q, &ch[3], acc[3]);
      }
    }
  }
  if (simd_channels < channels) {
    pn__depthwise_portable(p, q, input, input->data, x_row, (size_t)channels, 0, output, region,
                           simd_channels, channels);
  }
}

#else

/* ISO C wants at least one declaration in a translation unit. */
typedef int pn__kernels_dsp_unused;

#endif /* __ARM_FEATURE_DSP */
