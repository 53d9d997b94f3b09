// The Matcher: builds the assignment problem from the directory and solves it.
// See include/wegwijzer/matcher.h for the model and lib/assignment.h for the solver.
#include "wegwijzer/matcher.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "match/assignment.h"
#include "match/matcher_internal.h"
#include "directory/directory_index.h"
#include "core/memory_budget.h"
#include "core/parallel.h"
#include "core/proto_codes.h"
#include "match/reference_solver.h"
#include "match/regional_bound.h"
#include "route/search.h"
#include "core/text.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/v1/plan.pb.h"

namespace wegwijzer {
namespace {

// A request whose fallback (outside option) costs this much more than its nearest
// candidate is placed in the first round; see the placement order in Match().
constexpr int64_t kFarFallbackMeters = 50'000;

using internal::CandidateEdge;
using internal::DirectoryIndex;
using internal::PhysicalPair;

// CandidateEdge::detail packs the pair's mode and location: (location + 1) << 2 | mode.
uint32_t PackDetail(Mode mode, int location) {
  return (static_cast<uint32_t>(location + 1) << 2) | static_cast<uint32_t>(mode);
}
Mode DetailMode(uint32_t detail) { return static_cast<Mode>(detail & 3); }
LocationIndex DetailLocation(uint32_t detail) {
  return detail >> 2 == 0 ? LocationIndex::None() : LocationIndex((detail >> 2) - 1);
}

// A request's cheapest option among providers of unlimited capacity.
struct UnlimitedOption {
  int64_t cost = -1;  // -1: none suits
  uint32_t provider = 0;
  uint32_t detail = 0;
};

// Candidate pairs of one request among providers of the given capacity classes,
// cheapest first, deduplicated by provider (the first, cheapest location wins).
// Returns the threshold every missing candidate reaches (kNoThreshold: complete).
// The list for a larger `limit` extends the list for a smaller one.
int64_t CollectCandidates(const internal::Query& q, const DirectoryIndex& index,
                          uint8_t classes, int64_t cost_below, int64_t remote_cost, int limit,
                          std::vector<PhysicalPair>* scratch,
                          std::vector<CandidateEdge>* out) {
  out->clear();
  scratch->resize(std::min<size_t>(limit, index.physical.size()));
  const int capacity = static_cast<int>(scratch->size());
  const internal::SearchLimits limits{classes, cost_below, remote_cost};
  const int found = internal::SearchPhysical(q, index, limits, scratch->data(), capacity);
  // Complete when the search found fewer than asked for (the buffer is clamped to
  // the number of physical entries, so a full clamped buffer is complete too).
  const bool physical_complete = found < capacity || capacity < limit;
  int64_t threshold = physical_complete ? internal::kNoThreshold : (*scratch)[found - 1].cost;
  // Remote pairs all cost remote_cost. They may join the list only when every
  // physical pair up to that cost is in it, else the list would not be a prefix.
  const bool remote_allowed =
      remote_cost < cost_below && (physical_complete || threshold > remote_cost);
  // Providers already in the list, by a stamp per provider (O(1) per pair; a scan of
  // the list made long lists, as in dense clusters, quadratic).
  thread_local std::vector<uint32_t> listed;
  thread_local uint32_t stamp = 0;
  if (++stamp == 0) {
    std::fill(listed.begin(), listed.end(), 0);
    stamp = 1;
  }
  auto mark = [&](uint32_t p) {
    if (p >= listed.size()) listed.resize(std::max<size_t>(p + 1, 2 * listed.size()), 0);
    if (listed[p] == stamp) return false;
    listed[p] = stamp;
    return true;
  };
  auto add_physical = [&](const PhysicalPair& pair) {
    const uint32_t p = index.physical.provider[pair.entry];
    if (!mark(p)) return;  // a nearer location of the same provider is in
    out->push_back({p, static_cast<int32_t>(pair.cost),
                    PackDetail(pair.mode, static_cast<int>(index.physical.location[pair.entry]))});
  };
  int i = 0;
  for (; i < found && (*scratch)[i].cost <= remote_cost; ++i) add_physical((*scratch)[i]);
  if (remote_allowed) {
    std::vector<uint32_t> exclude;
    exclude.reserve(out->size());
    for (const CandidateEdge& e : *out) exclude.push_back(e.provider);
    int taken = 0;
    bool remote_complete = true;
    internal::ScanRemote(q, index, limits, exclude, [&](uint32_t p, Mode mode) {
      if (taken == limit) {
        remote_complete = false;
        return false;
      }
      mark(p);
      out->push_back({p, static_cast<int32_t>(remote_cost), PackDetail(mode, -1)});
      ++taken;
      return true;
    });
    if (!remote_complete) threshold = std::min<int64_t>(threshold, remote_cost);
  } else if (remote_cost < cost_below && q.remote_modes != 0) {
    threshold = std::min<int64_t>(threshold, remote_cost);
  }
  for (; i < found; ++i) {
    if ((*scratch)[i].cost >= threshold) break;  // keep the list a clean prefix
    add_physical((*scratch)[i]);
  }
  return threshold;
}

UnlimitedOption BestUnlimited(const internal::Query& q, const DirectoryIndex& index,
                              int64_t remote_cost) {
  UnlimitedOption best;
  PhysicalPair pair;
  const internal::SearchLimits limits{.capacity_classes = internal::kUnlimitedCapacity,
                                      .remote_cost = remote_cost};
  if (internal::SearchPhysical(q, index, limits, &pair, 1) == 1) {
    best = {pair.cost, index.physical.provider[pair.entry],
            PackDetail(pair.mode, static_cast<int>(index.physical.location[pair.entry]))};
  }
  if (best.cost < 0 || best.cost > remote_cost) {
    internal::ScanRemote(q, index, limits, {}, [&](uint32_t p, Mode mode) {
                           best = {remote_cost, p, PackDetail(mode, -1)};
                           return false;
                         });
  }
  return best;
}

bool AnySuitable(const internal::Query& q, const DirectoryIndex& index) {
  PhysicalPair pair;
  if (internal::SearchPhysical(q, index, {}, &pair, 1) == 1) return true;
  bool any = false;
  internal::ScanRemote(q, index, {}, {}, [&](uint32_t, Mode) {
    any = true;
    return false;
  });
  return any;
}

// The matcher's passes over requests are cheap per request: larger chunks, and a
// thread only per 1,024 requests.
template <typename Work>
void ForEachRequest(size_t n, int threads, Work&& work) {
  internal::ParallelFor(n, {.threads = threads, .chunk = 512, .indices_per_thread = 1024},
                        work);
}

// Request indexes sorted along a Z-order (Morton) curve over their positions.
std::vector<uint32_t> SpatialOrder(std::span<const Request> requests) {
  double lat_lo = 90, lat_hi = -90, lon_lo = 180, lon_hi = -180;
  for (const Request& r : requests) {
    lat_lo = std::min(lat_lo, r.position.lat_deg);
    lat_hi = std::max(lat_hi, r.position.lat_deg);
    lon_lo = std::min(lon_lo, r.position.lon_deg);
    lon_hi = std::max(lon_hi, r.position.lon_deg);
  }
  auto quantize = [](double x, double lo, double hi) {
    const double t = hi > lo ? (x - lo) / (hi - lo) : 0;
    return static_cast<uint64_t>(std::clamp(t, 0.0, 1.0) * ((1 << 21) - 1));
  };
  auto spread = [](uint64_t x) {  // 21 bits spread to the even bit positions
    uint64_t r = 0;
    for (int b = 0; b < 21; ++b) r |= ((x >> b) & 1) << (2 * b);
    return r;
  };
  std::vector<std::pair<uint64_t, uint32_t>> keyed(requests.size());
  for (uint32_t i = 0; i < requests.size(); ++i) {
    const LatLng p = requests[i].position;
    keyed[i] = {spread(quantize(p.lat_deg, lat_lo, lat_hi)) << 1 |
                    spread(quantize(p.lon_deg, lon_lo, lon_hi)),
                i};
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<uint32_t> order(requests.size());
  for (size_t i = 0; i < keyed.size(); ++i) order[i] = keyed[i].second;
  return order;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

absl::StatusOr<MatchSolver> ParseMatchSolver(std::string_view name) {
  for (MatchSolver solver : {MatchSolver::kFast, MatchSolver::kCostScaling}) {
    if (name == MatchSolverName(solver)) return solver;
  }
  // The word is the caller's input: bounded in the message, as elsewhere.
  return absl::InvalidArgumentError(
      internal::Cat("unknown solver '", name.substr(0, 100), "' (fast or cost-scaling)"));
}

std::string_view MatchSolverName(MatchSolver solver) {
  switch (solver) {
    case MatchSolver::kFast:
      return "fast";
    case MatchSolver::kCostScaling:
      return "cost-scaling";
    case MatchSolver::kBoostReference:
      return "boost-reference";
  }
  return "";
}

std::string_view UnassignedReasonCode(UnassignedReason reason) {
  switch (reason) {
    case UnassignedReason::kNone:
      return "";
    case UnassignedReason::kNoSuitableProvider:
      return "no_suitable_provider";
    case UnassignedReason::kCapacityExhausted:
      return "capacity_exhausted";
  }
  return "";
}

Matcher::Matcher(std::shared_ptr<const Directory> directory)
    : directory_(std::move(directory)) {}

MatchPlan Matcher::Match(std::span<const Request> requests, const MatchOptions& options) const {
  return internal::Match(*directory_, requests, options, nullptr);
}

namespace {

// Thrown by the candidate callback when the pairs pass the budget, caught in
// SolveFast (the solver calls it on this thread and holds only RAII memory).
struct PairBudgetExceeded {};

// TryMatch's memory limit (MatchOptions::max_memory_bytes) for one match of n
// requests (rows): about kMatchBytesPerRequest a request and kMatchBytesPerPair a
// candidate pair built, plus 64 bytes a provider.
class MatchBudget {
 public:
  MatchBudget(const Directory& directory, size_t n, const MatchOptions& options)
      : directory_(directory), n_(n), options_(options),
        base_bytes_(internal::SaturatingAdd(
            internal::SaturatingMul(static_cast<int64_t>(n), kMatchBytesPerRequest),
            internal::SaturatingMul(static_cast<int64_t>(directory.size()), 64))) {}

  bool Over(int64_t pairs) const { return Bytes(pairs) > options_.max_memory_bytes; }

  absl::Status Refusal(std::string_view what, int64_t pairs) const {
    return internal::MemoryLimitError(
        internal::Cat("match of ", n_, " requests against ", directory_.size(), " providers",
                      what),
        Bytes(pairs), options_.max_memory_bytes,
        options_.solver == MatchSolver::kCostScaling
            ? "MatchOptions::max_memory_bytes; the CLI's --max-memory-mb. The cost-scaling "
              "solver keeps more pairs than the fast one on national lists (95 M against "
              "about 60 M at 50,000 / 1,000,000): MatchSolver::kFast, --solver fast, may fit"
            : "MatchOptions::max_memory_bytes; the CLI's --max-memory-mb");
  }

  // Before allocating: the fast solver starts with up to 4 pairs per request; the
  // reference builds every suitable pair, at worst one per request and provider
  // location or remote provider.
  absl::Status CheckStart() const {
    const bool reference = options_.solver == MatchSolver::kBoostReference;
    const int64_t first_pairs =
        reference ? internal::SaturatingMul(
                        static_cast<int64_t>(n_),
                        static_cast<int64_t>(directory_.index().physical.size() +
                                             directory_.size()))
                  : internal::SaturatingMul(static_cast<int64_t>(n_), 4);
    if (!Over(first_pairs)) return absl::OkStatus();
    return Refusal(reference ? " (the reference solver, every suitable pair at worst)" : "",
                   first_pairs);
  }

 private:
  int64_t Bytes(int64_t pairs) const {
    return internal::SaturatingAdd(base_bytes_,
                                   internal::SaturatingMul(pairs, kMatchBytesPerPair));
  }
  const Directory& directory_;
  size_t n_;
  const MatchOptions& options_;
  int64_t base_bytes_;
};

// The fast path's answer in solver numbering: request r of the solver is input
// request order[r].
struct FastSolution {
  std::vector<uint32_t> order;
  std::vector<UnlimitedOption> unlimited;
  internal::AssignmentResult result;
  // With a budget that the candidate pairs passed: the refusal (then nothing else
  // is filled in).
  absl::Status refused;
};

// Builds the assignment problem of `requests` (request i standing for counts[i]
// identical requests; empty counts: one each) and solves it with the exact solver.
// With `budget`, the candidate pairs are counted as lists grow, and the solve stops
// with FastSolution::refused once they pass it.
FastSolution SolveFast(const Directory& directory, std::span<const Request> requests,
                       std::span<const int64_t> counts, const MatchOptions& options,
                       internal::ReducedNetwork* network, MatchStats* stats,
                       const MatchBudget* budget) {
  const DirectoryIndex& index = directory.index();
  const size_t n = requests.size();
  auto penalty = [&](const Request& r) {
    return options.unassigned_penalty_m * (1 + static_cast<int64_t>(r.priority));
  };
  FastSolution solution;
  // The solver places requests in a space-filling-curve order (and numbers them
  // so): successive placements then touch the same providers and members, which
  // stay in cache. The optimum does not depend on the order; the order is a fixed
  // function of the input, so the plan is deterministic.
  solution.order = SpatialOrder(requests);
  const std::vector<uint32_t>& order = solution.order;
  // 1. Outside options and the first candidates, in parallel (solver numbering).
  const auto start = std::chrono::steady_clock::now();
  std::vector<UnlimitedOption>& unlimited = solution.unlimited;
  unlimited.resize(n);
  std::vector<int64_t> outside(n);
  std::vector<std::vector<CandidateEdge>> initial(n);
  std::vector<int64_t> initial_threshold(n);
  constexpr int kInitialLimit = 4;
  ForEachRequest(n, options.threads, [&](size_t r) {
    const internal::Query q = internal::CompileQuery(requests[order[r]], index);
    unlimited[r] = BestUnlimited(q, index, options.remote_cost_m);
    outside[r] = penalty(requests[order[r]]);
    if (unlimited[r].cost >= 0) outside[r] = std::min(outside[r], unlimited[r].cost);
    thread_local std::vector<PhysicalPair> scratch;
    initial_threshold[r] =
        CollectCandidates(q, index, internal::kLimitedCapacity, outside[r],
                          options.remote_cost_m, kInitialLimit, &scratch, &initial[r]);
  });
  stats->candidate_seconds = SecondsSince(start);

  // 2. Solve over the providers of limited capacity.
  const auto solve_start = std::chrono::steady_clock::now();
  std::vector<int64_t> capacity(directory.size(), 0);
  for (size_t p = 0; p < directory.size(); ++p) {
    capacity[p] = directory.provider(ProviderIndex(p)).capacity.value_or(0);
  }
  std::vector<int64_t> supply;
  if (!counts.empty()) {
    supply.resize(n);
    for (size_t r = 0; r < n; ++r) supply[r] = counts[order[r]];
  }
  internal::AssignmentProblem problem;
  problem.capacity = capacity;
  problem.outside_cost = outside;
  problem.supply = supply;
  // Placement order: largest regret first (what a request loses if it must fall back
  // to its outside option rather than its nearest candidate). Requests that need a
  // seat most take it early; those with a good fallback come when prices are up and
  // go straight to it, so congested towns cost fewer and shorter searches (half the
  // search steps on overloaded instances). Numbering stays spatial, for the cache.
  std::vector<std::pair<int64_t, uint32_t>> keyed(n);
  for (uint32_t r = 0; r < n; ++r) {
    const int64_t best = initial[r].empty() ? outside[r] : initial[r][0].cost;
    // Two classes only (no good fallback / a fallback within reach), so that within
    // a class the placement follows the spatial numbering and stays cache-friendly.
    keyed[r] = {outside[r] - best > kFarFallbackMeters ? 0 : 1, r};
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<uint32_t> placement(n);
  for (uint32_t i = 0; i < n; ++i) placement[i] = keyed[i].second;
  problem.placement_order = placement;
  problem.initial_limit = kInitialLimit;
  problem.progress = options.progress;
  // The candidate source is asked from the solver's threads at once (for distinct
  // requests; AssignmentProblem::threads): per request flags, not bits, and the
  // pairs built counted atomically.
  std::vector<uint8_t> taken(n, 0);
  // With a budget: the pairs built so far (each list's latest length), checked as
  // lists grow.
  std::atomic<int64_t> pairs_built{0};
  std::vector<uint32_t> list_length(budget != nullptr ? n : 0);
  if (budget != nullptr) {
    for (size_t r = 0; r < n; ++r) {
      list_length[r] = static_cast<uint32_t>(initial[r].size());
      pairs_built += static_cast<int64_t>(initial[r].size());
    }
  }
  problem.candidates = [&](uint32_t r, int limit, std::vector<CandidateEdge>* edges) {
    if (!taken[r]) {
      taken[r] = 1;
      *edges = std::move(initial[r]);
      return initial_threshold[r];
    }
    thread_local std::vector<PhysicalPair> scratch;
    const internal::Query q = internal::CompileQuery(requests[order[r]], index);
    const int64_t threshold = CollectCandidates(q, index, internal::kLimitedCapacity, outside[r],
                                                options.remote_cost_m, limit, &scratch, edges);
    if (budget != nullptr) {
      const int64_t grown = static_cast<int64_t>(edges->size()) - list_length[r];
      list_length[r] = static_cast<uint32_t>(edges->size());
      if (budget->Over(pairs_built.fetch_add(grown, std::memory_order_relaxed) + grown)) {
        throw PairBudgetExceeded{};
      }
    }
    return threshold;
  };
  problem.keep_lists = network != nullptr;
  problem.cost_scaling = options.solver == MatchSolver::kCostScaling;
  problem.threads = options.threads > 0 ? options.threads
                                        : static_cast<int>(std::thread::hardware_concurrency());
  // Cost scaling prices missing pairs by region (match/regional_bound.h), not only by
  // the least price anywhere.
  internal::RegionalPairBound regional(index, requests, order, options.remote_cost_m);
  if (problem.cost_scaling) problem.missing_bound = &regional;
  try {
    solution.result = internal::SolveAssignment(problem);
  } catch (const PairBudgetExceeded&) {
    solution.refused = budget->Refusal(
        internal::Cat(" (", pairs_built.load(), " candidate pairs built so far)"), pairs_built.load());
    return solution;
  }
  internal::AssignmentResult& result = solution.result;
  if (network != nullptr) {
    network->capacity = std::move(capacity);
    network->outside_cost = std::move(outside);
    network->lists = std::move(result.lists);
    network->objective = result.objective;
    network->warm_start_bids = result.warm_start_bids;
    network->warm_start_placed = result.warm_start_placed;
  }
  stats->solve_seconds = SecondsSince(solve_start);
  stats->candidate_pairs = result.pairs;
  stats->extensions = result.extensions;
  stats->search_steps = result.settled;
  stats->augmentations = result.augmentations;
  stats->scaling_pushes = result.scaling_pushes;
  stats->scaling_repaired = result.scaling_repaired;
  stats->scaling_cache_hits = result.scaling_cache_hits;
  stats->scaling_floor_queries = result.floor_queries;
  return solution;
}

// Why request r (input numbering) is unassigned, when it is.
UnassignedReason ReasonUnassigned(const Request& request, const DirectoryIndex& index) {
  const internal::Query q = internal::CompileQuery(request, index);
  return AnySuitable(q, index) ? UnassignedReason::kCapacityExhausted
                               : UnassignedReason::kNoSuitableProvider;
}

// TryMatch and TryMatchWeighted: the checks before anything is allocated, and
// std::bad_alloc as kResourceExhausted (a worker's reaches here too: ParallelFor
// rethrows it on the calling thread). `solve(&budget)`
// runs the match with the budget checked inside (an error left in `budget`).
template <typename Plan, typename Solve>
absl::StatusOr<Plan> TryWithBudget(int64_t n, const MatchOptions& options, Solve solve) {
  if (options.max_memory_bytes <= 0) {
    return absl::InvalidArgumentError(internal::Cat(
        "MatchOptions::max_memory_bytes must be > 0, not ", options.max_memory_bytes));
  }
  if (n > internal::kMaxIndexedRequests) return internal::TooManyRequestsError("match", n);
  absl::Status budget;
  try {
    Plan plan = solve(&budget);
    if (!budget.ok()) return budget;
    return plan;
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(internal::Cat(
        "match: out of memory while matching ", n,
        " requests (below MatchOptions::max_memory_bytes, but more than this machine "
        "has); lower the limit to be told before allocating, or split the waiting list"));
  }
}

}  // namespace

absl::StatusOr<MatchPlan> Matcher::TryMatch(std::span<const Request> requests,
                                            const MatchOptions& options) const {
  return TryWithBudget<MatchPlan>(
      static_cast<int64_t>(requests.size()), options, [&](absl::Status* budget) {
        return internal::Match(*directory_, requests, options, nullptr, budget);
      });
}

absl::StatusOr<WeightedMatchPlan> Matcher::TryMatchWeighted(std::span<const Request> requests,
                                                            std::span<const int64_t> counts,
                                                            const MatchOptions& options) const {
  return TryWithBudget<WeightedMatchPlan>(
      static_cast<int64_t>(requests.size()), options, [&](absl::Status* budget) {
        return MatchWeightedImpl(requests, counts, options, budget);
      });
}

MatchPlan internal::Match(const Directory& directory, std::span<const Request> requests,
                          const MatchOptions& options, ReducedNetwork* network,
                          absl::Status* budget) {
  const DirectoryIndex& index = directory.index();
  const size_t n = requests.size();
  MatchPlan plan;
  // With `budget`, TryMatch's limit: the requests' share first, before allocating.
  if (budget != nullptr) {
    *budget = MatchBudget(directory, n, options).CheckStart();
    if (!budget->ok()) return plan;
  }
  plan.lines.resize(n);
  auto penalty = [&](const Request& r) {
    return options.unassigned_penalty_m * (1 + static_cast<int64_t>(r.priority));
  };

  if (options.solver == MatchSolver::kBoostReference) {
    internal::ReferenceSolution solution =
        internal::SolveWithBoost(directory, requests, options.unassigned_penalty_m,
                                 options.remote_cost_m);
    for (size_t r = 0; r < n; ++r) {
      PlanLine& line = plan.lines[r];
      if (solution.provider[r] >= 0) {
        line.provider = ProviderIndex(static_cast<size_t>(solution.provider[r]));
        line.mode = solution.mode[r];
        line.location = solution.location[r] >= 0
                            ? LocationIndex(static_cast<size_t>(solution.location[r]))
                            : LocationIndex::None();
        line.cost_m = solution.cost[r];
      } else {
        line.cost_m = penalty(requests[r]);
      }
    }
    plan.stats.candidate_pairs = solution.arcs;
  } else {
    std::optional<MatchBudget> limit;
    if (budget != nullptr) limit.emplace(directory, n, options);
    const FastSolution solution = SolveFast(directory, requests, {}, options, network,
                                            &plan.stats, limit ? &*limit : nullptr);
    if (!solution.refused.ok()) {
      *budget = solution.refused;
      return MatchPlan{};
    }
    const std::vector<uint32_t>& order = solution.order;
    const internal::AssignmentResult& result = solution.result;
    for (size_t r = 0; r < n; ++r) {
      PlanLine& line = plan.lines[order[r]];
      const UnlimitedOption& unlimited = solution.unlimited[r];
      if (result.provider[r] >= 0) {
        line.provider = ProviderIndex(static_cast<size_t>(result.provider[r]));
        line.mode = DetailMode(result.detail[r]);
        line.location = DetailLocation(result.detail[r]);
        line.cost_m = result.cost[r];
      } else if (unlimited.cost >= 0 && unlimited.cost <= penalty(requests[order[r]])) {
        line.provider = ProviderIndex(unlimited.provider);
        line.mode = DetailMode(unlimited.detail);
        line.location = DetailLocation(unlimited.detail);
        line.cost_m = unlimited.cost;
      } else {
        line.cost_m = penalty(requests[order[r]]);
      }
    }
  }

  // 3. Reasons for the unassigned, and the objective.
  ForEachRequest(n, options.threads, [&](size_t r) {
    PlanLine& line = plan.lines[r];
    if (line.assigned()) return;
    line.reason = ReasonUnassigned(requests[r], index);
  });
  for (const PlanLine& line : plan.lines) plan.objective += line.cost_m;
  return plan;
}

namespace {

// A weighted line's tallies and cost, from its shares.
void TallyShares(WeightedPlanLine* out) {
  for (const PlanShare& share : out->shares) {
    const PlanLine& line = share.line;
    out->cost_m += share.count * line.cost_m;
    if (!line.assigned()) {
      (line.reason == UnassignedReason::kNoSuitableProvider ? out->no_suitable_provider
                                                            : out->capacity_exhausted) +=
          share.count;
    } else if (line.mode == Mode::kInPerson) {
      out->in_person += share.count;
    } else if (line.mode == Mode::kHomeVisit) {
      out->home_visit += share.count;
    } else {
      out->remote += share.count;
    }
  }
}

}  // namespace

WeightedMatchPlan Matcher::MatchWeighted(std::span<const Request> requests,
                                         std::span<const int64_t> counts,
                                         const MatchOptions& options) const {
  return MatchWeightedImpl(requests, counts, options, nullptr);
}

WeightedMatchPlan Matcher::MatchWeightedImpl(std::span<const Request> requests,
                                             std::span<const int64_t> counts,
                                             const MatchOptions& options,
                                             absl::Status* budget) const {
  const Directory& directory = *directory_;
  const DirectoryIndex& index = directory.index();
  const size_t n = requests.size();
  WeightedMatchPlan plan;
  if (budget != nullptr) {
    // The reference solves the copies: its size is the sum of the counts.
    int64_t total = 0;
    if (options.solver == MatchSolver::kBoostReference) {
      for (int64_t c : counts) total = internal::SaturatingAdd(total, c);
    }
    *budget = MatchBudget(directory,
                          options.solver == MatchSolver::kBoostReference
                              ? static_cast<size_t>(total) : n,
                          options).CheckStart();
    if (!budget->ok()) return plan;
  }
  plan.lines.resize(n);
  for (size_t i = 0; i < n; ++i) plan.lines[i].count = counts[i];
  auto penalty = [&](const Request& r) {
    return options.unassigned_penalty_m * (1 + static_cast<int64_t>(r.priority));
  };

  if (options.solver == MatchSolver::kBoostReference) {
    // The reference has no weights: it solves the waiting list of copies, whose
    // lines are gathered per row, equal lines into one share (in the order first met).
    std::vector<Request> copies;
    std::vector<uint32_t> row_of;
    for (size_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < counts[i]; ++j) {
        copies.push_back(requests[i]);
        internal::Append(&copies.back().id, "#", j);
        row_of.push_back(static_cast<uint32_t>(i));
      }
    }
    const MatchPlan expanded = Match(copies, options);
    for (size_t e = 0; e < copies.size(); ++e) {
      std::vector<PlanShare>& shares = plan.lines[row_of[e]].shares;
      auto it = std::find_if(shares.begin(), shares.end(),
                             [&](const PlanShare& s) { return s.line == expanded.lines[e]; });
      if (it == shares.end()) {
        shares.push_back({expanded.lines[e], 1});
      } else {
        ++it->count;
      }
    }
    plan.stats = expanded.stats;
  } else {
    std::optional<MatchBudget> limit;
    if (budget != nullptr) limit.emplace(directory, n, options);
    const FastSolution solution = SolveFast(directory, requests, counts, options, nullptr,
                                            &plan.stats, limit ? &*limit : nullptr);
    if (!solution.refused.ok()) {
      *budget = solution.refused;
      return WeightedMatchPlan{};
    }
    const std::vector<uint32_t>& order = solution.order;
    for (const internal::Flow& flow : solution.result.flows) {
      const uint32_t i = order[flow.request];
      const UnlimitedOption& unlimited = solution.unlimited[flow.request];
      PlanLine line;
      if (flow.provider >= 0) {
        line.provider = ProviderIndex(static_cast<size_t>(flow.provider));
        line.mode = DetailMode(flow.detail);
        line.location = DetailLocation(flow.detail);
        line.cost_m = flow.cost;
      } else if (unlimited.cost >= 0 && unlimited.cost <= penalty(requests[i])) {
        line.provider = ProviderIndex(unlimited.provider);
        line.mode = DetailMode(unlimited.detail);
        line.location = DetailLocation(unlimited.detail);
        line.cost_m = unlimited.cost;
      } else {
        line.cost_m = penalty(requests[i]);
      }
      plan.lines[i].shares.push_back({line, flow.amount});
    }
    // Flows come by provider with the outside option first; shares list the
    // providers first and the unassigned (or unlimited) share last.
    for (WeightedPlanLine& line : plan.lines) {
      if (line.shares.size() > 1) {
        std::stable_partition(line.shares.begin(), line.shares.end(), [&](const PlanShare& s) {
          return s.line.assigned() &&
                 directory.provider(*s.line.provider).capacity.has_value();
        });
      }
    }
  }
  // Reasons for the unassigned, then the tallies.
  ForEachRequest(n, options.threads, [&](size_t i) {
    for (PlanShare& share : plan.lines[i].shares) {
      if (!share.line.assigned()) share.line.reason = ReasonUnassigned(requests[i], index);
    }
    TallyShares(&plan.lines[i]);
  });
  for (const WeightedPlanLine& line : plan.lines) plan.objective += line.cost_m;
  return plan;
}

void Matcher::ToProto(std::span<const Request> requests, const MatchPlan& plan,
                      v1::MatchPlan* proto) const {
  proto->Clear();
  for (size_t r = 0; r < requests.size(); ++r) {
    const PlanLine& line = plan.lines[r];
    v1::PlanLine* out = proto->add_lines();
    out->set_request_id(requests[r].id);
    out->set_cost_m(line.cost_m);
    if (line.assigned()) {
      const ProviderInfo& p = directory_->provider(*line.provider);
      out->set_provider_id(p.id);
      if (line.location.has_value()) out->set_location_id(p.locations[line.location.value()].id);
      out->set_mode(static_cast<v1::Mode>(internal::ToProtoEnum(line.mode)));
    } else {
      out->set_reason(static_cast<v1::UnassignedReason>(static_cast<int>(line.reason)));
    }
  }
  proto->set_objective(plan.objective);
}

PlanSummary Summarize(const MatchPlan& plan) {
  PlanSummary summary;
  std::vector<int64_t> distances;
  for (const PlanLine& line : plan.lines) {
    ++summary.requests;
    switch (line.reason) {
      case UnassignedReason::kNone:
        ++summary.assigned;
        if (line.mode == Mode::kPhone || line.mode == Mode::kVideo) {
          ++summary.assigned_remote;
        } else {
          distances.push_back(line.cost_m);
        }
        break;
      case UnassignedReason::kNoSuitableProvider:
        ++summary.no_suitable_provider;
        break;
      case UnassignedReason::kCapacityExhausted:
        ++summary.capacity_exhausted;
        break;
    }
  }
  if (!distances.empty()) {
    double total = 0;
    for (int64_t d : distances) total += static_cast<double>(d);
    summary.mean_distance_m = total / static_cast<double>(distances.size());
    const size_t rank = (distances.size() * 9 + 9) / 10;  // ceil(0.9 n), 1-based
    std::nth_element(distances.begin(), distances.begin() + (rank - 1), distances.end());
    summary.p90_distance_m = distances[rank - 1];
  }
  return summary;
}

// FormatPlanCsv lives with the other CSV writers (interchange/writers.cc).

}  // namespace wegwijzer
