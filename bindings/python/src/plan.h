// The Python class wegwijzer._core.MatchPlan: a library MatchPlan together with the
// directory and requests it answers, so that ids, plan.csv and protobuf can be made.
//
// Immutable; safe to share between threads.
#ifndef WEGWIJZER_BINDINGS_PYTHON_PLAN_H_
#define WEGWIJZER_BINDINGS_PYTHON_PLAN_H_

#include <cstdint>
#include <memory>
#include <optional>

#include "directory.h"
#include "request_batch.h"
#include "wegwijzer/matcher.h"

namespace wegwijzer::python {

struct MatchPlan {
  std::shared_ptr<const Directory> directory;
  RequestBatch requests;
  wegwijzer::MatchPlan plan;
};

// Directory.match: the optimal plan for `batch` (Matcher::TryMatch), the GIL
// released while it is solved. ValueError for bad threads, penalty or
// max_memory_bytes (<= 0), a solver name ParseMatchSolver does not take (its
// message), or a request id used twice (ValidateUniqueIds' message); MemoryError
// with the library's sentence past max_memory_bytes (nullopt: the library's DEFAULT)
// or when the machine runs out. `solver` nullopt: MatchOptions' DEFAULT.
MatchPlan Match(std::shared_ptr<const Directory> directory, const RequestBatch& batch,
                int threads, long long penalty, std::optional<int64_t> max_memory_bytes,
                const std::optional<std::string>& solver);

}  // namespace wegwijzer::python

#endif  // WEGWIJZER_BINDINGS_PYTHON_PLAN_H_
