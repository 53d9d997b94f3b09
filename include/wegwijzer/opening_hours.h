// Opening hours: HSDS schedules compiled into a timetable in Europe/Amsterdam time,
// with the Dutch public holidays and a provider's closures.
//
// Example:
//   absl::StatusOr<OpeningHours> hours =
//       OpeningHours::Create(schedules, {.closed_on_public_holidays = true});
//   if (!hours.ok()) return hours.status();   // names the schedule and field
//   hours->IsOpenAt(t);                       // t: Unix seconds (UTC)
//   std::optional<int64_t> next = hours->NextOpening(t);   // t itself when open
//   hours->OpensWithinDays(t, 7);
//
// Time zone. Every schedule is read as wall-clock time in Europe/Amsterdam: CET
// (UTC+1), and CEST (UTC+2) from the last Sunday of March 01:00 UTC to the last
// Sunday of October 01:00 UTC (the EU rule, in force since 1996). HSDS's `timezone`
// is a bare UTC offset, which cannot follow summer time, so it is not used: the
// location's zone is. On the spring change day the hour 02:00-03:00 does not
// exist: a time in it is read one hour later. On the autumn day 02:00-03:00 happens
// twice: a time in it is read as the first (summer-time) one.
//
// Schedules (RFC 5545 subset, as HSDS 3 uses it):
//   freq       WEEKLY (default when byday has plain days) or MONTHLY.
//   byday      WEEKLY: "MO,TU,..."; absent = dtstart's weekday. MONTHLY: "2MO" (the
//              2nd Monday), "-1FR" (the last Friday), or a plain day (every such day).
//   bymonthday MONTHLY: "1,15,-1" (-1 = the last day of the month).
//   interval   every N weeks / months counted from dtstart's week (weeks start on
//              wkst, default MO) / month. REQUIRES dtstart when N > 1.
//   dtstart, until, count   first date, last date (inclusive), number of occurrences.
//   valid_from, valid_to    the dates (inclusive) the row holds at all.
//   opens_at, closes_at     "HH:MM" or "HH:MM:SS"; closes_at <= opens_at means past
//              midnight (22:00-02:00 closes on the next day); closes_at "24:00" is
//              midnight. A row without opens_at and closes_at is a closure: on a
//              date it holds, the provider is closed whatever other rows say.
// Split shifts are several rows. Exceptional hours: a row with both valid_from and
// valid_to at most 31 days apart is an exception; on a date that an exception
// covers, only exceptions hold (so an exception without times closes that date).
//
// Holidays: Nieuwjaarsdag, Goede Vrijdag, Eerste en Tweede Paasdag (Easter by the
// Gregorian computus), Koningsdag (27 April, or Saturday 26 April when the 27th is a
// Sunday), Hemelvaartsdag, Eerste en Tweede Pinksterdag, Eerste en Tweede Kerstdag
// close the provider unless closed_on_public_holidays is false; Bevrijdingsdag
// (5 May) is not a day off everywhere, so it closes only with
// closed_on_bevrijdingsdag. A closure is a date range from the provider's closures.
//
// Thread-safety: immutable after Create; safe to share between threads.
// Complexity: IsOpenAt O(rows); NextOpening O(days searched x rows).
#ifndef WEGWIJZER_OPENING_HOURS_H_
#define WEGWIJZER_OPENING_HOURS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace wegwijzer {
namespace v1 {
class HsdsSchedule;
}

// A date in the proleptic Gregorian calendar.
struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  bool operator==(const CivilDate&) const = default;
  auto operator<=>(const CivilDate&) const = default;
};

// Days since 1970-01-01 and back.
int64_t DaysFromCivil(CivilDate date);
CivilDate CivilFromDays(int64_t days);
// 0 = Monday ... 6 = Sunday.
int Weekday(CivilDate date);
// "2026-03-29" -> the date; nullopt for anything else (also 2026-02-30).
std::optional<CivilDate> ParseIsoDate(std::string_view text);

// Easter Sunday of `year` (Gregorian computus, valid for 1583 onwards).
CivilDate EasterSunday(int year);

enum class DutchHoliday {
  kNieuwjaarsdag, kGoedeVrijdag, kEerstePaasdag, kTweedePaasdag, kKoningsdag,
  kBevrijdingsdag, kHemelvaartsdag, kEerstePinksterdag, kTweedePinksterdag,
  kEersteKerstdag, kTweedeKerstdag,
};
std::string_view DutchHolidayName(DutchHoliday holiday);  // "Koningsdag"
// The holidays of `year` in date order.
std::vector<std::pair<CivilDate, DutchHoliday>> DutchPublicHolidays(int year);
std::optional<DutchHoliday> DutchPublicHolidayOn(CivilDate date);

// The UTC offset of Europe/Amsterdam at `unix_seconds`: 3600 or 7200.
int AmsterdamUtcOffsetSeconds(int64_t unix_seconds);
// Amsterdam wall-clock time (seconds since 1970-01-01 00:00 local) to Unix seconds,
// with the change-day rules above.
int64_t AmsterdamLocalToUnix(int64_t local_seconds);
// "Tuesday 2026-04-28 09:00": `unix_seconds` in Amsterdam time, for people.
std::string FormatAmsterdamTime(int64_t unix_seconds);
// An RFC 3339 date-time to Unix seconds: "2026-04-27T10:00:00+02:00", "...Z", or
// without an offset ("2026-04-27T10:00", seconds optional), which is Amsterdam
// wall-clock time read with the change-day rules above. A space may stand for the
// "T"; fractions of a second are not accepted. nullopt for anything else (also
// 2026-02-30, 24:00 or an offset beyond +-18:00).
std::optional<int64_t> ParseRfc3339(std::string_view text);
// `unix_seconds` in Amsterdam time with its offset: "2026-04-28T09:00:00+02:00".
std::string FormatRfc3339Amsterdam(int64_t unix_seconds);

class OpeningHours {
 public:
  struct Options {
    // Closed on the public holidays listed above (Bevrijdingsdag aside).
    // DEFAULT: true (the usual case for a desk or a library).
    bool closed_on_public_holidays = true;
    // Closed on 5 May. DEFAULT: false.
    bool closed_on_bevrijdingsdag = false;
    // Closed date ranges, inclusive. DEFAULT: none.
    std::vector<std::pair<CivilDate, CivilDate>> closures = {};
  };

  // Compiles `schedules` (any order). An empty list means "no hours known": never
  // open. Errors: kInvalidArgument naming the schedule id and field for a time or
  // date that does not parse, an unknown day in byday, an ordinal day in a WEEKLY
  // rule, interval > 1 without dtstart, count without dtstart.
  static absl::StatusOr<OpeningHours> Create(const std::vector<const v1::HsdsSchedule*>& schedules,
                                             Options options);

  bool IsOpenAt(int64_t unix_seconds) const;
  // The first moment at or after `unix_seconds` when it is open (itself when open
  // then), searching `max_days` days ahead; nullopt when it does not open in them.
  std::optional<int64_t> NextOpening(int64_t unix_seconds, int max_days = 366) const;
  // Open at some moment in [unix_seconds, unix_seconds + days x 24 h).
  bool OpensWithinDays(int64_t unix_seconds, int days) const;
  // The open intervals [open, close) in Unix seconds that start on local `date`.
  std::vector<std::pair<int64_t, int64_t>> IntervalsOn(CivilDate date) const;

  struct Rule;  // a compiled schedule row (public for the implementation only)

 private:
  OpeningHours() = default;
  bool ClosedOn(CivilDate date) const;
  std::vector<Rule> rules_;
  Options options_;
};

// The compiled form of one schedule row. Dates as days since 1970-01-01.
struct OpeningHours::Rule {
  enum class Freq { kDaily, kWeekly, kMonthly };
  Freq freq = Freq::kDaily;
  uint8_t weekdays = 0;                              // bit d: weekday d (0 = Monday)
  std::vector<std::pair<int, int>> ordinal_days;     // MONTHLY (n, weekday), n = -5..5
  std::vector<int> month_days;                       // MONTHLY, -31..31, no 0
  int interval = 1;
  std::optional<int64_t> dtstart, until, valid_from, valid_to;
  int wkst = 0;
  bool exception = false;
  bool closed = false;                               // no times: a closure
  int opens_s = 0, closes_s = 0;                     // seconds after local midnight
  bool AppliesOn(int64_t day) const;
};

}  // namespace wegwijzer

#endif  // WEGWIJZER_OPENING_HOURS_H_
