// The PostgreSQL backend of ReferralStore (libpq), for desks that share one database.
//
// Schema (version 3, as the SQLite store's numbering), the same ideas:
//   wegwijzer_schema(version)                     one row
//   wegwijzer_log_head(seq)                       one row: the last event's sequence
//   providers(provider_id PRIMARY KEY, capacity, active)
//       capacity NULL = unlimited; active = the provider's active referrals (derived)
//   referrals(id PRIMARY KEY, referral_id UNIQUE, ...)        insert only
//   events(seq PRIMARY KEY, referral, at_ms, actor, ...)      insert only
//   referral_state(referral PRIMARY KEY, status, ...)         derived
// Triggers refuse UPDATE, DELETE and TRUNCATE on referrals and events, so "append
// only" is the database's rule. referral_state and providers.active are the fold
// of the log, written in the transaction that appends each event.
//
// Concurrency (row locks, READ COMMITTED): every write transaction first locks
// the log head row (SELECT ... FOR UPDATE). That serialises the writers of all
// connections and processes, as SQLite's BEGIN IMMEDIATE does, and gives the log
// gap-free sequence numbers in commit order (a PostgreSQL sequence would leave
// gaps at rollbacks and hand out numbers out of commit order, so a reader paging
// with Events(after, ...) could miss an event). The capacity check locks the
// provider's row too (SELECT capacity, active ... FOR UPDATE) before it compares
// and adds, so the check and the slot it takes are one step even without the head
// lock. Readers are not blocked. No SERIALIZABLE retries are needed: the head lock
// is always taken first, so writers cannot deadlock.
// Durability: durable = true commits with synchronous_commit = on (the server's
// WAL is flushed before COMMIT returns); false sets it off for this session.
#include <libpq-fe.h>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/text.h"
#include "referral/log_scan.h"
#include "wegwijzer/referral_store.h"
#include "wegwijzer/v1/request.pb.h"

namespace wegwijzer {
namespace {

using internal::Cat;

constexpr int kHeadLockKey = 0x5767;  // Advisory lock of schema creation ("Wg").

// Migration i (1-based) brings a store from version i - 1 to version i.
const std::vector<std::string>& Migrations() {
  static const auto* migrations = new std::vector<std::string>{
      // 1: the first schema.
      R"sql(
CREATE TABLE wegwijzer_log_head(seq BIGINT NOT NULL);
INSERT INTO wegwijzer_log_head VALUES(0);
CREATE TABLE providers(
  provider_id TEXT PRIMARY KEY,
  capacity BIGINT,
  active BIGINT NOT NULL DEFAULT 0 CHECK (active >= 0)
);
CREATE TABLE referrals(
  id BIGINT PRIMARY KEY,
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
  request BYTEA,
  created_ms BIGINT NOT NULL
);
CREATE UNIQUE INDEX referrals_next ON referrals(previous_id) WHERE previous_id <> '';
CREATE TABLE events(
  seq BIGINT PRIMARY KEY,
  referral BIGINT NOT NULL REFERENCES referrals(id),
  at_ms BIGINT NOT NULL,
  actor TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  from_status TEXT,
  to_status TEXT NOT NULL,
  reason_code TEXT NOT NULL,
  reason_text TEXT NOT NULL
);
CREATE INDEX events_by_referral ON events(referral, seq);
CREATE TABLE referral_state(
  referral BIGINT PRIMARY KEY REFERENCES referrals(id),
  provider_id TEXT NOT NULL,
  desk_id TEXT NOT NULL,
  status TEXT NOT NULL,
  updated_ms BIGINT NOT NULL,
  last_seq BIGINT NOT NULL,
  reason_code TEXT NOT NULL,
  reason_text TEXT NOT NULL,
  requested_ms BIGINT
);
CREATE INDEX state_open_by_provider ON referral_state(provider_id)
  WHERE status IN ('draft','requested','accepted','in-progress','on-hold');
CREATE INDEX state_open_by_desk ON referral_state(desk_id)
  WHERE status IN ('draft','requested','accepted','in-progress','on-hold');
CREATE INDEX state_requested ON referral_state(requested_ms) WHERE status = 'requested';
CREATE FUNCTION wegwijzer_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'events' THEN
    RAISE EXCEPTION 'the referral log is append-only';
  END IF;
  RAISE EXCEPTION 'referrals are written once';
END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION wegwijzer_append_only();
CREATE TRIGGER events_append_only_t BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION wegwijzer_append_only();
CREATE TRIGGER referrals_append_only BEFORE UPDATE OR DELETE ON referrals
  FOR EACH ROW EXECUTE FUNCTION wegwijzer_append_only();
CREATE TRIGGER referrals_append_only_t BEFORE TRUNCATE ON referrals
  FOR EACH STATEMENT EXECUTE FUNCTION wegwijzer_append_only();
)sql",
      // 2: SQLite's version 2 rewrote its open-referral indexes; PostgreSQL's
      // were right from version 1. Kept so both backends number versions alike.
      "SELECT 1;",
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

// One parameter of a query: text, or bytes (bytea, sent binary), or NULL.
struct Param {
  Param() : null(true) {}
  Param(std::string_view v) : value(v) {}  // NOLINT: implicit on purpose
  Param(const std::string& v) : value(v) {}  // NOLINT
  Param(const char* v) : value(v) {}  // NOLINT
  Param(int64_t v) : value(std::to_string(v)) {}  // NOLINT
  static Param Bytes(std::string v) {
    Param p{std::string_view(v)};
    p.binary = true;
    return p;
  }
  std::string value;
  bool null = false, binary = false;
};

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// Text of a result cell ("" for NULL).
std::string Text(const PGresult* r, int row, int col) {
  return std::string(PQgetvalue(r, row, col), static_cast<size_t>(PQgetlength(r, row, col)));
}
int64_t Int(const PGresult* r, int row, int col) {
  return std::strtoll(PQgetvalue(r, row, col), nullptr, 10);
}
bool IsNull(const PGresult* r, int row, int col) { return PQgetisnull(r, row, col) != 0; }
std::string Bytes(const PGresult* r, int row, int col) {
  size_t n = 0;
  unsigned char* bytes =
      PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(r, row, col)), &n);
  if (bytes == nullptr) return {};
  std::string out(reinterpret_cast<const char*>(bytes), n);
  PQfreemem(bytes);
  return out;
}

using internal::StatusFromCode;

// The conninfo without a password, for messages.
std::string Describe(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    PQfreemem(error);
    return "postgresql (unparsable conninfo)";
  }
  std::string host, port, dbname;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    if (std::strcmp(o->keyword, "host") == 0) host = o->val;
    if (std::strcmp(o->keyword, "port") == 0) port = o->val;
    if (std::strcmp(o->keyword, "dbname") == 0) dbname = o->val;
  }
  PQconninfoFree(options);
  return Cat("postgresql://", host, port.empty() ? "" : ":", port, "/", dbname);
}

class PostgresStore final : public ReferralStore {
 public:
  PostgresStore(std::string conninfo, ReferralStoreOptions options)
      : conninfo_(std::move(conninfo)), where_(Describe(conninfo_)), options_(options) {}
  ~PostgresStore() override {
    if (conn_ != nullptr) PQfinish(conn_);
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
    return Transact<ReferralRecord>([&]() { return CreateInTx(referral); });
  }

  absl::StatusOr<ReferralEvent> Apply(const ReferralTransition& transition) override {
    return Transact<ReferralEvent>([&]() { return ApplyInTx(transition); });
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
      absl::StatusOr<Result> r = Run(
          "finding overdue referrals",
          "SELECT r.referral_id FROM referral_state s JOIN referrals r ON r.id = s.referral "
          "WHERE s.status = 'requested' AND s.requested_ms <= $1 ORDER BY s.requested_ms, r.id",
          {ToMs(now - options_.expire_after)});
      if (!r.ok()) return r.status();
      const std::string text =
          Cat("unanswered for ", absl::FormatDuration(options_.expire_after));
      for (int i = 0; i < PQntuples(r->get()); ++i) {
        ReferralTransition t{.referral_id = Text(r->get(), i, 0),
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
    ReferralRecord record;
    // One snapshot: the history and the state agree.
    absl::Status s = InReadTransaction([&]() -> absl::Status {
      std::vector<ReferralRecord> records;
      int64_t row = 0;
      absl::StatusOr<Result> r = Run("reading a referral",
                                     Cat(kRecordSelect, " WHERE r.referral_id = $1"),
                                     {referral_id});
      if (!r.ok()) return r.status();
      if (absl::Status read = ReadRecords(r->get(), &records, &row); !read.ok()) return read;
      if (records.empty())
        return absl::NotFoundError(Cat("referral store ", where_, ": no referral ",
                                       referral_id));
      absl::StatusOr<Result> e = Run("reading a history",
                                     Cat(kEventSelect, " WHERE e.referral = $1 ORDER BY e.seq"),
                                     {row});
      if (!e.ok()) return e.status();
      if (absl::Status read = ReadEvents(e->get(), &records[0].history); !read.ok())
        return read;
      if (!records[0].history.empty()) records[0].referral.initial = records[0].history[0].to;
      record = std::move(records[0]);
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return record;
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
    if (absl::Status s = Reconnect(); !s.ok()) return s;
    std::vector<ReferralRecord> records;
    absl::StatusOr<Result> r =
        Run("reading overdue referrals",
            Cat(kRecordSelect,
                " WHERE s.status = 'requested' AND s.requested_ms <= $1 "
                "ORDER BY s.requested_ms, r.referral_id COLLATE \"C\""),
            {ToMs(now - age)});
    if (!r.ok()) return r.status();
    if (absl::Status s = ReadRecords(r->get(), &records); !s.ok()) return s;
    return records;
  }

  absl::StatusOr<int64_t> ActiveCount(std::string_view provider_id) override {
    std::lock_guard lock(mu_);
    if (absl::Status s = Reconnect(); !s.ok()) return s;
    absl::StatusOr<Result> r = Run(
        "reading a provider", "SELECT active FROM providers WHERE provider_id = $1",
        {provider_id});
    if (!r.ok()) return r.status();
    if (PQntuples(r->get()) == 0)
      return absl::NotFoundError(Cat("referral store ", where_, ": no provider ", provider_id));
    return Int(r->get(), 0, 0);
  }

  absl::StatusOr<std::vector<ReferralEvent>> Events(int64_t after, int64_t limit) override {
    std::lock_guard lock(mu_);
    if (absl::Status s = Reconnect(); !s.ok()) return s;
    std::vector<ReferralEvent> events;
    absl::StatusOr<Result> r =
        Run("reading the log", Cat(kEventSelect, " WHERE e.seq > $1 ORDER BY e.seq LIMIT $2"),
            {after, limit});
    if (!r.ok()) return r.status();
    if (absl::Status s = ReadEvents(r->get(), &events); !s.ok()) return s;
    return events;
  }

  absl::StatusOr<std::vector<OutcomeRow>> Outcomes() override {
    std::lock_guard lock(mu_);
    internal::OutcomeTally tally;
    absl::Status s = InReadTransaction([&]() {
      return ScanLog([&](const internal::LoggedReferral& meta,
                         const std::vector<ReferralEvent>& events) {
        tally.Add(meta, events);
        return absl::OkStatus();
      });
    });
    if (!s.ok()) return s;
    return std::move(tally).Rows();
  }

  absl::Status Verify() override;

 private:
  static constexpr const char* kRecordSelect =
      "SELECT r.referral_id, r.request_id, r.provider_id, r.location_id, r.desk_id, r.topics, "
      "r.postcode_area, r.municipality, r.mode, r.previous_id, r.request, r.created_ms, "
      "s.status, s.updated_ms, s.last_seq, s.reason_code, s.reason_text, r.id "
      "FROM referrals r JOIN referral_state s ON s.referral = r.id";
  static constexpr const char* kEventSelect =
      "SELECT e.seq, e.at_ms, e.actor, e.actor_id, e.from_status, e.to_status, e.reason_code, "
      "e.reason_text, r.referral_id FROM events e JOIN referrals r ON r.id = e.referral";

  // The status of a failed command or connection, by what the caller should do.
  absl::Status Error(const PGresult* r, std::string_view what) const {
    const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string detail = r != nullptr ? PQresultErrorMessage(r) : "";
    if (detail.empty()) detail = PQerrorMessage(conn_);
    while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
    const std::string message = Cat("referral store ", where_, ": ", what, ": ", detail);
    const std::string code = state != nullptr ? state : "";
    if (code.empty() || PQstatus(conn_) != CONNECTION_OK || code.rfind("08", 0) == 0)
      return absl::UnavailableError(Cat(message, " (the connection to the server failed)"));
    if (code == "40001" || code == "40P01" || code == "55P03" || code == "57014")
      return absl::UnavailableError(Cat(message, " (another writer held the store too long)"));
    if (code == "XX001" || code == "XX002") return absl::DataLossError(message);
    if (code.rfind("53", 0) == 0) return absl::ResourceExhaustedError(message);
    if (code.rfind("23", 0) == 0 || code == "P0001") return absl::FailedPreconditionError(message);
    return absl::InternalError(message);
  }

  // Runs one command with parameters; results in text, except bytea as escaped text.
  absl::StatusOr<Result> Run(std::string_view what, const std::string& sql,
                             std::initializer_list<Param> params = {}) {
    std::vector<const char*> values;
    std::vector<int> lengths, formats;
    for (const Param& p : params) {
      values.push_back(p.null ? nullptr : p.value.c_str());
      lengths.push_back(static_cast<int>(p.value.size()));
      formats.push_back(p.binary ? 1 : 0);
    }
    Result r(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                          values.data(), lengths.data(), formats.data(), 0));
    const ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return Error(r.get(), what);
    return r;
  }
  absl::Status Exec(std::string_view what, const std::string& sql) {
    Result r(PQexec(conn_, sql.c_str()));
    const ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return Error(r.get(), what);
    return absl::OkStatus();
  }

  static absl::Status Annotate(const absl::Status& s, std::string_view where) {
    return absl::Status(s.code(), Cat(where, ": ", std::string(s.message())));
  }

  // A lost connection (a server restart) is opened again before the next call.
  absl::Status Reconnect() {
    if (PQstatus(conn_) == CONNECTION_OK) return absl::OkStatus();
    PQreset(conn_);
    if (PQstatus(conn_) != CONNECTION_OK)
      return absl::UnavailableError(Cat("referral store ", where_, ": cannot connect: ",
                                        PQerrorMessage(conn_)));
    return SetUpSession();
  }
  absl::Status SetUpSession() {
    return Exec("setting up the session",
                Cat("SET synchronous_commit = ", options_.durable ? "on" : "off",
                    "; SET lock_timeout = ", absl::ToInt64Milliseconds(options_.busy_timeout),
                    "; SET client_min_messages = warning"));
  }

  // A write: BEGIN, the log head locked (every writer takes it first, see the file
  // comment), `body`, the head moved on, COMMIT; a ROLLBACK when anything fails.
  template <typename Body>
  absl::Status InTransaction(Body body) {
    if (absl::Status s = Reconnect(); !s.ok()) return s;
    if (absl::Status s = Exec("beginning a transaction", "BEGIN"); !s.ok()) return s;
    absl::Status s = [&]() -> absl::Status {
      absl::StatusOr<Result> head =
          Run("locking the log", "SELECT seq FROM wegwijzer_log_head FOR UPDATE");
      if (!head.ok()) return head.status();
      if (PQntuples(head->get()) != 1)
        return absl::DataLossError(Cat("referral store ", where_, ": the log head is missing"));
      last_seq_ = Int(head->get(), 0, 0);
      const int64_t first = last_seq_;
      if (absl::Status b = body(); !b.ok()) return b;
      if (last_seq_ != first) {
        absl::StatusOr<Result> moved =
            Run("moving the log head", "UPDATE wegwijzer_log_head SET seq = $1", {last_seq_});
        if (!moved.ok()) return moved.status();
      }
      Result r(PQexec(conn_, "COMMIT"));
      // COMMIT of a transaction that failed answers ROLLBACK without an error.
      if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK ||
          std::strcmp(PQcmdStatus(r.get()), "COMMIT") != 0)
        return Error(r.get(), "committing");
      return absl::OkStatus();
    }();
    if (!s.ok() && PQstatus(conn_) == CONNECTION_OK &&
        PQtransactionStatus(conn_) != PQTRANS_IDLE)
      (void)Exec("rolling back", "ROLLBACK");
    return s;
  }

  // Reads in one snapshot (REPEATABLE READ, read only).
  template <typename Body>
  absl::Status InReadTransaction(Body body) {
    if (absl::Status s = Reconnect(); !s.ok()) return s;
    if (absl::Status s =
            Exec("beginning a read", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        !s.ok())
      return s;
    absl::Status s = body();
    if (PQstatus(conn_) == CONNECTION_OK) (void)Exec("ending a read", s.ok() ? "COMMIT" : "ROLLBACK");
    return s;
  }

  // One change in its own transaction, under the connection's lock: its result, or
  // the transaction's failure.
  template <typename T, typename Change>
  absl::StatusOr<T> Transact(Change change) {
    std::lock_guard lock(mu_);
    return internal::ChangeValue<T>([&](auto body) { return InTransaction(body); }, change);
  }

  absl::Status SetCapacityInTx(std::string_view provider_id, std::optional<int64_t> capacity,
                               CapacityPeriod period) {
    if (absl::Status s = internal::CheckCapacityArguments(provider_id, capacity); !s.ok()) {
      return s;
    }
    absl::StatusOr<Result> r =
        Run("reading a provider", "SELECT active FROM providers WHERE provider_id = $1 FOR UPDATE",
            {provider_id});
    if (!r.ok()) return r.status();
    const int64_t active = PQntuples(r->get()) > 0 ? Int(r->get(), 0, 0) : 0;
    if (absl::Status s =
            internal::CheckCapacityCoversActive(provider_id, capacity, period, active);
        !s.ok()) {
      return s;
    }
    absl::StatusOr<Result> u = Run(
        "writing a provider",
        "INSERT INTO providers(provider_id, capacity, active, capacity_period) "
        "VALUES($1, $2, 0, $3) ON CONFLICT(provider_id) DO UPDATE SET "
        "capacity = excluded.capacity, capacity_period = excluded.capacity_period",
        {provider_id, capacity ? Param(*capacity) : Param(), CapacityPeriodCode(period)});
    return u.status();
  }

  // Takes a slot at the provider (delta +1, refused when full) or frees one (-1);
  // `at_ms` is the time of the event that takes it (a per-period model counts the
  // period holding it). The provider's row stays locked until the commit.
  absl::Status AdjustActive(const std::string& provider_id, int delta,
                            const std::string& referral_id, int64_t at_ms) {
    absl::StatusOr<Result> r = Run(
        "reading a provider",
        "SELECT capacity, active, capacity_period FROM providers WHERE provider_id = $1 "
        "FOR UPDATE",
        {provider_id});
    if (!r.ok()) return r.status();
    const PGresult* q = r->get();
    if (PQntuples(q) == 0) return internal::NoCapacityOnRecordError(referral_id, provider_id);
    if (delta > 0) {
      internal::ProviderSlots slots;
      if (!IsNull(q, 0, 0)) slots.capacity = Int(q, 0, 0);
      slots.active = Int(q, 0, 1);
      slots.period = CapacityPeriodFromCode(Text(q, 0, 2)).value_or(CapacityPeriod::kReferral);
      absl::Status free = internal::CheckSlotFree(
          referral_id, provider_id, slots, at_ms,
          [&](const internal::PeriodBounds& bounds) -> absl::StatusOr<int64_t> {
            absl::StatusOr<Result> c = Run(
                "counting a provider's period",
                "SELECT COUNT(*) FROM referral_state WHERE provider_id = $1 AND "
                "requested_ms >= $2 AND requested_ms < $3 AND NOT (status IN "
                "('rejected','cancelled','entered-in-error') AND updated_ms < $3)",
                {provider_id, bounds.start_ms, bounds.end_ms});
            if (!c.ok()) return c.status();
            return Int(c->get(), 0, 0);
          });
      if (!free.ok()) return free;
    }
    absl::StatusOr<Result> u =
        Run("counting a provider's referrals",
            "UPDATE providers SET active = active + $2 WHERE provider_id = $1",
            {provider_id, int64_t{delta}});
    return u.status();
  }

  absl::StatusOr<int64_t> AppendEvent(int64_t row, int64_t at_ms, ReferralActor actor,
                                      std::string_view actor_id,
                                      std::optional<ReferralStatus> from, ReferralStatus to,
                                      const ReferralReason& reason) {
    const int64_t seq = last_seq_ + 1;
    absl::StatusOr<Result> r = Run(
        "appending an event",
        "INSERT INTO events(seq, referral, at_ms, actor, actor_id, from_status, to_status, "
        "reason_code, reason_text) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        {seq, row, at_ms, ReferralActorCode(actor), actor_id,
         from ? Param(ReferralStatusCode(*from)) : Param(), ReferralStatusCode(to),
         ReasonCodeName(reason.code), reason.text});
    if (!r.ok()) return r.status();
    last_seq_ = seq;
    return seq;
  }

  absl::StatusOr<ReferralRecord> CreateInTx(const NewReferral& in) {
    if (absl::Status s = internal::CheckNewReferral(in); !s.ok()) return s;
    ReferralRecord record;
    record.referral = in;
    const absl::Time at = in.at.value_or(absl::Now());
    const int64_t at_ms = ToMs(at);
    record.referral.at = FromMs(at_ms);
    // Row numbers are dense (writers hold the head lock), as SQLite's rowids.
    absl::StatusOr<Result> next =
        Run("numbering a referral", "SELECT COALESCE(MAX(id), 0) + 1 FROM referrals");
    if (!next.ok()) return next.status();
    const int64_t row = Int(next->get(), 0, 0);
    if (record.referral.id.empty()) record.referral.id = Cat("r", row);
    const std::string& id = record.referral.id;
    std::string request_bytes;
    if (in.request) {
      v1::Request proto;
      in.request->ToProto(&proto);
      request_bytes = proto.SerializeAsString();
    }
    {
      absl::StatusOr<Result> r = Run(
          Cat("writing referral ", id),
          "INSERT INTO referrals(id, referral_id, request_id, provider_id, location_id, desk_id, "
          "topics, postcode_area, municipality, mode, previous_id, request, created_ms) "
          "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING",
          {row, id, in.request_id, in.provider_id, in.location_id, in.desk_id,
           ToString(in.topics), in.postcode_area, in.municipality, ModeCode(in.mode),
           in.previous_id, in.request ? Param::Bytes(request_bytes) : Param(), at_ms});
      if (!r.ok()) return r.status();
      if (std::strcmp(PQcmdTuples(r->get()), "0") == 0) {
        return absl::AlreadyExistsError(
            in.previous_id.empty()
                ? Cat("referral ", id, " already exists")
                : Cat("referral ", id, " already exists, or referral ", in.previous_id,
                      " already has a next referral"));
      }
    }
    {
      // After the insert, so that a used id is still reported as such; the new row
      // has no state yet, so it does not find itself. Writers hold the head lock:
      // no other can make an open referral of this request meanwhile.
      absl::StatusOr<Result> open = Run(
          "reading the request's referrals",
          "SELECT r.referral_id FROM referrals r JOIN referral_state s ON s.referral = r.id "
          "WHERE r.desk_id = $1 AND r.request_id = $2 AND s.status IN "
          "('draft','requested','accepted','in-progress','on-hold') LIMIT 1",
          {in.desk_id, in.request_id});
      if (!open.ok()) return open.status();
      if (PQntuples(open->get()) > 0) {
        return internal::RequestAlreadyReferred(record.referral, Text(open->get(), 0, 0));
      }
    }
    if (HoldsSlot(in.initial)) {
      if (absl::Status s = AdjustActive(in.provider_id, +1, id, at_ms); !s.ok()) return s;
    }
    absl::StatusOr<int64_t> seq = AppendEvent(row, at_ms, ReferralActor::kReferringDesk,
                                              in.desk_id, std::nullopt, in.initial, {});
    if (!seq.ok()) return seq.status();
    {
      absl::StatusOr<Result> r = Run(
          "writing a referral's state",
          "INSERT INTO referral_state(referral, provider_id, desk_id, status, updated_ms, "
          "last_seq, reason_code, reason_text, requested_ms) "
          "VALUES($1, $2, $3, $4, $5, $6, '', '', $7)",
          {row, in.provider_id, in.desk_id, ReferralStatusCode(in.initial), at_ms, *seq,
           in.initial == ReferralStatus::kRequested ? Param(at_ms) : Param()});
      if (!r.ok()) return r.status();
    }
    internal::FinishCreatedRecord(*seq, &record);
    return record;
  }

  absl::StatusOr<ReferralEvent> ApplyInTx(const ReferralTransition& t) {
    absl::StatusOr<Result> r = Run(
        "reading a referral",
        "SELECT s.referral, s.provider_id, s.desk_id, s.status, s.updated_ms FROM referrals r "
        "JOIN referral_state s ON s.referral = r.id WHERE r.referral_id = $1",
        {t.referral_id});
    if (!r.ok()) return r.status();
    if (PQntuples(r->get()) == 0)
      return absl::NotFoundError(Cat("referral store ", where_, ": no referral ",
                                     t.referral_id));
    const int64_t row = Int(r->get(), 0, 0);
    const std::string provider_id = Text(r->get(), 0, 1);
    const std::string desk_id = Text(r->get(), 0, 2);
    const ReferralStatus from = StatusFromCode(Text(r->get(), 0, 3));
    const int64_t last_ms = Int(r->get(), 0, 4);
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
    // The reason kept is the last one given (an event without one keeps it).
    absl::StatusOr<Result> u = Run(
        "updating a referral's state",
        "UPDATE referral_state SET status = $2, updated_ms = $3, last_seq = $4, "
        "reason_code = CASE WHEN $5 = '' THEN reason_code ELSE $5 END, "
        "reason_text = CASE WHEN $5 = '' THEN reason_text ELSE $6 END, "
        "requested_ms = CASE WHEN $2 = 'requested' THEN $3 ELSE requested_ms END "
        "WHERE referral = $1",
        {row, ReferralStatusCode(t.to), at_ms, *seq, ReasonCodeName(t.reason.code),
         t.reason.text});
    if (!u.ok()) return u.status();
    return internal::AppliedEvent(t, *checked, from, *seq);
  }

  absl::StatusOr<std::vector<ReferralRecord>> OpenOf(std::string_view column,
                                                     std::string_view id) {
    std::lock_guard lock(mu_);
    if (absl::Status s = Reconnect(); !s.ok()) return s;
    std::vector<ReferralRecord> records;
    // The status list repeats the partial indexes' predicate, so they are used.
    absl::StatusOr<Result> r = Run(
        "reading open referrals",
        Cat(kRecordSelect, " WHERE s.", column,
            " = $1 AND s.status IN ('draft','requested','accepted','in-progress','on-hold') "
            "ORDER BY r.referral_id COLLATE \"C\""),
        {id});
    if (!r.ok()) return r.status();
    if (absl::Status s = ReadRecords(r->get(), &records); !s.ok()) return s;
    return records;
  }

  absl::Status ReadRecords(const PGresult* q, std::vector<ReferralRecord>* out,
                           int64_t* row = nullptr) {
    for (int i = 0; i < PQntuples(q); ++i) {
      ReferralRecord r;
      NewReferral& n = r.referral;
      n.id = Text(q, i, 0);
      n.request_id = Text(q, i, 1);
      n.provider_id = Text(q, i, 2);
      n.location_id = Text(q, i, 3);
      n.desk_id = Text(q, i, 4);
      const std::string topics = Text(q, i, 5);  // SplitCodes' views point into it
      for (std::string_view code : SplitCodes(topics)) {
        if (auto topic = TopicFromCode(code)) n.topics.Add(*topic);
      }
      n.postcode_area = Text(q, i, 6);
      n.municipality = Text(q, i, 7);
      n.mode = ModeFromCode(Text(q, i, 8)).value_or(Mode::kInPerson);
      n.previous_id = Text(q, i, 9);
      if (!IsNull(q, i, 10)) {
        v1::Request proto;
        if (!proto.ParseFromString(Bytes(q, i, 10)))
          return absl::DataLossError(Cat("referral ", n.id, ": the kept request is unreadable"));
        absl::StatusOr<Request> request = Request::FromProto(proto);
        if (!request.ok()) return Annotate(request.status(), Cat("referral ", n.id));
        n.request = *std::move(request);
      }
      n.at = FromMs(Int(q, i, 11));
      r.status = StatusFromCode(Text(q, i, 12));
      r.updated = FromMs(Int(q, i, 13));
      r.last_sequence = Int(q, i, 14);
      r.last_reason.code = ParseReasonCode(Text(q, i, 15)).value_or(ReasonCode::kOther);
      r.last_reason.text = Text(q, i, 16);
      n.initial = ReferralStatus::kDraft;  // Not a column: Get() fills it from the history.
      if (row != nullptr) *row = Int(q, i, 17);
      out->push_back(std::move(r));
    }
    return absl::OkStatus();
  }

  // One event from columns first.. of a row: seq, at_ms, actor, actor_id,
  // from_status, to_status, reason_code, reason_text.
  absl::StatusOr<ReferralEvent> EventAt(const PGresult* q, int i, int first,
                                        std::string referral_id) const {
    return internal::DecodeEvent(
        where_,
        {.seq = Int(q, i, first),
         .referral_id = std::move(referral_id),
         .at_ms = Int(q, i, first + 1),
         .actor = Text(q, i, first + 2),
         .actor_id = Text(q, i, first + 3),
         .from = IsNull(q, i, first + 4) ? std::nullopt
                                         : std::optional<std::string>(Text(q, i, first + 4)),
         .to = Text(q, i, first + 5),
         .reason_code = Text(q, i, first + 6),
         .reason_text = Text(q, i, first + 7)});
  }

  absl::Status ReadEvents(const PGresult* q, std::vector<ReferralEvent>* out) {
    for (int i = 0; i < PQntuples(q); ++i) {
      absl::StatusOr<ReferralEvent> e = EventAt(q, i, 0, Text(q, i, 8));
      if (!e.ok()) return e.status();
      out->push_back(*std::move(e));
    }
    return absl::OkStatus();
  }

  // Calls `visit(referral, its events)` for each referral in row order, streaming
  // the log a row at a time (libpq's single-row mode), so memory stays O(one
  // referral's events). REQUIRES: inside a transaction.
  template <typename Visit>
  absl::Status ScanLog(Visit visit) {
    const char* sql =
        "SELECT e.referral, r.referral_id, r.provider_id, r.topics, r.postcode_area, "
        "r.created_ms, e.seq, e.at_ms, e.actor, e.actor_id, e.from_status, e.to_status, "
        "e.reason_code, e.reason_text FROM events e JOIN referrals r ON r.id = e.referral "
        "ORDER BY e.referral, e.seq";
    if (PQsendQuery(conn_, sql) == 0 || PQsetSingleRowMode(conn_) == 0)
      return Error(nullptr, "reading the log");
    absl::Status status = absl::OkStatus();
    internal::LoggedReferral meta;
    std::vector<ReferralEvent> events;
    // Every result is read, even after a failure, so the connection is free again.
    for (Result r(PQgetResult(conn_)); r != nullptr; r.reset(PQgetResult(conn_))) {
      const ExecStatusType type = PQresultStatus(r.get());
      if (type == PGRES_TUPLES_OK) continue;  // The end of the rows.
      if (type != PGRES_SINGLE_TUPLE) {
        if (status.ok()) status = Error(r.get(), "reading the log");
        continue;
      }
      if (!status.ok()) continue;
      const PGresult* q = r.get();
      const int64_t row = Int(q, 0, 0);
      if (!events.empty() && row != meta.row) {
        status = visit(meta, events);
        events.clear();
        if (!status.ok()) continue;
      }
      if (events.empty()) {
        meta = {row, Text(q, 0, 1), Text(q, 0, 2), Text(q, 0, 3), Text(q, 0, 4), Int(q, 0, 5)};
      }
      absl::StatusOr<ReferralEvent> e = EventAt(q, 0, 6, meta.id);
      if (!e.ok()) {
        status = e.status();
        continue;
      }
      events.push_back(*std::move(e));
    }
    if (!status.ok()) return status;
    if (!events.empty()) return visit(meta, events);
    return absl::OkStatus();
  }

  std::string conninfo_;
  std::string where_;  // The conninfo for messages, without a password.
  ReferralStoreOptions options_;
  PGconn* conn_ = nullptr;
  std::mutex mu_;  // Guards conn_ and last_seq_: one connection, one call at a time.
  int64_t last_seq_ = 0;  // In a write: the sequence of the last event written.
};

absl::Status PostgresStore::Open() {
  conn_ = PQconnectdb(conninfo_.c_str());
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    std::string detail = conn_ != nullptr ? PQerrorMessage(conn_) : "out of memory";
    while (!detail.empty() && detail.back() == '\n') detail.pop_back();
    return absl::UnavailableError(Cat("referral store ", where_, ": cannot connect: ", detail));
  }
  if (absl::Status s = SetUpSession(); !s.ok()) return s;
  // The schema: created or migrated in one transaction under an advisory lock, so
  // two processes opening a new database at once do not both create it.
  if (absl::Status s = Exec("beginning a transaction", "BEGIN"); !s.ok()) return s;
  absl::Status s = [&]() -> absl::Status {
    if (absl::StatusOr<Result> r = Run("locking the schema",
                                       Cat("SELECT pg_advisory_xact_lock(", kHeadLockKey, ")"));
        !r.ok())
      return r.status();
    absl::StatusOr<Result> tables = Run(
        "reading the schema",
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_name IN ('wegwijzer_schema', 'wegwijzer_log_head', 'providers', 'referrals', "
        "'events', 'referral_state')");
    if (!tables.ok()) return tables.status();
    bool has_version_table = false, has_other_tables = false;
    for (int i = 0; i < PQntuples(tables->get()); ++i) {
      if (Text(tables->get(), i, 0) == "wegwijzer_schema") has_version_table = true;
      else has_other_tables = true;
    }
    int64_t version = 0;
    if (!has_version_table) {
      // A database shared with other applications may hold other tables; only
      // tables of ours without the version table are refused.
      if (has_other_tables) {
        return absl::DataLossError(Cat("referral store ", where_,
                                       ": the database has tables named like a referral "
                                       "store's, but not a Wegwijzer referral store "
                                       "(no wegwijzer_schema table)"));
      }
      if (absl::Status c = Exec("creating the schema table",
                                "CREATE TABLE wegwijzer_schema(version INTEGER NOT NULL); "
                                "INSERT INTO wegwijzer_schema VALUES(0)");
          !c.ok())
        return c;
    } else {
      absl::StatusOr<Result> r = Run("reading the schema version",
                                     "SELECT version FROM wegwijzer_schema");
      if (!r.ok()) return r.status();
      if (PQntuples(r->get()) != 1)
        return absl::DataLossError(Cat("referral store ", where_, ": no schema version"));
      version = Int(r->get(), 0, 0);
    }
    const int64_t latest = static_cast<int64_t>(Migrations().size());
    if (version > latest) {
      return absl::FailedPreconditionError(
          Cat("referral store ", where_, ": schema version ", version,
              " was written by a newer Wegwijzer (this one knows up to ", latest, ")"));
    }
    for (int64_t v = version + 1; v <= latest; ++v) {
      if (absl::Status m = Exec(Cat("migrating to schema version ", v), Migrations()[v - 1]);
          !m.ok())
        return m;
    }
    if (version != latest) {
      return Exec("recording the version",
                  Cat("UPDATE wegwijzer_schema SET version = ", latest));
    }
    return absl::OkStatus();
  }();
  if (s.ok()) s = Exec("committing the schema", "COMMIT");
  if (!s.ok() && PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) != PQTRANS_IDLE)
    (void)Exec("rolling back", "ROLLBACK");
  return s;
}

absl::Status PostgresStore::Verify() {
  std::lock_guard lock(mu_);
  // One snapshot: the log and the kept state are read as of the same moment.
  return InReadTransaction([&]() -> absl::Status {
    internal::LogCheck check;
    absl::Status s = ScanLog([&](const internal::LoggedReferral& meta,
                                 const std::vector<ReferralEvent>& events) {
      return check.Add(meta, events);
    });
    if (!s.ok()) return s;
    absl::StatusOr<Result> states =
        Run("reading states",
            "SELECT s.referral, r.referral_id, s.status, s.last_seq FROM "
            "referral_state s JOIN referrals r ON r.id = s.referral");
    if (!states.ok()) return states.status();
    const PGresult* q = states->get();
    for (int i = 0; i < PQntuples(q); ++i) {
      if (absl::Status c = check.CheckState(Int(q, i, 0), Text(q, i, 1), Text(q, i, 2),
                                            Int(q, i, 3));
          !c.ok())
        return c;
    }
    if (absl::Status c = check.CheckStateCount(PQntuples(q)); !c.ok()) return c;
    absl::StatusOr<Result> providers =
        // Over capacity is a count of active referrals only in the per-referral model.
        Run("reading providers",
            "SELECT provider_id, CASE WHEN capacity_period = 'referral' THEN capacity END, "
            "active FROM providers");
    if (!providers.ok()) return providers.status();
    q = providers->get();
    for (int i = 0; i < PQntuples(q); ++i) {
      const std::optional<int64_t> capacity =
          IsNull(q, i, 1) ? std::nullopt : std::optional<int64_t>(Int(q, i, 1));
      if (absl::Status c = check.CheckProvider(Text(q, i, 0), capacity, Int(q, i, 2)); !c.ok())
        return c;
    }
    return check.CheckProviderCount();
  });
}

}  // namespace

absl::StatusOr<std::unique_ptr<ReferralStore>> OpenPostgresStore(
    const std::string& conninfo, const ReferralStoreOptions& options) {
  auto store = std::make_unique<PostgresStore>(conninfo, options);
  if (absl::Status s = store->Open(); !s.ok()) return s;
  return std::unique_ptr<ReferralStore>(std::move(store));
}

}  // namespace wegwijzer
