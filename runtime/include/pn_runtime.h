/* patchnas runtime: the C99 int8 kernels that run a quantized network on a microcontroller
 * (and, linked into the host tests, on the build machine). Their arithmetic is THE arithmetic
 * of the trainer's reference int8 inference (trainer/int8_inference.hpp, requantize.hpp),
 * bit for bit (ARCHITECTURE.md, invariant 3).
 *
 * Conventions
 *  - Activations are int8, HWC (one image). A pn_tensor is a VIEW of a rectangle of a full
 *    feature map: `data` holds h x w x c values, and (y0, x0) is the position of its first
 *    row / column within the full map, whose size the layer parameters give. A tile buffer of
 *    the patch executor is such a view; a whole feature map is the view with y0 = x0 = 0.
 *  - The spatial kernels compute a pn_region of their OUTPUT (rows y0 .. y0+h-1, columns
 *    x0 .. x0+w-1 of the full output map). The output view must contain the region; the input
 *    view must contain every input row/column the region reads (its receptive field clipped
 *    to the full input map). Padding taps are skipped only at the true borders of the full
 *    input map, exactly like the reference, so any tiling of the output gives the same bytes
 *    as one full-region call.
 *  - Plan, then run: every kernel has a *_scratch_bytes() function; the caller passes at least
 *    that much scratch (a NULL pn_scratch is fine when it returns 0). Nothing allocates.
 *  - Every call validates its arguments and returns a pn_status; nothing is written to the
 *    output unless the call returns PN_OK. Inputs, residuals and outputs must not overlap,
 *    except the in-place depthwise mode (output.data == input.data, see pn_depthwise_s8).
 *
 * Usage (one depthwise layer over a whole map):
 *   pn_conv_params p = {in_h, in_w, c, out_h, out_w, c, 3, 1, 1};
 *   pn_quant_params q = {in_zp, out_zp, act_min, act_max, weights, multipliers, shifts,
 *                        biases, NULL};
 *   pn_tensor in = {in_data, in_h, in_w, c, 0, 0}, out = {out_data, out_h, out_w, c, 0, 0};
 *   pn_region all = {0, 0, out_h, out_w};
 *   pn_status s = pn_depthwise_s8(&p, &q, &in, &out, &all, NULL);
 */
#ifndef PN_RUNTIME_H
#define PN_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  PN_OK = 0,
  PN_ERR_ARGUMENT,        /* a NULL pointer, an invalid parameter value, overlapping buffers */
  PN_ERR_SHAPE,           /* sizes disagree: views, region, receptive field, output size */
  PN_ERR_SCRATCH,         /* scratch missing or smaller than *_scratch_bytes() */
  PN_ERR_NOT_IMPLEMENTED, /* a valid configuration this runtime does not support */
  PN_ERR_CANARY           /* PN_CANARY builds only: a kernel wrote outside its region */
} pn_status;

/* Rows/columns of the OUTPUT map to compute, in full-map coordinates. h or w == 0: nothing. */
typedef struct {
  int32_t y0, x0, h, w;
} pn_region;

/* A view of a rectangle of a full HWC feature map (see the conventions above). */
typedef struct {
  int8_t* data;
  int32_t h, w, c;
  int32_t y0, x0;
} pn_tensor;

/* Caller-provided scratch memory. */
typedef struct {
  void* data;
  size_t bytes;
} pn_scratch;

/* The fused residual add of an inverted residual block (trainer ResidualAddParams). */
typedef struct {
  int32_t zero_point;        /* of the residual tensor */
  int32_t multiplier;        /* residual -> add domain */
  int32_t shift;
  int32_t output_multiplier; /* add domain -> output */
  int32_t output_shift;
} pn_residual_params;

/* The constants of one layer (trainer QuantizedLayer): int8 weights in the layout each kernel
 * names, and multiplier/shift/bias with one entry per output channel (avgpool: weights and
 * bias unused and may be NULL, multiplier[0]/shift[0] only).
 * Multipliers >= 0, shifts in [-31, 30], zero points and act_min <= act_max in [-128, 127]. */
typedef struct {
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t act_min;
  int32_t act_max;
  const int8_t* weights;
  const int32_t* multiplier;
  const int32_t* shift;
  const int32_t* bias;
  const pn_residual_params* residual; /* pointwise only; NULL: no residual add */
} pn_quant_params;

/* Geometry of a conv-like layer over the FULL maps: output size must be
 * (in + 2 pad - kernel) / stride + 1. kernel odd, stride 1 or 2, 0 <= pad < kernel. */
typedef struct {
  int32_t in_h, in_w, in_c;
  int32_t out_h, out_w, out_c;
  int32_t kernel, stride, pad;
} pn_conv_params;

typedef struct {
  int32_t in_h, in_w, c;
} pn_pool_params;

typedef struct {
  int32_t in_c, out_c;
} pn_fc_params;

/* ---- requantization (trainer/requantize.hpp, identical) ---- */
int32_t pn_saturating_rounding_doubling_high_mul(int32_t a, int32_t b);
int32_t pn_rounding_divide_by_pot(int32_t x, int32_t exponent); /* exponent in [0, 31] */
int32_t pn_requantize(int32_t acc, int32_t multiplier, int32_t shift);

/* ---- full convolution (the stem): weights [out_c][k][k][in_c] ---- */
size_t pn_conv_s8_scratch_bytes(const pn_conv_params* params);
pn_status pn_conv_s8(const pn_conv_params* params, const pn_quant_params* quant,
                     const pn_tensor* input, const pn_tensor* output,
                     const pn_region* region, const pn_scratch* scratch);

/* ---- depthwise convolution: in_c == out_c, weights [k][k][c] ----
 * In place when output->data == input->data: the output view is written over the input view's
 * buffer (it must fit: out h*w <= in h*w), channel by channel through a scratch plane of
 * input->h * input->w bytes, which pn_depthwise_s8_scratch_bytes then returns (else 0). */
size_t pn_depthwise_s8_scratch_bytes(const pn_conv_params* params, const pn_tensor* input,
                                     const pn_tensor* output);
pn_status pn_depthwise_s8(const pn_conv_params* params, const pn_quant_params* quant,
                          const pn_tensor* input, const pn_tensor* output,
                          const pn_region* region, const pn_scratch* scratch);

/* ---- pointwise (1x1) convolution with the fused residual add: weights [out_c][in_c];
 * kernel 1, pad 0. `residual` (a view of the full output-sized residual map covering the
 * region) is required iff quant->residual != NULL. The output may be written over the
 * residual (output->data == residual->data, as the memory plan does when the block input
 * dies at its add) when the output view lies inside the residual view's rectangle and is no
 * wider; any other overlap is an error. ---- */
size_t pn_pointwise_s8_scratch_bytes(const pn_conv_params* params);
pn_status pn_pointwise_s8(const pn_conv_params* params, const pn_quant_params* quant,
                          const pn_tensor* input,
                          const pn_tensor* residual, const pn_tensor* output,
                          const pn_region* region, const pn_scratch* scratch);

/* ---- global average pooling: input the whole in_h x in_w x c map, output 1 x 1 x c.
 * int32 sum of (x - input_zero_point), requantize(multiplier[0], shift[0]), + output zero
 * point, clamped to [act_min, act_max] ([-128, 127] in the trainer's models). ---- */
size_t pn_avgpool_s8_scratch_bytes(const pn_pool_params* params);
pn_status pn_avgpool_s8(const pn_pool_params* params, const pn_quant_params* quant,
                        const pn_tensor* input, const pn_tensor* output,
                        const pn_scratch* scratch);

/* ---- fully connected: input 1 x 1 x in_c, output 1 x 1 x out_c, weights [out_c][in_c] ---- */
size_t pn_fc_s8_scratch_bytes(const pn_fc_params* params);
pn_status pn_fc_s8(const pn_fc_params* params, const pn_quant_params* quant,
                   const pn_tensor* input, const pn_tensor* output,
                   const pn_scratch* scratch);

#ifdef __cplusplus
}
#endif

#endif /* PN_RUNTIME_H */
