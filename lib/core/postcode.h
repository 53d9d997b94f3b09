// Internal: the one parser of Dutch postcodes, for requests (Gazetteer::ParsePostcode,
// requests.csv's postcode column, Gazetteer::Resolve) and for the pc4 column of the
// postcode tables (the gazetteer's, the Dutch scenario's demographics).
//
// A postcode is four digits, the first not 0 (PC4: 1000..9999), optionally followed by
// two letters, with at most one space between: "1011", "1011AB", "1011 AB", "1011ab".
// Surrounding spaces and tabs are ignored. Only the four digits are used.
//
// Thread-safety: pure functions; thread-safe.
#ifndef WEGWIJZER_LIB_CORE_POSTCODE_H_
#define WEGWIJZER_LIB_CORE_POSTCODE_H_

#include <optional>
#include <string_view>

namespace wegwijzer::internal {

inline constexpr int kMinPc4 = 1000;
inline constexpr int kMaxPc4 = 9999;

// The PC4 of a written postcode, or nullopt when malformed.
std::optional<int> ParsePostcode(std::string_view postcode);

// The PC4 of a table's pc4 column: the four digits alone ("1011"), as CBS publishes
// them; nullopt for anything else (letters, "01011", "999").
std::optional<int> ParsePc4(std::string_view pc4);

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_CORE_POSTCODE_H_
