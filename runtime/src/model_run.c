/* The executor of pn_model.h: the patch stage tile by tile, then the rest layer by layer. */
#include <string.h>

#include "pn_model.h"

/* Rows [lo, hi] of layer `l`'s output computed by tile row `tile`. */
static void tile_span(const pn_model* m, int32_t l, int32_t tile, int32_t* lo, int32_t* count) {
  const int16_t* r = m->tile_rows + ((size_t)l * (size_t)m->patch_n + (size_t)tile) * 2u;
  *lo = r[0];
  *count = r[1] - r[0] + 1;
}

/* The view of tensor `id` as materialized during tile (ti, tj): a tile-sized rectangle for the
 * outputs of patch-stage layers (but the last), the whole map otherwise. */
static pn_tensor view_of(const pn_model* m, int32_t id, int32_t offset, const int8_t* image,
                         uint8_t* arena, int patched, int32_t ti, int32_t tj) {
  pn_tensor v;
  const pn_layer* first = &m->layers[0];
  if (id == 0) {
    v.h = first->geometry.in_h;
    v.w = first->geometry.in_w;
    v.c = first->geometry.in_c;
  } else {
    const pn_layer* producer = &m->layers[id - 1];
    v.h = producer->geometry.out_h;
    v.w = producer->geometry.out_w;
    v.c = producer->geometry.out_c;
  }
  v.y0 = 0;
  v.x0 = 0;
  v.data = (offset < 0) ? (int8_t*)(size_t)image : (int8_t*)(arena + offset);
  if (patched && id >= 1 && id < m->patch_layers) {
    tile_span(m, id - 1, ti, &v.y0, &v.h);
    tile_span(m, id - 1, tj, &v.x0, &v.w);
  }
  return v;
}

static pn_status run_layer(const pn_model* m, int32_t index, const int8_t* image, uint8_t* arena,
                           int patched, int32_t ti, int32_t tj) {
  const pn_layer* l = &m->layers[index];
  const pn_tensor in = view_of(m, l->input, l->input_offset, image, arena, patched, ti, tj);
  const pn_tensor out = view_of(m, index + 1, l->output_offset, image, arena, patched, ti, tj);
  pn_scratch scratch;
  scratch.data = l->scratch_offset >= 0 ? arena + l->scratch_offset : NULL;
  scratch.bytes = l->scratch_offset >= 0 ? (size_t)l->scratch_bytes : 0u;
  pn_region region;
  region.y0 = 0;
  region.x0 = 0;
  region.h = l->geometry.out_h;
  region.w = l->geometry.out_w;
  if (patched) {
    tile_span(m, index, ti, &region.y0, &region.h);
    tile_span(m, index, tj, &region.x0, &region.w);
  }
  switch (l->kind) {
    case PN_LAYER_CONV: return pn_conv_s8(&l->geometry, &l->quant, &in, &out, &region, &scratch);
    case PN_LAYER_DEPTHWISE:
      return pn_depthwise_s8(&l->geometry, &l->quant, &in, &out, &region, &scratch);
    case PN_LAYER_POINTWISE: {
      pn_tensor res;
      if (l->residual >= 0) {
        res = view_of(m, l->residual, l->residual_offset, image, arena, patched, ti, tj);
      }
      return pn_pointwise_s8(&l->geometry, &l->quant, &in, l->residual >= 0 ? &res : NULL, &out,
                             &region, &scratch);
    }
    case PN_LAYER_AVGPOOL: {
      pn_pool_params p;
      p.in_h = l->geometry.in_h;
      p.in_w = l->geometry.in_w;
      p.c = l->geometry.in_c;
      return pn_avgpool_s8(&p, &l->quant, &in, &out, &scratch);
    }
    case PN_LAYER_FC: {
      pn_fc_params p;
      p.in_c = l->geometry.in_c;
      p.out_c = l->geometry.out_c;
      return pn_fc_s8(&p, &l->quant, &in, &out, &scratch);
    }
  }
  return PN_ERR_NOT_IMPLEMENTED;
}

/* run_layer, reported to the observer. */
static pn_status observed_layer(const pn_model* m, int32_t index, const int8_t* image,
                                uint8_t* arena, int patched, int32_t ti, int32_t tj,
                                const pn_observer* observer) {
  pn_status s;
  if (observer != NULL) observer->on_layer(observer->context, index, 1);
  s = run_layer(m, index, image, arena, patched, ti, tj);
  if (observer != NULL) observer->on_layer(observer->context, index, 0);
  return s;
}

pn_status pn_model_run(const pn_model* m, const int8_t* image, uint8_t* arena, size_t arena_bytes,
                       int8_t* logits) {
  return pn_model_run_observed(m, image, arena, arena_bytes, logits, NULL);
}

pn_status pn_model_run_observed(const pn_model* m, const int8_t* image, uint8_t* arena,
                                size_t arena_bytes, int8_t* logits, const pn_observer* observer) {
  int32_t i, ti, tj;
  const pn_layer* last;
  if (m == NULL || image == NULL || arena == NULL || logits == NULL || m->layer_count < 1 ||
      (observer != NULL && observer->on_layer == NULL)) {
    return PN_ERR_ARGUMENT;
  }
  if (arena_bytes < (size_t)m->arena_bytes || m->patch_layers < 0 ||
      m->patch_layers > m->layer_count || (m->patch_layers > 0 && m->tile_rows == NULL)) {
    return PN_ERR_ARGUMENT;
  }
  if (m->image_offset >= 0) {
    const pn_conv_params* g = &m->layers[0].geometry;
    memcpy(arena + m->image_offset, image, (size_t)g->in_h * (size_t)g->in_w * (size_t)g->in_c);
  }
  for (ti = 0; ti < (m->patch_layers > 0 ? m->patch_n : 0); ++ti) {
    for (tj = 0; tj < m->patch_n; ++tj) {
      for (i = 0; i < m->patch_layers; ++i) {
        const pn_status s = observed_layer(m, i, image, arena, 1, ti, tj, observer);
        if (s != PN_OK) return s;
      }
    }
  }
  for (i = m->patch_layers; i < m->layer_count; ++i) {
    const pn_status s = observed_layer(m, i, image, arena, 0, 0, 0, observer);
    if (s != PN_OK) return s;
  }
  last = &m->layers[m->layer_count - 1];
  memcpy(logits, arena + last->output_offset, (size_t)last->geometry.out_c);
  return PN_OK;
}
