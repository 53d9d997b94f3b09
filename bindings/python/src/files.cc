// write_file: the library's atomic file write, for the Python layer's writers.
#include <string>

#include "module.h"
#include "status.h"
#include "wegwijzer/interchange.h"

namespace py = pybind11;

namespace wegwijzer::python {

void BindFiles(py::module_& m) {
  m.def("write_file", [](const std::string& path, py::bytes contents) {
    std::string text = contents;
    absl::Status status;
    {
      py::gil_scoped_release release;
      status = WriteFileAtomically(path, text);
    }
    ThrowIfError(status, Subject::kFile);
  }, py::arg("path"), py::arg("contents"));

}

}  // namespace wegwijzer::python
