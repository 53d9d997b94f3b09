// Tests of coverage.h: demand.csv, classes, the capacity-aware plan, roll-ups and the
// greedy choice of sites with its bound, against hand-checked cases and independent
// oracles (the brute-force router, the matcher on the expanded list, exhaustive
// search over site sets).
#include "wegwijzer/coverage.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

#include "testing/brute_force.h"
#include "testing/random_instance.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/matcher.h"
#include "wegwijzer/router.h"
#include "wegwijzer/v1/directory.pb.h"

namespace wegwijzer {
namespace {

std::shared_ptr<const Directory> Providers(std::string_view csv) {
  absl::StatusOr<ProvidersCsv> p = ParseProvidersCsv(csv, "providers.csv");
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? p->directory : nullptr;
}

DemandCsv Demand(std::string_view csv) {
  absl::StatusOr<DemandCsv> d = ParseDemandCsv(csv, "demand.csv");
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *std::move(d) : DemandCsv{};
}

// Zwolle-ish: a library at (52.5, 6.0), a volunteer 5 km north visiting within 8 km,
// a phone line for taxes and benefits only.
constexpr std::string_view kProviders =
    "id,kind,lat,lon,topics,languages,modes,radius_km,capacity\n"
    "library,library,52.5,6.0,digid;banking,nl;ar,in_person,,2\n"
    "volunteer,volunteer,52.545,6.0,digid;banking;health,nl,home_visit,8,1\n"
    "line,phone,,,taxes;benefits,nl;en,phone;video,,\n";

TEST(DemandCsv, CountColumnDefaultsAndBadRows) {
  DemandCsv d = Demand("id,lat,lon,topics,count\na,52.5,6,digid,3\nb,52.5,6,digid,\n");
  ASSERT_EQ(d.requests.size(), 2u);
  EXPECT_EQ(d.counts, (std::vector<int64_t>{3, 1}));
  EXPECT_TRUE(d.report.problems.empty()) << d.report.ToString();  // count is a known column

  DemandCsv no_column = Demand("id,lat,lon,topics\na,52.5,6,digid\n");
  EXPECT_EQ(no_column.counts, (std::vector<int64_t>{1}));

  absl::StatusOr<DemandCsv> bad = ParseDemandCsv(
      "id,lat,lon,topics,count\na,52.5,6,digid,-1\nb,52.5,6,digid,2.5\nc,52.5,6,digid,x\n"
      "d,52.5,6,digid,1000000001\ne,52.5,6,nope,1\nf,52.5,6,digid,0\n",
      "demand.csv");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(bad.status().message());
  EXPECT_NE(message.find("demand.csv:2: bad row: count: '-1' is negative"), std::string::npos) << message;
  EXPECT_NE(message.find("demand.csv:3: bad row: count: '2.5' is not a whole number"), std::string::npos);
  EXPECT_NE(message.find("demand.csv:4: bad row: count: 'x' is not a whole number"), std::string::npos);
  EXPECT_NE(message.find("demand.csv:5: bad row: count: '1000000001' is above 1000000000"), std::string::npos);
  EXPECT_NE(message.find("demand.csv:6: bad row: topics: unknown code 'nope'"), std::string::npos) << message;
  EXPECT_NE(message.find("5 of 6 rows are bad"), std::string::npos);

  absl::StatusOr<DemandCsv> skipped = ParseDemandCsv(
      "id,lat,lon,topics,count\na,52.5,6,digid,-1\nf,52.5,6,digid,0\n", "demand.csv",
      {.skip_bad_rows = true});
  ASSERT_TRUE(skipped.ok());
  EXPECT_EQ(skipped->counts, (std::vector<int64_t>{0}));
  EXPECT_EQ(skipped->lines, (std::vector<int>{3}));
  EXPECT_EQ(skipped->report.bad_rows, 1);

  // The requests reader without the option still warns about the column.
  absl::StatusOr<RequestsCsv> plain = ParseRequestsCsv("id,lat,lon,topics,count\na,52.5,6,digid,3\n", "r.csv");
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->counts.empty());
  EXPECT_NE(plain->report.ToString().find("unknown column 'count'"), std::string::npos);
}

TEST(ClassifyDemand, EveryClassByHand) {
  std::shared_ptr<const Directory> providers = Providers(kProviders);
  DemandCsv d = Demand(
      "id,lat,lon,topics,languages,modes,max_km,count\n"
      "near,52.51,6.0,digid,ar,,,4\n"               // library 1.1 km, speaks ar: in person
      "home,52.58,6.0,health,nl,,,2\n"              // only the volunteer helps with health: 3.9 km
      "far,52.7,6.0,taxes,nl,,,1\n"                 // only the phone line
      "lost,52.5,6.0,jobs,nl,,,5\n"                 // nobody helps with jobs
      "nolang,52.5,6.0,benefits,tr,,,1\n");         // the line speaks no tr
  Router router(providers);
  std::vector<RowCoverage> c = ClassifyDemand(router, d.requests, 1);
  ASSERT_EQ(c.size(), 5u);
  EXPECT_EQ(c[0].coverage_class, CoverageClass::kInPerson);
  EXPECT_EQ(providers->provider(*c[0].provider).id, "library");
  EXPECT_EQ(*c[0].distance_m, 1112);
  EXPECT_EQ(c[1].coverage_class, CoverageClass::kHomeVisit);
  EXPECT_EQ(providers->provider(*c[1].provider).id, "volunteer");
  EXPECT_EQ(*c[1].distance_m, 3892);
  EXPECT_EQ(c[2].coverage_class, CoverageClass::kRemote);
  EXPECT_FALSE(c[2].distance_m.has_value());
  EXPECT_FALSE(c[2].location.has_value());
  EXPECT_EQ(c[3].coverage_class, CoverageClass::kNone);
  EXPECT_FALSE(c[3].provider.has_value());
  EXPECT_EQ(c[4].coverage_class, CoverageClass::kNone);

  // A provider 30 km away that also answers the phone is used by phone: remote.
  std::shared_ptr<const Directory> both = Providers(
      "id,kind,lat,lon,topics,modes\nhub,ido,52.5,6.0,digid,in_person;phone\n");
  DemandCsv far = Demand("id,lat,lon,topics,max_km\nr,52.77,6.0,digid,50\nq,52.72,6.0,digid,50\n");
  std::vector<RowCoverage> f = ClassifyDemand(Router(both), far.requests, 1);
  EXPECT_EQ(f[0].coverage_class, CoverageClass::kRemote);   // 30.0 km > 25,000
  EXPECT_EQ(f[1].coverage_class, CoverageClass::kInPerson);  // 24.5 km <= 25,000
}

TEST(ClassifyDemand, EqualsTheBruteForceRankOne) {
  for (uint32_t seed = 1; seed <= 150; ++seed) {
    testing::Instance inst = testing::MakeInstance(seed, 30, 30);
    absl::StatusOr<std::shared_ptr<const Directory>> directory = Directory::Create(inst.snapshot);
    ASSERT_TRUE(directory.ok()) << directory.status();
    std::vector<RowCoverage> c = ClassifyDemand(Router(*directory), inst.requests, 1);
    for (size_t i = 0; i < inst.requests.size(); ++i) {
      std::vector<testing::OracleReferral> best = testing::BruteForceRoute(inst.snapshot, inst.requests[i], 1);
      if (best.empty()) {
        EXPECT_EQ(c[i].coverage_class, CoverageClass::kNone) << "seed " << seed << " row " << i;
        continue;
      }
      const std::string want = best[0].klass == 1 ? "remote" : best[0].mode;
      EXPECT_EQ(CoverageClassCode(c[i].coverage_class), want) << "seed " << seed << " row " << i;
      ASSERT_TRUE(c[i].provider.has_value());
      EXPECT_EQ((*directory)->provider(*c[i].provider).id, best[0].provider_id);
      if (best[0].klass == 0) {
        EXPECT_EQ((*directory)->provider(*c[i].provider).locations[c[i].location.value()].id, best[0].location_id);
        EXPECT_EQ(*c[i].distance_m, best[0].cost_m);
      } else {
        EXPECT_FALSE(c[i].distance_m.has_value());
      }
    }
  }
}

TEST(AnalyzeCoverage, FilesByHand) {
  std::shared_ptr<const Directory> providers = Providers(kProviders);
  DemandCsv d = Demand(
      "id,lat,lon,topics,languages,municipality,postcode,count\n"
      "near,52.51,6.0,digid,ar,GM0193,8011,4\n"
      "home,52.58,6.0,health,nl,GM0193,8012,2\n"
      "far,52.7,6.0,taxes,nl,GM0148,,1\n"
      "lost,52.5,6.0,jobs,nl,GM0193,8011,5\n");
  CoverageAnalysis a = AnalyzeCoverage(providers, {d.requests, d.counts}, {.threads = 1});
  EXPECT_EQ(FormatCoverageCsv(a),
            "demand_id,count,class,provider_id,location_id,distance_m\n"
            "near,4,in_person,library,library,1112\n"
            "home,2,home_visit,volunteer,volunteer,3892\n"
            "far,1,remote,line,,\n"
            "lost,5,none,,,\n");
  // The library takes 2 of the 4, the volunteer 1 of 2; the rest of "near" has no
  // other provider for digid in ar; "home" has nobody else for health.
  EXPECT_EQ(FormatMatchedCsv(a),
            "demand_id,count,in_person,home_visit,remote,capacity_exhausted,no_suitable_provider\n"
            "near,4,2,0,0,2,0\n"
            "home,2,0,1,0,1,0\n"
            "far,1,0,0,1,0,0\n"
            "lost,5,0,0,0,0,5\n");
  // 1112*2 + 3892 + 25000 + penalties: 3 capacity_exhausted + 5 none, priority 0.
  EXPECT_EQ(a.plan.objective, 2 * 1112 + 3892 + 25000 + 8 * 1'000'000);
  // Only "near" and "home" need copies: "lost" suits nobody, and "far" is on a line
  // without a capacity limit.
  EXPECT_EQ(a.plan.matched_requests, 6);
  EXPECT_EQ(a.demand, 12);
  EXPECT_EQ(a.in_person, 4);
  EXPECT_EQ(a.home_visit, 2);
  EXPECT_EQ(a.remote, 1);
  EXPECT_EQ(a.none, 5);
  EXPECT_EQ(a.assigned_physically, 3);
  const std::string areas = FormatAreasCsv(a);
  EXPECT_NE(areas.find("municipality,GM0193,,11,0.3636,0.1818,0.0000,0.4545,0.2727,8,"
                       "jobs:5;digid:2;health:1,nl:6;ar:2\n"),
            std::string::npos)
      << areas;
  EXPECT_NE(areas.find("pc4,8011,,9,0.4444,0.0000,0.0000,0.5556,0.2222,7,jobs:5;digid:2,nl:5;ar:2\n"),
            std::string::npos)
      << areas;
  EXPECT_NE(areas.find("topic,taxes,,1,0.0000,0.0000,1.0000,0.0000,0.0000,1,taxes:1,nl:1\n"),
            std::string::npos)
      << areas;
  EXPECT_NE(areas.find("language,ar,,4,1.0000,0.0000,0.0000,0.0000,0.5000,2,digid:2,ar:2\n"),
            std::string::npos)
      << areas;
  EXPECT_EQ(FormatSitesCsv(a), "rank,candidate_id,gain,covered_after\n");
}

// --- capacity-aware coverage against the matcher on the expanded waiting list.
TEST(MatchDemand, EqualsMatcherOnExpandedList) {
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    testing::Instance inst = testing::MakeInstance(seed, 25, 20);
    absl::StatusOr<std::shared_ptr<const Directory>> directory = Directory::Create(inst.snapshot);
    ASSERT_TRUE(directory.ok()) << directory.status();
    std::mt19937 rng(seed);
    std::vector<int64_t> counts(inst.requests.size());
    std::vector<Request> expanded;
    for (size_t i = 0; i < counts.size(); ++i) {
      counts[i] = std::uniform_int_distribution<int>(0, 4)(rng);
      for (int64_t j = 0; j < counts[i]; ++j) {
        expanded.push_back(inst.requests[i]);
        expanded.back().id += absl::StrCat("/", j);
      }
    }
    Matcher matcher(*directory);
    std::vector<RowCoverage> coverage = ClassifyDemand(Router(*directory), inst.requests, 1);
    DemandPlan plan = MatchDemand(matcher, {inst.requests, counts}, coverage, {.threads = 1});
    MatchPlan reference = matcher.Match(expanded, {.threads = 1, .solver = MatchSolver::kBoostReference});
    EXPECT_EQ(plan.objective, reference.objective) << "seed " << seed;
    int64_t physical = 0, reference_physical = 0;
    for (size_t i = 0; i < counts.size(); ++i) {
      const RowPlan& r = plan.rows[i];
      EXPECT_EQ(r.count, counts[i]);
      EXPECT_EQ(r.in_person + r.home_visit + r.remote + r.capacity_exhausted + r.no_suitable_provider,
                counts[i]);
      if (coverage[i].coverage_class == CoverageClass::kNone) {
        EXPECT_EQ(r.no_suitable_provider, counts[i]);
      }
      physical += r.in_person + r.home_visit;
    }
    for (const PlanLine& l : reference.lines) {
      reference_physical += l.assigned() && (l.mode == Mode::kInPerson || l.mode == Mode::kHomeVisit);
    }
    (void)reference_physical;  // several optimal plans may split modes differently
    EXPECT_LE(physical, static_cast<int64_t>(expanded.size()));
  }
}

// --- the greedy rule on explicit sets.
std::vector<int32_t> Identity(size_t n) {
  std::vector<int32_t> v(n);
  std::iota(v.begin(), v.end(), 0);
  return v;
}

TEST(ChooseSitesFromSets, TiesGoToTheSmallerId) {
  // Candidates 0 and 1 reach different rows of the same weight; 1 has the smaller id.
  std::vector<std::vector<int32_t>> sets = {{0}, {1}, {}};
  std::vector<int64_t> w = {5, 5};
  SiteChoice s = ChooseSitesFromSets(sets, w, std::vector<int32_t>{1, 0, 2}, 1);
  ASSERT_EQ(s.picks.size(), 1u);
  EXPECT_EQ(s.picks[0].candidate, ProviderIndex(1));
  s = ChooseSitesFromSets(sets, w, std::vector<int32_t>{0, 1, 2}, 1);
  EXPECT_EQ(s.picks[0].candidate, ProviderIndex(0));
  // Both picked with N = 3, then nothing adds: stop early.
  s = ChooseSitesFromSets(sets, w, std::vector<int32_t>{1, 0, 2}, 3);
  ASSERT_EQ(s.picks.size(), 2u);
  EXPECT_EQ(s.picks[0].candidate, ProviderIndex(1));
  EXPECT_EQ(s.picks[1].candidate, ProviderIndex(0));
  EXPECT_EQ(s.gain, 10);
  EXPECT_EQ(s.bound, 10);
  EXPECT_DOUBLE_EQ(s.guarantee, 1.0);
}

TEST(ChooseSitesFromSets, GreedyIsNotOptimalAndTheBoundSaysHowFar) {
  // The textbook case: candidate 0 reaches the middle of two clusters (weight 6), 1
  // and 2 each reach one cluster (5 each) and only help together: best pair {1, 2}
  // = 10, greedy takes 0 first (6) and then 1 or 2 for the remainder.
  //   rows: 0..4 cluster A (weight 1 each), 5..9 cluster B (weight 1 each)
  std::vector<std::vector<int32_t>> sets = {{1, 2, 3, 6, 7, 8}, {0, 1, 2, 3, 4}, {5, 6, 7, 8, 9}};
  std::vector<int64_t> w(10, 1);
  SiteChoice s = ChooseSitesFromSets(sets, w, Identity(3), 2);
  ASSERT_EQ(s.picks.size(), 2u);
  EXPECT_EQ(s.picks[0].candidate, ProviderIndex(0));
  EXPECT_EQ(s.picks[0].gain, 6);
  EXPECT_EQ(s.picks[1].candidate, ProviderIndex(1));  // ties with 2 (2 each): smaller id
  EXPECT_EQ(s.picks[1].gain, 2);
  EXPECT_EQ(s.gain, 8);
  EXPECT_EQ(s.simple_bound, 11);  // 6 + 5
  EXPECT_GE(s.bound, 10);         // the optimum
  EXPECT_LE(s.bound, 11);
  EXPECT_EQ(s.picks[1].covered_after, 8);
}

TEST(ChooseSitesFromSets, NothingToGain) {
  std::vector<std::vector<int32_t>> sets = {{}, {}};
  std::vector<int64_t> w = {};
  SiteChoice s = ChooseSitesFromSets(sets, w, Identity(2), 5);
  EXPECT_TRUE(s.picks.empty());
  EXPECT_EQ(s.bound, 0);
  EXPECT_DOUBLE_EQ(s.guarantee, 1.0);
  s = ChooseSitesFromSets(std::vector<std::vector<int32_t>>{{0}}, std::vector<int64_t>{0}, Identity(1), 1);
  EXPECT_TRUE(s.picks.empty());  // a row of count 0 adds nothing
}

// The plain rule, written out without laziness.
std::vector<int32_t> PlainGreedy(const std::vector<std::vector<int32_t>>& sets,
                                 const std::vector<int64_t>& w, const std::vector<int32_t>& rank,
                                 int n, int64_t* total) {
  std::vector<char> reached(w.size(), 0);
  std::vector<int32_t> picks;
  *total = 0;
  for (int round = 0; round < n; ++round) {
    int best = -1;
    int64_t best_gain = 0;
    for (size_t c = 0; c < sets.size(); ++c) {
      std::vector<int32_t> rows = sets[c];
      std::sort(rows.begin(), rows.end());
      rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
      int64_t g = 0;
      for (int32_t j : rows) g += reached[j] ? 0 : w[j];
      if (g > best_gain || (g == best_gain && g > 0 && rank[c] < rank[best])) {
        best = static_cast<int>(c), best_gain = g;
      }
    }
    if (best < 0) break;
    for (int32_t j : sets[best]) reached[j] = 1;
    picks.push_back(best);
    *total += best_gain;
  }
  return picks;
}

int64_t ExhaustiveBest(const std::vector<std::vector<int32_t>>& sets, const std::vector<int64_t>& w,
                       int n) {
  const int c = static_cast<int>(sets.size());
  int64_t best = 0;
  for (uint32_t mask = 0; mask < (1u << c); ++mask) {
    if (std::popcount(mask) > n) continue;
    std::vector<char> reached(w.size(), 0);
    for (int i = 0; i < c; ++i) {
      if (mask >> i & 1) {
        for (int32_t j : sets[i]) reached[j] = 1;
      }
    }
    int64_t total = 0;
    for (size_t j = 0; j < w.size(); ++j) total += reached[j] ? w[j] : 0;
    best = std::max(best, total);
  }
  return best;
}

TEST(ChooseSitesFromSets, AgainstExhaustiveSearch) {
  double worst_ratio = 1;
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    std::mt19937 rng(seed);
    const int rows = std::uniform_int_distribution<int>(1, 30)(rng);
    const int c_count = std::uniform_int_distribution<int>(1, 12)(rng);
    const int n = std::uniform_int_distribution<int>(1, 5)(rng);
    std::vector<int64_t> w(rows);
    for (int64_t& x : w) x = std::uniform_int_distribution<int>(0, 9)(rng);
    std::vector<std::vector<int32_t>> sets(c_count);
    for (auto& s : sets) {
      const int size = std::uniform_int_distribution<int>(0, 8)(rng);
      for (int k = 0; k < size; ++k) s.push_back(std::uniform_int_distribution<int>(0, rows - 1)(rng));
    }
    std::vector<int32_t> rank = Identity(c_count);
    std::shuffle(rank.begin(), rank.end(), rng);
    SiteChoice s = ChooseSitesFromSets(sets, w, rank, n);
    int64_t plain_total = 0;
    std::vector<int32_t> plain = PlainGreedy(sets, w, rank, n, &plain_total);
    ASSERT_EQ(s.picks.size(), plain.size()) << "seed " << seed;
    for (size_t k = 0; k < plain.size(); ++k) {
      EXPECT_EQ(static_cast<int32_t>(s.picks[k].candidate.value()), plain[k]) << "seed " << seed;
    }
    EXPECT_EQ(s.gain, plain_total);
    const int64_t best = ExhaustiveBest(sets, w, n);
    EXPECT_GE(s.bound, best) << "seed " << seed;
    EXPECT_LE(s.bound, s.simple_bound);
    EXPECT_GE(static_cast<double>(s.gain), (1 - 1 / std::exp(1.0)) * static_cast<double>(best))
        << "seed " << seed;
    if (best > 0) worst_ratio = std::min(worst_ratio, static_cast<double>(s.gain) / best);
    EXPECT_LE(s.evaluations, static_cast<int64_t>(c_count) * (n + 1));
  }
  EXPECT_GE(worst_ratio, 1 - 1 / std::exp(1.0));
}

TEST(ChooseSitesFromSets, LagrangianBoundBeatsTheSimpleBound) {
  // Many overlapping candidates: the simple bound counts the shared rows N times.
  std::vector<std::vector<int32_t>> sets;
  for (int c = 0; c < 10; ++c) sets.push_back({0, 1, 2, 3, 4, 5, 6, 7, 8, c + 9});
  std::vector<int64_t> w(19, 1);
  SiteChoice s = ChooseSitesFromSets(sets, w, Identity(10), 3);
  EXPECT_EQ(s.gain, 12);           // 10, then 1, 1
  EXPECT_EQ(s.simple_bound, 30);
  EXPECT_EQ(s.bound, 12);          // the LP optimum is 12 here: certified optimal
  EXPECT_DOUBLE_EQ(s.guarantee, 1.0);
  SiteChoice simple = ChooseSitesFromSets(sets, w, Identity(10), 3, /*bound_iterations=*/0);
  EXPECT_EQ(simple.bound, 30);
}

// --- reach sets by routing, against the brute-force oracle.
TEST(ChooseSites, ReachIsRouteClassZeroAgainstTheOracle) {
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    testing::Instance inst = testing::MakeInstance(seed, 30, 14);
    absl::StatusOr<std::shared_ptr<const Directory>> candidates = Directory::Create(inst.snapshot);
    ASSERT_TRUE(candidates.ok());
    const size_t c_count = (*candidates)->size();
    std::mt19937 rng(seed * 7);
    std::vector<int64_t> counts(inst.requests.size());
    std::vector<RowCoverage> coverage(inst.requests.size());
    for (size_t i = 0; i < counts.size(); ++i) {
      counts[i] = std::uniform_int_distribution<int>(0, 5)(rng);
      // A third of the rows count as served already: they must never count.
      if (i % 3 == 0) coverage[i].coverage_class = CoverageClass::kInPerson;
    }
    // The oracle's reach: candidate c alone ranks row j physically first.
    std::vector<std::vector<int32_t>> sets(c_count);
    std::vector<int64_t> w;
    std::vector<size_t> unserved;
    for (size_t i = 0; i < counts.size(); ++i) {
      if (i % 3 != 0 && counts[i] > 0) unserved.push_back(i);
    }
    for (size_t c = 0; c < c_count; ++c) {
      v1::DirectorySnapshot one;
      *one.add_providers() = inst.snapshot.providers(static_cast<int>(c));
      for (size_t u = 0; u < unserved.size(); ++u) {
        std::vector<testing::OracleReferral> r = testing::BruteForceRoute(one, inst.requests[unserved[u]], 1);
        if (!r.empty() && r[0].klass == 0) sets[c].push_back(static_cast<int32_t>(u));
      }
    }
    for (size_t u : unserved) w.push_back(counts[u]);
    std::vector<int32_t> by_id = Identity(c_count), rank(c_count);
    std::sort(by_id.begin(), by_id.end(), [&](int32_t a, int32_t b) {
      return inst.snapshot.providers(a).id() < inst.snapshot.providers(b).id();
    });
    for (size_t r = 0; r < c_count; ++r) rank[by_id[r]] = static_cast<int32_t>(r);
    const int n = 1 + seed % 4;
    int64_t plain_total = 0;
    std::vector<int32_t> plain = PlainGreedy(sets, w, rank, n, &plain_total);
    SiteChoice s = ChooseSites(**candidates, {inst.requests, counts}, coverage, {.add = n, .threads = 1});
    ASSERT_EQ(s.picks.size(), plain.size()) << "seed " << seed;
    int64_t covered_before = 0;
    for (size_t i = 0; i < counts.size(); i += 3) covered_before += counts[i];
    EXPECT_EQ(s.covered_before, covered_before);
    for (size_t k = 0; k < plain.size(); ++k) {
      EXPECT_EQ(static_cast<int32_t>(s.picks[k].candidate.value()), plain[k]) << "seed " << seed;
    }
    EXPECT_EQ(s.gain, plain_total);
    if (c_count <= 14) {
      EXPECT_GE(s.bound, ExhaustiveBest(sets, w, n)) << "seed " << seed;
    }
  }
}

}  // namespace
}  // namespace wegwijzer
