#include "directory/service_area.h"

#include <cstdio>
#include <optional>

#include "absl/status/statusor.h"
#include "core/text.h"
#include "wegwijzer/v1/directory.pb.h"

namespace wegwijzer::internal {
namespace {

namespace bg = boost::geometry;

absl::Status ReadRing(const v1::Ring& ring, std::string_view what,
                      std::vector<GeoPoint>* out) {
  const int n = ring.points_size();
  if (n < 4) {
    return absl::InvalidArgumentError(
        internal::Cat("service area ", what, " has ", n,
                     " points; a closed ring needs at least 4"));
  }
  for (int i = 0; i < n; ++i) {
    const v1::LatLng& p = ring.points(i);
    if (!LatLng{p.lat_deg(), p.lon_deg()}.IsValid()) {
      return absl::InvalidArgumentError(internal::Cat(
          "service area ", what, " point ", i, " is not finite or out of range"));
    }
    out->emplace_back(p.lon_deg(), p.lat_deg());
  }
  const v1::LatLng& first = ring.points(0);
  const v1::LatLng& last = ring.points(n - 1);
  if (first.lat_deg() != last.lat_deg() || first.lon_deg() != last.lon_deg()) {
    return absl::InvalidArgumentError(internal::Cat(
        "service area ", what, " is not closed (first point differs from last)"));
  }
  return absl::OkStatus();
}

// Where ring `ring` first crosses itself (two of its segments that share no end
// point intersect), by comparing every pair: only for rings of at most 4,000
// points (16 M pairs at most), else nullopt.
std::optional<GeoPoint> FirstCrossing(const std::vector<GeoPoint>& ring) {
  const size_t n = ring.size();
  if (n < 4 || n > 4000) return std::nullopt;
  auto cross = [](const GeoPoint& o, const GeoPoint& a, const GeoPoint& b) {
    return (a.x() - o.x()) * (b.y() - o.y()) - (a.y() - o.y()) * (b.x() - o.x());
  };
  for (size_t i = 0; i + 1 < n; ++i) {
    const GeoPoint& a = ring[i];
    const GeoPoint& b = ring[i + 1];
    for (size_t j = i + 2; j + 1 < n; ++j) {
      if (i == 0 && j + 2 == n) continue;  // the closing segment shares ring[0]
      const GeoPoint& c = ring[j];
      const GeoPoint& d = ring[j + 1];
      const double d1 = cross(c, d, a), d2 = cross(c, d, b);
      const double d3 = cross(a, b, c), d4 = cross(a, b, d);
      if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) &&
          ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) {
        const double t = d1 / (d1 - d2);
        return GeoPoint(a.x() + t * (b.x() - a.x()), a.y() + t * (b.y() - a.y()));
      }
    }
  }
  return std::nullopt;
}

// A ring that encloses no area (a bow-tie whose two loops cancel): correct() cannot
// orient it, and Boost then reports only "wrong orientation". Names the first.
std::optional<std::string> ZeroAreaRing(const GeoMultiPolygon& multi) {
  for (size_t i = 0; i < multi.size(); ++i) {
    for (int h = -1; h < static_cast<int>(multi[i].inners().size()); ++h) {
      const auto& ring = h < 0 ? multi[i].outer() : multi[i].inners()[h];
      if (bg::area(ring) != 0) continue;
      std::string where = h < 0 ? internal::Cat("part ", i, " exterior")
                                : internal::Cat("part ", i, " hole ", h);
      std::string near;
      if (const std::optional<GeoPoint> at = FirstCrossing({ring.begin(), ring.end()})) {
        near = internal::Cat(" near lat ", at->y(), ", lon ", at->x());
      }
      return internal::Cat(where, " crosses itself", near,
                           " and encloses no area (a bow-tie or figure-eight ring whose "
                           "loops cancel): a boundary may not cross; draw each loop as a "
                           "part of its own");
    }
  }
  return std::nullopt;
}

// Why an area is invalid, in words a directory's editor can act on, naming the part
// and ring and the place (from Boost.Geometry's report, whose own words follow).
std::string InvalidAreaReason(const GeoMultiPolygon& multi) {
  bg::validity_failure_type failure = bg::no_failure;
  bg::is_valid(multi, failure);
  std::string report;
  bg::is_valid(multi, report);
  // The report reads "... found at (x, y); ... {source, multi, ring, segment}:
  // {0, m, r, s}/{...}" for crossings; x is the longitude, y the latitude.
  std::string near;
  double x = 0, y = 0;
  if (const size_t at = report.find("found at ("); at != std::string::npos &&
      std::sscanf(report.c_str() + at, "found at (%lf, %lf)", &x, &y) == 2) {
    near = internal::Cat(" near lat ", y, ", lon ", x);
  }
  std::string ring;
  int source = 0, part = 0, hole = 0;
  if (const size_t ids = report.find("}: {"); ids != std::string::npos &&
      std::sscanf(report.c_str() + ids, "}: {%d, %d, %d", &source, &part, &hole) == 3) {
    ring = hole < 0 ? internal::Cat("part ", part, " exterior")
                    : internal::Cat("part ", part, " hole ", hole);
  }
  switch (failure) {
    case bg::failure_wrong_orientation:
      if (std::optional<std::string> zero = ZeroAreaRing(multi)) return *zero;
      return report;
    case bg::failure_self_intersections:
      return internal::Cat(ring.empty() ? "a ring" : ring, " crosses itself or another ring",
                           near,
                           " (a bow-tie or figure-eight ring, or parts or holes that "
                           "overlap): a boundary may not cross; draw each loop as a part of "
                           "its own [", report, "]");
    case bg::failure_spikes:
      return internal::Cat(ring.empty() ? "a ring" : ring, " has a spike", near,
                           " (a point where the boundary goes out and back on itself) [",
                           report, "]");
    case bg::failure_interior_rings_outside:
      return internal::Cat("a hole lies outside its part [", report, "]");
    case bg::failure_nested_interior_rings:
      return internal::Cat("a hole lies inside another hole [", report, "]");
    case bg::failure_disconnected_interior:
      return internal::Cat("holes cut a part into pieces [", report, "]");
    case bg::failure_intersecting_interiors:
      return internal::Cat("two parts overlap [", report, "]");
    default:
      return report;
  }
}

}  // namespace

absl::StatusOr<uint32_t> ServiceAreas::Add(const v1::ServiceArea& area) {
  if (area.parts_size() == 0) {
    return absl::InvalidArgumentError("service area has no parts");
  }
  GeoMultiPolygon multi;
  for (int i = 0; i < area.parts_size(); ++i) {
    const v1::ServiceArea::Part& part = area.parts(i);
    GeoPolygon polygon;
    if (absl::Status s = ReadRing(part.exterior(), internal::Cat("part ", i, " exterior"),
                                  &polygon.outer());
        !s.ok()) {
      return s;
    }
    for (int h = 0; h < part.holes_size(); ++h) {
      polygon.inners().emplace_back();
      if (absl::Status s = ReadRing(part.holes(h),
                                    internal::Cat("part ", i, " hole ", h),
                                    &polygon.inners().back());
          !s.ok()) {
        return s;
      }
    }
    multi.push_back(std::move(polygon));
  }
  // Accept either ring orientation: correct() only reorients (rings are closed).
  bg::correct(multi);
  if (!bg::is_valid(multi)) {
    return absl::InvalidArgumentError(
        internal::Cat("service area is invalid: ", InvalidAreaReason(multi)));
  }
  areas_.push_back(std::move(multi));
  boxes_.push_back(bg::return_envelope<bg::model::box<GeoPoint>>(areas_.back()));
  return static_cast<uint32_t>(areas_.size() - 1);
}

bool ServiceAreas::Contains(uint32_t index, LatLng position) const {
  const GeoPoint p(position.lon_deg, position.lat_deg);
  if (!bg::covered_by(p, boxes_[index])) return false;
  return bg::covered_by(p, areas_[index]);
}

}  // namespace wegwijzer::internal
