// Internal: the compiled form of a Directory that the Router (and Matcher) read.
//
// Two indexes share the provider table:
//  * physical entries: one per location of every provider that offers a physical
//    mode and has capacity left, laid out as structure-of-arrays in the leaf order of
//    a static kd-tree over unit vectors on the sphere. Each tree node holds its
//    bounding box and the union of its entries' topics, languages, modes and access
//    features and their largest home-visit radius, so a search skips whole subtrees
//    that cannot hold a suitable entry.
//  * remote entries: one per provider that offers phone or video and has capacity,
//    sorted by provider id (the contract's order within the remote class), in blocks
//    of kRemoteBlock with capability unions for skipping.
#ifndef WEGWIJZER_LIB_DIRECTORY_INDEX_H_
#define WEGWIJZER_LIB_DIRECTORY_INDEX_H_

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <optional>

#include "absl/container/flat_hash_map.h"
#include "wegwijzer/codes.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/geo.h"
#include "wegwijzer/opening_hours.h"

namespace wegwijzer::internal {

inline constexpr uint32_t kNoMunicipality = std::numeric_limits<uint32_t>::max();
inline constexpr uint32_t kNoServiceArea = std::numeric_limits<uint32_t>::max();
// No opening hours known: never excluded by a request's time.
inline constexpr uint32_t kNoHours = std::numeric_limits<uint32_t>::max();

// One distinct timetable: the compiled hours, and their open intervals over a window
// precomputed so that the hot path asks a binary search, not the schedule rules.
struct Timetable {
  explicit Timetable(OpeningHours h) : hours(std::move(h)) {}
  OpeningHours hours;
  int64_t window_from = 0, window_to = 0;  // [from, to), Unix seconds; empty = none
  std::vector<int64_t> opens, closes;      // merged, disjoint, sorted intervals
  // The first moment in [t, deadline) when it is open; nullopt when none.
  // O(log intervals) inside the window, else OpeningHours::NextOpening.
  std::optional<int64_t> NextOpen(int64_t t, int64_t deadline) const;
};

// Point on the unit sphere. The chord length c between two such points bounds the
// great-circle distance from below: d = 2R·asin(c/2) >= R·c.
struct UnitVector {
  double x = 0, y = 0, z = 0;
};

// Capacity classes as bits, so a tree node can say which it holds. The matcher
// treats unlimited providers apart (they never constrain an assignment).
inline constexpr uint8_t kLimitedCapacity = 1;
inline constexpr uint8_t kUnlimitedCapacity = 2;
UnitVector ToUnitVector(LatLng p);

// What the search needs of a provider beyond its entries (by ProviderIndex).
struct ProviderRules {
  uint32_t municipalities_begin = 0;  // Range in DirectoryIndex::municipality_ids,
  uint32_t municipalities_end = 0;    // sorted; empty range = serves anyone.
  uint32_t service_area = kNoServiceArea;  // Index into service areas, or none.
  ModeSet modes;
  bool has_capacity = false;  // capacity > 0 (or unlimited)
  uint8_t capacity_class = 0;  // kLimitedCapacity or kUnlimitedCapacity (when has_capacity)
  bool charges_fee = false;
  double minimum_age = 0;      // inclusive; 0 = no lower limit
  double maximum_age = std::numeric_limits<double>::infinity();  // inclusive
  uint32_t hours = kNoHours;   // the provider's own timetable (remote referrals)
};

struct PhysicalEntries {
  // Parallel arrays, in tree leaf order.
  std::vector<LatLng> position;
  std::vector<double> cos_lat;  // cos(lat·π/180), exactly as the haversine computes it
  std::vector<UnitVector> unit;
  std::vector<uint32_t> topics;  // TopicSet bits
  std::vector<LanguageSet> languages;
  std::vector<uint8_t> modes;    // ModeSet bits (whole provider: physical and remote)
  std::vector<uint8_t> access;   // AccessSet bits
  std::vector<double> radius_m;  // home-visit radius in metres; 0 without home visits
  std::vector<uint32_t> provider;
  std::vector<uint32_t> location;  // index into ProviderInfo::locations
  std::vector<uint32_t> tie_rank;  // rank of (provider id, location id) in byte order
  std::vector<uint8_t> capacity_class;  // kLimitedCapacity or kUnlimitedCapacity
  std::vector<uint32_t> hours;     // index into DirectoryIndex::timetables, or kNoHours
  size_t size() const { return provider.size(); }
};

struct TreeNode {
  UnitVector lo, hi;          // bounding box of the entries' unit vectors
  uint32_t begin = 0, end = 0;  // entry range
  uint32_t left = 0, right = 0; // children; left == 0 means leaf (the root is node 0)
  double max_radius_m = 0;
  uint32_t topics = 0;
  uint8_t modes = 0;
  uint8_t access = 0;
  uint8_t capacity_classes = 0;
  LanguageSet languages;
};

inline constexpr int kRemoteBlock = 32;

struct RemoteEntries {
  std::vector<uint32_t> provider;  // sorted by provider id
  std::vector<uint32_t> topics;
  std::vector<LanguageSet> languages;
  std::vector<uint8_t> modes;
  std::vector<uint8_t> access;
  std::vector<uint8_t> capacity_class;
  // Per block of kRemoteBlock entries: unions.
  std::vector<uint32_t> block_topics;
  std::vector<LanguageSet> block_languages;
  std::vector<uint8_t> block_modes;
  std::vector<uint8_t> block_access;
  std::vector<uint8_t> block_capacity_classes;
  size_t size() const { return provider.size(); }
};

class ServiceAreas;  // Boost.Geometry polygons; defined in service_area.h

// Every provider (full ones included), compact and in ProviderIndex order: what the
// explanation of an unmatched request scans, so that it reads a few MB in order
// rather than every ProviderInfo.
struct ProviderTable {
  std::vector<uint32_t> topics;
  std::vector<LanguageSet> languages;
  std::vector<uint8_t> modes;
  std::vector<uint8_t> access;
  std::vector<double> radius_m;        // home-visit radius, metres
  std::vector<uint32_t> location_begin;  // size + 1 offsets into `positions`
  std::vector<LatLng> positions;
  std::vector<uint32_t> location_hours;  // parallel to `positions`: timetable or kNoHours
};

struct DirectoryIndex {
  DirectoryIndex();
  ~DirectoryIndex();

  std::vector<ProviderRules> rules;  // by ProviderIndex
  ProviderTable table;
  std::vector<uint32_t> municipality_ids;
  absl::flat_hash_map<std::string, uint32_t> municipality_by_code;
  absl::flat_hash_map<std::string, uint32_t> provider_by_id;  // Directory::Find
  PhysicalEntries physical;
  std::vector<TreeNode> tree;
  RemoteEntries remote;
  std::unique_ptr<ServiceAreas> service_areas;
  std::vector<Timetable> timetables;  // distinct opening hours

  uint32_t FindMunicipality(const std::string& code) const {
    auto it = municipality_by_code.find(code);
    return it == municipality_by_code.end() ? kNoMunicipality : it->second;
  }
  // True when provider `p` serves residents of municipality `m` (kNoMunicipality:
  // the request has none, or one no provider names).
  bool Serves(uint32_t p, uint32_t m) const;
  // True when provider `p` has no service area or `position` lies in it (boundary
  // included).
  bool InServiceArea(uint32_t p, LatLng position) const;
};

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_DIRECTORY_INDEX_H_
