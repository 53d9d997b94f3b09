// Internal: the walk over a table of the CSV contract that providers.csv and
// requests.csv share: the table reader's header and row checks (table_reader.h), then
// the contract's own: an empty id, a duplicate id, and the report of problems (one
// per bad row, one warning per unknown column, nothing dropped silently).
//
// Thread-compatible.
#ifndef WEGWIJZER_LIB_INTERCHANGE_CONTRACT_TABLE_H_
#define WEGWIJZER_LIB_INTERCHANGE_CONTRACT_TABLE_H_

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "interchange/csv_tokenizer.h"
#include "interchange/table_reader.h"
#include "wegwijzer/interchange.h"

namespace wegwijzer::internal {

// Field of `record` at column `c`, empty when the column is absent (c < 0).
inline std::string_view Field(const CsvRecord& record, int c) {
  return c < 0 ? std::string_view() : std::string_view(record.fields[c]);
}

struct ContractTable {
  std::string_view file;
  // Every column the file may have; others are warned about.
  std::span<const std::string_view> known;
  // The required columns once the header is known (requests.csv with a postcode
  // column does not require lat and lon).
  std::function<std::span<const std::string_view>(const TableReader&)> required;
  // Called once with the header, before the rows.
  std::function<void(const TableReader&)> on_header;
  // Parses a row that passed the generic checks: "" when good, else the reason.
  // May add warnings for the row to the report.
  std::function<std::string(const CsvRecord&)> parse_row;
};

// Walks `text`, filling `report`. Returns a whole-file error, else OK (bad rows are
// in the report; see RejectIfBad).
absl::Status WalkContractTable(std::string_view text, const ContractTable& table,
                               const CsvReadOptions& options, CsvReport* report);

// Reads a file of the contract under `options`' limits, checking its header with
// `parse` (the table's whole-text parser) before the rest is read.
absl::StatusOr<std::string> ReadContractFile(
    const std::string& path, const CsvReadOptions& options,
    const std::function<absl::Status(std::string_view text)>& parse);

// The read's answer once walked: OK, or the report as kInvalidArgument when there are
// bad rows and they are not to be skipped.
absl::Status RejectIfBad(const CsvReport& report, const CsvReadOptions& options);

// Each of `warnings` as a warning on `line`.
void AddWarnings(int line, std::vector<std::string> warnings, CsvReport* report);

// A warning for each code of a municipality list that `gazetteer` (may be null: then
// none) does not know.
void WarnUnknownMunicipalities(const Gazetteer* gazetteer, std::string_view field,
                               std::vector<std::string>* warnings);

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_INTERCHANGE_CONTRACT_TABLE_H_
