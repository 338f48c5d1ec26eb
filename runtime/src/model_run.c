/* The executor of pn_model.h: the patch stage tile by tile, then the rest layer by layer.
 * Every kernel call's operands are resolved first (resolve_op): tensor ids must name an
 * earlier tensor and every arena buffer must lie inside the planned arena, so a corrupted
 * model is refused before a kernel could write outside the arena. With PN_CANARY every call
 * is checked by the arena canaries (pn_canary.h). */
#include <string.h>

#include "pn_canary.h"
#include "pn_model.h"
#include "pn_op.h"

/* Rows [lo, hi] of layer `l`'s output computed by tile row `tile`. */
static void tile_span(const pn_model* m, int32_t l, int32_t tile, int32_t* lo, int32_t* count) {
  const int16_t* r = m->tile_rows + ((size_t)l * (size_t)m->patch_n + (size_t)tile) * 2u;
  *lo = r[0];
  *count = r[1] - r[0] + 1;
}

/* True when `bytes` bytes at arena offset `offset` lie inside the planned arena. */
static int in_arena(const pn_model* m, int32_t offset, int64_t bytes) {
  return offset >= 0 && bytes >= 0 && (int64_t)offset + bytes <= (int64_t)m->arena_bytes;
}

/* The view of tensor `id` as materialized during tile (ti, tj): a tile-sized rectangle for the
 * outputs of patch-stage layers (but the last), the whole map otherwise. Offset -1 is the
 * caller's image (tensor 0 only); an arena view must fit in the planned arena. */
static pn_status view_of(const pn_model* m, int32_t id, int32_t offset, const int8_t* image,
                         uint8_t* arena, int patched, int32_t ti, int32_t tj, pn_tensor* v) {
  const pn_layer* first = &m->layers[0];
  if (id == 0) {
    v->h = first->geometry.in_h;
    v->w = first->geometry.in_w;
    v->c = first->geometry.in_c;
  } else {
    const pn_layer* producer = &m->layers[id - 1];
    v->h = producer->geometry.out_h;
    v->w = producer->geometry.out_w;
    v->c = producer->geometry.out_c;
  }
  v->y0 = 0;
  v->x0 = 0;
  if (patched && id >= 1 && id < m->patch_layers) {
    tile_span(m, id - 1, ti, &v->y0, &v->h);
    tile_span(m, id - 1, tj, &v->x0, &v->w);
  }
  if (offset < 0) {
    if (id != 0) return PN_ERR_ARGUMENT;
    v->data = (int8_t*)(size_t)image;
    return PN_OK;
  }
  v->data = (int8_t*)(arena + offset);
  if (v->h > 0 && v->w > 0 && v->c > 0 &&
      !in_arena(m, offset, (int64_t)v->h * (int64_t)v->w * (int64_t)v->c)) {
    return PN_ERR_ARGUMENT;
  }
  return PN_OK;
}

static pn_status resolve_op(const pn_model* m, int32_t index, const int8_t* image, uint8_t* arena,
                         int patched, int32_t ti, int32_t tj, pn__op* op) {
  const pn_layer* l = &m->layers[index];
  pn_status s;
  if (l->input < 0 || l->input > index || l->residual < -1 || l->residual > index) {
    return PN_ERR_ARGUMENT;
  }
  if ((s = view_of(m, l->input, l->input_offset, image, arena, patched, ti, tj, &op->input)) !=
          PN_OK ||
      (s = view_of(m, index + 1, l->output_offset, image, arena, patched, ti, tj, &op->output)) !=
          PN_OK) {
    return s;
  }
  memset(&op->residual, 0, sizeof op->residual);
  if (l->residual >= 0 && (s = view_of(m, l->residual, l->residual_offset, image, arena, patched,
                                       ti, tj, &op->residual)) != PN_OK) {
    return s;
  }
  op->scratch.data = NULL;
  op->scratch.bytes = 0u;
  if (l->scratch_offset >= 0) {
    if (!in_arena(m, l->scratch_offset, l->scratch_bytes)) return PN_ERR_ARGUMENT;
    op->scratch.data = arena + l->scratch_offset;
    op->scratch.bytes = (size_t)l->scratch_bytes;
  }
  op->region.y0 = 0;
  op->region.x0 = 0;
  op->region.h = l->geometry.out_h;
  op->region.w = l->geometry.out_w;
  if (patched) {
    tile_span(m, index, ti, &op->region.y0, &op->region.h);
    tile_span(m, index, tj, &op->region.x0, &op->region.w);
  }
  return PN_OK;
}

static pn_status run_op(const pn_layer* l, const pn__op* op) {
  switch (l->kind) {
    case PN_LAYER_CONV:
      return pn_conv_s8(&l->geometry, &l->quant, &op->input, &op->output, &op->region,
                        &op->scratch);
    case PN_LAYER_DEPTHWISE:
      return pn_depthwise_s8(&l->geometry, &l->quant, &op->input, &op->output, &op->region,
                             &op->scratch);
    case PN_LAYER_POINTWISE:
      return pn_pointwise_s8(&l->geometry, &l->quant, &op->input,
                             op->residual.data != NULL ? &op->residual : NULL, &op->output,
                             &op->region, &op->scratch);
    case PN_LAYER_AVGPOOL: {
      pn_pool_params p;
      p.in_h = l->geometry.in_h;
      p.in_w = l->geometry.in_w;
      p.c = l->geometry.in_c;
      return pn_avgpool_s8(&p, &l->quant, &op->input, &op->output, &op->scratch);
    }
    case PN_LAYER_FC: {
      pn_fc_params p;
      p.in_c = l->geometry.in_c;
      p.out_c = l->geometry.out_c;
      return pn_fc_s8(&p, &l->quant, &op->input, &op->output, &op->scratch);
    }
  }
  return PN_ERR_NOT_IMPLEMENTED;
}

/* One kernel call: resolved, reported to the observer, and with PN_CANARY checked. */
static pn_status observed_layer(const pn_model* m, int32_t index, const int8_t* image,
                                uint8_t* arena, size_t arena_bytes, int patched, int32_t ti,
                                int32_t tj, const pn_observer* observer,
                                pn_canary_failure* failure) {
  pn__op op;
  pn_status s = resolve_op(m, index, image, arena, patched, ti, tj, &op);
#if defined(PN_CANARY)
  pn__canary canary;
#endif
  if (s != PN_OK) return s;
#if defined(PN_CANARY)
  pn__canary_arm(&canary, &op, arena, arena_bytes);
#else
  (void)arena_bytes;
  (void)failure;
#endif
  if (observer != NULL) observer->on_layer(observer->context, index, 1);
  s = run_op(&m->layers[index], &op);
  if (observer != NULL) observer->on_layer(observer->context, index, 0);
#if defined(PN_CANARY)
  if (!pn__canary_check(&canary, index, patched ? ti : -1, patched ? tj : -1, failure) &&
      s == PN_OK) {
    s = PN_ERR_CANARY;
  }
#endif
  return s;
}

static pn_status run_model(const pn_model* m, const int8_t* image, uint8_t* arena,
                           size_t arena_bytes, int8_t* logits, const pn_observer* observer,
                           pn_canary_failure* failure) {
  int32_t i, ti, tj;
  const pn_layer* last;
  if (m == NULL || image == NULL || arena == NULL || logits == NULL || m->layers == NULL ||
      m->layer_count < 1 || (observer != NULL && observer->on_layer == NULL)) {
    return PN_ERR_ARGUMENT;
  }
  if (m->arena_bytes < 0 || arena_bytes < (size_t)m->arena_bytes || m->patch_layers < 0 ||
      m->patch_layers > m->layer_count ||
      (m->patch_layers > 0 && (m->tile_rows == NULL || m->patch_n < 1))) {
    return PN_ERR_ARGUMENT;
  }
  if (m->image_offset >= 0) {
    const pn_conv_params* g = &m->layers[0].geometry;
    const int64_t bytes = (int64_t)g->in_h * (int64_t)g->in_w * (int64_t)g->in_c;
    if (!in_arena(m, m->image_offset, bytes)) return PN_ERR_ARGUMENT;
    memcpy(arena + m->image_offset, image, (size_t)bytes);
  }
  for (ti = 0; ti < (m->patch_layers > 0 ? m->patch_n : 0); ++ti) {
    for (tj = 0; tj < m->patch_n; ++tj) {
      for (i = 0; i < m->patch_layers; ++i) {
        const pn_status s =
            observed_layer(m, i, image, arena, arena_bytes, 1, ti, tj, observer, failure);
        if (s != PN_OK) return s;
      }
    }
  }
  for (i = m->patch_layers; i < m->layer_count; ++i) {
    const pn_status s =
        observed_layer(m, i, image, arena, arena_bytes, 0, 0, 0, observer, failure);
    if (s != PN_OK) return s;
  }
  last = &m->layers[m->layer_count - 1];
  if (!in_arena(m, last->output_offset, last->geometry.out_c)) return PN_ERR_ARGUMENT;
  memcpy(logits, arena + last->output_offset, (size_t)last->geometry.out_c);
  return PN_OK;
}

pn_status pn_model_run(const pn_model* m, const int8_t* image, uint8_t* arena, size_t arena_bytes,
                       int8_t* logits) {
  return run_model(m, image, arena, arena_bytes, logits, NULL, NULL);
}

pn_status pn_model_run_observed(const pn_model* m, const int8_t* image, uint8_t* arena,
                                size_t arena_bytes, int8_t* logits, const pn_observer* observer) {
  return run_model(m, image, arena, arena_bytes, logits, observer, NULL);
}

#if defined(PN_CANARY)
pn_status pn_model_run_checked(const pn_model* m, const int8_t* image, uint8_t* arena,
                               size_t arena_bytes, int8_t* logits, const pn_observer* observer,
                               pn_canary_failure* failure) {
  return run_model(m, image, arena, arena_bytes, logits, observer, failure);
}
#endif
