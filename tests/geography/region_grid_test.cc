// The point-in-region grid (lib/region_grid.cc) against its brute-force oracle (the
// same ray-casting rule over every edge), on seeded random regions: star-shaped
// polygons that overlap and have holes, and a checkerboard whose squares share
// borders exactly, queried at random points, at vertices and on shared edges.
#include "geography/region_grid.h"

#include <cmath>
#include <limits>
#include <numbers>
#include <random>

#include "gtest/gtest.h"

namespace wegwijzer::internal {
namespace {

std::vector<PlanarPoint> Star(std::mt19937_64& rng, PlanarPoint centre, double radius, int n,
                              bool clockwise) {
  std::uniform_real_distribution<double> r(0.3 * radius, radius);
  std::vector<PlanarPoint> ring;
  for (int i = 0; i < n; ++i) {
    const double a = (clockwise ? -1 : 1) * 2 * std::numbers::pi * i / n;
    const double d = r(rng);
    ring.push_back({centre.x + d * std::cos(a), centre.y + d * std::sin(a)});
  }
  ring.push_back(ring.front());
  return ring;
}

std::vector<RegionRings> RandomRegions(uint64_t seed, int count) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> x(4.0, 6.0), y(51.5, 53.0), radius(0.02, 0.3);
  std::vector<RegionRings> regions(count);
  for (RegionRings& rings : regions) {
    const PlanarPoint c{x(rng), y(rng)};
    const double r = radius(rng);
    rings.push_back(Star(rng, c, r, 5 + static_cast<int>(rng() % 60), false));
    if (rng() % 3 == 0) rings.push_back(Star(rng, c, 0.25 * r, 6, true));  // a hole
    if (rng() % 4 == 0) rings.push_back(Star(rng, {c.x + 2 * r, c.y}, 0.5 * r, 8, false));
  }
  return regions;
}

// Squares of `size` degrees, region i*n+j at column i, row j: exact shared borders.
std::vector<RegionRings> Checkerboard(int n, double size) {
  std::vector<RegionRings> regions;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      const double x0 = 4 + i * size, y0 = 52 + j * size;
      regions.push_back({{{x0, y0}, {x0 + size, y0}, {x0 + size, y0 + size}, {x0, y0 + size},
                          {x0, y0}}});
    }
  }
  return regions;
}

TEST(RegionGrid, AgreesWithBruteForceOnRandomRegions) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    const std::vector<RegionRings> regions = RandomRegions(seed, 60);
    for (double cell_km : {0.3, 1.0, 7.0}) {
      SCOPED_TRACE(::testing::Message() << "seed " << seed << ", cell " << cell_km << " km");
      const RegionGrid grid = RegionGrid::Build(regions, cell_km);
      EXPECT_GT(grid.mixed_cells(), 0u);
      std::mt19937_64 rng(seed * 7);
      std::uniform_real_distribution<double> x(3.5, 6.5), y(51.0, 53.5);
      int inside = 0;
      for (int i = 0; i < 20000; ++i) {
        const double px = x(rng), py = y(rng);
        const uint32_t expected = grid.FindBruteForce(px, py);
        ASSERT_EQ(grid.Find(px, py), expected) << px << ", " << py;
        inside += expected != RegionGrid::kNone;
      }
      EXPECT_GT(inside, 1000);
      for (const RegionRings& rings : regions) {  // at every vertex
        for (const auto& ring : rings) {
          for (const PlanarPoint& p : ring) {
            ASSERT_EQ(grid.Find(p.x, p.y), grid.FindBruteForce(p.x, p.y)) << p.x << ", " << p.y;
          }
        }
      }
    }
  }
}

TEST(RegionGrid, SharedBordersGiveOneDeterministicSide) {
  const int n = 8;
  const double size = 0.05;
  const std::vector<RegionRings> regions = Checkerboard(n, size);
  const RegionGrid grid = RegionGrid::Build(regions, 0.8);
  // Inside each square: that square. On a shared border: the ray-casting side, the
  // same as brute force, and never "none" inside the board.
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      const double x0 = 4 + i * size, y0 = 52 + j * size;
      EXPECT_EQ(grid.Find(x0 + size / 2, y0 + size / 2), static_cast<uint32_t>(i * n + j));
      for (double t : {0.0, 0.25, 0.5}) {
        for (auto [px, py] : {std::pair{x0 + t * size, y0}, std::pair{x0, y0 + t * size}}) {
          const uint32_t found = grid.Find(px, py);
          EXPECT_EQ(found, grid.FindBruteForce(px, py)) << px << ", " << py;
          if (i > 0 && j > 0) {
            EXPECT_NE(found, RegionGrid::kNone) << px << ", " << py;
          }
        }
      }
    }
  }
}

TEST(RegionGrid, OutsideNonFiniteAndEmpty) {
  const RegionGrid grid = RegionGrid::Build(Checkerboard(2, 0.1), 1.0);
  EXPECT_EQ(grid.Find(0, 0), RegionGrid::kNone);
  EXPECT_EQ(grid.Find(4.05, 60), RegionGrid::kNone);
  EXPECT_EQ(grid.Find(std::nan(""), 52.05), RegionGrid::kNone);
  EXPECT_EQ(grid.Find(4.05, std::numeric_limits<double>::infinity()), RegionGrid::kNone);
  EXPECT_EQ(grid.FindBruteForce(std::nan(""), 52.05), RegionGrid::kNone);
  const RegionGrid empty = RegionGrid::Build({}, 1.0);
  EXPECT_EQ(empty.Find(4.05, 52.05), RegionGrid::kNone);
}

TEST(RegionGrid, OverlapGoesToTheSmallestRegion) {
  const std::vector<RegionRings> regions = {
      {{{4.0, 52.0}, {4.2, 52.0}, {4.2, 52.2}, {4.0, 52.2}, {4.0, 52.0}}},
      {{{4.1, 52.1}, {4.3, 52.1}, {4.3, 52.3}, {4.1, 52.3}, {4.1, 52.1}}}};
  for (const auto& order : {regions, std::vector<RegionRings>{regions[1], regions[0]}}) {
    const RegionGrid grid = RegionGrid::Build(order, 1.0);
    EXPECT_EQ(grid.Find(4.15, 52.15), 0u);
  }
}

}  // namespace
}  // namespace wegwijzer::internal
