#include "wegwijzer/router.h"

#include <cmath>
#include <numbers>

#include "gtest/gtest.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/v1/directory.pb.h"
#include "wegwijzer/v1/request.pb.h"

namespace wegwijzer {
namespace {

// Degrees of latitude that make `metres` along a meridian on the contract's sphere.
double LatDegreesFor(double metres) {
  return metres / (kEarthRadiusMeters * std::numbers::pi / 180);
}

std::shared_ptr<const Directory> FromCsv(const std::string& csv) {
  absl::StatusOr<ProvidersCsv> parsed = ParseProvidersCsv(csv, "fixture.csv");
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? parsed->directory : nullptr;
}

Request At(double lat, double lon, TopicSet topics = {Topic::kBenefits}) {
  Request r;
  r.id = "r";
  r.position = {lat, lon};
  r.topics = topics;
  return r;
}

struct Row {
  std::string provider;
  Mode mode;
  int64_t cost;
  bool operator==(const Row&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Row& r) {
  return os << r.provider << "/" << ModeCode(r.mode) << "/" << r.cost;
}

std::vector<Row> Rows(const Router& router, const Request& r, int k = 5) {
  std::vector<Row> rows;
  for (const Referral& ref : router.Route(r, {.k = k}).referrals) {
    rows.push_back({router.directory().provider(ref.provider).id, ref.mode, ref.cost_m});
  }
  return rows;
}

TEST(Router, PhoneBeatsADistantVisitAndRanksInTheRemoteClass) {
  // The contract's example: a provider 30 km away that also answers the phone is used
  // by phone (25,000 < 30,000), and then ranks after every physical referral.
  const double lat30 = 52 + LatDegreesFor(30000);
  Router router(FromCsv(
      "id,kind,lat,lon,topics,modes\n"
      "far,ido," + std::to_string(lat30) + ",5,benefits,in_person;phone\n"
      "near,ido,52.01,5,benefits,in_person\n"));
  Request r = At(52, 5);
  r.max_km = 40;
  ASSERT_EQ(Rows(router, r), (std::vector<Row>{{"near", Mode::kInPerson, 1112},
                                               {"far", Mode::kPhone, 25000}}));
}

TEST(Router, PhysicalClassPrecedesRemoteEvenWhenDearer) {
  const double lat30 = 52 + LatDegreesFor(30000);
  Router router(FromCsv("id,kind,lat,lon,topics,modes\n"
                        "aaa-line,phone,,,benefits,phone\n"
                        "far,ido," + std::to_string(lat30) + ",5,benefits,in_person\n"));
  Request r = At(52, 5);
  r.max_km = 40;
  std::vector<Row> rows = Rows(router, r);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].provider, "far");
  EXPECT_EQ(rows[0].cost, 30000);
  EXPECT_EQ(rows[1], (Row{"aaa-line", Mode::kPhone, 25000}));
}

TEST(Router, TiesOnIntegerCostGoByIdInByteOrder) {
  // 2,927.6 m and 2,928.4 m both cost 2,928; then "B" < "a" in byte order.
  Router router(FromCsv("id,kind,lat,lon,topics\n"
                        "a,ido," + std::to_string(52 + LatDegreesFor(2927.6)) +
                        ",5,benefits\n"
                        "B,ido," + std::to_string(52 + LatDegreesFor(2928.4)) +
                        ",5,benefits\n"
                        "c,ido," + std::to_string(52 + LatDegreesFor(2927.0)) +
                        ",5,benefits\n"));
  EXPECT_EQ(Rows(router, At(52, 5)), (std::vector<Row>{{"c", Mode::kInPerson, 2927},
                                                      {"B", Mode::kInPerson, 2928},
                                                      {"a", Mode::kInPerson, 2928}}));
}

TEST(Router, ExactlyTwentyFiveKilometresStaysPhysical) {
  // Equal cost: in_person precedes phone in the tie order, so the pair is class 0.
  const double lat = 52 + LatDegreesFor(25000.2);
  ASSERT_EQ(CostMeters(HaversineMeters({52, 5}, {lat, 5})), 25000);
  Router router(FromCsv("id,kind,lat,lon,topics,modes\n"
                        "p,ido," + std::to_string(lat) + ",5,benefits,in_person;phone\n"
                        "a,phone,,,benefits,phone\n"));
  Request r = At(52, 5);
  r.max_km = 30;
  EXPECT_EQ(Rows(router, r), (std::vector<Row>{{"p", Mode::kInPerson, 25000},
                                              {"a", Mode::kPhone, 25000}}));
}

TEST(Router, DistanceLimitIsOnTheUnroundedDistance) {
  // 10,000.4 m rounds to 10,000 but is beyond max_km = 10.
  char lat[32];
  std::snprintf(lat, sizeof lat, "%.17g", 52 + LatDegreesFor(10000.4));
  const double d = HaversineMeters({52, 5}, {std::stod(lat), 5});
  ASSERT_GT(d, 10000.0);
  ASSERT_EQ(CostMeters(d), 10000);
  Router router(FromCsv(std::string("id,kind,lat,lon,topics\nx,ido,") + lat +
                        ",5,benefits\n"));
  EXPECT_TRUE(Rows(router, At(52, 5)).empty());
  Request wider = At(52, 5);
  wider.max_km = 10.001;
  EXPECT_EQ(Rows(router, wider), (std::vector<Row>{{"x", Mode::kInPerson, 10000}}));
}

TEST(Router, PlaceFeaturesBindOnlyInPerson) {
  Router router(FromCsv(
      "id,kind,lat,lon,topics,modes,radius_km,access\n"
      "desk,ido,52.001,5,benefits,in_person,,\n"
      "visitor,volunteer,52.002,5,benefits,home_visit,5,\n"
      "plain,welfare,52.003,5,benefits,in_person;home_visit,5,easy_language\n"));
  Request r = At(52, 5);
  r.access = {Access::kWheelchair};
  // The desk has no wheelchair access; the visitor comes to the resident.
  EXPECT_EQ(Rows(router, r), (std::vector<Row>{{"visitor", Mode::kHomeVisit, 222},
                                              {"plain", Mode::kHomeVisit, 334}}));
  r.access = {Access::kWheelchair, Access::kEasyLanguage};
  EXPECT_EQ(Rows(router, r), (std::vector<Row>{{"plain", Mode::kHomeVisit, 334}}));
}

TEST(Router, HomeVisitsReachAsFarAsTheHelperTravels) {
  Router router(FromCsv("id,kind,lat,lon,topics,modes,radius_km\n"
                        "v,volunteer,52.1,5,benefits,home_visit,12\n"));
  Request r = At(52, 5);
  r.max_km = 1;  // the resident's own travel limit does not bind a home visit
  EXPECT_EQ(Rows(router, r), (std::vector<Row>{{"v", Mode::kHomeVisit, 11120}}));
  r.modes = {Mode::kInPerson, Mode::kPhone};
  EXPECT_TRUE(Rows(router, r).empty());
}

TEST(Router, FullProvidersSuitNobodyAndTheReasonSaysSo) {
  Router router(FromCsv("id,kind,lat,lon,topics,capacity\n"
                        "full,ido,52.01,5,benefits,0\n"));
  RouteResult result = router.Route(At(52, 5));
  EXPECT_TRUE(result.referrals.empty());
  EXPECT_NE(result.no_suitable_provider.find("full"), std::string::npos)
      << result.no_suitable_provider;
}

TEST(Router, ExplainsWhichConstraintRemovedTheCandidates) {
  Router router(FromCsv("id,kind,lat,lon,topics,languages\n"
                        "a,ido,52.01,5,benefits,nl\n"
                        "b,ido,52.02,5,benefits,nl;en\n"
                        "c,library,52.03,5,benefits;digid,nl\n"
                        "d,welfare,52.04,5,benefits,tr\n"
                        "e,welfare,52.30,5,benefits,ar\n"
                        "f,welfare,52.01,5,taxes,ar\n"));
  Request r = At(52, 5);
  r.languages = LanguageSet();
  r.languages.Add(*Language::FromCode("ar"));
  r.modes = {Mode::kInPerson};
  EXPECT_EQ(router.Route(r).no_suitable_provider,
            "4 providers help with benefits within 10 km, none speaks ar");
  r.topics = {Topic::kPension};
  EXPECT_EQ(router.Route(r).no_suitable_provider, "no provider helps with pension");
}

TEST(Router, MunicipalityLimits) {
  Router router(FromCsv("id,kind,lat,lon,topics,municipality\n"
                        "desk,municipal,52.01,5,benefits,GM0363;GM0344\n"));
  Request r = At(52, 5);
  EXPECT_TRUE(Rows(router, r).empty()) << "a restricted provider never suits a request "
                                          "without a municipality";
  r.municipality = "GM0344";
  EXPECT_EQ(Rows(router, r).size(), 1u);
  r.municipality = "GM0599";
  EXPECT_TRUE(Rows(router, r).empty());
  EXPECT_NE(router.Route(r).no_suitable_provider.find("GM0599"), std::string::npos);
}

TEST(Router, SeveralLocationsAreRankedSeparatelyAndRemoteOnce) {
  v1::DirectorySnapshot snapshot;
  v1::Provider* p = snapshot.add_providers();
  p->set_id("bieb");
  p->set_kind(v1::PROVIDER_KIND_LIBRARY);
  p->add_topics(v1::TOPIC_BENEFITS);
  p->add_modes(v1::MODE_IN_PERSON);
  p->add_modes(v1::MODE_PHONE);
  for (auto [id, lat] : {std::pair{"centrum", 52.01}, std::pair{"noord", 52.02},
                         std::pair{"ver", 53.0}}) {
    v1::Location* l = p->add_locations();
    l->set_id(id);
    l->mutable_position()->set_lat_deg(lat);
    l->mutable_position()->set_lon_deg(5);
  }
  auto directory = Directory::Create(snapshot);
  ASSERT_TRUE(directory.ok()) << directory.status();
  Router router(*directory);
  RouteResult result = router.Route(At(52, 5));
  ASSERT_EQ(result.referrals.size(), 2u);
  EXPECT_EQ((*directory)->provider(ProviderIndex(0)).locations[result.referrals[0].location.value()].id, "centrum");
  EXPECT_EQ((*directory)->provider(ProviderIndex(0)).locations[result.referrals[1].location.value()].id, "noord");
  // Far from every location: one phone referral for the provider.
  RouteResult far = router.Route(At(51, 5));
  ASSERT_EQ(far.referrals.size(), 1u);
  EXPECT_EQ(far.referrals[0].mode, Mode::kPhone);
  EXPECT_FALSE(far.referrals[0].location.has_value());
}

TEST(Router, ServiceAreaLimitsWhoIsServed) {
  v1::DirectorySnapshot snapshot;
  v1::Provider* p = snapshot.add_providers();
  p->set_id("line");
  p->set_kind(v1::PROVIDER_KIND_PHONE);
  p->add_topics(v1::TOPIC_BENEFITS);
  p->add_modes(v1::MODE_PHONE);
  v1::Ring* ring = p->mutable_service_area()->add_parts()->mutable_exterior();
  for (auto [lat, lon] : {std::pair{51.9, 4.9}, std::pair{51.9, 5.1}, std::pair{52.1, 5.1},
                          std::pair{52.1, 4.9}, std::pair{51.9, 4.9}}) {
    v1::LatLng* point = ring->add_points();
    point->set_lat_deg(lat);
    point->set_lon_deg(lon);
  }
  auto directory = Directory::Create(snapshot);
  ASSERT_TRUE(directory.ok()) << directory.status();
  Router router(*directory);
  EXPECT_EQ(router.Route(At(52, 5)).referrals.size(), 1u);
  RouteResult outside = router.Route(At(52.5, 5));
  EXPECT_TRUE(outside.referrals.empty());
  EXPECT_NE(outside.no_suitable_provider.find("service area"), std::string::npos);
}

TEST(Router, KIsAtLeastOneAndHugeKIsSafe) {
  Router router(FromCsv("id,kind,lat,lon,topics\n"
                        "a,ido,52.01,5,benefits\n"
                        "b,ido,52.02,5,benefits\n"));
  EXPECT_EQ(router.Route(At(52, 5), {.k = 0}).referrals.size(), 1u);
  EXPECT_EQ(router.Route(At(52, 5), {.k = -3}).referrals.size(), 1u);
  EXPECT_EQ(router.Route(At(52, 5), {.k = 1'000'000'000}).referrals.size(), 2u);
}

TEST(Router, ToProtoCarriesIdsCostsAndReasons) {
  Router router(FromCsv("id,name,kind,lat,lon,topics,languages\n"
                        "a,Bibliotheek,library,52.01,5,benefits,nl;ar\n"));
  Request r = At(52, 5);
  r.languages.Add(*Language::FromCode("ar"));
  v1::RouteResult proto;
  router.ToProto(r, router.Route(r), &proto);
  ASSERT_EQ(proto.referrals_size(), 1);
  EXPECT_EQ(proto.request_id(), "r");
  EXPECT_EQ(proto.referrals(0).provider_id(), "a");
  EXPECT_EQ(proto.referrals(0).location_id(), "a");
  EXPECT_EQ(proto.referrals(0).mode(), v1::MODE_IN_PERSON);
  EXPECT_EQ(proto.referrals(0).cost_m(), 1112);
  ASSERT_GE(proto.referrals(0).reasons_size(), 3);
  EXPECT_EQ(proto.referrals(0).reasons(0), "helps with benefits");
  EXPECT_EQ(proto.referrals(0).reasons(1), "speaks ar and nl");
}

}  // namespace
}  // namespace wegwijzer
