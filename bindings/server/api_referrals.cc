// The referral endpoints of `wegwijzer serve` (api.h, README "Server"): the
// library's ReferralStore behind bearer tokens (auth.h).
//
// What a caller learns is bounded by its token: a referral that does not exist and
// one of another party answer the same 403 (same status, headers and body), so a
// provider cannot probe for its competitors' referrals; only an admin's token sees
// a 404. Bodies are checked before the referral is looked up, so a 400 says
// nothing about it either.
#include <string>
#include <string_view>
#include <vector>

#include "api.h"
#include "api_internal.h"
#include "auth.h"
#include "core/text.h"
#include "wegwijzer/gazetteer.h"
#include "wegwijzer/referral.h"
#include "wegwijzer/referral_store.h"
#include "wegwijzer/request.h"
#include "wegwijzer/router.h"
#include "wegwijzer/v1/referral.pb.h"
#include "wegwijzer/v1/request.pb.h"
#include "wegwijzer/v1/service.pb.h"

namespace wegwijzer::server {
namespace internal = ::wegwijzer::internal;
namespace {

using api_internal::HttpStatus;
using api_internal::JsonResponse;
using api_internal::ParseBody;

constexpr int kMaxExcluded = 1000;

HttpResponse MethodNotAllowed(std::string_view allow) {
  HttpResponse response = Api::Error(405, internal::Cat("method not allowed; use ", allow));
  response.headers.emplace_back("Allow", std::string(allow));
  return response;
}

// The one answer for "no such referral" and "not yours".
HttpResponse Hidden(std::string_view id) {
  return Api::Error(403, internal::Cat("this token may not see referral '", id.substr(0, 200),
                                      "', or there is no such referral"));
}

// Whether `who` is a party of `record` (or an admin).
bool MaySee(const Principal& who, const ReferralRecord& record) {
  switch (who.role) {
    case Role::kAdmin: return true;
    case Role::kDesk: return record.referral.desk_id == who.organisation;
    case Role::kProvider: return record.referral.provider_id == who.organisation;
  }
  return false;
}

HttpResponse StoreError(const absl::Status& status) {
  HttpResponse response = Api::Error(HttpStatus(status), std::string(status.message()));
  if (response.status == 503) response.headers.emplace_back("Retry-After", "1");
  return response;
}

}  // namespace

std::optional<HttpResponse> Api::Authenticate(const HttpRequest& request, Principal* who) const {
  const std::optional<std::string_view> token = BearerToken(request.authorization);
  std::optional<Principal> found;
  if (token && services_.tokens != nullptr) found = services_.tokens->Find(*token);
  if (found) {
    *who = *std::move(found);
    return std::nullopt;
  }
  HttpResponse response = Error(401, token ? "the bearer token is not known to this server"
                                           : "this endpoint needs 'Authorization: Bearer TOKEN'");
  response.headers.emplace_back("WWW-Authenticate",
                                token ? "Bearer realm=\"wegwijzer\", error=\"invalid_token\""
                                      : "Bearer realm=\"wegwijzer\"");
  return response;
}

HttpResponse Api::Referrals(const HttpRequest& request, std::string_view rest,
                            std::string_view query, const ServedDirectory& served) const {
  const bool collection = rest.empty();
  std::string_view id;
  if (!collection) {
    id = rest.substr(1);  // after the '/'
    if (id.empty() || id.find('/') != std::string_view::npos) {
      return Error(404, "no such path (see /v1/referrals, /v1/referrals/{id})");
    }
  }
  const std::string_view method = request.method;
  if (collection && method != "GET" && method != "POST") return MethodNotAllowed("GET, POST");
  if (!collection && method != "GET" && method != "PATCH") return MethodNotAllowed("GET, PATCH");
  if (services_.store == nullptr) {
    return Error(404, "this server keeps no referrals (start it with --store and --tokens)");
  }
  Principal who;
  if (std::optional<HttpResponse> refused = Authenticate(request, &who)) return *refused;
  ReferralStore& store = *services_.store;
  std::string decoded_id;
  if (!collection) {
    absl::StatusOr<std::string> decoded = DecodeQueryComponent(id);
    if (!decoded.ok()) {
      return Error(400, internal::Cat("referral id: ", std::string(decoded.status().message())));
    }
    decoded_id = *std::move(decoded);
  }

  if (collection && method == "GET") {
    absl::StatusOr<std::vector<std::pair<std::string, std::string>>> parameters =
        ParseQuery(query);
    if (!parameters.ok()) return Error(400, std::string(parameters.status().message()));
    std::string provider, desk;
    for (const auto& [name, value] : *parameters) {
      if (name == "provider") {
        provider = value;
      } else if (name == "desk") {
        desk = value;
      } else {
        return Error(400, internal::Cat("unknown parameter '", name.substr(0, 100),
                                       "' (known: provider, desk)"));
      }
    }
    if (provider.empty() == desk.empty()) {
      return Error(400, "provider, desk: give one (GET /v1/referrals?provider=ID or ?desk=ID)");
    }
    if ((who.role == Role::kProvider && (provider.empty() || provider != who.organisation)) ||
        (who.role == Role::kDesk && (desk.empty() || desk != who.organisation))) {
      return Error(403, internal::Cat("a ", RoleName(who.role), "'s token lists only its own "
                                      "referrals (?", RoleName(who.role), "=",
                                      who.organisation, ")"));
    }
    absl::StatusOr<std::vector<ReferralRecord>> open =
        provider.empty() ? store.OpenOfDesk(desk) : store.OpenOfProvider(provider);
    if (!open.ok()) return StoreError(open.status());
    v1::ReferralList list;
    for (const ReferralRecord& record : *open) ToProto(record, list.add_referrals());
    return JsonResponse(list);
  }

  if (collection) {  // POST: a desk refers a request
    v1::CreateReferralRequest body;
    if (std::optional<HttpResponse> bad = ParseBody(request, &body)) return *bad;
    if (who.role != Role::kDesk) {
      return Error(403, internal::Cat("only a desk's token makes referrals (this one is a ",
                                      RoleName(who.role), "'s)"));
    }
    if (!body.has_request()) return Error(400, "request: missing");
    if (body.exclude_provider_ids_size() > kMaxExcluded) {
      return Error(400, internal::Cat("exclude_provider_ids: more than ", kMaxExcluded));
    }
    v1::Request* proto = body.mutable_request();
    if (gazetteer_ != nullptr) {
      if (absl::Status s = gazetteer_->Resolve(proto); !s.ok()) {
        return Error(400, internal::Cat("request: ", std::string(s.message())));
      }
    } else if (!proto->has_position() && !proto->postcode().empty()) {
      return Error(400,
                   "request.postcode: this server has no postcode table (start it with "
                   "--municipalities and --postcodes); give a position");
    }
    absl::StatusOr<Request> converted = Request::FromProto(*proto);
    if (!converted.ok()) {
      return Error(400, internal::Cat("request: ", std::string(converted.status().message())));
    }
    const std::vector<std::string> excluded(body.exclude_provider_ids().begin(),
                                            body.exclude_provider_ids().end());
    const Router router(served.directory);
    absl::StatusOr<ReferralRecord> made =
        ReferRequest(store, router, *converted, who.organisation, excluded);
    if (!made.ok()) {
      // Nothing suits: a result about the request (422), not a missing resource.
      if (made.status().code() == absl::StatusCode::kNotFound) {
        return Error(422, std::string(made.status().message()));
      }
      return StoreError(made.status());
    }
    v1::ReferralRecord out;
    ToProto(*made, &out);
    HttpResponse response = JsonResponse(out, 201);
    response.headers.emplace_back("Location", internal::Cat("/v1/referrals/", made->referral.id));
    return response;
  }

  if (method == "GET") {
    absl::StatusOr<ReferralRecord> record = store.Get(decoded_id);
    if (!record.ok()) {
      if (record.status().code() != absl::StatusCode::kNotFound) {
        return StoreError(record.status());
      }
      if (who.role == Role::kAdmin) return Error(404, std::string(record.status().message()));
      return Hidden(decoded_id);
    }
    if (!MaySee(who, *record)) return Hidden(decoded_id);
    v1::ReferralRecord out;
    ToProto(*record, &out);
    return JsonResponse(out);
  }

  // PATCH: the token's party moves the referral on.
  v1::UpdateReferralRequest body;
  if (std::optional<HttpResponse> bad = ParseBody(request, &body)) return *bad;
  const std::optional<ReferralStatus> to = ParseReferralStatus(body.status());
  if (!to) {
    return Error(400, internal::Cat("status: '", body.status().substr(0, 40),
                                   "' is not a FHIR Task status of the lifecycle (requested, "
                                   "accepted, rejected, in-progress, on-hold, completed, "
                                   "failed, cancelled, entered-in-error)"));
  }
  const std::optional<ReasonCode> code =
      body.reason().code().empty() ? ReasonCode::kNone : ParseReasonCode(body.reason().code());
  if (!code) {
    return Error(400, internal::Cat("reason.code: '", body.reason().code().substr(0, 40),
                                   "' is not a reason code (no-capacity, not-eligible, "
                                   "couldnt-contact, no-longer-interested, "
                                   "referred-elsewhere, needs-client-action, other)"));
  }
  if (who.role == Role::kAdmin) {
    return Error(403, "an admin's token reads referrals but does not move them on");
  }
  absl::StatusOr<ReferralRecord> record = store.Get(decoded_id);
  if (!record.ok()) {
    if (record.status().code() == absl::StatusCode::kNotFound) return Hidden(decoded_id);
    return StoreError(record.status());
  }
  if (!MaySee(who, *record)) return Hidden(decoded_id);
  absl::StatusOr<ReferralEvent> event = store.Apply(
      {.referral_id = decoded_id,
       .to = *to,
       .actor = who.role == Role::kDesk ? ReferralActor::kReferringDesk
                                        : ReferralActor::kReceivingProvider,
       .actor_id = who.organisation,
       .reason = {.code = *code, .text = body.reason().text()}});
  if (!event.ok()) {
    // The parties were checked above; the library checks them again (race-free: a
    // referral's parties never change), and still tells nothing more.
    if (event.status().code() == absl::StatusCode::kPermissionDenied ||
        event.status().code() == absl::StatusCode::kNotFound) {
      return Hidden(decoded_id);
    }
    return StoreError(event.status());
  }
  v1::UpdateReferralResponse out;
  ToProto(*event, out.mutable_event());
  if (*to == ReferralStatus::kRejected &&
      (*code == ReasonCode::kNoCapacity || *code == ReasonCode::kNotEligible)) {
    const Router router(served.directory);
    absl::StatusOr<ReferralRecord> next = ReferNext(store, router, decoded_id);
    // The next referral is the desk's, to another provider: the rejecting provider is
    // told nothing of it (the desk lists it with ?desk=).
    if (next.ok() && MaySee(who, *next)) {
      ToProto(*next, out.mutable_next());
    } else if (!next.ok() && who.role == Role::kDesk) {
      out.set_next_error(std::string(next.status().message()));
    }
  }
  return JsonResponse(out);
}

}  // namespace wegwijzer::server
