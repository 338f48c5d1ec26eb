/* Internal to the runtime: the arena canaries of PN_CANARY builds (the sanitizer build and the
 * host test target runtime_canary_tests; never the release library or the firmware), which
 * check every kernel call of the executor for writes outside the memory it may write.
 *
 * Design. The arena is planned tight: buffers live at the same step sit edge to edge, and
 * buffers legitimately share bytes (an in-place depthwise writes over its input, a projection
 * over its residual, every tile reuses the same tile buffers, the last stage layer writes one
 * rectangle of the full stage output, and buffers of different steps reuse each other's bytes).
 * There is no room for fixed guard words between buffers, and moving buffers apart to make room
 * would run a different plan from the one the release build runs, hiding the plan's aliasing.
 * So the arena keeps the planned layout and the guards are laid per kernel call, around that
 * call's own buffers (input, residual, output view, scratch) and only while it runs:
 *  1. arm: for each of those buffers inside the arena, the PN_CANARY_BYTES bytes just below
 *     and just above it that belong to none of the call's buffers are saved and overwritten
 *     with a position-dependent pattern; a correct call neither reads nor writes them. Then a
 *     digest (a position-weighted checksum: any one changed byte changes it) is taken of each
 *     buffer and of the whole arena, leaving out what the call may write: its region's rows of
 *     the output view and its scratch.
 *  2. the call runs (with the observer's callbacks around it).
 *  3. check: every guard byte must still hold its pattern (else: that buffer, BEFORE or AFTER,
 *     the byte's arena offset); then the saved bytes are put back, so after every call the
 *     arena holds exactly the bytes of a release build; then every digest must match (else:
 *     that buffer, INSIDE -- e.g. a write into the call's own input or into another tile's
 *     part of the stage output -- or ARENA, a write anywhere else).
 * The guards place a small overflow exactly; the digests catch a write anywhere else. A stray
 * byte that happens to store the pattern (or, off the guards, the old value) is not seen.
 * Cost: about two passes over the arena per kernel call, which is why it is a debug build.
 *   pn__canary canary;
 *   pn__canary_arm(&canary, &op, arena, arena_bytes);
 *   status = <the kernel call of op>;
 *   if (!pn__canary_check(&canary, layer, tile_row, tile_col, &failure)) status = PN_ERR_CANARY;
 */
#ifndef PN_CANARY_H
#define PN_CANARY_H

#include "pn_op.h"

#if defined(PN_CANARY)

#define PN_CANARY_BYTES 32
#define PN_CANARY_BUFFERS 5 /* pn_canary_buffer: the call's four buffers and the arena */

typedef struct {
  uintptr_t lo, hi; /* addresses [lo, hi) */
  pn_canary_buffer buffer;
  pn_canary_side side;
  uint8_t saved[PN_CANARY_BYTES];
} pn__canary_zone;

typedef struct {
  const pn__op* op;
  uintptr_t arena_lo, arena_hi;
  uintptr_t lo[PN_CANARY_BUFFERS], hi[PN_CANARY_BUFFERS]; /* by pn_canary_buffer */
  uint64_t digest[PN_CANARY_BUFFERS];
  pn__canary_zone zones[2 * (PN_CANARY_BUFFERS - 1)];
  int zone_count;
} pn__canary;

/* Lays the guards around the buffers of `op` (which must outlive the check) and takes the
 * digests. */
void pn__canary_arm(pn__canary* canary, const pn__op* op, uint8_t* arena, size_t arena_bytes);

/* Checks and removes the guards, then compares the digests. Returns 1 when intact, else 0 and
 * describes the first damage in `failure` (may be NULL). */
int pn__canary_check(pn__canary* canary, int32_t layer, int32_t tile_row, int32_t tile_col,
                     pn_canary_failure* failure);

#endif /* PN_CANARY */

#endif /* PN_CANARY_H */
