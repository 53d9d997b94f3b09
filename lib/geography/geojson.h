// Internal: a small, strict reader for GeoJSON FeatureCollections of polygons
// (RFC 7946), the form in which CBS/PDOK publish municipality and postcode areas.
//
// Only what a gazetteer needs is materialised: per feature its scalar properties
// (as text) and its Polygon or MultiPolygon rings. Everything else (ids, bbox,
// foreign members, nested property objects) is parsed for syntax and skipped.
//
// Why not a JSON library: none is among the allowed dependencies (Boost 1.74 has no
// Boost.JSON), and protobuf's JsonStringToMessage into google.protobuf.Struct builds
// a tree of heap-allocated Values and parses every number as a double from text it
// first copies (bench/gazetteer_benchmark.cc measures both on the real files).
//
// Strictness: RFC 8259 JSON (no comments, no trailing commas, no NaN, strings of
// valid UTF-8 with only the standard escapes). A UTF-8 byte-order mark is skipped.
// A geometry must be Polygon, MultiPolygon or null; positions are [lon, lat] with an
// optional ignored altitude, in range for WGS84 degrees. Rings are not checked for
// validity here (that is the gazetteer's business: it repairs them), only for
// shape: at least 4 positions, first equal to last.
//
// Errors are kInvalidArgument "FILE: byte N (feature K): reason", N the 0-based byte
// offset of the offending character, K the 0-based index in "features".
//
// Thread-safety: a pure function; thread-safe.
#ifndef WEGWIJZER_LIB_GEOJSON_H_
#define WEGWIJZER_LIB_GEOJSON_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "wegwijzer/geo.h"

namespace wegwijzer::internal {

// One ring of a polygon, closed (front() == back()), as the file gives it.
using GeoJsonRing = std::vector<LatLng>;

// One polygon: rings[0] is the exterior, the rest are holes.
struct GeoJsonPolygon {
  std::vector<GeoJsonRing> rings;
};

struct GeoJsonFeature {
  int index = 0;        // 0-based position in "features".
  size_t offset = 0;    // Byte offset of the feature's '{'.
  // Scalar properties in file order: strings unescaped, numbers as written,
  // true/false/null as those words. Nested arrays and objects are left out.
  std::vector<std::pair<std::string, std::string>> properties;
  bool has_geometry = false;             // False for "geometry": null.
  std::vector<GeoJsonPolygon> polygons;  // One for Polygon, the parts of a MultiPolygon.

  // The property `name`, or nullopt when absent.
  std::optional<std::string_view> Property(std::string_view name) const;
};

// Parses `text` (the whole file) into its features, in file order. `file` is used in
// messages only.
absl::StatusOr<std::vector<GeoJsonFeature>> ParseGeoJsonPolygons(std::string_view text,
                                                                std::string_view file);

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_GEOJSON_H_
