// Internal: the memory limits of the batch entry points (Router::TryRouteBatch,
// Matcher::TryMatch, TryAnalyzeCoverage): estimates in saturating arithmetic, and
// the one sentence they refuse with.
#ifndef WEGWIJZER_LIB_CORE_MEMORY_BUDGET_H_
#define WEGWIJZER_LIB_CORE_MEMORY_BUDGET_H_

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "core/text.h"

namespace wegwijzer::internal {

// The largest count of requests the 32-bit request indexes hold, one value kept free
// as a "none" marker.
inline constexpr int64_t kMaxIndexedRequests = int64_t{std::numeric_limits<uint32_t>::max()} - 1;

// a x b, or INT64_MAX when it would not fit. REQUIRES: a, b >= 0.
inline int64_t SaturatingMul(int64_t a, int64_t b) {
  if (a != 0 && b > std::numeric_limits<int64_t>::max() / a) {
    return std::numeric_limits<int64_t>::max();
  }
  return a * b;
}
// a + b, or INT64_MAX when it would not fit. REQUIRES: a, b >= 0.
inline int64_t SaturatingAdd(int64_t a, int64_t b) {
  return a > std::numeric_limits<int64_t>::max() - b ? std::numeric_limits<int64_t>::max()
                                                     : a + b;
}

// "1.5 MiB", "12,288.0 MiB": what the messages quote.
inline std::string MiBText(int64_t bytes) {
  return absl::StrFormat("%.1f MiB", static_cast<double>(bytes) / (1 << 20));
}

// kResourceExhausted: "<what> needs about X, more than the memory limit of Y
// (<option>); raise it or split the input (per region or per month)".
inline absl::Status MemoryLimitError(std::string_view what, int64_t needed, int64_t limit,
                                     std::string_view option) {
  return absl::ResourceExhaustedError(
      Cat(what, " needs about ", needed == std::numeric_limits<int64_t>::max()
                                     ? std::string("more than 8 EiB")
                                     : MiBText(needed),
          ", more than the memory limit of ", MiBText(limit), " (", option,
          "); raise it or split the input (per region or per month)"));
}

// kResourceExhausted for more requests than 32-bit indexes hold.
inline absl::Status TooManyRequestsError(std::string_view what, int64_t count) {
  return absl::ResourceExhaustedError(
      Cat(what, ": ", count, " requests, more than the ", kMaxIndexedRequests,
          " that 32-bit request indexes hold; split the input (per region or per month)"));
}

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_CORE_MEMORY_BUDGET_H_
