// `wegwijzer coverage`: the coverage and gap analysis of coverage.h on CSV files.
// Thin: argument parsing, reading, writing; every figure is the library's.
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wegwijzer/coverage.h"
#include "wegwijzer/gazetteer.h"
#include "wegwijzer/interchange.h"

namespace wegwijzer::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitBadInput = 1;
constexpr int kExitUsage = 2;

constexpr std::string_view kCoverageUsage = R"(wegwijzer coverage - where help is missing, and where new help would reach most

Usage:
  wegwijzer coverage --providers P.csv --demand D.csv [--candidates C.csv --add N]
                     [--municipalities M.geojson [--postcodes PC4.csv]]
                     [--lang en|nl] [--skip-bad-rows] [--threads N]
                     [--max-memory-mb N] --out-dir DIR

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
(default 8192): the demand's counts become copies for the matcher.

Exit status: 0 success, 1 bad input or too large (reported as file:line: reason,
or a sentence; nothing is written), 2 usage error.
)";

struct CoverageArgs {
  std::string providers, demand, candidates, municipalities, postcodes, out_dir, lang = "en";
  std::optional<int> add;
  int threads = 0;
  std::optional<int> max_memory_mb;
  bool skip_bad_rows = false;
  bool help = false;
};

int CoverageUsageError(std::string_view message) {
  std::cerr << "wegwijzer coverage: " << message
            << "\nRun 'wegwijzer coverage --help' for usage.\n";
  return kExitUsage;
}

std::optional<int> ParseCount(std::string_view text, int least) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value >= least ? std::optional<int>(value) : std::nullopt;
}

std::optional<int> ParseCoverageArgs(int argc, char** argv, CoverageArgs* args) {
  std::vector<std::string_view> rest(argv + 2, argv + argc);  // after "coverage"
  for (size_t i = 0; i < rest.size(); ++i) {
    const std::string_view flag = rest[i];
    if (flag == "--help" || flag == "-h") {
      args->help = true;
      return std::nullopt;
    }
    if (flag == "--skip-bad-rows") {
      args->skip_bad_rows = true;
      continue;
    }
    std::string* target = flag == "--providers"        ? &args->providers
                          : flag == "--demand"         ? &args->demand
                          : flag == "--candidates"     ? &args->candidates
                          : flag == "--municipalities" ? &args->municipalities
                          : flag == "--postcodes"      ? &args->postcodes
                          : flag == "--out-dir"        ? &args->out_dir
                          : flag == "--lang"           ? &args->lang
                                                       : nullptr;
    const bool numeric = flag == "--add" || flag == "--threads" || flag == "--max-memory-mb";
    if (target == nullptr && !numeric) {
      return CoverageUsageError("unknown option '" + std::string(flag) + "'");
    }
    if (i + 1 >= rest.size() || rest[i + 1].empty()) {
      return CoverageUsageError(std::string(flag) + " needs a value");
    }
    const std::string_view value = rest[++i];
    if (target != nullptr) {
      *target = std::string(value);
    } else if (flag == "--add") {
      args->add = ParseCount(value, 0);
      if (!args->add) {
        return CoverageUsageError("--add takes a whole number >= 0, not '" + std::string(value) + "'");
      }
    } else if (flag == "--max-memory-mb") {
      args->max_memory_mb = ParseCount(value, 1);
      if (!args->max_memory_mb) {
        return CoverageUsageError("--max-memory-mb takes a whole number >= 1, not '" +
                                  std::string(value) + "'");
      }
    } else {
      std::optional<int> threads = ParseCount(value, 1);
      if (!threads) {
        return CoverageUsageError("--threads takes a whole number >= 1, not '" + std::string(value) + "'");
      }
      args->threads = *threads;
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
  const CsvReadOptions read{.skip_bad_rows = args.skip_bad_rows, .gazetteer = gazetteer.get()};
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
                          .add = args.add.value_or(0),
                          .gazetteer = gazetteer,
                          .threads = args.threads};
  if (args.max_memory_mb) options.match.max_memory_bytes = int64_t{*args.max_memory_mb} << 20;
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
