// Internal: municipality outlines simplified for drawing (report.html) and for
// coverage.geojson. Boost.Geometry stays in map_outline.cc.
#ifndef WEGWIJZER_LIB_COVERAGE_MAP_OUTLINE_H_
#define WEGWIJZER_LIB_COVERAGE_MAP_OUTLINE_H_

#include <string>
#include <string_view>
#include <vector>

#include "wegwijzer/geo.h"

namespace wegwijzer {
class Gazetteer;
}

namespace wegwijzer::internal {

// One polygon: its exterior ring first, then its holes; each ring closed (first
// point repeated last), at least 4 points.
using OutlinePolygon = std::vector<std::vector<LatLng>>;

struct Outline {
  std::string_view code;  // points into the gazetteer
  std::string_view name;
  std::vector<OutlinePolygon> polygons;
};

// Every municipality of the gazetteer (in its order), each polygon simplified by
// Douglas-Peucker with `tolerance_deg` in degrees of latitude (longitudes scaled by
// cos 52 deg so the tolerance is about the same distance both ways); rings that
// collapse below 4 points are dropped. Neighbours are simplified independently, so
// borders may show hairline gaps at this tolerance: meant for maps, not lookups.
std::vector<Outline> SimplifiedOutlines(const Gazetteer& gazetteer, double tolerance_deg);

// JSON string literal of `text` (quotes included), escaping as RFC 8259 requires.
std::string JsonString(std::string_view text);

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_COVERAGE_MAP_OUTLINE_H_
