// Internal: the texts for people the router writes (reasons, and why nothing suits),
// in English or Dutch.
#ifndef WEGWIJZER_LIB_ROUTE_EXPLAIN_H_
#define WEGWIJZER_LIB_ROUTE_EXPLAIN_H_

#include <algorithm>
#include <string>
#include <string_view>

#include "absl/strings/str_format.h"
#include "core/text.h"
#include "wegwijzer/codes.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/request.h"

namespace wegwijzer::internal {

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
      if (!out.empty()) Append(&out, And());
      Append(&out, Topic(static_cast<wegwijzer::Topic>(t)));
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
      if (!out.empty()) Append(&out, And());
      Append(&out, nl ? kDutch[a] : AccessCode(static_cast<Access>(a)));
    }
    return out;
  }
  std::string Km(double km) const {
    std::string text = absl::StrFormat("%.1f", km);
    if (nl) std::replace(text.begin(), text.end(), '.', ',');
    return Cat(text, " km");
  }
  std::string Limit(double km) const {
    std::string text = absl::StrFormat("%g", km);
    if (nl) std::replace(text.begin(), text.end(), '.', ',');
    return Cat(text, " km");
  }
};

// A provider's age limit for people: "65+", "up to 17", "12 to 18" ("tot en met 17",
// "12 tot en met 18" in Dutch). REQUIRES: it has one.
std::string AgeLimitText(const ProviderInfo& provider, const Words& w);
// A moment in Amsterdam time for people: "Tuesday 2026-04-28 09:00" ("dinsdag ...").
std::string TimeText(int64_t unix_seconds, const Words& w);

// Why nothing suits `request`: walks every provider (a linear scan, the rare path)
// and names the first constraint that left no candidate, e.g. "4 providers help with
// benefits within 10 km, none speaks ar", "..., but it is only for 65+", "..., but it
// is closed until Tuesday 2026-04-28 09:00".
std::string ExplainNoMatch(const Request& request, const Directory& directory,
                           const Words& w);

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_ROUTE_EXPLAIN_H_
