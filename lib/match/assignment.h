// Internal: exact min-cost assignment with capacities and lazily grown candidate lists.
//
// Problem. Requests r = 0..n-1, providers p = 0..m-1 with capacities b(p) >= 1.
// Request r either takes one of its candidate providers p at cost c(r,p), or its
// outside option at cost o(r). Minimise the total cost subject to at most b(p)
// requests per provider. (The Matcher maps unlimited providers and the unassigned
// penalty into o(r), so only limited providers appear here.)
//
// LP dual. max sum_r u(r) - sum_p b(p) v(p)  s.t.  u(r) <= c(r,p) + v(p),
// u(r) <= o(r), v(p) >= 0. At an optimum: u(r) = min(o(r), min_p c(r,p) + v(p)),
// every request takes an option that attains u(r), and a provider with v(p) > 0 is
// full. The solver keeps these conditions for every request placed so far.
//
// Method: successive shortest paths (Ahuja, Magnanti & Orlin, "Network Flows",
// ch. 9) on the residual graph with node potentials pi(r) = u(r), pi(p) = v(p), so
// every reduced cost is >= 0 and Dijkstra applies. Placing request r0 searches for
// the cheapest way to make room: a chain r0 -> p1 -> r1 -> p2 -> ... that ends at a
// provider with room, or at a request that moves to its outside option. The search
// stops as soon as that cheapest end is settled (nodes farther away keep their
// potentials), so a request whose nearest provider has room costs one heap step.
// After the augmentation the potentials of the settled nodes rise by D - d(x): the
// prices of contested providers go up, as in an auction.
//
// Lazy candidate lists (column generation with exact pricing). Each request holds a
// prefix of its candidates in nondecreasing cost, with a threshold C(r) such that
// every missing candidate costs >= C(r). A missing pair has reduced cost
// c + v(p) - u(r) >= C(r) - u(r), so it can matter only once u(r) would exceed C(r).
// The search therefore schedules, for each settled request x, an "extend x" event
// at distance d(x) + C(x) - u(x): if the search gets that far before it ends, x's
// list is doubled and the new pairs relaxed. Hence after every placement
// u(r) <= C(r) holds for all r, every missing pair has a nonnegative reduced cost, and
// the final assignment is optimal for the full graph, though most pairs were never
// built.
//
// Complexity: O(S log S) per placement, S the nodes settled; S is 1 for most
// requests on realistic data and grows with local overload. Memory: O(n + m +
// pairs built). Deterministic: the result depends only on the input and the order
// of placement (AssignmentProblem::placement_order, which the Matcher derives from
// the requests alone).
#ifndef WEGWIJZER_LIB_ASSIGNMENT_H_
#define WEGWIJZER_LIB_ASSIGNMENT_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <vector>

namespace wegwijzer::internal {

struct CandidateEdge {
  uint32_t provider;  // solver's provider index
  int32_t cost;       // c(r, p) in metres (<= 1,000,000 by the contract's limits)
  uint32_t detail;    // opaque to the solver (the Matcher keeps mode and location here)
};

inline constexpr int64_t kNoThreshold = std::numeric_limits<int64_t>::max();

// Fills `edges` with the cheapest `limit` (or more) candidates of request r, in
// nondecreasing cost, all with cost < o(r); an earlier call's list is a prefix of a
// later one with a larger limit. Returns the threshold C(r): kNoThreshold when the
// list is complete, else a cost that every missing candidate reaches.
using CandidateFn =
    std::function<int64_t(uint32_t request, int limit, std::vector<CandidateEdge>* edges)>;

struct AssignmentProblem {
  std::span<const int64_t> capacity;      // b(p) >= 1, per provider
  std::span<const int64_t> outside_cost;  // o(r) >= 0, per request
  CandidateFn candidates;
  int initial_limit = 4;
  // The order in which requests are placed (a permutation of 0..n-1); empty = 0..n-1.
  // The optimum does not depend on it; the running time does.
  std::span<const uint32_t> placement_order;
  std::function<void(int64_t placed, int64_t total)> progress;
};

struct AssignmentResult {
  std::vector<int32_t> provider;  // per request: the provider, or -1 = outside option
  std::vector<uint32_t> detail;   // per request: the chosen edge's detail
  std::vector<int64_t> cost;      // per request: c(r, p) or o(r)
  int64_t objective = 0;
  // The dual certificate: sum u(r) - sum b(p) v(p), equal to `objective` at an optimum.
  int64_t dual_objective = 0;
  std::vector<int64_t> request_price;   // u(r)
  std::vector<int64_t> provider_price;  // v(p)
  int64_t pairs = 0;
  int64_t extensions = 0;
  int64_t settled = 0;
};

AssignmentResult SolveAssignment(const AssignmentProblem& problem);

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_ASSIGNMENT_H_
