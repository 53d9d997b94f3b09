#include "core/dary_heap.h"

#include <algorithm>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace wegwijzer::internal {
namespace {

// The heap against a second computation: a random sequence of pushes, pops and
// rebuilds, each pop checked against the least element of a plain multiset kept
// beside it (std::sort of the same values), on sizes around the arity's edges.
TEST(DaryHeap, PopsInTheOrderOfASortOfWhatWasPushed) {
  std::mt19937_64 random(7);
  auto first = [](const std::pair<int64_t, int>& a, const std::pair<int64_t, int>& b) {
    return a < b;
  };
  for (int round = 0; round < 200; ++round) {
    std::vector<std::pair<int64_t, int>> heap, shadow;
    const int steps = 1 + static_cast<int>(random() % 400);
    const int64_t range = 1 + static_cast<int64_t>(random() % 50);  // many ties
    for (int s = 0; s < steps; ++s) {
      const uint64_t what = random() % 10;
      if (what < 6 || heap.empty()) {
        std::pair<int64_t, int> e{static_cast<int64_t>(random() % range), s};
        HeapPush(heap, e, first);
        shadow.push_back(e);
      } else if (what < 9) {
        const auto least = std::min_element(shadow.begin(), shadow.end());
        ASSERT_EQ(heap.front(), *least) << "round " << round << " step " << s;
        shadow.erase(least);
        HeapPop(heap, first);
      } else {
        // Drop the odd entries, as the solver's compaction drops stale ones.
        auto odd = [](const std::pair<int64_t, int>& e) { return e.second % 2 == 1; };
        heap.erase(std::remove_if(heap.begin(), heap.end(), odd), heap.end());
        shadow.erase(std::remove_if(shadow.begin(), shadow.end(), odd), shadow.end());
        HeapMake(heap, first);
      }
      ASSERT_EQ(heap.size(), shadow.size());
    }
    std::sort(shadow.begin(), shadow.end());
    for (const auto& expected : shadow) {
      ASSERT_EQ(heap.front(), expected) << "round " << round;
      HeapPop(heap, first);
    }
    EXPECT_TRUE(heap.empty());
  }
}

}  // namespace
}  // namespace wegwijzer::internal
