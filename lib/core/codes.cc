#include "wegwijzer/codes.h"

#include <algorithm>
#include <bit>
#include <array>
#include <string>

namespace wegwijzer {
namespace {

constexpr std::array<std::string_view, kTopicCount> kTopicCodes = {
    "digid",  "benefits", "taxes",    "permits", "health",
    "banking", "insurance", "jobs",   "pension", "basics",
    "device", "internet", "safety",   "literacy", "education"};
constexpr std::array<std::string_view, kProviderKindCount> kKindCodes = {
    "ido", "library", "welfare", "volunteer", "phone", "municipal", "other"};
constexpr std::array<std::string_view, kModeCount> kModeCodes = {
    "in_person", "home_visit", "phone", "video"};
constexpr std::array<std::string_view, kAccessCount> kAccessCodes = {
    "wheelchair", "hearing_loop", "quiet_room", "easy_language", "visual_aid"};

// ISO 639-1, sorted, so a code's index is found by binary search.
constexpr std::array<std::string_view, kLanguageCount> kLanguageCodes = {
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be",
    "bg", "bh", "bi", "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs",
    "cu", "cv", "cy", "da", "de", "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu",
    "fa", "ff", "fi", "fj", "fo", "fr", "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha",
    "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz", "ia", "id", "ie", "ig", "ii", "ik",
    "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj", "kk", "kl", "km", "kn",
    "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln", "lo", "lt",
    "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb",
    "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os",
    "pa", "pi", "pl", "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd",
    "se", "sg", "si", "sk", "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv",
    "sw", "ta", "te", "tg", "th", "ti", "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw",
    "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo", "wa", "wo", "xh", "yi", "yo", "za",
    "zh", "zu"};

template <typename Enum, size_t N>
std::optional<Enum> Lookup(const std::array<std::string_view, N>& codes,
                           std::string_view code) {
  for (size_t i = 0; i < N; ++i) {
    if (codes[i] == code) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

template <typename Enum, size_t N>
std::string JoinSet(EnumSet<Enum> set, const std::array<std::string_view, N>& codes,
                    std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < N; ++i) {
    if (!set.Contains(static_cast<Enum>(i))) continue;
    if (!out.empty()) out.append(separator);
    out.append(codes[i]);
  }
  return out;
}

}  // namespace

std::optional<Language> Language::FromCode(std::string_view code) {
  auto it = std::lower_bound(kLanguageCodes.begin(), kLanguageCodes.end(), code);
  if (it == kLanguageCodes.end() || *it != code) return std::nullopt;
  return Language(static_cast<int>(it - kLanguageCodes.begin()));
}

std::string_view Language::code() const { return kLanguageCodes[index_]; }

namespace {

// Calls `f(code)` for each language of `words`, in ISO list order: one step per
// language in the set, not per language in the list (routing reasons and
// explanations call this for every referral).
template <typename F>
void ForEachLanguage(const std::array<uint64_t, 3>& words, F f) {
  for (int w = 0; w < 3; ++w) {
    for (uint64_t bits = words[w]; bits != 0; bits &= bits - 1) {
      f(kLanguageCodes[w * 64 + std::countr_zero(bits)]);
    }
  }
}

}  // namespace

std::vector<std::string_view> LanguageSet::codes() const {
  std::vector<std::string_view> out;
  ForEachLanguage(words_, [&](std::string_view code) { out.push_back(code); });
  return out;
}

std::string LanguageSet::ToString(std::string_view separator) const {
  std::string out;
  ForEachLanguage(words_, [&](std::string_view code) {
    if (!out.empty()) out.append(separator);
    out.append(code);
  });
  return out;
}

std::optional<Topic> TopicFromCode(std::string_view code) {
  return Lookup<Topic>(kTopicCodes, code);
}
std::optional<ProviderKind> ProviderKindFromCode(std::string_view code) {
  return Lookup<ProviderKind>(kKindCodes, code);
}
std::optional<Mode> ModeFromCode(std::string_view code) {
  return Lookup<Mode>(kModeCodes, code);
}
std::optional<Access> AccessFromCode(std::string_view code) {
  return Lookup<Access>(kAccessCodes, code);
}
std::string_view TopicCode(Topic topic) { return kTopicCodes[static_cast<int>(topic)]; }
std::string_view ProviderKindCode(ProviderKind kind) {
  return kKindCodes[static_cast<int>(kind)];
}
std::string_view ModeCode(Mode mode) { return kModeCodes[static_cast<int>(mode)]; }

constexpr std::array<std::string_view, kCapacityPeriodCount> kCapacityPeriodCodes = {
    "referral", "day", "week", "month"};
std::optional<CapacityPeriod> CapacityPeriodFromCode(std::string_view code) {
  return Lookup<CapacityPeriod>(kCapacityPeriodCodes, code);
}
std::string_view CapacityPeriodCode(CapacityPeriod period) {
  return kCapacityPeriodCodes[static_cast<int>(period)];
}
std::string_view AccessCode(Access access) {
  return kAccessCodes[static_cast<int>(access)];
}

std::string ToString(TopicSet topics, std::string_view separator) {
  return JoinSet(topics, kTopicCodes, separator);
}
std::string ToString(ModeSet modes, std::string_view separator) {
  return JoinSet(modes, kModeCodes, separator);
}
std::string ToString(AccessSet access, std::string_view separator) {
  return JoinSet(access, kAccessCodes, separator);
}

std::vector<std::string_view> SplitCodes(std::string_view list) {
  std::vector<std::string_view> items;
  for (size_t start = 0; start <= list.size();) {
    size_t end = list.find(';', start);
    if (end == std::string_view::npos) end = list.size();
    std::string_view item = list.substr(start, end - start);
    start = end + 1;
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

}  // namespace wegwijzer
