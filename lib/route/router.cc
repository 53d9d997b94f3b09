#include "wegwijzer/router.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <numbers>
#include <thread>

#include "core/text.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "directory/directory_index.h"
#include "core/geo_internal.h"
#include "core/parallel.h"
#include "core/proto_codes.h"
#include "route/search.h"
#include "wegwijzer/v1/request.pb.h"

namespace wegwijzer {
namespace {

using internal::DirectoryIndex;
using internal::kNoMunicipality;

// Words for people, in English or Dutch. Codes stay codes where a desk worker
// knows them (language codes, municipality codes).
struct Words {
  bool nl;
  std::string_view And() const { return nl ? " en " : " and "; }
  std::string_view Or() const { return nl ? " of " : " or "; }
  std::string Topic(wegwijzer::Topic t) const {
    static constexpr std::string_view kDutch[] = {
        "DigiD", "toeslagen", "belastingaangifte", "gemeentezaken", "gezondheid",
        "bankzaken", "verzekeringen", "werk", "AOW en pensioen", "basisvaardigheden",
        "apparaten", "internettoegang", "veilig online", "lezen en schrijven", "online leren"};
    return std::string(nl ? kDutch[static_cast<int>(t)] : TopicCode(t));
  }
  std::string Topics(TopicSet topics) const {
    std::string out;
    for (int t = 0; t < kTopicCount; ++t) {
      if (!topics.Contains(static_cast<wegwijzer::Topic>(t))) continue;
      if (!out.empty()) internal::Append(&out, And());
      internal::Append(&out, Topic(static_cast<wegwijzer::Topic>(t)));
    }
    return out;
  }
  std::string Features(AccessSet access) const {
    static constexpr std::string_view kDutch[] = {
        "rolstoeltoegang", "ringleiding", "een stille ruimte", "eenvoudige taal",
        "hulp bij slechtziendheid"};
    std::string out;
    for (int a = 0; a < kAccessCount; ++a) {
      if (!access.Contains(static_cast<Access>(a))) continue;
      if (!out.empty()) internal::Append(&out, And());
      internal::Append(&out, nl ? kDutch[a] : AccessCode(static_cast<Access>(a)));
    }
    return out;
  }
  std::string Km(double km) const {
    std::string text = absl::StrFormat("%.1f", km);
    if (nl) std::replace(text.begin(), text.end(), '.', ',');
    return internal::Cat(text, " km");
  }
  std::string Limit(double km) const {
    std::string text = absl::StrFormat("%g", km);
    if (nl) std::replace(text.begin(), text.end(), '.', ',');
    return internal::Cat(text, " km");
  }
};

constexpr double kMetersPerDegree = kEarthRadiusMeters * std::numbers::pi / 180;

// The rare path: walks every provider and reports the first constraint that left
// no candidate. Each stage keeps the providers that pass it and all before it.
std::string ExplainNoMatch(const Request& r, const Directory& directory, const Words& w) {
  const DirectoryIndex& index = directory.index();
  const uint32_t municipality =
      r.municipality.empty() ? kNoMunicipality : index.FindMunicipality(r.municipality);
  // Per provider: the modes still possible after each stage.
  int helps = 0, reachable = 0, speaks = 0, accessible = 0, serves = 0, in_area = 0;
  const internal::ProviderTable& t = index.table;
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
    return internal::Cat(w.nl ? "geen aanbieder helpt met " : "no provider helps with ", topics);
  }
  const std::string reach =
      r.modes == ModeSet{Mode::kInPerson}
          ? internal::Cat(w.nl ? "binnen " : "within ", w.Limit(r.max_km))
          : std::string(w.nl ? "binnen bereik" : "within reach");
  auto providers = [&](int count) {
    if (w.nl) {
      return count == 1 ? std::string("1 aanbieder helpt")
                        : internal::Cat(count, " aanbieders helpen");
    }
    return count == 1 ? std::string("1 provider helps")
                      : internal::Cat(count, " providers help");
  };
  const std::string_view with = w.nl ? " met " : " with ";
  if (reachable == 0) {
    return internal::Cat(providers(helps), with, topics, w.nl ? ", geen " : ", none ", reach);
  }
  std::string why = internal::Cat(providers(reachable), with, topics, " ", reach);
  const std::string languages = r.languages.ToString(w.Or());
  if (speaks == 0) {
    return internal::Cat(why, w.nl ? ", geen spreekt " : ", none speaks ", languages);
  }
  if (speaks < reachable) {
    internal::Append(&why, ", ", speaks,
                     w.nl ? (speaks == 1 ? " daarvan spreekt " : " daarvan spreken ")
                          : (speaks == 1 ? " of them speaks " : " of them speak "),
                     languages);
  }
  if (accessible == 0) {
    return w.nl ? internal::Cat(why, ", geen biedt ", w.Features(r.access),
                                " in een vorm die de aanvraag aanneemt")
                : internal::Cat(why, ", none offers ", w.Features(r.access),
                                " in a mode the request accepts");
  }
  if (serves == 0) {
    if (w.nl) {
      return r.municipality.empty()
                 ? internal::Cat(why, ", maar alleen voor inwoners van bepaalde gemeenten en "
                                      "de aanvraag noemt geen gemeente")
                 : internal::Cat(why, ", geen is er voor inwoners van ", r.municipality);
    }
    return r.municipality.empty()
               ? internal::Cat(why, ", but ", accessible == 1 ? "it serves" : "they serve",
                               " only listed municipalities and the request names none")
               : internal::Cat(why, ", none serves residents of ", r.municipality);
  }
  if (in_area == 0) {
    return internal::Cat(why, w.nl ? ", het adres ligt in geen enkel werkgebied"
                                   : ", none has the address in its service area");
  }
  if (w.nl) {
    return internal::Cat(why, ", maar ", in_area == 1 ? "die is" : "alle zijn",
                         " vol (capaciteit 0)");
  }
  return internal::Cat(why, ", but ", in_area == 1 ? "it is" : "all are",
                       " full (capacity 0)");
}

}  // namespace

Router::Router(std::shared_ptr<const Directory> directory)
    : directory_(std::move(directory)) {}

RouteResult Router::Route(const Request& request, const RouteOptions& options) const {
  const DirectoryIndex& index = directory_->index();
  const int k = std::max(1, options.k);
  const internal::Query q = internal::CompileQuery(request, index);
  RouteResult result;
  // Small k on the stack; a caller asking for more gets a heap buffer no larger
  // than the number of physical entries.
  constexpr int kLocal = 16;
  internal::PhysicalPair local[kLocal];
  std::vector<internal::PhysicalPair> heap;
  internal::PhysicalPair* best = local;
  int capacity = k;
  if (k > kLocal) {
    capacity = static_cast<int>(std::min<size_t>(k, index.physical.size()));
    heap.resize(capacity);
    best = heap.data();
  }
  const int found = internal::SearchPhysical(q, index, {}, best, capacity);
  result.referrals.reserve(std::min(k, 64));
  for (int i = 0; i < found; ++i) {
    const internal::PhysicalPair& c = best[i];
    result.referrals.push_back({index.physical.provider[c.entry],
                                static_cast<int>(index.physical.location[c.entry]), c.mode,
                                c.cost, c.distance});
  }
  if (found < k) {
    // Class 0 is complete, so a provider in it is never also referred to by phone.
    uint32_t exclude_local[kLocal];
    std::vector<uint32_t> exclude_heap;
    uint32_t* exclude = exclude_local;
    if (found > kLocal) {
      exclude_heap.resize(found);
      exclude = exclude_heap.data();
    }
    for (int i = 0; i < found; ++i) exclude[i] = result.referrals[i].provider;
    internal::ScanRemote(q, index, {}, std::span<const uint32_t>(exclude, found),
                         [&](uint32_t p, Mode mode) {
                           result.referrals.push_back(
                               {p, -1, mode, kRemoteCostMeters, std::nullopt});
                           return static_cast<int>(result.referrals.size()) < k;
                         });
  }
  if (result.referrals.empty() && options.explain_no_match) {
    result.no_suitable_provider =
        ExplainNoMatch(request, *directory_, Words{options.language == TextLanguage::kDutch});
  }
  return result;
}

std::vector<RouteResult> Router::RouteBatch(std::span<const Request> requests,
                                            const RouteOptions& options) const {
  std::vector<RouteResult> results(requests.size());
  // Each result lands in its own slot, so the output does not depend on the thread
  // count.
  internal::ParallelFor(requests.size(),
                        {.threads = options.threads, .chunk = 256, .indices_per_thread = 64},
                        [&](size_t i) { results[i] = Route(requests[i], options); });
  return results;
}

std::vector<std::string> Router::Reasons(const Request& request, const Referral& referral,
                                         TextLanguage language) const {
  const Words w{language == TextLanguage::kDutch};
  const ProviderInfo& info = directory_->provider(referral.provider);
  std::vector<std::string> reasons;
  reasons.push_back(internal::Cat(w.nl ? "helpt met " : "helps with ", w.Topics(request.topics)));
  LanguageSet common;
  for (std::string_view code : request.languages.codes()) {
    Language spoken = *Language::FromCode(code);
    if (info.languages.Contains(spoken)) common.Add(spoken);
  }
  reasons.push_back(internal::Cat(w.nl ? "spreekt " : "speaks ", common.ToString(w.And())));
  switch (referral.mode) {
    case Mode::kInPerson:
      reasons.push_back(
          w.nl ? internal::Cat("langsgaan, ", w.Km(*referral.distance_m / 1000),
                               " verderop (u reist tot ", w.Limit(request.max_km), ")")
               : internal::Cat("in person, ", w.Km(*referral.distance_m / 1000),
                               " away (you travel up to ", w.Limit(request.max_km), ")"));
      break;
    case Mode::kHomeVisit:
      reasons.push_back(
          w.nl ? internal::Cat("huisbezoek, ", w.Km(*referral.distance_m / 1000),
                               " verderop (de helper reist tot ", w.Limit(info.radius_km), ")")
               : internal::Cat("home visit, ", w.Km(*referral.distance_m / 1000),
                               " away (the helper travels up to ", w.Limit(info.radius_km),
                               ")"));
      break;
    case Mode::kPhone:
      reasons.push_back(w.nl ? "telefonisch" : "by phone");
      break;
    case Mode::kVideo:
      reasons.push_back(w.nl ? "via videobellen" : "by video call");
      break;
  }
  if (!request.access.empty()) {
    AccessSet needed = referral.mode == Mode::kInPerson ? request.access
                                                        : request.access & kServiceFeatures;
    if (!needed.empty()) {
      reasons.push_back(internal::Cat(w.nl ? "biedt " : "offers ", w.Features(needed)));
    }
  }
  if (!info.municipalities.empty()) {
    reasons.push_back(internal::Cat(w.nl ? "voor inwoners van " : "serves residents of ",
                                    request.municipality));
  }
  return reasons;
}

void Router::ToProto(const Request& request, const RouteResult& result,
                     v1::RouteResult* proto) const {
  proto->Clear();
  proto->set_request_id(request.id);
  int rank = 0;
  for (const Referral& r : result.referrals) {
    const ProviderInfo& info = directory_->provider(r.provider);
    v1::Referral* out = proto->add_referrals();
    out->set_rank(++rank);
    out->set_provider_id(info.id);
    if (r.location >= 0) out->set_location_id(info.locations[r.location].id);
    out->set_mode(static_cast<v1::Mode>(internal::ToProtoEnum(r.mode)));
    out->set_cost_m(r.cost_m);
    if (r.distance_m) out->set_distance_m(*r.distance_m);
    for (std::string& reason : Reasons(request, r)) out->add_reasons(std::move(reason));
  }
  proto->set_no_suitable_provider(result.no_suitable_provider);
}

}  // namespace wegwijzer
