// Matcher benchmarks: an optimal plan for a whole waiting list.
//
//   BM_Match_Fast/<providers>/<requests>            the library's matcher (kFast)
//   BM_Match_BoostReference/<providers>/<requests>  Boost.Graph's
//       successive_shortest_path_nonnegative_weights on the full graph, on the sizes
//       it finishes in reasonable time (it is the correctness reference, not a rival)
//   BM_Match_Overloaded/<providers>/<requests>      capacities scaled to 20%: a
//       waiting list that overloads most help points (the hard case for any exact
//       matcher; see the README for what it costs)
//
// Wall time is end to end from the loaded directory and requests: Directory::Create
// and Matcher::Match. Counters: objective (identical across solvers on the same
// instance), pairs (candidate pairs built), peak_rss_mb (the process's peak resident
// memory so far, from getrusage: it includes the generated scenario).
// Instances: GenerateScenario with seed 1 (Dutch-like, see scenario.h).
#include <sys/resource.h>

#include <map>
#include <memory>

#include "benchmark/benchmark.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/matcher.h"
#include "wegwijzer/scenario.h"

namespace wegwijzer {
namespace {

const Scenario& CachedScenario(int providers, int requests, double capacity_scale) {
  static auto* cache = new std::map<std::tuple<int, int, double>, std::unique_ptr<Scenario>>;
  auto& slot = (*cache)[{providers, requests, capacity_scale}];
  if (!slot) {
    slot = std::make_unique<Scenario>(GenerateScenario({.seed = 1,
                                                        .providers = providers,
                                                        .requests = requests,
                                                        .capacity_scale = capacity_scale})
                                          .value());
  }
  return *slot;
}

double PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

void RunMatch(benchmark::State& state, MatchSolver solver, double capacity_scale) {
  const Scenario& scenario = CachedScenario(static_cast<int>(state.range(0)),
                                            static_cast<int>(state.range(1)), capacity_scale);
  MatchPlan plan;
  for (auto _ : state) {
    auto directory = Directory::Create(*scenario.directory);
    if (!directory.ok()) {
      state.SkipWithError("directory rejected");
      return;
    }
    Matcher matcher(*directory);
    MatchOptions options;
    options.solver = solver;
    plan = matcher.Match(scenario.requests, options);
    benchmark::DoNotOptimize(plan.objective);
  }
  state.counters["objective"] = static_cast<double>(plan.objective);
  state.counters["pairs"] = static_cast<double>(plan.stats.candidate_pairs);
  state.counters["peak_rss_mb"] = PeakRssMb();
  state.SetItemsProcessed(state.iterations() * state.range(1));
}

void BM_Match_Fast(benchmark::State& state) { RunMatch(state, MatchSolver::kFast, 1.0); }
void BM_Match_BoostReference(benchmark::State& state) {
  RunMatch(state, MatchSolver::kBoostReference, 1.0);
}
void BM_Match_Overloaded(benchmark::State& state) { RunMatch(state, MatchSolver::kFast, 0.2); }

// The reference first on the sizes it finishes, with the fast matcher on the same.
// (Measured here: 36 s at 500/5,000 and 190 s at 1,000/10,000, so only the first.)
BENCHMARK(BM_Match_BoostReference)->Args({500, 5'000})
    ->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(BM_Match_Fast)->Args({500, 5'000})->Args({1'000, 10'000})
    ->Args({5'000, 100'000})->Args({50'000, 1'000'000})
    ->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(BM_Match_Overloaded)->Args({2'000, 40'000})
    ->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace
}  // namespace wegwijzer

BENCHMARK_MAIN();
