// Importing and exporting an Open Referral (HSDS 3.0) directory of N services
// (1,000, 10,000 and 50,000), generated from the model: GenerateScenario (seed 1)
// gives the providers; each becomes one service with its organization, one
// service_at_location and location (with address, accessibility text and two
// schedule rows: a split shift on weekdays), its languages, one taxonomy attribute
// per topic, a service area naming its municipality, a phone and a contact (kept as
// unknown properties), an age range and a cost option. About 2.3 kB of JSON each.
//
//   BM_ImportHsdsJson/N   text -> HsdsDirectory -> providers (ImportHsdsJson): the target
//                         is under 2 s for 50,000 services.
//   BM_ExportHsdsJson/N   HsdsDirectory -> service_list.json (FormatHsdsJson): under 2 s.
//   BM_ExportHsdsCsv/N    HsdsDirectory -> the tabular CSV tables (FormatHsdsCsv).
//   BM_ProtobufJsonStruct/N  baseline: the same text into google.protobuf.Struct with
//                         protobuf's JSON parser (a generic tree, nothing checked).
#include <cstdlib>
#include <map>
#include <string>

#include "benchmark/benchmark.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "wegwijzer/codes.h"
#include "wegwijzer/openreferral.h"
#include "wegwijzer/scenario.h"
#include "wegwijzer/v1/directory.pb.h"
#include "wegwijzer/v1/openreferral.pb.h"
#include "hsds_directory.h"

namespace wegwijzer {
namespace {

constexpr uint64_t kSeed = 1;

struct Instance {
  v1::HsdsDirectory directory;
  std::string json;
  TaxonomyMap map;
};

const Instance& Get(int services) {
  static std::map<int, Instance>* instances = new std::map<int, Instance>;
  auto it = instances->find(services);
  if (it != instances->end()) return it->second;
  Instance in;
  in.directory = MakeHsdsDirectory(services, kSeed);
  in.json = FormatHsdsJson(in.directory).front().second;
  std::string table = "taxonomy,term_code,topic\n";
  for (int t = 0; t < kTopicCount; ++t) {
    const std::string code(TopicCode(static_cast<Topic>(t)));
    table += "wegwijzer," + code + "," + code + "\n";
  }
  in.map = *TaxonomyMap::Parse(table, "bench");
  return instances->emplace(services, std::move(in)).first->second;
}

void Sizes(benchmark::internal::Benchmark* b) {
  b->Arg(1000)->Arg(10000)->Arg(50000)->Unit(benchmark::kMillisecond)->Repetitions(3)
      ->ReportAggregatesOnly(true);
}

void BM_ImportHsdsJson(benchmark::State& state) {
  const Instance& in = Get(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    absl::StatusOr<HsdsImport> imported = ImportHsdsJson(in.json, "service_list.json", {.taxonomy_map = &in.map});
    if (!imported.ok() || imported->snapshot->providers_size() != state.range(0)) {
      state.SkipWithError(imported.ok() ? "providers missing" : std::string(imported.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(imported);
  }
  state.counters["json_MB"] = static_cast<double>(in.json.size()) / 1e6;
}

void BM_ExportHsdsJson(benchmark::State& state) {
  const Instance& in = Get(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(FormatHsdsJson(in.directory));
}

void BM_ExportHsdsCsv(benchmark::State& state) {
  const Instance& in = Get(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(FormatHsdsCsv(in.directory));
}

void BM_ProtobufJsonStruct(benchmark::State& state) {
  const Instance& in = Get(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    google::protobuf::Struct tree;
    if (!google::protobuf::util::JsonStringToMessage(in.json, &tree).ok()) {
      state.SkipWithError("protobuf refused the JSON");
      break;
    }
    benchmark::DoNotOptimize(tree);
  }
}

BENCHMARK(BM_ImportHsdsJson)->Apply(Sizes);
BENCHMARK(BM_ExportHsdsJson)->Apply(Sizes);
BENCHMARK(BM_ExportHsdsCsv)->Apply(Sizes);
BENCHMARK(BM_ProtobufJsonStruct)->Apply(Sizes);

}  // namespace
}  // namespace wegwijzer

BENCHMARK_MAIN();
