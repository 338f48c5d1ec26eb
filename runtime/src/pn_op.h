/* Internal to the runtime: the operands of one kernel call of the executor (model_run.c), as
 * the executor resolves them from a pn_layer and the tile being computed, so that the call
 * and the canary check around it (canary.c) see exactly the same views. Not installed.
 *   pn__op op;                                 (model_run.c: resolve_op fills it)
 *   pn__canary_arm(&canary, &op, arena, arena_bytes);   then run_op(layer, &op)
 */
#ifndef PN_OP_H
#define PN_OP_H

#include "pn_model.h"

typedef struct {
  pn_tensor input;
  pn_tensor residual; /* data == NULL: the layer adds no residual */
  pn_tensor output;
  pn_region region;   /* of the output map, written by the call */
  pn_scratch scratch; /* data == NULL: none */
} pn__op;

#endif /* PN_OP_H */
