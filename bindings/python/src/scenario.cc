// generate_scenario: the library's seeded synthetic scenario, as a Directory and a
// RequestBatch. The options' bounds are the library's (GenerateScenario).
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "directory.h"
#include "module.h"
#include "request_batch.h"
#include "status.h"
#include "wegwijzer/scenario.h"
#include "wegwijzer/v1/directory.pb.h"

namespace py = pybind11;

namespace wegwijzer::python {

void BindScenario(py::module_& m) {
  m.def("generate_scenario", [](uint64_t seed, int providers, int requests, int towns,
                                double remote_share) {
    absl::StatusOr<Scenario> scenario;
    absl::StatusOr<std::shared_ptr<const wegwijzer::Directory>> directory;
    std::shared_ptr<Directory> bound;
    {
      py::gil_scoped_release release;
      scenario = GenerateScenario({.seed = seed, .providers = providers, .requests = requests,
                                   .towns = towns, .remote_share = remote_share});
      if (scenario.ok()) {
        directory = wegwijzer::Directory::Create(*scenario->directory);
        if (directory.ok()) bound = std::make_shared<Directory>(*directory);
      }
    }
    ThrowIfError(scenario.status());
    ThrowIfError(directory.status());
    auto batch = std::make_shared<const std::vector<Request>>(std::move(scenario->requests));
    return py::make_tuple(bound, RequestBatch{std::move(batch)});
  }, py::arg("seed"), py::arg("providers"), py::arg("requests"), py::arg("towns"),
     py::arg("remote_share"));
}

}  // namespace wegwijzer::python
