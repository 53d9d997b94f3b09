// absl::Status at the Python boundary: the one place where status codes become
// Python exceptions.
//
// C++ code in the binding throws StatusError (also from threads that do not hold
// the GIL); a translator registered once at import turns it into the Python
// exception of the table in status.cc, with the library's message unchanged.
#ifndef WEGWIJZER_BINDINGS_PYTHON_STATUS_H_
#define WEGWIJZER_BINDINGS_PYTHON_STATUS_H_

#include <exception>
#include <string>
#include <utility>

#include <pybind11/pybind11.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace wegwijzer::python {

// What a failing call was about; it decides between exceptions that share a code
// (kNotFound about a file is FileNotFoundError, about a reservation LookupError;
// kResourceExhausted about memory, from the Try entries of route, match and
// coverage, is MemoryError, about a provider's capacity CapacityExhaustedError).
enum class Subject { kValue, kFile, kMemory };

class StatusError : public std::exception {
 public:
  StatusError(absl::Status status, Subject subject)
      : status_(std::move(status)),
        subject_(subject),
        // Debian's Abseil has its own string_view type: copy, never convert.
        message_(std::string(status_.message())) {}
  const char* what() const noexcept override { return message_.c_str(); }
  const absl::Status& status() const { return status_; }
  Subject subject() const { return subject_; }

 private:
  absl::Status status_;
  Subject subject_;
  std::string message_;
};

// Throws StatusError unless `status` is OK.
inline void ThrowIfError(const absl::Status& status, Subject subject = Subject::kValue) {
  if (!status.ok()) throw StatusError(status, subject);
}

template <typename T>
T ValueOrThrow(absl::StatusOr<T> value, Subject subject = Subject::kValue) {
  if (!value.ok()) throw StatusError(value.status(), subject);
  return *std::move(value);
}

// kInvalidArgument with `message`: bad input found by the binding itself.
[[noreturn]] inline void ThrowInvalid(const std::string& message) {
  throw StatusError(absl::InvalidArgumentError(message), Subject::kValue);
}

// Adds wegwijzer.CapacityExhaustedError to `module` and registers the translator.
void RegisterStatusTranslator(pybind11::module_& module);

}  // namespace wegwijzer::python

#endif  // WEGWIJZER_BINDINGS_PYTHON_STATUS_H_
