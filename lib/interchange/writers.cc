// The contract's writers, side by side: route.csv and plan.csv (answers), and
// providers.csv and requests.csv (inputs, written so that they read back the same).
#include <algorithm>
#include <charconv>
#include <string>

#include "core/text.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/matcher.h"
#include "wegwijzer/opening_hours.h"

namespace wegwijzer {
namespace {

// Shortest text that reads back as the same double.
std::string ExactNumber(double value) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

}  // namespace

std::string CsvField(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char ch : field) {
    if (ch == '"') out.push_back('"');
    out.push_back(ch);
  }
  out.push_back('"');
  return out;
}

std::string LocationCsvId(const ProviderInfo& p, LocationIndex location) {
  if (!location.has_value() || p.locations[location.value()].id == p.id) return p.id;
  return internal::Cat(p.id, "/", p.locations[location.value()].id);
}

bool UsesRequestExtensions(const Request& r) {
  return r.age.has_value() || !r.can_pay || r.at.has_value() || r.within_days != 0;
}

std::string FormatRouteCsv(const Directory& directory, std::span<const Request> requests,
                           std::span<const RouteResult> results) {
  // The next_opening column only when a request has a time (the extension is used),
  // so that the contract's route.csv is unchanged.
  const bool timed = std::any_of(requests.begin(), requests.end(),
                                 [](const Request& r) { return r.at.has_value(); });
  std::string out = timed ? "request_id,rank,provider_id,mode,distance_m,next_opening\n"
                          : "request_id,rank,provider_id,mode,distance_m\n";
  for (size_t i = 0; i < requests.size(); ++i) {
    const std::string id = CsvField(requests[i].id);
    if (results[i].referrals.empty()) {
      internal::Append(&out, id, ",0,,no_suitable_provider,", timed ? ",\n" : "\n");
      continue;
    }
    int rank = 0;
    for (const Referral& r : results[i].referrals) {
      internal::Append(&out, id, ",", ++rank, ",",
                       CsvField(LocationCsvId(directory.provider(r.provider), r.location)), ",",
                       ModeCode(r.mode), ",");
      if (!r.is_remote()) internal::Append(&out, r.cost_m);
      if (timed) {
        out.push_back(',');
        if (r.next_opening) internal::Append(&out, FormatRfc3339Amsterdam(*r.next_opening));
      }
      out.push_back('\n');
    }
  }
  return out;
}

std::string FormatPlanCsv(const Directory& directory, std::span<const Request> requests,
                          const MatchPlan& plan) {
  std::string out = "request_id,provider_id,mode,cost_m,reason\n";
  for (size_t r = 0; r < requests.size(); ++r) {
    const PlanLine& line = plan.lines[r];
    if (line.assigned()) {
      internal::Append(&out, CsvField(requests[r].id), ",",
                       CsvField(LocationCsvId(directory.provider(*line.provider), line.location)),
                       ",",
                       ModeCode(line.mode), ",", line.cost_m, ",\n");
    } else {
      internal::Append(&out, CsvField(requests[r].id), ",,,", line.cost_m, ",",
                       UnassignedReasonCode(line.reason), "\n");
    }
  }
  return out;
}

std::string FormatProvidersCsv(const Directory& directory) {
  std::string out =
      "id,name,kind,lat,lon,topics,languages,modes,radius_km,access,capacity,municipality\n";
  for (size_t i = 0; i < directory.size(); ++i) {
    const ProviderInfo& p = directory.provider(ProviderIndex(i));
    std::string municipalities;
    for (size_t m = 0; m < p.municipalities.size(); ++m) {
      internal::Append(&municipalities, m ? ";" : "", p.municipalities[m]);
    }
    const std::string rest = internal::Cat(
        ",", CsvField(ToString(p.topics)), ",", CsvField(p.languages.ToString()), ",",
        CsvField(ToString(p.modes)), ",", ExactNumber(p.radius_km), ",",
        CsvField(ToString(p.access)), ",", p.capacity ? internal::Cat(*p.capacity) : "", ",",
        CsvField(municipalities), "\n");
    auto row = [&](std::string_view id, std::string_view lat, std::string_view lon) {
      internal::Append(&out, CsvField(id), ",", CsvField(p.name), ",",
                       ProviderKindCode(p.kind), ",", lat, ",", lon, rest);
    };
    if (p.locations.empty()) {
      row(p.id, "", "");
      continue;
    }
    for (size_t l = 0; l < p.locations.size(); ++l) {
      const LatLng& at = p.locations[l].position;
      row(LocationCsvId(p, LocationIndex(l)), ExactNumber(at.lat_deg), ExactNumber(at.lon_deg));
    }
  }
  return out;
}

std::string FormatRequestsCsv(std::span<const Request> requests) {
  // The extension columns only when a request uses them, so that contract files stay
  // contract files.
  const bool extended = std::any_of(requests.begin(), requests.end(), UsesRequestExtensions);
  std::string out = extended ? "id,lat,lon,topics,languages,modes,access,max_km,priority,"
                               "municipality,age,can_pay,at,within_days\n"
                             : "id,lat,lon,topics,languages,modes,access,max_km,priority,"
                               "municipality\n";
  for (const Request& r : requests) {
    internal::Append(&out, CsvField(r.id), ",", ExactNumber(r.position.lat_deg), ",",
                     ExactNumber(r.position.lon_deg), ",", CsvField(ToString(r.topics)), ",",
                     CsvField(r.languages.ToString()), ",", CsvField(ToString(r.modes)), ",",
                     CsvField(ToString(r.access)), ",", ExactNumber(r.max_km), ",",
                     r.priority, ",", CsvField(r.municipality));
    if (extended) {
      internal::Append(&out, ",", r.age ? internal::Cat(*r.age) : std::string(), ",",
                       r.can_pay ? "" : "false", ",",
                       r.at ? FormatRfc3339Amsterdam(*r.at) : std::string(), ",",
                       r.within_days != 0 ? internal::Cat(r.within_days) : std::string());
    }
    out.push_back('\n');
  }
  return out;
}

}  // namespace wegwijzer
