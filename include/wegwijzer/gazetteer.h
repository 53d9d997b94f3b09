// The gazetteer: the map of the Netherlands that turns points and postcodes into
// municipalities.
//
// A Gazetteer is loaded once from two public CBS/PDOK data sets and then answers, for
// any number of threads:
//   * MunicipalityAt(point): which municipality contains this point, or none (at
//     sea, abroad, in a gap of the boundary file): a clear "none", never the nearest.
//   * Postcode("1011") or Postcode("1011 AB"): where the four-digit postcode area
//     (PC4) is (its centroid) and in which municipality it lies.
//
// Example (examples/cpp/gazetteer_lookup.cc, on gemeenten_2023_wgs84.geojson and
// pc4_centroids.csv):
//   absl::StatusOr<std::shared_ptr<const Gazetteer>> gazetteer = Gazetteer::Load(
//       municipalities, postcodes);
//   if (!gazetteer.ok()) return gazetteer.status();   // names file, feature or line
//   if (auto m = (*gazetteer)->MunicipalityAt({52.3731, 4.8926})) std::cout << m->code;
//   if (auto pc = (*gazetteer)->Postcode("1011AB")) std::cout << pc->municipality_code;
//   for (const PolygonRepair& r : (*gazetteer)->repairs()) std::cerr << r.ToString();
//
// The data (not shipped with Wegwijzer; CC BY 4.0, attribute "CBS / Kadaster"):
//   * Municipalities: a GeoJSON FeatureCollection of Polygon/MultiPolygon features in
//     WGS84 with properties `gemeentecode` ("GM0363") and `gemeentenaam`, such as
//     PDOK's "Wijk- en buurtkaart" WFS layer `wijkenbuurten:gemeenten` (CBS) exported
//     as GeoJSON in EPSG:4326. An export in RD New (EPSG:28992) is refused with a
//     hint; convert it, e.g. `ogr2ogr -t_srs EPSG:4326 out.geojson in.gml`.
//   * Postcodes (optional): a CSV with columns `pc4`, `lat`, `lon` (the area's
//     centroid, WGS84) and optionally the municipality code in `gm_code_2023`,
//     `gm_code` or `municipality` (tried in that order). CBS publishes PC4 areas
//     ("Kerncijfers per postcode"); a centroid table is derived from them. Other
//     columns are ignored.
//
// Invalid polygons are repaired when loading (Boost.Geometry has no make_valid):
// rings that cross themselves are split into simple loops and combined by the
// even-odd rule, holes count only where they lie inside their exterior, and
// overlapping parts are united (the "structure" rule of GEOS MakeValid). repairs()
// lists each repaired municipality with the defect and the area change. Features
// whose code is in GazetteerOptions::excluded_codes (DEFAULT: GM0998 "Buitenland",
// CBS's code for the Belgian enclaves at Baarle, which is not a municipality) are
// skipped, so a point there lies in no municipality.
//
// Hostile input. Loading is bounded for any file: GazetteerLimits caps the file
// size, the features, the positions and rings, the repair work and the lookup grid,
// each a kResourceExhausted error naming the feature and the limit (checked before
// the memory is taken; std::bad_alloc never escapes, it becomes kResourceExhausted
// too). A value of the wrong JSON type (`"gemeentecode": 193`), a repeated member
// name, a `crs` that is not exactly WGS84, a position outside
// GazetteerOptions::extent and municipalities that overlap beyond the tolerance
// (GazetteerOptions::max_overlap_cells) are kInvalidArgument errors: none of them
// silently changes what the file means. With the defaults, a file of at most 10 MB
// is answered or refused within about 10 s and 1 GB.
//
// Thread-safety: immutable, safe to share between threads.
// Complexity: Load is linear in the input (about 20 ms for the 342 municipalities
// and 4,067 postcodes of 2023); MunicipalityAt is O(1) for most points (a grid cell
// that no border crosses) and a short ray walk near borders, without allocation
// (about 30 ns); Postcode is O(1). Memory: about 6 MB for the 2023 map.
#ifndef WEGWIJZER_GAZETTEER_H_
#define WEGWIJZER_GAZETTEER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "wegwijzer/geo.h"

namespace wegwijzer {
namespace v1 {
class Request;
class ServiceArea;
}  // namespace v1

namespace internal {
struct GazetteerGeometry;
}  // namespace internal

// A municipality as the gazetteer knows it. The views point into the gazetteer:
// REQUIRES: the gazetteer outlives them.
struct Municipality {
  std::string_view code;  // CBS code, "GM0363".
  std::string_view name;  // "Amsterdam".
};

// A four-digit postcode area (PC4).
struct PostcodeArea {
  int pc4 = 0;                         // 1000..9999.
  LatLng centroid;                     // Area centroid, WGS84.
  // CBS code of its municipality: the postcode table's when it has a municipality
  // column, else the municipality containing the centroid; empty when neither gives
  // one. Points into the gazetteer.
  std::string_view municipality_code;
};

// One municipality whose published polygon was invalid, and what the loader did.
struct PolygonRepair {
  std::string code;     // "GM0852"
  std::string name;     // "Waterland"
  std::string problem;  // Boost.Geometry's validity message for the published polygon.
  std::string action;   // The defect in map terms, the rule applied, the area change.
  bool valid = true;    // The repaired polygon is valid (else it was kept as published).
  std::string ToString() const;  // "GM0852 Waterland: <action>\n"
};

// A latitude/longitude rectangle in WGS84 degrees, bounds inclusive.
struct LatLngBox {
  double min_lat_deg = -90, min_lon_deg = -180, max_lat_deg = 90, max_lon_deg = 180;
  bool Contains(LatLng p) const {
    return p.lat_deg >= min_lat_deg && p.lat_deg <= max_lat_deg && p.lon_deg >= min_lon_deg &&
           p.lon_deg <= max_lon_deg;
  }
};

// Bounds on what one municipality file may make Load do. Each bound is inclusive;
// exceeding one is kResourceExhausted naming the feature, the limit's name and value.
// The defaults admit the full-resolution CBS/PDOK files with a wide margin.
struct GazetteerLimits {
  // Size of the GeoJSON file. DEFAULT: 256 MiB (the 2023 file is 1.1 MB).
  size_t max_file_bytes = size_t{256} << 20;
  // Nesting of arrays/objects inside a member value (kInvalidArgument: no GeoJSON
  // needs more). DEFAULT: 64.
  int max_nesting_depth = 64;
  // Features in the file. DEFAULT: 100,000 (2023: 343).
  size_t max_features = 100'000;
  // Positions in one feature, all rings. DEFAULT: 1,000,000 (2023: at most 229).
  size_t max_vertices_per_feature = 1'000'000;
  // Rings in one feature, all parts. DEFAULT: 100,000 (2023: at most 6).
  size_t max_rings_per_feature = 100'000;
  // Positions in the file. DEFAULT: 4,000,000 (2023: 17,783; about 200 bytes each
  // while loading).
  size_t max_total_vertices = 4'000'000;
  // Points where one ring of an invalid polygon crosses or touches itself.
  // DEFAULT: 1,000 (2023: a few). Repair time grows with the loops they make.
  size_t max_ring_crossings = 1'000;
  // Edge pairs compared while repairing invalid polygons, over the whole file.
  // DEFAULT: 50,000,000 (about 0.2 s; a published ring of n edges needs a few n).
  size_t max_repair_edge_pairs = 50'000'000;
  // Cells of the lookup grid (8 bytes each). DEFAULT: 16,000,000 (2023 at 0.5 km:
  // about 350,000).
  size_t max_grid_cells = 16'000'000;
  // (edge, cell) incidences of the lookup grid (40 bytes each). DEFAULT: 8,000,000.
  size_t max_grid_edge_copies = 8'000'000;
};

struct GazetteerOptions {
  // Features skipped when loading. DEFAULT: {"GM0998"} (not a municipality).
  std::vector<std::string> excluded_codes = {"GM0998"};
  // Side of a lookup grid cell in km, > 0. Smaller cells make more of them pure (no
  // border crosses them) and cost memory (8 bytes each). DEFAULT: 0.5 (about 350,000
  // cells for the Netherlands, 3 MB).
  double cell_km = 0.5;
  // Every position of every (non-excluded) feature must lie in this box; a position
  // outside it is kInvalidArgument naming the feature. DEFAULT: the Netherlands
  // (European part, lat 50.75..53.56, lon 3.36..7.23) with a margin of about a
  // degree: lat 49.5..55.0, lon 2.0..8.5. Widen it for another country.
  LatLngBox extent = {49.5, 2.0, 55.0, 8.5};
  // Overlap tolerance. Simplified neighbours overlap in slivers along their shared
  // border; those are resolved to the municipality listed first and never reported.
  // Where a whole lookup cell (cell_km on a side) lies inside two municipalities,
  // one covers part of the other and a point there would belong to two: Load fails
  // (kInvalidArgument naming both and where) when a pair shares more than this many
  // cells. DEFAULT: 0 (the 2023 file has no such overlap).
  size_t max_overlap_cells = 0;
  GazetteerLimits limits = {};
};

class Gazetteer {
 public:
  // Reads the municipalities GeoJSON and, unless `postcodes_csv_path` is empty, the
  // postcode table. Errors: kNotFound / kPermissionDenied for an unreadable file;
  // kInvalidArgument naming the file and the byte and feature ("byte 1234 (feature
  // 17): ...") or the line ("line 12: ...") and the reason for malformed JSON, a
  // feature without `gemeentecode`, a duplicate municipality code, a geometry other
  // than Polygon/MultiPolygon, coordinates outside WGS84 ranges, a postcode table
  // without pc4/lat/lon columns, a postcode outside 1000..9999 or given twice, bad
  // coordinates, or a municipality code the municipalities file does not have; a
  // property `gemeentecode`/`statcode` or `gemeentenaam`/`statnaam` that is not a
  // string (or both names given, differing), a repeated member name, a `crs` other
  // than WGS84, a position outside options.extent, overlapping municipalities (see
  // GazetteerOptions::max_overlap_cells). kResourceExhausted for a file beyond
  // options.limits or memory.
  static absl::StatusOr<std::shared_ptr<const Gazetteer>> Load(
      const std::string& municipalities_geojson_path,
      const std::string& postcodes_csv_path = "", const GazetteerOptions& options = {});

  // The same on text in memory; the names are used in messages only. An empty
  // `postcodes_csv` means no postcode table.
  static absl::StatusOr<std::shared_ptr<const Gazetteer>> Parse(
      std::string_view municipalities_geojson, std::string_view postcodes_csv,
      const GazetteerOptions& options = {},
      std::string_view municipalities_name = "municipalities.geojson",
      std::string_view postcodes_name = "postcodes.csv");

  ~Gazetteer();
  Gazetteer(const Gazetteer&) = delete;
  Gazetteer& operator=(const Gazetteer&) = delete;

  // The municipality whose (repaired) polygon contains `point`, or nullopt when none
  // does, or the point is invalid. A point exactly on a border gets one of the two
  // sides, deterministically. Where simplified neighbours overlap in a sliver along
  // their border, the one listed first in the file wins (larger overlaps are refused
  // by Load).
  std::optional<Municipality> MunicipalityAt(LatLng point) const;

  // The municipality with CBS code `code` ("GM0363"), or nullopt.
  std::optional<Municipality> FindMunicipality(std::string_view code) const;

  // The postcode area `pc4` (1000..9999), or nullopt when the table lacks it.
  std::optional<PostcodeArea> Postcode(int pc4) const;
  // The same for a written postcode, see ParsePostcode. nullopt when malformed or
  // unknown.
  std::optional<PostcodeArea> Postcode(std::string_view postcode) const;

  // The four digits of a Dutch postcode written as "1011", "1011AB", "1011 AB" or
  // "1011ab" (surrounding spaces and tabs trimmed; the first digit is not 0), or
  // nullopt when it is not one of those forms.
  static std::optional<int> ParsePostcode(std::string_view postcode);

  size_t municipality_count() const;
  // Municipalities in file order. REQUIRES: index < municipality_count().
  Municipality municipality(size_t index) const;
  size_t postcode_count() const;
  // Every postcode area, ascending by pc4.
  std::vector<PostcodeArea> postcodes() const;

  // Municipalities whose published polygon was invalid, in file order.
  std::span<const PolygonRepair> repairs() const;
  // Codes of features skipped by GazetteerOptions::excluded_codes, in file order.
  std::span<const std::string> excluded() const;

  // Completes a request of the protobuf model before Request::FromProto: when it has
  // no position, sets it from its `postcode` (the PC4 centroid); when its
  // municipality is empty, sets it to the postcode's municipality (position from the
  // postcode) or the municipality containing its position (left empty when none
  // does). kInvalidArgument naming the request for a malformed postcode or neither a
  // position nor a postcode; kNotFound for a postcode the table lacks. Changes
  // nothing on error.
  absl::Status Resolve(v1::Request* request) const;

  // A drawn service area (for wegwijzer.v1.Provider.service_area) covering the given
  // municipalities: their repaired polygons united. kNotFound naming an unknown
  // code; kInvalidArgument when `codes` is empty.
  absl::StatusOr<v1::ServiceArea> ServiceAreaOf(std::span<const std::string> codes) const;

  // Internal: the geometry behind the lookups (Boost.Geometry polygons, the grid),
  // for tests and benchmarks. Defined in lib/gazetteer_geometry.h.
  const internal::GazetteerGeometry& geometry() const { return *geometry_; }

 private:
  Gazetteer();
  // Parse without the std::bad_alloc guard.
  static absl::StatusOr<std::shared_ptr<const Gazetteer>> ParseUnchecked(
      std::string_view municipalities_geojson, std::string_view postcodes_csv,
      const GazetteerOptions& options, std::string_view municipalities_name,
      std::string_view postcodes_name);

  std::vector<std::string> codes_;
  std::vector<std::string> names_;
  std::vector<PolygonRepair> repairs_;
  std::vector<std::string> excluded_;
  // Postcodes: slot[pc4] is the index into the arrays below, or -1.
  std::vector<int32_t> postcode_slot_;
  std::vector<int> postcode_pc4_;
  std::vector<LatLng> postcode_centroid_;
  std::vector<int32_t> postcode_municipality_;  // index into codes_, or -1
  std::unique_ptr<internal::GazetteerGeometry> geometry_;
};

}  // namespace wegwijzer

#endif  // WEGWIJZER_GAZETTEER_H_
