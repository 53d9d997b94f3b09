// `wegwijzer referrals`: a desk refers, the provider rejects for no capacity, the
// next referral follows, the report shows how referrals ended; and the errors.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "referral/store_backends.h"
#include "testing/cli_runner.h"

namespace wegwijzer {
namespace {

using ::testing::HasSubstr;
using testing::RunCli;
namespace fs = std::filesystem;

class CliReferrals : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::path(::testing::TempDir()) /
            ("cli_referrals." + std::to_string(::getpid()) + "." +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ + "/p.csv") << "id,kind,lat,lon,topics,capacity\n"
                                      "near,ido,52.001,5,benefits,1\n"
                                      "mid,ido,52.01,5,benefits,3\n";
    std::ofstream(dir_ + "/r.csv") << "id,lat,lon,topics,postcode\n"
                                      "res-1,52,5,benefits,8011AB\n"
                                      "res-2,52,5,benefits,\n";
    store_ = dir_ + "/s.db";
  }
  void TearDown() override { fs::remove_all(dir_); }
  // `wegwijzer referrals SUB --store STORE REST...`
  testing::CliRun Run(const std::string& sub, std::vector<std::string> rest) {
    rest.insert(rest.begin(), {"referrals", sub, "--store", store_});
    return RunCli(rest, dir_);
  }
  std::string dir_, store_;
};

// The same commands on a SQLite file and on a PostgreSQL database (--store URI).
class CliReferralsOnBackend : public CliReferrals,
                              public ::testing::WithParamInterface<testing_backends::Backend> {
 protected:
  void SetUp() override {
    CliReferrals::SetUp();
    location_.SetUp(GetParam(), "cli");
    store_ = location_.location();
  }
  void TearDown() override {
    location_.TearDown();
    CliReferrals::TearDown();
  }
  testing_backends::StoreLocation location_;
};

TEST_P(CliReferralsOnBackend, ReferRejectNextReport) {
  auto a = Run("create", {"--providers", dir_ + "/p.csv", "--requests", dir_ + "/r.csv",
                "--request", "res-1", "--desk", "desk-1", "--at", "2026-12-01T09:00:00Z"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, "referral r1: request res-1 -> near (in_person), desk desk-1, requested\n");
  auto b = Run("create", {"--providers", dir_ + "/p.csv", "--requests", dir_ + "/r.csv",
                "--request", "res-2", "--desk", "desk-1", "--at", "2026-12-01T09:05:00Z"});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(b.out, "referral r2: request res-2 -> mid (in_person), desk desk-1, requested\n");
  auto refused = Run("update", {"--referral", "r1", "--status", "accepted", "--actor", "desk"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("requested -> accepted by desk refused: only the provider "
                                     "may do this"));
  auto no_reason = Run("update", {"--referral", "r1", "--status", "rejected", "--actor",
                        "provider"});
  EXPECT_EQ(no_reason.exit_code, 1);
  EXPECT_THAT(no_reason.err, HasSubstr("a reason code is required"));
  auto rejected = Run("update", {"--referral", "r1", "--status", "rejected", "--actor",
                       "provider", "--reason", "no-capacity", "--note", "vol tot maart",
                       "--providers", dir_ + "/p.csv", "--at", "2026-12-02T09:00:00Z"});
  ASSERT_EQ(rejected.exit_code, 0) << rejected.err;
  EXPECT_EQ(rejected.out,
            "referral r1: requested -> rejected (no-capacity: vol tot maart)\n"
            "next referral r3: request res-1 -> mid (in_person), desk desk-1, requested\n");
  auto accepted = Run("update", {"--referral", "r3", "--status", "accepted", "--actor",
                       "provider", "--at", "2026-12-03T09:00:00Z"});
  ASSERT_EQ(accepted.exit_code, 0) << accepted.err;
  auto show = Run("show", {"--referral", "r3"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(show.out,
            "referral r3: request res-1 -> mid (in_person), desk desk-1, accepted\n"
            "follows referral r1\n"
            "topics benefits, area 8011\n"
            "sequence,at,actor,actor_id,from,to,reason,note\n"
            "4,2026-12-02T09:00:00Z,desk,desk-1,,requested,,\n"
            "5,2026-12-03T09:00:00Z,provider,mid,requested,accepted,,\n");
  auto list = Run("list", {"--provider", "mid"});
  EXPECT_EQ(list.out,
            "referral_id,request_id,provider_id,desk_id,status,updated\n"
            "r2,res-2,mid,desk-1,requested,2026-12-01T09:05:00Z\n"
            "r3,res-1,mid,desk-1,accepted,2026-12-03T09:00:00Z\n");
  auto overdue = Run("list", {"--overdue-days", "3", "--at", "2026-12-10T00:00:00Z"});
  EXPECT_EQ(overdue.out,
            "referral_id,request_id,provider_id,desk_id,status,updated\n"
            "r2,res-2,mid,desk-1,requested,2026-12-01T09:05:00Z\n");
  auto expire = Run("expire", {"--days", "3", "--at", "2026-12-10T00:00:00Z"});
  EXPECT_EQ(expire.out, "expired 1 referrals\n");
  auto report = Run("report", {"--out", "-"});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  EXPECT_EQ(report.out,
            "provider_id,topic,postcode_area,month,referrals,open,completed,failed,rejected,"
            "rejected_no_capacity,rejected_not_eligible,rejected_other,cancelled,expired,"
            "entered_in_error,mean_days_to_answer,mean_days_to_start,mean_days_to_complete\n"
            "mid,benefits,,2026-12,1,0,0,0,0,0,0,0,1,1,0,,,\n"
            "mid,benefits,8011,2026-12,1,1,0,0,0,0,0,0,0,0,0,1.00,,\n"
            "near,benefits,8011,2026-12,1,0,0,0,1,1,0,0,0,0,0,1.00,,\n");
}

TEST_F(CliReferrals, UsageAndBadInput) {
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    const char* says;
  };
  const Case cases[] = {
      {{"referrals"}, 2, "a subcommand is required"},
      {{"referrals", "bogus", "--store", "x.db"}, 2, "unknown subcommand 'bogus'"},
      {{"referrals", "show", "--referral", "r1"}, 2, "show needs --store"},
      {{"referrals", "show", "--store", "STORE", "--referral", "r1", "--desk", "d"}, 2,
       "unknown option '--desk'"},
      {{"referrals", "show", "--store", "STORE", "--referral", "r1", "--referral", "r2"}, 2,
       "--referral given twice"},
      {{"referrals", "expire", "--store", "STORE", "--days", "0"}, 2,
       "--days takes a whole number from 1 to 36500, not '0'"},
      {{"referrals", "expire", "--store", "STORE", "--days", " 1"}, 2, "not ' 1'"},
      {{"referrals", "list", "--store", "STORE", "--overdue-days", "+1"}, 2, "not '+1'"},
      {{"referrals", "report", "--store", "STORE", "--out", "STORE"}, 2,
       "would overwrite the store"},
      {{"referrals", "update", "--store", "STORE", "--referral", "r1", "--status", "cancelled",
        "--actor", "desk", "--providers", "P", "--snapshot", "S"},
       2, "--providers or --snapshot, not both"},
      {{"referrals", "show", "--store", "NEW", "--referral", "r1"}, 1,
       "(referrals create makes one)"},
      {{"referrals", "create", "--store", "NEW"}, 2, "create needs"},
      {{"referrals", "show", "--store", "STORE"}, 2, "show needs --referral"},
      {{"referrals", "show", "--store", "STORE", "--referral", "r9"}, 1, "no referral r9"},
      {{"referrals", "update", "--store", "STORE", "--referral", "r1", "--status", "done",
        "--actor", "desk"},
       2, "unknown status 'done'"},
      {{"referrals", "update", "--store", "STORE", "--referral", "r1", "--status", "cancelled",
        "--actor", "system"},
       2, "--actor is desk or provider"},
      {{"referrals", "update", "--store", "STORE", "--referral", "r1", "--status", "cancelled",
        "--actor", "desk", "--reason", "bored"},
       2, "unknown reason 'bored'"},
      {{"referrals", "list", "--store", "STORE"}, 2, "list needs one of"},
      {{"referrals", "list", "--store", "STORE", "--overdue-days", "-1"}, 2, "whole number"},
      {{"referrals", "list", "--store", "STORE", "--desk", "d", "--at", "yesterday"}, 2,
       "RFC 3339"},
      {{"referrals", "expire", "--store", "STORE"}, 2, "expire needs --days"},
      {{"referrals", "report", "--store", "STORE"}, 2, "report needs --out"},
      {{"referrals", "create", "--store", "STORE", "--providers", "P", "--requests", "R",
        "--request", "nobody", "--desk", "d"},
       1, "no request nobody"},
      {{"referrals", "show", "--store", "GARBAGE", "--referral", "r1"}, 1,
       "not a SQLite database"},
  };
  std::ofstream(dir_ + "/garbage.db") << std::string(4096, 'g');
  // A store to refuse things on (r1 is its referral).
  ASSERT_EQ(Run("create", {"--providers", dir_ + "/p.csv", "--requests", dir_ + "/r.csv",
                           "--request", "res-1", "--desk", "desk-1"})
                .exit_code,
            0);
  const std::string store_before = testing::Slurp(store_);
  for (const Case& c : cases) {
    std::vector<std::string> args = c.args;
    for (std::string& a : args) {
      if (a == "NEW") a = dir_ + "/new.db";
      if (a == "S") a = dir_ + "/s.pb";
      if (a == "STORE") a = store_;
      if (a == "GARBAGE") a = dir_ + "/garbage.db";
      if (a == "P") a = dir_ + "/p.csv";
      if (a == "R") a = dir_ + "/r.csv";
    }
    auto run = RunCli(args, dir_);
    EXPECT_EQ(run.exit_code, c.exit_code) << c.says << "\n" << run.err;
    EXPECT_THAT(run.err, HasSubstr(c.says));
    // A refused command makes no store and leaves the store as it was.
    EXPECT_FALSE(fs::exists(dir_ + "/new.db")) << c.says;
    EXPECT_EQ(testing::Slurp(store_), store_before) << c.says;
  }
  // --flag=VALUE is the same as --flag VALUE.
  auto attached = Run("show", {"--referral=r1"});
  EXPECT_EQ(attached.exit_code, 0) << attached.err;
  EXPECT_THAT(attached.out, HasSubstr("referral r1: request res-1 -> near"));
  auto help = RunCli({"referrals", "--help"}, dir_);
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("wegwijzer referrals create --store STORE"));
}

// show and list write CSV that reads back: a desk id or note with a comma, quote or
// line break is quoted.
TEST_F(CliReferrals, ShowAndListQuoteTheirFields) {
  const std::string desk = "desk,\"7\"";
  ASSERT_EQ(Run("create", {"--providers", dir_ + "/p.csv", "--requests", dir_ + "/r.csv",
                           "--request", "res-1", "--desk", desk, "--at", "2026-12-01T09:00:00Z"})
                .exit_code,
            0);
  auto list = Run("list", {"--desk", desk});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out,
            "referral_id,request_id,provider_id,desk_id,status,updated\n"
            "r1,res-1,near,\"desk,\"\"7\"\"\",requested,2026-12-01T09:00:00Z\n");
  ASSERT_EQ(Run("update", {"--referral", "r1", "--status", "cancelled", "--actor", "desk",
                           "--reason", "other", "--note", "line1,x\nline2", "--at",
                           "2026-12-01T10:00:00Z"})
                .exit_code,
            0);
  auto show = Run("show", {"--referral", "r1"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("1,2026-12-01T09:00:00Z,desk,\"desk,\"\"7\"\"\",,requested,,\n"));
  EXPECT_THAT(show.out, HasSubstr(",requested,cancelled,other,\"line1,x\nline2\"\n"));
}

// An update that was committed is reported as done (exit 0) even when the next
// referral cannot be made because the new directory contradicts the store.
TEST_F(CliReferrals, ACommittedRejectionIsNotReportedAsRefused) {
  for (const char* request : {"res-1", "res-2"}) {
    ASSERT_EQ(Run("create", {"--providers", dir_ + "/p.csv", "--requests", dir_ + "/r.csv",
                             "--request", request, "--desk", "desk-1"})
                  .exit_code,
              0);
  }
  // r1 holds near's one place; the new directory says near has none.
  std::ofstream(dir_ + "/p_low.csv") << "id,kind,lat,lon,topics,capacity\n"
                                        "near,ido,52.001,5,benefits,0\n"
                                        "mid,ido,52.01,5,benefits,3\n";
  auto rejected = Run("update", {"--referral", "r2", "--status", "rejected", "--actor",
                                 "provider", "--reason", "no-capacity", "--providers",
                                 dir_ + "/p_low.csv"});
  EXPECT_EQ(rejected.exit_code, 0) << rejected.err;
  EXPECT_THAT(rejected.out, HasSubstr("referral r2: requested -> rejected (no-capacity)\n"
                                      "no next referral: "));
  auto show = Run("show", {"--referral", "r2"});
  EXPECT_THAT(show.out, HasSubstr("referral r2: request res-2 -> mid (in_person), desk desk-1, rejected"));
}

INSTANTIATE_TEST_SUITE_P(Backends, CliReferralsOnBackend, testing_backends::AllBackends(),
                         testing_backends::BackendName);

}  // namespace
}  // namespace wegwijzer
