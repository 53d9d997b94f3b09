// POST /v1/coverage (api.h): a demand list analysed by the library's
// TryAnalyzeCoverage. It runs on the I/O thread of the request, single-threaded,
// and is bounded instead of queued: more rows than ApiOptions::max_batch, or an
// analysis whose memory estimate exceeds kCoverageMemoryBytes, is a 413.
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "api.h"
#include "api_internal.h"
#include "core/text.h"
#include "wegwijzer/coverage.h"
#include "wegwijzer/gazetteer.h"
#include "wegwijzer/request.h"
#include "wegwijzer/v1/request.pb.h"
#include "wegwijzer/v1/service.pb.h"

namespace wegwijzer::server::api_internal {

namespace internal = ::wegwijzer::internal;

HttpResponse PostCoverage(const HttpRequest& request, const ServedDirectory& served,
                          const Gazetteer* gazetteer, const ApiOptions& options) {
  v1::CoverageRequest body;
  if (std::optional<HttpResponse> bad = ParseBody(request, &body)) return *bad;
  if (body.requests_size() == 0) return Api::Error(400, "requests: missing (a demand list)");
  if (body.requests_size() > options.max_batch) {
    return Api::Error(413, internal::Cat("requests: ", body.requests_size(),
                                         " rows is more than this server's limit of ",
                                         options.max_batch, "; use the coverage command"));
  }
  if (body.counts_size() != 0 && body.counts_size() != body.requests_size()) {
    return Api::Error(400, internal::Cat("counts: ", body.counts_size(), " counts for ",
                                         body.requests_size(),
                                         " requests; give one per request, or none"));
  }
  CoverageOptions coverage;
  coverage.threads = 1;
  coverage.match.max_memory_bytes = kCoverageMemoryBytes;
  if (body.has_unassigned_penalty_m()) {
    if (body.unassigned_penalty_m() <= 0 || body.unassigned_penalty_m() > 1'000'000'000) {
      return Api::Error(400, internal::Cat("unassigned_penalty_m: ", body.unassigned_penalty_m(),
                                           " is outside 1..1000000000"));
    }
    coverage.match.unassigned_penalty_m = body.unassigned_penalty_m();
  }
  if (body.has_remote_cost_m()) {
    if (body.remote_cost_m() < 0 || body.remote_cost_m() > 1'000'000) {
      return Api::Error(400, internal::Cat("remote_cost_m: ", body.remote_cost_m(),
                                           " is outside 0..1000000"));
    }
    coverage.match.remote_cost_m = body.remote_cost_m();
  }
  std::vector<Request> requests;
  std::vector<int64_t> counts;
  requests.reserve(static_cast<size_t>(body.requests_size()));
  counts.reserve(static_cast<size_t>(body.requests_size()));
  std::unordered_set<std::string> ids;
  for (int i = 0; i < body.requests_size(); ++i) {
    v1::Request& proto = *body.mutable_requests(i);
    const std::string where = internal::Cat("requests[", i, "]");
    if (gazetteer != nullptr) {
      if (absl::Status s = gazetteer->Resolve(&proto); !s.ok()) {
        return Api::Error(400, internal::Cat(where, ": ", std::string(s.message())));
      }
    } else if (!proto.has_position() && !proto.postcode().empty()) {
      return Api::Error(400, internal::Cat(where,
                                           ".postcode: this server has no postcode table (start it "
                                           "with --municipalities and --postcodes); give a position"));
    }
    absl::StatusOr<Request> converted = Request::FromProto(proto);
    if (!converted.ok()) {
      return Api::Error(400, internal::Cat(where, ": ", std::string(converted.status().message())));
    }
    if (!ids.insert(converted->id).second) {
      return Api::Error(400, internal::Cat(where, ".id: '", converted->id.substr(0, 100),
                                           "' is the id of an earlier request"));
    }
    const int64_t count = body.counts_size() == 0 ? 1 : body.counts(i);
    if (count < 0 || count > 1'000'000'000) {
      return Api::Error(400, internal::Cat("counts[", i, "]: ", count, " is outside 0..1000000000"));
    }
    requests.push_back(*std::move(converted));
    counts.push_back(count);
  }
  absl::StatusOr<CoverageAnalysis> analysis =
      TryAnalyzeCoverage(served.directory, {requests, counts}, coverage);
  if (!analysis.ok()) {
    const int status =
        analysis.status().code() == absl::StatusCode::kResourceExhausted ? 413 : HttpStatus(analysis.status());
    return Api::Error(status, std::string(analysis.status().message()));
  }
  v1::CoverageResponse answer;
  answer.set_directory_version(served.version);
  answer.set_demand(analysis->demand);
  answer.set_in_person(analysis->in_person);
  answer.set_home_visit(analysis->home_visit);
  answer.set_remote(analysis->remote);
  answer.set_none(analysis->none);
  answer.set_assigned_physically(analysis->assigned_physically);
  answer.set_coverage_csv(FormatCoverageCsv(*analysis));
  answer.set_matched_csv(FormatMatchedCsv(*analysis));
  answer.set_areas_csv(FormatAreasCsv(*analysis));
  return JsonResponse(answer);
}

}  // namespace wegwijzer::server::api_internal
