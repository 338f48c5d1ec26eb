/* Pointwise (1x1) convolution with the fused residual add of an inverted residual block:
 * the conv core with k = 1, plus the residual view read at each output element. */
#include "pn_internal.h"

size_t pn_pointwise_s8_scratch_bytes(const pn_conv_params* params) {
  (void)params;
  return 0;
}

pn_status pn_pointwise_s8(const pn_conv_params* params, const pn_quant_params* quant,
                          const pn_tensor* input, const pn_tensor* residual,
                          const pn_tensor* output, const pn_region* region,
                          const pn_scratch* scratch) {
  pn_status s;
  (void)scratch;
  if (params == NULL || quant == NULL || input == NULL || output == NULL || region == NULL) {
    return PN_ERR_ARGUMENT;
  }
  if ((residual == NULL) != (quant->residual == NULL)) return PN_ERR_ARGUMENT;
  if (params->kernel != 1 || params->pad != 0) return PN_ERR_ARGUMENT;
  if ((s = pn__check_conv_geometry(params)) != PN_OK) return s;
  if ((s = pn__check_quant(quant, params->out_c, 1)) != PN_OK) return s;
  if ((s = pn__check_view(input, params->in_h, params->in_w, params->in_c)) != PN_OK) return s;
  if ((s = pn__check_view(output, params->out_h, params->out_w, params->out_c)) != PN_OK) return s;
  if ((s = pn__check_region(region, params->out_h, params->out_w, output)) != PN_OK) return s;
  if ((s = pn__check_receptive_field(params, region, input)) != PN_OK) return s;
  if (residual != NULL) {
    if ((s = pn__check_view(residual, params->out_h, params->out_w, params->out_c)) != PN_OK) {
      return s;
    }
    if ((s = pn__check_region(region, params->out_h, params->out_w, residual)) != PN_OK) return s;
    if (residual->data == output->data) {
      /* Over the residual (the block input dies at its add): each output pixel is written at
       * or before its residual pixel's position, after the residual values it replaces are
       * read (pixels in raster order, channels ascending), when the output view sits inside
       * the residual view's rectangle and is no wider. */
      if (output->y0 < residual->y0 || output->x0 < residual->x0 || output->w > residual->w) {
        return PN_ERR_SHAPE;
      }
    } else if (pn__views_overlap(residual, output)) {
      return PN_ERR_ARGUMENT;
    }
    if (pn__views_overlap(input, residual)) return PN_ERR_ARGUMENT;
  }
  if (pn__views_overlap(input, output)) return PN_ERR_ARGUMENT;
  pn__conv_core(params, quant, input, residual, output, region);
  return PN_OK;
}
