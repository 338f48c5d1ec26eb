/* Counting instructions under QEMU with -icount: the virtual clock then advances a fixed time
 * per executed instruction, so the CMSDK APB timer 0 (0x40000000, counting down) ticks in a
 * fixed proportion to instructions. icount_start() starts the timer and measures that
 * proportion against a loop of known length (two instructions an iteration). QEMU is not
 * cycle-accurate: these are instructions, not cycles. Used by profile.c and the kernel
 * benchmark (bench/qemu_kernels).
 *   uint32_t rate = icount_start();             // ticks per million instructions, 0: no -icount
 *   uint32_t t0 = icount_now(); work(); uint32_t n = icount_instructions(t0 - icount_now(), rate);
 */
#ifndef ICOUNT_TIMER_H
#define ICOUNT_TIMER_H

#include <stdint.h>

#define ICOUNT_TIMER_CTRL (*(volatile uint32_t*)0x40000000u)
#define ICOUNT_TIMER_VALUE (*(volatile uint32_t*)0x40000004u)
#define ICOUNT_TIMER_RELOAD (*(volatile uint32_t*)0x40000008u)

static inline uint32_t icount_now(void) { return ICOUNT_TIMER_VALUE; }

static inline void icount_spin(uint32_t n) {
  __asm__ volatile("1: subs %0, %0, #1\n bne 1b\n" : "+r"(n) : : "cc");
}

static inline uint32_t icount_ticks_for_spin(uint32_t n) {
  const uint32_t before = icount_now();
  icount_spin(n);
  return before - icount_now();
}

/* Starts timer 0 free-running; returns its ticks per million instructions (0: not ticking). */
static inline uint32_t icount_start(void) {
  ICOUNT_TIMER_CTRL = 0u;
  ICOUNT_TIMER_RELOAD = 0xFFFFFFFFu;
  ICOUNT_TIMER_VALUE = 0xFFFFFFFFu;
  ICOUNT_TIMER_CTRL = 1u;
  /* 1,000,000 instructions: the difference of 1,000,000 and 500,000 iterations. */
  return icount_ticks_for_spin(1000000u) - icount_ticks_for_spin(500000u);
}

static inline uint32_t icount_instructions(uint32_t ticks, uint32_t ticks_per_million) {
  return (uint32_t)(((uint64_t)ticks * 1000000u + ticks_per_million / 2u) / ticks_per_million);
}

#endif
