// Internal: the contract's haversine with the cosines of the latitudes precomputed.
// HaversineMeters() calls this same function, so the router's distances are
// bit-identical to the public one.
#ifndef WEGWIJZER_LIB_GEO_INTERNAL_H_
#define WEGWIJZER_LIB_GEO_INTERNAL_H_

#include <algorithm>
#include <cmath>
#include <numbers>

#include "wegwijzer/geo.h"

namespace wegwijzer::internal {

// cos(lat·π/180) with the contract's operation order.
inline double CosLatitude(double lat_deg) {
  return std::cos(lat_deg * std::numbers::pi / 180);
}

inline double HaversineWithCos(LatLng a, double cos_lat_a, LatLng b, double cos_lat_b) {
  // Operation order follows the contract's text literally: (Δ·π/180) / 2, and
  // cos·cos·sin² with sin² computed first.
  constexpr double kPi = std::numbers::pi;
  const double s_lat = std::sin((b.lat_deg - a.lat_deg) * kPi / 180 / 2);
  const double s_lon = std::sin((b.lon_deg - a.lon_deg) * kPi / 180 / 2);
  const double sin2_lat = s_lat * s_lat;
  const double sin2_lon = s_lon * s_lon;
  const double h = sin2_lat + cos_lat_a * cos_lat_b * sin2_lon;
  return 2 * kEarthRadiusMeters * std::asin(std::sqrt(std::min(1.0, h)));
}

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_GEO_INTERNAL_H_
