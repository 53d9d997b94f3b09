// Internal to the command-line program: what main.cc (argument parsing, route, match,
// generate) and demo.cc share.
#ifndef WEGWIJZER_BINDINGS_CLI_CLI_H_
#define WEGWIJZER_BINDINGS_CLI_CLI_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/matcher.h"

#ifndef WEGWIJZER_DEFAULT_DATA_DIR
#define WEGWIJZER_DEFAULT_DATA_DIR "data"
#endif

namespace wegwijzer {
class Gazetteer;
}  // namespace wegwijzer

namespace wegwijzer::cli {

constexpr int kExitOk = 0;
constexpr int kExitBadInput = 1;
constexpr int kExitUsage = 2;

// Referrals per request when --k is not given: route writes the contract's 5; the
// demo prints 3, which fit a screen.
constexpr int kDefaultRouteK = 5;
constexpr int kDefaultDemoK = 3;

struct Args {
  std::string command;
  std::string providers, requests, out, data = WEGWIJZER_DEFAULT_DATA_DIR, lang = "en";
  std::string municipalities, postcodes;  // gazetteer files for route and match
  std::string snapshot;                    // a directory snapshot instead of providers
  // --k as given; nullopt when absent, and then each command uses its own default.
  std::optional<int> k;
  int threads = 0;
  int provider_count = 5000, request_count = 10000, seed = 1;
  bool provider_count_given = false;  // generate on the real map keeps its composition
  int capacity_percent = 100;         // generate on the real map: capacities x N / 100
  bool skip_bad_rows = false;
  bool explain = false;
  // Reading limits (CsvReadOptions); unset = the library's defaults.
  std::optional<int64_t> max_file_mb, max_field_mb, max_rows;
  // --max-memory-mb: RouteOptions/MatchOptions::max_memory_bytes; unset = the default.
  std::optional<int64_t> max_memory_mb;
  // --solver (match): MatchOptions::solver; unset = the library's default.
  std::optional<MatchSolver> solver;
  bool help = false;
};

// The largest number an option takes; a count or limit beyond it is clamped (route,
// match) or refused (coverage, referrals), never wrapped.
constexpr int64_t kMaxCount = 2147483647;
// --threads N: from 1 to this. More threads than this on a machine the CLI runs on is
// a mistake (each costs a stack), and starting too many aborts the process.
constexpr int64_t kMaxThreads = 1024;

// The reading flags every command that reads CSV takes: --skip-bad-rows and the
// limits' --max-file-mb, --max-field-mb, --max-rows (unset: the library's defaults).
struct ReadFlags {
  bool skip_bad_rows = false;
  std::optional<int64_t> max_file_mb, max_field_mb, max_rows;
};
// The read options those flags give, with the gazetteer (may be null) and the hint
// that names the flags in a limit's message.
CsvReadOptions ReadOptions(const ReadFlags& flags, const Gazetteer* gazetteer);

// Both inputs, read with the contract's readers.
struct Inputs {
  ProvidersCsv providers;
  RequestsCsv requests;
};

// The providers of a snapshot file (--snapshot), validated as the CSV would be.
absl::StatusOr<ProvidersCsv> ReadSnapshot(const std::string& file);

// Reads both inputs, printing every problem to stderr; nullopt (after printing) when
// either is unusable.
// `providers_path` names a protobuf snapshot when `providers_is_snapshot`.
std::optional<Inputs> ReadInputs(const std::string& providers_path,
                                 const std::string& requests_path,
                                 const CsvReadOptions& options,
                                 bool providers_is_snapshot = false);

// The read options of route and match: --skip-bad-rows, the limits' flags and the
// gazetteer (may be null).
CsvReadOptions CsvOptions(const Args& args, const Gazetteer* gazetteer);

// `wegwijzer demo`: routes and matches the scenario in args.data and prints readable
// referrals with their reasons, in args.lang. Returns the exit code.
int Demo(const Args& args);

}  // namespace wegwijzer::cli

#endif  // WEGWIJZER_BINDINGS_CLI_CLI_H_
