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
 * holds only the view), sit at the two ends of an output row: they go in pairs too, from a
 * strip, a small copy of the plane's columns those pairs load (the left or right end of each
 * view row) in which every byte outside the view is the input zero point. A tap outside the
 * map then adds w * (zp - zp) = 0, exactly what the portable loop's skipping it adds, so the
 * border costs what the interior does, per tap of the full k x k window. The strips hold a
 * band of view rows, built once per channel (rebuilt as the output rows move down when the
 * view is taller than the band). Columns inside the map but outside the view are in no
 * region output's window (pn__check_receptive_field): they meet only zero weight halves, or
 * the second sum of a last pair, which is dropped.
 *
 * A row is summed into a small buffer of accumulators first, then requantized in a loop of its
 * own, which keeps the output constants in registers. */
#include "pn_dsp_depthwise.h"

#if defined(__ARM_FEATURE_DSP)

/* Largest kernel of the DSP plane loop (it takes 3x3, 5x5, 7x7; others the portable loop). */
#define PLANE_MAX_K 7
/* Stored pairs per kernel row: P[0] .. P[max(k - 3, 1)]. */
#define PLANE_ROW (PLANE_MAX_K - 2)
/* Accumulators summed before they are requantized (even). */
#define PLANE_CHUNK 32
/* Bytes of the two border strips' band (PLANE_MAX_K rows of 32). */
#define PLANE_STRIPS 224

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

/* Rows [y0, y0 + n) of the view, map columns [c0, c0 + sw), to dst (rows sw bytes apart): the
 * plane's bytes of the view's columns; the other bytes are left as they are (the caller has
 * set them to the input zero point). */
static void plane_strip(int8_t* dst, int32_t sw, const int8_t* plane, const pn_tensor* input,
                        int32_t y0, int32_t n, int32_t c0) {
  int32_t lo = input->x0 - c0, hi = input->x0 + input->w - c0, y, t;
  if (lo < 0) lo = 0;
  if (hi > sw) hi = sw;
  for (y = y0; y < y0 + n && lo < hi; ++y, dst += sw) {
    const int8_t* src = plane + (size_t)y * (size_t)input->w + (size_t)(c0 + lo - input->x0);
    for (t = lo; t < hi; ++t) dst[t] = src[t - lo];
  }
}

/* Bytes the n pairs from output a load per kernel row (pixel a * s - pad on). */
static int32_t plane_span(int32_t n, int32_t s, int32_t span) {
  return n > 0 ? (n - 1) * 2 * s + span : 0;
}

/* Returns 0 (nothing written) when the strips do not fit their buffers, which only unusual
 * pads (> k / 2) on narrow maps can cause. */
static int plane_dsp(const pn_conv_params* p, const pn_quant_params* q, const pn_tensor* input,
                     const int8_t* plane, int32_t c, const pn_tensor* output,
                     const pn_region* region) {
  const int32_t k = p->kernel, s = p->stride, pad = p->pad, channels = p->out_c;
  const int32_t x0 = region->x0, x_end = region->x0 + region->w, zp = q->input_zero_point;
  const int32_t span = 4 * ((k + s + 3) / 4); /* bytes a pair loads per kernel row */
  int32_t acc[PLANE_CHUNK];
  int32_t strip_words[PLANE_STRIPS / 4];
  int8_t* const strips = (int8_t*)strip_words;
  dsp_channel ch;
  dsp_dw_clamp tail;
  const size_t plane_bytes = (size_t)input->h * (size_t)input->w;
  int32_t pair_lo, pair_hi, last_hi, mid_hi, xl, xr, n_mid, sw_l, sw_r, band, oy, r, t;
  int32_t band_l = 0, n_l = 0, band_r = 0, n_r = 0; /* first view row, rows of each strip */
  int8_t* strip_r;
  plane_job j;
  /* The row's outputs [x0, x_end): a left strip [x0, xl), pairs from the plane [xl, xr'), a
   * right strip [xr', x_end). A pair (ox, ox + 1) is taken from the plane when ox's window
   * starts in the map (ox >= pair_lo) and ox + 1's ends in it (ox <= pair_hi; or, when ox is
   * the region's last output, ox's does: ox <= last_hi, the second sum then lands in a spare
   * accumulator, unused), and its loads, span bytes from pixel ox * s - pad of each kernel row,
   * stay inside the plane; bytes loaded past the taps (in the view's next row, perhaps) meet
   * only zero weight halves. The left strip takes the outputs before pair_lo (an even count,
   * unless it reaches x_end), or the whole row when no pair has its loads inside the view's row
   * (ox <= mid_hi); the right strip what is left, which is at most [xr, x_end): the pairs up to
   * mid_hi qualify on every row (their loads end in the view's row, span >= k + s), those past
   * it on the rows whose loads end before the plane does. */
  pair_lo = (pad + s - 1) / s;
  pair_hi = floor_div(p->in_w - k + pad - s, s);
  last_hi = floor_div(p->in_w - k + pad, s);
  mid_hi = floor_div(input->x0 + input->w + pad - span, s);
  xl = x0 < pair_lo ? x0 + 2 * ((pair_lo - x0 + 1) / 2) : x0;
  if (xl > x_end) xl = x_end;
  n_mid = mid_hi < x_end - 1 ? mid_hi : x_end - 1; /* last pair start */
  n_mid = xl <= n_mid ? (n_mid - xl) / 2 + 1 : 0;
  if (n_mid == 0) xl = x_end;
  xr = xl + 2 * n_mid < x_end ? xl + 2 * n_mid : x_end;
  sw_l = plane_span((xl - x0 + 1) / 2, s, span);
  sw_r = plane_span((x_end - xr + 1) / 2, s, span);
  /* The band's height: at least the rows an output row reads (<= k, all in the view). */
  band = sw_l + sw_r > 0 ? PLANE_STRIPS / (sw_l + sw_r) : input->h;
  if (band > input->h) band = input->h;
  if (band < (k < input->h ? k : input->h) || xl - x0 > PLANE_CHUNK ||
      x_end - xr > PLANE_CHUNK) {
    return 0;
  }
  /* The strips' bytes outside the view stay the zero point; plane_strip fills in the rest. */
  for (t = 0; t < (band * (sw_l + sw_r) + 3) / 4; ++t) strip_words[t] = dsp_bytes4(zp);
  strip_r = strips + band * sw_l;
  j.k = k;
  j.stride = s;
  j.neg_zp2 = (int32_t)(((uint32_t)(-zp) & 0xFFFFu) * 0x10001u);
  j.bias = q->bias[c];
  dsp_channel_at(q, c, &ch);
  dsp_dw_clamp_at(q, &tail);
  for (r = 0; r < k; ++r) {
    const int8_t* wr = q->weights + (size_t)r * (size_t)k * (size_t)channels + (size_t)c;
    for (t = 0; t < PLANE_ROW && t < k; ++t) {
      const int32_t lo = wr[(size_t)t * (size_t)channels];
      const int32_t hi = t + 2 < k ? wr[(size_t)(t + 2) * (size_t)channels] : 0;
      j.pk[r * PLANE_ROW + t] = (int32_t)(((uint32_t)lo & 0xFFFFu) | ((uint32_t)hi << 16));
    }
  }
  for (oy = region->y0; oy < region->y0 + region->h; ++oy) {
    const int32_t iy0 = oy * s - pad;
    const int32_t ky_lo = pn__first_tap(iy0);
    const int32_t rows = pn__end_tap(iy0, k, p->in_h) - ky_lo;
    const int32_t y = iy0 + ky_lo - input->y0; /* view row of the first in-map tap row */
    const int32_t* pk = j.pk + ky_lo * PLANE_ROW;
    int8_t* out = output->data + ((size_t)(oy - output->y0) * (size_t)output->w +
                                  (size_t)(x0 - output->x0)) * (size_t)channels +
                  (size_t)c;
    int32_t cx, done = x0; /* acc[i] is the sum of output done + i */
    int32_t xr_row = xr;
    if (xr < x_end && (xr + 1 < x_end ? xr <= pair_hi : xr <= last_hi)) {
      /* This row's pairs past xr: the last byte loaded, span bytes from pixel cx * s - pad of
       * the last kernel row, is inside the plane up to cx = mem_hi. */
      const size_t room = plane_bytes - (size_t)(y + rows - 1) * (size_t)input->w;
      const int32_t mem_hi = floor_div((int32_t)room + input->x0 + pad - span, s);
      const int32_t hi = pair_hi < mem_hi ? pair_hi : mem_hi;
      while (xr_row + 1 < x_end ? xr_row <= hi : xr_row <= last_hi && xr_row <= mem_hi) {
        xr_row += 2;
      }
      if (xr_row > x_end) xr_row = x_end;
    }
    if (xl > x0) {
      if (y < band_l || y + rows > band_l + n_l) {
        band_l = y;
        n_l = input->h - y < band ? input->h - y : band;
        plane_strip(strips, sw_l, plane, input, y, n_l, x0 * s - pad);
      }
      plane_pairs_any(&j, strips + (y - band_l) * sw_l, sw_l, pk, rows, (xl - x0 + 1) / 2, acc);
    }
    for (cx = xl; cx < xr_row;) {
      /* As many pairs as acc holds after the sums not yet requantized. */
      int32_t n = (xr_row - cx + 1) / 2, m;
      if (n > (PLANE_CHUNK - (cx - done)) / 2) n = (PLANE_CHUNK - (cx - done)) / 2;
      if (n == 0) {
        plane_finish(&ch, &tail, acc, cx - done, out, channels);
        out += (size_t)(cx - done) * (size_t)channels;
        done = cx;
        continue;
      }
      m = 2 * n < xr_row - cx ? 2 * n : xr_row - cx;
      plane_pairs_any(&j, plane + (size_t)y * (size_t)input->w + (size_t)(cx * s - pad - input->x0),
                      input->w, pk, rows, n, acc + (cx - done));
      cx += m;
    }
    if (xr_row < x_end) {
      if (y < band_r || y + rows > band_r + n_r) {
        band_r = y;
        n_r = input->h - y < band ? input->h - y : band;
        plane_strip(strip_r, sw_r, plane, input, y, n_r, xr * s - pad);
      }
      if (x_end - done > PLANE_CHUNK - 1) {
        plane_finish(&ch, &tail, acc, xr_row - done, out, channels);
        out += (size_t)(xr_row - done) * (size_t)channels;
        done = xr_row;
      }
      /* The strip's pairs from xr_row (an even number of outputs past xr). */
      plane_pairs_any(&j, strip_r + (y - band_r) * sw_r + (xr_row - xr) * s, sw_r, pk, rows,
                      (x_end - xr_row + 1) / 2, acc + (xr_row - done));
    }
    plane_finish(&ch, &tail, acc, x_end - done, out, channels);
  }
  return 1;
}

void pn__depthwise_plane(const pn_conv_params* p, const pn_quant_params* q,
                         const pn_tensor* input, const int8_t* plane, int32_t c,
                         const pn_tensor* output, const pn_region* region) {
  if ((p->kernel != 3 && p->kernel != 5 && p->kernel != 7) ||
      !plane_dsp(p, q, input, plane, c, output, region)) {
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
