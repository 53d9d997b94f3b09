// Internal: the one reader of CSV tables, under the contract's providers.csv and
// requests.csv readers, the gazetteer's postcode table and the Dutch scenario's
// demographics, so that every table the library reads follows the same rules
// (interchange.md v1.1, "Common rules" and "Fine points"; tokenizing in
// csv_tokenizer.h):
//
//  * Header: a UTF-8 byte-order mark is skipped; an empty text, a header that is not
//    valid UTF-8 (with a hint when the file looks like UTF-16), text after a closing
//    quote in the header, and a column named twice are whole-file errors; a missing
//    required column is a whole-file error (with a hint for a ';'-separated or
//    CR-terminated export); a column the reader does not know is a warning.
//  * Rows: a row with another field count than the header, invalid UTF-8 or text
//    after a closing quote is bad, with the reason Next() gives. What a bad row means
//    (skipped and reported, or the end of the read) is the caller's decision.
//  * A quoted field that never closes is a whole-file error (status()).
//  * Limits (TableOptions): more rows than max_rows is a whole-file error
//    (kResourceExhausted); a field longer than max_field_bytes makes its row bad.
//
// Messages begin with the file name. Two spellings of where, kept as each reader's
// users and tests know them: the contract's readers say "file: line N: reason" (and
// "file: reason" for a missing column), the postcode tables "file:N: reason".
//
// Example:
//   absl::StatusOr<TableReader> table = TableReader::Open(text, {.file = "pc4.csv"});
//   if (!table.ok()) return table.status();
//   if (absl::Status s = table->Require({"pc4", "lat"}); !s.ok()) return s;
//   const int pc4 = table->Find("pc4");
//   CsvRecord row;
//   std::string problem;
//   while (table->Next(&row, &problem)) { ... row.fields[pc4] ... }
//   if (!table->status().ok()) return table->status();
//
// Thread-compatible. REQUIRES: the text outlives the reader (it is not copied).
#ifndef WEGWIJZER_LIB_INTERCHANGE_TABLE_READER_H_
#define WEGWIJZER_LIB_INTERCHANGE_TABLE_READER_H_

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "interchange/csv_tokenizer.h"

namespace wegwijzer::internal {

// The most data rows a table may have by default (far above any Dutch instance: the
// national benchmark has one million requests), and the longest field.
inline constexpr int64_t kDefaultMaxRows = 20'000'000;
inline constexpr int64_t kDefaultMaxFieldBytes = 16 << 20;

struct TableOptions {
  std::string_view file;  // in every message. REQUIRES: outlives the reader.
  enum class Where { kContract, kTable };
  // How a message says the line (see the file comment). DEFAULT: kContract.
  Where where = Where::kContract;
  // More data rows than this end the read with kResourceExhausted (a whole-file
  // error naming the limit). DEFAULT: kDefaultMaxRows.
  int64_t max_rows = kDefaultMaxRows;
  // A field longer than this makes its row bad. DEFAULT: kDefaultMaxFieldBytes.
  int64_t max_field_bytes = kDefaultMaxFieldBytes;
  // How a message tells the user to raise a limit, after the option's name
  // ("max_rows"), e.g. "; --max-rows on the command line". DEFAULT: empty.
  std::string_view limit_hint = {};
};

class TableReader {
 public:
  // Reads the header. kInvalidArgument for the whole-file problems above.
  static absl::StatusOr<TableReader> Open(std::string_view text, const TableOptions& options);

  // Column index of `name`, -1 when absent.
  int Find(std::string_view name) const;
  // The first of `names` present, -1 when none is.
  int FindAny(std::initializer_list<std::string_view> names) const;

  // kInvalidArgument "missing required column 'x'" for the first of `names` absent.
  absl::Status Require(std::span<const std::string_view> names) const;
  absl::Status Require(std::initializer_list<std::string_view> names) const {
    return Require(std::span<const std::string_view>(names.begin(), names.size()));
  }
  // The same for one column of several spellings, any of which will do; `shown` is
  // how the message names it ("'inwoners_2021' (or 'residents')").
  absl::Status RequireOne(std::initializer_list<std::string_view> names,
                          std::string_view shown) const;

  // One "unknown column 'x' ignored" per header column not in `known`.
  std::vector<std::string> UnknownColumns(std::span<const std::string_view> known) const;

  // Reads the next data row into `record`; `*problem` is then empty, or the reason the
  // row is bad in itself ("has 3 fields, the header has 2", "is not valid UTF-8", "has
  // text after a closing quote"). When the row has the header's field count,
  // record->fields[c] exists for every column c. Returns false at the end or on a
  // whole-file error; then status() tells which.
  bool Next(CsvRecord* record, std::string* problem);
  // OK, or the whole-file error that ended the rows.
  absl::Status status() const;

  int header_line() const { return header_.line; }
  size_t column_count() const { return header_.fields.size(); }

  // kInvalidArgument naming the file and `line` (0: no line) as the options say.
  absl::Status Error(int line, std::string_view reason) const;

 private:
  TableReader(std::string_view text, const TableOptions& options)
      : options_(options), tokenizer_(text) {}

  TableOptions options_;
  CsvTokenizer tokenizer_;
  CsvRecord header_;
  int64_t rows_ = 0;
  absl::Status limit_status_;  // set when max_rows ended the read
};

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_INTERCHANGE_TABLE_READER_H_
