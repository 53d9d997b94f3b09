#include "testing/cli_runner.h"

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace wegwijzer::testing {
namespace {

std::string ShellQuote(const std::string& arg) {
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

CliRun RunCli(const std::vector<std::string>& args, const std::string& scratch_dir) {
  std::string command = ShellQuote(WEGWIJZER_CLI);
  // StrAppend rather than chains of operator+: GCC 12 reports a false -Wrestrict
  // inside std::string's concatenation when it inlines those.
  for (const std::string& a : args) absl::StrAppend(&command, " ", ShellQuote(a));
  const std::string out = absl::StrCat(scratch_dir, "/.stdout");
  const std::string err = absl::StrCat(scratch_dir, "/.stderr");
  absl::StrAppend(&command, " >", ShellQuote(out), " 2>", ShellQuote(err), " </dev/null");
  const int status = std::system(command.c_str());
  CliRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = Slurp(out);
  run.err = Slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return run;
}

}  // namespace wegwijzer::testing
