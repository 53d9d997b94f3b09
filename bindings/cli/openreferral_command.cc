// wegwijzer import-hsds / export-hsds: thin over wegwijzer/openreferral.h.
#include "openreferral_command.h"

#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "cli.h"
#include "options.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/openreferral.h"
#include "wegwijzer/v1/directory.pb.h"
#include "wegwijzer/v1/openreferral.pb.h"

namespace wegwijzer::cli {
namespace {

int Usage(std::string_view message) {
  std::cerr << "wegwijzer: " << message << "\nRun 'wegwijzer help import-hsds' for usage.\n";
  return kExitUsage;
}

int BadInput(const absl::Status& status) {
  std::string message(status.message());
  std::cerr << message << (message.ends_with('\n') ? "" : "\n")
            << "wegwijzer: input rejected; nothing written\n";
  return kExitBadInput;
}

// Whether `path` names something inside the folder `folder` (false when `folder` is
// not a folder). Compared after resolving links and "..", so an alias is caught.
bool IsInsideFolder(const std::string& path, const std::string& folder) {
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) return false;
  const std::filesystem::path dir = std::filesystem::weakly_canonical(folder, ec);
  if (ec) return false;
  const std::filesystem::path target = std::filesystem::weakly_canonical(path, ec);
  if (ec) return false;
  auto [d, t] = std::mismatch(dir.begin(), dir.end(), target.begin(), target.end());
  return d == dir.end();
}

// What providers.csv cannot say about an imported directory, counted.
void ReportInexpressible(const v1::DirectorySnapshot& snapshot) {
  int schedules = 0, ages = 0, costs = 0, documents = 0;
  for (const auto& s : snapshot.hsds().services()) {
    schedules += s.schedules_size();
    ages += s.has_minimum_age() || s.has_maximum_age();
    costs += s.cost_options_size();
    documents += s.required_documents_size();
  }
  for (const auto& l : snapshot.hsds().locations()) schedules += l.schedules_size();
  for (const auto& sal : snapshot.hsds().service_at_locations()) schedules += sal.schedules_size();
  int multi_location = 0;
  for (const auto& p : snapshot.providers()) multi_location += p.locations_size() > 1;
  auto line = [](int n, std::string_view what) {
    if (n > 0) std::cerr << "not in providers.csv: " << n << " " << what << "\n";
  };
  line(schedules, "schedules (opening hours)");
  line(ages, "services with an age limit");
  line(costs, "cost options");
  line(documents, "required documents");
  line(multi_location, "services with more than one location (written one row per location)");
  if (schedules + ages + costs + documents > 0) {
    std::cerr << "(a snapshot keeps all of them: import-hsds ... --out FILE.pb)\n";
  }
}

}  // namespace

const std::string_view kHsdsUsage = R"(Open Referral (HSDS 3.0 / 3.1, ORUK 3.0) directories:
  wegwijzer import-hsds PATH [--taxonomy-map MAP.csv] [--skip-bad-records] --out OUT
          Reads PATH (an HSDS JSON file such as service_list.json, a folder of them,
          or a tabular datapackage folder) and writes OUT: a protobuf snapshot
          (wegwijzer.v1.DirectorySnapshot, everything kept) or, when OUT is a folder
          (it exists or ends in '/'), the contract's OUT/providers.csv with a report
          of what providers.csv cannot express. Taxonomy terms become topics through
          MAP.csv (taxonomy,term_code,topic; default: the shipped table for the Open
          Referral samples); unmapped terms are reported with their counts.
          --skip-bad-records leaves out (and reports) what cannot become a provider
          (a location out of range, a service without a topic) instead of failing.
  wegwijzer export-hsds --snapshot S [--format json|csv] --out DIR
          Writes the HSDS directory inside snapshot S to DIR: HSDS 3.0 JSON
          (service_list.json, ...) or the tabular CSV tables (default json).
  route and match read --snapshot S instead of --providers P.csv.
)";

int ImportHsdsCommand(const std::vector<std::string_view>& args) {
  ParsedOptions parsed;
  if (auto error = ParseOptions(args, {{"--taxonomy-map", "--out"}, {"--skip-bad-records"}}, &parsed)) {
    return Usage(*error);
  }
  if (parsed.help) {
    std::cout << kHsdsUsage;
    return kExitOk;
  }
  if (parsed.positional.size() != 1) return Usage("import-hsds needs one PATH");
  const std::optional<std::string> out = parsed.Get("--out");
  if (!out || out->empty()) return Usage("import-hsds needs --out");
  // Writing over what is read would lose it: --out may not be PATH, a file inside the
  // folder PATH, or the taxonomy map.
  const std::string& input = parsed.positional[0];
  if (IsSameFile(*out, input) || IsInsideFolder(*out, input)) {
    return Usage("--out " + *out + " would overwrite the input " + input);
  }
  if (std::optional<std::string> map_path = parsed.Get("--taxonomy-map");
      map_path && IsSameFile(*out, *map_path)) {
    return Usage("--out " + *out + " would overwrite the taxonomy map " + *map_path);
  }
  std::optional<TaxonomyMap> map;
  if (std::optional<std::string> path = parsed.Get("--taxonomy-map")) {
    absl::StatusOr<TaxonomyMap> loaded = TaxonomyMap::Load(*path);
    if (!loaded.ok()) return BadInput(loaded.status());
    map = *std::move(loaded);
  }
  HsdsImportOptions options{.taxonomy_map = map ? &*map : nullptr,
                            .skip_bad_records = parsed.Get("--skip-bad-records").has_value()};
  absl::StatusOr<HsdsImport> in = ImportHsds(parsed.positional[0], options);
  if (!in.ok()) {
    if (!IsSkippableRecordError(in.status())) return BadInput(in.status());
    return BadInput(absl::InvalidArgumentError(
        std::string(in.status().message()) + "\n(--skip-bad-records leaves such records out)"));
  }
  std::cerr << in->report.ToString();
  // The providers must make a valid directory, whichever output is asked for.
  absl::StatusOr<std::shared_ptr<const Directory>> directory = Directory::Create(*in->snapshot);
  if (!directory.ok()) return BadInput(directory.status());
  const bool to_folder = out->ends_with('/') || std::filesystem::is_directory(*out);
  absl::Status written;
  if (to_folder) {
    std::error_code ec;
    std::filesystem::create_directories(*out, ec);
    const std::string path = (std::filesystem::path(*out) / "providers.csv").string();
    if (IsSameFile(path, input)) return Usage(path + " would overwrite the input " + input);
    written = WriteFileAtomically(path, FormatProvidersCsv(**directory));
    ReportInexpressible(*in->snapshot);
    if (written.ok()) std::cerr << "wrote " << path << "\n";
  } else {
    written = WriteFileAtomically(*out, in->snapshot->SerializeAsString());
    if (written.ok()) std::cerr << "wrote " << *out << "\n";
  }
  if (!written.ok()) {
    std::cerr << written.message() << "\n";
    return kExitBadInput;
  }
  std::cerr << in->report.services_read << " services read, " << in->report.providers_made
            << " providers\n";
  return kExitOk;
}

int ExportHsdsCommand(const std::vector<std::string_view>& args) {
  ParsedOptions parsed;
  if (auto error = ParseOptions(args, {{"--snapshot", "--out", "--format"}, {}}, &parsed)) {
    return Usage(*error);
  }
  if (parsed.help) {
    std::cout << kHsdsUsage;
    return kExitOk;
  }
  if (!parsed.positional.empty()) return Usage("export-hsds takes no PATH; use --snapshot");
  const std::optional<std::string> snapshot_path = parsed.Get("--snapshot");
  const std::optional<std::string> out = parsed.Get("--out");
  if (!snapshot_path) return Usage("export-hsds needs --snapshot");
  if (!out || out->empty()) return Usage("export-hsds needs --out (a folder)");
  const std::string format = parsed.Get("--format").value_or("json");
  if (format != "json" && format != "csv") return Usage("--format takes json or csv");
  absl::StatusOr<std::string> bytes = ReadFile(*snapshot_path);
  if (!bytes.ok()) return BadInput(bytes.status());
  v1::DirectorySnapshot snapshot;
  if (!snapshot.ParseFromString(*bytes)) {
    return BadInput(absl::InvalidArgumentError(*snapshot_path + ": not a DirectorySnapshot"));
  }
  if (snapshot.hsds().services_size() + snapshot.hsds().organizations_size() +
          snapshot.hsds().locations_size() == 0) {
    return BadInput(absl::InvalidArgumentError(
        *snapshot_path + ": the snapshot holds no HSDS directory (made by import-hsds?)"));
  }
  absl::Status s = ExportHsds(snapshot.hsds(), *out, format == "csv" ? HsdsFormat::kCsv : HsdsFormat::kJson);
  if (!s.ok()) return BadInput(s);
  std::cerr << "wrote " << *out << " (HSDS 3.0 " << format << ")\n";
  return kExitOk;
}

}  // namespace wegwijzer::cli
