// The CSV interchange contract (interchange.md v1.1): providers.csv and requests.csv
// in, route.csv out.
//
// Readers check every row as the contract's common rules and fine points say, and
// collect one problem per bad row (file, line where the record starts, reason) plus
// one warning per unknown column. A whole-file problem (unreadable or empty file,
// a header without rows, missing or duplicate column, invalid UTF-8 in the header, a
// quoted field that never closes) is an error even with skip_bad_rows. Bad rows make the read fail
// unless skip_bad_rows is set; then they are skipped and listed in the report.
// Nothing is dropped silently.
//
// Example (examples/cpp/read_csv.cc):
//   absl::StatusOr<ProvidersCsv> providers = ReadProvidersCsv(data + "/providers.csv");
//   if (!providers.ok()) { std::cerr << providers.status().message(); return 1; }
//   std::cerr << providers->report.ToString();   // warnings, skipped rows
//
// Thread-safety: free functions without shared state; thread-safe.
#ifndef WEGWIJZER_INTERCHANGE_H_
#define WEGWIJZER_INTERCHANGE_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/request.h"
#include "wegwijzer/router.h"

namespace wegwijzer {

class Gazetteer;
struct MatchPlan;

struct CsvReadOptions {
  // Skip bad rows (after reporting them) instead of rejecting the file. DEFAULT: false.
  bool skip_bad_rows = false;

  // The map of municipalities and postcodes, or nullptr. DEFAULT: nullptr, and then
  // the contract applies unchanged. REQUIRES: outlives the read.
  //
  // With a gazetteer, requests.csv is extended (see "Requests by postcode" below)
  // and every municipality code written in either file that the gazetteer does not
  // know is reported as a warning (a typo such as GM363 would otherwise silently make
  // a provider serve nobody).
  const Gazetteer* gazetteer = nullptr;

  // requests.csv only: the name of one extra column of whole numbers >= 0 that the
  // reader accepts and returns in RequestsCsv::counts (demand.csv's `count`, see
  // coverage.h), or empty for none. An empty field is 1; a value that is not a whole
  // number, is negative or exceeds 1,000,000,000 (so that sums over millions of rows
  // stay exact in 64 bits) makes the row bad. DEFAULT: empty.
  std::string count_column = {};

  // Limits, so that no input can exhaust the machine. Each, when passed, is an error
  // naming the limit's name below (and where to raise it, `limit_hint`):
  //  * max_file_bytes: a larger file is refused (kResourceExhausted) before it is
  //    read; a pipe or device when it passes it. DEFAULT: 1 GiB.
  //  * max_rows: more data rows end the read (kResourceExhausted, naming the line).
  //    DEFAULT: 20,000,000.
  //  * max_field_bytes: a longer field makes its row bad. DEFAULT: 16 MiB.
  // A file is also refused when its first line (the header) is longer than 1 MiB.
  // The header is read and checked first, so a file with a missing column is refused
  // for the cost of reading its header, whatever its size.
  int64_t max_file_bytes = int64_t{1} << 30;
  int64_t max_rows = 20'000'000;
  int64_t max_field_bytes = int64_t{16} << 20;
  // Appended to the limit's name in messages, e.g. "; --max-rows on the command
  // line". DEFAULT: empty. REQUIRES: outlives the read.
  std::string_view limit_hint = {};
};

// Requests by postcode, an extension of interchange.md v1.1 for municipal desks,
// where a request comes with a postcode rather than coordinates:
//  * requests.csv may have a `postcode` column: a Dutch postcode, "1011", "1011AB",
//    "1011 AB" or "1011ab"; only its four digits (PC4) are used. With that column the
//    `lat` and `lon` columns are optional (both or neither).
//  * A row with lat and lon uses them; its postcode, if any, must still be well
//    formed. A row with both empty takes the centroid of its postcode area from the
//    gazetteer. Bad rows: a malformed postcode, a postcode the gazetteer's table lacks,
//    a postcode without a gazetteer (or one without a postcode table), or no position
//    and no postcode at all.
//  * When `municipality` is empty and a gazetteer is given, it is derived: from the
//    postcode's municipality when the position came from the postcode, else from the
//    municipality containing the position. A position in no municipality (at sea,
//    abroad) leaves it empty, with a warning for that row: then only providers that
//    serve anyone suit the request.
//  * Without a `postcode` column and without a gazetteer nothing changes.

// Requests at a time, of an age: an extension of interchange.md v1.1 for
// directories that carry opening hours and eligibility (HSDS imports, snapshots).
// requests.csv may have any of these optional columns; empty = the default:
//  * `age`: whole years, 0..150 (Request::age). Providers whose minimum or maximum
//    age excludes it do not suit. Empty: age limits are not checked.
//  * `can_pay`: true/false (also yes/no, 1/0). false: providers that charge a fee do
//    not suit. Empty: true.
//  * `at`: RFC 3339, local Amsterdam time ("2026-04-27T10:00") or with an offset
//    ("2026-04-27T10:00:00+02:00", "...Z"). Provider locations whose opening hours
//    say they are closed then do not suit; locations without hours are not excluded.
//  * `within_days`: 0..366, with `at`: the location suits when it opens at some
//    moment in [at, at + within_days x 24 h). Empty or 0: open at `at` itself.
// Bad rows name the column: "age: '200' is outside 0..150". route.csv then carries
// each referral's next opening (FormatRouteCsv). Files without these columns read
// and route exactly as before.

// What a reader found wrong, short of a whole-file error.
struct CsvProblem {
  enum class Kind { kWarning, kBadRow };
  Kind kind = Kind::kBadRow;
  int line = 0;  // 1-based line where the record starts; 1 for header warnings
  std::string reason;
};

struct CsvReport {
  std::string file;  // as given to the reader
  int rows = 0;      // data rows read (blank lines not counted)
  int bad_rows = 0;
  bool bad_rows_skipped = false;  // CsvReadOptions::skip_bad_rows was set
  std::vector<CsvProblem> problems;  // in line order
  // One line per problem, "file:line: bad row: reason" or "file:line: warning:
  // reason", then a summary line when there were bad rows ("file: 2 of 40 rows are
  // bad; skipped them"). Empty when nothing was wrong.
  std::string ToString() const;
};

struct ProvidersCsv {
  std::shared_ptr<const Directory> directory;
  CsvReport report;
};

struct RequestsCsv {
  std::vector<Request> requests;  // in file order
  std::vector<int> lines;         // line of each request, parallel to `requests`
  // CsvReadOptions::count_column of each request, parallel to `requests`; empty when
  // no count column was asked for.
  std::vector<int64_t> counts;
  CsvReport report;
};

// Readers of a file path. ReadFile's codes when it cannot be read (kNotFound,
// kPermissionDenied, ...);
// kInvalidArgument for a whole-file problem, or for bad rows without skip_bad_rows
// (the message is the report: every bad row, then the summary).
absl::StatusOr<ProvidersCsv> ReadProvidersCsv(const std::string& path,
                                              const CsvReadOptions& options = {});
absl::StatusOr<RequestsCsv> ReadRequestsCsv(const std::string& path,
                                            const CsvReadOptions& options = {});

// The same on text in memory; `file_name` is used in messages only.
absl::StatusOr<ProvidersCsv> ParseProvidersCsv(std::string_view text,
                                               std::string_view file_name,
                                               const CsvReadOptions& options = {});
absl::StatusOr<RequestsCsv> ParseRequestsCsv(std::string_view text,
                                             std::string_view file_name,
                                             const CsvReadOptions& options = {});

// One request from named parameters, as an HTTP query string gives them
// (`wegwijzer serve`'s GET /v1/route?postcode=1011&topics=digid&languages=nl,ar):
// each parameter is a requests.csv column of the same name (id, lat, lon, postcode,
// topics, languages, modes, access, max_km, priority, municipality, age, can_pay, at,
// within_days), read by the same rules as one row of that file (with the postcode
// extension when `options.gazetteer` is set). List parameters take ',' as well as
// ';' between their codes. `id` may be left out: DEFAULT "query". Values are taken as
// given (percent-decoding is the transport's business).
// Errors: kInvalidArgument naming the parameter: an unknown or repeated parameter,
// a missing required one (topics; lat and lon, or a postcode), and every reason a
// requests.csv row is bad ("topics: unknown code 'x'"). Thread-safe.
absl::StatusOr<Request> ParseRequestParameters(
    std::span<const std::pair<std::string, std::string>> parameters,
    const CsvReadOptions& options = {});

// route.csv: `request_id,rank,provider_id,mode,distance_m`, requests in the given
// order, a rank-0 `no_suitable_provider` row for a request with no referral. A
// physical referral to a further location of a provider with several is written
// with the id FormatProvidersCsv gives that location ("provider/location"). When a
// request has a time (`at`, an extension), a sixth column `next_opening` gives each
// referral's next opening (FormatRfc3339Amsterdam; empty when its hours are unknown).
// REQUIRES: results.size() == requests.size().
std::string FormatRouteCsv(const Directory& directory, std::span<const Request> requests,
                           std::span<const RouteResult> results);

// plan.csv of the contract: request_id,provider_id,mode,cost_m,reason, one line per
// request in the given order. (Declared in matcher.h before; matcher.h includes this
// header, so code that included only matcher.h still compiles.)
// REQUIRES: plan.lines.size() == requests.size(), and `plan` came from a Matcher over
// `directory`.
std::string FormatPlanCsv(const Directory& directory, std::span<const Request> requests,
                          const MatchPlan& plan);

// providers.csv and requests.csv with every contract column, numbers in their
// shortest exact form, so that reading the text back gives the same directory and
// requests. A provider with several locations is written once per location, with id
// "provider/location" for every location but one whose id equals the provider's.
// requests.csv gains the extension columns (age, can_pay, at, within_days) only
// when a request uses one (UsesRequestExtensions).
std::string FormatProvidersCsv(const Directory& directory);
std::string FormatRequestsCsv(std::span<const Request> requests);
bool UsesRequestExtensions(const Request& request);

// Writes `contents` to `path` as a Unix tool does:
//  * "-" is standard output;
//  * a regular file, or a name that does not exist yet, is replaced atomically: a
//    temporary file beside it (a short fixed-length name, so any legal file name
//    works), flushed, then renamed over `path`, keeping the old file's permissions
//    (0644 for a new file). A reader sees the old file or the new one, never half;
//  * a symbolic link is written through: the file it points to is replaced (or
//    created), the temporary file beside that file, and the link stays a link;
//  * a device, FIFO or socket (/dev/stdout, /dev/null, a pipe) is written directly.
// On failure `path` is left as it was and no temporary file remains; with
// RemoveTemporaryFilesOnSignal() installed, neither does one after SIGINT, SIGTERM,
// SIGHUP or SIGQUIT at any moment. Errors name the path: kInvalidArgument (a
// directory, a symlink loop), kPermissionDenied (cannot create or replace),
// kResourceExhausted (disk full), kDataLoss (write or flush failed).
// Thread-safe: up to 16 replacements may run at once (more give kPermissionDenied).
absl::Status WriteFileAtomically(const std::string& path, std::string_view contents);

// True when `a` and `b` both exist and are the same file (after symbolic links, by
// device and inode), so that a program can refuse to write its output over one of its
// inputs. "-" is never the same as a file.
bool IsSameFile(const std::string& a, const std::string& b);

// For programs: installs handlers for SIGINT, SIGTERM, SIGHUP and SIGQUIT that remove
// the temporary file of every WriteFileAtomically in progress, then let the signal
// take its default action (the process ends with that signal, as without them). A
// signal whose handler the application set itself, or that it ignores, is left
// alone. Call once, early in main(); later calls do nothing. Thread-safe.
void RemoveTemporaryFilesOnSignal();

// Reads a whole file (or pipe, or device) of at most 1 GiB. kNotFound (no such
// file), kPermissionDenied (cannot be opened), kInvalidArgument (a directory),
// kResourceExhausted (larger than 1 GiB, or out of memory), kDataLoss (a read error)
// or kUnavailable (another failure), each naming the path.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// The id a provider location has in the contract's files (route.csv, plan.csv,
// providers.csv): the provider id, or "provider/location" for a further location of a
// provider with several (the CSV contract has one location per row). No location
// (a remote referral) gives the provider id.
std::string LocationCsvId(const ProviderInfo& provider, LocationIndex location);

// Quotes `field` as RFC 4180 requires when it holds a comma, quote or line break.
std::string CsvField(std::string_view field);

}  // namespace wegwijzer

#endif  // WEGWIJZER_INTERCHANGE_H_
