// The CLI's bad-input catalogue (tests/integration/bad_input_test.cc) through the
// API: every case that makes sense over HTTP, sent to POST /v1/route (the request
// cases, as protobuf's JSON mapping of wegwijzer.v1.RouteRequest, plus what only a
// JSON body can get wrong: types, unknown fields, huge numbers, malformed text) and
// to GET /v1/route (the requests.csv cases, as query parameters). Each must answer
// 400 with a JSON error whose message names the field: never a 500, never a crash.
// In-process (Api::Handle), so a crash fails the test binary.
#include <memory>
#include <string>
#include <vector>

#include "api.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/interchange.h"

namespace wegwijzer::server {
namespace {

using ::testing::HasSubstr;

struct Case {
  std::string name;
  std::string input;  // POST: the body; GET: the query string
  std::vector<std::string> words;  // the message must hold each (the field, the reason)
};

std::unique_ptr<Api> MakeApi() {
  absl::StatusOr<ProvidersCsv> providers =
      ReadProvidersCsv(std::string(WEGWIJZER_SOURCE_DIR) + "/data/providers.csv");
  EXPECT_TRUE(providers.ok()) << providers.status();
  return std::make_unique<Api>(Serve(providers->directory), nullptr);
}

void ExpectJsonError(const HttpResponse& r, const Case& c) {
  EXPECT_EQ(r.status, 400) << c.name << ": " << r.body;
  EXPECT_EQ(r.content_type, "application/json") << c.name;
  google::protobuf::Value error;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &error).ok()) << c.name << ": " << r.body;
  const auto& fields = error.struct_value().fields();
  ASSERT_TRUE(fields.contains("error")) << c.name;
  const auto& inner = fields.at("error").struct_value().fields();
  ASSERT_TRUE(inner.contains("message")) << c.name;
  EXPECT_EQ(inner.at("code").number_value(), 400) << c.name;
  for (const std::string& w : c.words) {
    EXPECT_THAT(inner.at("message").string_value(), HasSubstr(w)) << c.name;
  }
}

// A valid request to build on, as in the catalogue ("id: 'r1' position { lat_deg: 52
// lon_deg: 5 } topics: TOPIC_DIGID").
std::string WithRequest(const std::string& fields) {
  return R"({"request":{"id":"r1","position":{"lat_deg":52,"lon_deg":5},"topics":["TOPIC_DIGID"])" +
         fields + "}}";
}

TEST(BadInputApiTest, PostRouteAnswers400NamingTheField) {
  std::unique_ptr<Api> api = MakeApi();
  const std::vector<Case> cases = {
      // ----- the catalogue's "requests through the API" (Request::FromProto)
      {"NaN latitude", R"({"request":{"id":"r1","position":{"lat_deg":"NaN","lon_deg":5},"topics":["TOPIC_DIGID"]}})",
       {"request", "r1", "not finite or out of range"}},
      {"longitude 181", R"({"request":{"id":"r1","position":{"lat_deg":52,"lon_deg":181},"topics":["TOPIC_DIGID"]}})",
       {"request", "r1", "out of range"}},
      {"no position", R"({"request":{"id":"r1","topics":["TOPIC_DIGID"]}})", {"request", "r1", "position"}},
      {"priority 4", WithRequest(R"(,"priority":4)"), {"request", "priority 4 is outside 0..3"}},
      {"priority -1", WithRequest(R"(,"priority":-1)"), {"request", "priority -1 is outside 0..3"}},
      {"negative max_km", WithRequest(R"(,"max_km":-1)"), {"request", "max_km -1 is outside 0..1000"}},
      {"infinite max_km", WithRequest(R"(,"max_km":"Infinity")"), {"request", "max_km", "0..1000"}},
      {"no topics", R"({"request":{"id":"r1","position":{"lat_deg":52,"lon_deg":5}}})", {"request", "no topics"}},
      {"unknown topic value", WithRequest(R"(,"topics":[42])"), {"request", "unknown topic value 42"}},
      {"unknown language", WithRequest(R"(,"languages":["xx"])"), {"request", "unknown language code 'xx'"}},
      {"empty id", R"({"request":{"position":{"lat_deg":52,"lon_deg":5},"topics":["TOPIC_DIGID"]}})",
       {"request", "empty id"}},
      {"unknown mode", WithRequest(R"(,"modes":["MODE_TELEPATHY"])"), {"modes"}},
      {"a batch names the bad request", R"({"requests":[{"id":"a","position":{"lat_deg":52,"lon_deg":5},"topics":["TOPIC_DIGID"]},{"id":"b","position":{"lat_deg":52,"lon_deg":5},"topics":["TOPIC_DIGID"],"priority":9}]})",
       {"requests[1]", "priority 9"}},
      // ----- what only JSON gets wrong
      {"latitude as text", R"({"request":{"id":"r1","position":{"lat_deg":"north","lon_deg":5},"topics":["TOPIC_DIGID"]}})",
       {"lat_deg"}},
      // (A bare string where a list is wanted, "languages":"nl", is read by protobuf's
      // JSON parser as a list of one, and answered: not a bad input.)
      {"languages an object", WithRequest(R"(,"languages":{"nl":1})"), {"languages"}},
      {"id a number", R"({"request":{"id":7,"position":{"lat_deg":52,"lon_deg":5},"topics":["TOPIC_DIGID"]}})", {"id"}},
      {"unknown field in the request", WithRequest(R"(,"colour":"red")"), {"colour"}},
      {"unknown field at the top", R"({"request":{},"colour":1})", {"colour"}},
      {"huge priority", WithRequest(R"(,"priority":1e30)"), {"priority"}},
      {"huge k", R"({"request":{"id":"r1","position":{"lat_deg":52,"lon_deg":5},"topics":["TOPIC_DIGID"]},"k":99999999999})",
       {"k"}},
      {"k 0", R"({"request":{"id":"r1","position":{"lat_deg":52,"lon_deg":5},"topics":["TOPIC_DIGID"]},"k":0})",
       {"k: 0"}},
      {"k above the limit", R"({"request":{"id":"r1","position":{"lat_deg":52,"lon_deg":5},"topics":["TOPIC_DIGID"]},"k":1000})",
       {"k: 1000"}},
      {"huge latitude", R"({"request":{"id":"r1","position":{"lat_deg":1e400,"lon_deg":5},"topics":["TOPIC_DIGID"]}})",
       {"lat_deg"}},
      {"reason language fr", R"({"request":{"id":"r1","position":{"lat_deg":52,"lon_deg":5},"topics":["TOPIC_DIGID"]},"language":"fr"})",
       {"language"}},
      {"postcode without a postcode table", R"({"request":{"id":"r1","postcode":"1011AB","topics":["TOPIC_DIGID"]}})",
       {"request.postcode"}},
      {"request and requests", R"({"request":{"id":"r1"},"requests":[{"id":"r2"}]})", {"request, requests"}},
      {"neither request nor requests", "{}", {"request, requests"}},
      {"malformed JSON", R"({"request":{"id":"r1")", {"RouteRequest"}},
      {"not an object", "[1,2,3]", {"RouteRequest"}},
      {"empty body", "", {"RouteRequest"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    HttpRequest request;
    request.method = "POST";
    request.target = "/v1/route";
    request.content_type = "application/json";
    request.body = c.input;
    ExpectJsonError(api->Handle(request), c);
  }
}

TEST(BadInputApiTest, GetRouteAnswers400NamingTheParameter) {
  std::unique_ptr<Api> api = MakeApi();
  const std::string ok = "lat=52&lon=5&topics=digid";
  const std::vector<Case> cases = {
      // ----- the catalogue's requests.csv rows, one parameter per column
      {"empty latitude", "lat=&lon=5&topics=digid", {"lat"}},
      {"latitude nan", "lat=nan&lon=5&topics=digid", {"lat"}},
      {"inner space in a number", "lat=5+2&lon=5&topics=digid", {"lat"}},
      {"longitude out of range", "lat=52&lon=200&topics=digid", {"lon"}},
      {"max_km above 1000", ok + "&max_km=1001", {"max_km"}},
      {"negative max_km", ok + "&max_km=-1", {"max_km"}},
      {"priority above 3", ok + "&priority=4", {"priority"}},
      {"priority 1.0 is not whole", ok + "&priority=1.0", {"priority"}},
      {"unknown language", ok + "&languages=Arabic", {"languages"}},
      {"unknown topic", "lat=52&lon=5&topics=toeslagen", {"topics"}},
      {"empty topics", "lat=52&lon=5&topics=", {"topics"}},
      {"unknown mode", ok + "&modes=telepathy", {"modes"}},
      {"unknown access need", ok + "&access=jetpack", {"access"}},
      // ----- what only a query string gets wrong
      {"no topics", "lat=52&lon=5", {"topics"}},
      {"no position", "topics=digid", {"lat"}},
      {"postcode without a postcode table", "postcode=1011&topics=digid", {"postcode"}},
      {"unknown parameter", ok + "&colour=red", {"colour"}},
      {"repeated parameter", ok + "&lat=53", {"lat"}},
      {"huge latitude", "lat=1e400&lon=5&topics=digid", {"lat"}},
      {"huge priority", ok + "&priority=99999999999999999999", {"priority"}},
      {"k 0", ok + "&k=0", {"k"}},
      {"huge k", ok + "&k=99999999999999999999", {"k"}},
      {"reason language fr", ok + "&lang=fr", {"lang"}},
      {"explain not boolean", ok + "&explain=maybe", {"explain"}},
      {"cut-off escape", ok + "&id=%4", {"id"}},
      {"NUL escape", ok + "&id=a%00b", {"id"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    HttpRequest request;
    request.method = "GET";
    const std::string target = "/v1/route?" + c.input;
    request.target = target;
    ExpectJsonError(api->Handle(request), c);
  }
}

}  // namespace
}  // namespace wegwijzer::server
