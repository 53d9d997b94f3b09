// Internal: whole-file reading (files.cc) and atomic writing (output_file.cc), POSIX,
// for every stage that reads or writes a file: the CSV interchange, the gazetteer, the
// Dutch scenario.
//
// These are the functions interchange.h declares for users; this header declares the
// same functions for library code that reads files but has nothing to do with the CSV
// contract, so that it does not depend on interchange.h.
//
// Thread-safety: thread-safe (WriteFileAtomically: see interchange.h for its limit on
// concurrent replacements).
#ifndef WEGWIJZER_LIB_INTERCHANGE_FILES_H_
#define WEGWIJZER_LIB_INTERCHANGE_FILES_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace wegwijzer {

// Reads a whole file. kNotFound (no such file), kPermissionDenied (cannot be opened),
// kInvalidArgument (a directory), kDataLoss (a read error) or kUnavailable (another
// stat() failure), each naming the path.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// Writes `contents` to `path` atomically, as interchange.h documents it (standard output
// for "-", links written through, no temporary file left behind). Implemented in
// output_file.cc, with its signal handling and test seams (output_file.h).
absl::Status WriteFileAtomically(const std::string& path, std::string_view contents);

}  // namespace wegwijzer

#endif  // WEGWIJZER_LIB_INTERCHANGE_FILES_H_
