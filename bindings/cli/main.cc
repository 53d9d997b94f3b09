// wegwijzer: the command-line binding. Thin: argument parsing, reports and output;
// every decision is the library's.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <new>
#include <initializer_list>
#include <optional>
#include <string>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include <unistd.h>

#include "absl/status/status.h"
#include "openreferral_command.h"
#include "serve_command.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/dutch_scenario.h"
#include "wegwijzer/gazetteer.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/matcher.h"
#include "wegwijzer/router.h"
#include "wegwijzer/scenario.h"
#include "cli.h"
#include "options.h"

namespace wegwijzer::cli {
namespace {


constexpr std::string_view kUsage = R"(wegwijzer - route residents to the nearest suitable digital help

Usage:
  wegwijzer route --providers P.csv --requests R.csv [--k 5] [--skip-bad-rows]
                  [--explain] [--threads N] --out route.csv
                  [--municipalities M.geojson [--postcodes PC4.csv]]
  wegwijzer match --providers P.csv --requests R.csv [--skip-bad-rows]
                  [--threads N] [--solver fast|cost-scaling] --out plan.csv
                  [--municipalities M.geojson [--postcodes PC4.csv]]
  wegwijzer coverage --providers P.csv --demand D.csv [--candidates C.csv --add N]
                     --out-dir DIR ...   (see 'wegwijzer coverage --help')
  wegwijzer demo [--data DIR] [--lang en|nl] [--k 3]
  wegwijzer generate [--provider-count 5000] [--request-count 10000] [--seed 1]
                     [--municipalities M.geojson --postcodes PC4.csv
                      [--capacity-percent 100]] --out DIR
  wegwijzer import-hsds PATH [--taxonomy-map MAP.csv] [--skip-bad-records] --out OUT
  wegwijzer export-hsds --snapshot S [--format json|csv] --out DIR
  wegwijzer referrals create|update|show|list|expire|report --store FILE|postgresql://... ...
                      (see 'wegwijzer referrals --help')
  wegwijzer serve (--providers P.csv | --snapshot S | --hsds PATH) [--listen H:P] ...
                      HTTP/JSON: POST /v1/route, HSDS reads (see 'wegwijzer serve --help')
  wegwijzer --help | help COMMAND

Commands:
  route   For every request, the k best referrals as interchange.md v1.1 defines
          them, written to --out as route.csv (request_id,rank,provider_id,mode,
          distance_m, and next_opening when a request gives `at`). A request
          nothing suits gets one rank-0 row with no_suitable_provider.
  match   One provider per request at most, within every provider's capacity,
          minimising the total distance plus 1,000,000 x (1 + priority) for each
          request left unassigned (an optimal plan). Writes --out as plan.csv
          (request_id,provider_id,mode,cost_m,reason) and prints "objective: N"
          on standard output.
  demo    Routes and matches the embedded example scenario (data/) and prints
          readable referrals with the reasons they suit.
  generate  Writes a seeded synthetic Dutch-like scenario (DIR/providers.csv,
          DIR/requests.csv) for trying and benchmarking; the same seed gives the
          same files on every machine. With --municipalities and --postcodes it
          is placed on the real map (GenerateDutchScenario: demand by postcode and
          age, help in towns and where people live, one national line), as the
          matcher's national benchmarks are; --provider-count then sets the
          directory's size (else its own composition of a few thousand).
  coverage  Where help is missing and where new help would reach most: coverage,
          the optimal plan and a chosen set of new sites, as CSV, GeoJSON and an
          HTML report ('wegwijzer help coverage').
  import-hsds, export-hsds  Open Referral (HSDS 3.0/3.1, ORUK) directories in and
          out of a snapshot ('wegwijzer help import-hsds').
  referrals  The lifecycle of referrals in a store: create, update, show, list,
          expire, report ('wegwijzer help referrals').

Options:
  --providers FILE   providers.csv (see interchange.md for the columns)
  --snapshot FILE    instead of --providers: a directory snapshot (protobuf
                     wegwijzer.v1.DirectorySnapshot, as import-hsds writes it)
  --requests FILE    requests.csv; besides the contract's columns it may have the
                     optional age, can_pay, at (RFC 3339) and within_days (see
                     the README's Open Referral extensions)
  --out FILE         where to write the result, only when the input is good: a
                     file is replaced atomically (a symlink is written through,
                     a device or FIFO written directly); - is standard output
                     (match then prints the objective on stderr); it may not
                     be one of the input files
  --k N              referrals per request, N >= 1 (default 5; demo: 3)
  --skip-bad-rows    report bad rows, then skip them instead of rejecting the file
  --explain          for each request nothing suits, say on stderr which
                     constraint removed the candidates
  --threads N        worker threads, 1 to 1024 (default: all cores)
  --solver NAME      match's exact solver: cost-scaling (a cost-scaling
                     push-relabel warm start, the default) or fast (successive
                     shortest paths after an auction warm start, fewer candidate
                     pairs, slower); both give an optimal plan, the same objective
  --max-file-mb N    refuse an input file larger than N MiB (default 1024)
  --max-field-mb N   a row with a field longer than N MiB is bad (default 16)
  --max-rows N       refuse an input with more than N rows (default 20000000)
  --max-memory-mb N  refuse (exit 1) a route or match that would need more than
                     N MiB for its results or candidate pairs (default 8192)
  --municipalities FILE  municipality boundaries (GeoJSON, WGS84, CBS/PDOK
                     gemeenten); a request without a municipality gets the one
                     containing its position
  --postcodes FILE   postcode table (CSV: pc4,lat,lon[,gm_code_2023]); requests.csv
                     may then give a postcode column instead of lat and lon
  --data DIR         demo scenario folder with providers.csv and requests.csv
  --lang en|nl       language of the demo's text (default en)
  --provider-count N, --request-count N, --seed N   sizes and seed for generate
  --capacity-percent N  generate on the real map: every limited capacity x N/100
                     (at least 1), 1 to 10000 (default 100; 20 overloads)

Exit status: 0 success, 1 bad input (each bad row is reported with file, line and
reason, then a summary; no output file is written), 2 usage error.
)";

int UsageError(std::string_view message) {
  std::cerr << "wegwijzer: " << message << "\nRun 'wegwijzer --help' for usage.\n";
  return kExitUsage;
}

// Returns the exit code on a usage error, nullopt when `args` is complete.
std::optional<int> Parse(int argc, char** argv, Args* args) {
  std::vector<std::string_view> rest(argv + 1, argv + argc);
  if (rest.empty()) return UsageError("no command given");
  if (rest[0] == "--help" || rest[0] == "-h" || rest[0] == "help") {
    args->help = true;
    return std::nullopt;
  }
  args->command = std::string(rest[0]);
  // The options each command takes; any other is a usage error, not silently ignored.
  const std::vector<std::string_view> reading = {"--municipalities", "--postcodes",
                                                 "--max-file-mb",    "--max-field-mb",
                                                 "--max-rows",       "--max-memory-mb",
                                                 "--providers",      "--snapshot",
                                                 "--requests",       "--out",
                                                 "--threads"};
  OptionSpec spec;
  if (args->command == "route") {
    spec = {reading, {"--skip-bad-rows", "--explain"}};
    spec.with_value.push_back("--k");
  } else if (args->command == "match") {
    spec = {reading, {"--skip-bad-rows"}};
    spec.with_value.push_back("--solver");
  } else if (args->command == "generate") {
    spec = {{"--provider-count", "--request-count", "--seed", "--out", "--municipalities",
             "--postcodes", "--capacity-percent"},
            {}};
  } else if (args->command == "demo") {
    spec = {{"--data", "--lang", "--k"}, {}};
  } else {
    return UsageError("unknown command '" + args->command + "'");
  }
  ParsedOptions parsed;
  const std::span<const std::string_view> words(rest.begin() + 1, rest.end());
  if (std::optional<std::string> error = ParseOptions(words, spec, &parsed)) {
    return UsageError(*error + " for " + args->command);
  }
  if (!parsed.positional.empty()) {
    return UsageError("unexpected word '" + parsed.positional[0] + "' for " + args->command);
  }
  args->help = parsed.help;
  args->skip_bad_rows = parsed.Has("--skip-bad-rows");
  args->explain = parsed.Has("--explain");
  for (auto [flag, field] : std::initializer_list<std::pair<std::string_view, std::string*>>{
           {"--providers", &args->providers},
           {"--snapshot", &args->snapshot},
           {"--requests", &args->requests},
           {"--out", &args->out},
           {"--municipalities", &args->municipalities},
           {"--postcodes", &args->postcodes},
           {"--data", &args->data},
           {"--lang", &args->lang}}) {
    if (std::optional<std::string> value = parsed.Get(flag)) *field = *value;
  }
  if (args->lang != "en" && args->lang != "nl") return UsageError("--lang takes en or nl");
  if (std::optional<std::string> name = parsed.Get("--solver")) {
    absl::StatusOr<MatchSolver> solver = ParseMatchSolver(*name);
    if (!solver.ok()) return UsageError("--solver: " + std::string(solver.status().message()));
    args->solver = *solver;
  }
  // Counts and limits: at least 1, clamped to the int range (asking for more
  // referrals than there are providers is not an error); --threads at most
  // kMaxThreads.
  for (auto [flag, most] : {std::pair<std::string_view, int64_t>{"--k", kMaxCount},
                            {"--threads", kMaxThreads},
                            {"--provider-count", kMaxCount},
                            {"--request-count", kMaxCount},
                            {"--seed", kMaxCount},
                            {"--capacity-percent", 10000},
                            {"--max-file-mb", kMaxCount},
                            {"--max-field-mb", kMaxCount},
                            {"--max-rows", kMaxCount},
                            {"--max-memory-mb", kMaxCount}}) {
    const std::optional<std::string> text = parsed.Get(flag);
    if (!text) continue;
    const std::optional<int64_t> n = most == kMaxCount
                                         ? ParseWholeNumberClamped(*text, 1, most)
                                         : ParseWholeNumber(*text, 1, most);
    if (!n) {
      return UsageError(WholeNumberError(
          flag, *text, 1, most == kMaxCount ? std::numeric_limits<int64_t>::max() : most));
    }
    if (flag == "--k") args->k = static_cast<int>(*n);
    if (flag == "--threads") args->threads = static_cast<int>(*n);
    if (flag == "--provider-count") {
      args->provider_count = static_cast<int>(*n);
      args->provider_count_given = true;
    }
    if (flag == "--capacity-percent") args->capacity_percent = static_cast<int>(*n);
    if (flag == "--request-count") args->request_count = static_cast<int>(*n);
    if (flag == "--seed") args->seed = static_cast<int>(*n);
    if (flag == "--max-file-mb") args->max_file_mb = *n;
    if (flag == "--max-field-mb") args->max_field_mb = *n;
    if (flag == "--max-rows") args->max_rows = *n;
    if (flag == "--max-memory-mb") args->max_memory_mb = *n;
  }
  if (args->help) return std::nullopt;
  if (args->command == "route" || args->command == "match") {
    if (args->providers.empty() == args->snapshot.empty()) {
      return UsageError(args->command + " needs --providers or --snapshot (one of them)");
    }
    if (args->requests.empty()) return UsageError(args->command + " needs --requests");
    if (args->out.empty()) return UsageError(args->command + " needs --out");
    if (!args->postcodes.empty() && args->municipalities.empty()) {
      return UsageError("--postcodes needs --municipalities (the postcodes' map)");
    }
    for (const std::string* input :
         {&args->providers, &args->requests, &args->municipalities, &args->postcodes}) {
      if (!input->empty() && IsSameFile(args->out, *input)) {
        return UsageError("--out " + args->out + " is one of the input files (" + *input +
                          "); writing it would destroy the input");
      }
    }
  }
  if (args->command == "generate") {
    if (args->out.empty() || args->out == "-") {
      return UsageError("generate needs --out (a folder)");
    }
    // The real map needs both files: the boundaries place the requests, the postcode
    // table says where people live.
    if (args->municipalities.empty() != args->postcodes.empty()) {
      return UsageError("generate on the real map needs --municipalities and --postcodes");
    }
    if (parsed.Has("--capacity-percent") && args->municipalities.empty()) {
      return UsageError("--capacity-percent needs the real map (--municipalities and --postcodes)");
    }
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<ProvidersCsv> ReadSnapshot(const std::string& file) {
  absl::StatusOr<std::string> bytes = ReadFile(file);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<std::shared_ptr<const Directory>> directory = Directory::FromSerialized(*bytes, file);
  if (!directory.ok()) return directory.status();
  return ProvidersCsv{.directory = *std::move(directory), .report = {}};
}

// How route and match read their CSV files: the flags' limits and the gazetteer.
CsvReadOptions CsvOptions(const Args& args, const Gazetteer* gazetteer) {
  return ReadOptions({.skip_bad_rows = args.skip_bad_rows,
                      .max_file_mb = args.max_file_mb,
                      .max_field_mb = args.max_field_mb,
                      .max_rows = args.max_rows},
                     gazetteer);
}

CsvReadOptions ReadOptions(const ReadFlags& flags, const Gazetteer* gazetteer) {
  CsvReadOptions options{.skip_bad_rows = flags.skip_bad_rows, .gazetteer = gazetteer};
  if (flags.max_file_mb) options.max_file_bytes = *flags.max_file_mb << 20;
  if (flags.max_field_mb) options.max_field_bytes = *flags.max_field_mb << 20;
  if (flags.max_rows) options.max_rows = *flags.max_rows;
  options.limit_hint = "; raise it with --max-file-mb, --max-field-mb or --max-rows";
  return options;
}

std::optional<Inputs> ReadInputs(const std::string& providers_path,
                                 const std::string& requests_path,
                                 const CsvReadOptions& options,
                                 bool providers_is_snapshot) {
  absl::StatusOr<ProvidersCsv> providers = providers_is_snapshot
                                               ? ReadSnapshot(providers_path)
                                               : ReadProvidersCsv(providers_path, options);
  absl::StatusOr<RequestsCsv> requests = ReadRequestsCsv(requests_path, options);
  bool ok = true;
  for (const absl::Status& s : {providers.status(), requests.status()}) {
    if (s.ok()) continue;
    ok = false;
    std::string message(s.message());
    std::cerr << message << (message.ends_with('\n') ? "" : "\n");
  }
  if (providers.ok()) std::cerr << providers->report.ToString();
  if (requests.ok()) std::cerr << requests->report.ToString();
  if (!ok) {
    std::cerr << "wegwijzer: input rejected; nothing written"
              << (options.skip_bad_rows ? "" : " (--skip-bad-rows skips bad rows)") << "\n";
    return std::nullopt;
  }
  return Inputs{*std::move(providers), *std::move(requests)};
}

namespace {

// The gazetteer of --municipalities/--postcodes: nullptr when not asked for, nullopt
// (after printing why) when it cannot be loaded.
std::optional<std::shared_ptr<const Gazetteer>> LoadGazetteer(const Args& args) {
  if (args.municipalities.empty()) return std::shared_ptr<const Gazetteer>();
  absl::StatusOr<std::shared_ptr<const Gazetteer>> gazetteer =
      Gazetteer::Load(args.municipalities, args.postcodes);
  if (!gazetteer.ok()) {
    std::cerr << gazetteer.status().message()
              << "\nwegwijzer: input rejected; nothing written\n";
    return std::nullopt;
  }
  // One line: the repairs are the same on every run (Gazetteer::repairs() has the
  // details).
  const Gazetteer& g = **gazetteer;
  std::cerr << "gazetteer: " << g.municipality_count() << " municipalities";
  if (!args.postcodes.empty()) std::cerr << ", " << g.postcode_count() << " postcodes";
  if (!g.repairs().empty()) {
    std::cerr << "; repaired " << g.repairs().size() << " invalid polygons (";
    for (size_t i = 0; i < g.repairs().size(); ++i) {
      std::cerr << (i ? ", " : "") << g.repairs()[i].code;
    }
    std::cerr << ")";
  }
  std::cerr << "\n";
  return *std::move(gazetteer);
}

// A route or match the library refused for its size (kResourceExhausted; its
// sentence names --max-memory-mb): exit 1, nothing written.
int TooLarge(const absl::Status& status) {
  std::cerr << "wegwijzer: " << status.message()
            << "\nwegwijzer: input rejected; nothing written\n";
  return kExitBadInput;
}

int Route(const Args& args) {
  std::optional<std::shared_ptr<const Gazetteer>> gazetteer = LoadGazetteer(args);
  if (!gazetteer) return kExitBadInput;
  std::optional<Inputs> in =
      ReadInputs(args.snapshot.empty() ? args.providers : args.snapshot, args.requests,
                 CsvOptions(args, gazetteer->get()), !args.snapshot.empty());
  if (!in) return kExitBadInput;
  Router router(in->providers.directory);
  RouteOptions options{.k = args.k.value_or(kDefaultRouteK), .explain_no_match = args.explain,
                       .threads = args.threads};
  if (args.max_memory_mb) options.max_memory_bytes = *args.max_memory_mb << 20;
  absl::StatusOr<std::vector<RouteResult>> routed =
      router.TryRouteBatch(in->requests.requests, options);
  if (!routed.ok()) return TooLarge(routed.status());
  const std::vector<RouteResult>& results = *routed;
  absl::Status written = WriteFileAtomically(
      args.out, FormatRouteCsv(*in->providers.directory, in->requests.requests, results));
  if (!written.ok()) {
    std::cerr << "wegwijzer: " << written.message() << "\n";
    return kExitBadInput;
  }
  size_t unmatched = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].referrals.empty()) continue;
    ++unmatched;
    if (args.explain) {
      std::cerr << "request '" << in->requests.requests[i].id
                << "': no suitable provider: " << results[i].no_suitable_provider << "\n";
    }
  }
  std::cerr << "routed " << results.size() << " requests against "
            << in->providers.directory->size() << " providers: "
            << results.size() - unmatched << " with referrals, " << unmatched
            << " with none; wrote " << args.out << "\n";
  return kExitOk;
}

// A progress bar on stderr, shown only when stderr is a terminal and the run has
// taken more than a second (short runs and logs stay clean).
class ProgressBar {
 public:
  ProgressBar() : enabled_(::isatty(2) == 1), start_(std::chrono::steady_clock::now()) {}
  ~ProgressBar() {
    if (shown_) std::cerr << "\r" << std::string(60, ' ') << "\r";
  }
  void Update(int64_t done, int64_t total) {
    if (!enabled_ || total <= 0) return;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (seconds < 1.0) return;
    shown_ = true;
    const int width = 30;
    const int filled = static_cast<int>(width * done / total);
    std::cerr << "\rmatching [" << std::string(filled, '#') << std::string(width - filled, ' ')
              << "] " << (100 * done / total) << "% " << std::flush;
  }

 private:
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_;
};

int Match(const Args& args) {
  std::optional<std::shared_ptr<const Gazetteer>> gazetteer = LoadGazetteer(args);
  if (!gazetteer) return kExitBadInput;
  std::optional<Inputs> in =
      ReadInputs(args.snapshot.empty() ? args.providers : args.snapshot, args.requests,
                 CsvOptions(args, gazetteer->get()), !args.snapshot.empty());
  if (!in) return kExitBadInput;
  Matcher matcher(in->providers.directory);
  MatchPlan plan;
  {
    ProgressBar bar;
    MatchOptions options{.threads = args.threads,
                         .progress = [&](int64_t done, int64_t total) { bar.Update(done, total); }};
    if (args.solver) options.solver = *args.solver;
    if (args.max_memory_mb) options.max_memory_bytes = *args.max_memory_mb << 20;
    absl::StatusOr<MatchPlan> matched = matcher.TryMatch(in->requests.requests, options);
    if (!matched.ok()) return TooLarge(matched.status());
    plan = *std::move(matched);
  }
  absl::Status written = WriteFileAtomically(
      args.out, FormatPlanCsv(*in->providers.directory, in->requests.requests, plan));
  if (!written.ok()) {
    std::cerr << "wegwijzer: " << written.message() << "\n";
    return kExitBadInput;
  }
  // With the plan on standard output (--out -), the objective goes to stderr so that
  // stdout stays one CSV file.
  (args.out == "-" ? std::cerr : std::cout) << "objective: " << plan.objective << "\n";
  const PlanSummary s = Summarize(plan);
  std::cerr << "matched " << s.requests << " requests against "
            << in->providers.directory->size() << " providers; wrote " << args.out << "\n"
            << "  assigned:             " << s.assigned << " (" << s.assigned_remote
            << " by phone or video)\n"
            << "  no_suitable_provider: " << s.no_suitable_provider << "\n"
            << "  capacity_exhausted:   " << s.capacity_exhausted << "\n"
            << "  distance, in person or home visit: mean "
            << static_cast<int64_t>(std::llround(s.mean_distance_m)) << " m, 90th percentile "
            << s.p90_distance_m << " m\n";
  return kExitOk;
}

// The scenario generate writes: GenerateScenario's synthetic towns, or with the
// real map GenerateDutchScenario on it (the postcode table gives the residents).
struct Generated {
  std::shared_ptr<const v1::DirectorySnapshot> directory;
  std::vector<Request> requests;
};
// `gazetteer`: the real map of --municipalities/--postcodes (LoadGazetteer), or
// null for the synthetic towns.
absl::StatusOr<Generated> GenerateScenarioOf(const Args& args, const Gazetteer* gazetteer) {
  if (gazetteer == nullptr) {
    absl::StatusOr<Scenario> s =
        GenerateScenario({.seed = static_cast<uint64_t>(args.seed),
                          .providers = args.provider_count,
                          .requests = args.request_count});
    if (!s.ok()) return s.status();
    return Generated{std::move(s->directory), std::move(s->requests)};
  }
  absl::StatusOr<std::vector<PostcodeDemographics>> people =
      ReadPostcodeDemographicsCsv(args.postcodes);
  if (!people.ok()) return people.status();
  absl::StatusOr<DutchScenario> s = GenerateDutchScenario(
      *gazetteer, *people,
      {.seed = static_cast<uint64_t>(args.seed),
       .requests = args.request_count,
       .capacity_scale = args.capacity_percent / 100.0,
       .providers = args.provider_count_given ? args.provider_count : 0});
  if (!s.ok()) return s.status();
  return Generated{std::move(s->directory), std::move(s->requests)};
}

int Generate(const Args& args) {
  std::optional<std::shared_ptr<const Gazetteer>> gazetteer = LoadGazetteer(args);
  if (!gazetteer) return kExitBadInput;
  absl::StatusOr<Generated> generated = GenerateScenarioOf(args, gazetteer->get());
  if (!generated.ok()) {
    std::cerr << "wegwijzer: " << generated.status().message() << "\n";
    return kExitBadInput;
  }
  absl::StatusOr<std::shared_ptr<const Directory>> directory =
      Directory::Create(*generated->directory);
  if (!directory.ok()) {  // the generator makes valid providers; say so if it did not
    std::cerr << "wegwijzer: " << directory.status().message() << "\n";
    return kExitBadInput;
  }
  std::error_code error;
  std::filesystem::create_directories(args.out, error);
  for (const auto& [name, text] :
       {std::pair{"providers.csv", FormatProvidersCsv(**directory)},
        std::pair{"requests.csv", FormatRequestsCsv(generated->requests)}}) {
    const std::string path = args.out + "/" + name;
    if (absl::Status s = WriteFileAtomically(path, text); !s.ok()) {
      std::cerr << "wegwijzer: " << s.message() << "\n";
      return kExitBadInput;
    }
  }
  std::cerr << "wrote " << (*directory)->size() << " providers and "
            << generated->requests.size() << " requests (seed " << args.seed
            << (args.municipalities.empty() ? "" : ", on the real map") << ") to " << args.out
            << "\n";
  return kExitOk;
}

}  // namespace

int CoverageMain(int argc, char** argv);   // coverage_command.cc
int ReferralsMain(int argc, char** argv);  // referrals_command.cc

int Main(int argc, char** argv) {
  if (argc >= 2 && std::string_view(argv[1]) == "serve") {
    return server::ServeMain(std::vector<std::string_view>(argv + 2, argv + argc));
  }
  if (argc >= 2 && (std::string_view(argv[1]) == "import-hsds" ||
                    std::string_view(argv[1]) == "export-hsds")) {
    const std::vector<std::string_view> rest(argv + 2, argv + argc);
    return std::string_view(argv[1]) == "import-hsds" ? ImportHsdsCommand(rest)
                                                      : ExportHsdsCommand(rest);
  }
  // "help COMMAND": that command's own usage.
  if (argc == 3 && std::string_view(argv[1]) == "help") {
    const std::string_view command = argv[2];
    char help_flag[] = "--help";
    char* forwarded[] = {argv[0], argv[2], help_flag, nullptr};
    if (command == "coverage") return CoverageMain(3, forwarded);
    if (command == "referrals") return ReferralsMain(3, forwarded);
    if (command == "serve") return server::ServeMain({"--help"});
    if (command == "import-hsds" || command == "export-hsds") {
      std::cout << kHsdsUsage;
      return kExitOk;
    }
    if (command != "route" && command != "match" && command != "demo" &&
        command != "generate") {
      return UsageError("no command '" + std::string(command) + "' to help with");
    }
  }
  Args args;
  // A signal while an output file is being replaced leaves no temporary file behind.
  RemoveTemporaryFilesOnSignal();
  if (argc > 1 && std::string_view(argv[1]) == "coverage") return CoverageMain(argc, argv);
  if (argc > 1 && std::string_view(argv[1]) == "referrals") return ReferralsMain(argc, argv);
  if (std::optional<int> error = Parse(argc, argv, &args)) return *error;
  if (args.help) {
    std::cout << kUsage << "\n" << kHsdsUsage;
    return kExitOk;
  }
  if (args.command == "route") return Route(args);
  if (args.command == "match") return Match(args);
  if (args.command == "generate") return Generate(args);
  return Demo(args);
}

}  // namespace wegwijzer::cli

int main(int argc, char** argv) {
  // The library returns kResourceExhausted where it can see a size coming; this is
  // the last line for what it cannot (a valid input too large for this machine).
  try {
    return wegwijzer::cli::Main(argc, argv);
  } catch (const std::bad_alloc&) {
    std::cerr << "wegwijzer: out of memory: the input is larger than this machine can "
                 "hold; split it (per region or per month) and run each part\n";
    return 1;
  }
}
