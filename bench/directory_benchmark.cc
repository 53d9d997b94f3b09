// Building a Directory from a generated Dutch-like snapshot (GenerateScenario, seed 1):
//
//   BM_DirectoryCreate/N          Directory::Create(snapshot)          target < 100 ms at 50,000
//   BM_DirectoryFromSerialized/N  Directory::FromSerialized(bytes): parse + Create
//
// and, to say where the time goes, the parts of that work that the library does not
// choose:
//
//   BM_SnapshotCopy/N             copying the DirectorySnapshot (Create keeps a copy)
//   BM_SnapshotParse/N            parsing the serialized snapshot
//
// N is the number of providers. Destroying the directory is not timed. Every
// benchmark runs 5 repetitions; quote the median. Run from the build tree:
//   build/release/bench/wegwijzer_directory_benchmark
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include "wegwijzer/directory.h"
#include "wegwijzer/scenario.h"
#include "wegwijzer/v1/directory.pb.h"

namespace wegwijzer::bench {
namespace {

constexpr uint64_t kSeed = 1;
constexpr int kRepetitions = 5;

struct Snapshot {
  v1::DirectorySnapshot proto;
  std::string bytes;
};

// Generated once per size, outside any timing.
const Snapshot& GetSnapshot(int providers) {
  static auto* snapshots = new std::map<int, std::unique_ptr<Snapshot>>();
  std::unique_ptr<Snapshot>& s = (*snapshots)[providers];
  if (s == nullptr) {
    s = std::make_unique<Snapshot>();
    s->proto = *GenerateScenario({.seed = kSeed, .providers = providers, .requests = 0})
                    .value()
                    .directory;
    s->bytes = s->proto.SerializeAsString();
  }
  return *s;
}

void ReportProviders(benchmark::State& state, const Snapshot& snapshot) {
  state.SetItemsProcessed(state.iterations() * snapshot.proto.providers_size());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(snapshot.bytes.size()));
}

// Times `build`, which returns a StatusOr<shared_ptr<const Directory>>, and drops
// each directory with the timer paused.
template <typename Build>
void RunBuild(benchmark::State& state, const Snapshot& snapshot, Build build) {
  std::shared_ptr<const Directory> previous;
  for (auto _ : state) {
    absl::StatusOr<std::shared_ptr<const Directory>> directory = build();
    if (!directory.ok()) {
      state.SkipWithError(std::string(directory.status().message()).c_str());
      break;
    }
    state.PauseTiming();
    previous = *std::move(directory);  // destroys the one before
    state.ResumeTiming();
  }
  ReportProviders(state, snapshot);
}

void BM_DirectoryCreate(benchmark::State& state) {
  const Snapshot& snapshot = GetSnapshot(static_cast<int>(state.range(0)));
  RunBuild(state, snapshot, [&] { return Directory::Create(snapshot.proto); });
}

void BM_DirectoryFromSerialized(benchmark::State& state) {
  const Snapshot& snapshot = GetSnapshot(static_cast<int>(state.range(0)));
  RunBuild(state, snapshot, [&] { return Directory::FromSerialized(snapshot.bytes); });
}

void BM_SnapshotCopy(benchmark::State& state) {
  const Snapshot& snapshot = GetSnapshot(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto copy = std::make_unique<v1::DirectorySnapshot>(snapshot.proto);
    benchmark::DoNotOptimize(copy.get());
    state.PauseTiming();
    copy.reset();
    state.ResumeTiming();
  }
  ReportProviders(state, snapshot);
}

void BM_SnapshotParse(benchmark::State& state) {
  const Snapshot& snapshot = GetSnapshot(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto parsed = std::make_unique<v1::DirectorySnapshot>();
    if (!parsed->ParseFromString(snapshot.bytes)) {
      state.SkipWithError("parse failed");
      break;
    }
    benchmark::DoNotOptimize(parsed.get());
    state.PauseTiming();
    parsed.reset();
    state.ResumeTiming();
  }
  ReportProviders(state, snapshot);
}

void Sizes(benchmark::internal::Benchmark* b) {
  b->Arg(5'000)->Arg(50'000)->Unit(benchmark::kMillisecond);
  b->Repetitions(kRepetitions)->ReportAggregatesOnly(true);
}

BENCHMARK(BM_DirectoryCreate)->Apply(Sizes);
BENCHMARK(BM_DirectoryFromSerialized)->Apply(Sizes);
BENCHMARK(BM_SnapshotCopy)->Apply(Sizes);
BENCHMARK(BM_SnapshotParse)->Apply(Sizes);

}  // namespace
}  // namespace wegwijzer::bench

BENCHMARK_MAIN();
