// Internal to lib/referral: what every backend computes from a scan of its log,
// one referral at a time (its events oldest first), so the SQLite and the
// PostgreSQL store give the same outcomes report and the same Verify() answers.
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
#include "absl/status/status.h"
#include "absl/status/statusor.h"
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

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_REFERRAL_LOG_SCAN_H_
