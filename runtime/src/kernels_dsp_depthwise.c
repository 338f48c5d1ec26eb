/* Cortex-M DSP-extension (ARMv7E-M) path of the out-of-place depthwise loop, compiled only when
 * the compiler defines __ARM_FEATURE_DSP. It computes the same bytes as the portable loop
 * (depthwise.c), which stays the reference: the firmware benchmark (bench/qemu_kernels) runs
 * both on the device and compares. Exactness: see pn_dsp.h.
 *
 * Blocking: 4 channels of one pixel per tap (HWC: the 4 channels are one word of input and of
 * weights). Runs of pixels whose windows lie in the map take a loop with constant trip counts
 * (3x3, 5x5); the 4 output bytes are stored as one word (pn_dsp_depthwise.h's tail). */
#include "pn_dsp_depthwise.h"

#if defined(__ARM_FEATURE_DSP)

/* Largest depthwise kernel the DSP loop takes (its widened weights live on the stack). */
#define PN_DSP_MAX_KERNEL 7

/* acc[0..3] += the 4 channels' products of one tap: xw the input word, w the widened weights. */
#define DSP_DW_TAP(xw, w)                                           \
  do {                                                              \
    const int32_t x02 = __sxtab16(neg_zp, (xw));                    \
    const int32_t x13 = dsp_sxtab16_odd(neg_zp, (xw));              \
    a0 = __smlabb(x02, (w)[0], a0);                                 \
    a2 = __smlatt(x02, (w)[0], a2);                                 \
    a1 = __smlabb(x13, (w)[1], a1);                                 \
    a3 = __smlatt(x13, (w)[1], a3);                                 \
  } while (0)

/* Four channels of one output pixel over rows x taps kernel taps: x the input of the first tap
 * (row stride x_row, tap stride `channels`), w the widened weights (even, odd pairs) of the
 * first tap (row stride w_row words). */
static void dsp_dw_pixel(const int8_t* x, int32_t channels, size_t x_row, const int32_t* w,
                         int32_t w_row, int32_t rows, int32_t taps, int32_t neg_zp,
                         int32_t acc[4]) {
  int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
  int32_t r, t;
  for (r = 0; r < rows; ++r) {
    for (t = 0; t < taps; ++t) {
      DSP_DW_TAP(dsp_load4(x + (size_t)r * x_row + (size_t)t * (size_t)channels),
                 w + r * w_row + 2 * t);
    }
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
}

/* The four output bytes of one pixel, stored as one word. */
static inline void dsp_dw_store4_inline(int8_t* out, const dsp_channel ch[4],
                                        const dsp_dw_clamp* tail, const int32_t acc[4]) {
  const int32_t w = dsp_dw_bytes4(acc, ch, tail);
  memcpy(out, &w, sizeof w);
}

/* The same, called: only the 3x3 run inlines it (code size). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void dsp_dw_store4(int8_t* out, const dsp_channel ch[4], const dsp_dw_clamp* tail,
                          const int32_t acc[4]) {
  dsp_dw_store4_inline(out, ch, tail, acc);
}

/* n pixels whose k x k windows lie in the map, `step` input bytes apart: x the input of tap
 * (0, 0) of the first, out its 4 output bytes. k is a constant after inlining, so the tap
 * loops unroll. */
static inline void dsp_dw_run(const int8_t* x, int32_t channels, size_t x_row, size_t step,
                              const int32_t* w, int32_t k, int32_t neg_zp, const dsp_channel ch[4],
                              const dsp_dw_clamp* tail, int8_t* out, int32_t n) {
  for (; n > 0; --n, x += step, out += channels) {
    int32_t a0 = ch[0].bias, a1 = ch[1].bias, a2 = ch[2].bias, a3 = ch[3].bias;
    int32_t acc[4];
    int32_t r, t;
    PN_DSP_UNROLL
    for (r = 0; r < k; ++r) {
      PN_DSP_UNROLL
      for (t = 0; t < k; ++t) {
        DSP_DW_TAP(dsp_load4(x + (size_t)r * x_row + (size_t)t * (size_t)channels),
                   w + 2 * (r * k + t));
      }
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
    if (k == 3) {
      dsp_dw_store4_inline(out, ch, tail, acc);
    } else {
      dsp_dw_store4(out, ch, tail, acc);
    }
  }
}

void pn__depthwise_dsp(const pn_conv_params* p, const pn_quant_params* q, const pn_tensor* input,
                       const pn_tensor* output, const pn_region* region) {
  const int32_t k = p->kernel, s = p->stride, pad = p->pad;
  const int32_t channels = p->out_c;
  const int32_t simd_channels = k <= PN_DSP_MAX_KERNEL ? channels & ~3 : 0;
  const int32_t neg_zp = (int32_t)(((uint32_t)(-q->input_zero_point) & 0xFFFFu) * 0x10001u);
  const size_t x_row = (size_t)input->w * (size_t)channels;
  const size_t step = (size_t)s * (size_t)channels;
  const int32_t x_end = region->x0 + region->w;
  /* Outputs whose windows lie in the map along x: [in_lo, in_hi]. */
  const int32_t in_lo = (pad + s - 1) / s;
  const int32_t in_hi = p->in_w - k + pad >= 0 ? (p->in_w - k + pad) / s : -1;
  int32_t wide[2 * PN_DSP_MAX_KERNEL * PN_DSP_MAX_KERNEL];
  dsp_channel ch[4];
  dsp_dw_clamp tail;
  int32_t c;
  dsp_dw_clamp_at(q, &tail);
  for (c = 0; c < simd_channels; c += 4) {
    int32_t i, oy;
    for (i = 0; i < k * k; ++i) {
      const int32_t ww = dsp_load4(q->weights + (size_t)i * (size_t)channels + (size_t)c);
      wide[2 * i] = __sxtb16(ww);
      wide[2 * i + 1] = dsp_sxtb16_odd(ww);
    }
    for (i = 0; i < 4; ++i) dsp_channel_at(q, c + i, &ch[i]);
    for (oy = region->y0; oy < region->y0 + region->h; ++oy) {
      const int32_t iy0 = oy * s - pad;
      const int32_t ky_lo = pn__first_tap(iy0);
      const int32_t rows = pn__end_tap(iy0, k, p->in_h) - ky_lo;
      /* Input of (first in-map row, view column 0) for channel c. */
      const int8_t* xr = input->data + (size_t)(iy0 + ky_lo - input->y0) * x_row + (size_t)c;
      int8_t* out = output->data + ((size_t)(oy - output->y0) * (size_t)output->w +
                                    (size_t)(region->x0 - output->x0)) * (size_t)channels +
                    (size_t)c;
      int32_t ox = region->x0;
      while (ox < x_end) {
        const int32_t ix0 = ox * s - pad;
        if (rows == k && ox >= in_lo && ox <= in_hi && (k == 3 || k == 5)) {
          /* A run of whole windows: constant trip counts, so the tap loops unroll. */
          const int32_t n = (in_hi < x_end - 1 ? in_hi : x_end - 1) - ox + 1;
          const int8_t* x = xr + (size_t)(ix0 - input->x0) * (size_t)channels;
          if (k == 3) {
            dsp_dw_run(x, channels, x_row, step, wide, 3, neg_zp, ch, &tail, out, n);
          } else {
            dsp_dw_run(x, channels, x_row, step, wide, 5, neg_zp, ch, &tail, out, n);
          }
          ox += n;
          out += (size_t)n * (size_t)channels;
        } else {
          const int32_t kx_lo = pn__first_tap(ix0);
          const int32_t taps = pn__end_tap(ix0, k, p->in_w) - kx_lo;
          int32_t acc[4];
          acc[0] = ch[0].bias;
          acc[1] = ch[1].bias;
          acc[2] = ch[2].bias;
          acc[3] = ch[3].bias;
          dsp_dw_pixel(xr + (size_t)(ix0 + kx_lo - input->x0) * (size_t)channels, channels,
                       x_row, wide + 2 * (ky_lo * k + kx_lo), 2 * k, rows, taps, neg_zp, acc);
          dsp_dw_store4(out, ch, &tail, acc);
          ++ox;
          out += channels;
        }
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
