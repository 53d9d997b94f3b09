#include "wegwijzer/directory.h"

#include <cmath>
#include <limits>
#include <type_traits>

#include "gtest/gtest.h"
#include "wegwijzer/scenario.h"
#include "wegwijzer/v1/directory.pb.h"

namespace wegwijzer {
namespace {

v1::Provider* AddProvider(v1::DirectorySnapshot* s, const std::string& id) {
  v1::Provider* p = s->add_providers();
  p->set_id(id);
  p->set_kind(v1::PROVIDER_KIND_IDO);
  p->add_topics(v1::TOPIC_DIGID);
  v1::Location* l = p->add_locations();
  l->mutable_position()->set_lat_deg(52);
  l->mutable_position()->set_lon_deg(5);
  return p;
}

void ExpectInvalid(const v1::DirectorySnapshot& s, const std::string& fragment) {
  auto directory = Directory::Create(s);
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(directory.status().message()).find(fragment), std::string::npos)
      << directory.status().message();
}

// The index types exist so that the compiler refuses a mix-up: none converts from a
// bare integer or from the other kind of index, none converts to an integer.
static_assert(!std::is_convertible_v<uint32_t, ProviderIndex>);
static_assert(!std::is_convertible_v<int, ProviderIndex>);
static_assert(!std::is_convertible_v<ProviderIndex, uint32_t>);
static_assert(!std::is_constructible_v<ProviderIndex, LocationIndex>);
static_assert(!std::is_convertible_v<int, LocationIndex>);
static_assert(!std::is_convertible_v<LocationIndex, int>);
static_assert(!std::is_constructible_v<LocationIndex, ProviderIndex>);
static_assert(sizeof(ProviderIndex) == 4 && sizeof(LocationIndex) == 4);

TEST(IndexTypes, LocationIndexIsNoneByDefaultAndComparesByValue) {
  EXPECT_FALSE(LocationIndex().has_value());
  EXPECT_EQ(LocationIndex(), LocationIndex::None());
  EXPECT_TRUE(LocationIndex(0).has_value());
  EXPECT_EQ(LocationIndex(3).value(), 3u);
  EXPECT_NE(LocationIndex(0), LocationIndex::None());
  EXPECT_LT(ProviderIndex(1), ProviderIndex(2));
  EXPECT_EQ(ProviderIndex(7).value(), 7u);
  EXPECT_EQ(ProviderIndex(), ProviderIndex(0));
}

TEST(Directory, AppliesTheContractDefaults) {
  v1::DirectorySnapshot s;
  AddProvider(&s, "a");
  auto directory = Directory::Create(s);
  ASSERT_TRUE(directory.ok()) << directory.status();
  const ProviderInfo& p = (*directory)->provider(ProviderIndex(0));
  EXPECT_EQ(p.languages.ToString(), "nl");
  EXPECT_EQ(p.modes, ModeSet{Mode::kInPerson});
  EXPECT_FALSE(p.capacity.has_value());
  EXPECT_EQ(p.locations[0].id, "a");
  EXPECT_EQ((*directory)->Find("a"), ProviderIndex(0));
  EXPECT_FALSE((*directory)->Find("b"));
}

TEST(Directory, RejectsBadProvidersNamingThem) {
  {
    v1::DirectorySnapshot s;
    AddProvider(&s, "a");
    AddProvider(&s, "a");
    ExpectInvalid(s, "provider #2 'a': duplicate id");
  }
  {
    v1::DirectorySnapshot s;
    AddProvider(&s, "a")->mutable_locations(0)->mutable_position()->set_lat_deg(
        std::numeric_limits<double>::quiet_NaN());
    ExpectInvalid(s, "'a': location 'a' position");
  }
  {
    v1::DirectorySnapshot s;
    AddProvider(&s, "a")->set_capacity(-1);
    ExpectInvalid(s, "capacity -1 is negative");
  }
  {
    v1::DirectorySnapshot s;
    AddProvider(&s, "a")->set_capacity_period("fortnight");
    ExpectInvalid(s, "capacity_period 'fortnight' is not referral, day, week or month");
  }
  {
    v1::DirectorySnapshot s;
    v1::Provider* p = AddProvider(&s, "v");
    p->add_modes(v1::MODE_HOME_VISIT);
    ExpectInvalid(s, "radius_km is not > 0");
  }
  {
    v1::DirectorySnapshot s;
    AddProvider(&s, "a")->add_languages("xx");
    ExpectInvalid(s, "unknown language code 'xx'");
  }
  {
    v1::DirectorySnapshot s;
    AddProvider(&s, "a")->add_topics(static_cast<v1::Topic>(99));
    ExpectInvalid(s, "unknown topic value 99");
  }
  {
    v1::DirectorySnapshot s;
    AddProvider(&s, "a")->mutable_locations()->Clear();
    ExpectInvalid(s, "has no location");
  }
}

TEST(Directory, RejectsInvalidServiceAreas) {
  auto with_ring = [](std::vector<std::pair<double, double>> points) {
    v1::DirectorySnapshot s;
    v1::Ring* ring =
        AddProvider(&s, "a")->mutable_service_area()->add_parts()->mutable_exterior();
    for (auto [lat, lon] : points) {
      v1::LatLng* p = ring->add_points();
      p->set_lat_deg(lat);
      p->set_lon_deg(lon);
    }
    return s;
  };
  ExpectInvalid(with_ring({{0, 0}, {0, 1}, {1, 1}, {1, 0}}), "not closed");
  ExpectInvalid(with_ring({{0, 0}, {0, 1}, {0, 0}}), "at least 4");
  // A bow tie crosses itself.
  ExpectInvalid(with_ring({{0, 0}, {1, 1}, {1, 0}, {0, 1}, {0, 0}}), "invalid");
  // Either orientation of a valid ring is accepted.
  EXPECT_TRUE(Directory::Create(with_ring({{0, 0}, {0, 1}, {1, 1}, {1, 0}, {0, 0}})).ok());
  EXPECT_TRUE(Directory::Create(with_ring({{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}})).ok());
}

TEST(Directory, SerializedRoundTripIsIdentical) {
  Scenario scenario = GenerateScenario({.seed = 3, .providers = 500, .requests = 0}).value();
  std::string bytes = scenario.directory->SerializeAsString();
  auto directory = Directory::FromSerialized(bytes);
  ASSERT_TRUE(directory.ok()) << directory.status();
  EXPECT_EQ((*directory)->snapshot().SerializeAsString(), bytes);
  EXPECT_EQ((*directory)->size(), 500u);
}

TEST(Directory, GarbageBytesAreAClearError) {
  auto directory = Directory::FromSerialized("\xff\xff\xff\xff garbage", "upload.bin");
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(directory.status().message()).find("upload.bin"), std::string::npos);
}

// A fuzzer finding (tests/fuzz/corpus/snapshot/regression_created_overflow.bin): a
// creation time near INT64_MAX overflowed the timetables' span. Such a moment is
// refused, naming the field; the edges of the range are accepted.
TEST(Directory, ACreationTimeOutsideTheYearsIsAnError) {
  for (int64_t created : {std::numeric_limits<int64_t>::max() - 135, int64_t{221845392000},
                          int64_t{-2208988801}, std::numeric_limits<int64_t>::min()}) {
    v1::DirectorySnapshot snapshot;
    snapshot.set_created_unix_seconds(created);
    snapshot.set_source("s.pb");
    auto directory = Directory::Create(snapshot);
    ASSERT_FALSE(directory.ok()) << created;
    EXPECT_EQ(directory.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(std::string(directory.status().message()),
              "s.pb: created_unix_seconds " + std::to_string(created) +
                  " is outside years 1900 to 8999");
  }
  for (int64_t created : {int64_t{221845392000 - 1}, int64_t{-2208988800}}) {
    v1::DirectorySnapshot snapshot;
    snapshot.set_created_unix_seconds(created);
    EXPECT_TRUE(Directory::Create(snapshot).ok()) << created;
  }
}

TEST(Directory, EmptyIsValid) {
  auto directory = Directory::Create(v1::DirectorySnapshot());
  ASSERT_TRUE(directory.ok());
  EXPECT_EQ((*directory)->size(), 0u);
}

// The capacity model travels with the capacity: per referral unless the snapshot
// says per day, week or month.
TEST(Directory, CarriesTheCapacityPeriod) {
  v1::DirectorySnapshot s;
  AddProvider(&s, "a")->set_capacity(3);
  v1::Provider* weekly = AddProvider(&s, "w");
  weekly->set_capacity(5);
  weekly->set_capacity_period("week");
  auto directory = Directory::Create(s);
  ASSERT_TRUE(directory.ok()) << directory.status();
  for (size_t p = 0; p < (*directory)->size(); ++p) {
    const ProviderInfo& info = (*directory)->provider(ProviderIndex(p));
    EXPECT_EQ(info.capacity_period,
              info.id == "w" ? CapacityPeriod::kWeek : CapacityPeriod::kReferral)
        << info.id;
  }
  for (int i = 0; i < kCapacityPeriodCount; ++i) {
    const auto period = static_cast<CapacityPeriod>(i);
    EXPECT_EQ(CapacityPeriodFromCode(CapacityPeriodCode(period)), period);
  }
  EXPECT_EQ(CapacityPeriodFromCode("Week"), std::nullopt);
}

}  // namespace
}  // namespace wegwijzer
