/* Argument checks shared by the kernels. Order inside a kernel: NULL pointers and parameter
 * values (PN_ERR_ARGUMENT / PN_ERR_NOT_IMPLEMENTED), then sizes (PN_ERR_SHAPE), then
 * overlaps (PN_ERR_ARGUMENT), then scratch (PN_ERR_SCRATCH). */
#include <stdint.h>

#include "pn_internal.h"

pn_status pn__check_conv_geometry(const pn_conv_params* p) {
  if (p->in_h <= 0 || p->in_w <= 0 || p->in_c <= 0 || p->out_h <= 0 || p->out_w <= 0 ||
      p->out_c <= 0) {
    return PN_ERR_SHAPE;
  }
  if (p->kernel <= 0 || p->stride <= 0 || p->pad < 0 || p->pad >= p->kernel) {
    return PN_ERR_ARGUMENT;
  }
  if (p->kernel % 2 == 0 || p->stride > 2) return PN_ERR_NOT_IMPLEMENTED;
  if (p->in_h + 2 * p->pad < p->kernel || p->in_w + 2 * p->pad < p->kernel) return PN_ERR_SHAPE;
  if (p->out_h != (p->in_h + 2 * p->pad - p->kernel) / p->stride + 1 ||
      p->out_w != (p->in_w + 2 * p->pad - p->kernel) / p->stride + 1) {
    return PN_ERR_SHAPE;
  }
  return PN_OK;
}

static int pn__is_s8(int32_t v) { return v >= -128 && v <= 127; }

pn_status pn__check_quant(const pn_quant_params* q, int32_t channels, int with_weights) {
  int32_t o;
  if (q->multiplier == NULL || q->shift == NULL) return PN_ERR_ARGUMENT;
  if (with_weights && (q->weights == NULL || q->bias == NULL)) return PN_ERR_ARGUMENT;
  if (!pn__is_s8(q->input_zero_point) || !pn__is_s8(q->output_zero_point) ||
      !pn__is_s8(q->act_min) || !pn__is_s8(q->act_max) || q->act_min > q->act_max) {
    return PN_ERR_ARGUMENT;
  }
  for (o = 0; o < channels; ++o) {
    if (q->multiplier[o] < 0 || q->shift[o] < -31 || q->shift[o] > 30) return PN_ERR_ARGUMENT;
  }
  if (q->residual != NULL) {
    const pn_residual_params* r = q->residual;
    if (!pn__is_s8(r->zero_point) || r->multiplier < 0 || r->output_multiplier < 0 ||
        r->shift < -31 || r->shift > 30 || r->output_shift < -31 || r->output_shift > 30) {
      return PN_ERR_ARGUMENT;
    }
  }
  return PN_OK;
}

pn_status pn__check_view(const pn_tensor* t, int32_t full_h, int32_t full_w, int32_t c) {
  if (t->data == NULL) return PN_ERR_ARGUMENT;
  if (t->c != c || t->h <= 0 || t->w <= 0 || t->y0 < 0 || t->x0 < 0 || t->y0 > full_h - t->h ||
      t->x0 > full_w - t->w) {
    return PN_ERR_SHAPE;
  }
  return PN_OK;
}

pn_status pn__check_region(const pn_region* r, int32_t out_h, int32_t out_w, const pn_tensor* v) {
  if (r->h < 0 || r->w < 0) return PN_ERR_SHAPE;
  if (r->h == 0 || r->w == 0) return PN_OK;
  if (r->y0 < 0 || r->x0 < 0 || r->y0 > out_h - r->h || r->x0 > out_w - r->w) return PN_ERR_SHAPE;
  if (r->y0 < v->y0 || r->x0 < v->x0 || r->y0 + r->h > v->y0 + v->h ||
      r->x0 + r->w > v->x0 + v->w) {
    return PN_ERR_SHAPE;
  }
  return PN_OK;
}

/* First and last input index read by outputs first .. first + count - 1, clipped to the map. */
static void pn__input_span(int32_t first, int32_t count, int32_t kernel, int32_t stride,
                           int32_t pad, int32_t in_size, int32_t* lo, int32_t* hi) {
  const int32_t a = first * stride - pad;
  const int32_t b = (first + count - 1) * stride - pad + kernel - 1;
  *lo = a < 0 ? 0 : a;
  *hi = b > in_size - 1 ? in_size - 1 : b;
}

pn_status pn__check_receptive_field(const pn_conv_params* p, const pn_region* r,
                                    const pn_tensor* input) {
  int32_t lo;
  int32_t hi;
  if (r->h == 0 || r->w == 0) return PN_OK;
  pn__input_span(r->y0, r->h, p->kernel, p->stride, p->pad, p->in_h, &lo, &hi);
  if (lo <= hi && (lo < input->y0 || hi >= input->y0 + input->h)) return PN_ERR_SHAPE;
  pn__input_span(r->x0, r->w, p->kernel, p->stride, p->pad, p->in_w, &lo, &hi);
  if (lo <= hi && (lo < input->x0 || hi >= input->x0 + input->w)) return PN_ERR_SHAPE;
  return PN_OK;
}

size_t pn__view_bytes(const pn_tensor* t) { return (size_t)t->h * (size_t)t->w * (size_t)t->c; }

int pn__overlap(const void* a, size_t a_bytes, const void* b, size_t b_bytes) {
  const uintptr_t pa = (uintptr_t)a;
  const uintptr_t pb = (uintptr_t)b;
  if (a_bytes == 0 || b_bytes == 0) return 0;
  return pa < pb + b_bytes && pb < pa + a_bytes;
}

int pn__views_overlap(const pn_tensor* a, const pn_tensor* b) {
  return pn__overlap(a->data, pn__view_bytes(a), b->data, pn__view_bytes(b));
}
