/* patchnas runtime: a whole quantized network and the executor that runs it in one arena at
 * the offsets of the estimator's memory plan (the runtime never plans). The patch stage (the
 * first patch_layers layers) runs tile by tile: for tile (i, j) every stage layer computes the
 * output rows tile_rows[l][i] and columns tile_rows[l][j] (edges floor(i*H/n) at the stage
 * output, walked back through the receptive fields), into a tile buffer at its planned offset,
 * the last stage layer writing into the full stage-output buffer; then the remaining layers
 * run over whole maps. The exporter (export/) generates a pn_model as constant data.
 *
 *   static uint8_t arena[MODEL_ARENA_BYTES];
 *   pn_status s = pn_model_run(&model, image, arena, sizeof arena, logits);
 */
#ifndef PN_MODEL_H
#define PN_MODEL_H

#include "pn_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  PN_LAYER_CONV = 0,
  PN_LAYER_DEPTHWISE,
  PN_LAYER_POINTWISE,
  PN_LAYER_AVGPOOL,
  PN_LAYER_FC
} pn_layer_kind;

/* One layer and where its tensors live. Tensor ids: 0 is the input image, i + 1 is layer i's
 * output. Offsets are arena byte offsets of the buffers holding the tensors (-1: the image,
 * which the caller owns, when it is not in the arena). */
typedef struct {
  pn_layer_kind kind;
  pn_conv_params geometry; /* pool: in_h, in_w, in_c (= out_c); fc: in_c, out_c */
  pn_quant_params quant;
  int32_t input;          /* tensor id read */
  int32_t residual;       /* tensor id added (pointwise), or -1 */
  int32_t input_offset;
  int32_t output_offset;
  int32_t residual_offset;
  int32_t scratch_offset; /* -1: none */
  int32_t scratch_bytes;
} pn_layer;

typedef struct {
  const pn_layer* layers;
  int32_t layer_count;
  int32_t patch_layers;      /* 0: per-layer execution throughout */
  int32_t patch_n;
  const int16_t* tile_rows;  /* [patch_layers][patch_n][2]: first and last output row */
  int32_t arena_bytes;
  int32_t image_offset;      /* -1: the image stays where the caller has it */
} pn_model;

/* Runs the network on one image (h x w x c int8, the model's input quantization) and copies
 * the int8 logits (layers[layer_count-1].geometry.out_c values) to `logits`. */
pn_status pn_model_run(const pn_model* model, const int8_t* image, uint8_t* arena,
                       size_t arena_bytes, int8_t* logits);

/* Called around every kernel call (once per tile for patch-stage layers): begin = 1 before,
 * 0 after. For profiling on the device; the executor's work does not depend on it. */
typedef struct {
  void (*on_layer)(void* context, int32_t layer, int32_t begin);
  void* context;
} pn_observer;

/* pn_model_run, telling `observer` (may be NULL) about every kernel call. */
pn_status pn_model_run_observed(const pn_model* model, const int8_t* image, uint8_t* arena,
                                size_t arena_bytes, int8_t* logits, const pn_observer* observer);

/* Which arena canary a kernel call damaged (runtime/src/pn_canary.h has the design). The
 * executor passes one to the check of every call; builds without PN_CANARY never fill it. */
typedef enum {
  PN_CANARY_INPUT = 0,
  PN_CANARY_RESIDUAL,
  PN_CANARY_OUTPUT,
  PN_CANARY_SCRATCH,
  PN_CANARY_ARENA /* none of the call's buffers: elsewhere in the arena */
} pn_canary_buffer;

typedef enum {
  PN_CANARY_BEFORE = 0, /* the guard bytes just below the buffer */
  PN_CANARY_AFTER,      /* the guard bytes just above it */
  PN_CANARY_INSIDE      /* the buffer itself, outside what the call may write */
} pn_canary_side;

typedef struct {
  int32_t layer;                /* the kernel call: layer index, */
  int32_t tile_row, tile_col;   /* and its tile (-1, -1 outside the patch stage) */
  pn_canary_buffer buffer;
  pn_canary_side side;
  int32_t arena_offset;         /* the first damaged guard byte; -1 when found by a digest */
} pn_canary_failure;

#if defined(PN_CANARY)
/* pn_model_run_observed with the arena canaries checked after every kernel call; on the first
 * damage it returns PN_ERR_CANARY and describes it in `failure` (may be NULL). The arena after
 * every call holds exactly the bytes of a build without PN_CANARY. PN_CANARY builds check the
 * canaries in pn_model_run and pn_model_run_observed too. */
pn_status pn_model_run_checked(const pn_model* model, const int8_t* image, uint8_t* arena,
                               size_t arena_bytes, int8_t* logits, const pn_observer* observer,
                               pn_canary_failure* failure);
#endif

#ifdef __cplusplus
}
#endif

#endif
