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
#include "core/memory_budget.h"
#include "core/parallel.h"
#include "core/proto_codes.h"
#include "route/explain.h"
#include "route/search.h"
#include "wegwijzer/v1/request.pb.h"

namespace wegwijzer {
namespace {

using internal::DirectoryIndex;
using internal::Words;

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
    result.referrals.push_back({ProviderIndex(index.physical.provider[c.entry]),
                                LocationIndex(index.physical.location[c.entry]), c.mode,
                                c.cost, c.distance,
                                internal::NextOpeningFor(q, index, index.physical.hours[c.entry])});
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
    for (int i = 0; i < found; ++i) exclude[i] = result.referrals[i].provider.value();
    internal::ScanRemote(q, index, {}, std::span<const uint32_t>(exclude, found),
                         [&](uint32_t p, Mode mode) {
                           result.referrals.push_back(
                               {ProviderIndex(p), LocationIndex::None(), mode,
                                kRemoteCostMeters, std::nullopt,
                                internal::NextOpeningFor(q, index, index.rules[p].hours)});
                           return static_cast<int>(result.referrals.size()) < k;
                         });
  }
  if (result.referrals.empty() && options.explain_no_match) {
    result.no_suitable_provider =
        internal::ExplainNoMatch(request, *directory_,
                                 Words{options.language == TextLanguage::kDutch});
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

absl::StatusOr<std::vector<RouteResult>> Router::TryRouteBatch(
    std::span<const Request> requests, const RouteOptions& options) const {
  if (options.max_memory_bytes <= 0) {
    return absl::InvalidArgumentError(internal::Cat(
        "RouteOptions::max_memory_bytes must be > 0, not ", options.max_memory_bytes));
  }
  const int64_t n = static_cast<int64_t>(requests.size());
  if (n > internal::kMaxIndexedRequests) return internal::TooManyRequestsError("route", n);
  const int64_t k = std::max(1, options.k);
  const int64_t most = std::max<int64_t>(
      std::min<int64_t>(k, 64),
      std::min<int64_t>(k, static_cast<int64_t>(directory_->index().physical.size() +
                                                directory_->size())));
  const int64_t per_request = static_cast<int64_t>(sizeof(RouteResult)) +
                              (options.explain_no_match ? 128 : 0) +
                              most * static_cast<int64_t>(sizeof(Referral));
  const int64_t needed = internal::SaturatingMul(n, per_request);
  if (needed > options.max_memory_bytes) {
    return internal::MemoryLimitError(
        internal::Cat("route of ", n, " requests with k = ", k, " against ",
                      directory_->size(), " providers"),
        needed, options.max_memory_bytes,
        "RouteOptions::max_memory_bytes; the CLI's --max-memory-mb");
  }
  try {
    return RouteBatch(requests, options);
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(internal::Cat(
        "route: out of memory while routing ", n,
        " requests (below RouteOptions::max_memory_bytes, but more than this machine "
        "has); lower the limit to be told before allocating, or split the batch"));
  }
}

std::vector<std::string> Router::Reasons(const Request& request, const Referral& referral,
                                         TextLanguage language) const {
  const Words w{language == TextLanguage::kDutch};
  const ProviderInfo& info = directory_->provider(referral.provider);
  std::vector<std::string> reasons;
  reasons.push_back(internal::Cat(w.nl ? "helpt met " : "helps with ", w.Topics(request.topics)));
  LanguageSet common = request.languages;
  common &= info.languages;
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
  if (request.age && (info.minimum_age || info.maximum_age)) {
    reasons.push_back(internal::Cat(w.nl ? "voor uw leeftijd (" : "for your age (",
                                    internal::AgeLimitText(info, w), ")"));
  }
  if (!request.can_pay) reasons.push_back(w.nl ? "gratis" : "free of charge");
  if (request.at && referral.next_opening) {
    reasons.push_back(*referral.next_opening == *request.at
                          ? std::string(w.nl ? "open op het gevraagde moment"
                                             : "open at the time asked for")
                          : internal::Cat(w.nl ? "open vanaf " : "opens ",
                                          internal::TimeText(*referral.next_opening, w)));
  }
  return reasons;
}

std::optional<int64_t> Router::NextOpening(const Request& request,
                                           const Referral& referral) const {
  if (!request.at) return std::nullopt;
  const DirectoryIndex& index = directory_->index();
  const internal::Query q = internal::CompileQuery(request, index);
  const uint32_t p = referral.provider.value();
  const uint32_t hours =
      referral.location.has_value()
          ? index.table.location_hours[index.table.location_begin[p] + referral.location.value()]
          : index.rules[p].hours;
  return internal::NextOpeningFor(q, index, hours);
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
    if (r.location.has_value()) out->set_location_id(info.locations[r.location.value()].id);
    out->set_mode(static_cast<v1::Mode>(internal::ToProtoEnum(r.mode)));
    out->set_cost_m(r.cost_m);
    if (r.distance_m) out->set_distance_m(*r.distance_m);
    if (r.next_opening) out->set_next_opening_unix_seconds(*r.next_opening);
    for (std::string& reason : Reasons(request, r)) out->add_reasons(std::move(reason));
  }
  proto->set_no_suitable_provider(result.no_suitable_provider);
}

}  // namespace wegwijzer
