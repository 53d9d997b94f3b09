// The HSDS API 3.0 read endpoints (api_hsds.cc) and the /services filters of the
// library (SetHsdsServiceFilter, FindHsdsServices), on a small directory whose
// expected answers are counted by hand from its JSON (the comments give the count),
// and every list response checked against the schema's required properties and
// JSON types (HsdsSchema below; from openreferral/specification schema/*.json).
// The API is called in-process (Api::Handle); server_test covers the transport.
#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "wegwijzer/directory.h"
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
     "addresses": [{"id": "ad1", "address_1": "Oosterdokskade 143", "city": "Amsterdam",
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
     "addresses": [{"id": "ad2", "address_1": "Linnaeusstraat 1", "city": "Amsterdam",
                    "postal_code": "1012CD", "country": "NL", "address_type": "physical"}]}}]},
 {"id": "s3", "name": "Digicafe Noord", "description": "Hulp", "status": "active", "organization_id": "o2",
  "minimum_age": 65, "maximum_age": 120,
  "organization": {"id": "o2", "name": "Buurthuis", "description": "Het buurthuis"},
  "attributes": [{"id": "a3", "taxonomy_term": {"id": "t1", "name": "Digitaal", "description": "d",
     "taxonomy": "taxonomy", "code": "code", "taxonomy_id": "X"}}],
  "service_at_locations": [{"id": "sal3", "location": {"id": "loc3", "name": "Noord",
     "location_type": "physical", "latitude": 52.40, "longitude": 4.92,
     "schedules": [{"id": "sc3", "freq": "WEEKLY", "byday": "FR", "opens_at": "13:00", "closes_at": "16:00"}],
     "addresses": [{"id": "ad3", "address_1": "Buikslotermeerplein 1", "city": "Haarlem",
                    "postal_code": "2000 XX", "country": "NL", "address_type": "physical"}]}}]}
]})";

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

// The required properties of each record kind and their JSON types, from the HSDS
// schema (openreferral/specification, schema/service.json, organization.json,
// service_at_location.json, location.json, taxonomy.json, taxonomy_term.json:
// their "required" arrays), and the paging envelope of the API's list responses
// (schema/openapi.json: Page).
struct Required {
  std::string name;
  Value::KindCase kind;
};
const std::map<std::string, std::vector<Required>>& HsdsSchema() {
  static const auto* schema = new std::map<std::string, std::vector<Required>>{
      {"service", {{"id", Value::kStringValue}, {"name", Value::kStringValue}, {"status", Value::kStringValue}}},
      {"organization", {{"id", Value::kStringValue}, {"name", Value::kStringValue},
                        {"description", Value::kStringValue}}},
      {"service_at_location", {{"id", Value::kStringValue}}},
      {"location", {{"id", Value::kStringValue}, {"location_type", Value::kStringValue}}},
      {"taxonomy", {{"id", Value::kStringValue}, {"name", Value::kStringValue},
                    {"description", Value::kStringValue}}},
      {"taxonomy_term", {{"id", Value::kStringValue}, {"name", Value::kStringValue},
                         {"description", Value::kStringValue}}},
      {"page", {{"total_items", Value::kNumberValue}, {"total_pages", Value::kNumberValue},
                {"page_number", Value::kNumberValue}, {"size", Value::kNumberValue},
                {"first_page", Value::kBoolValue}, {"last_page", Value::kBoolValue},
                {"empty", Value::kBoolValue}, {"contents", Value::kListValue}}},
  };
  return *schema;
}

void ExpectValid(const Value& record, const std::string& kind, const std::string& where) {
  ASSERT_EQ(record.kind_case(), Value::kStructValue) << where;
  for (const Required& r : HsdsSchema().at(kind)) {
    const Value* v = Field(record, r.name);
    ASSERT_NE(v, nullptr) << where << ": " << kind << " lacks required '" << r.name << "'";
    EXPECT_EQ(v->kind_case(), r.kind) << where << ": " << kind << "." << r.name;
  }
  // Nested records a response carries are checked too.
  if (const Value* o = Field(record, "organization")) ExpectValid(*o, "organization", where);
  if (const Value* l = Field(record, "location")) ExpectValid(*l, "location", where);
  if (const Value* sals = Field(record, "service_at_locations")) {
    for (const Value& s : sals->list_value().values()) ExpectValid(s, "service_at_location", where);
  }
}

class HsdsApiTest : public ::testing::Test {
 protected:
  void SetUp() override { api_ = std::make_unique<Api>(Serve(MakeDirectory(kServiceList)), nullptr); }
  HttpResponse Get(std::string_view target, std::string_view method = "GET") {
    HttpRequest request;
    request.method = method;
    request.target = target;
    return api_->Handle(request);
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
      {"/service_at_locations?proximity=5", 400, "proximity"},
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
  for (const char* target : {"/services?minimal=true", "/services?format=ndjson"}) {
    HttpResponse r = Get(target);
    EXPECT_EQ(r.status, 400) << target;
    EXPECT_THAT(r.body, HasSubstr("not supported by this server yet")) << target;
  }
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

// Every list endpoint's response, and every record in it, against the schema's
// required properties: on the directory above and on the Open Referral 3.0 sample.
void ExpectEndpointsValid(Api& api) {
  const std::vector<std::pair<std::string, std::string>> endpoints = {
      {"/services", "service"},
      {"/organizations", "organization"},
      {"/service_at_locations", "service_at_location"},
      {"/taxonomies", "taxonomy"},
      {"/taxonomy_terms", "taxonomy_term"}};
  for (const auto& [path, kind] : endpoints) {
    HttpRequest request;
    request.method = "GET";
    request.target = path;
    HttpResponse r = api.Handle(request);
    ASSERT_EQ(r.status, 200) << path << ": " << r.body;
    const Value page = ParseJson(r.body);
    ExpectValid(page, "page", path);
    const Value* contents = Field(page, "contents");
    ASSERT_NE(contents, nullptr);
    EXPECT_GT(contents->list_value().values_size(), 0) << path << ": nothing validated";
    EXPECT_EQ(Field(page, "size")->number_value(), contents->list_value().values_size()) << path;
    for (const Value& record : contents->list_value().values()) {
      ExpectValid(record, kind, path);
      // The single-record endpoint answers the same record.
      HttpRequest one;
      one.method = "GET";
      const std::string target = path + "/" + Field(record, "id")->string_value();
      one.target = target;
      HttpResponse single = api.Handle(one);
      ASSERT_EQ(single.status, 200) << target;
      ExpectValid(ParseJson(single.body), kind, target);
    }
  }
}

TEST(HsdsSchemaTest, EveryEndpointValidatesOnTheHandDirectory) {
  Api api(Serve(MakeDirectory(kServiceList)), nullptr);
  ExpectEndpointsValid(api);
}

TEST(HsdsSchemaTest, EveryEndpointValidatesOnTheOpenReferralSample) {
  absl::StatusOr<HsdsImport> in =
      ImportHsds(std::string(WEGWIJZER_SHARED_DATA_DIR) + "/hsds/openreferral-hsds-3.0/service_full.json",
                 {.skip_bad_records = true});
  ASSERT_TRUE(in.ok()) << in.status();
  absl::StatusOr<std::shared_ptr<const Directory>> d = Directory::Create(*in->snapshot);
  ASSERT_TRUE(d.ok()) << d.status();
  Api api(Serve(*d), nullptr);
  ExpectEndpointsValid(api);
}

}  // namespace
}  // namespace wegwijzer::server
