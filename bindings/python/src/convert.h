// Conversions between Python values and the library's small types, shared by the
// files that bind one class each (directory.cc, plan.cc, ledger.cc, ...).
//
// Every function here holds the GIL (it makes or reads Python objects).
#ifndef WEGWIJZER_BINDINGS_PYTHON_CONVERT_H_
#define WEGWIJZER_BINDINGS_PYTHON_CONVERT_H_

#include <string>
#include <string_view>

#include <pybind11/pybind11.h>

#include "wegwijzer/codes.h"
#include "wegwijzer/interchange.h"

namespace wegwijzer::python {

pybind11::bytes Bytes(const std::string& s);

// The bytes of a bytes, bytearray or memoryview; ValueError naming `what` otherwise.
std::string AsBytes(pybind11::handle data, const char* what);

// The binding's own argument checks, for arguments the library takes as given
// (RouteOptions::k and ::threads are documented REQUIRES, not checked there).
int CheckThreads(int threads);
int CheckK(long long k);

// (file, rows, bad_rows, bad_rows_skipped, [(kind, line, reason)], text).
pybind11::tuple ReportTuple(const CsvReport& report);

// The codes of the members of `set`, in enum order.
template <typename Enum, int kCount>
pybind11::tuple CodesOf(EnumSet<Enum> set, std::string_view (*to_code)(Enum)) {
  pybind11::list codes;
  for (int i = 0; i < kCount; ++i) {
    if (set.Contains(static_cast<Enum>(i))) {
      codes.append(pybind11::str(std::string(to_code(static_cast<Enum>(i)))));
    }
  }
  return pybind11::tuple(codes);
}

pybind11::tuple LanguageCodes(const LanguageSet& set);

}  // namespace wegwijzer::python

#endif  // WEGWIJZER_BINDINGS_PYTHON_CONVERT_H_
