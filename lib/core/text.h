// Internal: string concatenation that accepts std::string_view.
//
// Debian 12's Abseil is built with ABSL_OPTION_USE_STD_STRING_VIEW=0, so
// absl::string_view is its own type and absl::StrCat does not take std::string_view.
// The public API speaks std::string_view; these wrappers bridge the two.
#ifndef WEGWIJZER_LIB_TEXT_H_
#define WEGWIJZER_LIB_TEXT_H_

#include <string>
#include <string_view>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace wegwijzer::internal {

inline absl::string_view ToAbsl(std::string_view s) { return {s.data(), s.size()}; }

template <typename T>
decltype(auto) ToAbslArg(const T& value) {
  if constexpr (std::is_same_v<T, std::string_view>) {
    return ToAbsl(value);
  } else {
    return (value);
  }
}

template <typename... Args>
std::string Cat(const Args&... args) {
  return absl::StrCat(ToAbslArg(args)...);
}

template <typename... Args>
void Append(std::string* out, const Args&... args) {
  absl::StrAppend(out, ToAbslArg(args)...);
}

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_TEXT_H_
