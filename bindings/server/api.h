// Internal to `wegwijzer serve`: the HTTP API as a function from a request to a
// response, without any networking (server.cc is the transport, over Boost.Beast;
// this file never sees Beast, so the API is tested and fuzzed without sockets).
//
// Endpoints (README "Server"):
//   GET  /healthz            {"status":"ok","directory_version":...,"providers":N}
//   GET  /metrics            Prometheus text format 0.0.4
//   POST /v1/route           wegwijzer.v1.RouteRequest -> wegwijzer.v1.RouteResponse,
//                            JSON (protobuf's JSON mapping, unknown fields refused) or
//                            application/x-protobuf
//   GET  /v1/route?postcode=1011&topics=digid&languages=nl,ar[&k=5][&lang=nl]
//   GET  /                   HSDS API 3.0 base: version, profile, openapi_url
//   GET  /services           HSDS page of service_list records (minimal=true: id and
//                            last_modified; full=true: service_full); page, per_page,
//                            format=ndjson, and the filters of HsdsServiceFilter (AND)
//   GET  /services/{id}      one HSDS service_full, 404 when absent
//   POST /v1/referrals, GET /v1/referrals?provider=|desk=, GET|PATCH /v1/referrals/{id}
//                            the referral lifecycle, with a bearer token (api_referrals.cc)
//   POST /v1/match, GET /v1/jobs/{id}   a waiting list planned as a job (api_jobs.cc)
//   POST /v1/admin/reload    an admin's token: the directory read again (api_jobs.cc)
//   GET  /organizations, /service_at_locations (postcode, proximity in metres from the
//                            postcode's centroid, nearest first), /taxonomies, /taxonomy_terms
//                            and each /{id}: HSDS pages and records (api_hsds.cc)
//   POST /v1/coverage        wegwijzer.v1.CoverageRequest -> CoverageResponse, 413 past
//                            max_batch rows or 512 MiB estimated (api_coverage.cc)
// Every response carries the header Wegwijzer-Directory-Version; GET responses carry
// Access-Control-Allow-Origin: * (Open Referral UK asks for open, key-less reads).
// Errors are JSON {"error":{"code":STATUS,"message":"..."}}; the message names the
// field (or parameter) and the reason.
//
// Thread-safety: Api is thread-safe; Handle may be called from any number of threads.
#ifndef WEGWIJZER_BINDINGS_SERVER_API_H_
#define WEGWIJZER_BINDINGS_SERVER_API_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "wegwijzer/request.h"

namespace wegwijzer {
namespace v1 {
class Request;
}  // namespace v1
class Directory;
class Gazetteer;
class ReferralStore;
}  // namespace wegwijzer

namespace wegwijzer::server {

struct HttpRequest {
  std::string_view method{};      // "GET", "POST", ...
  std::string_view target{};      // path and query string, as sent
  std::string_view content_type{};  // the Content-Type header, empty when absent
  std::string_view accept{};      // the Accept header, empty when absent
  std::string_view authorization{};  // the Authorization header, empty when absent
  std::string_view body{};
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // When not empty, the body goes on with these bytes, in order: views into records
  // formatted once, at load (a page of GET /services), written to the socket without
  // being copied into `body`. `keep` holds what they view alive until the response is
  // written (Handle sets it to the directory that answered).
  std::vector<std::string_view> more;
  std::shared_ptr<const void> keep;
  // Further headers (Allow, Retry-After, Access-Control-Allow-Origin, ...).
  std::vector<std::pair<std::string, std::string>> headers;

  // The whole body: `body` and then `more`, as one string (for tests and tools).
  std::string Text() const {
    std::string out = body;
    for (std::string_view piece : more) out.append(piece);
    return out;
  }
};

struct ApiOptions {
  // Most requests in one POST /v1/route batch (inclusive). DEFAULT: 10,000.
  int max_batch = 10'000;
  // Largest k (referrals per request), inclusive. DEFAULT: 100.
  int max_k = 100;
  // Largest per_page of /services, inclusive. DEFAULT: 1,000; the default page is 50.
  int max_per_page = 1000;
};

class Tokens;
class MatchJobs;
struct Principal;

// What the endpoints beyond the directory reads use; each may be null, and then
// its endpoints answer 404 saying which flag would enable them. REQUIRES: what they
// point to outlives the Api.
struct ApiServices {
  // Bearer tokens (auth.h); null: every authenticated endpoint is a 401.
  const Tokens* tokens = nullptr;
  // The referral store of /v1/referrals (thread-safe, shared by the I/O threads).
  ReferralStore* store = nullptr;
  // The match jobs of /v1/match and /v1/jobs (match_jobs.h).
  MatchJobs* jobs = nullptr;
  // POST /v1/admin/reload: reads the directory again, Replace()s it, and returns
  // its version (or why it could not). Runs on the I/O thread of the request.
  std::function<absl::StatusOr<std::string>()> reload = nullptr;
};

// JSON records laid end to end in one string, each followed by HSDS's page separator
// ",\n" (HsdsPageFrame::kSeparator): a run of consecutive records, as a page of an
// unfiltered list holds, is then one contiguous range of bytes, written as it is.
// Immutable after From; safe to share between threads.
class PreformattedRecords {
 public:
  static PreformattedRecords From(const std::vector<std::string>& records);
  size_t size() const { return offsets_.empty() ? 0 : offsets_.size() - 1; }
  // Record i, without its separator. REQUIRES: i < size().
  std::string_view record(size_t i) const {
    return std::string_view(text_).substr(offsets_[i], offsets_[i + 1] - offsets_[i] - 2);
  }
  // Records [first, last) joined by their separators, without the last one's.
  // REQUIRES: first < last <= size().
  std::string_view range(size_t first, size_t last) const {
    return std::string_view(text_).substr(offsets_[first], offsets_[last] - offsets_[first] - 2);
  }

 private:
  std::string text_;
  std::vector<size_t> offsets_;  // record i starts at offsets_[i]; size() + 1 entries
};

// What the server answers from: a directory and what is derived from it once.
struct ServedDirectory {
  // A fingerprint of the snapshot (16 hex digits of FNV-1a over its deterministic
  // serialization), the same for the same snapshot on every run and machine.
  std::string version;
  std::shared_ptr<const Directory> directory;
  // Each service formatted once, at load, in the three shapes of the HSDS API
  // (HsdsServiceView): service_full (GET /services/{id}, ?full=true), service_list
  // (GET /services), minimal (?minimal=true).
  PreformattedRecords services_full, services_list, services_minimal;
  std::unordered_map<std::string, int> service_by_id;  // HSDS service id -> position
};

// Builds the served form of `directory` (computes the version, formats the HSDS
// services). O(size of the snapshot).
std::shared_ptr<const ServedDirectory> Serve(std::shared_ptr<const Directory> directory);

// The request counters, latency histogram and error counts of /metrics. Lock-free.
class Metrics {
 public:
  // The bounded set of path labels (an unknown path is "other", so that a scan of
  // random paths cannot grow the metrics).
  static constexpr std::array<std::string_view, 22> kPaths = {
      "/", "/healthz", "/metrics", "/v1/route", "/services", "/services/{id}", "other",
      "(unparsed)", "/v1/referrals", "/v1/referrals/{id}", "/v1/match", "/v1/jobs/{id}",
      "/v1/admin/reload", "/v1/coverage", "/organizations", "/organizations/{id}",
      "/service_at_locations", "/service_at_locations/{id}", "/taxonomies", "/taxonomies/{id}",
      "/taxonomy_terms", "/taxonomy_terms/{id}"};
  // 0 stands for every other status.
  static constexpr std::array<int, 17> kStatuses = {200, 201, 202, 400, 401, 403, 404, 405, 408,
                                                    409, 413, 415, 422, 431, 500, 503, 0};
  // Upper bounds of the latency buckets, in microseconds.
  static constexpr std::array<int64_t, 12> kBucketsMicros = {
      50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 100000, 1000000, 10000000};

  // `path` is a label of kPaths (PathLabel). Thread-safe.
  void Record(std::string_view path, int status, int64_t micros);
  // Prometheus text.
  std::string Format(const ServedDirectory& served) const;

  // The label of a request target: its path, with ids replaced ("/services/{id}");
  // "(unparsed)" for an empty target (a request refused before its target was read).
  static std::string_view PathLabel(std::string_view target);

 private:
  static size_t PathIndex(std::string_view path);
  static size_t StatusIndex(int status);
  std::array<std::array<std::atomic<int64_t>, kStatuses.size()>, kPaths.size()> counts_{};
  std::array<std::atomic<int64_t>, kBucketsMicros.size() + 1> buckets_{};
  std::atomic<int64_t> sum_micros_{0};
};

class Api {
 public:
  // REQUIRES: `served` is not null. `gazetteer` may be null (then requests must give
  // a position; a postcode alone is a 400 saying the server has no postcode table).
  Api(std::shared_ptr<const ServedDirectory> served, std::shared_ptr<const Gazetteer> gazetteer,
      ApiOptions options = {}, ApiServices services = {});

  // Answers one request. Never throws (std::bad_alloc becomes a 503); never crashes on
  // any input.
  HttpResponse Handle(const HttpRequest& request) const;

  // The directory answering now (a consistent snapshot for one request).
  std::shared_ptr<const ServedDirectory> Current() const;
  // Replaces the directory; requests running keep the one they started with.
  void Replace(std::shared_ptr<const ServedDirectory> next);

  Metrics& metrics() const { return metrics_; }

  // A JSON error response {"error":{"code":status,"message":message}}.
  static HttpResponse Error(int status, std::string_view message);

 private:
  HttpResponse Dispatch(const HttpRequest& request, const ServedDirectory& served) const;
  HttpResponse PostRoute(const HttpRequest& request, const ServedDirectory& served) const;
  HttpResponse GetRoute(std::string_view query, const ServedDirectory& served) const;
  HttpResponse GetServices(std::string_view query, const ServedDirectory& served) const;
  // A request of a body (its postcode resolved through the gazetteer, when there is
  // one), or kInvalidArgument whose message starts with `where` ("requests[3]: ...").
  absl::StatusOr<Request> ReadRequest(v1::Request* proto, std::string_view where) const;
  // api_referrals.cc: /v1/referrals[/{id}]; `rest` is the path after "/v1/referrals".
  HttpResponse Referrals(const HttpRequest& request, std::string_view rest, std::string_view query,
                         const ServedDirectory& served) const;
  // api_jobs.cc: POST /v1/match, GET /v1/jobs/{id}, POST /v1/admin/reload.
  HttpResponse PostMatch(const HttpRequest& request, const ServedDirectory& served) const;
  HttpResponse GetJob(std::string_view id) const;
  HttpResponse AdminReload(const HttpRequest& request) const;
  // api_referrals.cc: the bearer token's principal in *who, or the 401 to answer.
  std::optional<HttpResponse> Authenticate(const HttpRequest& request, Principal* who) const;

  mutable std::mutex mutex_;
  std::shared_ptr<const ServedDirectory> served_;  // guarded by mutex_
  std::shared_ptr<const Gazetteer> gazetteer_;
  ApiOptions options_;
  ApiServices services_;
  mutable Metrics metrics_;
};

// Percent-decodes a query component ('+' is a space). nullopt for a malformed escape
// or a decoded NUL.
absl::StatusOr<std::string> DecodeQueryComponent(std::string_view text);

// The parameters of a query string ("a=1&b=x%20y"), decoded, in order. Errors name
// the parameter.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseQuery(
    std::string_view query);

}  // namespace wegwijzer::server

#endif  // WEGWIJZER_BINDINGS_SERVER_API_H_
