// The gazetteer on the real map of 2023 (../shared/data, see its SOURCES.md; or the
// folder named by WEGWIJZER_SHARED_DATA). Targets from the issue: loading both data
// sets under 1 s; 1,000,000 point-to-municipality lookups under 1 s on one core.
//
//   BM_Load_RealData                   Gazetteer::Load(municipalities GeoJSON, PC4 CSV):
//                                      read, parse, repair, index      target < 1 s
//   BM_Load_MunicipalitiesOnly         the same without the postcode table
//   BM_MunicipalityAt_InNetherlands    1,000,000 lookups of uniform random points that
//                                      lie in a municipality           target < 1 s
//   BM_MunicipalityAt_BoundingBox      1,000,000 uniform points in the bounding box
//                                      (60% at sea or abroad)
//   BM_MunicipalityAt_Residents        1,000,000 points where people live: postcode
//                                      centroids drawn by population, scattered 300 m
//   BM_MunicipalityAt_CellMeters/M     the in-the-Netherlands points with grid cells of M
//                                      metres (the default is 500)
//
// Baselines in the same binary, so that ratios can be quoted:
//
//   BM_MunicipalityAt_RtreeCoveredBy   a Boost.Geometry R*-tree of municipality bounding
//                                      boxes, then bg::covered_by on each candidate: the
//                                      obvious way (100,000 of the same points)
//   BM_ParseGeoJson_Reader/F           the strict reader the gazetteer uses
//   BM_ParseGeoJson_ProtobufStruct/F   protobuf's JsonStringToMessage into a
//                                      google.protobuf.Struct, the alternative
//                                      considered (parse only; no geometry built)
//   F = 0: municipalities (1.1 MB), 1: PC4 areas (3.7 MB)
//
// Also, on the scenario generated from the real map (GenerateDutchScenario, seed 1):
//
//   BM_GenerateDutchScenario/N         generating it with N requests
//   BM_RouteDutchScenario/N            routing its N requests, k = 5, one thread
//   BM_MatchDutchScenario/N            matching its N requests as one waiting list
//
// Points come from a fixed seed.
// Every benchmark runs 5 repetitions; quote the median. Run from the build tree:
//   build/release/bench/wegwijzer_gazetteer_benchmark
#include <benchmark/benchmark.h>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "geography/gazetteer_geometry.h"  // Boost.Geometry types, for the baseline
#include "geography/geojson.h"
#include "wegwijzer/dutch_scenario.h"
#include "wegwijzer/gazetteer.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/matcher.h"
#include "wegwijzer/router.h"

// Boost 1.74's own warnings (see lib/directory/service_area.h).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#if !defined(__clang__)  // GCC only; clang has no such warning and would warn about the name
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/geometry/index/rtree.hpp>
#pragma GCC diagnostic pop

#ifndef WEGWIJZER_SHARED_DATA_DIR
#define WEGWIJZER_SHARED_DATA_DIR "../shared/data"
#endif

namespace wegwijzer::bench {
namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

constexpr uint64_t kSeed = 1;
constexpr int kRepetitions = 5;
constexpr int kPoints = 1'000'000;

std::string DataDir() {
  if (const char* dir = std::getenv("WEGWIJZER_SHARED_DATA"); dir != nullptr && *dir) return dir;
  return WEGWIJZER_SHARED_DATA_DIR;
}
std::string MunicipalitiesPath() {
  return DataDir() + "/municipalities/gemeenten_2023_wgs84.geojson";
}
std::string PostcodesPath() { return DataDir() + "/pc4/pc4_centroids.csv"; }
std::string PostcodeAreasPath() { return DataDir() + "/pc4/pc4_simplified_wgs84.geojson"; }

bool HaveData(benchmark::State& state) {
  if (std::filesystem::exists(MunicipalitiesPath()) &&
      std::filesystem::exists(PostcodesPath())) {
    return true;
  }
  state.SkipWithError(("no real data in " + DataDir()).c_str());
  return false;
}

std::shared_ptr<const Gazetteer> LoadOnce(double cell_km = 0.5) {
  static auto* loaded = new std::map<double, std::shared_ptr<const Gazetteer>>();
  std::shared_ptr<const Gazetteer>& g = (*loaded)[cell_km];
  if (g == nullptr) {
    absl::StatusOr<std::shared_ptr<const Gazetteer>> result =
        Gazetteer::Load(MunicipalitiesPath(), PostcodesPath(), {.cell_km = cell_km});
    if (!result.ok()) {
      std::fprintf(stderr, "%s\n", std::string(result.status().message()).c_str());
      std::abort();
    }
    g = *result;
  }
  return g;
}

// The Netherlands' bounding box (with a margin of sea and neighbours).
constexpr double kMinLat = 50.70, kMaxLat = 53.60, kMinLon = 3.30, kMaxLon = 7.30;

enum class PointSet { kInNetherlands, kBoundingBox, kResidents };

const std::vector<LatLng>& Points(PointSet set) {
  static auto* sets = new std::map<PointSet, std::vector<LatLng>>();
  std::vector<LatLng>& points = (*sets)[set];
  if (!points.empty()) return points;
  std::mt19937_64 rng(kSeed);
  std::uniform_real_distribution<double> lat(kMinLat, kMaxLat), lon(kMinLon, kMaxLon);
  std::shared_ptr<const Gazetteer> g = LoadOnce();
  points.reserve(kPoints);
  if (set == PointSet::kResidents) {
    absl::StatusOr<std::vector<PostcodeDemographics>> people =
        ReadPostcodeDemographicsCsv(PostcodesPath());
    std::vector<double> weights;
    std::vector<LatLng> centroids;
    for (const PostcodeDemographics& d : *people) {
      if (auto area = g->Postcode(d.pc4)) {
        centroids.push_back(area->centroid);
        weights.push_back(static_cast<double>(d.residents));
      }
    }
    std::discrete_distribution<size_t> pick(weights.begin(), weights.end());
    std::normal_distribution<double> scatter(0, 0.3 / 111.2);  // 300 m
    while (points.size() < kPoints) {
      const LatLng c = centroids[pick(rng)];
      points.push_back({c.lat_deg + scatter(rng), c.lon_deg + 1.6 * scatter(rng)});
    }
    return points;
  }
  while (points.size() < kPoints) {
    const LatLng p{lat(rng), lon(rng)};
    if (set == PointSet::kBoundingBox || g->MunicipalityAt(p)) points.push_back(p);
  }
  return points;
}

void RunLookups(benchmark::State& state, const Gazetteer& g, const std::vector<LatLng>& points) {
  for (auto _ : state) {
    size_t found = 0;
    for (const LatLng& p : points) found += g.MunicipalityAt(p).has_value();
    benchmark::DoNotOptimize(found);
    state.counters["in_a_municipality"] = static_cast<double>(found) / points.size();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(points.size()));
}

void BM_Load_RealData(benchmark::State& state) {
  if (!HaveData(state)) return;
  for (auto _ : state) {
    absl::StatusOr<std::shared_ptr<const Gazetteer>> g =
        Gazetteer::Load(MunicipalitiesPath(), PostcodesPath());
    if (!g.ok()) state.SkipWithError(std::string(g.status().message()).c_str());
    benchmark::DoNotOptimize(g);
  }
}
BENCHMARK(BM_Load_RealData)->Unit(benchmark::kMillisecond)->Repetitions(kRepetitions);

void BM_Load_MunicipalitiesOnly(benchmark::State& state) {
  if (!HaveData(state)) return;
  for (auto _ : state) {
    absl::StatusOr<std::shared_ptr<const Gazetteer>> g = Gazetteer::Load(MunicipalitiesPath());
    benchmark::DoNotOptimize(g);
  }
}
BENCHMARK(BM_Load_MunicipalitiesOnly)->Unit(benchmark::kMillisecond)->Repetitions(kRepetitions);

void BM_MunicipalityAt_InNetherlands(benchmark::State& state) {
  if (!HaveData(state)) return;
  RunLookups(state, *LoadOnce(), Points(PointSet::kInNetherlands));
}
BENCHMARK(BM_MunicipalityAt_InNetherlands)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(kRepetitions);

void BM_MunicipalityAt_BoundingBox(benchmark::State& state) {
  if (!HaveData(state)) return;
  RunLookups(state, *LoadOnce(), Points(PointSet::kBoundingBox));
}
BENCHMARK(BM_MunicipalityAt_BoundingBox)->Unit(benchmark::kMillisecond)->Repetitions(kRepetitions);

void BM_MunicipalityAt_Residents(benchmark::State& state) {
  if (!HaveData(state)) return;
  RunLookups(state, *LoadOnce(), Points(PointSet::kResidents));
}
BENCHMARK(BM_MunicipalityAt_Residents)->Unit(benchmark::kMillisecond)->Repetitions(kRepetitions);

void BM_MunicipalityAt_CellMeters(benchmark::State& state) {
  if (!HaveData(state)) return;
  std::shared_ptr<const Gazetteer> g = LoadOnce(state.range(0) / 1000.0);
  const internal::RegionGrid& grid = g->geometry().grid;
  state.counters["cells"] = static_cast<double>(grid.columns()) * grid.rows();
  state.counters["mixed_cells"] = static_cast<double>(grid.mixed_cells());
  state.counters["edge_copies"] = static_cast<double>(grid.edge_copies());
  RunLookups(state, *g, Points(PointSet::kInNetherlands));
}
BENCHMARK(BM_MunicipalityAt_CellMeters)
    ->Arg(125)->Arg(250)->Arg(500)->Arg(1000)->Arg(2000)->Arg(4000)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(kRepetitions);

// Baseline: R*-tree of bounding boxes, then covered_by on the candidates (the same
// repaired polygons), first match in municipality order.
void BM_MunicipalityAt_RtreeCoveredBy(benchmark::State& state) {
  if (!HaveData(state)) return;
  std::shared_ptr<const Gazetteer> g = LoadOnce();
  const std::vector<internal::GeoMultiPolygon>& polygons = g->geometry().municipalities;
  using Box = bg::model::box<internal::GeoPoint>;
  std::vector<std::pair<Box, size_t>> boxes;
  for (size_t m = 0; m < polygons.size(); ++m) {
    boxes.emplace_back(bg::return_envelope<Box>(polygons[m]), m);
  }
  const bgi::rtree<std::pair<Box, size_t>, bgi::rstar<16>> tree(boxes);
  const std::vector<LatLng>& all = Points(PointSet::kInNetherlands);
  const std::vector<LatLng> points(all.begin(), all.begin() + kPoints / 10);
  std::vector<std::pair<Box, size_t>> candidates;
  for (auto _ : state) {
    size_t found = 0;
    for (const LatLng& p : points) {
      const internal::GeoPoint point(p.lon_deg, p.lat_deg);
      candidates.clear();
      tree.query(bgi::covers(point), std::back_inserter(candidates));
      std::sort(candidates.begin(), candidates.end(),
                [](const auto& a, const auto& b) { return a.second < b.second; });
      for (const auto& [box, m] : candidates) {
        if (bg::covered_by(point, polygons[m])) {
          ++found;
          break;
        }
      }
    }
    benchmark::DoNotOptimize(found);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(points.size()));
}
BENCHMARK(BM_MunicipalityAt_RtreeCoveredBy)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(kRepetitions);

const std::string& FileText(int file) {
  static auto* texts = new std::map<int, std::string>();
  std::string& text = (*texts)[file];
  if (text.empty()) {
    text = *ReadFile(file == 0 ? MunicipalitiesPath() : PostcodeAreasPath());
  }
  return text;
}

bool HaveFile(benchmark::State& state) {
  if (!HaveData(state)) return false;
  if (state.range(0) == 1 && !std::filesystem::exists(PostcodeAreasPath())) {
    state.SkipWithError("no PC4 area GeoJSON");
    return false;
  }
  return true;
}

void BM_ParseGeoJson_Reader(benchmark::State& state) {
  if (!HaveFile(state)) return;
  const std::string& text = FileText(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto features = internal::ParseGeoJsonPolygons(text, "bench");
    if (!features.ok()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(features);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_ParseGeoJson_Reader)
    ->Arg(0)->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(kRepetitions);

void BM_ParseGeoJson_ProtobufStruct(benchmark::State& state) {
  if (!HaveFile(state)) return;
  const std::string& text = FileText(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    google::protobuf::Struct parsed;
    if (!google::protobuf::util::JsonStringToMessage(text, &parsed).ok()) {
      state.SkipWithError("protobuf could not parse it");
    }
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_ParseGeoJson_ProtobufStruct)
    ->Arg(0)->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(kRepetitions);

void BM_GenerateDutchScenario(benchmark::State& state) {
  if (!HaveData(state)) return;
  std::shared_ptr<const Gazetteer> g = LoadOnce();
  static const auto* people =
      new std::vector<PostcodeDemographics>(*ReadPostcodeDemographicsCsv(PostcodesPath()));
  for (auto _ : state) {
    absl::StatusOr<DutchScenario> s = GenerateDutchScenario(
        *g, *people, {.seed = kSeed, .requests = static_cast<int>(state.range(0))});
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_GenerateDutchScenario)
    ->Arg(10'000)->Arg(100'000)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(kRepetitions);

struct ScenarioOnTheMap {
  std::shared_ptr<const Directory> directory;
  std::vector<Request> requests;
};

const ScenarioOnTheMap& Scenario(int requests) {
  static auto* scenarios = new std::map<int, std::unique_ptr<ScenarioOnTheMap>>();
  std::unique_ptr<ScenarioOnTheMap>& s = (*scenarios)[requests];
  if (s == nullptr) {
    absl::StatusOr<std::vector<PostcodeDemographics>> people =
        ReadPostcodeDemographicsCsv(PostcodesPath());
    absl::StatusOr<DutchScenario> scenario =
        GenerateDutchScenario(*LoadOnce(), *people, {.seed = kSeed, .requests = requests});
    s = std::make_unique<ScenarioOnTheMap>();
    s->directory = *Directory::Create(*scenario->directory);
    s->requests = std::move(scenario->requests);
  }
  return *s;
}

void BM_RouteDutchScenario(benchmark::State& state) {
  if (!HaveData(state)) return;
  const ScenarioOnTheMap& s = Scenario(static_cast<int>(state.range(0)));
  Router router(s.directory);
  for (auto _ : state) {
    std::vector<RouteResult> results = router.RouteBatch(s.requests, {.k = 5, .threads = 1});
    benchmark::DoNotOptimize(results);
  }
  state.counters["providers"] = static_cast<double>(s.directory->size());
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_RouteDutchScenario)
    ->Arg(10'000)->Arg(100'000)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(kRepetitions);

void BM_MatchDutchScenario(benchmark::State& state) {
  if (!HaveData(state)) return;
  const ScenarioOnTheMap& s = Scenario(static_cast<int>(state.range(0)));
  Matcher matcher(s.directory);
  for (auto _ : state) {
    MatchPlan plan = matcher.Match(s.requests, {.threads = 1});
    state.counters["objective"] = static_cast<double>(plan.objective);
    benchmark::DoNotOptimize(plan);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_MatchDutchScenario)
    ->Arg(10'000)->Arg(30'000)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(kRepetitions);

}  // namespace
}  // namespace wegwijzer::bench

BENCHMARK_MAIN();
