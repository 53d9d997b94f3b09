#include "referral/log_scan.h"

#include <utility>

#include "core/text.h"
#include "wegwijzer/codes.h"

namespace wegwijzer::internal {

PeriodBounds PeriodOf(CapacityPeriod period, int64_t at_ms) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::Time at = absl::FromUnixMillis(at_ms);
  absl::Time start, end;
  switch (period) {
    case CapacityPeriod::kMonth: {
      const absl::CivilMonth month = absl::ToCivilMonth(at, utc);
      start = absl::FromCivil(month, utc);
      end = absl::FromCivil(month + 1, utc);
      break;
    }
    case CapacityPeriod::kWeek: {
      const absl::CivilDay day = absl::ToCivilDay(at, utc);
      // absl::Weekday counts from Monday = 0: the ISO week's first day.
      const absl::CivilDay monday = day - static_cast<int>(absl::GetWeekday(day));
      start = absl::FromCivil(monday, utc);
      end = absl::FromCivil(monday + 7, utc);
      break;
    }
    case CapacityPeriod::kDay:
    case CapacityPeriod::kReferral: {
      const absl::CivilDay day = absl::ToCivilDay(at, utc);
      start = absl::FromCivil(day, utc);
      end = absl::FromCivil(day + 1, utc);
      break;
    }
  }
  return {absl::ToUnixMillis(start), absl::ToUnixMillis(end)};
}

void OutcomeTally::Add(const LoggedReferral& meta, const std::vector<ReferralEvent>& events) {
  if (events.empty()) return;
  const absl::Time created = absl::FromUnixMillis(meta.created_ms);
  const std::string month = absl::FormatTime("%Y-%m", created, absl::UTCTimeZone());
  std::optional<absl::Time> requested, accepted, started;
  std::optional<double> answer, start, complete;
  for (const ReferralEvent& e : events) {
    switch (e.to) {
      case ReferralStatus::kRequested: requested = e.at; break;
      case ReferralStatus::kAccepted:
      case ReferralStatus::kRejected:
        if (requested && !answer) answer = absl::ToDoubleHours(e.at - *requested) / 24;
        if (e.to == ReferralStatus::kAccepted) accepted = e.at;
        break;
      case ReferralStatus::kInProgress:
        if (accepted && !start) start = absl::ToDoubleHours(e.at - *accepted) / 24;
        if (!started) started = e.at;
        break;
      case ReferralStatus::kCompleted:
        if (started) complete = absl::ToDoubleHours(e.at - *started) / 24;
        break;
      default: break;
    }
  }
  const ReferralEvent& last = events.back();
  std::vector<std::string> topics;
  for (std::string_view code : SplitCodes(meta.topics)) topics.emplace_back(code);
  if (topics.empty()) topics.emplace_back("");
  for (const std::string& topic : topics) {
    Sums& g = groups_[{meta.provider_id, topic, meta.postcode_area, month}];
    OutcomeRow& r = g.row;
    ++r.referrals;
    switch (last.to) {
      case ReferralStatus::kCompleted: ++r.completed; break;
      case ReferralStatus::kFailed: ++r.failed; break;
      case ReferralStatus::kRejected:
        ++r.rejected;
        if (last.reason.code == ReasonCode::kNoCapacity) ++r.rejected_no_capacity;
        else if (last.reason.code == ReasonCode::kNotEligible) ++r.rejected_not_eligible;
        else ++r.rejected_other;
        break;
      case ReferralStatus::kCancelled:
        ++r.cancelled;
        if (last.reason.code == ReasonCode::kExpired) ++r.expired;
        break;
      case ReferralStatus::kEnteredInError: ++r.entered_in_error; break;
      default: ++r.open; break;
    }
    if (last.to == ReferralStatus::kEnteredInError) continue;  // Mistakes time nothing.
    if (answer) g.answer_days += *answer, ++g.answers;
    if (start) g.start_days += *start, ++g.starts;
    if (complete) g.complete_days += *complete, ++g.completions;
  }
}

std::vector<OutcomeRow> OutcomeTally::Rows() && {
  std::vector<OutcomeRow> rows;
  rows.reserve(groups_.size());
  for (auto& [key, g] : groups_) {
    OutcomeRow r = std::move(g.row);
    std::tie(r.provider_id, r.topic, r.postcode_area, r.month) = key;
    if (g.answers > 0) r.mean_days_to_answer = g.answer_days / g.answers;
    if (g.starts > 0) r.mean_days_to_start = g.start_days / g.starts;
    if (g.completions > 0) r.mean_days_to_complete = g.complete_days / g.completions;
    rows.push_back(std::move(r));
  }
  return rows;
}

absl::Status LogCheck::Add(const LoggedReferral& meta, const std::vector<ReferralEvent>& events) {
  absl::StatusOr<ReferralStatus> state = FoldReferralEvents(events);
  if (!state.ok()) return state.status();
  folded_[meta.row] = {*state, events.back().sequence};
  if (HoldsSlot(*state)) ++active_[meta.provider_id];
  return absl::OkStatus();
}

absl::Status LogCheck::CheckState(int64_t row, const std::string& referral_id,
                                  const std::string& status, int64_t last_seq) {
  auto it = folded_.find(row);
  if (it == folded_.end())
    return absl::DataLossError(Cat("referral ", referral_id, " has a state but no events"));
  if (ReferralStatusCode(it->second.first) != status || it->second.second != last_seq) {
    return absl::DataLossError(Cat("referral ", referral_id, ": kept state ", status,
                                   " at event ", last_seq, ", the log folds to ",
                                   ReferralStatusCode(it->second.first), " at event ",
                                   it->second.second));
  }
  return absl::OkStatus();
}

absl::Status LogCheck::CheckStateCount(int64_t states) const {
  if (states != static_cast<int64_t>(folded_.size()))
    return absl::DataLossError(
        Cat("the log has ", folded_.size(), " referrals, the state table ", states));
  return absl::OkStatus();
}

absl::Status LogCheck::CheckProvider(const std::string& id, std::optional<int64_t> capacity,
                                     int64_t active) {
  auto it = active_.find(id);
  const int64_t expected = it == active_.end() ? 0 : it->second;
  if (it != active_.end()) ++providers_counted_;
  if (active != expected) {
    return absl::DataLossError(
        Cat("provider ", id, ": ", active, " active kept, ", expected, " in the log"));
  }
  if (capacity && expected > *capacity) {
    return absl::DataLossError(Cat("provider ", id, " is over capacity: ", expected,
                                   " active, capacity ", *capacity));
  }
  return absl::OkStatus();
}

absl::Status LogCheck::CheckProviderCount() const {
  if (providers_counted_ != static_cast<int64_t>(active_.size()))
    return absl::DataLossError("the log has active referrals at a provider with no record");
  return absl::OkStatus();
}

absl::StatusOr<std::string> CheckEventParties(const ReferralTransition& t,
                                              std::string_view provider_id,
                                              std::string_view desk_id, int64_t last_ms,
                                              int64_t at_ms) {
  if (at_ms < last_ms) {
    return absl::InvalidArgumentError(
        Cat("referral ", t.referral_id, ": the event's time ", at_ms,
            " ms is before the referral's last event (", last_ms, " ms); events are in time order"));
  }
  switch (t.actor) {
    case ReferralActor::kReferringDesk:
      if (t.actor_id.empty()) return std::string(desk_id);
      if (t.actor_id != desk_id) {
        return absl::PermissionDeniedError(Cat("referral ", t.referral_id, ": desk ", t.actor_id,
                                               " may act only on its own referrals"));
      }
      return t.actor_id;
    case ReferralActor::kReceivingProvider:
      if (t.actor_id.empty()) return std::string(provider_id);
      if (t.actor_id != provider_id) {
        return absl::PermissionDeniedError(Cat("referral ", t.referral_id, ": provider ",
                                               t.actor_id,
                                               " may act only on referrals addressed to it"));
      }
      return t.actor_id;
    case ReferralActor::kSystem:
      break;
  }
  return t.actor_id.empty() ? std::string("system") : t.actor_id;
}

}  // namespace wegwijzer::internal
