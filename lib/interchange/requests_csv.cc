// requests.csv (interchange.md v1.1, and its postcode extension in interchange.h):
// rows to Requests. The rules and defaults are core/rules.h's.
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "core/numbers.h"
#include "core/postcode.h"
#include "core/rules.h"
#include "core/text.h"
#include "interchange/contract_table.h"
#include "interchange/fields.h"
#include "wegwijzer/gazetteer.h"
#include "wegwijzer/geo.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/opening_hours.h"

namespace wegwijzer {
namespace {

using internal::CsvRecord;
using internal::Field;

// A position farther than this from its postcode area's centre is reported. The
// largest PC4 areas (on the Wadden islands) reach about 10 km from their centroid.
constexpr double kPostcodeConflictMeters = 15'000;

constexpr std::string_view kRequestColumns[] = {
    "id",    "lat",    "lon",    "topics",   "languages",
    "modes", "access", "max_km", "priority", "municipality", "postcode",
    // Extensions (interchange.h, "Requests at a time, of an age").
    "age", "can_pay", "at", "within_days"};
constexpr std::string_view kRequestRequired[] = {"id", "lat", "lon", "topics"};
// With a postcode column, lat and lon may both be absent (but not just one of them).
constexpr std::string_view kRequestRequiredWithPostcode[] = {"id", "topics"};

std::span<const std::string_view> RequestRequired(const internal::TableReader& table) {
  const bool has_lat = table.Find("lat") >= 0, has_lon = table.Find("lon") >= 0;
  if (table.Find("postcode") >= 0 && has_lat == has_lon) return kRequestRequiredWithPostcode;
  return kRequestRequired;
}

struct RequestColumns {
  int id, lat, lon, topics, languages, modes, access, max_km, priority, municipality, postcode;
  int age, can_pay, at, within_days;
};

// The extension columns: age, can_pay, at, within_days. Rules from core/rules.h.
std::string ParseRequestExtensions(const CsvRecord& r, const RequestColumns& c, Request* q) {
  if (std::string_view f = Field(r, c.age); !f.empty()) {
    int64_t age = 0;
    if (std::string e = internal::ParseWhole("age", f, &age); !e.empty()) return e;
    if (!internal::kAgeBounds.Contains(static_cast<double>(age))) {
      return internal::Cat("age: '", f, "' is outside ", internal::kAgeBounds.ToString());
    }
    q->age = static_cast<int>(age);
  }
  if (std::string_view f = Field(r, c.can_pay); !f.empty()) {
    if (f == "true" || f == "yes" || f == "1") {
      q->can_pay = true;
    } else if (f == "false" || f == "no" || f == "0") {
      q->can_pay = false;
    } else {
      return internal::Cat("can_pay: '", f, "' is not true or false (or yes/no, 1/0)");
    }
  }
  if (std::string_view f = Field(r, c.at); !f.empty()) {
    q->at = ParseRfc3339(f);
    if (!q->at) {
      return internal::Cat("at: '", f,
                           "' is not an RFC 3339 time (2026-04-27T10:00, local Amsterdam "
                           "time, or with an offset: 2026-04-27T10:00:00+02:00)");
    }
    if (!internal::AtInRange(*q->at)) {
      return internal::Cat("at: '", f, "' is outside ", internal::kAtRangeText);
    }
  }
  if (std::string_view f = Field(r, c.within_days); !f.empty()) {
    int64_t days = 0;
    if (std::string e = internal::ParseWhole("within_days", f, &days); !e.empty()) return e;
    if (!internal::kWithinDaysBounds.Contains(static_cast<double>(days))) {
      return internal::Cat("within_days: '", f, "' is outside ",
                           internal::kWithinDaysBounds.ToString());
    }
    q->within_days = static_cast<int>(days);
    if (!internal::HasTimeForWindow(q->at.has_value(), q->within_days)) {
      return "within_days: given without at (within days of when?)";
    }
  }
  return "";
}

// The position of a request row: lat and lon, or else the postcode's centroid from the
// gazetteer. Sets *postcode_area to the row's postcode area whenever the gazetteer
// knows it (whether or not the position came from it), and *from_postcode when the
// position is the postcode's centroid.
std::string ParseRequestPosition(const CsvRecord& r, const RequestColumns& c,
                                 const Gazetteer* gazetteer, Request* q,
                                 std::optional<PostcodeArea>* postcode_area,
                                 bool* from_postcode) {
  std::string_view lat = Field(r, c.lat), lon = Field(r, c.lon);
  if (c.postcode < 0) {  // the contract as written
    if (lat.empty() || lon.empty()) {
      return internal::Cat(lat.empty() ? "lat" : "lon", " is empty (required)");
    }
    bool present = false;
    return internal::ParsePosition(lat, lon, &q->position, &present);
  }
  const std::string_view postcode = Field(r, c.postcode);
  q->postcode = std::string(postcode);
  std::optional<int> pc4;
  if (!postcode.empty() && !(pc4 = internal::ParsePostcode(postcode))) {
    return internal::Cat("postcode: '", postcode,
                         "' is not a Dutch postcode (1234, 1234AB or 1234 AB)");
  }
  if (!lat.empty() || !lon.empty()) {
    bool present = false;
    if (pc4 && gazetteer != nullptr) *postcode_area = gazetteer->Postcode(*pc4);
    return internal::ParsePosition(lat, lon, &q->position, &present);
  }
  if (!pc4) return "lat, lon and postcode are empty (a position or a postcode is required)";
  if (gazetteer == nullptr || gazetteer->postcode_count() == 0) {
    return internal::Cat("postcode: '", postcode, "' gives no position without a ",
                         gazetteer == nullptr ? "gazetteer" : "postcode table in the gazetteer",
                         " (load municipality and postcode data, or give lat and lon)");
  }
  std::optional<PostcodeArea> area = gazetteer->Postcode(*pc4);
  if (!area) {
    return internal::Cat("postcode: '", postcode, "' (", *pc4,
                         ") is not in the gazetteer's postcode table");
  }
  q->position = area->centroid;
  *postcode_area = area;
  *from_postcode = true;
  return "";
}

std::string ParseRequestRow(const CsvRecord& r, const RequestColumns& c,
                            const Gazetteer* gazetteer, Request* q,
                            std::vector<std::string>* warnings) {
  q->id = std::string(Field(r, c.id));
  std::optional<PostcodeArea> postcode_area;
  bool from_postcode = false;
  if (std::string e = ParseRequestPosition(r, c, gazetteer, q, &postcode_area, &from_postcode);
      !e.empty()) {
    return e;
  }
  if (std::string e = internal::ParseCodes("topics", Field(r, c.topics), TopicFromCode, &q->topics);
      !e.empty()) {
    return e;
  }
  if (q->topics.empty()) return "topics is empty (required)";
  q->languages = LanguageSet();
  if (std::string e = internal::ParseLanguages(Field(r, c.languages), &q->languages);
      !e.empty()) {
    return e;
  }
  q->modes = ModeSet();
  if (std::string e = internal::ParseCodes("modes", Field(r, c.modes), ModeFromCode, &q->modes);
      !e.empty()) {
    return e;
  }
  internal::ApplyRequestDefaults(&q->languages, &q->modes);
  if (std::string e = internal::ParseCodes("access", Field(r, c.access), AccessFromCode, &q->access);
      !e.empty()) {
    return e;
  }
  if (std::string_view f = Field(r, c.max_km); !f.empty()) {
    if (std::string e = internal::ParseDecimal("max_km", f, &q->max_km); !e.empty()) return e;
    if (!internal::kMaxKmBounds.Contains(q->max_km)) {
      return internal::Cat("max_km: '", f, "' is outside ", internal::kMaxKmBounds.ToString());
    }
  }
  if (std::string_view f = Field(r, c.priority); !f.empty()) {
    int64_t priority = 0;
    if (std::string e = internal::ParseWhole("priority", f, &priority); !e.empty()) return e;
    if (!internal::kPriorityBounds.Contains(static_cast<double>(priority))) {
      return internal::Cat("priority: '", f, "' is outside ",
                           internal::kPriorityBounds.ToString());
    }
    q->priority = static_cast<int>(priority);
  }
  if (std::string e = ParseRequestExtensions(r, c, q); !e.empty()) return e;
  q->municipality = std::string(Field(r, c.municipality));
  if (q->municipality.find(';') != std::string::npos) {
    // A provider serves a list of municipalities; a resident lives in one.
    return internal::Cat("municipality: '", q->municipality,
                         "' is a list; a request has one municipality");
  }
  const std::string_view postcode_municipality =
      postcode_area ? postcode_area->municipality_code : std::string_view();
  if (!q->municipality.empty() && !postcode_municipality.empty() &&
      q->municipality != postcode_municipality) {
    return internal::Cat("municipality: '", q->municipality, "' contradicts postcode '",
                         Field(r, c.postcode), "', which lies in ", postcode_municipality);
  }
  if (postcode_area && !from_postcode) {
    // Both a position and a postcode: the position is used, but one that lies in
    // another municipality than the postcode, or far from it, is probably a mistake
    // in one of them (a desk's own address, swapped digits).
    const double d = HaversineMeters(q->position, postcode_area->centroid);
    std::optional<Municipality> at = gazetteer->MunicipalityAt(q->position);
    const bool elsewhere = !postcode_municipality.empty() && at.has_value() &&
                           at->code != postcode_municipality;
    if (elsewhere || d > kPostcodeConflictMeters) {
      warnings->push_back(internal::Cat(
          "postcode '", Field(r, c.postcode), "' and position (", q->position.lat_deg, ", ",
          q->position.lon_deg, ") disagree: the position is ",
          static_cast<int64_t>(std::llround(d / 100)) / 10.0, " km from the postcode's centre",
          elsewhere ? internal::Cat(", in ", at->code, " rather than ", postcode_municipality)
                    : std::string(),
          "; the position is used"));
    }
  }
  if (!q->municipality.empty()) {
    internal::WarnUnknownMunicipalities(gazetteer, q->municipality, warnings);
  } else if (gazetteer != nullptr) {
    if (from_postcode && !postcode_municipality.empty()) {
      q->municipality = std::string(postcode_municipality);
    } else if (std::optional<Municipality> m = gazetteer->MunicipalityAt(q->position)) {
      q->municipality = std::string(m->code);
    } else {
      warnings->push_back(internal::Cat(
          "position (", q->position.lat_deg, ", ", q->position.lon_deg,
          ") lies in no municipality of the gazetteer (at sea or abroad); municipality "
          "left empty, so only providers that serve anyone suit this request"));
    }
  }
  return "";
}

}  // namespace

absl::StatusOr<RequestsCsv> ParseRequestsCsv(std::string_view text,
                                             std::string_view file_name,
                                             const CsvReadOptions& options) {
  RequestsCsv result;
  RequestColumns c{};
  // The extra count column (demand.csv) is known, never required.
  std::vector<std::string_view> known(std::begin(kRequestColumns), std::end(kRequestColumns));
  if (!options.count_column.empty()) known.push_back(options.count_column);
  int count_column = -1;
  absl::Status status = internal::WalkContractTable(
      text,
      {.file = file_name,
       .known = known,
       .required = RequestRequired,
       .on_header =
           [&](const internal::TableReader& t) {
             c = {t.Find("id"),     t.Find("lat"),       t.Find("lon"),
                  t.Find("topics"), t.Find("languages"), t.Find("modes"),
                  t.Find("access"), t.Find("max_km"),    t.Find("priority"),
                  t.Find("municipality"), t.Find("postcode"),
                  t.Find("age"),    t.Find("can_pay"),   t.Find("at"),
                  t.Find("within_days")};
             if (!options.count_column.empty()) count_column = t.Find(options.count_column);
           },
       .parse_row =
           [&](const CsvRecord& record) {
             Request request;
             std::vector<std::string> warnings;
             std::string reason =
                 ParseRequestRow(record, c, options.gazetteer, &request, &warnings);
             int64_t count = 1;
             if (std::string_view f = Field(record, count_column); reason.empty() && !f.empty()) {
               reason = internal::ParseWhole(options.count_column, f, &count);
               if (reason.empty() && count < 0) {
                 reason = internal::Cat(options.count_column, ": '", f, "' is negative");
               } else if (reason.empty() && count > 1'000'000'000) {
                 reason = internal::Cat(options.count_column, ": '", f, "' is above 1000000000");
               }
             }
             if (reason.empty()) {
               if (!options.count_column.empty()) result.counts.push_back(count);
               result.requests.push_back(std::move(request));
               result.lines.push_back(record.line);
               internal::AddWarnings(record.line, std::move(warnings), &result.report);
             }
             return reason;
           }},
      options, &result.report);
  if (!status.ok()) return status;
  if (absl::Status s = internal::RejectIfBad(result.report, options); !s.ok()) return s;
  return result;
}

absl::StatusOr<RequestsCsv> ReadRequestsCsv(const std::string& path,
                                            const CsvReadOptions& options) {
  absl::StatusOr<std::string> text =
      internal::ReadContractFile(path, options, [&](std::string_view head) {
        return ParseRequestsCsv(head, path, options).status();
      });
  if (!text.ok()) return text.status();
  return ParseRequestsCsv(*text, path, options);
}

}  // namespace wegwijzer
