// The SQLite backend of ReferralStore.
//
// Schema (version 2; migration 2 rewrote the open-referral indexes):
//   wegwijzer_schema(version)           one row
//   providers(provider_id, capacity, active)
//       capacity NULL = unlimited; active = the provider's active referrals (derived)
//   referrals(id INTEGER PRIMARY KEY, referral_id UNIQUE, ...)   insert only
//   events(seq INTEGER PRIMARY KEY, referral, at_ms, actor, actor_id, from_status,
//          to_status, reason_code, reason_text)                  insert only
//   referral_state(referral PRIMARY KEY, status, ...)            derived
// Triggers refuse UPDATE and DELETE on referrals and events, so "append only" is
// the database's rule, not only this file's habit. referral_state and
// providers.active are the fold of the log kept up to date in the transaction that
// appends each event; Verify() recomputes them.
//
// Concurrency: every write is one BEGIN IMMEDIATE transaction, which takes SQLite's
// write lock before reading anything, so the capacity check and the event it
// allows are serialised across threads and processes (WAL lets readers go on).
// Durability: WAL with synchronous=FULL syncs the log at every commit.
#include <sqlite3.h>

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "core/text.h"
#include "referral/log_scan.h"
#include "wegwijzer/referral_store.h"
#include "wegwijzer/v1/request.pb.h"

namespace wegwijzer {
namespace {

using internal::Cat;

// A referral_state row is open: the partial indexes' condition, which the queries
// that use them repeat exactly (SQLite uses a partial index only for a query whose
// WHERE contains its condition). Written as equalities, not `status IN (...)`: SQLite
// evaluates an IN list of more than two constants through a temporary b-tree built
// afresh at every INSERT and UPDATE that checks a partial index; that was 40% of a
// transition's CPU time (schema version 1).
constexpr const char* kOpenCondition =
    "(status = 'draft' OR status = 'requested' OR status = 'accepted' OR "
    "status = 'in-progress' OR status = 'on-hold')";

// Migration i (1-based) brings a store from version i - 1 to version i.
const std::vector<std::string>& Migrations() {
  static const auto* migrations = new std::vector<std::string>{
      // 1: the first schema.
      R"sql(
CREATE TABLE providers(
  provider_id TEXT PRIMARY KEY,
  capacity INTEGER,
  active INTEGER NOT NULL DEFAULT 0 CHECK (active >= 0)
) WITHOUT ROWID;
CREATE TABLE referrals(
  id INTEGER PRIMARY KEY,
  referral_id TEXT NOT NULL UNIQUE,
  request_id TEXT NOT NULL,
  provider_id TEXT NOT NULL,
  location_id TEXT NOT NULL,
  desk_id TEXT NOT NULL,
  topics TEXT NOT NULL,
  postcode_area TEXT NOT NULL,
  municipality TEXT NOT NULL,
  mode TEXT NOT NULL,
  previous_id TEXT NOT NULL,
  request BLOB,
  created_ms INTEGER NOT NULL
);
CREATE UNIQUE INDEX referrals_next ON referrals(previous_id) WHERE previous_id != '';
CREATE TABLE events(
  seq INTEGER PRIMARY KEY,
  referral INTEGER NOT NULL REFERENCES referrals(id),
  at_ms INTEGER NOT NULL,
  actor TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  from_status TEXT,
  to_status TEXT NOT NULL,
  reason_code TEXT NOT NULL,
  reason_text TEXT NOT NULL
);
CREATE INDEX events_by_referral ON events(referral, seq);
CREATE TABLE referral_state(
  referral INTEGER PRIMARY KEY REFERENCES referrals(id),
  provider_id TEXT NOT NULL,
  desk_id TEXT NOT NULL,
  status TEXT NOT NULL,
  updated_ms INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  reason_code TEXT NOT NULL,
  reason_text TEXT NOT NULL,
  requested_ms INTEGER
);
CREATE INDEX state_open_by_provider ON referral_state(provider_id)
  WHERE status IN ('draft','requested','accepted','in-progress','on-hold');
CREATE INDEX state_open_by_desk ON referral_state(desk_id)
  WHERE status IN ('draft','requested','accepted','in-progress','on-hold');
CREATE INDEX state_requested ON referral_state(requested_ms) WHERE status = 'requested';
CREATE TRIGGER events_append_only_u BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'the referral log is append-only'); END;
CREATE TRIGGER events_append_only_d BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'the referral log is append-only'); END;
CREATE TRIGGER referrals_append_only_u BEFORE UPDATE ON referrals
  BEGIN SELECT RAISE(ABORT, 'referrals are written once'); END;
CREATE TRIGGER referrals_append_only_d BEFORE DELETE ON referrals
  BEGIN SELECT RAISE(ABORT, 'referrals are written once'); END;
)sql",
      // 2: the open-referral indexes on equalities (kOpenCondition), not an IN list.
      Cat("DROP INDEX state_open_by_provider; DROP INDEX state_open_by_desk; "
          "CREATE INDEX state_open_by_provider ON referral_state(provider_id) WHERE ",
          kOpenCondition,
          "; CREATE INDEX state_open_by_desk ON referral_state(desk_id) WHERE ", kOpenCondition,
          ";"),
      // 3: the capacity model (a slot per referral, or per day, week or month).
      R"sql(
ALTER TABLE providers ADD COLUMN capacity_period TEXT NOT NULL DEFAULT 'referral';
CREATE INDEX state_requested_by_provider ON referral_state(provider_id, requested_ms);
)sql",
      // 4: a desk's request has one open referral at a time (Create looks it up).
      "CREATE INDEX referrals_by_request ON referrals(desk_id, request_id);",
  };
  return *migrations;
}

int64_t ToMs(absl::Time t) { return absl::ToUnixMillis(t); }
absl::Time FromMs(int64_t ms) { return absl::FromUnixMillis(ms); }

// A prepared statement, reset after each use.
class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, const std::string& sql, absl::Status* status) {
    if (sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) !=
        SQLITE_OK) {
      *status = absl::InternalError(
          Cat("referral store: cannot prepare a statement: ", sqlite3_errmsg(db)));
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Statement& Bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& BindBlob(int i, const std::string& v) {
    sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& BindNull(int i) {
    sqlite3_bind_null(stmt_, i);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  void Reset() {
    if (stmt_ == nullptr) return;  // never prepared: nothing to reset (clear_bindings would crash)
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  int64_t Int(int i) const { return sqlite3_column_int64(stmt_, i); }
  bool IsNull(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
  std::string Text(int i) const {
    const auto* p = sqlite3_column_text(stmt_, i);
    return p == nullptr ? std::string()
                        : std::string(reinterpret_cast<const char*>(p),
                                      static_cast<size_t>(sqlite3_column_bytes(stmt_, i)));
  }
  std::string Blob(int i) const {
    const void* p = sqlite3_column_blob(stmt_, i);
    return p == nullptr ? std::string()
                        : std::string(static_cast<const char*>(p),
                                      static_cast<size_t>(sqlite3_column_bytes(stmt_, i)));
  }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a statement when leaving a scope.
struct ResetOnExit {
  Statement& s;
  ~ResetOnExit() { s.Reset(); }
};

absl::Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  const std::string message = Cat("referral store: ", what, ": ", sqlite3_errmsg(db));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(Cat(message, " (another writer held the store too long)"));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::DataLossError(message);
    case SQLITE_FULL:
      return absl::ResourceExhaustedError(message);
    case SQLITE_CONSTRAINT:
      return absl::FailedPreconditionError(message);
    default:
      return absl::InternalError(message);
  }
}

using internal::StatusFromCode;

class SqliteStore final : public ReferralStore {
 public:
  SqliteStore(std::string path, ReferralStoreOptions options)
      : path_(std::move(path)), options_(options) {}
  ~SqliteStore() override {
    literal_statements_.clear();
    statements_.clear();
    if (db_ != nullptr) sqlite3_close_v2(db_);
  }

  absl::Status Open();

  absl::Status SetCapacity(std::string_view provider_id, std::optional<int64_t> capacity,
                           CapacityPeriod period) override {
    std::lock_guard lock(mu_);
    return InTransaction([&]() { return SetCapacityInTx(provider_id, capacity, period); });
  }
  absl::Status SetCapacities(const Directory& directory) override {
    std::lock_guard lock(mu_);
    return InTransaction([&]() {
      return internal::SetEachCapacity(
          directory, [&](std::string_view id, std::optional<int64_t> capacity,
                         CapacityPeriod period) { return SetCapacityInTx(id, capacity, period); });
    });
  }

  absl::StatusOr<ReferralRecord> Create(const NewReferral& referral) override {
    return GroupedChange<ReferralRecord>([&]() { return CreateInTx(referral); });
  }

  absl::StatusOr<ReferralEvent> Apply(const ReferralTransition& transition) override {
    return GroupedChange<ReferralEvent>([&]() { return ApplyInTx(transition); });
  }

  absl::StatusOr<std::vector<ReferralEvent>> Commit(const ReferralBatch& batch) override {
    std::lock_guard lock(mu_);
    std::vector<ReferralEvent> events;
    events.reserve(batch.creations.size() + batch.transitions.size());
    absl::Status s = InTransaction([&]() {
      return internal::CommitBatch(
          batch, [&](const NewReferral& n) { return CreateInTx(n); },
          [&](const ReferralTransition& t) { return ApplyInTx(t); }, &events);
    });
    if (!s.ok()) return s;
    return events;
  }

  absl::StatusOr<int64_t> ExpireOverdue(absl::Time now) override {
    if (options_.expire_after <= absl::ZeroDuration()) return 0;
    std::lock_guard lock(mu_);
    int64_t count = 0;
    absl::Status s = InTransaction([&]() -> absl::Status {
      std::vector<std::string> ids;
      {
        Statement& q = Stmt(Cat("SELECT r.referral_id FROM referral_state s JOIN referrals r ON "
                                "r.id = s.referral WHERE s.status = 'requested' AND "
                                "s.requested_ms <= ?1 ORDER BY s.requested_ms, r.id"));
        ResetOnExit reset{q};
        q.Bind(1, ToMs(now - options_.expire_after));
        int rc;
        while ((rc = q.Step()) == SQLITE_ROW) ids.push_back(q.Text(0));
        if (rc != SQLITE_DONE) return SqliteError(db_, rc, "finding overdue referrals");
      }
      const std::string text =
          Cat("unanswered for ", absl::FormatDuration(options_.expire_after));
      for (const std::string& id : ids) {
        ReferralTransition t{.referral_id = id,
                             .to = ReferralStatus::kCancelled,
                             .actor = ReferralActor::kSystem,
                             .actor_id = "system",
                             .reason = {ReasonCode::kExpired, text},
                             .at = now};
        absl::StatusOr<ReferralEvent> e = ApplyInTx(t);
        if (!e.ok()) return e.status();
        ++count;
      }
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return count;
  }

  absl::StatusOr<ReferralRecord> Get(std::string_view referral_id) override {
    std::lock_guard lock(mu_);
    std::vector<ReferralRecord> records;
    int64_t row = 0;
    {
      Statement& q = Stmt(Cat(kRecordSelect, " WHERE r.referral_id = ?1"));
      ResetOnExit reset{q};
      q.Bind(1, referral_id);
      if (absl::Status s = ReadRecords(q, &records, &row); !s.ok()) return s;
    }
    if (records.empty())
      return absl::NotFoundError(Cat("referral store ", path_, ": no referral ", referral_id));
    Statement& q = Stmt(Cat(kEventSelect, " WHERE e.referral = ?1 ORDER BY e.seq"));
    ResetOnExit reset{q};
    q.Bind(1, row);
    if (absl::Status s = ReadEvents(q, &records[0].history); !s.ok()) return s;
    if (!records[0].history.empty()) records[0].referral.initial = records[0].history[0].to;
    return std::move(records[0]);
  }

  absl::StatusOr<std::vector<ReferralRecord>> OpenOfProvider(
      std::string_view provider_id) override {
    return OpenOf("provider_id", provider_id);
  }
  absl::StatusOr<std::vector<ReferralRecord>> OpenOfDesk(std::string_view desk_id) override {
    return OpenOf("desk_id", desk_id);
  }

  absl::StatusOr<std::vector<ReferralRecord>> Overdue(absl::Time now,
                                                      absl::Duration age) override {
    std::lock_guard lock(mu_);
    std::vector<ReferralRecord> records;
    Statement& q = Stmt(Cat(kRecordSelect,
                            " WHERE s.status = 'requested' AND s.requested_ms <= ?1 "
                            "ORDER BY s.requested_ms, r.referral_id"));
    ResetOnExit reset{q};
    q.Bind(1, ToMs(now - age));
    if (absl::Status s = ReadRecords(q, &records); !s.ok()) return s;
    return records;
  }

  absl::StatusOr<int64_t> ActiveCount(std::string_view provider_id) override {
    std::lock_guard lock(mu_);
    Statement& q = Stmt("SELECT active FROM providers WHERE provider_id = ?1");
    ResetOnExit reset{q};
    q.Bind(1, provider_id);
    const int rc = q.Step();
    if (rc == SQLITE_DONE)
      return absl::NotFoundError(Cat("referral store ", path_, ": no provider ", provider_id));
    if (rc != SQLITE_ROW) return SqliteError(db_, rc, "reading a provider");
    return q.Int(0);
  }

  absl::StatusOr<std::vector<ReferralEvent>> Events(int64_t after, int64_t limit) override {
    std::lock_guard lock(mu_);
    std::vector<ReferralEvent> events;
    Statement& q = Stmt(Cat(kEventSelect, " WHERE e.seq > ?1 ORDER BY e.seq LIMIT ?2"));
    ResetOnExit reset{q};
    q.Bind(1, after).Bind(2, limit);
    if (absl::Status s = ReadEvents(q, &events); !s.ok()) return s;
    return events;
  }

  absl::StatusOr<std::vector<OutcomeRow>> Outcomes() override;
  absl::Status Verify() override;

 private:
  static constexpr const char* kRecordSelect =
      "SELECT r.referral_id, r.request_id, r.provider_id, r.location_id, r.desk_id, r.topics, "
      "r.postcode_area, r.municipality, r.mode, r.previous_id, r.request, r.created_ms, "
      "s.status, s.updated_ms, s.last_seq, s.reason_code, s.reason_text, r.id "
      "FROM referrals r JOIN referral_state s ON s.referral = r.id";
  static constexpr const char* kEventSelect =
      "SELECT e.seq, r.referral_id, e.at_ms, e.actor, e.actor_id, e.from_status, e.to_status, "
      "e.reason_code, e.reason_text FROM events e JOIN referrals r ON r.id = e.referral";

  // Fixed SQL (a string literal): found by its address, so the hot path builds no
  // string and compares none.
  Statement& Stmt(const char* sql) {
    auto it = literal_statements_.find(sql);
    if (it != literal_statements_.end()) return *it->second;
    Statement& statement = Stmt(std::string(sql));
    literal_statements_.emplace(sql, &statement);
    return statement;
  }

  Statement& Stmt(const std::string& sql) {
    auto it = statements_.find(sql);
    if (it != statements_.end()) return *it->second;
    absl::Status status;
    auto statement = std::make_unique<Statement>(db_, sql, &status);
    // A statement does not prepare when the file's tables are not the ones this SQL
    // names (a damaged or foreign file that still passed the schema check; a fuzzer
    // finding): its steps then fail with SQLITE_MISUSE and are reported as errors,
    // and Reset() leaves it alone.
    Statement& ref = *statement;
    statements_.emplace(sql, std::move(statement));
    return ref;
  }

  absl::Status Exec(const std::string& sql, std::string_view what) {
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
    sqlite3_free(error);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, Cat(path_, ": ", what));
    return absl::OkStatus();
  }

  static absl::Status Annotate(const absl::Status& s, std::string_view where) {
    return absl::Status(s.code(), Cat(where, ": ", std::string(s.message())));
  }

  // Runs `body` in BEGIN IMMEDIATE ... COMMIT; rolls back when it fails.
  template <typename Body>
  absl::Status InTransaction(Body body) {
    if (absl::Status s = Exec("BEGIN IMMEDIATE", "beginning a transaction"); !s.ok()) return s;
    absl::Status s = body();
    if (s.ok()) {
      s = Exec("COMMIT", "committing");
      if (s.ok()) return s;
    }
    // A failed COMMIT may already have rolled back; ROLLBACK then reports an error
    // that adds nothing.
    if (!sqlite3_get_autocommit(db_)) (void)Exec("ROLLBACK", "rolling back");
    return s;
  }

  // Group commit. Creations and transitions that threads ask of this store at the
  // same time share one transaction and so one sync of the log: each runs in a
  // savepoint of its own (a refused one is rolled back alone, and its caller gets its
  // own status), and every caller returns only after the COMMIT that holds its change
  // has returned. One thread at a time leads: it takes every change queued so far and
  // commits them; changes that arrive meanwhile wait for the next group. A caller
  // alone gets a group of one: the same as a plain transaction.
  struct Pending {
    std::function<absl::Status()> body;
    absl::Status status;
    bool done = false;
  };

  absl::Status Grouped(std::function<absl::Status()> body) {
    Pending mine{std::move(body), absl::OkStatus(), false};
    std::unique_lock queue_lock(queue_mu_);
    queue_.push_back(&mine);
    while (!mine.done) {
      if (leading_) {
        queue_cv_.wait(queue_lock);
        continue;
      }
      leading_ = true;
      std::vector<Pending*> group;
      group.swap(queue_);
      queue_lock.unlock();
      {
        std::lock_guard lock(mu_);
        CommitGroup(group);
      }
      queue_lock.lock();
      leading_ = false;
      for (Pending* p : group) p->done = true;
      queue_cv_.notify_all();
    }
    return mine.status;
  }

  // One change through Grouped: `change()` (an absl::StatusOr<T>) runs inside the
  // group's transaction; its value is returned once the COMMIT holding it has.
  template <typename T, typename Change>
  absl::StatusOr<T> GroupedChange(Change change) {
    return internal::ChangeValue<T>([&](auto body) { return Grouped(body); }, change);
  }

  void CommitGroup(const std::vector<Pending*>& group) {
    if (group.size() == 1) {
      group[0]->status = InTransaction(group[0]->body);
      return;
    }
    const absl::Status s = InTransaction([&]() -> absl::Status {
      for (Pending* p : group) {
        if (absl::Status sp = Exec("SAVEPOINT change", "starting a change"); !sp.ok()) return sp;
        p->status = p->body();
        if (!p->status.ok()) {
          if (absl::Status rb = Exec("ROLLBACK TO change", "undoing a change"); !rb.ok())
            return rb;
        }
        if (absl::Status rl = Exec("RELEASE change", "ending a change"); !rl.ok()) return rl;
      }
      return absl::OkStatus();
    });
    // Nothing of the group is committed when the transaction fails: every caller
    // whose change had succeeded inside it gets the failure.
    if (!s.ok())
      for (Pending* p : group)
        if (p->status.ok()) p->status = s;
  }

  absl::Status SetCapacityInTx(std::string_view provider_id, std::optional<int64_t> capacity,
                               CapacityPeriod period) {
    if (absl::Status s = internal::CheckCapacityArguments(provider_id, capacity); !s.ok()) {
      return s;
    }
    int64_t active = 0;
    {
      Statement& q = Stmt("SELECT active FROM providers WHERE provider_id = ?1");
      ResetOnExit reset{q};
      q.Bind(1, provider_id);
      const int rc = q.Step();
      if (rc == SQLITE_ROW) active = q.Int(0);
      else if (rc != SQLITE_DONE) return SqliteError(db_, rc, "reading a provider");
    }
    if (absl::Status s =
            internal::CheckCapacityCoversActive(provider_id, capacity, period, active);
        !s.ok()) {
      return s;
    }
    Statement& u = Stmt(
        "INSERT INTO providers(provider_id, capacity, active, capacity_period) "
        "VALUES(?1, ?2, 0, ?3) ON CONFLICT(provider_id) DO UPDATE SET "
        "capacity = excluded.capacity, capacity_period = excluded.capacity_period");
    ResetOnExit reset{u};
    u.Bind(1, provider_id);
    if (capacity) u.Bind(2, *capacity);
    else u.BindNull(2);
    u.Bind(3, CapacityPeriodCode(period));
    const int rc = u.Step();
    if (rc != SQLITE_DONE) return SqliteError(db_, rc, "writing a provider");
    return absl::OkStatus();
  }

  // Takes a slot at the provider (delta +1, refused when full) or frees one (-1);
  // `at_ms` is the time of the event that takes it (a per-period model counts the
  // period holding it).
  absl::Status AdjustActive(const std::string& provider_id, int delta,
                            const std::string& referral_id, int64_t at_ms) {
    if (delta > 0) {
      Statement& q = Stmt(
          "SELECT capacity, active, capacity_period FROM providers WHERE provider_id = ?1");
      ResetOnExit reset{q};
      q.Bind(1, provider_id);
      const int rc = q.Step();
      if (rc == SQLITE_DONE) return internal::NoCapacityOnRecordError(referral_id, provider_id);
      if (rc != SQLITE_ROW) return SqliteError(db_, rc, "reading a provider");
      internal::ProviderSlots slots;
      if (!q.IsNull(0)) slots.capacity = q.Int(0);
      slots.active = q.Int(1);
      slots.period = CapacityPeriodFromCode(q.Text(2)).value_or(CapacityPeriod::kReferral);
      absl::Status free = internal::CheckSlotFree(
          referral_id, provider_id, slots, at_ms,
          [&](const internal::PeriodBounds& bounds) -> absl::StatusOr<int64_t> {
            Statement& c = Stmt(
                "SELECT COUNT(*) FROM referral_state WHERE provider_id = ?1 AND "
                "requested_ms >= ?2 AND requested_ms < ?3 AND NOT (status IN "
                "('rejected','cancelled','entered-in-error') AND updated_ms < ?3)");
            ResetOnExit reset_count{c};
            c.Bind(1, provider_id).Bind(2, bounds.start_ms).Bind(3, bounds.end_ms);
            if (const int crc = c.Step(); crc != SQLITE_ROW)
              return SqliteError(db_, crc, "counting a provider's period");
            return c.Int(0);
          });
      if (!free.ok()) return free;
    }
    Statement& u = Stmt("UPDATE providers SET active = active + ?2 WHERE provider_id = ?1");
    ResetOnExit reset{u};
    u.Bind(1, provider_id).Bind(2, delta);
    const int rc = u.Step();
    if (rc != SQLITE_DONE) return SqliteError(db_, rc, "counting a provider's referrals");
    return absl::OkStatus();
  }

  absl::StatusOr<int64_t> AppendEvent(int64_t row, int64_t at_ms, ReferralActor actor,
                                      std::string_view actor_id,
                                      std::optional<ReferralStatus> from, ReferralStatus to,
                                      const ReferralReason& reason) {
    Statement& e = Stmt(
        "INSERT INTO events(referral, at_ms, actor, actor_id, from_status, to_status, "
        "reason_code, reason_text) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    ResetOnExit reset{e};
    e.Bind(1, row).Bind(2, at_ms).Bind(3, ReferralActorCode(actor)).Bind(4, actor_id);
    if (from) e.Bind(5, ReferralStatusCode(*from));
    else e.BindNull(5);
    e.Bind(6, ReferralStatusCode(to)).Bind(7, ReasonCodeName(reason.code)).Bind(8, reason.text);
    const int rc = e.Step();
    if (rc != SQLITE_DONE) return SqliteError(db_, rc, "appending an event");
    return sqlite3_last_insert_rowid(db_);
  }

  absl::StatusOr<ReferralRecord> CreateInTx(const NewReferral& in) {
    if (absl::Status s = internal::CheckNewReferral(in); !s.ok()) return s;
    ReferralRecord record;
    record.referral = in;
    const absl::Time at = in.at.value_or(absl::Now());
    const int64_t at_ms = ToMs(at);
    record.referral.at = FromMs(at_ms);
    if (record.referral.id.empty()) {
      Statement& q = Stmt("SELECT COALESCE(MAX(id), 0) + 1 FROM referrals");
      ResetOnExit reset{q};
      if (const int rc = q.Step(); rc != SQLITE_ROW)
        return SqliteError(db_, rc, "numbering a referral");
      record.referral.id = Cat("r", q.Int(0));
    }
    const std::string& id = record.referral.id;
    std::string request_bytes;
    if (in.request) {
      v1::Request proto;
      in.request->ToProto(&proto);
      request_bytes = proto.SerializeAsString();
    }
    {
      Statement& q = Stmt(
          "INSERT INTO referrals(referral_id, request_id, provider_id, location_id, desk_id, "
          "topics, postcode_area, municipality, mode, previous_id, request, created_ms) "
          "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT DO NOTHING");
      ResetOnExit reset{q};
      q.Bind(1, id).Bind(2, in.request_id).Bind(3, in.provider_id).Bind(4, in.location_id);
      q.Bind(5, in.desk_id).Bind(6, ToString(in.topics)).Bind(7, in.postcode_area);
      q.Bind(8, in.municipality).Bind(9, ModeCode(in.mode)).Bind(10, in.previous_id);
      if (in.request) q.BindBlob(11, request_bytes);
      else q.BindNull(11);
      q.Bind(12, at_ms);
      const int rc = q.Step();
      if (rc != SQLITE_DONE) return SqliteError(db_, rc, Cat("writing referral ", id));
      if (sqlite3_changes(db_) == 0) {
        return absl::AlreadyExistsError(
            in.previous_id.empty()
                ? Cat("referral ", id, " already exists")
                : Cat("referral ", id, " already exists, or referral ", in.previous_id,
                      " already has a next referral"));
      }
    }
    const int64_t row = sqlite3_last_insert_rowid(db_);
    {
      // After the insert, so that a used id is still reported as such; the new row
      // has no state yet, so it does not find itself.
      static const std::string* const sql = new std::string(Cat(
          "SELECT r.referral_id FROM referrals r JOIN referral_state s ON s.referral = r.id "
          "WHERE r.desk_id = ?1 AND r.request_id = ?2 AND ", kOpenCondition, " LIMIT 1"));
      Statement& q = Stmt(*sql);
      ResetOnExit reset{q};
      q.Bind(1, in.desk_id).Bind(2, in.request_id);
      const int rc = q.Step();
      if (rc == SQLITE_ROW) return internal::RequestAlreadyReferred(record.referral, q.Text(0));
      if (rc != SQLITE_DONE) return SqliteError(db_, rc, "reading the request's referrals");
    }
    if (HoldsSlot(in.initial)) {
      if (absl::Status s = AdjustActive(in.provider_id, +1, id, at_ms); !s.ok()) return s;
    }
    absl::StatusOr<int64_t> seq =
        AppendEvent(row, at_ms, ReferralActor::kReferringDesk, in.desk_id, std::nullopt,
                    in.initial, {});
    if (!seq.ok()) return seq.status();
    {
      Statement& q = Stmt(
          "INSERT INTO referral_state(referral, provider_id, desk_id, status, updated_ms, "
          "last_seq, reason_code, reason_text, requested_ms) "
          "VALUES(?1, ?2, ?3, ?4, ?5, ?6, '', '', ?7)");
      ResetOnExit reset{q};
      q.Bind(1, row).Bind(2, in.provider_id).Bind(3, in.desk_id);
      q.Bind(4, ReferralStatusCode(in.initial)).Bind(5, at_ms).Bind(6, *seq);
      if (in.initial == ReferralStatus::kRequested) q.Bind(7, at_ms);
      else q.BindNull(7);
      const int rc = q.Step();
      if (rc != SQLITE_DONE) return SqliteError(db_, rc, "writing a referral's state");
    }
    internal::FinishCreatedRecord(*seq, &record);
    return record;
  }

  absl::StatusOr<ReferralEvent> ApplyInTx(const ReferralTransition& t) {
    int64_t row = 0, last_ms = 0;
    std::string provider_id, desk_id;
    ReferralStatus from;
    {
      Statement& q = Stmt(
          "SELECT s.referral, s.provider_id, s.desk_id, s.status, s.updated_ms FROM referrals r "
          "JOIN referral_state s ON s.referral = r.id WHERE r.referral_id = ?1");
      ResetOnExit reset{q};
      q.Bind(1, t.referral_id);
      const int rc = q.Step();
      if (rc == SQLITE_DONE)
        return absl::NotFoundError(Cat("referral store ", path_, ": no referral ",
                                       t.referral_id));
      if (rc != SQLITE_ROW) return SqliteError(db_, rc, "reading a referral");
      row = q.Int(0);
      provider_id = q.Text(1);
      desk_id = q.Text(2);
      from = StatusFromCode(q.Text(3));
      last_ms = q.Int(4);
    }
    absl::StatusOr<internal::CheckedTransition> checked =
        internal::CheckApply(t, from, provider_id, desk_id, last_ms);
    if (!checked.ok()) return checked.status();
    const int64_t at_ms = checked->at_ms;
    if (checked->delta != 0) {
      if (absl::Status s = AdjustActive(provider_id, checked->delta, t.referral_id, at_ms);
          !s.ok())
        return s;
    }
    absl::StatusOr<int64_t> seq =
        AppendEvent(row, at_ms, t.actor, checked->actor_id, from, t.to, t.reason);
    if (!seq.ok()) return seq.status();
    {
      // The reason kept is the last one given (an event without one keeps it).
      Statement& q = Stmt(
          "UPDATE referral_state SET status = ?2, updated_ms = ?3, last_seq = ?4, "
          "reason_code = CASE WHEN ?5 = '' THEN reason_code ELSE ?5 END, "
          "reason_text = CASE WHEN ?5 = '' THEN reason_text ELSE ?6 END, "
          "requested_ms = CASE WHEN ?2 = 'requested' THEN ?3 ELSE requested_ms END "
          "WHERE referral = ?1");
      ResetOnExit reset{q};
      q.Bind(1, row).Bind(2, ReferralStatusCode(t.to)).Bind(3, at_ms).Bind(4, *seq);
      q.Bind(5, ReasonCodeName(t.reason.code)).Bind(6, t.reason.text);
      const int rc = q.Step();
      if (rc != SQLITE_DONE) return SqliteError(db_, rc, "updating a referral's state");
    }
    return internal::AppliedEvent(t, *checked, from, *seq);
  }

  absl::StatusOr<std::vector<ReferralRecord>> OpenOf(std::string_view column,
                                                     std::string_view id) {
    std::lock_guard lock(mu_);
    std::vector<ReferralRecord> records;
    Statement& q = Stmt(Cat(kRecordSelect, " WHERE s.", column, " = ?1 AND ", kOpenCondition,
                            " ORDER BY r.referral_id"));
    ResetOnExit reset{q};
    q.Bind(1, id);
    if (absl::Status s = ReadRecords(q, &records); !s.ok()) return s;
    return records;
  }

  absl::Status ReadRecords(Statement& q, std::vector<ReferralRecord>* out,
                           int64_t* row = nullptr) {
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) {
      ReferralRecord r;
      NewReferral& n = r.referral;
      n.id = q.Text(0);
      n.request_id = q.Text(1);
      n.provider_id = q.Text(2);
      n.location_id = q.Text(3);
      n.desk_id = q.Text(4);
      const std::string topics = q.Text(5);  // SplitCodes' views point into it
      for (std::string_view code : SplitCodes(topics)) {
        if (auto topic = TopicFromCode(code)) n.topics.Add(*topic);
      }
      n.postcode_area = q.Text(6);
      n.municipality = q.Text(7);
      n.mode = ModeFromCode(q.Text(8)).value_or(Mode::kInPerson);
      n.previous_id = q.Text(9);
      if (!q.IsNull(10)) {
        v1::Request proto;
        const std::string bytes = q.Blob(10);
        if (!proto.ParseFromString(bytes))
          return absl::DataLossError(Cat("referral ", n.id, ": the kept request is unreadable"));
        absl::StatusOr<Request> request = Request::FromProto(proto);
        if (!request.ok()) return Annotate(request.status(), Cat("referral ", n.id));
        n.request = *std::move(request);
      }
      n.at = FromMs(q.Int(11));
      r.status = StatusFromCode(q.Text(12));
      r.updated = FromMs(q.Int(13));
      r.last_sequence = q.Int(14);
      r.last_reason.code = ParseReasonCode(q.Text(15)).value_or(ReasonCode::kOther);
      r.last_reason.text = q.Text(16);
      // Not a column: Get() fills it from the history's first event.
      n.initial = ReferralStatus::kDraft;
      if (row != nullptr) *row = q.Int(17);
      out->push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return SqliteError(db_, rc, "reading referrals");
    return absl::OkStatus();
  }

  // One event row: its seq in column `seq`, then at_ms, actor, actor_id, from_status,
  // to_status, reason_code and reason_text from column `at` on.
  static internal::EventColumns EventAt(const Statement& q, int seq, int at,
                                        std::string referral_id) {
    return {.seq = q.Int(seq),
            .referral_id = std::move(referral_id),
            .at_ms = q.Int(at),
            .actor = q.Text(at + 1),
            .actor_id = q.Text(at + 2),
            .from = q.IsNull(at + 3) ? std::nullopt : std::optional<std::string>(q.Text(at + 3)),
            .to = q.Text(at + 4),
            .reason_code = q.Text(at + 5),
            .reason_text = q.Text(at + 6)};
  }

  absl::Status ReadEvents(Statement& q, std::vector<ReferralEvent>* out) {
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) {
      absl::StatusOr<ReferralEvent> e = internal::DecodeEvent(path_, EventAt(q, 0, 2, q.Text(1)));
      if (!e.ok()) return e.status();
      out->push_back(*std::move(e));
    }
    if (rc != SQLITE_DONE) return SqliteError(db_, rc, "reading events");
    return absl::OkStatus();
  }

  // Calls `visit(events of one referral)` for each referral in id order, folding
  // through the log once; `meta` gets the referral's row of `referrals`.
  // The referral a log scan joins to its events (the same row the PostgreSQL store
  // scans), so the outcome tally is the backends' one (log_scan.h).
  using ReferralMeta = internal::LoggedReferral;
  template <typename Visit>
  absl::Status ScanLog(Visit visit) {
    Statement& q = Stmt(
        "SELECT e.referral, r.referral_id, r.provider_id, r.topics, r.postcode_area, "
        "r.created_ms, e.seq, e.at_ms, e.actor, e.actor_id, e.from_status, e.to_status, "
        "e.reason_code, e.reason_text FROM events e JOIN referrals r ON r.id = e.referral "
        "ORDER BY e.referral, e.seq");
    ResetOnExit reset{q};
    ReferralMeta meta;
    std::vector<ReferralEvent> events;
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) {
      const int64_t row = q.Int(0);
      if (!events.empty() && row != meta.row) {
        if (absl::Status s = visit(meta, events); !s.ok()) return s;
        events.clear();
      }
      if (events.empty()) {
        meta = {row, q.Text(1), q.Text(2), q.Text(3), q.Text(4), q.Int(5)};
      }
      absl::StatusOr<ReferralEvent> e = internal::DecodeEvent(path_, EventAt(q, 6, 7, meta.id));
      if (!e.ok()) return e.status();
      events.push_back(*std::move(e));
    }
    if (rc != SQLITE_DONE) return SqliteError(db_, rc, "reading the log");
    if (!events.empty()) return visit(meta, events);
    return absl::OkStatus();
  }

  std::string path_;
  ReferralStoreOptions options_;
  sqlite3* db_ = nullptr;
  std::mutex mu_;  // Guards db_ and statements_: one connection, one call at a time.
  // The group commit's queue (see Grouped); queue_mu_ is never held while waiting
  // for mu_ or the database.
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<Pending*> queue_;
  bool leading_ = false;
  std::map<std::string, std::unique_ptr<Statement>> statements_;
  absl::flat_hash_map<const char*, Statement*> literal_statements_;
};

absl::Status SqliteStore::Open() {
  const int rc = sqlite3_open_v2(path_.c_str(), &db_,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    return absl::UnavailableError(Cat("referral store ", path_, ": cannot open: ",
                                      db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory"));
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, static_cast<int>(absl::ToInt64Milliseconds(options_.busy_timeout)));
  // journal_mode answers with a row; sqlite3_exec ignores it. On a file that is not
  // a database this is where SQLITE_NOTADB appears.
  if (absl::Status s = Exec("PRAGMA journal_mode=WAL", "setting WAL"); !s.ok()) {
    if (s.code() == absl::StatusCode::kDataLoss)
      return absl::DataLossError(Cat("referral store ", path_, ": not a SQLite database"));
    return s;
  }
  if (absl::Status s = Exec(options_.durable ? "PRAGMA synchronous=FULL"
                                             : "PRAGMA synchronous=OFF",
                            "setting synchronous");
      !s.ok())
    return s;
  // 64 MiB of page cache (SQLite's default is 2 MiB): a large store's indexes stay
  // in memory.
  if (absl::Status s = Exec("PRAGMA cache_size=-65536", "setting the cache"); !s.ok()) return s;
  // The schema: created or migrated in one transaction, under the write lock, so two
  // processes opening a new file at once do not both create it.
  return InTransaction([&]() -> absl::Status {
    int64_t version = 0;
    bool has_version_table = false, has_other_tables = false;
    {
      Statement& q = Stmt("SELECT name FROM sqlite_master WHERE type = 'table'");
      ResetOnExit reset{q};
      int step;
      while ((step = q.Step()) == SQLITE_ROW) {
        if (q.Text(0) == "wegwijzer_schema") has_version_table = true;
        else has_other_tables = true;
      }
      if (step != SQLITE_DONE) {
        if ((step & 0xff) == SQLITE_NOTADB)
          return absl::DataLossError(Cat("referral store ", path_, ": not a SQLite database"));
        return SqliteError(db_, step, Cat(path_, ": reading the schema"));
      }
    }
    if (!has_version_table) {
      if (has_other_tables) {
        return absl::DataLossError(Cat("referral store ", path_,
                                       ": a SQLite database, but not a Wegwijzer referral store "
                                       "(no wegwijzer_schema table)"));
      }
      if (absl::Status s = Exec("CREATE TABLE wegwijzer_schema(version INTEGER NOT NULL); "
                                "INSERT INTO wegwijzer_schema VALUES(0)",
                                "creating the schema table");
          !s.ok())
        return s;
    } else {
      Statement& q = Stmt("SELECT version FROM wegwijzer_schema");
      ResetOnExit reset{q};
      const int step = q.Step();
      if (step != SQLITE_ROW)
        return absl::DataLossError(Cat("referral store ", path_, ": no schema version"));
      version = q.Int(0);
    }
    const int64_t latest = static_cast<int64_t>(Migrations().size());
    if (version > latest) {
      return absl::FailedPreconditionError(
          Cat("referral store ", path_, ": schema version ", version,
              " was written by a newer Wegwijzer (this one knows up to ", latest, ")"));
    }
    for (int64_t v = version + 1; v <= latest; ++v) {
      if (absl::Status s = Exec(Migrations()[v - 1], Cat("migrating to schema version ", v));
          !s.ok())
        return s;
    }
    if (version != latest) {
      return Exec(Cat("UPDATE wegwijzer_schema SET version = ", latest), "recording the version");
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<OutcomeRow>> SqliteStore::Outcomes() {
  std::lock_guard lock(mu_);
  internal::OutcomeTally tally;
  absl::Status s = ScanLog([&](const ReferralMeta& meta,
                               const std::vector<ReferralEvent>& events) -> absl::Status {
    tally.Add(meta, events);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return std::move(tally).Rows();
}

absl::Status SqliteStore::Verify() {
  std::lock_guard lock(mu_);
  // One read transaction, so the log and the kept state are the same snapshot.
  if (absl::Status s = Exec("BEGIN", "beginning a read"); !s.ok()) return s;
  absl::Status result = [&]() -> absl::Status {
    absl::flat_hash_map<int64_t, std::pair<ReferralStatus, int64_t>> folded;  // row -> state, seq
    absl::flat_hash_map<std::string, int64_t> active;
    absl::Status s = ScanLog([&](const ReferralMeta& meta,
                                 const std::vector<ReferralEvent>& events) -> absl::Status {
      absl::StatusOr<ReferralStatus> state = FoldReferralEvents(events);
      if (!state.ok()) return state.status();
      folded[meta.row] = {*state, events.back().sequence};
      if (HoldsSlot(*state)) ++active[meta.provider_id];
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    {
      Statement& q = Stmt("SELECT s.referral, r.referral_id, s.status, s.last_seq FROM "
                          "referral_state s JOIN referrals r ON r.id = s.referral");
      ResetOnExit reset{q};
      int64_t states = 0;
      int rc;
      while ((rc = q.Step()) == SQLITE_ROW) {
        ++states;
        auto it = folded.find(q.Int(0));
        if (it == folded.end())
          return absl::DataLossError(Cat("referral ", q.Text(1), " has a state but no events"));
        if (ReferralStatusCode(it->second.first) != q.Text(2) || it->second.second != q.Int(3)) {
          return absl::DataLossError(Cat("referral ", q.Text(1), ": kept state ", q.Text(2),
                                         " at event ", q.Int(3), ", the log folds to ",
                                         ReferralStatusCode(it->second.first), " at event ",
                                         it->second.second));
        }
      }
      if (rc != SQLITE_DONE) return SqliteError(db_, rc, "reading states");
      if (states != static_cast<int64_t>(folded.size()))
        return absl::DataLossError(Cat("the log has ", folded.size(), " referrals, the state "
                                       "table ", states));
    }
    // Over capacity is a count of active referrals only in the per-referral model.
    Statement& q = Stmt(
        "SELECT provider_id, CASE WHEN capacity_period = 'referral' THEN capacity END, active "
        "FROM providers");
    ResetOnExit reset{q};
    int rc;
    int64_t counted = 0;
    while ((rc = q.Step()) == SQLITE_ROW) {
      const std::string id = q.Text(0);
      auto it = active.find(id);
      const int64_t expected = it == active.end() ? 0 : it->second;
      if (it != active.end()) ++counted;
      if (q.Int(2) != expected) {
        return absl::DataLossError(Cat("provider ", id, ": ", q.Int(2), " active kept, ",
                                       expected, " in the log"));
      }
      if (!q.IsNull(1) && expected > q.Int(1)) {
        return absl::DataLossError(Cat("provider ", id, " is over capacity: ", expected,
                                       " active, capacity ", q.Int(1)));
      }
    }
    if (rc != SQLITE_DONE) return SqliteError(db_, rc, "reading providers");
    if (counted != static_cast<int64_t>(active.size()))
      return absl::DataLossError("the log has active referrals at a provider with no record");
    return absl::OkStatus();
  }();
  (void)Exec("COMMIT", "ending a read");
  return result;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ReferralStore>> OpenSqliteStore(
    const std::string& path, const ReferralStoreOptions& options) {
  auto store = std::make_unique<SqliteStore>(path, options);
  if (absl::Status s = store->Open(); !s.ok()) return s;
  return std::unique_ptr<ReferralStore>(std::move(store));
}

}  // namespace wegwijzer
