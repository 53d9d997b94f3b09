#include "testing/random_instance.h"

#include <cmath>
#include <random>
#include <string>
#include <tuple>

#include "absl/strings/str_format.h"

namespace wegwijzer::testing {

Instance MakeInstance(uint32_t seed, int requests, int max_providers) {
  std::mt19937 rng(seed);
  auto uniform = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  auto chance = [&](double p) { return uniform(0, 1) < p; };
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  const char* languages[] = {"nl", "en", "ar", "tr"};
  const char* municipalities[] = {"GM0001", "GM0002", "GM0003"};
  // A region about 60 km across so some pairs land beyond 25 km.
  const double lat0 = 52.0, lon0 = 5.0, span = seed % 3 == 0 ? 0.05 : 0.5;
  Instance instance;
  std::vector<std::pair<double, double>> spots;  // for duplicate coordinates
  const int providers = 1 + pick(max_providers);
  for (int i = 0; i < providers; ++i) {
    v1::Provider* p = instance.snapshot.add_providers();
    // Ids in an order unrelated to position, some sharing prefixes (and from the
    // 101st on with the index apart, so that they stay unique).
    p->set_id(i < 100 ? absl::StrFormat("%c%d", "abAB"[pick(4)], pick(1000) * 100 + i)
                      : absl::StrFormat("%c%d.%d", "abAB"[pick(4)], pick(1000), i));
    p->set_kind(v1::PROVIDER_KIND_OTHER);
    for (int t = 1; t <= 4; ++t) {
      if (chance(0.6)) p->add_topics(static_cast<v1::Topic>(t));
    }
    if (p->topics_size() == 0) p->add_topics(v1::TOPIC_DIGID);
    for (const char* l : languages) {
      if (chance(0.35)) p->add_languages(l);
    }
    const double m = uniform(0, 1);
    if (m < 0.15) {  // remote only, no location
      p->add_modes(v1::MODE_PHONE);
      if (chance(0.5)) p->add_modes(v1::MODE_VIDEO);
    } else {
      if (chance(0.7)) p->add_modes(v1::MODE_IN_PERSON);
      if (chance(0.4)) p->add_modes(v1::MODE_HOME_VISIT);
      if (chance(0.3)) p->add_modes(v1::MODE_PHONE);
      if (chance(0.15)) p->add_modes(v1::MODE_VIDEO);
      if (p->modes_size() == 0 && chance(0.5)) p->add_modes(v1::MODE_IN_PERSON);
      // modes may stay empty: the default is in_person
      double lat, lon;
      if (!spots.empty() && chance(0.2)) {
        std::tie(lat, lon) = spots[pick(static_cast<int>(spots.size()))];
      } else {
        lat = lat0 + uniform(-span, span);
        lon = lon0 + uniform(-span, span);
        // Coarse grid positions make integer-cost ties likely.
        if (chance(0.3)) {
          lat = std::round(lat * 100) / 100;
          lon = std::round(lon * 100) / 100;
        }
        spots.emplace_back(lat, lon);
      }
      v1::Location* location = p->add_locations();
      location->mutable_position()->set_lat_deg(lat);
      location->mutable_position()->set_lon_deg(lon);
      if (chance(0.1)) {  // a second location
        v1::Location* second = p->add_locations();
        second->set_id("branch");
        second->mutable_position()->set_lat_deg(lat0 + uniform(-span, span));
        second->mutable_position()->set_lon_deg(lon0 + uniform(-span, span));
      }
    }
    bool home_visit = false;
    for (int mode : p->modes()) home_visit |= mode == v1::MODE_HOME_VISIT;
    if (home_visit) p->set_radius_km(chance(0.2) ? 40 : uniform(0.5, 20));
    for (int a = 1; a <= 5; ++a) {
      if (chance(0.3)) p->add_access(static_cast<v1::Access>(a));
    }
    const double c = uniform(0, 1);
    if (c < 0.15) {
      p->set_capacity(0);
    } else if (c < 0.6) {
      p->set_capacity(1 + pick(5));
    }
    if (chance(0.2)) p->add_municipalities(municipalities[pick(3)]);
    if (chance(0.05)) p->add_municipalities(municipalities[pick(3)]);
  }
  for (int i = 0; i < requests; ++i) {
    Request r;
    r.id = absl::StrFormat("r%d", i);
    if (!spots.empty() && chance(0.2)) {
      auto [lat, lon] = spots[pick(static_cast<int>(spots.size()))];
      r.position = {lat, lon};
    } else {
      r.position = {lat0 + uniform(-span, span), lon0 + uniform(-span, span)};
    }
    r.topics.Add(static_cast<Topic>(pick(4)));
    if (chance(0.3)) r.topics.Add(static_cast<Topic>(pick(4)));
    if (chance(0.5)) {
      r.languages = LanguageSet();
      r.languages.Add(*Language::FromCode(languages[pick(4)]));
      if (chance(0.3)) r.languages.Add(*Language::FromCode(languages[pick(4)]));
    }
    if (chance(0.5)) {
      r.modes = ModeSet();
      for (int m = 0; m < kModeCount; ++m) {
        if (chance(0.5)) r.modes.Add(static_cast<Mode>(m));
      }
      if (r.modes.empty()) r.modes.Add(Mode::kInPerson);
    }
    for (int a = 0; a < kAccessCount; ++a) {
      if (chance(0.15)) r.access.Add(static_cast<Access>(a));
    }
    r.max_km = chance(0.3) ? 10 : uniform(0, 60);
    if (chance(0.6)) r.municipality = municipalities[pick(3)];
    instance.requests.push_back(r);
  }
  return instance;
}

}  // namespace wegwijzer::testing
