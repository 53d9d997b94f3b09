// Internal to the API's translation units (api_referrals.cc, api_jobs.cc): protobuf
// JSON bodies in and out, as PostRoute reads and writes them.
#ifndef WEGWIJZER_BINDINGS_SERVER_API_INTERNAL_H_
#define WEGWIJZER_BINDINGS_SERVER_API_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "api.h"
#include "core/text.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"

namespace wegwijzer::server::api_internal {

// Reads `request`'s body into `message`: JSON (unknown fields refused) or
// application/x-protobuf. nullopt when it reads; else the 400 or 415 to answer, the
// message naming `what` and the field.
inline std::optional<HttpResponse> ParseBody(const HttpRequest& request,
                                             google::protobuf::Message* message) {
  std::string_view type = request.content_type.substr(0, request.content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  const std::string lower = absl::AsciiStrToLower(std::string(type));
  const std::string what = message->GetDescriptor()->full_name();
  if (lower == "application/x-protobuf") {
    if (!message->ParseFromArray(request.body.data(), static_cast<int>(request.body.size()))) {
      return Api::Error(400, ::wegwijzer::internal::Cat("the body is not a ", what, " (protobuf)"));
    }
    return std::nullopt;
  }
  if (lower != "application/json") {
    HttpResponse response = Api::Error(
        415, ::wegwijzer::internal::Cat("Content-Type '", request.content_type.substr(0, 100),
                                        "' is not accepted; send application/json or "
                                        "application/x-protobuf"));
    response.headers.emplace_back("Accept-Post", "application/json, application/x-protobuf");
    return response;
  }
  google::protobuf::util::JsonParseOptions parse;
  parse.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(request.body.data(), request.body.size()), message, parse);
  if (!status.ok()) {
    return Api::Error(400, ::wegwijzer::internal::Cat("the body is not a ", what, ": ",
                                                      std::string(status.message())));
  }
  return std::nullopt;
}

// `message` as the JSON body of a response with `status`.
inline HttpResponse JsonResponse(const google::protobuf::Message& message, int status = 200) {
  HttpResponse response;
  response.status = status;
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(message, &response.body, print).ok()) {
    return Api::Error(500, "could not write the response as JSON");
  }
  response.body.push_back('\n');
  return response;
}

// The HTTP status of a library error where the caller may know why.
inline int HttpStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument: return 400;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kResourceExhausted: return 409;
    case absl::StatusCode::kUnavailable: return 503;
    default: return 500;
  }
}

// api_hsds.cc: GET /organizations[/{id}], /service_at_locations[/{id}] (postcode),
// /taxonomies[/{id}], /taxonomy_terms[/{id}]; nullopt when `path` is none of them.
// `gazetteer` (may be null) places the postcode of proximity.
std::optional<HttpResponse> HsdsRead(const HttpRequest& request, std::string_view path,
                                     std::string_view query, const ServedDirectory& served,
                                     const Gazetteer* gazetteer, const ApiOptions& options);

// api_coverage.cc: POST /v1/coverage, a wegwijzer.v1.CoverageRequest ->
// CoverageResponse (TryAnalyzeCoverage, one thread, on the request's I/O thread).
// More rows than options.max_batch, or a memory estimate above kCoverageMemoryBytes:
// 413. `gazetteer` may be null (then rows must give a position).
inline constexpr int64_t kCoverageMemoryBytes = int64_t{512} << 20;
HttpResponse PostCoverage(const HttpRequest& request, const ServedDirectory& served,
                          const Gazetteer* gazetteer, const ApiOptions& options);

}  // namespace wegwijzer::server::api_internal

#endif  // WEGWIJZER_BINDINGS_SERVER_API_INTERNAL_H_
