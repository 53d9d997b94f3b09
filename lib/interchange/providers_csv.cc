// providers.csv (interchange.md v1.1): rows to a DirectorySnapshot, then
// Directory::Create. The rules and defaults are core/rules.h's.
#include <optional>
#include <string>
#include <vector>

#include "core/numbers.h"
#include "core/proto_codes.h"
#include "core/rules.h"
#include "core/text.h"
#include "interchange/contract_table.h"
#include "interchange/fields.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/v1/directory.pb.h"

namespace wegwijzer {
namespace {

using internal::CsvRecord;
using internal::Field;

constexpr std::string_view kProviderColumns[] = {
    "id",    "name",   "kind",      "lat",    "lon",      "topics",
    "languages", "modes", "radius_km", "access", "capacity", "municipality"};
constexpr std::string_view kProviderRequired[] = {"id", "kind", "topics"};

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
  if (std::string e = internal::ParsePosition(Field(r, c.lat), Field(r, c.lon), &position,
                                              &has_position);
      !e.empty()) {
    return e;
  }
  TopicSet topics;
  if (std::string e = internal::ParseCodes("topics", Field(r, c.topics), TopicFromCode, &topics);
      !e.empty()) {
    return e;
  }
  if (topics.empty()) return "topics is empty (required)";
  LanguageSet languages;
  if (std::string e = internal::ParseLanguages(Field(r, c.languages), &languages); !e.empty()) {
    return e;
  }
  ModeSet modes;
  if (std::string e = internal::ParseCodes("modes", Field(r, c.modes), ModeFromCode, &modes);
      !e.empty()) {
    return e;
  }
  internal::ApplyProviderDefaults(&languages, &modes);
  double radius_km = 0;
  if (std::string_view f = Field(r, c.radius_km); !f.empty()) {
    if (std::string e = internal::ParseDecimal("radius_km", f, &radius_km); !e.empty()) return e;
    if (!internal::kRadiusKmBounds.Contains(radius_km)) {
      return internal::Cat("radius_km: '", f, "' is outside ",
                           internal::kRadiusKmBounds.ToString());
    }
  }
  AccessSet access;
  if (std::string e = internal::ParseCodes("access", Field(r, c.access), AccessFromCode, &access);
      !e.empty()) {
    return e;
  }
  std::optional<int64_t> capacity;
  if (std::string_view f = Field(r, c.capacity); !f.empty()) {
    int64_t value = 0;
    if (std::string e = internal::ParseWhole("capacity", f, &value); !e.empty()) return e;
    if (!internal::IsValidCapacity(value)) return internal::Cat("capacity: '", f, "' is negative");
    capacity = value;
  }
  std::vector<std::string_view> municipalities = internal::SplitList(Field(r, c.municipality));
  if (internal::NeedsLocation(modes) && !has_position) {
    return internal::Cat("lat and lon are required with mode ",
                         modes.Contains(Mode::kInPerson) ? "in_person" : "home_visit");
  }
  if (!internal::HasRadiusForModes(modes, radius_km)) {
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

}  // namespace

absl::StatusOr<ProvidersCsv> ParseProvidersCsv(std::string_view text,
                                               std::string_view file_name,
                                               const CsvReadOptions& options) {
  ProvidersCsv result;
  v1::DirectorySnapshot snapshot;
  snapshot.set_source(std::string(file_name));
  ProviderColumns c{};
  absl::Status status = internal::WalkContractTable(
      text,
      {.file = file_name,
       .known = kProviderColumns,
       .required =
           [](const internal::TableReader&) {
             return std::span<const std::string_view>(kProviderRequired);
           },
       .on_header =
           [&](const internal::TableReader& t) {
             c = {t.Find("id"),        t.Find("name"),     t.Find("kind"),
                  t.Find("lat"),       t.Find("lon"),      t.Find("topics"),
                  t.Find("languages"), t.Find("modes"),    t.Find("radius_km"),
                  t.Find("access"),    t.Find("capacity"), t.Find("municipality")};
           },
       .parse_row =
           [&](const CsvRecord& record) {
             v1::Provider* provider = snapshot.add_providers();
             std::string reason = ParseProviderRow(record, c, provider);
             if (!reason.empty()) {
               snapshot.mutable_providers()->RemoveLast();
             } else {
               std::vector<std::string> warnings;
               internal::WarnUnknownMunicipalities(options.gazetteer,
                                                   Field(record, c.municipality), &warnings);
               internal::AddWarnings(record.line, std::move(warnings), &result.report);
             }
             return reason;
           }},
      options, &result.report);
  if (!status.ok()) return status;
  if (absl::Status s = internal::RejectIfBad(result.report, options); !s.ok()) return s;
  absl::StatusOr<std::shared_ptr<const Directory>> directory = Directory::Create(snapshot);
  if (!directory.ok()) return directory.status();
  result.directory = *std::move(directory);
  return result;
}

absl::StatusOr<ProvidersCsv> ReadProvidersCsv(const std::string& path,
                                              const CsvReadOptions& options) {
  absl::StatusOr<std::string> text =
      internal::ReadContractFile(path, options, [&](std::string_view head) {
        return ParseProvidersCsv(head, path, options).status();
      });
  if (!text.ok()) return text.status();
  return ParseProvidersCsv(*text, path, options);
}

}  // namespace wegwijzer
