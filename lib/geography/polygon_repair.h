// Internal: turning published (multi)polygons into valid Boost.Geometry ones.
//
// Boost 1.74 has no make_valid, and published boundary files are not always valid:
// the CBS/PDOK municipalities of 2023, simplified by mapshaper, have rings that cross
// themselves and holes that stick out of their exterior. Exact set operations
// (union for a service area) and the point-in-polygon oracle need valid input.
//
// The repair, applied only to a geometry that bg::is_valid rejects, follows the
// "structure" rule of GEOS MakeValid: within each part, the exterior ring and every
// hole is split at its self-crossings and self-touchings into simple loops, and the
// area of a ring is the even-odd combination (symmetric difference) of its loops;
// a part is its exterior's area minus its holes' areas, so a hole, or the piece of a
// hole, that lies outside its exterior removes nothing; the geometry is the union of
// its parts. The result is checked again; if it is still invalid the published
// geometry is kept and the outcome says so.
//
// Coordinates are planar (x = lon, y = lat, degrees); see service_area.h for why that
// is exact enough at municipal scale.
//
// Thread-safety: pure functions; thread-safe.
#ifndef WEGWIJZER_LIB_POLYGON_REPAIR_H_
#define WEGWIJZER_LIB_POLYGON_REPAIR_H_

#include <string>
#include <vector>

#include "geography/geojson.h"
#include "directory/service_area.h"

namespace wegwijzer::internal {

struct RepairOutcome {
  GeoMultiPolygon geometry;  // Valid unless `valid` is false; oriented as GeoPolygon wants.
  bool was_valid = true;     // The input passed bg::is_valid (after orientation).
  bool valid = true;         // `geometry` passes bg::is_valid.
  std::string problem;       // Boost.Geometry's reason for rejecting the input; "" if valid.
  std::string action;        // What was done, with the area change; "" if nothing.
};

// Converts `parts` (GeoJSON rings, any orientation) and repairs them if needed.
RepairOutcome MakeValid(const std::vector<GeoJsonPolygon>& parts);

// Splits a closed ring at every point where it crosses or touches itself into closed
// loops, each of them simple. Exposed for tests.
std::vector<std::vector<GeoPoint>> SplitIntoSimpleLoops(const std::vector<GeoPoint>& ring);

// Area in square metres of a lon/lat geometry, by the planar area in degrees scaled
// at its mean latitude (within 0.1% at municipal scale). For reports only.
double ApproximateAreaSquareMeters(const GeoMultiPolygon& geometry);

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_POLYGON_REPAIR_H_
