#include "wegwijzer/matcher.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <random>

#include "absl/strings/str_format.h"
#include "match/assignment.h"
#include "gtest/gtest.h"
#include "testing/brute_force.h"
#include "testing/random_instance.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/v1/plan.pb.h"

namespace wegwijzer {
namespace {

using testing::Instance;
using testing::MakeInstance;

// Every suitable (request, provider) pair with its cost, from the oracle.
std::vector<std::map<std::string, testing::OracleReferral>> OraclePairs(
    const Instance& instance) {
  std::vector<std::map<std::string, testing::OracleReferral>> pairs;
  for (const Request& r : instance.requests) {
    auto& by_provider = pairs.emplace_back();
    for (const auto& ref : testing::BruteForceRoute(instance.snapshot, r, 1 << 20)) {
      // The pair's cost is that of its cheapest location (the oracle lists those first).
      by_provider.emplace(ref.provider_id, ref);
    }
  }
  return pairs;
}

// Checks the plan against the contract using only the oracle: one line per request,
// assigned pairs suitable at their cost, no provider over capacity, reasons right,
// objective the sum of the lines.
void ExpectValidPlan(const Instance& instance, const Directory& directory,
                     const MatchPlan& plan, int64_t penalty = 1'000'000) {
  ASSERT_EQ(plan.lines.size(), instance.requests.size());
  const auto pairs = OraclePairs(instance);
  std::map<std::string, int64_t> load;
  int64_t objective = 0;
  for (size_t r = 0; r < plan.lines.size(); ++r) {
    const PlanLine& line = plan.lines[r];
    const Request& request = instance.requests[r];
    objective += line.cost_m;
    if (line.assigned()) {
      const std::string& id = directory.provider(*line.provider).id;
      auto it = pairs[r].find(id);
      ASSERT_NE(it, pairs[r].end()) << request.id << " assigned to unsuitable " << id;
      EXPECT_EQ(line.cost_m, it->second.cost_m) << request.id << " -> " << id;
      EXPECT_EQ(ModeCode(line.mode), it->second.mode) << request.id << " -> " << id;
      ++load[id];
    } else {
      EXPECT_EQ(line.cost_m, penalty * (1 + request.priority)) << request.id;
      EXPECT_EQ(line.reason, pairs[r].empty() ? UnassignedReason::kNoSuitableProvider
                                              : UnassignedReason::kCapacityExhausted)
          << request.id;
    }
  }
  EXPECT_EQ(objective, plan.objective);
  for (const v1::Provider& p : instance.snapshot.providers()) {
    if (p.has_capacity()) {
      EXPECT_LE(load[p.id()], p.capacity()) << p.id();
    }
  }
}

// The optimum by trying every assignment; for tiny instances only.
int64_t ExhaustiveObjective(const Instance& instance, int64_t penalty = 1'000'000) {
  const auto pairs = OraclePairs(instance);
  std::map<std::string, int64_t> remaining;
  for (const v1::Provider& p : instance.snapshot.providers()) {
    remaining[p.id()] = p.has_capacity() ? p.capacity() : 1 << 30;
  }
  int64_t best = std::numeric_limits<int64_t>::max();
  std::function<void(size_t, int64_t)> go = [&](size_t r, int64_t sum) {
    if (sum >= best) return;
    if (r == instance.requests.size()) {
      best = sum;
      return;
    }
    go(r + 1, sum + penalty * (1 + instance.requests[r].priority));
    for (const auto& [id, ref] : pairs[r]) {
      if (remaining[id] == 0) continue;
      --remaining[id];
      go(r + 1, sum + ref.cost_m);
      ++remaining[id];
    }
  };
  go(0, 0);
  return best;
}

Instance WithPriorities(Instance instance, uint32_t seed) {
  for (size_t i = 0; i < instance.requests.size(); ++i) {
    instance.requests[i].priority = static_cast<int>((seed * 7 + i * 3) % 4);
  }
  return instance;
}

TEST(Matcher, OptimalAndValidOn150RandomInstancesAgainstTheBoostReference) {
  int unassigned = 0, capacity_exhausted = 0;
  for (uint32_t seed = 1; seed <= 150; ++seed) {
    Instance instance = WithPriorities(MakeInstance(seed, 40, 25), seed);
    auto directory = Directory::Create(instance.snapshot);
    ASSERT_TRUE(directory.ok()) << directory.status();
    Matcher matcher(*directory);
    MatchPlan fast = matcher.Match(instance.requests, {.threads = static_cast<int>(1 + seed % 2)});
    MatchPlan reference =
        matcher.Match(instance.requests, {.solver = MatchSolver::kBoostReference});
    ASSERT_EQ(fast.objective, reference.objective) << "seed " << seed;
    ExpectValidPlan(instance, **directory, fast);
    ExpectValidPlan(instance, **directory, reference);
    for (const PlanLine& line : fast.lines) {
      unassigned += !line.assigned();
      capacity_exhausted += line.reason == UnassignedReason::kCapacityExhausted;
    }
  }
  EXPECT_GT(unassigned, 100);
  EXPECT_GT(capacity_exhausted, 20) << "the instances must overload some providers";
}

TEST(Matcher, EqualsExhaustiveSearchOnTinyInstances) {
  for (uint32_t seed = 1; seed <= 120; ++seed) {
    Instance instance = WithPriorities(MakeInstance(1000 + seed, 6, 4), seed);
    auto directory = Directory::Create(instance.snapshot);
    ASSERT_TRUE(directory.ok());
    Matcher matcher(*directory);
    MatchPlan plan = matcher.Match(instance.requests);
    EXPECT_EQ(plan.objective, ExhaustiveObjective(instance)) << "seed " << seed;
    ExpectValidPlan(instance, **directory, plan);
  }
}

// A dense cluster: providers of small capacity and many more requests within a few
// km of one point (where a shortest-path matcher searches the longest), some of the
// positions on a coarse grid so that integer costs tie; every pair suitable except
// where a request needs a language or access feature that some providers lack.
Instance DenseCluster(uint32_t seed, int providers, int requests, double radius_km) {
  std::mt19937 rng(seed);
  auto uniform = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  auto position = [&] {
    const double r = radius_km * std::sqrt(uniform(0, 1)), a = uniform(0, 6.283185);
    LatLng p{52.09 + r * std::cos(a) / 111.2, 5.12 + r * std::sin(a) / (111.2 * 0.615)};
    if (uniform(0, 1) < 0.3) p = {std::round(p.lat_deg * 500) / 500, std::round(p.lon_deg * 500) / 500};
    return p;
  };
  Instance instance;
  for (int i = 0; i < providers; ++i) {
    v1::Provider* p = instance.snapshot.add_providers();
    p->set_id(absl::StrFormat("P%03d", i));
    p->set_kind(v1::PROVIDER_KIND_VOLUNTEER);
    const LatLng at = position();
    p->add_locations()->mutable_position()->set_lat_deg(at.lat_deg);
    p->mutable_locations(0)->mutable_position()->set_lon_deg(at.lon_deg);
    p->add_topics(v1::TOPIC_BASICS);
    p->add_languages("nl");
    if (uniform(0, 1) < 0.3) p->add_languages("ar");
    p->add_modes(v1::MODE_IN_PERSON);
    if (uniform(0, 1) < 0.5) p->add_access(v1::ACCESS_WHEELCHAIR);
    p->set_capacity(1 + static_cast<int>(rng() % 3));
  }
  for (int i = 0; i < requests; ++i) {
    Request r;
    r.id = absl::StrFormat("R%04d", i);
    r.position = position();
    r.topics.Add(Topic::kBasics);
    r.modes = ModeSet{Mode::kInPerson};
    r.max_km = 3 * radius_km;
    if (uniform(0, 1) < 0.1) r.access.Add(Access::kWheelchair);
    if (uniform(0, 1) < 0.1) {
      r.languages = LanguageSet();
      r.languages.Add(*Language::FromCode("ar"));
    }
    instance.requests.push_back(std::move(r));
  }
  return instance;
}

// The dense clusters where the old solver degraded: the optimum of the Boost
// reference, and of exhaustive search on the smallest.
TEST(Matcher, OptimalOnDenseClusters) {
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    Instance instance = WithPriorities(
        DenseCluster(seed, 4 + seed % 12, 30 + static_cast<int>(seed % 5) * 25, 1 + seed % 4),
        seed);
    auto directory = Directory::Create(instance.snapshot);
    ASSERT_TRUE(directory.ok()) << directory.status();
    Matcher matcher(*directory);
    MatchPlan fast = matcher.Match(instance.requests, {.threads = static_cast<int>(1 + seed % 2)});
    MatchPlan reference =
        matcher.Match(instance.requests, {.solver = MatchSolver::kBoostReference});
    ASSERT_EQ(fast.objective, reference.objective) << "seed " << seed;
    ExpectValidPlan(instance, **directory, fast);
  }
  for (uint32_t seed = 1; seed <= 30; ++seed) {
    Instance instance = WithPriorities(DenseCluster(500 + seed, 3, 6, 0.5), seed);
    auto directory = Directory::Create(instance.snapshot);
    ASSERT_TRUE(directory.ok());
    MatchPlan plan = Matcher(*directory).Match(instance.requests);
    EXPECT_EQ(plan.objective, ExhaustiveObjective(instance)) << "seed " << seed;
  }
}

TEST(Matcher, PenaltyIsAnOption) {
  Instance instance = MakeInstance(77, 30, 10);
  auto directory = Directory::Create(instance.snapshot);
  ASSERT_TRUE(directory.ok());
  Matcher matcher(*directory);
  for (int64_t penalty : {int64_t{1}, int64_t{3'000}, int64_t{30'000}}) {
    MatchPlan plan = matcher.Match(instance.requests, {.unassigned_penalty_m = penalty});
    MatchPlan reference = matcher.Match(
        instance.requests,
        {.unassigned_penalty_m = penalty, .solver = MatchSolver::kBoostReference});
    EXPECT_EQ(plan.objective, reference.objective) << penalty;
    EXPECT_EQ(plan.objective, ExhaustiveObjective(instance, penalty) ) << penalty;
  }
}

TEST(Matcher, RemoteCostIsAnOptionAndAgreesWithTheReference) {
  for (uint32_t seed = 300; seed < 340; ++seed) {
    Instance instance = WithPriorities(MakeInstance(seed, 30, 20), seed);
    auto directory = Directory::Create(instance.snapshot);
    ASSERT_TRUE(directory.ok());
    Matcher matcher(*directory);
    for (int64_t remote : {int64_t{0}, int64_t{8'000}, int64_t{60'000}}) {
      MatchPlan fast = matcher.Match(instance.requests, {.remote_cost_m = remote});
      MatchPlan reference = matcher.Match(
          instance.requests, {.remote_cost_m = remote, .solver = MatchSolver::kBoostReference});
      EXPECT_EQ(fast.objective, reference.objective) << "seed " << seed << " remote " << remote;
      for (const PlanLine& line : fast.lines) {
        if (line.assigned() && (line.mode == Mode::kPhone || line.mode == Mode::kVideo)) {
          EXPECT_EQ(line.cost_m, remote);
        }
      }
    }
  }
}

std::shared_ptr<const Directory> FromCsv(const std::string& csv) {
  auto parsed = ParseProvidersCsv(csv, "fixture.csv");
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed->directory;
}

Request At(const std::string& id, double lat, int priority = 0) {
  Request r;
  r.id = id;
  r.position = {lat, 5};
  r.topics = {Topic::kBenefits};
  r.priority = priority;
  return r;
}

TEST(Matcher, CapacityGoesToWhereItSavesMost) {
  // One seat near both residents; the farther alternative is much worse for "b".
  Matcher matcher(FromCsv("id,kind,lat,lon,topics,capacity\n"
                          "seat,ido,52.00,5,benefits,1\n"
                          "alt,ido,52.02,5,benefits,1\n"));
  std::vector<Request> requests = {At("a", 52.01), At("b", 51.99)};
  requests[1].max_km = 2;  // "b" cannot reach "alt" (3.3 km)
  MatchPlan plan = matcher.Match(requests);
  FormatPlanCsv(matcher.directory(), requests, plan);
  EXPECT_EQ(FormatPlanCsv(matcher.directory(), requests, plan),
            "request_id,provider_id,mode,cost_m,reason\n"
            "a,alt,in_person,1112,\n"
            "b,seat,in_person,1112,\n");
  EXPECT_EQ(plan.objective, 2224);
}

TEST(Matcher, PriorityDecidesWhoIsLeftOut) {
  Matcher matcher(FromCsv("id,kind,lat,lon,topics,capacity\n"
                          "seat,ido,52.00,5,benefits,1\n"
                          "full,ido,52.00,5,benefits,0\n"));
  std::vector<Request> requests = {At("a", 52.001, 0), At("b", 52.002, 2), At("c", 53, 0)};
  MatchPlan plan = matcher.Match(requests);
  EXPECT_EQ(FormatPlanCsv(matcher.directory(), requests, plan),
            "request_id,provider_id,mode,cost_m,reason\n"
            "a,,,1000000,capacity_exhausted\n"
            "b,seat,in_person,222,\n"
            "c,,,1000000,no_suitable_provider\n");
  EXPECT_EQ(plan.objective, 2'000'222);
}

TEST(Matcher, UnlimitedProvidersTakeEveryoneTheySuit) {
  Matcher matcher(FromCsv("id,kind,lat,lon,topics,modes,capacity\n"
                          "line,phone,,,benefits,phone,\n"
                          "desk,ido,52.0,5,benefits,in_person,1\n"));
  std::vector<Request> requests;
  for (int i = 0; i < 50; ++i) requests.push_back(At(absl::StrFormat("r%02d", i), 52.001));
  MatchPlan plan = matcher.Match(requests);
  int by_phone = 0, at_desk = 0;
  for (const PlanLine& line : plan.lines) {
    ASSERT_TRUE(line.assigned());
    by_phone += line.mode == Mode::kPhone;
    at_desk += line.mode == Mode::kInPerson;
  }
  EXPECT_EQ(at_desk, 1);
  EXPECT_EQ(by_phone, 49);
  EXPECT_EQ(plan.objective, 111 + 49 * 25'000);
}

TEST(Matcher, DeterministicAcrossThreadCountsAndRuns) {
  Instance instance = MakeInstance(5, 400, 40);
  auto directory = Directory::Create(instance.snapshot);
  ASSERT_TRUE(directory.ok());
  Matcher matcher(*directory);
  MatchPlan one = matcher.Match(instance.requests, {.threads = 1});
  MatchPlan two = matcher.Match(instance.requests, {.threads = 2});
  MatchPlan again = matcher.Match(instance.requests, {.threads = 2});
  EXPECT_EQ(one.lines, two.lines);
  EXPECT_EQ(two.lines, again.lines);
}

TEST(Matcher, EmptyInputs) {
  auto directory = Directory::Create(v1::DirectorySnapshot());
  ASSERT_TRUE(directory.ok());
  Matcher matcher(*directory);
  EXPECT_EQ(matcher.Match({}).objective, 0);
  std::vector<Request> requests = {At("a", 52, 3)};
  MatchPlan plan = matcher.Match(requests);
  ASSERT_EQ(plan.lines.size(), 1u);
  EXPECT_EQ(plan.lines[0].reason, UnassignedReason::kNoSuitableProvider);
  EXPECT_EQ(plan.objective, 4'000'000);
}

TEST(Matcher, PlanCsvNamesAFurtherLocationLikeRouteCsv) {
  v1::DirectorySnapshot snapshot;
  v1::Provider* p = snapshot.add_providers();
  p->set_id("bieb");
  p->set_kind(v1::PROVIDER_KIND_LIBRARY);
  p->add_topics(v1::TOPIC_BENEFITS);
  for (auto [id, lat] : {std::pair{"", 52.0}, std::pair{"noord", 53.0}}) {
    v1::Location* l = p->add_locations();
    l->set_id(id);
    l->mutable_position()->set_lat_deg(lat);
    l->mutable_position()->set_lon_deg(5);
  }
  auto directory = Directory::Create(snapshot);
  ASSERT_TRUE(directory.ok()) << directory.status();
  Matcher matcher(*directory);
  std::vector<Request> requests = {At("a", 52.001), At("b", 53.001)};
  EXPECT_EQ(FormatPlanCsv(**directory, requests, matcher.Match(requests)),
            "request_id,provider_id,mode,cost_m,reason\n"
            "a,bieb,in_person,111,\n"
            "b,bieb/noord,in_person,111,\n");
}

TEST(Matcher, ToProtoCarriesEveryLine) {
  Matcher matcher(FromCsv("id,kind,lat,lon,topics,capacity\n"
                          "seat,ido,52.00,5,benefits,1\n"));
  std::vector<Request> requests = {At("a", 52.001), At("b", 52.002)};
  MatchPlan plan = matcher.Match(requests);
  v1::MatchPlan proto;
  matcher.ToProto(requests, plan, &proto);
  ASSERT_EQ(proto.lines_size(), 2);
  EXPECT_EQ(proto.lines(0).provider_id(), "seat");
  EXPECT_EQ(proto.lines(1).reason(), v1::UNASSIGNED_REASON_CAPACITY_EXHAUSTED);
  EXPECT_EQ(proto.objective(), plan.objective);
}

// The solver's own certificate: the dual objective equals the primal one, and the
// duals are feasible for every pair, including pairs the lazy lists never built.
TEST(SolveAssignment, DualCertificateProvesOptimality) {
  for (uint32_t seed = 1; seed <= 50; ++seed) {
    std::mt19937 rng(seed);
    const int n = 60, m = 8;
    std::vector<int64_t> capacity(m), outside(n);
    std::vector<std::vector<internal::CandidateEdge>> full(n);
    for (int p = 0; p < m; ++p) capacity[p] = 1 + rng() % 6;
    for (int r = 0; r < n; ++r) {
      outside[r] = 5'000 + rng() % 20'000;
      for (int p = 0; p < m; ++p) {
        const int32_t cost = static_cast<int32_t>(rng() % 30'000);
        if (cost < outside[r] && rng() % 3 != 0) full[r].push_back({uint32_t(p), cost, 0});
      }
      std::stable_sort(full[r].begin(), full[r].end(),
                       [](auto& a, auto& b) { return a.cost < b.cost; });
    }
    internal::AssignmentProblem problem;
    problem.capacity = capacity;
    problem.outside_cost = outside;
    problem.initial_limit = 1;  // force many extensions
    problem.candidates = [&](uint32_t r, int limit, std::vector<internal::CandidateEdge>* out) {
      const size_t k = std::min<size_t>(limit, full[r].size());
      out->assign(full[r].begin(), full[r].begin() + k);
      return k == full[r].size() ? internal::kNoThreshold : int64_t{full[r][k].cost};
    };
    internal::AssignmentResult result = internal::SolveAssignment(problem);
    EXPECT_EQ(result.objective, result.dual_objective) << "seed " << seed;
    for (int r = 0; r < n; ++r) {
      EXPECT_LE(result.request_price[r], outside[r]);
      for (const auto& e : full[r]) {
        EXPECT_LE(result.request_price[r], e.cost + result.provider_price[e.provider])
            << "seed " << seed << " r " << r;
      }
    }
    EXPECT_GT(result.extensions, 0);
  }
}

// Dense cost matrices with many ties (costs from a few values): the warm start's
// auction meets its ties and price wars here. With and without it (and with a budget
// so small that shortest paths finish most of the work), the same optimum, each with
// its own certificate, and duals feasible for every pair.
TEST(SolveAssignment, WarmStartKeepsTheOptimumAndTheCertificate) {
  int warm_placed = 0, left_to_paths = 0;
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    std::mt19937 rng(seed);
    const int n = 40 + static_cast<int>(rng() % 80), m = 3 + static_cast<int>(rng() % 15);
    std::vector<int64_t> capacity(m), outside(n);
    std::vector<std::vector<internal::CandidateEdge>> full(n);
    for (int p = 0; p < m; ++p) capacity[p] = rng() % 7 == 0 ? 0 : 1 + rng() % 4;
    for (int r = 0; r < n; ++r) {
      outside[r] = 1'000 * (3 + rng() % 4);
      for (int p = 0; p < m; ++p) {
        const int32_t cost = static_cast<int32_t>(500 * (rng() % 8));
        if (cost < outside[r] && rng() % 5 != 0) full[r].push_back({uint32_t(p), cost, 0});
      }
      std::stable_sort(full[r].begin(), full[r].end(),
                       [](auto& a, auto& b) { return a.cost < b.cost; });
    }
    std::vector<int64_t> objectives;
    for (int bids : {0, 1, 8, 64}) {
      internal::AssignmentProblem problem;
      problem.capacity = capacity;
      problem.outside_cost = outside;
      problem.initial_limit = 1 + seed % 3;
      problem.warm_start_bids_per_request = bids;
      problem.candidates = [&](uint32_t r, int limit,
                               std::vector<internal::CandidateEdge>* out) {
        const size_t k = std::min<size_t>(limit, full[r].size());
        out->assign(full[r].begin(), full[r].begin() + k);
        return k == full[r].size() ? internal::kNoThreshold : int64_t{full[r][k].cost};
      };
      internal::AssignmentResult result = internal::SolveAssignment(problem);
      EXPECT_EQ(result.objective, result.dual_objective) << "seed " << seed << " bids " << bids;
      std::vector<int64_t> load(m, 0);
      int64_t objective = 0;
      for (int r = 0; r < n; ++r) {
        EXPECT_LE(result.request_price[r], outside[r]);
        for (const auto& e : full[r]) {
          EXPECT_LE(result.request_price[r], e.cost + result.provider_price[e.provider])
              << "seed " << seed << " bids " << bids << " r " << r;
        }
        if (result.provider[r] >= 0) {
          ++load[result.provider[r]];
          auto it = std::find_if(full[r].begin(), full[r].end(),
                                 [&](auto& e) { return int(e.provider) == result.provider[r]; });
          ASSERT_NE(it, full[r].end());
          objective += it->cost;
        } else {
          objective += outside[r];
        }
      }
      for (int p = 0; p < m; ++p) EXPECT_LE(load[p], capacity[p]);
      EXPECT_EQ(objective, result.objective);
      objectives.push_back(result.objective);
      if (bids == 8) {
        warm_placed += result.warm_start_placed;
        left_to_paths += n - result.warm_start_placed;
      }
    }
    for (int64_t o : objectives) EXPECT_EQ(o, objectives[0]) << "seed " << seed;
  }
  // Both halves of the method were exercised.
  EXPECT_GT(warm_placed, 0);
  EXPECT_GT(left_to_paths, 0);
}

// --- weighted requests: a count per request, moved in bulk.

// A random transportation problem with ties (costs from a few values), some
// capacity-0 providers, and supplies from `supply_of`.
struct RandomProblem {
  std::vector<int64_t> capacity, outside, supply;
  std::vector<std::vector<internal::CandidateEdge>> full;
};

RandomProblem MakeRandomProblem(uint32_t seed, const std::function<int64_t(std::mt19937&)>& supply_of) {
  std::mt19937 rng(seed);
  RandomProblem q;
  const int n = 5 + static_cast<int>(rng() % 40), m = 1 + static_cast<int>(rng() % 12);
  q.capacity.resize(m);
  q.outside.resize(n);
  q.supply.resize(n);
  q.full.resize(n);
  for (int p = 0; p < m; ++p) q.capacity[p] = rng() % 8 == 0 ? 0 : 1 + rng() % 6;
  for (int r = 0; r < n; ++r) {
    q.outside[r] = 1'000 * (3 + rng() % 4);
    q.supply[r] = supply_of(rng);
    for (int p = 0; p < m; ++p) {
      const int32_t cost = static_cast<int32_t>(500 * (rng() % 9));
      if (cost < q.outside[r] && rng() % 4 != 0) q.full[r].push_back({uint32_t(p), cost, uint32_t(p + 7)});
    }
    std::stable_sort(q.full[r].begin(), q.full[r].end(),
                     [](auto& a, auto& b) { return a.cost < b.cost; });
  }
  return q;
}

internal::AssignmentResult Solve(const RandomProblem& q, std::span<const int64_t> supply,
                                 std::span<const int64_t> outside, int initial_limit,
                                 const std::vector<uint32_t>& source_row) {
  internal::AssignmentProblem problem;
  problem.capacity = q.capacity;
  problem.outside_cost = outside;
  problem.supply = supply;
  problem.initial_limit = initial_limit;
  problem.candidates = [&](uint32_t r, int limit, std::vector<internal::CandidateEdge>* out) {
    const auto& full = q.full[source_row[r]];
    const size_t k = std::min<size_t>(limit, full.size());
    out->assign(full.begin(), full.begin() + k);
    return k == full.size() ? internal::kNoThreshold : int64_t{full[k].cost};
  };
  return internal::SolveAssignment(problem);
}

// The optimum of the copies: row r copied min(s(r), total capacity) times, and the
// rest of the row at its outside option (no plan can place more units of a row than
// the providers hold, so the truncation is exact). Solved by the unit solver.
int64_t CopiesObjective(const RandomProblem& q) {
  int64_t total_capacity = 0;
  for (int64_t b : q.capacity) total_capacity += b;
  std::vector<int64_t> outside;
  std::vector<uint32_t> source;
  int64_t rest = 0;
  for (size_t r = 0; r < q.supply.size(); ++r) {
    const int64_t copies = std::min(q.supply[r], total_capacity);
    rest += (q.supply[r] - copies) * q.outside[r];
    for (int64_t j = 0; j < copies; ++j) {
      outside.push_back(q.outside[r]);
      source.push_back(static_cast<uint32_t>(r));
    }
  }
  if (source.empty()) return rest;
  const internal::AssignmentResult copies = Solve(q, {}, outside, 2, source);
  EXPECT_EQ(copies.objective, copies.dual_objective);
  return copies.objective + rest;
}

// Feasibility of the weighted result from the full matrix alone, the certificate,
// and dual feasibility on every pair (built or not).
void ExpectValidWeighted(const RandomProblem& q, const internal::AssignmentResult& result,
                         const std::string& where) {
  const size_t n = q.supply.size();
  std::vector<int64_t> placed(n, 0), load(q.capacity.size(), 0);
  int64_t objective = 0;
  for (size_t i = 0; i < result.flows.size(); ++i) {
    const internal::Flow& f = result.flows[i];
    ASSERT_LT(f.request, n) << where;
    ASSERT_GT(f.amount, 0) << where;
    if (i > 0) {
      const internal::Flow& e = result.flows[i - 1];
      EXPECT_TRUE(e.request < f.request || (e.request == f.request && e.provider < f.provider))
          << where << ": flows by request, then provider, one per place";
    }
    placed[f.request] += f.amount;
    if (f.provider >= 0) {
      const auto& full = q.full[f.request];
      auto it = std::find_if(full.begin(), full.end(),
                             [&](auto& e) { return int(e.provider) == f.provider; });
      ASSERT_NE(it, full.end()) << where << ": not a pair";
      EXPECT_EQ(f.cost, it->cost) << where;
      EXPECT_EQ(f.detail, it->detail) << where;
      load[f.provider] += f.amount;
    } else {
      EXPECT_EQ(f.cost, q.outside[f.request]) << where;
    }
    objective += f.amount * f.cost;
  }
  for (size_t r = 0; r < n; ++r) EXPECT_EQ(placed[r], q.supply[r]) << where << " r " << r;
  for (size_t p = 0; p < q.capacity.size(); ++p) EXPECT_LE(load[p], q.capacity[p]) << where;
  EXPECT_EQ(objective, result.objective) << where;
  EXPECT_EQ(result.objective, result.dual_objective) << where;
  for (size_t r = 0; r < n; ++r) {
    EXPECT_LE(result.request_price[r], q.outside[r]) << where;
    for (const auto& e : q.full[r]) {
      EXPECT_LE(result.request_price[r], e.cost + result.provider_price[e.provider])
          << where << " r " << r;
    }
  }
}

TEST(SolveAssignment, WeightedEqualsCopiesOn400RandomProblems) {
  int splits = 0;
  for (uint32_t seed = 1; seed <= 400; ++seed) {
    // Mostly small counts with zeros; every fourth problem has huge ones too.
    const bool huge = seed % 4 == 0;
    RandomProblem q = MakeRandomProblem(seed, [&](std::mt19937& rng) -> int64_t {
      const uint32_t x = rng() % 10;
      if (huge && x == 0) return 1'000'000'000 - static_cast<int64_t>(rng() % 3);
      return x < 2 ? 0 : x % 6;
    });
    std::vector<uint32_t> identity(q.supply.size());
    std::iota(identity.begin(), identity.end(), 0);
    const std::string where = "seed " + std::to_string(seed);
    const internal::AssignmentResult weighted = Solve(q, q.supply, q.outside, 1 + seed % 3, identity);
    ExpectValidWeighted(q, weighted, where);
    EXPECT_EQ(weighted.objective, CopiesObjective(q)) << where;
    for (size_t r = 0; r < q.supply.size(); ++r) {
      int places = 0;
      for (const auto& f : weighted.flows) places += f.request == r;
      splits += places > 1;
    }
  }
  EXPECT_GT(splits, 200) << "rows must split between providers";
}

// A request of a billion units next to a provider of 3 places: three go there, the
// rest to the outside option, in a few searches.
TEST(SolveAssignment, ABillionUnitsTakeAFewSearches) {
  RandomProblem q;
  q.capacity = {3, 2};
  q.outside = {10'000, 10'000};
  q.supply = {1'000'000'000, 4};
  q.full = {{{0, 100, 0}, {1, 900, 1}}, {{0, 50, 0}}};
  const internal::AssignmentResult result = Solve(q, q.supply, q.outside, 1, {0, 1});
  ExpectValidWeighted(q, result, "billion");
  // Request 1 takes provider 0's 3 places at 50 (it gains more there: 9,950 vs
  // 9,900) and 1 unit goes outside; request 0 takes provider 1's 2 at 900.
  EXPECT_EQ(result.objective, 3 * 50 + 10'000 + 2 * 900 + int64_t{1'000'000'000 - 2} * 10'000);
  EXPECT_LT(result.augmentations, 20);
}

// Every count 1: the weighted entry is the unit solver, warm start and all.
TEST(SolveAssignment, UnitSuppliesGiveTheUnitResult) {
  for (uint32_t seed = 1; seed <= 50; ++seed) {
    RandomProblem q = MakeRandomProblem(seed, [](std::mt19937&) { return int64_t{1}; });
    std::vector<uint32_t> identity(q.supply.size());
    std::iota(identity.begin(), identity.end(), 0);
    const internal::AssignmentResult unit = Solve(q, {}, q.outside, 2, identity);
    const internal::AssignmentResult weighted = Solve(q, q.supply, q.outside, 2, identity);
    EXPECT_EQ(unit.provider, weighted.provider) << "seed " << seed;
    EXPECT_EQ(unit.objective, weighted.objective) << "seed " << seed;
    EXPECT_EQ(unit.warm_start_bids, weighted.warm_start_bids) << "seed " << seed;
    ExpectValidWeighted(q, weighted, "seed " + std::to_string(seed));
  }
}

// The copies of a weighted list, with unique ids.
std::vector<Request> Copies(std::span<const Request> rows, std::span<const int64_t> counts) {
  std::vector<Request> copies;
  for (size_t i = 0; i < rows.size(); ++i) {
    for (int64_t j = 0; j < counts[i]; ++j) {
      copies.push_back(rows[i]);
      copies.back().id += absl::StrFormat("/%d", j);
    }
  }
  return copies;
}

// A weighted plan checked against the contract with the oracle only: every share
// suitable at its cost and mode, unassigned shares at the penalty with the right
// reason, no provider over capacity, tallies and objective adding up.
void ExpectValidWeightedPlan(const Instance& instance, const Directory& directory,
                             std::span<const int64_t> counts, const WeightedMatchPlan& plan,
                             const std::string& where) {
  ASSERT_EQ(plan.lines.size(), instance.requests.size()) << where;
  const auto pairs = OraclePairs(instance);
  std::map<std::string, int64_t> load;
  int64_t objective = 0;
  for (size_t r = 0; r < plan.lines.size(); ++r) {
    const WeightedPlanLine& row = plan.lines[r];
    const Request& request = instance.requests[r];
    EXPECT_EQ(row.count, counts[r]) << where;
    int64_t total = 0, cost = 0, in_person = 0, home_visit = 0, remote = 0, exhausted = 0,
            none = 0;
    for (const PlanShare& share : row.shares) {
      const PlanLine& line = share.line;
      EXPECT_GT(share.count, 0) << where;
      total += share.count;
      cost += share.count * line.cost_m;
      if (line.assigned()) {
        const std::string& id = directory.provider(*line.provider).id;
        auto it = pairs[r].find(id);
        ASSERT_NE(it, pairs[r].end()) << where << ": " << request.id << " to unsuitable " << id;
        EXPECT_EQ(line.cost_m, it->second.cost_m) << where << ": " << request.id << " -> " << id;
        EXPECT_EQ(ModeCode(line.mode), it->second.mode) << where << ": " << request.id;
        load[id] += share.count;
        (line.mode == Mode::kInPerson    ? in_person
         : line.mode == Mode::kHomeVisit ? home_visit
                                         : remote) += share.count;
      } else {
        EXPECT_EQ(line.cost_m, 1'000'000 * (1 + request.priority)) << where;
        const bool nothing = pairs[r].empty();
        EXPECT_EQ(line.reason, nothing ? UnassignedReason::kNoSuitableProvider
                                       : UnassignedReason::kCapacityExhausted)
            << where;
        (nothing ? none : exhausted) += share.count;
      }
    }
    EXPECT_EQ(total, counts[r]) << where << " row " << r;
    EXPECT_EQ(cost, row.cost_m) << where;
    EXPECT_EQ(in_person, row.in_person) << where;
    EXPECT_EQ(home_visit, row.home_visit) << where;
    EXPECT_EQ(remote, row.remote) << where;
    EXPECT_EQ(exhausted, row.capacity_exhausted) << where;
    EXPECT_EQ(none, row.no_suitable_provider) << where;
    objective += row.cost_m;
  }
  EXPECT_EQ(objective, plan.objective) << where;
  for (const v1::Provider& p : instance.snapshot.providers()) {
    if (p.has_capacity()) {
      EXPECT_LE(load[p.id()], p.capacity()) << where << " " << p.id();
    }
  }
}

// Counts 0..5 with some zeros, on the random instances and on dense clusters: the
// objective of Match on the copies (and of the Boost reference on them, on a share
// of the seeds), and a valid plan.
TEST(Matcher, MatchWeightedEqualsTheCopiesOnRandomInstancesAndDenseClusters) {
  int split_rows = 0;
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    const bool dense = seed % 4 == 0;
    Instance instance =
        dense ? WithPriorities(DenseCluster(seed, 4 + seed % 9, 20 + static_cast<int>(seed % 4) * 10,
                                            1 + seed % 3),
                               seed)
              : WithPriorities(MakeInstance(seed, 30, 25), seed);
    auto directory = Directory::Create(instance.snapshot);
    ASSERT_TRUE(directory.ok()) << directory.status();
    Matcher matcher(*directory);
    std::mt19937 rng(seed);
    std::vector<int64_t> counts(instance.requests.size());
    for (int64_t& c : counts) c = std::uniform_int_distribution<int>(-1, 5)(rng) < 0 ? 0 : rng() % 6;
    const std::string where = (dense ? "dense seed " : "seed ") + std::to_string(seed);
    const WeightedMatchPlan weighted =
        matcher.MatchWeighted(instance.requests, counts, {.threads = static_cast<int>(1 + seed % 2)});
    const std::vector<Request> copies = Copies(instance.requests, counts);
    const MatchPlan expanded = matcher.Match(copies, {.threads = 1});
    EXPECT_EQ(weighted.objective, expanded.objective) << where;
    if (seed % 5 == 0) {
      const MatchPlan reference = matcher.Match(copies, {.solver = MatchSolver::kBoostReference});
      EXPECT_EQ(weighted.objective, reference.objective) << where;
    }
    ExpectValidWeightedPlan(instance, **directory, counts, weighted, where);
    for (const WeightedPlanLine& line : weighted.lines) split_rows += line.shares.size() > 1;
  }
  EXPECT_GT(split_rows, 50) << "rows must split between providers and reasons";
}

// Huge counts: a row of a billion requests costs a few searches; the plan is the
// copies' plan with each row truncated to the total capacity and the rest of the row
// at its outside option (computed here from the oracle: the cheapest unlimited
// provider's cost, else the penalty).
TEST(Matcher, MatchWeightedWithHugeCountsEqualsTruncatedCopies) {
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    Instance instance = WithPriorities(MakeInstance(300 + seed, 12, 10), seed);
    auto directory = Directory::Create(instance.snapshot);
    ASSERT_TRUE(directory.ok());
    Matcher matcher(*directory);
    int64_t total_capacity = 0;
    std::map<std::string, bool> unlimited;
    for (const v1::Provider& p : instance.snapshot.providers()) {
      total_capacity += p.has_capacity() ? p.capacity() : 0;
      unlimited[p.id()] = !p.has_capacity();
    }
    std::vector<int64_t> counts(instance.requests.size()), truncated(counts.size());
    std::mt19937 rng(seed);
    for (size_t i = 0; i < counts.size(); ++i) {
      counts[i] = rng() % 3 == 0 ? 1'000'000'000 : rng() % 4;
      truncated[i] = std::min(counts[i], total_capacity);
    }
    const auto pairs = OraclePairs(instance);
    int64_t rest = 0;
    for (size_t i = 0; i < counts.size(); ++i) {
      int64_t outside = 1'000'000 * (1 + instance.requests[i].priority);
      for (const auto& [id, ref] : pairs[i]) {
        if (unlimited[id]) outside = std::min(outside, ref.cost_m);
      }
      rest += (counts[i] - truncated[i]) * outside;
    }
    const WeightedMatchPlan weighted = matcher.MatchWeighted(instance.requests, counts);
    const MatchPlan copies = matcher.Match(Copies(instance.requests, truncated));
    const std::string where = "seed " + std::to_string(seed);
    EXPECT_EQ(weighted.objective, copies.objective + rest) << where;
    ExpectValidWeightedPlan(instance, **directory, counts, weighted, where);
    EXPECT_LT(weighted.stats.augmentations, 40 * static_cast<int64_t>(counts.size())) << where;
  }
}

TEST(Matcher, MatchWeightedHandChecked) {
  Matcher matcher(FromCsv("id,kind,lat,lon,topics,modes,capacity\n"
                          "line,phone,,,benefits,phone,\n"
                          "desk,ido,52.0,5,benefits,in_person,3\n"));
  std::vector<Request> requests = {At("near", 52.001), At("none", 52.001), At("far", 52.002)};
  requests[0].priority = 1;
  const std::vector<int64_t> counts = {5, 0, 2};
  const WeightedMatchPlan plan = matcher.MatchWeighted(requests, counts);
  ASSERT_EQ(plan.lines.size(), 3u);
  // The desk's 3 places go to "near" (111 m; "far" is 222 m away: same gain of the
  // remote cost minus the distance, and near gains more), the rest by phone.
  EXPECT_EQ(plan.lines[0].in_person, 3);
  EXPECT_EQ(plan.lines[0].remote, 2);
  ASSERT_EQ(plan.lines[0].shares.size(), 2u);
  EXPECT_EQ(plan.lines[0].shares[0].count, 3);
  EXPECT_EQ(plan.lines[0].shares[1].line.mode, Mode::kPhone);
  EXPECT_TRUE(plan.lines[1].shares.empty());
  EXPECT_EQ(plan.lines[2].remote, 2);
  EXPECT_EQ(plan.objective, 3 * 111 + 4 * 25'000);
  // The same with the reference on the copies.
  const WeightedMatchPlan reference =
      matcher.MatchWeighted(requests, counts, {.solver = MatchSolver::kBoostReference});
  EXPECT_EQ(reference.objective, plan.objective);
  EXPECT_EQ(reference.lines[0].in_person, 3);
  EXPECT_EQ(matcher.MatchWeighted({}, {}).objective, 0);
}

TEST(Matcher, MatchWeightedDeterministicAcrossThreadCounts) {
  Instance instance = MakeInstance(5, 300, 40);
  auto directory = Directory::Create(instance.snapshot);
  ASSERT_TRUE(directory.ok());
  Matcher matcher(*directory);
  std::vector<int64_t> counts(instance.requests.size());
  for (size_t i = 0; i < counts.size(); ++i) counts[i] = static_cast<int64_t>(i % 7);
  const WeightedMatchPlan one = matcher.MatchWeighted(instance.requests, counts, {.threads = 1});
  const WeightedMatchPlan two = matcher.MatchWeighted(instance.requests, counts, {.threads = 2});
  ASSERT_EQ(one.lines.size(), two.lines.size());
  for (size_t i = 0; i < one.lines.size(); ++i) EXPECT_EQ(one.lines[i].shares, two.lines[i].shares);
}

// The bindings' one reading of a solver's name.
TEST(Matcher, ParseMatchSolverTakesTheTwoNames) {
  for (MatchSolver solver : {MatchSolver::kFast, MatchSolver::kCostScaling}) {
    absl::StatusOr<MatchSolver> parsed = ParseMatchSolver(MatchSolverName(solver));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, solver);
  }
  EXPECT_EQ(MatchSolverName(MatchSolver::kFast), "fast");
  EXPECT_EQ(MatchSolverName(MatchSolver::kCostScaling), "cost-scaling");
  for (std::string_view bad : {"auction", "Fast", "", "cost_scaling", " fast", "boost-reference"}) {
    absl::StatusOr<MatchSolver> parsed = ParseMatchSolver(bad);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(parsed.status().message(),
              "unknown solver '" + std::string(bad) + "' (fast or cost-scaling)");
  }
  // The caller's word is bounded in the message.
  const std::string long_word(10'000, 'x');
  EXPECT_EQ(ParseMatchSolver(long_word).status().message(),
            "unknown solver '" + std::string(100, 'x') + "' (fast or cost-scaling)");
}

// MatchSolver::kCostScaling (the cost-scaling warm start, then shortest paths): the
// Boost reference's optimum on random instances and dense clusters, exhaustive
// search's on tiny ones, and valid plans.
TEST(Matcher, CostScalingEqualsTheReferenceOnRandomInstancesAndDenseClusters) {
  for (uint32_t seed = 1; seed <= 100; ++seed) {
    Instance instance = WithPriorities(
        seed % 2 == 0 ? DenseCluster(seed, 4 + seed % 12, 30 + static_cast<int>(seed % 5) * 25,
                             1 + seed % 4)
              : MakeInstance(seed, 40, 25),
        seed);
    auto directory = Directory::Create(instance.snapshot);
    ASSERT_TRUE(directory.ok()) << directory.status();
    Matcher matcher(*directory);
    MatchPlan scaled = matcher.Match(instance.requests, {.solver = MatchSolver::kCostScaling});
    MatchPlan reference =
        matcher.Match(instance.requests, {.solver = MatchSolver::kBoostReference});
    ASSERT_EQ(scaled.objective, reference.objective) << "seed " << seed;
    ExpectValidPlan(instance, **directory, scaled);
  }
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    Instance instance = WithPriorities(
        seed % 2 ? MakeInstance(1000 + seed, 6, 4) : DenseCluster(500 + seed, 3, 6, 0.5), seed);
    auto directory = Directory::Create(instance.snapshot);
    ASSERT_TRUE(directory.ok());
    MatchPlan plan =
        Matcher(*directory).Match(instance.requests, {.solver = MatchSolver::kCostScaling});
    EXPECT_EQ(plan.objective, ExhaustiveObjective(instance)) << "seed " << seed;
  }
}

// Dense clusters large enough that the cost-scaling start asks the regional bound
// on missing pairs (lists of 64 and more, match/regional_bound.h): still the Boost
// reference's optimum, with far fewer pairs than every suitable one.
TEST(Matcher, CostScalingWithTheRegionalBoundEqualsTheReferenceOnLargeClusters) {
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    Instance instance = WithPriorities(DenseCluster(900 + seed, 150, 700, 2.0), seed);
    // Idle providers out of everyone's reach keep the least price anywhere at 0, as
    // on the real map; a penalty of a few km keeps the requests' prices there.
    for (int i = 0; i < 3; ++i) {
      v1::Provider* idle = instance.snapshot.add_providers();
      *idle = instance.snapshot.providers(i);
      idle->set_id(absl::StrFormat("IDLE%d", i));
      idle->mutable_locations(0)->mutable_position()->set_lat_deg(52.6 + 0.1 * i);
    }
    auto directory = Directory::Create(instance.snapshot);
    ASSERT_TRUE(directory.ok()) << directory.status();
    Matcher matcher(*directory);
    const MatchOptions options{.unassigned_penalty_m = 3'000};
    MatchOptions scaling = options, reference_options = options;
    scaling.solver = MatchSolver::kCostScaling;
    reference_options.solver = MatchSolver::kBoostReference;
    MatchPlan scaled = matcher.Match(instance.requests, scaling);
    MatchPlan reference = matcher.Match(instance.requests, reference_options);
    ASSERT_EQ(scaled.objective, reference.objective) << "seed " << seed;
    EXPECT_GT(scaled.stats.scaling_floor_queries, 0) << "seed " << seed;
    // The requests' choices (and the bound's questions) on one thread and on three:
    // the same plan and the same work.
    MatchOptions one = scaling, three = scaling;
    one.threads = 1;
    three.threads = 3;
    MatchPlan alone = matcher.Match(instance.requests, one);
    MatchPlan team = matcher.Match(instance.requests, three);
    EXPECT_EQ(alone.lines, team.lines) << "seed " << seed;
    EXPECT_EQ(alone.stats.scaling_pushes, team.stats.scaling_pushes) << "seed " << seed;
    EXPECT_EQ(alone.stats.scaling_floor_queries, team.stats.scaling_floor_queries)
        << "seed " << seed;
    EXPECT_EQ(alone.objective, scaled.objective) << "seed " << seed;
    EXPECT_LT(scaled.stats.candidate_pairs * 2, reference.stats.candidate_pairs) << "seed " << seed;
    ExpectValidPlan(instance, **directory, scaled, 3'000);
  }
}

// Two solves of one problem on different thread counts, which must be the same
// run: the same flow and duals, push for push and sweep for sweep.
void ExpectSameRun(const internal::AssignmentResult& a, const internal::AssignmentResult& b,
                   const std::string& where) {
  EXPECT_EQ(a.provider, b.provider) << where;
  EXPECT_EQ(a.request_price, b.request_price) << where;
  EXPECT_EQ(a.provider_price, b.provider_price) << where;
  EXPECT_EQ(a.scaling_pushes, b.scaling_pushes) << where;
  EXPECT_EQ(a.scaling_dual_trials, b.scaling_dual_trials) << where;
  EXPECT_EQ(a.scaling_dual_sweeps, b.scaling_dual_sweeps) << where;
}

// The cost-scaling warm start on tie-heavy problems with lazy lists and providers of
// capacity 0: the shortest paths' optimum (no warm start), the certificate, duals
// feasible for every pair, loads within capacity. With the default scale its own
// duals are exact and it places every request; with scales too coarse for that
// (1 and 3 units per metre) the repair hands requests back and the paths finish.
TEST(SolveAssignment, CostScalingKeepsTheOptimumAndTheCertificate) {
  int exact_runs = 0, runs = 0, coarse_repaired = 0, early_stops = 0;
  int64_t trials = 0, recruits = 0;
  for (uint32_t seed = 1; seed <= 80; ++seed) {
    std::mt19937 rng(seed);
    const int n = 20 + static_cast<int>(rng() % 120), m = 2 + static_cast<int>(rng() % 15);
    std::vector<int64_t> capacity(m), outside(n);
    std::vector<std::vector<internal::CandidateEdge>> full(n);
    for (int p = 0; p < m; ++p) capacity[p] = rng() % 7 == 0 ? 0 : 1 + rng() % 4;
    for (int r = 0; r < n; ++r) {
      outside[r] = 1'000 * (3 + rng() % 4);
      for (int p = 0; p < m; ++p) {
        const int32_t cost = static_cast<int32_t>(seed % 2 ? 500 * (rng() % 8) : rng() % 6'000);
        if (cost < outside[r] && rng() % 5 != 0) full[r].push_back({uint32_t(p), cost, 0});
      }
      std::stable_sort(full[r].begin(), full[r].end(),
                       [](auto& a, auto& b) { return a.cost < b.cost; });
    }
    auto solve = [&](bool scaling, int64_t scale, int64_t alpha, int64_t initial_eps = 0,
                     int batch = 256, int64_t recruit_eps = 4'096, int threads = 1) {
      internal::AssignmentProblem problem;
      problem.capacity = capacity;
      problem.outside_cost = outside;
      problem.initial_limit = 1 + seed % 3;
      problem.warm_start_bids_per_request = 0;
      problem.cost_scaling = scaling;
      problem.cost_scaling_scale = scale;
      problem.cost_scaling_alpha = alpha;
      problem.cost_scaling_initial_eps = initial_eps;
      problem.cost_scaling_request_batch = batch;
      problem.cost_scaling_recruit_eps = recruit_eps;
      problem.cost_scaling_check = true;  // eps-optimality after every recruiting step
      problem.threads = threads;
      problem.candidates = [&](uint32_t r, int limit,
                               std::vector<internal::CandidateEdge>* out) {
        const size_t k = std::min<size_t>(limit, full[r].size());
        out->assign(full[r].begin(), full[r].begin() + k);
        return k == full[r].size() ? internal::kNoThreshold : int64_t{full[r][k].cost};
      };
      return internal::SolveAssignment(problem);
    };
    const int64_t optimum = solve(false, 0, 8).objective;
    // The first epsilon: the largest cost (0), and ones far below the costs (a
    // price war of small steps) and near them. Providers hand back after every
    // request (batch 1), every few, or once the queue is empty (256, the default,
    // more than these problems have). Providers recruit in the phases of eps >=
    // 4,096 m (the default; these costs reach 6 km), in every phase (1), or never (0).
    for (auto [scale, alpha, initial_eps, batch, recruit_eps] :
         {std::tuple<int64_t, int64_t, int64_t, int, int64_t>{0, 8, 0, 256, 4'096},
          {0, 2, 0, 256, 4'096}, {1, 4, 0, 256, 4'096}, {3, 8, 0, 256, 4'096},
          {0, 4, 1, 256, 4'096}, {0, 4, 7, 256, 4'096}, {0, 4, 500, 256, 4'096},
          {0, 2, 4'000, 256, 4'096}, {3, 4, 50, 256, 4'096}, {0, 4, 0, 1, 4'096},
          {0, 8, 500, 1, 4'096}, {3, 4, 0, 1, 4'096}, {0, 4, 0, 7, 4'096},
          {0, 2, 50, 7, 4'096}, {0, 4, 0, 256, 0}, {0, 4, 0, 256, 1}, {0, 2, 500, 1, 1},
          {0, 4, 7, 7, 1}, {3, 4, 0, 256, 1}, {0, 8, 50, 256, 1}}) {
      const internal::AssignmentResult result =
          solve(true, scale, alpha, initial_eps, batch, recruit_eps);
      recruits += result.scaling_recruits;
      EXPECT_EQ(result.scaling_violations, 0) << "seed " << seed;
      const std::string where =
          absl::StrFormat("seed %d scale %d alpha %d eps %d batch %d recruit %d", seed, scale,
                          alpha, initial_eps, batch, recruit_eps);
      // The requests' choices on three threads: the same run, push for push.
      const internal::AssignmentResult team =
          solve(true, scale, alpha, initial_eps, batch, recruit_eps, 3);
      ExpectSameRun(team, result, where);
      EXPECT_EQ(team.scaling_cache_hits, result.scaling_cache_hits) << where;
      EXPECT_EQ(team.pairs, result.pairs) << where;
      EXPECT_EQ(result.objective, optimum) << where;
      EXPECT_EQ(result.objective, result.dual_objective) << where;
      std::vector<int64_t> load(m, 0);
      int64_t objective = 0;
      for (int r = 0; r < n; ++r) {
        EXPECT_LE(result.request_price[r], outside[r]) << where;
        for (const auto& e : full[r]) {
          EXPECT_LE(result.request_price[r], e.cost + result.provider_price[e.provider])
              << where << " r " << r;
        }
        if (result.provider[r] >= 0) {
          ++load[result.provider[r]];
          auto it = std::find_if(full[r].begin(), full[r].end(),
                                 [&](auto& e) { return int(e.provider) == result.provider[r]; });
          ASSERT_NE(it, full[r].end()) << where;
          objective += it->cost;
        } else {
          objective += outside[r];
        }
      }
      for (int p = 0; p < m; ++p) EXPECT_LE(load[p], capacity[p]) << where;
      EXPECT_EQ(objective, result.objective) << where;
      if (scale == 0) {
        ++runs;
        exact_runs += result.scaling_exact && result.warm_start_placed + result.scaling_repaired == n;
        // The phases down to eps = 1, unless a trial proved the flow optimal sooner.
        const int64_t s = n + m + 2;
        int64_t max_cost = *std::max_element(outside.begin(), outside.end());
        int64_t eps = initial_eps > 0 ? std::min(max_cost, initial_eps) * s : max_cost * s;
        int64_t phases = 0;
        while (eps > 1) {
          eps = std::max<int64_t>(1, eps / alpha);
          ++phases;
        }
        EXPECT_LE(result.scaling_phases, phases) << where;
        early_stops += result.scaling_phases < phases;
        trials += result.scaling_dual_trials;
      } else {
        coarse_repaired += result.scaling_repaired;
      }
    }
  }
  EXPECT_EQ(exact_runs, runs) << "the default scale must give exact duals";
  EXPECT_GT(trials, 0);
  EXPECT_GT(early_stops, runs / 4) << "optimal flows must be recognised before eps = 1";
  EXPECT_GT(coarse_repaired, 0) << "coarse scales must exercise the repair";
  EXPECT_GT(recruits, 0) << "the runs must exercise recruiting";
}

}  // namespace
// The candidate source of a test that holds every request's full list, cheapest
// first: the first `limit` pairs, and the next one's cost as the threshold.
internal::CandidateFn PrefixOf(const std::vector<std::vector<internal::CandidateEdge>>& full) {
  return [&full](uint32_t r, int limit, std::vector<internal::CandidateEdge>* out) {
    const size_t k = std::min<size_t>(limit, full[r].size());
    out->assign(full[r].begin(), full[r].begin() + k);
    return k == full[r].size() ? internal::kNoThreshold : int64_t{full[r][k].cost};
  };
}

// The exact duals by sweeps over the lists alone (the default, which never builds
// the providers' listings when the sweeps settle), by the worklist alone (0 sweeps:
// no trial succeeds, every phase runs, the listings after the last), and by one
// sweep handing over to the worklist: the same optimum as the shortest paths, each
// with its certificate and duals feasible for every pair, on problems with long
// eviction chains (few providers, near-equal costs) where sweeps need many rounds;
// and on two threads the same as on one.
TEST(SolveAssignment, CostScalingDualsBySweepsAndByWorklistAgree) {
  int64_t settled_by_sweeps = 0, runs = 0;
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    std::mt19937 rng(seed * 7919);
    const int n = 30 + static_cast<int>(rng() % 150), m = 2 + static_cast<int>(rng() % 12);
    std::vector<int64_t> capacity(m), outside(n);
    std::vector<std::vector<internal::CandidateEdge>> full(n);
    for (int p = 0; p < m; ++p) capacity[p] = rng() % 9 == 0 ? 0 : 1 + rng() % 5;
    for (int r = 0; r < n; ++r) {
      outside[r] = seed % 3 == 0 ? 1'000'000 * (1 + rng() % 4) : 2'000 + rng() % 3'000;
      for (int p = 0; p < m; ++p) {
        const int32_t cost = static_cast<int32_t>(seed % 2 ? 100 * (rng() % 20) : rng() % 2'500);
        if (cost < outside[r] && rng() % 4 != 0) full[r].push_back({uint32_t(p), cost, 7});
      }
      std::stable_sort(full[r].begin(), full[r].end(),
                       [](auto& a, auto& b) { return a.cost < b.cost; });
    }
    internal::AssignmentProblem problem;
    problem.capacity = capacity;
    problem.outside_cost = outside;
    problem.candidates = PrefixOf(full);
    problem.initial_limit = 1 + seed % 4;
    problem.warm_start_bids_per_request = 0;  // shortest paths alone, or cost scaling
    auto solve = [&](bool scaling, int sweeps, int threads = 1) {
      problem.cost_scaling = scaling;
      problem.cost_scaling_dual_sweeps = sweeps;
      problem.threads = threads;
      return internal::SolveAssignment(problem);
    };
    const int64_t optimum = solve(false, 64).objective;
    for (int sweeps : {64, 0, 1}) {
      const internal::AssignmentResult result = solve(true, sweeps);
      const std::string where = absl::StrFormat("seed %d sweeps %d", seed, sweeps);
      // The sweeps' parts on two threads: the same sweeps, trials, flow and duals
      // as on one (where the parts run one after the other).
      const internal::AssignmentResult two = solve(true, sweeps, 2);
      ExpectSameRun(two, result, where);
      EXPECT_EQ(result.objective, optimum) << where;
      EXPECT_EQ(result.dual_objective, optimum) << where;
      EXPECT_TRUE(result.scaling_exact) << where;
      // Exact duals of the cost-scaling flow: the repair hands nobody back (duals
      // that a false "settled" left infeasible would make it hand back requests).
      EXPECT_EQ(result.scaling_repaired, 0) << where;
      EXPECT_EQ(result.warm_start_placed, n) << where;
      EXPECT_LE(result.scaling_dual_sweeps, int64_t{sweeps} * (result.scaling_dual_trials + 1))
          << where;
      if (sweeps == 0) {
        EXPECT_EQ(result.scaling_dual_sweeps, 0) << where;
      }
      for (int r = 0; r < n; ++r) {
        EXPECT_LE(result.request_price[r], outside[r]) << where;
        for (const auto& e : full[r]) {
          EXPECT_LE(result.request_price[r], e.cost + result.provider_price[e.provider])
              << where << " r " << r;
        }
        // The detail of the pair chosen, asked again at the end, is the source's.
        if (result.provider[r] >= 0) {
          EXPECT_EQ(result.detail[r], 7u) << where << " r " << r;
        }
      }
      if (sweeps == 64) {
        ++runs;
        settled_by_sweeps += result.scaling_dual_sweeps > 0;
      }
    }
  }
  // The sweeps ran on every problem (some settle, some hand over).
  EXPECT_EQ(settled_by_sweeps, runs);
}

}  // namespace wegwijzer
