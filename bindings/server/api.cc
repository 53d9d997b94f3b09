// The HTTP API of `wegwijzer serve` (api.h). Thin: every rule about requests,
// referrals and HSDS is the library's; this file maps HTTP onto it.
#include "api.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <exception>
#include <new>
#include <span>

#include "absl/strings/ascii.h"
#include "api_internal.h"
#include "core/text.h"
#include "options.h"  // cli::ParseWholeNumber
#include "interchange/route_json.h"
#include "openreferral/json.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/arena.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/gazetteer.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/openreferral.h"
#include "wegwijzer/request.h"
#include "wegwijzer/router.h"
#include "wegwijzer/v1/directory.pb.h"
#include "wegwijzer/v1/request.pb.h"

namespace wegwijzer::server {
namespace internal = ::wegwijzer::internal;
namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kProtobuf = "application/x-protobuf";
constexpr int kDefaultPerPage = 50;

// The media type of a Content-Type or Accept item, lowercase, without parameters.
std::string MediaType(std::string_view header) {
  header = header.substr(0, header.find(';'));
  while (!header.empty() && (header.front() == ' ' || header.front() == '\t')) header.remove_prefix(1);
  while (!header.empty() && (header.back() == ' ' || header.back() == '\t')) header.remove_suffix(1);
  return absl::AsciiStrToLower(std::string(header));
}

// The items of `text` between `separator`s (empty items included).
std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> items;
  while (true) {
    const size_t at = text.find(separator);
    items.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return items;
    text.remove_prefix(at + 1);
  }
}

bool AcceptsProtobuf(std::string_view accept) {
  for (std::string_view item : Split(accept, ',')) {
    if (MediaType(item) == kProtobuf) return true;
  }
  return false;
}


std::string Fingerprint(const v1::DirectorySnapshot& snapshot) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    snapshot.SerializeToCodedStream(&coded);
  }
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return absl::StrFormat("%016x", hash);
}

HttpResponse MethodNotAllowed(std::string_view allow) {
  HttpResponse response = Api::Error(405, internal::Cat("method not allowed; use ", allow));
  response.headers.emplace_back("Allow", std::string(allow));
  return response;
}

// Paging and shape parameters: not filters (an unfiltered page is a slice).
bool IsListParameter(std::string_view name) {
  return name == "page" || name == "per_page" || name == "format" || name == "minimal" ||
         name == "full";
}

// Whether the target's path is `prefix` followed by "/" and a non-empty rest; sets
// `rest`.
bool PathBelow(std::string_view path, std::string_view prefix, std::string_view* rest) {
  if (!path.starts_with(prefix) || path.size() <= prefix.size() + 1 ||
      path[prefix.size()] != '/') {
    return false;
  }
  *rest = path.substr(prefix.size() + 1);
  return true;
}

}  // namespace

PreformattedRecords PreformattedRecords::From(const std::vector<std::string>& records) {
  PreformattedRecords out;
  size_t bytes = 0;
  for (const std::string& r : records) bytes += r.size() + HsdsPageFrame::kSeparator.size();
  out.text_.reserve(bytes);
  out.offsets_.reserve(records.size() + 1);
  for (const std::string& r : records) {
    out.offsets_.push_back(out.text_.size());
    out.text_.append(r);
    out.text_.append(HsdsPageFrame::kSeparator);
  }
  out.offsets_.push_back(out.text_.size());
  return out;
}

std::shared_ptr<const ServedDirectory> Serve(std::shared_ptr<const Directory> directory) {
  auto served = std::make_shared<ServedDirectory>();
  served->version = Fingerprint(directory->snapshot());
  const v1::HsdsDirectory& hsds = directory->snapshot().hsds();
  served->services_full = PreformattedRecords::From(FormatHsdsServices(hsds, HsdsServiceView::kFull));
  served->services_list = PreformattedRecords::From(FormatHsdsServices(hsds, HsdsServiceView::kList));
  served->services_minimal =
      PreformattedRecords::From(FormatHsdsServices(hsds, HsdsServiceView::kMinimal));
  const auto& services = directory->snapshot().hsds().services();
  for (int i = 0; i < services.size(); ++i) served->service_by_id.emplace(services[i].id(), i);
  served->directory = std::move(directory);
  return served;
}

// ---- query strings ----

absl::StatusOr<std::string> DecodeQueryComponent(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= text.size()) {
        return absl::InvalidArgumentError("a '%' escape is cut off");
      }
      const int high = hex(text[i + 1]), low = hex(text[i + 2]);
      if (high < 0 || low < 0) return absl::InvalidArgumentError("a '%' escape is not two hex digits");
      const char decoded = static_cast<char>(high * 16 + low);
      if (decoded == '\0') return absl::InvalidArgumentError("a %00 (NUL) is not allowed");
      out.push_back(decoded);
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseQuery(
    std::string_view query) {
  std::vector<std::pair<std::string, std::string>> parameters;
  if (query.empty()) return parameters;
  for (std::string_view item : Split(query, '&')) {
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    absl::StatusOr<std::string> name = DecodeQueryComponent(item.substr(0, eq));
    if (!name.ok()) {
      return absl::InvalidArgumentError(
          internal::Cat("query parameter name: ", std::string(name.status().message())));
    }
    absl::StatusOr<std::string> value =
        eq == std::string_view::npos ? std::string() : DecodeQueryComponent(item.substr(eq + 1));
    if (!value.ok()) {
      return absl::InvalidArgumentError(internal::Cat("query parameter '", *name,
                                                     "': ", std::string(value.status().message())));
    }
    parameters.emplace_back(*std::move(name), *std::move(value));
  }
  return parameters;
}

// ---- metrics ----

std::string_view Metrics::PathLabel(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  if (path.empty()) return "(unparsed)";
  for (std::string_view known : {"/", "/healthz", "/metrics", "/v1/route", "/services",
                                  "/v1/referrals", "/v1/match", "/v1/admin/reload", "/v1/coverage",
                                  "/organizations", "/service_at_locations", "/taxonomies",
                                  "/taxonomy_terms"}) {
    if (path == known) return known;
  }
  std::string_view rest;
  // The HSDS records by id: the label is the list's path with "/{id}" (a literal in
  // kPaths, so that the view returned outlives the request).
  for (std::string_view label : {"/services/{id}", "/organizations/{id}",
                                  "/service_at_locations/{id}", "/taxonomies/{id}",
                                  "/taxonomy_terms/{id}"}) {
    const std::string_view list = label.substr(0, label.size() - std::string_view("/{id}").size());
    if (PathBelow(path, list, &rest) && rest.find('/') == std::string_view::npos) return label;
  }
  if (PathBelow(path, "/v1/referrals", &rest) && rest.find('/') == std::string_view::npos) {
    return "/v1/referrals/{id}";
  }
  if (PathBelow(path, "/v1/jobs", &rest) && rest.find('/') == std::string_view::npos) {
    return "/v1/jobs/{id}";
  }
  return "other";
}

size_t Metrics::PathIndex(std::string_view path) {
  for (size_t i = 0; i < kPaths.size(); ++i) {
    if (kPaths[i] == path) return i;
  }
  return 6;  // "other"
}

size_t Metrics::StatusIndex(int status) {
  for (size_t i = 0; i + 1 < kStatuses.size(); ++i) {
    if (kStatuses[i] == status) return i;
  }
  return kStatuses.size() - 1;
}

void Metrics::Record(std::string_view path, int status, int64_t micros) {
  counts_[PathIndex(path)][StatusIndex(status)].fetch_add(1, std::memory_order_relaxed);
  size_t bucket = 0;
  while (bucket < kBucketsMicros.size() && micros > kBucketsMicros[bucket]) ++bucket;
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(micros, std::memory_order_relaxed);
}

std::string Metrics::Format(const ServedDirectory& served) const {
  std::string out =
      "# HELP wegwijzer_http_requests_total HTTP requests answered, by path and status.\n"
      "# TYPE wegwijzer_http_requests_total counter\n";
  int64_t client_errors = 0, server_errors = 0;
  for (size_t p = 0; p < kPaths.size(); ++p) {
    for (size_t s = 0; s < kStatuses.size(); ++s) {
      const int64_t n = counts_[p][s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      const int status = kStatuses[s];
      internal::Append(&out, "wegwijzer_http_requests_total{path=\"", kPaths[p], "\",status=\"",
                      status == 0 ? std::string("other") : internal::Cat(status), "\"} ", n, "\n");
      if (status >= 500) {
        server_errors += n;
      } else if (status >= 400) {
        client_errors += n;
      }
    }
  }
  internal::Append(
      &out,
      "# HELP wegwijzer_http_errors_total HTTP requests answered with an error, by class.\n"
      "# TYPE wegwijzer_http_errors_total counter\n"
      "wegwijzer_http_errors_total{class=\"4xx\"} ", client_errors, "\n",
      "wegwijzer_http_errors_total{class=\"5xx\"} ", server_errors, "\n",
      "# HELP wegwijzer_http_request_duration_seconds Time from a request's last byte read "
      "to its response handed to the socket.\n"
      "# TYPE wegwijzer_http_request_duration_seconds histogram\n");
  int64_t cumulative = 0;
  for (size_t b = 0; b <= kBucketsMicros.size(); ++b) {
    cumulative += buckets_[b].load(std::memory_order_relaxed);
    const std::string le =
        b < kBucketsMicros.size() ? internal::Cat(kBucketsMicros[b] / 1e6) : "+Inf";
    internal::Append(&out, "wegwijzer_http_request_duration_seconds_bucket{le=\"", le, "\"} ",
                    cumulative, "\n");
  }
  internal::Append(&out, "wegwijzer_http_request_duration_seconds_sum ",
                  sum_micros_.load(std::memory_order_relaxed) / 1e6, "\n",
                  "wegwijzer_http_request_duration_seconds_count ", cumulative, "\n",
                  "# HELP wegwijzer_directory_info The directory snapshot being served.\n"
                  "# TYPE wegwijzer_directory_info gauge\n"
                  "wegwijzer_directory_info{version=\"", served.version, "\"} 1\n",
                  "# HELP wegwijzer_directory_providers Providers in the directory served.\n"
                  "# TYPE wegwijzer_directory_providers gauge\n"
                  "wegwijzer_directory_providers ", served.directory->size(), "\n");
  return out;
}

// ---- the API ----

Api::Api(std::shared_ptr<const ServedDirectory> served, std::shared_ptr<const Gazetteer> gazetteer,
         ApiOptions options, ApiServices services)
    : served_(std::move(served)),
      gazetteer_(std::move(gazetteer)),
      options_(options),
      services_(std::move(services)) {}

std::shared_ptr<const ServedDirectory> Api::Current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return served_;
}

void Api::Replace(std::shared_ptr<const ServedDirectory> next) {
  std::shared_ptr<const ServedDirectory> old;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    old = std::exchange(served_, std::move(next));
  }
  // `old` is freed here, outside the lock, when no request holds it any more.
}

HttpResponse Api::Error(int status, std::string_view message) {
  HttpResponse response;
  response.status = status;
  response.body = internal::Cat("{\"error\":{\"code\":", status, ",\"message\":");
  internal::AppendJsonString(message, &response.body);
  response.body.append("}}\n");
  return response;
}

HttpResponse Api::Handle(const HttpRequest& request) const {
  const std::shared_ptr<const ServedDirectory> served = Current();
  HttpResponse response;
  try {
    response = Dispatch(request, *served);
  } catch (const std::bad_alloc&) {
    response = Error(503, "out of memory answering this request; send a smaller one");
    response.headers.emplace_back("Retry-After", "1");
  } catch (const std::exception& e) {
    response = Error(500, internal::Cat("internal error: ", e.what()));
  }
  if (!response.more.empty()) response.keep = served;  // `more` views its records
  response.headers.emplace_back("Wegwijzer-Directory-Version", served->version);
  // Open reads only: what a token guards is not offered to every origin.
  if ((request.method == "GET" || request.method == "HEAD") &&
      !request.target.starts_with("/v1/referrals") && !request.target.starts_with("/v1/jobs")) {
    response.headers.emplace_back("Access-Control-Allow-Origin", "*");
  }
  return response;
}

HttpResponse Api::Dispatch(const HttpRequest& request, const ServedDirectory& served) const {
  const size_t question = request.target.find('?');
  const std::string_view path = request.target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : request.target.substr(question + 1);
  const bool get = request.method == "GET";
  if (path == "/healthz") {
    if (!get) return MethodNotAllowed("GET");
    HttpResponse response;
    response.body = internal::Cat("{\"status\":\"ok\",\"directory_version\":\"", served.version,
                                 "\",\"providers\":", served.directory->size(), "}\n");
    return response;
  }
  if (path == "/metrics") {
    if (!get) return MethodNotAllowed("GET");
    HttpResponse response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = metrics_.Format(served);
    return response;
  }
  if (path == "/v1/route") {
    if (request.method == "POST") return PostRoute(request, served);
    if (get) return GetRoute(query, served);
    return MethodNotAllowed("GET, POST");
  }
  if (path == "/") {
    if (!get) return MethodNotAllowed("GET");
    HttpResponse response;
    response.body =
        "{\"version\":\"3.0\",\"profile\":\"https://docs.openreferral.org/en/3.0/\","
        "\"openapi_url\":\"https://raw.githubusercontent.com/openreferral/specification/3.0/"
        "schema/openapi.json\"}\n";
    return response;
  }
  if (path == "/services") {
    if (!get) return MethodNotAllowed("GET");
    return GetServices(query, served);
  }
  if (path == "/v1/referrals" || path.starts_with("/v1/referrals/")) {
    return Referrals(request, path.substr(std::string_view("/v1/referrals").size()), query, served);
  }
  if (path == "/v1/coverage") {
    if (request.method != "POST") return MethodNotAllowed("POST");
    return api_internal::PostCoverage(request, served, gazetteer_.get(), options_);
  }
  if (path == "/v1/match") {
    if (request.method != "POST") return MethodNotAllowed("POST");
    return PostMatch(request, served);
  }
  std::string_view job_id;
  if (PathBelow(path, "/v1/jobs", &job_id) && job_id.find('/') == std::string_view::npos) {
    if (!get) return MethodNotAllowed("GET");
    return GetJob(job_id);
  }
  if (path == "/v1/admin/reload") {
    if (request.method != "POST") return MethodNotAllowed("POST");
    return AdminReload(request);
  }
  std::string_view id;
  if (PathBelow(path, "/services", &id) && id.find('/') == std::string_view::npos) {
    if (!get) return MethodNotAllowed("GET");
    absl::StatusOr<std::string> decoded = DecodeQueryComponent(id);
    if (!decoded.ok()) return Error(400, internal::Cat("service id: ", std::string(decoded.status().message())));
    auto it = served.service_by_id.find(*decoded);
    if (it == served.service_by_id.end()) {
      return Error(404, internal::Cat("no service with id '", *decoded, "'"));
    }
    HttpResponse response;
    response.body = internal::Cat(served.services_full.record(static_cast<size_t>(it->second)), "\n");
    return response;
  }
  if (std::optional<HttpResponse> hsds = api_internal::HsdsRead(request, path, query, served, gazetteer_.get(),
                                                                    options_)) {
    return *std::move(hsds);
  }
  return Error(404, internal::Cat("no such path: ", path.substr(0, 200),
                                 " (see GET / , /services, /v1/route, /healthz, /metrics)"));
}

namespace {

// The response of a route: RouteResponse as JSON or protobuf.
HttpResponse RouteResponseBody(const v1::RouteResponse& proto, bool protobuf) {
  HttpResponse response;
  if (protobuf) {
    response.content_type = std::string(kProtobuf);
    proto.SerializeToString(&response.body);
    return response;
  }
  internal::AppendRouteResponseJson(proto, &response.body);  // protobuf's mapping, faster
  response.body.push_back('\n');
  return response;
}

// Router::ToProto, with the reasons in `language` (ToProto writes English ones).
void ToProto(const Router& router, const Request& request, const RouteResult& result,
             TextLanguage language, v1::RouteResult* proto) {
  router.ToProto(request, result, proto);
  if (language == TextLanguage::kEnglish) return;
  for (size_t i = 0; i < result.referrals.size(); ++i) {
    v1::Referral* referral = proto->mutable_referrals(static_cast<int>(i));
    referral->clear_reasons();
    for (std::string& reason : router.Reasons(request, result.referrals[i], language)) {
      referral->add_reasons(std::move(reason));
    }
  }
}

}  // namespace

absl::StatusOr<Request> Api::ReadRequest(v1::Request* proto, std::string_view where) const {
  if (gazetteer_ != nullptr) {
    if (absl::Status s = gazetteer_->Resolve(proto); !s.ok()) {
      return absl::InvalidArgumentError(internal::Cat(where, ": ", std::string(s.message())));
    }
  } else if (!proto->has_position() && !proto->postcode().empty()) {
    return absl::InvalidArgumentError(
        internal::Cat(where,
                      ".postcode: this server has no postcode table (start it with "
                      "--municipalities and --postcodes); give a position"));
  }
  absl::StatusOr<Request> converted = Request::FromProto(*proto);
  if (!converted.ok()) {
    return absl::InvalidArgumentError(
        internal::Cat(where, ": ", std::string(converted.status().message())));
  }
  return converted;
}

HttpResponse Api::PostRoute(const HttpRequest& request, const ServedDirectory& served) const {
  const std::string type = MediaType(request.content_type);
  // The request and the answer live on one arena: a batch's thousands of strings are
  // freed at once, not one by one.
  google::protobuf::Arena arena;
  v1::RouteRequest& body = *google::protobuf::Arena::CreateMessage<v1::RouteRequest>(&arena);
  const bool protobuf = type == kProtobuf;
  if (protobuf) {
    if (!body.ParseFromArray(request.body.data(), static_cast<int>(request.body.size()))) {
      return Error(400, "the body is not a wegwijzer.v1.RouteRequest (protobuf)");
    }
  } else if (type == kJson) {
    // Protobuf's JSON mapping (unknown fields refused), read by hand (route_json.h).
    const absl::Status status = internal::ParseRouteRequestJson(request.body, &body);
    if (!status.ok()) {
      return Error(400, internal::Cat("the body is not a wegwijzer.v1.RouteRequest: ",
                                     std::string(status.message())));
    }
  } else {
    HttpResponse response = Error(
        415, internal::Cat("Content-Type '", request.content_type.substr(0, 100),
                          "' is not accepted; send application/json or application/x-protobuf"));
    response.headers.emplace_back("Accept-Post", "application/json, application/x-protobuf");
    return response;
  }
  if (body.has_request() && body.requests_size() > 0) {
    return Error(400, "request, requests: give one request or a batch, not both");
  }
  if (!body.has_request() && body.requests_size() == 0) {
    return Error(400, "request, requests: missing (give one request or a batch)");
  }
  if (body.requests_size() > options_.max_batch) {
    return Error(400, internal::Cat("requests: ", body.requests_size(),
                                   " requests is more than this server's batch limit of ",
                                   options_.max_batch, "; split the batch"));
  }
  RouteOptions route{.k = 5, .explain_no_match = true, .threads = 1};
  if (body.has_k()) {
    if (body.k() < 1 || body.k() > options_.max_k) {
      return Error(400, internal::Cat("k: ", body.k(), " is outside 1..", options_.max_k));
    }
    route.k = body.k();
  }
  if (body.has_explain()) route.explain_no_match = body.explain();
  if (body.language() == "nl") {
    route.language = TextLanguage::kDutch;
  } else if (!body.language().empty() && body.language() != "en") {
    return Error(400, internal::Cat("language: '", body.language().substr(0, 20),
                                   "' is not en or nl"));
  }
  std::vector<v1::Request*> protos;
  if (body.has_request()) {
    protos.push_back(body.mutable_request());
  } else {
    for (v1::Request& r : *body.mutable_requests()) protos.push_back(&r);
  }
  std::vector<Request> requests;
  requests.reserve(protos.size());
  for (size_t i = 0; i < protos.size(); ++i) {
    v1::Request& proto = *protos[i];
    const std::string where =
        body.has_request() ? std::string("request") : internal::Cat("requests[", i, "]");
    absl::StatusOr<Request> converted = ReadRequest(&proto, where);
    if (!converted.ok()) return Error(400, std::string(converted.status().message()));
    requests.push_back(*std::move(converted));
  }
  Router router(served.directory);
  absl::StatusOr<std::vector<RouteResult>> results = router.TryRouteBatch(requests, route);
  if (!results.ok()) {
    HttpResponse response = Error(503, std::string(results.status().message()));
    response.headers.emplace_back("Retry-After", "1");
    return response;
  }
  v1::RouteResponse& answer = *google::protobuf::Arena::CreateMessage<v1::RouteResponse>(&arena);
  answer.set_directory_version(served.version);
  for (size_t i = 0; i < requests.size(); ++i) {
    ToProto(router, requests[i], (*results)[i], route.language, answer.add_results());
  }
  return RouteResponseBody(answer, protobuf || AcceptsProtobuf(request.accept));
}

HttpResponse Api::GetRoute(std::string_view query, const ServedDirectory& served) const {
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> parameters = ParseQuery(query);
  if (!parameters.ok()) return Error(400, std::string(parameters.status().message()));
  RouteOptions route{.k = 5, .explain_no_match = true, .threads = 1};
  std::vector<std::pair<std::string, std::string>> request_parameters;
  for (auto& [name, value] : *parameters) {
    if (name == "k") {
      std::optional<int64_t> k = cli::ParseWholeNumber(value, 1, options_.max_k);
      if (!k) return Error(400, internal::Cat("k: '", value.substr(0, 20), "' is not a whole number in 1..", options_.max_k));
      route.k = static_cast<int>(*k);
    } else if (name == "lang") {
      if (value != "en" && value != "nl") {
        return Error(400, internal::Cat("lang: '", value.substr(0, 20), "' is not en or nl"));
      }
      route.language = value == "nl" ? TextLanguage::kDutch : TextLanguage::kEnglish;
    } else if (name == "explain") {
      if (value != "true" && value != "false") {
        return Error(400, internal::Cat("explain: '", value.substr(0, 20), "' is not true or false"));
      }
      route.explain_no_match = value == "true";
    } else {
      request_parameters.emplace_back(std::move(name), std::move(value));
    }
  }
  absl::StatusOr<Request> request =
      ParseRequestParameters(request_parameters, {.gazetteer = gazetteer_.get()});
  if (!request.ok()) return Error(400, std::string(request.status().message()));
  Router router(served.directory);
  const RouteResult result = router.Route(*request, route);
  v1::RouteResponse answer;
  answer.set_directory_version(served.version);
  ToProto(router, *request, result, route.language, answer.add_results());
  return RouteResponseBody(answer, false);
}

HttpResponse Api::GetServices(std::string_view query, const ServedDirectory& served) const {
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> parameters = ParseQuery(query);
  if (!parameters.ok()) return Error(400, std::string(parameters.status().message()));
  HsdsServiceFilter filter;
  HsdsListQuery list;
  list.per_page = std::min<int64_t>(kDefaultPerPage, options_.max_per_page);
  bool filtered = false;  // any filter given: the library's search decides
  for (const auto& [name, value] : *parameters) {
    absl::Status set = SetHsdsListParameter(name, value, options_.max_per_page, /*services=*/true, &list);
    if (set.code() == absl::StatusCode::kNotFound) set = SetHsdsServiceFilter(name, value, &filter);
    if (set.ok()) {
      filtered = filtered || !IsListParameter(name);
      continue;
    }
    if (set.code() != absl::StatusCode::kNotFound) return Error(400, std::string(set.message()));
    return Error(400, internal::Cat("unknown parameter '", name.substr(0, 100),
                                   "' (known: page, per_page, format, minimal, full, search, "
                                   "organization_id, taxonomy_id, taxonomy_term_id, modified_after, "
                                   "minimum_age, maximum_age, day, start_time, end_time)"));
  }
  const PreformattedRecords& records = list.view == HsdsServiceView::kFull ? served.services_full
                                       : list.view == HsdsServiceView::kMinimal
                                           ? served.services_minimal
                                           : served.services_list;
  const v1::HsdsDirectory& hsds = served.directory->snapshot().hsds();
  const std::vector<int> found = filtered ? FindHsdsServices(hsds, filter) : std::vector<int>();
  const int64_t total = filtered ? static_cast<int64_t>(found.size()) : static_cast<int64_t>(records.size());
  auto at = [&](int64_t i) { return records.record(static_cast<size_t>(filtered ? found[i] : i)); };
  HttpResponse response;
  if (list.ndjson) {
    response.content_type = "application/x-ndjson";
    size_t bytes = 0;
    for (int64_t i = 0; i < total; ++i) bytes += at(i).size() + 1;
    response.body.reserve(bytes);
    for (int64_t i = 0; i < total; ++i) internal::Append(&response.body, at(i), "\n");
    return response;
  }
  const int64_t first = std::min(total, (list.page - 1) * list.per_page);  // page <= 2^40
  const int64_t last = std::min(total, first + list.per_page);
  const HsdsPageFrame frame =
      FormatHsdsPageFrame(total, list.page, list.per_page, static_cast<size_t>(last - first));
  response.body = frame.head;
  if (first == last) {
    response.body.append(HsdsPageFrame::kTail);
  } else if (!filtered) {
    // The page is a run of records formatted at load: written from there, not copied
    // (Handle keeps the directory alive until the response is written).
    response.more = {records.range(static_cast<size_t>(first), static_cast<size_t>(last)),
                     HsdsPageFrame::kTail};
  } else {
    // Found records are scattered: copied into the body, which is then one piece.
    size_t bytes = response.body.size() + HsdsPageFrame::kTail.size();
    for (int64_t i = first; i < last; ++i) bytes += at(i).size() + HsdsPageFrame::kSeparator.size();
    response.body.reserve(bytes);
    for (int64_t i = first; i < last; ++i) {
      if (i > first) response.body.append(HsdsPageFrame::kSeparator);
      response.body.append(at(i));
    }
    response.body.append(HsdsPageFrame::kTail);
  }
  return response;
}

}  // namespace wegwijzer::server
