#include "wegwijzer/ledger.h"

#include <thread>

#include "gtest/gtest.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/scenario.h"

namespace wegwijzer {
namespace {

std::shared_ptr<const Directory> FromCsv(const std::string& csv) {
  auto parsed = ParseProvidersCsv(csv, "fixture.csv");
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed->directory;
}

TEST(CapacityLedger, ReservesUpToCapacityAndReleases) {
  CapacityLedger ledger(FromCsv("id,kind,lat,lon,topics,capacity\n"
                                "two,ido,52,5,benefits,2\n"
                                "open,ido,52,5,benefits,\n"
                                "none,ido,52,5,benefits,0\n"));
  auto a = ledger.Reserve(ProviderIndex(0));
  auto b = ledger.Reserve(ProviderIndex(0));
  ASSERT_TRUE(a.ok() && b.ok());
  auto c = ledger.Reserve(ProviderIndex(0));
  EXPECT_EQ(c.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(std::string(c.status().message()).find("'two' is full"), std::string::npos);
  EXPECT_EQ(ledger.Remaining(ProviderIndex(0)), 0);
  EXPECT_TRUE(ledger.Release(*a).ok());
  EXPECT_EQ(ledger.Release(*a).code(), absl::StatusCode::kNotFound);  // not twice
  EXPECT_EQ(ledger.Remaining(ProviderIndex(0)), 1);
  EXPECT_FALSE(ledger.Remaining(ProviderIndex(1)).has_value());
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(ledger.Reserve(ProviderIndex(1)).ok());
  EXPECT_EQ(ledger.Reserve(ProviderIndex(2)).status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ledger.Reserve(ProviderIndex(7)).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CapacityLedger, RouteAndReserveFallsBackToTheNextReferral) {
  auto directory = FromCsv("id,kind,lat,lon,topics,capacity\n"
                           "near,ido,52.001,5,benefits,1\n"
                           "far,ido,52.01,5,benefits,1\n");
  Router router(directory);
  CapacityLedger ledger(directory);
  // Built by designated initializers: assigning the one-letter id afterwards trips a
  // false -Wrestrict in GCC 12's std::string.
  Request r{.id = "r", .position = {52, 5}, .topics = {Topic::kBenefits}};
  auto first = ledger.RouteAndReserve(router, r);
  auto second = ledger.RouteAndReserve(router, r);
  auto third = ledger.RouteAndReserve(router, r);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(directory->provider(first->referral.provider).id, "near");
  EXPECT_EQ(directory->provider(second->referral.provider).id, "far");
  EXPECT_EQ(third.status().code(), absl::StatusCode::kResourceExhausted);
  r.topics = {Topic::kPension};
  EXPECT_EQ(ledger.RouteAndReserve(router, r).status().code(), absl::StatusCode::kNotFound);
}

// Many desk workers at once: no provider is ever over-booked, and every slot that
// exists is handed out exactly once.
TEST(CapacityLedgerConcurrency, NeverOverBooksUnderContention) {
  Scenario scenario = GenerateScenario({.seed = 9, .providers = 300, .requests = 4000}).value();
  auto directory = Directory::Create(*scenario.directory);
  ASSERT_TRUE(directory.ok());
  Router router(*directory);
  CapacityLedger ledger(*directory);
  constexpr int kThreads = 8;
  std::vector<std::vector<BookedReferral>> booked(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = t; i < scenario.requests.size(); i += kThreads) {
        auto b = ledger.RouteAndReserve(router, scenario.requests[i]);
        if (b.ok()) booked[t].push_back(*b);
        // Some referrals are cancelled again, as happens at a desk.
        if (b.ok() && i % 7 == 0) {
          EXPECT_TRUE(ledger.Release(b->reservation).ok());
          booked[t].pop_back();
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::vector<int64_t> count((*directory)->size(), 0);
  for (const auto& list : booked) {
    for (const BookedReferral& b : list) ++count[b.reservation.provider.value()];
  }
  int64_t total = 0;
  for (size_t p = 0; p < (*directory)->size(); ++p) {
    const auto& capacity = (*directory)->provider(ProviderIndex(p)).capacity;
    if (capacity) {
      EXPECT_LE(count[p], *capacity) << (*directory)->provider(ProviderIndex(p)).id;
    }
    EXPECT_EQ(count[p], ledger.Reserved(ProviderIndex(p)));
    total += count[p];
  }
  EXPECT_GT(total, 1000);
}

}  // namespace
}  // namespace wegwijzer
