// Internal: the contract's rules and defaults for a provider and for a request, in one
// place (interchange.md v1.1, providers.csv and requests.csv; directory.proto and
// request.proto say the same). Every entry point applies them from here:
//
//   providers  providers.csv rows (interchange/providers_csv.cc), snapshot records
//              (Directory::Create in directory/directory.cc)
//   requests   requests.csv rows (interchange/requests_csv.cc), Request::Validate and
//              Request::FromProto (core/request.cc), the Python binding's columns
//              (through Request::Validate)
//
// What is decided here: each bound (with the text messages show for it), each
// cross-field rule and each default. How a message quotes the value is the entry
// point's: a CSV row quotes the field as written ("max_km: '2000' is outside
// 0..1000"), a record the value as held ("max_km 2000 is outside 0..1000").
//
// Thread-safety: constants and pure functions; thread-safe.
#ifndef WEGWIJZER_LIB_CORE_RULES_H_
#define WEGWIJZER_LIB_CORE_RULES_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/text.h"
#include "wegwijzer/codes.h"

namespace wegwijzer::internal {

// An inclusive range of a number field. Contains() is false for NaN and infinities.
struct Bounds {
  double lo, hi;
  constexpr bool Contains(double v) const { return v >= lo && v <= hi; }
  // "0..1000", as messages say it.
  std::string ToString() const { return Cat(lo, "..", hi); }
};

// ---- providers

// radius_km, the home-visit radius in km. DEFAULT: 0.
inline constexpr Bounds kRadiusKmBounds{0, 1000};
// Modes of a provider whose modes are empty. DEFAULT: in person.
inline constexpr ModeSet kDefaultProviderModes{Mode::kInPerson};
// Languages of a provider or request whose languages are empty. DEFAULT: Dutch.
LanguageSet DefaultLanguages();

// A capacity, when given, is a count: >= 0 (0: takes nobody now). DEFAULT: unlimited.
constexpr bool IsValidCapacity(int64_t capacity) { return capacity >= 0; }
// A provider with a physical mode (in person, home visit) needs a location.
constexpr bool NeedsLocation(ModeSet modes) { return modes.Intersects(kPhysicalModes); }
// A provider that makes home visits needs a radius > 0 to make them in.
constexpr bool HasRadiusForModes(ModeSet modes, double radius_km) {
  return !modes.Contains(Mode::kHomeVisit) || radius_km > 0;
}

// Empty lists take their defaults (the contract: an empty list field means the default).
void ApplyProviderDefaults(LanguageSet* languages, ModeSet* modes);

// ---- requests (the defaults of a request are its member initializers in request.h:
// languages {nl} (DefaultLanguages above), modes all four, max_km 10, priority 0)

// max_km, the farthest in-person trip in km.
inline constexpr Bounds kMaxKmBounds{0, 1000};
// priority, 0..3, whole.
inline constexpr Bounds kPriorityBounds{0, 3};
// age, in whole years (an extension: requests.csv's optional `age`).
inline constexpr Bounds kAgeBounds{0, 150};
// within_days, how many days ahead of `at` an opening still suits (an extension).
inline constexpr Bounds kWithinDaysBounds{0, 366};
// at, a request's moment (Unix seconds), and every other moment the library
// computes opening hours from (a snapshot's created_unix_seconds): from
// 1900-01-01T00:00Z up to, not including, 9000-01-01T00:00Z, so that at +
// within_days and every opening found from it stay four-digit years (RFC 3339) and
// far from int64 overflow.
inline constexpr int64_t kAtMinUnixSeconds = -2208988800;
inline constexpr int64_t kAtEndUnixSeconds = 221845392000;
constexpr bool AtInRange(int64_t at) { return at >= kAtMinUnixSeconds && at < kAtEndUnixSeconds; }
// "years 1900 to 8999", as messages say it.
inline constexpr std::string_view kAtRangeText = "years 1900 to 8999";
// A request's `within_days` > 0 needs its `at`: "within 3 days" of when?
constexpr bool HasTimeForWindow(bool has_at, int within_days) {
  return has_at || within_days == 0;
}
// Whether an age limit admits a resident of `age` in whole years, or of unknown age
// when `age` < 0 (inclusive bounds; an unknown age is admitted, and so is any age
// when the provider has no limit: its bounds are then the widest kAgeBounds).
// The one place of this rule: routing, matching and explanations call it.
constexpr bool AgeAdmitted(int age, double minimum_age, double maximum_age) {
  return age < 0 || (age >= minimum_age && age <= maximum_age);
}

// Modes of a request whose modes are empty. DEFAULT: all four.
inline constexpr ModeSet kDefaultRequestModes = kAllModes;

// Empty lists take their defaults.
void ApplyRequestDefaults(LanguageSet* languages, ModeSet* modes);

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_CORE_RULES_H_
