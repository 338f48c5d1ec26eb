/* Internal to the runtime, depthwise only: the one-channel plane kernel of the in-place path
 * (kernels_dsp_depthwise_plane.c) and, on the Cortex-M DSP extension, the output tail both
 * depthwise DSP files share (requantized value -> clamped int8, one or four at a time). */
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

/* The output tail of pn__output_stage (no residual) after requantization: v + output zero
 * point clamped to [act_min, act_max]. QADD then SSAT #8 give sat8(v + zp) (QADD saturates
 * to int32 first, which cannot change which side of [-128, 127] the sum lies on), and
 * clamp(sat8(u)) == clamp(u) because [act_min, act_max] lies inside [-128, 127]. The clamp
 * itself is done on four lanes at once: SSUB8 sets GE[i] from the exact (9-bit) signed
 * difference of lane i, SEL then picks per lane, so SSUB8(v, lo) + SEL(v, lo) is max(v, lo)
 * and SSUB8(hi, v) + SEL(v, hi) is min(v, hi); lo and hi hold act_min / act_max in each byte. */
typedef struct {
  int32_t zp; /* q->output_zero_point */
  int32_t lo; /* act_min in each of the four bytes */
  int32_t hi; /* act_max in each of the four bytes */
} dsp_dw_clamp;

static inline void dsp_dw_clamp_at(const pn_quant_params* q, dsp_dw_clamp* t) {
  t->zp = q->output_zero_point;
  t->lo = (int32_t)(((uint32_t)q->act_min & 0xFFu) * 0x01010101u);
  t->hi = (int32_t)(((uint32_t)q->act_max & 0xFFu) * 0x01010101u);
}

/* Per-lane max(lo, min(hi, v)) of four int8 lanes. */
static inline int32_t dsp_dw_clamp4(int32_t v, const dsp_dw_clamp* t) {
  int8x4_t a = (int8x4_t)v;
  (void)__ssub8(a, (int8x4_t)t->lo);
  a = (int8x4_t)__sel((uint8x4_t)a, (uint8x4_t)t->lo);
  (void)__ssub8((int8x4_t)t->hi, a);
  a = (int8x4_t)__sel((uint8x4_t)a, (uint8x4_t)t->hi);
  return (int32_t)a;
}

/* sat8(v + zp) in [-128, 127]. */
static inline int32_t dsp_dw_sat8(int32_t v, const dsp_dw_clamp* t) {
  return __ssat(__qadd(v, t->zp), 8);
}

/* The output byte of one requantized value (in the low byte of the result). */
static inline int32_t dsp_dw_byte(int32_t v, const dsp_dw_clamp* t) {
  return dsp_dw_clamp4(dsp_dw_sat8(v, t), t);
}

/* Inserts the low byte of b into bits [8*lane, 8*lane + 8) of w (one BFI). */
#if defined(__OPTIMIZE__)
#define DSP_DW_BFI(w, b, lane) __asm__("bfi %0, %1, #" #lane "*8, #8" : "+r"(w) : "r"(b))
#else
#define DSP_DW_BFI(w, b, lane)                                                    \
  ((w) = (int32_t)(((uint32_t)(w) & ~(0xFFu << (8 * (lane)))) |                  \
                   (((uint32_t)(b) & 0xFFu) << (8 * (lane)))))
#endif

/* The four output bytes of four requantized values, as one little-endian word. */
static inline int32_t dsp_dw_bytes4(int32_t v0, int32_t v1, int32_t v2, int32_t v3,
                                    const dsp_dw_clamp* t) {
  int32_t w = dsp_dw_sat8(v0, t);
  DSP_DW_BFI(w, dsp_dw_sat8(v1, t), 1);
  DSP_DW_BFI(w, dsp_dw_sat8(v2, t), 2);
  DSP_DW_BFI(w, dsp_dw_sat8(v3, t), 3);
  return dsp_dw_clamp4(w, t);
}

#endif /* __ARM_FEATURE_DSP */

#endif /* PN_DSP_DEPTHWISE_H */
