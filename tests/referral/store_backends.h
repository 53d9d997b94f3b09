// The referral store's backends for value-parameterized tests: the same suite runs
// on SQLite (a file in a per-test folder) and on PostgreSQL (a database per test on
// the process's throwaway server, postgres_server.h).
//
//   INSTANTIATE_TEST_SUITE_P(Backends, MyTest, testing_backends::AllBackends(),
//                            testing_backends::BackendName);
//   // in the fixture: StoreLocation location; location.SetUp(GetParam(), "mytest");
//   //                 location.Open(options) ... location.TearDown();
#ifndef WEGWIJZER_TESTS_REFERRAL_STORE_BACKENDS_H_
#define WEGWIJZER_TESTS_REFERRAL_STORE_BACKENDS_H_

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "referral/postgres_server.h"
#include "wegwijzer/referral_store.h"

namespace wegwijzer::testing_backends {

enum class Backend { kSqlite, kPostgres };

inline ::testing::internal::ParamGenerator<Backend> AllBackends() {
  return ::testing::Values(Backend::kSqlite, Backend::kPostgres);
}
inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

// One test's store location: a fresh SQLite file, or a fresh PostgreSQL database.
class StoreLocation {
 public:
  // `tag` names the folder / database (with this process's id and a counter).
  void SetUp(Backend backend, const std::string& tag) {
    backend_ = backend;
    static std::atomic<int> counter{0};
    const std::string unique =
        tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    dir_ = std::filesystem::path(::testing::TempDir()) / ("wegwijzer_" + unique);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    if (backend_ == Backend::kSqlite) {
      location_ = (dir_ / "referrals.db").string();
      return;
    }
    absl::StatusOr<testing_postgres::PostgresServer*> server =
        testing_postgres::PostgresServer::Shared();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *server;
    database_ = "t_" + unique;
    ASSERT_TRUE(server_->CreateDatabase(database_).ok());
    location_ = server_->Uri(database_);
  }
  void TearDown() {
    if (server_ != nullptr) (void)server_->DropDatabase(database_);
    std::filesystem::remove_all(dir_);
  }

  // The store again from nothing (a new file / a new database).
  void Reset() {
    if (backend_ == Backend::kSqlite) {
      for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(location_ + suffix);
    } else {
      ASSERT_TRUE(server_->CreateDatabase(database_).ok());
    }
  }

  absl::StatusOr<std::unique_ptr<ReferralStore>> Open(
      const ReferralStoreOptions& options = {.durable = false}) const {
    return OpenReferralStore(location_, options);
  }

  // Runs SQL on the store's database directly (to tamper with it): OK, or the
  // database's error message.
  absl::Status Execute(const std::string& sql) const {
    if (backend_ == Backend::kPostgres) return server_->Execute(database_, sql);
    sqlite3* db = nullptr;
    absl::Status status = absl::OkStatus();
    if (sqlite3_open(location_.c_str(), &db) != SQLITE_OK) {
      status = absl::UnavailableError(sqlite3_errmsg(db));
    } else {
      char* error = nullptr;
      if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK)
        status = absl::FailedPreconditionError(error != nullptr ? error : "");
      sqlite3_free(error);
    }
    sqlite3_close(db);
    return status;
  }

  Backend backend() const { return backend_; }
  const std::string& location() const { return location_; }
  // A folder of this test's own (for files next to the store).
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

 private:
  Backend backend_ = Backend::kSqlite;
  std::filesystem::path dir_;
  std::string location_, database_;
  testing_postgres::PostgresServer* server_ = nullptr;
};

}  // namespace wegwijzer::testing_backends

#endif  // WEGWIJZER_TESTS_REFERRAL_STORE_BACKENDS_H_
