// `wegwijzer serve` as a program: the test starts it on port 0, reads the port it
// prints, talks to it over loopback and stops it with SIGTERM in the middle of a
// request.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
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
                           "--max-body-kb", "Exit status"}) {
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
