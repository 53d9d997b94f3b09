// The referral store: a durable, append-only log of what happened to each referral,
// with the provider capacity it holds.
//
// Every change is an event (who, when, from, to, reason) appended to the log; a
// referral's state is the fold of its events (FoldReferralEvents). Nothing is
// updated in place or deleted: a mistake is `entered-in-error`. For speed the store
// also keeps the folded state of each referral and each provider's count of active
// referrals, written in the same transaction as the event, and Verify() checks
// both against a fresh fold of the log.
//
// Capacity: a referral is *active* while it is requested, accepted, in-progress or
// on-hold (HoldsSlot). Each provider has a capacity (SetCapacity; nullopt:
// unlimited) and a capacity model (CapacityPeriod, from the directory's
// ProviderInfo::capacity_period):
// * kReferral (the default): a slot per referral. A provider never has more
//   active referrals than its capacity; leaving the active states (rejected,
//   cancelled, expired, failed, completed, entered-in-error) frees the slot.
// * kDay, kWeek, kMonth: a slot per request in a period (UTC days; ISO weeks from
//   Monday 00:00 UTC; calendar months). At most `capacity` referrals become
//   requested (created requested, or draft -> requested) with a time in one
//   period, counting every referral requested in that period except those
//   rejected, cancelled (expired included) or entered in error before the period
//   ended: completion, failure or a later cancellation do not give the slot back,
//   and a new period starts empty. The period is that of the event's time (`at`).
// Either check runs in the transaction that makes a referral requested, under the
// backend's write lock, so it holds across threads, processes and crashes.
// Verify() checks the per-referral model; a per-period count is derived from the
// kept states (no counter to drift), and is checked by the tests against their own
// count.
//
// Example:
//   absl::StatusOr<std::unique_ptr<ReferralStore>> store =
//       OpenSqliteStore("referrals.db", {.expire_after = absl::Hours(24 * 14)});
//   if (!store.ok()) return 1;  // names the file and the reason
//   if (!(*store)->SetCapacities(*directory).ok()) return 1;
//   absl::StatusOr<ReferralRecord> made = ReferRequest(**store, router, request, "desk-7");
//   if (!made.ok()) return 1;  // nothing suits, or every suitable provider is full
//   // ... later, the provider:
//   absl::StatusOr<ReferralEvent> rejected = (*store)->Apply(
//       {.referral_id = made->referral.id,
//        .to = ReferralStatus::kRejected,
//        .actor = ReferralActor::kReceivingProvider,
//        .reason = {ReasonCode::kNoCapacity, "full until March"}});
//   absl::StatusOr<ReferralRecord> next = ReferNext(**store, router, made->referral.id);
//
// Thread-safety: thread-safe (one store may be shared by threads). Several stores,
// in several processes, may open the same file (or the same PostgreSQL database).
//
// Durability: with ReferralStoreOptions::durable (the default), a Create, Apply,
// Commit, SetCapacity or ExpireOverdue that returns OK has its change committed and
// synced to disk before it returns (SQLite: WAL, synchronous=FULL; PostgreSQL: synchronous_commit=on); one that
// returns an error has written nothing. A crash loses no change whose call returned.
//
// Group commit (OpenSqliteStore): Create and Apply calls that threads make on one
// store at the same time share one transaction, and so one sync of the log. The
// first caller to find no commit under way leads: it takes every change queued so
// far and applies them in the order they were queued, each in a savepoint of its own
// with its checks (allowed transition, provider capacity) made against the changes
// before it, so a refused one is rolled back alone and the others stand; then one
// COMMIT, and every caller is answered with its own result. Changes queued while a
// commit is under way form the next group. A caller alone is a group of one: one
// transaction, no added wait. Ordering: the log's sequence numbers follow the order
// in which the changes were applied; calls of one thread are applied in its order;
// calls of different threads that overlap in time may be applied in either order.
// A failed COMMIT (disk full, I/O error) fails every change of its group.
#ifndef WEGWIJZER_REFERRAL_STORE_H_
#define WEGWIJZER_REFERRAL_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "wegwijzer/codes.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/referral.h"
#include "wegwijzer/request.h"
#include "wegwijzer/router.h"

namespace wegwijzer {
namespace v1 {
class ReferralEvent;
class ReferralRecord;
}  // namespace v1

// What a desk refers: the immutable part of a referral, written once.
struct NewReferral {
  // Unique in the store; empty: the store assigns "r<number>". DEFAULT: empty.
  std::string id{};
  std::string request_id{};     // The request (no personal data). Required.
  std::string provider_id{};    // The receiving provider. Required.
  std::string location_id{};    // The provider's location; empty for remote help.
  std::string desk_id{};        // The referring desk. Required.
  TopicSet topics{};            // What the help is about (the outcome report's topic).
  std::string postcode_area{};  // PC4 ("1011"), or empty: the outcome report's area.
  std::string municipality{};   // CBS code, or empty.
  Mode mode = Mode::kInPerson;
  // The request itself, kept so a rejection can be routed again (ReferNext).
  std::optional<Request> request{};
  // The referral this one follows after its rejection; empty for a first referral.
  std::string previous_id{};
  // draft or requested. DEFAULT: requested (reserves a slot). In records read back,
  // only Get() fills it (from the history); lists leave it draft.
  ReferralStatus initial = ReferralStatus::kRequested;
  // When; nullopt = now. DEFAULT: now.
  std::optional<absl::Time> at{};
};

// One entry of the log. `from` is absent for the creation event.
struct ReferralEvent {
  int64_t sequence = 0;  // Position in the store's log, increasing, from 1.
  std::string referral_id{};
  absl::Time at{};
  ReferralActor actor = ReferralActor::kReferringDesk;
  std::string actor_id{};  // The desk's or the provider's id ("system" for expiry).
  std::optional<ReferralStatus> from{};
  ReferralStatus to = ReferralStatus::kDraft;
  ReferralReason reason{};
  bool operator==(const ReferralEvent&) const = default;
};

// A change asked of the store.
struct ReferralTransition {
  std::string referral_id{};
  ReferralStatus to = ReferralStatus::kDraft;
  ReferralActor actor = ReferralActor::kReferringDesk;
  std::string actor_id{};  // DEFAULT: empty = the referral's desk or provider id.
  ReferralReason reason{};
  std::optional<absl::Time> at{};  // nullopt = now.
};

// A referral's state, folded from its events.
struct ReferralRecord {
  NewReferral referral{};  // id filled in; `at` is the creation time.
  ReferralStatus status = ReferralStatus::kDraft;
  absl::Time updated{};          // Time of the last event.
  int64_t last_sequence = 0;   // Its sequence.
  ReferralReason last_reason{};  // The reason of the last event that had one.
  std::vector<ReferralEvent> history{};  // Oldest first; filled by Get() only.
};

// Many changes committed in one transaction: every creation first, then every
// transition, in order; all or nothing.
struct ReferralBatch {
  std::vector<NewReferral> creations{};
  std::vector<ReferralTransition> transitions{};
};

// The state that a list of one referral's events gives, oldest first: the creation
// must come first, then each event must start where the previous one ended and be a
// transition CheckTransition allows. kDataLoss naming the sequence otherwise.
absl::StatusOr<ReferralStatus> FoldReferralEvents(std::span<const ReferralEvent> events);

// One row of the outcomes report: referrals grouped by provider, topic (a referral
// needing several topics counts under each), postcode area and month of creation
// (UTC, "2026-12"). Counts are by the referral's current status; entered-in-error
// referrals count only in entered_in_error.
struct OutcomeRow {
  std::string provider_id{}, topic{}, postcode_area{}, month{};
  int64_t referrals = 0;          // All referrals of the group.
  int64_t open = 0;               // draft, requested, accepted, in-progress, on-hold.
  int64_t completed = 0;          // Got help.
  int64_t failed = 0;
  int64_t rejected = 0;           // Turned away; by reason below.
  int64_t rejected_no_capacity = 0, rejected_not_eligible = 0, rejected_other = 0;
  int64_t cancelled = 0;          // Including expired.
  int64_t expired = 0;
  int64_t entered_in_error = 0;
  // Mean days from requested to the provider's answer (accepted or rejected), from
  // accepted to in-progress, and from in-progress to completed; nullopt without one.
  std::optional<double> mean_days_to_answer{}, mean_days_to_start{}, mean_days_to_complete{};
};

// The report as CSV (header, then rows sorted by provider, topic, area, month).
std::string OutcomesCsv(std::span<const OutcomeRow> rows);

struct ReferralStoreOptions {
  // Requested referrals unanswered this long become cancelled with reason expired
  // when ExpireOverdue runs; zero: never. DEFAULT: 0.
  absl::Duration expire_after = absl::ZeroDuration();
  // How long a call waits for another writer (thread or process) before failing
  // with kUnavailable. DEFAULT: 30 s.
  absl::Duration busy_timeout = absl::Seconds(30);
  // Commit each transaction with a full sync of the log to disk (SQLite
  // synchronous=FULL in WAL mode). Off only for tests that need no durability.
  // DEFAULT: true.
  bool durable = true;
};

// The store interface; OpenSqliteStore is the embedded backend, OpenPostgresStore
// the shared one, OpenReferralStore picks by the location.
class ReferralStore {
 public:
  virtual ~ReferralStore() = default;

  // Records `provider_id`'s capacity (nullopt: unlimited) and its capacity model
  // (see the file comment). kInvalidArgument for an empty id or a negative
  // capacity; for the per-referral model kFailedPrecondition when it would fall
  // below the provider's active referrals. A per-period capacity may be lowered
  // at any time: the referrals already requested in a period stay, new ones are
  // refused until the period has room.
  virtual absl::Status SetCapacity(std::string_view provider_id,
                                   std::optional<int64_t> capacity,
                                   CapacityPeriod period) = 0;
  // The per-referral model (CapacityPeriod::kReferral).
  absl::Status SetCapacity(std::string_view provider_id, std::optional<int64_t> capacity) {
    return SetCapacity(provider_id, capacity, CapacityPeriod::kReferral);
  }
  // Every provider of the directory (capacity and capacity_period), in one
  // transaction.
  virtual absl::Status SetCapacities(const Directory& directory) = 0;

  // Creates a referral (an event with no `from`). kAlreadyExists for a used id, for
  // a second referral with the same previous_id, or while the desk's request
  // (desk_id, request_id) already has an open referral (draft, requested, accepted,
  // in-progress or on-hold): a request is referred to one provider at a time, so
  // two desk workers clicking at once cannot both take a slot for one resident
  // (close the open one first; ReferNext does, after a rejection);
  // kInvalidArgument for a missing field; kFailedPrecondition for an initial state
  // other than draft or requested, or an unknown provider (no SetCapacity);
  // kResourceExhausted when `requested` finds the provider full.
  virtual absl::StatusOr<ReferralRecord> Create(const NewReferral& referral) = 0;

  // Applies one transition. kNotFound for an unknown referral;
  // kFailedPrecondition (CheckTransition's message, with the referral id) for a
  // refused one; kInvalidArgument for a time before the referral's last event;
  // kPermissionDenied when actor_id names another provider or desk than the
  // referral's (a provider acts only on referrals addressed to it, a desk only on
  // its own); kResourceExhausted when draft -> requested finds the provider
  // full. Nothing is written unless OK.
  virtual absl::StatusOr<ReferralEvent> Apply(const ReferralTransition& transition) = 0;

  // Commits a whole batch in one transaction; the events in order. The first
  // refused change fails the batch (its status names its index) and nothing of it
  // is written.
  virtual absl::StatusOr<std::vector<ReferralEvent>> Commit(const ReferralBatch& batch) = 0;

  // Cancels, reason expired, every requested referral older than
  // options.expire_after at `now`; how many. 0 when expiry is off.
  virtual absl::StatusOr<int64_t> ExpireOverdue(absl::Time now) = 0;

  // A referral with its whole history. kNotFound for an unknown id.
  virtual absl::StatusOr<ReferralRecord> Get(std::string_view referral_id) = 0;
  // Open (not final) referrals of a provider or of a desk, by id; no history.
  // O(k log n) for k open referrals (an index on the open ones).
  virtual absl::StatusOr<std::vector<ReferralRecord>> OpenOfProvider(
      std::string_view provider_id) = 0;
  virtual absl::StatusOr<std::vector<ReferralRecord>> OpenOfDesk(std::string_view desk_id) = 0;
  // Requested referrals with no answer for at least `age` at `now`, oldest first.
  virtual absl::StatusOr<std::vector<ReferralRecord>> Overdue(absl::Time now,
                                                              absl::Duration age) = 0;
  // Active referrals of a provider (what counts against its capacity).
  virtual absl::StatusOr<int64_t> ActiveCount(std::string_view provider_id) = 0;

  // The log from sequence `after` + 1, at most `limit` events, in order.
  virtual absl::StatusOr<std::vector<ReferralEvent>> Events(int64_t after, int64_t limit) = 0;

  // The outcomes report over every referral (a scan of the log: O(events)).
  virtual absl::StatusOr<std::vector<OutcomeRow>> Outcomes() = 0;

  // Folds the whole log and compares it with the kept states and active counts,
  // and checks no provider is over capacity. kDataLoss naming the first
  // difference. O(events).
  virtual absl::Status Verify() = 0;
};

// Opens (creating when absent) a SQLite store at `path`: WAL journal, the schema
// version checked and migrated in one transaction. kFailedPrecondition for a file
// written by a newer schema; kDataLoss for a file that is not a store;
// kUnavailable when it cannot be opened. The message names the path.
absl::StatusOr<std::unique_ptr<ReferralStore>> OpenSqliteStore(
    const std::string& path, const ReferralStoreOptions& options = {});

// Opens (creating the schema when absent) a PostgreSQL store; `conninfo` is a
// libpq connection string or URI ("postgresql://host/db", "host=/run/pg dbname=w").
// The same schema ideas as the SQLite store: append-only events (triggers refuse
// UPDATE, DELETE and TRUNCATE), the derived state written in the same transaction,
// the schema version checked and migrated in one transaction on open.
// Capacity across connections and processes: each write transaction locks the
// log's head row and the provider's capacity row (SELECT ... FOR UPDATE) before it
// checks and takes a slot; writers are serialised (no SERIALIZABLE retries).
// options.busy_timeout is the lock wait (lock_timeout); durable = false sets
// synchronous_commit off for the connection. kUnavailable when the server cannot
// be reached; kDataLoss for a database with tables of ours but no schema version;
// kFailedPrecondition for a newer schema. Messages name the server and database,
// never a password.
absl::StatusOr<std::unique_ptr<ReferralStore>> OpenPostgresStore(
    const std::string& conninfo, const ReferralStoreOptions& options = {});

// Opens the store that `location` names: a PostgreSQL conninfo URI when it starts
// with "postgresql://" or "postgres://" (OpenPostgresStore), else a SQLite file
// path (OpenSqliteStore). What the command line's and Python's --store/path take.
absl::StatusOr<std::unique_ptr<ReferralStore>> OpenReferralStore(
    const std::string& location, const ReferralStoreOptions& options = {});

// Whether OpenReferralStore takes `location` for PostgreSQL.
bool IsPostgresLocation(std::string_view location);

// The schema version this library writes.
inline constexpr int kReferralSchemaVersion = 4;

// Routes `request` and creates a requested referral at the first referral in route
// order whose provider has room in the store, skipping `excluded` providers.
// kNotFound (naming the request) when nothing suits; kResourceExhausted when
// everything that suits is full. REQUIRES: the store knows the directory's
// capacities (SetCapacities).
absl::StatusOr<ReferralRecord> ReferRequest(ReferralStore& store, const Router& router,
                                            const Request& request, std::string_view desk_id,
                                            std::span<const std::string> excluded = {},
                                            std::optional<absl::Time> at = std::nullopt,
                                            std::string_view previous_id = {});

// After a rejection for no-capacity or not-eligible: routes the referral's request
// again with every provider that already rejected it (along previous_id) excluded,
// and creates the next referral (previous_id = `rejected_id`). kFailedPrecondition
// when the referral is not rejected for one of those reasons or has no request
// kept; otherwise as ReferRequest.
absl::StatusOr<ReferralRecord> ReferNext(ReferralStore& store, const Router& router,
                                         std::string_view rejected_id,
                                         std::optional<absl::Time> at = std::nullopt);

// The protobuf model (proto/wegwijzer/v1/referral.proto), codes spelled as here.
void ToProto(const ReferralEvent& event, v1::ReferralEvent* proto);
void ToProto(const ReferralRecord& record, v1::ReferralRecord* proto);

// The outcome report's postcode area of a request: the PC4 digits of its postcode,
// or empty.
std::string PostcodeArea(const Request& request);

}  // namespace wegwijzer

#endif  // WEGWIJZER_REFERRAL_STORE_H_
