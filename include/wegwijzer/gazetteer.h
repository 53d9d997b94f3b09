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
// Thread-safety: immutable, safe to share between threads.
// Complexity: Load is linear in the input (about 20 ms for the 342 municipalities
// and 4,067 postcodes of 2023); MunicipalityAt is O(1) for most points (a grid cell
// that no border crosses) and a short ray walk near borders, without allocation
// (about 30 ns); Postcode is O(1). Memory: about 6 MB for the 2023 map.
#ifndef WEGWIJZER_GAZETTEER_H_
#define WEGWIJZER_GAZETTEER_H_

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

struct GazetteerOptions {
  // Features skipped when loading. DEFAULT: {"GM0998"} (not a municipality).
  std::vector<std::string> excluded_codes = {"GM0998"};
  // Side of a lookup grid cell in km, > 0. Smaller cells make more of them pure (no
  // border crosses them) and cost memory (8 bytes each). DEFAULT: 0.5 (about 350,000
  // cells for the Netherlands, 3 MB).
  double cell_km = 0.5;
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
  // coordinates, or a municipality code the municipalities file does not have.
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
  // sides, deterministically. Where simplified neighbours overlap, the one listed
  // first in the file wins.
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
