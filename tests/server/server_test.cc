// `wegwijzer serve`: the HTTP API and its transport, on a free loopback port that the
// test opens itself (an in-process Server on port 0), through a raw-socket client.
// Route answers are checked against the brute-force oracle, not against the Router.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "api.h"
#include "server/http_client.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "server.h"
#include "testing/brute_force.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/openreferral.h"
#include "wegwijzer/v1/directory.pb.h"
#include "wegwijzer/v1/request.pb.h"

namespace wegwijzer::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Three HSDS services of two organizations; s1 and s2 map onto topics through the
// default taxonomy map (taxonomy/code -> basics).
constexpr std::string_view kServiceList = R"({"total_items": 3, "contents": [
 {"id": "s1", "name": "Digicafe", "description": "Help met DigiD", "organization_id": "o1",
  "organization": {"id": "o1", "name": "Bibliotheek"},
  "attributes": [{"id": "a1", "taxonomy_term": {"id": "t1", "taxonomy": "taxonomy", "code": "code"}}],
  "service_at_locations": [{"id": "sal1", "location": {"id": "loc1", "name": "Centrale",
     "location_type": "physical", "latitude": 52.3757, "longitude": 4.9083}}]},
 {"id": "s2", "name": "Klik en Tik", "description": "Computer basics", "organization_id": "o1",
  "attributes": [{"id": "a2", "taxonomy_term": {"id": "t2", "taxonomy": "taxonomy", "code": "code"}}],
  "service_at_locations": [{"id": "sal2", "location": {"id": "loc2", "name": "Oost",
     "location_type": "physical", "latitude": 52.36, "longitude": 4.93}}]},
 {"id": "s3", "name": "Digicafe Noord", "organization_id": "o2",
  "organization": {"id": "o2", "name": "Buurthuis"},
  "attributes": [{"id": "a3", "taxonomy_term": {"id": "t1", "taxonomy": "taxonomy", "code": "code"}}],
  "service_at_locations": [{"id": "sal3", "location": {"id": "loc3", "name": "Noord",
     "location_type": "physical", "latitude": 52.40, "longitude": 4.92}}]}
]})";

std::shared_ptr<const Directory> ExampleTown() {
  absl::StatusOr<ProvidersCsv> providers =
      ReadProvidersCsv(std::string(WEGWIJZER_SOURCE_DIR) + "/data/providers.csv");
  EXPECT_TRUE(providers.ok()) << providers.status();
  return providers->directory;
}

std::shared_ptr<const Directory> HsdsDirectory() {
  absl::StatusOr<HsdsImport> in = ImportHsdsJson(kServiceList, "service_list.json");
  EXPECT_TRUE(in.ok()) << in.status();
  absl::StatusOr<std::shared_ptr<const Directory>> d = Directory::Create(*in->snapshot);
  EXPECT_TRUE(d.ok()) << d.status();
  return *d;
}

// A server on a free loopback port for one test.
class ServerTest : public ::testing::Test {
 protected:
  void StartWith(std::shared_ptr<const Directory> directory, ServerOptions options = {},
                 ApiOptions api_options = {}) {
    api_ = std::make_unique<Api>(Serve(std::move(directory)), nullptr, api_options);
    options.port = 0;
    options.threads = 2;
    options.log = nullptr;
    absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(options, api_.get());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }
  void SetUp() override {}
  void TearDown() override { server_.reset(); }

  // One request on a new connection.
  Reply Exchange(const std::string& request) {
    const int fd = Connect(server_->port());
    SendAll(fd, request);
    std::string pending;
    std::optional<Reply> reply = ReadReply(fd, &pending);
    ::close(fd);
    EXPECT_TRUE(reply.has_value()) << request.substr(0, 200);
    return reply.value_or(Reply{});
  }
  Reply Get(std::string_view target) { return Exchange(Http("GET", target)); }
  Reply Post(std::string_view body, std::string_view type = "application/json") {
    return Exchange(Http("POST", "/v1/route", body, type));
  }

  std::unique_ptr<Api> api_;
  std::unique_ptr<Server> server_;
};

// The referrals of one RouteResult, as (provider id, location id, cost) triples.
std::vector<std::string> Ids(const v1::RouteResult& result) {
  std::vector<std::string> ids;
  for (const v1::Referral& r : result.referrals()) {
    ids.push_back(r.provider_id() + "/" + r.location_id() + "/" + std::to_string(r.cost_m()));
  }
  return ids;
}
v1::RouteResponse ParseRouteResponse(const Reply& reply) {
  v1::RouteResponse response;
  const auto status = google::protobuf::util::JsonStringToMessage(reply.body, &response);
  EXPECT_TRUE(status.ok()) << reply.body;
  return response;
}

TEST_F(ServerTest, HealthzNamesTheDirectoryVersion) {
  StartWith(ExampleTown());
  Reply reply = Get("/healthz");
  EXPECT_EQ(reply.status, 200);
  const std::string version = api_->Current()->version;
  EXPECT_EQ(version.size(), 16u);
  EXPECT_EQ(reply.headers["wegwijzer-directory-version"], version);
  EXPECT_THAT(reply.body, HasSubstr("\"directory_version\":\"" + version + "\""));
  EXPECT_THAT(reply.body, HasSubstr("\"providers\":20"));
  // The same snapshot gives the same version (a fingerprint, not a counter).
  EXPECT_EQ(Serve(ExampleTown())->version, version);
}

// Every request of the example town, posted as one batch and one at a time, in JSON
// and in protobuf: the referrals are the oracle's.
TEST_F(ServerTest, RouteAnswersAsTheOracle) {
  std::shared_ptr<const Directory> directory = ExampleTown();
  StartWith(directory);
  absl::StatusOr<RequestsCsv> requests =
      ReadRequestsCsv(std::string(WEGWIJZER_SOURCE_DIR) + "/data/requests.csv");
  ASSERT_TRUE(requests.ok()) << requests.status();
  v1::RouteRequest batch;
  batch.set_k(3);
  for (const Request& r : requests->requests) r.ToProto(batch.add_requests());
  std::string json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(batch, &json).ok());
  Reply reply = Post(json);
  ASSERT_EQ(reply.status, 200) << reply.body;
  v1::RouteResponse response = ParseRouteResponse(reply);
  ASSERT_EQ(response.results_size(), static_cast<int>(requests->requests.size()));
  EXPECT_EQ(response.directory_version(), api_->Current()->version);
  int with_referrals = 0, explained = 0;
  for (size_t i = 0; i < requests->requests.size(); ++i) {
    const Request& request = requests->requests[i];
    const v1::RouteResult& result = response.results(static_cast<int>(i));
    EXPECT_EQ(result.request_id(), request.id);
    std::vector<testing::OracleReferral> oracle =
        testing::BruteForceRoute(directory->snapshot(), request, 3);
    ASSERT_EQ(result.referrals_size(), static_cast<int>(oracle.size())) << request.id;
    for (size_t j = 0; j < oracle.size(); ++j) {
      const v1::Referral& got = result.referrals(static_cast<int>(j));
      EXPECT_EQ(got.provider_id(), oracle[j].provider_id) << request.id << " rank " << j + 1;
      EXPECT_EQ(got.cost_m(), oracle[j].cost_m) << request.id << " rank " << j + 1;
      EXPECT_EQ(got.rank(), static_cast<int>(j) + 1);
      EXPECT_FALSE(got.reasons().empty());
    }
    with_referrals += !oracle.empty();
    if (oracle.empty()) {
      ++explained;
      EXPECT_FALSE(result.no_suitable_provider().empty()) << request.id;
    }
  }
  EXPECT_GT(with_referrals, 20);

  // One request (the `request` form) gives the batch's first answer; so does protobuf.
  v1::RouteRequest one;
  *one.mutable_request() = batch.requests(0);
  one.set_k(3);
  json.clear();  // MessageToJsonString appends
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(one, &json).ok());
  Reply single = Post(json);
  ASSERT_EQ(single.status, 200) << single.body;
  EXPECT_EQ(Ids(ParseRouteResponse(single).results(0)), Ids(response.results(0)));
  Reply binary = Post(one.SerializeAsString(), "application/x-protobuf");
  ASSERT_EQ(binary.status, 200) << binary.body;
  EXPECT_EQ(binary.headers["content-type"], "application/x-protobuf");
  v1::RouteResponse decoded;
  ASSERT_TRUE(decoded.ParseFromString(binary.body));
  EXPECT_EQ(Ids(decoded.results(0)), Ids(response.results(0)));
}

TEST_F(ServerTest, RouteByQueryParameters) {
  std::shared_ptr<const Directory> directory = ExampleTown();
  StartWith(directory);
  Reply reply = Get("/v1/route?id=r1&lat=52.5119&lon=6.0912&topics=digid,benefits&languages=nl%2Cen&k=4");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.headers["access-control-allow-origin"], "*");
  v1::RouteResponse response = ParseRouteResponse(reply);
  ASSERT_EQ(response.results_size(), 1);
  Request request{.id = "r1", .position = {52.5119, 6.0912}};
  request.topics.Add(Topic::kDigid);
  request.topics.Add(Topic::kBenefits);
  request.languages = {};
  request.languages.Add(*Language::FromCode("nl"));
  request.languages.Add(*Language::FromCode("en"));
  std::vector<testing::OracleReferral> oracle =
      testing::BruteForceRoute(directory->snapshot(), request, 4);
  ASSERT_EQ(response.results(0).referrals_size(), static_cast<int>(oracle.size()));
  ASSERT_FALSE(oracle.empty());
  for (size_t j = 0; j < oracle.size(); ++j) {
    EXPECT_EQ(response.results(0).referrals(static_cast<int>(j)).provider_id(),
              oracle[j].provider_id);
  }
  // Dutch reasons.
  Reply dutch = Get("/v1/route?lat=52.5119&lon=6.0912&topics=digid&lang=nl&k=1");
  ASSERT_EQ(dutch.status, 200) << dutch.body;
  EXPECT_THAT(dutch.body, HasSubstr("helpt met DigiD"));
}

// Bad input: a 400 (or the fitting code) with a JSON error naming the field, and the
// server still answers afterwards.
TEST_F(ServerTest, BadInputTable) {
  StartWith(ExampleTown(), {}, {.max_batch = 2});
  const std::string good_request =
      R"({"id":"a","position":{"lat_deg":52.51,"lon_deg":6.09},"topics":["TOPIC_DIGID"]})";
  struct Case {
    std::string name, method, target, body, type;
    int status;
    std::string message;  // a part of the error message
  };
  const std::vector<Case> cases = {
      {"malformed json", "POST", "/v1/route", "{\"request\":", "application/json", 400, "RouteRequest"},
      {"not an object", "POST", "/v1/route", "[1,2]", "application/json", 400, "RouteRequest"},
      {"wrong type", "POST", "/v1/route", R"({"k":"five","request":)" + good_request + "}",
       "application/json", 400, "k"},
      {"unknown field", "POST", "/v1/route", R"({"request":{"id":"a","colour":"red"}})",
       "application/json", 400, "colour"},
      {"unknown enum", "POST", "/v1/route", R"({"request":{"id":"a","topics":["TOPIC_CAKE"]}})",
       "application/json", 400, "topics"},
      {"huge number", "POST", "/v1/route", R"({"request":{"id":"a","priority":1e300}})",
       "application/json", 400, "priority"},
      {"huge k", "POST", "/v1/route", R"({"k":99999999999,"request":)" + good_request + "}",
       "application/json", 400, "k"},
      {"k zero", "POST", "/v1/route", R"({"k":0,"request":)" + good_request + "}",
       "application/json", 400, "k: 0 is outside 1..100"},
      {"max_km out of range", "POST", "/v1/route",
       R"({"request":{"id":"a","position":{"lat_deg":52.5,"lon_deg":6.1},"topics":["TOPIC_DIGID"],"max_km":1e9}})",
       "application/json", 400, "max_km"},
      {"no topics", "POST", "/v1/route",
       R"({"request":{"id":"a","position":{"lat_deg":52.5,"lon_deg":6.1}}})", "application/json",
       400, "request: "},
      {"postcode without gazetteer", "POST", "/v1/route",
       R"({"request":{"id":"a","postcode":"8011","topics":["TOPIC_DIGID"]}})", "application/json",
       400, "request.postcode"},
      {"both forms", "POST", "/v1/route",
       R"({"request":)" + good_request + R"(,"requests":[)" + good_request + "]}", "application/json",
       400, "not both"},
      {"neither form", "POST", "/v1/route", "{}", "application/json", 400, "missing"},
      {"batch too large", "POST", "/v1/route",
       R"({"requests":[)" + good_request + "," + good_request + "," + good_request + "]}",
       "application/json", 400, "batch limit of 2"},
      {"bad language", "POST", "/v1/route", R"({"language":"fr","request":)" + good_request + "}",
       "application/json", 400, "language"},
      {"garbage protobuf", "POST", "/v1/route", std::string("\xff\xff\xff\xff", 4),
       "application/x-protobuf", 400, "protobuf"},
      {"wrong content type", "POST", "/v1/route", "id=a", "application/x-www-form-urlencoded",
       415, "Content-Type"},
      {"query: unknown parameter", "GET", "/v1/route?lat=52.5&lon=6.1&topics=digid&colour=red", "",
       "", 400, "unknown parameter 'colour'"},
      {"query: unknown topic", "GET", "/v1/route?lat=52.5&lon=6.1&topics=cake", "", "", 400,
       "topics: unknown code 'cake'"},
      {"query: no position", "GET", "/v1/route?topics=digid", "", "", 400, "position"},
      {"query: half a position", "GET", "/v1/route?lat=52.5&topics=digid", "", "", 400, "lon"},
      {"query: latitude out of range", "GET", "/v1/route?lat=152.5&lon=6&topics=digid", "", "",
       400, "lat"},
      {"query: repeated", "GET", "/v1/route?lat=52.5&lon=6&topics=digid&topics=taxes", "", "", 400,
       "twice"},
      {"query: bad escape", "GET", "/v1/route?lat=52.5&lon=6&topics=digid%zz", "", "", 400, "hex"},
      {"query: NUL", "GET", "/v1/route?lat=52.5&lon=6&topics=digid%00", "", "", 400, "NUL"},
      {"query: huge k", "GET", "/v1/route?lat=52.5&lon=6&topics=digid&k=1000000000000000000000",
       "", "", 400, "k"},
      {"query: postcode without gazetteer", "GET", "/v1/route?postcode=8011&topics=digid", "", "",
       400, "postcode"},
      {"services: bad page", "GET", "/services?page=0", "", "", 400, "page"},
      {"services: per_page too large", "GET", "/services?per_page=100000", "", "", 400, "per_page"},
      {"services: bad shape parameter", "GET", "/services?minimal=yes", "", "", 400,
       "minimal: 'yes' is not true or false"},
      {"services: bad filter value", "GET", "/services?modified_after=2020", "", "", 400,
       "modified_after"},
      {"services: unknown parameter", "GET", "/services?colour=red", "", "", 400, "unknown"},
      {"unknown path", "GET", "/v2/everything", "", "", 404, "no such path"},
      {"absent service", "GET", "/services/nope", "", "", 404, "no service with id 'nope'"},
      {"wrong method", "DELETE", "/v1/route", "", "", 405, "GET, POST"},
      {"wrong method on healthz", "POST", "/healthz", "{}", "application/json", 405, "GET"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Reply reply = Exchange(Http(c.method, c.target, c.body, c.type));
    EXPECT_EQ(reply.status, c.status) << reply.body;
    EXPECT_THAT(reply.body, HasSubstr("{\"error\":{\"code\":" + std::to_string(c.status)));
    EXPECT_THAT(reply.body, HasSubstr(c.message));
    EXPECT_EQ(reply.headers["content-type"], "application/json");
    EXPECT_FALSE(reply.headers["wegwijzer-directory-version"].empty());
    if (c.status == 405) {
      EXPECT_FALSE(reply.headers["allow"].empty());
    }
  }
  EXPECT_EQ(Get("/healthz").status, 200);
}

TEST_F(ServerTest, HsdsReadEndpoints) {
  StartWith(HsdsDirectory());
  Reply base = Get("/");
  ASSERT_EQ(base.status, 200);
  EXPECT_THAT(base.body, HasSubstr("\"version\":\"3.0\""));
  EXPECT_THAT(base.body, HasSubstr("\"openapi_url\":"));
  EXPECT_THAT(base.body, HasSubstr("\"profile\":"));
  EXPECT_EQ(base.headers["access-control-allow-origin"], "*");

  Reply all = Get("/services");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_THAT(all.body, HasSubstr("\"total_items\":3,\"total_pages\":1,\"page_number\":1,\"size\":3,"
                                  "\"first_page\":true,\"last_page\":true,\"empty\":false"));
  Reply second = Get("/services?page=2&per_page=2");
  ASSERT_EQ(second.status, 200);
  EXPECT_THAT(second.body, HasSubstr("\"total_items\":3,\"total_pages\":2,\"page_number\":2,\"size\":1,"
                                     "\"first_page\":false,\"last_page\":true,\"empty\":false"));
  EXPECT_THAT(second.body, HasSubstr("\"id\":\"s3\""));
  EXPECT_THAT(second.body, Not(HasSubstr("\"id\":\"s1\"")));
  Reply beyond = Get("/services?page=9&per_page=2");
  EXPECT_THAT(beyond.body, HasSubstr("\"size\":0,\"first_page\":false,\"last_page\":true,\"empty\":true"));

  Reply by_org = Get("/services?organization_id=o1");
  EXPECT_THAT(by_org.body, HasSubstr("\"total_items\":2"));
  Reply by_term = Get("/services?taxonomy_term_id=t1&organization_id=o2");
  EXPECT_THAT(by_term.body, HasSubstr("\"total_items\":1"));
  EXPECT_THAT(by_term.body, HasSubstr("\"id\":\"s3\""));
  Reply search = Get("/services?search=DIGID+help");  // both words, any case, in the description
  EXPECT_THAT(search.body, HasSubstr("\"total_items\":1"));
  EXPECT_THAT(search.body, HasSubstr("\"id\":\"s1\""));
  Reply by_name = Get("/services?search=digicafe");
  EXPECT_THAT(by_name.body, HasSubstr("\"total_items\":2"));

  // A page written from the records formatted at load (HttpResponse.more, gathered by
  // the transport) arrives as the API composed it, in every shape.
  for (const char* target : {"/services", "/services?full=true", "/services?minimal=true",
                             "/services?page=2&per_page=1&full=true"}) {
    HttpRequest request;
    request.method = "GET";
    request.target = target;
    const HttpResponse direct = api_->Handle(request);
    EXPECT_FALSE(direct.more.empty()) << target;
    EXPECT_EQ(Get(target).body, direct.Text()) << target;
  }

  Reply one = Get("/services/s1");
  ASSERT_EQ(one.status, 200);
  EXPECT_THAT(one.body, HasSubstr("\"id\":\"s1\""));
  EXPECT_THAT(one.body, HasSubstr("\"organization\":{\"id\":\"o1\""));
  EXPECT_THAT(one.body, HasSubstr("\"service_at_locations\":[{\"id\":\"sal1\""));
  EXPECT_EQ(one.headers["access-control-allow-origin"], "*");
  // The record served is the one export-hsds writes.
  const auto files = FormatHsdsJson(api_->Current()->directory->snapshot().hsds());
  EXPECT_THAT(files[0].second, HasSubstr(one.body.substr(0, one.body.size() - 1)));
}

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  StartWith(ExampleTown());
  const int fd = Connect(server_->port());
  // Two requests sent at once (pipelined), then more one at a time.
  SendAll(fd, Http("GET", "/healthz") + Http("GET", "/v1/route?lat=52.51&lon=6.09&topics=digid"));
  std::string pending;
  for (int i = 0; i < 2; ++i) {
    std::optional<Reply> reply = ReadReply(fd, &pending);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 200);
    EXPECT_FALSE(reply->closed);
  }
  for (int i = 0; i < 20; ++i) {
    SendAll(fd, Http("GET", "/healthz"));
    std::optional<Reply> reply = ReadReply(fd, &pending);
    ASSERT_TRUE(reply) << i;
    EXPECT_EQ(reply->status, 200);
  }
  SendAll(fd, Http("GET", "/healthz", "", "", "Connection: close\r\n"));
  std::optional<Reply> last = ReadReply(fd, &pending);
  ASSERT_TRUE(last);
  EXPECT_TRUE(last->closed);
  char byte;
  EXPECT_EQ(::recv(fd, &byte, 1, 0), 0);  // closed by the server
  ::close(fd);
}

TEST_F(ServerTest, LimitsAreAnsweredNotQueued) {
  StartWith(ExampleTown(), {.max_body_bytes = 1000, .max_header_bytes = 2000,
                            .max_connections = 2, .request_timeout = std::chrono::milliseconds(300)});
  Reply large = Post(std::string(5000, ' '));
  EXPECT_EQ(large.status, 413);
  EXPECT_THAT(large.body, HasSubstr("longer than 1000 bytes"));
  EXPECT_TRUE(large.closed);
  Reply header = Exchange(Http("GET", "/healthz", "", "", "X-Big: " + std::string(4000, 'a') + "\r\n"));
  EXPECT_EQ(header.status, 431);
  EXPECT_TRUE(header.closed);
  // The server counts a connection until it has seen the client close it.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  // A request that never completes: 408 after the timeout.
  {
    const int fd = Connect(server_->port());
    SendAll(fd, "GET /healthz HTTP/1.1\r\nHost: t\r\n");
    std::string pending;
    std::optional<Reply> reply = ReadReply(fd, &pending);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 408);
    ::close(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // Two connections open: a third is refused with 503 and Retry-After.
  const int a = Connect(server_->port()), b = Connect(server_->port());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  Reply refused = Get("/healthz");
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.headers["retry-after"], "1");
  ::close(a);
  ::close(b);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(Get("/healthz").status, 200);
}

TEST_F(ServerTest, MetricsCountRequestsByPathAndStatus) {
  StartWith(ExampleTown());
  EXPECT_EQ(Get("/healthz").status, 200);
  EXPECT_EQ(Get("/healthz").status, 200);
  EXPECT_EQ(Get("/services/x").status, 404);
  EXPECT_EQ(Get("/no/such/thing").status, 404);
  Reply metrics = Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.headers["content-type"], HasSubstr("text/plain"));
  EXPECT_THAT(metrics.body, HasSubstr("wegwijzer_http_requests_total{path=\"/healthz\",status=\"200\"} 2\n"));
  EXPECT_THAT(metrics.body, HasSubstr("wegwijzer_http_requests_total{path=\"/services/{id}\",status=\"404\"} 1\n"));
  EXPECT_THAT(metrics.body, HasSubstr("wegwijzer_http_requests_total{path=\"other\",status=\"404\"} 1\n"));
  EXPECT_THAT(metrics.body, HasSubstr("wegwijzer_http_errors_total{class=\"4xx\"} 2\n"));
  EXPECT_THAT(metrics.body, HasSubstr("wegwijzer_http_request_duration_seconds_count 4\n"));
  EXPECT_THAT(metrics.body, HasSubstr("wegwijzer_http_request_duration_seconds_bucket{le=\"+Inf\"} 4\n"));
  EXPECT_THAT(metrics.body, HasSubstr("wegwijzer_directory_info{version=\"" + api_->Current()->version + "\"} 1\n"));
  EXPECT_THAT(metrics.body, HasSubstr("wegwijzer_directory_providers 20\n"));
}

// Stop() while a request is half sent: the request is finished and answered (with
// Connection: close), an idle connection is closed, and the server ends.
TEST_F(ServerTest, StopFinishesTheRequestBeingRead) {
  StartWith(ExampleTown());
  const int idle = Connect(server_->port());
  const int busy = Connect(server_->port());
  const std::string body =
      R"({"request":{"id":"a","position":{"lat_deg":52.51,"lon_deg":6.09},"topics":["TOPIC_DIGID"]}})";
  const std::string request = Http("POST", "/v1/route", body);
  const size_t half = request.size() - body.size() / 2;
  SendAll(busy, request.substr(0, half));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::thread stopper([&] {
    server_->Stop();
    server_->Wait();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  SendAll(busy, request.substr(half));
  std::string pending;
  std::optional<Reply> reply = ReadReply(busy, &pending);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200) << reply->body;
  EXPECT_TRUE(reply->closed);
  char byte;
  EXPECT_EQ(::recv(idle, &byte, 1, 0), 0);
  stopper.join();
  ::close(idle);
  ::close(busy);
  // Nothing listens any more.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(server_->port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_NE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ::close(fd);
}

// The API without sockets: the query grammar.
TEST(ParseQuery, DecodesAndKeepsOrder) {
  auto parsed = ParseQuery("a=1&b=x%20y+z&&c=&d");
  ASSERT_TRUE(parsed.ok());
  EXPECT_THAT(*parsed, ::testing::ElementsAre(std::pair<std::string, std::string>{"a", "1"},
                                              std::pair<std::string, std::string>{"b", "x y z"},
                                              std::pair<std::string, std::string>{"c", ""},
                                              std::pair<std::string, std::string>{"d", ""}));
  EXPECT_FALSE(ParseQuery("a=%4").ok());
  EXPECT_FALSE(ParseQuery("a=%").ok());
  EXPECT_FALSE(ParseQuery("%zz=1").ok());
}

}  // namespace
}  // namespace wegwijzer::server
