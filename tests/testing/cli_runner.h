// Runs the wegwijzer command-line program (WEGWIJZER_CLI) for golden tests: its exit
// code, standard output and standard error, with no standard input.
#ifndef WEGWIJZER_TESTS_TESTING_CLI_RUNNER_H_
#define WEGWIJZER_TESTS_TESTING_CLI_RUNNER_H_

#include <string>
#include <vector>

namespace wegwijzer::testing {

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

// Runs the program with `args`; `scratch_dir` holds the captured streams briefly.
CliRun RunCli(const std::vector<std::string>& args, const std::string& scratch_dir);

// A whole file's bytes ("" when it cannot be read).
std::string Slurp(const std::string& path);

}  // namespace wegwijzer::testing

#endif  // WEGWIJZER_TESTS_TESTING_CLI_RUNNER_H_
