/* Kernel benchmark firmware (bare-metal Cortex-M under QEMU, `make CPU=m4 run`): counts the
 * instructions inside one call of each int8 kernel on MobileNetV2-sized shapes, and checks on
 * the device that the kernels' Cortex-M DSP paths give the same bytes as the portable loops.
 *
 * Counting: with `-icount shift=6,align=off` the CMSDK APB timer 0 (0x40000000) ticks in a
 * fixed proportion to executed instructions (1.6 a instruction); the proportion is measured
 * first with a loop of known length, as export/templates/firmware/profile.c does. QEMU is not
 * cycle-accurate: these are instructions, not cycles.
 *
 * Each shape gets random int8 data and random valid quantization parameters (zero points,
 * per-channel multipliers in [2^30, 2^31) and shifts that put typical sums in the int8 range,
 * a few channels with any shift in [-31, 30] so saturation is exercised too). Then:
 *   - the public kernel (pn_pointwise_s8 / pn_depthwise_s8 / pn_conv_s8, i.e. the DSP path on a
 *     DSP target) on the whole map, timed;
 *   - the portable loop (pn__conv_core_portable / pn__depthwise_portable) on the same
 *     arguments, timed, and compared byte for byte;
 *   - both again on a random sub-region with an offset output view (the patch executor's case).
 * Extra check-only shapes cover odd channel counts, borders, stride 2 and the fused residual.
 *
 * In-place depthwise rows (kernel "depthwise-inplace": input and output views share one
 * buffer, as the real models run depthwise) time pn_depthwise_s8 in place against the portable
 * in-place loop as documented in runtime/src/depthwise.c (copy a channel to the scratch plane,
 * pn__depthwise_portable from it), restated here. Both run on copies of the same input view,
 * and a third copy gets the out-of-place portable loop's output written over it with the same
 * output view: the three whole buffers must match byte for byte (so bytes outside the region
 * are checked too). Whole maps, then random sub-regions with an input view cropped to the
 * region's receptive field plus random margins and an output view of the region plus random
 * margins (several per check-only shape).
 *
 * Output: one line per shape
 *   kernel shape instructions macs instructions_per_mac cmsis_nn_instructions_per_mac
 *   portable_instructions_per_mac dsp==portable
 * where cmsis_nn is ARM CMSIS-NN's figure on the same shape (GCC 12 -O2, Cortex-M4,
 * instructions inside the kernel call; "-" when not measured). Exit status 0 only when every
 * comparison matched and every call returned PN_OK.
 */
#include <stdint.h>
#include <string.h>

#include "pn_internal.h"
#include "pn_runtime.h"
#include "icount_timer.h"
#include "semihost.h"


#define MAX_MAP_BYTES (56 * 56 * 96)
#define MAX_WEIGHTS (192 * 320)
#define MAX_CHANNELS 384

#define MAX_PLANE_BYTES (56 * 56)

typedef enum { K_POINTWISE, K_DEPTHWISE, K_CONV, K_DEPTHWISE_INPLACE } kernel_kind;

typedef struct {
  kernel_kind kind;
  int32_t in_h, in_w, in_c, out_c, kernel, stride;
  int residual;
  int timed;            /* 0: exactness check only (no table row) */
  int32_t cmsis_centi;  /* CMSIS-NN instructions per MAC x 100, 0: not measured */
  int32_t pad;          /* -1: kernel / 2 */
} bench_shape;

#define P_HALF -1

static const bench_shape shapes[] = {
    {K_POINTWISE, 28, 28, 16, 96, 1, 1, 0, 1, 396, 0},
    {K_POINTWISE, 14, 14, 96, 24, 1, 1, 0, 1, 186, 0},
    {K_POINTWISE, 7, 7, 192, 320, 1, 1, 0, 1, 171, 0},
    {K_DEPTHWISE, 56, 56, 96, 96, 3, 1, 0, 1, 811, P_HALF},
    {K_DEPTHWISE, 56, 56, 96, 96, 3, 2, 0, 1, 811, P_HALF},
    {K_DEPTHWISE, 28, 28, 144, 144, 3, 1, 0, 1, 801, P_HALF},
    {K_DEPTHWISE, 28, 28, 96, 96, 5, 1, 0, 1, 932, P_HALF},
    {K_DEPTHWISE_INPLACE, 56, 56, 96, 96, 3, 1, 0, 1, 811, P_HALF},
    {K_DEPTHWISE_INPLACE, 56, 56, 96, 96, 3, 2, 0, 1, 811, P_HALF},
    {K_DEPTHWISE_INPLACE, 28, 28, 144, 144, 3, 1, 0, 1, 801, P_HALF},
    {K_DEPTHWISE_INPLACE, 28, 28, 96, 96, 5, 1, 0, 1, 932, P_HALF},
    /* in place on the small maps late in a network, where the border outputs dominate */
    {K_DEPTHWISE_INPLACE, 7, 7, 96, 96, 7, 1, 0, 1, 0, P_HALF},
    {K_DEPTHWISE_INPLACE, 5, 5, 192, 192, 5, 1, 0, 1, 0, P_HALF},
    {K_DEPTHWISE_INPLACE, 6, 6, 160, 160, 3, 1, 0, 1, 0, P_HALF},
    {K_DEPTHWISE_INPLACE, 10, 10, 144, 144, 7, 2, 0, 1, 0, P_HALF},
    {K_DEPTHWISE_INPLACE, 9, 9, 360, 360, 5, 1, 0, 1, 0, P_HALF},
    {K_CONV, 96, 96, 3, 16, 3, 2, 0, 1, 477, P_HALF},
    /* check-only: odd channels and widths, residual, strides, 5x5 borders */
    {K_POINTWISE, 7, 9, 13, 7, 1, 1, 0, 0, 0, 0},
    {K_POINTWISE, 9, 7, 24, 17, 1, 2, 0, 0, 0, 0},
    {K_POINTWISE, 10, 11, 32, 24, 1, 1, 1, 0, 0, 0},
    {K_DEPTHWISE, 9, 11, 13, 13, 3, 2, 0, 0, 0, P_HALF},
    {K_DEPTHWISE, 8, 7, 22, 22, 5, 1, 0, 0, 0, P_HALF},
    {K_DEPTHWISE, 5, 6, 4, 4, 5, 2, 0, 0, 0, P_HALF},
    {K_DEPTHWISE, 13, 12, 8, 8, 7, 1, 0, 0, 0, P_HALF},
    {K_DEPTHWISE, 10, 9, 12, 12, 3, 1, 0, 0, 0, 0},
    {K_CONV, 13, 11, 3, 5, 5, 1, 0, 0, 0, P_HALF},
    {K_CONV, 12, 9, 8, 6, 3, 2, 0, 0, 0, P_HALF},
    /* check-only, in place: odd sizes and channel counts, strides 1 and 2, kernels 1 to 9,
     * pads other than k / 2, maps narrower than a word load, one-pixel maps */
    {K_DEPTHWISE_INPLACE, 9, 11, 13, 13, 3, 1, 0, 0, 0, P_HALF},
    {K_DEPTHWISE_INPLACE, 9, 11, 13, 13, 3, 2, 0, 0, 0, P_HALF},
    {K_DEPTHWISE_INPLACE, 10, 12, 5, 5, 3, 2, 0, 0, 0, P_HALF},
    {K_DEPTHWISE_INPLACE, 8, 7, 22, 22, 5, 1, 0, 0, 0, P_HALF},
    {K_DEPTHWISE_INPLACE, 11, 10, 3, 3, 5, 2, 0, 0, 0, P_HALF},
    {K_DEPTHWISE_INPLACE, 13, 12, 5, 5, 7, 1, 0, 0, 0, P_HALF},
    {K_DEPTHWISE_INPLACE, 15, 13, 3, 3, 7, 2, 0, 0, 0, P_HALF},
    {K_DEPTHWISE_INPLACE, 6, 40, 2, 2, 3, 1, 0, 0, 0, P_HALF},
    {K_DEPTHWISE_INPLACE, 7, 41, 1, 1, 7, 2, 0, 0, 0, P_HALF},
    {K_DEPTHWISE_INPLACE, 10, 9, 4, 4, 3, 1, 0, 0, 0, 0},
    {K_DEPTHWISE_INPLACE, 11, 12, 3, 3, 5, 2, 0, 0, 0, 1},
    {K_DEPTHWISE_INPLACE, 12, 14, 3, 3, 7, 1, 0, 0, 0, 2},
    {K_DEPTHWISE_INPLACE, 3, 2, 3, 3, 5, 1, 0, 0, 0, P_HALF},
    {K_DEPTHWISE_INPLACE, 1, 1, 3, 3, 3, 1, 0, 0, 0, P_HALF},
    {K_DEPTHWISE_INPLACE, 2, 5, 6, 6, 3, 2, 0, 0, 0, P_HALF},
    {K_DEPTHWISE_INPLACE, 7, 8, 5, 5, 1, 1, 0, 0, 0, 0},
    {K_DEPTHWISE_INPLACE, 12, 11, 3, 3, 9, 1, 0, 0, 0, P_HALF},
    {K_DEPTHWISE_INPLACE, 28, 28, 8, 8, 3, 1, 0, 0, 0, P_HALF},
    /* border strips: pads up to k - 1 (the widest strips, and the portable fallback when they
     * do not fit), maps about as wide as the kernel or a pair's loads, tall maps (bands) */
    {K_DEPTHWISE_INPLACE, 9, 30, 3, 3, 7, 2, 0, 0, 0, 6},
    {K_DEPTHWISE_INPLACE, 8, 21, 3, 3, 7, 1, 0, 0, 0, 2},
    {K_DEPTHWISE_INPLACE, 9, 17, 3, 3, 5, 2, 0, 0, 0, 4},
    {K_DEPTHWISE_INPLACE, 7, 13, 3, 3, 5, 2, 0, 0, 0, 3},
    {K_DEPTHWISE_INPLACE, 6, 4, 4, 4, 7, 1, 0, 0, 0, P_HALF},
    {K_DEPTHWISE_INPLACE, 5, 9, 3, 3, 7, 2, 0, 0, 0, P_HALF},
    {K_DEPTHWISE_INPLACE, 4, 5, 3, 3, 5, 1, 0, 0, 0, P_HALF},
    {K_DEPTHWISE_INPLACE, 3, 3, 5, 5, 3, 2, 0, 0, 0, P_HALF},
    {K_DEPTHWISE_INPLACE, 40, 11, 2, 2, 7, 1, 0, 0, 0, P_HALF},
    {K_DEPTHWISE_INPLACE, 33, 10, 2, 2, 5, 2, 0, 0, 0, P_HALF},
    {K_DEPTHWISE_INPLACE, 9, 70, 2, 2, 5, 1, 0, 0, 0, P_HALF},
};

static int8_t input_map[MAX_MAP_BYTES];
static int8_t residual_map[MAX_MAP_BYTES];
static int8_t out_dsp[MAX_MAP_BYTES];
static int8_t out_portable[MAX_MAP_BYTES];
static int8_t weights[MAX_WEIGHTS];
static int32_t multipliers[MAX_CHANNELS], shifts[MAX_CHANNELS], biases[MAX_CHANNELS];
static int8_t scratch_plane[MAX_PLANE_BYTES];
static int32_t bench_full_w; /* the current shape's in_w (extract_view) */

static uint32_t rng_state = 0x12345678u;

#include "xorshift32.h"

static void fill_s8(int8_t* p, uint32_t n) {
  uint32_t i;
  for (i = 0; i < n; ++i) p[i] = (int8_t)rng();
}

static uint32_t ticks_per_million;

static uint32_t instructions(uint32_t ticks) {
  return icount_instructions(ticks, ticks_per_million);
}

static void put_u(uint32_t v) {
  char buf[12];
  int i = 11;
  buf[i] = 0;
  do {
    buf[--i] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v);
  sh_puts(buf + i);
}

/* v / 100 with two decimals. */
static void put_centi(uint32_t v) {
  char frac[4];
  put_u(v / 100u);
  frac[0] = '.';
  frac[1] = (char)('0' + (v / 10u) % 10u);
  frac[2] = (char)('0' + v % 10u);
  frac[3] = 0;
  sh_puts(frac);
}

static uint32_t centi_ratio(uint32_t num, uint32_t den) {
  return (uint32_t)(((uint64_t)num * 100u + den / 2u) / den);
}

/* Typical |sum| of n products of uniform int8 pairs is about sqrt(n) * 74 * 74: pick the shift
 * that brings it near 2^6. */
static int32_t typical_shift(uint32_t macs_per_output) {
  int32_t log2_sum = 13; /* 74 * 74 ~ 2^12.4 */
  uint32_t n = macs_per_output;
  while (n >= 4u) {
    n /= 4u;
    ++log2_sum;
  }
  return 6 - log2_sum;
}

static void random_quant(pn_quant_params* q, pn_residual_params* add, int32_t channels,
                         uint32_t macs_per_output, int with_residual) {
  const int32_t shift = typical_shift(macs_per_output);
  int32_t o;
  q->input_zero_point = rng_range(-128, 127);
  q->output_zero_point = rng_range(-128, 127);
  q->act_min = rng_range(-128, -100);
  q->act_max = rng_range(100, 127);
  for (o = 0; o < channels; ++o) {
    multipliers[o] = (int32_t)(0x40000000u + (rng() & 0x3FFFFFFFu));
    shifts[o] = o % 7 == 3 ? rng_range(-31, 30) : shift + rng_range(-1, 1);
    biases[o] = rng_range(-20000, 20000);
  }
  q->weights = weights;
  q->multiplier = multipliers;
  q->shift = shifts;
  q->bias = biases;
  q->residual = NULL;
  if (with_residual) {
    add->zero_point = rng_range(-128, 127);
    add->multiplier = (int32_t)(0x40000000u + (rng() & 0x3FFFFFFFu));
    add->shift = rng_range(-2, 0);
    add->output_multiplier = (int32_t)(0x40000000u + (rng() & 0x3FFFFFFFu));
    add->output_shift = rng_range(-21, -19);
    q->residual = add;
  }
}

/* The public kernel (DSP path on a DSP target). */
static pn_status run_public(const bench_shape* s, const pn_conv_params* p, const pn_quant_params* q,
                            const pn_tensor* in, const pn_tensor* res, const pn_tensor* out,
                            const pn_region* r) {
  switch (s->kind) {
    case K_POINTWISE: return pn_pointwise_s8(p, q, in, res, out, r, NULL);
    case K_DEPTHWISE: return pn_depthwise_s8(p, q, in, out, r, NULL);
    default: return pn_conv_s8(p, q, in, out, r, NULL);
  }
}

/* The portable loop on the same (already checked) arguments. */
static void run_portable(const bench_shape* s, const pn_conv_params* p, const pn_quant_params* q,
                         const pn_tensor* in, const pn_tensor* res, const pn_tensor* out,
                         const pn_region* r) {
  if (s->kind == K_DEPTHWISE) {
    pn__depthwise_portable(p, q, in, in->data, (size_t)in->w * (size_t)p->in_c,
                           (size_t)p->in_c, 0, out, r, 0, p->out_c);
  } else {
    pn__conv_core_portable(p, q, in, res, out, r);
  }
}

static const char* const kind_names[] = {"pointwise", "depthwise", "conv", "depthwise-inplace"};

static void put_shape(const bench_shape* s) {
  sh_puts(kind_names[s->kind]);
  sh_puts(" ");
  if (s->kind != K_POINTWISE) {
    put_u((uint32_t)s->kernel);
    sh_puts("x");
    put_u((uint32_t)s->kernel);
    sh_puts("s");
    put_u((uint32_t)s->stride);
    sh_puts(" ");
  }
  put_u((uint32_t)s->in_h);
  sh_puts("x");
  put_u((uint32_t)s->in_w);
  sh_puts("x");
  put_u((uint32_t)s->in_c);
  if (s->kind == K_POINTWISE || s->kind == K_CONV) {
    sh_puts("->");
    put_u((uint32_t)s->out_c);
  }
  if (s->residual) sh_puts("+res");
  if (s->pad >= 0 && s->pad != s->kernel / 2) {
    sh_puts(" pad");
    put_u((uint32_t)s->pad);
  }
}

/* One table row (timed shapes) or check line. */
static void report(const bench_shape* s, int same, uint32_t macs, uint32_t ticks_public,
                   uint32_t ticks_portable) {
  if (s->timed) {
    const uint32_t n = instructions(ticks_public);
    put_shape(s);
    sh_puts(" ");
    put_u(n);
    sh_puts(" ");
    put_u(macs);
    sh_puts(" ");
    put_centi(centi_ratio(n, macs));
    sh_puts(" ");
    if (s->cmsis_centi > 0) {
      put_centi((uint32_t)s->cmsis_centi);
    } else {
      sh_puts("-");
    }
    sh_puts(" ");
    put_centi(centi_ratio(instructions(ticks_portable), macs));
    sh_puts(same ? " yes\n" : " NO\n");
  } else {
    sh_puts("check ");
    put_shape(s);
    sh_puts(same ? " dsp==portable: yes\n" : " dsp==portable: NO\n");
  }
}

/* A random sub-region: h in [1, full_h], w in [1, full_w], inside the map. */
static void random_region(pn_region* r, int32_t full_h, int32_t full_w) {
  r->h = rng_range(1, full_h);
  r->w = rng_range(1, full_w);
  r->y0 = rng_range(0, full_h - r->h);
  r->x0 = rng_range(0, full_w - r->w);
}

/* The rows or columns [lo, hi] the outputs first .. first + count - 1 read, clipped to the map,
 * widened by up to `margin` on each side (still inside the map). */
static void input_span(int32_t first, int32_t count, const pn_conv_params* p, int32_t size,
                       int32_t margin, int32_t* lo, int32_t* hi) {
  *lo = first * p->stride - p->pad - rng_range(0, margin);
  *hi = (first + count - 1) * p->stride - p->pad + p->kernel - 1 + rng_range(0, margin);
  if (*lo < 0) *lo = 0;
  if (*hi > size - 1) *hi = size - 1;
}

/* Copies the view v of the full input map (input_map, p's geometry) to dst as a packed HWC
 * view. */
static void extract_view(int8_t* dst, const pn_tensor* v) {
  int32_t y;
  const size_t row = (size_t)v->w * (size_t)v->c;
  for (y = 0; y < v->h; ++y) {
    memcpy(dst + (size_t)y * row,
           input_map + ((size_t)(v->y0 + y) * (size_t)bench_full_w + (size_t)v->x0) *
                           (size_t)v->c,
           row);
  }
}

/* The portable in-place depthwise as runtime/src/depthwise.c documents it: each channel of the
 * input view copied to the scratch plane, then computed from it by pn__depthwise_portable. */
static void portable_in_place(const pn_conv_params* p, const pn_quant_params* q,
                              const pn_tensor* in, const pn_tensor* out, const pn_region* r) {
  const size_t pixels = (size_t)in->h * (size_t)in->w;
  int32_t c;
  for (c = 0; c < p->out_c; ++c) {
    size_t i;
    for (i = 0; i < pixels; ++i) scratch_plane[i] = in->data[i * (size_t)p->in_c + (size_t)c];
    pn__depthwise_portable(p, q, in, scratch_plane, (size_t)in->w, 1, c, out, r, c, c + 1);
  }
}

/* In place: views in_view / out_view (data set here), region r. Returns 1 when the public
 * kernel in place, the portable in-place loop and the out-of-place portable loop leave the
 * same bytes in the whole input view; ticks of the first two in *t_public / *t_portable. */
static int check_in_place(const pn_conv_params* p, const pn_quant_params* q, pn_tensor in_view,
                          pn_tensor out_view, const pn_region* r, uint32_t* t_public,
                          uint32_t* t_portable) {
  const size_t in_bytes = (size_t)in_view.h * (size_t)in_view.w * (size_t)in_view.c;
  pn_tensor full, out_ref;
  pn_scratch scratch;
  pn_status status;
  uint32_t t0;
  int same;
  extract_view(out_dsp, &in_view);
  memcpy(residual_map, out_dsp, in_bytes);
  memcpy(out_portable, out_dsp, in_bytes);
  in_view.data = out_view.data = out_dsp;
  scratch.data = scratch_plane;
  scratch.bytes = pn_depthwise_s8_scratch_bytes(p, &in_view, &out_view);
  same = scratch.bytes == (size_t)in_view.h * (size_t)in_view.w;
  t0 = icount_now();
  status = pn_depthwise_s8(p, q, &in_view, &out_view, r, &scratch);
  if (t_public != NULL) *t_public = t0 - icount_now();

  in_view.data = out_view.data = residual_map;
  t0 = icount_now();
  portable_in_place(p, q, &in_view, &out_view, r);
  if (t_portable != NULL) *t_portable = t0 - icount_now();

  full.data = input_map;
  full.h = p->in_h;
  full.w = p->in_w;
  full.c = p->in_c;
  full.y0 = full.x0 = 0;
  out_ref = out_view;
  out_ref.data = out_portable;
  pn__depthwise_portable(p, q, &full, input_map, (size_t)p->in_w * (size_t)p->in_c,
                         (size_t)p->in_c, 0, &out_ref, r, 0, p->out_c);
  return same && status == PN_OK && memcmp(out_dsp, residual_map, in_bytes) == 0 &&
         memcmp(out_dsp, out_portable, in_bytes) == 0;
}

/* The in-place rows: the whole map, then random sub-regions. */
static int bench_in_place(const bench_shape* s, const pn_conv_params* p, const pn_quant_params* q,
                          uint32_t macs) {
  pn_tensor in_view, out_view;
  pn_region r;
  uint32_t t_public = 0, t_portable = 0;
  int same, i;
  const int trials = s->timed ? 2 : 8;
  in_view.data = out_view.data = NULL;
  in_view.c = out_view.c = p->in_c;
  in_view.y0 = in_view.x0 = out_view.y0 = out_view.x0 = 0;
  in_view.h = p->in_h;
  in_view.w = p->in_w;
  out_view.h = p->out_h;
  out_view.w = p->out_w;
  r.y0 = r.x0 = 0;
  r.h = p->out_h;
  r.w = p->out_w;
  same = check_in_place(p, q, in_view, out_view, &r, &t_public, &t_portable);
  for (i = 0; i < trials; ++i) {
    int32_t lo, hi;
    random_region(&r, p->out_h, p->out_w);
    /* Output view: the region plus up to one pixel on each side. */
    out_view.y0 = r.y0 - rng_range(0, r.y0 > 0 ? 1 : 0);
    out_view.x0 = r.x0 - rng_range(0, r.x0 > 0 ? 1 : 0);
    out_view.h = r.y0 + r.h - out_view.y0 + rng_range(0, r.y0 + r.h < p->out_h ? 1 : 0);
    out_view.w = r.x0 + r.w - out_view.x0 + rng_range(0, r.x0 + r.w < p->out_w ? 1 : 0);
    /* Input view: the receptive field plus up to two pixels on each side, or the whole map
     * when that would not hold the output view's bytes. */
    input_span(r.y0, r.h, p, p->in_h, 2, &lo, &hi);
    in_view.y0 = lo;
    in_view.h = hi - lo + 1;
    input_span(r.x0, r.w, p, p->in_w, 2, &lo, &hi);
    in_view.x0 = lo;
    in_view.w = hi - lo + 1;
    if (out_view.h * out_view.w > in_view.h * in_view.w) {
      in_view.y0 = in_view.x0 = 0;
      in_view.h = p->in_h;
      in_view.w = p->in_w;
    }
    if (!check_in_place(p, q, in_view, out_view, &r, NULL, NULL)) same = 0;
  }
  report(s, same, macs, t_public, t_portable);
  return same ? 0 : 1;
}

/* Runs one shape; returns 0 when every call succeeded and every comparison matched. */
static int bench_one(const bench_shape* s) {
  pn_conv_params p;
  pn_quant_params q;
  pn_residual_params add;
  pn_tensor in, res, out_a, out_b;
  pn_region all, sub;
  uint32_t macs, out_bytes, t0, ticks_public, ticks_portable;
  const int depthwise = s->kind == K_DEPTHWISE || s->kind == K_DEPTHWISE_INPLACE;
  int same;
  pn_status status;
  p.in_h = s->in_h;
  p.in_w = s->in_w;
  p.in_c = s->in_c;
  p.out_c = s->out_c;
  p.kernel = s->kernel;
  p.stride = s->stride;
  p.pad = s->pad >= 0 ? s->pad : s->kernel / 2;
  p.out_h = (p.in_h + 2 * p.pad - p.kernel) / p.stride + 1;
  p.out_w = (p.in_w + 2 * p.pad - p.kernel) / p.stride + 1;
  macs = (uint32_t)(p.out_h * p.out_w * p.kernel * p.kernel * p.out_c) *
         (depthwise ? 1u : (uint32_t)p.in_c);
  out_bytes = (uint32_t)(p.out_h * p.out_w * p.out_c);
  fill_s8(input_map, (uint32_t)(p.in_h * p.in_w * p.in_c));
  fill_s8(residual_map, out_bytes);
  fill_s8(weights, (uint32_t)(p.kernel * p.kernel * p.out_c) * (depthwise ? 1u : (uint32_t)p.in_c));
  random_quant(&q, &add, p.out_c, macs / (uint32_t)(p.out_h * p.out_w * p.out_c), s->residual);
  bench_full_w = p.in_w;
  if (s->kind == K_DEPTHWISE_INPLACE) return bench_in_place(s, &p, &q, macs);

  in.data = input_map;
  in.h = p.in_h;
  in.w = p.in_w;
  in.c = p.in_c;
  in.y0 = in.x0 = 0;
  res = in;
  res.data = residual_map;
  res.h = p.out_h;
  res.w = p.out_w;
  res.c = p.out_c;
  out_a = res;
  out_a.data = out_dsp;
  out_b = out_a;
  out_b.data = out_portable;
  all.y0 = all.x0 = 0;
  all.h = p.out_h;
  all.w = p.out_w;
  memset(out_dsp, 0x5A, out_bytes);
  memset(out_portable, 0x5A, out_bytes);

  t0 = icount_now();
  status = run_public(s, &p, &q, &in, s->residual ? &res : NULL, &out_a, &all);
  ticks_public = t0 - icount_now();
  t0 = icount_now();
  run_portable(s, &p, &q, &in, s->residual ? &res : NULL, &out_b, &all);
  ticks_portable = t0 - icount_now();
  same = status == PN_OK && memcmp(out_dsp, out_portable, out_bytes) == 0;

  /* A sub-region into an output view of exactly that region. */
  random_region(&sub, p.out_h, p.out_w);
  out_a.y0 = out_b.y0 = sub.y0;
  out_a.x0 = out_b.x0 = sub.x0;
  out_a.h = out_b.h = sub.h;
  out_a.w = out_b.w = sub.w;
  memset(out_dsp, 0x33, out_bytes);
  memset(out_portable, 0x33, out_bytes);
  if (run_public(s, &p, &q, &in, s->residual ? &res : NULL, &out_a, &sub) != PN_OK) same = 0;
  run_portable(s, &p, &q, &in, s->residual ? &res : NULL, &out_b, &sub);
  if (memcmp(out_dsp, out_portable, out_bytes) != 0) same = 0;

  report(s, same, macs, ticks_public, ticks_portable);
  return same ? 0 : 1;
}

int main(void) {
  uint32_t i, failures = 0;
  ticks_per_million = icount_start();
  if (ticks_per_million == 0u) {
    sh_puts("FAIL the timer does not tick: run QEMU with -icount shift=6,align=off\n");
    return 1;
  }
  sh_putu("ticks_per_million_instructions ", ticks_per_million);
#if defined(__ARM_FEATURE_DSP)
  sh_puts("path: Cortex-M DSP (SXTB16/SMLAD)\n");
#else
  sh_puts("path: portable C\n");
#endif
  sh_puts("kernel shape instructions macs instructions_per_mac cmsis_nn_instructions_per_mac "
          "portable_instructions_per_mac dsp==portable\n");
#ifdef BENCH_ONLY
  /* Debugging aid: -DBENCH_ONLY=i runs shape i alone. */
  failures += (uint32_t)bench_one(&shapes[BENCH_ONLY]);
  (void)i;
#else
  for (i = 0; i < sizeof shapes / sizeof shapes[0]; ++i) failures += (uint32_t)bench_one(&shapes[i]);
#endif
  if (failures != 0u) {
    sh_putu("FAIL dsp != portable on shapes: ", failures);
    return 1;
  }
  sh_puts("OK dsp == portable on every shape\n");
  return 0;
}
