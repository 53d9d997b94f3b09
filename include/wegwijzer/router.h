// The router: the k best referrals for one request, or for a batch of them.
//
// Route() answers exactly as interchange.md v1.1 ("route") defines it. A provider
// location P suits request R through mode m when P helps with every topic R needs,
// they share a language, P offers the service features R needs (and, for in-person
// help, the place features too), m is accepted by both, P serves R's municipality,
// P has capacity left (> 0), R lies in P's service area if P has one, and R is close
// enough: in person within R's max_km, home visits within P's radius. With the
// request extensions (request.h): P's age limits admit R's age, P is free when R
// cannot pay, and the location (remote: the provider) is open at R's time, or opens
// within R's within_days of it, by its opening hours (unknown hours never exclude). Of the
// suitable modes the cheapest is used: physical modes cost the haversine distance
// rounded to whole metres, remote modes 25,000; ties go in_person, home_visit,
// phone, video. Referrals are ordered by (class, cost, provider id in byte order,
// location id), class 0 = physical, class 1 = remote.
//
// A provider with several locations can appear once per location in class 0; in
// class 1 it appears once (location empty), and only if none of its locations is a
// class-0 referral.
//
// Example (examples/cpp/route_one.cc; a batch: examples/cpp/route_batch.cc):
//   Router router(directory);
//   RouteResult result = router.Route(request, {.k = 5});
//   for (const Referral& r : result.referrals)
//     std::cout << router.directory().provider(r.provider).id << " " << r.cost_m << "\n";
//   if (result.referrals.empty()) std::cout << result.no_suitable_provider << "\n";
//
// Thread-safety: immutable, safe to share between threads; Route and RouteBatch
// are const and may be called concurrently.
// Complexity: Route walks the spatial tree nearest-first, skipping every subtree
// whose providers together lack a needed topic, language, mode or feature or lie out
// of reach; typical cost is O(k log n). Explaining a request that nothing suits is a
// linear scan (rare path).
#ifndef WEGWIJZER_ROUTER_H_
#define WEGWIJZER_ROUTER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "wegwijzer/codes.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/request.h"

namespace wegwijzer {
namespace v1 {
class RouteResult;
}  // namespace v1

// One suitable provider location for a request.
struct Referral {
  ProviderIndex provider;
  // Which of directory.provider(provider).locations; none for a remote referral.
  LocationIndex location;
  Mode mode = Mode::kInPerson;
  int64_t cost_m = 0;                 // Whole metres; kRemoteCostMeters for remote modes.
  std::optional<double> distance_m{}; // Unrounded; absent for remote referrals.
  // When the request has a time (Request::at): the first moment at or after it that
  // the location (remote: the provider) is open, Unix seconds; nullopt when its
  // hours are unknown or the request has no time.
  std::optional<int64_t> next_opening{};
  bool is_remote() const { return mode == Mode::kPhone || mode == Mode::kVideo; }
  bool operator==(const Referral&) const = default;
};

struct RouteResult {
  std::vector<Referral> referrals;  // Best first; at most k.
  // When `referrals` is empty: which constraint removed the candidates, readable,
  // e.g. "4 providers help with benefits within 10 km, none speaks ar". Filled only
  // when RouteOptions::explain_no_match is true.
  std::string no_suitable_provider;
};

// The language of texts meant for people (reasons, explanations).
enum class TextLanguage { kEnglish, kDutch };

struct RouteOptions {
  // How many referrals per request, >= 1. DEFAULT: 5.
  int k = 5;
  // Explain requests that nothing suits (a linear scan each). DEFAULT: true.
  bool explain_no_match = true;
  // Threads for RouteBatch; 0 = std::thread::hardware_concurrency(). DEFAULT: 0.
  int threads = 0;
  // Language of no_suitable_provider. DEFAULT: English.
  TextLanguage language = TextLanguage::kEnglish;
  // TryRouteBatch's memory limit, in bytes, for its results at their largest: per
  // request sizeof(RouteResult), 128 bytes of explanation when explain_no_match, and
  // sizeof(Referral) per referral it may hold (min(k, provider locations + providers),
  // at least min(k, 64) reserved). Past it TryRouteBatch returns kResourceExhausted
  // before allocating; RouteBatch does not check it. Raise it (the CLI's
  // --max-memory-mb), lower k or split the batch. > 0. DEFAULT: 8 GiB.
  int64_t max_memory_bytes = int64_t{8} << 30;
};

class Router {
 public:
  // REQUIRES: `directory` is not null. The router shares ownership of it.
  explicit Router(std::shared_ptr<const Directory> directory);

  const Directory& directory() const { return *directory_; }

  // REQUIRES: request.Validate().ok() (else the answer is unspecified but safe: no
  // crash, no undefined behaviour). k < 1 is treated as 1.
  RouteResult Route(const Request& request, const RouteOptions& options = {}) const;

  // Routes every request, splitting the batch over options.threads threads. The
  // answer is identical to calling Route on each, in order, whatever the thread count.
  // Checks no size: for inputs the caller made. Input from elsewhere: TryRouteBatch.
  // Out of memory: std::bad_alloc, on the calling thread also when a worker thread
  // ran out (never std::terminate).
  std::vector<RouteResult> RouteBatch(std::span<const Request> requests,
                                      const RouteOptions& options = {}) const;

  // RouteBatch with its sizes checked before allocating: kResourceExhausted, with a
  // sentence naming the figure, the limit and how to raise it, when there are more
  // requests than 32-bit indexes hold (2^32 - 2) or the results could pass
  // options.max_memory_bytes (see there); std::bad_alloc on the calling thread or on
  // one of the batch's worker threads becomes kResourceExhausted too. kInvalidArgument for max_memory_bytes <= 0. Otherwise the
  // same answer as RouteBatch.
  absl::StatusOr<std::vector<RouteResult>> TryRouteBatch(std::span<const Request> requests,
                                                         const RouteOptions& options = {}) const;

  // Readable reasons why `referral` suits `request` ("helps with benefits",
  // "speaks ar", "2.3 km away", "home visit"), for display.
  std::vector<std::string> Reasons(const Request& request, const Referral& referral,
                                   TextLanguage language = TextLanguage::kEnglish) const;

  // The next opening of `referral`'s location (remote: its provider) at or after
  // request.at and before the end of its within_days window, as Route sets
  // Referral::next_opening; nullopt without a time, with unknown hours, or when it is
  // closed throughout. For referrals rebuilt from their ids (a table, a file).
  std::optional<int64_t> NextOpening(const Request& request, const Referral& referral) const;

  // The result in the protobuf model, with ids and reasons filled in.
  void ToProto(const Request& request, const RouteResult& result,
               v1::RouteResult* proto) const;

 private:
  std::shared_ptr<const Directory> directory_;
};

}  // namespace wegwijzer

#endif  // WEGWIJZER_ROUTER_H_
