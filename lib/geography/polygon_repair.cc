#include "geography/polygon_repair.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

#include <boost/geometry/core/exception.hpp>
#include <boost/numeric/conversion/converter_policies.hpp>

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

// A point strictly inside the simple loop (closed, front == back): the centroid of
// the triangle at its leftmost vertex v when no other vertex lies in that triangle,
// else the midpoint between v and the vertex inside it nearest to v's line through
// its neighbours (O'Rourke, Computational Geometry in C, 2.5). O(n).
GeoPoint InteriorPoint(const std::vector<GeoPoint>& loop) {
  const size_t n = loop.size() - 1;
  size_t v = 0;
  for (size_t i = 1; i < n; ++i) {
    if (loop[i].x() < loop[v].x() || (loop[i].x() == loop[v].x() && loop[i].y() < loop[v].y())) {
      v = i;
    }
  }
  const GeoPoint& a = loop[(v + n - 1) % n];
  const GeoPoint& b = loop[v];
  const GeoPoint& c = loop[(v + 1) % n];
  const double turn = Orient(a, b, c);
  size_t best = n;
  double best_distance = -1;
  for (size_t i = 0; i < n; ++i) {
    if (i == v || i == (v + n - 1) % n || i == (v + 1) % n) continue;
    const GeoPoint& q = loop[i];
    // Inside the closed triangle a-b-c (same side of each edge as the triangle).
    const double o1 = Orient(a, b, q), o2 = Orient(b, c, q), o3 = Orient(c, a, q);
    const bool inside = turn > 0 ? (o1 >= 0 && o2 >= 0 && o3 >= 0)
                                 : (o1 <= 0 && o2 <= 0 && o3 <= 0);
    if (!inside) continue;
    const double distance = std::abs(Orient(a, c, q));  // farthest from a-c: nearest to b
    if (distance > best_distance) {
      best_distance = distance;
      best = i;
    }
  }
  if (best == n) return GeoPoint((a.x() + b.x() + c.x()) / 3, (a.y() + b.y() + c.y()) / 3);
  return GeoPoint((b.x() + loop[best].x()) / 2, (b.y() + loop[best].y()) / 2);
}

// Crossing number (half-open rule) of the ray from p to the right with the loop.
bool InsideLoop(const std::vector<GeoPoint>& loop, const GeoPoint& p) {
  bool inside = false;
  for (size_t i = 0; i + 1 < loop.size(); ++i) {
    const GeoPoint& a = loop[i];
    const GeoPoint& b = loop[i + 1];
    if ((a.y() > p.y()) == (b.y() > p.y())) continue;
    if (a.x() + (p.y() - a.y()) * (b.x() - a.x()) / (b.y() - a.y()) > p.x()) inside = !inside;
  }
  return inside;
}

// The symmetric difference of simple loops that do not cross one another (they meet
// at most at shared vertices, as the loops of a noded ring do), without set
// operations: a loop inside an even number of others is an exterior, one inside an
// odd number is a hole of the smallest loop containing it. `even_odd_area` receives
// the area this gives (exteriors minus holes), in square degrees. O(L² + L·N) for L
// loops of N vertices in all; L is bounded by RepairLimits::max_ring_crossings.
GeoMultiPolygon NestLoops(const std::vector<std::vector<GeoPoint>>& loops,
                          double* even_odd_area, double min_area = 0) {
  struct Loop {
    const std::vector<GeoPoint>* points;
    double area;
    bg::model::box<GeoPoint> box;
    GeoPoint probe;
    int depth = 0;
    int parent = -1;
  };
  std::vector<Loop> nest;
  for (const std::vector<GeoPoint>& points : loops) {
    Loop loop{&points, std::abs(bg::area(LoopPolygon(points))), {}, InteriorPoint(points)};
    if (loop.area <= min_area) continue;
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    for (const GeoPoint& q : points) {
      minx = std::min(minx, q.x()), maxx = std::max(maxx, q.x());
      miny = std::min(miny, q.y()), maxy = std::max(maxy, q.y());
    }
    loop.box = {GeoPoint(minx, miny), GeoPoint(maxx, maxy)};
    nest.push_back(std::move(loop));
  }
  // Largest first, so that a parent is always placed before its children.
  std::stable_sort(nest.begin(), nest.end(),
                   [](const Loop& a, const Loop& b) { return a.area > b.area; });
  for (size_t i = 0; i < nest.size(); ++i) {
    const GeoPoint& p = nest[i].probe;
    for (size_t j = 0; j < i; ++j) {
      const bg::model::box<GeoPoint>& box = nest[j].box;
      if (p.x() < box.min_corner().x() || p.x() > box.max_corner().x() ||
          p.y() < box.min_corner().y() || p.y() > box.max_corner().y()) {
        continue;
      }
      if (!InsideLoop(*nest[j].points, p)) continue;
      nest[i].parent = static_cast<int>(j);  // later j are smaller: the last is nearest
    }
    // Depth by the parent, not by counting: for non-crossing loops the two agree, and
    // deriving it keeps the structure consistent (a hole's parent is an exterior)
    // even when rounding makes the containments disagree; is_valid then judges.
    if (nest[i].parent >= 0) nest[i].depth = nest[nest[i].parent].depth + 1;
  }
  GeoMultiPolygon out;
  std::vector<int> polygon_of(nest.size(), -1);
  *even_odd_area = 0;
  for (size_t i = 0; i < nest.size(); ++i) {
    if (nest[i].depth % 2 == 0) {
      polygon_of[i] = static_cast<int>(out.size());
      out.emplace_back().outer().assign(nest[i].points->begin(), nest[i].points->end());
      *even_odd_area += nest[i].area;
    } else {
      out[polygon_of[nest[i].parent]].inners().emplace_back().assign(nest[i].points->begin(),
                                                                     nest[i].points->end());
      *even_odd_area -= nest[i].area;
    }
  }
  bg::correct(out);
  return out;
}

// The even-odd area of a ring: the symmetric difference of its simple loops. Built by
// nesting the loops (NestLoops); for the few loops of a published ring the set
// operations that gave the published repairs are tried first and kept when they
// agree with the nesting's area, so those repairs stay as they were. Boost's overlay
// is not robust on loops meeting at a vertex (a 30,000-vertex ellipse with two
// vertices swapped came out empty), hence the check.
absl::StatusOr<GeoMultiPolygon> EvenOddArea(
    const std::vector<GeoPoint>& ring, const RepairLimits& limits, size_t* edge_pairs_left,
    std::vector<std::vector<GeoPoint>>* loops_out = nullptr) {
  absl::StatusOr<std::vector<std::vector<GeoPoint>>> loops =
      SplitIntoSimpleLoops(ring, limits, edge_pairs_left);
  if (!loops.ok()) return loops.status();
  double expected_area = 0;
  GeoMultiPolygon nested = NestLoops(*loops, &expected_area);
  std::vector<GeoMultiPolygon> pieces;
  for (const std::vector<GeoPoint>& loop : *loops) {
    GeoPolygon polygon = LoopPolygon(loop);
    if (bg::area(polygon) <= 0) continue;  // a doubled-back sliver with no area
    pieces.push_back(GeoMultiPolygon{std::move(polygon)});
  }
  const std::vector<std::vector<GeoPoint>>* loops_or_copy = &*loops;
  if (loops_out != nullptr) {
    *loops_out = *std::move(loops);
    loops_or_copy = loops_out;
  }
  auto agrees = [&](const GeoMultiPolygon& area) {
    return bg::is_valid(area) &&
           std::abs(bg::area(area) - expected_area) <= 1e-9 * expected_area + 1e-18;
  };
  if (pieces.size() <= kFoldInOrder) {
    GeoMultiPolygon area;
    for (const GeoMultiPolygon& piece : pieces) {  // copied: the fallbacks need them
      if (area.empty()) {
        area = piece;
        continue;
      }
      GeoMultiPolygon next;
      bg::sym_difference(area, piece.front(), next);
      area = std::move(next);
    }
    if (pieces.size() <= 1 || agrees(area)) return area;
  }
  if (bg::is_valid(nested)) return nested;
  // A sliver loop far below the ring's scale (two swapped neighbours of a dense ring
  // make one of 1e-13 square degrees) has crossing points that rounding cannot place
  // exactly, so Boost sees it cross its neighbour. Dropping loops under a billionth
  // of the largest (well under a square metre for a municipality) changes no
  // measurable area and makes the nesting valid again.
  double largest = 0;
  for (const GeoMultiPolygon& piece : pieces) largest = std::max(largest, bg::area(piece));
  double ignored = 0;
  GeoMultiPolygon without_slivers = NestLoops(*loops_or_copy, &ignored, 1e-9 * largest);
  if (bg::is_valid(without_slivers)) return without_slivers;
  // Loops that share edges (not only vertices) make the nesting invalid; the set
  // operations handle those, as a balanced tree.
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

  // Re-pair the strands at every node so that no two loops cross (Seifert's
  // smoothing): at a node, the incoming and outgoing noded edges, in angular order,
  // are matched like parentheses, so the pairs do not interleave. Every edge is kept
  // with its direction, so the winding number of every point, and with it the
  // even-odd parity, is unchanged; and loops that only touch at nodes are nested or
  // disjoint, which NestLoops relies on. (Cutting the ring where it first returns to
  // a point, as before, can give two loops that cross at a shared node.)
  absl::flat_hash_map<std::pair<double, double>, uint32_t> vertex_of;
  vertex_of.reserve(sequence.size());
  std::vector<GeoPoint> vertices;
  std::vector<uint32_t> ids;
  ids.reserve(sequence.size());
  for (const GeoPoint& p : sequence) {
    auto [it, inserted] = vertex_of.emplace(Key(p), static_cast<uint32_t>(vertices.size()));
    if (inserted) vertices.push_back(p);
    ids.push_back(it->second);
  }
  struct Edge {
    uint32_t from, to;
  };
  std::vector<Edge> edges;
  for (size_t k = 0; k + 1 < ids.size(); ++k) {
    if (ids[k] != ids[k + 1]) edges.push_back({ids[k], ids[k + 1]});
  }
  const size_t m = edges.size();
  // Half-edges at each vertex: (angle, +1 outgoing / -1 incoming, edge).
  struct Half {
    double angle;
    int sign;
    uint32_t edge;
  };
  std::vector<uint32_t> degree(vertices.size(), 0);
  for (const Edge& e : edges) {
    ++degree[e.from];
    ++degree[e.to];
  }
  std::vector<uint32_t> next(m, 0);
  std::vector<uint32_t> out_edge(vertices.size(), 0), in_edge(vertices.size(), 0);
  for (uint32_t e = 0; e < m; ++e) {
    out_edge[edges[e].from] = e;
    in_edge[edges[e].to] = e;
  }
  std::vector<std::vector<Half>> halves;  // only for vertices of degree > 2
  std::vector<int32_t> half_slot(vertices.size(), -1);
  for (uint32_t v = 0; v < vertices.size(); ++v) {
    if (degree[v] > 2) {
      half_slot[v] = static_cast<int32_t>(halves.size());
      halves.emplace_back();
    } else if (degree[v] == 2) {
      next[in_edge[v]] = out_edge[v];
    }
  }
  auto angle = [&](uint32_t at, uint32_t toward) {
    return std::atan2(vertices[toward].y() - vertices[at].y(),
                      vertices[toward].x() - vertices[at].x());
  };
  for (uint32_t e = 0; e < m; ++e) {
    const Edge& edge = edges[e];
    if (half_slot[edge.from] >= 0) {
      halves[half_slot[edge.from]].push_back({angle(edge.from, edge.to), +1, e});
    }
    if (half_slot[edge.to] >= 0) {
      halves[half_slot[edge.to]].push_back({angle(edge.to, edge.from), -1, e});
    }
  }
  std::vector<uint32_t> open;
  for (std::vector<Half>& around : halves) {
    std::sort(around.begin(), around.end(), [](const Half& a, const Half& b) {
      if (a.angle != b.angle) return a.angle < b.angle;
      if (a.sign != b.sign) return a.sign > b.sign;
      return a.edge < b.edge;
    });
    // Start after the minimum prefix sum, so every incoming edge finds an open
    // outgoing one before it (the counts are equal: the ring enters a node as often
    // as it leaves it).
    const size_t count = around.size();
    int sum = 0, lowest = 0;
    size_t start = 0;
    for (size_t k = 0; k < count; ++k) {
      sum += around[k].sign;
      if (sum < lowest) {
        lowest = sum;
        start = k + 1;
      }
    }
    open.clear();
    for (size_t k = 0; k < count; ++k) {
      const Half& h = around[(start + k) % count];
      if (h.sign > 0) {
        open.push_back(h.edge);
      } else if (!open.empty()) {
        next[h.edge] = open.back();
        open.pop_back();
      }
    }
  }
  // Trace the re-paired loops, then cut each where it touches itself (it may pass a
  // node twice without crossing itself there): whenever the walk returns to a point
  // already on the stack, the stretch since then is a loop of its own. The stack's
  // points are distinct, so a hash map finds the return in O(1); the walk is linear.
  std::vector<std::vector<GeoPoint>> loops;
  std::vector<uint8_t> used(m, 0);
  std::vector<uint32_t> stack;
  absl::flat_hash_map<uint32_t, size_t> on_stack;
  for (uint32_t first = 0; first < m; ++first) {
    if (used[first]) continue;
    stack.clear();
    on_stack.clear();
    uint32_t e = first;
    auto visit = [&](uint32_t v) {
      auto seen = on_stack.find(v);
      if (seen == on_stack.end()) {
        on_stack.emplace(v, stack.size());
        stack.push_back(v);
        return;
      }
      const size_t at = seen->second;
      std::vector<GeoPoint> loop;
      loop.reserve(stack.size() - at + 1);
      for (size_t k = at; k < stack.size(); ++k) loop.push_back(vertices[stack[k]]);
      loop.push_back(vertices[v]);
      for (size_t k = at + 1; k < stack.size(); ++k) on_stack.erase(stack[k]);
      stack.resize(at + 1);
      if (loop.size() >= 4) loops.push_back(std::move(loop));
    };
    visit(edges[e].from);
    while (!used[e]) {
      used[e] = 1;
      visit(edges[e].to);
      e = next[e];
    }
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

namespace {

// The published geometry, converted and oriented.
GeoMultiPolygon AsPublished(const std::vector<GeoJsonPolygon>& parts) {
  GeoMultiPolygon geometry;
  for (const GeoJsonPolygon& part : parts) {
    GeoPolygon& polygon = geometry.emplace_back();
    for (size_t r = 0; r < part.rings.size(); ++r) {
      auto& ring = r == 0 ? polygon.outer() : polygon.inners().emplace_back();
      for (const LatLng& p : part.rings[r]) ring.emplace_back(p.lon_deg, p.lat_deg);
    }
  }
  bg::correct(geometry);
  return geometry;
}

// MakeValid when Boost.Geometry's set operations throw: the geometry as published,
// looked up by the even-odd rule, as when they give an inconsistent area.
RepairOutcome KeptAsPublished(const std::vector<GeoJsonPolygon>& parts, std::string_view why) {
  RepairOutcome outcome;
  outcome.geometry = AsPublished(parts);
  bg::is_valid(outcome.geometry, outcome.problem);
  outcome.was_valid = false;
  outcome.valid = false;
  outcome.action = Cat("kept as published: the set operations failed (", why,
                       "); lookups follow the even-odd rule");
  return outcome;
}

absl::StatusOr<RepairOutcome> MakeValidUnguarded(const std::vector<GeoJsonPolygon>& parts,
                                                 const RepairLimits& limits,
                                                 size_t* shared_edge_pairs_left);

}  // namespace

absl::StatusOr<RepairOutcome> MakeValid(const std::vector<GeoJsonPolygon>& parts,
                                        const RepairLimits& limits,
                                        size_t* shared_edge_pairs_left) {
  // Boost.Geometry's overlay throws on some near-degenerate inputs (its rescaling of
  // coordinates overflows a 64-bit integer: a fuzzer finding, tests/fuzz/corpus/geojson/
  // crash-2c9d615a...). Those are not the caller's error: the ring is kept as published.
  // std::bad_alloc still propagates (the gazetteer turns it into kResourceExhausted).
  try {
    return MakeValidUnguarded(parts, limits, shared_edge_pairs_left);
  } catch (const boost::numeric::bad_numeric_cast& e) {
    return KeptAsPublished(parts, e.what());
  } catch (const bg::exception& e) {
    return KeptAsPublished(parts, e.what());
  }
}

namespace {

absl::StatusOr<RepairOutcome> MakeValidUnguarded(const std::vector<GeoJsonPolygon>& parts,
                                                 const RepairLimits& limits,
                                                 size_t* shared_edge_pairs_left) {
  RepairOutcome outcome;
  size_t local_edge_pairs_left = limits.max_repair_edge_pairs;
  size_t& edge_pairs_left =
      shared_edge_pairs_left != nullptr ? *shared_edge_pairs_left : local_edge_pairs_left;
  outcome.geometry = AsPublished(parts);
  if (bg::is_valid(outcome.geometry, outcome.problem)) {
    outcome.problem.clear();
    return outcome;
  }
  outcome.was_valid = false;

  // Describe what is wrong in terms a reader can check on a map, then rebuild.
  std::vector<std::string> found;
  std::vector<GeoMultiPolygon> part_areas;  // each part after repair
  std::string inconsistent;                 // why the set operations are not trusted
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
    const double exterior_area = bg::area(area);
    double holes_area = 0;
    std::vector<GeoMultiPolygon> holes;
    for (size_t h = 0; h < polygon.inners().size(); ++h) {
      const std::vector<GeoPoint> inner(polygon.inners()[h].begin(), polygon.inners()[h].end());
      absl::StatusOr<GeoMultiPolygon> hole = EvenOddArea(inner, limits, &edge_pairs_left);
      if (!hole.ok()) return failed(p, absl::StrFormat("hole %d", h), hole.status());
      if (hole->empty()) continue;
      holes_area += bg::area(*hole);
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
    // Boost's overlay can fail silently on near-degenerate input (an empty result for a
    // long spike); an exterior minus holes must lie between these bounds.
    const double part_area = bg::area(area);
    const double slack = 1e-9 * exterior_area + 1e-18;
    if (part_area > exterior_area + slack || part_area < exterior_area - holes_area - slack) {
      inconsistent = absl::StrFormat("part %d has %g square degrees after removing its holes, "
                                     "outside [%g, %g]",
                                     p, part_area, exterior_area - holes_area, exterior_area);
    }
    part_areas.push_back(std::move(area));
  }
  double parts_m2 = 0, parts_sum = 0, parts_max = 0;
  for (const GeoMultiPolygon& area : part_areas) {
    parts_m2 += ApproximateAreaSquareMeters(area);
    parts_sum += bg::area(area);
    parts_max = std::max(parts_max, bg::area(area));
  }
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
  if (const double united = bg::area(rebuilt), slack = 1e-9 * parts_sum + 1e-18;
      inconsistent.empty() && (united > parts_sum + slack || united < parts_max - slack)) {
    inconsistent = absl::StrFormat("the union of the parts has %g square degrees, outside "
                                   "[%g, %g]",
                                   united, parts_max, parts_sum);
  }
  if (!inconsistent.empty()) {
    outcome.valid = false;
    outcome.action = Cat("kept as published: the set operations gave an inconsistent area (",
                         inconsistent, "); lookups follow the even-odd rule");
    return outcome;
  }
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

}  // namespace

}  // namespace wegwijzer::internal
