// Where to add help: greedy maximal covering with lazy evaluation (CELF) and an
// upper bound from the LP relaxation's Lagrangian dual. The model and the rule are
// in coverage.h; this file records the decisions of the implementation.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <queue>
#include <vector>

#include "wegwijzer/coverage.h"

namespace wegwijzer {
namespace {

// The reach sets in compressed form: the rows of candidate c are
// rows[offsets[c] .. offsets[c + 1]), each row once.
struct ReachSets {
  std::vector<int64_t> offsets;
  std::vector<int32_t> rows;
  size_t size() const { return offsets.size() - 1; }
  std::span<const int32_t> of(size_t c) const {
    return {rows.data() + offsets[c], rows.data() + offsets[c + 1]};
  }
};

ReachSets Compress(std::span<const std::vector<int32_t>> sets) {
  ReachSets r;
  r.offsets.reserve(sets.size() + 1);
  r.offsets.push_back(0);
  std::vector<int32_t> one;
  for (const std::vector<int32_t>& s : sets) {
    one.assign(s.begin(), s.end());
    std::sort(one.begin(), one.end());
    one.erase(std::unique(one.begin(), one.end()), one.end());
    r.rows.insert(r.rows.end(), one.begin(), one.end());
    r.offsets.push_back(static_cast<int64_t>(r.rows.size()));
  }
  return r;
}

// Sum of the `n` largest values (n may exceed the count).
template <typename T>
T SumOfLargest(std::vector<T> values, size_t n) {
  n = std::min(n, values.size());
  std::nth_element(values.begin(), values.begin() + n, values.end(), std::greater<T>());
  return std::accumulate(values.begin(), values.begin() + n, T{0});
}

// The Lagrangian dual of the LP relaxation of maximal covering,
//   max sum_j w_j y_j  s.t.  y_j <= sum_{c reaches j} x_c,  sum_c x_c <= N,  0 <= x, y <= 1,
// with multipliers lambda_j >= 0 on the first constraints:
//   L(lambda) = sum_j max(0, w_j - lambda_j) + (sum of the N largest Lambda_c),
//   Lambda_c = sum_{j in S_c} lambda_j.
// Every lambda gives L(lambda) >= LP optimum >= best N-site total (weak duality);
// lambda = w gives the simple bound, and min over lambda is the LP optimum. It is
// minimised by projected subgradient steps onto [0, w] with Polyak's step towards the
// greedy total (a known lower bound), halving the step factor after 20 steps without
// progress. Returns the best L found.
double LagrangianBound(const ReachSets& sets, std::span<const int64_t> weights, size_t n,
                       int64_t lower, int iterations, double start) {
  const size_t rows = weights.size(), c_count = sets.size();
  std::vector<double> lambda(weights.begin(), weights.end());
  std::vector<double> value(c_count);
  std::vector<int32_t> order(c_count);
  std::vector<double> g(rows);
  double best = start, factor = 1.0;
  int stale = 0;
  for (int it = 0; it < iterations; ++it) {
    double base = 0;
    for (size_t j = 0; j < rows; ++j) base += static_cast<double>(weights[j]) - lambda[j];
    for (size_t c = 0; c < c_count; ++c) {
      double sum = 0;
      for (int32_t j : sets.of(c)) sum += lambda[j];
      value[c] = sum;
    }
    std::iota(order.begin(), order.end(), 0);
    const size_t top = std::min(n, c_count);
    std::nth_element(order.begin(), order.begin() + top, order.end(),
                     [&](int32_t a, int32_t b) { return value[a] > value[b]; });
    double l = base;
    for (size_t t = 0; t < top; ++t) l += value[order[t]];
    if (l < best - 1e-9 * std::max(1.0, best)) {
      best = l;
      stale = 0;
    } else if (++stale >= 20) {
      factor /= 2;
      stale = 0;
    }
    // Certified optimal once the bound rounds down to the greedy total.
    if (best < static_cast<double>(lower) + 0.5) break;
    // Subgradient: d/dlambda_j = -[lambda_j < w_j] + #(chosen sets holding j). At
    // lambda_j = w_j the first term's one-sided derivative is 0 (max(0, .) is flat).
    for (size_t j = 0; j < rows; ++j) g[j] = lambda[j] < static_cast<double>(weights[j]) ? -1 : 0;
    for (size_t t = 0; t < top; ++t) {
      for (int32_t j : sets.of(order[t])) g[j] += 1;
    }
    double norm = 0;
    for (size_t j = 0; j < rows; ++j) norm += g[j] * g[j];
    if (norm == 0) break;  // a stationary point: L is minimal here
    const double step = factor * (l - static_cast<double>(lower)) / norm;
    for (size_t j = 0; j < rows; ++j) {
      lambda[j] = std::clamp(lambda[j] - step * g[j], 0.0, static_cast<double>(weights[j]));
    }
  }
  return best;
}

SiteChoice Greedy(const ReachSets& sets, std::span<const int64_t> weights,
                  std::span<const int32_t> id_order, int add, int bound_iterations) {
  SiteChoice choice;
  const size_t c_count = sets.size();
  std::vector<char> reached(weights.size(), 0);
  auto gain_of = [&](size_t c) {
    int64_t g = 0;
    for (int32_t j : sets.of(c)) {
      if (!reached[j]) g += weights[j];
    }
    return g;
  };
  // Max-heap on (gain, smaller id first); `round` is the pick count when the gain was
  // evaluated: an entry evaluated in the current round is exact.
  struct Entry {
    int64_t gain;
    int32_t rank;  // position in the id order
    int32_t candidate;
    int32_t round;
  };
  auto below = [](const Entry& a, const Entry& b) {
    return a.gain != b.gain ? a.gain < b.gain : a.rank > b.rank;
  };
  std::priority_queue<Entry, std::vector<Entry>, decltype(below)> heap(below);
  std::vector<int64_t> first_gains(c_count);
  for (size_t c = 0; c < c_count; ++c) {
    first_gains[c] = gain_of(c);
    ++choice.evaluations;
    heap.push({first_gains[c], id_order[c], static_cast<int32_t>(c), 0});
  }
  const size_t n = static_cast<size_t>(std::max(add, 0));
  choice.simple_bound = SumOfLargest(first_gains, n);
  // Invariant: every entry's gain >= its candidate's current gain (gains only shrink as
  // rows become reached). So when the top is exact, no other candidate can beat it, and
  // an equal one with a smaller id would sort above it: the pick is the plain rule's.
  while (choice.picks.size() < n && !heap.empty()) {
    Entry top = heap.top();
    heap.pop();
    const int32_t round = static_cast<int32_t>(choice.picks.size());
    if (top.round != round) {
      top.gain = gain_of(top.candidate);
      top.round = round;
      ++choice.evaluations;
      heap.push(top);
      continue;
    }
    if (top.gain == 0) break;  // nothing adds anything any more
    for (int32_t j : sets.of(top.candidate)) reached[j] = 1;
    choice.gain += top.gain;
    choice.picks.push_back({static_cast<ProviderIndex>(top.candidate), top.gain, choice.gain});
  }
  choice.bound = choice.simple_bound;
  if (bound_iterations > 0 && choice.simple_bound > choice.gain) {
    const double l = LagrangianBound(sets, weights, n, choice.gain, bound_iterations,
                                     static_cast<double>(choice.simple_bound));
    // The optimum is a whole number <= L; round down only after a margin that covers
    // the floating-point error of the sums.
    const double safe = std::floor(l + 1e-7 * std::max(1.0, l));
    if (safe < static_cast<double>(choice.bound)) choice.bound = static_cast<int64_t>(safe);
    choice.bound = std::max(choice.bound, choice.gain);
  }
  choice.guarantee = choice.bound == 0 ? 1.0
                                       : static_cast<double>(choice.gain) /
                                             static_cast<double>(choice.bound);
  choice.reach_pairs = static_cast<int64_t>(sets.rows.size());
  return choice;
}

}  // namespace

SiteChoice ChooseSitesFromSets(std::span<const std::vector<int32_t>> sets,
                               std::span<const int64_t> weights,
                               std::span<const int32_t> id_order, int add,
                               int bound_iterations) {
  return Greedy(Compress(sets), weights, id_order, add, bound_iterations);
}

SiteChoice ChooseSites(const Directory& candidates, DemandView demand,
                       std::span<const RowCoverage> coverage, const SiteOptions& options) {
  // Rows that count: not served physically, with a positive count. They are
  // renumbered 0..m-1 for the greedy.
  std::vector<Request> unserved;
  std::vector<int64_t> weights;
  int64_t covered_before = 0;
  for (size_t i = 0; i < demand.requests.size(); ++i) {
    if (IsPhysical(coverage[i].coverage_class)) {
      covered_before += demand.counts[i];
    } else if (demand.counts[i] > 0) {
      unserved.push_back(demand.requests[i]);
      weights.push_back(demand.counts[i]);
    }
  }
  const size_t c_count = candidates.size();
  std::vector<std::vector<int32_t>> sets(c_count);
  if (c_count > 0 && !unserved.empty()) {
    // The reach of a row is its class-0 referrals among the candidates: route it with
    // a k that grows until the answer holds a remote referral or fewer than k (then
    // every physical pair has been listed). Route's class-0 test is exactly "the
    // cheapest suitable mode is physical".
    std::shared_ptr<const Directory> view(&candidates, [](const Directory*) {});
    Router router(view);
    int64_t locations = 0;
    for (size_t c = 0; c < c_count; ++c) {
      locations += std::max<size_t>(1, candidates.provider(ProviderIndex(c)).locations.size());
    }
    std::vector<size_t> pending(unserved.size());
    std::iota(pending.begin(), pending.end(), 0);
    int k = 16;
    while (!pending.empty()) {
      std::vector<Request> batch;
      batch.reserve(pending.size());
      for (size_t p : pending) batch.push_back(unserved[p]);
      std::vector<RouteResult> results =
          router.RouteBatch(batch, {.k = k, .explain_no_match = false, .threads = options.threads});
      std::vector<size_t> again;
      for (size_t b = 0; b < results.size(); ++b) {
        const std::vector<Referral>& refs = results[b].referrals;
        const bool complete = static_cast<int>(refs.size()) < k ||
                              (!refs.empty() && refs.back().is_remote());
        if (!complete) {
          again.push_back(pending[b]);
          continue;
        }
        for (const Referral& r : refs) {
          if (r.is_remote()) break;
          sets[r.provider.value()].push_back(static_cast<int32_t>(pending[b]));
        }
      }
      pending = std::move(again);
      // A row has at most `locations` class-0 referrals, so k = locations + 1 always
      // gives a complete answer and the loop ends.
      k = static_cast<int>(std::min<int64_t>(int64_t{k} * 4, locations + 1));
    }
  }
  // Tie order: candidate ids in byte order.
  std::vector<int32_t> by_id(c_count);
  std::iota(by_id.begin(), by_id.end(), 0);
  std::sort(by_id.begin(), by_id.end(), [&](int32_t a, int32_t b) {
    return candidates.provider(ProviderIndex(static_cast<size_t>(a))).id <
           candidates.provider(ProviderIndex(static_cast<size_t>(b))).id;
  });
  std::vector<int32_t> rank(c_count);
  for (size_t r = 0; r < c_count; ++r) rank[by_id[r]] = static_cast<int32_t>(r);
  SiteChoice choice =
      Greedy(Compress(sets), weights, rank, options.add, options.bound_iterations);
  choice.covered_before = covered_before;
  for (SitePick& p : choice.picks) p.covered_after += covered_before;
  return choice;
}

}  // namespace wegwijzer
