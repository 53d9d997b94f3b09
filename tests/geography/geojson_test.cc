// The strict GeoJSON reader (lib/geojson.cc): what it materialises, and one test per
// class of bad input, each asserting the message names the byte and feature.
#include "geography/geojson.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/shared_data.h"
#include "wegwijzer/interchange.h"

namespace wegwijzer::internal {
namespace {

// absl::string_view is its own type in Debian's Abseil; compare as std::string.
std::string Message(const absl::Status& status) { return std::string(status.message()); }

constexpr char kSquare[] = "[[4.0,52.0],[4.1,52.0],[4.1,52.1],[4.0,52.1],[4.0,52.0]]";

std::string Collection(const std::string& features) {
  return R"({"type":"FeatureCollection","features":[)" + features + "]}";
}

std::string PolygonFeature(const std::string& properties, const std::string& rings) {
  return R"({"type":"Feature","properties":)" + properties +
         R"(,"geometry":{"type":"Polygon","coordinates":)" + rings + "}}";
}

TEST(GeoJson, ReadsPolygonsMultiPolygonsAndScalarProperties) {
  const std::string text = Collection(
      PolygonFeature(R"({"code":"GM0001","n":12.5,"ok":true,"none":null,"nested":{"a":[1]}})",
                     std::string("[") + kSquare + "]") +
      R"(,{"type":"Feature","geometry":{"coordinates":[[)" + kSquare + "],[" + kSquare +
      R"(]],"type":"MultiPolygon"},"properties":{"name":"Súdwest-Fryslân \u00e9\ud83d\ude00"}})" +
      R"(,{"type":"Feature","geometry":null,"properties":null})");
  absl::StatusOr<std::vector<GeoJsonFeature>> features = ParseGeoJsonPolygons(text, "t.geojson");
  ASSERT_TRUE(features.ok()) << features.status();
  ASSERT_EQ(features->size(), 3u);
  const GeoJsonFeature& first = (*features)[0];
  EXPECT_EQ(first.Property("code"), "GM0001");
  EXPECT_EQ(first.Property("n"), "12.5");
  EXPECT_EQ(first.Property("ok"), "true");
  EXPECT_EQ(first.Property("none"), "null");
  EXPECT_EQ(first.Property("nested"), std::nullopt);
  ASSERT_EQ(first.polygons.size(), 1u);
  ASSERT_EQ(first.polygons[0].rings.size(), 1u);
  EXPECT_EQ(first.polygons[0].rings[0].size(), 5u);
  EXPECT_EQ(first.polygons[0].rings[0][1], (LatLng{52.0, 4.1}));  // [lon, lat] swapped
  // Coordinates before "type" (member order is free); escapes decoded to UTF-8.
  EXPECT_EQ((*features)[1].polygons.size(), 2u);
  EXPECT_EQ((*features)[1].Property("name"), "Súdwest-Fryslân \xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_FALSE((*features)[2].has_geometry);
  EXPECT_TRUE((*features)[2].polygons.empty());
  EXPECT_EQ((*features)[2].index, 2);
}

TEST(GeoJson, AcceptsByteOrderMarkAltitudeHolesAndEmptyCollections) {
  const std::string hole = "[[4.02,52.02],[4.02,52.03],[4.03,52.03],[4.02,52.02]]";
  const std::string text =
      "\xEF\xBB\xBF" + Collection(PolygonFeature(
                           "{}", "[[[4.0,52.0,3.5],[4.1,52.0,1],[4.1,52.1,0],[4.0,52.0,3.5]]," +
                                     hole + "]"));
  absl::StatusOr<std::vector<GeoJsonFeature>> features = ParseGeoJsonPolygons(text, "t");
  ASSERT_TRUE(features.ok()) << features.status();
  EXPECT_EQ((*features)[0].polygons[0].rings.size(), 2u);
  EXPECT_TRUE(ParseGeoJsonPolygons(R"({"features":[],"type":"FeatureCollection"})", "t")->empty());
}

struct BadCase {
  std::string name;
  std::string text;
  std::string reason;  // substring of the message
};

TEST(GeoJson, RejectsBadInputNamingByteFeatureAndReason) {
  const std::string square = std::string("[") + kSquare + "]";
  const std::vector<BadCase> cases = {
      {"empty", "", "t.geojson: byte 0: the file is empty"},
      {"array", "[]", "byte 0: expected a JSON object"},
      {"not a collection", R"({"type":"Feature"})", "expected a FeatureCollection"},
      {"no features", R"({"type":"FeatureCollection"})", "has no \"features\""},
      {"trailing comma", R"({"type":"FeatureCollection","features":[],})", "expected a string"},
      {"text after", Collection("") + "x", "text after the end"},
      {"unclosed string", R"({"type":"FeatureCollection","features":[{"type":"Feat)",
       "a string never closes"},
      {"bad escape", Collection(PolygonFeature(R"({"a":"\q"})", square)),
       "(feature 0): unknown escape '\\q'"},
      {"lone surrogate", Collection(PolygonFeature(R"({"a":"\udc00"})", square)),
       "(feature 0): a lone low surrogate"},
      {"high surrogate alone", Collection(PolygonFeature(R"({"a":"\ud83dx"})", square)),
       "high surrogate without its low surrogate"},
      {"control character", Collection(PolygonFeature("{\"a\":\"x\ty\"}", square)),
       "control character"},
      {"invalid utf-8", Collection(PolygonFeature("{\"a\":\"\xC3\x28\"}", square)),
       "not valid UTF-8"},
      {"NaN", Collection(PolygonFeature(R"({"a":NaN})", square)), "expected a number"},
      {"leading zero", Collection(PolygonFeature("{}", "[[[04.0,52.0]]]")),
       "expected ',' or ']'"},
      {"bare point", Collection(PolygonFeature("{}", "[[[4.,52.0]]]")),
       "no digits after its decimal point"},
      {"point geometry",
       Collection(R"({"type":"Feature","geometry":{"type":"Point","coordinates":[4,52]}})"),
       "(feature 0): geometry type 'Point' is not supported"},
      {"no coordinates", Collection(R"({"type":"Feature","geometry":{"type":"Polygon"}})"),
       "has no \"coordinates\""},
      {"no geometry", Collection(R"({"type":"Feature","properties":{}})"),
       "the feature has no \"geometry\""},
      {"not closed", Collection(PolygonFeature("{}", "[[[4,52],[5,52],[5,53],[4,53]]]")),
       "a ring is not closed"},
      {"three positions", Collection(PolygonFeature("{}", "[[[4,52],[5,52],[4,52]]]")),
       "a ring has 3 positions"},
      {"one number", Collection(PolygonFeature("{}", "[[[4],[5,52],[5,53],[4]]]")),
       "a position needs 2 numbers"},
      {"four numbers", Collection(PolygonFeature("{}", "[[[4,52,1,2],[5,52],[5,53],[4,52]]]")),
       "more than 3 numbers"},
      {"polygon nested too shallow", Collection(PolygonFeature("{}", "[[4,52],[5,52]]")),
       "expected an array of numbers"},
      {"RD New metres",
       Collection(PolygonFeature(
           "{}", "[[[121000,487000],[122000,487000],[122000,488000],[121000,487000]]]")),
       "is not WGS84 [lon, lat] in degrees"},
      {"crs RD New",
       R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}},"features":[]})",
       "EPSG:28992 (RD New"},
      {"crs other", R"({"type":"FeatureCollection","crs":{"name":"EPSG:3857"},"features":[]})",
       "not WGS84"},
      {"second feature bad",
       Collection(PolygonFeature("{}", square) + "," + PolygonFeature("{}", "[[]]")),
       "(feature 1): a ring has 0 positions"},
      {"deep nesting",
       Collection(R"({"type":"Feature","x":)" + std::string(100, '[') + std::string(100, ']') +
                  R"(,"geometry":null})"),
       "nesting is too deep"},
      {"huge number",
       Collection(PolygonFeature("{}", "[[[1e999,52],[5,52],[5,53],[1e999,52]]]")),
       "out of range"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<std::vector<GeoJsonFeature>> result =
        ParseGeoJsonPolygons(c.text, "t.geojson");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(Message(result.status()).find(c.reason), std::string::npos)
        << Message(result.status());
    EXPECT_NE(Message(result.status()).find("t.geojson: byte "), std::string::npos);
  }
}

TEST(GeoJson, TruncatedRealFileFailsCleanlyAtEveryLength) {
  WEGWIJZER_REQUIRE_SHARED_DATA();
  absl::StatusOr<std::string> text = ReadFile(testing::MunicipalitiesGeoJson());
  ASSERT_TRUE(text.ok());
  // A download cut short must never read as a shorter valid file.
  for (size_t length = 0; length < text->size(); length += 9973) {
    EXPECT_FALSE(ParseGeoJsonPolygons(std::string_view(*text).substr(0, length), "cut").ok())
        << length;
  }
  EXPECT_TRUE(ParseGeoJsonPolygons(*text, "whole").ok());
}

TEST(GeoJson, ReadsTheRealFiles) {
  WEGWIJZER_REQUIRE_SHARED_DATA();
  absl::StatusOr<std::string> municipalities = ReadFile(testing::MunicipalitiesGeoJson());
  ASSERT_TRUE(municipalities.ok());
  absl::StatusOr<std::vector<GeoJsonFeature>> features =
      ParseGeoJsonPolygons(*municipalities, "gemeenten");
  ASSERT_TRUE(features.ok()) << features.status();
  EXPECT_EQ(features->size(), 343u);  // 342 municipalities and GM0998
  size_t multi = 0;
  for (const GeoJsonFeature& f : *features) multi += f.polygons.size() > 1;
  EXPECT_EQ(multi, 23u);  // SOURCES.md: 320 Polygon and 23 MultiPolygon features

  if (!std::filesystem::exists(testing::PostcodesGeoJson())) return;
  absl::StatusOr<std::string> pc4 = ReadFile(testing::PostcodesGeoJson());
  ASSERT_TRUE(pc4.ok());
  absl::StatusOr<std::vector<GeoJsonFeature>> areas = ParseGeoJsonPolygons(*pc4, "pc4");
  ASSERT_TRUE(areas.ok()) << areas.status();
  EXPECT_EQ(areas->size(), 4067u);
  EXPECT_EQ(areas->front().Property("pc4"), "1011");
}

}  // namespace
}  // namespace wegwijzer::internal
