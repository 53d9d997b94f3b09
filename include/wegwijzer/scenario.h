// Seeded, synthetic Dutch-like scenarios for benchmarks, tests and demos.
//
// Towns are scattered over the Netherlands' bounding box with Zipf-distributed
// sizes (a few cities, many villages); each town is a municipality with a code
// WGnnnnn (not GMnnnn, so it can never be mistaken for a real CBS code). Providers cluster
// around town centres: IDO-punten and libraries in the centre, welfare
// organisations and volunteers (home visits, small capacity) where people live,
// one municipal desk per town (serving its own residents only), and a few national
// phone/video lines with unlimited capacity. Requests cluster around towns by size,
// need one or two topics, mostly Dutch, sometimes Arabic, Turkish, Polish or English,
// and sometimes accessibility features.
//
// The same options give the same scenario on every platform: the generator uses
// its own SplitMix64 stream and arithmetic, not <random>'s implementation-defined
// distributions.
//
// Thread-safety: pure functions; thread-safe.
#ifndef WEGWIJZER_SCENARIO_H_
#define WEGWIJZER_SCENARIO_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "wegwijzer/request.h"

namespace wegwijzer {
namespace v1 {
class DirectorySnapshot;
}  // namespace v1

// The largest scenario GenerateScenario makes (about 2 GB of providers, 2 GB of
// requests); more is kResourceExhausted.
inline constexpr int kMaxScenarioProviders = 5'000'000;
inline constexpr int kMaxScenarioRequests = 10'000'000;

struct ScenarioOptions {
  uint64_t seed = 1;      // DEFAULT: 1.
  int providers = 5000;   // Provider count, >= 0. DEFAULT: 5000.
  int requests = 10000;   // Request count, >= 0. DEFAULT: 10000.
  // Towns; 0 = about one per 40 providers, at least 3. DEFAULT: 0.
  int towns = 0;            // >= 0.
  // Share of providers that are national remote lines (phone/video, unlimited), in
  // [0, 1], both inclusive. DEFAULT: 0.002 (10 in 5,000).
  double remote_share = 0.002;
  // Multiplies every limited capacity (rounded, at least 1 where it was >= 1): below
  // 1 makes a waiting list that overloads the providers. > 0, finite. DEFAULT: 1.
  double capacity_scale = 1.0;
};

struct Scenario {
  // Never null once generated. Immutable and shared by copies of the Scenario; copy the
  // snapshot (wegwijzer/v1/directory.pb.h) to change it. A pointer, so this header
  // forward-declares the generated protobuf class instead of including it.
  std::shared_ptr<const v1::DirectorySnapshot> directory;
  std::vector<Request> requests;
};

// The scenario of `options`: every provider passes Directory::Create and every request
// Request::Validate. kInvalidArgument naming the option ("ScenarioOptions::providers
// must be >= 0, not -1") when an option is outside its bounds above;
// kResourceExhausted for more than kMaxScenarioProviders or kMaxScenarioRequests.
// Complexity: O(providers + requests) draws, each O(log towns).
absl::StatusOr<Scenario> GenerateScenario(const ScenarioOptions& options);

}  // namespace wegwijzer

#endif  // WEGWIJZER_SCENARIO_H_
