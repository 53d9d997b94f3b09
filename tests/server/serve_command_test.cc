// `wegwijzer serve` as a program: the test starts it on port 0, reads the port it
// prints, talks to it over loopback and stops it with SIGTERM in the middle of a
// request.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/http_client.h"
#include "testing/cli_runner.h"
#include "testing/shared_data.h"

namespace wegwijzer::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string ScratchDir() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("wegwijzer_serve_" + std::to_string(::getpid()) + "_" + info->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

// A running `wegwijzer serve`; its stderr goes to a file.
struct Served {
  pid_t pid = -1;
  uint16_t port = 0;
  std::string stderr_path;
};

Served StartServe(const std::vector<std::string>& args, const std::string& scratch) {
  Served served;
  served.stderr_path = scratch + "/stderr.txt";
  int out[2];
  EXPECT_EQ(::pipe(out), 0);
  served.pid = ::fork();
  if (served.pid == 0) {
    ::dup2(out[1], 1);
    std::FILE* err = std::fopen(served.stderr_path.c_str(), "w");
    ::dup2(::fileno(err), 2);
    ::close(out[0]);
    std::vector<std::string> words = {WEGWIJZER_CLI, "serve"};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    std::_Exit(127);
  }
  ::close(out[1]);
  std::string line;
  char c;
  while (::read(out[0], &c, 1) == 1 && c != '\n') line.push_back(c);
  ::close(out[0]);
  const std::string prefix = "listening on 127.0.0.1:";
  EXPECT_TRUE(line.starts_with(prefix)) << line;
  if (line.starts_with(prefix)) served.port = static_cast<uint16_t>(std::stoi(line.substr(prefix.size())));
  return served;
}

int WaitExit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(ServeCommand, HelpAndUsageErrors) {
  const std::string scratch = ScratchDir();
  testing::CliRun help = testing::RunCli({"serve", "--help"}, scratch);
  EXPECT_EQ(help.exit_code, 0);
  for (const char* word : {"--listen", "POST /v1/route", "/services", "/metrics", "SIGTERM",
                           "--max-body-kb", "Exit status", "--tokens", "--store", "--hash-token",
                           "SIGHUP", "/v1/referrals", "POST /v1/match", "/v1/jobs/{id}",
                           "--max-jobs"}) {
    EXPECT_THAT(help.out, HasSubstr(word));
  }
  EXPECT_EQ(testing::RunCli({"serve"}, scratch).exit_code, 2);
  EXPECT_EQ(testing::RunCli({"serve", "--providers", "a.csv", "--snapshot", "b.pb"}, scratch).exit_code, 2);
  EXPECT_EQ(testing::RunCli({"serve", "--providers", "a.csv", "--listen", "nohost"}, scratch).exit_code, 2);
  EXPECT_EQ(testing::RunCli({"serve", "--providers", "a.csv", "--threads", "0"}, scratch).exit_code, 2);
  testing::CliRun missing = testing::RunCli({"serve", "--providers", scratch + "/none.csv"}, scratch);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("none.csv"));
  testing::CliRun bad_host = testing::RunCli(
      {"serve", "--providers", std::string(WEGWIJZER_SOURCE_DIR) + "/data/providers.csv",
       "--listen", "999.1.1.1:0"},
      scratch);
  EXPECT_EQ(bad_host.exit_code, 1);
  EXPECT_THAT(bad_host.err, HasSubstr("999.1.1.1"));
}

// The README's example: the example town with the real map, a postcode in Zwolle.
// SIGTERM while a request is half sent: it is answered, and the program exits 0.
TEST(ServeCommand, PostcodeRouteThenSigtermFinishesTheRequest) {
  WEGWIJZER_REQUIRE_SHARED_DATA();
  const std::string scratch = ScratchDir();
  Served served = StartServe({"--providers", std::string(WEGWIJZER_SOURCE_DIR) + "/data/providers.csv",
                              "--municipalities", testing::MunicipalitiesGeoJson(), "--postcodes",
                              testing::PostcodesCsv(), "--listen", "127.0.0.1:0", "--threads", "2"},
                             scratch);
  ASSERT_NE(served.port, 0);
  {
    const int fd = Connect(served.port);
    SendAll(fd, Http("GET", "/v1/route?postcode=8011&topics=digid&languages=nl,ar&k=3"));
    std::string pending;
    std::optional<Reply> reply = ReadReply(fd, &pending);
    ::close(fd);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 200) << reply->body;
    EXPECT_THAT(reply->body, HasSubstr("\"rank\":3"));
    EXPECT_THAT(reply->body, HasSubstr("\"reasons\":[\"helps with digid\""));
    EXPECT_THAT(reply->body, HasSubstr("serves residents of GM0193"));  // Zwolle, from the postcode
  }
  const std::string body =
      R"({"request":{"id":"a","postcode":"8011AB","topics":["TOPIC_BENEFITS"]}})";
  const std::string request = Http("POST", "/v1/route", body);
  const int busy = Connect(served.port);
  const size_t half = request.size() - body.size() / 2;
  SendAll(busy, request.substr(0, half));
  ::usleep(200'000);
  ASSERT_EQ(::kill(served.pid, SIGTERM), 0);
  ::usleep(200'000);
  SendAll(busy, request.substr(half));
  std::string pending;
  std::optional<Reply> reply = ReadReply(busy, &pending);
  ::close(busy);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200) << reply->body;
  EXPECT_TRUE(reply->closed);
  EXPECT_EQ(WaitExit(served.pid), 0);
  const std::string log = testing::Slurp(served.stderr_path);
  EXPECT_THAT(log, HasSubstr("GET /v1/route 200 "));
  EXPECT_THAT(log, HasSubstr("POST /v1/route 200 "));
  EXPECT_THAT(log, HasSubstr("SIGTERM"));
  EXPECT_THAT(log, Not(HasSubstr("8011")));  // no query string, no personal data
}

}  // namespace
}  // namespace wegwijzer::server

namespace wegwijzer::server {
namespace {

std::string Shell(const std::string& command) {
  const int rc = std::system(command.c_str());
  return rc == 0 ? "" : "exit " + std::to_string(rc);
}

Reply Ask(uint16_t port, const std::string& request) {
  const int fd = Connect(port);
  SendAll(fd, request);
  std::string pending;
  std::optional<Reply> reply = ReadReply(fd, &pending);
  ::close(fd);
  EXPECT_TRUE(reply.has_value());
  return reply.value_or(Reply{});
}

std::string Version(uint16_t port) {
  return Ask(port, Http("GET", "/healthz")).headers["wegwijzer-directory-version"];
}

// A token line made by --hash-token from standard input (never argv), a server
// started with it, and bad token files and flag mixes refused before it starts.
TEST(ServeCommand, HashTokenTokensFileAndItsBadLines) {
  const std::string scratch = ScratchDir();
  const std::string cli = WEGWIJZER_CLI;
  testing::CliRun lonely = testing::RunCli({"serve", "--hash-token", "ops, admin", "--quiet"}, scratch);
  EXPECT_EQ(lonely.exit_code, 2);
  EXPECT_THAT(lonely.err, HasSubstr("--hash-token goes alone"));
  ASSERT_EQ(Shell("printf 'admin-token-0123456789\\n' | " + cli +
                  " serve --hash-token 'ops, admin' > " + scratch + "/tokens.txt 2> " + scratch +
                  "/hash.err"),
            "");
  const std::string line = testing::Slurp(scratch + "/tokens.txt");
  EXPECT_THAT(line, ::testing::StartsWith("sha256:"));
  EXPECT_THAT(line, ::testing::EndsWith(", ops, admin\n"));
  EXPECT_THAT(line, Not(HasSubstr("admin-token")));
  EXPECT_NE(Shell("printf 'short\\n' | " + cli + " serve --hash-token 'ops, admin' > /dev/null 2> " +
                  scratch + "/short.err"),
            "");
  EXPECT_THAT(testing::Slurp(scratch + "/short.err"), HasSubstr("at least 16"));

  const std::string providers = std::string(WEGWIJZER_SOURCE_DIR) + "/data/providers.csv";
  {
    std::FILE* f = std::fopen((scratch + "/bad.txt").c_str(), "w");
    std::fprintf(f, "%s%s", line.c_str(),
                 "sha256:ff0102030405060708090a0b0c0d0e0f:340590c1994fa7d4ffc76678e23bd3db322a0562b3fd451b6e81399df5578bb3, nobody-here, provider\n");
    std::fclose(f);
  }
  testing::CliRun bad = testing::RunCli(
      {"serve", "--providers", providers, "--tokens", scratch + "/bad.txt", "--listen", "127.0.0.1:0"},
      scratch);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("bad.txt:2: organisation: provider 'nobody-here' is not in the directory"));
  EXPECT_THAT(bad.err, HasSubstr("not started"));
  EXPECT_EQ(testing::RunCli({"serve", "--providers", providers, "--store", scratch + "/s.db"}, scratch)
                .exit_code,
            2);

  Served served = StartServe({"--providers", providers, "--tokens", scratch + "/tokens.txt",
                              "--listen", "127.0.0.1:0", "--threads", "1"},
                             scratch);
  ASSERT_NE(served.port, 0);
  EXPECT_EQ(Ask(served.port, Http("POST", "/v1/admin/reload", "", "application/json",
                                  "Authorization: Bearer admin-token-0123456789\r\n"))
                .status,
            200);
  EXPECT_EQ(Ask(served.port, Http("POST", "/v1/admin/reload", "", "application/json",
                                  "Authorization: Bearer admin-token-012345678X\r\n"))
                .status,
            401);
  ::kill(served.pid, SIGTERM);
  EXPECT_EQ(WaitExit(served.pid), 0);
  EXPECT_THAT(testing::Slurp(served.stderr_path), Not(HasSubstr("admin-token")));
}

// SIGHUP reads the directory again from the same file and swaps it in; a file that
// no longer reads leaves the directory served as it was.
TEST(ServeCommand, SighupReloadsTheDirectory) {
  const std::string scratch = ScratchDir();
  const std::string csv = scratch + "/providers.csv";
  std::string text = testing::Slurp(std::string(WEGWIJZER_SOURCE_DIR) + "/data/providers.csv");
  auto write = [&](const std::string& content) {
    std::FILE* f = std::fopen((csv + ".tmp").c_str(), "w");
    std::fwrite(content.data(), 1, content.size(), f);
    std::fclose(f);
    std::filesystem::rename(csv + ".tmp", csv);
  };
  write(text);
  Served served = StartServe({"--providers", csv, "--listen", "127.0.0.1:0", "--threads", "1"}, scratch);
  ASSERT_NE(served.port, 0);
  const std::string before = Version(served.port);
  ASSERT_EQ(before.size(), 16u);
  const size_t at = text.find("IDO-punt Bibliotheek Centrum");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 28, "IDO-punt Centrale Bibliotheek");
  write(text);
  // A client on one kept-alive connection asks all the while: none of its requests
  // fails, and the version its answers name changes once.
  std::atomic<bool> stop{false};
  int answered = 0, failed = 0, changes = 0;
  std::thread client([&] {
    const int fd = Connect(served.port);
    std::string pending, last;
    while (!stop.load()) {
      SendAll(fd, Http("GET", "/v1/route?lat=52.51&lon=6.09&topics=digid"));
      std::optional<Reply> reply = ReadReply(fd, &pending);
      if (!reply || reply->status != 200) {
        ++failed;
        break;
      }
      ++answered;
      const std::string version = reply->headers["wegwijzer-directory-version"];
      if (!last.empty() && version != last) ++changes;
      last = version;
    }
    ::close(fd);
  });
  ::usleep(100'000);
  ::kill(served.pid, SIGHUP);
  std::string after = before;
  for (int i = 0; i < 500 && after == before; ++i) {
    ::usleep(10'000);
    after = Version(served.port);
  }
  ::usleep(100'000);
  stop = true;
  client.join();
  EXPECT_NE(after, before);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(changes, 1);
  EXPECT_GT(answered, 10);
  write("id,name\n");  // no longer a providers.csv
  ::kill(served.pid, SIGHUP);
  ::usleep(300'000);
  EXPECT_EQ(Version(served.port), after);
  ::kill(served.pid, SIGTERM);
  EXPECT_EQ(WaitExit(served.pid), 0);
  const std::string log = testing::Slurp(served.stderr_path);
  EXPECT_THAT(log, HasSubstr("SIGHUP: serving directory " + after));
  EXPECT_THAT(log, HasSubstr("SIGHUP: not reloaded, still serving " + after));
}

// A plan nobody fetches holds the stop for the grace time only, and a second
// SIGTERM ends the wait at once.
TEST(ServeCommand, SecondSigtermEndsTheWaitForUnfetchedPlans) {
  const std::string scratch = ScratchDir();
  Served served = StartServe({"--providers", std::string(WEGWIJZER_SOURCE_DIR) + "/data/providers.csv",
                              "--listen", "127.0.0.1:0", "--threads", "1", "--quiet"},
                             scratch);
  ASSERT_NE(served.port, 0);
  const Reply posted = Ask(served.port, Http("POST", "/v1/match", R"({"requests":[{"id":"x","position":{"lat_deg":52.5,"lon_deg":6.1},"topics":["TOPIC_DIGID"]}]})"));
  ASSERT_EQ(posted.status, 202);
  ::usleep(200'000);  // the job is done, its plan not fetched
  ASSERT_EQ(::kill(served.pid, SIGTERM), 0);
  ::usleep(300'000);
  EXPECT_EQ(Version(served.port).size(), 16u);  // still answering while it waits
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(served.pid, SIGTERM), 0);
  EXPECT_EQ(WaitExit(served.pid), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));  // not 30 s
  EXPECT_THAT(testing::Slurp(served.stderr_path),
              HasSubstr("some finished plans were not fetched (a second signal)"));
}

// SIGTERM while a match job runs: new jobs are refused, the job finishes, its plan
// is fetched whole, and only then does the program stop and exit 0.
TEST(ServeCommand, SigtermDuringAMatchJobLosesNothing) {
  const std::string scratch = ScratchDir();
  Served served = StartServe({"--providers", std::string(WEGWIJZER_SOURCE_DIR) + "/data/providers.csv",
                              "--listen", "127.0.0.1:0", "--threads", "2", "--max-body-kb",
                              "65536", "--quiet"},
                             scratch);
  ASSERT_NE(served.port, 0);
  constexpr int kRequests = 40'000;
  std::string body = "{\"requests\":[";
  const char* topics[] = {"TOPIC_DIGID", "TOPIC_BENEFITS", "TOPIC_HEALTH", "TOPIC_BASICS"};
  for (int i = 0; i < kRequests; ++i) {
    char item[200];
    std::snprintf(item, sizeof item,
                  "%s{\"id\":\"w%d\",\"position\":{\"lat_deg\":%.5f,\"lon_deg\":%.5f},\"topics\":[\"%s\"]}",
                  i == 0 ? "" : ",", i, 52.45 + (i % 97) * 0.0011, 6.02 + (i % 89) * 0.0017,
                  topics[i % 4]);
    body += item;
  }
  body += "]}";
  const Reply posted = Ask(served.port, Http("POST", "/v1/match", body));
  ASSERT_EQ(posted.status, 202) << posted.body;
  const size_t id_at = posted.body.find("\"id\":\"") + 6;
  const std::string id = posted.body.substr(id_at, 32);
  ASSERT_EQ(::kill(served.pid, SIGTERM), 0);
  ::usleep(300'000);
  Reply refused = Ask(served.port, Http("POST", "/v1/match", R"({"requests":[{"id":"x","position":{"lat_deg":52.5,"lon_deg":6.1},"topics":["TOPIC_DIGID"]}]})"));
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_THAT(refused.body, HasSubstr("stopping"));
  EXPECT_FALSE(refused.headers["retry-after"].empty());
  Reply job;
  for (int i = 0; i < 6000; ++i) {
    job = Ask(served.port, Http("GET", "/v1/jobs/" + id));
    if (job.body.find("\"state\":\"done\"") != std::string::npos) break;
    ::usleep(10'000);
  }
  ASSERT_EQ(job.status, 200);
  EXPECT_THAT(job.body, HasSubstr("\"state\":\"done\""));
  int lines = 0;
  for (size_t at = job.body.find("\"request_id\""); at != std::string::npos;
       at = job.body.find("\"request_id\"", at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, kRequests);
  EXPECT_EQ(WaitExit(served.pid), 0);
  const std::string log = testing::Slurp(served.stderr_path);
  EXPECT_THAT(log, HasSubstr("SIGTERM: finishing"));
  const size_t finishing = log.find("SIGTERM: finishing");
  if (finishing != std::string::npos) {
    std::cerr << log.substr(finishing, log.find('\n', finishing) - finishing) << "\n";
  }
  EXPECT_THAT(log, HasSubstr("stopped"));
  EXPECT_THAT(log, Not(HasSubstr("not fetched")));
}

}  // namespace
}  // namespace wegwijzer::server
