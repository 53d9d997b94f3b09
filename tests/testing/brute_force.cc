#include "testing/brute_force.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

#include "wegwijzer/opening_hours.h"
#include "wegwijzer/v1/openreferral.pb.h"

namespace wegwijzer::testing {
namespace {

bool Has(const google::protobuf::RepeatedField<int>& field, int value) {
  return std::find(field.begin(), field.end(), value) != field.end();
}

// The request extensions, written from request.h directly: open at `at`, or within
// `within_days` days of it, by OpeningHours's own rules (not the Directory's
// precomputed intervals); unknown hours (no rows) never exclude.
bool OracleOpen(const v1::Provider& p,
                const google::protobuf::RepeatedPtrField<v1::HsdsSchedule>& rows,
                const Request& request) {
  if (!request.at || rows.empty()) return true;
  OpeningHours::Options options;
  options.closed_on_public_holidays = !p.open_on_public_holidays();
  options.closed_on_bevrijdingsdag = p.closed_on_bevrijdingsdag();
  for (const v1::ClosureRange& c : p.closures()) {
    options.closures.emplace_back(*ParseIsoDate(c.from_date()), *ParseIsoDate(c.to_date()));
  }
  std::vector<const v1::HsdsSchedule*> list;
  for (const v1::HsdsSchedule& row : rows) list.push_back(&row);
  absl::StatusOr<OpeningHours> hours = OpeningHours::Create(list, options);
  if (!hours.ok()) return false;
  return request.within_days == 0 ? hours->IsOpenAt(*request.at)
                                  : hours->OpensWithinDays(*request.at, request.within_days);
}

}  // namespace

double OracleDistanceMeters(double lat1, double lon1, double lat2, double lon2) {
  const double pi = 3.14159265358979323846;
  const double R = 6371008.8;
  const double a = std::pow(std::sin((lat2 - lat1) * pi / 180 / 2), 2) +
                   std::cos(lat1 * pi / 180) * std::cos(lat2 * pi / 180) *
                       std::pow(std::sin((lon2 - lon1) * pi / 180 / 2), 2);
  return 2 * R * std::asin(std::sqrt(std::min(1.0, a)));
}

std::vector<OracleReferral> BruteForceRoute(const v1::DirectorySnapshot& snapshot,
                                            const Request& request, int k) {
  // Request needs, as contract codes / proto values.
  std::set<int> need_topics;
  for (int t = 0; t < kTopicCount; ++t) {
    if (request.topics.Contains(static_cast<Topic>(t))) need_topics.insert(t + 1);
  }
  std::vector<std::string> request_languages;
  for (std::string_view code : request.languages.codes()) request_languages.emplace_back(code);
  std::set<int> accepted_modes;
  for (int m = 0; m < kModeCount; ++m) {
    if (request.modes.Contains(static_cast<Mode>(m))) accepted_modes.insert(m + 1);
  }
  std::set<int> need_access;
  for (int a = 0; a < kAccessCount; ++a) {
    if (request.access.Contains(static_cast<Access>(a))) need_access.insert(a + 1);
  }

  struct Row {
    int klass;
    int64_t cost;
    std::string provider_id, location_id, mode;
  };
  std::vector<Row> rows;
  for (const v1::Provider& p : snapshot.providers()) {
    if (p.has_capacity() && p.capacity() <= 0) continue;  // rule 6
    bool topics_ok = true;
    for (int t : need_topics) topics_ok &= Has(p.topics(), t);
    if (!topics_ok) continue;  // rule 1
    std::vector<std::string> languages(p.languages().begin(), p.languages().end());
    if (languages.empty()) languages = {"nl"};
    bool language_ok = false;
    for (const std::string& l : request_languages) {
      language_ok |= std::find(languages.begin(), languages.end(), l) != languages.end();
    }
    if (!language_ok) continue;  // rule 2
    if (p.municipalities_size() > 0 &&
        std::find(p.municipalities().begin(), p.municipalities().end(),
                  request.municipality) == p.municipalities().end()) {
      continue;  // rule 5
    }
    if (request.municipality.empty() && p.municipalities_size() > 0) continue;
    if (request.age && ((p.has_minimum_age() && *request.age < p.minimum_age()) ||
                        (p.has_maximum_age() && *request.age > p.maximum_age()))) {
      continue;  // age limits
    }
    if (!request.can_pay && p.charges_fee()) continue;  // cost
    std::set<int> modes(p.modes().begin(), p.modes().end());
    if (modes.empty()) modes = {v1::MODE_IN_PERSON};
    // rule 3: service features for every mode, place features for in person
    bool service_ok = true, place_ok = true;
    for (int a : need_access) {
      const bool offered = Has(p.access(), a);
      if (a == v1::ACCESS_EASY_LANGUAGE || a == v1::ACCESS_VISUAL_AID) {
        service_ok &= offered;
      } else {
        place_ok &= offered;
      }
    }
    if (!service_ok) continue;
    auto offers = [&](int mode) { return modes.count(mode) && accepted_modes.count(mode); };
    const bool remote = (offers(v1::MODE_PHONE) || offers(v1::MODE_VIDEO)) &&
                        OracleOpen(p, p.schedules(), request);
    const std::string remote_mode = offers(v1::MODE_PHONE) ? "phone" : "video";
    bool any_class0 = false;
    for (const v1::Location& l : p.locations()) {
      const double d = OracleDistanceMeters(request.position.lat_deg,
                                            request.position.lon_deg, l.position().lat_deg(),
                                            l.position().lon_deg());
      const bool in_person =
          offers(v1::MODE_IN_PERSON) && place_ok && d <= request.max_km * 1000;
      const bool home_visit = offers(v1::MODE_HOME_VISIT) && d <= p.radius_km() * 1000;
      if (!in_person && !home_visit) continue;
      if (!OracleOpen(p, l.schedules().empty() ? p.schedules() : l.schedules(), request)) {
        continue;  // closed then
      }
      const int64_t cost = std::llround(d);
      // Least-cost mode; ties go to in_person, home_visit before phone.
      if (remote && 25000 < cost) continue;
      any_class0 = true;
      rows.push_back({0, cost, p.id(), l.id().empty() ? p.id() : l.id(),
                      in_person ? "in_person" : "home_visit"});
    }
    if (remote && !any_class0) rows.push_back({1, 25000, p.id(), "", remote_mode});
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::tie(a.klass, a.cost, a.provider_id, a.location_id) <
           std::tie(b.klass, b.cost, b.provider_id, b.location_id);
  });
  std::vector<OracleReferral> out;
  for (const Row& r : rows) {
    if (static_cast<int>(out.size()) == k) break;
    out.push_back({r.provider_id, r.location_id, r.mode, r.cost, r.klass});
  }
  return out;
}

}  // namespace wegwijzer::testing
