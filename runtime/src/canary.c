/* The arena canaries of PN_CANARY builds; the design is at the top of pn_canary.h. */
#include "pn_canary.h"

#if defined(PN_CANARY)

#include <string.h>

/* splitmix64's finalizer, made odd: a changed byte always changes value * weight. */
static uint64_t weight(uintptr_t address) {
  uint64_t z = (uint64_t)address * 0x9E3779B97F4A7C15u;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  return (z ^ (z >> 31)) | 1u;
}

/* The sum of value * weight(address) over the bytes of [lo, hi) inside [clip_lo, clip_hi). */
static uint64_t weighted_sum(uintptr_t lo, uintptr_t hi, uintptr_t clip_lo, uintptr_t clip_hi) {
  uint64_t sum = 0;
  uintptr_t a;
  if (lo < clip_lo) lo = clip_lo;
  if (hi > clip_hi) hi = clip_hi;
  for (a = lo; a < hi; ++a) sum += (uint64_t)*(const uint8_t*)a * weight(a);
  return sum;
}

static size_t view_bytes(const pn_tensor* t) {
  if (t->data == NULL || t->h <= 0 || t->w <= 0 || t->c <= 0) return 0;
  return (size_t)t->h * (size_t)t->w * (size_t)t->c;
}

/* The weighted sum of what `op` may write (its region's rows of the output view and its
 * scratch) within [lo, hi). */
static uint64_t written_sum(const pn__op* op, uintptr_t lo, uintptr_t hi) {
  const pn_tensor* out = &op->output;
  const pn_region* r = &op->region;
  uint64_t sum = 0;
  int32_t y;
  if (op->scratch.data != NULL) {
    const uintptr_t s = (uintptr_t)op->scratch.data;
    sum += weighted_sum(s, s + op->scratch.bytes, lo, hi);
  }
  if (view_bytes(out) == 0 || r->w <= 0) return sum;
  for (y = r->y0; y < r->y0 + r->h; ++y) {
    const uintptr_t row = (uintptr_t)out->data +
                          ((uintptr_t)(y - out->y0) * (uintptr_t)out->w +
                           (uintptr_t)(r->x0 - out->x0)) * (uintptr_t)out->c;
    sum += weighted_sum(row, row + (uintptr_t)r->w * (uintptr_t)out->c, lo, hi);
  }
  return sum;
}

/* The digest of [lo, hi) without what the call may write. */
static uint64_t digest(const pn__op* op, uintptr_t lo, uintptr_t hi) {
  return weighted_sum(lo, hi, lo, hi) - written_sum(op, lo, hi);
}

static uint8_t pattern(uintptr_t address) { return (uint8_t)(0xA5u ^ (address * 0x3Bu)); }

/* A guard byte is a byte of no buffer of the call. */
static int guarded(const pn__canary* c, uintptr_t a) {
  int b;
  for (b = 0; b < PN_CANARY_BUFFERS - 1; ++b) {
    if (a >= c->lo[b] && a < c->hi[b]) return 0;
  }
  return 1;
}

static void add_zone(pn__canary* c, pn_canary_buffer buffer, pn_canary_side side, uintptr_t lo,
                     uintptr_t hi) {
  pn__canary_zone* z = &c->zones[c->zone_count++];
  uintptr_t a;
  z->lo = lo;
  z->hi = hi;
  z->buffer = buffer;
  z->side = side;
  for (a = lo; a < hi; ++a) {
    if (!guarded(c, a)) continue;
    z->saved[a - lo] = *(uint8_t*)a;
    *(uint8_t*)a = pattern(a);
  }
}

static void set_range(pn__canary* c, pn_canary_buffer b, const void* data, size_t bytes) {
  c->lo[b] = (uintptr_t)data;
  c->hi[b] = data != NULL ? (uintptr_t)data + bytes : (uintptr_t)data;
}

void pn__canary_arm(pn__canary* c, const pn__op* op, uint8_t* arena, size_t arena_bytes) {
  int b;
  c->op = op;
  c->arena_lo = (uintptr_t)arena;
  c->arena_hi = (uintptr_t)arena + arena_bytes;
  set_range(c, PN_CANARY_INPUT, op->input.data, view_bytes(&op->input));
  set_range(c, PN_CANARY_RESIDUAL, op->residual.data, view_bytes(&op->residual));
  set_range(c, PN_CANARY_OUTPUT, op->output.data, view_bytes(&op->output));
  set_range(c, PN_CANARY_SCRATCH, op->scratch.data, op->scratch.bytes);
  c->lo[PN_CANARY_ARENA] = c->arena_lo;
  c->hi[PN_CANARY_ARENA] = c->arena_hi;
  for (b = 0; b < PN_CANARY_BUFFERS; ++b) c->digest[b] = digest(op, c->lo[b], c->hi[b]);
  c->zone_count = 0;
  for (b = 0; b < PN_CANARY_BUFFERS - 1; ++b) {
    const uintptr_t lo = c->lo[b], hi = c->hi[b];
    if (lo == hi || lo < c->arena_lo || hi > c->arena_hi) continue; /* empty, or the image */
    add_zone(c, (pn_canary_buffer)b, PN_CANARY_BEFORE,
             lo - c->arena_lo > PN_CANARY_BYTES ? lo - PN_CANARY_BYTES : c->arena_lo, lo);
    add_zone(c, (pn_canary_buffer)b, PN_CANARY_AFTER, hi,
             c->arena_hi - hi > PN_CANARY_BYTES ? hi + PN_CANARY_BYTES : c->arena_hi);
  }
}

static void describe(pn_canary_failure* f, int32_t layer, int32_t tile_row, int32_t tile_col,
                     pn_canary_buffer buffer, pn_canary_side side, int32_t arena_offset) {
  if (f == NULL) return;
  f->layer = layer;
  f->tile_row = tile_row;
  f->tile_col = tile_col;
  f->buffer = buffer;
  f->side = side;
  f->arena_offset = arena_offset;
}

int pn__canary_check(pn__canary* c, int32_t layer, int32_t tile_row, int32_t tile_col,
                     pn_canary_failure* failure) {
  int intact = 1;
  int i;
  for (i = 0; i < c->zone_count && intact; ++i) {
    const pn__canary_zone* z = &c->zones[i];
    uintptr_t a;
    for (a = z->lo; a < z->hi; ++a) {
      if (guarded(c, a) && *(const uint8_t*)a != pattern(a)) {
        describe(failure, layer, tile_row, tile_col, z->buffer, z->side,
                 (int32_t)(a - c->arena_lo));
        intact = 0;
        break;
      }
    }
  }
  for (i = c->zone_count - 1; i >= 0; --i) { /* reverse order: zones may share bytes */
    const pn__canary_zone* z = &c->zones[i];
    uintptr_t a;
    for (a = z->lo; a < z->hi; ++a) {
      if (guarded(c, a)) *(uint8_t*)a = z->saved[a - z->lo];
    }
  }
  for (i = 0; i < PN_CANARY_BUFFERS && intact; ++i) {
    if (digest(c->op, c->lo[i], c->hi[i]) != c->digest[i]) {
      describe(failure, layer, tile_row, tile_col, (pn_canary_buffer)i,
               PN_CANARY_INSIDE, -1);
      intact = 0;
    }
  }
  return intact;
}

#else
typedef int pn__canary_compiled_out; /* ISO C: a translation unit declares something */
#endif /* PN_CANARY */
