// The Python class wegwijzer._core.Directory: a library Directory with the Router and
// Matcher that read it.
//
// Immutable once built; safe to share between threads (the GIL is released around
// routing and matching).
#ifndef WEGWIJZER_BINDINGS_PYTHON_DIRECTORY_H_
#define WEGWIJZER_BINDINGS_PYTHON_DIRECTORY_H_

#include <cstddef>
#include <memory>

#include <pybind11/pybind11.h>

#include "wegwijzer/directory.h"
#include "wegwijzer/matcher.h"
#include "wegwijzer/request.h"
#include "wegwijzer/router.h"

namespace wegwijzer::python {

struct Directory {
  explicit Directory(std::shared_ptr<const wegwijzer::Directory> d);
  std::shared_ptr<const wegwijzer::Directory> directory;
  Router router;
  Matcher matcher;
  size_t max_referrals = 0;  // most referrals one request can get
};

// (provider index, provider id, location id or None, mode, cost_m, distance_m or None,
// [reasons]); the reasons only when `reasons`.
pybind11::tuple ReferralTuple(const Directory& d, const Request& request, const Referral& r,
                              bool reasons);

}  // namespace wegwijzer::python

#endif  // WEGWIJZER_BINDINGS_PYTHON_DIRECTORY_H_
