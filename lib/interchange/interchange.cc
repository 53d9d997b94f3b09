#include "wegwijzer/interchange.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/container/flat_hash_map.h"
#include "core/text.h"
#include "interchange/csv_tokenizer.h"
#include "core/proto_codes.h"
#include "wegwijzer/gazetteer.h"
#include "wegwijzer/v1/directory.pb.h"

namespace wegwijzer {
namespace {

using internal::CsvRecord;
using internal::CsvTokenizer;

// ---------------------------------------------------------------------------
// Field parsers. Each returns an empty string on success, else the reason.

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Decimal numbers as the contract spells them: [+-]?(d+[.d*]|.d+)([eE][+-]?d+)?
bool MatchesDecimal(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && IsDigit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

// For a number matching the grammar that from_chars found out of range: true when it
// is too large for a double, false when it is too small (and so reads as zero). Decided
// by the decimal exponent of the leading significant digit, which is far from zero in
// both cases (about +308 or -324).
bool Overflows(std::string_view s) {
  size_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0;
  int64_t lead = 0;  // exponent of the leading significant digit, before the e part
  bool found = false;
  int64_t int_digits = 0;
  for (; i < s.size() && IsDigit(s[i]); ++i) {
    if (!found && s[i] != '0') found = true;
    if (found) ++int_digits;
  }
  if (found) {
    lead = int_digits - 1;
  } else if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && IsDigit(s[i]); ++i) {
      --lead;
      if (s[i] != '0') break;
    }
  }
  while (i < s.size() && s[i] != 'e' && s[i] != 'E') ++i;
  int64_t exponent = 0;
  if (i < s.size()) {
    ++i;
    const bool negative = i < s.size() && s[i] == '-';
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    for (; i < s.size(); ++i) exponent = std::min<int64_t>(exponent * 10 + (s[i] - '0'), 1'000'000'000);
    if (negative) exponent = -exponent;
  }
  return lead + exponent > 0;
}

std::string ParseDecimal(std::string_view column, std::string_view s, double* out) {
  if (!MatchesDecimal(s)) {
    if (s.find(',') != std::string_view::npos && MatchesDecimal(internal::Cat(
            s.substr(0, s.find(',')), ".", s.substr(s.find(',') + 1)))) {
      return internal::Cat(column, ": '", s,
                          "' uses a decimal comma; write a decimal point (52.37)");
    }
    return internal::Cat(column, ": '", s, "' is not a decimal number");
  }
  std::string_view digits = s[0] == '+' ? s.substr(1) : s;
  double value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec == std::errc::result_out_of_range) {
    // from_chars leaves `value` untouched and reports overflow and underflow alike;
    // a number too small for a double is simply zero, one too large is bad.
    if (Overflows(s)) return internal::Cat(column, ": '", s, "' is out of range");
    value = s[0] == '-' ? -0.0 : 0.0;
  } else if (ec != std::errc() || end != digits.data() + digits.size()) {
    return internal::Cat(column, ": '", s, "' is not a decimal number");
  }
  *out = value;
  return "";
}

// Whole numbers [+-]?d+. One beyond int64 saturates to INT64_MIN or INT64_MAX rather
// than failing: it is still a whole number, and every count column either bounds it
// (priority 0..3, capacity >= 0) or means the same by it (a capacity above 2^63 is as
// good as unlimited).
std::string ParseWhole(std::string_view column, std::string_view s, int64_t* out) {
  size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  if (i == s.size()) return internal::Cat(column, ": '", s, "' is not a whole number");
  for (size_t j = i; j < s.size(); ++j) {
    if (!IsDigit(s[j])) return internal::Cat(column, ": '", s, "' is not a whole number");
  }
  std::string_view digits = s[0] == '+' ? s.substr(1) : s;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec == std::errc::result_out_of_range) {
    value = s[0] == '-' ? std::numeric_limits<int64_t>::min()
                        : std::numeric_limits<int64_t>::max();
  } else if (ec != std::errc() || end != digits.data() + digits.size()) {
    return internal::Cat(column, ": '", s, "' is not a whole number");
  }
  *out = value;
  return "";
}

// List items, trimmed; empty items (as in "a;;b" or a trailing ';') are dropped.
std::vector<std::string_view> SplitList(std::string_view field) {
  std::vector<std::string_view> items;
  for (size_t start = 0; start <= field.size();) {
    size_t end = field.find(';', start);
    if (end == std::string_view::npos) end = field.size();
    std::string_view item = field.substr(start, end - start);
    start = end + 1;
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

template <typename Set, typename Parse>
std::string ParseCodes(std::string_view column, std::string_view field, Parse parse,
                       Set* out) {
  for (std::string_view code : SplitList(field)) {
    auto value = parse(code);
    if (!value) return internal::Cat(column, ": unknown code '", code, "'");
    out->Add(*value);
  }
  return "";
}

std::string ParseLanguages(std::string_view field, LanguageSet* out) {
  for (std::string_view code : SplitList(field)) {
    auto language = Language::FromCode(code);
    if (!language) {
      return internal::Cat("languages: unknown code '", code,
                          "' (ISO 639-1, two lowercase letters)");
    }
    out->Add(*language);
  }
  return "";
}

// Latitude and longitude given as a pair. `present` is false when both are empty.
std::string ParsePosition(std::string_view lat_field, std::string_view lon_field,
                          LatLng* out, bool* present) {
  *present = !lat_field.empty() || !lon_field.empty();
  if (!*present) return "";
  if (lat_field.empty() || lon_field.empty()) {
    return internal::Cat("coordinates are half given: ", lat_field.empty() ? "lat" : "lon",
                        " is empty");
  }
  if (std::string r = ParseDecimal("lat", lat_field, &out->lat_deg); !r.empty()) return r;
  if (std::string r = ParseDecimal("lon", lon_field, &out->lon_deg); !r.empty()) return r;
  if (out->lat_deg < -90 || out->lat_deg > 90) {
    return internal::Cat("lat: '", lat_field, "' is outside -90..90");
  }
  if (out->lon_deg < -180 || out->lon_deg > 180) {
    return internal::Cat("lon: '", lon_field, "' is outside -180..180");
  }
  return "";
}

// ---------------------------------------------------------------------------
// The table walk shared by both readers: header, then each row's generic checks
// (field count, UTF-8 and quoting, empty id, duplicate id), then `parse_row`.

struct Columns {
  absl::flat_hash_map<std::string, int> index;
  int Find(std::string_view name) const {
    auto it = index.find(internal::ToAbsl(name));
    return it == index.end() ? -1 : it->second;
  }
};

// Field of `record` at column `c`, empty when the column is absent.
std::string_view Field(const CsvRecord& record, int c) {
  return c < 0 ? std::string_view() : std::string_view(record.fields[c]);
}

// `required` gives the required columns once the header is known (requests.csv with
// a postcode column does not require lat and lon).
absl::Status WalkTable(std::string_view text, std::string_view file,
                       std::span<const std::string_view> known,
                       const std::function<std::span<const std::string_view>(const Columns&)>&
                           required,
                       bool skip_bad_rows,
                       CsvReport* report,
                       const std::function<void(const Columns&)>& on_header,
                       const std::function<std::string(const CsvRecord&)>& parse_row) {
  report->file = std::string(file);
  report->bad_rows_skipped = skip_bad_rows;
  auto whole_file = [&](std::string_view reason) {
    return absl::InvalidArgumentError(internal::Cat(file, ": ", reason));
  };
  CsvTokenizer tokenizer(text);
  CsvRecord header;
  if (!tokenizer.Next(&header)) {
    if (!tokenizer.status().ok()) return whole_file(std::string(tokenizer.status().message()));
    return whole_file("the file is empty (no header row)");
  }
  if (header.problem == CsvRecord::Problem::kInvalidUtf8) {
    // Spreadsheets' "Unicode text" export is UTF-16 with a byte-order mark.
    const bool utf16 = text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF");
    return whole_file(internal::Cat("line ", header.line, ": the header is not valid UTF-8",
                                    utf16 ? " (the file looks like UTF-16: save it as UTF-8)"
                                          : ""));
  }
  if (header.problem == CsvRecord::Problem::kTextAfterClosingQuote) {
    return whole_file(
        internal::Cat("line ", header.line, ": text after a closing quote in the header"));
  }
  Columns columns;
  for (int c = 0; c < static_cast<int>(header.fields.size()); ++c) {
    const std::string& name = header.fields[c];
    if (!columns.index.emplace(name, c).second) {
      return whole_file(internal::Cat("line ", header.line, ": duplicate column '", name, "'"));
    }
  }
  for (std::string_view name : required(columns)) {
    if (columns.Find(name) >= 0) continue;
    std::string hint;
    if (header.fields.size() == 1 && header.fields[0].find(';') != std::string::npos) {
      hint = "; the header looks separated by ';' (a Dutch-locale spreadsheet export?): "
             "save as CSV with ',' between fields and a decimal point";
    } else if (std::any_of(header.fields.begin(), header.fields.end(), [](const std::string& f) {
                 return f.find('\r') != std::string::npos;
               })) {
      hint = "; lines end in a lone CR (an old Mac export?), which is not a line end: "
             "save with LF or CRLF line ends";
    }
    return whole_file(internal::Cat("missing required column '", name, "'", hint));
  }
  for (int c = 0; c < static_cast<int>(header.fields.size()); ++c) {
    const std::string& name = header.fields[c];
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      report->problems.push_back({CsvProblem::Kind::kWarning, header.line,
                                  internal::Cat("unknown column '", name, "' ignored")});
    }
  }
  on_header(columns);

  const int id_column = columns.Find("id");
  absl::flat_hash_map<std::string, int> first_line;  // of each id

  CsvRecord record;
  while (tokenizer.Next(&record)) {
    ++report->rows;
    // The first row that carries an id claims it, even when that row is bad for any
    // other reason (a wrong field count included, as long as the id column is there):
    // a later row with the same id is then a duplicate, whichever row was fixed.
    int claimed_on = 0;  // line of the row that claimed this row's id, if another
    if (id_column < static_cast<int>(record.fields.size()) &&
        !record.fields[id_column].empty()) {
      auto [it, inserted] = first_line.emplace(record.fields[id_column], record.line);
      if (!inserted) claimed_on = it->second;
    }
    std::string reason;
    if (record.fields.size() != header.fields.size()) {
      reason = internal::Cat("has ", record.fields.size(), " fields, the header has ",
                            header.fields.size());
    } else if (record.problem == CsvRecord::Problem::kInvalidUtf8) {
      reason = "is not valid UTF-8";
    } else if (record.problem == CsvRecord::Problem::kTextAfterClosingQuote) {
      reason = "has text after a closing quote";
    } else if (record.fields[id_column].empty()) {
      reason = "id is empty";
    } else if (claimed_on > 0) {
      reason = internal::Cat("duplicate id '", record.fields[id_column], "' (first on line ",
                             claimed_on, ")");
    } else {
      reason = parse_row(record);
    }
    if (!reason.empty()) {
      ++report->bad_rows;
      report->problems.push_back({CsvProblem::Kind::kBadRow, record.line, std::move(reason)});
    }
  }
  if (!tokenizer.status().ok()) return whole_file(std::string(tokenizer.status().message()));
  // Decision: a header without rows is not an "empty file" (interchange.md's
  // whole-file errors name the empty file, not the empty table): it is a valid file
  // of zero rows, e.g. a waiting list that is empty today. As it may also be a failed
  // export, it is reported as a warning.
  if (report->rows == 0) {
    report->problems.push_back({CsvProblem::Kind::kWarning, header.line,
                                "the file has a header but no rows"});
  }
  return absl::OkStatus();
}

void AddWarnings(int line, std::vector<std::string> warnings, CsvReport* report) {
  for (std::string& w : warnings) {
    report->problems.push_back({CsvProblem::Kind::kWarning, line, std::move(w)});
  }
}

absl::Status RejectIfBad(const CsvReport& report, const CsvReadOptions& options) {
  if (report.bad_rows == 0 || options.skip_bad_rows) return absl::OkStatus();
  return absl::InvalidArgumentError(report.ToString());
}

// ---------------------------------------------------------------------------

constexpr std::string_view kProviderColumns[] = {
    "id",    "name",   "kind",      "lat",    "lon",      "topics",
    "languages", "modes", "radius_km", "access", "capacity", "municipality"};
constexpr std::string_view kProviderRequired[] = {"id", "kind", "topics"};
constexpr std::string_view kRequestColumns[] = {
    "id",    "lat",    "lon",    "topics",   "languages",
    "modes", "access", "max_km", "priority", "municipality", "postcode"};
constexpr std::string_view kRequestRequired[] = {"id", "lat", "lon", "topics"};
// With a postcode column, lat and lon may both be absent (but not just one of them).
constexpr std::string_view kRequestRequiredWithPostcode[] = {"id", "topics"};

std::span<const std::string_view> RequestRequired(const Columns& columns) {
  const bool has_lat = columns.Find("lat") >= 0, has_lon = columns.Find("lon") >= 0;
  if (columns.Find("postcode") >= 0 && has_lat == has_lon) return kRequestRequiredWithPostcode;
  return kRequestRequired;
}

// A warning for each code of a municipality list that the gazetteer does not know.
void WarnUnknownMunicipalities(const Gazetteer* gazetteer, std::string_view field,
                               std::vector<std::string>* warnings) {
  if (gazetteer == nullptr) return;
  for (std::string_view code : SplitList(field)) {
    if (!gazetteer->FindMunicipality(code)) {
      warnings->push_back(internal::Cat("municipality: '", code,
                                        "' is not a municipality of the gazetteer"));
    }
  }
}

struct ProviderColumns {
  int id, name, kind, lat, lon, topics, languages, modes, radius_km, access, capacity,
      municipality;
};

std::string ParseProviderRow(const CsvRecord& r, const ProviderColumns& c,
                             v1::Provider* p) {
  p->set_id(std::string(Field(r, c.id)));
  p->set_name(std::string(Field(r, c.name)));
  std::string_view kind_code = Field(r, c.kind);
  if (kind_code.empty()) return "kind is empty (required)";
  auto kind = ProviderKindFromCode(kind_code);
  if (!kind) return internal::Cat("kind: unknown code '", kind_code, "'");
  p->set_kind(static_cast<v1::ProviderKind>(internal::ToProtoEnum(*kind)));

  LatLng position;
  bool has_position = false;
  if (std::string e = ParsePosition(Field(r, c.lat), Field(r, c.lon), &position, &has_position);
      !e.empty()) {
    return e;
  }
  TopicSet topics;
  if (std::string e = ParseCodes("topics", Field(r, c.topics), TopicFromCode, &topics);
      !e.empty()) {
    return e;
  }
  if (topics.empty()) return "topics is empty (required)";
  LanguageSet languages;
  if (std::string e = ParseLanguages(Field(r, c.languages), &languages); !e.empty()) return e;
  if (languages.empty()) languages = Request::DefaultLanguages();
  ModeSet modes;
  if (std::string e = ParseCodes("modes", Field(r, c.modes), ModeFromCode, &modes);
      !e.empty()) {
    return e;
  }
  if (modes.empty()) modes.Add(Mode::kInPerson);
  double radius_km = 0;
  if (std::string_view f = Field(r, c.radius_km); !f.empty()) {
    if (std::string e = ParseDecimal("radius_km", f, &radius_km); !e.empty()) return e;
    if (radius_km < 0 || radius_km > 1000) {
      return internal::Cat("radius_km: '", f, "' is outside 0..1000");
    }
  }
  AccessSet access;
  if (std::string e = ParseCodes("access", Field(r, c.access), AccessFromCode, &access);
      !e.empty()) {
    return e;
  }
  std::optional<int64_t> capacity;
  if (std::string_view f = Field(r, c.capacity); !f.empty()) {
    int64_t value = 0;
    if (std::string e = ParseWhole("capacity", f, &value); !e.empty()) return e;
    if (value < 0) return internal::Cat("capacity: '", f, "' is negative");
    capacity = value;
  }
  std::vector<std::string_view> municipalities = SplitList(Field(r, c.municipality));
  if (modes.Intersects(kPhysicalModes) && !has_position) {
    return internal::Cat("lat and lon are required with mode ",
                        modes.Contains(Mode::kInPerson) ? "in_person" : "home_visit");
  }
  if (modes.Contains(Mode::kHomeVisit) && !(radius_km > 0)) {
    return "radius_km must be > 0 with mode home_visit";
  }

  internal::AppendSet<Topic, kTopicCount>(topics, p->mutable_topics());
  for (std::string_view code : languages.codes()) p->add_languages(std::string(code));
  internal::AppendSet<Mode, kModeCount>(modes, p->mutable_modes());
  internal::AppendSet<Access, kAccessCount>(access, p->mutable_access());
  p->set_radius_km(radius_km);
  if (capacity) p->set_capacity(*capacity);
  for (std::string_view m : municipalities) p->add_municipalities(std::string(m));
  if (has_position) {
    v1::Location* location = p->add_locations();
    location->mutable_position()->set_lat_deg(position.lat_deg);
    location->mutable_position()->set_lon_deg(position.lon_deg);
  }
  return "";
}

struct RequestColumns {
  int id, lat, lon, topics, languages, modes, access, max_km, priority, municipality, postcode;
};

// The position of a request row: lat and lon, or else the postcode's centroid from the
// gazetteer. Sets *postcode_municipality when the position came from the postcode.
std::string ParseRequestPosition(const CsvRecord& r, const RequestColumns& c,
                                 const Gazetteer* gazetteer, Request* q,
                                 std::string_view* postcode_municipality) {
  std::string_view lat = Field(r, c.lat), lon = Field(r, c.lon);
  if (c.postcode < 0) {  // the contract as written
    if (lat.empty() || lon.empty()) {
      return internal::Cat(lat.empty() ? "lat" : "lon", " is empty (required)");
    }
    bool present = false;
    return ParsePosition(lat, lon, &q->position, &present);
  }
  const std::string_view postcode = Field(r, c.postcode);
  q->postcode = std::string(postcode);
  std::optional<int> pc4;
  if (!postcode.empty() && !(pc4 = Gazetteer::ParsePostcode(postcode))) {
    return internal::Cat("postcode: '", postcode,
                         "' is not a Dutch postcode (1234, 1234AB or 1234 AB)");
  }
  if (!lat.empty() || !lon.empty()) {
    bool present = false;
    return ParsePosition(lat, lon, &q->position, &present);
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
  *postcode_municipality = area->municipality_code;
  return "";
}

std::string ParseRequestRow(const CsvRecord& r, const RequestColumns& c,
                            const Gazetteer* gazetteer, Request* q,
                            std::vector<std::string>* warnings) {
  q->id = std::string(Field(r, c.id));
  std::string_view postcode_municipality;
  if (std::string e = ParseRequestPosition(r, c, gazetteer, q, &postcode_municipality);
      !e.empty()) {
    return e;
  }
  if (std::string e = ParseCodes("topics", Field(r, c.topics), TopicFromCode, &q->topics);
      !e.empty()) {
    return e;
  }
  if (q->topics.empty()) return "topics is empty (required)";
  q->languages = LanguageSet();
  if (std::string e = ParseLanguages(Field(r, c.languages), &q->languages); !e.empty()) {
    return e;
  }
  if (q->languages.empty()) q->languages = Request::DefaultLanguages();
  q->modes = ModeSet();
  if (std::string e = ParseCodes("modes", Field(r, c.modes), ModeFromCode, &q->modes);
      !e.empty()) {
    return e;
  }
  if (q->modes.empty()) q->modes = kAllModes;
  if (std::string e = ParseCodes("access", Field(r, c.access), AccessFromCode, &q->access);
      !e.empty()) {
    return e;
  }
  if (std::string_view f = Field(r, c.max_km); !f.empty()) {
    if (std::string e = ParseDecimal("max_km", f, &q->max_km); !e.empty()) return e;
    if (q->max_km < 0 || q->max_km > 1000) {
      return internal::Cat("max_km: '", f, "' is outside 0..1000");
    }
  }
  if (std::string_view f = Field(r, c.priority); !f.empty()) {
    int64_t priority = 0;
    if (std::string e = ParseWhole("priority", f, &priority); !e.empty()) return e;
    if (priority < 0 || priority > 3) {
      return internal::Cat("priority: '", f, "' is outside 0..3");
    }
    q->priority = static_cast<int>(priority);
  }
  q->municipality = std::string(Field(r, c.municipality));
  if (!q->municipality.empty()) {
    WarnUnknownMunicipalities(gazetteer, q->municipality, warnings);
  } else if (gazetteer != nullptr) {
    if (!postcode_municipality.empty()) {
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

std::string CsvReport::ToString() const {
  std::string out;
  for (const CsvProblem& p : problems) {
    internal::Append(&out, file, ":", p.line, ": ",
                    p.kind == CsvProblem::Kind::kWarning ? "warning: " : "bad row: ", p.reason,
                    "\n");
  }
  if (bad_rows > 0) {
    internal::Append(&out, file, ": ", bad_rows, " of ", rows, " rows are bad",
                     bad_rows_skipped ? "; skipped them" : "; the file is rejected", "\n");
  }
  return out;
}

absl::StatusOr<ProvidersCsv> ParseProvidersCsv(std::string_view text,
                                               std::string_view file_name,
                                               const CsvReadOptions& options) {
  ProvidersCsv result;
  v1::DirectorySnapshot snapshot;
  snapshot.set_source(std::string(file_name));
  ProviderColumns c{};
  absl::Status status = WalkTable(
      text, file_name, kProviderColumns,
      [](const Columns&) { return std::span<const std::string_view>(kProviderRequired); },
      options.skip_bad_rows,
      &result.report,
      [&](const Columns& cols) {
        c = {cols.Find("id"),        cols.Find("name"),     cols.Find("kind"),
             cols.Find("lat"),       cols.Find("lon"),      cols.Find("topics"),
             cols.Find("languages"), cols.Find("modes"),    cols.Find("radius_km"),
             cols.Find("access"),    cols.Find("capacity"), cols.Find("municipality")};
      },
      [&](const CsvRecord& record) {
        v1::Provider* provider = snapshot.add_providers();
        std::string reason = ParseProviderRow(record, c, provider);
        if (!reason.empty()) {
          snapshot.mutable_providers()->RemoveLast();
        } else {
          std::vector<std::string> warnings;
          WarnUnknownMunicipalities(options.gazetteer, Field(record, c.municipality),
                                    &warnings);
          AddWarnings(record.line, std::move(warnings), &result.report);
        }
        return reason;
      });
  if (!status.ok()) return status;
  if (absl::Status s = RejectIfBad(result.report, options); !s.ok()) return s;
  absl::StatusOr<std::shared_ptr<const Directory>> directory = Directory::Create(snapshot);
  if (!directory.ok()) return directory.status();
  result.directory = *std::move(directory);
  return result;
}

absl::StatusOr<RequestsCsv> ParseRequestsCsv(std::string_view text,
                                             std::string_view file_name,
                                             const CsvReadOptions& options) {
  RequestsCsv result;
  RequestColumns c{};
  // The extra count column (demand.csv) is known, never required.
  std::vector<std::string_view> known(std::begin(kRequestColumns), std::end(kRequestColumns));
  if (!options.count_column.empty()) known.push_back(options.count_column);
  int count_column = -1;
  absl::Status status = WalkTable(
      text, file_name, known, RequestRequired, options.skip_bad_rows,
      &result.report,
      [&](const Columns& cols) {
        c = {cols.Find("id"),     cols.Find("lat"),    cols.Find("lon"),
             cols.Find("topics"), cols.Find("languages"), cols.Find("modes"),
             cols.Find("access"), cols.Find("max_km"), cols.Find("priority"),
             cols.Find("municipality"), cols.Find("postcode")};
        if (!options.count_column.empty()) count_column = cols.Find(options.count_column);
      },
      [&](const CsvRecord& record) {
        Request request;
        std::vector<std::string> warnings;
        std::string reason =
            ParseRequestRow(record, c, options.gazetteer, &request, &warnings);
        int64_t count = 1;
        if (std::string_view f = Field(record, count_column); reason.empty() && !f.empty()) {
          reason = ParseWhole(options.count_column, f, &count);
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
          AddWarnings(record.line, std::move(warnings), &result.report);
        }
        return reason;
      });
  if (!status.ok()) return status;
  if (absl::Status s = RejectIfBad(result.report, options); !s.ok()) return s;
  return result;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT) return absl::NotFoundError(internal::Cat(path, ": no such file"));
    if (err == EACCES) return absl::PermissionDeniedError(internal::Cat(path, ": permission denied"));
    return absl::UnavailableError(internal::Cat(path, ": ", std::strerror(err)));
  }
  if (S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(internal::Cat(path, ": is a directory, not a file"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::PermissionDeniedError(internal::Cat(path, ": cannot be opened for reading"));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return absl::DataLossError(internal::Cat(path, ": read error"));
  return std::move(buffer).str();
}

absl::StatusOr<ProvidersCsv> ReadProvidersCsv(const std::string& path,
                                              const CsvReadOptions& options) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseProvidersCsv(*text, path, options);
}

absl::StatusOr<RequestsCsv> ReadRequestsCsv(const std::string& path,
                                            const CsvReadOptions& options) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseRequestsCsv(*text, path, options);
}

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

std::string LocationCsvId(const ProviderInfo& p, int location) {
  if (location < 0 || p.locations[location].id == p.id) return p.id;
  return internal::Cat(p.id, "/", p.locations[location].id);
}

namespace {

}  // namespace

std::string FormatRouteCsv(const Directory& directory, std::span<const Request> requests,
                           std::span<const RouteResult> results) {
  std::string out = "request_id,rank,provider_id,mode,distance_m\n";
  for (size_t i = 0; i < requests.size(); ++i) {
    const std::string id = CsvField(requests[i].id);
    if (results[i].referrals.empty()) {
      internal::Append(&out, id, ",0,,no_suitable_provider,\n");
      continue;
    }
    int rank = 0;
    for (const Referral& r : results[i].referrals) {
      internal::Append(&out, id, ",", ++rank, ",",
                       CsvField(LocationCsvId(directory.provider(r.provider), r.location)), ",",
                       ModeCode(r.mode), ",");
      if (!r.is_remote()) internal::Append(&out, r.cost_m);
      out.push_back('\n');
    }
  }
  return out;
}

namespace {

// Shortest text that reads back as the same double.
std::string ExactNumber(double value) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

}  // namespace

std::string FormatProvidersCsv(const Directory& directory) {
  std::string out =
      "id,name,kind,lat,lon,topics,languages,modes,radius_km,access,capacity,municipality\n";
  for (ProviderIndex i = 0; i < directory.size(); ++i) {
    const ProviderInfo& p = directory.provider(i);
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
    for (int l = 0; l < static_cast<int>(p.locations.size()); ++l) {
      const LatLng& at = p.locations[l].position;
      row(LocationCsvId(p, l), ExactNumber(at.lat_deg), ExactNumber(at.lon_deg));
    }
  }
  return out;
}

std::string FormatRequestsCsv(std::span<const Request> requests) {
  std::string out = "id,lat,lon,topics,languages,modes,access,max_km,priority,municipality\n";
  for (const Request& r : requests) {
    internal::Append(&out, CsvField(r.id), ",", ExactNumber(r.position.lat_deg), ",",
                     ExactNumber(r.position.lon_deg), ",", CsvField(ToString(r.topics)), ",",
                     CsvField(r.languages.ToString()), ",", CsvField(ToString(r.modes)), ",",
                     CsvField(ToString(r.access)), ",", ExactNumber(r.max_km), ",",
                     r.priority, ",", CsvField(r.municipality), "\n");
  }
  return out;
}


}  // namespace wegwijzer
