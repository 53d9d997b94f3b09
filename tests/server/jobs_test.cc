// Match jobs (bindings/server/match_jobs.h, api_jobs.cc) and directory swaps under
// load (Api::Replace behind SIGHUP and POST /v1/admin/reload), in process; the
// server on a free loopback port where the transport matters.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "match_jobs.h"
#include "server.h"
#include "server/http_client.h"
#include "testing/random_instance.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/matcher.h"
#include "wegwijzer/v1/directory.pb.h"
#include "wegwijzer/v1/plan.pb.h"
#include "wegwijzer/v1/request.pb.h"
#include "wegwijzer/v1/service.pb.h"

namespace wegwijzer::server {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

std::shared_ptr<const Directory> DirectoryOf(const v1::DirectorySnapshot& snapshot) {
  absl::StatusOr<std::shared_ptr<const Directory>> d = Directory::Create(snapshot);
  EXPECT_TRUE(d.ok()) << d.status();
  return *d;
}

std::string MatchBody(const std::vector<Request>& requests, std::string_view extra = "") {
  v1::MatchRequest body;
  for (const Request& r : requests) r.ToProto(body.add_requests());
  std::string json;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(body, &json).ok());
  if (!extra.empty()) json.insert(json.size() - 1, std::string(",") + std::string(extra));
  return json;
}

HttpResponse Post(const Api& api, std::string_view target, std::string_view body) {
  return api.Handle({.method = "POST", .target = target, .content_type = "application/json",
                     .body = body});
}

v1::MatchJob ParseJob(const std::string& json) {
  v1::MatchJob job;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &job).ok()) << json;
  return job;
}

// Polls the job until it is finished; the states seen in order.
v1::MatchJob WaitDone(const Api& api, const std::string& id, std::vector<std::string>* states) {
  const auto give_up = Clock::now() + std::chrono::seconds(120);
  while (Clock::now() < give_up) {
    HttpResponse got = api.Handle({.method = "GET", .target = "/v1/jobs/" + id});
    EXPECT_EQ(got.status, 200) << got.body;
    v1::MatchJob job = ParseJob(got.body);
    EXPECT_LE(job.placed(), job.total());
    if (states->empty() || states->back() != job.state()) states->push_back(job.state());
    if (job.state() == "done" || job.state() == "failed") return job;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ADD_FAILURE() << "job " << id << " did not finish";
  return {};
}

// The job's plan is Matcher::Match's on the same requests and options.
TEST(MatchJobs, PlanEqualsMatcherMatch) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    testing::Instance instance = testing::MakeInstance(seed, 3000, 60);
    std::shared_ptr<const Directory> directory = DirectoryOf(instance.snapshot);
    MatchJobs jobs;
    Api api(Serve(directory), nullptr, {}, {.jobs = &jobs});
    HttpResponse posted =
        Post(api, "/v1/match", MatchBody(instance.requests, R"("unassigned_penalty_m":"400000")"));
    ASSERT_EQ(posted.status, 202) << posted.body;
    const v1::MatchJob queued = ParseJob(posted.body);
    EXPECT_EQ(queued.id().size(), 32u);
    EXPECT_EQ(queued.total(), 3000);
    EXPECT_EQ(queued.directory_version(), api.Current()->version);
    std::vector<std::string> states;
    const v1::MatchJob done = WaitDone(api, queued.id(), &states);
    ASSERT_EQ(done.state(), "done") << done.error();
    EXPECT_EQ(states.back(), "done");
    EXPECT_EQ(done.placed(), 3000);

    const Matcher matcher(directory);
    const MatchPlan plan =
        matcher.Match(instance.requests, {.unassigned_penalty_m = 400'000, .threads = 1});
    v1::MatchPlan expected;
    matcher.ToProto(instance.requests, plan, &expected);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(done.plan(), expected))
        << "seed " << seed;
    EXPECT_EQ(done.plan().objective(), plan.objective);
    EXPECT_EQ(done.plan().lines_size(), 3000);
  }
}

// "solver" picks MatchOptions::solver: the job's plan is Matcher::Match's with that
// solver, and its objective the other solver's (both are optimal).
TEST(MatchJobs, SolverIsAnOption) {
  testing::Instance instance = testing::MakeInstance(4, 3000, 60);
  std::shared_ptr<const Directory> directory = DirectoryOf(instance.snapshot);
  MatchJobs jobs;
  Api api(Serve(directory), nullptr, {}, {.jobs = &jobs});
  const Matcher matcher(directory);
  const MatchPlan fast = matcher.Match(instance.requests, {.threads = 1, .solver = MatchSolver::kFast});
  for (MatchSolver solver : {MatchSolver::kFast, MatchSolver::kCostScaling}) {
    const std::string name(MatchSolverName(solver));
    HttpResponse posted =
        Post(api, "/v1/match", MatchBody(instance.requests, R"("solver":")" + name + R"(")"));
    ASSERT_EQ(posted.status, 202) << posted.body;
    std::vector<std::string> states;
    const v1::MatchJob done = WaitDone(api, ParseJob(posted.body).id(), &states);
    ASSERT_EQ(done.state(), "done") << done.error();
    const MatchPlan plan = matcher.Match(instance.requests, {.threads = 1, .solver = solver});
    v1::MatchPlan expected;
    matcher.ToProto(instance.requests, plan, &expected);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(done.plan(), expected)) << name;
    EXPECT_EQ(done.plan().objective(), fast.objective) << name;
  }
}

TEST(MatchJobs, BadRequestsAndUnknownJobs) {
  testing::Instance instance = testing::MakeInstance(7, 5, 5);
  MatchJobs jobs;
  Api api(Serve(DirectoryOf(instance.snapshot)), nullptr, {}, {.jobs = &jobs});
  std::vector<Request> twice = {instance.requests[0], instance.requests[0]};
  struct Case {
    std::string body;
    int status;
    std::string message;
  } cases[] = {
      {"{", 400, "not a wegwijzer.v1.MatchRequest"},
      {R"({"requests":[],"k":3})", 400, "k"},
      {"{}", 400, "requests: missing"},
      {MatchBody(twice), 400, "requests[1].id: '" + instance.requests[0].id + "' is the id of an earlier request"},
      {MatchBody(instance.requests, R"("unassigned_penalty_m":"0")"), 400, "unassigned_penalty_m: 0 is outside"},
      {MatchBody(instance.requests, R"("remote_cost_m":"-1")"), 400, "remote_cost_m: -1 is outside"},
      {MatchBody(instance.requests, R"("remote_cost_m":"1e30")"), 400, "remote_cost_m"},
      {MatchBody(instance.requests, R"("solver":"auction")"), 400,
       "solver: unknown solver 'auction' (fast or cost-scaling)"},
      {MatchBody(instance.requests, R"("solver":"boost-reference")"), 400,
       "solver: unknown solver 'boost-reference'"},
      {MatchBody(instance.requests, R"("solver":3)"), 400, "solver"},
      {R"({"requests":[{"id":"a","topics":["TOPIC_DIGID"]}]})", 400, "requests[0]: "},
      {R"({"requests":[{"id":"a","postcode":"1011","topics":["TOPIC_DIGID"]}]})", 400,
       "requests[0].postcode: this server has no postcode table"},
  };
  for (const Case& c : cases) {
    HttpResponse response = Post(api, "/v1/match", c.body);
    EXPECT_EQ(response.status, c.status) << c.body << ": " << response.body;
    EXPECT_THAT(response.body, HasSubstr(c.message)) << c.body;
  }
  EXPECT_EQ(api.Handle({.method = "GET", .target = "/v1/match"}).status, 405);
  EXPECT_EQ(api.Handle({.method = "POST", .target = "/v1/jobs/abc"}).status, 405);
  HttpResponse unknown = api.Handle({.method = "GET", .target = "/v1/jobs/0123"});
  EXPECT_EQ(unknown.status, 404);
  EXPECT_THAT(unknown.body, HasSubstr("no job '0123'"));
  EXPECT_EQ(jobs.active(), 0);
}

// At most max_jobs queued or running: the next is a 503 with Retry-After, and a job
// slot comes back when a job finishes. Then Drain: no new jobs, the running one
// finishes, and WaitFetched waits for its plan to be read.
TEST(MatchJobs, BoundedThenDrainedWithNothingLost) {
  testing::Instance big = testing::MakeInstance(11, 60'000, 400);
  testing::Instance small = testing::MakeInstance(12, 10, 10);
  MatchJobs jobs({.max_jobs = 1, .threads = 1});
  Api api(Serve(DirectoryOf(big.snapshot)), nullptr, {}, {.jobs = &jobs});
  const std::string big_body = MatchBody(big.requests);
  const auto start = Clock::now();
  HttpResponse first = Post(api, "/v1/match", big_body);
  ASSERT_EQ(first.status, 202) << first.body;
  HttpResponse second = Post(api, "/v1/match", MatchBody(small.requests));
  const v1::MatchJob running = ParseJob(
      api.Handle({.method = "GET", .target = "/v1/jobs/" + ParseJob(first.body).id()}).body);
  ASSERT_NE(running.state(), "done") << "the big job finished too fast to test the bound";
  EXPECT_EQ(second.status, 503) << second.body;
  EXPECT_THAT(second.body, HasSubstr("1 match jobs are queued or running"));
  bool retry_after = false;
  for (const auto& [name, value] : second.headers) retry_after |= name == "Retry-After";
  EXPECT_TRUE(retry_after);

  std::thread drain([&] { jobs.Drain(); });
  drain.join();  // returns once the big job has finished
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::cerr << "60,000 requests, 400 providers: planned in " << seconds << " s\n";
  EXPECT_EQ(jobs.active(), 0);
  HttpResponse refused = Post(api, "/v1/match", MatchBody(small.requests));
  EXPECT_EQ(refused.status, 503);
  EXPECT_THAT(refused.body, HasSubstr("stopping"));
  EXPECT_FALSE(jobs.WaitFetched(std::chrono::milliseconds(10)));  // not read yet
  std::vector<std::string> states;
  const v1::MatchJob done = WaitDone(api, ParseJob(first.body).id(), &states);
  EXPECT_EQ(done.state(), "done");
  EXPECT_EQ(done.plan().lines_size(), 60'000);
  EXPECT_TRUE(jobs.WaitFetched(std::chrono::milliseconds(10)));
}

// Requests keep succeeding while the directory is swapped under them, each answered
// from one directory (body and header name the same version), and both versions
// are seen.
TEST(DirectorySwap, UnderLoadNoRequestFails) {
  absl::StatusOr<ProvidersCsv> providers =
      ReadProvidersCsv(std::string(WEGWIJZER_SOURCE_DIR) + "/data/providers.csv");
  ASSERT_TRUE(providers.ok());
  v1::DirectorySnapshot changed = providers->directory->snapshot();
  changed.mutable_providers(0)->set_name("Renamed");
  std::shared_ptr<const ServedDirectory> a = Serve(providers->directory);
  std::shared_ptr<const ServedDirectory> b = Serve(DirectoryOf(changed));
  ASSERT_NE(a->version, b->version);
  Api api(a, nullptr);
  absl::StatusOr<std::unique_ptr<Server>> server =
      Server::Start({.port = 0, .threads = 2, .log = nullptr}, &api);
  ASSERT_TRUE(server.ok()) << server.status();

  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0}, inconsistent{0};
  std::mutex seen_mutex;
  std::set<std::string> seen;
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&] {
      const int fd = Connect((*server)->port());
      std::string pending;
      while (!stop.load()) {
        SendAll(fd, Http("GET", "/v1/route?lat=52.51&lon=6.09&topics=digid&k=2"));
        std::optional<Reply> reply = ReadReply(fd, &pending);
        if (!reply || reply->status != 200) {
          ++failed;
          break;
        }
        ++ok;
        const std::string version = reply->headers["wegwijzer-directory-version"];
        if (reply->body.find("\"directory_version\":\"" + version + "\"") == std::string::npos) {
          ++inconsistent;
        }
        std::lock_guard<std::mutex> lock(seen_mutex);
        seen.insert(version);
      }
      ::close(fd);
    });
  }
  for (int swap = 0; swap < 200; ++swap) {
    api.Replace(swap % 2 == 0 ? b : a);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stop = true;
  for (std::thread& t : clients) t.join();
  std::cerr << ok.load() << " requests answered during 200 swaps\n";
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(inconsistent.load(), 0);
  EXPECT_GT(ok.load(), 200);
  EXPECT_EQ(seen, (std::set<std::string>{a->version, b->version}));
}

}  // namespace
}  // namespace wegwijzer::server
