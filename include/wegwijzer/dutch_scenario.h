// A realistic, seeded scenario on the real map of the Netherlands, for benchmarks,
// tests and demos.
//
// Demand follows the people who need digital help: each request comes from a
// four-digit postcode area (PC4) drawn with weight
//     residents x ((1 - s) + relative_rate_65plus x s),   s = share aged 65+,
// so an area of older residents asks for more help, as surveys of digital
// (in)ability find (DEFAULT: a resident of 65+ asks four times as often). The
// resident is 65+ with the matching probability, and age shapes the rest: topics
// (65+: DigiD, banking, health apps, basic skills, pension; younger: benefits, jobs,
// taxes, literacy), accepted modes (65+ more often in person or at home only),
// accessibility needs, how far they travel and priority. Most requests are in Dutch;
// in cities of over 100,000 residents more are in Arabic, Turkish, Polish, English,
// Ukrainian, Somali or Tigrinya, and in Fryslân some prefer Frisian.
//
// Providers are placed as they are in reality, per municipality of the gazetteer:
//  * a municipal desk at the densest postcode area (the town centre), serving only
//    its own residents (`municipalities` = its code);
//  * library branches (one per 25,000 residents, at least one) at the densest areas
//    at least 1.5 km apart, and an Informatiepunt Digitale Overheid (IDO) at the
//    main branch (plus one per further 100,000 residents);
//  * welfare organisations (one per 40,000 residents) at populous areas, some of
//    them visiting at home;
//  * volunteers where older people live: one per `residents_65plus_per_volunteer`
//    residents of 65+, drawn by postcode area with that weight, visiting at home
//    within a few km, with small capacities;
//  * one national phone and video line (like the Digihulplijn) without a capacity
//    limit.
// Positions are rounded to 6 decimals (about 0.1 m) so that the scenario written as
// CSV reads back identically.
//
// The same inputs and options give the same scenario on every platform: the
// generator uses its own SplitMix64 stream and arithmetic, not <random>'s
// implementation-defined distributions.
//
// Example (examples/cpp/dutch_scenario.cc, on gemeenten_2023_wgs84.geojson and
// pc4_centroids.csv):
//   auto gazetteer = Gazetteer::Load(municipalities, postcodes);
//   auto people = ReadPostcodeDemographicsCsv(postcodes);
//   if (!gazetteer.ok() || !people.ok()) return 1;
//   absl::StatusOr<DutchScenario> scenario =
//       GenerateDutchScenario(**gazetteer, *people, {.seed = 7, .requests = 20000});
//
// Thread-safety: pure functions; thread-safe.
#ifndef WEGWIJZER_DUTCH_SCENARIO_H_
#define WEGWIJZER_DUTCH_SCENARIO_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "wegwijzer/gazetteer.h"
#include "wegwijzer/request.h"

namespace wegwijzer {
namespace v1 {
class DirectorySnapshot;
}  // namespace v1

// Who lives in one PC4 area.
struct PostcodeDemographics {
  int pc4 = 0;              // 1000..9999
  int64_t residents = 0;    // 0 when unknown (no demand is drawn there)
  double share_65plus = 0;  // in [0, 1]; when unknown, kUnknownShare65plus is used
  double area_km2 = 0;      // land area; 0 when unknown
};

// Share of residents aged 65+ assumed where the table gives none: the national figure
// of 2021 (20%).
inline constexpr double kUnknownShare65plus = 0.20;

// Reads a postcode table with columns `pc4`, `inwoners_2021` (or `residents`) and
// optionally `pct_65plus_2021` (percent) and `area_km2`; other columns are ignored,
// so the postcode file of the gazetteer serves. Blank values are unknown.
// kInvalidArgument naming the file, line and reason for a missing column, a pc4
// outside 1000..9999 or given twice, or a number that does not parse or is out of
// range (negative; a percentage above 100).
absl::StatusOr<std::vector<PostcodeDemographics>> ReadPostcodeDemographicsCsv(
    const std::string& path);
absl::StatusOr<std::vector<PostcodeDemographics>> ParsePostcodeDemographicsCsv(
    std::string_view text, std::string_view file_name = "postcodes.csv");

struct DutchScenarioOptions {
  uint64_t seed = 1;     // DEFAULT: 1.
  int requests = 10000;  // Request count, >= 0. DEFAULT: 10000.
  // How many times as often a resident aged 65+ asks for help as a younger one, > 0.
  // DEFAULT: 4.
  double relative_rate_65plus = 4.0;
  // Residents of 65+ per volunteer, > 0. DEFAULT: 2000 (about 1,800 volunteers).
  double residents_65plus_per_volunteer = 2000;
  // True: a request lies at a random point in its postcode area (within half the
  // radius of a disc of the same area around the centroid, and in the same
  // municipality). False: at the centroid, as a desk that records only the postcode.
  // DEFAULT: true.
  bool scatter_homes = true;
  // Multiplies every limited capacity (rounded, at least 1): below 1 makes a waiting
  // list that overloads the providers. DEFAULT: 1.
  double capacity_scale = 1.0;
};

struct DutchScenario {
  // Never null once generated; immutable, shared by copies (see Scenario::directory).
  std::shared_ptr<const v1::DirectorySnapshot> directory;
  std::vector<Request> requests;      // with municipality set
  std::vector<int> request_postcodes; // PC4 of each request's home, parallel to requests
  int skipped_postcodes = 0;  // demographics rows the gazetteer has no postcode or
                              // municipality for (they get no demand)
};

// kInvalidArgument for options out of range, a gazetteer without a postcode table,
// or demographics with no residents in any postcode area the gazetteer knows.
absl::StatusOr<DutchScenario> GenerateDutchScenario(
    const Gazetteer& gazetteer, std::span<const PostcodeDemographics> demographics,
    const DutchScenarioOptions& options = {});

}  // namespace wegwijzer

#endif  // WEGWIJZER_DUTCH_SCENARIO_H_
