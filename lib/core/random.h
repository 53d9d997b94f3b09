// Internal: the seeded random stream of the scenario generators.
//
// SplitMix64 with hand-written distributions, so the same seed gives the same
// scenario on every platform and standard library (<random>'s distributions are
// implementation-defined).
#ifndef WEGWIJZER_LIB_RANDOM_H_
#define WEGWIJZER_LIB_RANDOM_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>

namespace wegwijzer::internal {

class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1), 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform in [lo, hi], both inclusive. REQUIRES: lo <= hi.
  int Int(int lo, int hi) {
    return lo + static_cast<int>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool Chance(double p) { return Uniform() < p; }
  // Standard normal (Box-Muller).
  double Normal() {
    const double u1 = std::max(Uniform(), 1e-300), u2 = Uniform();
    return std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
  }

 private:
  uint64_t state_;
};

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_RANDOM_H_
