/* The one-channel plane kernel of the in-place depthwise path: depthwise.c copies channel c of
 * the input view to its scratch plane (row stride input->w, contiguous along x) and calls
 * pn__depthwise_plane, which computes channel c of the region from it. Without the Cortex-M
 * DSP extension that is the portable loop; with it, the loop below, which gives the same bytes
 * (bench/qemu_kernels checks that on the device).
 *
 * Pairs of horizontally neighbouring outputs (ox, ox + 1) share one word load per 4 input
 * pixels of a kernel row. SXTAB16 splits the word p0..p3 into even (p0 - zp, p2 - zp) and odd
 * (p1 - zp, p3 - zp) int16 pairs, and the kernel row is kept as int16 pairs
 * P[t] = (w[t], w[t + 2]) for t in [-2, k), with w = 0 outside [0, k). Output ox sees pixel m
 * as tap m, output ox + 1 as tap m - s, so for the word at pixel 4j:
 *   out(ox)     += SMLAD(even, P[4j])     + SMLAD(odd, P[4j + 1])
 *   out(ox + 1) += SMLAD(even, P[4j - s]) + SMLAD(odd, P[4j + 1 - s])
 * (terms whose pair is all zero are left out at compile time). Every product is w * (x - zp),
 * summed in int32 as by the portable loop (exactness: pn_dsp.h; the zero halves add 0).
 * Outputs whose window leaves the map, or whose loads would pass the view's row, go one at a
 * time over their in-map taps (borders); the output stage is pn_dsp.h's requantization and
 * pn_dsp_depthwise.h's tail. */
#include "pn_dsp_depthwise.h"

#if defined(__ARM_FEATURE_DSP)

/* Largest kernel of the DSP plane loop (larger ones take the portable loop). */
#define PLANE_MAX_K 7
/* Pairs kept per kernel row: P[t] for t in [-2, k), at index t + 2. */
#define PLANE_ROW (PLANE_MAX_K + 2)

#if defined(__GNUC__)
#define PLANE_INLINE static inline __attribute__((always_inline))
#else
#define PLANE_INLINE static inline
#endif

typedef struct {
  const pn_quant_params* q;
  int32_t k, stride, pad, in_w;
  int32_t plane_w;      /* plane row stride: input->w */
  int32_t view_x0;      /* full-map column of plane column 0 */
  int32_t out_step;     /* bytes between horizontally neighbouring outputs: channels */
  int32_t zp, neg_zp2;  /* input zero point, and -zp in both int16 halves */
  int32_t bias;
  dsp_channel ch;
  dsp_dw_clamp tail;
  int32_t pk[PLANE_MAX_K * PLANE_ROW];
} plane_job;

/* The output byte of one accumulator. */
PLANE_INLINE int8_t plane_out(const plane_job* j, int32_t acc) {
  return (int8_t)dsp_dw_byte(dsp_requantize(acc, &j->ch), &j->tail);
}

/* One output over its in-map taps: x the plane byte of tap (first row, kx_lo), pk the pairs
 * of that row (taps read from their low halves). */
static int8_t plane_single(const plane_job* j, const int8_t* x, const int32_t* pk, int32_t rows,
                           int32_t kx_lo, int32_t kx_hi) {
  int32_t acc = j->bias;
  int32_t r, t;
  for (r = 0; r < rows; ++r, x += j->plane_w, pk += PLANE_ROW) {
    for (t = kx_lo; t < kx_hi; ++t) acc = __smlabb((int32_t)x[t - kx_lo] - j->zp, pk[t + 2], acc);
  }
  return plane_out(j, acc);
}

/* One kernel row of the pair (ox, ox + 1): x the plane byte of tap 0 of ox. */
PLANE_INLINE void plane_pair_row(const int8_t* x, const int32_t* pk, int32_t k, int32_t s,
                                 int32_t neg_zp2, int32_t* a0, int32_t* a1) {
  const int32_t words = (k + s + 3) / 4;
  int32_t i;
  PN_DSP_UNROLL
  for (i = 0; i < words; ++i) {
    const int32_t xw = dsp_load4(x + 4 * i);
    const int32_t ev = __sxtab16(neg_zp2, xw), od = dsp_sxtab16_odd(neg_zp2, xw);
    if (4 * i < k) *a0 = __smlad(ev, pk[4 * i + 2], *a0);
    if (4 * i + 1 < k) *a0 = __smlad(od, pk[4 * i + 3], *a0);
    if (4 * i - s < k) *a1 = __smlad(ev, pk[4 * i - s + 2], *a1);
    if (4 * i + 1 - s < k) *a1 = __smlad(od, pk[4 * i + 3 - s], *a1);
  }
}

/* n pairs of one output row: x the plane byte of tap (first row, 0) of the first output, pk
 * the pairs of that row, out its output byte. k and s are constants after inlining; rows is
 * one too when full_rows (k), so the row loop unrolls. */
PLANE_INLINE void plane_pairs(const plane_job* j, const int8_t* x, const int32_t* pk,
                              int32_t rows, int32_t n, int8_t* out, int32_t k, int32_t s,
                              int full_rows) {
  const int32_t w = j->plane_w, neg_zp2 = j->neg_zp2, step = j->out_step;
  if (full_rows) rows = k;
  for (; n > 0; --n, x += 2 * s, out += 2 * step) {
    int32_t a0 = j->bias, a1 = j->bias;
    int32_t r;
    if (full_rows) {
      PN_DSP_UNROLL
      for (r = 0; r < rows; ++r) {
        plane_pair_row(x + r * w, pk + r * PLANE_ROW, k, s, neg_zp2, &a0, &a1);
      }
    } else {
      for (r = 0; r < rows; ++r) {
        plane_pair_row(x + r * w, pk + r * PLANE_ROW, k, s, neg_zp2, &a0, &a1);
      }
    }
    out[0] = plane_out(j, a0);
    out[step] = plane_out(j, a1);
  }
}

/* The pair loops by kernel and stride; 3x3 unrolls its three interior rows. */
static void plane_pairs_any(const plane_job* j, const int8_t* x, const int32_t* pk, int32_t rows,
                            int32_t n, int8_t* out) {
  const int32_t key = j->k * 2 + j->stride;
  if (key == 3 * 2 + 1) {
    if (rows == 3) {
      plane_pairs(j, x, pk, 3, n, out, 3, 1, 1);
    } else {
      plane_pairs(j, x, pk, rows, n, out, 3, 1, 0);
    }
  } else if (key == 3 * 2 + 2) {
    if (rows == 3) {
      plane_pairs(j, x, pk, 3, n, out, 3, 2, 1);
    } else {
      plane_pairs(j, x, pk, rows, n, out, 3, 2, 0);
    }
  } else if (key == 5 * 2 + 1) {
    plane_pairs(j, x, pk, rows, n, out, 5, 1, 0);
  } else if (key == 5 * 2 + 2) {
    plane_pairs(j, x, pk, rows, n, out, 5, 2, 0);
  } else if (key == 7 * 2 + 1) {
    plane_pairs(j, x, pk, rows, n, out, 7, 1, 0);
  } else {
    plane_pairs(j, x, pk, rows, n, out, 7, 2, 0);
  }
}

/* floor(a / b) for b > 0. */
static int32_t floor_div(int32_t a, int32_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

static void plane_dsp(const pn_conv_params* p, const pn_quant_params* q, const pn_tensor* input,
                      const int8_t* plane, int32_t c, const pn_tensor* output,
                      const pn_region* region) {
  const int32_t k = p->kernel, s = p->stride, channels = p->out_c;
  const int32_t x_end = region->x0 + region->w;
  /* Pairs need 3x3, 5x5 or 7x7, and two pairs whose words fit the view's row (see below). */
  const int pairs_ok = k == 3 || k == 5 || k == 7;
  const int32_t words = (k + s + 3) / 4;
  int32_t pair_lo, pair_hi, pair_n, oy, r, t;
  plane_job j;
  j.q = q;
  j.k = k;
  j.stride = s;
  j.pad = p->pad;
  j.in_w = p->in_w;
  j.plane_w = input->w;
  j.view_x0 = input->x0;
  j.out_step = channels;
  j.zp = q->input_zero_point;
  j.neg_zp2 = (int32_t)(((uint32_t)(-q->input_zero_point) & 0xFFFFu) * 0x10001u);
  j.bias = q->bias[c];
  dsp_channel_at(q, c, &j.ch);
  dsp_dw_clamp_at(q, &j.tail);
  for (r = 0; r < k; ++r) {
    const int8_t* wr = q->weights + (size_t)(r * k) * (size_t)channels + (size_t)c;
    for (t = -2; t < k; ++t) {
      const int32_t lo = t >= 0 ? wr[(size_t)t * (size_t)channels] : 0;
      const int32_t hi = t + 2 < k ? wr[(size_t)(t + 2) * (size_t)channels] : 0;
      j.pk[r * PLANE_ROW + t + 2] = (int32_t)(((uint32_t)lo & 0xFFFFu) | ((uint32_t)hi << 16));
    }
  }
  /* Pair (ox, ox + 1) when: ox's window starts in the map (ox * s - pad >= 0); ox + 1's ends
   * in it ((ox + 1) * s - pad + k <= in_w); its word loads, pixels ox * s - pad .. + 4 words,
   * stay inside the view's row (the plane holds only the view); ox + 1 is in the region. */
  pair_lo = (j.pad + s - 1) / s;
  if (pair_lo < region->x0) pair_lo = region->x0;
  if (pair_lo > x_end) pair_lo = x_end;
  pair_hi = x_end - 2;
  if (pair_hi > floor_div(p->in_w - k + j.pad - s, s)) pair_hi = floor_div(p->in_w - k + j.pad - s, s);
  if (pair_hi > floor_div(input->x0 + input->w - 4 * words + j.pad, s)) {
    pair_hi = floor_div(input->x0 + input->w - 4 * words + j.pad, s);
  }
  pair_n = pairs_ok && pair_hi >= pair_lo ? (pair_hi - pair_lo) / 2 + 1 : 0;
  for (oy = region->y0; oy < region->y0 + region->h; ++oy) {
    const int32_t iy0 = oy * s - j.pad;
    const int32_t ky_lo = pn__first_tap(iy0);
    const int32_t rows = pn__end_tap(iy0, k, p->in_h) - ky_lo;
    /* Plane row of the first in-map tap row, and the pairs of that kernel row. */
    const int8_t* xr = plane + (size_t)(iy0 + ky_lo - input->y0) * (size_t)input->w;
    const int32_t* pk = j.pk + ky_lo * PLANE_ROW;
    int8_t* out = output->data + ((size_t)(oy - output->y0) * (size_t)output->w +
                                  (size_t)(region->x0 - output->x0)) * (size_t)channels +
                  (size_t)c;
    int32_t ox = region->x0;
    while (ox < x_end) {
      if (ox == pair_lo && pair_n > 0) {
        plane_pairs_any(&j, xr + (ox * s - j.pad - input->x0), pk, rows, pair_n, out);
        ox += 2 * pair_n;
        out += 2 * pair_n * channels;
      } else {
        const int32_t ix0 = ox * s - j.pad;
        const int32_t kx_lo = pn__first_tap(ix0);
        const int32_t kx_hi = pn__end_tap(ix0, k, p->in_w);
        *out = plane_single(&j, xr + (ix0 + kx_lo - input->x0), pk, rows, kx_lo, kx_hi);
        ++ox;
        out += channels;
      }
    }
  }
}

void pn__depthwise_plane(const pn_conv_params* p, const pn_quant_params* q,
                         const pn_tensor* input, const int8_t* plane, int32_t c,
                         const pn_tensor* output, const pn_region* region) {
  if (p->kernel <= PLANE_MAX_K) {
    plane_dsp(p, q, input, plane, c, output, region);
  } else {
    pn__depthwise_portable(p, q, input, plane, (size_t)input->w, 1, c, output, region, c, c + 1);
  }
}

#else

void pn__depthwise_plane(const pn_conv_params* p, const pn_quant_params* q,
                         const pn_tensor* input, const int8_t* plane, int32_t c,
                         const pn_tensor* output, const pn_region* region) {
  pn__depthwise_portable(p, q, input, plane, (size_t)input->w, 1, c, output, region, c, c + 1);
}

#endif /* __ARM_FEATURE_DSP */
