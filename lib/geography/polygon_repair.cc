#include "geography/polygon_repair.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

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

// The even-odd area of a ring: the symmetric difference of its simple loops.
GeoMultiPolygon EvenOddArea(const std::vector<GeoPoint>& ring) {
  GeoMultiPolygon area;
  for (const std::vector<GeoPoint>& loop : SplitIntoSimpleLoops(ring)) {
    GeoPolygon polygon = LoopPolygon(loop);
    if (bg::area(polygon) <= 0) continue;  // a doubled-back sliver with no area
    if (area.empty()) {
      area.push_back(std::move(polygon));
      continue;
    }
    GeoMultiPolygon next;
    bg::sym_difference(area, polygon, next);
    area = std::move(next);
  }
  return area;
}

std::string Where(const GeoPoint& p) { return absl::StrFormat("(%.5f, %.5f)", p.y(), p.x()); }

}  // namespace

std::vector<std::vector<GeoPoint>> SplitIntoSimpleLoops(const std::vector<GeoPoint>& ring) {
  // Vertices without the closing point and without consecutive repeats.
  std::vector<GeoPoint> pts;
  for (size_t i = 0; i + 1 < ring.size(); ++i) {
    if (pts.empty() || !SamePoint(pts.back(), ring[i])) pts.push_back(ring[i]);
  }
  while (pts.size() > 1 && SamePoint(pts.front(), pts.back())) pts.pop_back();
  const size_t n = pts.size();
  if (n < 3) return {};

  // Node the ring: every crossing or touching of two edges becomes a vertex of both.
  // O(n²) pairs, which is fine for the few rings that need it (a few hundred points).
  std::vector<std::vector<std::pair<double, GeoPoint>>> inserts(n);
  auto edge = [&](size_t i) { return std::pair{pts[i], pts[(i + 1) % n]}; };
  auto insert_if_inside = [&](size_t i, const GeoPoint& p) {
    const auto [a, b] = edge(i);
    const double t = ParamOn(a, b, p);
    if (t > 0 && t < 1 && !SamePoint(p, a) && !SamePoint(p, b)) inserts[i].push_back({t, p});
  };
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
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
        continue;
      }
      // Touching (and collinear overlap): an endpoint of one edge on the other.
      if (d1 == 0) insert_if_inside(i, c);
      if (d2 == 0) insert_if_inside(i, d);
      if (d3 == 0) insert_if_inside(j, a);
      if (d4 == 0) insert_if_inside(j, b);
    }
  }
  std::vector<GeoPoint> sequence;
  for (size_t i = 0; i < n; ++i) {
    sequence.push_back(pts[i]);
    std::sort(inserts[i].begin(), inserts[i].end(),
              [](const auto& x, const auto& y) { return x.first < y.first; });
    for (const auto& [t, p] : inserts[i]) {
      if (!SamePoint(sequence.back(), p)) sequence.push_back(p);
    }
  }
  sequence.push_back(pts[0]);

  // Walk the noded ring; whenever it returns to a point already on the stack, the
  // stretch since then is a loop of its own.
  std::vector<std::vector<GeoPoint>> loops;
  std::vector<GeoPoint> stack;
  for (const GeoPoint& p : sequence) {
    auto seen = std::find_if(stack.begin(), stack.end(),
                             [&](const GeoPoint& q) { return SamePoint(p, q); });
    if (seen == stack.end()) {
      stack.push_back(p);
      continue;
    }
    std::vector<GeoPoint> loop(seen, stack.end());
    loop.push_back(p);
    stack.erase(seen + 1, stack.end());
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

RepairOutcome MakeValid(const std::vector<GeoJsonPolygon>& parts) {
  RepairOutcome outcome;
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
  GeoMultiPolygon rebuilt;
  std::vector<GeoMultiPolygon> part_areas;  // each part after repair, to find overlaps
  for (size_t p = 0; p < outcome.geometry.size(); ++p) {
    const GeoPolygon& polygon = outcome.geometry[p];
    const std::vector<GeoPoint> outer(polygon.outer().begin(), polygon.outer().end());
    const std::vector<std::vector<GeoPoint>> outer_loops = SplitIntoSimpleLoops(outer);
    if (outer_loops.size() > 1) {
      found.push_back(absl::StrFormat(
          "part %d: exterior crosses or touches itself near %s (split into %d loops)", p,
          Where(outer_loops.front().front()), outer_loops.size()));
    }
    GeoMultiPolygon area = EvenOddArea(outer);
    for (size_t h = 0; h < polygon.inners().size(); ++h) {
      const std::vector<GeoPoint> inner(polygon.inners()[h].begin(), polygon.inners()[h].end());
      GeoMultiPolygon hole = EvenOddArea(inner);
      if (hole.empty()) continue;
      GeoMultiPolygon outside;
      bg::difference(hole, area, outside);
      const double outside_m2 = ApproximateAreaSquareMeters(outside);
      if (outside_m2 > 0) {
        const bool wholly = bg::disjoint(hole, area) ||
                            outside_m2 >= 0.999 * ApproximateAreaSquareMeters(hole);
        found.push_back(absl::StrFormat(
            "part %d hole %d near %s lies %s outside its exterior (%.0f m² outside)", p, h,
            Where(inner.front()), wholly ? "wholly" : "partly", outside_m2));
      }
      GeoMultiPolygon next;
      bg::difference(area, hole, next);
      area = std::move(next);
    }
    for (size_t q = 0; q < part_areas.size(); ++q) {
      GeoMultiPolygon overlap;
      bg::intersection(part_areas[q], area, overlap);
      if (const double m2 = ApproximateAreaSquareMeters(overlap); m2 > 0) {
        found.push_back(absl::StrFormat("parts %d and %d overlap near %s (%.0f m²)", q, p,
                                        Where(overlap.front().outer().front()), m2));
      }
    }
    part_areas.push_back(area);
    if (rebuilt.empty()) {
      rebuilt = std::move(area);
    } else {
      GeoMultiPolygon next;
      bg::union_(rebuilt, area, next);
      rebuilt = std::move(next);
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
