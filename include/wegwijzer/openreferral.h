// Open Referral: directories published as HSDS 3.0 / 3.1 (and the ORUK 3.0 profile),
// read into Wegwijzer and written back.
//
// A municipality's sociale kaart is rarely a providers.csv; it is an HSDS directory:
// organizations, services, locations and the service_at_location links between them.
// ImportHsds reads one (the API's JSON response shapes, a file or a folder of files)
// into a wegwijzer.v1.DirectorySnapshot that carries both
//   * `providers`: one Wegwijzer provider per HSDS service, ready for Directory::Create
//     (the Router and Matcher use these), and
//   * `hsds`: the HSDS directory itself, every property kept (what Wegwijzer does not
//     interpret is stored verbatim), so ExportHsds writes back what was read.
//
// Example:
//   absl::StatusOr<wegwijzer::TaxonomyMap> map = wegwijzer::TaxonomyMap::Load("map.csv");
//   absl::StatusOr<wegwijzer::HsdsImport> in =
//       wegwijzer::ImportHsds("export/", {.taxonomy_map = &*map});
//   if (!in.ok()) return in.status();  // names the file, record and field
//   std::cerr << in->report.ToString();  // what could not be expressed, unmapped terms
//   auto directory = wegwijzer::Directory::Create(*in->snapshot);
//
// How an HSDS service becomes a provider:
//   id, name         the service's id and name (kind: other; HSDS has no kind).
//   topics           its attributes' taxonomy terms through the TaxonomyMap (taxonomy,
//                    term code; a term without a code is looked up by its name).
//   languages        its languages' codes (ISO 639-1, or 639-2/3 for the common
//                    languages of the Netherlands); no languages given = the contract's nl.
//   locations        the locations its service_at_locations name, with valid WGS84
//                    latitude/longitude.
//   modes            in_person when it has such a location; phone / video when a
//                    schedule's attending_type or a location_type "virtual" says so.
//   access           keywords in its locations' accessibility texts (wheelchair,
//                    induction/hearing loop, quiet room; also the Dutch words).
//   capacity         3.1 service_capacity: the `available` of its capacities, summed.
//   municipalities   CBS codes GMxxxx found in its service areas' uri, name or extent.
//   minimum_age, maximum_age   its own (0..150; outside is a problem, "age limit left out").
//   charges_fee      a cost option with an amount above 0.
//   schedules        its own rows (the provider's hours, also for phone and video);
//                    each location gets its service_at_location's rows, else its own:
//                    the same precedence as HsdsOpeningHours. Rows OpeningHours cannot
//                    compile are an error naming the schedule (or left out, reported).
// Services whose status is inactive or defunct are left out (reported).
//
// Strictness: a record that cannot become a provider (no topic, a location out of
// range, an unknown language code) is an error naming it, unless skip_bad_records: then
// the record (or the value) is left out and the report says so. Nothing is dropped
// without a line in the report.
//
// Thread-safety: pure functions; thread-safe. TaxonomyMap: immutable after Load.
#ifndef WEGWIJZER_OPENREFERRAL_H_
#define WEGWIJZER_OPENREFERRAL_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "wegwijzer/codes.h"
#include "wegwijzer/opening_hours.h"

namespace wegwijzer {
namespace v1 {
class DirectorySnapshot;
class HsdsDirectory;
}  // namespace v1

// Which Wegwijzer topic an HSDS taxonomy term means: a table of
// (taxonomy, term code) -> topic, read from CSV with the header
// `taxonomy,term_code,topic` (topic: a contract code such as "benefits").
class TaxonomyMap {
 public:
  // Errors: kNotFound (no such file), kInvalidArgument "FILE:LINE: reason" for a bad
  // header, an unknown topic code, an empty field or a pair listed twice.
  static absl::StatusOr<TaxonomyMap> Load(const std::string& path);
  static absl::StatusOr<TaxonomyMap> Parse(std::string_view csv_text, std::string_view file);
  // The table shipped in data/hsds_taxonomy_map.csv, for the terms in the Open
  // Referral samples. Compiled in, so it needs no file at run time.
  static const TaxonomyMap& Default();

  // nullopt when the pair is not in the table.
  std::optional<Topic> Find(std::string_view taxonomy, std::string_view code) const;
  size_t size() const { return table_.size(); }

 private:
  // Key: taxonomy, a newline, term code (neither may hold a newline: CSV fields are trimmed
  // single-line text).
  std::map<std::string, Topic> table_;
};

struct HsdsImportOptions {
  // Maps taxonomy terms onto topics. DEFAULT: nullptr = TaxonomyMap::Default().
  // REQUIRES: outlives the call.
  const TaxonomyMap* taxonomy_map = nullptr;
  // Leave out (and report) what cannot become a provider instead of failing.
  // DEFAULT: false.
  bool skip_bad_records = false;
};

// What an import could not express as Wegwijzer providers.
struct HsdsReport {
  // One line per left-out record or value, naming the record and field:
  // "location 3a19...: latitude 100 is outside [-90, 90]; location left out".
  std::vector<std::string> problems;
  // Taxonomy terms not in the map: "taxonomy/code" -> how many attributes used it.
  std::map<std::string, int> unmapped_terms;
  int services_read = 0;
  int providers_made = 0;

  // A readable summary, one item per line (empty when there is nothing to say).
  std::string ToString() const;
};

struct HsdsImport {
  HsdsImport();
  HsdsImport(HsdsImport&&) noexcept;
  HsdsImport& operator=(HsdsImport&&) noexcept;
  ~HsdsImport();
  // Never null. `providers` for routing; `hsds` the directory as read.
  std::unique_ptr<v1::DirectorySnapshot> snapshot;
  HsdsReport report;
};

// Reads `path`: one HSDS JSON file, a folder whose *.json files are read in name
// order (kinds by file name, see lib/openreferral/hsds_json.h), or a folder holding a
// tabular datapackage (datapackage.json beside the CSV tables, see
// lib/openreferral/hsds_csv.h). An HSDS 1.1 datapackage is refused as kUnimplemented
// ("HSDS 1.1 is not supported").
// Errors: kNotFound (no such path), kInvalidArgument naming file, record and field.
absl::StatusOr<HsdsImport> ImportHsds(const std::string& path,
                                      const HsdsImportOptions& options = {});

// The same from text already in memory; `file_name` tells the document's kind
// ("service_list.json") and names it in messages.
absl::StatusOr<HsdsImport> ImportHsdsJson(std::string_view text, std::string_view file_name,
                                          const HsdsImportOptions& options = {});

// Whether an error of ImportHsds / ImportHsdsJson / ConvertHsds is about one record
// that skip_bad_records would leave out (and report), rather than about the document
// itself (malformed JSON, an unreadable file, a missing table). Tools use it to offer
// skip_bad_records only where it helps.
bool IsSkippableRecordError(const absl::Status& status);

// Compiles an HSDS directory into Wegwijzer providers (snapshot->providers), as
// described above; the directory itself is copied into snapshot->hsds.
absl::StatusOr<HsdsImport> ConvertHsds(const v1::HsdsDirectory& directory,
                                       std::string_view source,
                                       const HsdsImportOptions& options = {});

// HSDS 3.0 JSON for `directory`: (file name, text) pairs, service_list.json first.
std::vector<std::pair<std::string, std::string>> FormatHsdsJson(
    const v1::HsdsDirectory& directory);

// The tabular form: one CSV per table, (file name, text) pairs. Tables read from CSV
// keep their columns and rows; a nested JSON property has no column of its own in
// HSDS's tables and is written as JSON text in a column named after it.
std::vector<std::pair<std::string, std::string>> FormatHsdsCsv(
    const v1::HsdsDirectory& directory);

enum class HsdsFormat { kJson, kCsv };

// The opening hours of service `service_id` at location `location_id` (empty: the
// service wherever it is given): the schedules of their service_at_location when it
// has any, else the location's, else the service's (HSDS puts the same hours at any
// of the three levels; the most specific wins).
// Errors: kNotFound for an unknown service, or a location the service is not given
// at; kInvalidArgument from OpeningHours::Create, naming the schedule.
absl::StatusOr<OpeningHours> HsdsOpeningHours(const v1::HsdsDirectory& directory,
                                              std::string_view service_id,
                                              std::string_view location_id,
                                              OpeningHours::Options options = {});

// Writes FormatHsdsJson (or FormatHsdsCsv, plus a datapackage.json marker so that the
// folder reads back) into the folder `out_dir` (created if missing), each file
// atomically (a temporary beside it, then renamed).
// A folder holds one form: JSON is not written beside a datapackage.json, nor CSV
// beside HSDS JSON documents (ImportHsds refuses a folder that holds both).
// Errors: kFailedPrecondition when a file cannot be written, naming it, or when the
// folder holds the other form.
absl::Status ExportHsds(const v1::HsdsDirectory& directory, const std::string& out_dir,
                        HsdsFormat format = HsdsFormat::kJson);

}  // namespace wegwijzer

#endif  // WEGWIJZER_OPENREFERRAL_H_
