// `wegwijzer coverage`: the coverage and gap analysis of coverage.h on CSV files.
// Thin: argument parsing, reading, writing; every figure is the library's.
#include <filesystem>
#include <initializer_list>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "cli.h"
#include "options.h"
#include "wegwijzer/coverage.h"
#include "wegwijzer/gazetteer.h"
#include "wegwijzer/interchange.h"

namespace wegwijzer::cli {
namespace {

constexpr std::string_view kCoverageUsage = R"(wegwijzer coverage - where help is missing, and where new help would reach most

Usage:
  wegwijzer coverage --providers P.csv --demand D.csv [--candidates C.csv --add N]
                     [--municipalities M.geojson [--postcodes PC4.csv]]
                     [--lang en|nl] [--skip-bad-rows] [--threads N]
                     [--max-memory-mb N] [--max-file-mb N] [--max-field-mb N]
                     [--max-rows N] --out-dir DIR

Reads the providers (providers.csv) and the demand (demand.csv: the columns of
requests.csv plus `count`, the number of identical requests a row stands for,
default 1) and writes to DIR:
  coverage.csv     demand_id,count,class,provider_id,location_id,distance_m: each
                   row's route rank 1 (class in_person, home_visit, remote, none)
  matched.csv      demand_id,count,in_person,home_visit,remote,capacity_exhausted,
                   no_suitable_provider: the optimal plan under capacity
  areas.csv        per municipality, PC4 area, topic and language: demand, shares
                   by class, share assigned physically, most unmet topics/languages
  sites.csv        rank,candidate_id,gain,covered_after: the greedy choice of up
                   to N candidates (providers.csv columns) that serve the most
                   demand physically that is not served so now
  coverage.geojson areas with their figures, providers and chosen sites (WGS84)
  report.html      one self-contained page with the map and the tables
Prints "objective: N" (the plan's objective) on standard output, and with
--candidates "sites: ... bound ... guarantee ..." for the choice of sites.

--max-memory-mb N refuses (exit 1) an analysis that would need more than N MiB
(default 8192); the demand's counts are weights of the optimal plan
(Matcher::TryMatchWeighted), not copies, so a large count costs no memory.
--max-file-mb, --max-field-mb and --max-rows raise the reading limits, as for
route and match. --threads N: 1 to 1024 (default: all cores).

Exit status: 0 success, 1 bad input or too large (reported as file:line: reason,
or a sentence; nothing is written), 2 usage error.
)";

struct CoverageArgs {
  std::string providers, demand, candidates, municipalities, postcodes, out_dir, lang = "en";
  std::optional<int64_t> add, threads, max_memory_mb, max_file_mb, max_field_mb, max_rows;
  bool skip_bad_rows = false;
  bool help = false;
};

int CoverageUsageError(std::string_view message) {
  std::cerr << "wegwijzer coverage: " << message
            << "\nRun 'wegwijzer coverage --help' for usage.\n";
  return kExitUsage;
}

std::optional<int> ParseCoverageArgs(int argc, char** argv, CoverageArgs* args) {
  const std::vector<std::string_view> words(argv + 2, argv + argc);  // after "coverage"
  static const OptionSpec kSpec{
      {"--providers", "--demand", "--candidates", "--municipalities", "--postcodes", "--out-dir",
       "--lang", "--add", "--threads", "--max-memory-mb", "--max-file-mb", "--max-field-mb",
       "--max-rows"},
      {"--skip-bad-rows"}};
  ParsedOptions parsed;
  if (std::optional<std::string> error = ParseOptions(words, kSpec, &parsed)) {
    return CoverageUsageError(*error);
  }
  if (parsed.help) {
    args->help = true;
    return std::nullopt;
  }
  if (!parsed.positional.empty()) {
    return CoverageUsageError("unknown option '" + parsed.positional[0] + "'");
  }
  for (auto [flag, field] : std::initializer_list<std::pair<std::string_view, std::string*>>{
           {"--providers", &args->providers},
           {"--demand", &args->demand},
           {"--candidates", &args->candidates},
           {"--municipalities", &args->municipalities},
           {"--postcodes", &args->postcodes},
           {"--out-dir", &args->out_dir}}) {
    *field = parsed.Value(flag);
  }
  if (std::optional<std::string> lang = parsed.Get("--lang")) args->lang = *lang;
  args->skip_bad_rows = parsed.Has("--skip-bad-rows");
  // Numbers as route and match read them (cli.h's rules), --add from 0.
  for (auto [flag, least, most, field] :
       {std::tuple<std::string_view, int64_t, int64_t, std::optional<int64_t>*>{
            "--add", 0, kMaxCount, &args->add},
        {"--threads", 1, kMaxThreads, &args->threads},
        {"--max-memory-mb", 1, kMaxCount, &args->max_memory_mb},
        {"--max-file-mb", 1, kMaxCount, &args->max_file_mb},
        {"--max-field-mb", 1, kMaxCount, &args->max_field_mb},
        {"--max-rows", 1, kMaxCount, &args->max_rows}}) {
    if (std::optional<std::string> text = parsed.Get(flag)) {
      *field = ParseWholeNumber(*text, least, most);
      if (!*field) return CoverageUsageError(WholeNumberError(flag, *text, least, most));
    }
  }
  if (args->providers.empty()) return CoverageUsageError("coverage needs --providers");
  if (args->demand.empty()) return CoverageUsageError("coverage needs --demand");
  if (args->out_dir.empty()) return CoverageUsageError("coverage needs --out-dir (a folder)");
  if (args->candidates.empty() != !args->add.has_value()) {
    return CoverageUsageError("--candidates and --add go together");
  }
  if (!args->postcodes.empty() && args->municipalities.empty()) {
    return CoverageUsageError("--postcodes needs --municipalities (the postcodes' map)");
  }
  if (args->lang != "en" && args->lang != "nl") return CoverageUsageError("--lang takes en or nl");
  return std::nullopt;
}

// Prints a reader's problems; false (after printing) when the read failed.
template <typename T>
bool Report(const absl::StatusOr<T>& result) {
  if (!result.ok()) {
    std::string message(result.status().message());
    std::cerr << message << (message.ends_with('\n') ? "" : "\n");
    return false;
  }
  std::cerr << result->report.ToString();
  return true;
}

}  // namespace

int CoverageMain(int argc, char** argv) {
  CoverageArgs args;
  if (std::optional<int> error = ParseCoverageArgs(argc, argv, &args)) return *error;
  if (args.help) {
    std::cout << kCoverageUsage;
    return kExitOk;
  }
  auto rejected = []() {
    std::cerr << "wegwijzer: input rejected; nothing written\n";
    return kExitBadInput;
  };
  std::shared_ptr<const Gazetteer> gazetteer;
  if (!args.municipalities.empty()) {
    absl::StatusOr<std::shared_ptr<const Gazetteer>> loaded =
        Gazetteer::Load(args.municipalities, args.postcodes);
    if (!loaded.ok()) {
      std::cerr << loaded.status().message() << "\n";
      return rejected();
    }
    gazetteer = *std::move(loaded);
    std::cerr << "gazetteer: " << gazetteer->municipality_count() << " municipalities, "
              << gazetteer->postcode_count() << " postcodes\n";
  }
  const CsvReadOptions read = ReadOptions({.skip_bad_rows = args.skip_bad_rows,
                                           .max_file_mb = args.max_file_mb,
                                           .max_field_mb = args.max_field_mb,
                                           .max_rows = args.max_rows},
                                          gazetteer.get());
  absl::StatusOr<ProvidersCsv> providers = ReadProvidersCsv(args.providers, read);
  absl::StatusOr<DemandCsv> demand = ReadDemandCsv(args.demand, read);
  absl::StatusOr<ProvidersCsv> candidates = absl::NotFoundError("");
  if (!args.candidates.empty()) candidates = ReadProvidersCsv(args.candidates, read);
  bool ok = Report(providers) & Report(demand);
  if (!args.candidates.empty()) ok &= Report(candidates);
  if (!ok) {
    std::cerr << "wegwijzer: input rejected; nothing written"
              << (args.skip_bad_rows ? "" : " (--skip-bad-rows skips bad rows)") << "\n";
    return kExitBadInput;
  }

  CoverageOptions options{.candidates = args.candidates.empty() ? nullptr : candidates->directory,
                          .add = static_cast<int>(args.add.value_or(0)),
                          .gazetteer = gazetteer,
                          .threads = static_cast<int>(args.threads.value_or(0))};
  if (args.max_memory_mb) options.match.max_memory_bytes = *args.max_memory_mb << 20;
  absl::StatusOr<CoverageAnalysis> analyzed =
      TryAnalyzeCoverage(providers->directory, {demand->requests, demand->counts}, options);
  if (!analyzed.ok()) {
    std::cerr << "wegwijzer: " << analyzed.status().message() << "\n";
    return rejected();
  }
  const CoverageAnalysis& analysis = *analyzed;

  std::error_code error;
  std::filesystem::create_directories(args.out_dir, error);
  if (error) {
    std::cerr << "wegwijzer: cannot create " << args.out_dir << ": " << error.message() << "\n";
    return kExitBadInput;
  }
  const ReportOptions report{.language = args.lang == "nl" ? TextLanguage::kDutch
                                                           : TextLanguage::kEnglish};
  const std::pair<const char*, std::string> files[] = {
      {"coverage.csv", FormatCoverageCsv(analysis)},
      {"matched.csv", FormatMatchedCsv(analysis)},
      {"areas.csv", FormatAreasCsv(analysis)},
      {"sites.csv", FormatSitesCsv(analysis)},
      {"coverage.geojson", FormatCoverageGeoJson(analysis)},
      {"report.html", FormatCoverageReportHtml(analysis, report)},
  };
  for (const auto& [name, contents] : files) {
    const std::string path = (std::filesystem::path(args.out_dir) / name).string();
    if (absl::Status s = WriteFileAtomically(path, contents); !s.ok()) {
      std::cerr << s.message() << "\n";
      return kExitBadInput;
    }
  }

  std::cout << "objective: " << analysis.plan.objective << "\n";
  const auto share = [&](int64_t part) {
    return analysis.demand == 0 ? 0.0 : 100.0 * static_cast<double>(part) /
                                            static_cast<double>(analysis.demand);
  };
  std::cerr << "demand " << analysis.demand << " in " << analysis.requests.size() << " rows: "
            << share(analysis.in_person) << "% in person, " << share(analysis.home_visit)
            << "% at home, " << share(analysis.remote) << "% remote only, "
            << share(analysis.none) << "% nothing suits; after matching "
            << share(analysis.assigned_physically) << "% assigned physically\n";
  if (analysis.sites) {
    const SiteChoice& s = *analysis.sites;
    std::cout << "sites: " << s.picks.size() << " chosen, gain " << s.gain << ", bound "
              << s.bound << " (simple bound " << s.simple_bound << "), guarantee " << s.guarantee
              << "\n";
  }
  std::cerr << "wrote coverage.csv, matched.csv, areas.csv, sites.csv, coverage.geojson, "
               "report.html to "
            << args.out_dir << "\n";
  return kExitOk;
}

}  // namespace wegwijzer::cli
