// Coverage on the real map (../shared/data, read in place; skipped without it), and
// the `coverage` command against `route --k 1` and `match` on the same rows.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "testing/cli_runner.h"
#include "testing/national_demand.h"
#include "testing/shared_data.h"
#include "wegwijzer/coverage.h"
#include "wegwijzer/interchange.h"

namespace wegwijzer {
namespace {

std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::string field;
    std::istringstream l(line);
    while (std::getline(l, field, ',')) fields.push_back(field);
    if (!line.empty() && line.back() == ',') fields.emplace_back();
    rows.push_back(fields);
  }
  return rows;
}

std::string ScratchDir(const std::string& name) {
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("wegwijzer_coverage_" + name + "_" + std::to_string(::getpid())))
                              .string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(CoverageRealData, NationalAnalysisAndReport) {
  WEGWIJZER_REQUIRE_SHARED_DATA();
  std::shared_ptr<const Gazetteer> gazetteer = testing::RealGazetteer();
  ASSERT_NE(gazetteer, nullptr);
  absl::StatusOr<std::vector<PostcodeDemographics>> people =
      ReadPostcodeDemographicsCsv(testing::PostcodesCsv());
  ASSERT_TRUE(people.ok()) << people.status();
  absl::StatusOr<testing::NationalInstance> inst =
      testing::MakeNationalInstance(*gazetteer, *people, 5000, 500);
  ASSERT_TRUE(inst.ok()) << inst.status();
  // A tenth of the benchmark's demand keeps the test quick (and quick under ASan):
  // the matcher then places about 33,000 copies instead of 327,000.
  for (int64_t& count : inst->counts) count /= 10;
  CoverageAnalysis a = AnalyzeCoverage(inst->providers, {inst->demand, inst->counts},
                                       {.candidates = inst->candidates, .add = 20, .gazetteer = gazetteer});
  EXPECT_EQ(a.requests.size(), 15 * gazetteer->postcode_count());
  EXPECT_EQ(a.in_person + a.home_visit + a.remote + a.none, a.demand);
  EXPECT_GT(a.demand, 0);
  // Every municipality with postcodes has a roll-up with its name.
  int municipalities = 0;
  for (const AreaFigures& f : a.areas) {
    if (f.level != AreaFigures::Level::kMunicipality) continue;
    ++municipalities;
    EXPECT_FALSE(f.name.empty()) << f.area;
    EXPECT_EQ(f.in_person + f.home_visit + f.remote + f.none, f.demand);
    EXPECT_LE(f.assigned_physically, f.in_person + f.home_visit) << f.area;
  }
  EXPECT_GE(municipalities, 340);
  ASSERT_TRUE(a.sites.has_value());
  EXPECT_GT(a.sites->gain, 0);
  EXPECT_GE(a.sites->bound, a.sites->gain);
  EXPECT_GE(a.sites->guarantee, 1 - 1 / std::exp(1.0));
  for (size_t k = 1; k < a.sites->picks.size(); ++k) {
    EXPECT_LE(a.sites->picks[k].gain, a.sites->picks[k - 1].gain);  // submodular: gains shrink
  }
  const std::string html = FormatCoverageReportHtml(a, {.language = TextLanguage::kDutch});
  EXPECT_LT(html.size(), 5u << 20);
  size_t paths = 0;
  for (size_t at = 0; (at = html.find("<path class=\"m\"", at)) != std::string::npos; ++at) ++paths;
  EXPECT_EQ(paths, gazetteer->municipality_count());
  EXPECT_NE(html.find("Digitale hulp binnen bereik"), std::string::npos);
  EXPECT_EQ(html.find("http://", 0) , html.find("http://www.w3.org/2000/svg"));  // no other URL
  const std::string geojson = FormatCoverageGeoJson(a);
  EXPECT_NE(geojson.find("\"layer\":\"site\",\"rank\":1"), std::string::npos);
  if (const char* out = std::getenv("WEGWIJZER_COVERAGE_REPORT_OUT")) Write(out, html);
}

// The command line on a small instance: coverage.csv agrees with `route --k 1` on
// every row, and the objective with `match` on the waiting list of copies.
TEST(CoverageCli, AgreesWithRouteAndMatch) {
  const std::string dir = ScratchDir("cli");
  Write(dir + "/providers.csv",
        "id,kind,lat,lon,topics,languages,modes,radius_km,capacity\n"
        "library,library,52.5,6.0,digid;banking,nl;ar,in_person,,2\n"
        "volunteer,volunteer,52.545,6.0,digid;banking;health,nl,home_visit,8,1\n"
        "hub,ido,52.3,6.0,digid;taxes,nl,in_person;phone,,3\n"
        "line,phone,,,taxes;benefits,nl;en,phone;video,,\n");
  std::string demand = "id,lat,lon,topics,languages,max_km,priority,count\n";
  std::string requests = "id,lat,lon,topics,languages,max_km,priority\n";
  const char* rows[] = {"52.51,6.0,digid,ar,,1", "52.58,6.0,health,nl,,0", "52.7,6.0,taxes,nl,,2",
                        "52.5,6.0,jobs,nl,,0",   "52.33,6.0,digid,nl,,0", "52.56,6.0,taxes,nl,50,0",
                        "52.49,6.0,banking,nl,,3"};
  const int counts[] = {3, 2, 1, 4, 5, 0, 2};
  for (int i = 0; i < 7; ++i) {
    demand += "d" + std::to_string(i) + "," + rows[i] + "," + std::to_string(counts[i]) + "\n";
    for (int j = 0; j < counts[i]; ++j) {
      requests += "d" + std::to_string(i) + "_" + std::to_string(j) + "," + rows[i] + "\n";
    }
  }
  std::string one_each = "id,lat,lon,topics,languages,max_km,priority\n";
  for (int i = 0; i < 7; ++i) one_each += "d" + std::to_string(i) + "," + rows[i] + "\n";
  Write(dir + "/demand.csv", demand);
  Write(dir + "/requests.csv", requests);
  Write(dir + "/one_each.csv", one_each);
  Write(dir + "/candidates.csv",
        "id,kind,lat,lon,topics,modes,capacity\n"
        "b-new,ido,52.58,6.0,health;jobs,in_person,5\n"
        "a-new,ido,52.5,6.0,jobs,in_person,5\n");

  testing::CliRun run = testing::RunCli(
      {"coverage", "--providers", dir + "/providers.csv", "--demand", dir + "/demand.csv",
       "--candidates", dir + "/candidates.csv", "--add", "2", "--out-dir", dir + "/out"},
      dir);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  testing::CliRun route = testing::RunCli(
      {"route", "--providers", dir + "/providers.csv", "--requests", dir + "/one_each.csv", "--k",
       "1", "--out", dir + "/route.csv"},
      dir);
  ASSERT_EQ(route.exit_code, 0) << route.err;
  testing::CliRun match = testing::RunCli(
      {"match", "--providers", dir + "/providers.csv", "--requests", dir + "/requests.csv", "--out",
       dir + "/plan.csv"},
      dir);
  ASSERT_EQ(match.exit_code, 0) << match.err;

  // objective: the same line as match's.
  EXPECT_EQ(run.out.substr(0, run.out.find('\n')), match.out.substr(0, match.out.find('\n')));
  auto coverage = ParseCsv(testing::Slurp(dir + "/out/coverage.csv"));
  auto routed = ParseCsv(testing::Slurp(dir + "/route.csv"));
  ASSERT_EQ(coverage.size(), 8u);
  ASSERT_EQ(routed.size(), 8u);
  for (size_t i = 1; i < coverage.size(); ++i) {
    const auto& c = coverage[i];  // demand_id,count,class,provider_id,location_id,distance_m
    const auto& r = routed[i];    // request_id,rank,provider_id,mode,distance_m
    ASSERT_EQ(c.size(), 6u);
    ASSERT_EQ(r.size(), 5u);
    EXPECT_EQ(c[0], r[0]);
    if (r[1] == "0") {
      EXPECT_EQ(c[2], "none");
      EXPECT_EQ(c[3], "");
    } else {
      EXPECT_EQ(c[3], r[2]) << c[0];
      EXPECT_EQ(c[2], r[3] == "phone" || r[3] == "video" ? "remote" : r[3]) << c[0];
      EXPECT_EQ(c[5], r[4]) << c[0];
    }
  }
  // matched.csv: counts add up; the plan's rows per demand row equal match's counts
  // of assigned modes where the optimum is unique (here it is).
  auto matched = ParseCsv(testing::Slurp(dir + "/out/matched.csv"));
  auto plan = ParseCsv(testing::Slurp(dir + "/plan.csv"));
  std::map<std::string, int> physical;  // from plan.csv, per demand row
  for (size_t i = 1; i < plan.size(); ++i) {
    const std::string row = plan[i][0].substr(0, plan[i][0].find('_'));
    if (plan[i][2] == "in_person" || plan[i][2] == "home_visit") ++physical[row];
  }
  for (size_t i = 1; i < matched.size(); ++i) {
    const auto& m = matched[i];
    int64_t sum = 0;
    for (int k = 2; k <= 6; ++k) sum += std::stoll(m[k]);
    EXPECT_EQ(sum, std::stoll(m[1])) << m[0];
    EXPECT_EQ(std::stoll(m[2]) + std::stoll(m[3]), physical[m[0]]) << m[0];
  }
  // sites: d1 (health) is served at home already, so b-new reaches only d3 (jobs, 4,
  // at 8.9 km) and so does a-new (0 m): a tie on 4, won by the smaller id although
  // b-new comes first in the file. Then b-new adds nothing: stop after one. Served
  // physically before: d0 3 + d1 2 + d4 5 + d6 2 = 12.
  EXPECT_EQ(testing::Slurp(dir + "/out/sites.csv"),
            "rank,candidate_id,gain,covered_after\n1,a-new,4,16\n");
  EXPECT_NE(run.out.find("sites: 1 chosen, gain 4, bound 4 (simple bound 8)"), std::string::npos)
      << run.out;
  for (const char* f : {"areas.csv", "coverage.geojson", "report.html"}) {
    EXPECT_TRUE(std::filesystem::exists(dir + "/out/" + f)) << f;
  }

  // Usage errors exit 2; bad rows exit 1 and write nothing.
  EXPECT_EQ(testing::RunCli({"coverage", "--providers", dir + "/providers.csv"}, dir).exit_code, 2);
  EXPECT_EQ(testing::RunCli({"coverage", "--providers", "p", "--demand", "d", "--out-dir", "o",
                             "--add", "3"}, dir).exit_code, 2);
  EXPECT_EQ(testing::RunCli({"coverage", "--help"}, dir).exit_code, 0);
  Write(dir + "/bad.csv", "id,lat,lon,topics,count\nx,52.5,6,digid,-2\n");
  testing::CliRun bad = testing::RunCli({"coverage", "--providers", dir + "/providers.csv", "--demand",
                                         dir + "/bad.csv", "--out-dir", dir + "/bad_out"},
                                        dir);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("bad.csv:2: bad row: count: '-2' is negative"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(dir + "/bad_out"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace wegwijzer
