// The regional bound on missing pairs (match/regional_bound.h) against the brute-force
// oracle, and the solver with an exact bound of its own (match/assignment.h).
#include "match/regional_bound.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <map>
#include <random>

#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "match/assignment.h"
#include "testing/brute_force.h"
#include "testing/random_instance.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/matcher.h"
#include "wegwijzer/v1/directory.pb.h"

namespace wegwijzer {
namespace {

constexpr int64_t kNone = std::numeric_limits<int64_t>::max() / 4;

// Floor is a bound (never above the least value of a pair it must cover) and an
// exact one (it values each location at its pair's own cost): on random directories
// (remote-only providers, municipal limits, capacity 0, unlimited providers), random
// prices, thresholds, cost limits (pairs from cost_below on are no candidates),
// stops and scales.
// Seeds 61 to 80 have up to 400 providers, so that the remote entries fill a tree of
// several levels (leaves of 8 entries) and its pruning is checked too.
TEST(RegionalPairBound, EqualsTheLeastValueOfTheMissingPairsByTheOracle) {
  int tight_checks = 0, capped = 0, remote_best = 0, large_remote_best = 0;
  for (uint32_t seed = 1; seed <= 80; ++seed) {
    const bool large = seed > 60;
    testing::Instance instance = testing::MakeInstance(seed, 40, large ? 400 : 30);
    auto directory = Directory::Create(instance.snapshot);
    ASSERT_TRUE(directory.ok()) << directory.status();
    const size_t m = (*directory)->size();
    std::mt19937 rng(seed);
    const int64_t scale = seed % 3 == 0 ? 1 : 1 + static_cast<int64_t>(rng() % 9);
    std::vector<int64_t> price(m);
    for (int64_t& v : price) v = rng() % 4 == 0 ? 0 : static_cast<int64_t>(rng() % 20'000);
    internal::RegionalPairBound bound((*directory)->index(), instance.requests, {},
                                      kRemoteCostMeters);
    bound.SetPrices(price, scale);
    for (size_t r = 0; r < instance.requests.size(); ++r) {
      // Every suitable provider of limited capacity with its cheapest pair.
      std::map<uint32_t, int64_t> cost_of;
      for (const auto& ref : testing::BruteForceRoute(instance.snapshot, instance.requests[r],
                                                      1 << 20)) {
        const ProviderIndex p = *(*directory)->Find(ref.provider_id);
        const auto capacity = (*directory)->provider(p).capacity;
        if (!capacity.has_value() || *capacity <= 0) continue;
        auto [it, inserted] = cost_of.emplace(static_cast<uint32_t>(p.value()), ref.cost_m);
        if (!inserted) it->second = std::min(it->second, ref.cost_m);
        remote_best += ref.klass == 1;
        large_remote_best += large && ref.klass == 1;
      }
      std::vector<int64_t> costs;
      for (const auto& [p, c] : cost_of) costs.push_back(c);
      std::sort(costs.begin(), costs.end());
      // The list: every provider cheaper than the threshold (a prefix, as the
      // Matcher's lists are); the threshold a listed cost, one beyond, or 0.
      const int64_t threshold =
          costs.empty() || rng() % 4 == 0 ? 0 : costs[rng() % costs.size()] + rng() % 2;
      // Candidates cost less than the request's outside option (CandidateFn): pairs
      // from cost_below on are no candidates, and the bound need not cover them.
      const int64_t cost_below = costs.empty() || rng() % 3 != 0
                                     ? kNone
                                     : costs[rng() % costs.size()] + rng() % 2;
      std::vector<internal::ListedPair> listed;
      int64_t expected = kNone;
      for (const auto& [p, c] : cost_of) {
        if (c < threshold) {
          listed.push_back({p, static_cast<int32_t>(c)});
        } else if (c < cost_below) {
          expected = std::min(expected, scale * c + price[p]);
        }
      }
      std::shuffle(listed.begin(), listed.end(), rng);
      const int64_t stop = rng() % 3 == 0 && expected < kNone
                               ? expected - static_cast<int64_t>(rng() % 3) * scale
                               : kNone;
      const int64_t got =
          bound.Floor(static_cast<uint32_t>(r), threshold, cost_below, stop, listed);
      const std::string where =
          absl::StrFormat("seed %d request %d threshold %d below %d scale %d", seed, r,
                          threshold, cost_below, scale);
      EXPECT_LE(got, stop) << where;
      EXPECT_LE(got, expected) << where;  // a bound
      if (expected < stop) {
        EXPECT_EQ(got, expected) << where;  // and an exact one
        ++tight_checks;
      } else {
        capped += got == stop;
      }
    }
  }
  EXPECT_GT(tight_checks, 300);
  EXPECT_GT(capped, 50) << "the stop must be exercised";
  EXPECT_GT(remote_best, 100) << "remote pairs must be exercised";
  EXPECT_GT(large_remote_best, 1000) << "remote pairs in a deep tree must be exercised";
}

// A price set again replaces the one before (the node minima are recomputed).
TEST(RegionalPairBound, NewPricesReplaceTheOld) {
  testing::Instance instance = testing::MakeInstance(7, 30, 10);
  auto directory = Directory::Create(instance.snapshot);
  ASSERT_TRUE(directory.ok());
  internal::RegionalPairBound bound((*directory)->index(), instance.requests, {},
                                    kRemoteCostMeters);
  std::vector<int64_t> low((*directory)->size(), 0), high((*directory)->size(), 1'000'000);
  int higher = 0;
  for (uint32_t r = 0; r < instance.requests.size(); ++r) {
    bound.SetPrices(low, 1);
    const int64_t at_low = bound.Floor(r, 0, kNone, kNone, {});
    bound.SetPrices(high, 1);
    const int64_t at_high = bound.Floor(r, 0, kNone, kNone, {});
    if (at_low < kNone) {
      EXPECT_EQ(at_high, at_low + 1'000'000) << r;
      ++higher;
    }
  }
  EXPECT_GT(higher, 5);
}

// Prices set again where only some providers changed update only their part of the
// trees: the bound then answers as one given those prices afresh, on directories of
// up to 400 providers (deep remote trees), with few and with many prices changed
// (the latter recompute everything), prices that rise and fall, and a provider going
// from limited capacity to none and back (kPriceAbsent). Checked that it fails:
// with the ancestors of a changed leaf left as they were, and (32 mismatches) with a
// remote node recomputed from one child only.
TEST(RegionalPairBound, PricesChangedInPartAnswerAsPricesSetAfresh) {
  int compared = 0, finite = 0;
  int64_t partial = 0;
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    testing::Instance instance = testing::MakeInstance(seed, 40, seed > 15 ? 400 : 30);
    auto directory = Directory::Create(instance.snapshot);
    ASSERT_TRUE(directory.ok()) << directory.status();
    const size_t m = (*directory)->size();
    std::mt19937 rng(seed);
    const int64_t scale = 1 + static_cast<int64_t>(rng() % 5);
    std::vector<int64_t> price(m);
    for (int64_t& v : price) v = static_cast<int64_t>(rng() % 20'000);
    internal::RegionalPairBound kept((*directory)->index(), instance.requests, {},
                                     kRemoteCostMeters);
    kept.SetPrices(price, scale);
    for (int round = 0; round < 40; ++round) {
      // Round 5 changes every price; the others one to four providers.
      const size_t changes = round == 5 ? m : 1 + rng() % 4;
      for (size_t k = 0; k < changes; ++k) {
        const size_t p = round == 5 ? k : rng() % m;
        // Falls more often than rises, to prices few others share: a node left at a
        // price above its least one then prunes the subtree that holds the answer.
        constexpr int64_t kAbsent = internal::MissingPairBound::kPriceAbsent;
        const int64_t before = price[p] == kAbsent ? 20'000 : price[p];
        const int64_t fallen = static_cast<int64_t>(rng() % static_cast<uint64_t>(before + 1));
        const int64_t risen = before + static_cast<int64_t>(rng() % 8'000);
        const uint32_t pick = rng() % 8;
        price[p] = pick == 0 ? kAbsent : pick < 6 ? fallen : risen;
      }
      kept.SetPrices(price, scale);
      internal::RegionalPairBound fresh((*directory)->index(), instance.requests, {},
                                        kRemoteCostMeters);
      fresh.SetPrices(price, scale);
      for (uint32_t r = 0; r < instance.requests.size(); ++r) {
        // Thresholds past every distance too, where every pair is valued alike and
        // the remote entries' prices decide as often as the locations'.
        const uint32_t pick = rng() % 3;
        const int64_t threshold = pick == 0   ? 0
                                  : pick == 1 ? static_cast<int64_t>(rng() % 30'000)
                                              : 1'000'000;
        const int64_t got = kept.Floor(r, threshold, kNone, kNone, {});
        EXPECT_EQ(got, fresh.Floor(r, threshold, kNone, kNone, {}))
            << "seed " << seed << " round " << round << " request " << r;
        ++compared;
        finite += got < kNone;
      }
    }
    partial += kept.partial_updates();
  }
  EXPECT_GT(compared, 10'000);
  EXPECT_GT(finite, compared / 2) << "the answers must be mostly finite to compare";
  EXPECT_GT(partial, 1000) << "most rounds must take the partial update";
}

// An exact bound of the test's own (the least value c S + price over the pairs a
// list lacks, from the full lists): the solver's optimum and certificate stay those
// of the shortest paths alone, and it builds fewer pairs than without a bound where
// a congested town lies beside idle providers (the global least price is then 0).
class ExactBound final : public internal::MissingPairBound {
 public:
  explicit ExactBound(const std::vector<std::vector<internal::CandidateEdge>>& full)
      : full_(full) {}
  void SetPrices(std::span<const int64_t> price, int64_t scale) override {
    price_.assign(price.begin(), price.end());
    scale_ = scale;
  }
  int64_t Floor(uint32_t r, int64_t threshold, int64_t cost_below, int64_t stop,
                std::span<const internal::ListedPair> listed) override {
    ++queries;
    int64_t best = stop;
    for (const internal::CandidateEdge& e : full_[r]) {
      if (e.cost < threshold || e.cost >= cost_below || price_[e.provider] >= kPriceAbsent) {
        continue;
      }
      if (std::any_of(listed.begin(), listed.end(),
                      [&](const internal::ListedPair& l) { return l.provider == e.provider; })) {
        continue;
      }
      best = std::min(best, scale_ * e.cost + price_[e.provider]);
    }
    return best;
  }
  std::atomic<int64_t> queries{0};  // asked from the solver's threads

 private:
  const std::vector<std::vector<internal::CandidateEdge>>& full_;
  std::vector<int64_t> price_;
  int64_t scale_ = 1;
};

TEST(SolveAssignment, CostScalingWithAnExactMissingPairBoundKeepsTheOptimum) {
  int64_t pairs_with = 0, pairs_without = 0, queries = 0;
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    std::mt19937 rng(seed);
    // Providers 0..k-1 in a congested town (capacity 1, costs 0-3 km, outside option
    // 5 km), the rest idle far away (in no list: dearer than the outside option), so
    // the least price anywhere is 0 while every town price is high.
    const int town = 8 + static_cast<int>(rng() % 12), far = 1 + static_cast<int>(rng() % 3);
    const int m = town + far, n = 2 * town + static_cast<int>(rng() % 10);
    std::vector<int64_t> capacity(m), outside(n, 5'000);
    for (int p = 0; p < m; ++p) capacity[p] = p < town ? 1 : 100;
    std::vector<std::vector<internal::CandidateEdge>> full(n);
    for (int r = 0; r < n; ++r) {
      for (int p = 0; p < town; ++p) {
        full[r].push_back({static_cast<uint32_t>(p), static_cast<int32_t>(rng() % 3'000), 0});
      }
      std::stable_sort(full[r].begin(), full[r].end(),
                       [](auto& a, auto& b) { return a.cost < b.cost; });
    }
    auto solve = [&](bool scaling, internal::MissingPairBound* bound) {
      internal::AssignmentProblem problem;
      problem.capacity = capacity;
      problem.outside_cost = outside;
      problem.initial_limit = 1;
      problem.warm_start_bids_per_request = 0;
      problem.cost_scaling = scaling;
      problem.missing_bound = bound;
      problem.missing_bound_from_length = 0;  // ask for every list: these are short
      problem.candidates = [&](uint32_t r, int limit, std::vector<internal::CandidateEdge>* out) {
        const size_t k = std::min<size_t>(limit, full[r].size());
        out->assign(full[r].begin(), full[r].begin() + k);
        return k == full[r].size() ? internal::kNoThreshold : int64_t{full[r][k].cost};
      };
      return internal::SolveAssignment(problem);
    };
    const int64_t optimum = solve(false, nullptr).objective;
    ExactBound bound(full);
    const internal::AssignmentResult with = solve(true, &bound);
    const internal::AssignmentResult without = solve(true, nullptr);
    EXPECT_EQ(with.objective, optimum) << "seed " << seed;
    EXPECT_EQ(with.dual_objective, optimum) << "seed " << seed;
    EXPECT_EQ(without.objective, optimum) << "seed " << seed;
    // Duals feasible for every pair, listed or not.
    for (int r = 0; r < n; ++r) {
      EXPECT_LE(with.request_price[r], outside[r]);
      for (const auto& e : full[r]) {
        EXPECT_LE(with.request_price[r], e.cost + with.provider_price[e.provider])
            << "seed " << seed << " r " << r;
      }
    }
    pairs_with += with.pairs;
    pairs_without += without.pairs;
    queries += bound.queries.load();
    EXPECT_EQ(with.floor_queries, bound.queries.load());
  }
  EXPECT_GT(queries, 0);
  EXPECT_LT(pairs_with * 2, pairs_without)
      << "the bound must spare the town's requests the idle providers' pairs";
}

}  // namespace
}  // namespace wegwijzer
