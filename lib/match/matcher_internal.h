// Internal: the Matcher's fast path with access to the network it solved, for the
// benchmark that solves the same network with another solver (bench/).
#ifndef WEGWIJZER_LIB_MATCH_MATCHER_INTERNAL_H_
#define WEGWIJZER_LIB_MATCH_MATCHER_INTERNAL_H_

#include <span>
#include <vector>

#include "absl/status/status.h"
#include "match/assignment.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/matcher.h"

namespace wegwijzer::internal {

// The reduced network the solver ended with, in its numbering (requests in the
// Matcher's spatial order): per request the candidate pairs built and the outside
// option; per provider its capacity (0 for unlimited ones, which live in the outside
// option). Its min-cost assignment has the cost `objective`; the full network has
// the same optimum (the solver's dual certificate proves it).
struct ReducedNetwork {
  std::vector<int64_t> capacity;
  std::vector<int64_t> outside_cost;
  std::vector<std::vector<ListedPair>> lists;
  int64_t objective = 0;
  int64_t warm_start_bids = 0;    // AssignmentResult's figures
  int64_t warm_start_placed = 0;
};

// Matcher(directory).Match(requests, options); with `network` non-null (and the
// kFast solver) it also fills the network. With `budget` non-null it checks
// options.max_memory_bytes (Matcher::TryMatch): past it, *budget is set to
// kResourceExhausted and the plan returned is empty.
MatchPlan Match(const Directory& directory, std::span<const Request> requests,
                const MatchOptions& options, ReducedNetwork* network,
                absl::Status* budget = nullptr);

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_MATCH_MATCHER_INTERNAL_H_
