#include "wegwijzer/matcher.h"

#include <functional>
#include <map>
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

}  // namespace
}  // namespace wegwijzer
