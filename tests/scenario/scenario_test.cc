// GenerateScenario: seeded determinism, the options' bounds as StatusOr errors, and
// every provider and request it makes passing the library's own validation. Also the
// sampling both generators share (scenario/sampling.h).
#include "wegwijzer/scenario.h"

#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/random.h"
#include "gtest/gtest.h"
#include "scenario/sampling.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/v1/directory.pb.h"

namespace wegwijzer {
namespace {

std::string Message(const absl::Status& s) { return std::string(s.message()); }

// Everything a scenario holds, as text: the snapshot's bytes and requests.csv.
std::string Fingerprint(const Scenario& s) {
  return s.directory->SerializeAsString() + FormatRequestsCsv(s.requests);
}

TEST(Scenario, SameSeedSameScenario) {
  const ScenarioOptions options{.seed = 11, .providers = 300, .requests = 500};
  absl::StatusOr<Scenario> a = GenerateScenario(options);
  absl::StatusOr<Scenario> b = GenerateScenario(options);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(Fingerprint(*a), Fingerprint(*b));
  EXPECT_EQ(a->directory->providers_size(), 300);
  EXPECT_EQ(a->requests.size(), 500u);
  EXPECT_EQ(a->directory->source(), "generated scenario (seed 11)");

  ScenarioOptions other = options;
  other.seed = 12;
  absl::StatusOr<Scenario> c = GenerateScenario(other);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_NE(Fingerprint(*a), Fingerprint(*c));
}

TEST(Scenario, BoundsAreErrors) {
  struct Case {
    ScenarioOptions options;
    const char* message;  // exact
  };
  const double nan = std::nan("");
  const Case cases[] = {
      {{.providers = -1}, "ScenarioOptions::providers must be >= 0, not -1"},
      {{.requests = -5}, "ScenarioOptions::requests must be >= 0, not -5"},
      {{.towns = -2}, "ScenarioOptions::towns must be >= 0, not -2"},
      {{.remote_share = -0.1}, "ScenarioOptions::remote_share must lie in 0..1, not -0.1"},
      {{.remote_share = 1.5}, "ScenarioOptions::remote_share must lie in 0..1, not 1.5"},
      {{.remote_share = nan}, "ScenarioOptions::remote_share must lie in 0..1, not nan"},
      {{.capacity_scale = 0}, "ScenarioOptions::capacity_scale must be > 0 and finite, not 0"},
      {{.capacity_scale = std::numeric_limits<double>::infinity()},
       "ScenarioOptions::capacity_scale must be > 0 and finite, not inf"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    absl::StatusOr<Scenario> s = GenerateScenario(c.options);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Message(s.status()), c.message);
  }
  // The bounds are inclusive where documented so.
  for (double share : {0.0, 1.0}) {
    absl::StatusOr<Scenario> s =
        GenerateScenario({.providers = 20, .requests = 10, .remote_share = share});
    ASSERT_TRUE(s.ok()) << s.status();
  }
  absl::StatusOr<Scenario> empty = GenerateScenario({.providers = 0, .requests = 0});
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(empty->directory->providers_size(), 0);
  EXPECT_TRUE(empty->requests.empty());
}

TEST(Scenario, EveryProviderAndRequestPassesValidation) {
  for (uint64_t seed : {1, 2, 3}) {
    for (double share : {0.0, 0.002, 0.5, 1.0}) {
      SCOPED_TRACE(absl::StrCat("seed ", seed, ", remote_share ", share));
      absl::StatusOr<Scenario> s = GenerateScenario({.seed = seed,
                                                     .providers = 400,
                                                     .requests = 600,
                                                     .towns = seed == 3 ? 1 : 0,
                                                     .remote_share = share,
                                                     .capacity_scale = 0.3});
      ASSERT_TRUE(s.ok()) << s.status();
      // Each provider on its own (so a failure names it), then the whole directory.
      for (const v1::Provider& p : s->directory->providers()) {
        v1::DirectorySnapshot one;
        *one.add_providers() = p;
        absl::StatusOr<std::shared_ptr<const Directory>> d = Directory::Create(one);
        ASSERT_TRUE(d.ok()) << d.status();
      }
      absl::StatusOr<std::shared_ptr<const Directory>> directory =
          Directory::Create(*s->directory);
      ASSERT_TRUE(directory.ok()) << directory.status();
      for (const Request& r : s->requests) ASSERT_TRUE(r.Validate().ok()) << r.Validate();
      EXPECT_TRUE(ValidateUniqueIds(s->requests).ok());
      // And they survive the contract's files unchanged in count.
      absl::StatusOr<ProvidersCsv> providers =
          ParseProvidersCsv(FormatProvidersCsv(**directory), "providers.csv");
      ASSERT_TRUE(providers.ok()) << providers.status();
      absl::StatusOr<RequestsCsv> requests =
          ParseRequestsCsv(FormatRequestsCsv(s->requests), "requests.csv");
      ASSERT_TRUE(requests.ok()) << requests.status();
      EXPECT_EQ(requests->requests.size(), s->requests.size());
    }
  }
}

TEST(Sampling, WeightedPickFollowsTheWeights) {
  const std::vector<double> weights = {0.5, 0, 2, 1.5};  // total 4
  internal::WeightedPick pick(weights);
  EXPECT_EQ(pick.total(), 4);
  internal::Random rng(7);
  std::vector<int> counts(weights.size());
  constexpr int kDraws = 400'000;
  for (int i = 0; i < kDraws; ++i) ++counts[pick.Pick(rng)];
  EXPECT_EQ(counts[1], 0);  // a zero weight is never picked
  for (size_t i = 0; i < weights.size(); ++i) {
    const double expected = kDraws * weights[i] / 4;
    // Five standard deviations of a binomial count.
    const double sigma = std::sqrt(expected * (1 - weights[i] / 4));
    EXPECT_NEAR(counts[i], expected, 5 * sigma + 1) << i;
  }
}

TEST(Sampling, ModeLadderAndRounding) {
  const internal::ModeLadder ladder{0.1, 0.3, 0.6};
  EXPECT_EQ(internal::PickModes(0.0, ladder), ModeSet{Mode::kInPerson});
  EXPECT_EQ(internal::PickModes(0.1, ladder), (ModeSet{Mode::kInPerson, Mode::kHomeVisit}));
  EXPECT_EQ(internal::PickModes(0.5, ladder), (ModeSet{Mode::kHomeVisit, Mode::kPhone}));
  EXPECT_EQ(internal::PickModes(0.6, ladder), kAllModes);
  // A ladder with equal rungs has no middle steps.
  EXPECT_EQ(internal::PickModes(0.2, {0.1, 0.1, 0.1}), kAllModes);

  EXPECT_EQ(internal::Round6(52.1234564), 52.123456);
  EXPECT_EQ(internal::Round6(-4.00000051), -4.000001);
  EXPECT_EQ(internal::Scaled(10, 0.25), 3);   // 2.5 rounds away from zero
  EXPECT_EQ(internal::Scaled(1, 0.1), 1);     // never below 1
  EXPECT_EQ(internal::Scaled(40, 1.5), 60);
}

}  // namespace
}  // namespace wegwijzer
