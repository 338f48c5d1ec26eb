// Rng: the one random number generator of patchnas. It is xoshiro256** (Blackman & Vigna)
// seeded through splitmix64, and every draw is defined here bit for bit, so a seed gives the
// same samples on every compiler, standard library and platform (std:: distributions are
// implementation-defined and must not be used where results have to be reproducible).
//   Rng rng(42);
//   int pick = rng.uniform(3);        // 0, 1 or 2, unbiased
//   if (rng.bernoulli(0.1)) { ... }   // true with probability 0.1
#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>

namespace patchnas {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    // splitmix64 spreads any seed (0 included) over the 256-bit state; the state can then
    // never be all zeros, the one state xoshiro must avoid.
    std::uint64_t x = seed;
    for (auto& word : state_) {
      x += 0x9e3779b97f4a7c15ULL;
      std::uint64_t z = x;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      word = z ^ (z >> 31);
    }
  }

  // The next 64 random bits (xoshiro256**).
  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, n), without modulo bias: draws below 2^64 mod n are rejected, so every
  // residue is hit by exactly floor(2^64 / n) accepted draws. Throws std::invalid_argument
  // when n < 1.
  int uniform(int n) {
    if (n < 1) throw std::invalid_argument("Rng::uniform: n must be at least 1");
    const auto range = static_cast<std::uint64_t>(n);
    const std::uint64_t threshold = (0 - range) % range;  // 2^64 mod n
    for (;;) {
      const std::uint64_t r = next();
      if (r >= threshold) return static_cast<int>(r % range);
    }
  }

  // Uniform in [0, 1) with 53 random bits (every double k / 2^53).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // True with probability p: never for p <= 0, always for p >= 1.
  bool bernoulli(double p) { return unit() < p; }

 // The generator's whole state, to checkpoint it and continue later exactly where it was.
  using State = std::array<std::uint64_t, 4>;
  State state() const { return {state_[0], state_[1], state_[2], state_[3]}; }
  static Rng from_state(const State& state) {
    Rng rng(0);
    for (int i = 0; i < 4; ++i) rng.state_[i] = state[i];
    return rng;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::uint64_t state_[4]{};
};

}  // namespace patchnas
