// Property test: on seeded random instances the Router's answer equals the
// brute-force oracle's, referral by referral. The instances are small and dense so
// that the awkward cases come up often: ties on integer cost, duplicate
// coordinates, capacity 0, municipality limits, remote-only providers, providers
// both physical and remote beyond 25 km, home-visit radii, place vs service access.
#include <random>
#include <string>

#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "testing/brute_force.h"
#include "testing/random_instance.h"
#include "wegwijzer/codes.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/router.h"
#include "wegwijzer/v1/directory.pb.h"

namespace wegwijzer {
namespace {

using testing::Instance;
using testing::MakeInstance;

std::vector<testing::OracleReferral> ToOracleForm(const Router& router,
                                                  const RouteResult& result) {
  std::vector<testing::OracleReferral> out;
  for (const Referral& r : result.referrals) {
    const ProviderInfo& p = router.directory().provider(r.provider);
    out.push_back({p.id, r.location.has_value() ? p.locations[r.location.value()].id : "",
                   std::string(ModeCode(r.mode)), r.cost_m, r.is_remote() ? 1 : 0});
  }
  return out;
}

std::string Describe(const std::vector<testing::OracleReferral>& referrals) {
  std::string out;
  for (const auto& r : referrals) {
    out += absl::StrFormat("  %s/%s %s %d (class %d)\n", r.provider_id, r.location_id,
                           r.mode, r.cost_m, r.klass);
  }
  return out.empty() ? "  (none)\n" : out;
}

TEST(RouterProperty, EqualsBruteForceOn300RandomInstances) {
  int compared = 0, nonempty = 0, remote = 0;
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    Instance instance = MakeInstance(seed);
    auto directory = Directory::Create(instance.snapshot);
    ASSERT_TRUE(directory.ok()) << "seed " << seed << ": " << directory.status();
    Router router(*directory);
    for (int k : {1, 3, 5, 50}) {
      for (const Request& request : instance.requests) {
        ASSERT_TRUE(request.Validate().ok()) << request.Validate();
        const auto expected = testing::BruteForceRoute(instance.snapshot, request, k);
        const auto actual =
            ToOracleForm(router, router.Route(request, {.k = k, .explain_no_match = false}));
        ASSERT_EQ(actual, expected) << "seed " << seed << " request " << request.id << " k "
                                    << k << "\nexpected:\n"
                                    << Describe(expected) << "actual:\n"
                                    << Describe(actual);
        ++compared;
        nonempty += !expected.empty();
        for (const auto& r : expected) remote += r.klass;
      }
    }
  }
  // The generator must actually exercise the interesting cases.
  EXPECT_GT(nonempty, compared / 3);
  EXPECT_GT(remote, 100);
}

TEST(RouterProperty, BatchEqualsSingleRoutesWhateverTheThreadCount) {
  Instance instance = MakeInstance(7);
  for (int i = 0; i < 2000; ++i) {
    Request r = instance.requests[i % instance.requests.size()];
    r.id = absl::StrFormat("x%d", i);
    instance.requests.push_back(r);
  }
  auto directory = Directory::Create(instance.snapshot);
  ASSERT_TRUE(directory.ok());
  Router router(*directory);
  std::vector<RouteResult> one = router.RouteBatch(instance.requests, {.k = 4, .threads = 1});
  std::vector<RouteResult> four = router.RouteBatch(instance.requests, {.k = 4, .threads = 4});
  ASSERT_EQ(one.size(), instance.requests.size());
  for (size_t i = 0; i < one.size(); ++i) {
    EXPECT_EQ(one[i].referrals, four[i].referrals) << i;
    EXPECT_EQ(one[i].referrals, router.Route(instance.requests[i], {.k = 4}).referrals) << i;
  }
}

}  // namespace
}  // namespace wegwijzer
