// Internal: the tabular (CSV datapackage) form of HSDS 3.0 / 3.1 to and from the
// normalised model wegwijzer.v1.HsdsDirectory.
//
// Interpreted tables: organizations, services, locations, service_at_location (the
// records), and addresses, accessibility, languages, schedules, service_areas,
// cost_options, required_documents, service_capacity, attributes (with their
// taxonomy_terms row; ORUK 3.0 calls the table attribute.csv), each attached to the record its foreign key names. A row
// with several keys (a schedule naming its service, location and
// service_at_location) goes to the most specific one; the other keys stay in the
// row's `extra`. Every other table (contacts, phones, funding, profile tables such as
// ORUK's address.csv, ...) is kept verbatim in `tables`, and so is a row whose owner is
// not a record Wegwijzer models (an attribute of an organization).
//
// Quirks: a file with "\r\r\n" line ends (as ORUK's are) is read with "\r\n"; the
// notes say so. A cell is empty or a value: an empty cell is "not given".
//
// Errors (kInvalidArgument) "FILE:LINE: record ID: field F: reason": a number that is
// not one, a row without an id, a duplicate id, a foreign key naming no record
// (unless skip_bad_records: the row is then kept verbatim and noted).
//
// Thread-safety: pure functions; thread-safe.
#ifndef WEGWIJZER_LIB_OPENREFERRAL_HSDS_CSV_H_
#define WEGWIJZER_LIB_OPENREFERRAL_HSDS_CSV_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace wegwijzer::v1 {
class HsdsDirectory;
}

namespace wegwijzer::internal {

// kInvalidArgument with `message`, marked as a record-level problem that
// skip_bad_records would leave out (IsSkippableRecordError in openreferral.h).
absl::Status SkippableRecordError(std::string message);

// A CSV file of the folder: its name ("services.csv") and its text.
struct HsdsCsvFile {
  std::string name;
  std::string text;
};

// Reads the tables of one folder (`folder` names it in messages) into `directory`.
absl::Status ReadHsdsCsv(const std::vector<HsdsCsvFile>& files, std::string_view folder,
                         bool skip_bad_records, v1::HsdsDirectory* directory,
                         std::vector<std::string>* notes);

// The CSV files of `directory`, (file name, text), in table order. Columns: the
// layout read when the directory came from CSV; otherwise the keys, the typed fields
// and the extra properties met. A value that is not text (a nested object from JSON)
// is written as its JSON.
std::vector<std::pair<std::string, std::string>> WriteHsdsCsv(const v1::HsdsDirectory& directory);

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_OPENREFERRAL_HSDS_CSV_H_
