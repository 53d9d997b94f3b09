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
//   BM_Route_HoursUntimed/N   Router::Route, k = 5, explanations off, on the same
//                             providers with opening hours (HoursSnapshot), the
//                             requests without a time: the baseline of
//   BM_Route_HoursWithin/N    the same requests with `at` (a weekday or Saturday,
//                             08:00-20:00, in 2026) and within_days 0..7: the cost of
//                             "open within N days" (target: at most 1.2x the baseline)
//   BM_Route_HoursPaired/N    the pair's ratio measured paired: blocks of 32
//                             requests routed without and then with their times
//                             (the order swapped every block), each block timed by
//                             the thread's CPU clock; counters untimed_ns,
//                             within_ns (per request) and ratio. Both halves see the
//                             same moment's load and caches, so the ratio is steadier
//                             on a busy machine than that of the two benchmarks.
//   BM_Route_HoursUntimedDutch/N, BM_Route_HoursWithinDutch/N, BM_Route_HoursPairedDutch/N
//                             the same pair on the real map: GenerateDutchScenario
//                             (../shared/data, or $WEGWIJZER_SHARED_DATA; seed 1, N
//                             providers, 10,000 requests; skipped without the data)
//                             with the same opening hours and times
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
// Every benchmark runs 5 repetitions (the BM_Route_Hours pair 15) and reports mean,
// median, stddev and cv; quote the median. Run from the build tree:
//   build/release/bench/wegwijzer_router_benchmark
//   build/release/bench/wegwijzer_router_benchmark --benchmark_filter='BM_Route_.*/5000/'
//   build/release/bench/wegwijzer_router_benchmark --benchmark_filter='BM_Route_Hours'
//       --benchmark_enable_random_interleaving=true   (one command: the ratio, both
//       seeing the same load)
//   build/release/bench/wegwijzer_router_benchmark --benchmark_format=json > route.json
#include <benchmark/benchmark.h>

#include <time.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <random>

#include "route_baselines.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/dutch_scenario.h"
#include "wegwijzer/gazetteer.h"
#include "wegwijzer/opening_hours.h"
#include "wegwijzer/v1/directory.pb.h"
#include "wegwijzer/v1/openreferral.pb.h"
#include "wegwijzer/router.h"
#include "wegwijzer/scenario.h"

namespace wegwijzer::bench {
namespace {

constexpr int kK = 5;
constexpr size_t kRequestPool = 10'000;   // cycled by the single-request benchmarks
constexpr size_t kBatchSize = 100'000;    // one RouteBatch call
constexpr int kRepetitions = 5;
constexpr int kHoursRepetitions = 15;  // BM_Route_Hours*: see HoursArgs
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
  // The same providers with opening hours, and the pool's requests with times.
  std::unique_ptr<Router> hours_router;
  std::vector<Request> timed;  // kRequestPool
};

v1::HsdsSchedule Weekly(const char* id, const char* byday, const char* opens,
                        const char* closes) {
  v1::HsdsSchedule s;
  s.set_id(id);
  s.set_freq("WEEKLY");
  s.set_byday(byday);
  s.set_opens_at(opens);
  s.set_closes_at(closes);
  return s;
}

// Opening hours as a municipality's directory has them: a few common timetables
// (office hours, split shifts, two evenings and a Saturday, three days, around the
// clock) and some unknown; a third of the locations have hours of their own.
// Deterministic for a seed.
void AddOpeningHours(uint64_t seed, v1::DirectorySnapshot* snapshot) {
  const std::vector<std::vector<v1::HsdsSchedule>> kinds = {
      {Weekly("office", "MO,TU,WE,TH,FR", "09:00", "17:00")},
      {Weekly("am", "MO,TU,WE,TH,FR", "09:00", "12:30"),
       Weekly("pm", "MO,TU,WE,TH,FR", "13:30", "17:00")},
      {Weekly("evenings", "TU,TH", "18:00", "21:00"), Weekly("sat", "SA", "10:00", "14:00")},
      {Weekly("three", "MO,WE,FR", "10:00", "16:00")},
      {Weekly("always", "MO,TU,WE,TH,FR,SA,SU", "00:00", "24:00")},
      {},
  };
  std::mt19937_64 rng(seed * 1000003 + 17);
  snapshot->set_created_unix_seconds(1767225600);  // 2026-01-01 00:00 UTC
  for (v1::Provider& p : *snapshot->mutable_providers()) {
    for (const v1::HsdsSchedule& s : kinds[rng() % kinds.size()]) *p.add_schedules() = s;
    for (v1::Location& l : *p.mutable_locations()) {
      if (rng() % 3 != 0) continue;
      for (const v1::HsdsSchedule& s : kinds[rng() % (kinds.size() - 1)]) *l.add_schedules() = s;
    }
  }
}

// Times residents ask for: a weekday or Saturday of 2026 (before mid-December),
// 08:00-20:00 Amsterdam time, and "open within 0..7 days".
std::vector<Request> WithTimes(uint64_t seed, std::span<const Request> requests) {
  std::mt19937_64 rng(seed * 7 + 3);
  std::vector<Request> out(requests.begin(), requests.end());
  const int64_t first = DaysFromCivil({2026, 1, 5});
  for (Request& r : out) {
    int64_t day = first + static_cast<int64_t>(rng() % 340);
    if (Weekday(CivilFromDays(day)) == 6) --day;  // a Sunday becomes Saturday
    const int64_t minutes = 8 * 60 + static_cast<int64_t>(rng() % (12 * 60));
    r.at = AmsterdamLocalToUnix(day * 86400 + minutes * 60);
    r.within_days = static_cast<int>(rng() % 8);
  }
  return out;
}

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
  v1::DirectorySnapshot with_hours = *scenario.directory;
  AddOpeningHours(g_seed, &with_hours);
  absl::StatusOr<std::shared_ptr<const Directory>> hours_directory =
      Directory::Create(with_hours);
  if (!hours_directory.ok()) Die(std::string(hours_directory.status().message()));
  instance->hours_router = std::make_unique<Router>(*hours_directory);
  instance->timed = WithTimes(
      g_seed, std::span<const Request>(instance->requests.data(), kRequestPool));
  // What the times do: how many pool requests lose referrals to the hours.
  int fewer = 0, none = 0;
  for (size_t i = 0; i < kRequestPool; ++i) {
    const RouteOptions options{.k = kK, .explain_no_match = false};
    const size_t plain = instance->hours_router->Route(instance->requests[i], options).referrals.size();
    const size_t timed = instance->hours_router->Route(instance->timed[i], options).referrals.size();
    fewer += timed < plain;
    none += timed == 0 && plain > 0;
  }
  std::fprintf(stderr,
               "instance %d providers with opening hours: of %zu requests with a time, %d "
               "get fewer referrals than without it, %d none at all.\n",
               providers, kRequestPool, fewer, none);
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
                  p.id.c_str(),
                  r.location.has_value() ? static_cast<int>(r.location.value()) : -1,
                  std::string(ModeCode(r.mode)).c_str(), r.cost_m,
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

void BM_Route_HoursUntimed(benchmark::State& state) {
  const RouteOptions options{.k = kK, .explain_no_match = false};
  RunSingle(state, [&](const Instance& in, const Request& r) {
    return in.hours_router->Route(r, options);
  });
}

void BM_Route_HoursWithin(benchmark::State& state) {
  const Instance& instance = GetInstance(static_cast<int>(state.range(0)));
  const RouteOptions options{.k = kK, .explain_no_match = false};
  size_t i = 0;
  for (auto _ : state) {
    auto answer = instance.hours_router->Route(instance.timed[i], options);
    benchmark::DoNotOptimize(answer);
    if (++i == instance.timed.size()) i = 0;
  }
  ReportPerRequest(state, state.iterations());
}

// The hours pair on the real map, built on first use (the synthetic instances are
// built before any benchmark; this one needs the gazetteer).
struct DutchHoursInstance {
  std::unique_ptr<Router> router;
  std::vector<Request> untimed, timed;
};

std::string DataDir() {
  if (const char* dir = std::getenv("WEGWIJZER_SHARED_DATA"); dir != nullptr && *dir) return dir;
  return WEGWIJZER_SHARED_DATA_DIR;
}

const DutchHoursInstance* GetDutchHours(benchmark::State& state, int providers) {
  static auto* cache = new std::map<int, std::unique_ptr<DutchHoursInstance>>();
  std::unique_ptr<DutchHoursInstance>& slot = (*cache)[providers];
  if (slot) return slot.get();
  const std::string dir = DataDir();
  const std::string postcodes = dir + "/pc4/pc4_centroids.csv";
  static auto* gazetteer = new absl::StatusOr<std::shared_ptr<const Gazetteer>>(
      Gazetteer::Load(dir + "/municipalities/gemeenten_2023_wgs84.geojson", postcodes));
  static auto* people = new absl::StatusOr<std::vector<PostcodeDemographics>>(
      ReadPostcodeDemographicsCsv(postcodes));
  if (!gazetteer->ok() || !people->ok()) {
    state.SkipWithError(("no real data in " + dir + ": " +
                         std::string((gazetteer->ok() ? people->status() : gazetteer->status())
                                         .message()))
                            .c_str());
    return nullptr;
  }
  absl::StatusOr<DutchScenario> scenario = GenerateDutchScenario(
      ***gazetteer, **people,
      {.seed = g_seed, .requests = static_cast<int>(kRequestPool), .providers = providers});
  if (!scenario.ok()) Die(std::string(scenario.status().message()));
  v1::DirectorySnapshot with_hours = *scenario->directory;
  AddOpeningHours(g_seed, &with_hours);
  absl::StatusOr<std::shared_ptr<const Directory>> directory = Directory::Create(with_hours);
  if (!directory.ok()) Die(std::string(directory.status().message()));
  auto instance = std::make_unique<DutchHoursInstance>();
  instance->router = std::make_unique<Router>(*directory);
  instance->untimed = std::move(scenario->requests);
  instance->timed = WithTimes(g_seed, instance->untimed);
  int fewer = 0, none = 0;
  const RouteOptions options{.k = kK, .explain_no_match = false};
  for (size_t i = 0; i < instance->untimed.size(); ++i) {
    const size_t plain = instance->router->Route(instance->untimed[i], options).referrals.size();
    const size_t timed = instance->router->Route(instance->timed[i], options).referrals.size();
    fewer += timed < plain;
    none += timed == 0 && plain > 0;
  }
  std::fprintf(stderr,
               "real-map instance %d providers with opening hours: of %zu requests with a "
               "time, %d get fewer referrals than without it, %d none at all.\n",
               providers, instance->timed.size(), fewer, none);
  slot = std::move(instance);
  return slot.get();
}

void RunDutchHours(benchmark::State& state, bool timed) {
  const DutchHoursInstance* instance = GetDutchHours(state, static_cast<int>(state.range(0)));
  if (instance == nullptr) return;
  const std::vector<Request>& pool = timed ? instance->timed : instance->untimed;
  const RouteOptions options{.k = kK, .explain_no_match = false};
  size_t i = 0;
  for (auto _ : state) {
    auto answer = instance->router->Route(pool[i], options);
    benchmark::DoNotOptimize(answer);
    if (++i == pool.size()) i = 0;
  }
  ReportPerRequest(state, state.iterations());
}

void BM_Route_HoursUntimedDutch(benchmark::State& state) { RunDutchHours(state, false); }
void BM_Route_HoursWithinDutch(benchmark::State& state) { RunDutchHours(state, true); }

int64_t ThreadCpuNanoseconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// One iteration routes a block of `untimed` and the same block of `timed` (the
// same requests with times), alternating which goes first.
void RunPaired(benchmark::State& state, const Router& router, std::span<const Request> untimed,
               std::span<const Request> timed) {
  constexpr size_t kBlock = 32;
  const RouteOptions options{.k = kK, .explain_no_match = false};
  const size_t blocks = untimed.size() / kBlock;
  int64_t untimed_ns = 0, timed_ns = 0;
  size_t block = 0;
  bool timed_first = false;
  auto route = [&](std::span<const Request> pool) {
    const int64_t start = ThreadCpuNanoseconds();
    for (size_t j = block * kBlock; j < (block + 1) * kBlock; ++j) {
      auto answer = router.Route(pool[j], options);
      benchmark::DoNotOptimize(answer);
    }
    return ThreadCpuNanoseconds() - start;
  };
  for (auto _ : state) {
    if (timed_first) {
      timed_ns += route(timed);
      untimed_ns += route(untimed);
    } else {
      untimed_ns += route(untimed);
      timed_ns += route(timed);
    }
    timed_first = !timed_first;
    if (++block == blocks) block = 0;
  }
  const double n = static_cast<double>(state.iterations()) * kBlock;
  state.counters["untimed_ns"] = static_cast<double>(untimed_ns) / n;
  state.counters["within_ns"] = static_cast<double>(timed_ns) / n;
  state.counters["ratio"] = untimed_ns > 0 ? static_cast<double>(timed_ns) / untimed_ns : 0;
}

void BM_Route_HoursPaired(benchmark::State& state) {
  const Instance& instance = GetInstance(static_cast<int>(state.range(0)));
  RunPaired(state, *instance.hours_router,
            std::span<const Request>(instance.requests.data(), kRequestPool), instance.timed);
}

void BM_Route_HoursPairedDutch(benchmark::State& state) {
  const DutchHoursInstance* instance = GetDutchHours(state, static_cast<int>(state.range(0)));
  if (instance == nullptr) return;
  RunPaired(state, *instance->router, instance->untimed, instance->timed);
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

// The hours pair's ratio is a target within 20%, closer than this machine's noise
// between repetitions (cv 6-25%): more repetitions, and a run interleaves them.
// The console shows the aggregates; --benchmark_out=FILE also gets every repetition
// (for the spread).
void HoursArgs(benchmark::internal::Benchmark* b) {
  for (int n : kProviderCounts) b->Arg(n);
  b->Repetitions(kHoursRepetitions)->DisplayAggregatesOnly(true);
}

BENCHMARK(BM_Route_Router)->Apply(SingleRequestArgs);
BENCHMARK(BM_Route_RouterExplain)->Apply(SingleRequestArgs);
BENCHMARK(BM_Route_HoursUntimed)->Apply(HoursArgs);
BENCHMARK(BM_Route_HoursWithin)->Apply(HoursArgs);
BENCHMARK(BM_Route_HoursUntimedDutch)->Apply(HoursArgs);
BENCHMARK(BM_Route_HoursWithinDutch)->Apply(HoursArgs);
BENCHMARK(BM_Route_HoursPaired)->Apply(HoursArgs);
BENCHMARK(BM_Route_HoursPairedDutch)->Apply(HoursArgs);
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
