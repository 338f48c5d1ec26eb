/* Internal to the runtime: the requantization arithmetic (inline, so every kernel's output
 * stage uses the one definition of requantize.c's public functions), the output stage shared
 * by the conv-like kernels, the generic conv core and the argument checks. Not installed. */
#ifndef PN_INTERNAL_H
#define PN_INTERNAL_H

#include "pn_runtime.h"

#define PN_RESIDUAL_LEFT_SHIFT 20

/* gemmlowp SaturatingRoundingDoublingHighMul: round(a*b / 2^31), ties toward +infinity. */
static inline int32_t pn__srdhm(int32_t a, int32_t b) {
  int64_t ab;
  int64_t nudge;
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  ab = (int64_t)a * (int64_t)b;
  nudge = ab >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
  return (int32_t)((ab + nudge) / ((int64_t)1 << 31)); /* C99: division truncates */
}

/* gemmlowp RoundingDivideByPOT: x / 2^e, ties away from zero. Assumes >> on a negative int32
 * is arithmetic (true of every compiler we target). */
static inline int32_t pn__rdbp(int32_t x, int32_t exponent) {
  const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* x * 2^max(shift, 0) saturated to int32, high-multiplied by M, divided by 2^max(-shift, 0). */
static inline int32_t pn__requantize(int32_t acc, int32_t multiplier, int32_t shift) {
  const int32_t left = shift > 0 ? shift : 0;
  const int32_t right = shift > 0 ? 0 : -shift;
  int64_t shifted = (int64_t)acc * ((int64_t)1 << left);
  if (shifted > INT32_MAX) shifted = INT32_MAX;
  if (shifted < INT32_MIN) shifted = INT32_MIN;
  return pn__rdbp(pn__srdhm((int32_t)shifted, multiplier), right);
}

static inline int8_t pn__clamp_s8(int64_t v, int32_t lo, int32_t hi) {
  if (v < lo) v = lo;
  if (v > hi) v = hi;
  return (int8_t)v;
}

/* The output stage of the conv-like layers (trainer int8_inference.cpp, output_stage):
 * requantize, optionally the fused residual add of `residual_value`, zero point, clamp. */
static inline int8_t pn__output_stage(const pn_quant_params* q, int32_t o, int32_t acc,
                                      const int8_t* residual_value) {
  int32_t v = pn__requantize(acc, q->multiplier[o], q->shift[o]);
  if (residual_value != NULL) {
    const pn_residual_params* add = q->residual;
    const int32_t r = pn__requantize(
        ((int32_t)*residual_value - add->zero_point) * ((int32_t)1 << PN_RESIDUAL_LEFT_SHIFT),
        add->multiplier, add->shift);
    int64_t sum = (int64_t)v + r;
    if (sum > INT32_MAX) sum = INT32_MAX;
    if (sum < INT32_MIN) sum = INT32_MIN;
    v = pn__requantize((int32_t)sum, add->output_multiplier, add->output_shift);
  }
  return pn__clamp_s8((int64_t)v + q->output_zero_point, q->act_min, q->act_max);
}

/* The one full-convolution loop (conv, pointwise, FC): computes `region` of the output from
 * the input view, weights [out_c][k][k][in_c], adding `residual` (NULL: none). Arguments must
 * have been checked. pn__conv_core is pn__conv_core_dsp on a target with the Cortex-M DSP
 * extension (__ARM_FEATURE_DSP), else pn__conv_core_portable; both give the same bytes, and the
 * portable loop is compiled on every target so the device can check that (bench/qemu_kernels). */
void pn__conv_core(const pn_conv_params* p, const pn_quant_params* q, const pn_tensor* input,
                   const pn_tensor* residual, const pn_tensor* output, const pn_region* region);
void pn__conv_core_portable(const pn_conv_params* p, const pn_quant_params* q,
                            const pn_tensor* input, const pn_tensor* residual,
                            const pn_tensor* output, const pn_region* region);

/* The portable depthwise loop: channels [c_begin, c_end) of the region. Input value of channel
 * c at full-map (iy, ix): plane[(iy - input->y0) * row_stride + (ix - input->x0) * col_stride +
 * c - c_plane] (the HWC view itself, or depthwise.c's in-place scratch plane). */
void pn__depthwise_portable(const pn_conv_params* p, const pn_quant_params* q,
                            const pn_tensor* input, const int8_t* plane, size_t row_stride,
                            size_t col_stride, int32_t c_plane, const pn_tensor* output,
                            const pn_region* region, int32_t c_begin, int32_t c_end);

#if defined(__ARM_FEATURE_DSP)
/* kernels_dsp_conv.c and kernels_dsp_depthwise.c: the same loops with SXTB16/SMLAD.
 * pn__depthwise_dsp computes every channel of the region out of place from the HWC input view. */
void pn__conv_core_dsp(const pn_conv_params* p, const pn_quant_params* q, const pn_tensor* input,
                       const pn_tensor* residual, const pn_tensor* output,
                       const pn_region* region);
void pn__depthwise_dsp(const pn_conv_params* p, const pn_quant_params* q, const pn_tensor* input,
                       const pn_tensor* output, const pn_region* region);
#endif

/* ---- argument checks (validate.c); each returns PN_OK or the first problem ---- */
pn_status pn__check_conv_geometry(const pn_conv_params* p);
/* channels: entries of multiplier/shift/bias to check; with_weights: weights and bias needed. */
pn_status pn__check_quant(const pn_quant_params* q, int32_t channels, int with_weights);
/* The view lies within a full_h x full_w map with c channels and has data. */
pn_status pn__check_view(const pn_tensor* t, int32_t full_h, int32_t full_w, int32_t c);
/* The region lies within the full output map and within the view. */
pn_status pn__check_region(const pn_region* r, int32_t out_h, int32_t out_w, const pn_tensor* v);
/* The input view holds every input row/column the (non-empty) region reads. */
pn_status pn__check_receptive_field(const pn_conv_params* p, const pn_region* r,
                                    const pn_tensor* input);
size_t pn__view_bytes(const pn_tensor* t);
int pn__overlap(const void* a, size_t a_bytes, const void* b, size_t b_bytes);
int pn__views_overlap(const pn_tensor* a, const pn_tensor* b);

/* Taps of a k-wide kernel window starting at input coordinate i0 that fall inside [0, size):
 * from pn__first_tap to pn__end_tap. The taps outside are the zero padding the kernels skip. */
static inline int32_t pn__first_tap(int32_t i0) { return i0 < 0 ? -i0 : 0; }
static inline int32_t pn__end_tap(int32_t i0, int32_t k, int32_t size) {
  return i0 + k > size ? size - i0 : k;
}

#endif /* PN_INTERNAL_H */
