#include "core/rules.h"

namespace wegwijzer::internal {

LanguageSet DefaultLanguages() {
  // Parsed once: Language::FromCode searches the code table.
  static const LanguageSet kDutch = [] {
    LanguageSet set;
    set.Add(*Language::FromCode("nl"));
    return set;
  }();
  return kDutch;
}

void ApplyProviderDefaults(LanguageSet* languages, ModeSet* modes) {
  if (languages->empty()) *languages = DefaultLanguages();
  if (modes->empty()) *modes = kDefaultProviderModes;
}

void ApplyRequestDefaults(LanguageSet* languages, ModeSet* modes) {
  if (languages->empty()) *languages = DefaultLanguages();
  if (modes->empty()) *modes = kDefaultRequestModes;
}

}  // namespace wegwijzer::internal
