#include "route_baselines.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numbers>
#include <string>
#include <utility>

// Boost 1.74's own warnings (see lib/directory/service_area.h).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#if !defined(__clang__)  // GCC only; clang has no such warning and would warn about the name
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/geometry.hpp>
#include <boost/geometry/geometries/point.hpp>
#include <boost/geometry/index/rtree.hpp>
#pragma GCC diagnostic pop

#include "wegwijzer/geo.h"

namespace wegwijzer::bench {
namespace {

// A referral with what the contract orders it by: (class, cost, provider id,
// location id), ids in byte order (std::string compares as unsigned bytes).
struct Ranked {
  Referral referral;
  const std::string* provider_id;
  const std::string* location_id;  // null for the remote class
};

bool Before(const Ranked& a, const Ranked& b) {
  const int class_a = a.referral.is_remote(), class_b = b.referral.is_remote();
  if (class_a != class_b) return class_a < class_b;
  if (a.referral.cost_m != b.referral.cost_m) return a.referral.cost_m < b.referral.cost_m;
  if (int c = a.provider_id->compare(*b.provider_id); c != 0) return c < 0;
  if (a.location_id == nullptr || b.location_id == nullptr) return false;
  return *a.location_id < *b.location_id;
}

// The k best seen so far, sorted. Plain insertion: k is small.
class KBest {
 public:
  explicit KBest(int k) : k_(std::max(1, k)) { best_.reserve(k_ + 1); }
  bool full() const { return static_cast<int>(best_.size()) == k_; }
  int size() const { return static_cast<int>(best_.size()); }
  const Ranked& worst() const { return best_.back(); }
  void Offer(const Ranked& r) {
    if (full() && !Before(r, best_.back())) return;
    best_.insert(std::upper_bound(best_.begin(), best_.end(), r, Before), r);
    if (static_cast<int>(best_.size()) > k_) best_.pop_back();
  }
  std::vector<Referral> Take() const {
    std::vector<Referral> out;
    out.reserve(best_.size());
    for (const Ranked& r : best_) out.push_back(r.referral);
    return out;
  }
  const std::vector<Ranked>& items() const { return best_; }
  void Clear() { best_.clear(); }

 private:
  int k_;
  std::vector<Ranked> best_;
};

void RequireNoServiceAreas(const Directory& directory, const char* who) {
  for (size_t p = 0; p < directory.size(); ++p) {
    if (directory.provider(ProviderIndex(p)).has_service_area) {
      std::fprintf(stderr,
                   "%s: provider '%s' has a service area, which this baseline does not "
                   "implement (the CSV contract has none)\n",
                   who, directory.provider(ProviderIndex(p)).id.c_str());
      std::abort();
    }
  }
}

bool HasCapacity(const ProviderInfo& info) { return !info.capacity || *info.capacity > 0; }

// Rules 1, 2, 5 and 6 of the contract's suitability, and the service half of rule 3:
// everything that holds for a provider whatever the mode and the distance.
bool SuitsApartFromModeAndDistance(const ProviderInfo& info, const Request& r) {
  if (!HasCapacity(info)) return false;                              // 6
  if (!info.topics.ContainsAll(r.topics)) return false;              // 1
  if (!info.languages.Intersects(r.languages)) return false;         // 2
  if (!info.access.ContainsAll(r.access & kServiceFeatures)) return false;  // 3
  if (!info.municipalities.empty()) {                                // 5
    if (r.municipality.empty()) return false;
    if (std::find(info.municipalities.begin(), info.municipalities.end(),
                  r.municipality) == info.municipalities.end()) {
      return false;
    }
  }
  return true;
}

// The physical modes (rule 4, place half of rule 3) the pair could use, before distance.
struct PhysicalOptions {
  bool in_person = false;
  bool home_visit = false;
  bool any() const { return in_person || home_visit; }
};

PhysicalOptions PhysicalModes(const ProviderInfo& info, const Request& r) {
  const ModeSet modes = info.modes & r.modes;
  return {modes.Contains(Mode::kInPerson) && info.access.ContainsAll(r.access),
          modes.Contains(Mode::kHomeVisit)};
}

// The remote mode used for the pair (phone before video), if any.
std::optional<Mode> RemoteMode(const ProviderInfo& info, const Request& r) {
  const ModeSet modes = info.modes & r.modes;
  if (modes.Contains(Mode::kPhone)) return Mode::kPhone;
  if (modes.Contains(Mode::kVideo)) return Mode::kVideo;
  return std::nullopt;
}

// Rule 7 and the least-cost mode for one location at distance d; nullopt when the
// location is not a class-0 referral (too far, or dearer than a suitable phone call).
std::optional<Referral> PhysicalReferral(const ProviderInfo& info, const Request& r,
                                         PhysicalOptions options, bool remote_suits,
                                         ProviderIndex p, LocationIndex location, double d) {
  const bool in_person = options.in_person && d <= r.max_km * 1000;
  const bool home_visit = options.home_visit && d <= info.radius_km * 1000;
  if (!in_person && !home_visit) return std::nullopt;
  const int64_t cost = CostMeters(d);
  if (remote_suits && cost > kRemoteCostMeters) return std::nullopt;
  return Referral{p, location, in_person ? Mode::kInPerson : Mode::kHomeVisit, cost, d,
                  std::nullopt};
}

Referral RemoteReferral(ProviderIndex p, Mode mode) {
  return Referral{p, LocationIndex::None(), mode, kRemoteCostMeters, std::nullopt, std::nullopt};
}

}  // namespace

// ---------------------------------------------------------------------------------
// Brute force

BruteForceRouter::BruteForceRouter(std::shared_ptr<const Directory> directory)
    : directory_(std::move(directory)) {
  RequireNoServiceAreas(*directory_, "BruteForceRouter");
}

std::vector<Referral> BruteForceRouter::Route(const Request& r, int k) const {
  KBest best(k);
  for (size_t p = 0; p < directory_->size(); ++p) {
    const ProviderInfo& info = directory_->provider(ProviderIndex(p));
    if (!SuitsApartFromModeAndDistance(info, r)) continue;
    const PhysicalOptions physical = PhysicalModes(info, r);
    const std::optional<Mode> remote = RemoteMode(info, r);
    bool any_class0 = false;
    if (physical.any()) {
      for (size_t l = 0; l < info.locations.size(); ++l) {
        const double d = HaversineMeters(r.position, info.locations[l].position);
        std::optional<Referral> referral = PhysicalReferral(
            info, r, physical, remote.has_value(), ProviderIndex(p), LocationIndex(l), d);
        if (!referral) continue;
        any_class0 = true;
        best.Offer({*referral, &info.id, &info.locations[l].id});
      }
    }
    if (remote && !any_class0) best.Offer({RemoteReferral(ProviderIndex(p), *remote), &info.id, nullptr});
  }
  return best.Take();
}

// ---------------------------------------------------------------------------------
// Boost.Geometry R*-tree

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

// Locations are indexed as points on the unit sphere in 3-D cartesian space: the
// chord length c is strictly increasing in the great-circle distance, so the tree's
// nearest order is the haversine order (up to rounding), and d = 2R·asin(c/2) >= R·c
// gives an exact lower bound to stop on. (Planar lon/lat would need a cos(lat)
// correction to stop correctly; geographic coordinates make every box distance a
// trigonometric computation.)
using Point3 = bg::model::point<double, 3, bg::cs::cartesian>;
using TreeValue = std::pair<Point3, uint32_t>;  // entry index

struct RtreeRouter::Index {
  struct Entry {
    ProviderIndex provider;
    LocationIndex location;
  };
  std::vector<Entry> entries;
  bgi::rtree<TreeValue, bgi::rstar<16>> tree;
  // Providers with capacity and a remote mode, in id order (the remote class's order).
  std::vector<ProviderIndex> remote_by_id;
  // Largest home-visit radius in the directory: how far any home visit can reach.
  double max_radius_m = 0;
};

namespace {

Point3 ToPoint3(LatLng p) {
  const double lat = p.lat_deg * std::numbers::pi / 180,
               lon = p.lon_deg * std::numbers::pi / 180;
  return Point3(std::cos(lat) * std::cos(lon), std::cos(lat) * std::sin(lon), std::sin(lat));
}

double ChordLowerBoundMeters(const Point3& a, const Point3& b) {
  const double dx = bg::get<0>(a) - bg::get<0>(b);
  const double dy = bg::get<1>(a) - bg::get<1>(b);
  const double dz = bg::get<2>(a) - bg::get<2>(b);
  return kEarthRadiusMeters * std::sqrt(dx * dx + dy * dy + dz * dz);
}

// Rounding in the unit vectors and the chord is ~1e-9 m; a millimetre keeps the
// stop conditions conservative.
constexpr double kSlackMeters = 1e-3;

}  // namespace

RtreeRouter::RtreeRouter(std::shared_ptr<const Directory> directory, Count count)
    : directory_(std::move(directory)), count_(count), index_(std::make_unique<Index>()) {
  RequireNoServiceAreas(*directory_, "RtreeRouter");
  std::vector<TreeValue> values;
  for (size_t p = 0; p < directory_->size(); ++p) {
    const ProviderInfo& info = directory_->provider(ProviderIndex(p));
    if (!HasCapacity(info)) continue;
    if (info.modes.Intersects(kRemoteModes)) index_->remote_by_id.push_back(ProviderIndex(p));
    if (!info.modes.Intersects(kPhysicalModes)) continue;
    if (info.modes.Contains(Mode::kHomeVisit)) {
      index_->max_radius_m = std::max(index_->max_radius_m, info.radius_km * 1000);
    }
    for (size_t l = 0; l < info.locations.size(); ++l) {
      values.emplace_back(ToPoint3(info.locations[l].position),
                          static_cast<uint32_t>(index_->entries.size()));
      index_->entries.push_back({ProviderIndex(p), LocationIndex(l)});
    }
  }
  std::sort(index_->remote_by_id.begin(), index_->remote_by_id.end(),
            [&](ProviderIndex a, ProviderIndex b) {
              return directory_->provider(a).id < directory_->provider(b).id;
            });
  // The range constructor packs the tree (bulk loading), as one would for a
  // read-only snapshot.
  index_->tree = bgi::rtree<TreeValue, bgi::rstar<16>>(values.begin(), values.end());
}

RtreeRouter::~RtreeRouter() = default;

std::vector<Referral> RtreeRouter::Route(const Request& r, int k) const {
  const Directory& directory = *directory_;
  KBest best(k);
  // How far a physical referral can be at most, whoever the provider.
  double reach = -1;
  if (r.modes.Contains(Mode::kInPerson)) reach = r.max_km * 1000;
  if (r.modes.Contains(Mode::kHomeVisit)) reach = std::max(reach, index_->max_radius_m);
  if (reach >= 0 && !index_->tree.empty()) {
    const Point3 q = ToPoint3(r.position);
    auto suits = [&](const TreeValue& v) {
      const ProviderInfo& info = directory.provider(index_->entries[v.second].provider);
      return SuitsApartFromModeAndDistance(info, r) && PhysicalModes(info, r).any();
    };
    // See Count: with kGrowing, a query that runs out of values before a stop
    // condition holds is started over with four times as many.
    const unsigned all = static_cast<unsigned>(index_->tree.size());
    for (unsigned count = count_ == Count::kAll
                              ? all
                              : std::min(all, 4u * static_cast<unsigned>(std::max(1, k)) + 16);;
         count = std::min(all, 4 * count)) {
      best.Clear();
      unsigned seen = 0;
      bool stopped = false;
      for (auto it = index_->tree.qbegin(bgi::nearest(q, count) && bgi::satisfies(suits));
           it != index_->tree.qend(); ++it) {
        ++seen;
        const double lower_bound = ChordLowerBoundMeters(q, it->first);
        // Past the worst kept cost + 0.5 m nothing rounds to a cost that could enter.
        if (lower_bound > reach + kSlackMeters ||
            (best.full() && lower_bound > static_cast<double>(best.worst().referral.cost_m) +
                                              0.5 + kSlackMeters)) {
          stopped = true;
          break;
        }
        const Index::Entry& e = index_->entries[it->second];
        const ProviderInfo& info = directory.provider(e.provider);
        const double d = HaversineMeters(r.position, info.locations[e.location.value()].position);
        std::optional<Referral> referral =
            PhysicalReferral(info, r, PhysicalModes(info, r), RemoteMode(info, r).has_value(),
                             e.provider, e.location, d);
        if (referral) best.Offer({*referral, &info.id, &info.locations[e.location.value()].id});
      }
      // Fewer than `count` values means the tree has no more that satisfy `suits`.
      if (stopped || seen < count || count == all) break;
    }
  }
  // The remote class. When fewer than k class-0 referrals were found, the walk above
  // saw every class-0 one, so "none of its locations is class 0" is decided by
  // looking at them.
  if (!best.full() && r.modes.Intersects(kRemoteModes)) {
    const int class0 = best.size();
    for (ProviderIndex p : index_->remote_by_id) {
      const ProviderInfo& info = directory.provider(ProviderIndex(p));
      const std::optional<Mode> mode = RemoteMode(info, r);
      if (!mode || !SuitsApartFromModeAndDistance(info, r)) continue;
      bool in_class0 = false;
      for (int i = 0; i < class0; ++i) in_class0 |= best.items()[i].referral.provider == p;
      if (in_class0) continue;
      best.Offer({RemoteReferral(p, *mode), &info.id, nullptr});
      if (best.full()) break;
    }
  }
  return best.Take();
}

}  // namespace wegwijzer::bench
