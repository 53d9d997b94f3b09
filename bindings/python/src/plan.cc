#include "plan.h"

#include <cstdint>
#include <string>
#include <utility>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "convert.h"
#include "module.h"
#include "status.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/v1/plan.pb.h"

namespace py = pybind11;

namespace wegwijzer::python {

MatchPlan Match(std::shared_ptr<const Directory> h, const RequestBatch& batch,
                 int threads, long long penalty, std::optional<int64_t> max_memory_bytes,
                 const std::optional<std::string>& solver) {
  CheckThreads(threads);
  if (penalty <= 0) ThrowInvalid("unassigned_penalty_m must be > 0, not " + std::to_string(penalty));
  MatchOptions options;
  if (solver) options.solver = ValueOrThrow(ParseMatchSolver(*solver));
  // Matcher::Match REQUIRES unique ids; the library's rule says which one is not.
  if (absl::Status unique = ValidateUniqueIds(*batch.requests); !unique.ok()) {
    ThrowInvalid(std::string(unique.message()) + "; match needs unique ids");
  }
  MatchPlan plan{std::move(h), batch, {}};
  {
    py::gil_scoped_release release;
    options.unassigned_penalty_m = penalty;
    options.threads = threads;
    if (max_memory_bytes) options.max_memory_bytes = *max_memory_bytes;
    plan.plan = ValueOrThrow(plan.directory->matcher.TryMatch(*batch.requests, options),
                             Subject::kMemory);
  }
  return plan;
}

namespace {

py::dict PlanArrays(const MatchPlan& p) {
  const size_t n = p.plan.lines.size();
  py::array_t<int32_t> provider(n), location(n);
  py::array_t<int8_t> mode(n), reason(n);
  py::array_t<int64_t> cost(n);
  for (size_t i = 0; i < n; ++i) {
    const PlanLine& line = p.plan.lines[i];
    provider.mutable_data()[i] = line.provider ? ColumnOf(*line.provider) : -1;
    location.mutable_data()[i] = ColumnOf(line.location);
    mode.mutable_data()[i] = line.assigned() ? static_cast<int8_t>(line.mode) : -1;
    cost.mutable_data()[i] = line.cost_m;
    reason.mutable_data()[i] = static_cast<int8_t>(line.reason);
  }
  return Record({{"provider", provider}, {"location", location}, {"mode", mode},
                 {"cost_m", cost}, {"reason", reason}});
}

py::dict PlanStats(const MatchPlan& p) {
  const MatchStats& s = p.plan.stats;
  return Record({{"candidate_pairs", s.candidate_pairs}, {"extensions", s.extensions},
                 {"search_steps", s.search_steps}, {"candidate_seconds", s.candidate_seconds},
                 {"solve_seconds", s.solve_seconds}});
}

}  // namespace

void BindMatchPlan(py::module_& m) {
  py::class_<MatchPlan>(m, "MatchPlan")
      .def_property_readonly("objective", [](const MatchPlan& p) { return p.plan.objective; })
      .def_property_readonly("stats", &PlanStats)
      .def_property_readonly("requests", [](const MatchPlan& p) { return p.requests; })
      .def("arrays", &PlanArrays)
      .def("__len__", [](const MatchPlan& p) { return p.plan.lines.size(); })
      .def("to_serialized", [](const MatchPlan& p) {
        v1::MatchPlan proto;
        p.directory->matcher.ToProto(*p.requests.requests, p.plan, &proto);
        return Bytes(proto.SerializeAsString());
      })
      .def("plan_csv", [](const MatchPlan& p) {
        return FormatPlanCsv(*p.directory->directory, *p.requests.requests, p.plan);
      });

}

}  // namespace wegwijzer::python
