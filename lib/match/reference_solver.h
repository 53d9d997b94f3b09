// Internal: the reference matcher. Builds every suitable (request, provider) pair
// into one flow network and solves it with Boost.Graph's
// successive_shortest_path_nonnegative_weights. No folding of unlimited providers,
// no lazy lists: slow, plain, and the yardstick the fast solver is tested against.
#ifndef WEGWIJZER_LIB_REFERENCE_SOLVER_H_
#define WEGWIJZER_LIB_REFERENCE_SOLVER_H_

#include <cstdint>
#include <span>
#include <vector>

#include "wegwijzer/directory.h"
#include "wegwijzer/request.h"

namespace wegwijzer::internal {

struct ReferenceSolution {
  std::vector<int64_t> provider;  // -1: unassigned
  std::vector<int> location;
  std::vector<Mode> mode;
  std::vector<int64_t> cost;
  int64_t arcs = 0;
};

ReferenceSolution SolveWithBoost(const Directory& directory,
                                 std::span<const Request> requests, int64_t penalty,
                                 int64_t remote_cost);

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_REFERENCE_SOLVER_H_
