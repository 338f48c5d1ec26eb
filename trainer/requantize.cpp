#include "trainer/requantize.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace patchnas::trainer {

void quantize_multiplier(double real, std::int32_t* multiplier, int* shift) {
  if (!(real >= 0.0) || !std::isfinite(real)) {
    throw std::invalid_argument("quantize_multiplier: the real multiplier must be finite and >= 0");
  }
  if (real == 0.0) {
    *multiplier = 0;
    *shift = 0;
    return;
  }
  int exponent = 0;
  const double q = std::frexp(real, &exponent);  // real = q * 2^exponent, q in [0.5, 1)
  auto q_fixed = static_cast<std::int64_t>(std::round(q * 2147483648.0));
  if (q_fixed == (std::int64_t{1} << 31)) {
    q_fixed /= 2;
    ++exponent;
  }
  if (exponent < -31) {  // every bit would be shifted out: flush to zero
    exponent = 0;
    q_fixed = 0;
  }
  if (exponent > 30) {  // beyond what requantize's left shift supports: saturate
    exponent = 30;
    q_fixed = std::numeric_limits<std::int32_t>::max();
  }
  *multiplier = static_cast<std::int32_t>(q_fixed);
  *shift = exponent;
}

std::int32_t saturating_rounding_doubling_high_mul(std::int32_t a, std::int32_t b) {
  constexpr std::int32_t kMin = std::numeric_limits<std::int32_t>::min();
  if (a == kMin && b == kMin) return std::numeric_limits<std::int32_t>::max();
  const std::int64_t ab = std::int64_t{a} * std::int64_t{b};
  const std::int64_t nudge = ab >= 0 ? (std::int64_t{1} << 30) : (1 - (std::int64_t{1} << 30));
  return static_cast<std::int32_t>((ab + nudge) / (std::int64_t{1} << 31));
}

std::int32_t rounding_divide_by_pot(std::int32_t x, int exponent) {
  const auto mask = static_cast<std::int32_t>((std::int64_t{1} << exponent) - 1);
  const std::int32_t remainder = x & mask;
  const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

std::int32_t requantize(std::int32_t acc, std::int32_t multiplier, int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  std::int64_t shifted = std::int64_t{acc} * (std::int64_t{1} << left);
  if (shifted > std::numeric_limits<std::int32_t>::max()) {
    shifted = std::numeric_limits<std::int32_t>::max();
  } else if (shifted < std::numeric_limits<std::int32_t>::min()) {
    shifted = std::numeric_limits<std::int32_t>::min();
  }
  return rounding_divide_by_pot(
      saturating_rounding_doubling_high_mul(static_cast<std::int32_t>(shifted), multiplier), right);
}

}  // namespace patchnas::trainer
