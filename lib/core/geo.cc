#include "wegwijzer/geo.h"

#include "core/geo_internal.h"

namespace wegwijzer {

double HaversineMeters(LatLng a, LatLng b) {
  return internal::HaversineWithCos(a, internal::CosLatitude(a.lat_deg), b,
                                    internal::CosLatitude(b.lat_deg));
}

}  // namespace wegwijzer
