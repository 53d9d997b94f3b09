// Why nothing suits a request: the router's rare path, split from router.cc so the
// hot path reads on its own.
#include "route/explain.h"

#include <cmath>
#include <numbers>
#include <vector>

#include "core/geo_internal.h"
#include "directory/directory_index.h"

namespace wegwijzer::internal {
namespace {
constexpr double kMetersPerDegree = kEarthRadiusMeters * std::numbers::pi / 180;

}  // namespace

// The rare path: walks every provider and reports the first constraint that left
// no candidate. Each stage keeps the providers that pass it and all before it.
std::string ExplainNoMatch(const Request& r, const Directory& directory, const Words& w) {
  const DirectoryIndex& index = directory.index();
  const uint32_t municipality =
      r.municipality.empty() ? kNoMunicipality : index.FindMunicipality(r.municipality);
  // Per provider: the modes still possible after each stage.
  int helps = 0, reachable = 0, speaks = 0, accessible = 0, serves = 0, in_area = 0;
  const ProviderTable& t = index.table;
  const uint32_t need_topics = r.topics.bits();
  const ModeSet wanted = r.modes;
  const double max_m = r.max_km * 1000;
  // First pass, without branches: the providers that help with every topic needed.
  std::vector<uint32_t> helping(directory.size());
  size_t count = 0;
  for (uint32_t p = 0; p < directory.size(); ++p) {
    helping[count] = p;
    count += (need_topics & ~t.topics[p]) == 0;
  }
  helps = static_cast<int>(count);
  for (size_t h = 0; h < count; ++h) {
    const uint32_t p = helping[h];
    const ModeSet offered = ModeSet::FromBits(t.modes[p]);
    ModeSet modes = (offered & wanted) & kRemoteModes;
    const bool in_person = offered.Contains(Mode::kInPerson) && wanted.Contains(Mode::kInPerson);
    const bool home_visit =
        offered.Contains(Mode::kHomeVisit) && wanted.Contains(Mode::kHomeVisit);
    const double reach_m = std::max(in_person ? max_m : 0.0, home_visit ? t.radius_m[p] : 0.0);
    for (uint32_t l = t.location_begin[p]; (in_person || home_visit) && l < t.location_begin[p + 1];
         ++l) {
      // The latitude difference alone bounds the distance from below (d >= R·|dlat|):
      // most providers are ruled out without a haversine.
      if (std::fabs(t.positions[l].lat_deg - r.position.lat_deg) * kMetersPerDegree >
          reach_m + 1) {
        continue;
      }
      const double d = HaversineMeters(r.position, t.positions[l]);
      if (in_person && d <= max_m) modes.Add(Mode::kInPerson);
      if (home_visit && d <= t.radius_m[p]) modes.Add(Mode::kHomeVisit);
    }
    if (modes.empty()) continue;
    ++reachable;
    if (!t.languages[p].Intersects(r.languages)) continue;
    ++speaks;
    const AccessSet access = AccessSet::FromBits(t.access[p]);
    if (!access.ContainsAll(r.access & kServiceFeatures)) continue;
    if (!access.ContainsAll(r.access)) modes = modes - ModeSet{Mode::kInPerson};
    if (modes.empty()) continue;
    ++accessible;
    if (!index.Serves(p, municipality)) continue;
    ++serves;
    if (!index.InServiceArea(p, r.position)) continue;
    ++in_area;
  }
  const std::string topics = w.Topics(r.topics);
  if (helps == 0) {
    return Cat(w.nl ? "geen aanbieder helpt met " : "no provider helps with ", topics);
  }
  const std::string reach =
      r.modes == ModeSet{Mode::kInPerson}
          ? Cat(w.nl ? "binnen " : "within ", w.Limit(r.max_km))
          : std::string(w.nl ? "binnen bereik" : "within reach");
  auto providers = [&](int count) {
    if (w.nl) {
      return count == 1 ? std::string("1 aanbieder helpt")
                        : Cat(count, " aanbieders helpen");
    }
    return count == 1 ? std::string("1 provider helps")
                      : Cat(count, " providers help");
  };
  const std::string_view with = w.nl ? " met " : " with ";
  if (reachable == 0) {
    return Cat(providers(helps), with, topics, w.nl ? ", geen " : ", none ", reach);
  }
  std::string why = Cat(providers(reachable), with, topics, " ", reach);
  const std::string languages = r.languages.ToString(w.Or());
  if (speaks == 0) {
    return Cat(why, w.nl ? ", geen spreekt " : ", none speaks ", languages);
  }
  if (speaks < reachable) {
    Append(&why, ", ", speaks,
                     w.nl ? (speaks == 1 ? " daarvan spreekt " : " daarvan spreken ")
                          : (speaks == 1 ? " of them speaks " : " of them speak "),
                     languages);
  }
  if (accessible == 0) {
    return w.nl ? Cat(why, ", geen biedt ", w.Features(r.access),
                                " in een vorm die de aanvraag aanneemt")
                : Cat(why, ", none offers ", w.Features(r.access),
                                " in a mode the request accepts");
  }
  if (serves == 0) {
    if (w.nl) {
      return r.municipality.empty()
                 ? Cat(why, ", maar alleen voor inwoners van bepaalde gemeenten en "
                                      "de aanvraag noemt geen gemeente")
                 : Cat(why, ", geen is er voor inwoners van ", r.municipality);
    }
    return r.municipality.empty()
               ? Cat(why, ", but ", accessible == 1 ? "it serves" : "they serve",
                               " only listed municipalities and the request names none")
               : Cat(why, ", none serves residents of ", r.municipality);
  }
  if (in_area == 0) {
    return Cat(why, w.nl ? ", het adres ligt in geen enkel werkgebied"
                                   : ", none has the address in its service area");
  }
  if (w.nl) {
    return Cat(why, ", maar ", in_area == 1 ? "die is" : "alle zijn",
                         " vol (capaciteit 0)");
  }
  return Cat(why, ", but ", in_area == 1 ? "it is" : "all are",
                       " full (capacity 0)");
}

}  // namespace wegwijzer::internal
