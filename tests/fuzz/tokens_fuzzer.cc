// libFuzzer target: the token file of `wegwijzer serve --tokens` (bindings/server/
// auth.h). Any bytes either parse or give kInvalidArgument naming "tokens.txt:" and
// a line; a parsed file answers Find for any token without a crash; and a line made
// from the input as a token (MakeTokenLine) parses and finds that token again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<wegwijzer::server::Tokens> tokens = wegwijzer::server::Tokens::Parse(
      text, "tokens.txt", [](std::string_view id) { return id.size() % 2 == 0; });
  if (tokens.ok()) {
    (void)tokens->Find(text.substr(0, 64));
  } else if (tokens.status().code() != absl::StatusCode::kInvalidArgument ||
             !std::string(tokens.status().message()).starts_with("tokens.txt:")) {
    std::abort();
  }
  const std::string_view token = text.substr(0, text.find('\n'));
  absl::StatusOr<std::string> line = wegwijzer::server::MakeTokenLine(token, "org", "provider");
  if (line.ok()) {
    absl::StatusOr<wegwijzer::server::Tokens> one = wegwijzer::server::Tokens::Parse(*line, "t");
    if (!one.ok()) std::abort();
    std::optional<wegwijzer::server::Principal> who = one->Find(token);
    if (!who || who->organisation != "org" || who->role != wegwijzer::server::Role::kProvider) {
      std::abort();
    }
  }
  return 0;
}
