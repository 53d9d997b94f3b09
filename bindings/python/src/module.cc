// wegwijzer._core: the compiled half of the Python package `wegwijzer`.
//
// Thin by design: every decision is the library's. The files of this folder convert
// between Python values and the library's types, one file per bound class (module.h
// lists them), release the GIL around the library's work, and let status.cc turn
// failures into exceptions. The Python layer (wegwijzer/*.py) gives it the idiomatic
// surface; users never import _core.
#include <pybind11/pybind11.h>

#include "module.h"
#include "status.h"

#ifndef WEGWIJZER_VERSION
#error "WEGWIJZER_VERSION must be defined by the build (the project's version)"
#endif

PYBIND11_MODULE(_core, m) {
  m.doc() = "The compiled core of the wegwijzer package; use the wegwijzer package instead.";
  wegwijzer::python::RegisterStatusTranslator(m);
  m.attr("__version__") = WEGWIJZER_VERSION;
  wegwijzer::python::BindCodes(m);
  wegwijzer::python::BindRequestBatch(m);
  wegwijzer::python::BindDirectory(m);
  wegwijzer::python::BindCapacityLedger(m);
  wegwijzer::python::BindMatchPlan(m);
  wegwijzer::python::BindFiles(m);
  wegwijzer::python::BindScenario(m);
  wegwijzer::python::BindCoverage(m);
  wegwijzer::python::BindOpenReferral(m);
  wegwijzer::python::BindReferralStore(m);
}
