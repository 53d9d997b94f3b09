// The `import-hsds` and `export-hsds` commands (Open Referral directories).
#ifndef WEGWIJZER_BINDINGS_CLI_OPENREFERRAL_COMMAND_H_
#define WEGWIJZER_BINDINGS_CLI_OPENREFERRAL_COMMAND_H_

#include <string_view>
#include <vector>

namespace wegwijzer::cli {

// Usage text of both commands, for `wegwijzer --help`.
extern const std::string_view kHsdsUsage;

// `args` are the words after the command name. Returns the exit code: 0 success,
// 1 bad input, 2 usage error.
int ImportHsdsCommand(const std::vector<std::string_view>& args);
int ExportHsdsCommand(const std::vector<std::string_view>& args);

}  // namespace wegwijzer::cli

#endif  // WEGWIJZER_BINDINGS_CLI_OPENREFERRAL_COMMAND_H_
