// The lifecycle of issue 13 written out by hand, for tests: it must not share code
// with the library's table (lib/referral/referral.cc), so each checks the other.
#ifndef WEGWIJZER_TESTS_REFERRAL_LIFECYCLE_TABLE_H_
#define WEGWIJZER_TESTS_REFERRAL_LIFECYCLE_TABLE_H_

#include <set>
#include <string>
#include <tuple>

namespace wegwijzer::testing_lifecycle {

// Allowed (from, to, actor) by codes, as the issue and referral.h state them.
// Written out by hand on purpose: it must not share code with the library's table.
inline const std::set<std::tuple<std::string, std::string, std::string>>& Allowed() {
  static const auto* allowed = [] {
    auto* s = new std::set<std::tuple<std::string, std::string, std::string>>{
        {"draft", "requested", "desk"},
        {"requested", "accepted", "provider"},
        {"requested", "rejected", "provider"},
        {"accepted", "in-progress", "provider"},
        {"in-progress", "on-hold", "provider"},
        {"on-hold", "in-progress", "provider"},
        {"in-progress", "completed", "provider"},
        {"in-progress", "failed", "provider"},
        {"on-hold", "failed", "provider"},
        {"draft", "cancelled", "desk"},
        {"requested", "cancelled", "system"},  // only with reason expired
    };
    for (const char* from : {"requested", "accepted", "in-progress", "on-hold"}) {
      s->insert({from, "cancelled", "desk"});
      s->insert({from, "cancelled", "provider"});
    }
    for (const char* from : {"draft", "requested", "accepted", "rejected", "in-progress",
                             "on-hold", "completed", "failed", "cancelled"}) {
      s->insert({from, "entered-in-error", "desk"});
      s->insert({from, "entered-in-error", "provider"});
    }
    return s;
  }();
  return *allowed;
}

inline bool NeedsReason(const std::string& to) {
  return to == "rejected" || to == "cancelled" || to == "on-hold" || to == "failed";
}

}  // namespace wegwijzer::testing_lifecycle

#endif  // WEGWIJZER_TESTS_REFERRAL_LIFECYCLE_TABLE_H_
