/* The on-device checks' random numbers (bench/qemu_kernels, tests/runtime/qemu_dsp_conv):
 * xorshift32, seeded by the including file, and uniform integers from it.
 *   static uint32_t rng_state = 0x12345678u;   (defined before including this header)
 *   int32_t v = rng_range(-128, 127); */
#ifndef XORSHIFT32_H
#define XORSHIFT32_H

#include <stdint.h>

static uint32_t rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

/* Uniform in [lo, hi]. */
static int32_t rng_range(int32_t lo, int32_t hi) {
  return lo + (int32_t)(rng() % (uint32_t)(hi - lo + 1));
}

#endif
