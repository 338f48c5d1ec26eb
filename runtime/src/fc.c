/* Fully connected layer: the conv core on a 1 x 1 map (weights [out_c][in_c]). */
#include "pn_internal.h"

size_t pn_fc_s8_scratch_bytes(const pn_fc_params* params) {
  (void)params;
  return 0;
}

pn_status pn_fc_s8(const pn_fc_params* params, const pn_quant_params* quant,
                   const pn_tensor* input, const pn_tensor* output, const pn_scratch* scratch) {
  pn_conv_params conv;
  pn_region all;
  pn_status s;
  (void)scratch;
  if (params == NULL || quant == NULL || input == NULL || output == NULL) return PN_ERR_ARGUMENT;
  if (quant->residual != NULL) return PN_ERR_ARGUMENT;
  if (params->in_c <= 0 || params->out_c <= 0) return PN_ERR_SHAPE;
  if ((s = pn__check_quant(quant, params->out_c, 1)) != PN_OK) return s;
  if ((s = pn__check_view(input, 1, 1, params->in_c)) != PN_OK) return s;
  if ((s = pn__check_view(output, 1, 1, params->out_c)) != PN_OK) return s;
  if (pn__views_overlap(input, output)) return PN_ERR_ARGUMENT;
  conv.in_h = conv.in_w = conv.out_h = conv.out_w = 1;
  conv.in_c = params->in_c;
  conv.out_c = params->out_c;
  conv.kernel = conv.stride = 1;
  conv.pad = 0;
  all.y0 = all.x0 = 0;
  all.h = all.w = 1;
  pn__conv_core(&conv, quant, input, NULL, output, &all);
  return PN_OK;
}
