// POST /v1/coverage (api_coverage.cc) against the library called directly on the
// same input (AnalyzeCoverage, one thread), and its refusals: 400 naming the field,
// 413 past the row limit, 405 for other methods. In-process (Api::Handle).
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "api.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "wegwijzer/coverage.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/v1/request.pb.h"
#include "wegwijzer/v1/service.pb.h"

namespace wegwijzer::server {
namespace {

using ::testing::HasSubstr;

struct Example {
  std::shared_ptr<const Directory> directory;
  std::vector<Request> requests;
  std::vector<int64_t> counts;
};

Example LoadExample() {
  Example e;
  absl::StatusOr<ProvidersCsv> providers =
      ReadProvidersCsv(std::string(WEGWIJZER_SOURCE_DIR) + "/data/providers.csv");
  EXPECT_TRUE(providers.ok()) << providers.status();
  e.directory = providers->directory;
  absl::StatusOr<RequestsCsv> requests =
      ReadRequestsCsv(std::string(WEGWIJZER_SOURCE_DIR) + "/data/requests.csv");
  EXPECT_TRUE(requests.ok()) << requests.status();
  e.requests = requests->requests;
  for (size_t i = 0; i < e.requests.size(); ++i) e.counts.push_back(static_cast<int64_t>(i % 7));
  return e;
}

std::string Body(const Example& e, bool with_counts) {
  v1::CoverageRequest body;
  for (size_t i = 0; i < e.requests.size(); ++i) {
    e.requests[i].ToProto(body.add_requests());
    if (with_counts) body.add_counts(e.counts[i]);
  }
  std::string json;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(body, &json).ok());
  return json;
}

HttpResponse Post(const Api& api, const std::string& body, std::string_view method = "POST") {
  HttpRequest request;
  request.method = method;
  request.target = "/v1/coverage";
  request.content_type = "application/json";
  request.body = body;
  return api.Handle(request);
}

TEST(CoverageApiTest, AnswersWhatTheLibraryComputes) {
  const Example e = LoadExample();
  ASSERT_GT(e.requests.size(), 10u);
  Api api(Serve(e.directory), nullptr);
  for (bool with_counts : {true, false}) {
    SCOPED_TRACE(with_counts ? "counts given" : "counts absent (1 each)");
    HttpResponse r = Post(api, Body(e, with_counts));
    ASSERT_EQ(r.status, 200) << r.body;
    v1::CoverageResponse got;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &got).ok()) << r.body;

    const std::vector<int64_t> ones(e.requests.size(), 1);
    CoverageAnalysis want = AnalyzeCoverage(e.directory, {e.requests, with_counts ? e.counts : ones},
                                            {.threads = 1});
    EXPECT_EQ(got.demand(), want.demand);
    EXPECT_EQ(got.in_person(), want.in_person);
    EXPECT_EQ(got.home_visit(), want.home_visit);
    EXPECT_EQ(got.remote(), want.remote);
    EXPECT_EQ(got.none(), want.none);
    EXPECT_EQ(got.assigned_physically(), want.assigned_physically);
    EXPECT_EQ(got.coverage_csv(), FormatCoverageCsv(want));
    EXPECT_EQ(got.matched_csv(), FormatMatchedCsv(want));
    EXPECT_EQ(got.areas_csv(), FormatAreasCsv(want));
    EXPECT_EQ(got.directory_version(), api.Current()->version);
    // Independent of the library: the demand is the sum of the counts.
    int64_t sum = 0;
    for (size_t i = 0; i < e.requests.size(); ++i) sum += with_counts ? e.counts[i] : 1;
    EXPECT_EQ(got.demand(), sum);
    EXPECT_EQ(got.in_person() + got.home_visit() + got.remote() + got.none(), sum);
    EXPECT_GT(got.in_person() + got.home_visit(), 0);  // not a vacuous comparison
    EXPECT_GT(std::count(got.coverage_csv().begin(), got.coverage_csv().end(), '\n'), 10);
  }
}

TEST(CoverageApiTest, RefusalsNameTheField) {
  const Example e = LoadExample();
  Api api(Serve(e.directory), nullptr, ApiOptions{.max_batch = 5});
  const std::string one =
      R"({"id":"a","position":{"lat_deg":52.5,"lon_deg":6.1},"topics":["TOPIC_HEALTH"]})";
  struct Case {
    std::string body;
    int status;
    std::string names;
  };
  const std::vector<Case> cases = {
      {"{}", 400, "requests"},
      {"{\"requests\":[" + one + "],\"counts\":[1,2]}", 400, "counts"},
      {"{\"requests\":[" + one + "],\"counts\":[-1]}", 400, "counts[0]"},
      {"{\"requests\":[" + one + "],\"counts\":[2000000000]}", 400, "counts[0]"},
      {"{\"requests\":[" + one + "],\"counts\":[\"x\"]}", 400, "counts"},
      {"{\"requests\":[" + one + "," + one + "]}", 400, "requests[1].id"},
      {"{\"requests\":[" + one + "],\"colour\":1}", 400, "colour"},
      {"{\"requests\":[" + one + "],\"remote_cost_m\":-5}", 400, "remote_cost_m"},
      {"{\"requests\":[" + one + "],\"unassigned_penalty_m\":0}", 400, "unassigned_penalty_m"},
      {R"({"requests":[{"id":"a","postcode":"1011AB","topics":["TOPIC_HEALTH"]}]})", 400,
       "requests[0].postcode"},
      {R"({"requests":[{"id":"a","position":{"lat_deg":95,"lon_deg":6.1},"topics":["TOPIC_HEALTH"]}]})", 400,
       "requests[0]"},
      {"[1,2", 400, "CoverageRequest"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    HttpResponse r = Post(api, c.body);
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_THAT(r.body, HasSubstr(c.names));
  }
  // Six rows with a limit of five: 413, before any work.
  std::string six = "{\"requests\":[";
  for (int i = 0; i < 6; ++i) {
    if (i > 0) six.append(",");
    six.append(R"({"id":"r)").append(std::to_string(i));
    six.append(R"(","position":{"lat_deg":52.5,"lon_deg":6.1},"topics":["TOPIC_HEALTH"]})");
  }
  six += "]}";
  HttpResponse big = Post(api, six);
  EXPECT_EQ(big.status, 413) << big.body;
  EXPECT_THAT(big.body, HasSubstr("requests: 6 rows"));
  EXPECT_EQ(Post(api, one, "GET").status, 405);
}

}  // namespace
}  // namespace wegwijzer::server
