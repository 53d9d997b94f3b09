// Repairing invalid polygons (lib/polygon_repair.cc): each defect class on a small
// hand-made shape, with the area it must end up with.
#include "geography/polygon_repair.h"

#include <cmath>

#include "gtest/gtest.h"

namespace wegwijzer::internal {
namespace {

namespace bg = boost::geometry;

// A ring from (lon, lat) pairs; closed by repeating the first.
GeoJsonRing Ring(std::initializer_list<std::pair<double, double>> lon_lat) {
  GeoJsonRing ring;
  for (auto [lon, lat] : lon_lat) ring.push_back({lat, lon});
  ring.push_back(ring.front());
  return ring;
}

std::vector<GeoPoint> Points(const GeoJsonRing& ring) {
  std::vector<GeoPoint> out;
  for (const LatLng& p : ring) out.emplace_back(p.lon_deg, p.lat_deg);
  return out;
}

// Area in square "units" of 0.01 degree, to keep the expectations readable. Boost's
// set operations round intersection points, so areas agree to about 1e-7 units.
double Units(const GeoMultiPolygon& g) { return bg::area(g) / 1e-4; }

TEST(SplitIntoSimpleLoops, SimpleRingIsOneLoop) {
  EXPECT_EQ(SplitIntoSimpleLoops(Points(Ring({{0, 0}, {1, 0}, {1, 1}, {0, 1}})))->size(), 1u);
}

TEST(SplitIntoSimpleLoops, BowTieSplitsAtItsCrossing) {
  auto loops = *SplitIntoSimpleLoops(Points(Ring({{0, 0}, {2, 2}, {2, 0}, {0, 2}})));
  ASSERT_EQ(loops.size(), 2u);
  for (const auto& loop : loops) {
    EXPECT_EQ(loop.size(), 4u);  // a triangle, closed
    EXPECT_TRUE(std::any_of(loop.begin(), loop.end(), [](const GeoPoint& p) {
      return p.x() == 1 && p.y() == 1;
    }));
  }
}

TEST(SplitIntoSimpleLoops, RingTouchingItselfSplitsAtTheTouch) {
  // A figure eight through (1, 1) twice, and a vertex lying on another edge.
  EXPECT_EQ(SplitIntoSimpleLoops(
                Points(Ring({{0, 0}, {1, 1}, {2, 0}, {2, 2}, {1, 1}, {0, 2}})))
                ->size(),
            2u);
  EXPECT_EQ(SplitIntoSimpleLoops(Points(Ring({{0, 0}, {4, 0}, {4, 4}, {2, 0}, {0, 4}})))->size(),
            2u);
}

TEST(MakeValid, LeavesValidPolygonsAlone) {
  const double d = 0.01;
  RepairOutcome r = *MakeValid({GeoJsonPolygon{{Ring({{0, 0}, {0, d}, {d, d}, {d, 0}}),
                                               Ring({{d / 4, d / 4}, {d / 2, d / 4},
                                                     {d / 2, d / 2}})}}});
  EXPECT_TRUE(r.was_valid);
  EXPECT_TRUE(r.valid);
  EXPECT_EQ(r.problem, "");
  EXPECT_EQ(r.action, "");
  EXPECT_NEAR(Units(r.geometry), 1 - 1.0 / 32, 1e-6);
}

TEST(MakeValid, DropsAHoleOutsideItsExterior) {  // GM0303 Dronten
  const double d = 0.01;
  RepairOutcome r = *MakeValid({GeoJsonPolygon{
      {Ring({{0, 0}, {d, 0}, {d, d}, {0, d}}), Ring({{2 * d, 0}, {3 * d, 0}, {3 * d, d}})}}});
  EXPECT_FALSE(r.was_valid);
  EXPECT_TRUE(r.valid);
  EXPECT_NE(r.problem.find("interior rings defined outside"), std::string::npos) << r.problem;
  EXPECT_NE(r.action.find("wholly outside its exterior"), std::string::npos) << r.action;
  EXPECT_NEAR(Units(r.geometry), 1, 1e-6);
}

TEST(MakeValid, SubtractsOnlyTheInsideOfAHoleCrossingItsExterior) {  // GM1895 Oldambt
  const double d = 0.01;
  RepairOutcome r = *MakeValid({GeoJsonPolygon{
      {Ring({{0, 0}, {d, 0}, {d, d}, {0, d}}),
       Ring({{d / 2, d / 4}, {3 * d / 2, d / 4}, {3 * d / 2, 3 * d / 4}, {d / 2, 3 * d / 4}})}}});
  EXPECT_FALSE(r.was_valid);
  EXPECT_TRUE(r.valid);
  EXPECT_NE(r.action.find("partly outside"), std::string::npos) << r.action;
  EXPECT_NEAR(Units(r.geometry), 1 - 0.25, 1e-6);
}

TEST(MakeValid, UnitesOverlappingParts) {  // GM0716 Tholen, GM1924 Goeree-Overflakkee
  const double d = 0.01;
  RepairOutcome r = *MakeValid({GeoJsonPolygon{{Ring({{0, 0}, {d, 0}, {d, d}, {0, d}})}},
                               GeoJsonPolygon{{Ring({{d / 2, 0}, {2 * d, 0}, {2 * d, d},
                                                     {d / 2, d}})}}});
  EXPECT_FALSE(r.was_valid);
  EXPECT_TRUE(r.valid);
  EXPECT_NE(r.action.find("parts 0 and 1 overlap"), std::string::npos) << r.action;
  EXPECT_EQ(r.geometry.size(), 1u);
  EXPECT_NEAR(Units(r.geometry), 2, 1e-6);
}

TEST(MakeValid, SplitsASelfCrossingExteriorByTheEvenOddRule) {  // GM0852 Waterland
  const double d = 0.01;
  RepairOutcome r = *MakeValid({GeoJsonPolygon{{Ring({{0, 0}, {2 * d, 2 * d}, {2 * d, 0},
                                                     {0, 2 * d}})}}});
  EXPECT_FALSE(r.was_valid);
  EXPECT_TRUE(r.valid);
  EXPECT_NE(r.action.find("crosses or touches itself"), std::string::npos) << r.action;
  EXPECT_EQ(r.geometry.size(), 2u);
  EXPECT_NEAR(Units(r.geometry), 2, 1e-6);  // two triangles of 1 each
  // A loop that doubles back over the main body is the even-odd rule's hole.
  RepairOutcome loop = *MakeValid({GeoJsonPolygon{{Ring(
      {{0, 0}, {4 * d, 0}, {4 * d, 4 * d}, {0, 4 * d}, {0, 2 * d}, {2 * d, 2 * d},
       {2 * d, 3 * d}, {d, 3 * d}, {d, d}, {0, d}})}}});
  EXPECT_TRUE(loop.valid) << loop.action;
  EXPECT_NEAR(Units(loop.geometry), 16 - 2, 1e-6);
}

}  // namespace
}  // namespace wegwijzer::internal
