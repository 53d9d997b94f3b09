// The gazetteer (lib/gazetteer.cc): on a tiny hand-made map, every load error with its
// message; on the real map of 2023 (../shared/data, skipped when absent), that the
// lookups agree with the polygons (Boost.Geometry as the oracle), that postcode
// centroids lie in the municipality the data assigns them (up to the documented
// border cases), and that the five invalid polygons are repaired.
#include "wegwijzer/gazetteer.h"

#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>

#include "interchange/csv_tokenizer.h"
#include "geography/gazetteer_geometry.h"
#include "gtest/gtest.h"
#include "testing/shared_data.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/router.h"
#include "wegwijzer/v1/directory.pb.h"
#include "wegwijzer/v1/request.pb.h"

namespace wegwijzer {
namespace {

namespace bg = boost::geometry;

std::string Message(const absl::Status& status) { return std::string(status.message()); }

// Two municipalities side by side: West [4.0, 4.1] and East [4.1, 4.2] x [52.0, 52.1],
// East with a hole (a lake) at [4.14, 4.16] x [52.04, 52.06].
constexpr char kTinyMap[] = R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"gemeentecode":"GM0001","gemeentenaam":"West"},
 "geometry":{"type":"Polygon","coordinates":[[[4.0,52.0],[4.1,52.0],[4.1,52.1],[4.0,52.1],[4.0,52.0]]]}},
{"type":"Feature","properties":{"gemeentecode":"GM0002","gemeentenaam":"East"},
 "geometry":{"type":"Polygon","coordinates":[[[4.1,52.0],[4.2,52.0],[4.2,52.1],[4.1,52.1],[4.1,52.0]],
   [[4.14,52.04],[4.14,52.06],[4.16,52.06],[4.16,52.04],[4.14,52.04]]]}},
{"type":"Feature","properties":{"gemeentecode":"GM0998","gemeentenaam":"Buitenland"},
 "geometry":{"type":"Polygon","coordinates":[[[4.3,52.0],[4.4,52.0],[4.4,52.1],[4.3,52.0]]]}}
]})";

constexpr char kTinyPostcodes[] =
    "pc4,lat,lon,gm_code_2023\n"
    "1111,52.05,4.05,GM0001\n"
    "2222,52.05,4.18,\n"       // no code: derived from the centroid (East)
    "3333,52.05,4.15,\n"       // centroid in East's lake: in no municipality
    "4444,52.05,4.099,GM0002\n";  // the table's word beats the centroid's

std::shared_ptr<const Gazetteer> Tiny() {
  absl::StatusOr<std::shared_ptr<const Gazetteer>> g =
      Gazetteer::Parse(kTinyMap, kTinyPostcodes);
  EXPECT_TRUE(g.ok()) << g.status();
  return g.ok() ? *g : nullptr;
}

TEST(Gazetteer, TinyMapLookups) {
  std::shared_ptr<const Gazetteer> g = Tiny();
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->municipality_count(), 2u);
  ASSERT_EQ(g->excluded().size(), 1u);
  EXPECT_EQ(g->excluded()[0], "GM0998");
  EXPECT_TRUE(g->repairs().empty());
  EXPECT_EQ(g->MunicipalityAt({52.05, 4.05})->code, "GM0001");
  EXPECT_EQ(g->MunicipalityAt({52.05, 4.05})->name, "West");
  EXPECT_EQ(g->MunicipalityAt({52.02, 4.15})->code, "GM0002");
  EXPECT_FALSE(g->MunicipalityAt({52.05, 4.15}));   // the lake
  EXPECT_FALSE(g->MunicipalityAt({52.01, 4.38}));   // GM0998 was excluded
  EXPECT_FALSE(g->MunicipalityAt({53.0, 4.05}));    // beyond the map
  EXPECT_FALSE(g->MunicipalityAt({std::nan(""), 4.05}));
  EXPECT_FALSE(g->MunicipalityAt({91, 4.05}));
  EXPECT_EQ(g->FindMunicipality("GM0002")->name, "East");
  EXPECT_FALSE(g->FindMunicipality("GM0998"));

  EXPECT_EQ(g->postcode_count(), 4u);
  EXPECT_EQ(g->Postcode(1111)->municipality_code, "GM0001");
  EXPECT_EQ(g->Postcode(1111)->centroid, (LatLng{52.05, 4.05}));
  EXPECT_EQ(g->Postcode("2222")->municipality_code, "GM0002");
  EXPECT_EQ(g->Postcode("3333")->municipality_code, "");
  EXPECT_EQ(g->Postcode("4444 AB")->municipality_code, "GM0002");
  EXPECT_FALSE(g->Postcode(5555));
  EXPECT_FALSE(g->Postcode(999));
  EXPECT_FALSE(g->Postcode("11x1"));
  std::vector<PostcodeArea> all = g->postcodes();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all.front().pc4, 1111);
  EXPECT_EQ(all.back().pc4, 4444);
}

TEST(Gazetteer, ParsePostcode) {
  for (auto [text, pc4] : std::vector<std::pair<std::string, int>>{
           {"1011", 1011}, {"1011AB", 1011}, {"1011 AB", 1011}, {"1011ab", 1011},
           {" 9999 ZZ\t", 9999}, {"1000", 1000}}) {
    EXPECT_EQ(Gazetteer::ParsePostcode(text), pc4) << text;
  }
  for (std::string text : {"", "101", "0123", "10111", "1011A", "1011ABC", "1011  AB",
                           "1011-AB", "1011 1B", "AB1011", "１０１１"}) {
    EXPECT_EQ(Gazetteer::ParsePostcode(text), std::nullopt) << text;
  }
}

TEST(Gazetteer, LoadErrorsNameTheFileAndTheReason) {
  struct Case {
    std::string geojson, csv, reason;
  };
  const std::string map = kTinyMap;
  const std::vector<Case> cases = {
      {"{", "", "municipalities.geojson: byte 1: expected a string"},
      {R"({"type":"FeatureCollection","features":[]})", "", "no municipalities"},
      {R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":null}]})",
       "", "byte 40 (feature 0): no municipality code"},
      {R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"gemeentecode":"GM1"},"geometry":null}]})",
       "", "(feature 0): 'GM1' has no polygons"},
      {R"({"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"gemeentecode":"GM1"},"geometry":{"type":"Polygon","coordinates":[[[4,52],[5,52],[5,53],[4,52]]]}},
        {"type":"Feature","properties":{"gemeentecode":"GM1"},"geometry":{"type":"Polygon","coordinates":[[[4,52],[5,52],[5,53],[4,52]]]}}]})",
       "", "(feature 1): duplicate municipality code 'GM1' (first in feature 0)"},
      {map, "pc,lat,lon\n", "postcodes.csv:1: missing required column 'pc4'"},
      {map, "pc4,lat\n", "postcodes.csv:1: missing required column 'lon'"},
      {map, "pc4,lat,lon\n1111,52,4\n1111,52,4\n", "postcodes.csv:3: pc4: 1111 is given twice"},
      {map, "pc4,lat,lon\n999,52,4\n", "postcodes.csv:2: pc4: '999' is not a postcode"},
      {map, "pc4,lat,lon\n1111,52,\n", "postcodes.csv:2: postcode 1111: lat/lon '52', ''"},
      {map, "pc4,lat,lon\n1111,95,4\n", "are not WGS84 degrees"},
      {map, "pc4,lat,lon\n1111,52,4,5\n", "postcodes.csv:2: has 4 fields, the header has 3"},
      {map, "pc4,lat,lon,gm_code\n1111,52,4,GM0998\n",
       "postcodes.csv:2: postcode 1111: municipality 'GM0998' is not in municipalities.geojson"},
      {map, "pc4,lat,lon\n\"1111,52,4\n", "postcodes.csv: line 2: a quoted field never closes"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.reason);
    absl::StatusOr<std::shared_ptr<const Gazetteer>> g = Gazetteer::Parse(c.geojson, c.csv);
    ASSERT_FALSE(g.ok());
    EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(Message(g.status()).find(c.reason), std::string::npos) << g.status();
  }
  EXPECT_FALSE(Gazetteer::Parse(kTinyMap, "", {.cell_km = 0}).ok());
  absl::StatusOr<std::shared_ptr<const Gazetteer>> missing =
      Gazetteer::Load("/nonexistent/gemeenten.geojson");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(Message(missing.status()).find("/nonexistent/gemeenten.geojson"), std::string::npos);
}

TEST(Gazetteer, ResolveCompletesARequestOfTheProtobufModel) {
  std::shared_ptr<const Gazetteer> g = Tiny();
  ASSERT_NE(g, nullptr);
  v1::Request request;
  request.set_id("r1");
  request.set_postcode("1111 AB");
  ASSERT_TRUE(g->Resolve(&request).ok());
  EXPECT_EQ(request.position().lat_deg(), 52.05);
  EXPECT_EQ(request.position().lon_deg(), 4.05);
  EXPECT_EQ(request.municipality(), "GM0001");

  v1::Request by_position;
  by_position.set_id("r2");
  by_position.mutable_position()->set_lat_deg(52.02);
  by_position.mutable_position()->set_lon_deg(4.15);
  ASSERT_TRUE(g->Resolve(&by_position).ok());
  EXPECT_EQ(by_position.municipality(), "GM0002");

  v1::Request given;
  given.set_id("r3");
  given.set_postcode("1111");
  given.set_municipality("GM0363");  // taken as written
  ASSERT_TRUE(g->Resolve(&given).ok());
  EXPECT_EQ(given.municipality(), "GM0363");

  v1::Request bad;
  bad.set_id("r4");
  EXPECT_EQ(g->Resolve(&bad).code(), absl::StatusCode::kInvalidArgument);
  bad.set_postcode("11AB");
  EXPECT_EQ(g->Resolve(&bad).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(Message(g->Resolve(&bad)).find("request 'r4': postcode '11AB'"), std::string::npos);
  bad.set_postcode("5555");
  EXPECT_EQ(g->Resolve(&bad).code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(bad.has_position());
}

TEST(Gazetteer, ServiceAreaOfMunicipalitiesIsAValidDrawnArea) {
  std::shared_ptr<const Gazetteer> g = Tiny();
  ASSERT_NE(g, nullptr);
  std::vector<std::string> codes = {"GM0001", "GM0002"};
  absl::StatusOr<v1::ServiceArea> area = g->ServiceAreaOf(codes);
  ASSERT_TRUE(area.ok()) << area.status();
  EXPECT_EQ(area->parts_size(), 1);  // united along the shared border
  EXPECT_EQ(area->parts(0).holes_size(), 1);  // East's lake
  v1::DirectorySnapshot snapshot;
  v1::Provider* p = snapshot.add_providers();
  p->set_id("area");
  p->set_kind(v1::PROVIDER_KIND_PHONE);
  p->add_topics(v1::TOPIC_DIGID);
  p->add_modes(v1::MODE_PHONE);
  *p->mutable_service_area() = *area;
  absl::StatusOr<std::shared_ptr<const Directory>> directory = Directory::Create(snapshot);
  ASSERT_TRUE(directory.ok()) << directory.status();
  Router router(*directory);
  Request inside{.id = "in", .position = {52.02, 4.05}, .topics = {Topic::kDigid}};
  Request lake{.id = "lake", .position = {52.05, 4.15}, .topics = {Topic::kDigid}};
  EXPECT_EQ(router.Route(inside, {.k = 3}).referrals.size(), 1u);
  EXPECT_EQ(router.Route(lake, {.k = 3}).referrals.size(), 0u);

  std::vector<std::string> unknown = {"GM0001", "GM9999"};
  EXPECT_EQ(g->ServiceAreaOf(unknown).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(g->ServiceAreaOf({}).status().code(), absl::StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------
// The real map of 2023.

// Rows of a CSV with a header, as maps (names such as "Nuenen, Gerwen en
// Nederwetten" are quoted).
std::vector<std::map<std::string, std::string>> ReadCsv(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  EXPECT_TRUE(text.ok()) << text.status();
  std::vector<std::map<std::string, std::string>> rows;
  if (!text.ok()) return rows;
  internal::CsvTokenizer tokenizer(*text);
  internal::CsvRecord header, record;
  tokenizer.Next(&header);
  while (tokenizer.Next(&record)) {
    std::map<std::string, std::string>& row = rows.emplace_back();
    for (size_t i = 0; i < header.fields.size() && i < record.fields.size(); ++i) {
      row[header.fields[i]] = record.fields[i];
    }
  }
  return rows;
}

class RealMap : public ::testing::Test {
 protected:
  void SetUp() override {
    WEGWIJZER_REQUIRE_SHARED_DATA();
    gazetteer_ = testing::RealGazetteer();
    ASSERT_NE(gazetteer_, nullptr) << "loading the real data failed; see RealMap.Loads";
  }
  std::shared_ptr<const Gazetteer> gazetteer_;
};

TEST_F(RealMap, Loads) {
  absl::StatusOr<std::shared_ptr<const Gazetteer>> g =
      Gazetteer::Load(testing::MunicipalitiesGeoJson(), testing::PostcodesCsv());
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ((*g)->municipality_count(), 342u);
  EXPECT_EQ((*g)->postcode_count(), 4067u);
  ASSERT_EQ((*g)->excluded().size(), 1u);
  EXPECT_EQ((*g)->excluded()[0], "GM0998");
  EXPECT_FALSE((*g)->FindMunicipality("GM0998"));
}

TEST_F(RealMap, RepairsExactlyTheFiveInvalidPolygons) {
  std::vector<std::string> codes;
  for (const PolygonRepair& r : gazetteer_->repairs()) {
    codes.push_back(r.code);
    EXPECT_TRUE(r.valid) << r.ToString();
    EXPECT_FALSE(r.problem.empty());
    std::cout << "  " << r.ToString();
  }
  EXPECT_EQ(codes, (std::vector<std::string>{"GM0303", "GM0716", "GM0852", "GM1895", "GM1924"}));
  // Every municipality's geometry is now valid, so Boost's exact operations apply.
  const internal::GazetteerGeometry& geometry = gazetteer_->geometry();
  for (size_t m = 0; m < geometry.municipalities.size(); ++m) {
    std::string reason;
    EXPECT_TRUE(bg::is_valid(geometry.municipalities[m], reason))
        << gazetteer_->municipality(m).code << ": " << reason;
  }
}

TEST_F(RealMap, KnownPlaces) {
  auto at = [&](double lat, double lon) -> std::string {
    std::optional<Municipality> m = gazetteer_->MunicipalityAt({lat, lon});
    return m ? std::string(m->code) : "none";
  };
  EXPECT_EQ(at(52.3731, 4.8926), "GM0363");  // Amsterdam, Dam
  EXPECT_EQ(at(51.9225, 4.4792), "GM0599");  // Rotterdam, Coolsingel
  EXPECT_EQ(at(52.0907, 5.1214), "GM0344");  // Utrecht, Domplein
  EXPECT_EQ(at(53.2194, 6.5665), "GM0014");  // Groningen, Grote Markt
  EXPECT_EQ(at(50.8514, 5.6910), "GM0935");  // Maastricht, Vrijthof
  EXPECT_EQ(at(52.4000, 3.9000), "none");    // North Sea
  EXPECT_EQ(at(51.2277, 6.7735), "none");    // Düsseldorf
  EXPECT_EQ(at(51.2194, 4.4025), "none");    // Antwerpen
  EXPECT_EQ(at(52.80, 5.30), "none");        // IJsselmeer (left out by the coast clip)
  EXPECT_EQ(gazetteer_->MunicipalityAt({52.3731, 4.8926})->name, "Amsterdam");
  EXPECT_EQ(gazetteer_->Postcode("1011AB")->municipality_code, "GM0363");
  EXPECT_NEAR(gazetteer_->Postcode(1011)->centroid.lat_deg, 52.3719, 1e-4);
  EXPECT_NEAR(gazetteer_->Postcode(1011)->centroid.lon_deg, 4.9055, 1e-4);
  EXPECT_FALSE(gazetteer_->Postcode(1000));  // not an area in the table
}

TEST_F(RealMap, BaarleEnclavesAreAbroad) {
  // GM0998 "Buitenland" is the Belgian enclaves at Baarle: excluded, so its own
  // interior point lies in no municipality, while Baarle-Nassau around it is GM0744.
  absl::StatusOr<std::string> text = ReadFile(testing::MunicipalitiesGeoJson());
  ASSERT_TRUE(text.ok());
  absl::StatusOr<std::shared_ptr<const Gazetteer>> with_enclave =
      Gazetteer::Parse(*text, "", {.excluded_codes = {}});
  ASSERT_TRUE(with_enclave.ok());
  EXPECT_EQ((*with_enclave)->municipality_count(), 343u);
  int enclave_points = 0;
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> lat(51.42, 51.46), lon(4.90, 4.96);
  for (int i = 0; i < 20000; ++i) {
    const LatLng p{lat(rng), lon(rng)};
    std::optional<Municipality> m = (*with_enclave)->MunicipalityAt(p);
    if (!m || m->code != "GM0998") continue;
    ++enclave_points;
    EXPECT_FALSE(gazetteer_->MunicipalityAt(p)) << p.lat_deg << ", " << p.lon_deg;
  }
  EXPECT_GT(enclave_points, 10);
}

TEST_F(RealMap, LookupsAgreeWithThePolygons) {
  // Oracle: Boost.Geometry's covered_by on every (repaired) municipality polygon.
  const internal::GazetteerGeometry& geometry = gazetteer_->geometry();
  std::vector<bg::model::box<internal::GeoPoint>> boxes;
  for (const auto& m : geometry.municipalities) {
    boxes.push_back(bg::return_envelope<bg::model::box<internal::GeoPoint>>(m));
  }
  auto covering = [&](LatLng p) {
    std::set<std::string_view> codes;
    const internal::GeoPoint point(p.lon_deg, p.lat_deg);
    for (size_t m = 0; m < boxes.size(); ++m) {
      if (bg::covered_by(point, boxes[m]) && bg::covered_by(point, geometry.municipalities[m])) {
        codes.insert(gazetteer_->municipality(m).code);
      }
    }
    return codes;
  };
  auto check = [&](LatLng p) {
    const std::set<std::string_view> expected = covering(p);
    std::optional<Municipality> found = gazetteer_->MunicipalityAt(p);
    if (expected.empty()) {
      EXPECT_FALSE(found) << p.lat_deg << ", " << p.lon_deg << " -> " << found->code;
    } else {
      EXPECT_TRUE(found && expected.count(found->code)) << p.lat_deg << ", " << p.lon_deg;
    }
    return !expected.empty();
  };
  std::mt19937_64 rng(2023);
  std::uniform_real_distribution<double> lat(50.70, 53.60), lon(3.30, 7.30);
  int inside = 0;
  for (int i = 0; i < 50000; ++i) inside += check({lat(rng), lon(rng)});
  EXPECT_GT(inside, 15000);
  // Dense around the repaired defects, where a careless repair would show.
  for (LatLng defect : {LatLng{52.37887, 5.67918}, LatLng{51.63398, 4.20677},
                        LatLng{52.43987, 5.09269}, LatLng{53.32519, 7.13301},
                        LatLng{53.32568, 7.14209}, LatLng{51.69842, 4.37878}}) {
    std::uniform_real_distribution<double> dlat(-0.004, 0.004), dlon(-0.006, 0.006);
    for (int i = 0; i < 3000; ++i) check({defect.lat_deg + dlat(rng), defect.lon_deg + dlon(rng)});
  }
}

TEST_F(RealMap, PostcodeCentroidsLieInTheirMunicipality) {
  // pc4_centroids.csv assigns each area the municipality with the largest overlap
  // (gm_overlap_share). An area wholly inside one (share 1) must have its centroid
  // and its inside point there. An area across a border or the coast may have its
  // centroid elsewhere or at sea: SOURCES.md documents these; count them.
  int wholly = 0, border = 0, border_elsewhere = 0;
  for (const auto& row : ReadCsv(testing::PostcodesCsv())) {
    const int pc4 = std::stoi(row.at("pc4"));
    std::optional<PostcodeArea> area = gazetteer_->Postcode(pc4);
    ASSERT_TRUE(area) << pc4;
    EXPECT_EQ(area->municipality_code, row.at("gm_code_2023")) << pc4;
    std::optional<Municipality> at_centroid = gazetteer_->MunicipalityAt(area->centroid);
    const bool same = at_centroid && at_centroid->code == row.at("gm_code_2023");
    if (std::stod(row.at("gm_overlap_share")) >= 1.0) {
      ++wholly;
      EXPECT_TRUE(same) << pc4 << " centroid in "
                        << (at_centroid ? at_centroid->code : "no municipality");
      const LatLng inside{std::stod(row.at("inside_lat")), std::stod(row.at("inside_lon"))};
      std::optional<Municipality> at_inside = gazetteer_->MunicipalityAt(inside);
      EXPECT_TRUE(at_inside && at_inside->code == row.at("gm_code_2023")) << pc4;
    } else {
      ++border;
      border_elsewhere += !same;
    }
  }
  std::cout << "  " << wholly << " postcode areas wholly inside a municipality, all centroids "
            << "there; " << border << " across a border or coast, " << border_elsewhere
            << " with the centroid elsewhere or at sea\n";
  EXPECT_GT(wholly, 1500);
  EXPECT_LE(border_elsewhere, border / 100);  // measured: 17 of 2,400
}

TEST_F(RealMap, InsidePointsOfMunicipalitiesLieInThem) {
  // gemeenten_2023.csv gives a point guaranteed inside each (made-valid) polygon,
  // computed independently (shapely's representative_point).
  int rows = 0;
  for (const auto& row : ReadCsv(testing::MunicipalitiesCsv())) {
    ++rows;
    const LatLng inside{std::stod(row.at("inside_lat")), std::stod(row.at("inside_lon"))};
    std::optional<Municipality> m = gazetteer_->MunicipalityAt(inside);
    ASSERT_TRUE(m) << row.at("gm_code");
    EXPECT_EQ(m->code, row.at("gm_code"));
    EXPECT_EQ(m->name, row.at("gm_naam"));
  }
  EXPECT_EQ(rows, 342);
}

TEST_F(RealMap, ServiceAreaOfNeighbouringMunicipalities) {
  std::vector<std::string> codes = {"GM0363", "GM0384"};  // Amsterdam and Diemen
  absl::StatusOr<v1::ServiceArea> area = gazetteer_->ServiceAreaOf(codes);
  ASSERT_TRUE(area.ok()) << area.status();
  v1::DirectorySnapshot snapshot;
  v1::Provider* p = snapshot.add_providers();
  p->set_id("amstel");
  p->set_kind(v1::PROVIDER_KIND_PHONE);
  p->add_topics(v1::TOPIC_DIGID);
  p->add_modes(v1::MODE_PHONE);
  *p->mutable_service_area() = *area;
  absl::StatusOr<std::shared_ptr<const Directory>> directory = Directory::Create(snapshot);
  ASSERT_TRUE(directory.ok()) << directory.status();
  Router router(*directory);
  auto suits = [&](int pc4) {
    Request r{.id = "r", .position = gazetteer_->Postcode(pc4)->centroid,
              .topics = {Topic::kDigid}};
    return router.Route(r, {.k = 1}).referrals.size() == 1;
  };
  EXPECT_TRUE(suits(1011));   // Amsterdam
  EXPECT_TRUE(suits(1111));   // Diemen
  EXPECT_FALSE(suits(3511));  // Utrecht
}

}  // namespace
}  // namespace wegwijzer
