// The coverage command's files: coverage.csv, matched.csv, areas.csv, sites.csv and
// coverage.geojson (coverage.h says what each holds).
#include <cstdio>
#include <map>
#include <string>

#include "core/text.h"
#include "coverage/map_outline.h"
#include "wegwijzer/coverage.h"
#include "wegwijzer/gazetteer.h"

namespace wegwijzer {
namespace {

std::string Share(const AreaFigures& f, int64_t part) {
  if (f.demand == 0) return "";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4f", f.Share(part));
  return buffer;
}

std::string List(const std::vector<std::pair<std::string, int64_t>>& entries) {
  std::string out;
  for (const auto& [code, count] : entries) {
    internal::Append(&out, out.empty() ? "" : ";", code, ":", count);
  }
  return out;
}

// Coordinates to 6 decimals (about 0.1 m): exact enough for any map, and short.
std::string Coordinate(LatLng p) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "[%.6f,%.6f]", p.lon_deg, p.lat_deg);
  return buffer;
}

std::string Number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4f", value);
  return buffer;
}

}  // namespace

std::string FormatCoverageCsv(const CoverageAnalysis& a) {
  std::string out = "demand_id,count,class,provider_id,location_id,distance_m\n";
  for (size_t i = 0; i < a.requests.size(); ++i) {
    const RowCoverage& c = a.coverage[i];
    internal::Append(&out, CsvField(a.requests[i].id), ",", a.counts[i], ",",
                     CoverageClassCode(c.coverage_class), ",");
    if (c.provider) {
      const ProviderInfo& p = a.providers->provider(*c.provider);
      out += CsvField(p.id);
      out += ',';
      if (c.location.has_value()) out += CsvField(p.locations[c.location.value()].id);
      out += ',';
      if (c.distance_m) internal::Append(&out, *c.distance_m);
    } else {
      out += ",,";
    }
    out += '\n';
  }
  return out;
}

std::string FormatMatchedCsv(const CoverageAnalysis& a) {
  std::string out =
      "demand_id,count,in_person,home_visit,remote,capacity_exhausted,no_suitable_provider\n";
  for (size_t i = 0; i < a.requests.size(); ++i) {
    const RowPlan& r = a.plan.rows[i];
    internal::Append(&out, CsvField(a.requests[i].id), ",", r.count, ",", r.in_person, ",",
                     r.home_visit, ",", r.remote, ",", r.capacity_exhausted, ",",
                     r.no_suitable_provider, "\n");
  }
  return out;
}

std::string FormatAreasCsv(const CoverageAnalysis& a) {
  std::string out =
      "level,area,name,demand,share_in_person,share_home_visit,share_remote,share_none,"
      "share_assigned_physically,unmet,unmet_topics,unmet_languages\n";
  for (const AreaFigures& f : a.areas) {
    internal::Append(&out, AreaLevelCode(f.level), ",", CsvField(f.area), ",", CsvField(f.name),
                     ",", f.demand, ",", Share(f, f.in_person), ",", Share(f, f.home_visit), ",",
                     Share(f, f.remote), ",", Share(f, f.none), ",",
                     Share(f, f.assigned_physically), ",", f.unmet, ",",
                     CsvField(List(f.unmet_topics)), ",", CsvField(List(f.unmet_languages)),
                     "\n");
  }
  return out;
}

std::string FormatSitesCsv(const CoverageAnalysis& a) {
  std::string out = "rank,candidate_id,gain,covered_after\n";
  if (!a.sites || a.candidates == nullptr) return out;
  for (size_t r = 0; r < a.sites->picks.size(); ++r) {
    const SitePick& p = a.sites->picks[r];
    internal::Append(&out, r + 1, ",", CsvField(a.candidates->provider(p.candidate).id), ",",
                     p.gain, ",", p.covered_after, "\n");
  }
  return out;
}

std::string FormatCoverageGeoJson(const CoverageAnalysis& a) {
  using internal::JsonString;
  std::string out = "{\"type\":\"FeatureCollection\",\"features\":[";
  bool first = true;
  auto begin_feature = [&]() {
    out += first ? "\n" : ",\n";
    first = false;
  };
  auto figures = [&](const AreaFigures& f) {
    internal::Append(&out, ",\"demand\":", f.demand,
                     ",\"share_in_person\":", Number(f.Share(f.in_person)),
                     ",\"share_home_visit\":", Number(f.Share(f.home_visit)),
                     ",\"share_remote\":", Number(f.Share(f.remote)),
                     ",\"share_none\":", Number(f.Share(f.none)),
                     ",\"share_served_physically\":", Number(f.Share(f.in_person + f.home_visit)),
                     ",\"share_assigned_physically\":", Number(f.Share(f.assigned_physically)),
                     ",\"unmet\":", f.unmet, ",\"unmet_topics\":", JsonString(List(f.unmet_topics)),
                     ",\"unmet_languages\":", JsonString(List(f.unmet_languages)));
  };
  const AreaFigures kNoDemand;
  if (a.gazetteer != nullptr) {
    std::map<std::string_view, const AreaFigures*> by_code;
    for (const AreaFigures& g : a.areas) {
      if (g.level == AreaFigures::Level::kMunicipality) by_code[g.area] = &g;
    }
    for (const internal::Outline& o : internal::SimplifiedOutlines(*a.gazetteer, 0.0005)) {
      auto it = by_code.find(o.code);
      const AreaFigures* f = it == by_code.end() ? &kNoDemand : it->second;
      begin_feature();
      out += "{\"type\":\"Feature\",\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[";
      for (size_t p = 0; p < o.polygons.size(); ++p) {
        out += p ? ",[" : "[";
        for (size_t r = 0; r < o.polygons[p].size(); ++r) {
          out += r ? ",[" : "[";
          const std::vector<LatLng>& ring = o.polygons[p][r];
          for (size_t k = 0; k < ring.size(); ++k) {
            if (k) out += ',';
            out += Coordinate(ring[k]);
          }
          out += ']';
        }
        out += ']';
      }
      internal::Append(&out, "]},\"properties\":{\"layer\":\"municipality\",\"code\":",
                       JsonString(o.code), ",\"name\":", JsonString(o.name));
      figures(*f);
      out += "}}";
    }
    for (const AreaFigures& f : a.areas) {
      if (f.level != AreaFigures::Level::kPostcode || f.area.empty()) continue;
      std::optional<PostcodeArea> pc = a.gazetteer->Postcode(std::stoi(f.area));
      if (!pc) continue;
      begin_feature();
      internal::Append(&out, "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":",
                       Coordinate(pc->centroid), "},\"properties\":{\"layer\":\"pc4\",\"code\":",
                       JsonString(f.area), ",\"municipality\":", JsonString(pc->municipality_code));
      figures(f);
      out += "}}";
    }
  }
  for (size_t i = 0; i < a.providers->size(); ++i) {
    const ProviderInfo& p = a.providers->provider(ProviderIndex(i));
    if (!p.modes.Intersects(kPhysicalModes)) continue;
    for (const ProviderInfo::Location& l : p.locations) {
      begin_feature();
      internal::Append(&out, "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":",
                       Coordinate(l.position), "},\"properties\":{\"layer\":\"provider\",\"id\":",
                       JsonString(l.id), ",\"name\":", JsonString(p.name), ",\"kind\":",
                       JsonString(ProviderKindCode(p.kind)), ",\"modes\":",
                       JsonString(ToString(p.modes)), "}}");
    }
  }
  if (a.sites && a.candidates != nullptr) {
    for (size_t r = 0; r < a.sites->picks.size(); ++r) {
      const SitePick& pick = a.sites->picks[r];
      const ProviderInfo& p = a.candidates->provider(pick.candidate);
      if (p.locations.empty()) continue;
      begin_feature();
      internal::Append(&out, "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":",
                       Coordinate(p.locations.front().position),
                       "},\"properties\":{\"layer\":\"site\",\"rank\":", r + 1,
                       ",\"id\":", JsonString(p.id), ",\"name\":", JsonString(p.name),
                       ",\"kind\":", JsonString(ProviderKindCode(p.kind)), ",\"gain\":", pick.gain,
                       ",\"covered_after\":", pick.covered_after, "}}");
    }
  }
  out += "\n]}\n";
  return out;
}

}  // namespace wegwijzer
