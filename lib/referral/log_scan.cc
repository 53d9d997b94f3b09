#include "referral/log_scan.h"

#include <utility>

#include "absl/time/time.h"
#include "core/text.h"
#include "wegwijzer/codes.h"
#include "wegwijzer/referral.h"

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

absl::Status SetEachCapacity(
    const Directory& directory,
    absl::FunctionRef<absl::Status(std::string_view, std::optional<int64_t>, CapacityPeriod)>
        set) {
  for (size_t p = 0; p < directory.size(); ++p) {
    const ProviderInfo& info = directory.provider(ProviderIndex(p));
    if (absl::Status s = set(info.id, info.capacity, info.capacity_period); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status CommitBatch(const ReferralBatch& batch,
                         absl::FunctionRef<absl::StatusOr<ReferralRecord>(const NewReferral&)> create,
                         absl::FunctionRef<absl::StatusOr<ReferralEvent>(const ReferralTransition&)> apply,
                         std::vector<ReferralEvent>* events) {
  auto annotate = [](const absl::Status& s, const std::string& where) {
    return absl::Status(s.code(), Cat(where, ": ", std::string(s.message())));
  };
  for (size_t i = 0; i < batch.creations.size(); ++i) {
    absl::StatusOr<ReferralRecord> made = create(batch.creations[i]);
    if (!made.ok()) return annotate(made.status(), Cat("batch creation ", i));
    events->push_back(made->history.back());
  }
  for (size_t i = 0; i < batch.transitions.size(); ++i) {
    absl::StatusOr<ReferralEvent> e = apply(batch.transitions[i]);
    if (!e.ok()) return annotate(e.status(), Cat("batch transition ", i));
    events->push_back(*std::move(e));
  }
  return absl::OkStatus();
}

ReferralStatus StatusFromCode(const std::string& code) {
  return ParseReferralStatus(code).value_or(ReferralStatus::kEnteredInError);
}

absl::Status CheckCapacityArguments(std::string_view provider_id,
                                    std::optional<int64_t> capacity) {
  if (provider_id.empty()) return absl::InvalidArgumentError("SetCapacity: empty provider id");
  if (capacity && *capacity < 0) {
    return absl::InvalidArgumentError(
        Cat("SetCapacity: provider ", provider_id, ": negative capacity ", *capacity));
  }
  return absl::OkStatus();
}

absl::Status CheckCapacityCoversActive(std::string_view provider_id,
                                       std::optional<int64_t> capacity, CapacityPeriod period,
                                       int64_t active) {
  if (period == CapacityPeriod::kReferral && capacity && *capacity < active) {
    return absl::FailedPreconditionError(
        Cat("provider ", provider_id, " has ", active, " active referrals, more than the new "
            "capacity ", *capacity, "; close some first"));
  }
  return absl::OkStatus();
}

absl::Status NoCapacityOnRecordError(std::string_view referral_id, std::string_view provider_id) {
  return absl::FailedPreconditionError(
      Cat("referral ", referral_id, ": provider ", provider_id,
          " has no capacity on record in the store (SetCapacity or SetCapacities)"));
}

absl::Status CheckSlotFree(
    std::string_view referral_id, std::string_view provider_id, const ProviderSlots& slots,
    int64_t at_ms, absl::FunctionRef<absl::StatusOr<int64_t>(const PeriodBounds&)> count_period) {
  if (!slots.capacity) return absl::OkStatus();
  const int64_t capacity = *slots.capacity;
  if (slots.period != CapacityPeriod::kReferral) {
    const PeriodBounds bounds = PeriodOf(slots.period, at_ms);
    absl::StatusOr<int64_t> taken = count_period(bounds);
    if (!taken.ok()) return taken.status();
    if (*taken >= capacity) {
      return absl::ResourceExhaustedError(
          Cat("referral ", referral_id, ": provider ", provider_id, " is full for the ",
              CapacityPeriodCode(slots.period), " from ",
              absl::FormatTime("%Y-%m-%d", absl::FromUnixMillis(bounds.start_ms),
                               absl::UTCTimeZone()),
              " (", *taken, " requested of capacity ", capacity, ")"));
    }
  } else if (slots.active >= capacity) {
    return absl::ResourceExhaustedError(Cat("referral ", referral_id, ": provider ", provider_id,
                                            " is full (", slots.active, " active of capacity ",
                                            capacity, ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckNewReferral(const NewReferral& in) {
  if (absl::Status s = CheckCreation(in.initial, ReferralActor::kReferringDesk); !s.ok()) {
    return s;
  }
  for (const auto& [value, name] :
       {std::pair{&in.request_id, "request_id"}, std::pair{&in.provider_id, "provider_id"},
        std::pair{&in.desk_id, "desk_id"}}) {
    if (value->empty()) {
      return absl::InvalidArgumentError(Cat("new referral ", in.id, ": ", name, " is empty"));
    }
  }
  return absl::OkStatus();
}

absl::Status RequestAlreadyReferred(const NewReferral& in, std::string_view open_id) {
  return absl::AlreadyExistsError(
      Cat("new referral ", in.id, ": request ", in.request_id, " of desk ", in.desk_id,
          " already has an open referral, ", open_id,
          "; a request is referred to one provider at a time (close ", open_id, " first)"));
}

void FinishCreatedRecord(int64_t seq, ReferralRecord* record) {
  const NewReferral& in = record->referral;
  record->status = in.initial;
  record->updated = in.at.value();
  record->last_sequence = seq;
  record->history.push_back({.sequence = seq,
                             .referral_id = in.id,
                             .at = record->updated,
                             .actor = ReferralActor::kReferringDesk,
                             .actor_id = in.desk_id,
                             .from = std::nullopt,
                             .to = in.initial,
                             .reason = {}});
}

absl::StatusOr<CheckedTransition> CheckApply(const ReferralTransition& t, ReferralStatus from,
                                             std::string_view provider_id,
                                             std::string_view desk_id, int64_t last_ms) {
  if (absl::Status s = CheckTransition(from, t.to, t.actor, t.reason); !s.ok()) {
    return absl::Status(s.code(), Cat("referral ", t.referral_id, ": ", std::string(s.message())));
  }
  CheckedTransition checked;
  checked.delta = static_cast<int>(HoldsSlot(t.to)) - static_cast<int>(HoldsSlot(from));
  checked.at_ms = absl::ToUnixMillis(t.at.value_or(absl::Now()));
  absl::StatusOr<std::string> actor_id =
      CheckEventParties(t, provider_id, desk_id, last_ms, checked.at_ms);
  if (!actor_id.ok()) return actor_id.status();
  checked.actor_id = *std::move(actor_id);
  return checked;
}

ReferralEvent AppliedEvent(const ReferralTransition& t, const CheckedTransition& checked,
                           ReferralStatus from, int64_t seq) {
  return ReferralEvent{.sequence = seq,
                       .referral_id = t.referral_id,
                       .at = absl::FromUnixMillis(checked.at_ms),
                       .actor = t.actor,
                       .actor_id = checked.actor_id,
                       .from = from,
                       .to = t.to,
                       .reason = t.reason};
}

absl::StatusOr<ReferralEvent> DecodeEvent(std::string_view where, EventColumns row) {
  const std::optional<ReferralActor> actor = ParseReferralActor(row.actor);
  const std::optional<ReferralStatus> to = ParseReferralStatus(row.to);
  const std::optional<ReasonCode> reason = ParseReasonCode(row.reason_code);
  std::optional<ReferralStatus> from;
  if (row.from) from = ParseReferralStatus(*row.from);
  if (!actor || !to || !reason || (row.from && !from)) {
    return absl::DataLossError(
        Cat("referral store ", where, ": event ", row.seq, " has an unknown code"));
  }
  return ReferralEvent{.sequence = row.seq,
                       .referral_id = std::move(row.referral_id),
                       .at = absl::FromUnixMillis(row.at_ms),
                       .actor = *actor,
                       .actor_id = std::move(row.actor_id),
                       .from = from,
                       .to = *to,
                       .reason = {*reason, std::move(row.reason_text)}};
}

}  // namespace wegwijzer::internal
