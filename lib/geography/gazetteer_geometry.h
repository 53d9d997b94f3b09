// Internal: the geometry behind a Gazetteer, kept out of the public header so that
// users do not see or compile Boost.Geometry.
#ifndef WEGWIJZER_LIB_GAZETTEER_GEOMETRY_H_
#define WEGWIJZER_LIB_GAZETTEER_GEOMETRY_H_

#include <vector>

#include "geography/region_grid.h"
#include "directory/service_area.h"

namespace wegwijzer::internal {

struct GazetteerGeometry {
  // One valid (repaired where needed) multipolygon per municipality, in the
  // gazetteer's municipality order; x = lon, y = lat.
  std::vector<GeoMultiPolygon> municipalities;
  // The lookup index over the same rings; region r is municipality r.
  RegionGrid grid;
};

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_GAZETTEER_GEOMETRY_H_
