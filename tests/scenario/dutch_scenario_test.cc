// The scenario on the real map (lib/dutch_scenario.cc): deterministic, valid for the
// directory and the CSV contract, providers where the header says they are, and
// demand that follows population and age. Needs ../shared/data (skipped without).
#include "wegwijzer/dutch_scenario.h"

#include <cmath>
#include <map>
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "testing/shared_data.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/matcher.h"
#include "wegwijzer/router.h"
#include "wegwijzer/v1/directory.pb.h"

namespace wegwijzer {
namespace {

std::string Message(const absl::Status& status) { return std::string(status.message()); }

TEST(PostcodeDemographics, ParsesAndRejectsWithLineAndReason) {
  absl::StatusOr<std::vector<PostcodeDemographics>> ok = ParsePostcodeDemographicsCsv(
      "pc4,inwoners_2021,pct_65plus_2021,area_km2,other\n"
      "1011,9630,19.3,0.97,x\n"
      "1012,,,,\n");
  ASSERT_TRUE(ok.ok()) << ok.status();
  ASSERT_EQ(ok->size(), 2u);
  EXPECT_EQ((*ok)[0].residents, 9630);
  EXPECT_DOUBLE_EQ((*ok)[0].share_65plus, 0.193);
  EXPECT_DOUBLE_EQ((*ok)[0].area_km2, 0.97);
  EXPECT_EQ((*ok)[1].residents, 0);
  EXPECT_EQ((*ok)[1].share_65plus, kUnknownShare65plus);

  for (auto [text, reason] : std::vector<std::pair<std::string, std::string>>{
           {"", "postcodes.csv: the file is empty"},
           {"postcode,residents\n", "postcodes.csv:1: missing required column 'pc4'"},
           {"pc4\n", "postcodes.csv:1: missing required column 'inwoners_2021'"},
           {"pc4,residents\n10111,5\n", "postcodes.csv:2: pc4: '10111' is not a postcode"},
           {"pc4,residents\n1011,5\n1011,6\n", "postcodes.csv:3: pc4: 1011 is given twice"},
           {"pc4,residents\n1011,-5\n", "postcodes.csv:2: residents: '-5' is not a number"},
           {"pc4,residents,pct_65plus_2021\n1011,5,101\n", "pct_65plus_2021: '101'"},
           {"pc4,residents\n1011,5,6\n", "postcodes.csv:2: has 3 fields, the header has 2"}}) {
    absl::StatusOr<std::vector<PostcodeDemographics>> bad = ParsePostcodeDemographicsCsv(text);
    ASSERT_FALSE(bad.ok()) << text;
    EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(Message(bad.status()).find(reason), std::string::npos) << bad.status();
  }
}

class DutchScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WEGWIJZER_REQUIRE_SHARED_DATA();
    gazetteer_ = testing::RealGazetteer();
    ASSERT_NE(gazetteer_, nullptr);
    absl::StatusOr<std::vector<PostcodeDemographics>> people =
        ReadPostcodeDemographicsCsv(testing::PostcodesCsv());
    ASSERT_TRUE(people.ok()) << people.status();
    people_ = *std::move(people);
  }
  std::shared_ptr<const Gazetteer> gazetteer_;
  std::vector<PostcodeDemographics> people_;
};

TEST_F(DutchScenarioTest, SameSeedSameScenarioOtherSeedOther) {
  auto a = GenerateDutchScenario(*gazetteer_, people_, {.seed = 3, .requests = 2000});
  auto b = GenerateDutchScenario(*gazetteer_, people_, {.seed = 3, .requests = 2000});
  auto c = GenerateDutchScenario(*gazetteer_, people_, {.seed = 4, .requests = 2000});
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->directory->SerializeAsString(), b->directory->SerializeAsString());
  EXPECT_EQ(FormatRequestsCsv(a->requests), FormatRequestsCsv(b->requests));
  EXPECT_EQ(a->request_postcodes, b->request_postcodes);
  EXPECT_NE(FormatRequestsCsv(a->requests), FormatRequestsCsv(c->requests));
  EXPECT_EQ(a->skipped_postcodes, 0);
}

TEST_F(DutchScenarioTest, ValidForTheDirectoryAndTheCsvContract) {
  absl::StatusOr<DutchScenario> s = GenerateDutchScenario(*gazetteer_, people_, {.requests = 3000});
  ASSERT_TRUE(s.ok()) << s.status();
  absl::StatusOr<std::shared_ptr<const Directory>> directory = Directory::Create(*s->directory);
  ASSERT_TRUE(directory.ok()) << directory.status();
  // Written as the contract's CSV and read back (with the map, so municipality codes
  // are checked too): the same directory and requests, no warnings.
  CsvReadOptions options{.gazetteer = gazetteer_.get()};
  const std::string providers_csv = FormatProvidersCsv(**directory);
  absl::StatusOr<ProvidersCsv> providers =
      ParseProvidersCsv(providers_csv, "providers.csv", options);
  ASSERT_TRUE(providers.ok()) << providers.status();
  EXPECT_EQ(providers->report.ToString(), "");
  EXPECT_EQ(FormatProvidersCsv(*providers->directory), providers_csv);
  const std::string requests_csv = FormatRequestsCsv(s->requests);
  absl::StatusOr<RequestsCsv> requests = ParseRequestsCsv(requests_csv, "requests.csv", options);
  ASSERT_TRUE(requests.ok()) << requests.status();
  EXPECT_EQ(requests->report.ToString(), "");
  EXPECT_EQ(FormatRequestsCsv(requests->requests), requests_csv);
}

TEST_F(DutchScenarioTest, ProvidersArePlacedAsDescribed) {
  absl::StatusOr<DutchScenario> s = GenerateDutchScenario(*gazetteer_, people_, {.requests = 0});
  ASSERT_TRUE(s.ok()) << s.status();
  std::map<v1::ProviderKind, int> kinds;
  std::set<std::string> desks;
  int desks_at_home = 0, phone_lines = 0;
  for (const v1::Provider& p : s->directory->providers()) {
    ++kinds[p.kind()];
    if (p.kind() == v1::PROVIDER_KIND_MUNICIPAL) {
      ASSERT_EQ(p.municipalities_size(), 1) << p.id();
      EXPECT_TRUE(desks.insert(p.municipalities(0)).second)
          << "two desks in " << p.municipalities(0);
      const LatLng at{p.locations(0).position().lat_deg(), p.locations(0).position().lon_deg()};
      std::optional<Municipality> m = gazetteer_->MunicipalityAt(at);
      desks_at_home += m && m->code == p.municipalities(0);
    } else {
      EXPECT_EQ(p.municipalities_size(), 0) << p.id();
    }
    if (p.kind() == v1::PROVIDER_KIND_PHONE) {
      ++phone_lines;
      EXPECT_FALSE(p.has_capacity());
      EXPECT_EQ(p.locations_size(), 0);
    }
  }
  EXPECT_EQ(desks.size(), 342u);  // one desk per municipality
  EXPECT_GE(desks_at_home, 335) << "a desk lies in its own municipality";
  EXPECT_EQ(phone_lines, 1);
  EXPECT_GE(kinds[v1::PROVIDER_KIND_LIBRARY], 342 + 17'400'000 / 25'000 / 2);
  EXPECT_GE(kinds[v1::PROVIDER_KIND_IDO], 342);
  EXPECT_GT(kinds[v1::PROVIDER_KIND_WELFARE], 200);
  // About one volunteer per 2,000 residents of 65+ (3.5 million of them).
  EXPECT_NEAR(kinds[v1::PROVIDER_KIND_VOLUNTEER], 1750, 150);
}

TEST_F(DutchScenarioTest, DemandFollowsPopulationAndAge) {
  absl::StatusOr<DutchScenario> s =
      GenerateDutchScenario(*gazetteer_, people_, {.seed = 11, .requests = 60000});
  ASSERT_TRUE(s.ok()) << s.status();
  std::map<int, const PostcodeDemographics*> by_pc4;
  for (const PostcodeDemographics& d : people_) by_pc4[d.pc4] = &d;
  std::map<int, int> requests_per_pc4;
  int in_its_municipality = 0;
  for (size_t i = 0; i < s->requests.size(); ++i) {
    const Request& r = s->requests[i];
    const int pc4 = s->request_postcodes[i];
    ++requests_per_pc4[pc4];
    ASSERT_TRUE(by_pc4.count(pc4));
    EXPECT_EQ(r.municipality, gazetteer_->Postcode(pc4)->municipality_code);
    std::optional<Municipality> m = gazetteer_->MunicipalityAt(r.position);
    in_its_municipality += m && m->code == r.municipality;
  }
  // Scattered homes stay in their municipality; only areas whose centroid lies
  // outside it (documented border cases) keep a centroid elsewhere.
  EXPECT_GE(in_its_municipality, static_cast<int>(s->requests.size() * 0.995));

  // Requests per resident, in the oldest and the youngest quarter of the areas
  // (by share of 65+, among areas of 1,000 residents or more).
  std::vector<const PostcodeDemographics*> areas;
  for (const PostcodeDemographics& d : people_) {
    if (d.residents >= 1000) areas.push_back(&d);
  }
  std::sort(areas.begin(), areas.end(),
            [](auto* a, auto* b) { return a->share_65plus < b->share_65plus; });
  // Observed requests per resident, and what the model (weight 1 - s + 4 s per
  // resident) predicts, relative between the two quarters.
  auto rate = [&](size_t from, size_t to, bool model) {
    double requests = 0, residents = 0;
    for (size_t i = from; i < to; ++i) {
      const double s65 = areas[i]->share_65plus;
      requests += model ? areas[i]->residents * (1 - s65 + 4 * s65)
                        : requests_per_pc4[areas[i]->pc4];
      residents += areas[i]->residents;
    }
    return requests / residents;
  };
  const size_t q = areas.size() / 4;
  const double young = rate(0, q, false), old = rate(areas.size() - q, areas.size(), false);
  const double predicted = rate(areas.size() - q, areas.size(), true) / rate(0, q, true);
  std::cout << "  requests per 1,000 residents: youngest quarter " << 1000 * young
            << ", oldest quarter " << 1000 * old << " (ratio " << old / young
            << ", the model's " << predicted << ")\n";
  EXPECT_GT(predicted, 1.25);
  EXPECT_NEAR(old / young, predicted, 0.05 * predicted);

  // The largest municipalities get demand in proportion to their residents.
  int64_t total_residents = 0;
  for (const PostcodeDemographics& d : people_) total_residents += d.residents;
  std::map<std::string, int> per_municipality;
  for (const Request& r : s->requests) ++per_municipality[r.municipality];
  const double amsterdam_share = per_municipality["GM0363"] / 60000.0;
  EXPECT_GT(amsterdam_share, 0.03);  // 5% of residents, younger than average
  EXPECT_LT(amsterdam_share, 0.06);

  // Every topic is asked for; none dominates.
  std::map<int, int> topics;
  for (const Request& r : s->requests) {
    for (int t = 0; t < kTopicCount; ++t) topics[t] += r.topics.Contains(static_cast<Topic>(t));
  }
  for (auto [topic, count] : topics) {
    EXPECT_GT(count, 100) << TopicCode(static_cast<Topic>(topic));
    EXPECT_LT(count, 60000 * 0.25) << TopicCode(static_cast<Topic>(topic));
  }
}

TEST_F(DutchScenarioTest, RoutesAndMatches) {
  absl::StatusOr<DutchScenario> s =
      GenerateDutchScenario(*gazetteer_, people_, {.seed = 5, .requests = 5000});
  ASSERT_TRUE(s.ok()) << s.status();
  absl::StatusOr<std::shared_ptr<const Directory>> directory = Directory::Create(*s->directory);
  ASSERT_TRUE(directory.ok());
  Router router(*directory);
  std::vector<RouteResult> routes = router.RouteBatch(s->requests, {.k = 3});
  int with_referral = 0, physical_first = 0;
  for (const RouteResult& r : routes) {
    with_referral += !r.referrals.empty();
    physical_first += !r.referrals.empty() && !r.referrals[0].is_remote();
  }
  std::cout << "  " << with_referral << " of 5000 requests have a referral, " << physical_first
            << " a physical one first\n";
  EXPECT_GT(with_referral, 4000);
  EXPECT_GT(physical_first, 2500);
  MatchPlan plan = Matcher(*directory).Match(s->requests);
  EXPECT_EQ(plan.lines.size(), s->requests.size());
}

TEST_F(DutchScenarioTest, InvalidInputs) {
  EXPECT_EQ(GenerateDutchScenario(*gazetteer_, people_, {.requests = -1}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GenerateDutchScenario(*gazetteer_, people_, {.relative_rate_65plus = 0})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GenerateDutchScenario(*gazetteer_, {}, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::string> map = ReadFile(testing::MunicipalitiesGeoJson());
  ASSERT_TRUE(map.ok());
  absl::StatusOr<std::shared_ptr<const Gazetteer>> no_postcodes = Gazetteer::Parse(*map, "");
  ASSERT_TRUE(no_postcodes.ok());
  absl::StatusOr<DutchScenario> s = GenerateDutchScenario(**no_postcodes, people_, {});
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(Message(s.status()).find("needs a gazetteer with a postcode table"),
            std::string::npos);
}

}  // namespace
}  // namespace wegwijzer
