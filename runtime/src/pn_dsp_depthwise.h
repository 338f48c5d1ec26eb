/* Internal to the runtime, depthwise only: the one-channel plane kernel of the in-place path
 * (kernels_dsp_depthwise_plane.c) and, on the Cortex-M DSP extension, the output tail both
 * depthwise DSP files share (accumulator -> clamped int8, one or four at a time). */
#ifndef PN_DSP_DEPTHWISE_H
#define PN_DSP_DEPTHWISE_H

#include "pn_internal.h"

/* Channel c of `region` computed from a one-channel plane (plane[(iy - input->y0) * input->w +
 * ix - input->x0] holds channel c of the input at full-map (iy, ix)), written to channel c of
 * the output view: what pn__depthwise_portable(p, q, input, plane, input->w, 1, c, output,
 * region, c, c + 1) writes, byte for byte. The DSP loop on a target with the extension, else
 * that portable call. Arguments must have been checked. */
void pn__depthwise_plane(const pn_conv_params* p, const pn_quant_params* q,
                         const pn_tensor* input, const int8_t* plane, int32_t c,
                         const pn_tensor* output, const pn_region* region);

#if defined(__ARM_FEATURE_DSP)

#include "pn_dsp.h"

/* The output tail (no residual) shared by the depthwise DSP loops: pn_dsp.h's dsp_sat8 gives
 * sat8(requantize(acc) + zp), which clamp() to [act_min, act_max] turns into
 * pn__output_stage's byte (see pn_dsp.h); the clamp is done on four lanes at once with
 * dsp_clamp4 (lo and hi hold act_min / act_max in each byte). */
typedef struct {
  int32_t zp;  /* q->output_zero_point */
  int32_t kzp; /* 1 + 2 * zp (dsp_sat8's fast path) */
  int32_t lo;  /* act_min in each of the four bytes */
  int32_t hi;  /* act_max in each of the four bytes */
} dsp_dw_clamp;

static inline void dsp_dw_clamp_at(const pn_quant_params* q, dsp_dw_clamp* t) {
  t->zp = q->output_zero_point;
  t->kzp = 2 * q->output_zero_point + 1;
  t->lo = dsp_bytes4(q->act_min);
  t->hi = dsp_bytes4(q->act_max);
}

/* The output byte of one accumulator (in the low byte of the result). */
static inline int32_t dsp_dw_byte(int32_t acc, const dsp_channel* ch, const dsp_dw_clamp* t) {
  return dsp_clamp4(dsp_sat8(acc, ch, t->zp, t->kzp), t->lo, t->hi);
}

/* Inserts the low byte of b into bits [8*lane, 8*lane + 8) of w (one BFI). */
#if defined(__OPTIMIZE__)
#define DSP_DW_BFI(w, b, lane) __asm__("bfi %0, %1, #" #lane "*8, #8" : "+r"(w) : "r"(b))
#else
#define DSP_DW_BFI(w, b, lane)                                                    \
  ((w) = (int32_t)(((uint32_t)(w) & ~(0xFFu << (8 * (lane)))) |                  \
                   (((uint32_t)(b) & 0xFFu) << (8 * (lane)))))
#endif

/* The four output bytes of four channels' accumulators, as one little-endian word. */
static inline int32_t dsp_dw_bytes4(const int32_t acc[4], const dsp_channel ch[4],
                                    const dsp_dw_clamp* t) {
  int32_t w = dsp_sat8(acc[0], &ch[0], t->zp, t->kzp);
  DSP_DW_BFI(w, dsp_sat8(acc[1], &ch[1], t->zp, t->kzp), 1);
  DSP_DW_BFI(w, dsp_sat8(acc[2], &ch[2], t->zp, t->kzp), 2);
  DSP_DW_BFI(w, dsp_sat8(acc[3], &ch[3], t->zp, t->kzp), 3);
  return dsp_clamp4(w, t->lo, t->hi);
}

#endif /* __ARM_FEATURE_DSP */

#endif /* PN_DSP_DEPTHWISE_H */
