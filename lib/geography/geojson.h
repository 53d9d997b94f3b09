// Internal: a small, strict reader for GeoJSON FeatureCollections of polygons
// (RFC 7946), the form in which CBS/PDOK publish municipality and postcode areas.
//
// Only what a gazetteer needs is materialised: per feature its scalar properties
// (as text, with their JSON type) and its Polygon or MultiPolygon rings. Everything
// else (ids, bbox, foreign members, nested property objects) is parsed for syntax and
// skipped; a nested property is listed with its type only, so that a caller can say
// "gemeentecode is an object" rather than "no gemeentecode".
//
// Why not a JSON library: none is among the allowed dependencies (Boost 1.74 has no
// Boost.JSON), and protobuf's JsonStringToMessage into google.protobuf.Struct builds
// a tree of heap-allocated Values and parses every number as a double from text it
// first copies (bench/gazetteer_benchmark.cc measures both on the real files).
//
// Strictness: RFC 8259 JSON (no comments, no trailing commas, no NaN, strings of
// valid UTF-8 with only the standard escapes). A UTF-8 byte-order mark is skipped.
// A member name repeated in one object (any object, at any depth) is an error: JSON
// leaves its meaning open and readers disagree (first wins, last wins). Whitespace
// is JSON's: space, tab, LF and CR, so CRLF, a lone CR and CR CR LF line ends all
// read as whitespace between tokens (never inside a string, where a raw CR or LF is a
// control character and an error). A "crs" member (dropped by RFC 7946, still written
// by older exports), at the top level, in a feature or in a geometry, must be null or
// a named CRS whose name is exactly one of the WGS84 longitude/latitude names
// (kWgs84CrsNames); anything else, including EPSG:3857, is an error, and EPSG:28992
// (RD New) gets a hint to convert the file.
// A geometry must be Polygon, MultiPolygon or null; positions are [lon, lat] with an
// optional ignored altitude, in range for WGS84 degrees. Rings are not checked for
// validity here (that is the gazetteer's business: it repairs them), only for
// shape: at least 4 positions, first equal to last.
//
// Errors are kInvalidArgument "FILE: byte N (feature K): reason", N the 0-based byte
// offset of the offending character, K the 0-based index in "features". A limit of
// GeoJsonLimits exceeded is kResourceExhausted, in the same form, naming the limit
// and its value; the check happens before the memory is taken, so a hostile file is
// refused with memory proportional to the limits, not to what the file claims.
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

// Names of a "crs" that mean WGS84 longitude/latitude in degrees, as GDAL/ogr2ogr,
// QGIS and PDOK write them. (EPSG:4326 formally orders latitude first; GeoJSON files
// that name it still give [lon, lat], and so does every exporter we know.)
inline constexpr std::string_view kWgs84CrsNames[] = {
    "urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "OGC:CRS84",
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84", "urn:ogc:def:crs:EPSG::4326",
    "EPSG:4326", "http://www.opengis.net/def/crs/EPSG/0/4326"};

// Bounds on what one file may make the reader do. Each is inclusive (the value itself
// is allowed). The defaults admit the full-resolution CBS/PDOK municipality and PC4
// files with a wide margin and keep a file of at most 10 MB under 1 GB of memory.
struct GeoJsonLimits {
  // Size of the whole text. DEFAULT: 256 MiB (the 2023 municipality file is 1.1 MB).
  size_t max_file_bytes = size_t{256} << 20;
  // Depth of nested arrays/objects inside one member value (GeoJSON polygons need 4).
  // DEFAULT: 64. Exceeding it is kInvalidArgument (no GeoJSON needs it).
  int max_nesting_depth = 64;
  // Entries of "features". DEFAULT: 100,000 (342 municipalities, 4,067 PC4 areas).
  size_t max_features = 100'000;
  // Positions in one feature's geometry, all rings. DEFAULT: 1,000,000.
  size_t max_vertices_per_feature = 1'000'000;
  // Rings in one feature's geometry, all parts. DEFAULT: 100,000.
  size_t max_rings_per_feature = 100'000;
  // Positions in the whole file. DEFAULT: 4,000,000 (the 2023 municipality file has
  // 17,783; loading costs about 200 bytes per position).
  size_t max_total_vertices = 4'000'000;
};

// The JSON type of a property value.
enum class JsonType { kString, kNumber, kBool, kNull, kArray, kObject };
// "a string", "a number", ... for messages.
std::string_view JsonTypeName(JsonType type);

struct GeoJsonProperty {
  std::string name;
  JsonType type = JsonType::kNull;
  // Strings unescaped, numbers as written, true/false/null as those words; empty for
  // an array or object (their contents are not kept).
  std::string value;
};

// One ring of a polygon, closed (front() == back()), as the file gives it.
using GeoJsonRing = std::vector<LatLng>;

// One polygon: rings[0] is the exterior, the rest are holes.
struct GeoJsonPolygon {
  std::vector<GeoJsonRing> rings;
};

struct GeoJsonFeature {
  int index = 0;        // 0-based position in "features".
  size_t offset = 0;    // Byte offset of the feature's '{'.
  // Properties in file order, names unique.
  std::vector<GeoJsonProperty> properties;
  bool has_geometry = false;             // False for "geometry": null.
  std::vector<GeoJsonPolygon> polygons;  // One for Polygon, the parts of a MultiPolygon.

  // The text of the scalar property `name`, or nullopt when absent or an array or
  // object.
  std::optional<std::string_view> Property(std::string_view name) const;
  // The property `name` with its type, or nullptr when absent.
  const GeoJsonProperty* Find(std::string_view name) const;
};

// Parses `text` (the whole file) into its features, in file order. `file` is used in
// messages only. Time and memory are linear in the size of the text.
absl::StatusOr<std::vector<GeoJsonFeature>> ParseGeoJsonPolygons(
    std::string_view text, std::string_view file, const GeoJsonLimits& limits = {});

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_GEOJSON_H_
