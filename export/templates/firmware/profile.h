/* Instruction counts of one inference, per layer and per op type, measured under QEMU with
 * -icount (`make CPU=m4 profile`). Compiled only with PN_PROFILE. */
#ifndef PROFILE_H
#define PROFILE_H

#include <stdint.h>

/* Runs `image` through the model in `arena` twice, printing
 *   ticks_per_million_instructions N
 *   instructions_inference N          one plain model_run_in call, start to finish
 *   layer I calls C instructions N    every layer: kernel calls (tiles) and their instructions
 *   instructions <op> N, macs <op> M, executed_macs <op> E   (one line each; op: conv,
 *                                      depthwise, pointwise, pool, fc; executed counts overlap)
 *   instructions_per_mac <op> R        N / E with two decimals, for ops with MACs
 *   instructions_total N              the sum of the per-layer counts
 * Returns 0 on success. */
int profile_model(uint8_t* arena, const int8_t* image);

#endif
