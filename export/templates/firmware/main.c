/* Firmware test harness of an exported model (bare-metal Cortex-M, QEMU mps2-an386 / an500).
 * Runs every test image through model_run_in() in a static arena of exactly MODEL_ARENA_BYTES
 * with guard bytes on both sides, prints the logits as the host harness does
 * ("image K: v0 v1 ..."), and measures on the device what the memory plan promised:
 *   arena_high_water_bytes N   one past the highest arena byte the network wrote; the arena is
 *                              painted 0x00 for one pass over all images and 0xFF for another,
 *                              and the larger mark counts, so a byte that happens to be written
 *                              with the paint value cannot hide the true mark
 *   arena_bytes N              MODEL_ARENA_BYTES
 *   guards intact|broken       the guard bytes around the arena after both passes
 *   stack_high_water_bytes N   stack ever used (startup.S paints the stack)
 *   OK N images                when every image's logits equal test_expected
 * and exits through semihosting with 0 only when the logits match, the guards are intact and
 * the high-water mark equals the arena size. model.c must be compiled with
 * MODEL_NO_STATIC_ARENA (the Makefile does), so this arena is the only one.
 */
#include <stdint.h>

#include "model.h"
#include "semihost.h"
#ifdef PN_PROFILE
#include "profile.h"
#endif
#include "test_images.h"

#define GUARD_BYTES 32u
#define GUARD_WORD 0xA5C3F00Du
#define ARENA_PASSES 2

/* [guard][arena: MODEL_ARENA_BYTES][guard], word-aligned. */
static union {
  uint32_t align;
  uint8_t bytes[GUARD_BYTES + MODEL_ARENA_BYTES + GUARD_BYTES];
} arena_block;

static uint8_t guard_byte(uint32_t i) { return (uint8_t)(GUARD_WORD >> (8u * (i % 4u))); }

static void paint(uint8_t arena_paint) {
  uint32_t i;
  for (i = 0; i < GUARD_BYTES; ++i) {
    arena_block.bytes[i] = guard_byte(i);
    arena_block.bytes[GUARD_BYTES + MODEL_ARENA_BYTES + i] = guard_byte(i);
  }
  for (i = 0; i < MODEL_ARENA_BYTES; ++i) arena_block.bytes[GUARD_BYTES + i] = arena_paint;
}

static int guards_intact(void) {
  uint32_t i;
  for (i = 0; i < GUARD_BYTES; ++i) {
    if (arena_block.bytes[i] != guard_byte(i)) return 0;
    if (arena_block.bytes[GUARD_BYTES + MODEL_ARENA_BYTES + i] != guard_byte(i)) return 0;
  }
  return 1;
}

/* One past the highest arena byte that no longer holds `arena_paint` (0: untouched). */
static uint32_t high_water(uint8_t arena_paint) {
  uint32_t i;
  for (i = MODEL_ARENA_BYTES; i > 0; --i) {
    if (arena_block.bytes[GUARD_BYTES + i - 1] != arena_paint) return i;
  }
  return 0;
}

/* Appends the decimal value of v to buf at *pos (buf has room: see print_logits). */
static void append_int(char* buf, uint32_t* pos, int32_t v) {
  char digits[12];
  int n = 0;
  uint32_t u = v < 0 ? (uint32_t)(-(v + 1)) + 1u : (uint32_t)v;
  if (v < 0) buf[(*pos)++] = '-';
  do {
    digits[n++] = (char)('0' + u % 10u);
    u /= 10u;
  } while (u);
  while (n > 0) buf[(*pos)++] = digits[--n];
}

static void append_str(char* buf, uint32_t* pos, const char* s) {
  while (*s) buf[(*pos)++] = *s++;
}

/* "image K: v0 v1 ... vN\n" as one semihosting write. */
static void print_logits(int32_t image, const int8_t* logits) {
  static char line[32 + 5 * MODEL_CLASSES];
  uint32_t pos = 0;
  int32_t c;
  append_str(line, &pos, "image ");
  append_int(line, &pos, image);
  append_str(line, &pos, ":");
  for (c = 0; c < MODEL_CLASSES; ++c) {
    append_str(line, &pos, " ");
    append_int(line, &pos, logits[c]);
  }
  append_str(line, &pos, "\n");
  line[pos] = 0;
  sh_puts(line);
}

static void print_mismatch(int32_t image, int32_t cls, int32_t got, int32_t expected) {
  static char line[96];
  uint32_t pos = 0;
  append_str(line, &pos, "MISMATCH image ");
  append_int(line, &pos, image);
  append_str(line, &pos, " class ");
  append_int(line, &pos, cls);
  append_str(line, &pos, ": got ");
  append_int(line, &pos, got);
  append_str(line, &pos, " expected ");
  append_int(line, &pos, expected);
  append_str(line, &pos, "\n");
  line[pos] = 0;
  sh_puts(line);
}

static void print_ok(int32_t images) {
  static char line[32];
  uint32_t pos = 0;
  append_str(line, &pos, "OK ");
  append_int(line, &pos, images);
  append_str(line, &pos, " images\n");
  line[pos] = 0;
  sh_puts(line);
}

int main(void) {
  static const uint8_t paints[ARENA_PASSES] = {0x00u, 0xFFu};
  uint8_t* const arena = arena_block.bytes + GUARD_BYTES;
  int8_t logits[MODEL_CLASSES];
  uint32_t arena_high_water = 0;
  int logits_match = 1;
  int run_failed = 0;
  int guards_ok = 1;
  int pass;
  int32_t image;
  int32_t c;

  for (pass = 0; pass < ARENA_PASSES; ++pass) {
    uint32_t mark;
    paint(paints[pass]);
    for (image = 0; image < TEST_IMAGE_COUNT; ++image) {
      const pn_status s = model_run_in(arena, test_images[image], logits);
      if (s != PN_OK) {
        sh_putu("model_run_in failed with status ", (uint32_t)s);
        run_failed = 1;
        break;
      }
      if (pass == 0) print_logits(image, logits);
      for (c = 0; c < MODEL_CLASSES; ++c) {
        if (logits[c] != test_expected[image][c]) {
          if (logits_match) print_mismatch(image, c, logits[c], test_expected[image][c]);
          logits_match = 0;
          break;
        }
      }
    }
    mark = high_water(paints[pass]);
    if (mark > arena_high_water) arena_high_water = mark;
    guards_ok &= guards_intact();
    if (run_failed) break;
  }

  sh_putu("arena_high_water_bytes ", arena_high_water);
  sh_putu("arena_bytes ", (uint32_t)MODEL_ARENA_BYTES);
  sh_puts(guards_ok ? "guards intact\n" : "guards broken\n");
  sh_putu("stack_high_water_bytes ", stack_high_water());
  if (run_failed || !logits_match) return 1;
  print_ok(TEST_IMAGE_COUNT);
  if (!guards_ok) {
    sh_puts("FAIL the network wrote outside its arena\n");
    return 2;
  }
  if (arena_high_water != (uint32_t)MODEL_ARENA_BYTES) {
    sh_puts("FAIL the arena high-water mark differs from the planned arena size\n");
    return 3;
  }
#ifdef PN_PROFILE
  if (profile_model(arena, test_images[0]) != 0) return 4;
#endif
  return 0;
}
