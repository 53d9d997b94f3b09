// A throwaway PostgreSQL 15 server for the referral store's tests.
//
// PostgresServer::Shared() starts one server per test process, the first time a
// test asks for it: a temporary folder owned by the `postgres` user (PostgreSQL
// refuses to run as root; as root the binaries run through `runuser -u postgres
// --`, otherwise directly), initdb, then pg_ctl start with the socket in that folder
// and no TCP (listen_addresses = ''), waiting until it answers. The gtest global
// environment registered by postgres_server.cc stops it (pg_ctl stop -m fast) and
// removes the folder after the last test, whether the tests passed or not.
// CreateDatabase gives each test its own database.
//
// The server runs with fsync = off: the tests kill clients, never the server, so
// durability of the server's own disk writes is not what they test.
//
// Thread-safety: Shared() and CreateDatabase/DropDatabase are thread-safe. Not
// for use in a child process after fork() other than through conninfo strings.
#ifndef WEGWIJZER_TESTS_REFERRAL_POSTGRES_SERVER_H_
#define WEGWIJZER_TESTS_REFERRAL_POSTGRES_SERVER_H_

#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace wegwijzer::testing_postgres {

class PostgresServer {
 public:
  // The process's server, started on first use; an error says what failed (and
  // holds the end of the server's log).
  static absl::StatusOr<PostgresServer*> Shared();
  // Stops the shared server if it was started (the environment calls it).
  static void StopShared();

  // A libpq URI for `database` on this server.
  std::string Uri(const std::string& database) const;
  // CREATE DATABASE `name` (a fresh one: dropped first when it exists).
  absl::Status CreateDatabase(const std::string& name);
  // DROP DATABASE ... WITH (FORCE): also when clients (killed ones) still hold it.
  absl::Status DropDatabase(const std::string& name);
  // Runs `sql` on `database`; OK, or the server's error message.
  absl::Status Execute(const std::string& database, const std::string& sql);

  const std::string& folder() const { return folder_; }

 private:
  absl::Status Start();
  void Stop();

  std::string folder_;  // Holds data/, the socket and the log.
  bool running_ = false;
  std::mutex mu_;
};

}  // namespace wegwijzer::testing_postgres

#endif  // WEGWIJZER_TESTS_REFERRAL_POSTGRES_SERVER_H_
