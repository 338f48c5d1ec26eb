/* Cortex-M DSP-extension (ARMv7E-M: M4, M7, M33 with DSP) path of the conv core (stem conv,
 * pointwise, FC), compiled only when the compiler defines __ARM_FEATURE_DSP. It computes the
 * same bytes as the portable loop (conv.c), which stays the reference: the firmware benchmark
 * (bench/qemu_kernels) runs both on the device and compares. Exactness: see pn_dsp.h.
 *
 * Every path computes 2 output pixels x 2 output channels at a time (pn_dsp_dot.h: 8 SMLAD
 * per 4 input values) and finishes them with one output tail (4 requantized bytes, one 4-lane
 * clamp, two halfword stores). Any two pixels of the region make a pair (in raster order,
 * across rows).
 *  - Pointwise / FC (k = 1): channel pairs outer, pixel pairs inner. The pair's weights are
 *    widened once into a 256-byte stack buffer: both channels when in_c <= 64, else the
 *    first channel's first 128 inputs; the rest is widened on the fly. The zero point is
 *    folded into the bias: sum w * (x - zp) = sum w * x - zp * sum w, mod 2^32 like the int32
 *    sums.
 *  - Conv with a small kernel volume n = k * k * in_c <= 32 (the stem): pixel pairs outer; the
 *    pair's input patches are gathered, widened and zero-point-shifted once (padding taps
 *    become 0, as if skipped), then every channel pair runs over them with the weights read
 *    as they are ([out_c][k][k][in_c] makes a channel's n weights contiguous).
 *  - Other convs: per kernel row, runs of k * in_c contiguous values; border pixels one at a
 *    time with the padding taps skipped. */
#include "pn_dsp_dot.h"

#if defined(__ARM_FEATURE_DSP)

/* The same over n values, any n >= 0 (the last n % 4 one at a time). */
static void dsp_dot_2x2(const int8_t* xa, const int8_t* xb, const int8_t* wa, const int8_t* wb,
                        int32_t n, int32_t acc[4]) {
  const int32_t head = n & ~3;
  int32_t t;
  if (head > 0) dsp_dot_raw(xa, xb, wa, wb, head >> 2, acc);
  for (t = head; t < n; ++t) {
    const int32_t va = xa[t], vb = xb[t], w_a = wa[t], w_b = wb[t];
    acc[0] += w_a * va;
    acc[1] += w_a * vb;
    acc[2] += w_b * va;
    acc[3] += w_b * vb;
  }
}

/* sum_t w[t] * (x[t] - zp) over t < n, added to acc (one channel, one pixel). */
static int32_t dsp_dot_1x1(const int8_t* x, const int8_t* w, int32_t n, int32_t zp,
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

/* One pixel x, two channels wa, wb over n values: acc[0] += wa.(x - zp), acc[2] += wb.(x - zp)
 * (x - zp widened by SXTAB16: exact). The lone last pixel of a region (zp 0: the bias has the
 * zero point folded in) and FC (no weight sums needed for one pixel). */
static void dsp_dot_1x2(const int8_t* x, const int8_t* wa, const int8_t* wb, int32_t n,
                        int32_t zp, int32_t acc[4]) {
  const int32_t neg_zp = (int32_t)(((uint32_t)(-zp) & 0xFFFFu) * 0x10001u);
  int32_t a0 = acc[0], a1 = acc[2];
  int32_t t;
  for (t = n >> 2; t > 0; --t) {
    const int32_t xv = dsp_load4(x), va = dsp_load4(wa), vb = dsp_load4(wb);
    const int32_t xe = __sxtab16(neg_zp, xv), xo = dsp_sxtab16_odd(neg_zp, xv);
    a0 = __smlad(__sxtb16(va), xe, __smlad(dsp_sxtb16_odd(va), xo, a0));
    a1 = __smlad(__sxtb16(vb), xe, __smlad(dsp_sxtb16_odd(vb), xo, a1));
    x += 4;
    wa += 4;
    wb += 4;
  }
  for (t = n & 3; t > 0; --t) {
    const int32_t v = (int32_t)*x++ - zp;
    a0 += (int32_t)*wa++ * v;
    a1 += (int32_t)*wb++ * v;
  }
  acc[0] = a0;
  acc[2] = a1;
}

/* Sum of n int8 (4 at a time: SXTB16 of both byte pairs, SMLAD with (1, 1)). */
static int32_t dsp_sum(const int8_t* w, int32_t n) {
  const int32_t ones = 0x00010001;
  int32_t sum = 0;
  int32_t t;
  for (t = n >> 2; t > 0; --t, w += 4) {
    const int32_t v = dsp_load4(w);
    sum = __smlad(__sxtb16(v), ones, __smlad(dsp_sxtb16_odd(v), ones, sum));
  }
  for (t = n & 3; t > 0; --t) sum += *w++;
  return sum;
}

/* ---- the output tail ---- */

/* Per-call constants of the output stage. */
typedef struct {
  const pn_quant_params* q;
  int32_t zp, kzp;  /* output zero point, 1 + 2 * zp */
  int32_t lo, hi;   /* act_min, act_max in each byte */
  int32_t res_zp;   /* residual add (q->residual != NULL): its zero point, */
  dsp_channel res;  /* the residual's requantization */
  dsp_channel sum;  /* and the sum's */
} dsp_tail;

static void dsp_tail_at(const pn_quant_params* q, dsp_tail* t) {
  t->q = q;
  t->zp = q->output_zero_point;
  t->kzp = 2 * t->zp + 1;
  t->lo = dsp_bytes4(q->act_min);
  t->hi = dsp_bytes4(q->act_max);
  if (q->residual != NULL) {
    t->res_zp = q->residual->zero_point;
    dsp_channel_set(q->residual->multiplier, q->residual->shift, &t->res);
    dsp_channel_set(q->residual->output_multiplier, q->residual->output_shift, &t->sum);
  }
}

/* Channels o, o1 (o1 == o for a lone last channel): fast-path constants (pn_dsp.h) and the
 * biases; fast: both channels take the fast path. */
typedef struct {
  int32_t mul2[2], rm1[2];
  int32_t bias[2];
  int32_t o, o1;
  int fast;
} dsp_pair;

static inline void dsp_pair_at(const pn_quant_params* q, int32_t o, int32_t o1, dsp_pair* c) {
  const int32_t m0 = q->multiplier[o], m1 = q->multiplier[o1];
  const int32_t s0 = q->shift[o], s1 = q->shift[o1];
  c->mul2[0] = (int32_t)((uint32_t)m0 << 1);
  c->mul2[1] = (int32_t)((uint32_t)m1 << 1);
  c->rm1[0] = -s0 - 1;
  c->rm1[1] = -s1 - 1;
  c->bias[0] = q->bias[o];
  c->bias[1] = q->bias[o1];
  c->o = o;
  c->o1 = o1;
  c->fast = dsp_fast_channel(m0, s0) && dsp_fast_channel(m1, s1);
}

/* sat8(output stage value + zp) of channel o, any channel, residual pixel res (NULL: none):
 * pn__output_stage with dsp_requantize for every requantization (exact for multipliers >= 0,
 * which validation guarantees for the residual's too) and QADD for its int64 sum clamped to
 * int32. */
static int32_t dsp_sat8_any(const dsp_tail* t, int32_t o, int32_t acc, const int8_t* res) {
  dsp_channel ch;
  int32_t v;
  dsp_channel_at(t->q, o, &ch);
  v = dsp_requantize(acc, &ch);
  if (res != NULL) {
    const int32_t r = dsp_requantize(((int32_t)res[o] - t->res_zp) *
                                         ((int32_t)1 << PN_RESIDUAL_LEFT_SHIFT),
                                     &t->res);
    v = dsp_requantize(__qadd(v, r), &t->sum);
  }
  return __ssat(__qadd(v, t->zp), 8);
}

/* The four sat8 values of dsp_tail_2x2 on the general path (any channel, residual). */
static int32_t dsp_general4(const dsp_tail* t, int32_t o, int32_t o1, int32_t a0, int32_t a1,
                            int32_t a2, int32_t a3, const int8_t* res_a, const int8_t* res_b) {
  int32_t v = dsp_sat8_any(t, o, a0, res_a);
  int32_t e = dsp_sat8_any(t, o1, a2, res_a);
  DSP_BFI8(v, e, 1);
  e = dsp_sat8_any(t, o, a1, res_b);
  DSP_BFI8(v, e, 2);
  e = dsp_sat8_any(t, o1, a3, res_b);
  DSP_BFI8(v, e, 3);
  return v;
}

/* Writes channels c->o, c->o1 (or c->o alone when o1 == o) of pixel a at out_a and, unless
 * out_b is NULL, of pixel b at out_b, from the sums {o a, o b, o1 a, o1 b}. res_a / res_b:
 * the residual pixels (NULL: none); all residual values are read before any output byte is
 * written. */
PN_DSP_ALWAYS_INLINE void dsp_tail_2x2(const dsp_tail* t, const dsp_pair* c, int32_t a0,
                                      int32_t a1, int32_t a2, int32_t a3, int8_t* out_a,
                                      int8_t* out_b, const int8_t* res_a, const int8_t* res_b) {
  int32_t v, e;
  if (c->fast && res_a == NULL) {
    v = dsp_fast_sat8(a0, c->mul2[0], c->rm1[0], t->kzp);
    e = dsp_fast_sat8(a2, c->mul2[1], c->rm1[1], t->kzp);
    DSP_BFI8(v, e, 1);
    e = dsp_fast_sat8(a1, c->mul2[0], c->rm1[0], t->kzp);
    DSP_BFI8(v, e, 2);
    e = dsp_fast_sat8(a3, c->mul2[1], c->rm1[1], t->kzp);
    DSP_BFI8(v, e, 3);
  } else {
    v = dsp_general4(t, c->o, c->o1, a0, a1, a2, a3, res_a, res_b);
  }
  v = dsp_clamp4(v, t->lo, t->hi);
  if (c->o1 != c->o) {
    const uint16_t h0 = (uint16_t)v, h1 = (uint16_t)((uint32_t)v >> 16);
    memcpy(out_a, &h0, 2);
    if (out_b != NULL) memcpy(out_b, &h1, 2);
  } else {
    out_a[0] = (int8_t)v;
    if (out_b != NULL) out_b[0] = (int8_t)((uint32_t)v >> 16);
  }
}

/* The residual pixel of the output pixel whose channel o is at `out`. */
static const int8_t* dsp_residual_at(const pn_tensor* output, const pn_tensor* residual,
                                     int32_t out_c, int32_t o, const int8_t* out) {
  const size_t pixel = (size_t)(out - o - output->data) / (size_t)out_c;
  const int32_t oy = output->y0 + (int32_t)(pixel / (size_t)output->w);
  const int32_t ox = output->x0 + (int32_t)(pixel % (size_t)output->w);
  return residual->data + ((size_t)(oy - residual->y0) * (size_t)residual->w +
                           (size_t)(ox - residual->x0)) * (size_t)out_c;
}

/* ---- pointwise and FC (k = 1, no padding) ---- */

/* Largest in_c whose widened channel pair fits the stack buffer (in_c words); up to twice
 * that, the buffer holds the first channel of the pair (in_c / 2 words). */
#define DSP_WIDE_MAX 64

/* How the inner product of a channel pair reads the weights: both widened in the stack
 * buffer (in_c <= DSP_WIDE_MAX, a multiple of 4); the first one widened for its first
 * s->half inputs (up to twice DSP_WIDE_MAX), the rest of both as they are; or (in_c < 4)
 * both as they are. */
#define DSP_PW_RAW 0
#define DSP_PW_WIDE 1
#define DSP_PW_HALF 2

/* What the pixel loops of one channel pair need: the region walked in raster order as
 * element offsets of the input and output pixels (x_step, out_c per pixel; x_skip,
 * out_skip more at the end of a region row). */
typedef struct {
  const int8_t* in;
  int8_t* out;
  size_t x_step, x_skip;
  size_t out_c, out_skip;
  int32_t w, in_c;
  int32_t half; /* DSP_PW_HALF: inputs of the first channel widened in the buffer */
  const pn_tensor* output;
  const pn_tensor* residual;
} dsp_pw;

/* A position of the walk: offsets of the pixel, and pixels left in its region row. */
typedef struct {
  size_t x, out;
  int32_t col;
} dsp_at;

PN_DSP_ALWAYS_INLINE void dsp_pw_step(const dsp_pw* s, dsp_at* at) {
  at->x += s->x_step;
  at->out += s->out_c;
  if (--at->col == 0) {
    at->col = s->w;
    at->x += s->x_skip;
    at->out += s->out_skip;
  }
}

/* Channels c->o, c->o1 of `count` pixels from `at`, any channels, any residual: buf holds
 * their widened weights (in_c words, dsp_dot_wide's layout), or is NULL (wa, wb read as
 * they are). A lone last pixel takes a one-pixel product and is stored once. */
static void dsp_pw_general(const dsp_pw* s, const dsp_tail* t, const dsp_pair* c,
                           const int32_t* buf, const int8_t* wa, const int8_t* wb, dsp_at at,
                           int32_t count) {
  for (; count > 0; count -= 2) {
    const dsp_at a = at;
    dsp_at b;
    int32_t acc[4];
    const int8_t* res_a = NULL;
    const int8_t* res_b = NULL;
    dsp_pw_step(s, &at);
    b = count > 1 ? at : a;
    if (count > 1) dsp_pw_step(s, &at);
    acc[0] = acc[1] = c->bias[0];
    acc[2] = acc[3] = c->bias[1];
    if (count == 1) {
      dsp_dot_1x2(s->in + a.x, wa, wb, s->in_c, 0, acc);
      acc[1] = acc[0];
      acc[3] = acc[2];
    } else if (buf != NULL) {
      dsp_dot_wide(s->in + a.x, s->in + b.x, buf, s->in_c >> 2, acc);
    } else {
      dsp_dot_2x2(s->in + a.x, s->in + b.x, wa, wb, s->in_c, acc);
    }
    if (s->residual != NULL) {
      res_a = dsp_residual_at(s->output, s->residual, (int32_t)s->out_c, c->o, s->out + a.out);
      res_b = dsp_residual_at(s->output, s->residual, (int32_t)s->out_c, c->o, s->out + b.out);
    }
    dsp_tail_2x2(t, c, acc[0], acc[1], acc[2], acc[3], s->out + a.out,
                 count > 1 ? s->out + b.out : NULL, res_a, res_b);
  }
}

/* The usual case of dsp_pw_general: two channels, no residual; the loop is instantiated
 * once with buf (widened weights) and once without. */
PN_DSP_ALWAYS_INLINE void dsp_pw_fast(const dsp_pw* s, const dsp_tail* t, const dsp_pair* c,
                                      int mode, const int32_t* buf, const int8_t* wa,
                                      const int8_t* wb, dsp_at at, int32_t count) {
  for (; count >= 2; count -= 2) {
    const size_t xa = at.x, oa = at.out;
    size_t xb, ob;
    int32_t acc[4], v, e;
    uint16_t h;
    if (at.col > 2) { /* both pixels in this row, and the next one too */
      xb = xa + s->x_step;
      ob = oa + s->out_c;
      at.x = xb + s->x_step;
      at.out = ob + s->out_c;
      at.col -= 2;
    } else {
      dsp_pw_step(s, &at);
      xb = at.x;
      ob = at.out;
      dsp_pw_step(s, &at);
    }
    acc[0] = acc[1] = c->bias[0];
    acc[2] = acc[3] = c->bias[1];
    if (mode == DSP_PW_WIDE) {
      dsp_dot_wide(s->in + xa, s->in + xb, buf, s->in_c >> 2, acc);
    } else if (mode == DSP_PW_HALF) {
      const int32_t head = s->half;
      dsp_dot_half(s->in + xa, s->in + xb, buf, wb, head >> 2, acc);
      if (head < s->in_c) {
        const int32_t rest = (s->in_c - head) & ~3;
        if (rest > 0) { /* inline: the call would cost more than the loop's entry */
          dsp_dot_raw(s->in + xa + head, s->in + xb + head, wa + head, wb + head, rest >> 2,
                      acc);
        }
        if (head + rest < s->in_c) {
          dsp_dot_2x2(s->in + xa + head + rest, s->in + xb + head + rest, wa + head + rest,
                      wb + head + rest, s->in_c - head - rest, acc);
        }
      }
    } else {
      dsp_dot_2x2(s->in + xa, s->in + xb, wa, wb, s->in_c, acc);
    }
    if (c->fast) {
      v = dsp_fast_sat8(acc[0], c->mul2[0], c->rm1[0], t->kzp);
      e = dsp_fast_sat8(acc[2], c->mul2[1], c->rm1[1], t->kzp);
      DSP_BFI8(v, e, 1);
      e = dsp_fast_sat8(acc[1], c->mul2[0], c->rm1[0], t->kzp);
      DSP_BFI8(v, e, 2);
      e = dsp_fast_sat8(acc[3], c->mul2[1], c->rm1[1], t->kzp);
      DSP_BFI8(v, e, 3);
    } else {
      v = dsp_general4(t, c->o, c->o1, acc[0], acc[1], acc[2], acc[3], NULL, NULL);
    }
    v = dsp_clamp4(v, t->lo, t->hi);
    h = (uint16_t)v;
    memcpy(s->out + oa, &h, 2);
    h = (uint16_t)((uint32_t)v >> 16);
    memcpy(s->out + ob, &h, 2);
  }
  if (count > 0) dsp_pw_general(s, t, c, mode == DSP_PW_WIDE ? buf : NULL, wa, wb, at, count);
}

/* One pixel (FC, a 1 x 1 region): per channel pair one product with the zero point
 * subtracted from the input, so no weight sums. */
static void dsp_pointwise_pixel(const pn_conv_params* p, const pn_quant_params* q,
                                const pn_tensor* input, const pn_tensor* residual,
                                const pn_tensor* output, const pn_region* region) {
  const int32_t in_c = p->in_c, out_c = p->out_c;
  const int8_t* x = input->data + ((size_t)(region->y0 * p->stride - input->y0) *
                                       (size_t)input->w +
                                   (size_t)(region->x0 * p->stride - input->x0)) * (size_t)in_c;
  int8_t* out = output->data + ((size_t)(region->y0 - output->y0) * (size_t)output->w +
                                (size_t)(region->x0 - output->x0)) * (size_t)out_c;
  const int8_t* res = residual != NULL ? dsp_residual_at(output, residual, out_c, 0, out) : NULL;
  dsp_tail t;
  int32_t o;
  dsp_tail_at(q, &t);
  for (o = 0; o < out_c; o += 2) {
    const int32_t o1 = o + 1 < out_c ? o + 1 : o;
    int32_t acc[4];
    dsp_pair c;
    dsp_pair_at(q, o, o1, &c);
    acc[0] = acc[1] = c.bias[0];
    acc[2] = acc[3] = c.bias[1];
    dsp_dot_1x2(x, q->weights + (size_t)o * (size_t)in_c, q->weights + (size_t)o1 * (size_t)in_c,
                in_c, q->input_zero_point, acc);
    dsp_tail_2x2(&t, &c, acc[0], acc[1], acc[2], acc[3], out + o, NULL, res, res);
  }
}

static void dsp_pointwise(const pn_conv_params* p, const pn_quant_params* q,
                          const pn_tensor* input, const pn_tensor* residual,
                          const pn_tensor* output, const pn_region* region) {
  const int32_t in_c = p->in_c;
  const int32_t out_c = p->out_c;
  const int32_t pixels = region->h * region->w;
  const int mode = in_c <= DSP_WIDE_MAX && (in_c & 3) == 0 ? DSP_PW_WIDE
                   : in_c >= 4                              ? DSP_PW_HALF
                                                            : DSP_PW_RAW;
  int32_t buf[DSP_WIDE_MAX];
  dsp_tail t;
  dsp_pw s;
  dsp_at first;
  int32_t o;
  s.in = input->data;
  s.out = output->data;
  s.x_step = (size_t)p->stride * (size_t)in_c;
  s.x_skip = ((size_t)input->w - (size_t)region->w) * s.x_step;
  s.out_c = (size_t)out_c;
  s.out_skip = ((size_t)output->w - (size_t)region->w) * (size_t)out_c;
  s.w = region->w;
  s.in_c = in_c;
  s.half = (in_c < 2 * DSP_WIDE_MAX ? in_c : 2 * DSP_WIDE_MAX) & ~3;
  s.output = output;
  s.residual = residual;
  first.x = ((size_t)(region->y0 * p->stride - input->y0) * (size_t)input->w +
             (size_t)(region->x0 * p->stride - input->x0)) * (size_t)in_c;
  first.out = ((size_t)(region->y0 - output->y0) * (size_t)output->w +
               (size_t)(region->x0 - output->x0)) * (size_t)out_c;
  first.col = region->w;
  dsp_tail_at(q, &t);
  for (o = 0; o < out_c; o += 2) {
    const int32_t o1 = o + 1 < out_c ? o + 1 : o;
    const int8_t* wa = q->weights + (size_t)o * (size_t)in_c;
    const int8_t* wb = q->weights + (size_t)o1 * (size_t)in_c;
    int32_t sum_a = 0, sum_b = 0;
    dsp_at at = first;
    dsp_pair c;
    dsp_pair_at(q, o, o1, &c);
    at.out += (size_t)o;
    if (mode == DSP_PW_WIDE) {
      /* per 4 inputs: SXTB16 of channel o's word (even, odd bytes), then channel o1's */
      const int32_t ones = 0x00010001;
      int32_t i;
      for (i = 0; i < in_c; i += 4) {
        const int32_t va = dsp_load4(wa + i), vb = dsp_load4(wb + i);
        int32_t* b = buf + i;
        b[0] = __sxtb16(va);
        b[1] = dsp_sxtb16_odd(va);
        b[2] = __sxtb16(vb);
        b[3] = dsp_sxtb16_odd(vb);
        sum_a = __smlad(b[0], ones, __smlad(b[1], ones, sum_a));
        sum_b = __smlad(b[2], ones, __smlad(b[3], ones, sum_b));
      }
    } else if (mode == DSP_PW_HALF) {
      /* per 4 inputs: SXTB16 of channel o's word (even, odd bytes) */
      const int32_t ones = 0x00010001;
      int32_t i;
      for (i = 0; i < s.half; i += 4) {
        const int32_t va = dsp_load4(wa + i);
        int32_t* b = buf + (i >> 1);
        b[0] = __sxtb16(va);
        b[1] = dsp_sxtb16_odd(va);
        sum_a = __smlad(b[0], ones, __smlad(b[1], ones, sum_a));
      }
      sum_a += dsp_sum(wa + s.half, in_c - s.half);
      sum_b = dsp_sum(wb, in_c);
    } else {
      sum_a = dsp_sum(wa, in_c);
      sum_b = dsp_sum(wb, in_c);
    }
    c.bias[0] = (int32_t)((uint32_t)c.bias[0] - (uint32_t)q->input_zero_point * (uint32_t)sum_a);
    c.bias[1] = (int32_t)((uint32_t)c.bias[1] - (uint32_t)q->input_zero_point * (uint32_t)sum_b);
    if (residual != NULL || o1 == o || mode == DSP_PW_RAW) {
      dsp_pw_general(&s, &t, &c, mode == DSP_PW_WIDE ? buf : NULL, wa, wb, at, pixels);
    } else if (mode == DSP_PW_WIDE) {
      dsp_pw_fast(&s, &t, &c, DSP_PW_WIDE, buf, wa, wb, at, pixels);
    } else {
      dsp_pw_fast(&s, &t, &c, DSP_PW_HALF, buf, wa, wb, at, pixels);
    }
  }
}

/* ---- convs with a small kernel volume: gathered patches ---- */

/* Largest k * k * in_c gathered (the stem's 27). */
#define DSP_PATCH_MAX 32

/* Output channels per pass over the region of dsp_conv_gathered: their fast-path constants
 * live on the stack (8 bytes a channel). */
#define DSP_GATHER_BLOCK 16

/* Copies n bytes (the empty asm keeps GCC from turning the loop into a memcpy call). */
static inline void dsp_copy(int8_t* d, const int8_t* src, int32_t n) {
  int32_t i;
  for (i = 0; i < n; ++i) {
    int32_t v = src[i];
    __asm__("" : "+r"(v));
    d[i] = (int8_t)v;
  }
}

/* What gathering a patch needs, computed once per call. */
typedef struct {
  const int8_t* in;     /* input view; full-map (iy, ix), channel 0 at iy * row + ix * in_c - origin */
  const int8_t* in_end; /* end of the input view */
  ptrdiff_t row;        /* input row stride */
  ptrdiff_t origin;     /* offset of the view's first pixel, y0 * row + x0 * in_c */
  int32_t k, in_c, run; /* run = k * in_c: one kernel row */
  int32_t in_h, in_w, stride, pad;
  int32_t n, groups;    /* n = k * run taps in groups of 4 */
  int32_t zp, neg_zp;   /* input zero point; -zp in both halfwords */
  uint32_t back_mask;   /* the bytes of the last group that repeat taps (4 * groups - n) */
} dsp_gth;

/* The n input values of output pixel (oy, ox) in tap order, padding taps as zp. When every
 * tap is inside the map, the kernel rows are copied a word at a time, up to 3 bytes past a
 * row (the patch has room; the input is read that far only when it stays before in_end). */
static void dsp_gather(const dsp_gth* g, int32_t oy, int32_t ox, int8_t* patch) {
  const int32_t k = g->k, in_c = g->in_c, run = g->run;
  const int32_t iy0 = oy * g->stride - g->pad, ix0 = ox * g->stride - g->pad;
  int8_t* d = patch;
  int32_t ky, kx, i;
  if (iy0 >= 0 && iy0 + k <= g->in_h && ix0 >= 0 && ix0 + k <= g->in_w) {
    const int8_t* src = g->in + ((ptrdiff_t)iy0 * g->row + (ptrdiff_t)ix0 * in_c - g->origin);
    if (g->in_end - (src + (size_t)(k - 1) * g->row) >= ((run + 3) & ~3)) {
      for (ky = 0; ky < k; ++ky, src += g->row, d += run) { /* rows of the view */
        for (i = 0; i < run; i += 4) {
          int32_t v = dsp_load4(src + i);
          __asm__("" : "+r"(v)); /* not a memcpy call */
          memcpy(d + i, &v, 4);
        }
      }
      return;
    }
  }
  for (ky = 0; ky < k; ++ky) {
    const int32_t iy = iy0 + ky;
    for (kx = 0; kx < k; ++kx, d += in_c) {
      const int32_t ix = ix0 + kx;
      if (iy >= 0 && iy < g->in_h && ix >= 0 && ix < g->in_w) {
        dsp_copy(d, g->in + ((ptrdiff_t)iy * g->row + (ptrdiff_t)ix * in_c - g->origin), in_c);
      } else {
        for (i = 0; i < in_c; ++i) d[i] = (int8_t)g->zp;
      }
    }
  }
}

/* Gathers pixel (oy, ox) into a lane of the widened pair of patches (wide: the lane's first
 * word, 4 words per group): x - zp as int16 pairs, exact (in [-255, 255]); padding taps, and
 * the taps the last group repeats, give 0. */
static void dsp_gather_wide(const dsp_gth* g, int32_t oy, int32_t ox, int32_t* wide) {
  int8_t patch[DSP_PATCH_MAX + 4];
  const int32_t neg_zp = g->neg_zp;
  int32_t i, v;
  dsp_gather(g, oy, ox, patch);
  for (i = 0; i < g->groups - 1; ++i, wide += 4) {
    v = dsp_load4(patch + 4 * i);
    wide[0] = __sxtab16(neg_zp, v);
    wide[1] = dsp_sxtab16_odd(neg_zp, v);
  }
  v = (int32_t)(((uint32_t)dsp_load4(patch + g->n - 4) & ~g->back_mask) |
                ((uint32_t)dsp_bytes4(g->zp) & g->back_mask));
  wide[0] = __sxtab16(neg_zp, v);
  wide[1] = dsp_sxtab16_odd(neg_zp, v);
}

static void dsp_conv_gathered(const pn_conv_params* p, const pn_quant_params* q,
                              const pn_tensor* input, const pn_tensor* output,
                              const pn_region* region) {
  const int32_t out_c = p->out_c;
  const int32_t x_end = region->x0 + region->w;
  int32_t wide[DSP_PATCH_MAX]; /* per group: pixel a even, odd; pixel b even, odd */
  int32_t fast[2 * DSP_GATHER_BLOCK];
  dsp_gth g;
  dsp_tail t;
  int32_t o0, o;
  g.k = p->kernel;
  g.in_c = p->in_c;
  g.run = g.k * g.in_c;
  g.row = (ptrdiff_t)input->w * g.in_c;
  g.origin = (ptrdiff_t)input->y0 * g.row + (ptrdiff_t)input->x0 * g.in_c;
  g.in = input->data;
  g.in_end = input->data + pn__view_bytes(input);
  g.in_h = p->in_h;
  g.in_w = p->in_w;
  g.stride = p->stride;
  g.pad = p->pad;
  g.n = g.k * g.run;
  g.groups = (g.n + 3) >> 2;
  g.zp = q->input_zero_point;
  g.neg_zp = (int32_t)(((uint32_t)(-g.zp) & 0xFFFFu) * 0x10001u);
  g.back_mask = (1u << (8 * (4 * g.groups - g.n))) - 1u;
  dsp_tail_at(q, &t);
  for (o0 = 0; o0 < out_c; o0 += DSP_GATHER_BLOCK) {
    const int32_t o_end = out_c - o0 < DSP_GATHER_BLOCK ? out_c : o0 + DSP_GATHER_BLOCK;
    int32_t left = region->h * region->w;
    int32_t oy = region->y0, ox = region->x0;
    for (o = o0; o < o_end; ++o) { /* per channel: mul2, rm1 (-1: the general path) */
      const int32_t m = q->multiplier[o], shift = q->shift[o];
      fast[2 * (o - o0)] = (int32_t)((uint32_t)m << 1);
      fast[2 * (o - o0) + 1] = dsp_fast_channel(m, shift) ? -shift - 1 : -1;
    }
    for (; left > 0; left -= 2) {
      int8_t* out_px[2] = {NULL, NULL};
      const int8_t* w = q->weights + (size_t)o0 * (size_t)g.n;
      int32_t j;
      for (j = 0; j < 2; ++j) {
        if (j == 0 || left > 1) { /* else a lone last pixel: lane b repeats lane a */
          out_px[j] = output->data + ((size_t)(oy - output->y0) * (size_t)output->w +
                                      (size_t)(ox - output->x0)) * (size_t)out_c;
          dsp_gather_wide(&g, oy, ox, wide + 2 * j);
          if (++ox == x_end) {
            ox = region->x0;
            ++oy;
          }
        } else {
          int32_t i;
          for (i = 0; i < g.groups; ++i) {
            wide[4 * i + 2] = wide[4 * i];
            wide[4 * i + 3] = wide[4 * i + 1];
          }
        }
      }
      for (o = o0; o < o_end; o += 2, w += 2 * g.n) {
        const int32_t o1 = o + 1 < o_end ? o + 1 : o;
        const int32_t* fa = fast + 2 * (o - o0);
        const int32_t* fb = fast + 2 * (o1 - o0);
        dsp_pair c;
        int32_t acc[4];
        acc[0] = acc[2] = q->bias[o];
        acc[1] = acc[3] = q->bias[o1];
        /* acc[2i + j]: pixel i, channel j */
        dsp_dot_patch(w, w + (o1 - o) * g.n, wide, g.groups, 4 * g.groups - g.n, acc);
        /* read after the product (an asm statement that reads memory): no spills around it */
        c.mul2[0] = fa[0];
        c.rm1[0] = fa[1];
        c.mul2[1] = fb[0];
        c.rm1[1] = fb[1];
        c.o = o;
        c.o1 = o1;
        c.fast = (fa[1] | fb[1]) >= 0;
        dsp_tail_2x2(&t, &c, acc[0], acc[2], acc[1], acc[3], out_px[0] + o,
                     out_px[1] != NULL ? out_px[1] + o : NULL, NULL, NULL);
      }
    }
  }
}

/* ---- other convs: runs of contiguous kernel rows ---- */

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

static void dsp_conv_rows(const pn_conv_params* p, const pn_quant_params* q,
                          const pn_tensor* input, const pn_tensor* residual,
                          const pn_tensor* output, const pn_region* region) {
  const int32_t k = p->kernel;
  const int32_t in_c = p->in_c;
  const int32_t out_c = p->out_c;
  const int32_t run = k * in_c; /* one kernel row: contiguous in input and weights */
  const size_t weights_per_output = (size_t)k * (size_t)run;
  const size_t x_row = (size_t)input->w * (size_t)in_c;
  const int32_t x_end = region->x0 + region->w;
  dsp_tail t;
  int32_t o;
  dsp_tail_at(q, &t);
  for (o = 0; o < out_c; o += 2) {
    const int32_t o1 = o + 1 < out_c ? o + 1 : o;
    const int8_t* wa = q->weights + (size_t)o * weights_per_output;
    const int8_t* wb = q->weights + (size_t)o1 * weights_per_output;
    int32_t bias_zp[2], oy;
    dsp_pair c;
    dsp_pair_at(q, o, o1, &c);
    bias_zp[0] = (int32_t)((uint32_t)c.bias[0] - (uint32_t)q->input_zero_point *
                                                     (uint32_t)dsp_sum(wa, (int32_t)weights_per_output));
    bias_zp[1] = (int32_t)((uint32_t)c.bias[1] - (uint32_t)q->input_zero_point *
                                                     (uint32_t)dsp_sum(wb, (int32_t)weights_per_output));
    for (oy = region->y0; oy < region->y0 + region->h; ++oy) {
      const int32_t iy0 = oy * p->stride - p->pad;
      const int rows_inside = iy0 >= 0 && iy0 + k <= p->in_h;
      int32_t ox = region->x0;
      int8_t* out = output->data + ((size_t)(oy - output->y0) * (size_t)output->w +
                                    (size_t)(ox - output->x0)) * (size_t)out_c + (size_t)o;
      const int8_t* res = NULL;
      if (residual != NULL) {
        res = residual->data + ((size_t)(oy - residual->y0) * (size_t)residual->w +
                                (size_t)(ox - residual->x0)) * (size_t)out_c;
      }
      while (ox < x_end) {
        int32_t acc[4];
        if (rows_inside && ox + 1 < x_end && dsp_column_inside(p, ox) &&
            dsp_column_inside(p, ox + 1)) {
          /* pixels ox, ox + 1: every tap inside, the zero point in bias_zp */
          const int8_t* xa = dsp_conv_input(p, input, oy, ox, 0, 0);
          const int8_t* xb = dsp_conv_input(p, input, oy, ox + 1, 0, 0);
          int32_t r;
          acc[0] = acc[1] = bias_zp[0];
          acc[2] = acc[3] = bias_zp[1];
          for (r = 0; r < k; ++r) {
            dsp_dot_2x2(xa + (size_t)r * x_row, xb + (size_t)r * x_row,
                        wa + (size_t)r * (size_t)run, wb + (size_t)r * (size_t)run, run, acc);
          }
          dsp_tail_2x2(&t, &c, acc[0], acc[1], acc[2], acc[3], out, out + out_c, res,
                       res != NULL ? res + out_c : NULL);
          ox += 2;
          out += 2 * out_c;
          if (res != NULL) res += 2 * out_c;
        } else {
          /* one pixel, padding taps skipped, the zero point subtracted while widening */
          const int32_t ix0 = ox * p->stride - p->pad;
          const int32_t ky_lo = pn__first_tap(iy0), ky_hi = pn__end_tap(iy0, k, p->in_h);
          const int32_t kx_lo = pn__first_tap(ix0), kx_hi = pn__end_tap(ix0, k, p->in_w);
          const int32_t n = (kx_hi - kx_lo) * in_c;
          const size_t w_off = (size_t)kx_lo * (size_t)in_c;
          int32_t ky;
          acc[0] = c.bias[0];
          acc[2] = c.bias[1];
          for (ky = ky_lo; ky < ky_hi; ++ky) {
            const int8_t* x = dsp_conv_input(p, input, oy, ox, ky, kx_lo);
            const size_t w_row = (size_t)ky * (size_t)run + w_off;
            acc[0] = dsp_dot_1x1(x, wa + w_row, n, q->input_zero_point, acc[0]);
            acc[2] = dsp_dot_1x1(x, wb + w_row, n, q->input_zero_point, acc[2]);
          }
          acc[1] = acc[0];
          acc[3] = acc[2];
          dsp_tail_2x2(&t, &c, acc[0], acc[1], acc[2], acc[3], out, NULL, res, res);
          ox += 1;
          out += out_c;
          if (res != NULL) res += out_c;
        }
      }
    }
  }
}

void pn__conv_core_dsp(const pn_conv_params* p, const pn_quant_params* q, const pn_tensor* input,
                       const pn_tensor* residual, const pn_tensor* output,
                       const pn_region* region) {
  const int32_t n = p->kernel * p->kernel * p->in_c;
  if (p->kernel == 1 && region->h * region->w == 1) {
    dsp_pointwise_pixel(p, q, input, residual, output, region);
  } else if (p->kernel == 1) { /* pad < kernel: no padding */
    dsp_pointwise(p, q, input, residual, output, region);
  } else if (residual == NULL && n <= DSP_PATCH_MAX) {
    dsp_conv_gathered(p, q, input, output, region);
  } else {
    dsp_conv_rows(p, q, input, residual, output, region);
  }
}

#else

/* ISO C wants at least one declaration in a translation unit. */
typedef int pn__kernels_dsp_conv_unused;

#endif /* __ARM_FEATURE_DSP */
