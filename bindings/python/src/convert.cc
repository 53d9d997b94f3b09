#include "convert.h"

#include <algorithm>
#include <limits>

#include "status.h"

namespace py = pybind11;

namespace wegwijzer::python {

py::bytes Bytes(const std::string& s) { return py::bytes(s.data(), s.size()); }

std::string AsBytes(py::handle data, const char* what) {
  if (PyBytes_Check(data.ptr()) || PyByteArray_Check(data.ptr()) ||
      PyMemoryView_Check(data.ptr())) {
    return std::string(py::bytes(py::reinterpret_borrow<py::object>(data)));
  }
  ThrowInvalid(std::string(what) + ": expected bytes (a serialized message), not " +
               std::string(py::str(py::type::handle_of(data).attr("__name__"))));
}

int CheckThreads(int threads) {
  if (threads < 0) ThrowInvalid("threads must be >= 0 (0 = every core), not " + std::to_string(threads));
  return threads;
}

int CheckK(long long k) {
  if (k < 1) ThrowInvalid("k must be >= 1, not " + std::to_string(k));
  return static_cast<int>(std::min<long long>(k, std::numeric_limits<int>::max()));
}

py::tuple ReportTuple(const CsvReport& report) {
  py::list problems;
  for (const CsvProblem& p : report.problems) {
    problems.append(py::make_tuple(
        p.kind == CsvProblem::Kind::kWarning ? "warning" : "bad_row", p.line, p.reason));
  }
  return py::make_tuple(report.file, report.rows, report.bad_rows, report.bad_rows_skipped,
                        problems, report.ToString());
}

py::tuple LanguageCodes(const LanguageSet& set) {
  py::list codes;
  for (std::string_view code : set.codes()) codes.append(py::str(std::string(code)));
  return py::tuple(codes);
}

pybind11::dict Record(std::initializer_list<Column> columns) {
  pybind11::dict record;
  for (const Column& column : columns) record[column.name] = column.value;
  return record;
}

}  // namespace wegwijzer::python
