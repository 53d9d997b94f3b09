// Router::Route and Router::RouteBatch on generated Dutch-like instances, against
// baselines measured in the same binary on the same directory and requests:
//
//   BM_Route_Router/N         Router::Route, k = 5, explain_no_match = false
//   BM_Route_RouterExplain/N  the same with the default options (explanations on)
//   BM_Route_BruteForce/N     every provider looked at (route_baselines.h)
//   BM_Route_BoostRtree/N     boost::geometry::index R*-tree, incremental nearest
//                             query asking for 4k + 16 values, more when needed
//   BM_Route_BoostRtreeAll/N  the same asking for all values at once (the obvious
//                             first version; see RtreeRouter::Count)
//   BM_RouteBatch_Router/N/T  RouteBatch over 100,000 requests with T threads
//                             (wall time; the CPU column is the whole process's)
//
// N is the number of providers. Each instance is GenerateScenario with a fixed seed
// (--wegwijzer_seed, default 1) and 100,000 requests; the single-request benchmarks
// cycle through the first 10,000 of them, one request per iteration, so the time
// column is nanoseconds per request; the per_request counter says the same in every
// benchmark (also the batch ones), and items_per_second is its inverse.
//
// Before any timing, the first --wegwijzer_verify requests (default 500) of each
// instance are routed with k = 1, 5 and 50 by the Router and by each baseline; the
// program aborts, naming seed, instance and request, if any answer differs.
//
// Every benchmark runs 5 repetitions and reports mean, median, stddev and cv; quote
// the median. Run from the build tree:
//   build/release/bench/wegwijzer_router_benchmark
//   build/release/bench/wegwijzer_router_benchmark --benchmark_filter='BM_Route_.*/5000/'
//   build/release/bench/wegwijzer_router_benchmark --benchmark_format=json > route.json
#include <benchmark/benchmark.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "route_baselines.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/router.h"
#include "wegwijzer/scenario.h"

namespace wegwijzer::bench {
namespace {

constexpr int kK = 5;
constexpr size_t kRequestPool = 10'000;   // cycled by the single-request benchmarks
constexpr size_t kBatchSize = 100'000;    // one RouteBatch call
constexpr int kRepetitions = 5;
constexpr int kProviderCounts[] = {5'000, 50'000};

uint64_t g_seed = 1;
int g_verify_requests = 500;

struct Instance {
  int providers = 0;
  std::shared_ptr<const Directory> directory;
  std::unique_ptr<Router> router;
  std::unique_ptr<BruteForceRouter> brute_force;
  std::unique_ptr<RtreeRouter> rtree;
  std::unique_ptr<RtreeRouter> rtree_all;
  std::vector<Request> requests;  // kBatchSize; the first kRequestPool are the pool
};

std::map<int, std::unique_ptr<Instance>>& Instances() {
  static auto* instances = new std::map<int, std::unique_ptr<Instance>>();
  return *instances;
}

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "wegwijzer_router_benchmark: %s\n", message.c_str());
  std::abort();
}

std::unique_ptr<Instance> BuildInstance(int providers) {
  auto instance = std::make_unique<Instance>();
  instance->providers = providers;
  Scenario scenario = GenerateScenario(
      {.seed = g_seed, .providers = providers, .requests = static_cast<int>(kBatchSize)}).value();
  absl::StatusOr<std::shared_ptr<const Directory>> directory =
      Directory::Create(*scenario.directory);
  if (!directory.ok()) Die(std::string(directory.status().message()));
  instance->directory = *directory;
  instance->router = std::make_unique<Router>(instance->directory);
  instance->brute_force = std::make_unique<BruteForceRouter>(instance->directory);
  instance->rtree =
      std::make_unique<RtreeRouter>(instance->directory, RtreeRouter::Count::kGrowing);
  instance->rtree_all =
      std::make_unique<RtreeRouter>(instance->directory, RtreeRouter::Count::kAll);
  instance->requests = std::move(scenario.requests);
  for (const Request& r : instance->requests) {
    if (absl::Status s = r.Validate(); !s.ok()) Die(std::string(s.message()));
  }
  return instance;
}

const Instance& GetInstance(int providers) {
  auto it = Instances().find(providers);
  if (it == Instances().end()) Die("no instance with " + std::to_string(providers) + " providers");
  return *it->second;
}

std::string Describe(const Directory& directory, const std::vector<Referral>& referrals) {
  std::string out;
  for (const Referral& r : referrals) {
    const ProviderInfo& p = directory.provider(r.provider);
    char line[256];
    std::snprintf(line, sizeof line, "    %s loc %d %s cost %" PRId64 " distance %.17g\n",
                  p.id.c_str(), r.location, std::string(ModeCode(r.mode)).c_str(), r.cost_m,
                  r.distance_m.value_or(-1));
    out += line;
  }
  return out.empty() ? "    (none)\n" : out;
}

// Routes the first g_verify_requests requests with each router and dies on the
// first difference. Prints what the workload looks like, so the figures can be read.
void VerifyAgainstRouter(const Instance& instance) {
  const int count = std::min<int>(g_verify_requests, static_cast<int>(instance.requests.size()));
  int compared = 0, empty = 0, full = 0, remote = 0, referrals = 0;
  for (int k : {1, kK, 50}) {
    for (int i = 0; i < count; ++i) {
      const Request& request = instance.requests[i];
      const std::vector<Referral> expected =
          instance.router->Route(request, {.k = k, .explain_no_match = false}).referrals;
      const struct {
        const char* name;
        std::vector<Referral> answer;
      } baselines[] = {{"BruteForce", instance.brute_force->Route(request, k)},
                       {"BoostRtree", instance.rtree->Route(request, k)},
                       {"BoostRtreeAll", instance.rtree_all->Route(request, k)}};
      for (const auto& [name, answer] : baselines) {
        if (answer == expected) continue;
        Die(std::string(name) + " differs from Router::Route: seed " + std::to_string(g_seed) +
            ", " + std::to_string(instance.providers) + " providers, request #" +
            std::to_string(i) + " '" + request.id + "', k " + std::to_string(k) +
            "\n  Router:\n" + Describe(*instance.directory, expected) + "  " + name + ":\n" +
            Describe(*instance.directory, answer));
      }
      ++compared;
      if (k == kK) {
        empty += expected.empty();
        full += static_cast<int>(expected.size()) == kK;
        referrals += static_cast<int>(expected.size());
        for (const Referral& r : expected) remote += r.is_remote();
      }
    }
  }
  std::fprintf(stderr,
               "instance %d providers (seed %" PRIu64 "): %d answers each of BruteForce, "
               "BoostRtree and BoostRtreeAll equal Router::Route (k = 1, 5, 50). At k = 5: "
               "%.1f%% of requests get no referral, %.1f%% get 5, %.1f%% of referrals are "
               "remote.\n",
               instance.providers, g_seed, compared, 100.0 * empty / count,
               100.0 * full / count, referrals ? 100.0 * remote / referrals : 0.0);
}

// items_per_second, and per_request: the time per request (console: "1.9us"; JSON:
// seconds). kIsRate divides by the measured time (real time under UseRealTime) and
// kInvert turns requests per second into seconds per request. (A counter holding
// nanoseconds would be printed as "1.9ks" by Google Benchmark 1.7, which appends "s"
// to every inverted rate.)
void ReportPerRequest(benchmark::State& state, int64_t requests) {
  state.SetItemsProcessed(requests);
  state.counters["per_request"] =
      benchmark::Counter(static_cast<double>(requests),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

template <typename RouteFn>
void RunSingle(benchmark::State& state, RouteFn route) {
  const Instance& instance = GetInstance(static_cast<int>(state.range(0)));
  const std::span<const Request> pool(instance.requests.data(), kRequestPool);
  size_t i = 0;
  for (auto _ : state) {
    auto answer = route(instance, pool[i]);
    benchmark::DoNotOptimize(answer);
    if (++i == pool.size()) i = 0;
  }
  ReportPerRequest(state, state.iterations());
}

void BM_Route_Router(benchmark::State& state) {
  const RouteOptions options{.k = kK, .explain_no_match = false};
  RunSingle(state, [&](const Instance& in, const Request& r) {
    return in.router->Route(r, options);
  });
}

void BM_Route_RouterExplain(benchmark::State& state) {
  const RouteOptions options{.k = kK};
  RunSingle(state, [&](const Instance& in, const Request& r) {
    return in.router->Route(r, options);
  });
}

void BM_Route_BruteForce(benchmark::State& state) {
  RunSingle(state, [](const Instance& in, const Request& r) {
    return in.brute_force->Route(r, kK);
  });
}

void BM_Route_BoostRtree(benchmark::State& state) {
  RunSingle(state, [](const Instance& in, const Request& r) {
    return in.rtree->Route(r, kK);
  });
}

void BM_Route_BoostRtreeAll(benchmark::State& state) {
  RunSingle(state, [](const Instance& in, const Request& r) {
    return in.rtree_all->Route(r, kK);
  });
}

void BM_RouteBatch_Router(benchmark::State& state) {
  const Instance& instance = GetInstance(static_cast<int>(state.range(0)));
  const RouteOptions options{
      .k = kK, .explain_no_match = false, .threads = static_cast<int>(state.range(1))};
  const std::span<const Request> batch(instance.requests.data(), kBatchSize);
  for (auto _ : state) {
    std::vector<RouteResult> results = instance.router->RouteBatch(batch, options);
    benchmark::DoNotOptimize(results.data());
  }
  ReportPerRequest(state, state.iterations() * static_cast<int64_t>(kBatchSize));
}

void SingleRequestArgs(benchmark::internal::Benchmark* b) {
  for (int n : kProviderCounts) b->Arg(n);
  b->Repetitions(kRepetitions)->ReportAggregatesOnly(true);
}

BENCHMARK(BM_Route_Router)->Apply(SingleRequestArgs);
BENCHMARK(BM_Route_RouterExplain)->Apply(SingleRequestArgs);
BENCHMARK(BM_Route_BruteForce)->Apply(SingleRequestArgs);
BENCHMARK(BM_Route_BoostRtree)->Apply(SingleRequestArgs);
BENCHMARK(BM_Route_BoostRtreeAll)->Apply(SingleRequestArgs);
BENCHMARK(BM_RouteBatch_Router)
    ->ArgsProduct({{5'000, 50'000}, {1, 2}})
    ->ArgNames({"", "threads"})
    ->UseRealTime()
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(kRepetitions)
    ->ReportAggregatesOnly(true);

// Takes --wegwijzer_seed=N and --wegwijzer_verify=N out of argv before Google
// Benchmark sees it.
void ParseOwnFlags(int* argc, char** argv) {
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    const char* arg = argv[i];
    if (std::strncmp(arg, "--wegwijzer_seed=", 17) == 0) {
      g_seed = std::strtoull(arg + 17, nullptr, 10);
    } else if (std::strncmp(arg, "--wegwijzer_verify=", 19) == 0) {
      g_verify_requests = std::atoi(arg + 19);
    } else {
      argv[out++] = argv[i];
    }
  }
  *argc = out;
}

}  // namespace
}  // namespace wegwijzer::bench

int main(int argc, char** argv) {
  using namespace wegwijzer::bench;
  ParseOwnFlags(&argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  for (int n : kProviderCounts) {
    Instances()[n] = BuildInstance(n);
    VerifyAgainstRouter(*Instances()[n]);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
