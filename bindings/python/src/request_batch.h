// A batch of requests held in C++ form, and its construction from Python columns.
//
// Columns arrive from NumPy arrays, pandas Series or plain sequences; the Python
// layer (wegwijzer/_requests.py) documents the accepted forms. Conversion holds the
// GIL (it reads Python objects) but does all per-row work in C++: codes are parsed
// once per distinct string, numeric columns are read straight from their buffers.
//
// Thread-safety: a RequestBatch is immutable after construction; safe to share
// between threads.
#ifndef WEGWIJZER_BINDINGS_PYTHON_REQUEST_BATCH_H_
#define WEGWIJZER_BINDINGS_PYTHON_REQUEST_BATCH_H_

#include <cstdint>
#include <memory>
#include <vector>

#include <pybind11/pybind11.h>

#include "wegwijzer/codes.h"
#include "wegwijzer/request.h"

namespace wegwijzer::python {

struct RequestBatch {
  std::shared_ptr<const std::vector<Request>> requests;
  size_t size() const { return requests->size(); }
};

// One set of codes from a str ("digid;benefits"), an iterable of str, or an int
// bit mask. `what` names the column in messages. Throws StatusError (ValueError).
TopicSet ParseTopics(pybind11::handle value, const char* what = "topics");
ModeSet ParseModes(pybind11::handle value, const char* what = "modes");
AccessSet ParseAccess(pybind11::handle value, const char* what = "access");
LanguageSet ParseLanguages(pybind11::handle value, const char* what = "languages");

// Builds and validates `n` requests. Each of `ids`, `topics`, `languages`, `modes`,
// `access`, `max_km`, `priority`, `municipality` and the extensions `age` (whole
// years; NaN unknown), `can_pay` (bool), `at` (RFC 3339 str, as requests.csv's) and
// `within_days` is either None (the default), one value for every row, or one value
// per row; `lat` and `lon` are per-row floats. Invalid requests raise ValueError with
// Request::Validate's message.
RequestBatch RequestBatchFromColumns(size_t n, pybind11::handle ids, pybind11::handle lat,
                                     pybind11::handle lon, pybind11::handle topics,
                                     pybind11::handle languages, pybind11::handle modes,
                                     pybind11::handle access, pybind11::handle max_km,
                                     pybind11::handle priority,
                                     pybind11::handle municipality, pybind11::handle age,
                                     pybind11::handle can_pay, pybind11::handle at,
                                     pybind11::handle within_days);

// The columns of `batch`, as RequestBatchFromColumns takes them: a dict with
// "id", "municipality" and "languages" as lists of str, "topics", "modes" and
// "access" as uint32 bit-mask arrays, "lat", "lon", "max_km" float64 and
// "priority" int8 arrays; "age" float64 (NaN: unknown), "can_pay" bool, "at" a list
// of RFC 3339 str in Amsterdam time with the offset (None: unset), "within_days" int16.
pybind11::dict RequestBatchColumns(const RequestBatch& batch);

}  // namespace wegwijzer::python

#endif  // WEGWIJZER_BINDINGS_PYTHON_REQUEST_BATCH_H_
