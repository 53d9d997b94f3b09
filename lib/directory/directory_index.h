// Internal: the compiled form of a Directory that the Router (and Matcher) read.
//
// Two indexes share the provider table:
//  * physical entries: one per location of every provider that offers a physical
//    mode and has capacity left, laid out as structure-of-arrays in the leaf order of
//    a static kd-tree over unit vectors on the sphere. Each tree node holds its
//    bounding box and the union of its entries' topics, languages, modes and access
//    features and their largest home-visit radius, so a search skips whole subtrees
//    that cannot hold a suitable entry; and, in an array apart (tree_week), the
//    hours of the week in which any of its entries can be open, so that a search
//    with a time skips a leaf where none can be.
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

// A set of hours of the week in Amsterdam wall-clock time: bit h is hour h counted
// from Monday 00:00 (0..167). What a tree node says of its entries' opening hours
// and a request of its window, so that the search skips a subtree none of whose
// locations can be open then. Supersets are safe (they only prune less); that is
// how the daylight-saving days are handled: on the spring day the skipped hour is
// included, on the autumn day the repeated hour is one hour of the week.
struct WeekHours {
  static constexpr int kHours = 168;
  uint64_t bits[3] = {0, 0, 0};
  static WeekHours All() {
    WeekHours w;
    w.AddRange(0, kHours);
    return w;
  }
  // Adds `count` hours from local hour `first` (hours since 1970-01-01 00:00 local,
  // any sign), wrapping at the week's end; count >= 168 adds every hour.
  void AddRange(int64_t first, int64_t count);
  bool Intersects(const WeekHours& o) const {
    return ((bits[0] & o.bits[0]) | (bits[1] & o.bits[1]) | (bits[2] & o.bits[2])) != 0;
  }
  WeekHours& operator|=(const WeekHours& o) {
    for (int i = 0; i < 3; ++i) bits[i] |= o.bits[i];
    return *this;
  }
  bool operator==(const WeekHours&) const = default;
};

// The span [from, to) (Unix seconds) over which every timetable's open intervals
// are precomputed, and Europe/Amsterdam's UTC offset in it without the calendar
// arithmetic of AmsterdamUtcOffsetSeconds (a request compiles two lookups).
struct HoursWindow {
  int64_t from = 0, to = 0;  // empty: none (every time asks the rules)
  int first_offset = 3600;   // the offset at `from`
  std::vector<int64_t> changes;  // the moments in (from, to) the offset flips, sorted
  // REQUIRES: from <= t < to.
  int OffsetAt(int64_t t) const {
    int offset = first_offset;
    for (int64_t c : changes) {
      if (t < c) break;
      offset = offset == 3600 ? 7200 : 3600;
    }
    return offset;
  }
  // Local hours since 1970-01-01 00:00 Amsterdam time of `t`. REQUIRES: from <= t < to.
  int64_t LocalHour(int64_t t) const;
};

// One distinct timetable: the compiled hours, and their open intervals over a window
// precomputed so that the hot path asks a binary search, not the schedule rules.
struct Timetable {
  static constexpr int64_t kDaySeconds = 86400;
  explicit Timetable(OpeningHours h) : hours(std::move(h)) {}
  OpeningHours hours;
  // [from, to), Unix seconds, a whole number of days; empty = none precomputed.
  int64_t window_from = 0, window_to = 0;
  std::vector<int64_t> opens, closes;      // merged, disjoint, sorted intervals
  // day_first[d]: the first interval whose close is after window_from + d days
  // (intervals.size() when none), for d in [0, window days]: a request's check
  // starts at its day instead of searching the whole window (whose intervals are
  // spread over more cache lines than a request touches otherwise).
  std::vector<uint32_t> day_first;
  // The hours of the week in which it is open at some moment of the window; every
  // hour when the window is empty (nothing precomputed).
  WeekHours week = WeekHours::All();
  // The first moment in [t, deadline) when it is open; nullopt when none.
  // Inside the window O(log intervals of t's day), no allocation; else
  // OpeningHours::NextOpening.
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
  // By tree node: the union of its entries' Timetable::week (every hour for an entry
  // without hours). Apart from TreeNode so that a search without a time does not
  // carry it through the cache.
  std::vector<WeekHours> tree_week;
  HoursWindow hours_window;
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
