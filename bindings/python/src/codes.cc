// The vocabularies of the contract (topics, modes, access features, provider kinds,
// unassigned reasons), code lists to bit masks, and the contract's distance.
#include <string>

#include <pybind11/stl.h>

#include "convert.h"
#include "module.h"
#include "request_batch.h"
#include "wegwijzer/geo.h"
#include "wegwijzer/matcher.h"
#include "wegwijzer/router.h"

namespace py = pybind11;

namespace wegwijzer::python {
namespace {

template <typename Enum, int kCount>
py::tuple AllCodes(std::string_view (*to_code)(Enum)) {
  py::list codes;
  for (int i = 0; i < kCount; ++i) codes.append(py::str(std::string(to_code(static_cast<Enum>(i)))));
  return py::tuple(codes);
}

}  // namespace

void BindCodes(py::module_& m) {
  m.attr("TOPICS") = AllCodes<Topic, kTopicCount>(&TopicCode);
  m.attr("MODES") = AllCodes<Mode, kModeCount>(&ModeCode);
  m.attr("ACCESS") = AllCodes<Access, kAccessCount>(&AccessCode);
  m.attr("PROVIDER_KINDS") = AllCodes<ProviderKind, kProviderKindCount>(&ProviderKindCode);
  m.attr("UNASSIGNED_REASONS") = py::make_tuple(
      py::none(), std::string(UnassignedReasonCode(UnassignedReason::kNoSuitableProvider)),
      std::string(UnassignedReasonCode(UnassignedReason::kCapacityExhausted)));
  m.attr("REMOTE_COST_M") = kRemoteCostMeters;

  m.def("topic_mask", [](py::handle v) { return ParseTopics(v).bits(); }, py::arg("codes"));
  m.def("mode_mask", [](py::handle v) { return ParseModes(v).bits(); }, py::arg("codes"));
  m.def("access_mask", [](py::handle v) { return ParseAccess(v).bits(); }, py::arg("codes"));
  m.def("language_codes", [](py::handle v) { return LanguageCodes(ParseLanguages(v)); },
        py::arg("codes"));
  m.def("haversine_m", [](double lat1, double lon1, double lat2, double lon2) {
    return HaversineMeters({lat1, lon1}, {lat2, lon2});
  });

}

}  // namespace wegwijzer::python
