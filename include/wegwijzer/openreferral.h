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
#include <optional>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "wegwijzer/codes.h"
#include "wegwijzer/geo.h"
#include "wegwijzer/opening_hours.h"

namespace google::protobuf {
class Arena;
}  // namespace google::protobuf

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
  // Frees a snapshot allocated on a protobuf Arena by freeing the arena (the import
  // allocates its records there: 50,000 services are hundreds of thousands of small
  // messages, and an arena makes building and freeing them cheap). The arena is
  // shared with the deleter, so a snapshot moved out of the import stays valid for
  // as long as it lives.
  struct SnapshotDeleter {
    std::shared_ptr<google::protobuf::Arena> arena;  // null: the snapshot is on the heap
    void operator()(v1::DirectorySnapshot* snapshot);
  };
  // Never null. `providers` for routing; `hsds` the directory as read.
  std::unique_ptr<v1::DirectorySnapshot, SnapshotDeleter> snapshot;
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

// The shapes of a service in the HSDS API 3.0 (schema/openapi.json of
// openreferral/specification):
//   kFull     compiled/service.json: the service_full record, its organization and
//             service_at_locations (each with its location) nested: GET /services/{id},
//             and GET /services?full=true.
//   kList     compiled/service_list.json: what GET /services lists by default ("services
//             that only have one-to-one fields in them"): the service's own properties
//             that are not arrays, and its organization (likewise without arrays) and
//             program when it has them. No schedules, locations, phones, attributes.
//   kMinimal  GET /services?minimal=true ("just 'id' and 'modified_date'"): the id, and
//             the service's last_modified (HSDS 3.0 has no property modified_date; its
//             service schema names the modification time last_modified) when it has one.
enum class HsdsServiceView { kFull, kList, kMinimal };

// Each service of `directory` as one HSDS JSON object of `view`'s shape, in directory
// order. kFull is what `export-hsds` writes in service_list.json (byte for byte); for
// an API that serves them one at a time or a page at a time (`wegwijzer serve`).
std::vector<std::string> FormatHsdsServices(const v1::HsdsDirectory& directory,
                                            HsdsServiceView view = HsdsServiceView::kFull);

// The HSDS API 3.0 `/services` filters, combined with AND; an empty field does not
// filter. Every field has an initializer, so a designated initializer may omit any.
struct HsdsServiceFilter {
  // Words that must each occur, case-insensitively (ASCII), in the service's name or
  // description. DEFAULT: empty.
  std::string search{};
  std::string organization_id{};   // DEFAULT: empty.
  // The id of a taxonomy term one of the service's attributes carries. DEFAULT: empty.
  std::string taxonomy_term_id{};
  // The id of a taxonomy one of the service's attributes' terms belongs to: the term's
  // `taxonomy_id`, or the `id` of its `taxonomy_detail`. DEFAULT: empty.
  std::string taxonomy_id{};
  // Services whose `last_modified` is after this ISO 8601 date-time (compared as text
  // after the same prefix length: "2024-01-31" admits "2024-02-01T00:00:00Z"); a
  // service without last_modified is not admitted. DEFAULT: empty.
  std::string modified_after{};
  // ORUK: services whose age range [minimum_age (absent: 0), maximum_age (absent: no
  // limit)] reaches this age; minimum_age admits services with maximum_age >= it,
  // maximum_age services with minimum_age <= it. Negative: no filter. DEFAULT: -1.
  double minimum_age = -1;
  double maximum_age = -1;
  // ORUK: services open on `day` (MO..SU) for the whole of [start_time, end_time]
  // ("HH:MM" or "HH:MM:SS"; one alone is a moment): some schedule row of the service,
  // its service_at_locations or their locations, whose byday names the day (a row
  // without byday is every day), opens_at <= start and closes_at >= end. DEFAULT: empty.
  std::string day{};
  std::string start_time{};
  std::string end_time{};
};

// Sets the filter field of HSDS API query parameter `name` from its (decoded) `value`:
// search, organization_id, taxonomy_term_id, taxonomy_id, modified_after, minimum_age,
// maximum_age, day, start_time, end_time. Errors: kInvalidArgument naming the parameter
// and the reason ("minimum_age: 'x' is not a number in 0..150"); kNotFound when `name`
// is not a filter (paging and format parameters are the caller's).
absl::Status SetHsdsServiceFilter(std::string_view name, std::string_view value,
                                  HsdsServiceFilter* filter);

// The paging and shape parameters of an HSDS API list (page, per_page, format, and for
// GET /services minimal and full). Every field has an initializer.
struct HsdsListQuery {
  int64_t page = 1;       // >= 1. DEFAULT: 1.
  int64_t per_page = 50;  // 1..max_per_page. DEFAULT: 50 (lowered to max_per_page).
  // format=ndjson: every record the filters admit, one JSON object a line, without the
  // paging envelope (the OpenAPI: "stream all the results without pagination"); page
  // and per_page are then ignored. DEFAULT: false (format=json).
  bool ndjson = false;
  HsdsServiceView view = HsdsServiceView::kList;  // DEFAULT: kList.
};

// Sets the field of HSDS API query parameter `name` from its decoded `value`: page
// (a whole number >= 1), per_page (1..max_per_page), format (json | ndjson), and, with
// `services`, minimal and full (true | false; both true is refused, whichever comes
// last: they ask for two shapes). Errors: kInvalidArgument naming the parameter, the
// value and the reason ("per_page: '0' is not a whole number in 1..1000"); kNotFound
// when `name` is none of these (filters are SetHsdsServiceFilter's).
absl::Status SetHsdsListParameter(std::string_view name, std::string_view value,
                                  int64_t max_per_page, bool services, HsdsListQuery* query);

// A record of an HSDS API list endpoint: its id and its JSON object.
struct HsdsRecord {
  std::string id;
  std::string json;
};

// /organizations: each organization, without nested records, in directory order.
std::vector<HsdsRecord> FormatHsdsOrganizations(const v1::HsdsDirectory& directory);
// /service_at_locations: each service_at_location with its location nested.
std::vector<HsdsRecord> FormatHsdsServiceAtLocations(const v1::HsdsDirectory& directory);
// /taxonomy_terms: the distinct taxonomy terms (by id) the services' attributes
// carry, in the order first met, then those of a tabular directory's taxonomy_terms
// table that no service carries (its non-empty cells as strings). Terms without an
// id are left out.
std::vector<HsdsRecord> FormatHsdsTaxonomyTerms(const v1::HsdsDirectory& directory);
// /taxonomies: the distinct taxonomies (by id) of those terms: a term's
// `taxonomy_detail` object as given, else {"id": taxonomy_id, "name": taxonomy,
// "description": ""} (the schema requires a description); then the rows of a tabular
// directory's taxonomies table not met that way.
std::vector<HsdsRecord> FormatHsdsTaxonomies(const v1::HsdsDirectory& directory);
// Positions of the service_at_locations whose location has an address whose
// postal_code starts with `postcode` (both without spaces, case-insensitive: "1011"
// admits "1011 AB"). An empty postcode admits all. O(records).
std::vector<int> FindHsdsServiceAtLocations(const v1::HsdsDirectory& directory,
                                            std::string_view postcode);

// The `proximity` of GET /service_at_locations: a distance in metres (the OpenAPI:
// "services that exist within meters from the centroid of the provided postcode"), a
// finite decimal number >= 0 (at most 20,040 km, half the earth's circumference).
// Errors: kInvalidArgument "proximity: 'x' is not a distance in metres >= 0".
absl::StatusOr<double> ParseHsdsProximity(std::string_view value);

// A service_at_location found near a point: its position in
// directory.service_at_locations() and its location's distance in metres.
struct HsdsNearby {
  int index = 0;
  double distance_m = 0;
};

// The service_at_locations whose location has a valid latitude and longitude within
// `max_m` metres (inclusive; HaversineMeters, the contract's distance) of `centre`,
// nearest first (ties in directory order). Those without a located location are left
// out. O(records + found log found).
std::vector<HsdsNearby> FindHsdsServiceAtLocationsNear(const v1::HsdsDirectory& directory,
                                                       LatLng centre, double max_m);

// Positions (in directory.services()) of the services `filter` admits, ascending.
// O(services x their text).
std::vector<int> FindHsdsServices(const v1::HsdsDirectory& directory,
                                  const HsdsServiceFilter& filter);

// An HSDS API 3.0 page: {"total_items", "total_pages", "page_number", "size",
// "first_page", "last_page", "empty", "contents": [...]} with `contents` the given
// JSON records (the page's, at most per_page of them). total_pages is at least 1.
// REQUIRES: page >= 1, per_page >= 1.
std::string FormatHsdsPage(std::span<const std::string> contents, int64_t total_items,
                           int64_t page, int64_t per_page);

// The bytes of FormatHsdsPage around its records: a page is `head`, the records
// joined by `separator`, then `tail` (FormatHsdsPage is exactly that), for a server
// that writes records formatted once, at load, without copying them into a page.
// REQUIRES: page >= 1, per_page >= 1; `size` is the number of records of the page.
struct HsdsPageFrame {
  std::string head;
  static constexpr std::string_view kSeparator = ",\n";
  static constexpr std::string_view kTail = "\n]}\n";
};
HsdsPageFrame FormatHsdsPageFrame(int64_t total_items, int64_t page, int64_t per_page,
                                  size_t size);

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
