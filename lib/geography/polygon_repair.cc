#include "geography/polygon_repair.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "core/text.h"

namespace wegwijzer::internal {
namespace {

namespace bg = boost::geometry;

double Orient(const GeoPoint& a, const GeoPoint& b, const GeoPoint& c) {
  return (b.x() - a.x()) * (c.y() - a.y()) - (b.y() - a.y()) * (c.x() - a.x());
}

// Parameter of `p` along a→b (p assumed on the line).
double ParamOn(const GeoPoint& a, const GeoPoint& b, const GeoPoint& p) {
  const double dx = b.x() - a.x(), dy = b.y() - a.y();
  return ((p.x() - a.x()) * dx + (p.y() - a.y()) * dy) / (dx * dx + dy * dy);
}

bool SamePoint(const GeoPoint& a, const GeoPoint& b) { return a.x() == b.x() && a.y() == b.y(); }

GeoPolygon LoopPolygon(const std::vector<GeoPoint>& loop) {
  GeoPolygon polygon;
  polygon.outer().assign(loop.begin(), loop.end());
  bg::correct(polygon);
  return polygon;
}

// Combines `items` with `op` as a balanced binary tree: with L items and N vertices in
// all, O(log L) levels of operations over O(N) vertices each, where folding them in
// order would redo the growing result L times. Consumes `items`.
template <typename Op>
GeoMultiPolygon Reduce(std::vector<GeoMultiPolygon> items, Op op) {
  if (items.empty()) return {};
  while (items.size() > 1) {
    std::vector<GeoMultiPolygon> next;
    next.reserve((items.size() + 1) / 2);
    for (size_t i = 0; i + 1 < items.size(); i += 2) {
      GeoMultiPolygon combined;
      op(items[i], items[i + 1], combined);
      next.push_back(std::move(combined));
    }
    if (items.size() % 2 == 1) next.push_back(std::move(items.back()));
    items = std::move(next);
  }
  return std::move(items.front());
}

// Up to this many operands, set operations are folded in order, exactly as before the
// tree (the published files' repairs stay bit-identical); beyond it, a tree.
constexpr size_t kFoldInOrder = 8;

GeoMultiPolygon UnionAll(std::vector<GeoMultiPolygon> items) {
  if (items.size() <= kFoldInOrder) {
    GeoMultiPolygon area;
    for (GeoMultiPolygon& item : items) {
      if (area.empty()) {
        area = std::move(item);
        continue;
      }
      GeoMultiPolygon next;
      bg::union_(area, item, next);
      area = std::move(next);
    }
    return area;
  }
  return Reduce(std::move(items), [](const GeoMultiPolygon& a, const GeoMultiPolygon& b,
                                     GeoMultiPolygon& out) { bg::union_(a, b, out); });
}

// The even-odd area of a ring: the symmetric difference of its simple loops.
absl::StatusOr<GeoMultiPolygon> EvenOddArea(
    const std::vector<GeoPoint>& ring, const RepairLimits& limits, size_t* edge_pairs_left,
    std::vector<std::vector<GeoPoint>>* loops_out = nullptr) {
  absl::StatusOr<std::vector<std::vector<GeoPoint>>> loops =
      SplitIntoSimpleLoops(ring, limits, edge_pairs_left);
  if (!loops.ok()) return loops.status();
  std::vector<GeoMultiPolygon> pieces;
  for (const std::vector<GeoPoint>& loop : *loops) {
    GeoPolygon polygon = LoopPolygon(loop);
    if (bg::area(polygon) <= 0) continue;  // a doubled-back sliver with no area
    pieces.push_back(GeoMultiPolygon{std::move(polygon)});
  }
  if (loops_out != nullptr) *loops_out = *std::move(loops);
  if (pieces.size() <= kFoldInOrder) {
    GeoMultiPolygon area;
    for (GeoMultiPolygon& piece : pieces) {
      if (area.empty()) {
        area = std::move(piece);
        continue;
      }
      GeoMultiPolygon next;
      bg::sym_difference(area, piece.front(), next);
      area = std::move(next);
    }
    return area;
  }
  return Reduce(std::move(pieces),
                [](const GeoMultiPolygon& a, const GeoMultiPolygon& b, GeoMultiPolygon& out) {
                  bg::sym_difference(a, b, out);
                });
}

std::string Where(const GeoPoint& p) { return absl::StrFormat("(%.5f, %.5f)", p.y(), p.x()); }

// A point as a hash key; +0.0 folds -0.0 into 0.0, which SamePoint treats as equal.
std::pair<double, double> Key(const GeoPoint& p) { return {p.x() + 0.0, p.y() + 0.0}; }

}  // namespace

absl::StatusOr<std::vector<std::vector<GeoPoint>>> SplitIntoSimpleLoops(
    const std::vector<GeoPoint>& ring, const RepairLimits& limits, size_t* edge_pairs_left) {
  size_t local_budget = limits.max_repair_edge_pairs;
  size_t& pairs_left = edge_pairs_left != nullptr ? *edge_pairs_left : local_budget;
  // Vertices without the closing point and without consecutive repeats.
  std::vector<GeoPoint> pts;
  pts.reserve(ring.size());
  for (size_t i = 0; i + 1 < ring.size(); ++i) {
    if (pts.empty() || !SamePoint(pts.back(), ring[i])) pts.push_back(ring[i]);
  }
  while (pts.size() > 1 && SamePoint(pts.front(), pts.back())) pts.pop_back();
  const size_t n = pts.size();
  if (n < 3) return std::vector<std::vector<GeoPoint>>{};

  // Node the ring: every crossing or touching of two edges becomes a vertex of both.
  std::vector<std::vector<std::pair<double, GeoPoint>>> inserts(n);
  size_t insert_count = 0;
  auto edge = [&](size_t i) { return std::pair{pts[i], pts[(i + 1) % n]}; };
  auto insert_if_inside = [&](size_t i, const GeoPoint& p) {
    const auto [a, b] = edge(i);
    const double t = ParamOn(a, b, p);
    if (t > 0 && t < 1 && !SamePoint(p, a) && !SamePoint(p, b)) {
      inserts[i].push_back({t, p});
      ++insert_count;
    }
  };
  // The test for one pair, i < j (the orientation of the formulas matters for
  // bit-identical crossing points, so the pair is always taken in index order).
  auto node_pair = [&](size_t i, size_t j) {
    const auto [a, b] = edge(i);
    const auto [c, d] = edge(j);
    const double d1 = Orient(a, b, c), d2 = Orient(a, b, d);
    const double d3 = Orient(c, d, a), d4 = Orient(c, d, b);
    if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) &&
        ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) {
      const double t = d3 / (d3 - d4);
      const GeoPoint p(a.x() + t * (b.x() - a.x()), a.y() + t * (b.y() - a.y()));
      inserts[i].push_back({t, p});
      inserts[j].push_back({ParamOn(c, d, p), p});
      insert_count += 2;
      return;
    }
    // Touching (and collinear overlap): an endpoint of one edge on the other.
    if (d1 == 0) insert_if_inside(i, c);
    if (d2 == 0) insert_if_inside(i, d);
    if (d3 == 0) insert_if_inside(j, a);
    if (d4 == 0) insert_if_inside(j, b);
  };
  // The sweep: edges in order of their smallest x; `active` holds the edges whose
  // x-range reaches the current one. Two edges can only meet if their closed
  // bounding boxes do, so every pair the all-pairs test would node is compared here.
  struct Box {
    double xmin, xmax, ymin, ymax;
  };
  std::vector<Box> boxes(n);
  std::vector<uint32_t> order(n);
  for (size_t i = 0; i < n; ++i) {
    const auto [a, b] = edge(i);
    boxes[i] = {std::min(a.x(), b.x()), std::max(a.x(), b.x()), std::min(a.y(), b.y()),
                std::max(a.y(), b.y())};
    order[i] = static_cast<uint32_t>(i);
  }
  std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
    return boxes[x].xmin < boxes[y].xmin || (boxes[x].xmin == boxes[y].xmin && x < y);
  });
  std::vector<uint32_t> active;
  for (const uint32_t s : order) {
    const Box& bs = boxes[s];
    if (active.size() > pairs_left) {
      return absl::ResourceExhaustedError(absl::StrFormat(
          "the ring of %d vertices needs more than %d edge comparisons to find its "
          "self-crossings (GazetteerLimits::max_repair_edge_pairs; raise it to repair this ring)",
          n, limits.max_repair_edge_pairs));
    }
    pairs_left -= active.size();
    size_t kept = 0;
    for (size_t k = 0; k < active.size(); ++k) {
      const uint32_t t = active[k];
      if (boxes[t].xmax < bs.xmin) continue;  // ends before this edge begins: retire it
      active[kept++] = t;
      if (boxes[t].ymax < bs.ymin || bs.ymax < boxes[t].ymin) continue;
      node_pair(std::min(s, t), std::max(s, t));
    }
    active.resize(kept);
    active.push_back(s);
    if (insert_count > limits.max_ring_crossings) {
      return absl::ResourceExhaustedError(absl::StrFormat(
          "the ring of %d vertices crosses or touches itself more than %d times "
          "(GazetteerLimits::max_ring_crossings; raise it to repair this ring)",
          n, limits.max_ring_crossings));
    }
  }

  std::vector<GeoPoint> sequence;
  sequence.reserve(n + insert_count + 1);
  for (size_t i = 0; i < n; ++i) {
    sequence.push_back(pts[i]);
    // By parameter, ties by position: the order must not depend on the order in
    // which the sweep found the crossings.
    std::sort(inserts[i].begin(), inserts[i].end(), [](const auto& x, const auto& y) {
      if (x.first != y.first) return x.first < y.first;
      if (x.second.x() != y.second.x()) return x.second.x() < y.second.x();
      return x.second.y() < y.second.y();
    });
    for (const auto& [t, p] : inserts[i]) {
      if (!SamePoint(sequence.back(), p)) sequence.push_back(p);
    }
  }
  sequence.push_back(pts[0]);

  // Walk the noded ring; whenever it returns to a point already on the stack, the
  // stretch since then is a loop of its own. The stack's points are distinct, so a
  // hash map from point to stack position finds the return in O(1); each point is
  // pushed and popped once, so the walk is linear.
  std::vector<std::vector<GeoPoint>> loops;
  std::vector<GeoPoint> stack;
  absl::flat_hash_map<std::pair<double, double>, size_t> on_stack;
  on_stack.reserve(sequence.size());
  for (const GeoPoint& p : sequence) {
    auto seen = on_stack.find(Key(p));
    if (seen == on_stack.end()) {
      on_stack.emplace(Key(p), stack.size());
      stack.push_back(p);
      continue;
    }
    const size_t at = seen->second;
    std::vector<GeoPoint> loop(stack.begin() + at, stack.end());
    loop.push_back(p);
    for (size_t k = at + 1; k < stack.size(); ++k) on_stack.erase(Key(stack[k]));
    stack.resize(at + 1);
    if (loop.size() >= 4) loops.push_back(std::move(loop));
  }
  return loops;
}

double ApproximateAreaSquareMeters(const GeoMultiPolygon& geometry) {
  bg::model::box<GeoPoint> box;
  bg::envelope(geometry, box);
  const double mean_lat = (box.min_corner().y() + box.max_corner().y()) / 2;
  constexpr double kMetersPerDegree = kEarthRadiusMeters * std::numbers::pi / 180;
  return bg::area(geometry) * kMetersPerDegree * kMetersPerDegree *
         std::cos(mean_lat * std::numbers::pi / 180);
}

absl::StatusOr<RepairOutcome> MakeValid(const std::vector<GeoJsonPolygon>& parts,
                                        const RepairLimits& limits,
                                        size_t* shared_edge_pairs_left) {
  RepairOutcome outcome;
  size_t local_edge_pairs_left = limits.max_repair_edge_pairs;
  size_t& edge_pairs_left =
      shared_edge_pairs_left != nullptr ? *shared_edge_pairs_left : local_edge_pairs_left;
  for (const GeoJsonPolygon& part : parts) {
    GeoPolygon& polygon = outcome.geometry.emplace_back();
    for (size_t r = 0; r < part.rings.size(); ++r) {
      auto& ring = r == 0 ? polygon.outer() : polygon.inners().emplace_back();
      for (const LatLng& p : part.rings[r]) ring.emplace_back(p.lon_deg, p.lat_deg);
    }
  }
  bg::correct(outcome.geometry);
  if (bg::is_valid(outcome.geometry, outcome.problem)) {
    outcome.problem.clear();
    return outcome;
  }
  outcome.was_valid = false;

  // Describe what is wrong in terms a reader can check on a map, then rebuild.
  std::vector<std::string> found;
  std::vector<GeoMultiPolygon> part_areas;  // each part after repair
  auto failed = [](size_t part, std::string_view ring, const absl::Status& status) {
    return absl::Status(status.code(),
                        absl::StrFormat("part %d %s: %s", part, ring, status.message()));
  };
  for (size_t p = 0; p < outcome.geometry.size(); ++p) {
    const GeoPolygon& polygon = outcome.geometry[p];
    const std::vector<GeoPoint> outer(polygon.outer().begin(), polygon.outer().end());
    std::vector<std::vector<GeoPoint>> outer_loops;
    absl::StatusOr<GeoMultiPolygon> exterior =
        EvenOddArea(outer, limits, &edge_pairs_left, &outer_loops);
    if (!exterior.ok()) return failed(p, "exterior", exterior.status());
    if (outer_loops.size() > 1) {
      found.push_back(absl::StrFormat(
          "part %d: exterior crosses or touches itself near %s (split into %d loops)", p,
          Where(outer_loops.front().front()), outer_loops.size()));
    }
    GeoMultiPolygon area = *std::move(exterior);
    std::vector<GeoMultiPolygon> holes;
    for (size_t h = 0; h < polygon.inners().size(); ++h) {
      const std::vector<GeoPoint> inner(polygon.inners()[h].begin(), polygon.inners()[h].end());
      absl::StatusOr<GeoMultiPolygon> hole = EvenOddArea(inner, limits, &edge_pairs_left);
      if (!hole.ok()) return failed(p, absl::StrFormat("hole %d", h), hole.status());
      if (hole->empty()) continue;
      if (polygon.inners().size() > kFoldInOrder) {
        holes.push_back(*std::move(hole));
        continue;
      }
      // Few holes (every published polygon): each is described on its own.
      GeoMultiPolygon outside;
      bg::difference(*hole, area, outside);
      const double outside_m2 = ApproximateAreaSquareMeters(outside);
      if (outside_m2 > 0) {
        const bool wholly = bg::disjoint(*hole, area) ||
                            outside_m2 >= 0.999 * ApproximateAreaSquareMeters(*hole);
        found.push_back(absl::StrFormat(
            "part %d hole %d near %s lies %s outside its exterior (%.0f m² outside)", p, h,
            Where(inner.front()), wholly ? "wholly" : "partly", outside_m2));
      }
      GeoMultiPolygon next;
      bg::difference(area, *hole, next);
      area = std::move(next);
    }
    if (!holes.empty()) {
      // Many holes: the exterior minus their union (the same set as subtracting them
      // one by one), described in total.
      const size_t count = holes.size();
      GeoMultiPolygon all_holes = UnionAll(std::move(holes));
      GeoMultiPolygon outside;
      bg::difference(all_holes, area, outside);
      if (const double outside_m2 = ApproximateAreaSquareMeters(outside); outside_m2 > 0) {
        found.push_back(absl::StrFormat(
            "part %d: of its %d holes, %.0f m² lie outside its exterior", p, count,
            outside_m2));
      }
      GeoMultiPolygon next;
      bg::difference(area, all_holes, next);
      area = std::move(next);
    }
    if (outcome.geometry.size() <= kFoldInOrder) {
      for (size_t q = 0; q < part_areas.size(); ++q) {
        GeoMultiPolygon overlap;
        bg::intersection(part_areas[q], area, overlap);
        if (const double m2 = ApproximateAreaSquareMeters(overlap); m2 > 0) {
          found.push_back(absl::StrFormat("parts %d and %d overlap near %s (%.0f m²)", q, p,
                                          Where(overlap.front().outer().front()), m2));
        }
      }
    }
    part_areas.push_back(std::move(area));
  }
  double parts_m2 = 0;
  for (const GeoMultiPolygon& area : part_areas) parts_m2 += ApproximateAreaSquareMeters(area);
  const size_t part_count = part_areas.size();
  GeoMultiPolygon rebuilt = UnionAll(std::move(part_areas));
  if (part_count > kFoldInOrder) {
    // Many parts: overlaps in total (pairwise intersections would be quadratic).
    const double overlap_m2 = parts_m2 - ApproximateAreaSquareMeters(rebuilt);
    if (overlap_m2 > 0.5) {
      found.push_back(absl::StrFormat("of its %d parts, some overlap (%.0f m² in total)",
                                      part_count, overlap_m2));
    }
  }
  const double before = ApproximateAreaSquareMeters(outcome.geometry);
  const double after = ApproximateAreaSquareMeters(rebuilt);
  std::string reason;
  if (!bg::is_valid(rebuilt, reason)) {
    outcome.valid = false;
    outcome.action = Cat("kept as published: the repair did not give a valid polygon (",
                         reason, "); lookups near the defect follow the even-odd rule");
    return outcome;
  }
  std::string what;
  for (const std::string& f : found) Append(&what, what.empty() ? "" : "; ", f);
  outcome.action = absl::StrFormat(
      "%s; rebuilt as exterior loops by the even-odd rule minus holes, parts united "
      "(GEOS MakeValid 'structure' rule): %d part(s) -> %d, area %+.0f m² (%+.4f%%)",
      what.empty() ? "rings re-noded" : what, outcome.geometry.size(), rebuilt.size(),
      after - before, before > 0 ? 100 * (after - before) / before : 0.0);
  outcome.geometry = std::move(rebuilt);
  return outcome;
}

}  // namespace wegwijzer::internal
