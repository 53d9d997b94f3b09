// The match jobs and the admin reload of `wegwijzer serve` (api.h, match_jobs.h).
//
// POST /v1/match is open, as /v1/route is: it plans on the public directory and
// keeps nothing; the job id (128 random bits) is what lets its caller read the plan.
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "api.h"
#include "api_internal.h"
#include "auth.h"
#include "core/text.h"
#include "match_jobs.h"
#include "wegwijzer/gazetteer.h"
#include "wegwijzer/matcher.h"
#include "wegwijzer/request.h"
#include "wegwijzer/v1/request.pb.h"
#include "wegwijzer/v1/service.pb.h"

namespace wegwijzer::server {
namespace internal = ::wegwijzer::internal;

HttpResponse Api::PostMatch(const HttpRequest& request, const ServedDirectory& served) const {
  if (services_.jobs == nullptr) return Error(404, "this server runs no match jobs");
  v1::MatchRequest body;
  if (std::optional<HttpResponse> bad = api_internal::ParseBody(request, &body)) return *bad;
  if (body.requests_size() == 0) return Error(400, "requests: missing (a waiting list)");
  MatchOptions options;
  if (body.has_unassigned_penalty_m()) {
    if (body.unassigned_penalty_m() <= 0 || body.unassigned_penalty_m() > 1'000'000'000) {
      return Error(400, internal::Cat("unassigned_penalty_m: ", body.unassigned_penalty_m(),
                                     " is outside 1..1000000000"));
    }
    options.unassigned_penalty_m = body.unassigned_penalty_m();
  }
  if (body.has_remote_cost_m()) {
    if (body.remote_cost_m() < 0 || body.remote_cost_m() > 1'000'000) {
      return Error(400, internal::Cat("remote_cost_m: ", body.remote_cost_m(),
                                     " is outside 0..1000000"));
    }
    options.remote_cost_m = body.remote_cost_m();
  }
  if (body.has_solver()) {
    absl::StatusOr<MatchSolver> solver = ParseMatchSolver(body.solver());
    if (!solver.ok()) return Error(400, internal::Cat("solver: ", solver.status().message()));
    options.solver = *solver;
  }
  std::vector<Request> requests;
  requests.reserve(static_cast<size_t>(body.requests_size()));
  std::unordered_set<std::string> ids;
  for (int i = 0; i < body.requests_size(); ++i) {
    v1::Request& proto = *body.mutable_requests(i);
    const std::string where = internal::Cat("requests[", i, "]");
    absl::StatusOr<Request> converted = ReadRequest(&proto, where);
    if (!converted.ok()) return Error(400, std::string(converted.status().message()));
    if (!ids.insert(converted->id).second) {
      return Error(400, internal::Cat(where, ".id: '", converted->id.substr(0, 100),
                                     "' is the id of an earlier request"));
    }
    requests.push_back(*std::move(converted));
  }
  const int64_t total = static_cast<int64_t>(requests.size());
  absl::StatusOr<std::string> id =
      services_.jobs->Submit(served.directory, served.version, std::move(requests), options);
  if (!id.ok()) {
    HttpResponse response = Error(503, std::string(id.status().message()));
    response.headers.emplace_back("Retry-After", "5");
    return response;
  }
  v1::MatchJob job;
  job.set_id(*id);
  job.set_state("queued");
  job.set_total(total);
  job.set_directory_version(served.version);
  HttpResponse response = api_internal::JsonResponse(job, 202);
  response.headers.emplace_back("Location", internal::Cat("/v1/jobs/", *id));
  return response;
}

HttpResponse Api::GetJob(std::string_view id) const {
  if (services_.jobs == nullptr) return Error(404, "this server runs no match jobs");
  std::optional<std::string> json = services_.jobs->JobJson(id);
  if (!json) {
    return Error(404, internal::Cat("no job '", id.substr(0, 100),
                                   "' (unknown, or finished long enough ago to be dropped)"));
  }
  HttpResponse response;
  response.body = *std::move(json);
  return response;
}

HttpResponse Api::AdminReload(const HttpRequest& request) const {
  Principal who;
  if (std::optional<HttpResponse> refused = Authenticate(request, &who)) return *refused;
  if (who.role != Role::kAdmin) {
    return Error(403, internal::Cat("only an admin's token reloads the directory (this one is a ",
                                    RoleName(who.role), "'s)"));
  }
  if (!services_.reload) return Error(404, "this server cannot reload its directory");
  absl::StatusOr<std::string> version = services_.reload();
  if (!version.ok()) {
    return Error(500, internal::Cat("the directory was not reloaded (still serving ",
                                    Current()->version, "): ",
                                    std::string(version.status().message())));
  }
  HttpResponse response;
  response.body = internal::Cat("{\"directory_version\":\"", *version, "\"}\n");
  return response;
}

}  // namespace wegwijzer::server
