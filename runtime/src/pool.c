/* Global average pooling: per channel, the int32 sum of (x - input zero point) over the whole
 * map, requantized by the single (multiplier[0], shift[0]) ~ s_in / (s_out H W). */
#include "pn_internal.h"

size_t pn_avgpool_s8_scratch_bytes(const pn_pool_params* params) {
  (void)params;
  return 0;
}

pn_status pn_avgpool_s8(const pn_pool_params* params, const pn_quant_params* quant,
                        const pn_tensor* input, const pn_tensor* output,
                        const pn_scratch* scratch) {
  size_t pixels;
  int32_t c;
  pn_status s;
  (void)scratch;
  if (params == NULL || quant == NULL || input == NULL || output == NULL) return PN_ERR_ARGUMENT;
  if (quant->residual != NULL) return PN_ERR_ARGUMENT;
  if (params->in_h <= 0 || params->in_w <= 0 || params->c <= 0) return PN_ERR_SHAPE;
  if ((s = pn__check_quant(quant, 1, 0)) != PN_OK) return s;
  if ((s = pn__check_view(input, params->in_h, params->in_w, params->c)) != PN_OK) return s;
  if (input->h != params->in_h || input->w != params->in_w) return PN_ERR_SHAPE;
  if ((s = pn__check_view(output, 1, 1, params->c)) != PN_OK) return s;
  if (pn__views_overlap(input, output)) return PN_ERR_ARGUMENT;
  pixels = (size_t)params->in_h * (size_t)params->in_w;
  for (c = 0; c < params->c; ++c) {
    const int8_t* x = input->data + c;
    int32_t sum = 0;
    size_t i;
    for (i = 0; i < pixels; ++i) sum += (int32_t)x[i * (size_t)params->c] - quant->input_zero_point;
    output->data[c] =
        pn__clamp_s8((int64_t)pn__requantize(sum, quant->multiplier[0], quant->shift[0]) +
                         quant->output_zero_point,
                     quant->act_min, quant->act_max);
  }
  return PN_OK;
}
