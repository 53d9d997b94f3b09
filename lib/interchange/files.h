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

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace wegwijzer {

// Reads a whole file (or pipe, or device) of at most 1 GiB. kNotFound (no such
// file), kPermissionDenied (cannot be opened), kInvalidArgument (a directory),
// kResourceExhausted (larger than 1 GiB, or out of memory), kDataLoss (a read error)
// or kUnavailable (another stat() failure), each naming the path.
absl::StatusOr<std::string> ReadFile(const std::string& path);

namespace internal {

// The limits of a file read. DEFAULTs: a file of at most 1 GiB (a national waiting
// list of a million requests is about 100 MB), a first line of at most 1 MiB.
struct ReadLimits {
  int64_t max_file_bytes = int64_t{1} << 30;
  size_t max_head_bytes = size_t{1} << 20;
  // Appended to the limit's name in messages, e.g. "; --max-file-mb on the command
  // line". DEFAULT: empty.
  std::string_view hint;
};

// Checks the first line of a table (with any blank lines before it).
using HeadCheck = std::function<absl::Status(std::string_view head)>;

// Reads a whole file, a pipe or a device, as ReadFile does, but within `limits`
// (kResourceExhausted naming the limit: a regular file is refused by its size before
// any byte is read; a stream when it passes the limit), and when `check_head` is set
// reads the first line first and returns check_head's error, if any, before reading
// the rest. No std::bad_alloc escapes: out of memory is kResourceExhausted.
absl::StatusOr<std::string> ReadFileCheckingHead(const std::string& path,
                                                 const ReadLimits& limits,
                                                 const HeadCheck& check_head);

}  // namespace internal

// Writes `contents` to `path` atomically, as interchange.h documents it (standard output
// for "-", links written through, no temporary file left behind). Implemented in
// output_file.cc, with its signal handling and test seams (output_file.h).
absl::Status WriteFileAtomically(const std::string& path, std::string_view contents);

}  // namespace wegwijzer

#endif  // WEGWIJZER_LIB_INTERCHANGE_FILES_H_
