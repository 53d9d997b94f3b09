// Golden tests of the command-line program (interchange.md v1.1, "Command line" and
// "Fine points"): what `wegwijzer route` writes, its exit status, what it reports on
// standard error, and that it never leaves a partial or stale output behind.
//
// The fixture tests/fixtures/route_small/ holds providers.csv, requests.csv and the
// hand-checked route.csv (its README explains every row); the distances in it are
// recomputed here with the test oracle.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "testing/cli_runner.h"
#include "testing/brute_force.h"
#include "testing/shared_data.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/dutch_scenario.h"
#include "wegwijzer/interchange.h"

namespace wegwijzer {
namespace {

namespace fs = std::filesystem;

const std::string kFixture = std::string(WEGWIJZER_SOURCE_DIR) + "/tests/fixtures/route_small";
const std::string kMatchFixture =
    std::string(WEGWIJZER_SOURCE_DIR) + "/tests/fixtures/match_small";

void Spit(const std::string& path, const std::string& contents) {
  std::ofstream(path, std::ios::binary) << contents;
}

using testing::CliRun;
using testing::Slurp;

// A fresh folder per test under ::testing::TempDir().
class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    // The process id keeps concurrent runs (two build trees, ctest -j) apart.
    dir_ = ::testing::TempDir() + "/wegwijzer_cli_test." + std::to_string(::getpid()) + "." +
           info->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);  // kept for a look when a test failed
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  CliRun Wegwijzer(const std::vector<std::string>& args) const {
    return testing::RunCli(args, dir_);
  }

  // Files in the test folder, so a test can check that nothing was left behind.
  std::vector<std::string> Files() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

  CliRun Route(const std::string& providers, const std::string& requests,
            std::vector<std::string> extra = {}) const {
    std::vector<std::string> args = {"route", "--providers", providers, "--requests", requests,
                                     "--out", Path("route.csv")};
    args.insert(args.end(), extra.begin(), extra.end());
    return Wegwijzer(args);
  }

  std::string dir_;
};

// route.csv rows, split naively (the fixture's only quoted field is a request id).
struct RouteRow {
  std::string request_id, rank, provider_id, mode, distance_m;
};

std::vector<RouteRow> RouteRows(const std::string& csv) {
  std::vector<RouteRow> rows;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::string field;
    bool quoted = false;
    for (char c : line) {
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        f.push_back(field);
        field.clear();
      } else {
        field += c;
      }
    }
    f.push_back(field);
    EXPECT_EQ(f.size(), 5u) << line;
    if (f.size() == 5) rows.push_back({f[0], f[1], f[2], f[3], f[4]});
  }
  return rows;
}

TEST_F(Cli, TheGoldenRouteCsvAgreesWithTheOracleDistances) {
  // An independent check of the hand-worked fixture: every physical referral's
  // distance_m is the contract's haversine, rounded; remote ones are empty.
  absl::StatusOr<ProvidersCsv> providers = ReadProvidersCsv(kFixture + "/providers.csv");
  absl::StatusOr<RequestsCsv> requests = ReadRequestsCsv(kFixture + "/requests.csv");
  ASSERT_TRUE(providers.ok()) << providers.status();
  ASSERT_TRUE(requests.ok()) << requests.status();
  std::map<std::string, LatLng> at;
  for (const Request& r : requests->requests) at[r.id] = r.position;
  const std::vector<RouteRow> rows = RouteRows(Slurp(kFixture + "/route.csv"));
  ASSERT_EQ(rows.size(), 13u);
  for (const RouteRow& row : rows) {
    SCOPED_TRACE(row.request_id + " " + row.provider_id);
    if (row.rank == "0") {
      EXPECT_EQ(row.mode, "no_suitable_provider");
      EXPECT_EQ(row.provider_id, "");
      EXPECT_EQ(row.distance_m, "");
      continue;
    }
    if (row.mode == "phone" || row.mode == "video") {
      EXPECT_EQ(row.distance_m, "");
      continue;
    }
    std::optional<ProviderIndex> p = providers->directory->Find(row.provider_id);
    ASSERT_TRUE(p.has_value());
    const LatLng q = providers->directory->provider(*p).locations[0].position;
    const LatLng r = at.at(row.request_id);
    const double d = testing::OracleDistanceMeters(r.lat_deg, r.lon_deg, q.lat_deg, q.lon_deg);
    EXPECT_EQ(row.distance_m, std::to_string(std::llround(d)));
  }
}

TEST_F(Cli, RouteWritesExactlyTheGoldenFile) {
  CliRun run = Route(kFixture + "/providers.csv", kFixture + "/requests.csv");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Slurp(Path("route.csv")), Slurp(kFixture + "/route.csv"));
  EXPECT_EQ(run.out, "");  // route reports on standard error only
  EXPECT_EQ(Files(), std::vector<std::string>{"route.csv"});  // no temporary left
  // An explicit --k 5 is the default; --threads changes nothing.
  run = Route(kFixture + "/providers.csv", kFixture + "/requests.csv",
              {"--k", "5", "--threads", "3"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Slurp(Path("route.csv")), Slurp(kFixture + "/route.csv"));
}

TEST_F(Cli, KCutsEachRequestsReferrals) {
  // The first k rows of each request in the golden file; rank-0 rows stay.
  for (int k : {1, 2, 3, 1000000000}) {
    SCOPED_TRACE(k);
    std::string expected = "request_id,rank,provider_id,mode,distance_m\n";
    std::istringstream golden(Slurp(kFixture + "/route.csv"));
    std::string line;
    std::getline(golden, line);
    for (const RouteRow& row : RouteRows(Slurp(kFixture + "/route.csv"))) {
      std::getline(golden, line);
      if (std::stoi(row.rank) <= k) expected += line + "\n";
    }
    CliRun run = Route(kFixture + "/providers.csv", kFixture + "/requests.csv",
                    {"--k", std::to_string(k)});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(Slurp(Path("route.csv")), expected);
    // The --k=N spelling is the same.
    run = Route(kFixture + "/providers.csv", kFixture + "/requests.csv",
                {"--k=" + std::to_string(k)});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(Slurp(Path("route.csv")), expected);
  }
  // A k beyond int is clamped, not an error.
  CliRun run = Route(kFixture + "/providers.csv", kFixture + "/requests.csv",
                  {"--k", "99999999999999999999"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Slurp(Path("route.csv")), Slurp(kFixture + "/route.csv"));
}

TEST_F(Cli, CrlfAndByteOrderMarkGiveTheSameOutput) {
  std::string providers = Slurp(kFixture + "/providers.csv");
  std::string requests = Slurp(kFixture + "/requests.csv");
  auto crlf = [](const std::string& s) {
    std::string out = "\xEF\xBB\xBF";
    for (char c : s) {
      if (c == '\n') out += "\r\n\r\n";  // CRLF, and a blank line after each
      else out += c;
    }
    return out;
  };
  Spit(Path("p.csv"), crlf(providers));
  Spit(Path("r.csv"), crlf(requests));
  CliRun run = Route(Path("p.csv"), Path("r.csv"));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Slurp(Path("route.csv")), Slurp(kFixture + "/route.csv"));
}

TEST_F(Cli, UnknownColumnsAreWarnedAboutAndIgnored) {
  std::string providers = Slurp(kFixture + "/providers.csv");
  std::string with_extra;
  std::istringstream in(providers);
  std::string line;
  while (std::getline(in, line)) with_extra += line + (with_extra.empty() ? ",website" : ",") + "\n";
  Spit(Path("p.csv"), with_extra);
  CliRun run = Route(Path("p.csv"), kFixture + "/requests.csv");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find(Path("p.csv") + ":1: warning: unknown column 'website'"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(Slurp(Path("route.csv")), Slurp(kFixture + "/route.csv"));
}

// The fixture's requests with two bad rows (lines 3 and 6) added.
std::string RequestsWithBadRows() {
  return "id,lat,lon,topics,languages,modes,access,max_km,priority,municipality\n"
         "r1,52.5120,6.0910,digid,,,,,0,GM0193\n"
         "bad-1,52.51,6.09,DigiD,,,,,,\n"
         "r2,52.5010,6.1010,health,ar,,,,3,\n"
         "r3,52.51,6.09,taxes,,in_person,,1,,\n"
         "bad-2,\"52,51\",6.09,taxes,,,,,,\n"
         "r4,52.51,6.09,permits,,,,,,GM0000\n"
         "\"r,5\",52.51,6.09,basics,en,,easy_language,,,\n"
         "r6,52.5150,6.1050,insurance,,,,,,\n"
         "r7,52.51,6.09,pension,,,,50,,\n";
}

TEST_F(Cli, BadRowsRejectTheInputAndLeaveTheOutputAlone) {
  Spit(Path("r.csv"), RequestsWithBadRows());
  // No output file at all.
  CliRun run = Route(kFixture + "/providers.csv", Path("r.csv"));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_FALSE(fs::exists(Path("route.csv")));
  EXPECT_NE(run.err.find(Path("r.csv") + ":3: bad row: topics: unknown code 'DigiD'"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find(Path("r.csv") + ":6: bad row: lat: '52,51'"), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("2 of 9 rows are bad"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("--skip-bad-rows"), std::string::npos) << run.err;

  // An existing output file is left exactly as it was, and nothing else appears.
  Spit(Path("route.csv"), "previous contents\n");
  const auto before = fs::last_write_time(Path("route.csv"));
  run = Route(kFixture + "/providers.csv", Path("r.csv"));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(Slurp(Path("route.csv")), "previous contents\n");
  EXPECT_EQ(fs::last_write_time(Path("route.csv")), before);
  EXPECT_EQ(Files(), (std::vector<std::string>{"r.csv", "route.csv"}));
}

TEST_F(Cli, BadProviderRowsAreReportedWithFileAndLine) {
  std::string providers = Slurp(kFixture + "/providers.csv");
  providers += "broken,,ido,52.5,6.1,digid,,home_visit,,,,\n";  // line 11: no radius
  Spit(Path("p.csv"), providers);
  CliRun run = Route(Path("p.csv"), kFixture + "/requests.csv");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_FALSE(fs::exists(Path("route.csv")));
  EXPECT_NE(run.err.find(Path("p.csv") + ":11: bad row: radius_km must be > 0"),
            std::string::npos)
      << run.err;
  // With --skip-bad-rows the broken provider is skipped and the rest is as before.
  run = Route(Path("p.csv"), kFixture + "/requests.csv", {"--skip-bad-rows"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find(Path("p.csv") + ":11: bad row: radius_km must be > 0"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(Slurp(Path("route.csv")), Slurp(kFixture + "/route.csv"));
}

TEST_F(Cli, SkipBadRowsReportsThemAndRoutesTheRest) {
  Spit(Path("r.csv"), RequestsWithBadRows());
  CliRun run = Route(kFixture + "/providers.csv", Path("r.csv"), {"--skip-bad-rows"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find(Path("r.csv") + ":3: bad row: topics: unknown code 'DigiD'"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find(Path("r.csv") + ":6: bad row: lat: '52,51' uses a decimal comma"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("2 of 9 rows are bad; skipped them"), std::string::npos) << run.err;
  // The good rows give exactly the golden file: nothing else is dropped.
  EXPECT_EQ(Slurp(Path("route.csv")), Slurp(kFixture + "/route.csv"));
}

TEST_F(Cli, WholeFileErrorsFailEvenWithSkipBadRows) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "empty"},
      {"id,lat,topics\nr1,52,digid\n", "missing required column 'lon'"},
      {"id,lat,lon,topics,lat\nr1,52,5,digid,52\n", "duplicate column 'lat'"},
      {"id,lat,lon,topics\nr1,52,5,\"digid\n", "never closes"},
      {"id,l\xFF" "at,lon,topics\nr1,52,5,digid\n", "UTF-8"},
  };
  for (const auto& [requests, reason] : cases) {
    SCOPED_TRACE(reason);
    Spit(Path("r.csv"), requests);
    CliRun run = Route(kFixture + "/providers.csv", Path("r.csv"), {"--skip-bad-rows"});
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_FALSE(fs::exists(Path("route.csv")));
    EXPECT_NE(run.err.find(Path("r.csv")), std::string::npos) << run.err;
    EXPECT_NE(run.err.find(reason), std::string::npos) << run.err;
  }
}

TEST_F(Cli, HeaderOnlyRequestsGiveAHeaderOnlyRouteCsv) {
  Spit(Path("r.csv"), "id,lat,lon,topics\n");
  CliRun run = Route(kFixture + "/providers.csv", Path("r.csv"));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Slurp(Path("route.csv")), "request_id,rank,provider_id,mode,distance_m\n");
  EXPECT_NE(run.err.find("warning: the file has a header but no rows"), std::string::npos)
      << run.err;
}

TEST_F(Cli, UnreadableInputIsBadInput) {
  CliRun run = Route(Path("missing.csv"), kFixture + "/requests.csv");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find(Path("missing.csv")), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(Path("route.csv")));
  run = Route(kFixture + "/providers.csv", dir_);  // a folder, not a file
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_FALSE(fs::exists(Path("route.csv")));
}

TEST_F(Cli, AnOutputThatCannotBeWrittenFailsCleanly) {
  CliRun run = Wegwijzer({"route", "--providers", kFixture + "/providers.csv", "--requests",
                       kFixture + "/requests.csv", "--out", Path("no/such/dir/route.csv")});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("no/such/dir/route.csv"), std::string::npos) << run.err;
  EXPECT_TRUE(Files().empty());
}

TEST_F(Cli, UsageErrorsExitTwoAndWriteNothing) {
  const std::string p = kFixture + "/providers.csv", r = kFixture + "/requests.csv";
  const std::string out = Path("route.csv");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{}, "no command"},
      {{"rout"}, "unknown command 'rout'"},
      {{"route", "--providers", p, "--requests", r, "--out", out, "--bogus"},
       "unknown option '--bogus'"},
      {{"route", "--providers", p, "--requests", r, "--out", out, "extra"},
       "unexpected word 'extra' for route"},
      {{"route", "--providers", p, "--requests", r, "--out", out, "--k", "3", "--k", "4"},
       "--k given twice"},
      {{"route", "--providers", p, "--requests", r, "--out", out, "--threads", "1025"},
       "--threads takes a whole number from 1 to 1024, not '1025'"},
      {{"route", "--providers", p, "--requests", r, "--out", out, "--k", "+3"}, "'+3'"},
      {{"route", "--providers", p, "--requests", r}, "--out"},
      {{"route", "--providers", p, "--out", out}, "--requests"},
      {{"route", "--requests", r, "--out", out}, "--providers"},
      {{"route", "--providers", p, "--requests", r, "--out"}, "--out needs a value"},
      {{"route", "--providers", p, "--requests", r, "--out", out, "--k", "0"}, "'0'"},
      {{"route", "--providers", p, "--requests", r, "--out", out, "--k", "abc"}, "'abc'"},
      {{"route", "--providers", p, "--requests", r, "--out", out, "--k", "-3"}, "'-3'"},
      {{"route", "--providers", p, "--requests", r, "--out", out, "--k", "2.5"}, "'2.5'"},
      {{"route", "--providers", p, "--requests", r, "--out", out, "--k", ""}, "--k"},
      {{"route", "--providers", p, "--requests", r, "--out", out, "--k=0"}, "'0'"},
      {{"route", "--providers", p, "--requests", r, "--out", out, "--k"}, "--k needs"},
      {{"route", "--providers", p, "--requests", r, "--out", out, "--threads", "x"},
       "--threads"},
      {{"route", "--providers", p, "--requests", r, "--out", out, "--skip-bad-rows=yes"},
       "--skip-bad-rows"},
      {{"route", "--providers", p, "--requests", r, "--out", out, "--data", "x"},
       "unknown option '--data' for route"},
      {{"match", "--providers", p, "--requests", r, "--out", out, "--k", "3"},
       "unknown option '--k' for match"},
      {{"match", "--providers", p, "--requests", r}, "match needs --out"},
      {{"match", "--requests", r, "--out", out}, "match needs --providers"},
      {{"match", "--providers", p, "--requests", r, "--out", out, "--solver", "auction"},
       "wegwijzer: --solver: unknown solver 'auction' (fast or cost-scaling)"},
      {{"match", "--providers", p, "--requests", r, "--out", out, "--solver", "Fast"},
       "unknown solver 'Fast'"},
      {{"match", "--providers", p, "--requests", r, "--out", out, "--solver", ""},
       "unknown solver ''"},
      {{"match", "--providers", p, "--requests", r, "--out", out, "--solver"},
       "--solver needs"},
      {{"route", "--providers", p, "--requests", r, "--out", out, "--solver", "fast"},
       "unknown option '--solver' for route"},
  };
  for (const auto& [args, reason] : cases) {
    std::string joined;
    for (const std::string& a : args) joined += a + " ";
    SCOPED_TRACE(joined);
    CliRun run = Wegwijzer(args);
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.err.find(reason), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("--help"), std::string::npos) << run.err;
    EXPECT_TRUE(Files().empty());
  }
}

TEST_F(Cli, HelpExitsZeroAndMentionsEveryOption) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--help"}, {"-h"}, {"help"}, {"route", "--help"}}) {
    CliRun run = Wegwijzer(args);
    EXPECT_EQ(run.exit_code, 0) << args[0];
    for (const char* option : {"route", "match", "objective", "--providers", "--requests", "--out", "--k",
                               "--skip-bad-rows", "--explain", "--threads", "--solver", "cost-scaling", "--data",
                               "--lang", "--help", "Exit status"}) {
      EXPECT_NE(run.out.find(option), std::string::npos) << option;
    }
    EXPECT_EQ(run.err, "");
  }
  EXPECT_TRUE(Files().empty());
}

TEST_F(Cli, ExplainSaysWhyNothingSuits) {
  CliRun run = Route(kFixture + "/providers.csv", kFixture + "/requests.csv", {"--explain"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Slurp(Path("route.csv")), Slurp(kFixture + "/route.csv"));
  EXPECT_NE(run.err.find("request 'r3': no suitable provider:"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("request 'r4': no suitable provider:"), std::string::npos) << run.err;
}

// ---------------------------------------------------------------------------
// match

TEST_F(Cli, MatchWritesTheGoldenPlanAndPrintsTheObjective) {
  // The fixture's optimum is unique (its README works it out), so the plan compares
  // byte for byte; the objective is the sum of cost_m.
  const std::string golden = Slurp(kMatchFixture + "/plan.csv");
  int64_t sum = 0;
  std::istringstream lines(golden);
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    const size_t end = line.rfind(',');
    const size_t begin = line.rfind(',', end - 1) + 1;
    sum += std::stoll(line.substr(begin, end - begin));
  }
  ASSERT_EQ(sum, 3025222);

  CliRun run = Wegwijzer({"match", "--providers", kMatchFixture + "/providers.csv",
                          "--requests", kMatchFixture + "/requests.csv", "--out",
                          Path("plan.csv")});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "objective: 3025222\n");
  EXPECT_EQ(Slurp(Path("plan.csv")), golden);
  EXPECT_EQ(Files(), std::vector<std::string>{"plan.csv"});

  run = Wegwijzer({"match", "--providers=" + kMatchFixture + "/providers.csv",
                   "--requests=" + kMatchFixture + "/requests.csv",
                   "--out=" + Path("plan.csv"), "--threads", "2"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "objective: 3025222\n");
  EXPECT_EQ(Slurp(Path("plan.csv")), golden);

  // Either solver: the optimum is unique, so the same plan.
  for (const char* solver : {"fast", "cost-scaling"}) {
    SCOPED_TRACE(solver);
    std::filesystem::remove(Path("plan.csv"));
    run = Wegwijzer({"match", "--providers", kMatchFixture + "/providers.csv", "--requests",
                     kMatchFixture + "/requests.csv", "--solver", solver, "--out",
                     Path("plan.csv")});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.out, "objective: 3025222\n");
    EXPECT_EQ(Slurp(Path("plan.csv")), golden);
  }
}

TEST_F(Cli, MatchRejectsBadRowsLikeRoute) {
  Spit(Path("r.csv"), Slurp(kMatchFixture + "/requests.csv") + "y,52,5,digid,4\n");  // line 8
  Spit(Path("plan.csv"), "previous\n");
  CliRun run = Wegwijzer({"match", "--providers", kMatchFixture + "/providers.csv",
                          "--requests", Path("r.csv"), "--out", Path("plan.csv")});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out, "");  // no objective without a plan
  EXPECT_NE(run.err.find(Path("r.csv") + ":8: bad row: priority: '4' is outside 0..3"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(Slurp(Path("plan.csv")), "previous\n");

  run = Wegwijzer({"match", "--providers", kMatchFixture + "/providers.csv", "--requests",
                   Path("r.csv"), "--out", Path("plan.csv"), "--skip-bad-rows"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "objective: 3025222\n");
  EXPECT_NE(run.err.find(Path("r.csv") + ":8: bad row:"), std::string::npos) << run.err;
  EXPECT_EQ(Slurp(Path("plan.csv")), Slurp(kMatchFixture + "/plan.csv"));
}

// The demo prints 3 referrals per resident unless --k is given, and any --k as given
// (an explicit --k 5 once turned into 3). The embedded scenario has residents with
// five or more suitable providers, so the counts show the difference.
int MostReferralsOfAResident(const std::string& demo_output) {
  int most = 0;
  std::istringstream lines(demo_output);
  for (std::string line; std::getline(lines, line);) {
    // Route lines read "  <rank>. <provider> [<mode>]"; plan lines have no rank.
    if (line.size() > 4 && line.starts_with("  ") && std::isdigit(line[2])) {
      most = std::max(most, std::stoi(line.substr(2)));
    }
  }
  return most;
}

TEST_F(Cli, DemoShowsThreeReferralsByDefaultAndAnyExplicitK) {
  const std::string data = std::string(WEGWIJZER_SOURCE_DIR) + "/data";
  CliRun standard = Wegwijzer({"demo", "--data", data});
  ASSERT_EQ(standard.exit_code, 0) << standard.err;
  EXPECT_EQ(MostReferralsOfAResident(standard.out), 3);
  for (int k : {1, 4, 5}) {
    CliRun run = Wegwijzer({"demo", "--data", data, "--k", std::to_string(k)});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(MostReferralsOfAResident(run.out), k) << "--k " << k;
  }
  CliRun attached = Wegwijzer({"demo", "--data", data, "--k=5"});
  EXPECT_EQ(MostReferralsOfAResident(attached.out), 5);
  // The plan (part 2) does not depend on k.
  const std::string plan = "2. The whole waiting list";
  EXPECT_EQ(standard.out.substr(standard.out.find(plan)),
            attached.out.substr(attached.out.find(plan)));
}

// ---------------------------------------------------------------------------
// --out as a Unix tool (WriteFileAtomically): -, symlinks, devices, inputs

TEST_F(Cli, OutDashWritesTheResultToStandardOutput) {
  CliRun run = Wegwijzer({"route", "--providers", kFixture + "/providers.csv", "--requests",
                          kFixture + "/requests.csv", "--out", "-"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, Slurp(kFixture + "/route.csv"));
  EXPECT_TRUE(Files().empty());  // no file named "-"

  // match keeps standard output one CSV file: the objective goes to stderr.
  run = Wegwijzer({"match", "--providers", kMatchFixture + "/providers.csv", "--requests",
                   kMatchFixture + "/requests.csv", "--out", "-"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, Slurp(kMatchFixture + "/plan.csv"));
  EXPECT_NE(run.err.find("objective: 3025222\n"), std::string::npos) << run.err;
}

TEST_F(Cli, OutThroughASymlinkReplacesTheTargetAndKeepsTheLink) {
  fs::create_directories(Path("results"));
  Spit(Path("results/route.csv"), "previous\n");
  fs::create_symlink("results/route.csv", Path("latest.csv"));
  CliRun run = Wegwijzer({"route", "--providers", kFixture + "/providers.csv", "--requests",
                          kFixture + "/requests.csv", "--out", Path("latest.csv")});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(fs::is_symlink(Path("latest.csv")));
  EXPECT_EQ(Slurp(Path("results/route.csv")), Slurp(kFixture + "/route.csv"));
}

TEST_F(Cli, OutThatNamesAnInputIsAUsageErrorAndTheInputSurvives) {
  Spit(Path("requests.csv"), Slurp(kFixture + "/requests.csv"));
  fs::create_symlink("requests.csv", Path("alias.csv"));
  for (const std::string& out : {Path("requests.csv"), Path("alias.csv"),
                                 dir_ + "/./requests.csv"}) {
    SCOPED_TRACE(out);
    CliRun run = Wegwijzer({"route", "--providers", kFixture + "/providers.csv", "--requests",
                            Path("requests.csv"), "--out", out});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.err.find("is one of the input files"), std::string::npos) << run.err;
    EXPECT_EQ(Slurp(Path("requests.csv")), Slurp(kFixture + "/requests.csv"));
  }
  CliRun run = Wegwijzer({"match", "--providers", kMatchFixture + "/providers.csv",
                          "--requests", kMatchFixture + "/requests.csv", "--out",
                          kMatchFixture + "/providers.csv"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("is one of the input files"), std::string::npos) << run.err;
}

TEST_F(Cli, OutAFifoIsWrittenDirectly) {
  ASSERT_EQ(::mkfifo(Path("pipe").c_str(), 0644), 0);
  std::string received;
  std::thread reader([&] { received = Slurp(Path("pipe")); });
  CliRun run = Wegwijzer({"route", "--providers", kFixture + "/providers.csv", "--requests",
                          kFixture + "/requests.csv", "--out", Path("pipe")});
  reader.join();
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(received, Slurp(kFixture + "/route.csv"));
  EXPECT_EQ(Files(), std::vector<std::string>{"pipe"});
}

TEST_F(Cli, OutWithTheLongestLegalNameWorks) {
  const std::string name(255, 'r');
  CliRun run = Wegwijzer({"route", "--providers", kFixture + "/providers.csv", "--requests",
                          kFixture + "/requests.csv", "--out", Path(name)});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Slurp(Path(name)), Slurp(kFixture + "/route.csv"));
  EXPECT_EQ(Files(), std::vector<std::string>{name});
}

// ---------------------------------------------------------------------------
// Hostile input: limits and out of memory are errors with a sentence, exit 1

TEST_F(Cli, AnEndlessInputIsRefusedNotReadUntilMemoryRunsOut) {
  CliRun run = Wegwijzer({"route", "--providers", kFixture + "/providers.csv", "--requests",
                          "/dev/zero", "--out", Path("route.csv")});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("/dev/zero: the first line is longer than 1 MiB"), std::string::npos)
      << run.err;
  EXPECT_EQ(run.err.find("bad_alloc"), std::string::npos) << run.err;
  EXPECT_TRUE(Files().empty());
}

TEST_F(Cli, LimitsAreNamedWithTheFlagThatRaisesThem) {
  CliRun run = Wegwijzer({"route", "--providers", kFixture + "/providers.csv", "--requests",
                          kFixture + "/requests.csv", "--out", Path("route.csv"),
                          "--max-rows", "2"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("more than 2 rows, the limit (max_rows; raise it with"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("--max-rows"), std::string::npos) << run.err;
  EXPECT_TRUE(Files().empty());
  run = Wegwijzer({"route", "--providers", kFixture + "/providers.csv", "--requests",
                   kFixture + "/requests.csv", "--out", Path("route.csv"), "--max-rows", "0"});
  EXPECT_EQ(run.exit_code, 2) << run.err;
}

TEST_F(Cli, AnAbsurdScenarioSizeIsAnErrorNotACrash) {
  CliRun run = Wegwijzer({"generate", "--request-count", "2147483647", "--out", Path("s")});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("requests 2147483647 is more than 10000000"), std::string::npos)
      << run.err;
  EXPECT_EQ(run.err.find("terminate"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(Path("s/requests.csv")));
}


// `generate` on the real map writes GenerateDutchScenario's instance: the same
// requests and providers as the library call with the same options (seed, counts,
// capacity scale), read back from the CSV.
TEST_F(Cli, GenerateOnTheRealMapWritesTheDutchScenario) {
  WEGWIJZER_REQUIRE_SHARED_DATA();
  const std::vector<std::string> map = {"--municipalities", testing::MunicipalitiesGeoJson(),
                                        "--postcodes", testing::PostcodesCsv()};
  auto generate = [&](const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> args = {"generate", "--seed", "3", "--request-count", "2000",
                                     "--out", Path(out)};
    args.insert(args.end(), map.begin(), map.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return Wegwijzer(args);
  };
  const CliRun full = generate("full", {"--provider-count", "3000"});
  ASSERT_EQ(full.exit_code, 0) << full.err;
  EXPECT_NE(full.err.find("on the real map"), std::string::npos) << full.err;
  const CliRun tight = generate("tight", {"--provider-count", "3000", "--capacity-percent", "20"});
  ASSERT_EQ(tight.exit_code, 0) << tight.err;

  auto people = ReadPostcodeDemographicsCsv(testing::PostcodesCsv());
  ASSERT_TRUE(people.ok()) << people.status();
  ASSERT_NE(testing::RealGazetteer(), nullptr);
  for (const auto& [out, scale] : {std::pair{"full", 1.0}, std::pair{"tight", 0.2}}) {
    absl::StatusOr<DutchScenario> expected = GenerateDutchScenario(
        *testing::RealGazetteer(), *people,
        {.seed = 3, .requests = 2000, .capacity_scale = scale, .providers = 3000});
    ASSERT_TRUE(expected.ok()) << expected.status();
    auto directory = Directory::Create(*expected->directory);
    ASSERT_TRUE(directory.ok()) << directory.status();
    auto providers = ReadProvidersCsv(Path(std::string(out) + "/providers.csv"));
    auto requests = ReadRequestsCsv(Path(std::string(out) + "/requests.csv"));
    ASSERT_TRUE(providers.ok()) << providers.status();
    ASSERT_TRUE(requests.ok()) << requests.status();
    ASSERT_EQ(providers->directory->size(), (*directory)->size()) << out;
    EXPECT_EQ(providers->directory->size(), 3000u) << out;
    for (size_t p = 0; p < (*directory)->size(); ++p) {
      const ProviderInfo& got = providers->directory->provider(ProviderIndex(p));
      const ProviderInfo& want = (*directory)->provider(ProviderIndex(p));
      EXPECT_EQ(got.id, want.id) << out;
      EXPECT_EQ(got.capacity, want.capacity) << out << " " << want.id;
    }
    ASSERT_EQ(requests->requests.size(), expected->requests.size()) << out;
    for (size_t r = 0; r < expected->requests.size(); ++r) {
      const Request& got = requests->requests[r];
      const Request& want = expected->requests[r];
      EXPECT_EQ(got.id, want.id) << out;
      EXPECT_EQ(got.position.lat_deg, want.position.lat_deg) << out;
      EXPECT_EQ(got.position.lon_deg, want.position.lon_deg) << out;
      EXPECT_EQ(got.municipality, want.municipality) << out;
      EXPECT_EQ(got.max_km, want.max_km) << out;
      EXPECT_EQ(got.priority, want.priority) << out;
    }
  }
  // The capacity scale reached the generator: the tight directory has less room.
  auto full_providers = ReadProvidersCsv(Path("full/providers.csv"));
  auto tight_providers = ReadProvidersCsv(Path("tight/providers.csv"));
  ASSERT_TRUE(full_providers.ok() && tight_providers.ok());
  int64_t full_room = 0, tight_room = 0;
  for (size_t p = 0; p < (*full_providers).directory->size(); ++p) {
    full_room += full_providers->directory->provider(ProviderIndex(p)).capacity.value_or(0);
    tight_room += tight_providers->directory->provider(ProviderIndex(p)).capacity.value_or(0);
  }
  EXPECT_LT(tight_room * 3, full_room);
}

TEST_F(Cli, GenerateRefusesAnIncompleteMapOrABadCapacityPercent) {
  const std::string geojson = testing::MunicipalitiesGeoJson();
  const std::string postcodes = testing::PostcodesCsv();
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--municipalities", geojson}, 2, "needs --municipalities and --postcodes"},
      {{"--postcodes", postcodes}, 2, "needs --municipalities and --postcodes"},
      {{"--capacity-percent", "20"}, 2, "--capacity-percent needs the real map"},
      {{"--municipalities", geojson, "--postcodes", postcodes, "--capacity-percent", "0"}, 2,
       "--capacity-percent takes a whole number from 1 to 10000, not '0'"},
      {{"--municipalities", geojson, "--postcodes", postcodes, "--capacity-percent", "10001"},
       2, "--capacity-percent takes a whole number from 1 to 10000"},
      {{"--municipalities", geojson, "--postcodes", postcodes, "--capacity-percent", "0.2"}, 2,
       "not '0.2'"},
      {{"--municipalities", Path("missing.geojson"), "--postcodes", postcodes}, 1,
       "missing.geojson"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"generate", "--out", Path("g")};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const CliRun run = Wegwijzer(args);
    EXPECT_EQ(run.exit_code, c.exit_code) << c.message << "\n" << run.err;
    EXPECT_NE(run.err.find(c.message), std::string::npos) << run.err;
    EXPECT_FALSE(fs::exists(Path("g/providers.csv"))) << c.message;
    EXPECT_FALSE(fs::exists(Path("g/requests.csv"))) << c.message;
  }
}

TEST_F(Cli, RouteAndMatchBeyondTheMemoryLimitExitOneAndWriteNothing) {
  // 8,000 requests need a few MiB for their results and candidate pairs; 1 MiB is short.
  ASSERT_EQ(Wegwijzer({"generate", "--provider-count", "500", "--request-count", "8000",
                       "--out", Path("g")}).exit_code, 0);
  const std::vector<std::string> inputs = {"--providers", Path("g/providers.csv"), "--requests",
                                           Path("g/requests.csv")};
  for (const std::string command : {"route", "match"}) {
    std::vector<std::string> args = {command};
    args.insert(args.end(), inputs.begin(), inputs.end());
    args.insert(args.end(), {"--max-memory-mb", "1", "--out", Path("out.csv")});
    CliRun run = Wegwijzer(args);
    EXPECT_EQ(run.exit_code, 1) << command << run.err;
    EXPECT_NE(run.err.find(command + " of 8000 requests"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("more than the memory limit of 1.0 MiB"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("--max-memory-mb"), std::string::npos) << run.err;
    // The default solver (cost scaling) names the leaner one.
    if (command == "match") {
      EXPECT_NE(run.err.find("--solver fast"), std::string::npos) << run.err;
    }
    EXPECT_NE(run.err.find("nothing written"), std::string::npos) << run.err;
    EXPECT_EQ(run.out, "");
    EXPECT_FALSE(fs::exists(Path("out.csv"))) << command;
    // The default limit lets the same input through.
    args.erase(args.end() - 4, args.end() - 2);
    EXPECT_EQ(Wegwijzer(args).exit_code, 0) << command;
    fs::remove(Path("out.csv"));
  }
  CliRun usage = Wegwijzer({"match", "--providers", Path("g/providers.csv"), "--requests",
                            Path("g/requests.csv"), "--max-memory-mb", "0", "--out", Path("x")});
  EXPECT_EQ(usage.exit_code, 2) << usage.err;
}

}  // namespace
}  // namespace wegwijzer
