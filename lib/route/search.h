// Internal: the nearest-suitable search shared by the Router and the Matcher.
//
// Both ask the same question of the directory index: which provider locations suit
// this request, and at what cost, cheapest first. The Router wants the contract's
// route order (class, cost, id) cut at k; the Matcher wants every suitable provider
// below a cost bound, cheapest first, a few at a time.
#ifndef WEGWIJZER_LIB_SEARCH_H_
#define WEGWIJZER_LIB_SEARCH_H_

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "core/geo_internal.h"
#include "core/rules.h"
#include "directory/directory_index.h"
#include "wegwijzer/geo.h"
#include "wegwijzer/request.h"

namespace wegwijzer::internal {

// A request compiled for the search.
struct Query {
  uint32_t topics;
  LanguageSet languages;
  uint8_t modes;
  uint8_t remote_modes;
  uint8_t access;          // all features needed (in person)
  uint8_t service_access;  // features needed in every mode
  double max_m;
  uint32_t municipality;
  LatLng position;
  double cos_lat;
  UnitVector unit;
  // The extensions (request.h): -1 = age unknown.
  int age = -1;
  bool can_pay = true;
  // With a time: open at some moment in [at, deadline).
  bool timed = false;
  int64_t at = 0, deadline = 0;
  // When the window lies in the index's HoursWindow and is shorter than a week: its
  // hours of the week, to skip the leaves (DirectoryIndex::tree_week) none of whose
  // locations is open in any of them.
  bool by_week = false;
  WeekHours week;
  // Answers of NextOpeningFor for this request, by timetable (direct-mapped): a
  // directory has few distinct timetables, so most candidates cost a lookup rather
  // than a binary search. Filled as the search goes; this is why a Query belongs to
  // one request on one thread.
  struct HoursMemo {
    static constexpr int kSlots = 16;
    static constexpr int64_t kNever = std::numeric_limits<int64_t>::min();
    uint32_t id[kSlots];
    int64_t next[kSlots];
  };
  mutable HoursMemo memo;
};

Query CompileQuery(const Request& request, const DirectoryIndex& index);

// Provider `p`'s eligibility admits the request: its age limits (inclusive) admit
// the request's age, and it is free when the request cannot pay.
inline bool Eligible(const Query& q, const ProviderRules& p) {
  return AgeAdmitted(q.age, p.minimum_age, p.maximum_age) &&
         (q.can_pay || !p.charges_fee);
}

// When the request has a time and `hours` are known: the next opening in the window.
inline std::optional<int64_t> NextOpeningFor(const Query& q, const DirectoryIndex& index,
                                             uint32_t hours) {
  if (!q.timed || hours == kNoHours) return std::nullopt;
  const int slot = static_cast<int>(hours % Query::HoursMemo::kSlots);
  if (q.memo.id[slot] != hours) {
    const std::optional<int64_t> next = index.timetables[hours].NextOpen(q.at, q.deadline);
    q.memo.id[slot] = hours;
    q.memo.next[slot] = next.value_or(Query::HoursMemo::kNever);
  }
  if (q.memo.next[slot] == Query::HoursMemo::kNever) return std::nullopt;
  return q.memo.next[slot];
}

// Timetable `hours` is open for the request's time (always, without a time or hours).
inline bool OpenFor(const Query& q, const DirectoryIndex& index, uint32_t hours) {
  return !q.timed || hours == kNoHours || NextOpeningFor(q, index, hours).has_value();
}

struct SearchLimits {
  // Only providers of these capacity classes. DEFAULT: both.
  uint8_t capacity_classes = kLimitedCapacity | kUnlimitedCapacity;
  // Only pairs whose cost is below this (exclusive). DEFAULT: no bound.
  int64_t cost_below = std::numeric_limits<int64_t>::max();
  // What a phone or video referral costs; it also decides when a distant physical
  // pair is used by phone instead. DEFAULT: the contract's 25,000.
  int64_t remote_cost = kRemoteCostMeters;
};

// Geometry and masks of the search (search.cc), shared with the matcher's regional
// bound (match/regional_bound.cc).
constexpr uint8_t kInPersonBit = 1u << static_cast<int>(Mode::kInPerson);
constexpr uint8_t kHomeVisitBit = 1u << static_cast<int>(Mode::kHomeVisit);

// The chord bound R·c underestimates the haversine distance by at most ~1e-9 m from
// rounding; this slack keeps pruning conservative by a wide margin.
constexpr double kSlackMeters = 1e-3;

// Pruning compares squared chords on the unit sphere, not metres: the chord c
// bounds the distance from below (d >= R·c), so "d can be within L" needs
// c² <= (L / R)², and no square root is taken per node or entry.
inline double ChordSquared(const UnitVector& q, const TreeNode& node) {
  const double dx = std::max(std::max(node.lo.x - q.x, q.x - node.hi.x), 0.0);
  const double dy = std::max(std::max(node.lo.y - q.y, q.y - node.hi.y), 0.0);
  const double dz = std::max(std::max(node.lo.z - q.z, q.z - node.hi.z), 0.0);
  return dx * dx + dy * dy + dz * dz;
}

inline double ChordSquared(const UnitVector& q, const UnitVector& p) {
  const double dx = p.x - q.x, dy = p.y - q.y, dz = p.z - q.z;
  return dx * dx + dy * dy + dz * dz;
}

// The largest squared chord of a point that may still be within `limit_m` metres
// (with the slack); +inf for an infinite limit.
inline double ChordSquaredLimit(double limit_m) {
  const double chord = (limit_m + kSlackMeters) * (1.0 / kEarthRadiusMeters);
  return chord * chord;
}

// How far a node's entries could be from the request and still suit it physically;
// negative when no entry of the node can suit it physically at all.
inline double NodeReach(const Query& q, uint8_t capacity_classes, const TreeNode& node) {
  if ((q.topics & ~node.topics) != 0 || (capacity_classes & node.capacity_classes) == 0 ||
      !q.languages.Intersects(node.languages)) {
    return -1;
  }
  const uint8_t modes = q.modes & node.modes;
  double reach = -1;
  if ((modes & kInPersonBit) && (q.access & ~node.access) == 0) reach = q.max_m;
  if ((modes & kHomeVisitBit) && (q.service_access & ~node.access) == 0) {
    reach = std::max(reach, node.max_radius_m);
  }
  return reach;
}


// The physical modes in which entry i of `e` suits the request by its masks (topics,
// capacity class, languages, modes, access), before distance, hours and the
// provider's rules: the one entry rule of the candidate search and the matcher's
// regional bound.
struct EntryModes {
  bool in_person = false;
  bool home_visit = false;
  bool any() const { return in_person || home_visit; }
};
inline EntryModes SuitingModes(const Query& q, uint8_t capacity_classes,
                               const PhysicalEntries& e, uint32_t i) {
  if ((q.topics & ~e.topics[i]) != 0 || (capacity_classes & e.capacity_class[i]) == 0 ||
      !q.languages.Intersects(e.languages[i])) {
    return {};
  }
  const uint8_t modes = q.modes & e.modes[i];
  return {(modes & kInPersonBit) != 0 && (q.access & ~e.access[i]) == 0,
          (modes & kHomeVisitBit) != 0 && (q.service_access & ~e.access[i]) == 0};
}

// How far from the request entry i may be in the modes `suits` (metres; -1: none):
// the request's max_m in person, the location's radius for a home visit.
inline double EntryReach(const Query& q, const PhysicalEntries& e, uint32_t i,
                         EntryModes suits) {
  return std::max(suits.in_person ? q.max_m : -1.0, suits.home_visit ? e.radius_m[i] : -1.0);
}

// Entry i at its own distance from the request: the haversine (metres), the modes of
// `suits` still in reach there, and the pair's cost. The one distance rule of the
// candidate search and the matcher's regional bound, which must agree to the metre
// (a bound a metre low makes lists grow in the phases without slack).
struct EntryAtDistance {
  double distance;
  EntryModes modes;
  int64_t cost;
};
inline EntryAtDistance AtDistance(const Query& q, const PhysicalEntries& e, uint32_t i,
                                  EntryModes suits) {
  const double d = HaversineWithCos(q.position, q.cos_lat, e.position[i], e.cos_lat[i]);
  return {d, {suits.in_person && d <= q.max_m, suits.home_visit && d <= e.radius_m[i]},
          CostMeters(d)};
}

// Remote block `block` (entry `i`) of `r` may suit the request by its masks (topics,
// remote modes, access, capacity class, languages), before the provider's rules: the
// one remote rule of ScanRemote and the matcher's regional bound.
inline bool RemoteBlockSuits(const Query& q, uint8_t capacity_classes, const RemoteEntries& r,
                             size_t block) {
  return (q.topics & ~r.block_topics[block]) == 0 && (q.remote_modes & r.block_modes[block]) != 0 &&
         (q.service_access & ~r.block_access[block]) == 0 &&
         (capacity_classes & r.block_capacity_classes[block]) != 0 &&
         q.languages.Intersects(r.block_languages[block]);
}
inline bool RemoteEntrySuits(const Query& q, uint8_t capacity_classes, const RemoteEntries& r,
                             size_t i) {
  return (q.remote_modes & r.modes[i]) != 0 && (q.topics & ~r.topics[i]) == 0 &&
         (q.service_access & ~r.access[i]) == 0 &&
         (capacity_classes & r.capacity_class[i]) != 0 && q.languages.Intersects(r.languages[i]);
}

// A suitable physical pair: entry indexes PhysicalEntries.
struct PhysicalPair {
  int64_t cost;
  uint32_t tie_rank;
  uint32_t entry;
  Mode mode;
  double distance;
  bool operator<(const PhysicalPair& o) const {
    return cost != o.cost ? cost < o.cost : tie_rank < o.tie_rank;
  }
};

// The `capacity` best class-0 pairs (physical mode used) in (cost, tie) order,
// written to `best`; returns how many. A pair whose provider would rather be
// phoned (remote suits and the physical cost exceeds limits.remote_cost) is not class 0.
int SearchPhysical(const Query& q, const DirectoryIndex& index, const SearchLimits& limits,
                   PhysicalPair* best, int capacity);

// Calls `take(provider, mode)` for each provider whose remote mode suits, in provider
// id order, skipping the providers in `exclude` (those already referred to in class
// 0); stops when `take` returns false. Remote pairs cost limits.remote_cost, so
// with limits.cost_below <= that nothing is taken.
template <typename Take>
void ScanRemote(const Query& q, const DirectoryIndex& index, const SearchLimits& limits,
                std::span<const uint32_t> exclude, Take take);

// ---------------------------------------------------------------------------
// Implementation of the template.

template <typename Take>
void ScanRemote(const Query& q, const DirectoryIndex& index, const SearchLimits& limits,
                std::span<const uint32_t> exclude, Take take) {
  const RemoteEntries& r = index.remote;
  if (q.remote_modes == 0 || limits.remote_cost >= limits.cost_below) return;
  constexpr uint8_t kPhoneBit = 1u << static_cast<int>(Mode::kPhone);
  for (size_t block = 0; block * kRemoteBlock < r.size(); ++block) {
    if (!RemoteBlockSuits(q, limits.capacity_classes, r, block)) continue;
    const size_t end = std::min(r.size(), (block + 1) * kRemoteBlock);
    for (size_t i = block * kRemoteBlock; i < end; ++i) {
      if (!RemoteEntrySuits(q, limits.capacity_classes, r, i)) continue;
      const uint8_t modes = q.remote_modes & r.modes[i];
      const uint32_t p = r.provider[i];
      if (!index.Serves(p, q.municipality) || !index.InServiceArea(p, q.position)) continue;
      if (!Eligible(q, index.rules[p]) || !OpenFor(q, index, index.rules[p].hours)) continue;
      if (std::find(exclude.begin(), exclude.end(), p) != exclude.end()) continue;
      if (!take(p, (modes & kPhoneBit) ? Mode::kPhone : Mode::kVideo)) return;
    }
  }
}

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_SEARCH_H_
