// Points on the earth and the contract's distance.
//
// Thread-safety: values and pure functions; thread-safe.
#ifndef WEGWIJZER_GEO_H_
#define WEGWIJZER_GEO_H_

#include <cmath>
#include <cstdint>

namespace wegwijzer {

// Mean earth radius used by the contract, in metres.
inline constexpr double kEarthRadiusMeters = 6'371'008.8;

// A WGS84 position in decimal degrees.
struct LatLng {
  double lat_deg = 0;
  double lon_deg = 0;

  // True when both are finite, lat in [-90, 90] and lon in [-180, 180].
  bool IsValid() const {
    return std::isfinite(lat_deg) && std::isfinite(lon_deg) && lat_deg >= -90 &&
           lat_deg <= 90 && lon_deg >= -180 && lon_deg <= 180;
  }
  bool operator==(const LatLng&) const = default;
};

// Great-circle distance in metres, exactly as interchange.md v1.1 pins it:
//   a = sin²(Δlat/2) + cos(lat1)·cos(lat2)·sin²(Δlon/2),  d = 2R·asin(sqrt(min(1, a)))
// in double precision with R = kEarthRadiusMeters. Keep this formula as written:
// the contract's suitability test compares the unrounded result against limits, so an
// algebraically equal variant could flip a boundary case.
double HaversineMeters(LatLng a, LatLng b);

// The contract's integer cost of a physical referral: the distance rounded to whole
// metres, halves away from zero (std::llround).
inline int64_t CostMeters(double distance_m) { return std::llround(distance_m); }

// Cost of a referral by phone or video, in metres-equivalent.
inline constexpr int64_t kRemoteCostMeters = 25'000;

}  // namespace wegwijzer

#endif  // WEGWIJZER_GEO_H_
