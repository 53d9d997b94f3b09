// Internal: the one number grammar of every table the library reads (the contract's
// providers.csv and requests.csv, the gazetteer's postcode table, the Dutch scenario's
// demographics), interchange.md v1.1 "Numbers":
//
//   decimal  [+-]?(d+[.d*]|.d+)([eE][+-]?d+)?   no "inf", "nan", hex or thousands
//            separators; a decimal comma ("52,37") is recognised only to say so.
//   whole    [+-]?d+
//
// Each parser returns the empty string on success, else the reason, which begins with
// `column` ("max_km: '1,5' uses a decimal comma; ...") so that it reads on its own.
//
// Thread-safety: pure functions; thread-safe.
#ifndef WEGWIJZER_LIB_CORE_NUMBERS_H_
#define WEGWIJZER_LIB_CORE_NUMBERS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace wegwijzer::internal {

// A decimal as a double. A number too small for a double reads as (signed) zero; one
// too large is "out of range". The result is always finite.
std::string ParseDecimal(std::string_view column, std::string_view s, double* out);

// A whole number. One beyond int64 saturates to INT64_MIN or INT64_MAX rather than
// failing: it is still a whole number, and every count column either bounds it
// (priority 0..3, capacity >= 0) or means the same by it (a capacity above 2^63 is as
// good as unlimited).
std::string ParseWhole(std::string_view column, std::string_view s, int64_t* out);

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_CORE_NUMBERS_H_
