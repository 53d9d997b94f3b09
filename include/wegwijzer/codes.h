// Codes of the Wegwijzer vocabulary and compact sets of them.
//
// Topics, modes and accessibility features are small closed sets held as bit sets,
// so that a suitability test is a handful of AND operations. Languages are ISO 639-1
// codes (184 of them) held in a 192-bit set. The textual codes are exactly those of
// the CSV contract (interchange.md v1.1) and are case-sensitive.
//
// Thread-safety: all types here are values; all functions are pure and thread-safe.
#ifndef WEGWIJZER_CODES_H_
#define WEGWIJZER_CODES_H_

#include <array>
#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wegwijzer {

// Values equal those of wegwijzer.v1.Topic minus one (bit positions).
enum class Topic : uint8_t {
  kDigid, kBenefits, kTaxes, kPermits, kHealth, kBanking, kInsurance, kJobs,
  kPension, kBasics, kDevice, kInternet, kSafety, kLiteracy, kEducation,
};
inline constexpr int kTopicCount = 15;

enum class ProviderKind : uint8_t {
  kIdo, kLibrary, kWelfare, kVolunteer, kPhone, kMunicipal, kOther,
};
inline constexpr int kProviderKindCount = 7;

// Order matters: it is the contract's tie order between modes of equal cost.
enum class Mode : uint8_t { kInPerson, kHomeVisit, kPhone, kVideo };
inline constexpr int kModeCount = 4;

enum class Access : uint8_t {
  kWheelchair, kHearingLoop, kQuietRoom, kEasyLanguage, kVisualAid,
};
inline constexpr int kAccessCount = 5;

// A provider's capacity model: what its capacity counts (the referral store
// enforces it, referral_store.h). Codes: "referral", "day", "week", "month".
enum class CapacityPeriod : uint8_t {
  kReferral,  // "referral": at most C active referrals at once (a slot per referral).
  kDay,       // "day": at most C referrals requested per day (UTC),
  kWeek,      // "week": ... per ISO week (Monday 00:00 UTC to the next Monday),
  kMonth,     // "month": ... per calendar month (UTC).
};
inline constexpr int kCapacityPeriodCount = 4;

// A set of small enum values as a bit mask. Enum must have fewer than 32 values.
template <typename Enum>
class EnumSet {
 public:
  constexpr EnumSet() = default;
  constexpr EnumSet(std::initializer_list<Enum> values) {
    for (Enum v : values) Add(v);
  }
  static constexpr EnumSet FromBits(uint32_t bits) {
    EnumSet s;
    s.bits_ = bits;
    return s;
  }
  constexpr void Add(Enum v) { bits_ |= Bit(v); }
  constexpr bool Contains(Enum v) const { return (bits_ & Bit(v)) != 0; }
  // True when every member of `other` is in this set.
  constexpr bool ContainsAll(EnumSet other) const {
    return (other.bits_ & ~bits_) == 0;
  }
  constexpr bool Intersects(EnumSet other) const {
    return (bits_ & other.bits_) != 0;
  }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr int size() const { return std::popcount(bits_); }
  constexpr uint32_t bits() const { return bits_; }
  constexpr EnumSet operator&(EnumSet o) const { return FromBits(bits_ & o.bits_); }
  constexpr EnumSet operator|(EnumSet o) const { return FromBits(bits_ | o.bits_); }
  constexpr EnumSet operator-(EnumSet o) const { return FromBits(bits_ & ~o.bits_); }
  constexpr bool operator==(const EnumSet&) const = default;

 private:
  static constexpr uint32_t Bit(Enum v) { return uint32_t{1} << static_cast<int>(v); }
  uint32_t bits_ = 0;
};

using TopicSet = EnumSet<Topic>;
using ModeSet = EnumSet<Mode>;
using AccessSet = EnumSet<Access>;

inline constexpr ModeSet kAllModes{Mode::kInPerson, Mode::kHomeVisit, Mode::kPhone,
                                   Mode::kVideo};
inline constexpr ModeSet kPhysicalModes{Mode::kInPerson, Mode::kHomeVisit};
inline constexpr ModeSet kRemoteModes{Mode::kPhone, Mode::kVideo};
// Features of a building: needed of a provider only for in-person help.
inline constexpr AccessSet kPlaceFeatures{Access::kWheelchair, Access::kHearingLoop,
                                          Access::kQuietRoom};
// Features of the help itself: needed in every mode.
inline constexpr AccessSet kServiceFeatures{Access::kEasyLanguage, Access::kVisualAid};

// An ISO 639-1 language code, stored as its index in the ISO list (0..183).
class Language {
 public:
  // Returns nullopt unless `code` is one of the 184 ISO 639-1 codes, two lowercase letters.
  static std::optional<Language> FromCode(std::string_view code);
  std::string_view code() const;
  int index() const { return index_; }
  bool operator==(const Language&) const = default;

 private:
  explicit constexpr Language(int index) : index_(index) {}
  int index_ = 0;
};
inline constexpr int kLanguageCount = 184;

// A set of languages as a 192-bit mask.
class LanguageSet {
 public:
  constexpr LanguageSet() = default;
  void Add(Language language) {
    words_[language.index() >> 6] |= uint64_t{1} << (language.index() & 63);
  }
  bool Contains(Language language) const {
    return (words_[language.index() >> 6] >> (language.index() & 63)) & 1;
  }
  bool Intersects(const LanguageSet& o) const {
    return ((words_[0] & o.words_[0]) | (words_[1] & o.words_[1]) |
            (words_[2] & o.words_[2])) != 0;
  }
  LanguageSet& operator|=(const LanguageSet& o) {
    for (int i = 0; i < 3; ++i) words_[i] |= o.words_[i];
    return *this;
  }
  // Keeps the languages `o` also has.
  LanguageSet& operator&=(const LanguageSet& o) {
    for (int i = 0; i < 3; ++i) words_[i] &= o.words_[i];
    return *this;
  }
  bool empty() const { return (words_[0] | words_[1] | words_[2]) == 0; }
  // Codes in ISO list order. O(number of languages in the set).
  std::vector<std::string_view> codes() const;
  // Codes in ISO list order, separated by `separator`.
  std::string ToString(std::string_view separator = ";") const;
  bool operator==(const LanguageSet&) const = default;

 private:
  std::array<uint64_t, 3> words_{};
};

// Code <-> enum conversions, with the contract's spelling ("home_visit", "digid").
std::optional<Topic> TopicFromCode(std::string_view code);
std::optional<ProviderKind> ProviderKindFromCode(std::string_view code);
std::optional<Mode> ModeFromCode(std::string_view code);
std::optional<Access> AccessFromCode(std::string_view code);
std::optional<CapacityPeriod> CapacityPeriodFromCode(std::string_view code);
std::string_view CapacityPeriodCode(CapacityPeriod period);
std::string_view TopicCode(Topic topic);
std::string_view ProviderKindCode(ProviderKind kind);
std::string_view ModeCode(Mode mode);
std::string_view AccessCode(Access access);

// Codes of the members in enum order, separated by `separator`.
std::string ToString(TopicSet topics, std::string_view separator = ";");
std::string ToString(ModeSet modes, std::string_view separator = ";");
std::string ToString(AccessSet access, std::string_view separator = ";");

// The codes of a list as the contract writes one ("digid; benefits;"): split at ';',
// each item trimmed of spaces and tabs, empty items dropped. The views point into
// `list`. The CSV readers and the Python binding read every list field with this.
std::vector<std::string_view> SplitCodes(std::string_view list);

}  // namespace wegwijzer

#endif  // WEGWIJZER_CODES_H_
