// `wegwijzer serve`: loads a directory (and optionally a gazetteer) with the same
// library calls as route and import-hsds, then answers HTTP until SIGINT or SIGTERM.
#include "serve_command.h"

#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <iostream>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "api.h"
#include "auth.h"
#include "match_jobs.h"
#include "options.h"
#include "server.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/gazetteer.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/openreferral.h"
// After gazetteer.h: its PostcodeArea (a type) and this one's (a function) share a name.
#include "wegwijzer/referral_store.h"
#include "wegwijzer/v1/directory.pb.h"

namespace wegwijzer::server {
namespace {

constexpr int kExitOk = 0, kExitBadInput = 1, kExitUsage = 2;

constexpr std::string_view kServeUsage = R"(wegwijzer serve - answer referral requests and HSDS reads over HTTP

Usage:
  wegwijzer serve (--providers P.csv | --snapshot S | --hsds PATH [--taxonomy-map MAP.csv]
                  [--skip-bad-records]) [--municipalities M.geojson [--postcodes PC4.csv]]
                  [--listen 127.0.0.1:8080] [--threads N] [limits] [--quiet]
                  [--tokens FILE [--store STORE]] [--max-jobs N] [--job-threads N]
  wegwijzer serve --hash-token "ORGANISATION, ROLE" < token.txt

Directory (exactly one):
  --providers FILE    the contract's providers.csv
  --snapshot FILE     a directory snapshot (wegwijzer.v1.DirectorySnapshot, as
                      import-hsds writes it); the HSDS endpoints serve its directory
  --hsds PATH         an HSDS 3.0/3.1 directory (JSON files, a folder, a tabular
                      datapackage), read as import-hsds reads it
Gazetteer (optional; requests may then give a postcode instead of a position):
  --municipalities FILE, --postcodes FILE   as for 'wegwijzer route'
Network and limits:
  --listen HOST:PORT  where to listen (default 127.0.0.1:8080; port 0 picks a free
                      one). Prints "listening on HOST:PORT" on standard output
                      once requests are accepted.
  --threads N         threads answering requests (default: all cores)
  --max-body-kb N     largest request body (default 8192 KiB): beyond it, 413
  --max-header-kb N   largest request line + headers (default 16 KiB): 431
  --max-connections N open connections at most (default 10000): beyond, 503 with
                      Retry-After
  --request-timeout-ms N  time to send a whole request (default 10000): 408
  --idle-timeout-ms N     a kept-alive connection idle this long is closed (60000)
  --max-batch N       requests in one POST /v1/route at most (default 10000)
  --quiet             no log line per request
  --config FILE       options from a file, one a line: 'listen = 127.0.0.1:8080',
                      'quiet' for a switch, '#' comments; the command line wins over
                      the file. A line that does not read stops the start (FILE:LINE)
  --tls-cert FILE --tls-key FILE
                      HTTPS: the PEM certificate chain (server certificate first)
                      and its PEM private key; TLS 1.2 or later. Without them, plain
                      HTTP: for loopback, or behind a reverse proxy that terminates
                      TLS (README "Server")
Who may do what (README "Server"):
  --tokens FILE       bearer tokens, one a line: 'sha256:SALT:DIGEST, ORGANISATION,
                      ROLE' (ROLE desk, provider or admin; a provider's organisation
                      is its provider id). A bad line stops the start (file:line).
  --store STORE       the referral store (as for 'wegwijzer referrals'; needs
                      --tokens): the /v1/referrals endpoints
  --hash-token "ORGANISATION, ROLE"
                      print the token file's line for the token read on standard
                      input (never on the command line), with a fresh salt; exit
Match jobs:
  --max-jobs N        match jobs queued or running at most (default 4): beyond, 503
  --job-threads N     threads running match jobs (default 1)
  --shutdown-grace-ms N  after SIGTERM, how long finished plans wait to be fetched
                      (default 30000)

Endpoints:
  POST /v1/route      body: wegwijzer.v1.RouteRequest as JSON (protobuf's JSON
                      mapping; an unknown field is a 400 naming it) or
                      application/x-protobuf; answer: wegwijzer.v1.RouteResponse
                      (ranked referrals with reasons, distance, next opening; the
                      explanation when nothing suits)
  GET  /v1/route?postcode=8011&topics=digid&languages=nl,ar[&k=5][&lang=nl]
                      one request; parameters named as requests.csv's columns
  GET  /, /services[?page=&per_page=&format=ndjson&minimal=true|full=true&search=
       &organization_id=&taxonomy_id=&taxonomy_term_id=&modified_after=&day=...],
       /services/{id}, /organizations, /taxonomies, /taxonomy_terms[/{id}],
       /service_at_locations[?postcode=&proximity=METRES][/{id}]
                      the HSDS API 3.0 reads (CORS: any origin); proximity needs
                      the postcode table (--municipalities, --postcodes)
  GET  /healthz, /metrics (Prometheus)
  POST /v1/referrals, GET /v1/referrals?provider=ID|desk=ID, GET|PATCH
       /v1/referrals/{id}   the referral lifecycle; 'Authorization: Bearer TOKEN'
  POST /v1/match      a waiting list (wegwijzer.v1.MatchRequest) -> 202 and a job;
  GET  /v1/jobs/{id}  its progress and, when done, the plan
  POST /v1/admin/reload  an admin's token: read the directory again
Every response names the directory in its Wegwijzer-Directory-Version header.
Errors are JSON: {"error": {"code": 400, "message": "..."}}.

One log line per request on standard error: method, path (no query string),
status, microseconds. SIGHUP: read the directory again from the same files and
swap it in (requests under way finish on the old one). SIGINT or SIGTERM: refuse new
match jobs, finish the running ones and wait (--shutdown-grace-ms, or until a second
SIGINT or SIGTERM) for their plans to be fetched, then stop accepting, finish the
requests being answered, exit 0.

Example (the embedded example town; the map from ../shared/data):
  wegwijzer serve --providers data/providers.csv \
      --municipalities ../shared/data/municipalities/gemeenten_2023_wgs84.geojson \
      --postcodes ../shared/data/pc4/pc4_centroids.csv --listen 127.0.0.1:8080
  curl 'http://127.0.0.1:8080/v1/route?postcode=8011&topics=digid&languages=nl,ar'

Exit status: 0 after a signal, 1 when the directory cannot be loaded or the address
cannot be bound, 2 usage error.
)";

int Usage(std::string_view message) {
  std::cerr << "wegwijzer serve: " << message << "\nRun 'wegwijzer serve --help' for usage.\n";
  return kExitUsage;
}

int BadInput(const absl::Status& status) {
  std::string message(status.message());
  std::cerr << message << (message.ends_with('\n') ? "" : "\n")
            << "wegwijzer serve: not started\n";
  return kExitBadInput;
}

struct ServeArgs {
  std::string providers, snapshot, hsds, taxonomy_map, municipalities, postcodes;
  std::string tokens, store;
  std::optional<std::string> hash_token;  // "ORGANISATION, ROLE"
  bool skip_bad_records = false, quiet = false, help = false;
  ServerOptions server;
  ApiOptions api;
  MatchJobsOptions jobs;
  std::chrono::milliseconds shutdown_grace{30'000};
};

// Options are read as every command reads them (bindings/cli/options.h).
std::optional<int> Parse(const std::vector<std::string_view>& words, ServeArgs* args) {
  static const cli::OptionSpec kSpec{
      {"--providers", "--snapshot", "--hsds", "--taxonomy-map", "--municipalities",
       "--postcodes", "--listen", "--threads", "--max-body-kb", "--max-header-kb",
       "--max-connections", "--request-timeout-ms", "--idle-timeout-ms", "--max-batch",
       "--tokens", "--store", "--hash-token", "--max-jobs", "--job-threads",
       "--shutdown-grace-ms", "--tls-cert", "--tls-key", "--config"},
      {"--skip-bad-records", "--quiet"}};
  cli::ParsedOptions parsed;
  if (std::optional<std::string> error = cli::ParseOptions(words, kSpec, &parsed)) {
    return Usage(*error);
  }
  if (!parsed.positional.empty()) return Usage("unexpected word '" + parsed.positional[0] + "'");
  if (std::optional<std::string> config = parsed.Get("--config")) {
    // The file's options, then the command line's, read as one command line (the
    // file leaves out what the command line gives).
    std::vector<std::string> from_file;
    if (std::optional<std::string> error = cli::ReadConfigFile(*config, kSpec, parsed, &from_file)) {
      return Usage(*error);
    }
    std::vector<std::string_view> all(from_file.begin(), from_file.end());
    all.insert(all.end(), words.begin(), words.end());
    parsed = {};
    if (std::optional<std::string> error = cli::ParseOptions(all, kSpec, &parsed)) {
      return Usage(*error);
    }
  }
  args->help = parsed.help;
  args->quiet = parsed.Has("--quiet");
  args->skip_bad_records = parsed.Has("--skip-bad-records");
  for (auto [flag, field] : std::initializer_list<std::pair<std::string_view, std::string*>>{
           {"--providers", &args->providers},
           {"--snapshot", &args->snapshot},
           {"--hsds", &args->hsds},
           {"--taxonomy-map", &args->taxonomy_map},
           {"--municipalities", &args->municipalities},
           {"--postcodes", &args->postcodes},
           {"--tokens", &args->tokens},
           {"--store", &args->store},
           {"--tls-cert", &args->server.tls_certificate_file},
           {"--tls-key", &args->server.tls_private_key_file}}) {
    if (std::optional<std::string> text = parsed.Get(flag)) {
      if (text->empty()) return Usage(std::string(flag) + " needs a file");
      *field = *text;
    }
  }
  if (args->server.tls_certificate_file.empty() != args->server.tls_private_key_file.empty()) {
    return Usage("--tls-cert and --tls-key go together");
  }
  if (std::optional<std::string> text = parsed.Get("--listen")) {
    const size_t colon = text->rfind(':');
    std::optional<int64_t> port;
    if (colon != std::string::npos) port = cli::ParseWholeNumber(text->substr(colon + 1), 0, 65535);
    if (colon == std::string::npos || colon == 0 || !port) {
      return Usage("--listen takes HOST:PORT (e.g. 127.0.0.1:8080, [::1]:0), not '" + *text + "'");
    }
    std::string host = text->substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
    }
    args->server.host = host;
    args->server.port = static_cast<uint16_t>(*port);
  }
  struct Limit {
    std::string_view flag;
    int64_t most;
  };
  for (const Limit& limit : {Limit{"--threads", 1024}, Limit{"--max-body-kb", int64_t{1} << 30},
                             Limit{"--max-header-kb", 1024}, Limit{"--max-connections", 1'000'000},
                             Limit{"--request-timeout-ms", int64_t{24} * 3600 * 1000},
                             Limit{"--idle-timeout-ms", int64_t{24} * 3600 * 1000},
                             Limit{"--max-batch", 10'000'000}, Limit{"--max-jobs", 10'000},
                             Limit{"--job-threads", 64},
                             Limit{"--shutdown-grace-ms", int64_t{24} * 3600 * 1000}}) {
    const std::optional<std::string> text = parsed.Get(limit.flag);
    if (!text) continue;
    const std::optional<int64_t> n = cli::ParseWholeNumber(*text, 1, limit.most);
    if (!n) return Usage(cli::WholeNumberError(limit.flag, *text, 1, limit.most));
    const std::string_view flag = limit.flag;
    if (flag == "--threads") args->server.threads = static_cast<int>(*n);
    if (flag == "--max-body-kb") args->server.max_body_bytes = static_cast<uint64_t>(*n) << 10;
    if (flag == "--max-header-kb") args->server.max_header_bytes = static_cast<uint32_t>(*n) << 10;
    if (flag == "--max-connections") args->server.max_connections = static_cast<int>(*n);
    if (flag == "--request-timeout-ms") args->server.request_timeout = std::chrono::milliseconds(*n);
    if (flag == "--idle-timeout-ms") args->server.idle_timeout = std::chrono::milliseconds(*n);
    if (flag == "--max-batch") args->api.max_batch = static_cast<int>(*n);
    if (flag == "--max-jobs") args->jobs.max_jobs = static_cast<int>(*n);
    if (flag == "--job-threads") args->jobs.threads = static_cast<int>(*n);
    if (flag == "--shutdown-grace-ms") args->shutdown_grace = std::chrono::milliseconds(*n);
  }
  if (args->help) return std::nullopt;
  args->hash_token = parsed.Get("--hash-token");
  if (args->hash_token) {
    if (parsed.options.size() != 1) {
      return Usage("--hash-token goes alone: wegwijzer serve --hash-token \"ORGANISATION, ROLE\" "
                   "< token.txt");
    }
    return std::nullopt;
  }
  if (!args->store.empty() && args->tokens.empty()) {
    return Usage("--store needs --tokens (the referral endpoints take bearer tokens)");
  }
  const int directories = !args->providers.empty() + !args->snapshot.empty() + !args->hsds.empty();
  if (directories != 1) return Usage("give one directory: --providers, --snapshot or --hsds");
  if ((!args->taxonomy_map.empty() || args->skip_bad_records) && args->hsds.empty()) {
    return Usage("--taxonomy-map and --skip-bad-records go with --hsds");
  }
  if (!args->postcodes.empty() && args->municipalities.empty()) {
    return Usage("--postcodes needs --municipalities (the postcodes' map)");
  }
  return std::nullopt;
}

absl::StatusOr<std::shared_ptr<const Directory>> LoadDirectory(const ServeArgs& args) {
  if (!args.providers.empty()) {
    absl::StatusOr<ProvidersCsv> providers = ReadProvidersCsv(args.providers);
    if (!providers.ok()) return providers.status();
    std::cerr << providers->report.ToString();
    return providers->directory;
  }
  if (!args.snapshot.empty()) {
    absl::StatusOr<std::string> bytes = ReadFile(args.snapshot);
    if (!bytes.ok()) return bytes.status();
    return Directory::FromSerialized(*bytes, args.snapshot);
  }
  std::optional<TaxonomyMap> map;
  if (!args.taxonomy_map.empty()) {
    absl::StatusOr<TaxonomyMap> loaded = TaxonomyMap::Load(args.taxonomy_map);
    if (!loaded.ok()) return loaded.status();
    map = *std::move(loaded);
  }
  absl::StatusOr<HsdsImport> in =
      ImportHsds(args.hsds, {.taxonomy_map = map ? &*map : nullptr,
                             .skip_bad_records = args.skip_bad_records});
  if (!in.ok()) return in.status();
  std::cerr << in->report.ToString();
  return Directory::Create(*in->snapshot);
}

// --hash-token: the token from standard input (its first line, without the line
// end), the line for the token file on standard output.
int HashToken(const std::string& spec) {
  const size_t comma = spec.find(',');
  if (comma == std::string::npos) {
    return Usage("--hash-token takes \"ORGANISATION, ROLE\" (e.g. \"GM0193-kcc, desk\")");
  }
  auto trim = [](std::string_view t) {
    while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
    while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
    return t;
  };
  std::string token;
  std::getline(std::cin, token);
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  absl::StatusOr<std::string> line =
      MakeTokenLine(token, trim(std::string_view(spec).substr(0, comma)),
                    trim(std::string_view(spec).substr(comma + 1)));
  if (!line.ok()) {
    std::cerr << "wegwijzer serve --hash-token: " << line.status().message() << "\n";
    return kExitBadInput;
  }
  std::cout << *line << "\n";
  return kExitOk;
}

}  // namespace

int ServeMain(const std::vector<std::string_view>& words) {
  ServeArgs args;
  if (std::optional<int> error = Parse(words, &args)) return *error;
  if (args.help) {
    std::cout << kServeUsage;
    return kExitOk;
  }
  if (args.hash_token) return HashToken(*args.hash_token);
  absl::StatusOr<std::shared_ptr<const Directory>> directory = LoadDirectory(args);
  if (!directory.ok()) return BadInput(directory.status());
  std::shared_ptr<const Gazetteer> gazetteer;
  if (!args.municipalities.empty()) {
    absl::StatusOr<std::shared_ptr<const Gazetteer>> loaded =
        Gazetteer::Load(args.municipalities, args.postcodes);
    if (!loaded.ok()) return BadInput(loaded.status());
    gazetteer = *std::move(loaded);
  }
  std::optional<Tokens> tokens;
  if (!args.tokens.empty()) {
    const Directory& d = **directory;
    absl::StatusOr<Tokens> loaded = Tokens::Load(
        args.tokens, [&d](std::string_view id) { return d.Find(id).has_value(); });
    if (!loaded.ok()) return BadInput(loaded.status());
    tokens = *std::move(loaded);
  }
  std::unique_ptr<ReferralStore> store;
  if (!args.store.empty()) {
    absl::StatusOr<std::unique_ptr<ReferralStore>> opened = OpenReferralStore(args.store);
    if (!opened.ok()) return BadInput(opened.status());
    store = *std::move(opened);
    if (absl::Status s = store->SetCapacities(**directory); !s.ok()) return BadInput(s);
  }
  if (args.quiet) args.server.log = nullptr;
  // The signals are taken by this thread alone (sigwait below); the job threads and
  // the server's threads, started after this, inherit the mask (a thread without it
  // would take SIGTERM or SIGHUP with the default action: the end of the process).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  MatchJobs jobs(args.jobs);
  // Reloads (SIGHUP, POST /v1/admin/reload) one at a time; the store's capacities
  // first, so a directory the store refuses is not served.
  std::mutex reload_mutex;
  Api* api_pointer = nullptr;
  auto reload = [&]() -> absl::StatusOr<std::string> {
    std::lock_guard<std::mutex> lock(reload_mutex);
    absl::StatusOr<std::shared_ptr<const Directory>> next = LoadDirectory(args);
    if (!next.ok()) return next.status();
    if (store != nullptr) {
      if (absl::Status s = store->SetCapacities(**next); !s.ok()) return s;
    }
    std::shared_ptr<const ServedDirectory> served = Serve(*std::move(next));
    std::string version = served->version;
    api_pointer->Replace(std::move(served));
    return version;
  };
  Api api(Serve(*directory), gazetteer, args.api,
          {.tokens = tokens ? &*tokens : nullptr,
           .store = store.get(),
           .jobs = &jobs,
           .reload = reload});
  api_pointer = &api;

  absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(args.server, &api);
  if (!server.ok()) return BadInput(server.status());
  const std::string host =
      args.server.host.find(':') != std::string::npos ? "[" + args.server.host + "]"
                                                      : args.server.host;
  std::cerr << "serving " << (*directory)->size() << " providers (directory "
            << api.Current()->version << ")" << (gazetteer ? ", with the gazetteer" : "")
            << (tokens ? ", " + std::to_string(tokens->size()) + " tokens" : std::string())
            << (store ? ", with the referral store" : "") << "\n";
  std::cout << "listening on " << host << ":" << (*server)->port() << std::endl;
  int signal_number = 0;
  while (true) {
    sigwait(&signals, &signal_number);
    if (signal_number != SIGHUP) break;
    absl::StatusOr<std::string> version = reload();
    if (version.ok()) {
      std::cerr << "wegwijzer serve: SIGHUP: serving directory " << *version << "\n";
    } else {
      std::cerr << "wegwijzer serve: SIGHUP: not reloaded, still serving "
                << api.Current()->version << ": " << version.status().message() << "\n";
    }
  }
  std::cerr << "wegwijzer serve: " << (signal_number == SIGINT ? "SIGINT" : "SIGTERM")
            << ": finishing " << jobs.active() << " match jobs and the requests being answered\n";
  jobs.Drain();
  // The plans wait to be fetched for the grace time; a second SIGINT or SIGTERM ends
  // the wait (SIGHUP is ignored now).
  const auto give_up = std::chrono::steady_clock::now() + args.shutdown_grace;
  bool fetched = false;
  bool again = false;
  while (!(fetched = jobs.WaitFetched(std::chrono::milliseconds(50))) &&
         std::chrono::steady_clock::now() < give_up) {
    const timespec now{};
    const int next = sigtimedwait(&signals, nullptr, &now);
    if (next == SIGINT || next == SIGTERM) {
      again = true;
      break;
    }
  }
  if (!fetched) {
    std::cerr << "wegwijzer serve: some finished plans were not fetched "
              << (again ? "(a second signal)" : "within " + std::to_string(args.shutdown_grace.count()) + " ms") << "\n";
  }
  (*server)->Stop();
  (*server)->Wait();
  std::cerr << "wegwijzer serve: stopped\n";
  return kExitOk;
}

}  // namespace wegwijzer::server
