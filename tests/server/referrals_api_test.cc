// The referral endpoints (bindings/server/api_referrals.cc) over a SQLite store in
// the test's own directory: the auth matrix (each role x each endpoint x own/other
// organisation), every error, and one exchange through the transport so the
// Authorization header is seen to arrive.
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api.h"
#include "auth.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "server.h"
#include "server/http_client.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/referral_store.h"
#include "wegwijzer/v1/referral.pb.h"
#include "wegwijzer/v1/service.pb.h"

namespace wegwijzer::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kDeskA = "token-desk-a-0123456789";
constexpr std::string_view kDeskB = "token-desk-b-0123456789";
constexpr std::string_view kProviderP = "token-provider-p-0123456789";  // ido-bieb-centrum
constexpr std::string_view kProviderQ = "token-provider-q-0123456789";  // bieb-holtenbroek
constexpr std::string_view kAdmin = "token-admin-0123456789";
constexpr std::string_view kWrong = "token-nobody-0123456789";
constexpr std::string_view kNone = "";

// A request at the IDO-punt Bibliotheek Centrum itself (52.5119, 6.0912): routed
// first to that provider, at distance 0.
constexpr std::string_view kCreate =
    R"({"request":{"id":"q1","position":{"lat_deg":52.5119,"lon_deg":6.0912},"topics":["TOPIC_DIGID"]}})";

std::string Scratch() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("wegwijzer_referrals_api_" + std::to_string(::getpid()) + "_" +
                               info->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

Tokens MakeTokens() {
  std::string file;
  for (auto [token, organisation, role] :
       std::initializer_list<std::tuple<std::string_view, std::string_view, std::string_view>>{
           {kDeskA, "desk-a", "desk"},
           {kDeskB, "desk-b", "desk"},
           {kProviderP, "ido-bieb-centrum", "provider"},
           {kProviderQ, "bieb-holtenbroek", "provider"},
           {kAdmin, "ops", "admin"}}) {
    absl::StatusOr<std::string> line = MakeTokenLine(token, organisation, role);
    EXPECT_TRUE(line.ok());
    file += *line + "\n";
  }
  absl::StatusOr<Tokens> tokens = Tokens::Parse(file, "tokens.txt");
  EXPECT_TRUE(tokens.ok()) << tokens.status();
  return *std::move(tokens);
}

class ReferralsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<ProvidersCsv> providers =
        ReadProvidersCsv(std::string(WEGWIJZER_SOURCE_DIR) + "/data/providers.csv");
    ASSERT_TRUE(providers.ok()) << providers.status();
    directory_ = providers->directory;
    absl::StatusOr<std::unique_ptr<ReferralStore>> store =
        OpenSqliteStore(Scratch() + "/referrals.db", {.durable = false});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ASSERT_TRUE(store_->SetCapacities(*directory_).ok());
    tokens_ = std::make_unique<Tokens>(MakeTokens());
    api_ = std::make_unique<Api>(Serve(directory_), nullptr, ApiOptions{},
                                 ApiServices{.tokens = tokens_.get(), .store = store_.get(),
                                             .reload = [this]() -> absl::StatusOr<std::string> {
                                               ++reloads_;
                                               return api_->Current()->version;
                                             }});
  }

  HttpResponse Call(std::string_view method, std::string_view target, std::string_view token,
                    std::string_view body = "", std::string_view type = "application/json") {
    const std::string authorization = token.empty() ? "" : "Bearer " + std::string(token);
    return api_->Handle({.method = method,
                         .target = target,
                         .content_type = body.empty() ? std::string_view() : type,
                         .authorization = authorization,
                         .body = body});
  }

  // kCreate for a request of its own (q1, q2, ...): a request has one open referral.
  std::string NextCreate() {
    std::string body(kCreate);
    body.replace(body.find("\"q1\""), 4, "\"q" + std::to_string(++requests_) + "\"");
    return body;
  }

  // A referral made by desk A (to ido-bieb-centrum) for a new request; its id.
  std::string MakeReferral() {
    HttpResponse made = Call("POST", "/v1/referrals", kDeskA, NextCreate());
    EXPECT_EQ(made.status, 201) << made.body;
    v1::ReferralRecord record;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(made.body, &record).ok()) << made.body;
    EXPECT_EQ(record.provider_id(), "ido-bieb-centrum");
    EXPECT_EQ(record.desk_id(), "desk-a");
    return record.id();
  }

  static std::string Header(const HttpResponse& response, std::string_view name) {
    for (const auto& [n, v] : response.headers) {
      if (n == name) return v;
    }
    return "";
  }

  std::shared_ptr<const Directory> directory_;
  std::unique_ptr<ReferralStore> store_;
  std::unique_ptr<Tokens> tokens_;
  std::unique_ptr<Api> api_;
  int reloads_ = 0;
  int requests_ = 0;  // NextCreate's request numbers
};

// Each role x each endpoint x own/other organisation. Columns: no token, an unknown
// token, desk A (own), desk B (other), provider P (own), provider Q (other), admin.
TEST_F(ReferralsApiTest, AuthMatrix) {
  const std::vector<std::string_view> who = {kNone, kWrong, kDeskA, kDeskB, kProviderP, kProviderQ,
                                             kAdmin};
  const std::vector<std::string> names = {"none", "wrong", "desk-own", "desk-other",
                                          "provider-own", "provider-other", "admin"};
  struct Row {
    std::string name;
    std::function<HttpResponse(std::string_view token, int column)> call;
    std::vector<int> expected;
  };
  const std::string made = MakeReferral();
  std::vector<Row> rows = {
      {"POST /v1/referrals",
       [&](std::string_view t, int) { return Call("POST", "/v1/referrals", t, NextCreate()); },
       {401, 401, 201, 201, 403, 403, 403}},
      {"GET /v1/referrals/{id}",
       [&](std::string_view t, int) { return Call("GET", "/v1/referrals/" + made, t); },
       {401, 401, 200, 403, 200, 403, 200}},
      {"GET /v1/referrals/{missing}",
       [&](std::string_view t, int) { return Call("GET", "/v1/referrals/r999", t); },
       {401, 401, 403, 403, 403, 403, 404}},
      // A fresh referral each time, and a transition the role may make.
      {"PATCH /v1/referrals/{id}",
       [&](std::string_view t, int column) {
         const std::string id = MakeReferral();
         const bool desk = column == 2 || column == 3;
         return Call("PATCH", "/v1/referrals/" + id, t,
                     desk ? R"({"status":"cancelled","reason":{"code":"no-longer-interested"}})"
                          : R"({"status":"accepted"})");
       },
       {401, 401, 200, 403, 200, 403, 403}},
      {"PATCH /v1/referrals/{missing}",
       [&](std::string_view t, int) {
         return Call("PATCH", "/v1/referrals/r999", t, R"({"status":"accepted"})");
       },
       {401, 401, 403, 403, 403, 403, 403}},
      {"GET /v1/referrals?provider=own",
       [&](std::string_view t, int) {
         return Call("GET", "/v1/referrals?provider=ido-bieb-centrum", t);
       },
       {401, 401, 403, 403, 200, 403, 200}},
      {"GET /v1/referrals?desk=own",
       [&](std::string_view t, int) { return Call("GET", "/v1/referrals?desk=desk-a", t); },
       {401, 401, 200, 403, 403, 403, 200}},
      {"POST /v1/admin/reload",
       [&](std::string_view t, int) { return Call("POST", "/v1/admin/reload", t); },
       {401, 401, 403, 403, 403, 403, 200}},
  };
  for (const Row& row : rows) {
    for (size_t c = 0; c < who.size(); ++c) {
      const HttpResponse response = row.call(who[c], static_cast<int>(c));
      EXPECT_EQ(response.status, row.expected[c]) << row.name << " as " << names[c] << ": "
                                                  << response.body;
      if (response.status == 401) {
        EXPECT_THAT(Header(response, "WWW-Authenticate"), HasSubstr("Bearer realm=\"wegwijzer\""));
        EXPECT_EQ(Header(response, "WWW-Authenticate").find("invalid_token") != std::string::npos,
                  c == 1);
      }
      EXPECT_EQ(Header(response, "Access-Control-Allow-Origin"), "") << row.name;
    }
  }
  EXPECT_EQ(reloads_, 1);  // the admin's only
}

// A referral of another party and no referral at all answer byte for byte the same.
TEST_F(ReferralsApiTest, ForbiddenRevealsNothingAboutExistence) {
  const std::string made = MakeReferral();
  ASSERT_EQ(made.size(), 2u);  // "r1": compared with another two-character id
  for (std::string_view token : {kDeskB, kProviderQ}) {
    for (std::string_view method : {"GET", "PATCH"}) {
      const std::string_view body = method == "PATCH" ? R"({"status":"accepted"})" : "";
      HttpResponse theirs = Call(method, "/v1/referrals/" + made, token, body);
      HttpResponse none = Call(method, "/v1/referrals/r9", token, body);
      EXPECT_EQ(theirs.status, 403);
      EXPECT_EQ(none.status, 403);
      std::string expected = none.body;
      expected.replace(expected.find("'r9'"), 4, "'" + made + "'");
      EXPECT_EQ(theirs.body, expected);
      EXPECT_EQ(theirs.headers, none.headers);
    }
  }
  // The directory reads keep CORS for any origin.
  EXPECT_EQ(Header(Call("GET", "/services", kNone), "Access-Control-Allow-Origin"), "*");
}

// The lifecycle through the API: history, lists, the provider's rejection and the
// next referral made for the desk (which the rejecting provider is not shown).
TEST_F(ReferralsApiTest, LifecycleHistoryListsAndNextReferral) {
  const std::string first = MakeReferral();
  HttpResponse accepted = Call("PATCH", "/v1/referrals/" + MakeReferral(), kProviderP,
                               R"({"status":"accepted","reason":{"text":"see you Monday"}})");
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  HttpResponse rejected = Call("PATCH", "/v1/referrals/" + first, kProviderP,
                               R"({"status":"rejected","reason":{"code":"no-capacity","text":"full"}})");
  ASSERT_EQ(rejected.status, 200) << rejected.body;
  v1::UpdateReferralResponse update;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(rejected.body, &update).ok());
  EXPECT_EQ(update.event().from_status(), "requested");
  EXPECT_EQ(update.event().to_status(), "rejected");
  EXPECT_EQ(update.event().actor(), "provider");
  EXPECT_EQ(update.event().actor_id(), "ido-bieb-centrum");
  EXPECT_FALSE(update.has_next());  // made, but not shown to the rejecting provider
  EXPECT_EQ(update.next_error(), "");

  HttpResponse shown = Call("GET", "/v1/referrals/" + first, kDeskA);
  ASSERT_EQ(shown.status, 200);
  v1::ReferralRecord record;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(shown.body, &record).ok());
  EXPECT_EQ(record.status(), "rejected");
  ASSERT_EQ(record.history_size(), 2);
  EXPECT_EQ(record.history(0).to_status(), "requested");
  EXPECT_EQ(record.history(0).actor_id(), "desk-a");
  EXPECT_EQ(record.history(1).reason().code(), "no-capacity");
  EXPECT_EQ(record.history(1).reason().text(), "full");

  // The desk's open referrals: the accepted one and the next one (previous_id =
  // first), not the rejected one.
  HttpResponse desk = Call("GET", "/v1/referrals?desk=desk-a", kDeskA);
  ASSERT_EQ(desk.status, 200);
  v1::ReferralList list;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(desk.body, &list).ok());
  ASSERT_EQ(list.referrals_size(), 2) << desk.body;
  std::string next_provider;
  for (const v1::ReferralRecord& r : list.referrals()) {
    EXPECT_NE(r.id(), first);
    if (r.previous_id() == first) next_provider = r.provider_id();
  }
  EXPECT_NE(next_provider, "");
  EXPECT_NE(next_provider, "ido-bieb-centrum");
  // Provider P's open list holds the accepted referral only.
  HttpResponse p = Call("GET", "/v1/referrals?provider=ido-bieb-centrum", kProviderP);
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(p.body, &list).ok());
  ASSERT_EQ(list.referrals_size(), 1);
  EXPECT_EQ(list.referrals(0).status(), "accepted");
  HttpResponse history = Call("GET", "/v1/referrals/" + list.referrals(0).id(), kProviderP);
  EXPECT_THAT(history.body, HasSubstr("\"text\":\"see you Monday\""));
}

TEST_F(ReferralsApiTest, EveryError) {
  const std::string made = MakeReferral();
  struct Case {
    std::string method, target;
    std::string_view token;
    std::string body;
    int status;
    std::string message;
    std::string type = "application/json";
  } cases[] = {
      {"POST", "/v1/referrals", kDeskA, "{", 400, "not a wegwijzer.v1.CreateReferralRequest"},
      {"POST", "/v1/referrals", kDeskA, R"({"requests":[]})", 400, "requests"},
      {"POST", "/v1/referrals", kDeskA, R"({"request":{"id":"q","topics":["TOPIC_NOPE"]}})", 400,
       "TOPIC_NOPE"},
      {"POST", "/v1/referrals", kDeskA, "{}", 400, "request: missing"},
      {"POST", "/v1/referrals", kDeskA, R"({"request":{"id":"q","position":{"lat_deg":52.5,"lon_deg":6.1}}})",
       400, "request: "},
      {"POST", "/v1/referrals", kDeskA, R"({"request":{"id":"q","postcode":"8011","topics":["TOPIC_DIGID"]}})",
       400, "request.postcode: this server has no postcode table"},
      {"POST", "/v1/referrals", kDeskA, kCreate.data(), 415, "is not accepted", "text/plain"},
      // In the North Sea, in person only, within 1 km: nothing suits.
      {"POST", "/v1/referrals", kDeskA,
       R"({"request":{"id":"sea","position":{"lat_deg":53.5,"lon_deg":4.0},"topics":["TOPIC_DIGID"],"modes":["MODE_IN_PERSON"],"max_km":1}})",
       422, "request sea: no provider suits it"},
      {"POST", "/v1/referrals", kProviderP, "{", 400, "CreateReferralRequest"},  // body before role
      {"PUT", "/v1/referrals", kDeskA, "", 405, "use GET, POST"},
      {"DELETE", "/v1/referrals/" + made, kDeskA, "", 405, "use GET, PATCH"},
      {"GET", "/v1/referrals/a/b", kDeskA, "", 404, "no such path"},
      {"GET", "/v1/referrals/%zz", kDeskA, "", 400, "referral id: a '%' escape"},
      {"PATCH", "/v1/referrals/" + made, kProviderP, R"({"status":"done"})", 400,
       "status: 'done' is not a FHIR Task status"},
      {"PATCH", "/v1/referrals/" + made, kProviderP, R"({"status":"rejected","reason":{"code":"busy"}})",
       400, "reason.code: 'busy' is not a reason code"},
      {"PATCH", "/v1/referrals/" + made, kProviderP, R"({"status":"accepted","note":"x"})", 400,
       "note"},
      {"PATCH", "/v1/referrals/" + made, kProviderP, R"({"status":"completed"})", 409,
       "requested"},
      {"PATCH", "/v1/referrals/" + made, kProviderP, R"({"status":"rejected"})", 409, "reason"},
      {"PATCH", "/v1/referrals/" + made, kProviderP,
       R"({"status":"cancelled","reason":{"code":"expired"}})", 409, "expired"},
      {"PATCH", "/v1/referrals/" + made, kDeskA, R"({"status":"accepted"})", 409, "desk"},
      {"GET", "/v1/referrals", kAdmin, "", 400, "provider, desk: give one"},
      {"GET", "/v1/referrals?provider=a&desk=b", kAdmin, "", 400, "provider, desk: give one"},
      {"GET", "/v1/referrals?status=open", kAdmin, "", 400, "unknown parameter 'status'"},
      {"GET", "/v1/referrals?provider=%", kAdmin, "", 400, "query parameter 'provider'"},
      {"GET", "/v1/referrals?provider=bieb-holtenbroek", kProviderP, "", 403,
       "lists only its own referrals (?provider=ido-bieb-centrum)"},
      {"POST", "/v1/admin/reload", kDeskA, "", 403, "only an admin's token"},
      {"GET", "/v1/admin/reload", kAdmin, "", 405, "use POST"},
  };
  for (const Case& c : cases) {
    HttpResponse response = Call(c.method, c.target, c.token, c.body, c.type);
    EXPECT_EQ(response.status, c.status) << c.method << " " << c.target << " " << c.body << ": "
                                         << response.body;
    EXPECT_THAT(response.body, HasSubstr(c.message)) << c.method << " " << c.target << " " << c.body;
    EXPECT_THAT(response.body, HasSubstr("\"error\":{\"code\":" + std::to_string(c.status)));
  }
  // None of these moved the referral.
  absl::StatusOr<ReferralRecord> record = store_->Get(made);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->status, ReferralStatus::kRequested);
  EXPECT_EQ(record->history.size(), 1u);
}

// A second referral of a request while its first is open: 409 naming the open one;
// after the desk cancels it, the request may be referred again.
TEST_F(ReferralsApiTest, ARequestWithAnOpenReferralIsAConflict) {
  HttpResponse first = Call("POST", "/v1/referrals", kDeskA, kCreate);
  ASSERT_EQ(first.status, 201) << first.body;
  v1::ReferralRecord record;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(first.body, &record).ok());
  HttpResponse second = Call("POST", "/v1/referrals", kDeskA, kCreate);
  EXPECT_EQ(second.status, 409) << second.body;
  EXPECT_THAT(second.body, HasSubstr("request q1 of desk desk-a already has an open referral, " +
                                     record.id()));
  HttpResponse cancelled =
      Call("PATCH", "/v1/referrals/" + record.id(), kDeskA,
           R"({"status":"cancelled","reason":{"code":"no-longer-interested"}})");
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  HttpResponse again = Call("POST", "/v1/referrals", kDeskA, kCreate);
  EXPECT_EQ(again.status, 201) << again.body;
}

// Every suitable provider full: 409 naming the request.
TEST_F(ReferralsApiTest, FullProvidersAreAConflict) {
  for (size_t i = 0; i < directory_->size(); ++i) {
    ASSERT_TRUE(store_->SetCapacity(directory_->provider(ProviderIndex(static_cast<uint32_t>(i))).id, 0).ok());
  }
  HttpResponse response = Call("POST", "/v1/referrals", kDeskA, kCreate);
  EXPECT_EQ(response.status, 409) << response.body;
  EXPECT_THAT(response.body, HasSubstr("request q1: every suitable provider is full"));
}

TEST(ReferralsApiWithoutStore, EndpointsSayWhichFlagsEnableThem) {
  absl::StatusOr<ProvidersCsv> providers =
      ReadProvidersCsv(std::string(WEGWIJZER_SOURCE_DIR) + "/data/providers.csv");
  ASSERT_TRUE(providers.ok());
  Api api(Serve(providers->directory), nullptr);
  for (auto [method, target] : {std::pair{"GET", "/v1/referrals/r1"}, std::pair{"POST", "/v1/referrals"},
                                std::pair{"GET", "/v1/jobs/abc"}, std::pair{"POST", "/v1/match"}}) {
    HttpResponse response = api.Handle({.method = method, .target = target, .body = ""});
    EXPECT_EQ(response.status, 404) << target;
  }
  HttpResponse referrals = api.Handle({.method = "GET", .target = "/v1/referrals/r1"});
  EXPECT_THAT(referrals.body, HasSubstr("--store and --tokens"));
  // No tokens file: the admin endpoint is a 401 for every token.
  HttpResponse reload = api.Handle(
      {.method = "POST", .target = "/v1/admin/reload", .authorization = "Bearer token-admin-0123456789"});
  EXPECT_EQ(reload.status, 401);
}

// Through the transport: the Authorization header reaches the API, and a provider's
// token accepts its own referral and not another's.
TEST_F(ReferralsApiTest, OverLoopback) {
  absl::StatusOr<std::unique_ptr<Server>> server =
      Server::Start({.port = 0, .threads = 2, .log = nullptr}, api_.get());
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string made = MakeReferral();
  auto exchange = [&](std::string_view token) {
    const int fd = Connect((*server)->port());
    SendAll(fd, Http("PATCH", "/v1/referrals/" + made, R"({"status":"accepted"})",
                     "application/json", "Authorization: Bearer " + std::string(token) + "\r\n"));
    std::string pending;
    std::optional<Reply> reply = ReadReply(fd, &pending);
    ::close(fd);
    EXPECT_TRUE(reply.has_value());
    return reply.value_or(Reply{});
  };
  EXPECT_EQ(exchange(kProviderQ).status, 403);
  EXPECT_EQ(exchange(kWrong).status, 401);
  const Reply own = exchange(kProviderP);
  EXPECT_EQ(own.status, 200) << own.body;
  EXPECT_THAT(own.body, HasSubstr("\"to_status\":\"accepted\""));
  EXPECT_EQ(store_->Get(made)->status, ReferralStatus::kAccepted);
  // Counted under the endpoint's label, not "other" (the id is not a label).
  const std::string metrics = api_->metrics().Format(*api_->Current());
  for (const char* line : {"{path=\"/v1/referrals/{id}\",status=\"403\"} 1",
                           "{path=\"/v1/referrals/{id}\",status=\"401\"} 1",
                           "{path=\"/v1/referrals/{id}\",status=\"200\"} 1"}) {
    EXPECT_THAT(metrics, HasSubstr(line));
  }
}

}  // namespace
}  // namespace wegwijzer::server
