// Conversions between Python values and the library's small types, shared by the
// files that bind one class each (directory.cc, plan.cc, ledger.cc, ...).
//
// Every function here holds the GIL (it makes or reads Python objects).
#ifndef WEGWIJZER_BINDINGS_PYTHON_CONVERT_H_
#define WEGWIJZER_BINDINGS_PYTHON_CONVERT_H_

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include <pybind11/pybind11.h>

#include "wegwijzer/codes.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/interchange.h"

namespace wegwijzer::python {

pybind11::bytes Bytes(const std::string& s);

// The bytes of a bytes, bytearray or memoryview; ValueError naming `what` otherwise.
std::string AsBytes(pybind11::handle data, const char* what);

// The binding's own argument checks, for arguments the library takes as given
// (RouteOptions::k and ::threads are documented REQUIRES, not checked there).
int CheckThreads(int threads);
int CheckK(long long k);

// Indices as the NumPy columns carry them: the provider's position, and the
// location's or -1 for none (remote, unassigned).
inline int32_t ColumnOf(ProviderIndex provider) { return static_cast<int32_t>(provider.value()); }
inline int32_t ColumnOf(LocationIndex location) {
  return location.has_value() ? static_cast<int32_t>(location.value()) : -1;
}
// REQUIRES: column >= -1 (checked by the caller against the directory).
inline LocationIndex LocationOfColumn(int32_t column) {
  return column < 0 ? LocationIndex::None() : LocationIndex(static_cast<size_t>(column));
}

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

// One column of a record: its name and its value as Python has it (pybind11's cast;
// an empty optional is None, a code's string_view a str).
struct Column {
  template <typename T>
  Column(const char* name, const T& value) : name(name), value(Value(value)) {}

  const char* name;
  pybind11::object value;

 private:
  template <typename T>
  static pybind11::object Value(const T& value) {
    if constexpr (std::is_base_of_v<pybind11::handle, T>) {
      return pybind11::reinterpret_borrow<pybind11::object>(value);  // a list, an array
    } else {
      return pybind11::cast(value);
    }
  }
  template <typename T>
  static pybind11::object Value(const std::optional<T>& value) {
    return value ? Value(*value) : pybind11::object(pybind11::none());
  }
  static pybind11::object Value(std::string_view value) {
    return pybind11::str(value.data(), value.size());
  }
};

// A record (a dict, as pandas.DataFrame takes them) with `columns` in order: the one
// builder of the records of coverage, plans, referrals and outcomes.
//   Record({{"demand_id", request.id}, {"count", count}, {"distance_m", distance}})
pybind11::dict Record(std::initializer_list<Column> columns);

}  // namespace wegwijzer::python

// A ProviderIndex is a plain int in Python (its position in Directory.providers):
// returned as one, and taken from one by functions whose arguments are indices.
namespace pybind11::detail {
template <>
struct type_caster<wegwijzer::ProviderIndex> {
  PYBIND11_TYPE_CASTER(wegwijzer::ProviderIndex, const_name("int"));
  bool load(handle source, bool convert) {
    make_caster<uint32_t> inner;
    if (!inner.load(source, convert)) return false;
    value = wegwijzer::ProviderIndex(static_cast<size_t>(cast_op<uint32_t>(inner)));
    return true;
  }
  static handle cast(wegwijzer::ProviderIndex index, return_value_policy, handle) {
    return PyLong_FromUnsignedLong(index.value());
  }
};
}  // namespace pybind11::detail

#endif  // WEGWIJZER_BINDINGS_PYTHON_CONVERT_H_
