// Internal: an RFC 4180 tokenizer with the contract's fine points
// (interchange.md v1.1, "Common rules" and "Fine points").
//
//  * A UTF-8 byte-order mark at the start is skipped.
//  * A line end is LF, with any CRs directly before it: LF, CRLF and CRCRLF (a CRLF
//    file converted once more, common in exported ORUK files) are one line end each.
//    A CR that no LF follows is an ordinary character.
//  * A blank line (nothing between two line ends) is skipped; a line of commas is a
//    record of empty fields.
//  * A field is quoted iff its first character other than a space or tab is '"'
//    (blanks around a field are trimmed before quoting is recognised). Inside, "" is
//    a quote and line ends are kept. After the closing quote only spaces or tabs may come before the
//    separator or line end; other text marks the record kTextAfterClosingQuote (the
//    rest of the field is then dropped up to the next separator or line end).
//    A quote inside an unquoted field is a literal character.
//  * A quoted field that never closes is a whole-file error.
//  * Every field is trimmed of surrounding spaces and tabs.
//  * A record's line is the line where it starts (1-based, counting every line).
//
// Thread-compatible; reads `text` without copying it, so REQUIRES: `text` outlives it.
#ifndef WEGWIJZER_LIB_CSV_TOKENIZER_H_
#define WEGWIJZER_LIB_CSV_TOKENIZER_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace wegwijzer::internal {

struct CsvRecord {
  enum class Problem { kNone, kInvalidUtf8, kTextAfterClosingQuote };
  int line = 0;
  std::vector<std::string> fields;
  Problem problem = Problem::kNone;
};

// True when `bytes` is well-formed UTF-8 (no overlong forms, surrogates or code
// points above U+10FFFF).
bool IsValidUtf8(std::string_view bytes);

class CsvTokenizer {
 public:
  explicit CsvTokenizer(std::string_view text);

  // Reads the next record into `record` (reusing its storage). Returns false at the
  // end of the text or on a whole-file error; then status() tells which.
  bool Next(CsvRecord* record);
  // OK, or kInvalidArgument "line N: a quoted field never closes".
  const absl::Status& status() const { return status_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  absl::Status status_;
};

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_CSV_TOKENIZER_H_
