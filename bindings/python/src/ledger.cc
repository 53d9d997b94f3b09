// The Python class wegwijzer._core.CapacityLedger: a library CapacityLedger with the
// directory (and router) it books against. Thread-safe, as the library's ledger.
#include <memory>
#include <string>
#include <utility>

#include <pybind11/stl.h>

#include "convert.h"
#include "directory.h"
#include "module.h"
#include "request_batch.h"
#include "status.h"
#include "wegwijzer/ledger.h"

namespace py = pybind11;

namespace wegwijzer::python {
namespace {

// A CapacityLedger with the directory (and router) it books against.
struct CapacityLedger {
  explicit CapacityLedger(std::shared_ptr<const Directory> d)
      : directory(std::move(d)), ledger(directory->directory) {}
  std::shared_ptr<const Directory> directory;
  wegwijzer::CapacityLedger ledger;
};

ProviderIndex CheckProvider(const CapacityLedger& l, long long index) {
  if (index < 0 || index >= static_cast<long long>(l.directory->directory->size())) {
    throw StatusError(absl::OutOfRangeError("provider index " + std::to_string(index) +
                                            " is outside 0.." +
                                            std::to_string(l.directory->directory->size()) +
                                            " (exclusive)"),
                      Subject::kValue);
  }
  return static_cast<ProviderIndex>(index);
}

py::tuple RouteAndReserve(CapacityLedger& l, const RequestBatch& batch) {
  if (batch.size() != 1) ThrowInvalid("route_and_reserve takes exactly one request");
  const Request& request = (*batch.requests)[0];
  absl::StatusOr<BookedReferral> booked;
  {
    py::gil_scoped_release release;
    booked = l.ledger.RouteAndReserve(l.directory->router, request);
  }
  BookedReferral b = ValueOrThrow(std::move(booked));
  return py::make_tuple(ReferralTuple(*l.directory, request, b.referral, /*reasons=*/true),
                        b.reservation.provider, b.reservation.ticket);
}

}  // namespace

void BindCapacityLedger(py::module_& m) {
  py::class_<CapacityLedger>(m, "CapacityLedger")
      .def(py::init([](std::shared_ptr<Directory> d) {
        return std::make_unique<CapacityLedger>(std::move(d));
      }), py::arg("directory"))
      .def("reserve", [](CapacityLedger& l, long long provider) {
        Reservation r = ValueOrThrow(l.ledger.Reserve(CheckProvider(l, provider)));
        return py::make_tuple(r.provider, r.ticket);
      }, py::arg("provider"))
      .def("release", [](CapacityLedger& l, long long provider, uint64_t ticket) {
        ThrowIfError(l.ledger.Release({CheckProvider(l, provider), ticket}));
      }, py::arg("provider"), py::arg("ticket"))
      .def("reserved", [](const CapacityLedger& l, long long provider) {
        return l.ledger.Reserved(CheckProvider(l, provider));
      }, py::arg("provider"))
      .def("remaining", [](const CapacityLedger& l, long long provider) {
        return l.ledger.Remaining(CheckProvider(l, provider));
      }, py::arg("provider"))
      .def("route_and_reserve", &RouteAndReserve, py::arg("request"));

}

}  // namespace wegwijzer::python
