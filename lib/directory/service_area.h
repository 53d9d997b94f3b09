// Internal: providers' drawn service areas as Boost.Geometry polygons.
// Kept out of every public header so users do not pay Boost.Geometry's compile time.
#ifndef WEGWIJZER_LIB_SERVICE_AREA_H_
#define WEGWIJZER_LIB_SERVICE_AREA_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "wegwijzer/geo.h"

// Boost 1.74's own warnings, not ours to fix: deprecated internal headers, and GCC 12's
// -Wmaybe-uninitialized on Boost.Geometry's box and envelope helpers (expand/indexed.hpp,
// rescale_policy.hpp), whose corners are always assigned before they are read. Both are
// reported at lines inside these headers, so ignoring them here, around the include,
// silences them in every file that instantiates the templates, and only there.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#if !defined(__clang__)  // GCC only; clang has no such warning and would warn about the name
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/geometry.hpp>
#include <boost/geometry/geometries/multi_polygon.hpp>
#include <boost/geometry/geometries/point_xy.hpp>
#include <boost/geometry/geometries/polygon.hpp>
#pragma GCC diagnostic pop

namespace wegwijzer::v1 {
class ServiceArea;
}

namespace wegwijzer::internal {

// Planar (lon, lat) geometry: service areas are municipal-scale, far from the poles
// and the antimeridian, where treating degrees as planar coordinates is exact enough
// for an inside test.
using GeoPoint = boost::geometry::model::d2::point_xy<double>;
using GeoPolygon = boost::geometry::model::polygon<GeoPoint, /*clockwise=*/true,
                                                   /*closed=*/true>;
using GeoMultiPolygon = boost::geometry::model::multi_polygon<GeoPolygon>;

class ServiceAreas {
 public:
  // Converts and validates `area`; on success appends it and returns its index.
  // Rejects rings that are unclosed, have fewer than 4 points or non-finite or
  // out-of-range coordinates, and polygons that Boost.Geometry finds invalid
  // (self-intersections, holes outside the shell), naming the reason.
  absl::StatusOr<uint32_t> Add(const v1::ServiceArea& area);
  bool Contains(uint32_t index, LatLng position) const;
  size_t size() const { return areas_.size(); }

 private:
  std::vector<GeoMultiPolygon> areas_;
  std::vector<boost::geometry::model::box<GeoPoint>> boxes_;
};

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_SERVICE_AREA_H_
