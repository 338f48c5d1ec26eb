/* The public requantization functions: thin wrappers of pn_internal.h's inline definitions,
 * which every kernel uses (one arithmetic, trainer/requantize.hpp). */
#include "pn_internal.h"

int32_t pn_saturating_rounding_doubling_high_mul(int32_t a, int32_t b) { return pn__srdhm(a, b); }

int32_t pn_rounding_divide_by_pot(int32_t x, int32_t exponent) { return pn__rdbp(x, exponent); }

int32_t pn_requantize(int32_t acc, int32_t multiplier, int32_t shift) {
  return pn__requantize(acc, multiplier, shift);
}
