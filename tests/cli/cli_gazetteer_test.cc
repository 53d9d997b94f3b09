// The command line's gazetteer options (bindings/cli/main.cc): --municipalities and
// --postcodes for route and match, on the real map (skipped when ../shared/data is
// absent) and their usage errors.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/cli_runner.h"
#include "testing/shared_data.h"

namespace wegwijzer {
namespace {

namespace fs = std::filesystem;

using testing::CliRun;
using testing::Slurp;

class CliGazetteer : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = ::testing::TempDir() + "/wegwijzer_cli_gazetteer_test." + std::to_string(::getpid()) +
           "." + info->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(Path("providers.csv"))
        << "id,name,kind,lat,lon,topics,municipality,capacity\n"
           "ams_desk,Stadsloket Centrum,municipal,52.3676,4.9003,permits;digid,GM0363,1\n"
           "diemen_desk,Gemeentehuis Diemen,municipal,52.3396,4.9622,permits;digid,GM0384,1\n";
    std::ofstream(Path("requests.csv")) << "id,postcode,topics\n"
                                           "amsterdam,1011AB,permits\n"
                                           "diemen,1111,permits\n"
                                           "utrecht,3511,permits\n";
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  CliRun Wegwijzer(const std::vector<std::string>& args) const {
    return testing::RunCli(args, dir_);
  }

  std::vector<std::string> Command(const std::string& command, const std::string& out) const {
    return {command, "--providers", Path("providers.csv"), "--requests", Path("requests.csv"),
            "--out", Path(out)};
  }

  std::string dir_;
};

TEST_F(CliGazetteer, RouteByPostcodeOnTheRealMap) {
  WEGWIJZER_REQUIRE_SHARED_DATA();
  std::vector<std::string> args = Command("route", "route.csv");
  for (const std::string& a : {std::string("--municipalities"), testing::MunicipalitiesGeoJson(),
                               std::string("--postcodes"), testing::PostcodesCsv()}) {
    args.push_back(a);
  }
  CliRun run = Wegwijzer(args);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Slurp(Path("route.csv")),
            "request_id,rank,provider_id,mode,distance_m\n"
            "amsterdam,1,ams_desk,in_person,599\n"
            "diemen,1,diemen_desk,in_person,2073\n"
            "utrecht,0,,no_suitable_provider,\n");
  EXPECT_NE(run.err.find("gazetteer: 342 municipalities, 4067 postcodes; repaired 5 invalid "
                         "polygons (GM0303, GM0716, GM0852, GM1895, GM1924)"),
            std::string::npos)
      << run.err;

  args[0] = "match";
  args[6] = Path("plan.csv");
  run = Wegwijzer(args);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("objective: "), std::string::npos);
  EXPECT_NE(Slurp(Path("plan.csv")).find("diemen,diemen_desk,in_person,2073,"),
            std::string::npos);
}

TEST_F(CliGazetteer, PostcodesWithoutAMapAreBadRows) {
  CliRun run = Wegwijzer(Command("route", "route.csv"));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("requests.csv:2: bad row: postcode: '1011AB' gives no position "
                         "without a gazetteer"),
            std::string::npos)
      << run.err;
  EXPECT_FALSE(fs::exists(Path("route.csv")));
}

TEST_F(CliGazetteer, UsageAndLoadErrors) {
  std::vector<std::string> args = Command("route", "route.csv");
  args.insert(args.end(), {"--postcodes", Path("pc4.csv")});
  CliRun run = Wegwijzer(args);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--postcodes needs --municipalities"), std::string::npos) << run.err;

  args = Command("match", "plan.csv");
  args.insert(args.end(), {"--municipalities", Path("missing.geojson")});
  run = Wegwijzer(args);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find(Path("missing.geojson") + ": no such file"), std::string::npos)
      << run.err;
  EXPECT_FALSE(fs::exists(Path("plan.csv")));

  std::ofstream(Path("bad.geojson")) << R"({"type":"FeatureCollection","features":[{]})";
  args = Command("route", "route.csv");
  args.insert(args.end(), {"--municipalities", Path("bad.geojson")});
  run = Wegwijzer(args);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find(Path("bad.geojson") + ": byte 41 (feature 0): expected a string"),
            std::string::npos)
      << run.err;

  run = Wegwijzer({"demo", "--municipalities", Path("bad.geojson")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("unknown option '--municipalities' for demo"), std::string::npos);
  run = Wegwijzer({"route", "--municipalities"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--municipalities needs a value"), std::string::npos) << run.err;

  run = Wegwijzer({"--help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("--municipalities FILE"), std::string::npos);
  EXPECT_NE(run.out.find("--postcodes FILE"), std::string::npos);
}

}  // namespace
}  // namespace wegwijzer
