#include "referral/postgres_server.h"

#include <libpq-fe.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace wegwijzer::testing_postgres {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBin = "/usr/lib/postgresql/15/bin/";

// Runs `argv` (as the postgres user when this process is root), waits; the exit
// code, or -1 when it could not run. Output goes to `log`.
int RunTool(std::vector<std::string> argv, const std::string& log) {
  if (::geteuid() == 0) argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    std::FILE* out = std::fopen(log.c_str(), "a");
    if (out != nullptr) {
      ::dup2(::fileno(out), 1);
      ::dup2(::fileno(out), 2);
    }
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string Tail(const std::string& path) {
  std::ifstream in(path);
  std::stringstream all;
  all << in.rdbuf();
  const std::string text = all.str();
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

PostgresServer* shared_server = nullptr;
std::mutex shared_mu;

// Stops the server after the last test, passed or failed.
class Environment : public ::testing::Environment {
 public:
  void TearDown() override { PostgresServer::StopShared(); }
};
[[maybe_unused]] ::testing::Environment* const environment =
    ::testing::AddGlobalTestEnvironment(new Environment);

}  // namespace

absl::StatusOr<PostgresServer*> PostgresServer::Shared() {
  std::lock_guard lock(shared_mu);
  if (shared_server != nullptr) return shared_server;
  auto* server = new PostgresServer;
  if (absl::Status s = server->Start(); !s.ok()) {
    server->Stop();
    delete server;
    return s;
  }
  shared_server = server;
  return shared_server;
}

void PostgresServer::StopShared() {
  std::lock_guard lock(shared_mu);
  if (shared_server == nullptr) return;
  shared_server->Stop();
  delete shared_server;
  shared_server = nullptr;
}

absl::Status PostgresServer::Start() {
  if (!fs::exists(std::string(kBin) + "initdb"))
    return absl::FailedPreconditionError(
        std::string("no PostgreSQL 15 server binaries in ") + kBin +
        " (Debian's postgresql-15; .ci/install-deps installs it)");
  // Short: the socket path (folder + "/.s.PGSQL.5432") must fit in 107 bytes.
  folder_ = "/tmp/wegwijzer_pg." + std::to_string(::getpid());
  std::error_code ignored;
  fs::remove_all(folder_, ignored);
  fs::create_directories(folder_);
  const std::string log = folder_ + "/tools.log";
  if (::geteuid() == 0) {
    const passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr)
      return absl::FailedPreconditionError(
          "running as root, but there is no postgres user to run the server as");
    if (::chown(folder_.c_str(), pw->pw_uid, pw->pw_gid) != 0)
      return absl::InternalError("cannot give " + folder_ + " to the postgres user");
  }
  const std::string data = folder_ + "/data";
  if (RunTool({std::string(kBin) + "initdb", "-D", data, "-U", "postgres", "-A", "trust",
               "-E", "UTF8", "--no-locale", "--no-sync"},
              log) != 0)
    return absl::InternalError("initdb failed: " + Tail(log));
  {
    std::ofstream conf(data + "/postgresql.conf", std::ios::app);
    conf << "listen_addresses = ''\n"
         << "unix_socket_directories = '" << folder_ << "'\n"
         << "fsync = off\nfull_page_writes = off\n"
         << "max_connections = 60\nshared_buffers = 32MB\n";
  }
  if (RunTool({std::string(kBin) + "pg_ctl", "-D", data, "-l", folder_ + "/server.log", "-w",
               "-t", "60", "start"},
              log) != 0)
    return absl::InternalError("pg_ctl start failed: " + Tail(log) + Tail(folder_ + "/server.log"));
  running_ = true;
  const std::string ping = Uri("postgres");
  for (int i = 0; i < 300; ++i) {
    if (PQping(ping.c_str()) == PQPING_OK) return absl::OkStatus();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return absl::UnavailableError("the server does not answer: " + Tail(folder_ + "/server.log"));
}

void PostgresServer::Stop() {
  if (running_) {
    RunTool({std::string(kBin) + "pg_ctl", "-D", folder_ + "/data", "-m", "fast", "-w", "stop"},
            folder_ + "/tools.log");
    running_ = false;
  }
  std::error_code ignored;
  if (!folder_.empty()) fs::remove_all(folder_, ignored);
}

std::string PostgresServer::Uri(const std::string& database) const {
  // A socket folder as the host: percent-encode the slashes.
  std::string host;
  for (char c : folder_) host += c == '/' ? std::string("%2F") : std::string(1, c);
  return "postgresql://postgres@" + host + "/" + database;
}

absl::Status PostgresServer::Execute(const std::string& database, const std::string& sql) {
  PGconn* conn = PQconnectdb(Uri(database).c_str());
  absl::Status status = absl::OkStatus();
  if (PQstatus(conn) != CONNECTION_OK) {
    status = absl::UnavailableError(PQerrorMessage(conn));
  } else {
    PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);  // "does not exist, skipping"
    PGresult* r = PQexec(conn, sql.c_str());
    const ExecStatusType type = PQresultStatus(r);
    if (type != PGRES_COMMAND_OK && type != PGRES_TUPLES_OK)
      status = absl::FailedPreconditionError(PQresultErrorMessage(r));
    PQclear(r);
  }
  PQfinish(conn);
  return status;
}

absl::Status PostgresServer::CreateDatabase(const std::string& name) {
  std::lock_guard lock(mu_);
  if (absl::Status s = Execute("postgres", "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      !s.ok())
    return s;
  return Execute("postgres", "CREATE DATABASE " + name);
}

absl::Status PostgresServer::DropDatabase(const std::string& name) {
  std::lock_guard lock(mu_);
  return Execute("postgres", "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
}

}  // namespace wegwijzer::testing_postgres
