/* Cortex-M DSP-extension (ARMv7E-M: M4, M7, M33 with DSP) path of the conv core (stem conv,
 * pointwise, FC), compiled only when the compiler defines __ARM_FEATURE_DSP. It computes the
 * same bytes as the portable loop (conv.c), which stays the reference: the firmware benchmark
 * (bench/qemu_kernels) runs both on the device and compares. Exactness: see pn_dsp.h.
 *
 * Blocking: 2 output pixels x 2 output channels per pass over a run of contiguous taps
 * (4 int8 per load, 8 SMLAD per 4 input channels). */
#include "pn_dsp.h"

#if defined(__ARM_FEATURE_DSP)

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

#else

/* ISO C wants at least one declaration in a translation unit. */
typedef int pn__kernels_dsp_conv_unused;

#endif /* __ARM_FEATURE_DSP */
