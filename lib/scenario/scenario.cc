#include "wegwijzer/scenario.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "absl/strings/str_format.h"
#include "wegwijzer/v1/directory.pb.h"
#include "core/proto_codes.h"
#include "core/random.h"
#include "core/text.h"
#include "scenario/sampling.h"

namespace wegwijzer {
namespace {

using internal::PickModes;
using internal::Random;
using internal::Round6;
using internal::Scaled;
using internal::WeightedPick;

struct Town {
  LatLng centre;
  double weight;
  double spread_km;
  std::string code;
};

constexpr const char* kOtherLanguages[] = {"ar", "tr", "pl", "en", "uk", "so", "ti", "fy"};

LatLng Around(Random& rng, LatLng centre, double sigma_km) {
  const double dlat = rng.Normal() * sigma_km / 111.2;
  const double dlon =
      rng.Normal() * sigma_km / (111.2 * std::cos(centre.lat_deg * std::numbers::pi / 180));
  return {std::clamp(centre.lat_deg + dlat, 50.70, 53.60),
          std::clamp(centre.lon_deg + dlon, 3.30, 7.25)};
}

void SetPosition(LatLng p, v1::LatLng* out) {
  out->set_lat_deg(Round6(p.lat_deg));
  out->set_lon_deg(Round6(p.lon_deg));
}

void AddTopics(Random& rng, int count, v1::Provider* p) {
  TopicSet topics;
  // "basics" and "digid" are what most help points start with.
  if (rng.Chance(0.8)) topics.Add(Topic::kDigid);
  if (rng.Chance(0.7)) topics.Add(Topic::kBasics);
  while (topics.size() < count) topics.Add(static_cast<Topic>(rng.Int(0, kTopicCount - 1)));
  internal::AppendSet<Topic, kTopicCount>(topics, p->mutable_topics());
}

absl::Status Validate(const ScenarioOptions& options) {
  auto bad = [](std::string_view reason) {
    return absl::InvalidArgumentError(internal::Cat("ScenarioOptions::", reason));
  };
  if (options.providers < 0) {
    return bad(internal::Cat("providers must be >= 0, not ", options.providers));
  }
  if (options.requests < 0) {
    return bad(internal::Cat("requests must be >= 0, not ", options.requests));
  }
  if (options.towns < 0) return bad(internal::Cat("towns must be >= 0, not ", options.towns));
  // Sizes are checked before anything is allocated, so that a mistyped count is an
  // error rather than an exhausted machine (about 400 bytes a provider and 200 a
  // request, with the CSV text a caller then writes).
  if (options.providers > kMaxScenarioProviders) {
    return absl::ResourceExhaustedError(internal::Cat(
        "ScenarioOptions::providers ", options.providers, " is more than ",
        kMaxScenarioProviders, ", the most one scenario holds (about ",
        options.providers / 2'500'000, " GB): generate several"));
  }
  if (options.requests > kMaxScenarioRequests) {
    return absl::ResourceExhaustedError(internal::Cat(
        "ScenarioOptions::requests ", options.requests, " is more than ",
        kMaxScenarioRequests, ", the most one scenario holds (about ",
        options.requests / 5'000'000, " GB): generate several"));
  }
  if (!(options.remote_share >= 0 && options.remote_share <= 1)) {
    return bad(internal::Cat("remote_share must lie in 0..1, not ", options.remote_share));
  }
  if (!(options.capacity_scale > 0) || !std::isfinite(options.capacity_scale)) {
    return bad(internal::Cat("capacity_scale must be > 0 and finite, not ",
                             options.capacity_scale));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Scenario> GenerateScenario(const ScenarioOptions& options) {
  if (absl::Status s = Validate(options); !s.ok()) return s;
  Random rng(options.seed * 0x2545F4914F6CDD1DULL + 17);
  Scenario scenario;
  auto directory = std::make_shared<v1::DirectorySnapshot>();
  scenario.directory = directory;
  directory->set_source(
      absl::StrFormat("generated scenario (seed %d)", options.seed));

  const int town_count =
      options.towns > 0 ? options.towns : std::max(3, options.providers / 40);
  std::vector<Town> towns(town_count);
  std::vector<double> weights(town_count);
  for (int t = 0; t < town_count; ++t) {
    Town& town = towns[t];
    // The Netherlands' land is roughly this box; the sea corners are rarely drawn
    // because towns cluster in the middle band.
    town.centre = {rng.Uniform(51.0, 53.3), rng.Uniform(4.0, 7.0)};
    town.weight = 1.0 / (t + 1);  // Zipf: town 0 is the largest
    town.spread_km = 1.5 + 6.0 * std::sqrt(town.weight);
    town.code = absl::StrFormat("WG%05d", t);
    weights[t] = town.weight;
  }
  const WeightedPick town_pick(weights);

  const int remote = std::max(options.providers > 0 ? 1 : 0,
                              static_cast<int>(options.providers * options.remote_share));
  for (int i = 0; i < options.providers; ++i) {
    v1::Provider* p = directory->add_providers();
    p->set_id(absl::StrFormat("P%06d", i));
    if (i < remote) {
      p->set_name(absl::StrFormat("Hulplijn %d", i + 1));
      p->set_kind(v1::PROVIDER_KIND_PHONE);
      AddTopics(rng, rng.Int(4, 12), p);
      p->add_languages("nl");
      if (rng.Chance(0.5)) p->add_languages(kOtherLanguages[rng.Int(0, 7)]);
      p->add_modes(v1::MODE_PHONE);
      if (rng.Chance(0.5)) p->add_modes(v1::MODE_VIDEO);
      if (rng.Chance(0.5)) p->add_access(v1::ACCESS_EASY_LANGUAGE);
      continue;
    }
    const Town& town = towns[town_pick.Pick(rng)];
    const double kind_draw = rng.Uniform();
    v1::ProviderKind kind;
    LatLng position;
    if (kind_draw < 0.12) {
      kind = v1::PROVIDER_KIND_IDO;
      position = Around(rng, town.centre, 0.6);
    } else if (kind_draw < 0.25) {
      kind = v1::PROVIDER_KIND_LIBRARY;
      position = Around(rng, town.centre, 1.0);
    } else if (kind_draw < 0.42) {
      kind = v1::PROVIDER_KIND_WELFARE;
      position = Around(rng, town.centre, town.spread_km * 0.7);
    } else if (kind_draw < 0.85) {
      kind = v1::PROVIDER_KIND_VOLUNTEER;
      position = Around(rng, town.centre, town.spread_km);
    } else if (kind_draw < 0.93) {
      kind = v1::PROVIDER_KIND_MUNICIPAL;
      position = Around(rng, town.centre, 0.4);
    } else {
      kind = v1::PROVIDER_KIND_OTHER;
      position = Around(rng, town.centre, town.spread_km);
    }
    p->set_kind(kind);
    p->set_name(absl::StrFormat("%s %d", internal::ToAbsl(ProviderKindCode(
                                             static_cast<ProviderKind>(kind - 1))), i));
    v1::Location* location = p->add_locations();
    SetPosition(position, location->mutable_position());
    const bool volunteer = kind == v1::PROVIDER_KIND_VOLUNTEER;
    AddTopics(rng, volunteer ? rng.Int(2, 5) : rng.Int(4, 12), p);
    p->add_languages("nl");
    if (rng.Chance(0.35)) p->add_languages(kOtherLanguages[rng.Int(0, 7)]);
    if (rng.Chance(0.10)) p->add_languages(kOtherLanguages[rng.Int(0, 7)]);
    if (volunteer) {
      p->add_modes(v1::MODE_HOME_VISIT);
      if (rng.Chance(0.3)) p->add_modes(v1::MODE_PHONE);
      p->set_radius_km(Round6(rng.Uniform(2, 15)));
      p->set_capacity(Scaled(rng.Int(1, 5), options.capacity_scale));
    } else {
      p->add_modes(v1::MODE_IN_PERSON);
      if (rng.Chance(0.2)) p->add_modes(v1::MODE_PHONE);
      if (rng.Chance(0.1)) p->add_modes(v1::MODE_VIDEO);
      if (kind == v1::PROVIDER_KIND_WELFARE && rng.Chance(0.4)) {
        p->add_modes(v1::MODE_HOME_VISIT);
        p->set_radius_km(Round6(rng.Uniform(3, 20)));
      }
      p->set_capacity(rng.Int(0, 20) == 0 ? 0 : Scaled(rng.Int(10, 150), options.capacity_scale));
      if (rng.Chance(0.6)) p->add_access(v1::ACCESS_WHEELCHAIR);
      if (rng.Chance(0.3)) p->add_access(v1::ACCESS_HEARING_LOOP);
      if (rng.Chance(0.2)) p->add_access(v1::ACCESS_QUIET_ROOM);
    }
    if (rng.Chance(0.3)) p->add_access(v1::ACCESS_EASY_LANGUAGE);
    if (rng.Chance(0.1)) p->add_access(v1::ACCESS_VISUAL_AID);
    if (kind == v1::PROVIDER_KIND_MUNICIPAL || rng.Chance(0.05)) {
      p->add_municipalities(town.code);
    }
  }

  scenario.requests.reserve(options.requests);
  for (int i = 0; i < options.requests; ++i) {
    const Town& town = towns[town_pick.Pick(rng)];
    Request r;
    r.id = absl::StrFormat("R%07d", i);
    const LatLng p = Around(rng, town.centre, town.spread_km);
    r.position = {Round6(p.lat_deg), Round6(p.lon_deg)};
    r.topics.Add(static_cast<Topic>(rng.Int(0, kTopicCount - 1)));
    if (rng.Chance(0.3)) r.topics.Add(static_cast<Topic>(rng.Int(0, kTopicCount - 1)));
    if (rng.Chance(0.15)) {
      r.languages = LanguageSet();
      r.languages.Add(*Language::FromCode(kOtherLanguages[rng.Int(0, 7)]));
      if (rng.Chance(0.5)) r.languages.Add(*Language::FromCode("nl"));
    }
    r.modes = PickModes(rng.Uniform(), {0.15, 0.25, 0.30});
    if (rng.Chance(0.10)) r.access.Add(Access::kWheelchair);
    if (rng.Chance(0.05)) r.access.Add(Access::kEasyLanguage);
    if (rng.Chance(0.03)) r.access.Add(Access::kHearingLoop);
    r.max_km = rng.Chance(0.5) ? 10 : rng.Int(2, 25);
    r.priority = rng.Chance(0.7) ? 0 : rng.Int(1, 3);
    if (rng.Chance(0.9)) r.municipality = town.code;
    scenario.requests.push_back(std::move(r));
  }
  return scenario;
}

}  // namespace wegwijzer
