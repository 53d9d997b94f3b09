#include "status.h"

#include <Python.h>

namespace wegwijzer::python {
namespace {

PyObject* g_capacity_exhausted = nullptr;  // wegwijzer.CapacityExhaustedError

// The mapping, chosen by what the Python caller should do about it.
PyObject* ExceptionFor(absl::StatusCode code, Subject subject) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
      return PyExc_ValueError;  // fix the input
    case absl::StatusCode::kOutOfRange:
      return PyExc_IndexError;
    case absl::StatusCode::kNotFound:
      return subject == Subject::kFile ? PyExc_FileNotFoundError : PyExc_LookupError;
    case absl::StatusCode::kPermissionDenied:
      return PyExc_PermissionError;
    case absl::StatusCode::kAlreadyExists:
      return subject == Subject::kFile ? PyExc_FileExistsError : PyExc_ValueError;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDataLoss:
      return PyExc_OSError;  // the file system failed us
    case absl::StatusCode::kResourceExhausted:
      // A memory or size limit of route, match or coverage: raise the limit or split
      // the input. Otherwise a provider (or every suitable one) is full.
      return subject == Subject::kMemory ? PyExc_MemoryError : g_capacity_exhausted;
    case absl::StatusCode::kUnimplemented:
      return PyExc_NotImplementedError;
    case absl::StatusCode::kDeadlineExceeded:
      return PyExc_TimeoutError;
    default:
      return PyExc_RuntimeError;  // kInternal, kUnknown, ...: a bug, report it
  }
}

}  // namespace

void RegisterStatusTranslator(pybind11::module_& module) {
  static pybind11::exception<StatusError> capacity_exhausted(
      module, "CapacityExhaustedError", PyExc_RuntimeError);
  capacity_exhausted.doc() =
      "A provider, or every provider that suits a request, has no capacity left.";
  g_capacity_exhausted = capacity_exhausted.ptr();
  pybind11::register_exception_translator([](std::exception_ptr error) {
    try {
      if (error) std::rethrow_exception(error);
    } catch (const StatusError& e) {
      PyErr_SetString(ExceptionFor(e.status().code(), e.subject()), e.what());
    }
  });
}

}  // namespace wegwijzer::python
