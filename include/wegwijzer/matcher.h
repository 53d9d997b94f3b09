// The matcher: an optimal, capacity-aware plan for a whole waiting list.
//
// Model (interchange.md v1.1, "match"). Each request r is assigned to at most one
// provider p that suits it, at the pair's cost c(r,p) (the cheapest suitable mode,
// as Router uses); a provider takes at most capacity(p) requests. A request left
// unassigned costs the penalty M(r) = unassigned_penalty_m x (1 + priority(r)). The
// plan minimises   sum of c over assignments + sum of M over unassigned requests,
// exactly.
//
// Algorithm (a short paper in lib/match/matcher.cc and lib/match/assignment.h):
//  1. Providers with unlimited capacity constrain nothing, so each request's best
//     unlimited provider is folded into its outside option: O(r) = min(M(r), c(r,u)).
//     Only pairs with c(r,p) < O(r) can improve on it (exact reduction).
//  2. The remaining problem is a transportation problem on a bipartite graph that is
//     never built in full: each request starts with its few cheapest candidate
//     providers (from the spatial index) and gets more only when the dual prices
//     prove a missing pair could be cheaper (exact pricing, column generation).
//  3. It is solved (MatchSolver::kCostScaling, the default) by cost-scaling
//     push-relabel on the lists (a warm start with exact integer duals recovered at
//     the end), then successive shortest paths (primal-dual, Dijkstra with
//     potentials) for whatever the warm start hands back; kFast uses an auction
//     warm start instead and leaves more to the shortest paths. Optimality is
//     certified by duality: the dual objective equals the plan's objective (tests
//     check this).
//  MatchWeighted takes a count per request (a row standing for identical requests)
//  and moves a row's requests in bulk, with the same objective as the copies.
//  MatchSolver::kBoostReference solves the same problem on the full graph with
//  Boost.Graph's successive_shortest_path_nonnegative_weights: slow, the reference.
//
// Example (examples/cpp/match_waiting_list.cc):
//   Matcher matcher(directory);
//   MatchPlan plan = matcher.Match(requests);
//   std::cout << "objective: " << plan.objective << "\n";
//
// Thread-safety: immutable, safe to share between threads; Match is const.
// Determinism: the same directory, requests and options give the same plan,
// whatever the thread count.
#ifndef WEGWIJZER_MATCHER_H_
#define WEGWIJZER_MATCHER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/geo.h"
#include "wegwijzer/interchange.h"  // FormatPlanCsv, which was declared here
#include "wegwijzer/request.h"

namespace wegwijzer {
namespace v1 {
class MatchPlan;
}  // namespace v1

enum class UnassignedReason : uint8_t {
  kNone,                // assigned
  kNoSuitableProvider,  // "no_suitable_provider"
  kCapacityExhausted,   // "capacity_exhausted"
};
std::string_view UnassignedReasonCode(UnassignedReason reason);

struct PlanLine {
  // The provider, or nullopt when unassigned.
  std::optional<ProviderIndex> provider;
  LocationIndex location;  // which of the provider's locations; none when remote or unassigned
  Mode mode = Mode::kInPerson;  // meaningful when assigned
  int64_t cost_m = 0;  // the pair's cost, or the penalty when unassigned
  UnassignedReason reason = UnassignedReason::kNone;
  bool assigned() const { return provider.has_value(); }
  bool operator==(const PlanLine&) const = default;
};

struct MatchStats {
  int64_t candidate_pairs = 0;  // pairs built (never all suitable pairs)
  int64_t extensions = 0;       // candidate lists grown by the pricing step
  int64_t search_steps = 0;     // nodes settled by the shortest-path searches
  int64_t augmentations = 0;    // shortest-path searches (each moves one or more requests)
  double candidate_seconds = 0; // building outside options and candidate lists
  double solve_seconds = 0;
  // MatchSolver::kCostScaling: pushes of the warm start, and the requests its exact
  // repair handed to the shortest paths.
  int64_t scaling_pushes = 0;
  int64_t scaling_repaired = 0;
  int64_t scaling_cache_hits = 0;  // request pushes that needed no scan of the list
  int64_t scaling_floor_queries = 0;  // questions to the regional bound on missing pairs
};

struct MatchPlan {
  std::vector<PlanLine> lines;  // one per request, in input order
  int64_t objective = 0;
  MatchStats stats;
};

// A weighted waiting list's plan (Matcher::MatchWeighted): `count` of one row's
// requests with the same fate, a provider location and mode, or unassigned and why.
struct PlanShare {
  PlanLine line;      // as Match would give each of these requests
  int64_t count = 0;  // > 0
  bool operator==(const PlanShare&) const = default;
};

// How one row's `count` identical requests fare.
// in_person + home_visit + remote + capacity_exhausted + no_suitable_provider == count,
// and the shares' counts sum to count.
struct WeightedPlanLine {
  int64_t count = 0;
  // Providers of limited capacity by provider index, then the rest of the row (on a
  // provider of unlimited capacity, or unassigned) as one share. Empty when count is 0.
  std::vector<PlanShare> shares;
  int64_t in_person = 0;
  int64_t home_visit = 0;
  int64_t remote = 0;  // by phone or video
  int64_t capacity_exhausted = 0;
  int64_t no_suitable_provider = 0;
  int64_t cost_m = 0;  // the shares' costs times their counts
};

struct WeightedMatchPlan {
  std::vector<WeightedPlanLine> lines;  // one per row, in input order
  // The objective of the waiting list in which row i appears counts[i] times.
  int64_t objective = 0;
  MatchStats stats;
};

enum class MatchSolver {
  // Lazy candidate lists, an auction warm start, successive shortest paths: slow
  // where whole towns are overloaded (README, Match figures), but fewer pairs.
  kFast,
  kBoostReference,  // full graph, Boost.Graph min-cost flow; for tests and baselines
  // As kFast, with a cost-scaling push-relabel warm start instead of the auction
  // (lib/match/assignment.h); same optimum and certificate. The default: faster
  // than kFast on every real-map benchmark and the dense clusters (50,000 /
  // 1,000,000: 369 s, where kFast did not finish in 1,200 s), but there with more
  // pairs than kFast (95 M) and 3.7 GB (README, Match figures): where memory is
  // short, kFast.
  kCostScaling,
};

// The names the bindings take for a solver (the CLI's --solver, Python's solver=,
// POST /v1/match's "solver"): "fast" is kFast, "cost-scaling" is kCostScaling.
// kBoostReference has no name: it builds every suitable pair and is for tests.
// kInvalidArgument, naming the word and the names taken, for any other word (names
// are case-sensitive).
absl::StatusOr<MatchSolver> ParseMatchSolver(std::string_view name);
// The name ParseMatchSolver takes for `solver`; "boost-reference" for kBoostReference,
// which it does not take.
std::string_view MatchSolverName(MatchSolver solver);

struct MatchOptions {
  // Penalty of an unassigned request, times (1 + priority). > 0. DEFAULT: 1,000,000.
  int64_t unassigned_penalty_m = 1'000'000;
  // What a referral by phone or video costs, in metres-equivalent: it prices the
  // remote pairs and decides when a distant physical pair is used by phone instead
  // (as in the contract's route). In [0, 1,000,000]. DEFAULT: 25,000.
  int64_t remote_cost_m = kRemoteCostMeters;
  // Threads for the per-request passes (outside options and first candidate lists,
  // and the reasons of unassigned requests) and for kCostScaling's requests (their
  // choices in each batch; the rest of the solver runs on the calling thread). The
  // plan does not depend on it. 0 = all cores. DEFAULT: 0.
  int threads = 0;
  MatchSolver solver = MatchSolver::kCostScaling;  // DEFAULT: kCostScaling.
  // Called from the calling thread with (requests placed, total) while the shortest
  // paths place requests (kFast and kCostScaling, after their warm start, which
  // counts as placing its requests at once): after every 65,536 placements and
  // once at the end with (total, total). kBoostReference does not call it.
  // DEFAULT: none.
  std::function<void(int64_t, int64_t)> progress = nullptr;
  // TryMatch's memory limit, in bytes, for what it allocates: about
  // kMatchBytesPerRequest per request and kMatchBytesPerPair per candidate pair built
  // (MatchStats::candidate_pairs; kBoostReference builds every suitable pair, so its
  // worst case, requests x provider locations, is checked). A match that would pass
  // it returns kResourceExhausted: before allocating when the requests alone pass it,
  // else as soon as the candidate pairs do. Match() does not check it. Raise it (the
  // CLI's --max-memory-mb) or split the waiting list. > 0. DEFAULT: 8 GiB.
  int64_t max_memory_bytes = int64_t{8} << 30;
};

// TryMatch's estimate of its memory (MatchOptions::max_memory_bytes): bytes per
// request (the plan line, outside options, first candidates, orders and the
// solver's per-request arrays) and per candidate pair (the 8-byte list entry, and
// the 8 bytes a pair of the exact duals' listing where the cost-scaling solver
// needs one, with room for the lists' headers).
inline constexpr int64_t kMatchBytesPerRequest = 320;
inline constexpr int64_t kMatchBytesPerPair = 20;

class Matcher {
 public:
  // REQUIRES: `directory` is not null. The matcher shares ownership of it.
  explicit Matcher(std::shared_ptr<const Directory> directory);

  const Directory& directory() const { return *directory_; }

  // REQUIRES: every request is valid (Request::Validate) and ids are unique.
  // Complexity: about O(n log n) for n requests when providers are not badly
  // overloaded; memory about 100 bytes per request plus the candidate pairs.
  // Checks no size: for inputs the caller made. Input from elsewhere: TryMatch.
  // Out of memory: std::bad_alloc, on the calling thread also when a worker thread
  // ran out (never std::terminate).
  MatchPlan Match(std::span<const Request> requests, const MatchOptions& options = {}) const;

  // The optimal plan for a waiting list in which request i stands for counts[i]
  // identical requests (demand per postcode area and topic, say), without making
  // copies: the solver moves a row's requests in bulk (lib/match/assignment.h,
  // "Weighted requests"), so a row of a billion requests costs a few searches. The
  // objective is exactly that of Match on the list of copies (the solver's dual
  // certificate holds for the weighted problem); where several optimal plans exist,
  // the split of a row between providers may differ from the copies'.
  // REQUIRES: counts.size() == requests.size(), counts[i] >= 0, the requests as for
  // Match, and the objective (at most sum of counts[i] x 4 x unassigned_penalty_m)
  // within int64. MatchOptions::progress counts rows. With kBoostReference the
  // reference solves the copies (slow; for tests).
  // Complexity: one shortest-path search per augmentation; a row takes one, plus
  // one more each time the path's bottleneck is a provider's room or another row's
  // parcel rather than the row's own remaining requests (national coverage: 116,672
  // searches for 61,005 rows standing for 327,261 requests).
  WeightedMatchPlan MatchWeighted(std::span<const Request> requests,
                                  std::span<const int64_t> counts,
                                  const MatchOptions& options = {}) const;

  // Match, with sizes checked before allocating: kResourceExhausted, with a sentence
  // naming the figure, the limit and how to raise it, when there are more requests
  // than 32-bit indexes hold (2^32 - 2) or the match would pass
  // options.max_memory_bytes (see there); std::bad_alloc on the calling thread or
  // on one of the match's worker threads becomes kResourceExhausted too.
  // kInvalidArgument for max_memory_bytes <= 0. Otherwise the same plan as Match.
  // REQUIRES: as Match.
  absl::StatusOr<MatchPlan> TryMatch(std::span<const Request> requests,
                                     const MatchOptions& options = {}) const;

  // MatchWeighted, with sizes checked as TryMatch checks them (the rows count, not
  // their counts; with kBoostReference, the copies). REQUIRES: as MatchWeighted.
  absl::StatusOr<WeightedMatchPlan> TryMatchWeighted(std::span<const Request> requests,
                                                     std::span<const int64_t> counts,
                                                     const MatchOptions& options = {}) const;

  // The plan in the protobuf model, with ids filled in.
  void ToProto(std::span<const Request> requests, const MatchPlan& plan,
               v1::MatchPlan* proto) const;

 private:
  // MatchWeighted; with `budget` non-null, TryMatchWeighted's checks (an error left
  // there, and an empty plan).
  WeightedMatchPlan MatchWeightedImpl(std::span<const Request> requests,
                                      std::span<const int64_t> counts,
                                      const MatchOptions& options, absl::Status* budget) const;
  std::shared_ptr<const Directory> directory_;
};

// What a plan amounts to, for a person reading it.
struct PlanSummary {
  int64_t requests = 0;
  int64_t assigned = 0;
  int64_t assigned_remote = 0;       // by phone or video
  int64_t no_suitable_provider = 0;  // unassigned: nothing suits
  int64_t capacity_exhausted = 0;    // unassigned: what suits is full
  // Over assignments with a physical mode (in person, home visit), in metres;
  // 0 when there are none. The 90th percentile is the nearest-rank value.
  double mean_distance_m = 0;
  int64_t p90_distance_m = 0;
};
PlanSummary Summarize(const MatchPlan& plan);

// plan.csv of the contract: FormatPlanCsv, in interchange.h beside FormatRouteCsv.

}  // namespace wegwijzer

#endif  // WEGWIJZER_MATCHER_H_
