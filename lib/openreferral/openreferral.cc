// HSDS import (JSON shapes), the conversion to Wegwijzer providers, and export.
#include "wegwijzer/openreferral.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "google/protobuf/arena.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "core/proto_codes.h"
#include "core/rules.h"
#include "core/text.h"
#include "interchange/csv_tokenizer.h"
#include "openreferral/hsds_csv.h"
#include "openreferral/hsds_json.h"
#include "openreferral/json.h"
#include "directory/service_area.h"
#include "geography/geojson.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/v1/directory.pb.h"
#include "wegwijzer/v1/openreferral.pb.h"

namespace wegwijzer {

namespace {
// The payload that marks a record-level problem (SkippableRecordError).
constexpr char kSkippablePayload[] = "type.wegwijzer/openreferral.skippable_record";
}  // namespace

absl::Status internal::SkippableRecordError(std::string message) {
  absl::Status status = absl::InvalidArgumentError(std::move(message));
  status.SetPayload(kSkippablePayload, absl::Cord("1"));
  return status;
}

bool IsSkippableRecordError(const absl::Status& status) {
  return status.code() == absl::StatusCode::kInvalidArgument &&
         status.GetPayload(kSkippablePayload).has_value();
}

namespace {

// The text of data/hsds_taxonomy_map.csv (a test checks that the two agree).
constexpr std::string_view kDefaultTaxonomyMap =
    "taxonomy,term_code,topic\n"
    "taxonomy,code,basics\n"
    "taxonomy,name,basics\n";

// ISO 639-2/3 codes HSDS publishers use for the languages most asked for in the
// Netherlands, to their ISO 639-1 code.
std::optional<std::string_view> ThreeLetterLanguage(std::string_view code) {
  static constexpr std::pair<std::string_view, std::string_view> kTable[] = {
      {"ara", "ar"}, {"deu", "de"}, {"dut", "nl"}, {"eng", "en"}, {"fra", "fr"},
      {"fre", "fr"}, {"ger", "de"}, {"nld", "nl"}, {"pap", "pap"}, {"pol", "pl"},
      {"por", "pt"}, {"ron", "ro"}, {"rum", "ro"}, {"rus", "ru"}, {"som", "so"},
      {"spa", "es"}, {"tir", "ti"}, {"tur", "tr"}, {"ukr", "uk"}, {"urd", "ur"},
      {"fry", "fy"}, {"bul", "bg"}, {"ber", ""},   {"zho", "zh"}, {"chi", "zh"},
  };
  for (const auto& [three, two] : kTable) {
    if (code == three && two.size() == 2) return two;
  }
  return std::nullopt;
}

// Finds CBS municipality codes (GM followed by four digits) in free text.
void FindMunicipalityCodes(std::string_view text, std::vector<std::string>* out) {
  for (size_t i = 0; i + 6 <= text.size(); ++i) {
    if ((text[i] == 'G' || text[i] == 'g') && (text[i + 1] == 'M' || text[i + 1] == 'm') &&
        std::all_of(text.begin() + i + 2, text.begin() + i + 6,
                    [](char c) { return c >= '0' && c <= '9'; }) &&
        (i + 6 == text.size() || !std::isdigit(static_cast<unsigned char>(text[i + 6]))) &&
        (i == 0 || !std::isalnum(static_cast<unsigned char>(text[i - 1])))) {
      std::string code = internal::Cat("GM", text.substr(i + 2, 4));
      if (std::find(out->begin(), out->end(), code) == out->end()) out->push_back(code);
      i += 5;
    }
  }
}

// A service area's GeoJSON `extent` (a Polygon or MultiPolygon geometry, a Feature or
// a FeatureCollection of them) as the parts of a Wegwijzer service area, checked as
// Directory::Create checks them. The reason, when it cannot be one, names the field.
absl::Status ExtentToServiceArea(std::string_view extent, std::string_view where,
                                 v1::ServiceArea* out) {
  absl::StatusOr<internal::JsonValue> json = internal::ParseJson(extent, where);
  if (!json.ok()) {
    return absl::InvalidArgumentError(internal::Cat(
        where, ": field \"extent\": not GeoJSON (", json.status().message(), ")"));
  }
  const internal::JsonValue* type = json->Find("type");
  std::string collection;
  if (type == nullptr || type->type != internal::JsonValue::Type::kString) {
    return absl::InvalidArgumentError(
        internal::Cat(where, ": field \"extent\": a GeoJSON object needs a \"type\""));
  }
  if (type->text == "FeatureCollection") {
    collection = std::string(extent);
  } else if (type->text == "Feature") {
    collection = internal::Cat(R"({"type":"FeatureCollection","features":[)", extent, "]}");
  } else if (type->text == "Polygon" || type->text == "MultiPolygon") {
    collection = internal::Cat(
        R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":)",
        extent, "}]}");
  } else {
    return absl::InvalidArgumentError(internal::Cat(
        where, ": field \"extent\": a GeoJSON ", type->text,
        " is not an area (Polygon, MultiPolygon, Feature or FeatureCollection)"));
  }
  absl::StatusOr<std::vector<internal::GeoJsonFeature>> features =
      internal::ParseGeoJsonPolygons(collection, "extent");
  if (!features.ok()) {
    return absl::InvalidArgumentError(internal::Cat(where, ": field \"extent\": ",
                                                    features.status().message()));
  }
  v1::ServiceArea area;
  for (const internal::GeoJsonFeature& f : *features) {
    for (const internal::GeoJsonPolygon& polygon : f.polygons) {
      v1::ServiceArea::Part* part = area.add_parts();
      for (size_t r = 0; r < polygon.rings.size(); ++r) {
        v1::Ring* ring = r == 0 ? part->mutable_exterior() : part->add_holes();
        for (const LatLng& p : polygon.rings[r]) {
          v1::LatLng* point = ring->add_points();
          point->set_lat_deg(p.lat_deg);
          point->set_lon_deg(p.lon_deg);
        }
      }
    }
  }
  if (area.parts().empty()) {
    return absl::InvalidArgumentError(
        internal::Cat(where, ": field \"extent\": the GeoJSON has no polygon"));
  }
  // Checked alone, then with the extents already taken (their union must be a valid
  // area too: parts of one area may not overlap).
  internal::ServiceAreas check;
  if (absl::StatusOr<uint32_t> added = check.Add(area); !added.ok()) {
    return absl::InvalidArgumentError(internal::Cat(where, ": field \"extent\": ",
                                                    added.status().message()));
  }
  v1::ServiceArea combined = *out;
  for (const v1::ServiceArea::Part& part : area.parts()) *combined.add_parts() = part;
  if (!out->parts().empty()) {
    if (absl::StatusOr<uint32_t> added = check.Add(combined); !added.ok()) {
      return absl::InvalidArgumentError(internal::Cat(
          where, ": field \"extent\": with the service's other extents: ",
          added.status().message()));
    }
  }
  *out = std::move(combined);
  return absl::OkStatus();
}

bool ContainsAny(std::string_view lower_text, std::initializer_list<std::string_view> words) {
  for (std::string_view w : words) {
    if (lower_text.find(w) != std::string_view::npos) return true;
  }
  return false;
}

// attending_type is free text in HSDS 3.0 ("in-person or remotely via video").
void ModesFromAttendingType(std::string_view text, bool* in_person, bool* phone, bool* video) {
  const std::string lower = absl::AsciiStrToLower(std::string(text));
  if (ContainsAny(lower, {"in-person", "in person", "in_person", "walk-in", "op locatie",
                          "inloop", "langskomen"})) {
    *in_person = true;
  }
  if (ContainsAny(lower, {"phone", "telephone", "telefo", "bellen"})) *phone = true;
  if (ContainsAny(lower, {"video", "online", "remote", "beeldbellen"})) *video = true;
}

void AccessFromText(std::string_view text, AccessSet* access) {
  const std::string lower = absl::AsciiStrToLower(std::string(text));
  if (ContainsAny(lower, {"wheelchair", "rolstoel", "step-free", "drempelvrij"})) {
    access->Add(Access::kWheelchair);
  }
  if (ContainsAny(lower, {"induction loop", "hearing loop", "t-coil", "ringleiding"})) {
    access->Add(Access::kHearingLoop);
  }
  if (ContainsAny(lower, {"quiet room", "stille ruimte", "stilteruimte"})) {
    access->Add(Access::kQuietRoom);
  }
  if (ContainsAny(lower, {"easy read", "easy language", "plain language", "eenvoudige taal",
                          "taalniveau b1"})) {
    access->Add(Access::kEasyLanguage);
  }
}

// The first HSDS JSON document (service_list.json, ...) in `folder`, or "".
std::string FirstHsdsJsonDocument(const std::filesystem::path& folder) {
  std::error_code ec;
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && entry.path().extension() == ".json" &&
        internal::HsdsKindFromFileName(name) != internal::HsdsDocumentKind::kUnknown &&
        internal::HsdsKindFromFileName(name) != internal::HsdsDocumentKind::kIgnored) {
      names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  return names.empty() ? "" : names.front();
}

absl::Status ReadPath(const std::string& path, bool skip_bad_records, v1::HsdsDirectory* directory,
                      std::vector<std::string>* notes) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) return absl::NotFoundError(internal::Cat(path, ": no such file or folder"));
  std::vector<std::string> files;
  if (fs::is_directory(status)) {
    if (fs::exists(fs::path(path) / "datapackage.json")) {
      // A datapackage: HSDS 1.1 (services_at_location.csv, regular_schedules.csv) or the
      // 3.x tabular form.
      if (fs::exists(fs::path(path) / "services_at_location.csv") ||
          fs::exists(fs::path(path) / "regular_schedules.csv")) {
        return absl::UnimplementedError(internal::Cat(
            path, ": HSDS 1.1 is not supported (its tables services_at_location.csv and "
                  "regular_schedules.csv are the 1.1 layout); convert to HSDS 3.0"));
      }
      // Both forms in one folder (an export of the other format over an old one):
      // which one is the directory is not for the reader to guess.
      if (const std::string json = FirstHsdsJsonDocument(path); !json.empty()) {
        return absl::InvalidArgumentError(internal::Cat(
            path, ": holds both a tabular datapackage (datapackage.json) and the HSDS JSON "
                  "document ", json, "; keep one form per folder"));
      }
      std::vector<internal::HsdsCsvFile> tables;
      for (const auto& entry : fs::directory_iterator(path, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".csv") {
          tables.push_back({entry.path().filename().string(), ""});
        }
      }
      std::sort(tables.begin(), tables.end(),
                [](const auto& a, const auto& b) { return a.name < b.name; });
      for (internal::HsdsCsvFile& t : tables) {
        absl::StatusOr<std::string> text = ReadFile((fs::path(path) / t.name).string());
        if (!text.ok()) return text.status();
        t.text = *std::move(text);
      }
      if (tables.empty()) return absl::InvalidArgumentError(internal::Cat(path, ": a datapackage without CSV tables"));
      return internal::ReadHsdsCsv(tables, path, skip_bad_records, directory, notes);
    }
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      if (entry.is_regular_file() && entry.path().extension() == ".json") {
        files.push_back(entry.path().string());
      }
    }
    if (ec) return absl::NotFoundError(internal::Cat(path, ": ", ec.message()));
    std::sort(files.begin(), files.end());
    // base.json first: it declares the version the rest is read as.
    std::stable_partition(files.begin(), files.end(), [](const std::string& f) {
      return internal::HsdsKindFromFileName(f) == internal::HsdsDocumentKind::kBase;
    });
  } else {
    files.push_back(path);
  }
  bool any = false;
  for (const std::string& file : files) {
    const internal::HsdsDocumentKind kind = internal::HsdsKindFromFileName(file);
    if (kind == internal::HsdsDocumentKind::kUnknown) {
      if (files.size() == 1) {
        return absl::InvalidArgumentError(internal::Cat(
            file, ": not an HSDS document name (expected service_*.json, organization_*.json, "
                  "service_at_location_*.json, location*.json or base.json)"));
      }
      continue;  // datapackage.json and other files of a folder
    }
    absl::StatusOr<std::string> text = ReadFile(file);
    if (!text.ok()) return text.status();
    absl::Status s = internal::ReadHsdsJsonDocument(*text, file, kind, directory);
    if (!s.ok()) return s;
    any = any || kind != internal::HsdsDocumentKind::kIgnored;
  }
  if (!any) return absl::InvalidArgumentError(internal::Cat(path, ": no HSDS records found"));
  return absl::OkStatus();
}

}  // namespace

// ---- TaxonomyMap ----

absl::StatusOr<TaxonomyMap> TaxonomyMap::Parse(std::string_view text, std::string_view file) {
  TaxonomyMap map;
  internal::CsvTokenizer tokenizer(text);
  internal::CsvRecord record;
  bool header = true;
  while (tokenizer.Next(&record)) {
    auto fail = [&](std::string_view reason) {
      return absl::InvalidArgumentError(internal::Cat(file, ":", record.line, ": ", reason));
    };
    if (record.problem != internal::CsvRecord::Problem::kNone) return fail("malformed CSV record");
    if (header) {
      header = false;
      if (record.fields != std::vector<std::string>{"taxonomy", "term_code", "topic"}) {
        return fail("the header must be taxonomy,term_code,topic");
      }
      continue;
    }
    if (record.fields.size() != 3) return fail(internal::Cat("expected 3 fields, got ", record.fields.size()));
    for (const std::string& f : record.fields) {
      if (f.empty()) return fail("a field is empty");
    }
    std::optional<Topic> topic = TopicFromCode(record.fields[2]);
    if (!topic) return fail(internal::Cat("unknown topic \"", record.fields[2], "\""));
    auto [it, inserted] =
        map.table_.emplace(internal::Cat(record.fields[0], "\n", record.fields[1]), *topic);
    if (!inserted) {
      return fail(internal::Cat("the term ", record.fields[0], "/", record.fields[1],
                               " is listed twice"));
    }
  }
  if (!tokenizer.status().ok()) {
    return absl::InvalidArgumentError(internal::Cat(file, ": ", tokenizer.status().message()));
  }
  if (header) return absl::InvalidArgumentError(internal::Cat(file, ": empty, no header"));
  return map;
}

absl::StatusOr<TaxonomyMap> TaxonomyMap::Load(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  return Parse(*text, path);
}

const TaxonomyMap& TaxonomyMap::Default() {
  static const TaxonomyMap* const kMap =
      new TaxonomyMap(*Parse(kDefaultTaxonomyMap, "data/hsds_taxonomy_map.csv"));
  return *kMap;
}

std::optional<Topic> TaxonomyMap::Find(std::string_view taxonomy, std::string_view code) const {
  auto it = table_.find(internal::Cat(taxonomy, "\n", code));
  if (it == table_.end()) return std::nullopt;
  return it->second;
}

// ---- report ----

std::string HsdsReport::ToString() const {
  std::string out;
  for (const std::string& p : problems) internal::Append(&out, p, "\n");
  for (const auto& [term, count] : unmapped_terms) {
    internal::Append(&out, "unmapped taxonomy term ", term, ": ", count,
                    count == 1 ? " use" : " uses", " (no topic; add it to the taxonomy map)\n");
  }
  return out;
}

HsdsImport::HsdsImport() {
  // Blocks growing to 1 MiB rather than protobuf's 8 KiB: a large import then asks
  // glibc for few big blocks instead of thousands of small ones (each small one
  // made glibc consolidate its free lists: a few per cent of an import).
  google::protobuf::ArenaOptions options;
  options.start_block_size = 4096;
  options.max_block_size = size_t{1} << 20;
  auto arena = std::make_shared<google::protobuf::Arena>(options);
  v1::DirectorySnapshot* on_arena = google::protobuf::Arena::CreateMessage<v1::DirectorySnapshot>(arena.get());
  snapshot = std::unique_ptr<v1::DirectorySnapshot, SnapshotDeleter>(on_arena, SnapshotDeleter{std::move(arena)});
}
void HsdsImport::SnapshotDeleter::operator()(v1::DirectorySnapshot* s) {
  if (arena == nullptr) {
    delete s;
  } else {
    arena.reset();  // the snapshot and everything in it live on the arena
  }
}
HsdsImport::HsdsImport(HsdsImport&&) noexcept = default;
HsdsImport& HsdsImport::operator=(HsdsImport&&) noexcept = default;
HsdsImport::~HsdsImport() = default;

// ---- conversion ----

namespace {

// ConvertHsds on a directory already in place in `result->snapshot->hsds()`.
absl::Status ConvertInPlace(std::string_view source, const HsdsImportOptions& options,
                            HsdsImport* out) {
  const TaxonomyMap& map = options.taxonomy_map ? *options.taxonomy_map : TaxonomyMap::Default();
  HsdsImport& result = *out;
  HsdsReport& report = result.report;
  v1::DirectorySnapshot& snapshot = *result.snapshot;
  const v1::HsdsDirectory& hsds = snapshot.hsds();
  snapshot.set_source(std::string(source));

  // A problem: an error unless skip_bad_records, then a report line.
  auto problem = [&](std::string what, std::string_view consequence) -> absl::Status {
    if (!options.skip_bad_records) {
      return internal::SkippableRecordError(internal::Cat(source, ": ", what));
    }
    report.problems.push_back(internal::Cat(what, "; ", consequence));
    return absl::OkStatus();
  };
  auto note = [&](std::string what) { report.problems.push_back(std::move(what)); };

  absl::flat_hash_map<std::string_view, const v1::HsdsLocation*> locations;
  locations.reserve(hsds.locations_size());
  for (const auto& l : hsds.locations()) locations.emplace(l.id(), &l);
  absl::flat_hash_map<std::string_view, std::vector<const v1::HsdsServiceAtLocation*>> sals_of;
  sals_of.reserve(hsds.services_size());
  for (const auto& sal : hsds.service_at_locations()) sals_of[sal.service_id()].push_back(&sal);
  snapshot.mutable_providers()->Reserve(hsds.services_size());

  // Location validity once per location, not once per service that uses it.
  absl::flat_hash_map<std::string_view, bool> location_ok;
  location_ok.reserve(hsds.locations_size());
  for (const v1::HsdsLocation& l : hsds.locations()) {
    const std::string name = internal::Cat("location ", l.id());
    bool ok = true;
    absl::Status s;
    if (l.has_location_type() && l.location_type() != "physical" &&
        l.location_type() != "postal" && l.location_type() != "virtual") {
      s = problem(internal::Cat(name, ": field \"location_type\": \"", l.location_type(),
                               "\" is not physical, postal or virtual"),
                  "location left out");
      ok = false;
    } else if (l.location_type() == "virtual" || l.location_type() == "postal") {
      ok = false;  // no place to go to; not a problem
    } else if (!l.has_latitude() || !l.has_longitude()) {
      if (l.location_type() == "physical") {
        s = problem(internal::Cat(name, ": a physical location without latitude/longitude"),
                    "location left out");
      }
      ok = false;
    } else if (!(l.latitude() >= -90 && l.latitude() <= 90)) {
      s = problem(internal::Cat(name, ": field \"latitude\": ", l.latitude(),
                               " is outside [-90, 90]"),
                  "location left out");
      ok = false;
    } else if (!(l.longitude() >= -180 && l.longitude() <= 180)) {
      s = problem(internal::Cat(name, ": field \"longitude\": ", l.longitude(),
                               " is outside [-180, 180]"),
                  "location left out");
      ok = false;
    }
    if (!s.ok()) return s;
    location_ok[l.id()] = ok;
  }

  for (const v1::HsdsService& service : hsds.services()) {
    ++report.services_read;
    const std::string name = internal::Cat("service ", service.id());
    if (service.status() == "inactive" || service.status() == "defunct") {
      note(internal::Cat(name, ": status ", service.status(), "; left out"));
      continue;
    }
    if (service.has_status() && service.status() != "active" &&
        service.status() != "temporarily closed") {
      if (absl::Status s = problem(internal::Cat(name, ": field \"status\": \"", service.status(),
                                                "\" is not active, inactive, defunct or "
                                                "temporarily closed"),
                                   "read as active");
          !s.ok()) {
        return s;
      }
    }
    // On the snapshot's arena, so that adding it below moves no fields.
    v1::Provider& provider = *google::protobuf::Arena::CreateMessage<v1::Provider>(snapshot.GetArena());
    std::unique_ptr<v1::Provider> heap_owner(snapshot.GetArena() == nullptr ? &provider : nullptr);
    provider.set_id(service.id());
    if (service.name().empty()) {
      if (absl::Status s = problem(internal::Cat(name, ": field \"name\" is empty"),
                                   "the id stands in for the name");
          !s.ok()) {
        return s;
      }
      provider.set_name(service.id());
    } else {
      provider.set_name(service.name());
    }
    provider.set_kind(v1::PROVIDER_KIND_OTHER);

    // Topics.
    TopicSet topics;
    for (const v1::HsdsAttribute& attribute : service.attributes()) {
      if (!attribute.has_taxonomy_term()) continue;
      const v1::HsdsTaxonomyTerm& term = attribute.taxonomy_term();
      const std::string& code = term.has_code() ? term.code() : term.name();
      std::optional<Topic> topic = map.Find(term.taxonomy(), code);
      if (topic) {
        topics.Add(*topic);
      } else {
        ++report.unmapped_terms[internal::Cat(term.taxonomy(), "/", code)];
      }
    }
    if (topics.empty()) {
      if (absl::Status s = problem(internal::Cat(name, ": field \"attributes\": no taxonomy term "
                                                "maps onto a topic"),
                                   "service left out");
          !s.ok()) {
        return s;
      }
      continue;
    }
    internal::AppendSet<Topic, kTopicCount>(topics, provider.mutable_topics());

    // Languages.
    bool drop = false;
    for (const v1::HsdsLanguage& language : service.languages()) {
      std::string code = absl::AsciiStrToLower(language.code());
      if (code.size() == 3) {
        if (std::optional<std::string_view> two = ThreeLetterLanguage(code)) code = *two;
      }
      if (!Language::FromCode(code)) {
        if (absl::Status s = problem(
                internal::Cat(name, " > language ", language.id(), ": field \"code\": ",
                             language.has_code() ? internal::Cat("\"", language.code(),
                                                                "\" is not an ISO 639 code")
                                                 : std::string("is missing")),
                "language left out");
            !s.ok()) {
          return s;
        }
        continue;
      }
      if (std::find(provider.languages().begin(), provider.languages().end(), code) ==
          provider.languages().end()) {
        provider.add_languages(code);
      }
    }

    // Locations, modes, access.
    bool in_person = false, phone = false, video = false, has_place = false;
    AccessSet access;
    auto schedules_modes = [&](const auto& schedules) {
      for (const v1::HsdsSchedule& sc : schedules) {
        ModesFromAttendingType(sc.attending_type(), &in_person, &phone, &video);
      }
    };
    schedules_modes(service.schedules());
    std::vector<std::string> municipalities;
    v1::ServiceArea drawn;  // the union of the GeoJSON extents
    absl::Status area_status;
    auto areas = [&](const auto& service_areas) {
      for (const v1::HsdsServiceArea& area : service_areas) {
        const size_t before = municipalities.size();
        FindMunicipalityCodes(area.uri(), &municipalities);
        FindMunicipalityCodes(area.name(), &municipalities);
        FindMunicipalityCodes(area.extent(), &municipalities);
        const bool geojson = area.has_extent() && !area.extent().empty() &&
                             (area.extent_type() == "geojson" ||
                              (!area.has_extent_type() && area.extent().front() == '{'));
        if (geojson) {
          const std::string where = internal::Cat(name, " > service_area ", area.id());
          if (area.extent().front() != '{') {
            // The samples write "extent": "extent": text that is no GeoJSON at all is
            // reported, not guessed at (like an area naming no municipality).
            note(internal::Cat(where, ": field \"extent\": \"", area.extent().substr(0, 40),
                               "\" is not GeoJSON; not expressed"));
          } else if (absl::Status s = ExtentToServiceArea(area.extent(), where, &drawn);
                     s.ok()) {
            continue;
          } else if (absl::Status p = problem(std::string(s.message()), "extent left out");
                     !p.ok() && area_status.ok()) {
            area_status = p;  // GeoJSON that is no valid area: refused, naming it
          }
          if (municipalities.size() != before) continue;
        }
        if (municipalities.size() == before) {
          note(internal::Cat(name, " > service_area ", area.id(),
                            ": names no CBS municipality code (GMxxxx); not expressed, the "
                            "provider serves anyone"));
        }
      }
    };
    areas(service.service_areas());
    if (auto it = sals_of.find(service.id()); it != sals_of.end()) {
      for (const v1::HsdsServiceAtLocation* sal : it->second) {
        schedules_modes(sal->schedules());
        areas(sal->service_areas());
        if (!sal->has_location_id()) continue;
        auto lit = locations.find(sal->location_id());
        if (lit == locations.end()) continue;
        const v1::HsdsLocation& l = *lit->second;
        schedules_modes(l.schedules());
        if (l.location_type() == "virtual") video = true;
        for (const v1::HsdsAccessibility& a : l.accessibility()) {
          AccessFromText(a.description(), &access);
          AccessFromText(a.details(), &access);
        }
        if (!location_ok[l.id()]) continue;
        v1::Location* location = provider.add_locations();
        location->set_id(l.id());
        location->set_name(l.name());
        // The most specific hours win (as HsdsOpeningHours): the link's, else the
        // location's; neither = the service's (the provider's schedules).
        *location->mutable_schedules() =
            !sal->schedules().empty() ? sal->schedules() : l.schedules();
        location->mutable_position()->set_lat_deg(l.latitude());
        location->mutable_position()->set_lon_deg(l.longitude());
        if (!l.addresses().empty()) {
          const v1::HsdsAddress& a = l.addresses(0);
          location->set_address(internal::Cat(a.address_1(), ", ", a.postal_code(), " ", a.city()));
        }
        has_place = true;
      }
    }
    if (drop) continue;
    if (!area_status.ok()) return area_status;
    for (const std::string& m : municipalities) provider.add_municipalities(m);
    if (!drawn.parts().empty()) *provider.mutable_service_area() = std::move(drawn);
    // A service with a place is attended there unless its schedules say it is only remote.
    if (has_place && (in_person || (!phone && !video))) provider.add_modes(v1::MODE_IN_PERSON);
    if (!has_place && in_person && !phone && !video) {
      if (absl::Status s = problem(internal::Cat(name, ": attended in person but no location "
                                                "with valid coordinates"),
                                   "service left out");
          !s.ok()) {
        return s;
      }
      continue;
    }
    if (!has_place && in_person) {
      note(internal::Cat(name, ": attended in person but no location with valid coordinates; "
                              "only its remote modes are kept"));
    }
    if (phone) provider.add_modes(v1::MODE_PHONE);
    if (video) provider.add_modes(v1::MODE_VIDEO);
    if (provider.modes().empty()) {
      if (absl::Status s = problem(internal::Cat(name, ": no location with valid coordinates "
                                                "and no remote attending_type"),
                                   "service left out");
          !s.ok()) {
        return s;
      }
      continue;
    }
    internal::AppendSet<Access, kAccessCount>(access, provider.mutable_access());

    // Capacity (HSDS 3.1).
    if (!service.capacities().empty()) {
      double available = 0;
      for (const v1::HsdsCapacity& c : service.capacities()) {
        if (!c.has_available()) continue;
        if (c.available() < 0 || c.available() != static_cast<double>(static_cast<int64_t>(c.available()))) {
          if (absl::Status s = problem(internal::Cat(name, " > capacity ", c.id(),
                                                    ": field \"available\": ", c.available(),
                                                    " is not a whole number >= 0"),
                                       "capacity left out");
              !s.ok()) {
            return s;
          }
          continue;
        }
        available += c.available();
      }
      provider.set_capacity(static_cast<int64_t>(available));
    }
    // Eligibility and hours (the request extensions route on them). Hours that do not
    // compile would fail Directory::Create: an error here, naming the schedule.
    *provider.mutable_schedules() = service.schedules();
    auto check_hours = [&](google::protobuf::RepeatedPtrField<v1::HsdsSchedule>* rows,
                           std::string_view where) -> absl::Status {
      if (rows->empty()) return absl::OkStatus();
      std::vector<const v1::HsdsSchedule*> list;
      for (const v1::HsdsSchedule& row : *rows) list.push_back(&row);
      absl::StatusOr<OpeningHours> hours = OpeningHours::Create(list, {});
      if (hours.ok()) return absl::OkStatus();
      absl::Status s = problem(internal::Cat(name, where, ": ", hours.status().message()),
                               "opening hours left out (unknown)");
      rows->Clear();
      return s;
    };
    if (absl::Status s = check_hours(provider.mutable_schedules(), ""); !s.ok()) return s;
    for (v1::Location& location : *provider.mutable_locations()) {
      if (absl::Status s = check_hours(location.mutable_schedules(),
                                       internal::Cat(" at location ", location.id()));
          !s.ok()) {
        return s;
      }
    }
    for (const auto& [field, has, age] :
         {std::tuple<std::string_view, bool, double>{"minimum_age", service.has_minimum_age(),
                                                     service.minimum_age()},
          {"maximum_age", service.has_maximum_age(), service.maximum_age()}}) {
      if (!has) continue;
      if (!internal::kAgeBounds.Contains(age)) {
        if (absl::Status s = problem(internal::Cat(name, ": field \"", field, "\": ", age,
                                                  " is outside ", internal::kAgeBounds.ToString()),
                                     "age limit left out");
            !s.ok()) {
          return s;
        }
        continue;
      }
      if (field == "minimum_age") {
        provider.set_minimum_age(age);
      } else {
        provider.set_maximum_age(age);
      }
    }
    if (provider.has_minimum_age() && provider.has_maximum_age() &&
        provider.minimum_age() > provider.maximum_age()) {
      if (absl::Status s = problem(internal::Cat(name, ": field \"minimum_age\": ",
                                                provider.minimum_age(), " is above maximum_age ",
                                                provider.maximum_age()),
                                   "age limits left out");
          !s.ok()) {
        return s;
      }
      provider.clear_minimum_age();
      provider.clear_maximum_age();
    }
    for (const v1::HsdsCostOption& c : service.cost_options()) {
      // A negative price is a mistake in the directory, not a payment to the
      // resident: it is a problem, and the option is not taken as free.
      if (c.has_amount() && !(c.amount() >= 0)) {
        if (absl::Status s = problem(internal::Cat(name, " > cost option ", c.id(),
                                                  ": field \"amount\": ", c.amount(),
                                                  " is negative"),
                                     "taken as charging a fee");
            !s.ok()) {
          return s;
        }
        provider.set_charges_fee(true);
        continue;
      }
      if (c.has_amount() && c.amount() > 0) provider.set_charges_fee(true);
    }
    heap_owner.release();
    snapshot.mutable_providers()->AddAllocated(&provider);
    ++report.providers_made;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<HsdsImport> ConvertHsds(const v1::HsdsDirectory& hsds, std::string_view source,
                                       const HsdsImportOptions& options) {
  HsdsImport result;
  *result.snapshot->mutable_hsds() = hsds;
  if (absl::Status s = ConvertInPlace(source, options, &result); !s.ok()) return s;
  return result;
}

absl::StatusOr<HsdsImport> ImportHsds(const std::string& path, const HsdsImportOptions& options) {
  HsdsImport result;
  v1::HsdsDirectory& directory = *result.snapshot->mutable_hsds();
  std::vector<std::string> notes;
  if (absl::Status s = ReadPath(path, options.skip_bad_records, &directory, &notes); !s.ok()) return s;
  if (absl::Status s = internal::CheckHsdsReferences(directory, path,
                                                     options.skip_bad_records ? &notes : nullptr);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = ConvertInPlace(path, options, &result); !s.ok()) return s;
  result.report.problems.insert(result.report.problems.begin(), notes.begin(), notes.end());
  return result;
}

absl::StatusOr<HsdsImport> ImportHsdsJson(std::string_view text, std::string_view file_name,
                                          const HsdsImportOptions& options) {
  const internal::HsdsDocumentKind kind = internal::HsdsKindFromFileName(file_name);
  if (kind == internal::HsdsDocumentKind::kUnknown) {
    return absl::InvalidArgumentError(internal::Cat(file_name, ": not an HSDS document name"));
  }
  HsdsImport result;
  v1::HsdsDirectory& directory = *result.snapshot->mutable_hsds();
  if (absl::Status s = internal::ReadHsdsJsonDocument(text, file_name, kind, &directory); !s.ok()) {
    return s;
  }
  if (absl::Status s = internal::CheckHsdsReferences(directory, file_name); !s.ok()) return s;
  if (absl::Status s = ConvertInPlace(file_name, options, &result); !s.ok()) return s;
  return result;
}

std::vector<std::pair<std::string, std::string>> FormatHsdsJson(const v1::HsdsDirectory& directory) {
  return internal::WriteHsdsJson(directory);
}

std::vector<std::string> FormatHsdsServices(const v1::HsdsDirectory& directory,
                                            HsdsServiceView view) {
  return internal::WriteHsdsServices(directory, view);
}

std::vector<int> FindHsdsServices(const v1::HsdsDirectory& directory,
                                  const HsdsServiceFilter& filter) {
  std::vector<std::string> words = absl::StrSplit(absl::AsciiStrToLower(filter.search), ' ',
                                                  absl::SkipWhitespace());
  std::vector<int> found;
  for (int i = 0; i < directory.services_size(); ++i) {
    const v1::HsdsService& service = directory.services(i);
    if (!filter.organization_id.empty() && service.organization_id() != filter.organization_id) {
      continue;
    }
    if (!filter.taxonomy_term_id.empty() &&
        std::none_of(service.attributes().begin(), service.attributes().end(),
                     [&](const v1::HsdsAttribute& a) {
                       return a.taxonomy_term().id() == filter.taxonomy_term_id;
                     })) {
      continue;
    }
    if (!words.empty()) {
      // The description is not typed (openreferral.proto keeps it in `extra` as JSON).
      std::string text = absl::AsciiStrToLower(service.name());
      for (const v1::HsdsProperty& p : service.extra()) {
        if (p.name() != "description") continue;
        absl::StatusOr<internal::JsonValue> value = internal::ParseJson(p.json(), "description");
        if (value.ok() && value->type == internal::JsonValue::Type::kString) {
          absl::StrAppend(&text, "\n", absl::AsciiStrToLower(value->text));
        }
      }
      if (!std::all_of(words.begin(), words.end(),
                       [&](const std::string& w) { return absl::StrContains(text, w); })) {
        continue;
      }
    }
    found.push_back(i);
  }
  internal::ApplyHsdsFilters(directory, filter, &found);  // hsds_api.cc: the rest
  return found;
}

std::string FormatHsdsPage(std::span<const std::string> contents, int64_t total_items,
                           int64_t page, int64_t per_page) {
  return internal::WriteHsdsPage(contents, total_items, page, per_page);
}

HsdsPageFrame FormatHsdsPageFrame(int64_t total_items, int64_t page, int64_t per_page,
                                  size_t size) {
  return {internal::WriteHsdsPageHead(total_items, page, per_page, size)};
}

absl::StatusOr<OpeningHours> HsdsOpeningHours(const v1::HsdsDirectory& d, std::string_view service_id,
                                              std::string_view location_id,
                                              OpeningHours::Options options) {
  const v1::HsdsService* service = nullptr;
  for (const auto& s : d.services()) {
    if (s.id() == service_id) service = &s;
  }
  if (service == nullptr) {
    return absl::NotFoundError(internal::Cat("service ", service_id, ": no such service"));
  }
  std::vector<const v1::HsdsSchedule*> rows;
  auto take = [&](const auto& schedules) {
    if (!rows.empty()) return;
    for (const v1::HsdsSchedule& s : schedules) rows.push_back(&s);
  };
  if (!location_id.empty()) {
    const v1::HsdsServiceAtLocation* sal = nullptr;
    for (const auto& x : d.service_at_locations()) {
      if (x.service_id() == service_id && x.location_id() == location_id) sal = &x;
    }
    if (sal == nullptr) {
      return absl::NotFoundError(internal::Cat("service ", service_id, " is not given at location ",
                                               location_id));
    }
    take(sal->schedules());
    for (const auto& l : d.locations()) {
      if (l.id() == location_id) take(l.schedules());
    }
  }
  take(service->schedules());
  return OpeningHours::Create(rows, std::move(options));
}

std::vector<std::pair<std::string, std::string>> FormatHsdsCsv(const v1::HsdsDirectory& directory) {
  return internal::WriteHsdsCsv(directory);
}

absl::Status ExportHsds(const v1::HsdsDirectory& directory, const std::string& out_dir,
                        HsdsFormat format) {
  // Writing one form over the other would leave a folder that holds two directories.
  const std::filesystem::path dir(out_dir);
  std::error_code ec;
  if (format == HsdsFormat::kJson && std::filesystem::exists(dir / "datapackage.json", ec)) {
    return absl::FailedPreconditionError(internal::Cat(
        out_dir, ": holds a tabular datapackage (datapackage.json); export JSON to another "
                 "folder, or remove the datapackage first"));
  }
  if (format == HsdsFormat::kCsv && std::filesystem::is_directory(dir, ec)) {
    if (const std::string json = FirstHsdsJsonDocument(dir); !json.empty()) {
      return absl::FailedPreconditionError(internal::Cat(
          out_dir, ": holds the HSDS JSON document ", json,
          "; export CSV to another folder, or remove the JSON documents first"));
    }
  }
  std::filesystem::create_directories(out_dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(internal::Cat(out_dir, ": cannot create: ", ec.message()));
  }
  const auto files = format == HsdsFormat::kJson ? FormatHsdsJson(directory) : FormatHsdsCsv(directory);
  for (const auto& [name, text] : files) {
    if (absl::Status s = WriteFileAtomically((std::filesystem::path(out_dir) / name).string(), text);
        !s.ok()) {
      return s;
    }
  }
  if (format == HsdsFormat::kCsv) {
    // The folder reads back as a datapackage; the schema is HSDS's own (not shipped).
    const std::string marker = (std::filesystem::path(out_dir) / "datapackage.json").string();
    if (!std::filesystem::exists(marker)) {
      if (absl::Status s = WriteFileAtomically(
              marker, "{\"name\": \"hsds\", \"profile\": \"tabular-data-package\", "
                      "\"description\": \"HSDS 3.0 tables written by Wegwijzer\"}\n");
          !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace wegwijzer
