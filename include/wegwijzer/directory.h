// The directory: an immutable, compiled snapshot of every provider of digital help.
//
// A Directory is built once from the protobuf model (wegwijzer.v1.DirectorySnapshot)
// or from the contract's providers.csv (see interchange.h), validated as a whole, and
// then read by any number of threads. Building compiles codes into bit sets, lays the
// providers out as structure-of-arrays in a spatial tree whose nodes carry the union
// of their providers' capabilities, and sorts ids for the contract's tie order.
//
// Example (examples/cpp/directory_from_snapshot.cc):
//   absl::StatusOr<std::shared_ptr<const Directory>> directory =
//       Directory::Create(snapshot);
//   if (!directory.ok()) return directory.status();   // names the record and reason
//   Router router(*directory);
//   RouteResult result = router.Route(request, {.k = 5});
//
// Replacing the providers means building a new Directory and swapping the
// shared_ptr (e.g. with std::atomic<std::shared_ptr<const Directory>>); routers that
// still hold the old snapshot keep working on it.
//
// Thread-safety: immutable, safe to share between threads.
// Complexity: Create is O(n log n) in the number of provider locations; memory is
// about 200 bytes per location plus the retained protobuf snapshot.
#ifndef WEGWIJZER_DIRECTORY_H_
#define WEGWIJZER_DIRECTORY_H_

#include <compare>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "wegwijzer/codes.h"
#include "wegwijzer/geo.h"

namespace wegwijzer {
namespace v1 {
class DirectorySnapshot;
class Provider;
}  // namespace v1

namespace internal {
struct DirectoryIndex;
}  // namespace internal

// Position of a provider in the directory: the order of the snapshot it was built
// from, 0 <= value() < Directory::size(). A type of its own rather than a bare
// integer, so that the compiler refuses a location index, a count or a request's
// position where a provider is meant (and the other way round).
//   for (size_t i = 0; i < directory.size(); ++i) {
//     const ProviderInfo& p = directory.provider(ProviderIndex(i));
class ProviderIndex {
 public:
  constexpr ProviderIndex() = default;
  // REQUIRES: value < 2^32 (a Directory never holds more providers).
  constexpr explicit ProviderIndex(size_t value)
      : value_(static_cast<uint32_t>(value)) {}
  constexpr uint32_t value() const { return value_; }
  friend constexpr auto operator<=>(ProviderIndex, ProviderIndex) = default;
  template <typename H>
  friend H AbslHashValue(H state, ProviderIndex index) {
    return H::combine(std::move(state), index.value_);
  }

 private:
  uint32_t value_ = 0;
};

// Which of a provider's locations: an index into ProviderInfo::locations, or none
// (a remote referral by phone or video, an unassigned plan line). Default: none.
class LocationIndex {
 public:
  constexpr LocationIndex() = default;
  // REQUIRES: value < 2^32 - 1.
  constexpr explicit LocationIndex(size_t value)
      : value_(static_cast<uint32_t>(value)) {}
  static constexpr LocationIndex None() { return LocationIndex(); }
  constexpr bool has_value() const { return value_ != kNone; }
  // REQUIRES: has_value().
  constexpr uint32_t value() const { return value_; }
  friend constexpr bool operator==(LocationIndex, LocationIndex) = default;

 private:
  static constexpr uint32_t kNone = UINT32_MAX;
  uint32_t value_ = kNone;
};

// A provider as the directory holds it, codes compiled. Read-only view.
struct ProviderInfo {
  struct Location {
    std::string id;  // Equals the provider id when the snapshot left it empty.
    std::string name;
    LatLng position;
  };
  std::string id;
  std::string name;
  ProviderKind kind = ProviderKind::kOther;
  TopicSet topics;
  LanguageSet languages;
  ModeSet modes;
  AccessSet access;
  double radius_km = 0;                    // Home-visit radius.
  std::optional<int64_t> capacity;         // nullopt = unlimited.
  // What `capacity` counts: active referrals (DEFAULT) or referrals requested per
  // day, ISO week or month (the referral store enforces it; routing and matching
  // treat every model as the number of requests a plan may assign).
  CapacityPeriod capacity_period = CapacityPeriod::kReferral;
  std::vector<std::string> municipalities; // Empty = serves anyone.
  std::vector<Location> locations;
  bool has_service_area = false;
  // Structured eligibility (extensions; directory.proto). nullopt = no limit.
  std::optional<double> minimum_age, maximum_age;
  bool charges_fee = false;
  // Whether the provider, or any of its locations, has opening hours.
  bool has_opening_hours = false;
};

class Directory {
 public:
  // Validates and compiles `snapshot`. Returns kInvalidArgument naming the provider
  // (index and id) and the reason for: empty or duplicate id, missing kind, no topics,
  // unknown language code, invalid or missing coordinates for a physical mode,
  // radius_km outside [0, 1000] (or 0 with home visits), negative capacity, empty
  // municipality code, an invalid service-area polygon (unclosed ring, fewer than 4
  // points, self-intersection), an age limit outside 0..150 or minimum above maximum,
  // a closure date that does not parse, a schedule OpeningHours::Create refuses
  // (naming the location and schedule). An empty snapshot is valid: every route then
  // answers no_suitable_provider.
  //
  // Opening hours are compiled once per distinct timetable (identical schedules are
  // shared) into sorted open intervals for the year after the snapshot's
  // created_unix_seconds (the build time when 0), from 8 days before it to 400 days
  // after; a request time outside that window is answered exactly, only slower.
  static absl::StatusOr<std::shared_ptr<const Directory>> Create(
      const v1::DirectorySnapshot& snapshot);

  // Parses a serialized wegwijzer.v1.DirectorySnapshot, then Create(). Truncated or
  // garbage bytes give kInvalidArgument ("not a DirectorySnapshot").
  static absl::StatusOr<std::shared_ptr<const Directory>> FromSerialized(
      std::string_view bytes, std::string_view source_name = "snapshot");

  ~Directory();
  Directory(const Directory&) = delete;
  Directory& operator=(const Directory&) = delete;

  // The snapshot this directory was built from, exactly as given.
  const v1::DirectorySnapshot& snapshot() const;

  size_t size() const { return providers_.size(); }
  const ProviderInfo& provider(ProviderIndex index) const { return providers_[index.value()]; }
  std::optional<ProviderIndex> Find(std::string_view provider_id) const;

  // Internal: the compiled index the Router and Matcher read.
  const internal::DirectoryIndex& index() const { return *index_; }

 private:
  Directory();
  std::unique_ptr<v1::DirectorySnapshot> snapshot_;
  std::vector<ProviderInfo> providers_;
  std::unique_ptr<internal::DirectoryIndex> index_;
};

}  // namespace wegwijzer

#endif  // WEGWIJZER_DIRECTORY_H_
