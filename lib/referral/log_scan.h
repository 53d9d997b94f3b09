// Internal to lib/referral: what every backend computes from a scan of its log,
// one referral at a time (its events oldest first), so the SQLite and the
// PostgreSQL store give the same outcomes report and the same Verify() answers;
// and the rules every backend applies around its own reads and writes (the checks
// and messages of SetCapacity, Create and Apply, and the decoding of an event row),
// so that each rule is written once. The backends keep their SQL and their reads.
#ifndef WEGWIJZER_LIB_REFERRAL_LOG_SCAN_H_
#define WEGWIJZER_LIB_REFERRAL_LOG_SCAN_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/referral_store.h"

namespace wegwijzer::internal {

// The period of a per-period capacity model (CapacityPeriod) that holds the time
// `at_ms`: [start_ms, end_ms), UTC. REQUIRES: period != kReferral.
struct PeriodBounds {
  int64_t start_ms = 0, end_ms = 0;
};
PeriodBounds PeriodOf(CapacityPeriod period, int64_t at_ms);

// The row of `referrals` that a scan of the log joins to each referral's events.
struct LoggedReferral {
  int64_t row = 0;  // The backend's key of the referral.
  std::string id, provider_id, topics, postcode_area;
  int64_t created_ms = 0;
};

// The outcomes report (OutcomeRow) summed over the referrals it is given.
class OutcomeTally {
 public:
  void Add(const LoggedReferral& referral, const std::vector<ReferralEvent>& events);
  // The rows, sorted by provider, topic, area, month.
  std::vector<OutcomeRow> Rows() &&;

 private:
  struct Sums {
    OutcomeRow row;
    double answer_days = 0, start_days = 0, complete_days = 0;
    int64_t answers = 0, starts = 0, completions = 0;
  };
  std::map<std::tuple<std::string, std::string, std::string, std::string>, Sums> groups_;
};

// Verify(): the log folded, then compared with the kept states and providers. Each
// check returns kDataLoss naming the first difference.
class LogCheck {
 public:
  // Folds one referral's events (FoldReferralEvents).
  absl::Status Add(const LoggedReferral& referral, const std::vector<ReferralEvent>& events);
  // One row of the kept state table.
  absl::Status CheckState(int64_t row, const std::string& referral_id, const std::string& status,
                          int64_t last_seq);
  // After every state row: as many rows as folded referrals.
  absl::Status CheckStateCount(int64_t states) const;
  // One provider row: its kept active count and its capacity (nullopt: unlimited).
  absl::Status CheckProvider(const std::string& provider_id, std::optional<int64_t> capacity,
                             int64_t active);
  // After every provider row: no active referral at a provider without a row.
  absl::Status CheckProviderCount() const;

 private:
  absl::flat_hash_map<int64_t, std::pair<ReferralStatus, int64_t>> folded_;  // row -> state, seq
  absl::flat_hash_map<std::string, int64_t> active_;
  int64_t providers_counted_ = 0;
};

// What every backend checks of transition `t` on a referral it has read (addressed
// to `provider_id` by `desk_id`, its last event at `last_ms`), beyond
// CheckTransition, before it writes anything; returns the actor id to record:
// * time does not go back: an event at `at_ms` before the last one is
//   kInvalidArgument (the report's durations would turn negative);
// * each party acts for itself: a provider's actor_id must be the referral's
//   provider, a desk's the referral's desk (empty: that party); another id is
//   kPermissionDenied, naming neither the referral's provider nor its desk.
absl::StatusOr<std::string> CheckEventParties(const ReferralTransition& t,
                                              std::string_view provider_id,
                                              std::string_view desk_id, int64_t last_ms,
                                              int64_t at_ms);

// SetCapacities' body: `set(provider id, capacity, period)` for each of the
// directory's providers in index order; the first failure.
absl::Status SetEachCapacity(
    const Directory& directory,
    absl::FunctionRef<absl::Status(std::string_view, std::optional<int64_t>, CapacityPeriod)>
        set);

// Commit's body, inside the backend's transaction: every creation (`create`), then
// every transition (`apply`), in order, their events appended to `events`; the
// first failure, its message prefixed "batch creation <i>: " or
// "batch transition <i>: ".
absl::Status CommitBatch(const ReferralBatch& batch,
                         absl::FunctionRef<absl::StatusOr<ReferralRecord>(const NewReferral&)> create,
                         absl::FunctionRef<absl::StatusOr<ReferralEvent>(const ReferralTransition&)> apply,
                         std::vector<ReferralEvent>* events);

// The value of one change made through a backend's runner: `run(body)` runs `body`
// (an absl::Status()) in a transaction and returns its status or the transaction's;
// `change()` returns an absl::StatusOr<T>, kept when the run succeeds.
template <typename T, typename Run, typename Change>
absl::StatusOr<T> ChangeValue(Run run, Change change) {
  std::optional<T> value;
  absl::Status s = run([&]() -> absl::Status {
    absl::StatusOr<T> made = change();
    if (!made.ok()) return made.status();
    value = *std::move(made);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return *std::move(value);
}

// A referral_state status code as stored. The store writes only codes it knows;
// anything else reads as entered-in-error, and Verify() reports it.
ReferralStatus StatusFromCode(const std::string& code);

// SetCapacity's arguments: kInvalidArgument for an empty provider id or a negative
// capacity.
absl::Status CheckCapacityArguments(std::string_view provider_id,
                                    std::optional<int64_t> capacity);
// SetCapacity on a provider with `active` referrals: a per-referral capacity below
// them is kFailedPrecondition (a per-period one counts periods, not active ones).
absl::Status CheckCapacityCoversActive(std::string_view provider_id,
                                       std::optional<int64_t> capacity, CapacityPeriod period,
                                       int64_t active);

// A provider's row as a backend read it to take a slot.
struct ProviderSlots {
  std::optional<int64_t> capacity;  // nullopt: unlimited
  int64_t active = 0;
  CapacityPeriod period = CapacityPeriod::kReferral;
};
// Taking a slot at a provider the store has no row of: kFailedPrecondition.
absl::Status NoCapacityOnRecordError(std::string_view referral_id, std::string_view provider_id);
// Whether referral `referral_id` may take a slot at `provider_id` at `at_ms`: OK,
// or kResourceExhausted naming the capacity (and the period, for a per-period
// model). `count_period` counts the referrals the period holding `at_ms` already
// has; it is called only for a per-period model with a capacity.
absl::Status CheckSlotFree(
    std::string_view referral_id, std::string_view provider_id, const ProviderSlots& slots,
    int64_t at_ms, absl::FunctionRef<absl::StatusOr<int64_t>(const PeriodBounds&)> count_period);

// Create's checks of `in` before anything is read: CheckCreation (from the desk)
// and the required ids (kInvalidArgument naming the empty one).
absl::Status CheckNewReferral(const NewReferral& in);

// The rule that a desk's request has one open referral at a time (Create): the
// kAlreadyExists for creating `in` while referral `open_id` of the same desk and
// request is open.
absl::Status RequestAlreadyReferred(const NewReferral& in, std::string_view open_id);
// The record Create returns once `record->referral` (id and time filled in) is
// written with its first event `seq`.
void FinishCreatedRecord(int64_t seq, ReferralRecord* record);

// Apply's checks of transition `t` on a referral read as in status `from`,
// addressed to `provider_id` by `desk_id`, its last event at `last_ms`:
// CheckTransition (its message prefixed with the referral id), then
// CheckEventParties at the transition's time (now when it has none).
struct CheckedTransition {
  std::string actor_id;  // to record
  int64_t at_ms = 0;     // the event's time
  int delta = 0;         // slots taken (+1) or freed (-1) at the provider
};
absl::StatusOr<CheckedTransition> CheckApply(const ReferralTransition& t, ReferralStatus from,
                                             std::string_view provider_id,
                                             std::string_view desk_id, int64_t last_ms);
// The event Apply returns, appended as `seq`.
ReferralEvent AppliedEvent(const ReferralTransition& t, const CheckedTransition& checked,
                           ReferralStatus from, int64_t seq);

// One row of the events table, its codes as stored (from_status: nullopt for NULL).
struct EventColumns {
  int64_t seq = 0;
  std::string referral_id;
  int64_t at_ms = 0;
  std::string actor, actor_id;
  std::optional<std::string> from;
  std::string to, reason_code, reason_text;
};
// The event, or kDataLoss "referral store <where>: event <seq> has an unknown code".
absl::StatusOr<ReferralEvent> DecodeEvent(std::string_view where, EventColumns row);

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_REFERRAL_LOG_SCAN_H_
