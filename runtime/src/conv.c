/* Full convolution (the stem) and the one conv loop that pointwise and FC reuse.
 * For each output pixel the valid taps of one kernel row are contiguous in both the HWC input
 * and the [out_c][k][k][in_c] weights, so the inner loop is one run of (valid kx) * in_c
 * products; padding taps (outside the FULL input map only) are skipped like the reference.
 * pn__conv_core runs the Cortex-M DSP loop (kernels_dsp_conv.c) when the target has it, else
 * this portable loop, which stays compiled on every target as the reference. */
#include "pn_internal.h"

void pn__conv_core(const pn_conv_params* p, const pn_quant_params* q, const pn_tensor* input,
                   const pn_tensor* residual, const pn_tensor* output, const pn_region* region) {
#if defined(__ARM_FEATURE_DSP)
  pn__conv_core_dsp(p, q, input, residual, output, region);
#else
  pn__conv_core_portable(p, q, input, residual, output, region);
#endif
}

void pn__conv_core_portable(const pn_conv_params* p, const pn_quant_params* q,
                            const pn_tensor* input, const pn_tensor* residual,
                            const pn_tensor* output, const pn_region* region) {
  const int32_t k = p->kernel;
  const int32_t in_c = p->in_c;
  const int32_t out_c = p->out_c;
  const int32_t zp = q->input_zero_point;
  const size_t weights_per_output = (size_t)k * (size_t)k * (size_t)in_c;
  int32_t oy;
  for (oy = region->y0; oy < region->y0 + region->h; ++oy) {
    const int32_t iy0 = oy * p->stride - p->pad;
    const int32_t ky_lo = pn__first_tap(iy0);
    const int32_t ky_hi = pn__end_tap(iy0, k, p->in_h);
    int32_t ox;
    for (ox = region->x0; ox < region->x0 + region->w; ++ox) {
      const int32_t ix0 = ox * p->stride - p->pad;
      const int32_t kx_lo = pn__first_tap(ix0);
      const int32_t kx_hi = pn__end_tap(ix0, k, p->in_w);
      const int32_t run = (kx_hi - kx_lo) * in_c;
      const size_t out_pixel = ((size_t)(oy - output->y0) * (size_t)output->w +
                                (size_t)(ox - output->x0)) * (size_t)out_c;
      const int8_t* res = NULL;
      int8_t* out = output->data + out_pixel;
      int32_t o;
      if (residual != NULL) {
        res = residual->data + ((size_t)(oy - residual->y0) * (size_t)residual->w +
                                (size_t)(ox - residual->x0)) * (size_t)out_c;
      }
      for (o = 0; o < out_c; ++o) {
        const int8_t* w_o = q->weights + (size_t)o * weights_per_output;
        int32_t acc = q->bias[o];
        int32_t ky;
        for (ky = ky_lo; ky < ky_hi; ++ky) {
          const int8_t* x = input->data +
                            ((size_t)(iy0 + ky - input->y0) * (size_t)input->w +
                             (size_t)(ix0 + kx_lo - input->x0)) * (size_t)in_c;
          const int8_t* w = w_o + ((size_t)ky * (size_t)k + (size_t)kx_lo) * (size_t)in_c;
          int32_t j;
          for (j = 0; j < run; ++j) acc += (int32_t)w[j] * ((int32_t)x[j] - zp);
        }
        out[o] = pn__output_stage(q, o, acc, res != NULL ? res + o : NULL);
      }
    }
  }
}

size_t pn_conv_s8_scratch_bytes(const pn_conv_params* params) {
  (void)params;
  return 0;
}

pn_status pn_conv_s8(const pn_conv_params* params, const pn_quant_params* quant,
                     const pn_tensor* input, const pn_tensor* output, const pn_region* region,
                     const pn_scratch* scratch) {
  pn_status s;
  (void)scratch;
  if (params == NULL || quant == NULL || input == NULL || output == NULL || region == NULL) {
    return PN_ERR_ARGUMENT;
  }
  if ((s = pn__check_conv_geometry(params)) != PN_OK) return s;
  if (quant->residual != NULL) return PN_ERR_ARGUMENT;
  if ((s = pn__check_quant(quant, params->out_c, 1)) != PN_OK) return s;
  if ((s = pn__check_view(input, params->in_h, params->in_w, params->in_c)) != PN_OK) return s;
  if ((s = pn__check_view(output, params->out_h, params->out_w, params->out_c)) != PN_OK) return s;
  if ((s = pn__check_region(region, params->out_h, params->out_w, output)) != PN_OK) return s;
  if ((s = pn__check_receptive_field(params, region, input)) != PN_OK) return s;
  if (pn__views_overlap(input, output)) return PN_ERR_ARGUMENT;
  pn__conv_core(params, quant, input, NULL, output, region);
  return PN_OK;
}
