#include "wegwijzer/directory.h"

#include <algorithm>
#include <limits>
#include <cmath>
#include <numbers>
#include <numeric>
#include <ctime>

#include "absl/container/flat_hash_set.h"
#include "core/text.h"
#include "directory/directory_index.h"
#include "core/geo_internal.h"
#include "core/proto_codes.h"
#include "core/rules.h"
#include "directory/service_area.h"
#include "wegwijzer/v1/directory.pb.h"
#include "wegwijzer/v1/openreferral.pb.h"

namespace wegwijzer {
namespace internal {

UnitVector ToUnitVector(LatLng p) {
  constexpr double kPi = std::numbers::pi;
  const double lat = p.lat_deg * kPi / 180, lon = p.lon_deg * kPi / 180;
  return {std::cos(lat) * std::cos(lon), std::cos(lat) * std::sin(lon), std::sin(lat)};
}

DirectoryIndex::DirectoryIndex() : service_areas(std::make_unique<ServiceAreas>()) {}
DirectoryIndex::~DirectoryIndex() = default;

bool DirectoryIndex::Serves(uint32_t p, uint32_t m) const {
  const ProviderRules& r = rules[p];
  if (r.municipalities_begin == r.municipalities_end) return true;
  if (m == kNoMunicipality) return false;
  return std::binary_search(municipality_ids.begin() + r.municipalities_begin,
                            municipality_ids.begin() + r.municipalities_end, m);
}

std::optional<int64_t> Timetable::NextOpen(int64_t t, int64_t deadline) const {
  if (t >= window_from && deadline <= window_to) {
    // The first close after t is at or after day_first[d] (closes after the day's
    // start) and at or before day_first[d + 1] (closes after the next day's start).
    const size_t d = static_cast<size_t>((t - window_from) / kDaySeconds);
    const auto it = std::upper_bound(closes.begin() + day_first[d],
                                     closes.begin() + day_first[d + 1], t);  // first close > t
    if (it == closes.end()) return std::nullopt;
    const int64_t next = std::max(opens[it - closes.begin()], t);
    if (next < deadline) return next;
    return std::nullopt;
  }
  const int64_t days = std::min<int64_t>((deadline - t) / kDaySeconds + 2, 400);
  std::optional<int64_t> next = hours.NextOpening(t, static_cast<int>(days));
  if (next && *next < deadline) return next;
  return std::nullopt;
}

void WeekHours::AddRange(int64_t first, int64_t count) {
  if (count <= 0) return;
  auto set = [this](int lo, int hi) {  // bits [lo, hi), 0 <= lo < hi <= kHours
    for (int w = 0; w < 3; ++w) {
      const int a = std::max(lo, 64 * w), b = std::min(hi, 64 * w + 64);
      if (a >= b) continue;
      const uint64_t ones = b - a == 64 ? ~uint64_t{0} : (uint64_t{1} << (b - a)) - 1;
      bits[w] |= ones << (a - 64 * w);
    }
  };
  if (count >= kHours) {
    set(0, kHours);
    return;
  }
  // 1970-01-01 was a Thursday: local hour 0 is hour 72 of its week.
  const int start = static_cast<int>(((first + 72) % kHours + kHours) % kHours);
  const int end = start + static_cast<int>(count);
  set(start, std::min(end, kHours));
  if (end > kHours) set(0, end - kHours);
}

int64_t HoursWindow::LocalHour(int64_t t) const {
  const int64_t local = t + OffsetAt(t);
  return local >= 0 ? local / 3600 : -((-local + 3599) / 3600);
}

bool DirectoryIndex::InServiceArea(uint32_t p, LatLng position) const {
  const uint32_t area = rules[p].service_area;
  return area == kNoServiceArea || service_areas->Contains(area, position);
}

namespace {

// Entries per leaf. 32 rather than 8: fewer nodes to bound and the leaf's arrays stay
// in a few cache lines (measured: 1.9 -> 1.6 us per route at 5,000 providers).
constexpr int kLeafSize = 32;

// Converts one provider from the protobuf model and checks it by the rules of
// core/rules.h (the same as providers.csv rows); the reason does not
// name the provider (the caller prefixes it).
absl::Status CompileProvider(const v1::Provider& p, ProviderInfo* info) {
  info->id = p.id();
  info->name = p.name();
  if (p.id().empty()) return absl::InvalidArgumentError("empty id");
  auto kind = FromProtoEnum<ProviderKind, kProviderKindCount>(p.kind());
  if (!kind) return absl::InvalidArgumentError(internal::Cat("unknown kind value ", p.kind()));
  info->kind = *kind;
  for (int t : p.topics()) {
    auto topic = FromProtoEnum<Topic, kTopicCount>(t);
    if (!topic) return absl::InvalidArgumentError(internal::Cat("unknown topic value ", t));
    info->topics.Add(*topic);
  }
  if (info->topics.empty()) return absl::InvalidArgumentError("no topics");
  for (const std::string& code : p.languages()) {
    auto language = Language::FromCode(code);
    if (!language) {
      return absl::InvalidArgumentError(internal::Cat("unknown language code '", code, "'"));
    }
    info->languages.Add(*language);
  }
  for (int m : p.modes()) {
    auto mode = FromProtoEnum<Mode, kModeCount>(m);
    if (!mode) return absl::InvalidArgumentError(internal::Cat("unknown mode value ", m));
    info->modes.Add(*mode);
  }
  ApplyProviderDefaults(&info->languages, &info->modes);
  for (int a : p.access()) {
    auto access = FromProtoEnum<Access, kAccessCount>(a);
    if (!access) return absl::InvalidArgumentError(internal::Cat("unknown access value ", a));
    info->access.Add(*access);
  }
  info->radius_km = p.radius_km();
  if (!kRadiusKmBounds.Contains(info->radius_km)) {
    return absl::InvalidArgumentError(
        internal::Cat("radius_km ", info->radius_km, " is outside ", kRadiusKmBounds.ToString()));
  }
  if (!HasRadiusForModes(info->modes, info->radius_km)) {
    return absl::InvalidArgumentError("offers home visits but radius_km is not > 0");
  }
  if (p.has_capacity()) {
    if (!IsValidCapacity(p.capacity())) {
      return absl::InvalidArgumentError(
          internal::Cat("capacity ", p.capacity(), " is negative"));
    }
    info->capacity = p.capacity();
  }
  if (!p.capacity_period().empty()) {
    const std::optional<CapacityPeriod> period = CapacityPeriodFromCode(p.capacity_period());
    if (!period) {
      return absl::InvalidArgumentError(internal::Cat(
          "capacity_period '", p.capacity_period(), "' is not referral, day, week or month"));
    }
    info->capacity_period = *period;
  }
  for (const std::string& code : p.municipalities()) {
    if (code.empty()) return absl::InvalidArgumentError("empty municipality code");
    info->municipalities.push_back(code);
  }
  absl::flat_hash_set<std::string> location_ids;
  for (int i = 0; i < p.locations_size(); ++i) {
    const v1::Location& l = p.locations(i);
    ProviderInfo::Location location;
    location.id = l.id().empty() ? p.id() : l.id();
    location.name = l.name();
    if (!l.has_position()) {
      return absl::InvalidArgumentError(internal::Cat("location '", location.id,
                                                     "' has no position"));
    }
    location.position = {l.position().lat_deg(), l.position().lon_deg()};
    if (!location.position.IsValid()) {
      return absl::InvalidArgumentError(internal::Cat(
          "location '", location.id, "' position (", location.position.lat_deg, ", ",
          location.position.lon_deg, ") is not finite or out of range"));
    }
    if (!location_ids.insert(location.id).second) {
      return absl::InvalidArgumentError(
          internal::Cat("duplicate location id '", location.id, "'"));
    }
    info->locations.push_back(std::move(location));
  }
  if (NeedsLocation(info->modes) && info->locations.empty()) {
    return absl::InvalidArgumentError(
        "offers a physical mode (in_person or home_visit) but has no location");
  }
  info->has_service_area = p.has_service_area();
  if (p.has_minimum_age()) info->minimum_age = p.minimum_age();
  if (p.has_maximum_age()) info->maximum_age = p.maximum_age();
  for (const auto& [name, age] : {std::pair<std::string_view, std::optional<double>>{
                                      "minimum_age", info->minimum_age},
                                  {"maximum_age", info->maximum_age}}) {
    if (age && !kAgeBounds.Contains(*age)) {
      return absl::InvalidArgumentError(
          internal::Cat(name, " ", *age, " is outside ", kAgeBounds.ToString()));
    }
  }
  if (info->minimum_age && info->maximum_age && *info->minimum_age > *info->maximum_age) {
    return absl::InvalidArgumentError(internal::Cat("minimum_age ", *info->minimum_age,
                                                    " is above maximum_age ",
                                                    *info->maximum_age));
  }
  info->charges_fee = p.charges_fee();
  return absl::OkStatus();
}

// Compiles opening hours once per distinct timetable (schedules and closure rules).
class TimetableCompiler {
 public:
  // Precomputes [base - 8 days, base + 400 days), which it writes to `window`.
  TimetableCompiler(int64_t base, HoursWindow* window, std::vector<Timetable>* out)
      : from_(base - 8 * kDaySeconds), to_(base + 400 * kDaySeconds), window_(window),
        out_(out) {
    window->from = from_;
    window->to = to_;
    window->first_offset = AmsterdamUtcOffsetSeconds(from_);
    window->changes.clear();
    // A day at a time; within a day whose offset differs at its end, the first
    // second that differs (the offset changes at most once a day).
    int offset = window->first_offset;
    for (int64_t day = from_; day < to_; day += kDaySeconds) {
      const int64_t end = std::min(day + kDaySeconds, to_ - 1);
      if (AmsterdamUtcOffsetSeconds(end) == offset) continue;
      int64_t lo = day, hi = end;  // offset(lo) == offset, offset(hi) != offset
      while (hi - lo > 1) {
        const int64_t mid = lo + (hi - lo) / 2;
        (AmsterdamUtcOffsetSeconds(mid) == offset ? lo : hi) = mid;
      }
      window->changes.push_back(hi);
      offset = AmsterdamUtcOffsetSeconds(hi);
    }
  }

  // The timetable of `schedules` under the provider's rules, or kNoHours for none.
  absl::StatusOr<uint32_t> Add(const google::protobuf::RepeatedPtrField<v1::HsdsSchedule>& schedules,
                               const v1::Provider& p) {
    if (schedules.empty()) return kNoHours;
    std::string key = internal::Cat(p.open_on_public_holidays() ? "H" : "h",
                                    p.closed_on_bevrijdingsdag() ? "B" : "b");
    for (const v1::ClosureRange& c : p.closures()) {
      internal::Append(&key, c.from_date(), "/", c.to_date(), ";");
    }
    for (const v1::HsdsSchedule& row : schedules) {
      const std::string bytes = row.SerializeAsString();
      internal::Append(&key, "|", bytes.size(), ":", bytes);
    }
    if (auto it = by_key_.find(key); it != by_key_.end()) return it->second;
    OpeningHours::Options options;
    options.closed_on_public_holidays = !p.open_on_public_holidays();
    options.closed_on_bevrijdingsdag = p.closed_on_bevrijdingsdag();
    for (const v1::ClosureRange& c : p.closures()) {
      std::optional<CivilDate> a = ParseIsoDate(c.from_date()), b = ParseIsoDate(c.to_date());
      if (!a || !b) {
        return absl::InvalidArgumentError(internal::Cat(
            "closure '", a ? c.to_date() : c.from_date(), "' is not a date (YYYY-MM-DD)"));
      }
      options.closures.emplace_back(*a, *b);
    }
    std::vector<const v1::HsdsSchedule*> rows;
    for (const v1::HsdsSchedule& row : schedules) rows.push_back(&row);
    absl::StatusOr<OpeningHours> hours = OpeningHours::Create(rows, std::move(options));
    if (!hours.ok()) return hours.status();
    Timetable t(*std::move(hours));
    Precompute(&t);
    const uint32_t id = static_cast<uint32_t>(out_->size());
    out_->push_back(std::move(t));
    by_key_.emplace(std::move(key), id);
    return id;
  }

 private:
  static constexpr int64_t kDaySeconds = 86400;
  // Beyond this many intervals in all (16 bytes each) further timetables are
  // answered from their rules only: bounded memory for any snapshot.
  static constexpr size_t kMaxIntervals = size_t{8} << 20;

  void Precompute(Timetable* t) {
    std::vector<std::pair<int64_t, int64_t>> all;
    // Local days from the day before the window (hours past midnight) to the day
    // after it (a UTC offset of up to 2 hours).
    const int64_t first = from_ / kDaySeconds - 1, last = to_ / kDaySeconds + 1;
    for (int64_t day = first; day <= last; ++day) {
      for (const auto& interval : t->hours.IntervalsOn(CivilFromDays(day))) {
        all.push_back(interval);
      }
    }
    if (total_ + all.size() > kMaxIntervals) return;
    std::sort(all.begin(), all.end());
    for (const auto& [open, close] : all) {
      if (close <= open) continue;
      if (!t->closes.empty() && open <= t->closes.back()) {
        t->closes.back() = std::max(t->closes.back(), close);
      } else {
        t->opens.push_back(open);
        t->closes.push_back(close);
      }
    }
    total_ += t->opens.size();
    t->window_from = from_;
    t->window_to = to_;
    t->week = WeekHours();
    for (size_t i = 0; i < t->opens.size(); ++i) {
      const int64_t open = std::max(t->opens[i], from_), close = std::min(t->closes[i], to_);
      if (open >= close) continue;
      // Local hours only move forward (the offset changes on a whole UTC hour), so
      // the hours from the first's to the last's cover the interval.
      const int64_t first = window_->LocalHour(open);
      t->week.AddRange(first, window_->LocalHour(close - 1) - first + 1);
    }
    const int64_t days = (to_ - from_) / kDaySeconds;
    t->day_first.resize(static_cast<size_t>(days) + 1);
    size_t i = 0;
    for (int64_t d = 0; d <= days; ++d) {
      const int64_t start = from_ + d * kDaySeconds;
      while (i < t->closes.size() && t->closes[i] <= start) ++i;
      t->day_first[static_cast<size_t>(d)] = static_cast<uint32_t>(i);
    }
  }

  int64_t from_, to_;
  const HoursWindow* window_;
  size_t total_ = 0;
  std::vector<Timetable>* out_;
  absl::flat_hash_map<std::string, uint32_t> by_key_;
};

// Builds a kd-tree over `order` (entry ids into `staged`) in place; node ranges are
// contiguous, so the final leaf order is the permutation of `order`.
struct TreeBuilder {
  const std::vector<UnitVector>& unit;
  std::vector<uint32_t>& order;
  std::vector<TreeNode>& tree;

  uint32_t Build(uint32_t begin, uint32_t end) {
    const uint32_t id = static_cast<uint32_t>(tree.size());
    tree.emplace_back();
    UnitVector lo{1e9, 1e9, 1e9}, hi{-1e9, -1e9, -1e9};
    for (uint32_t i = begin; i < end; ++i) {
      const UnitVector& u = unit[order[i]];
      lo = {std::min(lo.x, u.x), std::min(lo.y, u.y), std::min(lo.z, u.z)};
      hi = {std::max(hi.x, u.x), std::max(hi.y, u.y), std::max(hi.z, u.z)};
    }
    tree[id].lo = lo;
    tree[id].hi = hi;
    tree[id].begin = begin;
    tree[id].end = end;
    if (end - begin <= kLeafSize) return id;
    const double ex = hi.x - lo.x, ey = hi.y - lo.y, ez = hi.z - lo.z;
    const int axis = ex >= ey && ex >= ez ? 0 : (ey >= ez ? 1 : 2);
    auto coord = [&](uint32_t e) {
      const UnitVector& u = unit[e];
      return axis == 0 ? u.x : axis == 1 ? u.y : u.z;
    };
    const uint32_t mid = begin + (end - begin) / 2;
    // Ties broken by entry id so the tree (and so every answer) is deterministic.
    std::nth_element(order.begin() + begin, order.begin() + mid, order.begin() + end,
                     [&](uint32_t a, uint32_t b) {
                       const double ca = coord(a), cb = coord(b);
                       return ca < cb || (ca == cb && a < b);
                     });
    const uint32_t left = Build(begin, mid);
    const uint32_t right = Build(mid, end);
    tree[id].left = left;
    tree[id].right = right;
    return id;
  }
};

void BuildPhysical(const std::vector<ProviderInfo>& providers, DirectoryIndex* index) {
  struct Staged {
    uint32_t provider, location;
  };
  std::vector<Staged> staged;
  for (uint32_t p = 0; p < providers.size(); ++p) {
    const ProviderInfo& info = providers[p];
    if (!index->rules[p].has_capacity || !info.modes.Intersects(kPhysicalModes)) continue;
    for (uint32_t l = 0; l < info.locations.size(); ++l) staged.push_back({p, l});
  }
  // Tie rank: byte order of (provider id, location id).
  std::vector<uint32_t> by_id(staged.size());
  std::iota(by_id.begin(), by_id.end(), 0);
  std::sort(by_id.begin(), by_id.end(), [&](uint32_t a, uint32_t b) {
    const ProviderInfo& pa = providers[staged[a].provider];
    const ProviderInfo& pb = providers[staged[b].provider];
    if (int c = pa.id.compare(pb.id); c != 0) return c < 0;
    return pa.locations[staged[a].location].id < pb.locations[staged[b].location].id;
  });
  std::vector<uint32_t> rank(staged.size());
  for (uint32_t r = 0; r < by_id.size(); ++r) rank[by_id[r]] = r;

  std::vector<UnitVector> unit(staged.size());
  for (uint32_t i = 0; i < staged.size(); ++i) {
    unit[i] = ToUnitVector(
        providers[staged[i].provider].locations[staged[i].location].position);
  }
  std::vector<uint32_t> order(staged.size());
  std::iota(order.begin(), order.end(), 0);
  index->tree.reserve(2 * staged.size() / kLeafSize + 2);
  if (!staged.empty()) {
    TreeBuilder{unit, order, index->tree}.Build(0, static_cast<uint32_t>(staged.size()));
  }

  PhysicalEntries& e = index->physical;
  const size_t n = staged.size();
  e.position.resize(n);
  e.cos_lat.resize(n);
  e.unit.resize(n);
  e.topics.resize(n);
  e.languages.resize(n);
  e.modes.resize(n);
  e.access.resize(n);
  e.radius_m.resize(n);
  e.provider.resize(n);
  e.location.resize(n);
  e.tie_rank.resize(n);
  e.capacity_class.resize(n);
  e.hours.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const Staged& s = staged[order[i]];
    const ProviderInfo& info = providers[s.provider];
    e.position[i] = info.locations[s.location].position;
    e.cos_lat[i] = CosLatitude(e.position[i].lat_deg);
    e.unit[i] = unit[order[i]];
    e.topics[i] = info.topics.bits();
    e.languages[i] = info.languages;
    e.modes[i] = static_cast<uint8_t>(info.modes.bits());
    e.access[i] = static_cast<uint8_t>(info.access.bits());
    e.radius_m[i] = info.modes.Contains(Mode::kHomeVisit) ? info.radius_km * 1000 : 0;
    e.provider[i] = s.provider;
    e.location[i] = s.location;
    e.tie_rank[i] = rank[order[i]];
    e.capacity_class[i] = index->rules[s.provider].capacity_class;
    e.hours[i] = index->table.location_hours[index->table.location_begin[s.provider] + s.location];
  }
  // Node unions, children before parents (children have larger ids).
  index->tree_week.assign(index->tree.size(), WeekHours());
  for (size_t id = index->tree.size(); id-- > 0;) {
    TreeNode& node = index->tree[id];
    WeekHours& week = index->tree_week[id];
    if (node.left != 0) {
      week = index->tree_week[node.left];
      week |= index->tree_week[node.right];
    } else {
      for (uint32_t i = node.begin; i < node.end; ++i) {
        week |= e.hours[i] == kNoHours ? WeekHours::All() : index->timetables[e.hours[i]].week;
      }
    }
    for (uint32_t i = node.begin; i < node.end; ++i) {
      node.topics |= e.topics[i];
      node.modes |= e.modes[i];
      node.access |= e.access[i];
      node.languages |= e.languages[i];
      node.capacity_classes |= e.capacity_class[i];
      node.max_radius_m = std::max(node.max_radius_m, e.radius_m[i]);
    }
  }
}

void BuildRemote(const std::vector<ProviderInfo>& providers, DirectoryIndex* index) {
  RemoteEntries& r = index->remote;
  for (uint32_t p = 0; p < providers.size(); ++p) {
    if (index->rules[p].has_capacity && providers[p].modes.Intersects(kRemoteModes)) {
      r.provider.push_back(p);
    }
  }
  std::sort(r.provider.begin(), r.provider.end(),
            [&](uint32_t a, uint32_t b) { return providers[a].id < providers[b].id; });
  const size_t n = r.size();
  for (uint32_t p : r.provider) {
    r.topics.push_back(providers[p].topics.bits());
    r.languages.push_back(providers[p].languages);
    r.modes.push_back(static_cast<uint8_t>(providers[p].modes.bits()));
    r.access.push_back(static_cast<uint8_t>(providers[p].access.bits()));
    r.capacity_class.push_back(index->rules[p].capacity_class);
  }
  for (size_t b = 0; b < n; b += kRemoteBlock) {
    uint32_t topics = 0;
    uint8_t modes = 0, access = 0, classes = 0;
    LanguageSet languages;
    for (size_t i = b; i < std::min(n, b + kRemoteBlock); ++i) {
      classes |= r.capacity_class[i];
      topics |= r.topics[i];
      modes |= r.modes[i];
      access |= r.access[i];
      languages |= r.languages[i];
    }
    r.block_topics.push_back(topics);
    r.block_modes.push_back(modes);
    r.block_access.push_back(access);
    r.block_languages.push_back(languages);
    r.block_capacity_classes.push_back(classes);
  }
}

}  // namespace
}  // namespace internal

Directory::Directory() = default;
Directory::~Directory() = default;

absl::StatusOr<std::shared_ptr<const Directory>> Directory::Create(
    const v1::DirectorySnapshot& snapshot) {
  std::shared_ptr<Directory> d(new Directory());
  d->snapshot_ = std::make_unique<v1::DirectorySnapshot>(snapshot);
  d->index_ = std::make_unique<internal::DirectoryIndex>();
  internal::DirectoryIndex& index = *d->index_;
  const int n = snapshot.providers_size();
  d->providers_.resize(n);
  index.rules.resize(n);
  absl::flat_hash_map<std::string_view, int> seen;
  seen.reserve(n);
  // Timetables span days around this moment: a moment beyond the years a time may
  // have would overflow them (a fuzzer finding).
  if (snapshot.created_unix_seconds() != 0 && !internal::AtInRange(snapshot.created_unix_seconds())) {
    return absl::InvalidArgumentError(internal::Cat(
        snapshot.source().empty() ? "" : internal::Cat(snapshot.source(), ": "),
        "created_unix_seconds ", snapshot.created_unix_seconds(), " is outside ",
        internal::kAtRangeText));
  }
  internal::TimetableCompiler timetables(
      snapshot.created_unix_seconds() != 0 ? snapshot.created_unix_seconds()
                                           : static_cast<int64_t>(std::time(nullptr)),
      &index.hours_window, &index.timetables);
  std::vector<uint32_t> location_hours;  // by provider, then location
  for (int i = 0; i < n; ++i) {
    const v1::Provider& p = snapshot.providers(i);
    ProviderInfo& info = d->providers_[i];
    auto fail = [&](const absl::Status& s) {
      return absl::InvalidArgumentError(internal::Cat(
          snapshot.source().empty() ? "" : internal::Cat(snapshot.source(), ": "),
          "provider #", i + 1, " '", p.id(), "': ", s.message()));
    };
    if (absl::Status s = internal::CompileProvider(p, &info); !s.ok()) return fail(s);
    if (auto [it, inserted] = seen.emplace(p.id(), i); !inserted) {
      return fail(absl::InvalidArgumentError(
          internal::Cat("duplicate id (first used by provider #", it->second + 1, ")")));
    }
    internal::ProviderRules& rules = index.rules[i];
    rules.modes = info.modes;
    rules.has_capacity = !info.capacity.has_value() || *info.capacity > 0;
    rules.capacity_class =
        info.capacity.has_value() ? internal::kLimitedCapacity : internal::kUnlimitedCapacity;
    rules.municipalities_begin = static_cast<uint32_t>(index.municipality_ids.size());
    for (const std::string& code : info.municipalities) {
      auto [it, inserted] = index.municipality_by_code.emplace(
          code, static_cast<uint32_t>(index.municipality_by_code.size()));
      index.municipality_ids.push_back(it->second);
    }
    rules.municipalities_end = static_cast<uint32_t>(index.municipality_ids.size());
    std::sort(index.municipality_ids.begin() + rules.municipalities_begin,
              index.municipality_ids.end());
    if (p.has_service_area()) {
      absl::StatusOr<uint32_t> area = index.service_areas->Add(p.service_area());
      if (!area.ok()) return fail(area.status());
      rules.service_area = *area;
    }
    rules.charges_fee = info.charges_fee;
    if (info.minimum_age) rules.minimum_age = *info.minimum_age;
    if (info.maximum_age) rules.maximum_age = *info.maximum_age;
    absl::StatusOr<uint32_t> hours = timetables.Add(p.schedules(), p);
    if (!hours.ok()) return fail(hours.status());
    rules.hours = *hours;
    info.has_opening_hours = rules.hours != internal::kNoHours;
    for (int l = 0; l < p.locations_size(); ++l) {
      absl::StatusOr<uint32_t> own = timetables.Add(p.locations(l).schedules(), p);
      if (!own.ok()) {
        return fail(absl::InvalidArgumentError(internal::Cat(
            "location '", info.locations[l].id, "': ", own.status().message())));
      }
      location_hours.push_back(*own != internal::kNoHours ? *own : rules.hours);
      info.has_opening_hours = info.has_opening_hours || *own != internal::kNoHours;
    }
  }
  index.table.location_hours = std::move(location_hours);
  internal::ProviderTable& table = index.table;
  table.location_begin.push_back(0);
  for (const ProviderInfo& info : d->providers_) {
    table.topics.push_back(info.topics.bits());
    table.languages.push_back(info.languages);
    table.modes.push_back(static_cast<uint8_t>(info.modes.bits()));
    table.access.push_back(static_cast<uint8_t>(info.access.bits()));
    table.radius_m.push_back(info.radius_km * 1000);
    for (const ProviderInfo::Location& l : info.locations) table.positions.push_back(l.position);
    table.location_begin.push_back(static_cast<uint32_t>(table.positions.size()));
  }
  internal::BuildPhysical(d->providers_, &index);
  internal::BuildRemote(d->providers_, &index);
  index.provider_by_id.reserve(n);
  for (int i = 0; i < n; ++i) index.provider_by_id.emplace(d->providers_[i].id, i);
  return std::shared_ptr<const Directory>(std::move(d));
}

absl::StatusOr<std::shared_ptr<const Directory>> Directory::FromSerialized(
    std::string_view bytes, std::string_view source_name) {
  v1::DirectorySnapshot snapshot;
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !snapshot.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError(internal::Cat(
        source_name, ": not a wegwijzer.v1.DirectorySnapshot (", bytes.size(),
        " bytes could not be parsed)"));
  }
  absl::StatusOr<std::shared_ptr<const Directory>> directory = Create(snapshot);
  if (!directory.ok() && snapshot.source().empty()) {
    return absl::Status(directory.status().code(),
                        internal::Cat(source_name, ": ", directory.status().message()));
  }
  return directory;
}

const v1::DirectorySnapshot& Directory::snapshot() const { return *snapshot_; }

std::optional<ProviderIndex> Directory::Find(std::string_view provider_id) const {
  const auto& by_id = index_->provider_by_id;
  auto it = by_id.find(internal::ToAbsl(provider_id));
  if (it == by_id.end()) return std::nullopt;
  return ProviderIndex(it->second);
}

}  // namespace wegwijzer
