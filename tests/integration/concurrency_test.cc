// Concurrency: many threads routing, matching and reserving on the capacity ledger
// while one thread swaps in new directory snapshots. Run under ThreadSanitizer by
// CI (label "concurrency"); here it also checks the answers stay right.
#include <atomic>
#include <thread>

#include "gtest/gtest.h"
#include "wegwijzer/ledger.h"
#include "wegwijzer/live_directory.h"
#include "wegwijzer/matcher.h"
#include "wegwijzer/router.h"
#include "wegwijzer/scenario.h"

namespace wegwijzer {
namespace {

TEST(Concurrency, RoutingAndReservingWhileSnapshotsAreSwapped) {
  Scenario scenario = GenerateScenario({.seed = 21, .providers = 400, .requests = 600}).value();
  auto first = Directory::Create(*scenario.directory);
  ASSERT_TRUE(first.ok());
  LiveDirectory live(*first);
  // Every snapshot has the same providers, so answers must not change across swaps.
  Router reference(*first);
  std::vector<RouteResult> expected = reference.RouteBatch(scenario.requests, {.k = 3});
  CapacityLedger ledger(*first);

  std::atomic<bool> stop{false};
  std::atomic<int> mismatches{0}, routed{0};
  std::thread swapper([&] {
    for (int i = 0; i < 20 && !stop; ++i) {
      auto next = Directory::Create(*scenario.directory);
      ASSERT_TRUE(next.ok());
      live.Replace(*next);
    }
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < 4; ++t) {
    workers.emplace_back([&, t] {
      for (size_t i = t; i < scenario.requests.size(); i += 4) {
        Router router(live.Current());
        RouteResult result = router.Route(scenario.requests[i], {.k = 3});
        if (result.referrals != expected[i].referrals) ++mismatches;
        if (!result.referrals.empty() && i % 3 == 0) {
          auto reservation = ledger.Reserve(result.referrals[0].provider);
          if (reservation.ok() && i % 2 == 0) {
            EXPECT_TRUE(ledger.Release(*reservation).ok());
          }
        }
        ++routed;
      }
    });
  }
  // One more thread matches a slice of the waiting list on whatever is current.
  std::thread matcher_thread([&] {
    Matcher matcher(live.Current());
    MatchPlan plan = matcher.Match(std::span(scenario.requests).first(200));
    EXPECT_EQ(plan.lines.size(), 200u);
  });
  for (std::thread& w : workers) w.join();
  stop = true;
  swapper.join();
  matcher_thread.join();
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(routed, static_cast<int>(scenario.requests.size()));
  for (size_t p = 0; p < (*first)->size(); ++p) {
    const auto& capacity = (*first)->provider(ProviderIndex(p)).capacity;
    if (capacity) {
      EXPECT_LE(ledger.Reserved(ProviderIndex(p)), *capacity);
    }
  }
}

TEST(Concurrency, RouteBatchOnManyThreadsEqualsOneThread) {
  Scenario scenario = GenerateScenario({.seed = 4, .providers = 1000, .requests = 3000}).value();
  auto directory = Directory::Create(*scenario.directory);
  ASSERT_TRUE(directory.ok());
  Router router(*directory);
  auto one = router.RouteBatch(scenario.requests, {.k = 5, .threads = 1});
  auto many = router.RouteBatch(scenario.requests, {.k = 5, .threads = 6});
  for (size_t i = 0; i < one.size(); ++i) ASSERT_EQ(one[i].referrals, many[i].referrals) << i;
  Matcher matcher(*directory);
  EXPECT_EQ(matcher.Match(scenario.requests, {.threads = 1}).lines,
            matcher.Match(scenario.requests, {.threads = 4}).lines);
}

// The cost-scaling solver's requests choose on a team of threads (and ask the
// regional bound from them): on a congested instance, where lists grow long enough
// for the bound to be asked, one thread and three give the same plan and the same
// work.
TEST(Concurrency, CostScalingOnATeamOfThreadsEqualsOneThread) {
  Scenario scenario = GenerateScenario({.seed = 9, .providers = 400, .requests = 8000, .capacity_scale = 0.2}).value();
  auto directory = Directory::Create(*scenario.directory);
  ASSERT_TRUE(directory.ok());
  Matcher matcher(*directory);
  const MatchOptions one{.threads = 1, .solver = MatchSolver::kCostScaling};
  const MatchOptions three{.threads = 3, .solver = MatchSolver::kCostScaling};
  MatchPlan alone = matcher.Match(scenario.requests, one);
  MatchPlan team = matcher.Match(scenario.requests, three);
  EXPECT_GT(alone.stats.scaling_floor_queries, 0) << "the bound must be asked";
  EXPECT_EQ(alone.lines, team.lines);
  EXPECT_EQ(alone.objective, team.objective);
  EXPECT_EQ(alone.stats.scaling_pushes, team.stats.scaling_pushes);
  EXPECT_EQ(alone.stats.scaling_floor_queries, team.stats.scaling_floor_queries);
}

}  // namespace
}  // namespace wegwijzer
