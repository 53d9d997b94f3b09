// The parts of wegwijzer._core, one file per bound class or group of functions; each
// adds its part to the module. module.cc calls them in order (a class must be
// registered before a function that returns it is called, not before it is bound).
#ifndef WEGWIJZER_BINDINGS_PYTHON_MODULE_H_
#define WEGWIJZER_BINDINGS_PYTHON_MODULE_H_

#include <pybind11/pybind11.h>

namespace wegwijzer::python {

void BindCodes(pybind11::module_& m);         // codes.cc: vocabularies, masks, distance
void BindRequestBatch(pybind11::module_& m);  // request_batch.cc: RequestBatch
void BindDirectory(pybind11::module_& m);     // directory.cc: Directory (route, match)
void BindCapacityLedger(pybind11::module_& m);  // ledger.cc: CapacityLedger
void BindMatchPlan(pybind11::module_& m);     // plan.cc: MatchPlan
void BindFiles(pybind11::module_& m);         // files.cc: write_file
void BindScenario(pybind11::module_& m);      // scenario.cc: generate_scenario
void BindCoverage(pybind11::module_& m);      // coverage.cc: analyze_coverage, CoverageAnalysis
void BindOpenReferral(pybind11::module_& m);  // openreferral.cc: import_hsds, export_hsds
void BindReferralStore(pybind11::module_& m);  // referrals.cc: ReferralStore

}  // namespace wegwijzer::python

#endif  // WEGWIJZER_BINDINGS_PYTHON_MODULE_H_
