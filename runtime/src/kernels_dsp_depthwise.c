/* Cortex-M DSP-extension (ARMv7E-M) path of the out-of-place depthwise loop, compiled only when
 * the compiler defines __ARM_FEATURE_DSP. It computes the same bytes as the portable loop
 * (depthwise.c), which stays the reference: the firmware benchmark (bench/qemu_kernels) runs
 * both on the device and compares. Exactness: see pn_dsp.h.
 *
 * Blocking: 4 channels of one pixel per tap (HWC: the 4 channels are one word of input and of
 * weights). */
#include "pn_dsp.h"

#if defined(__ARM_FEATURE_DSP)

/* Largest depthwise kernel the DSP loop takes (its widened weights live on the stack). */
#define PN_DSP_MAX_KERNEL 7

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
typedef int pn__kernels_dsp_depthwise_unused;

#endif /* __ARM_FEATURE_DSP */
