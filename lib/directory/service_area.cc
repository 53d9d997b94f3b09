#include "directory/service_area.h"

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
  std::string reason;
  if (!bg::is_valid(multi, reason)) {
    return absl::InvalidArgumentError(internal::Cat("service area is invalid: ", reason));
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
