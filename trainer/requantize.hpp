// Requantization: the fixed-point rescaling at the heart of int8 inference (the TFLite /
// gemmlowp / CMSIS-NN scheme). A positive real factor r (e.g. s_in * s_w / s_out) is stored as
// a Q31 multiplier M and a power-of-two exponent `shift` with
//     r ~= M * 2^(shift - 31),   M in [2^30, 2^31),   shift in [-31, 30],
// and an int32 accumulator is rescaled by it with integer arithmetic only. This header owns
// that arithmetic; it is THE definition the C99 runtime must reproduce bit for bit.
//
// requantize(x, M, shift) = rounding_divide_by_pot(
//                               saturating_rounding_doubling_high_mul(x', M), right)
//   with left = max(shift, 0), right = max(-shift, 0), and x' = x * 2^left saturated to int32
//   (TFLite's MultiplyByQuantizedMultiplier; TFLite leaves the overflow of x * 2^left undefined,
//   we saturate).
//
// saturating_rounding_doubling_high_mul(a, b)  (gemmlowp SRDHM, = CMSIS-NN doubling_high_mult)
//   = INT32_MAX                                     if a == b == INT32_MIN (the one overflow)
//   = (ab + nudge) / 2^31   (C division, truncating toward zero), ab = (int64)a * b,
//     nudge = ab >= 0 ? 2^30 : 1 - 2^30
//   which is exactly floor(ab / 2^31 + 1/2): round to nearest, ties toward +infinity
//   (so +0.5 -> 1 but -0.5 -> 0 and -1.5 -> -1; it is NOT "half away from zero" for negative
//   products, whatever the comment in gemmlowp suggests).
//
// rounding_divide_by_pot(x, e), 0 <= e <= 31  (gemmlowp RoundingDivideByPOT)
//   mask = 2^e - 1, remainder = x & mask, threshold = (mask >> 1) + (x < 0 ? 1 : 0),
//   result = (x >> e) + (remainder > threshold ? 1 : 0)      (>> arithmetic on negatives)
//   which is x / 2^e rounded to nearest, ties away from zero (1.5 -> 2, -1.5 -> -2).
//
// A C99 port needs: a 64-bit product, truncating division (C99 guarantees it) and an
// arithmetic right shift of negative int32 (every compiler we target; C++20 guarantees it).
// Note the two roundings: requantize is not always round(x * r); e.g. x = 5, r = 1/4
// (M = 2^30, shift = -1): SRDHM gives round(2.5) = 3, then 3 / 2 -> 2 (while 5/4 rounds to 1).
//
//   std::int32_t m; int s;
//   quantize_multiplier(0.0123, &m, &s);
//   std::int32_t y = requantize(acc, m, s);   // ~= acc * 0.0123, rounded
#pragma once

#include <cstdint>

namespace patchnas::trainer {

// Splits real >= 0 into (M, shift) as above, like TFLite's QuantizeMultiplier: frexp gives
// real = q * 2^shift with q in [0.5, 1); M = round(q * 2^31) (half away from zero), and when
// that rounds up to 2^31, M = 2^30 and shift + 1. real == 0 gives M = 0, shift = 0; reals
// below about 2^-32 (shift < -31) flush to M = 0, shift = 0; reals of 2^30 and more saturate
// to M = 2^31 - 1, shift = 30. Relative error otherwise <= 2^-31.
// Throws std::invalid_argument when real is negative, NaN or infinite.
void quantize_multiplier(double real, std::int32_t* multiplier, int* shift);

std::int32_t saturating_rounding_doubling_high_mul(std::int32_t a, std::int32_t b);

// exponent in [0, 31].
std::int32_t rounding_divide_by_pot(std::int32_t x, int exponent);

// multiplier >= 0, shift in [-31, 30] (what quantize_multiplier produces).
std::int32_t requantize(std::int32_t acc, std::int32_t multiplier, int shift);

}  // namespace patchnas::trainer
