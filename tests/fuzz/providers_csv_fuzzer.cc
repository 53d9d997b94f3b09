// libFuzzer target: the providers.csv reader. Any bytes must give a directory or a
// clear status, never a crash, hang or sanitizer report; with skip_bad_rows every
// row is accounted for (read = kept + bad).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "wegwijzer/interchange.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool skip : {false, true}) {
    absl::StatusOr<wegwijzer::ProvidersCsv> parsed =
        wegwijzer::ParseProvidersCsv(text, "fuzz.csv", {.skip_bad_rows = skip});
    if (!parsed.ok()) {
      if (parsed.status().message().empty()) __builtin_trap();  // errors must say why
      continue;
    }
    if (parsed->directory->size() + parsed->report.bad_rows !=
        static_cast<size_t>(parsed->report.rows)) {
      __builtin_trap();  // a row was lost
    }
    // What was read can be written and read back to the same providers.
    if (parsed->directory->size() == 0) continue;
    const std::string again = wegwijzer::FormatProvidersCsv(*parsed->directory);
    auto reread = wegwijzer::ParseProvidersCsv(again, "again.csv");
    if (!reread.ok() || reread->directory->size() != parsed->directory->size()) {
      __builtin_trap();
    }
  }
  return 0;
}
