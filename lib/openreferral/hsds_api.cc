// The HSDS API 3.0 read side beyond /services' first filters (openreferral.h):
// the further /services filters (taxonomy_id, modified_after, the ORUK age, day and
// time filters), their query-parameter parsing, and the records of /organizations,
// /service_at_locations, /taxonomies and /taxonomy_terms.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "core/text.h"
#include "openreferral/hsds_json.h"
#include "openreferral/json.h"
#include "wegwijzer/openreferral.h"
#include "wegwijzer/v1/openreferral.pb.h"

namespace wegwijzer {
namespace {

using internal::Cat;
using internal::JsonValue;

// The JSON value of `record`'s extra property `name`, if it parses.
template <typename Record>
std::optional<JsonValue> Extra(const Record& record, std::string_view name) {
  for (const v1::HsdsProperty& p : record.extra()) {
    if (p.name() != name) continue;
    absl::StatusOr<JsonValue> value = internal::ParseJson(p.json(), name);
    if (value.ok()) return *std::move(value);
  }
  return std::nullopt;
}

std::optional<std::string> ExtraString(const auto& record, std::string_view name) {
  std::optional<JsonValue> value = Extra(record, name);
  if (!value || value->type != JsonValue::Type::kString) return std::nullopt;
  return value->text;
}

// The taxonomy id of a term: taxonomy_id, else taxonomy_detail.id; empty when neither.
std::string TaxonomyIdOf(const v1::HsdsTaxonomyTerm& term) {
  if (std::optional<std::string> id = ExtraString(term, "taxonomy_id")) return *id;
  if (std::optional<JsonValue> detail = Extra(term, "taxonomy_detail")) {
    const JsonValue* id = detail->Find("id");
    if (id != nullptr && id->type == JsonValue::Type::kString) return id->text;
  }
  return "";
}

// "HH:MM" or "HH:MM:SS" (a zone or fraction after it is ignored) as seconds of the
// day, or -1.
int SecondsOfDay(std::string_view text) {
  auto two = [&](size_t at, int max) {
    if (text.size() < at + 2 || !absl::ascii_isdigit(text[at]) || !absl::ascii_isdigit(text[at + 1])) {
      return -1;
    }
    const int v = (text[at] - '0') * 10 + (text[at + 1] - '0');
    return v > max ? -1 : v;
  };
  const int h = two(0, 24), m = text.size() >= 3 && text[2] == ':' ? two(3, 59) : -1;
  if (h < 0 || m < 0) return -1;
  int s = 0;
  if (text.size() > 5 && text[5] == ':') {
    s = two(6, 59);
    if (s < 0) return -1;
  }
  if (h == 24 && (m != 0 || s != 0)) return -1;  // 24:00 ends a day; 24:30 is no time
  return h * 3600 + m * 60 + s;
}

// A day as HSDS's byday codes write it: "MO".."SU"; also the English names. Empty
// when it is neither.
std::string DayCode(std::string_view text) {
  static constexpr std::string_view kNames[] = {"monday", "tuesday", "wednesday", "thursday",
                                                "friday", "saturday", "sunday"};
  const std::string lower = absl::AsciiStrToLower(std::string(text));
  for (std::string_view name : kNames) {
    if (lower == name || (lower.size() == 2 && name.starts_with(lower))) {
      return absl::AsciiStrToUpper(std::string(name.substr(0, 2)));
    }
  }
  return "";
}

// Whether schedule row `s` is open on `day` (empty: any) for [start, end] seconds.
bool Covers(const v1::HsdsSchedule& s, std::string_view day, int start, int end) {
  if (!day.empty() && s.has_byday()) {
    bool on = false;
    std::string_view byday = s.byday();
    while (!byday.empty()) {
      const size_t comma = byday.find(',');
      std::string_view item = byday.substr(0, comma);
      // "2MO", "-1FR": the weekday is the last two letters.
      if (item.size() >= 2 && absl::AsciiStrToUpper(std::string(item.substr(item.size() - 2))) == day) {
        on = true;
      }
      if (comma == std::string_view::npos) break;
      byday.remove_prefix(comma + 1);
    }
    if (!on) return false;
  }
  if (start < 0) return true;
  const int opens = s.has_opens_at() ? SecondsOfDay(s.opens_at()) : -1;
  const int closes = s.has_closes_at() ? SecondsOfDay(s.closes_at()) : -1;
  return opens >= 0 && closes >= 0 && opens <= start && closes >= end;
}

std::string WithoutSpacesUpper(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c != ' ') out.push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

absl::Status Bad(std::string_view name, std::string_view value, std::string_view reason) {
  return absl::InvalidArgumentError(
      Cat(name, ": '", value.substr(0, 40), value.size() > 40 ? "...' " : "' ", reason));
}

// Digits only (no sign, no spaces), in [least, most]; nullopt otherwise (also on
// overflow). The rule of the CLI's numbers (cli::ParseWholeNumber).
std::optional<int64_t> WholeNumber(std::string_view text, int64_t least, int64_t most) {
  if (text.empty()) return std::nullopt;
  int64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const int digit = c - '0';
    if (value > (std::numeric_limits<int64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  if (value < least || value > most) return std::nullopt;
  return value;
}

std::string Head(std::string_view value) { return std::string(value.substr(0, 20)); }

}  // namespace

absl::Status SetHsdsListParameter(std::string_view name, std::string_view value,
                                  int64_t max_per_page, bool services, HsdsListQuery* query) {
  if (name == "page") {
    std::optional<int64_t> n = WholeNumber(value, 1, int64_t{1} << 40);
    if (!n) return absl::InvalidArgumentError(Cat("page: '", Head(value), "' is not a whole number >= 1"));
    query->page = *n;
  } else if (name == "per_page") {
    std::optional<int64_t> n = WholeNumber(value, 1, max_per_page);
    if (!n) {
      return absl::InvalidArgumentError(
          Cat("per_page: '", Head(value), "' is not a whole number in 1..", max_per_page));
    }
    query->per_page = *n;
  } else if (name == "format") {
    if (value != "json" && value != "ndjson") {
      return absl::InvalidArgumentError(Cat("format: '", Head(value), "' is not json or ndjson"));
    }
    query->ndjson = value == "ndjson";
  } else if (services && (name == "minimal" || name == "full")) {
    if (value != "true" && value != "false") {
      return absl::InvalidArgumentError(Cat(name, ": '", Head(value), "' is not true or false"));
    }
    const HsdsServiceView asked = name == "minimal" ? HsdsServiceView::kMinimal : HsdsServiceView::kFull;
    if (value == "true") {
      if (query->view != HsdsServiceView::kList && query->view != asked) {
        return absl::InvalidArgumentError(
            "minimal, full: both true asks for two shapes of the services; give one");
      }
      query->view = asked;
    } else if (query->view == asked) {
      query->view = HsdsServiceView::kList;  // the later value wins, as for the others
    }
  } else {
    return absl::NotFoundError(Cat(name, ": not a paging or shape parameter"));
  }
  return absl::OkStatus();
}

absl::StatusOr<double> ParseHsdsProximity(std::string_view value) {
  // Half the earth's circumference: no two points are further apart.
  constexpr double kMostMeters = 20'040'000;
  double metres = 0;
  const char* end = value.data() + value.size();
  const auto [stop, error] = std::from_chars(value.data(), end, metres, std::chars_format::fixed);
  if (value.empty() || error != std::errc() || stop != end || !std::isfinite(metres) ||
      metres < 0 || metres > kMostMeters || value.front() == '+') {
    return Bad("proximity", value, "is not a distance in metres from 0 to 20040000");
  }
  return metres;
}

std::vector<HsdsNearby> FindHsdsServiceAtLocationsNear(const v1::HsdsDirectory& d, LatLng centre,
                                                       double max_m) {
  absl::flat_hash_map<std::string_view, const v1::HsdsLocation*> locations;
  for (const v1::HsdsLocation& l : d.locations()) locations.emplace(l.id(), &l);
  std::vector<HsdsNearby> found;
  for (int i = 0; i < d.service_at_locations_size(); ++i) {
    const v1::HsdsServiceAtLocation& sal = d.service_at_locations(i);
    if (!sal.has_location_id()) continue;
    auto it = locations.find(sal.location_id());
    if (it == locations.end() || !it->second->has_latitude() || !it->second->has_longitude()) continue;
    const LatLng at{it->second->latitude(), it->second->longitude()};
    if (!at.IsValid()) continue;
    const double distance = HaversineMeters(centre, at);
    if (distance <= max_m) found.push_back({i, distance});
  }
  std::stable_sort(found.begin(), found.end(), [](const HsdsNearby& a, const HsdsNearby& b) {
    return a.distance_m < b.distance_m;
  });
  return found;
}

absl::Status SetHsdsServiceFilter(std::string_view name, std::string_view value,
                                  HsdsServiceFilter* filter) {
  if (name == "search") {
    filter->search = std::string(value);
  } else if (name == "organization_id") {
    filter->organization_id = std::string(value);
  } else if (name == "taxonomy_term_id") {
    filter->taxonomy_term_id = std::string(value);
  } else if (name == "taxonomy_id") {
    filter->taxonomy_id = std::string(value);
  } else if (name == "modified_after") {
    // A date "YYYY-MM-DD", optionally followed by "T" and a time.
    const bool date = value.size() >= 10 && value[4] == '-' && value[7] == '-' &&
                      std::all_of(value.begin(), value.begin() + 4, absl::ascii_isdigit) &&
                      absl::ascii_isdigit(value[5]) && absl::ascii_isdigit(value[6]) &&
                      absl::ascii_isdigit(value[8]) && absl::ascii_isdigit(value[9]) &&
                      (value.size() == 10 || value[10] == 'T');
    if (!date) return Bad(name, value, "is not an ISO 8601 date or date-time (2024-01-31T12:00:00Z)");
    filter->modified_after = std::string(value);
  } else if (name == "minimum_age" || name == "maximum_age") {
    double age = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), age);
    if (value.empty() || error != std::errc() || end != value.data() + value.size() ||
        !std::isfinite(age) || age < 0 || age > 150) {
      return Bad(name, value, "is not a number in 0..150");
    }
    (name == "minimum_age" ? filter->minimum_age : filter->maximum_age) = age;
  } else if (name == "day") {
    std::string code = DayCode(value);
    if (code.empty()) return Bad(name, value, "is not a day (MO, TU, WE, TH, FR, SA, SU or monday..sunday)");
    filter->day = std::move(code);
  } else if (name == "start_time" || name == "end_time") {
    if (SecondsOfDay(value) < 0 || (value.size() != 5 && value.size() != 8)) {
      return Bad(name, value, "is not a time HH:MM or HH:MM:SS");
    }
    (name == "start_time" ? filter->start_time : filter->end_time) = std::string(value);
  } else {
    return absl::NotFoundError(Cat(name, ": not a /services filter"));
  }
  return absl::OkStatus();
}

namespace internal {

void ApplyHsdsFilters(const v1::HsdsDirectory& d, const HsdsServiceFilter& filter,
                      std::vector<int>* found) {
  const bool timed = !filter.day.empty() || !filter.start_time.empty() || !filter.end_time.empty();
  if (filter.taxonomy_id.empty() && filter.modified_after.empty() && filter.minimum_age < 0 &&
      filter.maximum_age < 0 && !timed) {
    return;
  }
  int start = -1, end = -1;
  if (!filter.start_time.empty() || !filter.end_time.empty()) {
    start = SecondsOfDay(filter.start_time.empty() ? filter.end_time : filter.start_time);
    end = SecondsOfDay(filter.end_time.empty() ? filter.start_time : filter.end_time);
  }
  // The schedules of each service's service_at_locations and their locations.
  absl::flat_hash_map<std::string_view, std::vector<const v1::HsdsSchedule*>> rows_of;
  if (timed) {
    absl::flat_hash_map<std::string_view, const v1::HsdsLocation*> locations;
    for (const v1::HsdsLocation& l : d.locations()) locations.emplace(l.id(), &l);
    for (const v1::HsdsServiceAtLocation& sal : d.service_at_locations()) {
      auto& rows = rows_of[sal.service_id()];
      for (const auto& s : sal.schedules()) rows.push_back(&s);
      if (auto it = locations.find(sal.location_id()); it != locations.end()) {
        for (const auto& s : it->second->schedules()) rows.push_back(&s);
      }
    }
  }
  std::erase_if(*found, [&](int i) {
    const v1::HsdsService& service = d.services(i);
    if (!filter.taxonomy_id.empty() &&
        std::none_of(service.attributes().begin(), service.attributes().end(),
                     [&](const v1::HsdsAttribute& a) {
                       return a.has_taxonomy_term() && TaxonomyIdOf(a.taxonomy_term()) == filter.taxonomy_id;
                     })) {
      return true;
    }
    if (!filter.modified_after.empty()) {
      std::optional<std::string> modified = ExtraString(service, "last_modified");
      if (!modified) return true;
      // Compare on the filter's precision: a date admits the next day's times.
      const size_t n = std::min(modified->size(), filter.modified_after.size());
      if (modified->compare(0, n, filter.modified_after, 0, n) <= 0) return true;
    }
    if (filter.minimum_age >= 0 && service.has_maximum_age() &&
        service.maximum_age() < filter.minimum_age) {
      return true;
    }
    if (filter.maximum_age >= 0 && service.has_minimum_age() &&
        service.minimum_age() > filter.maximum_age) {
      return true;
    }
    if (timed) {
      auto covers = [&](const v1::HsdsSchedule* s) { return Covers(*s, filter.day, start, end); };
      bool open = std::any_of(service.schedules().begin(), service.schedules().end(),
                              [&](const v1::HsdsSchedule& s) { return covers(&s); });
      if (!open) {
        auto it = rows_of.find(service.id());
        open = it != rows_of.end() && std::any_of(it->second.begin(), it->second.end(), covers);
      }
      if (!open) return true;
    }
    return false;
  });
}

}  // namespace internal

std::vector<HsdsRecord> FormatHsdsOrganizations(const v1::HsdsDirectory& d) {
  std::vector<HsdsRecord> out;
  out.reserve(d.organizations_size());
  for (const v1::HsdsOrganization& o : d.organizations()) {
    out.push_back({o.id(), internal::WriteHsdsRecord(o)});
  }
  return out;
}

std::vector<HsdsRecord> FormatHsdsServiceAtLocations(const v1::HsdsDirectory& d) {
  absl::flat_hash_map<std::string_view, const v1::HsdsLocation*> locations;
  for (const v1::HsdsLocation& l : d.locations()) locations.emplace(l.id(), &l);
  std::vector<HsdsRecord> out;
  out.reserve(d.service_at_locations_size());
  for (const v1::HsdsServiceAtLocation& sal : d.service_at_locations()) {
    std::string json = internal::WriteHsdsRecord(sal);
    if (auto it = locations.find(sal.location_id()); sal.has_location_id() && it != locations.end()) {
      json.pop_back();  // the closing brace
      if (json.size() > 1) json.push_back(',');
      json.append("\"location\":");
      json.append(internal::WriteHsdsRecord(*it->second));
      json.push_back('}');
    }
    out.push_back({sal.id(), std::move(json)});
  }
  return out;
}

// The records of the verbatim table `name` (a CSV directory's taxonomy_terms.csv,
// taxonomies.csv: the tabular form keeps what no service nests), each row a JSON
// object of its non-empty cells as strings (every column of those tables is a string
// in the schema), for the ids not in `seen`.
static void AppendTableRecords(const v1::HsdsDirectory& d, std::string_view name,
                               absl::flat_hash_set<std::string>* seen,
                               std::vector<HsdsRecord>* out) {
  for (const v1::HsdsTable& t : d.tables()) {
    if (t.name() != name) continue;
    const auto id_at = std::find(t.columns().begin(), t.columns().end(), "id");
    if (id_at == t.columns().end()) continue;
    const int id_column = static_cast<int>(id_at - t.columns().begin());
    for (const v1::HsdsTable::Row& row : t.rows()) {
      if (row.values_size() <= id_column || row.values(id_column).empty()) continue;
      if (!seen->insert(row.values(id_column)).second) continue;
      std::string json = "{";
      for (int c = 0; c < t.columns_size() && c < row.values_size(); ++c) {
        if (row.values(c).empty()) continue;
        if (json.size() > 1) json.push_back(',');
        internal::AppendJsonString(t.columns(c), &json);
        json.push_back(':');
        internal::AppendJsonString(row.values(c), &json);
      }
      json.push_back('}');
      out->push_back({row.values(id_column), std::move(json)});
    }
  }
}

std::vector<HsdsRecord> FormatHsdsTaxonomyTerms(const v1::HsdsDirectory& d) {
  std::vector<HsdsRecord> out;
  absl::flat_hash_set<std::string> seen;
  for (const v1::HsdsService& service : d.services()) {
    for (const v1::HsdsAttribute& a : service.attributes()) {
      if (!a.has_taxonomy_term() || a.taxonomy_term().id().empty()) continue;
      if (!seen.insert(a.taxonomy_term().id()).second) continue;
      out.push_back({a.taxonomy_term().id(), internal::WriteHsdsRecord(a.taxonomy_term())});
    }
  }
  AppendTableRecords(d, "taxonomy_terms", &seen, &out);
  return out;
}

std::vector<HsdsRecord> FormatHsdsTaxonomies(const v1::HsdsDirectory& d) {
  std::vector<HsdsRecord> out;
  absl::flat_hash_set<std::string> seen;
  for (const v1::HsdsService& service : d.services()) {
    for (const v1::HsdsAttribute& a : service.attributes()) {
      if (!a.has_taxonomy_term()) continue;
      const v1::HsdsTaxonomyTerm& term = a.taxonomy_term();
      const std::string id = TaxonomyIdOf(term);
      if (id.empty() || !seen.insert(id).second) continue;
      std::string json;
      if (std::optional<JsonValue> detail = Extra(term, "taxonomy_detail");
          detail && detail->type == JsonValue::Type::kObject) {
        internal::AppendJson(*detail, &json);
      } else {
        json = "{\"id\":";
        internal::AppendJsonString(id, &json);
        json.append(",\"name\":");
        internal::AppendJsonString(term.has_taxonomy() ? term.taxonomy() : id, &json);
        // The schema requires a description; the term does not give one.
        json.append(",\"description\":\"\"}");
      }
      out.push_back({id, std::move(json)});
    }
  }
  AppendTableRecords(d, "taxonomies", &seen, &out);
  return out;
}

std::vector<int> FindHsdsServiceAtLocations(const v1::HsdsDirectory& d, std::string_view postcode) {
  const std::string wanted = WithoutSpacesUpper(postcode);
  absl::flat_hash_map<std::string_view, const v1::HsdsLocation*> locations;
  for (const v1::HsdsLocation& l : d.locations()) locations.emplace(l.id(), &l);
  std::vector<int> found;
  for (int i = 0; i < d.service_at_locations_size(); ++i) {
    if (wanted.empty()) {
      found.push_back(i);
      continue;
    }
    auto it = locations.find(d.service_at_locations(i).location_id());
    if (it == locations.end()) continue;
    for (const v1::HsdsAddress& a : it->second->addresses()) {
      if (WithoutSpacesUpper(a.postal_code()).starts_with(wanted)) {
        found.push_back(i);
        break;
      }
    }
  }
  return found;
}

}  // namespace wegwijzer
