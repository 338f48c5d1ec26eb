/* The one-channel plane kernel of the in-place depthwise path: depthwise.c copies channel c of
 * the input view to its scratch plane (row stride input->w, contiguous along x) and calls
 * pn__depthwise_plane, which computes channel c of the region from it. Without the Cortex-M
 * DSP extension that is the portable loop; with it, the loop below, which gives the same bytes
 * (bench/qemu_kernels checks that on the device).
 *
 * Pairs of horizontally neighbouring outputs (ox, ox + 1) share one word load per 4 input
 * pixels of a kernel row. SXTAB16 splits the word p0..p3 into even (p0 - zp, p2 - zp) and odd
 * (p1 - zp, p3 - zp) int16 pairs; the kernel row is kept as int16 pairs
 * P[t] = (w[t], w[t + 2]) (w = 0 outside [0, k)). Output ox sees pixel m as tap m, output
 * ox + 1 as tap m - s, so for the word at pixel 4i:
 *   out(ox)     += SMLAD(even, P[4i])     + SMLAD(odd, P[4i + 1])
 *   out(ox + 1) += SMLAD(even, P[4i - s]) + SMLAD(odd, P[4i + 1 - s])
 * A pair with one zero half is one SMLAxy on a half of a stored pair instead (P[-2], P[-1] are
 * (0, w[0]), (0, w[1]): the low halves of P[0], P[1]; P[t] for t + 2 >= k is (w[t], 0): the high
 * half of P[t - 2]), and terms that are all zero are left out at compile time, so a row stores
 * only P[0] .. P[max(k - 3, 1)]. Every product is w * (x - zp), summed in int32 as by the
 * portable loop (exactness of SXTAB16/SMLAD: pn_dsp.h).
 *
 * Outputs whose window leaves the map, or whose word loads would pass the view's row (the plane
 * holds only the view), are summed one at a time over their in-map taps. A row is summed into
 * a small buffer of accumulators first, then requantized in a loop of its own, which keeps the
 * output constants in registers. */
#include "pn_dsp_depthwise.h"

#if defined(__ARM_FEATURE_DSP)

/* Largest kernel of the DSP plane loop (it takes 3x3, 5x5, 7x7; others the portable loop). */
#define PLANE_MAX_K 7
/* Stored pairs per kernel row: P[0] .. P[max(k - 3, 1)]. */
#define PLANE_ROW (PLANE_MAX_K - 2)
/* Accumulators summed before they are requantized. */
#define PLANE_CHUNK 64

#if defined(__GNUC__)
#define PLANE_INLINE static inline __attribute__((always_inline))
#else
#define PLANE_INLINE static inline
#endif

typedef struct {
  int32_t k, stride;
  int32_t neg_zp2; /* -(input zero point) in both int16 halves */
  int32_t bias;
  int32_t pk[PLANE_MAX_K * PLANE_ROW]; /* row r: P[0] .. at pk[r * PLANE_ROW] */
} plane_job;

/* acc + SMLAD(x, P[t]) for the pair P[t] = (w[t], w[t + 2]) of a kernel of size k. */
PLANE_INLINE int32_t plane_term(int32_t x, const int32_t* pk, int32_t t, int32_t k, int32_t acc) {
  if (t < 0) return __smlatb(x, pk[t + 2], acc);
  if (t + 2 >= k && t >= 2) return __smlabt(x, pk[t - 2], acc);
  return __smlad(x, pk[t], acc);
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
    if (4 * i < k) *a0 = plane_term(ev, pk, 4 * i, k, *a0);
    if (4 * i + 1 < k) *a0 = plane_term(od, pk, 4 * i + 1, k, *a0);
    if (4 * i - s < k) *a1 = plane_term(ev, pk, 4 * i - s, k, *a1);
    if (4 * i + 1 - s < k) *a1 = plane_term(od, pk, 4 * i + 1 - s, k, *a1);
  }
}

/* n pairs: x the byte of tap (first row, 0) of the first output (rows `w` bytes apart), pk
 * the pairs of that kernel row, acc[0 .. 2n) the sums. k and s are constants after inlining;
 * rows is one too when full_rows (k), so the row loop unrolls. */
PLANE_INLINE void plane_pairs(const plane_job* j, const int8_t* x, int32_t w,
                              const int32_t* restrict pk, int32_t rows, int32_t n,
                              int32_t* restrict acc, int32_t k, int32_t s, int full_rows) {
  const int32_t neg_zp2 = j->neg_zp2, bias = j->bias;
  if (full_rows) rows = k;
  for (; n > 0; --n, x += 2 * s, acc += 2) {
    int32_t a0 = bias, a1 = bias;
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
    acc[0] = a0;
    acc[1] = a1;
  }
}

/* The pair loops by kernel and stride; 3x3 unrolls its three rows when all are in the map. */
static void plane_pairs_any(const plane_job* j, const int8_t* x, int32_t w, const int32_t* pk,
                            int32_t rows, int32_t n, int32_t* acc) {
  switch (j->k * 2 + j->stride) {
    case 3 * 2 + 1:
      if (rows == 3) {
        plane_pairs(j, x, w, pk, 3, n, acc, 3, 1, 1);
      } else {
        plane_pairs(j, x, w, pk, rows, n, acc, 3, 1, 0);
      }
      break;
    case 3 * 2 + 2:
      if (rows == 3) {
        plane_pairs(j, x, w, pk, 3, n, acc, 3, 2, 1);
      } else {
        plane_pairs(j, x, w, pk, rows, n, acc, 3, 2, 0);
      }
      break;
    case 5 * 2 + 1: plane_pairs(j, x, w, pk, rows, n, acc, 5, 1, 0); break;
    case 5 * 2 + 2: plane_pairs(j, x, w, pk, rows, n, acc, 5, 2, 0); break;
    case 7 * 2 + 1: plane_pairs(j, x, w, pk, rows, n, acc, 7, 1, 0); break;
    default: plane_pairs(j, x, w, pk, rows, n, acc, 7, 2, 0); break;
  }
}

/* The output bytes of n sums, `step` bytes apart. */
static void plane_finish(const dsp_channel* channel, const dsp_dw_clamp* clamp,
                         const int32_t* acc, int32_t n, int8_t* out, int32_t step) {
  const dsp_dw_clamp t = *clamp;
  const dsp_channel ch = *channel;
  const int32_t* end = acc + n;
  if (ch.rm1 >= 0) {
    /* pn_dsp.h's fast path, its constants in registers for the whole loop. */
    const int32_t mul2 = ch.mul2, rm1 = ch.rm1;
    for (; acc < end; out += step) {
      *out = (int8_t)dsp_clamp4(dsp_fast_sat8(*acc++, mul2, rm1, t.kzp), t.lo, t.hi);
    }
  } else {
    for (; acc < end; out += step) *out = (int8_t)dsp_dw_byte(*acc++, &ch, &t);
  }
}

/* floor(a / b) for b > 0. */
static int32_t floor_div(int32_t a, int32_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/* The sum of one output over its in-map taps: rows kernel rows of taps [0, taps) from x (the
 * plane byte of the first in-map tap, rows `w` bytes apart) and wk (its int8 weight, rows k
 * apart). */
static int32_t plane_single(const int8_t* x, int32_t w, const int8_t* wk, int32_t k,
                            int32_t rows, int32_t taps, int32_t zp, int32_t bias) {
  int32_t acc = bias;
  int32_t r, t;
  for (r = 0; r < rows; ++r, x += w, wk += k) {
    for (t = 0; t < taps; ++t) acc += (int32_t)wk[t] * ((int32_t)x[t] - zp);
  }
  return acc;
}

static void plane_dsp(const pn_conv_params* p, const pn_quant_params* q, const pn_tensor* input,
                      const int8_t* plane, int32_t c, const pn_tensor* output,
                      const pn_region* region) {
  const int32_t k = p->kernel, s = p->stride, pad = p->pad, channels = p->out_c;
  const int32_t x_end = region->x0 + region->w, in_w = p->in_w, zp = q->input_zero_point;
  const int32_t span = 4 * ((k + s + 3) / 4); /* bytes a pair loads per kernel row */
  const size_t plane_bytes = (size_t)input->h * (size_t)input->w;
  int32_t acc[PLANE_CHUNK + 1];
  int8_t wk[PLANE_MAX_K * PLANE_MAX_K];
  dsp_channel ch;
  dsp_dw_clamp tail;
  int32_t pair_lo, pair_hi, last_hi, oy, r, t;
  plane_job j;
  j.k = k;
  j.stride = s;
  j.neg_zp2 = (int32_t)(((uint32_t)(-zp) & 0xFFFFu) * 0x10001u);
  j.bias = q->bias[c];
  dsp_channel_at(q, c, &ch);
  dsp_dw_clamp_at(q, &tail);
  for (t = 0; t < k * k; ++t) wk[t] = q->weights[(size_t)t * (size_t)channels + (size_t)c];
  for (r = 0; r < k; ++r) {
    for (t = 0; t < PLANE_ROW && t < k; ++t) {
      const int32_t lo = wk[r * k + t];
      const int32_t hi = t + 2 < k ? wk[r * k + t + 2] : 0;
      j.pk[r * PLANE_ROW + t] = (int32_t)(((uint32_t)lo & 0xFFFFu) | ((uint32_t)hi << 16));
    }
  }
  /* The pair (ox, ox + 1) when: ox's window starts in the map (ox * s - pad >= 0); ox + 1's
   * ends in it ((ox + 1) * s - pad + k <= in_w), or, when ox is the region's last output,
   * ox's does (the second sum then lands in the spare accumulator, unused); and its word
   * loads, span bytes from pixel ox * s - pad of each kernel row, stay inside the plane. Bytes
   * loaded past the taps meet only zero weight halves. Other outputs go one at a time. */
  pair_lo = (pad + s - 1) / s;
  pair_hi = floor_div(in_w - k + pad - s, s);
  last_hi = floor_div(in_w - k + pad, s);
  for (oy = region->y0; oy < region->y0 + region->h; ++oy) {
    const int32_t iy0 = oy * s - pad;
    const int32_t ky_lo = pn__first_tap(iy0);
    const int32_t rows = pn__end_tap(iy0, k, p->in_h) - ky_lo;
    /* Offset in the plane of the first in-map tap row (at view column 0), its kernel row. */
    const size_t row0 = (size_t)(iy0 + ky_lo - input->y0) * (size_t)input->w;
    const int8_t* xr = plane + row0;
    const int32_t* pk = j.pk + ky_lo * PLANE_ROW;
    const int8_t* wr = wk + ky_lo * k;
    /* Last ox whose loads end inside the plane: pixel ix0 - x0 + span of the last kernel row
     * read at most plane_bytes - (its row offset). */
    const int32_t room = (int32_t)(plane_bytes - row0 - (size_t)(rows - 1) * (size_t)input->w);
    const int32_t mem_hi = floor_div(room + input->x0 + pad - span, s);
    const int32_t hi = pair_hi < mem_hi ? pair_hi : mem_hi;
    const int32_t hi_last = last_hi < mem_hi ? last_hi : mem_hi;
    int8_t* out = output->data + ((size_t)(oy - output->y0) * (size_t)output->w +
                                  (size_t)(region->x0 - output->x0)) * (size_t)channels +
                  (size_t)c;
    int32_t ox = region->x0;
    while (ox < x_end) {
      const int32_t end = x_end - ox > PLANE_CHUNK ? ox + PLANE_CHUNK : x_end;
      int32_t cx = ox;
      while (cx < end) {
        const int32_t ix0 = cx * s - pad;
        if (cx >= pair_lo && (cx + 1 < end ? cx <= hi : cx <= hi_last)) {
          /* Pairs while both outputs qualify, and a last one for an odd count. */
          int32_t n = (end - cx) / 2;
          if (n > (hi - cx) / 2 + 1) n = cx <= hi ? (hi - cx) / 2 + 1 : 0;
          if (n == 0 || (cx + 2 * n == end - 1 && cx + 2 * n <= hi_last)) ++n;
          plane_pairs_any(&j, xr + (ix0 - input->x0), input->w, pk, rows, n, acc + (cx - ox));
          cx += 2 * n;
        } else {
          const int32_t kx_lo = pn__first_tap(ix0);
          acc[cx - ox] = plane_single(xr + (ix0 + kx_lo - input->x0), input->w, wr + kx_lo, k,
                                      rows, pn__end_tap(ix0, k, in_w) - kx_lo, zp, j.bias);
          ++cx;
        }
      }
      plane_finish(&ch, &tail, acc, end - ox, out, channels);
      out += (size_t)(end - ox) * (size_t)channels;
      ox = end;
    }
  }
}

void pn__depthwise_plane(const pn_conv_params* p, const pn_quant_params* q,
                         const pn_tensor* input, const int8_t* plane, int32_t c,
                         const pn_tensor* output, const pn_region* region) {
  if (p->kernel == 3 || p->kernel == 5 || p->kernel == 7) {
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
