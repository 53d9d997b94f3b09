#include "wegwijzer/opening_hours.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "absl/status/status.h"
#include "core/text.h"
#include "wegwijzer/v1/openreferral.pb.h"

namespace wegwijzer {
namespace {

constexpr int64_t kDay = 86400;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// The last Sunday of `month` in `year`, 01:00 UTC, in Unix seconds.
int64_t LastSundayOneUtc(int year, int month) {
  const CivilDate last{year, month, DaysInMonth(year, month)};
  const int64_t days = DaysFromCivil(last) - Weekday(last) + 6 - (Weekday(last) == 6 ? 0 : 7);
  return days * kDay + 3600;
}

bool IsSummerTime(int64_t unix_seconds) {
  const int year = CivilFromDays(FloorDiv(unix_seconds, kDay)).year;
  return unix_seconds >= LastSundayOneUtc(year, 3) && unix_seconds < LastSundayOneUtc(year, 10);
}

int WeekdayFromCode(std::string_view code) {
  static constexpr std::string_view kCodes[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
  for (int i = 0; i < 7; ++i) {
    if (code == kCodes[i]) return i;
  }
  return -1;
}

std::optional<int> ParseInt(std::string_view text) {
  int n = 0;
  if (text.starts_with('+')) text.remove_prefix(1);
  const auto r = std::from_chars(text.data(), text.data() + text.size(), n);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return n;
}

// "HH:MM" or "HH:MM:SS" (a trailing "Z" or offset is ignored: see the time-zone
// note in the header) -> seconds after midnight; "24:00" is allowed as an end.
std::optional<int> ParseTime(std::string_view text) {
  if (size_t z = text.find_first_of("Z+-"); z != std::string_view::npos && z >= 5) {
    text = text.substr(0, z);
  }
  if (text.size() != 5 && text.size() != 8) return std::nullopt;
  if (text[2] != ':' || (text.size() == 8 && text[5] != ':')) return std::nullopt;
  auto h = ParseInt(text.substr(0, 2)), m = ParseInt(text.substr(3, 2));
  std::optional<int> s = text.size() == 8 ? ParseInt(text.substr(6, 2)) : std::optional<int>(0);
  if (!h || !m || !s || *m > 59 || *s > 59 || *h > 24 || (*h == 24 && (*m || *s))) return std::nullopt;
  return *h * 3600 + *m * 60 + *s;
}

std::vector<std::string_view> SplitComma(std::string_view text) {
  std::vector<std::string_view> parts;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view part = text.substr(0, comma);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty()) parts.push_back(part);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return parts;
}

// The day (days since epoch) of the n-th `weekday` of a month (n < 0: from the end);
// nullopt when the month has no such day.
std::optional<int64_t> NthWeekday(int year, int month, int n, int weekday) {
  if (n > 0) {
    const int64_t first = DaysFromCivil({year, month, 1});
    const int offset = (weekday - Weekday({year, month, 1}) + 7) % 7;
    const int day = 1 + offset + 7 * (n - 1);
    if (day > DaysInMonth(year, month)) return std::nullopt;
    return first + day - 1;
  }
  const int last = DaysInMonth(year, month);
  const int offset = (Weekday({year, month, last}) - weekday + 7) % 7;
  const int day = last - offset - 7 * (-n - 1);
  if (day < 1) return std::nullopt;
  return DaysFromCivil({year, month, day});
}

}  // namespace

int64_t DaysFromCivil(CivilDate d) {
  // Howard Hinnant's days_from_civil.
  const int64_t y = d.year - (d.month <= 2);
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (d.month + (d.month > 2 ? -3 : 9)) + 2) / 5 + d.day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<int>(yoe + era * 400 + (month <= 2)), month, day};
}

int Weekday(CivilDate date) {
  // 1970-01-01 was a Thursday (3).
  return static_cast<int>((FloorDiv(DaysFromCivil(date), 1) + 3) % 7 + 7) % 7;
}

std::optional<CivilDate> ParseIsoDate(std::string_view text) {
  // YYYY-MM-DD in ASCII digits: no sign, no blank ("-999-01-01" is not a date).
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  auto y = ParseInt(text.substr(0, 4)), m = ParseInt(text.substr(5, 2)), d = ParseInt(text.substr(8, 2));
  if (!y || !m || !d || *m < 1 || *m > 12 || *d < 1 || *d > DaysInMonth(*y, *m)) return std::nullopt;
  return CivilDate{*y, *m, *d};
}

CivilDate EasterSunday(int year) {
  // The anonymous Gregorian algorithm (Meeus/Jones/Butcher).
  const int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
  const int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
  return {year, month, day};
}

std::string_view DutchHolidayName(DutchHoliday h) {
  switch (h) {
    case DutchHoliday::kNieuwjaarsdag: return "Nieuwjaarsdag";
    case DutchHoliday::kGoedeVrijdag: return "Goede Vrijdag";
    case DutchHoliday::kEerstePaasdag: return "Eerste Paasdag";
    case DutchHoliday::kTweedePaasdag: return "Tweede Paasdag";
    case DutchHoliday::kKoningsdag: return "Koningsdag";
    case DutchHoliday::kBevrijdingsdag: return "Bevrijdingsdag";
    case DutchHoliday::kHemelvaartsdag: return "Hemelvaartsdag";
    case DutchHoliday::kEerstePinksterdag: return "Eerste Pinksterdag";
    case DutchHoliday::kTweedePinksterdag: return "Tweede Pinksterdag";
    case DutchHoliday::kEersteKerstdag: return "Eerste Kerstdag";
    case DutchHoliday::kTweedeKerstdag: return "Tweede Kerstdag";
  }
  return "?";
}

std::vector<std::pair<CivilDate, DutchHoliday>> DutchPublicHolidays(int year) {
  const int64_t easter = DaysFromCivil(EasterSunday(year));
  const CivilDate april27{year, 4, 27};
  std::vector<std::pair<CivilDate, DutchHoliday>> out = {
      {{year, 1, 1}, DutchHoliday::kNieuwjaarsdag},
      {CivilFromDays(easter - 2), DutchHoliday::kGoedeVrijdag},
      {CivilFromDays(easter), DutchHoliday::kEerstePaasdag},
      {CivilFromDays(easter + 1), DutchHoliday::kTweedePaasdag},
      {Weekday(april27) == 6 ? CivilDate{year, 4, 26} : april27, DutchHoliday::kKoningsdag},
      {{year, 5, 5}, DutchHoliday::kBevrijdingsdag},
      {CivilFromDays(easter + 39), DutchHoliday::kHemelvaartsdag},
      {CivilFromDays(easter + 49), DutchHoliday::kEerstePinksterdag},
      {CivilFromDays(easter + 50), DutchHoliday::kTweedePinksterdag},
      {{year, 12, 25}, DutchHoliday::kEersteKerstdag},
      {{year, 12, 26}, DutchHoliday::kTweedeKerstdag},
  };
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

std::optional<DutchHoliday> DutchPublicHolidayOn(CivilDate date) {
  for (const auto& [d, h] : DutchPublicHolidays(date.year)) {
    if (d == date) return h;
  }
  return std::nullopt;
}

int AmsterdamUtcOffsetSeconds(int64_t unix_seconds) { return IsSummerTime(unix_seconds) ? 7200 : 3600; }

int64_t AmsterdamLocalToUnix(int64_t local) {
  // Summer time first: an autumn-day time that happens twice is its first occurrence.
  if (const int64_t summer = local - 7200; IsSummerTime(summer)) return summer;
  const int64_t winter = local - 3600;
  // Either a plain winter time, or a spring-day time that does not exist: read as
  // winter time, which is the same wall-clock hour later in summer time.
  return winter;
}

std::string FormatAmsterdamTime(int64_t unix_seconds) {
  static constexpr std::string_view kDays[] = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                               "Friday", "Saturday", "Sunday"};
  const int64_t local = unix_seconds + AmsterdamUtcOffsetSeconds(unix_seconds);
  const CivilDate date = CivilFromDays(FloorDiv(local, kDay));
  const int64_t s = local - FloorDiv(local, kDay) * kDay;
  char hm[6];
  hm[0] = static_cast<char>('0' + s / 36000);
  hm[1] = static_cast<char>('0' + (s / 3600) % 10);
  hm[2] = ':';
  hm[3] = static_cast<char>('0' + (s % 3600) / 600);
  hm[4] = static_cast<char>('0' + (s % 600) / 60);
  hm[5] = 0;
  return internal::Cat(kDays[Weekday(date)], " ", date.year, "-", date.month < 10 ? "0" : "", date.month,
                       "-", date.day < 10 ? "0" : "", date.day, " ", std::string_view(hm));
}

std::optional<int64_t> ParseRfc3339(std::string_view text) {
  if (text.size() < 16 || (text[10] != 'T' && text[10] != 't' && text[10] != ' ')) {
    return std::nullopt;
  }
  std::optional<CivilDate> date = ParseIsoDate(text.substr(0, 10));
  if (!date || text[13] != ':') return std::nullopt;
  auto two = [&](size_t at) -> std::optional<int> {
    if (at + 2 > text.size() || !std::isdigit(static_cast<unsigned char>(text[at])) ||
        !std::isdigit(static_cast<unsigned char>(text[at + 1]))) {
      return std::nullopt;
    }
    return (text[at] - '0') * 10 + (text[at + 1] - '0');
  };
  std::optional<int> hh = two(11), mm = two(14), ss = 0;
  size_t rest = 16;
  if (rest < text.size() && text[rest] == ':') {
    ss = two(rest + 1);
    rest += 3;
  }
  if (!hh || !mm || !ss || *hh > 23 || *mm > 59 || *ss > 59) return std::nullopt;
  const int64_t local = DaysFromCivil(*date) * kDay + *hh * 3600 + *mm * 60 + *ss;
  const std::string_view zone = text.substr(rest);
  if (zone.empty()) return AmsterdamLocalToUnix(local);
  if (zone == "Z" || zone == "z") return local;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':') {
    return std::nullopt;
  }
  std::optional<int> oh = two(rest + 1), om = two(rest + 4);
  if (!oh || !om || *om > 59 || *oh * 60 + *om > 18 * 60) return std::nullopt;
  const int64_t offset = (*oh * 3600 + *om * 60) * (zone[0] == '-' ? -1 : 1);
  return local - offset;
}

std::string FormatRfc3339Amsterdam(int64_t unix_seconds) {
  const int offset = AmsterdamUtcOffsetSeconds(unix_seconds);
  const int64_t local = unix_seconds + offset;
  const int64_t day = FloorDiv(local, kDay);
  const CivilDate date = CivilFromDays(day);
  const int64_t s = local - day * kDay;
  auto two = [](int64_t v) { return internal::Cat(v < 10 ? "0" : "", v); };
  return internal::Cat(date.year, "-", two(date.month), "-", two(date.day), "T", two(s / 3600),
                       ":", two((s % 3600) / 60), ":", two(s % 60), "+0", offset / 3600,
                       ":00");
}

bool OpeningHours::Rule::AppliesOn(int64_t day) const {
  if ((valid_from && day < *valid_from) || (valid_to && day > *valid_to)) return false;
  if ((dtstart && day < *dtstart) || (until && day > *until)) return false;
  const CivilDate date = CivilFromDays(day);
  const int wd = Weekday(date);
  switch (freq) {
    case Freq::kDaily:
      return true;
    case Freq::kWeekly: {
      if (!((weekdays >> wd) & 1)) return false;
      if (interval > 1) {
        // Weeks start on wkst; count whole weeks between the starts of the two weeks.
        auto week_start = [&](int64_t d) { return d - ((Weekday(CivilFromDays(d)) - wkst + 7) % 7); };
        const int64_t weeks = (week_start(day) - week_start(*dtstart)) / 7;
        if (weeks % interval != 0) return false;
      }
      return true;
    }
    case Freq::kMonthly: {
      if (interval > 1) {
        const CivilDate start = CivilFromDays(*dtstart);
        const int months = (date.year - start.year) * 12 + date.month - start.month;
        if (months % interval != 0) return false;
      }
      if ((weekdays >> wd) & 1) return true;
      for (const auto& [n, weekday] : ordinal_days) {
        if (std::optional<int64_t> d = NthWeekday(date.year, date.month, n, weekday); d && *d == day) {
          return true;
        }
      }
      const int last = DaysInMonth(date.year, date.month);
      for (int md : month_days) {
        if ((md > 0 && md == date.day) || (md < 0 && last + md + 1 == date.day)) return true;
      }
      return false;
    }
  }
  return false;
}

absl::StatusOr<OpeningHours> OpeningHours::Create(const std::vector<const v1::HsdsSchedule*>& schedules,
                                                  Options options) {
  OpeningHours hours;
  hours.options_ = std::move(options);
  for (const v1::HsdsSchedule* s : schedules) {
    auto fail = [&](std::string_view field, std::string_view value, std::string_view reason) {
      return absl::InvalidArgumentError(internal::Cat("schedule ", s->id(), ": field \"", field, "\": \"",
                                                      value, "\" ", reason));
    };
    Rule rule;
    auto date = [&](bool has, const std::string& text, std::string_view field,
                    std::optional<int64_t>* out) -> absl::Status {
      if (!has || text.empty()) return absl::OkStatus();
      std::optional<CivilDate> d = ParseIsoDate(text.substr(0, 10));
      if (!d) return fail(field, text, "is not a date (YYYY-MM-DD)");
      *out = DaysFromCivil(*d);
      return absl::OkStatus();
    };
    for (absl::Status st : {date(s->has_valid_from(), s->valid_from(), "valid_from", &rule.valid_from),
                            date(s->has_valid_to(), s->valid_to(), "valid_to", &rule.valid_to),
                            date(s->has_dtstart(), s->dtstart(), "dtstart", &rule.dtstart),
                            date(s->has_until(), s->until(), "until", &rule.until)}) {
      if (!st.ok()) return st;
    }
    if (s->has_wkst() && !s->wkst().empty()) {
      rule.wkst = WeekdayFromCode(s->wkst());
      if (rule.wkst < 0) return fail("wkst", s->wkst(), "is not MO..SU");
    }
    if (s->has_interval()) {
      if (s->interval() < 1) return fail("interval", internal::Cat(s->interval()), "is not >= 1");
      rule.interval = static_cast<int>(std::min<int64_t>(s->interval(), 1000));
      if (rule.interval > 1 && !rule.dtstart) {
        return fail("interval", internal::Cat(s->interval()), "needs dtstart to count from");
      }
    }
    const std::string& freq = s->freq();
    if (freq == "MONTHLY") {
      rule.freq = Rule::Freq::kMonthly;
    } else if (freq == "WEEKLY" || (!s->has_freq() && !s->byday().empty())) {
      rule.freq = Rule::Freq::kWeekly;
    } else if (!freq.empty()) {
      return fail("freq", freq, "is not WEEKLY or MONTHLY");
    }
    for (std::string_view part : SplitComma(s->byday())) {
      const std::string_view code = part.substr(part.size() >= 2 ? part.size() - 2 : 0);
      const int wd = WeekdayFromCode(code);
      if (wd < 0) return fail("byday", s->byday(), internal::Cat("has an unknown day \"", part, "\""));
      const std::string_view ordinal = part.substr(0, part.size() - 2);
      if (ordinal.empty()) {
        rule.weekdays |= static_cast<uint8_t>(1 << wd);
        continue;
      }
      std::optional<int> n = ParseInt(ordinal);
      if (!n || *n == 0 || *n < -5 || *n > 5) {
        return fail("byday", s->byday(), internal::Cat("has a bad ordinal \"", part, "\""));
      }
      if (rule.freq != Rule::Freq::kMonthly) {
        return fail("byday", s->byday(), "has an ordinal day, which needs freq MONTHLY");
      }
      rule.ordinal_days.emplace_back(*n, wd);
    }
    for (std::string_view part : SplitComma(s->bymonthday())) {
      std::optional<int> n = ParseInt(part);
      if (!n || *n == 0 || *n < -31 || *n > 31) {
        return fail("bymonthday", s->bymonthday(), internal::Cat("has a bad day \"", part, "\""));
      }
      rule.month_days.push_back(*n);
    }
    if (rule.freq == Rule::Freq::kWeekly && rule.weekdays == 0) {
      if (!rule.dtstart) return fail("byday", s->byday(), "is empty and there is no dtstart to take the day from");
      rule.weekdays = static_cast<uint8_t>(1 << Weekday(CivilFromDays(*rule.dtstart)));
    }
    if (rule.freq == Rule::Freq::kMonthly && rule.weekdays == 0 && rule.ordinal_days.empty() &&
        rule.month_days.empty()) {
      if (!rule.dtstart) return fail("bymonthday", "", "is empty and there is no dtstart to take the day from");
      rule.month_days.push_back(CivilFromDays(*rule.dtstart).day);
    }
    const bool has_open = s->has_opens_at() && !s->opens_at().empty();
    const bool has_close = s->has_closes_at() && !s->closes_at().empty();
    if (has_open != has_close) {
      return has_open ? fail("closes_at", "", "is missing while opens_at is given")
                      : fail("opens_at", "", "is missing while closes_at is given");
    }
    if (!has_open) {
      rule.closed = true;
    } else {
      std::optional<int> open = ParseTime(s->opens_at()), close = ParseTime(s->closes_at());
      if (!open || *open >= 86400) return fail("opens_at", s->opens_at(), "is not a time (HH:MM[:SS])");
      if (!close) return fail("closes_at", s->closes_at(), "is not a time (HH:MM[:SS])");
      rule.opens_s = *open;
      rule.closes_s = *close <= *open ? *close + 86400 : *close;  // past midnight
    }
    rule.exception = rule.valid_from && rule.valid_to && *rule.valid_to - *rule.valid_from <= 31;
    if (s->has_count()) {
      if (!rule.dtstart) return fail("count", internal::Cat(s->count()), "needs dtstart to count from");
      // The count-th occurrence is the last: turn it into an until (searched up to
      // 20 years, beyond which a count means nothing for a referral).
      int64_t seen = 0, day = *rule.dtstart;
      std::optional<int64_t> last;
      Rule probe = rule;
      probe.valid_from.reset();
      probe.valid_to.reset();
      for (; day < *rule.dtstart + 20 * 366 && seen < s->count(); ++day) {
        if (probe.AppliesOn(day)) {
          ++seen;
          last = day;
        }
      }
      const int64_t count_until = seen == 0 ? *rule.dtstart - 1 : *last;
      rule.until = rule.until ? std::min(*rule.until, count_until) : count_until;
    }
    hours.rules_.push_back(std::move(rule));
  }
  return hours;
}

bool OpeningHours::ClosedOn(CivilDate date) const {
  for (const auto& [from, to] : options_.closures) {
    if (from <= date && date <= to) return true;
  }
  if (std::optional<DutchHoliday> h = DutchPublicHolidayOn(date)) {
    return *h == DutchHoliday::kBevrijdingsdag ? options_.closed_on_bevrijdingsdag
                                               : options_.closed_on_public_holidays;
  }
  return false;
}

std::vector<std::pair<int64_t, int64_t>> OpeningHours::IntervalsOn(CivilDate date) const {
  std::vector<std::pair<int64_t, int64_t>> out;
  if (ClosedOn(date)) return out;
  const int64_t day = DaysFromCivil(date);
  bool exception_day = false;
  for (const Rule& r : rules_) exception_day = exception_day || (r.exception && r.AppliesOn(day));
  // A row without times that holds on the date closes it, whatever else holds.
  for (const Rule& r : rules_) {
    if (r.closed && r.exception == exception_day && r.AppliesOn(day)) return out;
  }
  for (const Rule& r : rules_) {
    if (r.closed || r.exception != exception_day || !r.AppliesOn(day)) continue;
    const int64_t local_midnight = day * kDay;
    out.emplace_back(AmsterdamLocalToUnix(local_midnight + r.opens_s),
                     AmsterdamLocalToUnix(local_midnight + r.closes_s));
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool OpeningHours::IsOpenAt(int64_t t) const {
  const int64_t local_day = FloorDiv(t + AmsterdamUtcOffsetSeconds(t), kDay);
  // An interval that started yesterday may run past midnight.
  for (int64_t day = local_day - 1; day <= local_day; ++day) {
    for (const auto& [open, close] : IntervalsOn(CivilFromDays(day))) {
      if (open <= t && t < close) return true;
    }
  }
  return false;
}

std::optional<int64_t> OpeningHours::NextOpening(int64_t t, int max_days) const {
  const int64_t local_day = FloorDiv(t + AmsterdamUtcOffsetSeconds(t), kDay);
  std::optional<int64_t> best;
  for (int64_t day = local_day - 1; day <= local_day + max_days; ++day) {
    for (const auto& [open, close] : IntervalsOn(CivilFromDays(day))) {
      // An empty interval is never open: hours that fall wholly in the hour the
      // spring change skips (02:30-03:30 reads as 03:30-03:30 summer time).
      if (close <= t || close <= open) continue;
      const int64_t at = std::max(open, t);
      if (!best || at < *best) best = at;
    }
    // Intervals of later days start later than any found on this one.
    if (best && day >= local_day) break;
  }
  if (best && *best >= t + int64_t{max_days} * kDay) return std::nullopt;
  return best;
}

bool OpeningHours::OpensWithinDays(int64_t t, int days) const {
  std::optional<int64_t> next = NextOpening(t, days + 1);
  return next && *next < t + int64_t{days} * kDay;
}

}  // namespace wegwijzer
