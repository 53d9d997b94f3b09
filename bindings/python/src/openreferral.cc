// import_hsds / export_hsds: Open Referral (HSDS 3 / ORUK) directories in and out, as
// the library's ImportHsds and ExportHsds do them (wegwijzer/openreferral.h). The
// snapshot crosses the boundary serialized; the Python layer builds the Directory.
#include <optional>
#include <string>
#include <vector>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "module.h"
#include "status.h"
#include "wegwijzer/openreferral.h"
#include "wegwijzer/v1/directory.pb.h"

namespace py = pybind11;

namespace wegwijzer::python {
namespace {

// (snapshot bytes, problems, unmapped terms, services read, providers made).
py::tuple ImportHsdsFile(const std::string& path, const std::optional<std::string>& taxonomy_map,
                         bool skip_bad_records) {
  std::string bytes;
  HsdsReport report;
  {
    py::gil_scoped_release release;
    std::optional<TaxonomyMap> map;
    if (taxonomy_map) map = ValueOrThrow(TaxonomyMap::Load(*taxonomy_map), Subject::kFile);
    HsdsImport in = ValueOrThrow(
        ImportHsds(path, {.taxonomy_map = map ? &*map : nullptr,
                          .skip_bad_records = skip_bad_records}),
        Subject::kFile);
    if (!in.snapshot->SerializeToString(&bytes)) {
      ThrowInvalid(path + ": the imported snapshot is too large to serialize (2 GB)");
    }
    report = std::move(in.report);
  }
  py::dict unmapped;
  for (const auto& [term, count] : report.unmapped_terms) unmapped[py::str(term)] = count;
  return py::make_tuple(py::bytes(bytes), report.problems, unmapped, report.services_read,
                        report.providers_made);
}

void ExportHsdsFiles(py::bytes snapshot_bytes, const std::string& out_dir,
                     const std::string& format) {
  if (format != "json" && format != "csv") {
    ThrowInvalid("format '" + format + "' is not json or csv");
  }
  const std::string bytes = snapshot_bytes;
  absl::Status status;
  {
    py::gil_scoped_release release;
    v1::DirectorySnapshot snapshot;
    if (!snapshot.ParseFromString(bytes)) {
      status = absl::InvalidArgumentError("not a wegwijzer.v1.DirectorySnapshot");
    } else {
      status = ExportHsds(snapshot.hsds(), out_dir,
                          format == "json" ? HsdsFormat::kJson : HsdsFormat::kCsv);
    }
  }
  ThrowIfError(status, Subject::kFile);
}

}  // namespace

void BindOpenReferral(py::module_& m) {
  m.def("import_hsds", &ImportHsdsFile, py::arg("path"), py::arg("taxonomy_map"),
        py::arg("skip_bad_records"));
  m.def("export_hsds", &ExportHsdsFiles, py::arg("snapshot"), py::arg("out_dir"),
        py::arg("format"));
}

}  // namespace wegwijzer::python
