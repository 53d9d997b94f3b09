// Matcher benchmarks: an optimal plan for a whole waiting list.
//
// On the real map (GenerateDutchScenario on ../shared/data, seed 1; skipped without
// the data):
//   BM_Match_Dutch/<providers>/<requests>             the library's matcher (kFast),
//       end to end: Directory::Create and Matcher::Match
//   BM_Match_DutchOverloaded/<providers>/<requests>   the same with every limited
//       capacity x 0.2: a waiting list that overloads most help points
//   BM_Match_DutchVsLemon/<providers>/<requests>      the matcher, then LEMON 1.3's
//       NetworkSimplex on the same reduced network (the candidate pairs the matcher's
//       solver ended with, their outside options and the capacities), in the same
//       process; fails unless both objectives are equal
//   BM_Match_DenseCluster/<providers>/<requests>      providers of capacity 1 and
//       requests within 5 km of Utrecht centre, every pair suitable (40 M pairs at
//       2,000 / 20,000), no unlimited provider; with LEMON beside it when available
// On GenerateScenario's synthetic towns (seed 1), as before:
//   BM_Match_Fast, BM_Match_BoostReference (Boost.Graph's successive shortest paths on
//   the full graph: the correctness reference, not a rival), BM_Match_Overloaded.
//
// Counters: objective; match_s (whole Match), candidates_s / solve_s (its two
// phases), lemon_s (NetworkSimplex::run on the reduced network, not counting the
// graph's construction) and solve_over_lemon; pairs (candidate pairs the solver
// kept), bytes_per_pair (the memory of the kept lists per pair, headers included);
// peak_rss_mb (the process's peak resident memory after the match and before LEMON
// builds its graph: run one benchmark per process, --benchmark_filter, for a clean
// figure, since getrusage reports the peak so far); with kCostScaling also
// scaling_pushes, scaling_cache_hits (request pushes decided by the best-4 cache,
// without a scan of the list) and scaling_repaired.
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <numbers>
#include <random>

#include "benchmark/benchmark.h"
#include "match/matcher_internal.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/dutch_scenario.h"
#include "wegwijzer/v1/directory.pb.h"
#include "wegwijzer/gazetteer.h"
#include "wegwijzer/matcher.h"
#include "wegwijzer/scenario.h"

#ifdef WEGWIJZER_HAVE_LEMON
#include <lemon/network_simplex.h>
#include <lemon/smart_graph.h>
#endif

#ifndef WEGWIJZER_SHARED_DATA_DIR
#define WEGWIJZER_SHARED_DATA_DIR "../shared/data"
#endif

namespace wegwijzer {
namespace {

double PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// ---------------------------------------------------------------------------
// Instances.

std::string DataDir() {
  if (const char* dir = std::getenv("WEGWIJZER_SHARED_DATA"); dir != nullptr && *dir) return dir;
  return WEGWIJZER_SHARED_DATA_DIR;
}

struct Instance {
  v1::DirectorySnapshot directory;
  std::vector<Request> requests;
};

// nullptr (and the benchmark skipped) without the real data.
const Instance* DutchInstance(benchmark::State& state, int providers, int requests,
                              double capacity_scale) {
  const std::string geojson = DataDir() + "/municipalities/gemeenten_2023_wgs84.geojson";
  const std::string postcodes = DataDir() + "/pc4/pc4_centroids.csv";
  if (!std::filesystem::exists(geojson) || !std::filesystem::exists(postcodes)) {
    state.SkipWithError(("no real data in " + DataDir()).c_str());
    return nullptr;
  }
  static auto* gazetteer = new absl::StatusOr<std::shared_ptr<const Gazetteer>>(
      Gazetteer::Load(geojson, postcodes));
  static auto* people = new absl::StatusOr<std::vector<PostcodeDemographics>>(
      ReadPostcodeDemographicsCsv(postcodes));
  if (!gazetteer->ok() || !people->ok()) {
    state.SkipWithError("the real data does not load");
    return nullptr;
  }
  static auto* cache = new std::map<std::tuple<int, int, double>, std::unique_ptr<Instance>>;
  auto& slot = (*cache)[{providers, requests, capacity_scale}];
  if (!slot) {
    absl::StatusOr<DutchScenario> s = GenerateDutchScenario(
        ***gazetteer, **people,
        {.seed = 1, .requests = requests, .capacity_scale = capacity_scale,
         .providers = providers});
    if (!s.ok()) {
      state.SkipWithError(std::string(s.status().message()).c_str());
      return nullptr;
    }
    slot = std::make_unique<Instance>(Instance{*s->directory, std::move(s->requests)});
  }
  return slot.get();
}

// Uniform in a disc of `radius_km` around `centre`.
LatLng InDisc(std::mt19937_64& rng, LatLng centre, double radius_km) {
  std::uniform_real_distribution<double> u(0, 1);
  const double r = radius_km * std::sqrt(u(rng)), a = 2 * std::numbers::pi * u(rng);
  const double km_per_deg = kEarthRadiusMeters * std::numbers::pi / 180 / 1000;
  return {centre.lat_deg + r * std::cos(a) / km_per_deg,
          centre.lon_deg +
              r * std::sin(a) / (km_per_deg * std::cos(centre.lat_deg * std::numbers::pi / 180))};
}

// Providers of capacity 1 and requests in a 5 km disc; each request travels 15 km
// and every provider offers what every request asks, so every pair is suitable.
const Instance& DenseCluster(int providers, int requests) {
  static auto* cache = new std::map<std::pair<int, int>, std::unique_ptr<Instance>>;
  auto& slot = (*cache)[{providers, requests}];
  if (!slot) {
    slot = std::make_unique<Instance>();
    std::mt19937_64 rng(1);
    const LatLng utrecht{52.0907, 5.1214};
    for (int p = 0; p < providers; ++p) {
      v1::Provider* provider = slot->directory.add_providers();
      provider->set_id("P" + std::to_string(p));
      provider->set_name("Buurthuis " + std::to_string(p));
      provider->set_kind(v1::PROVIDER_KIND_VOLUNTEER);
      const LatLng at = InDisc(rng, utrecht, 5);
      v1::Location* location = provider->add_locations();
      location->mutable_position()->set_lat_deg(at.lat_deg);
      location->mutable_position()->set_lon_deg(at.lon_deg);
      provider->add_topics(v1::TOPIC_BASICS);
      provider->add_languages("nl");
      provider->add_modes(v1::MODE_IN_PERSON);
      provider->set_capacity(1);
    }
    for (int r = 0; r < requests; ++r) {
      Request request;
      request.id = "R" + std::to_string(r);
      request.position = InDisc(rng, utrecht, 5);
      request.topics.Add(Topic::kBasics);
      request.modes = ModeSet{Mode::kInPerson};
      request.max_km = 15;
      slot->requests.push_back(std::move(request));
    }
  }
  return *slot;
}

// ---------------------------------------------------------------------------
// LEMON on the reduced network.

// Min-cost flow: one unit from each request, to a provider (capacity b) or to its
// outside option, all into one sink. Returns the objective and the seconds of
// NetworkSimplex::run; {-1, 0} without LEMON or when it finds no optimum.
std::pair<int64_t, double> SolveWithLemon(const internal::ReducedNetwork& network) {
#ifdef WEGWIJZER_HAVE_LEMON
  using Graph = lemon::SmartDigraph;
  Graph g;
  const size_t n = network.outside_cost.size(), m = network.capacity.size();
  size_t arcs = n + m;
  for (const auto& list : network.lists) arcs += list.size();
  g.reserveNode(static_cast<int>(n + m + 1));
  g.reserveArc(static_cast<int>(arcs));
  std::vector<Graph::Node> request(n), provider(m);
  for (auto& node : request) node = g.addNode();
  for (auto& node : provider) node = g.addNode();
  const Graph::Node sink = g.addNode();
  Graph::ArcMap<int64_t> cost(g), capacity(g);
  Graph::NodeMap<int64_t> supply(g, 0);
  auto arc = [&](Graph::Node from, Graph::Node to, int64_t c, int64_t cap) {
    const Graph::Arc a = g.addArc(from, to);
    cost[a] = c;
    capacity[a] = cap;
  };
  for (size_t r = 0; r < n; ++r) {
    supply[request[r]] = 1;
    arc(request[r], sink, network.outside_cost[r], 1);
    for (const auto& e : network.lists[r]) arc(request[r], provider[e.provider], e.cost, 1);
  }
  for (size_t p = 0; p < m; ++p) {
    if (network.capacity[p] > 0) arc(provider[p], sink, 0, network.capacity[p]);
  }
  supply[sink] = -static_cast<int64_t>(n);
  lemon::NetworkSimplex<Graph, int64_t, int64_t> simplex(g);
  simplex.upperMap(capacity).costMap(cost).supplyMap(supply);
  const auto start = std::chrono::steady_clock::now();
  const auto status = simplex.run();
  const double seconds = SecondsSince(start);
  if (status != decltype(simplex)::OPTIMAL) return {-1, seconds};
  return {simplex.totalCost<int64_t>(), seconds};
#else
  return {-1, 0};
#endif
}

// ---------------------------------------------------------------------------

// Connected components of the pairs the solver built (requests and limited providers
// as nodes): {components holding a request, requests in the largest}. The built
// pairs are a subset of all useful pairs, so a component here lies inside one of
// the full candidate graph: a giant component here means the full graph does not
// decompose either (issue 10's suggested decomposition).
std::pair<int64_t, int64_t> Components(const internal::ReducedNetwork& network) {
  const size_t n = network.lists.size(), m = network.capacity.size();
  std::vector<uint32_t> parent(n + m);
  for (uint32_t i = 0; i < parent.size(); ++i) parent[i] = i;
  auto find = [&](uint32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (size_t r = 0; r < n; ++r) {
    for (const auto& e : network.lists[r]) parent[find(static_cast<uint32_t>(r))] = find(static_cast<uint32_t>(n + e.provider));
  }
  std::map<uint32_t, int64_t> requests_in;
  for (uint32_t r = 0; r < n; ++r) ++requests_in[find(r)];
  int64_t largest = 0;
  for (const auto& [root, count] : requests_in) largest = std::max(largest, count);
  return {static_cast<int64_t>(requests_in.size()), largest};
}

size_t BytesOfLists(const internal::ReducedNetwork& network) {
  size_t bytes = network.lists.capacity() * sizeof(network.lists[0]);
  for (const auto& list : network.lists) bytes += list.capacity() * sizeof(list[0]);
  return bytes;
}

void Run(benchmark::State& state, const Instance& instance, bool lemon,
         MatchSolver solver = MatchSolver::kFast) {
  MatchOptions options;
  options.solver = solver;
  MatchPlan plan;
  internal::ReducedNetwork network;
  double match_seconds = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto directory = Directory::Create(instance.directory);
    if (!directory.ok()) {
      state.SkipWithError("directory rejected");
      return;
    }
    network = {};
    plan = internal::Match(**directory, instance.requests, options, &network);
    match_seconds = SecondsSince(start);
    benchmark::DoNotOptimize(plan.objective);
  }
  state.counters["objective"] = static_cast<double>(plan.objective);
  state.counters["match_s"] = match_seconds;
  state.counters["candidates_s"] = plan.stats.candidate_seconds;
  state.counters["solve_s"] = plan.stats.solve_seconds;
  state.counters["pairs"] = static_cast<double>(plan.stats.candidate_pairs);
  state.counters["bytes_per_pair"] =
      static_cast<double>(BytesOfLists(network)) /
      static_cast<double>(std::max<int64_t>(1, plan.stats.candidate_pairs));
  state.counters["steps"] = static_cast<double>(plan.stats.search_steps);
  state.counters["warm_bids"] = static_cast<double>(network.warm_start_bids);
  state.counters["warm_placed"] = static_cast<double>(network.warm_start_placed);
  state.counters["peak_rss_mb"] = PeakRssMb();
  if (solver == MatchSolver::kCostScaling) {
    state.counters["scaling_pushes"] = static_cast<double>(plan.stats.scaling_pushes);
    state.counters["scaling_repaired"] = static_cast<double>(plan.stats.scaling_repaired);
    state.counters["scaling_cache_hits"] = static_cast<double>(plan.stats.scaling_cache_hits);
    state.counters["floor_queries"] = static_cast<double>(plan.stats.scaling_floor_queries);
  }
  const auto [components, largest] = Components(network);
  state.counters["components"] = static_cast<double>(components);
  state.counters["largest_component_requests"] = static_cast<double>(largest);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(instance.requests.size()));
  if (!lemon) return;
#ifdef WEGWIJZER_HAVE_LEMON
  const auto [objective, seconds] = SolveWithLemon(network);
  state.counters["lemon_s"] = seconds;
  state.counters["solve_over_lemon"] = plan.stats.solve_seconds / seconds;
  state.counters["lemon_objective"] = static_cast<double>(objective);
  if (objective != network.objective) {
    state.SkipWithError("LEMON's objective differs from the matcher's");
  }
#else
  state.counters["lemon_s"] = -1;  // built without LEMON
#endif
}

void BM_Match_Dutch(benchmark::State& state) {
  if (const Instance* i = DutchInstance(state, state.range(0), state.range(1), 1.0)) {
    Run(state, *i, false);
  }
}
void BM_Match_DutchOverloaded(benchmark::State& state) {
  if (const Instance* i = DutchInstance(state, state.range(0), state.range(1), 0.2)) {
    Run(state, *i, false);
  }
}
void BM_Match_DutchVsLemon(benchmark::State& state) {
  if (const Instance* i = DutchInstance(state, state.range(0), state.range(1), 1.0)) {
    Run(state, *i, true);
  }
}
void BM_Match_DenseCluster(benchmark::State& state) {
  Run(state, DenseCluster(state.range(0), state.range(1)), true);
}

// The same with MatchSolver::kCostScaling (the cost-scaling warm start).
void BM_MatchCS_Dutch(benchmark::State& state) {
  if (const Instance* i = DutchInstance(state, state.range(0), state.range(1), 1.0)) {
    Run(state, *i, false, MatchSolver::kCostScaling);
  }
}
void BM_MatchCS_DutchOverloaded(benchmark::State& state) {
  if (const Instance* i = DutchInstance(state, state.range(0), state.range(1), 0.2)) {
    Run(state, *i, false, MatchSolver::kCostScaling);
  }
}
void BM_MatchCS_DutchVsLemon(benchmark::State& state) {
  if (const Instance* i = DutchInstance(state, state.range(0), state.range(1), 1.0)) {
    Run(state, *i, true, MatchSolver::kCostScaling);
  }
}
void BM_MatchCS_DenseCluster(benchmark::State& state) {
  Run(state, DenseCluster(state.range(0), state.range(1)), true, MatchSolver::kCostScaling);
}

#define WEGWIJZER_ONCE ->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1)
BENCHMARK(BM_Match_Dutch)
    ->Args({5'000, 100'000})->Args({15'000, 300'000})->Args({50'000, 1'000'000}) WEGWIJZER_ONCE;
BENCHMARK(BM_Match_DutchOverloaded)
    ->Args({5'000, 100'000})->Args({50'000, 1'000'000}) WEGWIJZER_ONCE;
BENCHMARK(BM_Match_DutchVsLemon)->Args({5'000, 100'000})->Args({15'000, 300'000}) WEGWIJZER_ONCE;
BENCHMARK(BM_Match_DenseCluster)->Args({500, 5'000})->Args({2'000, 20'000}) WEGWIJZER_ONCE;
BENCHMARK(BM_MatchCS_Dutch)
    ->Args({5'000, 100'000})->Args({15'000, 300'000})->Args({50'000, 1'000'000}) WEGWIJZER_ONCE;
BENCHMARK(BM_MatchCS_DutchOverloaded)
    ->Args({5'000, 100'000})->Args({50'000, 1'000'000}) WEGWIJZER_ONCE;
BENCHMARK(BM_MatchCS_DutchVsLemon)->Args({5'000, 100'000})->Args({15'000, 300'000}) WEGWIJZER_ONCE;
BENCHMARK(BM_MatchCS_DenseCluster)
    ->Args({500, 5'000})->Args({1'000, 10'000})->Args({2'000, 20'000})->Args({4'000, 40'000})
        WEGWIJZER_ONCE;

// ---------------------------------------------------------------------------
// The synthetic towns of GenerateScenario.

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

// The reference on the size it finishes in reasonable time (36 s at 500/5,000, 190 s
// at 1,000/10,000), with the fast matcher on the same.
BENCHMARK(BM_Match_BoostReference)->Args({500, 5'000}) WEGWIJZER_ONCE;
BENCHMARK(BM_Match_Fast)->Args({500, 5'000})->Args({1'000, 10'000})
    ->Args({5'000, 100'000})->Args({50'000, 1'000'000}) WEGWIJZER_ONCE;
BENCHMARK(BM_Match_Overloaded)->Args({2'000, 40'000}) WEGWIJZER_ONCE;

}  // namespace
}  // namespace wegwijzer

BENCHMARK_MAIN();
