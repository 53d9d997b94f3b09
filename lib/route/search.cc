#include "route/search.h"

#include <algorithm>
#include <cmath>

#include "core/geo_internal.h"

namespace wegwijzer::internal {
namespace {

// The best `capacity` pairs, sorted.
class TopPairs {
 public:
  TopPairs(PhysicalPair* storage, int capacity, int64_t cost_below)
      : best_(storage), capacity_(capacity),
        cost_bound_(cost_below == std::numeric_limits<int64_t>::max()
                        ? std::numeric_limits<double>::infinity()
                        : static_cast<double>(cost_below) - 0.5) {}
  bool full() const { return size_ == capacity_; }
  int size() const { return size_; }
  // Distance beyond which no pair can enter any more: it would round above the
  // worst kept cost, or to the cost bound or above.
  double Bound() const {
    return full() ? std::min(cost_bound_, static_cast<double>(best_[capacity_ - 1].cost) + 0.5)
                  : cost_bound_;
  }
  void Offer(const PhysicalPair& c) {
    if (full() && !(c < best_[capacity_ - 1])) return;
    int i = full() ? capacity_ - 1 : size_++;
    while (i > 0 && c < best_[i - 1]) {
      best_[i] = best_[i - 1];
      --i;
    }
    best_[i] = c;
  }

 private:
  PhysicalPair* best_;
  int capacity_;
  double cost_bound_;
  int size_ = 0;
};

}  // namespace

Query CompileQuery(const Request& r, const DirectoryIndex& index) {
  Query q{};
  q.topics = r.topics.bits();
  q.languages = r.languages;
  q.modes = static_cast<uint8_t>(r.modes.bits());
  q.remote_modes = static_cast<uint8_t>((r.modes & kRemoteModes).bits());
  q.access = static_cast<uint8_t>(r.access.bits());
  q.service_access = static_cast<uint8_t>((r.access & kServiceFeatures).bits());
  q.max_m = r.max_km * 1000;
  q.municipality =
      r.municipality.empty() ? kNoMunicipality : index.FindMunicipality(r.municipality);
  q.position = r.position;
  q.cos_lat = CosLatitude(r.position.lat_deg);
  q.unit = ToUnitVector(r.position);
  q.age = r.age.value_or(-1);
  q.can_pay = r.can_pay;
  if (r.at) {
    q.timed = true;
    q.at = *r.at;
    // within_days 0: open at `at` itself, the window [at, at + 1 s).
    q.deadline = *r.at + std::max<int64_t>(int64_t{r.within_days} * 86400, 1);
    std::fill(std::begin(q.memo.id), std::end(q.memo.id), kNoHours);
    const HoursWindow& w = index.hours_window;
    if (q.at >= w.from && q.deadline <= w.to) {
      const int64_t first = w.LocalHour(q.at), last = w.LocalHour(q.deadline - 1);
      if (last - first + 1 < WeekHours::kHours) {
        q.by_week = true;
        q.week.AddRange(first, last - first + 1);
      }
    }
  }
  return q;
}

int SearchPhysical(const Query& q, const DirectoryIndex& index, const SearchLimits& limits,
                   PhysicalPair* best, int capacity) {
  const PhysicalEntries& e = index.physical;
  if (capacity <= 0 || index.tree.empty() || (q.modes & (kInPersonBit | kHomeVisitBit)) == 0) {
    return 0;
  }
  TopPairs top(best, capacity, limits.cost_below);
  struct Pending {
    uint32_t node;
    double chord2;  // squared chord from the request to the node's box
    double reach;   // metres
  };
  // A nearest-first depth-first walk holds at most one pending sibling per level
  // plus the current node; the tree is balanced, so 64 levels cover 2^64 entries.
  Pending stack[130];
  int depth = 0;
  const uint8_t classes = limits.capacity_classes;
  // No location under the node can be open in the request's window. Asked of the
  // root and of each leaf before its entries are scanned, not of every child pushed:
  // the masks are an array apart from the nodes, and a leaf is where a scan costs.
  auto closed = [&](uint32_t node) {
    return q.by_week && !index.tree_week[node].Intersects(q.week);
  };
  const double root_reach = NodeReach(q, classes, index.tree[0]);
  if (root_reach < 0 || closed(0)) return 0;
  stack[depth++] = {0, ChordSquared(q.unit, index.tree[0]), root_reach};
  while (depth > 0) {
    const Pending pending = stack[--depth];
    if (pending.chord2 > ChordSquaredLimit(std::min(pending.reach, top.Bound()))) continue;
    const TreeNode& node = index.tree[pending.node];
    if (node.left != 0) {
      const TreeNode& a = index.tree[node.left];
      const TreeNode& b = index.tree[node.right];
      Pending pa{node.left, ChordSquared(q.unit, a), NodeReach(q, classes, a)};
      Pending pb{node.right, ChordSquared(q.unit, b), NodeReach(q, classes, b)};
      if (pa.chord2 < pb.chord2) std::swap(pa, pb);  // nearer one on top
      if (pa.reach >= 0 && pa.chord2 <= ChordSquaredLimit(pa.reach)) stack[depth++] = pa;
      if (pb.reach >= 0 && pb.chord2 <= ChordSquaredLimit(pb.reach)) stack[depth++] = pb;
      continue;
    }
    if (closed(pending.node)) continue;
    double bound = top.Bound();
    for (uint32_t i = node.begin; i < node.end; ++i) {
      const EntryModes suits = SuitingModes(q, classes, e, i);
      if (!suits.any()) continue;
      const double reach = EntryReach(q, e, i, suits);
      const uint8_t modes = q.modes & e.modes[i];
      if (ChordSquared(q.unit, e.unit[i]) > ChordSquaredLimit(std::min(reach, bound))) {
        continue;
      }
      // Opening hours before the distance and the municipality checks: with the
      // request's memo by timetable the check is a lookup (a binary search the first
      // time a timetable is met), cheaper than the haversine it saves for a closed
      // location. (It was last, for kept pairs only, while every check was a binary
      // search: measured 1.21x / 1.20x the untimed time then, 6 runs at load 5-10.)
      if (q.timed && !OpenFor(q, index, e.hours[i])) continue;
      const uint32_t p = e.provider[i];
      if (!index.Serves(p, q.municipality) || !index.InServiceArea(p, q.position)) continue;
      if (!Eligible(q, index.rules[p])) continue;
      const EntryAtDistance at = AtDistance(q, e, i, suits);
      if (!at.modes.any()) continue;
      const int64_t cost = at.cost;
      // Dearer than a phone call that also suits: the pair ranks in the remote class.
      // (A phone line closed at the request's time does not take it over.)
      if (cost > limits.remote_cost && (modes & q.remote_modes) != 0 &&
          OpenFor(q, index, index.rules[p].hours)) {
        continue;
      }
      if (cost >= limits.cost_below) continue;
      const PhysicalPair pair{cost, e.tie_rank[i], i,
                              at.modes.in_person ? Mode::kInPerson : Mode::kHomeVisit,
                              at.distance};
      top.Offer(pair);
      bound = top.Bound();
    }
  }
  return top.size();
}

}  // namespace wegwijzer::internal
