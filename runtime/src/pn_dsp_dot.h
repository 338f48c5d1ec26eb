/* Internal to the runtime, Cortex-M DSP extension only: the conv core's inner products
 * (kernels_dsp_conv.c), acc[2i + j] += sum_t b_i[t] * r_j[t] for two output pixels x two
 * output channels, as asm loops of SXTB16 / SMLAD (each product exact, int32 sums wrapping
 * like the portable loop's; see pn_dsp.h). They need 14 registers, which unoptimized builds
 * cannot give an asm statement: there they are the same loops in C. */
#ifndef PN_DSP_DOT_H
#define PN_DSP_DOT_H

#include "pn_dsp.h"

#if defined(__ARM_FEATURE_DSP)

#if defined(__OPTIMIZE__)
/* The loop of dsp_dot_raw and dsp_dot_half around GROUP (one group of 4 values that advances
 * %[xa] by 4): entered at the group that leaves a multiple of four (groups = %[n] >= 1), four
 * groups per iteration, until %[xa] reaches %[end]; %[t0] is free between groups. */
#define DSP_DOT_LOOP4(GROUP)                                                  \
  "ldr %[t0], %[n]\n\t"                                                      \
  "lsls %[t0], %[t0], #31\n\t" /* N: groups & 1, C: groups & 2 */            \
  "bcc 5f\n\t"                                                               \
  "bmi 2f\n\t"                                                               \
  "b 3f\n\t"                                                                 \
  "5:\n\t"                                                                   \
  "bmi 4f\n\t"                                                               \
  "1:\n\t" GROUP "2:\n\t" GROUP "3:\n\t" GROUP "4:\n\t" GROUP                     \
  "ldr %[t0], %[end]\n\t"                                                    \
  "cmp %[xa], %[t0]\n\t"                                                     \
  "bne 1b\n\t"

/* One group of 4 values of dsp_dot_wide / dsp_dot_patch: r0, r1 one int8 word each, b the
 * widened words of the other two operands. */
#define DSP_DOT_WIDE_GROUP                      \
  "ldr %[t0], [%[r0]], #4\n\t"                  \
  "ldr %[t1], [%[r1]], #4\n\t"                  \
  "ldrd %[w0], %[w1], [%[b]], #8\n\t"           \
  "sxtb16 %[t2], %[t0]\n\t"                     \
  "sxtb16 %[t0], %[t0], ror #8\n\t"             \
  "sxtb16 %[t3], %[t1]\n\t"                     \
  "sxtb16 %[t1], %[t1], ror #8\n\t"             \
  "smlad %[a00], %[w0], %[t2], %[a00]\n\t"      \
  "smlad %[a00], %[w1], %[t0], %[a00]\n\t"      \
  "smlad %[a01], %[w0], %[t3], %[a01]\n\t"      \
  "smlad %[a01], %[w1], %[t1], %[a01]\n\t"      \
  "ldrd %[w0], %[w1], [%[b]], #8\n\t"           \
  "smlad %[a10], %[w0], %[t2], %[a10]\n\t"      \
  "smlad %[a10], %[w1], %[t0], %[a10]\n\t"      \
  "smlad %[a11], %[w0], %[t3], %[a11]\n\t"      \
  "smlad %[a11], %[w1], %[t1], %[a11]\n\t"
#endif

/* r0, r1: int8 (any alignment); b: the other operand already widened, per group of 4 values
 * the words SXTB16(b0), SXTB16(b0 ROR 8), SXTB16(b1), SXTB16(b1 ROR 8). groups >= 1; two
 * groups per iteration (odd counts enter at the second). Per group 2 LDR + 2 LDRD + 4 SXTB16
 * + 8 SMLAD. Unoptimized builds (which cannot give an asm statement 14 registers) get C. */
static inline void dsp_dot_wide(const int8_t* r0, const int8_t* r1, const int32_t* b,
                                int32_t groups, int32_t acc[4]) {
  int32_t a00 = acc[0], a01 = acc[1], a10 = acc[2], a11 = acc[3];
#if defined(__OPTIMIZE__)
  int32_t t0, t1, t2, t3, w0, w1;
  __asm__ volatile(
      "lsrs %[n], %[n], #1\n\t"
      "bcc 1f\n\t"
      "adds %[n], %[n], #1\n\t"
      "b 2f\n\t"
      "1:\n\t" DSP_DOT_WIDE_GROUP
      "2:\n\t" DSP_DOT_WIDE_GROUP
      "subs %[n], %[n], #1\n\t"
      "bne 1b\n\t"
      : [a00] "+r"(a00), [a01] "+r"(a01), [a10] "+r"(a10), [a11] "+r"(a11), [r0] "+r"(r0),
        [r1] "+r"(r1), [b] "+r"(b), [n] "+r"(groups), [t0] "=&r"(t0), [t1] "=&r"(t1),
        [t2] "=&r"(t2), [t3] "=&r"(t3), [w0] "=&r"(w0), [w1] "=&r"(w1)
      :
      : "cc", "memory");
#else
  do {
    const int32_t v0 = dsp_load4(r0), v1 = dsp_load4(r1);
    a00 = __smlad(b[0], __sxtb16(v0), a00);
    a00 = __smlad(b[1], dsp_sxtb16_odd(v0), a00);
    a01 = __smlad(b[0], __sxtb16(v1), a01);
    a01 = __smlad(b[1], dsp_sxtb16_odd(v1), a01);
    a10 = __smlad(b[2], __sxtb16(v0), a10);
    a10 = __smlad(b[3], dsp_sxtb16_odd(v0), a10);
    a11 = __smlad(b[2], __sxtb16(v1), a11);
    a11 = __smlad(b[3], dsp_sxtb16_odd(v1), a11);
    r0 += 4;
    r1 += 4;
    b += 4;
  } while (--groups > 0);
#endif
  acc[0] = a00;
  acc[1] = a01;
  acc[2] = a10;
  acc[3] = a11;
}

/* Both operands int8: xa, xb (j) and wa, wb (i), 4 * groups values, groups >= 1; per group
 * 4 LDR, 8 SXTB16, 8 SMLAD, four groups per iteration (entered at the group that leaves a
 * multiple of four). The 14 registers it needs leave none for a counter: the end pointer is
 * compared from memory. */
PN_DSP_ALWAYS_INLINE void dsp_dot_raw(const int8_t* xa, const int8_t* xb, const int8_t* wa,
                               const int8_t* wb, int32_t groups, int32_t acc[4]) {
  const int8_t* const xa_end = xa + 4 * groups;
  int32_t aa = acc[0], ab = acc[1], ba = acc[2], bb = acc[3];
#if defined(__OPTIMIZE__)
  int32_t t0, t1, t2, t3, t4, t5;
#define DSP_DOT_RAW_GROUP                       \
  "ldr %[t0], [%[wa]], #4\n\t"                  \
  "ldr %[t1], [%[wb]], #4\n\t"                  \
  "sxtb16 %[t2], %[t0]\n\t"                     \
  "sxtb16 %[t0], %[t0], ror #8\n\t"             \
  "sxtb16 %[t3], %[t1]\n\t"                     \
  "sxtb16 %[t1], %[t1], ror #8\n\t"             \
  "ldr %[t4], [%[xa]], #4\n\t"                  \
  "sxtb16 %[t5], %[t4]\n\t"                     \
  "sxtb16 %[t4], %[t4], ror #8\n\t"             \
  "smlad %[aa], %[t2], %[t5], %[aa]\n\t"        \
  "smlad %[aa], %[t0], %[t4], %[aa]\n\t"        \
  "smlad %[ba], %[t3], %[t5], %[ba]\n\t"        \
  "smlad %[ba], %[t1], %[t4], %[ba]\n\t"        \
  "ldr %[t4], [%[xb]], #4\n\t"                  \
  "sxtb16 %[t5], %[t4]\n\t"                     \
  "sxtb16 %[t4], %[t4], ror #8\n\t"             \
  "smlad %[ab], %[t2], %[t5], %[ab]\n\t"        \
  "smlad %[ab], %[t0], %[t4], %[ab]\n\t"        \
  "smlad %[bb], %[t3], %[t5], %[bb]\n\t"        \
  "smlad %[bb], %[t1], %[t4], %[bb]\n\t"
  __asm__ volatile(
      DSP_DOT_LOOP4(DSP_DOT_RAW_GROUP)
      : [aa] "+r"(aa), [ab] "+r"(ab), [ba] "+r"(ba), [bb] "+r"(bb), [xa] "+r"(xa),
        [xb] "+r"(xb), [wa] "+r"(wa), [wb] "+r"(wb), [t0] "=&r"(t0), [t1] "=&r"(t1),
        [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4), [t5] "=&r"(t5)
      : [end] "m"(xa_end), [n] "m"(groups)
      : "cc", "memory");
#undef DSP_DOT_RAW_GROUP
#else
  do {
    const int32_t w_a = dsp_load4(wa), w_b = dsp_load4(wb);
    const int32_t xwa = dsp_load4(xa), xwb = dsp_load4(xb);
    aa = __smlad(__sxtb16(w_a), __sxtb16(xwa), aa);
    aa = __smlad(dsp_sxtb16_odd(w_a), dsp_sxtb16_odd(xwa), aa);
    ab = __smlad(__sxtb16(w_a), __sxtb16(xwb), ab);
    ab = __smlad(dsp_sxtb16_odd(w_a), dsp_sxtb16_odd(xwb), ab);
    ba = __smlad(__sxtb16(w_b), __sxtb16(xwa), ba);
    ba = __smlad(dsp_sxtb16_odd(w_b), dsp_sxtb16_odd(xwa), ba);
    bb = __smlad(__sxtb16(w_b), __sxtb16(xwb), bb);
    bb = __smlad(dsp_sxtb16_odd(w_b), dsp_sxtb16_odd(xwb), bb);
    xa += 4;
    xb += 4;
    wa += 4;
    wb += 4;
  } while (xa != xa_end);
#endif
  acc[0] = aa;
  acc[1] = ab;
  acc[2] = ba;
  acc[3] = bb;
}

/* Channel a widened in b (per group of 4 values the words SXTB16(wa), SXTB16(wa ROR 8)),
 * channel b int8 at wb, pixels xa, xb int8: acc as dsp_dot_raw, 4 * groups values, groups
 * >= 1; per group 3 LDR + 1 LDRD + 6 SXTB16 + 8 SMLAD, four groups per iteration. */
PN_DSP_ALWAYS_INLINE void dsp_dot_half(const int8_t* xa, const int8_t* xb, const int32_t* b,
                                       const int8_t* wb, int32_t groups, int32_t acc[4]) {
  const int8_t* const xa_end = xa + 4 * groups;
  int32_t aa = acc[0], ab = acc[1], ba = acc[2], bb = acc[3];
#if defined(__OPTIMIZE__)
  int32_t t0, t1, t2, t3, w0, w1;
#define DSP_DOT_HALF_GROUP                      \
  "ldr %[t0], [%[xa]], #4\n\t"                  \
  "ldr %[t1], [%[xb]], #4\n\t"                  \
  "sxtb16 %[t2], %[t0]\n\t"                     \
  "sxtb16 %[t0], %[t0], ror #8\n\t"             \
  "sxtb16 %[t3], %[t1]\n\t"                     \
  "sxtb16 %[t1], %[t1], ror #8\n\t"             \
  "ldrd %[w0], %[w1], [%[b]], #8\n\t"           \
  "smlad %[aa], %[w0], %[t2], %[aa]\n\t"        \
  "smlad %[aa], %[w1], %[t0], %[aa]\n\t"        \
  "smlad %[ab], %[w0], %[t3], %[ab]\n\t"        \
  "smlad %[ab], %[w1], %[t1], %[ab]\n\t"        \
  "ldr %[w0], [%[wb]], #4\n\t"                  \
  "sxtb16 %[w1], %[w0]\n\t"                     \
  "sxtb16 %[w0], %[w0], ror #8\n\t"             \
  "smlad %[ba], %[w1], %[t2], %[ba]\n\t"        \
  "smlad %[ba], %[w0], %[t0], %[ba]\n\t"        \
  "smlad %[bb], %[w1], %[t3], %[bb]\n\t"        \
  "smlad %[bb], %[w0], %[t1], %[bb]\n\t"
  __asm__ volatile(
      DSP_DOT_LOOP4(DSP_DOT_HALF_GROUP)
      : [aa] "+r"(aa), [ab] "+r"(ab), [ba] "+r"(ba), [bb] "+r"(bb), [xa] "+r"(xa),
        [xb] "+r"(xb), [b] "+r"(b), [wb] "+r"(wb), [t0] "=&r"(t0), [t1] "=&r"(t1),
        [t2] "=&r"(t2), [t3] "=&r"(t3), [w0] "=&r"(w0), [w1] "=&r"(w1)
      : [end] "m"(xa_end), [n] "m"(groups)
      : "cc", "memory");
#undef DSP_DOT_HALF_GROUP
#else
  do {
    const int32_t w_b = dsp_load4(wb);
    const int32_t xwa = dsp_load4(xa), xwb = dsp_load4(xb);
    aa = __smlad(b[0], __sxtb16(xwa), __smlad(b[1], dsp_sxtb16_odd(xwa), aa));
    ab = __smlad(b[0], __sxtb16(xwb), __smlad(b[1], dsp_sxtb16_odd(xwb), ab));
    ba = __smlad(__sxtb16(w_b), __sxtb16(xwa), ba);
    ba = __smlad(dsp_sxtb16_odd(w_b), dsp_sxtb16_odd(xwa), ba);
    bb = __smlad(__sxtb16(w_b), __sxtb16(xwb), bb);
    bb = __smlad(dsp_sxtb16_odd(w_b), dsp_sxtb16_odd(xwb), bb);
    xa += 4;
    xb += 4;
    wb += 4;
    b += 2;
  } while (xa != xa_end);
#endif
  acc[0] = aa;
  acc[1] = ab;
  acc[2] = ba;
  acc[3] = bb;
}

/* dsp_dot_wide over a gathered pair of patches (b, i: pixel) and two channels' n weights
 * (r0, r1, j: channel), n = 4 * groups - back: groups - 1 groups from r0, r1, then the last
 * group from r0 + n - 4, r1 + n - 4 (taps n - 4 .. n - 1; the widened patch holds zeros for
 * the `back` taps it repeats), so nothing past a channel's weights is read. */
PN_DSP_ALWAYS_INLINE void dsp_dot_patch(const int8_t* r0, const int8_t* r1, const int32_t* b,
                                        int32_t groups, int32_t back, int32_t acc[4]) {
  int32_t a00 = acc[0], a01 = acc[1], a10 = acc[2], a11 = acc[3];
#if defined(__OPTIMIZE__)
  int32_t t0, t1, t2, t3, w0, w1;
  __asm__ volatile(
      "subs %[n], %[n], #1\n\t"
      "beq 3f\n\t"
      "lsrs %[n], %[n], #1\n\t"
      "bcc 1f\n\t"
      "adds %[n], %[n], #1\n\t"
      "b 2f\n\t"
      "1:\n\t" DSP_DOT_WIDE_GROUP
      "2:\n\t" DSP_DOT_WIDE_GROUP
      "subs %[n], %[n], #1\n\t"
      "bne 1b\n\t"
      "3:\n\t"
      "ldr %[t0], %[back]\n\t"
      "subs %[r0], %[r0], %[t0]\n\t"
      "subs %[r1], %[r1], %[t0]\n\t" DSP_DOT_WIDE_GROUP
      : [a00] "+r"(a00), [a01] "+r"(a01), [a10] "+r"(a10), [a11] "+r"(a11), [r0] "+r"(r0),
        [r1] "+r"(r1), [b] "+r"(b), [n] "+r"(groups), [t0] "=&r"(t0), [t1] "=&r"(t1),
        [t2] "=&r"(t2), [t3] "=&r"(t3), [w0] "=&r"(w0), [w1] "=&r"(w1)
      : [back] "m"(back)
      : "cc", "memory");
#else
  int32_t g;
  for (g = 0; g < groups; ++g) {
    const int32_t v0 = dsp_load4(r0), v1 = dsp_load4(r1);
    a00 = __smlad(b[0], __sxtb16(v0), __smlad(b[1], dsp_sxtb16_odd(v0), a00));
    a01 = __smlad(b[0], __sxtb16(v1), __smlad(b[1], dsp_sxtb16_odd(v1), a01));
    a10 = __smlad(b[2], __sxtb16(v0), __smlad(b[3], dsp_sxtb16_odd(v0), a10));
    a11 = __smlad(b[2], __sxtb16(v1), __smlad(b[3], dsp_sxtb16_odd(v1), a11));
    r0 += g + 2 == groups ? 4 - back : 4;
    r1 += g + 2 == groups ? 4 - back : 4;
    b += 4;
  }
#endif
  acc[0] = a00;
  acc[1] = a01;
  acc[2] = a10;
  acc[3] = a11;
}

#endif /* __ARM_FEATURE_DSP */

#endif /* PN_DSP_DOT_H */
