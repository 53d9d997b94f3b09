#include "interchange/table_reader.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "core/text.h"

namespace wegwijzer::internal {

absl::Status TableReader::Error(int line, std::string_view reason) const {
  if (line <= 0) return absl::InvalidArgumentError(Cat(options_.file, ": ", reason));
  if (options_.where == TableOptions::Where::kTable) {
    return absl::InvalidArgumentError(Cat(options_.file, ":", line, ": ", reason));
  }
  return absl::InvalidArgumentError(Cat(options_.file, ": line ", line, ": ", reason));
}

absl::StatusOr<TableReader> TableReader::Open(std::string_view text,
                                              const TableOptions& options) {
  TableReader reader(text, options);
  CsvRecord& header = reader.header_;
  if (!reader.tokenizer_.Next(&header)) {
    if (!reader.tokenizer_.status().ok()) return reader.status();
    return reader.Error(0, "the file is empty (no header row)");
  }
  if (header.problem == CsvRecord::Problem::kInvalidUtf8) {
    // Spreadsheets' "Unicode text" export is UTF-16 with a byte-order mark.
    const bool utf16 = text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF");
    return reader.Error(header.line,
                        Cat("the header is not valid UTF-8",
                            utf16 ? " (the file looks like UTF-16: save it as UTF-8)" : ""));
  }
  if (header.problem == CsvRecord::Problem::kTextAfterClosingQuote) {
    return reader.Error(header.line, "text after a closing quote in the header");
  }
  // A hash set, not a scan per column: a 1 MiB header holds 500,000 columns, and the
  // scan took minutes on them (issue 15). The first repeated name is reported.
  absl::flat_hash_set<std::string_view> seen;
  seen.reserve(header.fields.size());
  for (const std::string& field : header.fields) {
    if (!seen.insert(field).second) {
      return reader.Error(header.line, Cat("duplicate column '", field, "'"));
    }
  }
  return reader;
}

int TableReader::Find(std::string_view name) const {
  auto it = std::find(header_.fields.begin(), header_.fields.end(), name);
  return it == header_.fields.end() ? -1 : static_cast<int>(it - header_.fields.begin());
}

int TableReader::FindAny(std::initializer_list<std::string_view> names) const {
  for (std::string_view name : names) {
    if (int c = Find(name); c >= 0) return c;
  }
  return -1;
}

absl::Status TableReader::RequireOne(std::initializer_list<std::string_view> names,
                                     std::string_view shown) const {
  if (FindAny(names) >= 0) return absl::OkStatus();
  std::string hint;
  if (header_.fields.size() == 1 && header_.fields[0].find(';') != std::string::npos) {
    hint = "; the header looks separated by ';' (a Dutch-locale spreadsheet export?): "
           "save as CSV with ',' between fields and a decimal point";
  } else if (std::any_of(header_.fields.begin(), header_.fields.end(),
                         [](const std::string& f) { return f.find('\r') != std::string::npos; })) {
    hint = "; lines end in a lone CR (an old Mac export?), which is not a line end: "
           "save with LF or CRLF line ends";
  }
  // The contract's catalogue names the file only; the postcode tables the header line.
  const int line = options_.where == TableOptions::Where::kTable ? header_.line : 0;
  return Error(line, Cat("missing required column ", shown, hint));
}

absl::Status TableReader::Require(std::span<const std::string_view> names) const {
  for (std::string_view name : names) {
    if (absl::Status s = RequireOne({name}, Cat("'", name, "'")); !s.ok()) return s;
  }
  return absl::OkStatus();
}

std::vector<std::string> TableReader::UnknownColumns(
    std::span<const std::string_view> known) const {
  std::vector<std::string> out;
  for (const std::string& name : header_.fields) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      out.push_back(Cat("unknown column '", name, "' ignored"));
    }
  }
  return out;
}

bool TableReader::Next(CsvRecord* record, std::string* problem) {
  if (!limit_status_.ok() || !tokenizer_.Next(record)) return false;
  problem->clear();
  if (++rows_ > options_.max_rows) {
    limit_status_ = absl::ResourceExhaustedError(
        Cat(options_.file, ": line ", record->line, ": more than ", options_.max_rows,
            " rows, the limit (max_rows", options_.limit_hint, ")"));
    return false;
  }
  const auto longest = std::max_element(
      record->fields.begin(), record->fields.end(),
      [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
  if (longest != record->fields.end() &&
      static_cast<int64_t>(longest->size()) > options_.max_field_bytes) {
    *problem = Cat("field ", longest - record->fields.begin() + 1, " is ", longest->size(),
                   " bytes long, more than the limit of ", options_.max_field_bytes,
                   " (max_field_bytes", options_.limit_hint, ")");
  } else if (record->fields.size() != header_.fields.size()) {
    *problem = Cat("has ", record->fields.size(), " fields, the header has ",
                   header_.fields.size());
  } else if (record->problem == CsvRecord::Problem::kInvalidUtf8) {
    *problem = "is not valid UTF-8";
  } else if (record->problem == CsvRecord::Problem::kTextAfterClosingQuote) {
    *problem = "has text after a closing quote";
  }
  return true;
}

absl::Status TableReader::status() const {
  if (!limit_status_.ok()) return limit_status_;
  if (tokenizer_.status().ok()) return absl::OkStatus();
  return Error(0, std::string(tokenizer_.status().message()));
}

}  // namespace wegwijzer::internal
