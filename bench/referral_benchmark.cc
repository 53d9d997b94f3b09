// The referral store (SQLite backend), against the targets of issue 13:
//   BM_Transition_Durable        one transition per transaction, synced (>= 1,000/s)
//   BM_Transition_DurableConcurrent/T  the same from T threads on one store, each
//                                call synced before it returns (group commit)
//   BM_Transition_NotDurable     the same without the sync: what the sync costs
//   BM_SqliteInsert_Durable      baseline: one bare row INSERT per synced commit on the
//                                same file system, the floor any durable store pays
//   BM_Batch_Durable/N           N transitions in one synced transaction (>= 50,000/s)
//   BM_Open_Large                opening a store of 1,000,000 referrals and 5,000,000
//                                events (< 1 s)
//   BM_OpenOfProvider_Large      a provider's open referrals in that store (< 1 ms)
// The same on PostgreSQL (BM_Postgres_*: transitions, concurrent, batches, and a
// bare INSERT per synchronous commit as the baseline) when
// $WEGWIJZER_REFERRAL_BENCH_POSTGRES is a postgresql:// URI of a database the
// benchmark may empty (it drops and recreates the schema `public`); skipped otherwise.
// The large store is built once (about 2 minutes) in $WEGWIJZER_REFERRAL_BENCH_DIR
// (default /tmp/wegwijzer_referral_bench) and reused while its counts match.
// Transitions alternate a referral between in-progress and on-hold, a cycle the
// lifecycle allows forever, so every iteration is a real, allowed transition.
#include <benchmark/benchmark.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "wegwijzer/referral_store.h"

namespace wegwijzer {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kLargeReferrals = 1'000'000;
constexpr int kLargeEventsPerReferral = 5;
constexpr int kLargeProviders = 10'000;

std::string BenchDir() {
  const char* env = std::getenv("WEGWIJZER_REFERRAL_BENCH_DIR");
  std::string dir = env != nullptr ? env : "/tmp/wegwijzer_referral_bench";
  fs::create_directories(dir);
  return dir;
}

std::string Name(const char* prefix, int64_t n) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%s%lld", prefix, static_cast<long long>(n));
  return buffer;
}

NewReferral Referral(int64_t i, int providers) {
  NewReferral n;
  n.id = Name("r", i);
  n.request_id = Name("q", i);
  n.provider_id = Name("p", i % providers);
  n.desk_id = Name("d", i % 97);
  n.topics.Add(Topic::kBenefits);
  n.postcode_area = Name("", 1000 + i % 9000);
  return n;
}

ReferralTransition To(const std::string& id, ReferralStatus to, ReasonCode reason = {}) {
  return {.referral_id = id,
          .to = to,
          .actor = ReferralActor::kReceivingProvider,
          .actor_id = "",
          .reason = {reason, ""},
          .at = std::nullopt};
}

// The PostgreSQL database of the BM_Postgres_* benchmarks, or empty.
std::string PostgresUri() {
  const char* env = std::getenv("WEGWIJZER_REFERRAL_BENCH_POSTGRES");
  return env != nullptr ? env : "";
}

// Empties the PostgreSQL database at `uri`; false when it cannot.
bool EmptyPostgres(const std::string& uri) {
  PGconn* conn = PQconnectdb(uri.c_str());
  bool ok = PQstatus(conn) == CONNECTION_OK;
  if (ok) {
    PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
    PGresult* r = PQexec(conn, "DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
  }
  PQfinish(conn);
  return ok;
}

// A fresh store with `count` referrals brought to in-progress, at a SQLite file or
// a postgresql:// URI.
std::unique_ptr<ReferralStore> FreshStore(const std::string& file, bool durable, int count) {
  if (IsPostgresLocation(file)) {
    if (!EmptyPostgres(file)) return nullptr;
  } else {
    fs::remove(file);
    fs::remove(file + "-wal");
    fs::remove(file + "-shm");
  }
  auto store = OpenReferralStore(file, {.durable = durable});
  if (!store.ok()) return nullptr;
  (void)(*store)->SetCapacity("p0", std::nullopt);
  ReferralBatch batch;
  for (int i = 0; i < count; ++i) {
    batch.creations.push_back(Referral(i, 1));
    batch.transitions.push_back(To(batch.creations.back().id, ReferralStatus::kAccepted));
    batch.transitions.push_back(To(batch.creations.back().id, ReferralStatus::kInProgress));
  }
  if (!(*store)->Commit(batch).ok()) return nullptr;
  return *std::move(store);
}

void Transitions(benchmark::State& state, bool durable, bool postgres = false) {
  const std::string file = postgres ? PostgresUri() : BenchDir() + "/transitions.db";
  constexpr int kPool = 1000;
  auto store = FreshStore(file, durable, kPool);
  if (store == nullptr) {
    state.SkipWithError("cannot make the store");
    return;
  }
  std::vector<bool> on_hold(kPool, false);
  int64_t i = 0;
  for (auto _ : state) {
    const int r = static_cast<int>(i++ % kPool);
    auto e = store->Apply(on_hold[r] ? To(Name("r", r), ReferralStatus::kInProgress)
                                     : To(Name("r", r), ReferralStatus::kOnHold,
                                          ReasonCode::kNeedsClientAction));
    if (!e.ok()) {
      state.SkipWithError(std::string(e.status().message()).c_str());
      return;
    }
    on_hold[r] = !on_hold[r];
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Transition_Durable(benchmark::State& state) { Transitions(state, true); }
void BM_Transition_NotDurable(benchmark::State& state) { Transitions(state, false); }
BENCHMARK(BM_Transition_Durable)->UseRealTime()->MinTime(3);
BENCHMARK(BM_Transition_NotDurable)->UseRealTime();

// Durable transitions from T desk applications (threads) sharing one store: each
// call returns after its own transition is committed and synced; the store's group
// commit lets concurrent calls share a sync. Each iteration: T threads x 50
// transitions on their own referrals. On PostgreSQL each thread has a store (a
// connection) of its own, as desk applications sharing a database do.
void Concurrent(benchmark::State& state, bool postgres) {
  const int threads = static_cast<int>(state.range(0));
  constexpr int kPerThread = 50;
  const std::string file = postgres ? PostgresUri() : BenchDir() + "/concurrent.db";
  auto store = FreshStore(file, true, threads);
  if (store == nullptr) {
    state.SkipWithError("cannot make the store");
    return;
  }
  std::vector<std::unique_ptr<ReferralStore>> own(threads);
  for (int t = 0; postgres && t < threads; ++t) {
    auto opened = OpenReferralStore(file, {.durable = true});
    if (!opened.ok()) {
      state.SkipWithError("cannot open a connection");
      return;
    }
    own[t] = *std::move(opened);
  }
  std::vector<bool> on_hold(threads, false);
  std::atomic<int64_t> failures{0};
  for (auto _ : state) {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        ReferralStore& mine = own[t] != nullptr ? *own[t] : *store;
        bool hold = on_hold[t];
        for (int i = 0; i < kPerThread; ++i) {
          auto e = mine.Apply(hold ? To(Name("r", t), ReferralStatus::kInProgress)
                                     : To(Name("r", t), ReferralStatus::kOnHold,
                                          ReasonCode::kNeedsClientAction));
          if (!e.ok()) ++failures;
          hold = !hold;
        }
      });
    }
    for (auto& thread : pool) thread.join();
  }
  if (failures.load() > 0) state.SkipWithError("a transition failed");
  state.SetItemsProcessed(state.iterations() * threads * kPerThread);
}
void BM_Transition_DurableConcurrent(benchmark::State& state) { Concurrent(state, false); }
BENCHMARK(BM_Transition_DurableConcurrent)->Arg(1)->Arg(8)->Arg(32)->UseRealTime()->MinTime(3);

void BM_SqliteInsert_Durable(benchmark::State& state) {
  const std::string file = BenchDir() + "/bare.db";
  fs::remove(file);
  fs::remove(file + "-wal");
  fs::remove(file + "-shm");
  sqlite3* db = nullptr;
  sqlite3_open(file.c_str(), &db);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE t(x)",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO t VALUES(?1)", -1, &insert, nullptr);
  int64_t i = 0;
  for (auto _ : state) {
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    sqlite3_bind_int64(insert, 1, i++);
    sqlite3_step(insert);
    sqlite3_reset(insert);
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  sqlite3_finalize(insert);
  sqlite3_close(db);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SqliteInsert_Durable)->UseRealTime()->MinTime(3);

void Batch(benchmark::State& state, bool postgres) {
  const int n = static_cast<int>(state.range(0));
  const std::string file = postgres ? PostgresUri() : BenchDir() + "/batch.db";
  auto store = FreshStore(file, true, n);
  if (store == nullptr) {
    state.SkipWithError("cannot make the store");
    return;
  }
  bool on_hold = false;
  ReferralBatch batch;
  for (auto _ : state) {
    state.PauseTiming();
    batch.transitions.clear();
    for (int r = 0; r < n; ++r) {
      batch.transitions.push_back(on_hold ? To(Name("r", r), ReferralStatus::kInProgress)
                                          : To(Name("r", r), ReferralStatus::kOnHold,
                                               ReasonCode::kNeedsClientAction));
    }
    state.ResumeTiming();
    auto events = store->Commit(batch);
    if (!events.ok()) {
      state.SkipWithError(std::string(events.status().message()).c_str());
      return;
    }
    on_hold = !on_hold;
  }
  state.SetItemsProcessed(state.iterations() * n);
}
void BM_Batch_Durable(benchmark::State& state) { Batch(state, false); }
BENCHMARK(BM_Batch_Durable)->Arg(1000)->Arg(10000)->UseRealTime();

// PostgreSQL: one connection per store, each write a transaction that locks the log
// head; durable = synchronous_commit on (the server flushes its WAL per commit).
bool HavePostgres(benchmark::State& state) {
  if (!PostgresUri().empty()) return true;
  state.SkipWithError("set WEGWIJZER_REFERRAL_BENCH_POSTGRES to a postgresql:// URI");
  return false;
}
void BM_Postgres_Transition_Durable(benchmark::State& state) {
  if (HavePostgres(state)) Transitions(state, true, true);
}
void BM_Postgres_Transition_NotDurable(benchmark::State& state) {
  if (HavePostgres(state)) Transitions(state, false, true);
}
void BM_Postgres_Transition_DurableConcurrent(benchmark::State& state) {
  if (HavePostgres(state)) Concurrent(state, true);
}
void BM_Postgres_Batch_Durable(benchmark::State& state) {
  if (HavePostgres(state)) Batch(state, true);
}
// Baseline: a bare one-row INSERT and a synchronous COMMIT on the same server.
void BM_PostgresInsert_Durable(benchmark::State& state) {
  if (!HavePostgres(state) || !EmptyPostgres(PostgresUri())) return;
  PGconn* conn = PQconnectdb(PostgresUri().c_str());
  PQclear(PQexec(conn, "SET synchronous_commit = on; CREATE TABLE t(x BIGINT)"));
  int64_t i = 0;
  for (auto _ : state) {
    const std::string sql =
        "BEGIN; INSERT INTO t VALUES(" + std::to_string(i++) + "); COMMIT";
    PGresult* r = PQexec(conn, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) state.SkipWithError(PQerrorMessage(conn));
    PQclear(r);
  }
  PQfinish(conn);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Postgres_Transition_Durable)->UseRealTime()->MinTime(3);
BENCHMARK(BM_Postgres_Transition_NotDurable)->UseRealTime();
BENCHMARK(BM_Postgres_Transition_DurableConcurrent)->Arg(8)->UseRealTime()->MinTime(3);
BENCHMARK(BM_PostgresInsert_Durable)->UseRealTime()->MinTime(3);
BENCHMARK(BM_Postgres_Batch_Durable)->Arg(1000)->Arg(10000)->UseRealTime();

// The large store: 1,000,000 referrals of 5 events each (requested, accepted,
// in-progress, on-hold, then in-progress for one in five, failed for the rest), over
// 10,000 providers: 200,000 open referrals, 20 per provider.
std::string LargeStore() {
  const std::string file = BenchDir() + "/large.db";
  {
    auto store = OpenSqliteStore(file, {.durable = false});
    if (store.ok()) {
      auto events = (*store)->Events(kLargeReferrals * kLargeEventsPerReferral - 1, 2);
      if (events.ok() && events->size() == 1) return file;  // built before
    }
  }
  fs::remove(file);
  fs::remove(file + "-wal");
  fs::remove(file + "-shm");
  auto store = OpenSqliteStore(file, {.durable = false});
  if (!store.ok()) return "";
  for (int p = 0; p < kLargeProviders; ++p)
    (void)(*store)->SetCapacity(Name("p", p), std::nullopt);
  constexpr int64_t kChunk = 20'000;
  for (int64_t start = 0; start < kLargeReferrals; start += kChunk) {
    ReferralBatch batch;
    for (int64_t i = start; i < start + kChunk; ++i) {
      batch.creations.push_back(Referral(i, kLargeProviders));
      const std::string& id = batch.creations.back().id;
      batch.transitions.push_back(To(id, ReferralStatus::kAccepted));
      batch.transitions.push_back(To(id, ReferralStatus::kInProgress));
      batch.transitions.push_back(
          To(id, ReferralStatus::kOnHold, ReasonCode::kNeedsClientAction));
      batch.transitions.push_back(i % 5 == 0 ? To(id, ReferralStatus::kInProgress)
                                             : To(id, ReferralStatus::kFailed,
                                                  ReasonCode::kCouldntContact));
    }
    if (!(*store)->Commit(batch).ok()) return "";
  }
  return file;
}

void BM_Open_Large(benchmark::State& state) {
  const std::string file = LargeStore();
  if (file.empty()) {
    state.SkipWithError("cannot build the large store");
    return;
  }
  for (auto _ : state) {
    auto store = OpenSqliteStore(file);
    if (!store.ok()) {
      state.SkipWithError(std::string(store.status().message()).c_str());
      return;
    }
    // One query, so the open is a usable store and not a lazy handle.
    benchmark::DoNotOptimize((*store)->ActiveCount("p1"));
  }
  state.counters["referrals"] = static_cast<double>(kLargeReferrals);
  state.counters["events"] = static_cast<double>(kLargeReferrals * kLargeEventsPerReferral);
  state.counters["file_mb"] = static_cast<double>(fs::file_size(file)) / 1e6;
}
BENCHMARK(BM_Open_Large)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_OpenOfProvider_Large(benchmark::State& state) {
  const std::string file = LargeStore();
  auto store = OpenSqliteStore(file);
  if (file.empty() || !store.ok()) {
    state.SkipWithError("cannot open the large store");
    return;
  }
  int64_t p = 0, found = 0;
  for (auto _ : state) {
    auto open = (*store)->OpenOfProvider(Name("p", p++ % kLargeProviders));
    if (!open.ok()) {
      state.SkipWithError(std::string(open.status().message()).c_str());
      return;
    }
    found += static_cast<int64_t>(open->size());
  }
  state.counters["open_per_provider"] =
      static_cast<double>(found) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_OpenOfProvider_Large)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
}  // namespace wegwijzer

BENCHMARK_MAIN();
