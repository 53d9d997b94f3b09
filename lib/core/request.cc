#include "wegwijzer/request.h"

#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "core/proto_codes.h"
#include "core/rules.h"
#include "core/text.h"
#include "wegwijzer/v1/request.pb.h"

namespace wegwijzer {
namespace {

absl::Status Bad(const std::string& id, std::string_view reason) {
  return absl::InvalidArgumentError(
      internal::Cat("request '", id, "': ", reason));
}

}  // namespace

LanguageSet Request::DefaultLanguages() { return internal::DefaultLanguages(); }

absl::Status Request::Validate() const {
  if (id.empty()) return absl::InvalidArgumentError("request with an empty id");
  if (!position.IsValid()) {
    return Bad(id, internal::Cat("position (", position.lat_deg, ", ", position.lon_deg,
                                ") is not finite or out of range"));
  }
  if (topics.empty()) return Bad(id, "no topics");
  if (languages.empty()) return Bad(id, "no languages");
  if (modes.empty()) return Bad(id, "no modes");
  if (!internal::kMaxKmBounds.Contains(max_km)) {
    return Bad(id, internal::Cat("max_km ", max_km, " is outside ",
                                 internal::kMaxKmBounds.ToString()));
  }
  if (!internal::kPriorityBounds.Contains(priority)) {
    return Bad(id, internal::Cat("priority ", priority, " is outside ",
                                 internal::kPriorityBounds.ToString()));
  }
  if (age && !internal::kAgeBounds.Contains(*age)) {
    return Bad(id, internal::Cat("age ", *age, " is outside ", internal::kAgeBounds.ToString()));
  }
  if (!internal::kWithinDaysBounds.Contains(within_days)) {
    return Bad(id, internal::Cat("within_days ", within_days, " is outside ",
                                 internal::kWithinDaysBounds.ToString()));
  }
  if (at && !internal::AtInRange(*at)) {
    return Bad(id, internal::Cat("at ", *at, " (Unix seconds) is outside ",
                                 internal::kAtRangeText));
  }
  if (!internal::HasTimeForWindow(at.has_value(), within_days)) {
    return Bad(id, "within_days is given without at (within days of when?)");
  }
  return absl::OkStatus();
}

absl::StatusOr<Request> Request::FromProto(const v1::Request& proto) {
  Request r;
  r.id = proto.id();
  if (!proto.has_position()) return Bad(r.id, "no position");
  r.position = {proto.position().lat_deg(), proto.position().lon_deg()};
  for (int t : proto.topics()) {
    auto topic = internal::FromProtoEnum<Topic, kTopicCount>(t);
    if (!topic) return Bad(r.id, internal::Cat("unknown topic value ", t));
    r.topics.Add(*topic);
  }
  if (proto.languages_size() > 0) {
    r.languages = LanguageSet();
    for (const std::string& code : proto.languages()) {
      auto language = Language::FromCode(code);
      if (!language) return Bad(r.id, internal::Cat("unknown language code '", code, "'"));
      r.languages.Add(*language);
    }
  }
  if (proto.modes_size() > 0) {
    r.modes = ModeSet();
    for (int m : proto.modes()) {
      auto mode = internal::FromProtoEnum<Mode, kModeCount>(m);
      if (!mode) return Bad(r.id, internal::Cat("unknown mode value ", m));
      r.modes.Add(*mode);
    }
  }
  for (int a : proto.access()) {
    auto access = internal::FromProtoEnum<Access, kAccessCount>(a);
    if (!access) return Bad(r.id, internal::Cat("unknown access value ", a));
    r.access.Add(*access);
  }
  if (proto.has_max_km()) r.max_km = proto.max_km();
  r.priority = proto.priority();
  r.municipality = proto.municipality();
  r.postcode = proto.postcode();
  if (proto.has_age()) r.age = proto.age();
  if (proto.has_can_pay()) r.can_pay = proto.can_pay();
  if (proto.has_at_unix_seconds()) r.at = proto.at_unix_seconds();
  r.within_days = proto.within_days();
  if (absl::Status s = r.Validate(); !s.ok()) return s;
  return r;
}

void Request::ToProto(v1::Request* proto) const {
  proto->Clear();
  proto->set_id(id);
  proto->mutable_position()->set_lat_deg(position.lat_deg);
  proto->mutable_position()->set_lon_deg(position.lon_deg);
  internal::AppendSet<Topic, kTopicCount>(topics, proto->mutable_topics());
  for (std::string_view code : languages.codes()) proto->add_languages(std::string(code));
  internal::AppendSet<Mode, kModeCount>(modes, proto->mutable_modes());
  internal::AppendSet<Access, kAccessCount>(access, proto->mutable_access());
  proto->set_max_km(max_km);
  proto->set_priority(priority);
  proto->set_municipality(municipality);
  proto->set_postcode(postcode);
  if (age) proto->set_age(*age);
  if (!can_pay) proto->set_can_pay(false);
  if (at) proto->set_at_unix_seconds(*at);
  if (within_days != 0) proto->set_within_days(within_days);
}

absl::Status ValidateUniqueIds(std::span<const Request> requests) {
  absl::flat_hash_map<absl::string_view, size_t> first;
  first.reserve(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    auto [it, inserted] = first.emplace(internal::ToAbsl(requests[i].id), i);
    if (!inserted) {
      return absl::InvalidArgumentError(internal::Cat("request id '", requests[i].id,
                                                      "' is used twice (positions ",
                                                      it->second, " and ", i, ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace wegwijzer
