/* Internal to the runtime, Cortex-M DSP extension only (__ARM_FEATURE_DSP): the helpers the
 * DSP kernels share (unaligned word loads, SXTB16 on odd bytes, a channel's requantization
 * constants) and the DSP output stage, pn__output_stage rewritten without 64-bit division.
 *
 * Why exact: int8 pairs are widened to int16 pairs with SXTB16 / SXTAB16, and SXTAB16 adds
 * the packed (-zp, -zp) while widening, so every product is w * (x - zp) with x - zp in
 * [-255, 255], as in the portable loops; SMLAD / SMLAxy accumulate in int32 (wrapping exactly
 * like the portable int32 sums). dsp_requantize: for |a*b| <= 2^62, trunc((a*b + nudge) / 2^31)
 * with the sign-dependent nudge of pn__srdhm equals floor((a*b + 2^30) / 2^31), and multipliers
 * are >= 0 (validated), so the INT32_MIN * INT32_MIN case cannot occur. */
#ifndef PN_DSP_H
#define PN_DSP_H

#include "pn_internal.h"

#if defined(__ARM_FEATURE_DSP)

#include <arm_acle.h>
#include <string.h>

/* Four int8 from an arbitrarily aligned address (ARMv7E-M LDR allows unaligned access). */
static inline int32_t dsp_load4(const int8_t* p) {
  int32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

/* Bytes 1 and 3 of v sign-extended to two int16 (SXTB16 with ROR #8). */
static inline int32_t dsp_sxtb16_odd(int32_t v) {
  int32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
  return r;
}

/* Bytes 1 and 3 of v sign-extended and added to the two int16 of a (SXTAB16 with ROR #8). */
static inline int32_t dsp_sxtab16_odd(int32_t a, int32_t v) {
  int32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(v));
  return r;
}

/* One output channel's constants, gathered once per block of channels. */
typedef struct {
  int32_t bias;         /* q->bias[o] */
  int32_t bias_zp;      /* bias - zp * (sum of the channel's weights), mod 2^32 */
  int32_t multiplier;
  int32_t left;         /* max(shift, 0) */
  int32_t right;        /* max(-shift, 0) */
  int32_t mask;         /* 2^right - 1 */
  int32_t half;         /* mask >> 1 */
} dsp_channel;

static inline void dsp_channel_at(const pn_quant_params* q, int32_t o, dsp_channel* ch) {
  const int32_t shift = q->shift[o];
  ch->bias = q->bias[o];
  ch->bias_zp = ch->bias;
  ch->multiplier = q->multiplier[o];
  ch->left = shift > 0 ? shift : 0;
  ch->right = shift > 0 ? 0 : -shift;
  ch->mask = (int32_t)(((uint32_t)1 << ch->right) - 1u);
  ch->half = ch->mask >> 1;
}

/* pn__requantize for multiplier >= 0, without 64-bit division (see the top of the file). */
static inline int32_t dsp_requantize(int32_t acc, const dsp_channel* ch) {
  int32_t x = acc;
  if (ch->left > 0) {
    const int32_t limit = INT32_MAX >> ch->left;
    if (x > limit) {
      x = INT32_MAX;
    } else if (x < -limit - 1) {
      x = INT32_MIN;
    } else {
      x = (int32_t)((uint32_t)x << ch->left);
    }
  }
  {
    /* (x * multiplier + 2^30) >> 31 with one SMLAL (gcc widens a variable operand with 3 multiplies). */
    uint32_t lo = 0x40000000u;
    int32_t hi = 0;
    __asm__("smlal %0, %1, %2, %3" : "+r"(lo), "+r"(hi) : "r"(x), "r"(ch->multiplier));
    x = (int32_t)((lo >> 31) | ((uint32_t)hi << 1));
  }
  return (x >> ch->right) + ((x & ch->mask) > ch->half + (x < 0 ? 1 : 0) ? 1 : 0);
}

/* pn__output_stage without the residual: requantize, zero point, clamp. Values outside
 * [-256, 255] clamp to act_min/act_max whatever the zero point, so SSAT to 9 bits first keeps
 * the sum in int32. */
static inline int8_t dsp_output(const pn_quant_params* q, const dsp_channel* ch, int32_t acc) {
  int32_t v = __ssat(dsp_requantize(acc, ch), 9) + q->output_zero_point;
  if (v < q->act_min) v = q->act_min;
  if (v > q->act_max) v = q->act_max;
  return (int8_t)v;
}

/* GCC: unroll the loop that follows when its trip count is a constant (the tap loops below,
 * inlined with k = 3 or 5). */
#if defined(__GNUC__)
#define PN_DSP_UNROLL _Pragma("GCC unroll 8")
#else
#define PN_DSP_UNROLL
#endif

#endif /* __ARM_FEATURE_DSP */

#endif /* PN_DSP_H */
