#include "core/numbers.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "core/text.h"

namespace wegwijzer::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool MatchesDecimal(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && IsDigit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

// For a number matching the grammar that from_chars found out of range: true when it
// is too large for a double, false when it is too small (and so reads as zero). Decided
// by the decimal exponent of the leading significant digit, which is far from zero in
// both cases (about +308 or -324).
bool Overflows(std::string_view s) {
  size_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0;
  int64_t lead = 0;  // exponent of the leading significant digit, before the e part
  bool found = false;
  int64_t int_digits = 0;
  for (; i < s.size() && IsDigit(s[i]); ++i) {
    if (!found && s[i] != '0') found = true;
    if (found) ++int_digits;
  }
  if (found) {
    lead = int_digits - 1;
  } else if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && IsDigit(s[i]); ++i) {
      --lead;
      if (s[i] != '0') break;
    }
  }
  while (i < s.size() && s[i] != 'e' && s[i] != 'E') ++i;
  int64_t exponent = 0;
  if (i < s.size()) {
    ++i;
    const bool negative = i < s.size() && s[i] == '-';
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    for (; i < s.size(); ++i) exponent = std::min<int64_t>(exponent * 10 + (s[i] - '0'), 1'000'000'000);
    if (negative) exponent = -exponent;
  }
  return lead + exponent > 0;
}

}  // namespace

std::string ParseDecimal(std::string_view column, std::string_view s, double* out) {
  if (!MatchesDecimal(s)) {
    if (s.find(',') != std::string_view::npos &&
        MatchesDecimal(Cat(s.substr(0, s.find(',')), ".", s.substr(s.find(',') + 1)))) {
      return Cat(column, ": '", s, "' uses a decimal comma; write a decimal point (52.37)");
    }
    return Cat(column, ": '", s, "' is not a decimal number");
  }
  std::string_view digits = s[0] == '+' ? s.substr(1) : s;
  double value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec == std::errc::result_out_of_range) {
    // from_chars leaves `value` untouched and reports overflow and underflow alike;
    // a number too small for a double is simply zero, one too large is bad.
    if (Overflows(s)) return Cat(column, ": '", s, "' is out of range");
    value = s[0] == '-' ? -0.0 : 0.0;
  } else if (ec != std::errc() || end != digits.data() + digits.size()) {
    return Cat(column, ": '", s, "' is not a decimal number");
  }
  *out = value;
  return "";
}

std::string ParseWhole(std::string_view column, std::string_view s, int64_t* out) {
  size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  if (i == s.size()) return Cat(column, ": '", s, "' is not a whole number");
  for (size_t j = i; j < s.size(); ++j) {
    if (!IsDigit(s[j])) return Cat(column, ": '", s, "' is not a whole number");
  }
  std::string_view digits = s[0] == '+' ? s.substr(1) : s;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec == std::errc::result_out_of_range) {
    value = s[0] == '-' ? std::numeric_limits<int64_t>::min()
                        : std::numeric_limits<int64_t>::max();
  } else if (ec != std::errc() || end != digits.data() + digits.size()) {
    return Cat(column, ": '", s, "' is not a whole number");
  }
  *out = value;
  return "";
}

}  // namespace wegwijzer::internal
