/* Depthwise convolution (in_c == out_c, weights [k][k][c]), out of place or in place.
 *
 * In place (output->data == input->data) the output view is written over the input view's
 * buffer one channel at a time: channel c of the input view is first copied to the scratch
 * plane (input->h * input->w bytes), then channel c of the region is computed from it. The
 * output elements of channel c sit at byte offsets = c (mod channels), as do the input
 * elements of channel c, so a channel's writes only ever land on input values already saved
 * in scratch; the other channels are still intact when their turn comes.
 *
 * Both modes run one loop, pn__depthwise_portable, over an input plane addressed by (row,
 * column) strides: the HWC view itself (strides w*c, c) or the scratch plane (strides w, 1).
 * On a target with the Cortex-M DSP extension the same bytes come from faster loops: out of
 * place pn__depthwise_dsp (kernels_dsp_depthwise.c, 4 channels at a time), in place
 * pn__depthwise_plane (kernels_dsp_depthwise_plane.c, pairs of outputs of the plane). */
#include "pn_dsp_depthwise.h"

void pn__depthwise_portable(const pn_conv_params* p, const pn_quant_params* q,
                            const pn_tensor* input, const int8_t* plane, size_t row_stride,
                            size_t col_stride, int32_t c_plane, const pn_tensor* output,
                            const pn_region* region, int32_t c_begin, int32_t c_end) {
  const int32_t k = p->kernel;
  const int32_t channels = p->out_c;
  const int32_t zp = q->input_zero_point;
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
      int8_t* out = output->data + ((size_t)(oy - output->y0) * (size_t)output->w +
                                    (size_t)(ox - output->x0)) * (size_t)channels;
      int32_t c;
      for (c = c_begin; c < c_end; ++c) {
        const int8_t* base = plane + (c - c_plane);
        int32_t acc = q->bias[c];
        int32_t ky;
        for (ky = ky_lo; ky < ky_hi; ++ky) {
          const int8_t* x = base + (size_t)(iy0 + ky - input->y0) * row_stride +
                            (size_t)(ix0 + kx_lo - input->x0) * col_stride;
          const int8_t* w = q->weights + ((size_t)ky * (size_t)k + (size_t)kx_lo) *
                                             (size_t)channels + (size_t)c;
          const int32_t taps = kx_hi - kx_lo;
          int32_t t;
          for (t = 0; t < taps; ++t) {
            acc += (int32_t)w[(size_t)t * (size_t)channels] *
                   ((int32_t)x[(size_t)t * col_stride] - zp);
          }
        }
        out[c] = pn__output_stage(q, c, acc, NULL);
      }
    }
  }
}

/* plane[i] = src[i * channels] for i < pixels (one channel of an HWC view), 8 at a time. */
static void dw_copy_channel(int8_t* plane, const int8_t* src, size_t pixels, size_t channels) {
  const int8_t* end = plane + pixels;
  const size_t c2 = 2 * channels, c3 = 3 * channels, c4 = 4 * channels;
  for (; end - plane >= 8; plane += 8, src += 2 * c4) {
    const int8_t* hi = src + c4;
    plane[0] = src[0];
    plane[1] = src[channels];
    plane[2] = src[c2];
    plane[3] = src[c3];
    plane[4] = hi[0];
    plane[5] = hi[channels];
    plane[6] = hi[c2];
    plane[7] = hi[c3];
  }
  for (; plane < end; ++plane, src += channels) *plane = *src;
}

static int dw_in_place(const pn_tensor* input, const pn_tensor* output) {
  return input != NULL && output != NULL && input->data != NULL && input->data == output->data;
}

size_t pn_depthwise_s8_scratch_bytes(const pn_conv_params* params, const pn_tensor* input,
                                     const pn_tensor* output) {
  (void)params;
  if (!dw_in_place(input, output) || input->h <= 0 || input->w <= 0) return 0;
  return (size_t)input->h * (size_t)input->w;
}

pn_status pn_depthwise_s8(const pn_conv_params* params, const pn_quant_params* quant,
                          const pn_tensor* input, const pn_tensor* output,
                          const pn_region* region, const pn_scratch* scratch) {
  const size_t channels = params != NULL ? (size_t)params->out_c : 0;
  pn_status s;
  int in_place;
  if (params == NULL || quant == NULL || input == NULL || output == NULL || region == NULL) {
    return PN_ERR_ARGUMENT;
  }
  if ((s = pn__check_conv_geometry(params)) != PN_OK) return s;
  if (params->in_c != params->out_c) return PN_ERR_SHAPE;
  if (quant->residual != NULL) return PN_ERR_ARGUMENT;
  if ((s = pn__check_quant(quant, params->out_c, 1)) != PN_OK) return s;
  if ((s = pn__check_view(input, params->in_h, params->in_w, params->in_c)) != PN_OK) return s;
  if ((s = pn__check_view(output, params->out_h, params->out_w, params->out_c)) != PN_OK) return s;
  if ((s = pn__check_region(region, params->out_h, params->out_w, output)) != PN_OK) return s;
  if ((s = pn__check_receptive_field(params, region, input)) != PN_OK) return s;
  in_place = dw_in_place(input, output);
  if (!in_place) {
    if (pn__views_overlap(input, output)) return PN_ERR_ARGUMENT;
#if defined(__ARM_FEATURE_DSP)
    pn__depthwise_dsp(params, quant, input, output, region);
#else
    pn__depthwise_portable(params, quant, input, input->data, (size_t)input->w * channels,
                           channels, 0, output, region, 0, params->out_c);
#endif
    return PN_OK;
  }
  if (pn__view_bytes(output) > pn__view_bytes(input)) return PN_ERR_SHAPE;
  {
    const size_t plane_bytes = (size_t)input->h * (size_t)input->w;
    const size_t pixels = plane_bytes;
    int8_t* plane;
    int32_t c;
    if (scratch == NULL || scratch->data == NULL || scratch->bytes < plane_bytes) {
      return PN_ERR_SCRATCH;
    }
    if (pn__overlap(scratch->data, plane_bytes, input->data, pn__view_bytes(input))) {
      return PN_ERR_ARGUMENT;
    }
    plane = (int8_t*)scratch->data;
    for (c = 0; c < params->out_c; ++c) {
      dw_copy_channel(plane, input->data + c, pixels, channels);
      pn__depthwise_plane(params, quant, input, plane, c, output, region);
    }
  }
  return PN_OK;
}
