// Internal: what both scenario generators (scenario.cc, dutch_scenario.cc) draw and
// round with, so that the two make providers and requests the same way.
//
// Deterministic: every function is plain arithmetic on the internal::Random stream
// (core/random.h), the same on every platform.
#ifndef WEGWIJZER_LIB_SCENARIO_SAMPLING_H_
#define WEGWIJZER_LIB_SCENARIO_SAMPLING_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/random.h"
#include "wegwijzer/codes.h"
#include "wegwijzer/geo.h"

namespace wegwijzer::internal {

// Degrees rounded to 6 decimals (~0.1 m), as a geocoder or spreadsheet would give
// them, so that scenarios written to CSV read back identically.
inline double Round6(double degrees) { return std::round(degrees * 1e6) / 1e6; }
inline LatLng Round6(LatLng p) { return {Round6(p.lat_deg), Round6(p.lon_deg)}; }

// A limited capacity times ScenarioOptions/DutchScenarioOptions::capacity_scale,
// rounded, at least 1.
inline int64_t Scaled(double capacity, double scale) {
  return std::max<int64_t>(1, std::llround(capacity * scale));
}

// Picks an index with probability proportional to its weight. O(n) to build,
// O(log n) per pick. REQUIRES: at least one weight, none negative, total > 0.
class WeightedPick {
 public:
  template <typename Weights>
  explicit WeightedPick(const Weights& weights) {
    double total = 0;
    for (double w : weights) cumulative_.push_back(total += w);
  }
  double total() const { return cumulative_.empty() ? 0 : cumulative_.back(); }
  size_t Pick(Random& rng) const {
    const double x = rng.Uniform() * total();
    const size_t i =
        std::upper_bound(cumulative_.begin(), cumulative_.end(), x) - cumulative_.begin();
    return std::min(i, cumulative_.size() - 1);
  }

 private:
  std::vector<double> cumulative_;
};

// The modes a generated request accepts, as a ladder of cumulative shares of one
// uniform draw: in person only, in person or a home visit, a home visit or the phone,
// and above the last rung every mode (the request default).
struct ModeLadder {
  double in_person;                // draws below: {in_person}
  double in_person_or_home_visit;  // below: {in_person, home_visit}
  double home_visit_or_phone;      // below: {home_visit, phone}; above: all modes
};

inline ModeSet PickModes(double draw, const ModeLadder& ladder) {
  if (draw < ladder.in_person) return ModeSet{Mode::kInPerson};
  if (draw < ladder.in_person_or_home_visit) return ModeSet{Mode::kInPerson, Mode::kHomeVisit};
  if (draw < ladder.home_visit_or_phone) return ModeSet{Mode::kHomeVisit, Mode::kPhone};
  return kAllModes;
}

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_SCENARIO_SAMPLING_H_
