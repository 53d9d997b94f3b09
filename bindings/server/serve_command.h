// `wegwijzer serve` (the CLI's main dispatches to it).
#ifndef WEGWIJZER_BINDINGS_SERVER_SERVE_COMMAND_H_
#define WEGWIJZER_BINDINGS_SERVER_SERVE_COMMAND_H_

#include <string_view>
#include <vector>

namespace wegwijzer::server {

// `words` are the arguments after "serve". Returns the exit code: 0 after SIGINT or
// SIGTERM (or --help), 1 when the directory or gazetteer cannot be loaded or the
// address bound, 2 usage error.
int ServeMain(const std::vector<std::string_view>& words);

}  // namespace wegwijzer::server

#endif  // WEGWIJZER_BINDINGS_SERVER_SERVE_COMMAND_H_
