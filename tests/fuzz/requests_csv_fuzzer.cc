// libFuzzer target: the requests.csv reader; every accepted request is valid and
// no row is lost.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "wegwijzer/interchange.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<wegwijzer::RequestsCsv> parsed =
      wegwijzer::ParseRequestsCsv(text, "fuzz.csv", {.skip_bad_rows = true});
  if (!parsed.ok()) return 0;
  if (parsed->requests.size() + parsed->report.bad_rows !=
      static_cast<size_t>(parsed->report.rows)) {
    __builtin_trap();
  }
  for (const wegwijzer::Request& r : parsed->requests) {
    if (!r.Validate().ok()) __builtin_trap();  // the reader let an invalid request in
  }
  return 0;
}
