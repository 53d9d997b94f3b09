#include "interchange/contract_table.h"

#include "absl/container/flat_hash_map.h"
#include "core/text.h"
#include "interchange/fields.h"
#include "interchange/files.h"
#include "wegwijzer/gazetteer.h"

namespace wegwijzer {

std::string CsvReport::ToString() const {
  std::string out;
  for (const CsvProblem& p : problems) {
    internal::Append(&out, file, ":", p.line, ": ",
                     p.kind == CsvProblem::Kind::kWarning ? "warning: " : "bad row: ", p.reason,
                     "\n");
  }
  if (bad_rows > 0) {
    internal::Append(&out, file, ": ", bad_rows, " of ", rows, " rows are bad",
                     bad_rows_skipped ? "; skipped them" : "; the file is rejected", "\n");
  }
  return out;
}

namespace internal {

absl::Status WalkContractTable(std::string_view text, const ContractTable& table,
                               const CsvReadOptions& options, CsvReport* report) {
  report->file = std::string(table.file);
  report->bad_rows_skipped = options.skip_bad_rows;
  absl::StatusOr<TableReader> reader =
      TableReader::Open(text, {.file = table.file,
                               .max_rows = options.max_rows,
                               .max_field_bytes = options.max_field_bytes,
                               .limit_hint = options.limit_hint});
  if (!reader.ok()) return reader.status();
  if (absl::Status s = reader->Require(table.required(*reader)); !s.ok()) return s;
  const int header_line = reader->header_line();
  AddWarnings(header_line, reader->UnknownColumns(table.known), report);
  table.on_header(*reader);

  const int id_column = reader->Find("id");
  absl::flat_hash_map<std::string, int> first_line;  // of each id

  CsvRecord record;
  std::string reason;
  while (reader->Next(&record, &reason)) {
    ++report->rows;
    // The first row that carries an id claims it, even when that row is bad for any
    // other reason (a wrong field count included, as long as the id column is there):
    // a later row with the same id is then a duplicate, whichever row was fixed.
    int claimed_on = 0;  // line of the row that claimed this row's id, if another
    if (id_column < static_cast<int>(record.fields.size()) &&
        !record.fields[id_column].empty()) {
      auto [it, inserted] = first_line.emplace(record.fields[id_column], record.line);
      if (!inserted) claimed_on = it->second;
    }
    if (!reason.empty()) {
      // The table reader's own reason: field count, UTF-8, quoting.
    } else if (record.fields[id_column].empty()) {
      reason = "id is empty";
    } else if (claimed_on > 0) {
      reason = Cat("duplicate id '", record.fields[id_column], "' (first on line ",
                   claimed_on, ")");
    } else {
      reason = table.parse_row(record);
    }
    if (!reason.empty()) {
      ++report->bad_rows;
      report->problems.push_back({CsvProblem::Kind::kBadRow, record.line, std::move(reason)});
      reason.clear();
    }
  }
  if (absl::Status s = reader->status(); !s.ok()) return s;
  // Decision: a header without rows is not an "empty file" (interchange.md's
  // whole-file errors name the empty file, not the empty table): it is a valid file
  // of zero rows, e.g. a waiting list that is empty today. As it may also be a failed
  // export, it is reported as a warning.
  if (report->rows == 0) {
    report->problems.push_back({CsvProblem::Kind::kWarning, header_line,
                                "the file has a header but no rows"});
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadContractFile(
    const std::string& path, const CsvReadOptions& options,
    const std::function<absl::Status(std::string_view text)>& parse) {
  return ReadFileCheckingHead(
      path, {.max_file_bytes = options.max_file_bytes, .hint = options.limit_hint}, parse);
}

void AddWarnings(int line, std::vector<std::string> warnings, CsvReport* report) {
  for (std::string& w : warnings) {
    report->problems.push_back({CsvProblem::Kind::kWarning, line, std::move(w)});
  }
}

absl::Status RejectIfBad(const CsvReport& report, const CsvReadOptions& options) {
  if (report.bad_rows == 0 || options.skip_bad_rows) return absl::OkStatus();
  return absl::InvalidArgumentError(report.ToString());
}

void WarnUnknownMunicipalities(const Gazetteer* gazetteer, std::string_view field,
                               std::vector<std::string>* warnings) {
  if (gazetteer == nullptr) return;
  for (std::string_view code : SplitList(field)) {
    if (!gazetteer->FindMunicipality(code)) {
      warnings->push_back(Cat("municipality: '", code, "' is not a municipality of the gazetteer"));
    }
  }
}

}  // namespace internal
}  // namespace wegwijzer
