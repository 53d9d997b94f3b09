#include "core/postcode.h"

namespace wegwijzer::internal {

std::optional<int> ParsePostcode(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  if (s.size() < 4 || s[0] == '0' || !digit(s[0]) || !digit(s[1]) || !digit(s[2]) ||
      !digit(s[3])) {
    return std::nullopt;
  }
  std::string_view rest = s.substr(4);
  if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (!rest.empty() && !(rest.size() == 2 && letter(rest[0]) && letter(rest[1]))) {
    return std::nullopt;
  }
  return (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
}

std::optional<int> ParsePc4(std::string_view pc4) {
  if (pc4.size() != 4) return std::nullopt;
  return ParsePostcode(pc4);
}

}  // namespace wegwijzer::internal
