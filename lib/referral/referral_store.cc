// The backend-independent part of the referral store: the fold, the outcomes CSV,
// and referring (again) through the router.
#include "wegwijzer/referral_store.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>
#include <vector>

#include "core/proto_codes.h"
#include "core/text.h"
#include "wegwijzer/v1/referral.pb.h"

namespace wegwijzer {

using internal::Cat;

absl::StatusOr<ReferralStatus> FoldReferralEvents(std::span<const ReferralEvent> events) {
  if (events.empty()) return absl::DataLossError("referral log: a referral without events");
  const ReferralEvent& first = events.front();
  if (first.from.has_value()) {
    return absl::DataLossError(Cat("referral log: event ", first.sequence, " of referral ",
                                   first.referral_id, " comes first but is not a creation"));
  }
  if (absl::Status s = CheckCreation(first.to, first.actor); !s.ok()) {
    return absl::DataLossError(Cat("referral log: event ", first.sequence, " of referral ",
                                   first.referral_id, ": ", std::string(s.message())));
  }
  ReferralStatus state = first.to;
  for (size_t i = 1; i < events.size(); ++i) {
    const ReferralEvent& e = events[i];
    if (e.sequence <= events[i - 1].sequence || !e.from.has_value() || *e.from != state) {
      return absl::DataLossError(Cat("referral log: event ", e.sequence, " of referral ",
                                     e.referral_id, " does not start where the referral was (",
                                     ReferralStatusCode(state), ")"));
    }
    if (absl::Status s = CheckTransition(*e.from, e.to, e.actor, e.reason); !s.ok()) {
      return absl::DataLossError(Cat("referral log: event ", e.sequence, " of referral ",
                                     e.referral_id, ": ", std::string(s.message())));
    }
    state = e.to;
  }
  return state;
}

namespace {

void AppendCsvField(std::string* out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(field);
    return;
  }
  out->push_back('"');
  for (char c : field) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

std::string Days(const std::optional<double>& days) {
  if (!days) return "";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", *days);
  return buffer;
}

}  // namespace

std::string OutcomesCsv(std::span<const OutcomeRow> rows) {
  std::string out =
      "provider_id,topic,postcode_area,month,referrals,open,completed,failed,rejected,"
      "rejected_no_capacity,rejected_not_eligible,rejected_other,cancelled,expired,"
      "entered_in_error,mean_days_to_answer,mean_days_to_start,mean_days_to_complete\n";
  for (const OutcomeRow& r : rows) {
    AppendCsvField(&out, r.provider_id);
    out.push_back(',');
    AppendCsvField(&out, r.topic);
    out.push_back(',');
    AppendCsvField(&out, r.postcode_area);
    out.push_back(',');
    AppendCsvField(&out, r.month);
    internal::Append(&out, ",", r.referrals, ",", r.open, ",", r.completed, ",", r.failed, ",",
                     r.rejected, ",", r.rejected_no_capacity, ",", r.rejected_not_eligible, ",",
                     r.rejected_other, ",", r.cancelled, ",", r.expired, ",",
                     r.entered_in_error, ",", Days(r.mean_days_to_answer), ",",
                     Days(r.mean_days_to_start), ",", Days(r.mean_days_to_complete), "\n");
  }
  return out;
}

void ToProto(const ReferralEvent& e, v1::ReferralEvent* proto) {
  proto->Clear();
  proto->set_sequence(e.sequence);
  proto->set_referral_id(e.referral_id);
  proto->set_at_unix_ms(absl::ToUnixMillis(e.at));
  proto->set_actor(std::string(ReferralActorCode(e.actor)));
  proto->set_actor_id(e.actor_id);
  if (e.from) proto->set_from_status(std::string(ReferralStatusCode(*e.from)));
  proto->set_to_status(std::string(ReferralStatusCode(e.to)));
  proto->mutable_reason()->set_code(std::string(ReasonCodeName(e.reason.code)));
  proto->mutable_reason()->set_text(e.reason.text);
}

void ToProto(const ReferralRecord& r, v1::ReferralRecord* proto) {
  proto->Clear();
  const NewReferral& n = r.referral;
  proto->set_id(n.id);
  proto->set_request_id(n.request_id);
  proto->set_provider_id(n.provider_id);
  proto->set_location_id(n.location_id);
  proto->set_desk_id(n.desk_id);
  internal::AppendSet<Topic, kTopicCount>(n.topics, proto->mutable_topics());
  proto->set_postcode_area(n.postcode_area);
  proto->set_municipality(n.municipality);
  proto->set_mode(static_cast<v1::Mode>(internal::ToProtoEnum(n.mode)));
  proto->set_previous_id(n.previous_id);
  if (n.request) n.request->ToProto(proto->mutable_request());
  if (n.at) proto->set_created_unix_ms(absl::ToUnixMillis(*n.at));
  proto->set_status(std::string(ReferralStatusCode(r.status)));
  proto->set_updated_unix_ms(absl::ToUnixMillis(r.updated));
  proto->mutable_last_reason()->set_code(std::string(ReasonCodeName(r.last_reason.code)));
  proto->mutable_last_reason()->set_text(r.last_reason.text);
  for (const ReferralEvent& e : r.history) ToProto(e, proto->add_history());
}

bool IsPostgresLocation(std::string_view location) {
  return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

absl::StatusOr<std::unique_ptr<ReferralStore>> OpenReferralStore(
    const std::string& location, const ReferralStoreOptions& options) {
  if (IsPostgresLocation(location)) return OpenPostgresStore(location, options);
  return OpenSqliteStore(location, options);
}

std::string PostcodeArea(const Request& request) {
  const std::string& p = request.postcode;
  if (p.size() < 4) return "";
  for (int i = 0; i < 4; ++i)
    if (!std::isdigit(static_cast<unsigned char>(p[i]))) return "";
  return p.substr(0, 4);
}

absl::StatusOr<ReferralRecord> ReferRequest(ReferralStore& store, const Router& router,
                                            const Request& request, std::string_view desk_id,
                                            std::span<const std::string> excluded,
                                            std::optional<absl::Time> at,
                                            std::string_view previous_id) {
  const Directory& directory = router.directory();
  std::vector<ProviderIndex> tried;  // Providers already asked (several locations).
  bool any_suitable = false;
  // Route order, widening k until a provider with room is found or the router has
  // no more referrals: the next referral after the excluded and the full ones.
  for (int k = static_cast<int>(std::min<size_t>(excluded.size() + 8, 1 << 20));;
       k = k * 4) {
    RouteOptions options;
    options.k = k;
    options.explain_no_match = false;
    const RouteResult result = router.Route(request, options);
    for (const Referral& referral : result.referrals) {
      const ProviderInfo& provider = directory.provider(referral.provider);
      if (std::find(excluded.begin(), excluded.end(), provider.id) != excluded.end()) continue;
      any_suitable = true;
      if (std::find(tried.begin(), tried.end(), referral.provider) != tried.end()) continue;
      tried.push_back(referral.provider);
      NewReferral made;
      made.request_id = request.id;
      made.provider_id = provider.id;
      if (referral.location.has_value()) {
        made.location_id = provider.locations[referral.location.value()].id;
      }
      made.desk_id = std::string(desk_id);
      made.topics = request.topics;
      made.postcode_area = PostcodeArea(request);
      made.municipality = request.municipality;
      made.mode = referral.mode;
      made.request = request;
      made.previous_id = std::string(previous_id);
      made.at = at;
      absl::StatusOr<ReferralRecord> record = store.Create(made);
      if (record.ok() || record.status().code() != absl::StatusCode::kResourceExhausted)
        return record;
    }
    if (static_cast<int>(result.referrals.size()) < k || k >= (1 << 28)) break;
  }
  if (!any_suitable) {
    return absl::NotFoundError(Cat("request ", request.id, ": no ",
                                   excluded.empty() ? "" : "other ", "provider suits it"));
  }
  return absl::ResourceExhaustedError(
      Cat("request ", request.id, ": every suitable provider is full (", tried.size(),
          " tried)"));
}

absl::StatusOr<ReferralRecord> ReferNext(ReferralStore& store, const Router& router,
                                         std::string_view rejected_id,
                                         std::optional<absl::Time> at) {
  absl::StatusOr<ReferralRecord> rejected = store.Get(rejected_id);
  if (!rejected.ok()) return rejected.status();
  const ReasonCode reason = rejected->last_reason.code;
  if (rejected->status != ReferralStatus::kRejected ||
      (reason != ReasonCode::kNoCapacity && reason != ReasonCode::kNotEligible)) {
    return absl::FailedPreconditionError(
        Cat("referral ", rejected_id, " is ", ReferralStatusCode(rejected->status),
            rejected->status == ReferralStatus::kRejected
                ? Cat(" with reason ", ReasonCodeName(reason))
                : std::string(),
            ": only a rejection for no-capacity or not-eligible is routed again"));
  }
  if (!rejected->referral.request.has_value()) {
    return absl::FailedPreconditionError(
        Cat("referral ", rejected_id, " keeps no request to route again"));
  }
  // Every provider this request was already referred to, along the chain.
  std::vector<std::string> excluded = {rejected->referral.provider_id};
  std::string previous = rejected->referral.previous_id;
  for (int guard = 0; !previous.empty() && guard < 100000; ++guard) {
    absl::StatusOr<ReferralRecord> earlier = store.Get(previous);
    if (!earlier.ok()) return earlier.status();
    excluded.push_back(earlier->referral.provider_id);
    previous = earlier->referral.previous_id;
  }
  return ReferRequest(store, router, *rejected->referral.request, rejected->referral.desk_id,
                      excluded, at, rejected_id);
}

}  // namespace wegwijzer
