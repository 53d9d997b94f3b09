#include "wegwijzer/geo.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"
#include "testing/brute_force.h"

namespace wegwijzer {
namespace {

TEST(Haversine, KnownDistances) {
  // Amsterdam Dam square to Utrecht Dom tower: about 35.6 km.
  EXPECT_NEAR(HaversineMeters({52.3731, 4.8926}, {52.0907, 5.1214}) / 1000, 35.0, 1.0);
  // One degree of latitude on the contract's sphere: R·π/180.
  EXPECT_NEAR(HaversineMeters({52, 5}, {53, 5}), kEarthRadiusMeters * M_PI / 180, 1e-6);
  EXPECT_EQ(HaversineMeters({52, 5}, {52, 5}), 0.0);
  // Antipodes: half the circumference, the min(1, a) clamp keeps asin defined.
  EXPECT_NEAR(HaversineMeters({0, 0}, {0, 180}), M_PI * kEarthRadiusMeters, 1e-6);
}

TEST(Haversine, SymmetricAndEqualToTheOracleBitForBit) {
  uint64_t state = 42;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) * 0x1.0p-53;
  };
  for (int i = 0; i < 10000; ++i) {
    LatLng a{50 + 4 * next(), 3 + 5 * next()}, b{50 + 4 * next(), 3 + 5 * next()};
    const double d = HaversineMeters(a, b);
    EXPECT_EQ(d, HaversineMeters(b, a));
    EXPECT_EQ(d, testing::OracleDistanceMeters(a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg));
  }
}

TEST(CostMeters, RoundsHalvesAwayFromZero) {
  EXPECT_EQ(CostMeters(2927.6), 2928);
  EXPECT_EQ(CostMeters(2928.4), 2928);
  EXPECT_EQ(CostMeters(2928.5), 2929);
  EXPECT_EQ(CostMeters(0.49), 0);
}

TEST(LatLng, Validity) {
  EXPECT_TRUE((LatLng{90, 180}).IsValid());
  EXPECT_TRUE((LatLng{-90, -180}).IsValid());
  EXPECT_FALSE((LatLng{90.0001, 0}).IsValid());
  EXPECT_FALSE((LatLng{0, -180.5}).IsValid());
  EXPECT_FALSE((LatLng{std::nan(""), 0}).IsValid());
  EXPECT_FALSE((LatLng{0, std::numeric_limits<double>::infinity()}).IsValid());
}

}  // namespace
}  // namespace wegwijzer
