#include "coverage/map_outline.h"

#include <cmath>
#include <cstdio>

#include <boost/geometry.hpp>

#include "geography/gazetteer_geometry.h"
#include "wegwijzer/gazetteer.h"

namespace wegwijzer::internal {
namespace {

// Longitudes are stretched by cos(52 deg) before simplifying, so that one tolerance
// means about the same distance east-west and north-south in the Netherlands.
constexpr double kLonScale = 0.6156614753256583;  // cos(52 deg)

using Ring = GeoPolygon::ring_type;

std::vector<LatLng> Simplify(const Ring& ring, double tolerance_deg) {
  boost::geometry::model::linestring<GeoPoint> line, simple;
  line.reserve(ring.size());
  for (const GeoPoint& p : ring) line.emplace_back(p.x() * kLonScale, p.y());
  boost::geometry::simplify(line, simple, tolerance_deg);
  std::vector<LatLng> out;
  if (simple.size() < 4) return out;
  out.reserve(simple.size());
  for (const GeoPoint& p : simple) out.push_back({p.y(), p.x() / kLonScale});
  return out;
}

}  // namespace

std::vector<Outline> SimplifiedOutlines(const Gazetteer& gazetteer, double tolerance_deg) {
  const GazetteerGeometry& geometry = gazetteer.geometry();
  std::vector<Outline> out;
  out.reserve(gazetteer.municipality_count());
  for (size_t m = 0; m < gazetteer.municipality_count(); ++m) {
    Outline outline;
    const Municipality municipality = gazetteer.municipality(m);
    outline.code = municipality.code;
    outline.name = municipality.name;
    for (const GeoPolygon& polygon : geometry.municipalities[m]) {
      OutlinePolygon rings;
      std::vector<LatLng> outer = Simplify(polygon.outer(), tolerance_deg);
      if (outer.empty()) continue;
      rings.push_back(std::move(outer));
      for (const Ring& inner : polygon.inners()) {
        std::vector<LatLng> hole = Simplify(inner, tolerance_deg);
        if (!hole.empty()) rings.push_back(std::move(hole));
      }
      outline.polygons.push_back(std::move(rings));
    }
    out.push_back(std::move(outline));
  }
  return out;
}

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          out += buffer;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace wegwijzer::internal
