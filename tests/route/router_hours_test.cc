// The request extensions through the Router and the Matcher: opening hours (across
// midnight, both 2026 daylight-saving days, Koningsdag 2025 and 2026, a holiday on a
// weekday), age limits and fees; the texts of --explain; and a seeded property test
// against the brute-force oracle, which asks OpeningHours's own IsOpenAt /
// OpensWithinDays rather than the Directory's precomputed intervals.
#include <array>
#include <chrono>
#include <random>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "directory/directory_index.h"
#include "route/search.h"
#include "testing/brute_force.h"
#include "testing/random_instance.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/matcher.h"
#include "wegwijzer/opening_hours.h"
#include "wegwijzer/router.h"
#include "wegwijzer/v1/directory.pb.h"
#include "wegwijzer/v1/openreferral.pb.h"
#include "wegwijzer/v1/request.pb.h"

namespace wegwijzer {
namespace {

using ::testing::HasSubstr;

// Unix seconds of a UTC wall-clock time, from <chrono> (independent of the code).
int64_t Utc(int y, int mo, int d, int h = 0, int mi = 0) {
  using namespace std::chrono;
  const sys_days days{year{y} / month{static_cast<unsigned>(mo)} / day{static_cast<unsigned>(d)}};
  return duration_cast<seconds>(days.time_since_epoch()).count() + h * 3600 + mi * 60;
}

v1::HsdsSchedule Weekly(std::string byday, std::string opens, std::string closes) {
  v1::HsdsSchedule s;
  s.set_id("sc-" + byday + "-" + opens);
  s.set_freq("WEEKLY");
  s.set_byday(byday);
  s.set_opens_at(opens);
  s.set_closes_at(closes);
  return s;
}

// One in-person provider at (52, 5) helping with benefits.
v1::Provider Desk(std::string id, std::vector<v1::HsdsSchedule> hours = {}) {
  v1::Provider p;
  p.set_id(id);
  p.set_name(id);
  p.set_kind(v1::PROVIDER_KIND_IDO);
  p.add_topics(v1::TOPIC_BENEFITS);
  v1::Location* l = p.add_locations();
  l->set_id(id + "-centrum");
  l->mutable_position()->set_lat_deg(52);
  l->mutable_position()->set_lon_deg(5);
  for (v1::HsdsSchedule& s : hours) *l->add_schedules() = std::move(s);
  return p;
}

std::shared_ptr<const Directory> Make(std::vector<v1::Provider> providers,
                                      int64_t created = Utc(2026, 1, 1)) {
  v1::DirectorySnapshot snapshot;
  snapshot.set_created_unix_seconds(created);
  for (v1::Provider& p : providers) *snapshot.add_providers() = std::move(p);
  absl::StatusOr<std::shared_ptr<const Directory>> d = Directory::Create(snapshot);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *d : nullptr;
}

Request Asking(std::optional<int64_t> at, int within_days = 0) {
  Request r;
  r.id = "r1";
  r.position = {52.001, 5};
  r.topics = {Topic::kBenefits};
  r.at = at;
  r.within_days = within_days;
  return r;
}

TEST(RouterHours, KoningsdagMonday2026ClosesAWeekdayDeskUntilTuesday) {
  // Koningsdag 2026 is Monday 27 April (the 27th is no Sunday); CEST, UTC+2.
  Router router(Make({Desk("bieb", {Weekly("MO,TU,WE,TH,FR", "09:00", "17:00")})}));
  const int64_t at = Utc(2026, 4, 27, 8);  // 10:00 local
  RouteResult closed = router.Route(Asking(at));
  ASSERT_TRUE(closed.referrals.empty());
  EXPECT_EQ(closed.no_suitable_provider,
            "1 provider helps with benefits within reach, but it is closed until Tuesday "
            "2026-04-28 09:00 (asked for Monday 2026-04-27 10:00, Koningsdag)");
  RouteResult within = router.Route(Asking(at, 2));
  ASSERT_EQ(within.referrals.size(), 1u);
  EXPECT_EQ(within.referrals[0].next_opening, Utc(2026, 4, 28, 7));  // 09:00 CEST
  // One day: the window [Mon 10:00, Tue 10:00) holds Tuesday 09:00.
  EXPECT_EQ(router.Route(Asking(at, 1)).referrals.size(), 1u);
  // An ordinary Monday is open.
  RouteResult monday = router.Route(Asking(Utc(2026, 5, 4, 8)));
  ASSERT_EQ(monday.referrals.size(), 1u);
  EXPECT_EQ(monday.referrals[0].next_opening, Utc(2026, 5, 4, 8));
  // Without a time nothing changes, and no next opening is given.
  RouteResult any = router.Route(Asking(std::nullopt));
  ASSERT_EQ(any.referrals.size(), 1u);
  EXPECT_EQ(any.referrals[0].next_opening, std::nullopt);
}

TEST(RouterHours, KoningsdagSaturday2025AndAProviderOpenOnHolidays) {
  // 27 April 2025 is a Sunday, so Koningsdag is Saturday 26 April.
  v1::Provider closing = Desk("a", {Weekly("SA", "10:00", "14:00")});
  v1::Provider opening = Desk("b", {Weekly("SA", "10:00", "14:00")});
  opening.set_open_on_public_holidays(true);
  Router router(Make({closing, opening}, Utc(2025, 4, 1)));
  const int64_t at = Utc(2025, 4, 26, 9);  // 11:00 CEST
  RouteResult r = router.Route(Asking(at), {.k = 5});
  ASSERT_EQ(r.referrals.size(), 1u);
  EXPECT_EQ(router.directory().provider(r.referrals[0].provider).id, "b");
  RouteResult only_a = Router(Make({closing}, Utc(2025, 4, 1))).Route(Asking(at));
  EXPECT_EQ(only_a.no_suitable_provider,
            "1 provider helps with benefits within reach, but it is closed until Saturday "
            "2025-05-03 10:00 (asked for Saturday 2025-04-26 11:00, Koningsdag)");
}

TEST(RouterHours, HemelvaartsdagOnAThursdayAndBevrijdingsdagByTheProvidersRule) {
  // Easter 2026 is 5 April: Hemelvaartsdag is Thursday 14 May.
  v1::Provider desk = Desk("desk", {Weekly("MO,TU,WE,TH,FR", "09:00", "17:00")});
  Router router(Make({desk}));
  RouteResult r = router.Route(Asking(Utc(2026, 5, 14, 8)));
  EXPECT_EQ(r.no_suitable_provider,
            "1 provider helps with benefits within reach, but it is closed until Friday "
            "2026-05-15 09:00 (asked for Thursday 2026-05-14 10:00, Hemelvaartsdag)");
  // Bevrijdingsdag (Tuesday 5 May 2026) closes only a provider that says so.
  EXPECT_EQ(router.Route(Asking(Utc(2026, 5, 5, 8))).referrals.size(), 1u);
  desk.set_closed_on_bevrijdingsdag(true);
  EXPECT_TRUE(Router(Make({desk})).Route(Asking(Utc(2026, 5, 5, 8))).referrals.empty());
  // A closure range of the provider's own.
  v1::Provider closed = Desk("zomer", {Weekly("MO,TU,WE,TH,FR", "09:00", "17:00")});
  v1::ClosureRange* c = closed.add_closures();
  c->set_from_date("2026-07-20");
  c->set_to_date("2026-08-07");
  RouteResult summer = Router(Make({closed})).Route(Asking(Utc(2026, 7, 22, 8)));
  EXPECT_THAT(summer.no_suitable_provider, HasSubstr("closed until Monday 2026-08-10 09:00"));
}

TEST(RouterHours, HoursPastMidnight) {
  // Friday 22:00 to Saturday 02:00 (winter time, UTC+1).
  Router router(Make({Desk("nacht", {Weekly("FR", "22:00", "02:00")})}));
  const int64_t saturday_0130 = Utc(2026, 2, 14, 0, 30);
  RouteResult open = router.Route(Asking(saturday_0130));
  ASSERT_EQ(open.referrals.size(), 1u);
  EXPECT_EQ(open.referrals[0].next_opening, saturday_0130);
  RouteResult after = router.Route(Asking(Utc(2026, 2, 14, 1, 30)));  // 02:30 local
  EXPECT_THAT(after.no_suitable_provider, HasSubstr("closed until Friday 2026-02-20 22:00"));
  // Friday 21:00 local asks for within 1 day: opens an hour later.
  RouteResult later = router.Route(Asking(Utc(2026, 2, 13, 20), 1));
  ASSERT_EQ(later.referrals.size(), 1u);
  EXPECT_EQ(later.referrals[0].next_opening, Utc(2026, 2, 13, 21));
}

TEST(RouterHours, BothDaylightSavingDays2026) {
  // Spring, Sunday 29 March: 02:00-03:00 local does not exist. A desk open Sundays
  // 01:00-04:00 is open 00:00-01:00 UTC (CET) and 01:00-02:00 UTC (CEST): 2 hours.
  Router spring(Make({Desk("s", {Weekly("SU", "01:00", "04:00")})}));
  EXPECT_EQ(spring.Route(Asking(Utc(2026, 3, 29, 0, 30))).referrals.size(), 1u);
  EXPECT_EQ(spring.Route(Asking(Utc(2026, 3, 29, 1, 30))).referrals.size(), 1u);
  EXPECT_TRUE(spring.Route(Asking(Utc(2026, 3, 29, 2, 0))).referrals.empty());
  // "02:30" local that day does not exist and reads as 03:30 CEST (01:30 UTC).
  EXPECT_EQ(ParseRfc3339("2026-03-29T02:30"), Utc(2026, 3, 29, 1, 30));
  // Autumn, Sunday 25 October: 02:00-03:00 local happens twice. A desk open 02:00 to
  // 03:00 is open from the first 02:00 (00:00 UTC) to 03:00 CET (02:00 UTC).
  Router autumn(Make({Desk("a", {Weekly("SU", "02:00", "03:00")})}));
  EXPECT_EQ(autumn.Route(Asking(*ParseRfc3339("2026-10-25T02:30:00+02:00"))).referrals.size(), 1u);
  EXPECT_EQ(autumn.Route(Asking(*ParseRfc3339("2026-10-25T02:30:00+01:00"))).referrals.size(), 1u);
  EXPECT_TRUE(autumn.Route(Asking(*ParseRfc3339("2026-10-25T03:00:00+01:00"))).referrals.empty());
  EXPECT_TRUE(autumn.Route(Asking(Utc(2026, 10, 24, 23, 59))).referrals.empty());
}

TEST(RouterHours, OutsideThePrecomputedWindowTheAnswerIsTheSame) {
  // Created 2026-01-01: intervals are precomputed to early February 2027; 2030 is
  // answered from the rules.
  Router router(Make({Desk("bieb", {Weekly("MO,TU,WE,TH,FR", "09:00", "17:00")})}));
  // Koningsdag 2030 is Saturday 27 April... the 27th is a Saturday, so Koningsdag.
  // Monday 29 April 2030 10:00 CEST is an ordinary open Monday.
  RouteResult r = router.Route(Asking(Utc(2030, 4, 29, 8)));
  ASSERT_EQ(r.referrals.size(), 1u);
  EXPECT_EQ(r.referrals[0].next_opening, Utc(2030, 4, 29, 8));
  RouteResult christmas = router.Route(Asking(Utc(2030, 12, 25, 9), 3));  // Wednesday
  ASSERT_EQ(christmas.referrals.size(), 1u);
  EXPECT_EQ(christmas.referrals[0].next_opening, Utc(2030, 12, 27, 8));  // Friday 09:00 CET
}

TEST(RouterEligibility, AgeLimitsAndFeesWithTheirExplanations) {
  v1::Provider seniors = Desk("senioren");
  seniors.set_minimum_age(65);
  Router router(Make({seniors}));
  Request young = Asking(std::nullopt);
  young.age = 30;
  RouteResult r = router.Route(young);
  EXPECT_EQ(r.no_suitable_provider,
            "1 provider helps with benefits within reach, but it is only for 65+");
  EXPECT_EQ(router.Route(young, {.language = TextLanguage::kDutch}).no_suitable_provider,
            "1 aanbieder helpt met toeslagen binnen bereik, maar die is alleen voor 65+");
  Request old = young;
  old.age = 65;  // inclusive
  RouteResult ok = router.Route(old);
  ASSERT_EQ(ok.referrals.size(), 1u);
  EXPECT_THAT(router.Reasons(old, ok.referrals[0]), ::testing::Contains("for your age (65+)"));
  Request unknown = young;
  unknown.age.reset();  // an unknown age is not checked
  EXPECT_EQ(router.Route(unknown).referrals.size(), 1u);

  v1::Provider teens = Desk("jongeren");
  teens.set_minimum_age(12);
  teens.set_maximum_age(18);
  EXPECT_THAT(Router(Make({teens, seniors})).Route(young).no_suitable_provider,
              HasSubstr("none is for age 30"));

  v1::Provider paid = Desk("betaald");
  paid.set_charges_fee(true);
  Router fees(Make({paid}));
  Request poor = Asking(std::nullopt);
  poor.can_pay = false;
  EXPECT_EQ(fees.Route(poor).no_suitable_provider,
            "1 provider helps with benefits within reach, but it charges a fee and the "
            "resident cannot pay");
  EXPECT_EQ(fees.Route(Asking(std::nullopt)).referrals.size(), 1u);
}

TEST(RouterHours, APhoneLineClosedAtNightDoesNotTakeOverADistantDesk) {
  // A provider 30 km away that also answers the phone: by day the phone wins (class
  // 1); at night the phone line is closed and the desk (open around the clock: no
  // hours at the location) is referred to in person.
  v1::Provider p = Desk("ver");
  p.mutable_locations(0)->mutable_position()->set_lat_deg(52.27);
  p.add_modes(v1::MODE_IN_PERSON);
  p.add_modes(v1::MODE_PHONE);
  *p.add_schedules() = Weekly("MO,TU,WE,TH,FR", "09:00", "17:00");
  p.mutable_locations(0)->add_schedules()->CopyFrom(Weekly("MO,TU,WE,TH,FR,SA,SU", "00:00", "24:00"));
  Router router(Make({p}));
  Request r = Asking(Utc(2026, 2, 10, 10));  // Tuesday 11:00 CET
  r.max_km = 50;
  RouteResult day = router.Route(r);
  ASSERT_EQ(day.referrals.size(), 1u);
  EXPECT_EQ(day.referrals[0].mode, Mode::kPhone);
  r.at = Utc(2026, 2, 10, 22);  // 23:00 CET
  RouteResult night = router.Route(r);
  ASSERT_EQ(night.referrals.size(), 1u);
  EXPECT_EQ(night.referrals[0].mode, Mode::kInPerson);
  const auto oracle = testing::BruteForceRoute(router.directory().snapshot(), r, 5);
  ASSERT_EQ(oracle.size(), 1u);
  EXPECT_EQ(oracle[0].mode, "in_person");
}

TEST(RouterHours, RouteCsvGainsNextOpeningOnlyWithTimes) {
  Router router(Make({Desk("bieb", {Weekly("MO,TU,WE,TH,FR", "09:00", "17:00")})}));
  std::vector<Request> requests = {Asking(Utc(2026, 4, 27, 8), 2)};
  std::vector<RouteResult> results = {router.Route(requests[0])};
  EXPECT_EQ(FormatRouteCsv(router.directory(), requests, results),
            "request_id,rank,provider_id,mode,distance_m,next_opening\n"
            "r1,1,bieb/bieb-centrum,in_person,111,2026-04-28T09:00:00+02:00\n");
  requests[0].at.reset();
  requests[0].within_days = 0;
  results = {router.Route(requests[0])};
  EXPECT_EQ(FormatRouteCsv(router.directory(), requests, results),
            "request_id,rank,provider_id,mode,distance_m\nr1,1,bieb/bieb-centrum,in_person,111\n");
}

TEST(RouterHours, RequestsCsvColumnsAndTheirBadRows) {
  absl::StatusOr<RequestsCsv> ok = ParseRequestsCsv(
      "id,lat,lon,topics,age,can_pay,at,within_days\n"
      "a,52,5,benefits,70,false,2026-04-27T10:00,2\n"
      "b,52,5,benefits,,,2026-04-27T10:00:00Z,\n"
      "c,52,5,benefits,,yes,,\n",
      "requests.csv");
  ASSERT_TRUE(ok.ok()) << ok.status();
  ASSERT_EQ(ok->requests.size(), 3u);
  EXPECT_EQ(ok->requests[0].age, 70);
  EXPECT_FALSE(ok->requests[0].can_pay);
  EXPECT_EQ(ok->requests[0].at, Utc(2026, 4, 27, 8));
  EXPECT_EQ(ok->requests[0].within_days, 2);
  EXPECT_EQ(ok->requests[1].at, Utc(2026, 4, 27, 10));
  EXPECT_TRUE(ok->requests[2].can_pay);
  EXPECT_EQ(ok->requests[2].at, std::nullopt);
  // Written back and read again: the same requests.
  absl::StatusOr<RequestsCsv> again = ParseRequestsCsv(FormatRequestsCsv(ok->requests), "b.csv");
  ASSERT_TRUE(again.ok()) << again.status();
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(again->requests[i].age, ok->requests[i].age);
    EXPECT_EQ(again->requests[i].can_pay, ok->requests[i].can_pay);
    EXPECT_EQ(again->requests[i].at, ok->requests[i].at);
    EXPECT_EQ(again->requests[i].within_days, ok->requests[i].within_days);
  }
  const std::pair<std::string, std::string> bad[] = {
      {"age\n151", "requests.csv:2: bad row: age: '151' is outside 0..150"},
      {"age\n-1", "age"},
      {"age\nten", "age"},
      {"can_pay\nmaybe", "can_pay: 'maybe' is not true or false"},
      {"at\n2026-02-30T10:00", "at: '2026-02-30T10:00' is not an RFC 3339 time"},
      {"at\n2026-04-27 25:00", "at: '2026-04-27 25:00' is not an RFC 3339 time"},
      {"at\n2026-04-27T10:00+19:00", "is not an RFC 3339 time"},
      // A year is four ASCII digits, and an `at` lies in years 1900 to 8999.
      {"at\n-999-01-01T10:00", "at: '-999-01-01T10:00' is not an RFC 3339 time"},
      {"at\n+999-01-01T10:00", "is not an RFC 3339 time"},
      {"at\n 999-01-01T10:00", "is not an RFC 3339 time"},
      {"at\n9999-12-31T23:00Z", "at: '9999-12-31T23:00Z' is outside years 1900 to 8999"},
      {"at\n1899-12-31T23:00Z", "is outside years 1900 to 8999"},
      {"within_days\n2", "within_days: given without at"},
      {"at,within_days\n2026-04-27T10:00,367", "within_days: '367' is outside 0..366"},
  };
  for (const auto& [columns, message] : bad) {
    const size_t nl = columns.find('\n');
    const std::string csv = "id,lat,lon,topics," + columns.substr(0, nl) + "\nx,52,5,benefits," +
                            columns.substr(nl + 1) + "\n";
    absl::StatusOr<RequestsCsv> r = ParseRequestsCsv(csv, "requests.csv");
    ASSERT_FALSE(r.ok()) << csv;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(message)) << csv;
  }
  Request r = Asking(std::nullopt, 3);
  EXPECT_THAT(std::string(r.Validate().message()), HasSubstr("within_days is given without at"));
  r = Asking(std::nullopt);
  r.age = 200;
  EXPECT_THAT(std::string(r.Validate().message()), HasSubstr("age 200 is outside 0..150"));
  // From the protobuf form an `at` near INT64_MAX is refused, not overflowed.
  r = Asking(std::numeric_limits<int64_t>::max() - 10);
  EXPECT_THAT(std::string(r.Validate().message()), HasSubstr("is outside years 1900 to 8999"));
  r = Asking(Utc(8999, 12, 31, 23), 366);
  EXPECT_TRUE(r.Validate().ok()) << r.Validate();
  // The protobuf form carries them.
  Request full = Asking(Utc(2026, 4, 27, 8), 4);
  full.age = 12;
  full.can_pay = false;
  v1::Request proto;
  full.ToProto(&proto);
  absl::StatusOr<Request> back = Request::FromProto(proto);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->age, 12);
  EXPECT_FALSE(back->can_pay);
  EXPECT_EQ(back->at, full.at);
  EXPECT_EQ(back->within_days, 4);
}

TEST(RouterHours, BadHoursAndAgesInASnapshotNameTheProvider) {
  v1::Provider p = Desk("x", {Weekly("MO", "9 uur", "17:00")});
  v1::DirectorySnapshot s;
  *s.add_providers() = p;
  absl::StatusOr<std::shared_ptr<const Directory>> d = Directory::Create(s);
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(std::string(d.status().message()),
              HasSubstr("provider #1 'x': location 'x-centrum': "));
  p = Desk("y");
  p.set_minimum_age(20);
  p.set_maximum_age(10);
  *s.mutable_providers(0) = p;
  EXPECT_THAT(std::string(Directory::Create(s).status().message()),
              HasSubstr("minimum_age 20 is above maximum_age 10"));
  p = Desk("z");
  p.add_closures()->set_from_date("2026-13-01");
  *p.mutable_locations(0)->add_schedules() = Weekly("MO", "09:00", "17:00");
  *s.mutable_providers(0) = p;
  EXPECT_THAT(std::string(Directory::Create(s).status().message()),
              HasSubstr("closure '2026-13-01' is not a date"));
}

// ---- seeded property test against the oracle, and the matcher's agreement

// Decorates a random instance with hours, ages and fees, and its requests with
// times, ages and whether they can pay.
void Decorate(uint32_t seed, testing::Instance* instance) {
  std::mt19937 rng(seed * 7919u + 1);
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  const std::vector<std::vector<v1::HsdsSchedule>> templates = {
      {},
      {Weekly("MO,TU,WE,TH,FR", "09:00", "17:00")},
      {Weekly("MO,TU,WE,TH,FR", "09:00", "12:00"), Weekly("MO,TU,WE,TH,FR", "13:00", "17:00")},
      {Weekly("TU,TH", "13:00", "21:00")},
      {Weekly("FR,SA", "22:00", "02:00")},
      {Weekly("SU", "01:00", "04:00")},
      {Weekly("SA", "10:00", "14:00")},
  };
  instance->snapshot.set_created_unix_seconds(Utc(2026, 1, 1));
  for (v1::Provider& p : *instance->snapshot.mutable_providers()) {
    for (const v1::HsdsSchedule& s : templates[pick(templates.size())]) *p.add_schedules() = s;
    for (v1::Location& l : *p.mutable_locations()) {
      if (pick(2) == 0) {
        for (const v1::HsdsSchedule& s : templates[pick(templates.size())]) *l.add_schedules() = s;
      }
    }
    if (pick(6) == 0) p.set_open_on_public_holidays(true);
    if (pick(8) == 0) p.set_closed_on_bevrijdingsdag(true);
    if (pick(5) == 0) p.set_minimum_age(pick(3) == 0 ? 65 : 18);
    if (pick(6) == 0) p.set_maximum_age(pick(2) == 0 ? 17 : 27);
    if (p.has_minimum_age() && p.has_maximum_age() && p.minimum_age() > p.maximum_age()) {
      p.clear_maximum_age();
    }
    if (pick(5) == 0) p.set_charges_fee(true);
  }
  // Times around the awkward days, and some outside the precomputed window.
  const int64_t days[] = {Utc(2026, 3, 28), Utc(2026, 3, 29), Utc(2026, 4, 27),
                          Utc(2026, 5, 5),  Utc(2026, 5, 14), Utc(2026, 10, 25),
                          Utc(2026, 12, 24), Utc(2025, 4, 26), Utc(2028, 4, 27)};
  for (Request& r : instance->requests) {
    if (pick(5) != 0) r.at = days[pick(std::size(days))] + pick(48) * 1800 - 3600;
    if (r.at && pick(2) == 0) r.within_days = pick(8);
    if (pick(3) == 0) r.age = pick(90);
    if (pick(4) == 0) r.can_pay = false;
  }
}

std::vector<testing::OracleReferral> ToOracleForm(const Router& router, const RouteResult& result) {
  std::vector<testing::OracleReferral> out;
  for (const Referral& r : result.referrals) {
    const ProviderInfo& p = router.directory().provider(r.provider);
    out.push_back({p.id, r.location.has_value() ? p.locations[r.location.value()].id : "",
                   std::string(ModeCode(r.mode)), r.cost_m, r.is_remote() ? 1 : 0});
  }
  return out;
}

TEST(RouterHoursProperty, EqualsBruteForceOn200DecoratedInstances) {
  int compared = 0, nonempty = 0, timed_nonempty = 0, excluded = 0;
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    testing::Instance instance = testing::MakeInstance(seed);
    Decorate(seed, &instance);
    auto directory = Directory::Create(instance.snapshot);
    ASSERT_TRUE(directory.ok()) << seed << ": " << directory.status();
    Router router(*directory);
    for (const Request& request : instance.requests) {
      ASSERT_TRUE(request.Validate().ok()) << request.Validate();
      for (int k : {1, 5, 50}) {
        const auto expected = testing::BruteForceRoute(instance.snapshot, request, k);
        const RouteResult result = router.Route(request, {.k = k, .explain_no_match = false});
        ASSERT_EQ(ToOracleForm(router, result), expected)
            << "seed " << seed << " request " << request.id << " k " << k;
        ++compared;
        nonempty += !expected.empty();
        if (request.at && !expected.empty()) ++timed_nonempty;
        if (k == 50 && (request.at || request.age || !request.can_pay)) {
          Request plain = request;
          plain.at.reset();
          plain.within_days = 0;
          plain.age.reset();
          plain.can_pay = true;
          excluded += testing::BruteForceRoute(instance.snapshot, plain, k).size() >
                      expected.size();
        }
        // A timed referral's next opening lies in the window and is open then.
        for (const Referral& ref : result.referrals) {
          if (!request.at || !ref.next_opening) continue;
          ASSERT_GE(*ref.next_opening, *request.at);
          ASSERT_LT(*ref.next_opening,
                    *request.at + std::max<int64_t>(request.within_days * 86400LL, 1));
        }
      }
    }
  }
  EXPECT_GT(nonempty, compared / 4);
  EXPECT_GT(timed_nonempty, 300);
  EXPECT_GT(excluded, 300);  // the extensions do exclude providers
}

// ---- pruning by hours of the week (DirectoryIndex::tree_week) against the oracle

// Hours of the week of `t` (0 = Monday 00:00-01:00 Amsterdam time), from <chrono>
// and the public offset rather than the index's HoursWindow.
int HourOfWeek(int64_t t) {
  using namespace std::chrono;
  const int64_t local = t + AmsterdamUtcOffsetSeconds(t);
  const sys_seconds s{seconds{local}};
  const sys_days day = floor<days>(s);
  const int weekday = static_cast<int>(weekday_indexed(year_month_weekday(day).weekday_indexed())
                                           .weekday()
                                           .iso_encoding()) - 1;  // Monday 0
  return weekday * 24 + static_cast<int>(duration_cast<hours>(s - day).count());
}

// One line per referral, so that a difference reads as one.
std::string Text(const std::vector<testing::OracleReferral>& referrals) {
  std::string out;
  for (const auto& r : referrals) {
    out += absl::StrFormat("%s/%s %s %d class %d\n", r.provider_id, r.location_id, r.mode,
                           r.cost_m, r.klass);
  }
  return out;
}

bool HasHour(const internal::WeekHours& w, int h) { return (w.bits[h / 64] >> (h % 64)) & 1; }

v1::HsdsSchedule OnDate(std::string date, std::string opens, std::string closes) {
  v1::HsdsSchedule s = Weekly("MO,TU,WE,TH,FR,SA,SU", opens, closes);
  s.set_id("sc-" + date + "-" + opens);
  s.set_valid_from(date);
  s.set_valid_to(date);
  return s;
}

// Three towns whose locations share their kind of hours, so whole subtrees are
// closed at times, each with a few locations that open rarely: only on the autumn
// daylight-saving night, only on the last Friday of the month, only on Koningsdag
// (a provider open on holidays), or on Mondays but closed on Koningsdag.
v1::DirectorySnapshot ClusteredTowns(uint32_t seed) {
  std::mt19937 rng(seed);
  auto uniform = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  v1::HsdsSchedule last_friday = Weekly("-1FR", "20:00", "23:00");
  last_friday.set_freq("MONTHLY");
  const struct {
    double lat, lon;
    std::vector<v1::HsdsSchedule> hours;
  } towns[] = {
      {52.0, 5.0, {Weekly("MO,TU,WE,TH,FR", "09:00", "17:00")}},
      {52.3, 5.0, {Weekly("SU", "01:00", "04:00")}},
      {52.0, 5.4, {Weekly("SA", "10:00", "14:00")}},
  };
  const std::vector<std::vector<v1::HsdsSchedule>> rare = {
      {OnDate("2026-10-25", "02:00", "03:00")},
      {OnDate("2026-03-29", "02:30", "03:30")},
      {last_friday},
      {OnDate("2026-04-27", "10:00", "12:00")},
      {Weekly("MO", "10:00", "12:00")},
  };
  v1::DirectorySnapshot snapshot;
  snapshot.set_created_unix_seconds(Utc(2026, 1, 1));
  int n = 0;
  for (const auto& town : towns) {
    for (int i = 0; i < 150; ++i, ++n) {
      v1::Provider* p = snapshot.add_providers();
      p->set_id(absl::StrFormat("p%04d", (n * 7919) % 10007));
      p->set_name(p->id());
      p->set_kind(v1::PROVIDER_KIND_OTHER);
      p->add_topics(v1::TOPIC_BENEFITS);
      p->add_languages("nl");
      p->add_modes(v1::MODE_IN_PERSON);
      const bool odd = rng() % 25 == 0;
      const std::vector<v1::HsdsSchedule>& hours = odd ? rare[rng() % rare.size()] : town.hours;
      for (const v1::HsdsSchedule& s : hours) *p->add_schedules() = s;
      if (odd && hours[0].valid_from() == "2026-04-27") p->set_open_on_public_holidays(true);
      const int locations = 1 + static_cast<int>(rng() % 2);
      for (int l = 0; l < locations; ++l) {
        v1::Location* loc = p->add_locations();
        loc->set_id(absl::StrFormat("l%d", l));
        loc->mutable_position()->set_lat_deg(town.lat + uniform(-0.02, 0.02));
        loc->mutable_position()->set_lon_deg(town.lon + uniform(-0.03, 0.03));
        // A location of its own that opens rarely, inside a town that does not.
        if (rng() % 30 == 0) {
          for (const v1::HsdsSchedule& s : rare[rng() % rare.size()]) *loc->add_schedules() = s;
        }
      }
    }
  }
  return snapshot;
}

// The referral's location has hours of ClusteredTowns's `rare` kind.
bool OpensRarely(const v1::DirectorySnapshot& snapshot, const testing::OracleReferral& r) {
  for (const v1::Provider& p : snapshot.providers()) {
    if (p.id() != r.provider_id) continue;
    for (const v1::Location& l : p.locations()) {
      if (l.id() != r.location_id) continue;
      const auto& rows = l.schedules_size() > 0 ? l.schedules() : p.schedules();
      return rows.size() == 1 && (rows[0].has_valid_from() || rows[0].freq() == "MONTHLY" ||
                                  rows[0].byday() == "MO");
    }
  }
  return false;
}

TEST(RouterHoursPruning, EveryTimetablesWeekHoursCoverEveryMomentItIsOpen) {
  auto directory = Directory::Create(ClusteredTowns(1));
  ASSERT_TRUE(directory.ok()) << directory.status();
  const internal::DirectoryIndex& index = (*directory)->index();
  ASSERT_GE(index.timetables.size(), 6u);
  // Every quarter hour of the precomputed window (it holds both 2026 changes).
  int open_moments = 0;
  for (const internal::Timetable& t : index.timetables) {
    ASSERT_EQ(t.window_from, index.hours_window.from);
    for (int64_t m = t.window_from; m < t.window_to; m += 900) {
      if (!t.hours.IsOpenAt(m)) continue;
      ++open_moments;
      ASSERT_TRUE(HasHour(t.week, HourOfWeek(m))) << FormatAmsterdamTime(m);
    }
  }
  EXPECT_GT(open_moments, 1000);
  // A node's hours are the union of its entries' (an entry without hours: all).
  for (size_t node = 0; node < index.tree.size(); ++node) {
    for (uint32_t i = index.tree[node].begin; i < index.tree[node].end; ++i) {
      const uint32_t h = index.physical.hours[i];
      const internal::WeekHours entry =
          h == internal::kNoHours ? internal::WeekHours::All() : index.timetables[h].week;
      for (int hour = 0; hour < internal::WeekHours::kHours; ++hour) {
        if (HasHour(entry, hour)) {
          ASSERT_TRUE(HasHour(index.tree_week[node], hour));
        }
      }
    }
  }
  // The offsets of the window agree with the public function.
  for (int64_t m = index.hours_window.from; m < index.hours_window.to; m += 1800) {
    ASSERT_EQ(index.hours_window.OffsetAt(m), AmsterdamUtcOffsetSeconds(m));
  }
  EXPECT_EQ(index.hours_window.changes.size(), 2u);  // March and October 2026
}

// Timetable::NextOpen (the precomputed intervals through the day index; the rules
// outside the window) against OpeningHours::NextOpening, the rules themselves: every
// timetable of the clustered towns, and desks with five shifts a day, one past
// midnight, one open only on Koningsdag, one around the clock; moments across the
// window and both daylight-saving days, and deadlines from a second to nine days
// (some beyond the window).
TEST(RouterHoursPruning, TimetableNextOpenEqualsTheRules) {
  v1::DirectorySnapshot snapshot = ClusteredTowns(3);
  std::vector<v1::Provider> extra = {
      Desk("shifts", {Weekly("MO,TU,WE,TH,FR", "07:00", "08:00"),
                      Weekly("MO,TU,WE,TH,FR", "09:00", "10:00"),
                      Weekly("MO,TU,WE,TH,FR", "11:00", "12:00"),
                      Weekly("MO,TU,WE,TH,FR", "13:00", "14:00"),
                      Weekly("MO,WE,FR", "15:00", "16:30")}),
      Desk("night", {Weekly("TH,FR,SA", "22:00", "02:00")}),
      Desk("koningsdag", {OnDate("2026-04-27", "10:00", "16:00")}),
      Desk("always", {Weekly("MO,TU,WE,TH,FR,SA,SU", "00:00", "24:00")})};
  for (v1::Provider& p : extra) *snapshot.add_providers() = std::move(p);
  auto directory = Directory::Create(snapshot);
  ASSERT_TRUE(directory.ok()) << directory.status();
  const internal::DirectoryIndex& index = (*directory)->index();
  ASSERT_GE(index.timetables.size(), 10u);
  for (const internal::Timetable& t : index.timetables) {
    ASSERT_EQ(t.window_from, index.hours_window.from);  // every one precomputed
  }
  std::mt19937_64 rng(11);
  const int64_t from = index.hours_window.from, to = index.hours_window.to;
  std::vector<int64_t> moments = {from, to - 1, Utc(2026, 3, 29, 0, 59), Utc(2026, 3, 29, 1),
                                  Utc(2026, 10, 25, 0, 30), Utc(2026, 10, 25, 1, 30),
                                  Utc(2026, 4, 26, 22), Utc(2026, 4, 27, 14)};
  for (int i = 0; i < 3000; ++i) {
    int64_t m = from + static_cast<int64_t>(rng() % static_cast<uint64_t>(to - from));
    if (i % 3 == 0) m -= m % 900;  // on a quarter hour, where intervals begin and end
    moments.push_back(m);
  }
  int open = 0, compared = 0;
  for (const internal::Timetable& t : index.timetables) {
    for (int64_t m : moments) {
      for (int64_t span : {int64_t{1}, int64_t{3600}, int64_t{86400}, int64_t{3 * 86400},
                           int64_t{9 * 86400}}) {
        const int64_t deadline = std::min(m + span, to + 30 * 86400);
        std::optional<int64_t> expected =
            t.hours.NextOpening(m, static_cast<int>(span / 86400 + 2));
        if (expected && *expected >= deadline) expected.reset();
        ASSERT_EQ(t.NextOpen(m, deadline), expected)
            << FormatAmsterdamTime(m) << " + " << span << " s";
        open += expected.has_value();
        ++compared;
      }
    }
  }
  EXPECT_GT(open, compared / 4);
  EXPECT_LT(open, compared);
}

TEST(RouterHoursPruning, AddRangeWrapsTheWeek) {
  for (int64_t first : {-200, -1, 0, 95, 100, 167, 1000}) {
    for (int64_t count : {0, 1, 2, 63, 64, 65, 100, 167, 168, 500}) {
      internal::WeekHours w;
      w.AddRange(first, count);
      for (int hour = 0; hour < 168; ++hour) {
        bool expected = false;  // hour h of the week is local hour 72 + h (mod 168)
        for (int64_t i = 0; i < std::min<int64_t>(count, 168); ++i) {
          expected = expected || (((first + i + 72) % 168 + 168) % 168) == hour;
        }
        ASSERT_EQ(HasHour(w, hour), expected) << first << " " << count << " " << hour;
      }
      ASSERT_EQ(w.bits[2] >> 40, 0u);  // nothing beyond hour 167
    }
  }
}

TEST(RouterHoursPruning, EqualsBruteForceOnClusteredTownsAtAwkwardTimes) {
  int compared = 0, pruned_requests = 0, rare_found = 0;
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    const v1::DirectorySnapshot snapshot = ClusteredTowns(seed);
    auto directory = Directory::Create(snapshot);
    ASSERT_TRUE(directory.ok()) << directory.status();
    Router router(*directory);
    std::mt19937 rng(seed + 100);
    // Local times, as ParseRfc3339 reads them: both change nights hour by hour,
    // Koningsdag, last Fridays, an ordinary weekday night, before the window and
    // after it.
    std::vector<int64_t> times;
    for (int half_hour = 0; half_hour < 12; ++half_hour) {
      const std::string hh = absl::StrFormat("%02d:%02d", half_hour / 2, half_hour % 2 * 30);
      times.push_back(*ParseRfc3339("2026-03-29T" + hh + ":00+01:00"));
      times.push_back(*ParseRfc3339("2026-10-25T" + hh + ":00+02:00"));
      times.push_back(*ParseRfc3339("2026-10-25T" + hh + ":00+01:00"));
    }
    for (const char* t : {"2026-04-27T09:30", "2026-04-27T10:30", "2026-04-27T11:59",
                          "2026-05-04T10:30", "2026-05-29T21:00", "2026-06-26T20:00",
                          "2026-06-25T21:00", "2026-06-24T03:00", "2026-12-25T10:00",
                          "2026-01-04T02:00", "2025-12-20T10:00", "2027-06-01T10:00"}) {
      times.push_back(*ParseRfc3339(t));
    }
    for (int i = 0; i < 120; ++i) {
      Request r;
      r.id = absl::StrFormat("r%d", i);
      const int town = static_cast<int>(rng() % 4);  // 3: between the towns
      r.position = town == 3 ? LatLng{52.1, 5.2}
                             : LatLng{std::array{52.0, 52.3, 52.0}[town] +
                                          std::uniform_real_distribution<double>(-0.05, 0.05)(rng),
                                      std::array{5.0, 5.0, 5.4}[town]};
      r.topics = {Topic::kBenefits};
      r.max_km = 60;
      r.at = times[rng() % times.size()];
      r.within_days = std::array{0, 0, 0, 0, 1, 2, 6, 7}[rng() % 8];
      ASSERT_TRUE(r.Validate().ok()) << r.Validate();
      const internal::Query q = internal::CompileQuery(r, (*directory)->index());
      bool pruned = false;
      // A leaf the search skips (the search asks the root and the leaves).
      for (size_t node = 0; node < (*directory)->index().tree.size(); ++node) {
        pruned = pruned || ((*directory)->index().tree[node].left == 0 && q.by_week &&
                            !(*directory)->index().tree_week[node].Intersects(q.week));
      }
      pruned_requests += pruned;
      for (int k : {1, 5, 50}) {
        const auto expected = testing::BruteForceRoute(snapshot, r, k);
        const RouteResult result = router.Route(r, {.k = k, .explain_no_match = false});
        ASSERT_EQ(Text(ToOracleForm(router, result)), Text(expected))
            << "seed " << seed << " request " << r.id << " at " << FormatRfc3339Amsterdam(*r.at)
            << " within " << r.within_days << " k " << k;
        ++compared;
        // Referrals to a location that opens rarely (the test does reach them).
        for (const auto& ref : expected) rare_found += OpensRarely(snapshot, ref);
      }
    }
  }
  EXPECT_EQ(compared, 3 * 120 * 3);
  EXPECT_GT(pruned_requests, 150);  // of 360: the pruning is exercised, not only allowed
  EXPECT_GT(rare_found, 100);
}

TEST(MatcherHours, AssignsOnlyWhatTheRouterFindsSuitable) {
  int assigned = 0, unsuitable = 0;
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    testing::Instance instance = testing::MakeInstance(seed, 40, 30);
    Decorate(seed, &instance);
    auto directory = Directory::Create(instance.snapshot);
    ASSERT_TRUE(directory.ok()) << directory.status();
    Router router(*directory);
    Matcher matcher(*directory);
    const MatchPlan plan = matcher.Match(instance.requests);
    for (size_t i = 0; i < instance.requests.size(); ++i) {
      const Request& request = instance.requests[i];
      const auto suitable = testing::BruteForceRoute(instance.snapshot, request, 1000);
      const PlanLine& line = plan.lines[i];
      if (suitable.empty()) {
        ASSERT_FALSE(line.assigned()) << "seed " << seed << " " << request.id;
        EXPECT_EQ(line.reason, UnassignedReason::kNoSuitableProvider);
        ++unsuitable;
        continue;
      }
      if (!line.assigned()) continue;
      ++assigned;
      const ProviderInfo& p = (*directory)->provider(*line.provider);
      const std::string location =
          line.location.has_value() ? p.locations[line.location.value()].id : "";
      bool found = false;
      for (const auto& s : suitable) {
        found = found || (s.provider_id == p.id && s.location_id == location &&
                          s.mode == ModeCode(line.mode) && s.cost_m == line.cost_m);
      }
      ASSERT_TRUE(found) << "seed " << seed << " " << request.id << " got " << p.id << "/"
                         << location;
    }
  }
  EXPECT_GT(assigned, 500);
  EXPECT_GT(unsuitable, 50);
}

}  // namespace
}  // namespace wegwijzer
