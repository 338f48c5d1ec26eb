/* Under QEMU with -icount, the CMSDK APB timer 0 (0x40000000) ticks in a fixed proportion to
 * executed instructions. The proportion is measured first with a loop of known length (two
 * instructions an iteration); then one plain inference is timed whole, and one more has every
 * kernel call timed through the executor's observer, summed per layer and per op type. QEMU is
 * not cycle-accurate: these are instructions, not cycles. */
#include "profile.h"

#include "icount_timer.h"
#include "model.h"
#include "semihost.h"

#define KINDS 5

static const char* const kind_names[KINDS] = {"conv", "depthwise", "pointwise", "pool", "fc"};

typedef struct {
  uint32_t start;
  uint32_t ticks[MODEL_LAYER_COUNT];
  uint32_t calls[MODEL_LAYER_COUNT];
} profile_state;

static void on_layer(void* context, int32_t layer, int32_t begin) {
  profile_state* state = (profile_state*)context;
  const uint32_t now = icount_now();
  if (begin) {
    state->start = now;
  } else {
    state->ticks[layer] += state->start - now;
    state->calls[layer] += 1u;
  }
}

/* MACs of one output pixel of layer l. */
static uint32_t macs_per_pixel(const pn_layer* l) {
  const pn_conv_params* g = &l->geometry;
  switch (l->kind) {
    case PN_LAYER_CONV: return (uint32_t)(g->kernel * g->kernel * g->in_c * g->out_c);
    case PN_LAYER_DEPTHWISE: return (uint32_t)(g->kernel * g->kernel * g->out_c);
    case PN_LAYER_POINTWISE:
    case PN_LAYER_FC: return (uint32_t)(g->in_c * g->out_c);
    default: return 0u;
  }
}

/* Output pixels a layer computes: its map, or for patch-stage layers the sum of its tiles. */
static uint32_t pixels_executed(int32_t index) {
  const pn_layer* l = &model_net.layers[index];
  uint32_t rows = 0;
  int32_t t;
  if (index >= model_net.patch_layers) return (uint32_t)(l->geometry.out_h * l->geometry.out_w);
  for (t = 0; t < model_net.patch_n; ++t) {
    const int16_t* r = model_net.tile_rows + ((uint32_t)index * (uint32_t)model_net.patch_n + (uint32_t)t) * 2u;
    rows += (uint32_t)(r[1] - r[0] + 1);
  }
  return rows * rows;
}

/* "instructions_per_mac <kind> I.FF\n": instructions / executed MACs, two decimals. */
static void print_per_mac(const char* kind, uint32_t instructions, uint32_t macs) {
  const uint32_t centi = (uint32_t)(((uint64_t)instructions * 100u + macs / 2u) / macs);
  sh_puts("instructions_per_mac ");
  sh_puts(kind);
  sh_putn(" ", centi / 100u);
  sh_putu(centi % 100u < 10u ? ".0" : ".", centi % 100u);
}

/* "<what><kind> <value>\n" */
static void print_kind(const char* what, const char* kind, uint32_t value) {
  sh_puts(what);
  sh_puts(kind);
  sh_putu(" ", value);
}

/* "layer I calls C instructions N\n" */
static void print_layer(int32_t layer, uint32_t calls, uint32_t instructions) {
  sh_putn("layer ", (uint32_t)layer);
  sh_putn(" calls ", calls);
  sh_putu(" instructions ", instructions);
}

int profile_model(uint8_t* arena, const int8_t* image) {
  static profile_state state;
  pn_observer observer;
  int8_t logits[MODEL_CLASSES];
  uint32_t macs[KINDS] = {0, 0, 0, 0, 0};
  uint32_t executed[KINDS] = {0, 0, 0, 0, 0};
  uint32_t kind_instructions[KINDS] = {0, 0, 0, 0, 0};
  uint32_t ticks_per_million, total = 0, start;
  int32_t i;
  ticks_per_million = icount_start();
  if (ticks_per_million == 0u) {
    sh_puts("FAIL the timer does not tick: run QEMU with -icount\n");
    return 1;
  }
  start = icount_now();
  if (model_run_in(arena, image, logits) != PN_OK) {
    sh_puts("FAIL the timed inference failed\n");
    return 1;
  }
  sh_putu("ticks_per_million_instructions ", ticks_per_million);
  sh_putu("instructions_inference ", icount_instructions(start - icount_now(), ticks_per_million));
  observer.on_layer = on_layer;
  observer.context = &state;
  if (pn_model_run_observed(&model_net, image, arena, MODEL_ARENA_BYTES, logits, &observer) != PN_OK) {
    sh_puts("FAIL the profiled inference failed\n");
    return 1;
  }
  for (i = 0; i < model_net.layer_count; ++i) {
    const pn_layer* l = &model_net.layers[i];
    const uint32_t n = icount_instructions(state.ticks[i], ticks_per_million);
    print_layer(i, state.calls[i], n);
    kind_instructions[l->kind] += n;
    total += n;
    macs[l->kind] += macs_per_pixel(l) * (uint32_t)(l->geometry.out_h * l->geometry.out_w);
    executed[l->kind] += macs_per_pixel(l) * pixels_executed(i);
  }
  for (i = 0; i < KINDS; ++i) {
    print_kind("instructions ", kind_names[i], kind_instructions[i]);
    print_kind("macs ", kind_names[i], macs[i]);
    print_kind("executed_macs ", kind_names[i], executed[i]);
    if (executed[i] > 0u) print_per_mac(kind_names[i], kind_instructions[i], executed[i]);
  }
  sh_putu("instructions_total ", total);
  return 0;
}
