// The Python class wegwijzer._core.MatchPlan: a library MatchPlan together with the
// directory and requests it answers, so that ids, plan.csv and protobuf can be made.
//
// Immutable; safe to share between threads.
#ifndef WEGWIJZER_BINDINGS_PYTHON_PLAN_H_
#define WEGWIJZER_BINDINGS_PYTHON_PLAN_H_

#include <memory>

#include "directory.h"
#include "request_batch.h"
#include "wegwijzer/matcher.h"

namespace wegwijzer::python {

struct MatchPlan {
  std::shared_ptr<const Directory> directory;
  RequestBatch requests;
  wegwijzer::MatchPlan plan;
};

// Directory.match: the optimal plan for `batch`, the GIL released while it is solved.
// ValueError for bad threads or penalty, or a request id used twice
// (ValidateUniqueIds' message).
MatchPlan Match(std::shared_ptr<const Directory> directory, const RequestBatch& batch,
                int threads, long long penalty);

}  // namespace wegwijzer::python

#endif  // WEGWIJZER_BINDINGS_PYTHON_PLAN_H_
