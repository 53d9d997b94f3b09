// Why nothing suits a request: the router's rare path, split from router.cc so the
// hot path reads on its own.
#include "route/explain.h"

#include <cmath>
#include <numbers>
#include <vector>

#include "core/geo_internal.h"
#include "directory/directory_index.h"
#include "route/search.h"
#include "wegwijzer/opening_hours.h"

namespace wegwijzer::internal {
namespace {
constexpr double kMetersPerDegree = kEarthRadiusMeters * std::numbers::pi / 180;

}  // namespace

std::string AgeLimitText(const ProviderInfo& p, const Words& w) {
  auto years = [](double v) { return absl::StrFormat("%g", v); };
  if (p.minimum_age && p.maximum_age) {
    return Cat(years(*p.minimum_age), w.nl ? " tot en met " : " to ", years(*p.maximum_age));
  }
  if (p.minimum_age) return Cat(years(*p.minimum_age), "+");
  return Cat(w.nl ? "tot en met " : "up to ", years(*p.maximum_age));
}

std::string TimeText(int64_t unix_seconds, const Words& w) {
  std::string text = FormatAmsterdamTime(unix_seconds);
  if (w.nl) {
    static constexpr std::pair<std::string_view, std::string_view> kDays[] = {
        {"Monday", "maandag"}, {"Tuesday", "dinsdag"},  {"Wednesday", "woensdag"},
        {"Thursday", "donderdag"}, {"Friday", "vrijdag"}, {"Saturday", "zaterdag"},
        {"Sunday", "zondag"}};
    for (const auto& [en, nl] : kDays) {
      if (text.starts_with(en)) return Cat(nl, text.substr(en.size()));
    }
  }
  return text;
}

// The rare path: walks every provider and reports the first constraint that left
// no candidate. Each stage keeps the providers that pass it and all before it.
std::string ExplainNoMatch(const Request& r, const Directory& directory, const Words& w) {
  const DirectoryIndex& index = directory.index();
  const uint32_t municipality =
      r.municipality.empty() ? kNoMunicipality : index.FindMunicipality(r.municipality);
  // Per provider: the modes still possible after each stage.
  int helps = 0, reachable = 0, speaks = 0, accessible = 0, serves = 0, in_area = 0;
  int of_age = 0, affordable = 0, open = 0;
  const Query q = CompileQuery(r, index);
  // The first excluded provider's age limit, and the earliest opening (searched up
  // to a year ahead) among those closed in the request's window.
  std::optional<uint32_t> age_excluded;
  std::optional<int64_t> earliest;
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
    // Locations within reach, for their opening hours.
    bool location_open = false;
    std::optional<int64_t> location_next;
    for (uint32_t l = t.location_begin[p]; (in_person || home_visit) && l < t.location_begin[p + 1];
         ++l) {
      // The latitude difference alone bounds the distance from below (d >= R·|dlat|):
      // most providers are ruled out without a haversine.
      if (std::fabs(t.positions[l].lat_deg - r.position.lat_deg) * kMetersPerDegree >
          reach_m + 1) {
        continue;
      }
      const double d = HaversineMeters(r.position, t.positions[l]);
      const bool near = (in_person && d <= max_m) || (home_visit && d <= t.radius_m[p]);
      if (in_person && d <= max_m) modes.Add(Mode::kInPerson);
      if (home_visit && d <= t.radius_m[p]) modes.Add(Mode::kHomeVisit);
      if (near && q.timed) {
        location_open = location_open || OpenFor(q, index, t.location_hours[l]);
        if (t.location_hours[l] != kNoHours) {
          std::optional<int64_t> next =
              index.timetables[t.location_hours[l]].hours.NextOpening(r.at.value(), 366);
          if (next && (!location_next || *next < *location_next)) location_next = next;
        }
      }
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
    const ProviderRules& rules = index.rules[p];
    if (!AgeAdmitted(q.age, rules.minimum_age, rules.maximum_age)) {
      if (!age_excluded) age_excluded = p;
      continue;
    }
    ++of_age;
    if (!q.can_pay && rules.charges_fee) continue;
    ++affordable;
    if (q.timed) {
      const bool remote_open = !(modes & kRemoteModes).empty() && OpenFor(q, index, rules.hours);
      const bool physical = !(modes & kPhysicalModes).empty();
      if (!remote_open && !(physical && location_open)) {
        std::optional<int64_t> next = physical ? location_next : std::nullopt;
        if (!(modes & kRemoteModes).empty() && rules.hours != kNoHours) {
          std::optional<int64_t> n = index.timetables[rules.hours].hours.NextOpening(*r.at, 366);
          if (n && (!next || *n < *next)) next = n;
        }
        if (next && (!earliest || *next < *earliest)) earliest = next;
        continue;
      }
    }
    ++open;
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
  if (of_age == 0) {
    const std::string limit = AgeLimitText(directory.provider(ProviderIndex(*age_excluded)), w);
    if (w.nl) {
      return Cat(why, ", maar ", in_area == 1 ? Cat("die is alleen voor ", limit)
                                              : Cat("geen is er voor leeftijd ", *r.age,
                                                    " (bijvoorbeeld alleen voor ", limit, ")"));
    }
    return Cat(why, ", but ", in_area == 1 ? Cat("it is only for ", limit)
                                           : Cat("none is for age ", *r.age, " (e.g. only for ",
                                                 limit, ")"));
  }
  if (affordable == 0) {
    if (w.nl) {
      return Cat(why, ", maar ", of_age == 1 ? "die vraagt" : "alle vragen",
                 " een bijdrage en de aanvrager kan niet betalen");
    }
    return Cat(why, ", but ", of_age == 1 ? "it charges" : "all charge",
               " a fee and the resident cannot pay");
  }
  if (open == 0) {
    std::string asked = TimeText(*r.at, w);
    const CivilDate day = CivilFromDays(
        (*r.at + AmsterdamUtcOffsetSeconds(*r.at)) / 86400);
    if (std::optional<DutchHoliday> h = DutchPublicHolidayOn(day)) {
      Append(&asked, ", ", DutchHolidayName(*h));
    }
    const std::string window =
        r.within_days == 0
            ? Cat(w.nl ? " (gevraagd: " : " (asked for ", asked, ")")
            : Cat(w.nl ? " (gevraagd: binnen " : " (asked for within ", r.within_days,
                  w.nl ? " dagen na " : " days of ", asked, ")");
    const std::string until =
        earliest ? Cat(w.nl ? "gesloten tot " : "closed until ", TimeText(*earliest, w))
                 : std::string(w.nl ? "het komende jaar niet open" : "not open in the next year");
    if (w.nl) {
      return Cat(why, ", maar ", affordable == 1 ? "die is " : "alle zijn ", until, window);
    }
    return Cat(why, ", but ", affordable == 1 ? "it is " : "all are ", until, window);
  }
  if (w.nl) {
    return Cat(why, ", maar ", open == 1 ? "die is" : "alle zijn",
                         " vol (capaciteit 0)");
  }
  return Cat(why, ", but ", open == 1 ? "it is" : "all are",
                       " full (capacity 0)");
}

}  // namespace wegwijzer::internal
