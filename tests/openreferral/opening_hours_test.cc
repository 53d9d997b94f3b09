#include "wegwijzer/opening_hours.h"

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "wegwijzer/v1/openreferral.pb.h"

namespace wegwijzer {
namespace {

using ::testing::HasSubstr;

// Unix seconds of a UTC wall-clock time, computed with <chrono> (independent of the
// code under test).
int64_t Utc(int y, int mo, int d, int h = 0, int mi = 0) {
  using namespace std::chrono;
  const sys_days days{year{y} / month{static_cast<unsigned>(mo)} / day{static_cast<unsigned>(d)}};
  return duration_cast<seconds>(days.time_since_epoch()).count() + h * 3600 + mi * 60;
}

v1::HsdsSchedule Row(std::string_view text_proto_like_byday, std::string_view opens, std::string_view closes,
                     std::string_view freq = "WEEKLY") {
  v1::HsdsSchedule s;
  s.set_id(std::string("sc-") + std::string(text_proto_like_byday));
  if (!freq.empty()) s.set_freq(std::string(freq));
  if (!text_proto_like_byday.empty()) s.set_byday(std::string(text_proto_like_byday));
  if (!opens.empty()) s.set_opens_at(std::string(opens));
  if (!closes.empty()) s.set_closes_at(std::string(closes));
  return s;
}

OpeningHours Hours(const std::vector<v1::HsdsSchedule>& rows, OpeningHours::Options options = {}) {
  std::vector<const v1::HsdsSchedule*> pointers;
  for (const auto& r : rows) pointers.push_back(&r);
  absl::StatusOr<OpeningHours> hours = OpeningHours::Create(pointers, std::move(options));
  EXPECT_TRUE(hours.ok()) << hours.status();
  return *std::move(hours);
}

TEST(CivilDate, AgreesWithChronoOnSeededRandomDays) {
  std::mt19937_64 rng(12);
  for (int i = 0; i < 20000; ++i) {
    const int64_t days = static_cast<int64_t>(rng() % 200000) - 100000;
    using namespace std::chrono;
    const year_month_day ymd{sys_days{std::chrono::days{days}}};
    const CivilDate expected{static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
                             static_cast<int>(static_cast<unsigned>(ymd.day()))};
    ASSERT_EQ(CivilFromDays(days), expected) << days;
    ASSERT_EQ(DaysFromCivil(expected), days);
    const weekday wd{sys_days{std::chrono::days{days}}};
    ASSERT_EQ(Weekday(expected), static_cast<int>(wd.iso_encoding()) - 1);
  }
  EXPECT_EQ(ParseIsoDate("2026-03-29"), (CivilDate{2026, 3, 29}));
  EXPECT_EQ(ParseIsoDate("2026-02-29"), std::nullopt);
  EXPECT_EQ(ParseIsoDate("2024-02-29"), (CivilDate{2024, 2, 29}));
  EXPECT_EQ(ParseIsoDate("2026-3-29"), std::nullopt);
}

TEST(DutchHolidays, EasterAndKoningsdag) {
  EXPECT_EQ(EasterSunday(2000), (CivilDate{2000, 4, 23}));
  EXPECT_EQ(EasterSunday(2019), (CivilDate{2019, 4, 21}));
  EXPECT_EQ(EasterSunday(2024), (CivilDate{2024, 3, 31}));
  EXPECT_EQ(EasterSunday(2025), (CivilDate{2025, 4, 20}));
  EXPECT_EQ(EasterSunday(2026), (CivilDate{2026, 4, 5}));
  EXPECT_EQ(EasterSunday(2038), (CivilDate{2038, 4, 25}));  // the latest possible
  EXPECT_EQ(EasterSunday(2285), (CivilDate{2285, 3, 22}));  // the earliest possible
  // 27 April 2025 is a Sunday: Koningsdag moves to Saturday 26 April.
  EXPECT_EQ(DutchPublicHolidayOn({2025, 4, 26}), DutchHoliday::kKoningsdag);
  EXPECT_EQ(DutchPublicHolidayOn({2025, 4, 27}), std::nullopt);
  EXPECT_EQ(DutchPublicHolidayOn({2026, 4, 27}), DutchHoliday::kKoningsdag);
  const auto h2026 = DutchPublicHolidays(2026);
  ASSERT_EQ(h2026.size(), 11u);
  EXPECT_EQ(DutchPublicHolidayOn({2026, 4, 3}), DutchHoliday::kGoedeVrijdag);
  EXPECT_EQ(DutchPublicHolidayOn({2026, 4, 6}), DutchHoliday::kTweedePaasdag);
  EXPECT_EQ(DutchPublicHolidayOn({2026, 5, 14}), DutchHoliday::kHemelvaartsdag);
  EXPECT_EQ(DutchPublicHolidayOn({2026, 5, 24}), DutchHoliday::kEerstePinksterdag);
  EXPECT_EQ(DutchPublicHolidayOn({2026, 5, 25}), DutchHoliday::kTweedePinksterdag);
  EXPECT_EQ(DutchPublicHolidayOn({2026, 5, 5}), DutchHoliday::kBevrijdingsdag);
  EXPECT_EQ(DutchPublicHolidayOn({2026, 12, 26}), DutchHoliday::kTweedeKerstdag);
  EXPECT_EQ(DutchHolidayName(DutchHoliday::kKoningsdag), "Koningsdag");
  for (size_t i = 1; i < h2026.size(); ++i) EXPECT_LT(h2026[i - 1].first, h2026[i].first);
}

TEST(AmsterdamTime, BothChangesOf2026) {
  // Summer time from Sunday 29 March 2026 01:00 UTC to Sunday 25 October 2026 01:00 UTC.
  EXPECT_EQ(AmsterdamUtcOffsetSeconds(Utc(2026, 3, 29, 1) - 1), 3600);
  EXPECT_EQ(AmsterdamUtcOffsetSeconds(Utc(2026, 3, 29, 1)), 7200);
  EXPECT_EQ(AmsterdamUtcOffsetSeconds(Utc(2026, 10, 25, 1) - 1), 7200);
  EXPECT_EQ(AmsterdamUtcOffsetSeconds(Utc(2026, 10, 25, 1)), 3600);
  EXPECT_EQ(AmsterdamUtcOffsetSeconds(Utc(2026, 7, 1)), 7200);
  EXPECT_EQ(AmsterdamUtcOffsetSeconds(Utc(2026, 1, 1)), 3600);
  const int64_t local_day = Utc(2026, 3, 29);  // local midnight as "local seconds"
  EXPECT_EQ(AmsterdamLocalToUnix(local_day + 1 * 3600 + 1800), Utc(2026, 3, 29, 0, 30));  // 01:30 CET
  EXPECT_EQ(AmsterdamLocalToUnix(local_day + 2 * 3600 + 1800), Utc(2026, 3, 29, 1, 30));  // gap: = 03:30 CEST
  EXPECT_EQ(AmsterdamLocalToUnix(local_day + 3 * 3600 + 1800), Utc(2026, 3, 29, 1, 30));  // 03:30 CEST
  const int64_t autumn = Utc(2026, 10, 25);
  EXPECT_EQ(AmsterdamLocalToUnix(autumn + 2 * 3600 + 1800), Utc(2026, 10, 25, 0, 30));  // first 02:30
  EXPECT_EQ(AmsterdamLocalToUnix(autumn + 3 * 3600 + 1800), Utc(2026, 10, 25, 2, 30));  // 03:30 CET
  EXPECT_EQ(FormatAmsterdamTime(Utc(2026, 4, 28, 7)), "Tuesday 2026-04-28 09:00");
}

TEST(OpeningHours, PastMidnight) {
  // Friday 22:00 - 02:00.
  OpeningHours hours = Hours({Row("FR", "22:00", "02:00")});
  // Friday 6 March 2026 (CET): 22:00 local = 21:00 UTC.
  EXPECT_FALSE(hours.IsOpenAt(Utc(2026, 3, 6, 20, 59)));
  EXPECT_TRUE(hours.IsOpenAt(Utc(2026, 3, 6, 21, 0)));
  EXPECT_TRUE(hours.IsOpenAt(Utc(2026, 3, 7, 0, 59)));   // Saturday 01:59 local
  EXPECT_FALSE(hours.IsOpenAt(Utc(2026, 3, 7, 1, 0)));   // Saturday 02:00 local: closed
  EXPECT_EQ(hours.NextOpening(Utc(2026, 3, 7, 1, 0)), Utc(2026, 3, 13, 21, 0));
  EXPECT_EQ(hours.NextOpening(Utc(2026, 3, 7, 0, 0)), Utc(2026, 3, 7, 0, 0));  // open now
}

TEST(OpeningHours, AcrossTheSpringChange) {
  // Saturday 22:00 to Sunday 04:00 across 29 March 2026: 22:00 CET to 04:00 CEST is
  // five real hours, not six.
  OpeningHours hours = Hours({Row("SA", "22:00", "04:00"), Row("SU", "10:00", "12:00")});
  const auto night = hours.IntervalsOn({2026, 3, 28});
  ASSERT_EQ(night.size(), 1u);
  EXPECT_EQ(night[0].first, Utc(2026, 3, 28, 21));
  EXPECT_EQ(night[0].second, Utc(2026, 3, 29, 2));
  EXPECT_EQ(night[0].second - night[0].first, 5 * 3600);
  EXPECT_TRUE(hours.IsOpenAt(Utc(2026, 3, 29, 1, 30)));   // 03:30 CEST
  EXPECT_FALSE(hours.IsOpenAt(Utc(2026, 3, 29, 2, 0)));   // 04:00 CEST
  // Sunday 10:00 CEST = 08:00 UTC, on the change day itself.
  EXPECT_FALSE(hours.IsOpenAt(Utc(2026, 3, 29, 7, 59)));
  EXPECT_TRUE(hours.IsOpenAt(Utc(2026, 3, 29, 8, 0)));
  EXPECT_FALSE(hours.IsOpenAt(Utc(2026, 3, 29, 10, 0)));
}

TEST(OpeningHours, HoursWhollyInTheSkippedSpringHourNeverOpen) {
  // Sunday 29 March 2026 02:30-03:30: 02:30 does not exist and reads as 03:30 CEST,
  // so the interval is empty. NextOpening agrees with IsOpenAt: no opening that
  // day (it used to answer 03:30 CEST, found by the router's pruning test).
  OpeningHours hours = Hours({Row("SU", "02:30", "03:30")});
  const auto day = hours.IntervalsOn({2026, 3, 29});
  ASSERT_EQ(day.size(), 1u);
  EXPECT_EQ(day[0].first, day[0].second);
  EXPECT_FALSE(hours.IsOpenAt(Utc(2026, 3, 29, 1, 30)));
  // Not Sunday 5 April either (Eerste Paasdag): 12 April 02:30 CEST.
  EXPECT_EQ(hours.NextOpening(Utc(2026, 3, 29, 0, 0)), Utc(2026, 4, 12, 0, 30));
  EXPECT_FALSE(hours.OpensWithinDays(Utc(2026, 3, 29, 0, 0), 1));
}

TEST(OpeningHours, AcrossTheAutumnChange) {
  // Saturday 24 October 22:00 CEST to Sunday 25 October 04:00 CET: seven real hours.
  OpeningHours hours = Hours({Row("SA", "22:00", "04:00"), Row("SU", "10:00", "12:00")});
  const auto night = hours.IntervalsOn({2026, 10, 24});
  ASSERT_EQ(night.size(), 1u);
  EXPECT_EQ(night[0].first, Utc(2026, 10, 24, 20));
  EXPECT_EQ(night[0].second, Utc(2026, 10, 25, 3));
  EXPECT_TRUE(hours.IsOpenAt(Utc(2026, 10, 25, 2, 30)));  // 03:30 CET
  EXPECT_FALSE(hours.IsOpenAt(Utc(2026, 10, 25, 3, 0)));
  EXPECT_TRUE(hours.IsOpenAt(Utc(2026, 10, 25, 9, 0)));   // Sunday 10:00 CET = 09:00 UTC
  EXPECT_FALSE(hours.IsOpenAt(Utc(2026, 10, 25, 8, 59)));
}

TEST(OpeningHours, KoningsdagOnAWeekdayNormallyOpen) {
  // Monday 27 April 2026 is Koningsdag; a Monday desk is closed then.
  OpeningHours hours = Hours({Row("MO", "09:00", "17:00")});
  EXPECT_TRUE(hours.IsOpenAt(Utc(2026, 4, 20, 8)));   // Monday 20 April, 10:00 CEST
  EXPECT_FALSE(hours.IsOpenAt(Utc(2026, 4, 27, 8)));  // Koningsdag
  // Next opening after Friday 24 April evening: Tuesday? No - Monday 4 May.
  EXPECT_EQ(hours.NextOpening(Utc(2026, 4, 24, 16)), Utc(2026, 5, 4, 7));
  // A provider that opens on holidays.
  OpeningHours open = Hours({Row("MO", "09:00", "17:00")}, {.closed_on_public_holidays = false});
  EXPECT_TRUE(open.IsOpenAt(Utc(2026, 4, 27, 8)));
  // 2025: Koningsdag is Saturday 26 April.
  OpeningHours saturday = Hours({Row("SA", "10:00", "14:00")});
  EXPECT_TRUE(saturday.IsOpenAt(Utc(2025, 4, 19, 9)));
  EXPECT_FALSE(saturday.IsOpenAt(Utc(2025, 4, 26, 9)));
  EXPECT_TRUE(saturday.IsOpenAt(Utc(2025, 5, 3, 9)));
  // Tweede Paasdag 2026 (Monday 6 April) closes the Monday desk too.
  EXPECT_FALSE(hours.IsOpenAt(Utc(2026, 4, 6, 8)));
}

TEST(OpeningHours, BevrijdingsdagIsTheProvidersChoice) {
  // 5 May 2026 is a Tuesday.
  OpeningHours open = Hours({Row("TU", "09:00", "12:00")});
  EXPECT_TRUE(open.IsOpenAt(Utc(2026, 5, 5, 8)));
  OpeningHours closed = Hours({Row("TU", "09:00", "12:00")}, {.closed_on_bevrijdingsdag = true});
  EXPECT_FALSE(closed.IsOpenAt(Utc(2026, 5, 5, 8)));
  EXPECT_EQ(FormatAmsterdamTime(*closed.NextOpening(Utc(2026, 5, 5, 8))), "Tuesday 2026-05-12 09:00");
}

TEST(OpeningHours, SplitShiftsClosuresAndExceptions) {
  std::vector<v1::HsdsSchedule> rows = {Row("MO,TU,WE,TH,FR", "09:00", "12:00"),
                                        Row("MO,TU,WE,TH,FR", "13:00", "17:00")};
  v1::HsdsSchedule short_days = Row("", "10:00", "12:00", "");
  short_days.set_id("x-mas");
  short_days.set_valid_from("2026-12-28");
  short_days.set_valid_to("2026-12-31");
  rows.push_back(short_days);
  v1::HsdsSchedule closed_day = Row("", "", "", "");
  closed_day.set_id("closed");
  closed_day.set_valid_from("2026-12-30");
  closed_day.set_valid_to("2026-12-30");
  rows.push_back(closed_day);
  OpeningHours hours = Hours(rows, {.closures = {{{2026, 7, 20}, {2026, 7, 31}}}});
  EXPECT_TRUE(hours.IsOpenAt(Utc(2026, 12, 1, 10)));      // Tuesday 11:00 CET
  EXPECT_FALSE(hours.IsOpenAt(Utc(2026, 12, 1, 11, 30)));  // lunch 12:30
  EXPECT_TRUE(hours.IsOpenAt(Utc(2026, 12, 1, 12, 0)));    // 13:00
  EXPECT_TRUE(hours.IsOpenAt(Utc(2026, 12, 29, 9, 30)));   // exception 10:30
  EXPECT_FALSE(hours.IsOpenAt(Utc(2026, 12, 29, 12, 30))); // 13:30, regular hours do not hold
  EXPECT_FALSE(hours.IsOpenAt(Utc(2026, 12, 30, 9, 30)));  // an exception closes the 30th
  EXPECT_FALSE(hours.IsOpenAt(Utc(2026, 7, 22, 8)));       // summer closure
  EXPECT_TRUE(hours.IsOpenAt(Utc(2026, 8, 3, 8)));
  EXPECT_TRUE(hours.OpensWithinDays(Utc(2026, 7, 29, 8), 6));
  EXPECT_FALSE(hours.OpensWithinDays(Utc(2026, 7, 20, 8), 3));
}

TEST(OpeningHours, MonthlyOrdinalsIntervalAndCount) {
  v1::HsdsSchedule second_monday = Row("2MO", "14:00", "16:00", "MONTHLY");
  v1::HsdsSchedule last_friday = Row("-1FR", "14:00", "16:00", "MONTHLY");
  OpeningHours monthly = Hours({second_monday, last_friday});
  EXPECT_TRUE(monthly.IsOpenAt(Utc(2026, 3, 9, 13)));    // 2nd Monday of March 2026
  EXPECT_FALSE(monthly.IsOpenAt(Utc(2026, 3, 2, 13)));
  EXPECT_TRUE(monthly.IsOpenAt(Utc(2026, 3, 27, 13)));   // last Friday
  EXPECT_FALSE(monthly.IsOpenAt(Utc(2026, 3, 20, 13)));
  EXPECT_TRUE(monthly.IsOpenAt(Utc(2026, 7, 31, 12)));   // last Friday of July (CEST)
  v1::HsdsSchedule day15 = Row("", "09:00", "10:00", "MONTHLY");
  day15.set_bymonthday("15,-1");
  OpeningHours by_day = Hours({day15});
  EXPECT_TRUE(by_day.IsOpenAt(Utc(2026, 2, 15, 8, 30)));
  EXPECT_TRUE(by_day.IsOpenAt(Utc(2026, 2, 28, 8, 30)));
  EXPECT_FALSE(by_day.IsOpenAt(Utc(2026, 2, 27, 8, 30)));
  // Every other Wednesday from 7 January 2026.
  v1::HsdsSchedule fortnight = Row("WE", "09:00", "11:00");
  fortnight.set_interval(2);
  fortnight.set_dtstart("2026-01-07");
  OpeningHours two = Hours({fortnight});
  EXPECT_TRUE(two.IsOpenAt(Utc(2026, 1, 7, 9)));
  EXPECT_FALSE(two.IsOpenAt(Utc(2026, 1, 14, 9)));
  EXPECT_TRUE(two.IsOpenAt(Utc(2026, 1, 21, 9)));
  EXPECT_FALSE(two.IsOpenAt(Utc(2025, 12, 24, 9)));  // before dtstart
  // Three Mondays from 5 January 2026, then no more.
  v1::HsdsSchedule three = Row("MO", "09:00", "11:00");
  three.set_dtstart("2026-01-05");
  three.set_count(3);
  OpeningHours counted = Hours({three});
  EXPECT_TRUE(counted.IsOpenAt(Utc(2026, 1, 19, 9)));
  EXPECT_FALSE(counted.IsOpenAt(Utc(2026, 1, 26, 9)));
  EXPECT_EQ(counted.NextOpening(Utc(2026, 1, 20, 9)), std::nullopt);
}

TEST(OpeningHours, InvalidInputs) {
  auto message = [](v1::HsdsSchedule s) {
    std::vector<const v1::HsdsSchedule*> rows = {&s};
    absl::StatusOr<OpeningHours> h = OpeningHours::Create(rows, {});
    return h.ok() ? std::string("ok") : std::string(h.status().message());
  };
  EXPECT_EQ(message(Row("MO", "9h", "12:00")), "schedule sc-MO: field \"opens_at\": \"9h\" is not a time (HH:MM[:SS])");
  EXPECT_EQ(message(Row("MO", "09:00", "25:00")), "schedule sc-MO: field \"closes_at\": \"25:00\" is not a time (HH:MM[:SS])");
  EXPECT_EQ(message(Row("MO", "09:00", "")), "schedule sc-MO: field \"closes_at\": \"\" is missing while opens_at is given");
  EXPECT_EQ(message(Row("XX", "09:00", "12:00")), "schedule sc-XX: field \"byday\": \"XX\" has an unknown day \"XX\"");
  EXPECT_EQ(message(Row("2MO", "09:00", "12:00")),
            "schedule sc-2MO: field \"byday\": \"2MO\" has an ordinal day, which needs freq MONTHLY");
  EXPECT_EQ(message(Row("9MO", "09:00", "12:00", "MONTHLY")), "schedule sc-9MO: field \"byday\": \"9MO\" has a bad ordinal \"9MO\"");
  EXPECT_EQ(message(Row("MO", "09:00", "12:00", "DAILY")), "schedule sc-MO: field \"freq\": \"DAILY\" is not WEEKLY or MONTHLY");
  v1::HsdsSchedule interval = Row("MO", "09:00", "12:00");
  interval.set_interval(2);
  EXPECT_EQ(message(interval), "schedule sc-MO: field \"interval\": \"2\" needs dtstart to count from");
  v1::HsdsSchedule date = Row("MO", "09:00", "12:00");
  date.set_valid_from("2026-13-01");
  EXPECT_EQ(message(date), "schedule sc-MO: field \"valid_from\": \"2026-13-01\" is not a date (YYYY-MM-DD)");
  v1::HsdsSchedule monthday = Row("", "09:00", "12:00", "MONTHLY");
  monthday.set_bymonthday("0");
  EXPECT_EQ(message(monthday), "schedule sc-: field \"bymonthday\": \"0\" has a bad day \"0\"");
  EXPECT_EQ(message(Row("MO", "09:00:00", "24:00")), "ok");
}

TEST(OpeningHours, TheHsdsSampleScheduleCompiles) {
  // The samples' row: WEEKLY TH,FR 10:00-18:00, valid 2005-01-01 only, count 3.
  v1::HsdsSchedule s = Row("TH,FR", "10:00:00", "18:00:00");
  s.set_valid_from("2005-01-01");
  s.set_valid_to("2005-01-01");
  s.set_dtstart("2005-01-01");
  s.set_until("2005-01-01");
  s.set_count(3);
  s.set_wkst("TU");
  s.set_bymonthday("2,3,4");
  OpeningHours hours = Hours({s});
  // 1 January 2005 was a Saturday: the row never opens.
  EXPECT_EQ(hours.NextOpening(Utc(2004, 12, 31), 30), std::nullopt);
}

}  // namespace
}  // namespace wegwijzer
