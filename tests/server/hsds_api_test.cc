// The HSDS API 3.0 read endpoints (api_hsds.cc) and the /services filters of the
// library (SetHsdsServiceFilter, FindHsdsServices), on a small directory whose
// expected answers are counted by hand from its JSON (the comments give the count),
// and every endpoint's response checked against the specification's schemas
// (hsds_schema.h) for each sample directory of ../shared/data/hsds.
// The API is called in-process (Api::Handle); server_test covers the transport.
#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api.h"
#include "hsds_schema.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/gazetteer.h"
#include "wegwijzer/openreferral.h"
#include "wegwijzer/v1/directory.pb.h"
#include "wegwijzer/v1/openreferral.pb.h"

namespace wegwijzer::server {
namespace {

using ::google::protobuf::Value;
using ::testing::HasSubstr;

// Three services of two organizations.
//   s1 o1 term t1 (taxonomy_id X)      modified 2024-03-01  age 18..      MO,TU 09-17 (own)
//   s2 o1 term t2 (taxonomy_detail Y)  modified 2023-12-31  age ..17      SA 10-12 (its sal)
//   s3 o2 term t1 (taxonomy_id X)      (none)               age 65..120   FR 13-16 (location)
// Locations: loc1 "1011 AB", loc2 "1012CD", loc3 "2000 XX".
constexpr std::string_view kServiceList = R"({"total_items": 3, "contents": [
 {"id": "s1", "name": "Digicafe", "description": "Help met DigiD", "status": "active",
  "organization_id": "o1", "last_modified": "2024-03-01T10:00:00Z", "minimum_age": 18,
  "organization": {"id": "o1", "name": "Bibliotheek", "description": "De bieb"},
  "schedules": [{"id": "sc1", "freq": "WEEKLY", "byday": "MO,TU", "opens_at": "09:00", "closes_at": "17:00"}],
  "attributes": [{"id": "a1", "taxonomy_term": {"id": "t1", "name": "Digitaal", "description": "d",
     "taxonomy": "taxonomy", "code": "code", "taxonomy_id": "X"}}],
  "service_at_locations": [{"id": "sal1", "location": {"id": "loc1", "name": "Centrale",
     "location_type": "physical", "latitude": 52.3757, "longitude": 4.9083,
     "addresses": [{"id": "ad1", "address_1": "Oosterdokskade 143", "city": "Amsterdam", "state_province": "Noord-Holland",
                    "postal_code": "1011 AB", "country": "NL", "address_type": "physical"}]}}]},
 {"id": "s2", "name": "Klik en Tik", "description": "Computer basics", "status": "active",
  "organization_id": "o1", "last_modified": "2023-12-31", "maximum_age": 17,
  "attributes": [{"id": "a2", "taxonomy_term": {"id": "t2", "name": "Computer", "description": "c",
     "taxonomy": "taxonomy", "code": "code",
     "taxonomy_detail": {"id": "Y", "name": "Why", "description": "Y tax"}}}],
  "service_at_locations": [{"id": "sal2",
     "schedules": [{"id": "sc2", "freq": "WEEKLY", "byday": "SA", "opens_at": "10:00", "closes_at": "12:00"}],
     "location": {"id": "loc2", "name": "Oost",
     "location_type": "physical", "latitude": 52.36, "longitude": 4.93,
     "addresses": [{"id": "ad2", "address_1": "Linnaeusstraat 1", "city": "Amsterdam", "state_province": "Noord-Holland",
                    "postal_code": "1012CD", "country": "NL", "address_type": "physical"}]}}]},
 {"id": "s3", "name": "Digicafe Noord", "description": "Hulp", "status": "active", "organization_id": "o2",
  "minimum_age": 65, "maximum_age": 120,
  "organization": {"id": "o2", "name": "Buurthuis", "description": "Het buurthuis"},
  "attributes": [{"id": "a3", "taxonomy_term": {"id": "t1", "name": "Digitaal", "description": "d",
     "taxonomy": "taxonomy", "code": "code", "taxonomy_id": "X"}}],
  "service_at_locations": [{"id": "sal3", "location": {"id": "loc3", "name": "Noord",
     "location_type": "physical", "latitude": 52.40, "longitude": 4.92,
     "schedules": [{"id": "sc3", "freq": "WEEKLY", "byday": "FR", "opens_at": "13:00", "closes_at": "16:00"}],
     "addresses": [{"id": "ad3", "address_1": "Buikslotermeerplein 1", "city": "Haarlem", "state_province": "Noord-Holland",
                    "postal_code": "2000 XX", "country": "NL", "address_type": "physical"}]}}]}
]})";

// The response with its whole body in `body` (a page of GET /services comes as views
// into the records formatted at load, in `more`).
HttpResponse Flat(HttpResponse r) {
  r.body = r.Text();
  r.more.clear();
  return r;
}

std::shared_ptr<const Directory> MakeDirectory(std::string_view text) {
  absl::StatusOr<HsdsImport> in = ImportHsdsJson(text, "service_list.json");
  EXPECT_TRUE(in.ok()) << in.status();
  absl::StatusOr<std::shared_ptr<const Directory>> d = Directory::Create(*in->snapshot);
  EXPECT_TRUE(d.ok()) << d.status();
  return *d;
}

Value ParseJson(const std::string& text) {
  Value value;
  const auto status = google::protobuf::util::JsonStringToMessage(text, &value);
  EXPECT_TRUE(status.ok()) << status << "\n" << text.substr(0, 300);
  return value;
}

const Value* Field(const Value& v, const std::string& name) {
  if (v.kind_case() != Value::kStructValue) return nullptr;
  auto it = v.struct_value().fields().find(name);
  return it == v.struct_value().fields().end() ? nullptr : &it->second;
}

// The ids of a page's contents, in order.
std::vector<std::string> Ids(const Value& page) {
  std::vector<std::string> ids;
  const Value* contents = Field(page, "contents");
  if (contents == nullptr) return ids;
  for (const Value& item : contents->list_value().values()) {
    const Value* id = Field(item, "id");
    ids.push_back(id == nullptr ? "(no id)" : id->string_value());
  }
  return ids;
}

class HsdsApiTest : public ::testing::Test {
 protected:
  void SetUp() override { api_ = std::make_unique<Api>(Serve(MakeDirectory(kServiceList)), nullptr); }
  HttpResponse Get(std::string_view target, std::string_view method = "GET") {
    HttpRequest request;
    request.method = method;
    request.target = target;
    return Flat(api_->Handle(request));
  }
  std::unique_ptr<Api> api_;
};

std::string Header(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

TEST_F(HsdsApiTest, ListsAndRecordsCountedByHand) {
  struct Case {
    std::string target;
    std::vector<std::string> ids;
  };
  const std::vector<Case> cases = {
      {"/organizations", {"o1", "o2"}},
      {"/organizations?per_page=1&page=2", {"o2"}},
      {"/service_at_locations", {"sal1", "sal2", "sal3"}},
      {"/service_at_locations?postcode=1011", {"sal1"}},
      {"/service_at_locations?postcode=101", {"sal1", "sal2"}},
      {"/service_at_locations?postcode=1011ab", {"sal1"}},
      {"/service_at_locations?postcode=1012+cd", {"sal2"}},
      {"/service_at_locations?postcode=9999", {}},
      {"/taxonomy_terms", {"t1", "t2"}},
      {"/taxonomies", {"X", "Y"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.target);
    HttpResponse r = Get(c.target);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(Header(r, "Access-Control-Allow-Origin"), "*");
    const Value page = ParseJson(r.body);
    EXPECT_EQ(Ids(page), c.ids);
  }
  // Paging envelope on the second page of two.
  const Value second = ParseJson(Get("/organizations?per_page=1&page=2").body);
  EXPECT_EQ(Field(second, "total_items")->number_value(), 2);
  EXPECT_EQ(Field(second, "total_pages")->number_value(), 2);
  EXPECT_EQ(Field(second, "page_number")->number_value(), 2);
  EXPECT_EQ(Field(second, "size")->number_value(), 1);
  EXPECT_FALSE(Field(second, "first_page")->bool_value());
  EXPECT_TRUE(Field(second, "last_page")->bool_value());
  const Value beyond = ParseJson(Get("/taxonomy_terms?page=5").body);
  EXPECT_TRUE(Field(beyond, "empty")->bool_value());
  EXPECT_EQ(Field(beyond, "total_items")->number_value(), 2);

  // One record by id; the service_at_location carries its location.
  struct One {
    std::string target, key, value;
  };
  for (const One& c : std::vector<One>{{"/organizations/o2", "name", "Buurthuis"},
                                       {"/taxonomy_terms/t2", "name", "Computer"},
                                       {"/taxonomies/Y", "description", "Y tax"},
                                       {"/taxonomies/X", "name", "taxonomy"},
                                       {"/service_at_locations/sal3", "id", "sal3"}}) {
    SCOPED_TRACE(c.target);
    HttpResponse r = Get(c.target);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Header(r, "Access-Control-Allow-Origin"), "*");
    const Value record = ParseJson(r.body);
    ASSERT_NE(Field(record, c.key), nullptr);
    EXPECT_EQ(Field(record, c.key)->string_value(), c.value);
  }
  const Value sal3 = ParseJson(Get("/service_at_locations/sal3").body);
  ASSERT_NE(Field(sal3, "location"), nullptr);
  EXPECT_EQ(Field(*Field(sal3, "location"), "id")->string_value(), "loc3");

  // ndjson: one record per line, no envelope.
  HttpResponse nd = Get("/service_at_locations?format=ndjson&postcode=101");
  ASSERT_EQ(nd.status, 200);
  EXPECT_EQ(nd.content_type, "application/x-ndjson");
  EXPECT_EQ(std::count(nd.body.begin(), nd.body.end(), '\n'), 2);
  EXPECT_EQ(Field(ParseJson(nd.body.substr(0, nd.body.find('\n'))), "id")->string_value(), "sal1");
}

TEST_F(HsdsApiTest, BadParametersAndUnknownIds) {
  struct Case {
    std::string target;
    int status;
    std::string names;  // what the message must name
  };
  const std::vector<Case> cases = {
      {"/organizations?page=0", 400, "page"},
      {"/organizations?page=x", 400, "page"},
      {"/organizations?per_page=0", 400, "per_page"},
      {"/organizations?per_page=1000000", 400, "per_page"},
      {"/taxonomies?format=xml", 400, "format"},
      {"/taxonomy_terms?colour=red", 400, "colour"},
      {"/organizations?postcode=1011", 400, "postcode"},
      {"/service_at_locations?proximity=5", 400, "proximity: needs a postcode"},
      {"/service_at_locations?postcode=%zz", 400, "postcode"},
      {"/organizations/nope", 404, "nope"},
      {"/taxonomies/nope", 404, "nope"},
      {"/taxonomy_terms/nope", 404, "nope"},
      {"/service_at_locations/nope", 404, "nope"},
      {"/organizations/%zz", 400, "organization id"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.target);
    HttpResponse r = Get(c.target);
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_THAT(r.body, HasSubstr("\"error\":{\"code\":" + std::to_string(c.status)));
    EXPECT_THAT(r.body, HasSubstr(c.names));
  }
  HttpResponse post = Get("/organizations", "POST");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(Header(post, "Allow"), "GET");
}

// A gazetteer of one square municipality around Amsterdam and three postcode areas:
// 1011's centroid is loc1, 2000's is loc3, 1012's lies between. The distances, by the
// haversine computed apart (Python, R = 6,371,008.8 m):
//            loc1     loc2     loc3
//   1011        0   2284.4   2816.3
//   2000   2816.3   4499.3        0
//   1012    848.1   2320.7   3601.4
std::shared_ptr<const Gazetteer> SmallGazetteer() {
  const std::string geojson =
      R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":)"
      R"({"gemeentecode":"GM0363","gemeentenaam":"Amsterdam"},"geometry":{"type":"Polygon",)"
      R"("coordinates":[[[4.5,52.0],[5.5,52.0],[5.5,52.8],[4.5,52.8],[4.5,52.0]]]}}]})";
  const std::string postcodes = "pc4,lat,lon\n1011,52.3757,4.9083\n2000,52.40,4.92\n1012,52.37,4.90\n";
  absl::StatusOr<std::shared_ptr<const Gazetteer>> g = Gazetteer::Parse(geojson, postcodes);
  EXPECT_TRUE(g.ok()) << g.status();
  return g.ok() ? *g : nullptr;
}

// postcode and proximity on /service_at_locations: within the metres given of the
// postcode's centroid, nearest first, against the distances in SmallGazetteer's table.
TEST(HsdsProximityTest, WithinMetresOfThePostcodeNearestFirst) {
  Api api(Serve(MakeDirectory(kServiceList)), SmallGazetteer());
  auto get = [&](const std::string& target) {
    HttpRequest request;
    request.method = "GET";
    request.target = target;
    return Flat(api.Handle(request));
  };
  struct Case {
    std::string target;
    std::vector<std::string> ids;
  };
  for (const Case& c : std::vector<Case>{
           {"/service_at_locations?postcode=1011&proximity=0", {"sal1"}},
           {"/service_at_locations?postcode=1011&proximity=2284", {"sal1"}},
           {"/service_at_locations?postcode=1011&proximity=2285", {"sal1", "sal2"}},
           {"/service_at_locations?postcode=1011+AB&proximity=3000", {"sal1", "sal2", "sal3"}},
           {"/service_at_locations?proximity=3000&postcode=2000", {"sal3", "sal1"}},
           {"/service_at_locations?postcode=2000&proximity=5000", {"sal3", "sal1", "sal2"}},
           {"/service_at_locations?postcode=2000&proximity=5000&per_page=2&page=2", {"sal2"}},
           {"/service_at_locations?postcode=1012ab&proximity=2500.5", {"sal1", "sal2"}},
           {"/service_at_locations?postcode=1012&proximity=800", {}},
           // postcode alone stays the address prefix match (no gazetteer needed).
           {"/service_at_locations?postcode=2000", {"sal3"}},
       }) {
    SCOPED_TRACE(c.target);
    HttpResponse r = get(c.target);
    ASSERT_EQ(r.status, 200) << r.body;
    const Value page = ParseJson(r.body);
    EXPECT_EQ(Ids(page), c.ids);
  }
  HttpResponse nd = get("/service_at_locations?postcode=2000&proximity=5000&format=ndjson");
  ASSERT_EQ(nd.status, 200);
  EXPECT_EQ(nd.body.substr(0, 12), "{\"id\":\"sal3\"");
  EXPECT_EQ(std::count(nd.body.begin(), nd.body.end(), '\n'), 3);

  struct Bad {
    std::string target, message;
  };
  for (const Bad& c : std::vector<Bad>{
           {"/service_at_locations?proximity=500", "proximity: needs a postcode"},
           {"/service_at_locations?proximity=500&postcode=", "proximity: needs a postcode"},
           {"/service_at_locations?postcode=1011&proximity=-1", "proximity: '-1' is not a distance in metres"},
           {"/service_at_locations?postcode=1011&proximity=abc", "proximity: 'abc' is not a distance in metres"},
           {"/service_at_locations?postcode=1011&proximity=", "proximity: '' is not a distance in metres"},
           {"/service_at_locations?postcode=1011&proximity=5km", "proximity: '5km' is not a distance"},
           {"/service_at_locations?postcode=1011&proximity=nan", "proximity: 'nan' is not a distance"},
           {"/service_at_locations?postcode=1011&proximity=inf", "proximity: 'inf' is not a distance"},
           {"/service_at_locations?postcode=1011&proximity=%2B5", "proximity: '+5' is not a distance"},
           {"/service_at_locations?postcode=1011&proximity=30000000", "proximity: '30000000' is not a distance"},
           {"/service_at_locations?postcode=9999&proximity=500", "postcode: '9999' is not in this server's postcode table"},
           {"/service_at_locations?postcode=abcd&proximity=500", "postcode: 'abcd' is not a Dutch postcode"},
           {"/service_at_locations?postcode=0111&proximity=500", "postcode: '0111' is not a Dutch postcode"},
       }) {
    SCOPED_TRACE(c.target);
    HttpResponse r = get(c.target);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_THAT(r.body, HasSubstr("\"error\":{\"code\":400"));
    EXPECT_THAT(r.body, HasSubstr(c.message));
  }
  // Without a gazetteer, and with one that has no postcode table.
  for (std::shared_ptr<const Gazetteer> g : {std::shared_ptr<const Gazetteer>(),
                                             [] {
                                               auto x = Gazetteer::Parse(
                                                   R"({"type":"FeatureCollection","features":[]})", "");
                                               return x.ok() ? *x : nullptr;
                                             }()}) {
    Api bare(Serve(MakeDirectory(kServiceList)), g);
    HttpRequest request;
    request.method = "GET";
    request.target = "/service_at_locations?postcode=1011&proximity=500";
    HttpResponse r = Flat(bare.Handle(request));
    EXPECT_EQ(r.status, 400);
    EXPECT_THAT(r.body, HasSubstr("proximity: this server has no postcode table (start it with "
                                  "--municipalities and --postcodes)"));
  }
}

TEST(HsdsProximityTest, LibraryParsesMetresAndOrdersByDistance) {
  EXPECT_EQ(*ParseHsdsProximity("0"), 0);
  EXPECT_EQ(*ParseHsdsProximity("1500.25"), 1500.25);
  EXPECT_EQ(*ParseHsdsProximity("20040000"), 20'040'000);
  for (const char* bad : {"", "-0.5", "x", "1e3", " 5", "5 ", "0x10", "20040001"}) {
    absl::StatusOr<double> m = ParseHsdsProximity(bad);
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(std::string(m.status().message()), HasSubstr("proximity: '")) << bad;
  }
  std::shared_ptr<const Directory> d = MakeDirectory(kServiceList);
  const std::vector<HsdsNearby> near =
      FindHsdsServiceAtLocationsNear(d->snapshot().hsds(), {52.37, 4.90}, 1e9);
  ASSERT_EQ(near.size(), 3u);
  EXPECT_EQ(near[0].index, 0);
  EXPECT_NEAR(near[0].distance_m, 848.1, 0.1);
  EXPECT_EQ(near[1].index, 1);
  EXPECT_NEAR(near[1].distance_m, 2320.7, 0.1);
  EXPECT_EQ(near[2].index, 2);
  EXPECT_NEAR(near[2].distance_m, 3601.4, 0.1);
}

// /metrics labels the HSDS paths (and /v1/coverage) by endpoint, ids replaced.
TEST(HsdsMetricsTest, PathLabels) {
  for (const auto& [target, label] : std::vector<std::pair<std::string, std::string>>{
           {"/organizations?page=2", "/organizations"},
           {"/organizations/o1", "/organizations/{id}"},
           {"/service_at_locations", "/service_at_locations"},
           {"/service_at_locations/sal%201", "/service_at_locations/{id}"},
           {"/taxonomies", "/taxonomies"},
           {"/taxonomies/X", "/taxonomies/{id}"},
           {"/taxonomy_terms?format=ndjson", "/taxonomy_terms"},
           {"/taxonomy_terms/t1", "/taxonomy_terms/{id}"},
           {"/services/s1", "/services/{id}"},
           {"/services?minimal=true", "/services"},
           {"/v1/coverage", "/v1/coverage"},
           {"/organizations/o1/services", "other"},
           {"/organizationsX", "other"},
           {"/taxonomies/", "other"},
       }) {
    EXPECT_EQ(Metrics::PathLabel(target), label) << target;
  }
  // Each label is one of the bounded set, and is counted under its name.
  Api api(Serve(MakeDirectory(kServiceList)), nullptr);
  api.metrics().Record(Metrics::PathLabel("/taxonomy_terms/t1"), 200, 10);
  api.metrics().Record(Metrics::PathLabel("/service_at_locations?postcode=1011"), 400, 10);
  HttpRequest request;
  request.method = "GET";
  request.target = "/metrics";
  const std::string body = api.Handle(request).body;
  EXPECT_THAT(body, HasSubstr("wegwijzer_http_requests_total{path=\"/taxonomy_terms/{id}\",status=\"200\"} 1\n"));
  EXPECT_THAT(body, HasSubstr("wegwijzer_http_requests_total{path=\"/service_at_locations\",status=\"400\"} 1\n"));
  EXPECT_THAT(body, ::testing::Not(HasSubstr("path=\"other\"")));
}

// The /services filters of the library, each alone and combined with AND, against
// the hand count in kServiceList's comment.
TEST(HsdsServiceFilterTest, FiltersCountedByHand) {
  std::shared_ptr<const Directory> d = MakeDirectory(kServiceList);
  const v1::HsdsDirectory& hsds = d->snapshot().hsds();
  struct Case {
    std::vector<std::pair<std::string, std::string>> parameters;
    std::vector<std::string> ids;
  };
  const std::vector<Case> cases = {
      {{}, {"s1", "s2", "s3"}},
      {{{"taxonomy_id", "X"}}, {"s1", "s3"}},
      {{{"taxonomy_id", "Y"}}, {"s2"}},
      {{{"taxonomy_id", "Z"}}, {}},
      {{{"modified_after", "2024-01-01"}}, {"s1"}},
      {{{"modified_after", "2023-12-30"}}, {"s1", "s2"}},
      {{{"modified_after", "2024-03-01T10:00:00Z"}}, {}},  // after, not at
      {{{"modified_after", "2024-03-01T09:59:59Z"}}, {"s1"}},
      {{{"minimum_age", "70"}}, {"s1", "s3"}},
      {{{"maximum_age", "16"}}, {"s2"}},
      {{{"minimum_age", "18"}, {"maximum_age", "30"}}, {"s1"}},
      {{{"day", "MO"}}, {"s1"}},
      {{{"day", "saturday"}}, {"s2"}},
      {{{"day", "FR"}}, {"s3"}},
      {{{"day", "SU"}}, {}},
      {{{"day", "TU"}, {"start_time", "10:00"}, {"end_time", "16:30"}}, {"s1"}},
      {{{"day", "TU"}, {"start_time", "16:30"}, {"end_time", "17:30"}}, {}},
      {{{"start_time", "14:00"}}, {"s1", "s3"}},
      {{{"end_time", "11:00:00"}}, {"s1", "s2"}},
      {{{"start_time", "16:00"}, {"end_time", "24:00"}}, {}},
      {{{"organization_id", "o1"}, {"day", "SA"}}, {"s2"}},
      {{{"organization_id", "o2"}, {"day", "SA"}}, {}},
      {{{"taxonomy_term_id", "t1"}, {"minimum_age", "100"}}, {"s1", "s3"}},
      {{{"taxonomy_term_id", "t1"}, {"maximum_age", "20"}}, {"s1"}},
      {{{"search", "digicafe"}, {"modified_after", "2020-01-01"}}, {"s1"}},
  };
  for (const Case& c : cases) {
    HsdsServiceFilter filter;
    std::string trace;
    for (const auto& [name, value] : c.parameters) {
      trace += name + "=" + value + "&";
      ASSERT_TRUE(SetHsdsServiceFilter(name, value, &filter).ok()) << name << "=" << value;
    }
    SCOPED_TRACE(trace);
    std::vector<std::string> ids;
    for (int i : FindHsdsServices(hsds, filter)) ids.push_back(hsds.services(i).id());
    EXPECT_EQ(ids, c.ids);
  }
}

// The same filters through GET /services: each page holds the hand-counted services,
// and a bad value is a 400 naming the parameter.
TEST_F(HsdsApiTest, ServicesFiltersThroughTheApi) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"/services?taxonomy_id=X", {"s1", "s3"}},
      {"/services?modified_after=2024-01-01", {"s1"}},
      {"/services?minimum_age=18&maximum_age=30", {"s1"}},
      {"/services?day=saturday", {"s2"}},
      {"/services?day=TU&start_time=10:00&end_time=16:30", {"s1"}},
      {"/services?organization_id=o1&day=SA", {"s2"}},
      {"/services?taxonomy_term_id=t1&maximum_age=20", {"s1"}},
      {"/services?day=SU", {}},
      {"/services?search=digicafe&modified_after=2020-01-01&per_page=1", {"s1"}},
  };
  for (const auto& [target, ids] : cases) {
    HttpResponse r = Get(target);
    ASSERT_EQ(r.status, 200) << target << ": " << r.body;
    const Value page = ParseJson(r.body);
    EXPECT_EQ(Ids(page), ids) << target;
    EXPECT_EQ(Field(page, "total_items")->number_value(), static_cast<double>(ids.size())) << target;
  }
  for (const char* target : {"/services?minimum_age=x", "/services?day=funday",
                             "/services?end_time=24:30", "/services?modified_after=yesterday"}) {
    HttpResponse r = Get(target);
    EXPECT_EQ(r.status, 400) << target;
    const std::string name = std::string(target).substr(10, std::string(target).find('=') - 10);
    EXPECT_THAT(r.body, HasSubstr(name)) << target;
  }
}

// The list without its arrays, as the test computes it from the service_full record:
// service_list.json holds the one-to-one properties (and the organization's).
Value WithoutArrays(const Value& record) {
  Value out;
  auto* fields = out.mutable_struct_value()->mutable_fields();
  for (const auto& [name, value] : record.struct_value().fields()) {
    if (value.kind_case() == Value::kListValue) continue;
    (*fields)[name] = name == "organization" ? WithoutArrays(value) : value;
  }
  return out;
}

std::string Json(const Value& v) {
  std::string out;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(v, &out).ok());
  return out;
}

// Equal as JSON values (object members in any order).
::testing::AssertionResult SameJson(const Value& a, const Value& b) {
  if (google::protobuf::util::MessageDifferencer::Equals(a, b)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << Json(a) << "\n  differs from\n" << Json(b);
}

// GET /services: service_list records by default, minimal and full, format=ndjson,
// and the shapes combined with filters (AND) and paging.
TEST_F(HsdsApiTest, ServicesShapesAndNdjson) {
  const Value list = ParseJson(Get("/services").body);
  const Value full = ParseJson(Get("/services?full=true").body);
  ASSERT_EQ(Ids(list), (std::vector<std::string>{"s1", "s2", "s3"}));
  ASSERT_EQ(Ids(full), Ids(list));
  const auto& list_records = Field(list, "contents")->list_value().values();
  const auto& full_records = Field(full, "contents")->list_value().values();
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    // full=true: the record of GET /services/{id}, nested records included.
    const std::string id = Field(full_records[i], "id")->string_value();
    EXPECT_TRUE(SameJson(full_records[i], ParseJson(Get("/services/" + id).body)));
    EXPECT_NE(Field(full_records[i], "service_at_locations"), nullptr);
    EXPECT_NE(Field(full_records[i], "attributes"), nullptr);
    // The default: the same record without arrays, its organization without arrays.
    EXPECT_TRUE(SameJson(list_records[i], WithoutArrays(full_records[i])));
    EXPECT_EQ(Field(list_records[i], "service_at_locations"), nullptr);
    EXPECT_EQ(Field(list_records[i], "schedules"), nullptr);
  }
  // s2 gives only organization_id; the list nests its organization by that id.
  EXPECT_EQ(Field(*Field(list_records[1], "organization"), "name")->string_value(), "Bibliotheek");
  EXPECT_EQ(Get("/services?full=false").body, Get("/services").body);
  EXPECT_EQ(Get("/services?full=true&full=false").body, Get("/services").body);

  // minimal=true: the id and last_modified, nothing else (s3 has no last_modified).
  HttpResponse minimal = Get("/services?minimal=true");
  ASSERT_EQ(minimal.status, 200) << minimal.body;
  EXPECT_THAT(minimal.body,
              HasSubstr("\"contents\":[\n{\"id\":\"s1\",\"last_modified\":\"2024-03-01T10:00:00Z\"},\n"
                        "{\"id\":\"s2\",\"last_modified\":\"2023-12-31\"},\n{\"id\":\"s3\"}\n]}"));
  // With a filter and paging, as any list.
  EXPECT_EQ(Ids(ParseJson(Get("/services?minimal=true&taxonomy_id=X&per_page=1&page=2").body)),
            (std::vector<std::string>{"s3"}));
  const Value full_filtered = ParseJson(Get("/services?full=true&day=SA").body);
  ASSERT_EQ(Ids(full_filtered), (std::vector<std::string>{"s2"}));
  EXPECT_NE(Field(Field(full_filtered, "contents")->list_value().values(0), "service_at_locations"),
            nullptr);

  // ndjson: every admitted record, one a line, no envelope, page and per_page ignored.
  struct Nd {
    std::string target;
    std::vector<std::string> ids;
    bool nested;
  };
  for (const Nd& c : std::vector<Nd>{{"/services?format=ndjson", {"s1", "s2", "s3"}, false},
                                     {"/services?format=ndjson&per_page=1&page=3", {"s1", "s2", "s3"}, false},
                                     {"/services?format=ndjson&taxonomy_id=X", {"s1", "s3"}, false},
                                     {"/services?format=ndjson&full=true&organization_id=o1", {"s1", "s2"}, true},
                                     {"/services?format=ndjson&minimal=true&day=SU", {}, false},
                                     {"/services?format=json&minimal=false", {}, false}}) {
    SCOPED_TRACE(c.target);
    HttpResponse r = Get(c.target);
    ASSERT_EQ(r.status, 200) << r.body;
    if (c.target.find("ndjson") == std::string::npos) {
      EXPECT_EQ(r.content_type, "application/json");
      EXPECT_EQ(r.body, Get("/services").body);
      continue;
    }
    EXPECT_EQ(r.content_type, "application/x-ndjson");
    EXPECT_EQ(Header(r, "Access-Control-Allow-Origin"), "*");
    std::vector<std::string> ids;
    size_t at = 0;
    while (at < r.body.size()) {
      const size_t end = r.body.find('\n', at);
      ASSERT_NE(end, std::string::npos) << "the last line lacks its newline";
      const Value record = ParseJson(r.body.substr(at, end - at));
      ids.push_back(Field(record, "id")->string_value());
      EXPECT_EQ(Field(record, "service_at_locations") != nullptr, c.nested);
      EXPECT_EQ(Field(record, "total_items"), nullptr);
      at = end + 1;
    }
    EXPECT_EQ(ids, c.ids);
  }
}

// Pages of every shape, filtered or not, against FormatHsdsPage over the records of
// FormatHsdsServices: the page the server writes from its preformatted records is the
// page the library would compose.
TEST_F(HsdsApiTest, PagesEqualTheLibrarysPage) {
  const v1::HsdsDirectory& hsds = api_->Current()->directory->snapshot().hsds();
  struct Shape {
    std::string query;
    HsdsServiceView view;
  };
  for (const Shape& shape : std::vector<Shape>{{"", HsdsServiceView::kList},
                                               {"&full=true", HsdsServiceView::kFull},
                                               {"&minimal=true", HsdsServiceView::kMinimal}}) {
    const std::vector<std::string> records = FormatHsdsServices(hsds, shape.view);
    for (int per_page : {1, 2, 3, 1000}) {
      for (int page = 1; page <= 4; ++page) {
        for (bool filtered : {false, true}) {
          // organization_id=o1 admits s1, s2 (positions 0, 1).
          std::vector<std::string> admitted = records;
          if (filtered) admitted.resize(2);
          const int64_t first = std::min<int64_t>(admitted.size(), (page - 1) * per_page);
          const int64_t last = std::min<int64_t>(admitted.size(), first + per_page);
          const std::vector<std::string> contents(admitted.begin() + first, admitted.begin() + last);
          const std::string target = "/services?page=" + std::to_string(page) +
                                     "&per_page=" + std::to_string(per_page) + shape.query +
                                     (filtered ? "&organization_id=o1" : "");
          EXPECT_EQ(Get(target).body,
                    FormatHsdsPage(contents, static_cast<int64_t>(admitted.size()), page, per_page))
              << target;
        }
      }
    }
  }
}

TEST_F(HsdsApiTest, ServicesShapeParametersBadValues) {
  struct Case {
    std::string target, message;
  };
  for (const Case& c : std::vector<Case>{
           {"/services?minimal=yes", "minimal: 'yes' is not true or false"},
           {"/services?full=1", "full: '1' is not true or false"},
           {"/services?full=", "full: '' is not true or false"},
           {"/services?minimal=true&full=true", "minimal, full: both true asks for two shapes"},
           {"/services?full=true&minimal=true", "minimal, full: both true asks for two shapes"},
           {"/services?format=xml", "format: 'xml' is not json or ndjson"},
           {"/services?format=NDJSON", "format: 'NDJSON' is not json or ndjson"},
           {"/services?per_page=0&format=ndjson", "per_page: '0' is not a whole number in 1..1000"},
           {"/services?page=-1", "page: '-1' is not a whole number >= 1"},
           {"/organizations?minimal=true", "unknown parameter 'minimal'"},
           {"/services?colour=red", "unknown parameter 'colour' (known: page, per_page, format, minimal, full"},
       }) {
    SCOPED_TRACE(c.target);
    HttpResponse r = Get(c.target);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_THAT(r.body, HasSubstr(c.message));
  }
  // The library's parser alone: kNotFound for what is not its parameter.
  HsdsListQuery query;
  EXPECT_EQ(SetHsdsListParameter("search", "x", 1000, true, &query).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(SetHsdsListParameter("full", "true", 1000, false, &query).code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(SetHsdsListParameter("minimal", "true", 1000, true, &query).ok());
  EXPECT_EQ(query.view, HsdsServiceView::kMinimal);
  ASSERT_TRUE(SetHsdsListParameter("minimal", "false", 1000, true, &query).ok());
  EXPECT_EQ(query.view, HsdsServiceView::kList);
}

TEST(HsdsServiceFilterTest, BadValuesNameTheParameter) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"minimum_age", "x"},       {"minimum_age", "-1"},   {"maximum_age", "151"},
      {"maximum_age", "1e999"},   {"maximum_age", ""},     {"minimum_age", "nan"},
      {"day", "funday"},          {"day", ""},             {"start_time", "25:00"},   {"end_time", "24:30"},
      {"start_time", "9:00"},     {"end_time", "12:60"},   {"end_time", "12:00:00Z"},
      {"modified_after", "yesterday"}, {"modified_after", "2024-1-1"},
      {"modified_after", "2024-01-01 10:00"},
  };
  for (const auto& [name, value] : bad) {
    HsdsServiceFilter filter;
    absl::Status s = SetHsdsServiceFilter(name, value, &filter);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << name << "=" << value;
    EXPECT_THAT(std::string(s.message()), HasSubstr(name)) << value;
  }
  HsdsServiceFilter filter;
  EXPECT_EQ(SetHsdsServiceFilter("page", "1", &filter).code(), absl::StatusCode::kNotFound);
}

// Every HSDS endpoint's response against the specification's schemas (hsds_schema.h:
// types, formats, enums, nested records, required, the paging envelope): each list in
// JSON and in ndjson, every record of it by id, the shapes of GET /services, and GET /.
// Returns the faults found, one a line.
std::vector<std::string> EndpointFaults(Api& api, const hsds_schema::Options& options) {
  std::vector<std::string> faults;
  auto get = [&](const std::string& target) {
    HttpRequest request;
    request.method = "GET";
    request.target = target;
    HttpResponse r = Flat(api.Handle(request));
    if (r.status != 200) faults.push_back(target + ": status " + std::to_string(r.status) + " " + r.body);
    return r;
  };
  auto check = [&](const std::string& target, const std::vector<std::string>& found) {
    for (const std::string& f : found) faults.push_back(target + ": " + f);
  };
  {
    std::vector<std::string> found;
    hsds_schema::Validate(ParseJson(get("/").body), "base", "base", options, &found);
    check("/", found);
  }
  struct Endpoint {
    std::string path, query, kind;
    bool by_id;
  };
  for (const Endpoint& e : std::vector<Endpoint>{{"/services", "", "service", true},
                                                 {"/services", "full=true", "service", false},
                                                 {"/services", "minimal=true", "service_minimal", false},
                                                 {"/organizations", "", "organization", true},
                                                 {"/service_at_locations", "", "service_at_location", true},
                                                 {"/taxonomies", "", "taxonomy", true},
                                                 {"/taxonomy_terms", "", "taxonomy_term", true}}) {
    const std::string target = e.path + "?per_page=1000" + (e.query.empty() ? "" : "&" + e.query);
    const Value page = ParseJson(get(target).body);
    std::vector<std::string> found;
    hsds_schema::ValidatePage(page, e.kind, options, &found);
    check(target, found);
    const Value* contents = Field(page, "contents");
    // A directory whose terms name no taxonomy (ORUK's sample) has no taxonomies.
    if (contents == nullptr ||
        (contents->list_value().values_size() == 0 && e.path != "/taxonomies")) {
      faults.push_back(target + ": nothing validated");
      continue;
    }
    // The same records as ndjson, one a line.
    const std::string nd_target = e.path + "?format=ndjson" + (e.query.empty() ? "" : "&" + e.query);
    const std::string nd = get(nd_target).body;
    int lines = 0;
    for (size_t at = 0; at < nd.size();) {
      const size_t end = nd.find('\n', at);
      if (end == std::string::npos) {
        faults.push_back(nd_target + ": the last line lacks its newline");
        break;
      }
      std::vector<std::string> line_faults;
      hsds_schema::Validate(ParseJson(nd.substr(at, end - at)), e.kind,
                            "line " + std::to_string(lines + 1), options, &line_faults);
      check(nd_target, line_faults);
      ++lines;
      at = end + 1;
    }
    if (lines != contents->list_value().values_size()) faults.push_back(nd_target + ": line count");
    if (!e.by_id) continue;
    for (const Value& record : contents->list_value().values()) {
      const Value* id = Field(record, "id");
      if (id == nullptr) continue;  // reported above
      const std::string one = e.path + "/" + id->string_value();
      std::vector<std::string> one_faults;
      hsds_schema::Validate(ParseJson(get(one).body), e.kind, "record", options, &one_faults);
      check(one, one_faults);
    }
  }
  return faults;
}

std::string Lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

TEST(HsdsSchemaTest, EveryEndpointValidatesOnTheHandDirectory) {
  Api api(Serve(MakeDirectory(kServiceList)), nullptr);
  // Its ids are short names, not UUIDs, and one last_modified is a date: the formats
  // are checked on the samples below.
  const std::vector<std::string> faults = EndpointFaults(api, {.formats = false});
  EXPECT_TRUE(faults.empty()) << Lines(faults);
}

// Each HSDS 3 sample of ../shared/data/hsds, as JSON (service_full.json) and as CSV.
class HsdsSampleSchemaTest : public ::testing::TestWithParam<std::string> {};

TEST_P(HsdsSampleSchemaTest, EveryEndpointValidates) {
  absl::StatusOr<HsdsImport> in = ImportHsds(
      std::string(WEGWIJZER_SHARED_DATA_DIR) + "/hsds/" + GetParam(), {.skip_bad_records = true});
  ASSERT_TRUE(in.ok()) << in.status();
  ASSERT_GT(in->snapshot->hsds().services_size(), 0);
  absl::StatusOr<std::shared_ptr<const Directory>> d = Directory::Create(*in->snapshot);
  ASSERT_TRUE(d.ok()) << d.status();
  Api api(Serve(*d), nullptr);
  const std::vector<std::string> faults = EndpointFaults(api, {});
  EXPECT_TRUE(faults.empty()) << Lines(faults);
}

INSTANTIATE_TEST_SUITE_P(Samples, HsdsSampleSchemaTest,
                         ::testing::Values("openreferral-hsds-3.0/service_full.json",
                                           "openreferral-hsds-3.1-dev/service_full.json",
                                           "oruk-3.0-profile/service_full.json",
                                           // The tabular forms (datapackage.json and CSV).
                                           "openreferral-hsds-3.0/csv",
                                           "openreferral-hsds-3.1-dev/csv", "oruk-3.0-profile/csv"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

// The validator catches what it is meant to: each wrong document is refused with the
// fault named, and the right one next to it passes.
TEST(HsdsSchemaTest, TheValidatorFindsFaults) {
  const std::string good_service = R"({"id": "ac148810-d857-441c-9679-408f346de14b", "name": "n",
      "status": "active", "url": "https://example.org/x", "last_modified": "2023-03-15T10:30:45.123Z",
      "assured_date": "2005-01-01", "minimum_age": 12,
      "organization": {"id": "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610", "name": "o", "description": "d"},
      "service_at_locations": [{"id": "e94c9f38-1e8f-4564-91d4-d53501ab1765",
         "schedules": [{"id": "48102e86-bb50-41c4-8f1e-e269368c41d1", "freq": "WEEKLY"}],
         "location": {"id": "3a19ff88-4620-4d17-9830-ac1d859eb5d5", "location_type": "physical",
            "addresses": [{"id": "74706e55-df26-4b84-80fe-ecc30b5befb4", "address_1": "a", "city": "c",
               "state_province": "s", "postal_code": "1011 AB", "country": "NL", "address_type": "physical"}]}}]})";
  std::vector<std::string> none;
  hsds_schema::Validate(ParseJson(good_service), "service", "service", {}, &none);
  EXPECT_TRUE(none.empty()) << Lines(none);

  struct Case {
    std::string from, to;  // replaced in good_service
    std::string fault;
  };
  for (const Case& c : std::vector<Case>{
           {R"("status": "active")", R"("status": "open")", "service.status: 'open' is not one of active, inactive"},
           {R"("status": "active",)", "", "service lacks required 'status'"},
           {R"("id": "ac148810-d857-441c-9679-408f346de14b")", R"("id": "s1")", "service.id: 's1' is not a uuid"},
           {R"("minimum_age": 12)", R"("minimum_age": "12")", "service.minimum_age: must be number"},
           {R"("minimum_age": 12)", R"("minimum_age": null)", "service.minimum_age: must be number"},
           {R"("url": "https://example.org/x")", R"("url": "example dot org")", "service.url: 'example dot org' is not a uri"},
           {R"("last_modified": "2023-03-15T10:30:45.123Z")", R"("last_modified": "2023-03-15")",
            "service.last_modified: '2023-03-15' is not a date-time"},
           {R"("assured_date": "2005-01-01")", R"("assured_date": "1/1/2005")", "service.assured_date: '1/1/2005' is not a date"},
           {R"(, "description": "d"})", "}", "service.organization: organization lacks required 'description'"},
           {R"("freq": "WEEKLY")", R"("freq": "DAILY")",
            "service.service_at_locations[0].schedules[0].freq: 'DAILY' is not one of WEEKLY, MONTHLY"},
           {R"("location_type": "physical")", R"("location_type": "building")",
            "service.service_at_locations[0].location.location_type: 'building' is not one of"},
           {R"("state_province": "s", )", "",
            "service.service_at_locations[0].location.addresses[0]: address lacks required 'state_province'"},
           {R"("service_at_locations": [)", R"("service_at_locations": "none", "x": [)",
            "service.service_at_locations: must be an array of service_at_location"},
       }) {
    SCOPED_TRACE(c.fault);
    std::string bad = good_service;
    const size_t at = bad.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    bad.replace(at, c.from.size(), c.to);
    std::vector<std::string> faults;
    hsds_schema::Validate(ParseJson(bad), "service", "service", {}, &faults);
    ASSERT_FALSE(faults.empty()) << "not caught";
    EXPECT_THAT(Lines(faults), HasSubstr(c.fault));
  }
  // The envelope: a size that disagrees with the contents, a string where an integer
  // belongs, the required 'empty' missing.
  for (const auto& [page, fault] : std::vector<std::pair<std::string, std::string>>{
           {R"({"total_items": 1, "size": 2, "empty": false, "contents": [{"id": "t", "name": "n", "description": "d"}]})",
            "page.size: 2"},
           {R"({"total_items": "1", "empty": false, "contents": []})", "page.total_items: must be integer"},
           {R"({"total_items": 1.5, "empty": true, "contents": []})", "page.total_items: must be integer"},
           {R"({"contents": []})", "page: lacks required 'empty'"},
           {R"({"empty": true, "contents": [{"id": "t"}]})", "contents[0]: taxonomy lacks required 'name'"},
       }) {
    std::vector<std::string> faults;
    hsds_schema::ValidatePage(ParseJson(page), "taxonomy", {.formats = false}, &faults);
    EXPECT_THAT(Lines(faults), HasSubstr(fault)) << page;
  }
}

}  // namespace
}  // namespace wegwijzer::server
