// The import-hsds / export-hsds commands and route/match --snapshot, end to end on
// the Open Referral samples (read in place from ../shared/data/hsds).
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/cli_runner.h"
#include "testing/shared_data.h"

namespace wegwijzer {
namespace {

using ::testing::HasSubstr;
using testing::RunCli;
using testing::Slurp;
namespace fs = std::filesystem;

class CliHsds : public ::testing::Test {
 protected:
  void SetUp() override {
    hsds_ = testing::SharedDataDir() + "/hsds";
    if (!fs::exists(hsds_)) GTEST_SKIP() << "no " << hsds_;
    // One folder per test and process: ctest runs these tests in parallel, and a
    // shared folder let one test's SetUp remove the other's captured output.
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = (fs::path(::testing::TempDir()) /
            ("cli_hsds." + std::to_string(::getpid()) + "." + info->name()))
               .string();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  std::string hsds_, dir_;
};

TEST_F(CliHsds, ImportRouteMatchExport) {
  const std::string sample = hsds_ + "/openreferral-hsds-3.1-dev/service_full.json";
  const std::string pb = dir_ + "/s.pb";
  // Strict: the out-of-range location is named, nothing is written.
  testing::CliRun strict = RunCli({"import-hsds", sample, "--out", pb}, dir_);
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_THAT(strict.err, HasSubstr("location 3a19ff88-4620-4d17-9830-ac1d859eb5d5: field "
                                    "\"latitude\": 100 is outside [-90, 90]"));
  EXPECT_FALSE(fs::exists(pb));
  testing::CliRun lenient = RunCli({"import-hsds", sample, "--skip-bad-records", "--out", pb}, dir_);
  ASSERT_EQ(lenient.exit_code, 0) << lenient.err;
  EXPECT_THAT(lenient.err, HasSubstr("location left out"));
  EXPECT_THAT(lenient.err, HasSubstr("1 services read, 1 providers"));
  ASSERT_TRUE(fs::exists(pb));

  const std::string requests = dir_ + "/requests.csv";
  {
    std::ofstream out(requests);
    out << "id,lat,lon,topics,languages,modes\nr1,52.37,4.9,basics,ur,video\nr2,52.37,4.9,taxes,nl,\n";
  }
  testing::CliRun route = RunCli({"route", "--snapshot", pb, "--requests", requests, "--out",
                                  dir_ + "/route.csv"}, dir_);
  ASSERT_EQ(route.exit_code, 0) << route.err;
  EXPECT_EQ(Slurp(dir_ + "/route.csv"),
            "request_id,rank,provider_id,mode,distance_m\n"
            "r1,1,ac148810-d857-441c-9679-408f346de14b,video,\n"
            "r2,0,,no_suitable_provider,\n");
  testing::CliRun match = RunCli({"match", "--snapshot", pb, "--requests", requests, "--out",
                                  dir_ + "/plan.csv"}, dir_);
  ASSERT_EQ(match.exit_code, 0) << match.err;
  EXPECT_THAT(Slurp(dir_ + "/plan.csv"), HasSubstr("r1,ac148810-d857-441c-9679-408f346de14b,video,"));

  for (const char* format : {"json", "csv"}) {
    SCOPED_TRACE(format);
    const std::string out = dir_ + "/export-" + format;
    testing::CliRun exported = RunCli({"export-hsds", "--snapshot", pb, "--format", format, "--out", out}, dir_);
    ASSERT_EQ(exported.exit_code, 0) << exported.err;
    // What was exported imports again to the same providers.
    const std::string again = dir_ + "/again-" + format + ".pb";
    testing::CliRun reimport = RunCli({"import-hsds", out, "--skip-bad-records", "--out", again}, dir_);
    ASSERT_EQ(reimport.exit_code, 0) << reimport.err;
    testing::CliRun route2 = RunCli({"route", "--snapshot", again, "--requests", requests, "--out",
                                     dir_ + "/route2.csv"}, dir_);
    ASSERT_EQ(route2.exit_code, 0) << route2.err;
    EXPECT_EQ(Slurp(dir_ + "/route2.csv"), Slurp(dir_ + "/route.csv"));
  }
}

TEST_F(CliHsds, ToProvidersCsvWithAReport) {
  testing::CliRun run = RunCli({"import-hsds", hsds_ + "/openreferral-hsds-3.0/service_at_location_full.json",
                                "--skip-bad-records", "--out", dir_ + "/contract/"}, dir_);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr("not in providers.csv: 3 schedules (opening hours)"));
  EXPECT_THAT(run.err, HasSubstr("not in providers.csv: 1 services with an age limit"));
  EXPECT_THAT(Slurp(dir_ + "/contract/providers.csv"),
              HasSubstr("ac148810-d857-441c-9679-408f346de14b,Community Counselling,other,,,basics,ur,video"));
}

TEST_F(CliHsds, UsageAndBadInput) {
  EXPECT_EQ(RunCli({"import-hsds", "--out", "x.pb"}, dir_).exit_code, 2);
  EXPECT_EQ(RunCli({"import-hsds", "a.json"}, dir_).exit_code, 2);
  EXPECT_EQ(RunCli({"import-hsds", "a.json", "--out", "x", "--bogus"}, dir_).exit_code, 2);
  EXPECT_EQ(RunCli({"export-hsds", "--out", dir_}, dir_).exit_code, 2);
  EXPECT_EQ(RunCli({"export-hsds", "--snapshot", "s", "--format", "xml", "--out", dir_}, dir_).exit_code, 2);
  EXPECT_EQ(RunCli({"route", "--snapshot", "s.pb", "--providers", "p.csv", "--requests", "r", "--out", "o"}, dir_)
                .exit_code,
            2);
  testing::CliRun old = RunCli({"import-hsds", hsds_ + "/openreferral-sample-hsds-1.1", "--out", dir_ + "/x.pb"}, dir_);
  EXPECT_EQ(old.exit_code, 1);
  EXPECT_THAT(old.err, HasSubstr("HSDS 1.1 is not supported"));
  testing::CliRun map = RunCli({"import-hsds", hsds_ + "/openreferral-hsds-3.0/service_full.json",
                                "--taxonomy-map", dir_ + "/none.csv", "--out", dir_ + "/x.pb"}, dir_);
  EXPECT_EQ(map.exit_code, 1);
  EXPECT_THAT(map.err, HasSubstr("none.csv"));
  // Writing over what is read is refused before anything is read or written.
  const std::string copy = dir_ + "/service_full.json";
  fs::copy_file(hsds_ + "/openreferral-hsds-3.1-dev/service_full.json", copy);
  const std::string before = Slurp(copy);
  testing::CliRun over = RunCli({"import-hsds", copy, "--out", copy}, dir_);
  EXPECT_EQ(over.exit_code, 2);
  EXPECT_THAT(over.err, HasSubstr("would overwrite the input"));
  EXPECT_EQ(Slurp(copy), before);
  fs::create_directories(dir_ + "/folder");
  fs::copy_file(copy, dir_ + "/folder/service_list.json");
  testing::CliRun inside =
      RunCli({"import-hsds", dir_ + "/folder", "--out", dir_ + "/folder/service_list.json"}, dir_);
  EXPECT_EQ(inside.exit_code, 2);
  EXPECT_THAT(inside.err, HasSubstr("would overwrite the input"));
  EXPECT_EQ(Slurp(dir_ + "/folder/service_list.json"), before);
  std::ofstream(dir_ + "/map.csv") << "taxonomy,term_code,topic\n";
  testing::CliRun over_map =
      RunCli({"import-hsds", copy, "--taxonomy-map", dir_ + "/map.csv", "--out", dir_ + "/map.csv"}, dir_);
  EXPECT_EQ(over_map.exit_code, 2);
  EXPECT_THAT(over_map.err, HasSubstr("would overwrite the taxonomy map"));
  // The --skip-bad-records hint only where skipping helps: a record's problem, not an
  // empty file.
  std::ofstream(dir_ + "/service_list.json").flush();
  testing::CliRun empty = RunCli({"import-hsds", dir_ + "/service_list.json", "--out", dir_ + "/e.pb"}, dir_);
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_THAT(empty.err, ::testing::Not(HasSubstr("--skip-bad-records")));
  EXPECT_THAT(empty.err, HasSubstr("input rejected; nothing written"));
  // The sample's real-world quirk (a latitude of 100) is a record's problem.
  testing::CliRun ages = RunCli({"import-hsds", copy, "--out", dir_ + "/a.pb"}, dir_);
  EXPECT_EQ(ages.exit_code, 1);
  EXPECT_THAT(ages.err, HasSubstr("field \"latitude\": 100 is outside [-90, 90]"));
  EXPECT_THAT(ages.err, HasSubstr("(--skip-bad-records leaves such records out)"));
  testing::CliRun help = RunCli({"import-hsds", "--help"}, dir_);
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--taxonomy-map MAP.csv"));
  EXPECT_THAT(RunCli({"--help"}, dir_).out, HasSubstr("export-hsds --snapshot S"));
}

}  // namespace
}  // namespace wegwijzer
