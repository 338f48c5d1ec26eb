/* Internal to the runtime, Cortex-M DSP extension only (__ARM_FEATURE_DSP): the helpers the
 * DSP kernels share (unaligned word loads, SXTB16 on odd bytes, a channel's requantization
 * constants) and the DSP output stage, pn__output_stage rewritten without 64-bit division.
 *
 * Why exact: int8 pairs are widened to int16 pairs with SXTB16 / SXTAB16, and SXTAB16 adds
 * the packed (-zp, -zp) while widening, so every product is w * (x - zp) with x - zp in
 * [-255, 255], as in the portable loops; SMLAD / SMLAxy accumulate in int32 (wrapping exactly
 * like the portable int32 sums).
 *
 * Requantization (pn__requantize), multiplier M >= 0 (validated):
 *  - pn__srdhm(x, M) = trunc((x*M + nudge) / 2^31) with the sign-dependent nudge equals
 *    y = floor((x*M + 2^30) / 2^31) = floor((2*x*M + 2^31) / 2^32) (|x*M| <= 2^62, and
 *    INT32_MIN * INT32_MIN cannot occur); -M <= y <= M.
 *  - pn__rdbp(y, r), r >= 1 (ties away from zero), is floor((y + s + 2^(r-1)) / 2^r) with
 *    s = -1 if y < 0 else 0. s may be taken from the sign of x instead: they differ only when
 *    x < 0 and y = 0, and there floor((s + 2^(r-1)) / 2^r) = 0 for s = 0 and s = -1 alike.
 *    So the result is ((y + s) >> (r - 1) + 1) >> 1 (nested floors), with no overflow.
 *  - The fast path (shift <= -1 and M >= 2^30, the usual case) gets y + s from one SMMLAR:
 *    SMMLAR(x, m2, a) = floor((a * 2^32 + x * m2 + 2^31) / 2^32) with m2 = 2M - 2^32 (an
 *    int32 because M >= 2^30) and a = x + s gives floor((2*x*M + 2^31) / 2^32) + s = y + s,
 *    which lies in [-2^31, 2^31 - 2], so its low 32 bits are exact (a may wrap: only a * 2^32
 *    mod 2^64 matters).
 *  - Other channels (shift >= 0, M < 2^30) take the general path: saturating left shift,
 *    SMLAL high multiply, rounding right shift, as pn__requantize literally.
 * Output tail (no residual): clamp(sat9(v) + zp, act_min, act_max) equals
 * clamp(sat8(v + zp), act_min, act_max) since act_min <= act_max lie in [-128, 127]; v + zp
 * may be saturated to int32 first (QADD) without changing which side of [-128, 127] it is on.
 * On the fast path, v + zp = ((y + s) >> (r - 1) + 1 + 2 zp) >> 1, so the zero point costs
 * nothing extra: QADD of 1 + 2 zp, then SSAT #8 with ASR #1. */
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

/* floor((a * 2^32 + x * m + 2^31) / 2^32) mod 2^32 (SMMLAR). */
static inline int32_t dsp_smmlar(int32_t x, int32_t m, int32_t a) {
  int32_t r;
  __asm__("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(x), "r"(m), "r"(a));
  return r;
}

/* sat8(v >> 1) (SSAT #8 with ASR #1). */
static inline int32_t dsp_ssat8_half(int32_t v) {
  int32_t r;
  __asm__("ssat %0, #8, %1, asr #1" : "=r"(r) : "r"(v));
  return r;
}

/* One output channel's constants. */
typedef struct {
  int32_t bias;         /* q->bias[o] */
  int32_t bias_zp;      /* conv core: bias - zp * (sum of the channel's weights), mod 2^32 */
  int32_t multiplier;
  int32_t left;         /* max(shift, 0) */
  int32_t right;        /* max(-shift, 0) */
  int32_t mul2;         /* fast path: 2 * multiplier - 2^32 */
  int32_t rm1;          /* fast path: -shift - 1, in [0, 30]; -1: the general path */
} dsp_channel;

/* Whether channel o takes the fast path: shift <= -1 and multiplier >= 2^30. */
static inline int dsp_fast_channel(int32_t multiplier, int32_t shift) {
  return shift <= -1 && multiplier >= 0x40000000;
}

/* The requantization constants of (multiplier >= 0, shift in [-31, 30]); bias untouched. */
static inline void dsp_channel_set(int32_t multiplier, int32_t shift, dsp_channel* ch) {
  ch->multiplier = multiplier;
  ch->left = shift > 0 ? shift : 0;
  ch->right = shift > 0 ? 0 : -shift;
  ch->mul2 = (int32_t)((uint32_t)multiplier << 1);
  ch->rm1 = dsp_fast_channel(multiplier, shift) ? -shift - 1 : -1;
}

static inline void dsp_channel_at(const pn_quant_params* q, int32_t o, dsp_channel* ch) {
  ch->bias = q->bias[o];
  ch->bias_zp = ch->bias;
  dsp_channel_set(q->multiplier[o], q->shift[o], ch);
}

/* The fast path (see the top of the file): (y + s) >> (r - 1), where y is srdhm's result,
 * s = -1 if acc < 0 else 0 and r = rm1 + 1. The requantized value is (t + 1) >> 1. */
static inline int32_t dsp_fast_t(int32_t acc, int32_t mul2, int32_t rm1) {
  return dsp_smmlar(acc, mul2, acc + (acc >> 31)) >> rm1;
}

/* sat8(requantize(acc) + zp) on the fast path; kzp = 1 + 2 * zp. */
static inline int32_t dsp_fast_sat8(int32_t acc, int32_t mul2, int32_t rm1, int32_t kzp) {
  return dsp_ssat8_half(__qadd(dsp_fast_t(acc, mul2, rm1), kzp));
}

/* pn__requantize literally, for multiplier >= 0, without 64-bit division. */
static inline int32_t dsp_requantize_general(int32_t acc, const dsp_channel* ch) {
  int32_t x = acc;
  int32_t mask;
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
  mask = (int32_t)(((uint32_t)1 << ch->right) - 1u);
  return (x >> ch->right) + ((x & mask) > (mask >> 1) + (x < 0 ? 1 : 0) ? 1 : 0);
}

/* pn__requantize for multiplier >= 0 (exact for every channel). */
static inline int32_t dsp_requantize(int32_t acc, const dsp_channel* ch) {
  if (ch->rm1 >= 0) return (dsp_fast_t(acc, ch->mul2, ch->rm1) + 1) >> 1;
  return dsp_requantize_general(acc, ch);
}

/* sat8(requantize(acc) + zp) (exact for every channel); kzp = 1 + 2 * zp. */
static inline int32_t dsp_sat8(int32_t acc, const dsp_channel* ch, int32_t zp, int32_t kzp) {
  if (ch->rm1 >= 0) return dsp_fast_sat8(acc, ch->mul2, ch->rm1, kzp);
  return __ssat(__qadd(dsp_requantize_general(acc, ch), zp), 8);
}

/* Per-byte max(lo, min(hi, v)) of four int8 lanes: SSUB8 sets GE[i] from the exact signed
 * difference of lane i, SEL picks per lane (lo, hi: the bounds in every byte, lo <= hi). */
static inline int32_t dsp_clamp4(int32_t v, int32_t lo, int32_t hi) {
  int32_t d;
  __asm__("ssub8 %1, %0, %2\n\t"
          "sel %0, %0, %2\n\t"
          "ssub8 %1, %3, %0\n\t"
          "sel %0, %0, %3"
          : "+&r"(v), "=&r"(d)
          : "r"(lo), "r"(hi));
  return v;
}

/* Inserts the low byte of b into byte `lane` (a constant) of the int32 w (one BFI). */
#if defined(__OPTIMIZE__)
#define DSP_BFI8(w, b, lane) __asm__("bfi %0, %1, #8 * " #lane ", #8" : "+r"(w) : "r"(b))
#else
#define DSP_BFI8(w, b, lane)                                   \
  ((w) = (int32_t)(((uint32_t)(w) & ~(0xFFu << (8 * (lane)))) | \
                   (((uint32_t)(b) & 0xFFu) << (8 * (lane)))))
#endif

/* A bound of the output repeated in the four bytes of a word. */
static inline int32_t dsp_bytes4(int32_t b) {
  return (int32_t)(((uint32_t)b & 0xFFu) * 0x01010101u);
}

/* pn__output_stage without the residual: requantize, zero point, clamp. */
static inline int8_t dsp_output(const pn_quant_params* q, const dsp_channel* ch, int32_t acc) {
  const int32_t zp = q->output_zero_point;
  int32_t v = dsp_sat8(acc, ch, zp, 2 * zp + 1);
  if (v < q->act_min) v = q->act_min;
  if (v > q->act_max) v = q->act_max;
  return (int8_t)v;
}

/* Inlined even where the compiler would rather call (hot helpers used in several loops). */
#if defined(__GNUC__)
#define PN_DSP_ALWAYS_INLINE static inline __attribute__((always_inline))
#else
#define PN_DSP_ALWAYS_INLINE static inline
#endif

/* GCC: unroll the loop that follows when its trip count is a constant (the tap loops below,
 * inlined with k = 3 or 5). */
#if defined(__GNUC__)
#define PN_DSP_UNROLL _Pragma("GCC unroll 8")
#else
#define PN_DSP_UNROLL
#endif

#endif /* __ARM_FEATURE_DSP */

#endif /* PN_DSP_H */
