// Coverage and gap analysis on the real map (../shared/data, or the folder named by
// WEGWIJZER_SHARED_DATA; skipped without it). The instance (tests/testing/
// national_demand.h, seed 1): 50,000 providers as GenerateDutchScenario places them
// (volunteers scaled up), demand per PC4 area x 15 topics at the area centroids
// (4,067 x 15 = 61,005 rows, counts from residents), 5,000 candidate IDO sites at
// seeded PC4 centroids. Targets from issue 11:
//
//   BM_Coverage_ClassifyAndRollUp   items 2 and 4: every row's class (route rank 1)
//                                   and the roll-ups per municipality, PC4, topic and
//                                   language                          target < 1 s
//   BM_Coverage_Classify            the classes alone (Router, k = 1, all cores)
//   BM_Coverage_RollUp              the roll-ups alone (plan given)
//   BM_Coverage_Match               item 3: the plan under capacity, rows expanded
//                                   into copies for the Matcher (one run)
//   BM_ChooseSites_100of5000        item 5: 100 sites among 5,000 candidates, reach
//                                   sets, CELF and the bound         target < 5 s
//   BM_ChooseSites_PlainGreedy      baseline: the same rule without lazy evaluation
//                                   on the same reach sets (ratio of evaluations and
//                                   time against CELF on the sets: BM_ChooseSites_Celf)
//   BM_ChooseSites_Celf             CELF + bound on the same reach sets
//   BM_Report_AllMunicipalities     report.html for all 342 municipalities (size in the
//                                   counters; opening it in Chromium: tests/python/
//                                   test_coverage.py)                target < 5 MB
//
// Run from the build tree: build/release/bench/wegwijzer_coverage_benchmark
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "testing/national_demand.h"
#include "wegwijzer/coverage.h"
#include "wegwijzer/dutch_scenario.h"
#include "wegwijzer/gazetteer.h"
#include "wegwijzer/matcher.h"
#include "wegwijzer/router.h"

namespace wegwijzer {
namespace {

std::string DataDir() {
  if (const char* dir = std::getenv("WEGWIJZER_SHARED_DATA"); dir != nullptr && *dir) return dir;
  return WEGWIJZER_SHARED_DATA_DIR;
}

struct Fixture {
  std::shared_ptr<const Gazetteer> gazetteer;
  testing::NationalInstance instance;
  std::vector<RowCoverage> coverage;
  DemandPlan plan;  // filled by the first benchmark that needs it
  bool ok = false;
};

Fixture& Get() {
  static Fixture* f = [] {
    auto* f = new Fixture;
    const std::string dir = DataDir();
    auto gazetteer = Gazetteer::Load(dir + "/municipalities/gemeenten_2023_wgs84.geojson",
                                     dir + "/pc4/pc4_centroids.csv");
    if (!gazetteer.ok()) return f;
    auto people = ReadPostcodeDemographicsCsv(dir + "/pc4/pc4_centroids.csv");
    if (!people.ok()) return f;
    auto instance = testing::MakeNationalInstance(**gazetteer, *people, 50000, 5000);
    if (!instance.ok()) return f;
    f->gazetteer = *gazetteer;
    f->instance = *std::move(instance);
    f->coverage = ClassifyDemand(Router(f->instance.providers), f->instance.demand);
    // A cheap stand-in plan for the roll-up benchmarks that do not time matching:
    // every row as its class says (the roll-up's cost does not depend on the numbers).
    f->plan.rows.resize(f->instance.demand.size());
    for (size_t i = 0; i < f->plan.rows.size(); ++i) {
      RowPlan& r = f->plan.rows[i];
      r.count = f->instance.counts[i];
      if (IsPhysical(f->coverage[i].coverage_class)) r.in_person = r.count;
      else r.no_suitable_provider = r.count;
    }
    f->ok = true;
    return f;
  }();
  return *f;
}

#define REQUIRE_FIXTURE(state, f)                                   \
  Fixture& f = Get();                                               \
  if (!f.ok) {                                                      \
    state.SkipWithError(("no real data in " + DataDir()).c_str()); \
    return;                                                         \
  }

void Counters(benchmark::State& state, const Fixture& f) {
  int64_t total = 0;
  for (int64_t c : f.instance.counts) total += c;
  state.counters["rows"] = static_cast<double>(f.instance.demand.size());
  state.counters["demand"] = static_cast<double>(total);
  state.counters["providers"] = static_cast<double>(f.instance.providers->size());
}

void BM_Coverage_ClassifyAndRollUp(benchmark::State& state) {
  REQUIRE_FIXTURE(state, f);
  Router router(f.instance.providers);
  const DemandView view{f.instance.demand, f.instance.counts};
  for (auto _ : state) {
    std::vector<RowCoverage> coverage = ClassifyDemand(router, f.instance.demand);
    std::vector<AreaFigures> areas = RollUpDemand(view, coverage, f.plan, f.gazetteer.get());
    benchmark::DoNotOptimize(areas.data());
  }
  Counters(state, f);
}
BENCHMARK(BM_Coverage_ClassifyAndRollUp)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Coverage_Classify(benchmark::State& state) {
  REQUIRE_FIXTURE(state, f);
  Router router(f.instance.providers);
  for (auto _ : state) {
    std::vector<RowCoverage> coverage = ClassifyDemand(router, f.instance.demand);
    benchmark::DoNotOptimize(coverage.data());
  }
  int64_t physical = 0, remote = 0, none = 0;
  for (size_t i = 0; i < f.coverage.size(); ++i) {
    const CoverageClass c = f.coverage[i].coverage_class;
    (IsPhysical(c) ? physical : c == CoverageClass::kRemote ? remote : none) += f.instance.counts[i];
  }
  state.counters["physical"] = static_cast<double>(physical);
  state.counters["remote"] = static_cast<double>(remote);
  state.counters["none"] = static_cast<double>(none);
  Counters(state, f);
}
BENCHMARK(BM_Coverage_Classify)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Coverage_RollUp(benchmark::State& state) {
  REQUIRE_FIXTURE(state, f);
  const DemandView view{f.instance.demand, f.instance.counts};
  for (auto _ : state) {
    std::vector<AreaFigures> areas = RollUpDemand(view, f.coverage, f.plan, f.gazetteer.get());
    benchmark::DoNotOptimize(areas.data());
  }
  Counters(state, f);
}
BENCHMARK(BM_Coverage_RollUp)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Coverage_Match(benchmark::State& state) {
  REQUIRE_FIXTURE(state, f);
  Matcher matcher(f.instance.providers);
  DemandPlan plan;
  for (auto _ : state) {
    plan = MatchDemand(matcher, {f.instance.demand, f.instance.counts}, f.coverage);
    benchmark::DoNotOptimize(plan.objective);
  }
  state.counters["matched_requests"] = static_cast<double>(plan.matched_requests);
  Counters(state, f);
}
BENCHMARK(BM_Coverage_Match)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

void BM_ChooseSites_100of5000(benchmark::State& state) {
  REQUIRE_FIXTURE(state, f);
  SiteChoice s;
  for (auto _ : state) {
    s = ChooseSites(*f.instance.candidates, {f.instance.demand, f.instance.counts}, f.coverage,
                    {.add = 100});
    benchmark::DoNotOptimize(s.gain);
  }
  state.counters["picks"] = static_cast<double>(s.picks.size());
  state.counters["gain"] = static_cast<double>(s.gain);
  state.counters["bound"] = static_cast<double>(s.bound);
  state.counters["simple_bound"] = static_cast<double>(s.simple_bound);
  state.counters["guarantee"] = s.guarantee;
  state.counters["evaluations"] = static_cast<double>(s.evaluations);
  state.counters["reach_pairs"] = static_cast<double>(s.reach_pairs);
  Counters(state, f);
}
BENCHMARK(BM_ChooseSites_100of5000)->Unit(benchmark::kMillisecond)->UseRealTime();

// The reach sets of the 5,000 candidates, built as ChooseSites builds them (every
// unserved row routed against the candidates), for comparing CELF with the plain rule
// on identical sets.
struct Sets {
  std::vector<std::vector<int32_t>> sets;
  std::vector<int64_t> weights;
  std::vector<int32_t> rank;
};
const Sets& ReachSets(const Fixture& f) {
  static const Sets* s = [&] {
    auto* s = new Sets;
    const Directory& c = *f.instance.candidates;
    std::vector<Request> unserved;
    for (size_t i = 0; i < f.coverage.size(); ++i) {
      if (!IsPhysical(f.coverage[i].coverage_class) && f.instance.counts[i] > 0) {
        unserved.push_back(f.instance.demand[i]);
        s->weights.push_back(f.instance.counts[i]);
      }
    }
    s->sets.resize(c.size());
    Router router(f.instance.candidates);
    std::vector<RouteResult> results =
        router.RouteBatch(unserved, {.k = static_cast<int>(c.size()) + 1, .explain_no_match = false});
    for (size_t u = 0; u < results.size(); ++u) {
      for (const Referral& r : results[u].referrals) {
        if (!r.is_remote()) s->sets[r.provider.value()].push_back(static_cast<int32_t>(u));
      }
    }
    std::vector<int32_t> by_id(c.size());
    std::iota(by_id.begin(), by_id.end(), 0);
    std::sort(by_id.begin(), by_id.end(),
              [&](int32_t a, int32_t b) {
                return c.provider(ProviderIndex(static_cast<size_t>(a))).id <
                       c.provider(ProviderIndex(static_cast<size_t>(b))).id;
              });
    s->rank.resize(c.size());
    for (size_t r = 0; r < c.size(); ++r) s->rank[by_id[r]] = static_cast<int32_t>(r);
    return s;
  }();
  return *s;
}

void BM_ChooseSites_Celf(benchmark::State& state) {
  REQUIRE_FIXTURE(state, f);
  const Sets& s = ReachSets(f);
  SiteChoice c;
  for (auto _ : state) {
    c = ChooseSitesFromSets(s.sets, s.weights, s.rank, 100, /*bound_iterations=*/0);
    benchmark::DoNotOptimize(c.gain);
  }
  state.counters["evaluations"] = static_cast<double>(c.evaluations);
  state.counters["gain"] = static_cast<double>(c.gain);
}
BENCHMARK(BM_ChooseSites_Celf)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ChooseSites_PlainGreedy(benchmark::State& state) {
  REQUIRE_FIXTURE(state, f);
  const Sets& s = ReachSets(f);
  int64_t gain = 0, evaluations = 0;
  for (auto _ : state) {
    std::vector<char> reached(s.weights.size(), 0);
    gain = 0, evaluations = 0;
    for (int round = 0; round < 100; ++round) {
      int best = -1;
      int64_t best_gain = 0;
      for (size_t c = 0; c < s.sets.size(); ++c) {
        int64_t g = 0;
        for (int32_t j : s.sets[c]) g += reached[j] ? 0 : s.weights[j];
        ++evaluations;
        if (g > best_gain || (g == best_gain && g > 0 && s.rank[c] < s.rank[best])) {
          best = static_cast<int>(c), best_gain = g;
        }
      }
      if (best < 0) break;
      for (int32_t j : s.sets[best]) reached[j] = 1;
      gain += best_gain;
    }
    benchmark::DoNotOptimize(gain);
  }
  state.counters["evaluations"] = static_cast<double>(evaluations);
  state.counters["gain"] = static_cast<double>(gain);
}
BENCHMARK(BM_ChooseSites_PlainGreedy)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Report_AllMunicipalities(benchmark::State& state) {
  REQUIRE_FIXTURE(state, f);
  static const CoverageAnalysis* a = [&] {
    auto* a = new CoverageAnalysis;
    a->providers = f.instance.providers;
    a->candidates = f.instance.candidates;
    a->gazetteer = f.gazetteer;
    a->requests = f.instance.demand;
    a->counts = f.instance.counts;
    a->coverage = f.coverage;
    a->plan = f.plan;
    a->areas = RollUpDemand({a->requests, a->counts}, a->coverage, a->plan, a->gazetteer.get());
    a->sites = ChooseSites(*a->candidates, {a->requests, a->counts}, a->coverage, {.add = 100});
    for (size_t i = 0; i < a->requests.size(); ++i) {  // the totals of the key figures
      const int64_t n = a->counts[i];
      a->demand += n;
      switch (a->coverage[i].coverage_class) {
        case CoverageClass::kInPerson: a->in_person += n; break;
        case CoverageClass::kHomeVisit: a->home_visit += n; break;
        case CoverageClass::kRemote: a->remote += n; break;
        case CoverageClass::kNone: a->none += n; break;
      }
      a->assigned_physically += a->plan.rows[i].in_person + a->plan.rows[i].home_visit;
    }
    return a;
  }();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string html = FormatCoverageReportHtml(*a);
    bytes = html.size();
    benchmark::DoNotOptimize(html.data());
  }
  // WEGWIJZER_COVERAGE_REPORT_OUT=path keeps the page, e.g. to time it in Chromium.
  if (const char* path = std::getenv("WEGWIJZER_COVERAGE_REPORT_OUT"); path != nullptr && *path) {
    std::ofstream(path) << FormatCoverageReportHtml(*a);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
  state.counters["municipalities"] = static_cast<double>(f.gazetteer->municipality_count());
}
BENCHMARK(BM_Report_AllMunicipalities)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace wegwijzer

BENCHMARK_MAIN();
