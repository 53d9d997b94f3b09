// A resident's request for help, in the compact form the router reads.
//
// Thread-safety: a value type; thread-compatible.
#ifndef WEGWIJZER_REQUEST_H_
#define WEGWIJZER_REQUEST_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "wegwijzer/codes.h"
#include "wegwijzer/geo.h"

namespace wegwijzer {
namespace v1 {
class Request;
}  // namespace v1

// What one resident needs. Holds no personal data: an opaque id, a position and needs.
// Defaults are the contract's (interchange.md v1.1, requests.csv). Every field has an
// initializer, so a designated initializer may omit any of them without a
// -Wmissing-field-initializers warning in the caller's build.
struct Request {
  std::string id{};           // Unique id of the request. Required.
  LatLng position{};          // Home or postcode centroid. Required, valid.
  TopicSet topics{};          // All topics needed. Required, non-empty.
  LanguageSet languages = DefaultLanguages();  // Any one suffices. DEFAULT: {nl}.
  ModeSet modes = kAllModes;  // Modes the resident accepts. DEFAULT: all four.
  AccessSet access{};         // Features needed (all of them). DEFAULT: none.
  double max_km = 10;         // Farthest in-person trip, km, in [0, 1000]. DEFAULT: 10.
  int priority = 0;           // 0..3, 3 = most urgent or vulnerable. DEFAULT: 0.
  std::string municipality{}; // CBS code of the home municipality. DEFAULT: unknown.
  // The postcode as recorded ("1011AB"), kept for the record; the router reads only
  // `position`, which a gazetteer fills from the postcode. DEFAULT: none.
  std::string postcode{};

  // Extensions of the contract (requests.csv's optional columns, see interchange.h);
  // each, when left at its default, changes nothing.
  // Age in whole years, 0..150: providers whose age limits exclude it do not suit.
  // DEFAULT: unknown (age limits not checked).
  std::optional<int> age{};
  // False: providers that charge a fee do not suit. DEFAULT: true.
  bool can_pay = true;
  // When the resident wants help, Unix seconds (UTC): a provider location suits only
  // when it is open then, or, with within_days > 0, opens at some moment in
  // [at, at + within_days x 24 h). Locations whose hours are unknown are not
  // excluded. DEFAULT: unset (any time).
  std::optional<int64_t> at{};
  // 0..366; REQUIRES `at` when > 0. DEFAULT: 0 (open at `at` itself).
  int within_days = 0;

  static LanguageSet DefaultLanguages();

  // Converts from the protobuf model, applying the defaults documented in
  // request.proto, and validates (see Validate). Errors name the request id.
  static absl::StatusOr<Request> FromProto(const v1::Request& proto);
  void ToProto(v1::Request* proto) const;

  // OK, or kInvalidArgument naming the request id and the first field that is wrong:
  // empty id, invalid position, no topics, no languages, no modes, max_km outside
  // [0, 1000] or not finite, priority outside 0..3, age outside 0..150,
  // within_days outside 0..366 or > 0 without `at`.
  absl::Status Validate() const;
};

// OK, or kInvalidArgument "request id 'x' is used twice (positions 3 and 7)" for the
// first id that repeats (positions 0-based, in `requests`). Matcher::Match requires
// unique ids; requests.csv cannot hold a repeated id. Expected O(n).
absl::Status ValidateUniqueIds(std::span<const Request> requests);

}  // namespace wegwijzer

#endif  // WEGWIJZER_REQUEST_H_
