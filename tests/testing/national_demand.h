// A national coverage instance on the real map, for the coverage tests and
// benchmark: providers as GenerateDutchScenario places them (volunteers scaled to
// reach the wanted count), demand per PC4 area and topic at the area's centroid
// (count from its residents, older areas asking more; residents travel at most
// `max_km`, DEFAULT 3 km: older residents rarely go further), and candidate sites at
// seeded PC4 centroids. Header-only so that bench/ can use it too.
#ifndef WEGWIJZER_TESTS_TESTING_NATIONAL_DEMAND_H_
#define WEGWIJZER_TESTS_TESTING_NATIONAL_DEMAND_H_

#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "wegwijzer/codes.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/dutch_scenario.h"
#include "wegwijzer/gazetteer.h"
#include "wegwijzer/request.h"
#include "wegwijzer/v1/directory.pb.h"

namespace wegwijzer::testing {

struct NationalInstance {
  std::shared_ptr<const Directory> providers;
  std::shared_ptr<const Directory> candidates;
  std::vector<Request> demand;
  std::vector<int64_t> counts;
};

// Topic weights per 1,000 residents a month (a rough shape: DigiD and benefits most).
inline constexpr double kTopicRate[kTopicCount] = {2.0, 1.6, 0.9, 0.8, 0.7, 1.2, 0.4, 0.5,
                                                   0.6, 1.0, 0.5, 0.3, 0.6, 0.4, 0.3};

inline absl::StatusOr<NationalInstance> MakeNationalInstance(
    const Gazetteer& gazetteer, const std::vector<PostcodeDemographics>& people,
    int providers_wanted, int candidate_count, uint64_t seed = 1, double max_km = 3) {
  NationalInstance out;
  int64_t residents_65 = 0;
  for (const PostcodeDemographics& p : people) {
    residents_65 += static_cast<int64_t>(p.residents * (p.share_65plus > 0 ? p.share_65plus : kUnknownShare65plus));
  }
  // About 2,000 providers are not volunteers (desks, libraries, IDOs, welfare).
  const double per_volunteer =
      std::max(1.0, static_cast<double>(residents_65) / std::max(1, providers_wanted - 2000));
  absl::StatusOr<DutchScenario> scenario = GenerateDutchScenario(
      gazetteer, people,
      {.seed = seed, .requests = 0, .residents_65plus_per_volunteer = per_volunteer});
  if (!scenario.ok()) return scenario.status();
  absl::StatusOr<std::shared_ptr<const Directory>> providers = Directory::Create(*scenario->directory);
  if (!providers.ok()) return providers.status();
  out.providers = *providers;

  std::map<int, const PostcodeDemographics*> by_pc4;
  for (const PostcodeDemographics& p : people) by_pc4[p.pc4] = &p;
  const std::vector<PostcodeArea> areas = gazetteer.postcodes();
  for (const PostcodeArea& area : areas) {
    auto it = by_pc4.find(area.pc4);
    const double residents = it == by_pc4.end() ? 0 : static_cast<double>(it->second->residents);
    const double share65 = it == by_pc4.end() || it->second->share_65plus <= 0
                               ? kUnknownShare65plus
                               : it->second->share_65plus;
    for (int t = 0; t < kTopicCount; ++t) {
      Request q;
      q.id = std::to_string(area.pc4) + "-" + std::string(TopicCode(static_cast<Topic>(t)));
      q.position = area.centroid;
      q.topics.Add(static_cast<Topic>(t));
      q.postcode = std::to_string(area.pc4);
      q.municipality = std::string(area.municipality_code);
      q.max_km = max_km;
      out.counts.push_back(
          std::llround(residents / 1000.0 * kTopicRate[t] * (1 + 3 * share65)));
      out.demand.push_back(std::move(q));
    }
  }

  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> pick(0, areas.size() - 1);
  v1::DirectorySnapshot snapshot;
  for (int c = 0; c < candidate_count; ++c) {
    const PostcodeArea& area = areas[pick(rng)];
    v1::Provider* p = snapshot.add_providers();
    p->set_id("cand-" + std::to_string(c));
    p->set_name("IDO-punt " + std::to_string(area.pc4));
    p->set_kind(v1::PROVIDER_KIND_IDO);
    for (int t = 0; t < kTopicCount; ++t) p->add_topics(static_cast<v1::Topic>(t + 1));
    p->add_languages("nl");
    p->add_modes(v1::MODE_IN_PERSON);
    v1::Location* l = p->add_locations();
    l->mutable_position()->set_lat_deg(area.centroid.lat_deg);
    l->mutable_position()->set_lon_deg(area.centroid.lon_deg);
    p->set_capacity(50);
  }
  absl::StatusOr<std::shared_ptr<const Directory>> candidates = Directory::Create(snapshot);
  if (!candidates.ok()) return candidates.status();
  out.candidates = *candidates;
  return out;
}

}  // namespace wegwijzer::testing

#endif  // WEGWIJZER_TESTS_TESTING_NATIONAL_DEMAND_H_
