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
// Why the result is the even-odd area. Noding a ring (every crossing or touching of
// two edges becomes a vertex of both) does not change which points it encloses. The
// walk that cuts the noded ring into loops uses every noded edge exactly once, so
// for any point off the ring, the number of edges a ray from it crosses is the sum
// over the loops; its parity is odd for the ring exactly when it is odd for an odd
// number of loops, which is the symmetric difference of the loops' interiors. Each
// loop has no repeated vertex and, being noded, no crossing, so it is simple and its
// interior is its even-odd area. tests/geography/polygon_repair_test.cc checks this on
// random self-intersecting rings against a brute-force crossing count on the
// original ring.
//
// Bounded work. The crossings are found by a sorted-segment sweep: edges sorted by
// their smallest x, each compared only with the edges still active (whose x-range
// reaches it) and whose y-range overlaps. That is O(n log n + k) for rings whose
// vertical lines cross them a bounded number of times (every published boundary),
// and the number of pairs compared is counted against RepairLimits, so a ring built
// to defeat the sweep (many long edges over one x) is refused with
// kResourceExhausted instead of running for hours. The loops are combined, and the
// holes and parts united, as a balanced tree of Boost.Geometry set operations, so L
// loops cost O(log L) passes over the geometry rather than L.
//
// Coordinates are planar (x = lon, y = lat, degrees); see service_area.h for why that
// is exact enough at municipal scale.
//
// Thread-safety: pure functions; thread-safe.
#ifndef WEGWIJZER_LIB_POLYGON_REPAIR_H_
#define WEGWIJZER_LIB_POLYGON_REPAIR_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
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

// Bounds on the repair of one geometry. Inclusive.
struct RepairLimits {
  // Points where one ring crosses or touches itself. DEFAULT: 1,000 (the rings the
  // 2023 municipality file needs repaired have a few).
  size_t max_ring_crossings = 1'000;
  // Edge pairs the sweep compares, over all rings of the geometry (or of a whole
  // file, see MakeValid). DEFAULT: 50,000,000 (well under a second; a published ring
  // of n edges needs a few times n).
  size_t max_repair_edge_pairs = 50'000'000;
};

// Converts `parts` (GeoJSON rings, any orientation) and repairs them if needed.
// kResourceExhausted naming the part, the ring and the limit when a RepairLimits
// bound is exceeded (the message says "part P ring R: ..."; the caller adds the file
// and feature).
// `edge_pairs_left`, when given, is a budget shared by several calls (a whole file)
// instead of limits.max_repair_edge_pairs for this call alone.
absl::StatusOr<RepairOutcome> MakeValid(const std::vector<GeoJsonPolygon>& parts,
                                        const RepairLimits& limits = {},
                                        size_t* edge_pairs_left = nullptr);

// Splits a closed ring at every point where it crosses or touches itself into closed
// loops, each of them simple. `edge_pairs_left` is decremented by the pairs compared.
// kResourceExhausted when a limit is exceeded. Exposed for tests.
absl::StatusOr<std::vector<std::vector<GeoPoint>>> SplitIntoSimpleLoops(
    const std::vector<GeoPoint>& ring, const RepairLimits& limits = {},
    size_t* edge_pairs_left = nullptr);

// Area in square metres of a lon/lat geometry, by the planar area in degrees scaled
// at its mean latitude (within 0.1% at municipal scale). For reports only.
double ApproximateAreaSquareMeters(const GeoMultiPolygon& geometry);

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_POLYGON_REPAIR_H_
