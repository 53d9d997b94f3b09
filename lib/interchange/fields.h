// Internal: the contract's field grammar beyond numbers (core/numbers.h): lists of
// codes, languages and a position given as a lat/lon pair (interchange.md v1.1,
// "Common rules"). Each parser returns the empty string on success, else the reason,
// which begins with the column it is about.
//
// Thread-safety: pure functions; thread-safe.
#ifndef WEGWIJZER_LIB_INTERCHANGE_FIELDS_H_
#define WEGWIJZER_LIB_INTERCHANGE_FIELDS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.h"
#include "wegwijzer/codes.h"
#include "wegwijzer/geo.h"

namespace wegwijzer::internal {

// The items of a ';'-separated list field: SplitCodes (codes.h), the one list grammar
// of the library and its bindings.
inline std::vector<std::string_view> SplitList(std::string_view field) {
  return SplitCodes(field);
}

// Adds every code of the list `field` to `out`; "column: unknown code 'x'" for the
// first code `parse` does not know.
template <typename Set, typename Parse>
std::string ParseCodes(std::string_view column, std::string_view field, Parse parse,
                       Set* out) {
  for (std::string_view code : SplitList(field)) {
    auto value = parse(code);
    if (!value) return Cat(column, ": unknown code '", code, "'");
    out->Add(*value);
  }
  return "";
}

// The languages column: ISO 639-1 codes.
std::string ParseLanguages(std::string_view field, LanguageSet* out);

// Latitude and longitude given as a pair of decimal degrees. `*present` is false when
// both are empty (and then `out` is untouched); one without the other is an error, as
// is a value outside -90..90 or -180..180.
std::string ParsePosition(std::string_view lat_field, std::string_view lon_field,
                          LatLng* out, bool* present);

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_INTERCHANGE_FIELDS_H_
