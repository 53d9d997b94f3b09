// Internal: which region (municipality) contains a point, by a uniform grid.
//
// The model. Each region is a set of closed rings in the plane (x = lon, y = lat,
// degrees) and contains exactly the points that the even-odd rule puts inside
// (for a valid polygon: the interior). The grid covers every ring with two empty
// columns and rows on each side. A cell that no edge touches (its closed box, widened
// by 1e-9 degrees against rounding) and that lies in at most one region is *pure*:
// every point in it has the same answer, computed once at build time by a scanline
// through the cell centres. Every other cell is *mixed* and keeps a copy of the
// edges that touch it (possibly none, where overlapping regions cover the cell).
//
// A query in a pure cell is one array read. In a mixed cell it casts the standard
// ray to the right (half-open rule: an edge counts when exactly one endpoint lies
// above the ray, at the crossing's x) but stops at the first pure cell it reaches:
// the parity of the crossings between the point and that cell, per region, flips the
// pure cell's known answer. Every crossing is counted in exactly one cell (the one
// whose x-interval (left, right] holds it), and a cell holds every edge that passes
// through it, so the answer is the ray-casting answer on the whole rings, using
// only local edges; FindBruteForce computes that answer the slow way, and the tests
// check they agree. The last column is always pure, so every walk ends. Points
// exactly on an edge get whichever side the half-open rule gives, as in any
// ray-casting test.
//
// Overlapping regions (slivers where simplified neighbours overlap) are resolved to
// the smallest region number, so answers are deterministic. Where a whole cell lies
// inside two regions (not a sliver along a border: one region covers part of
// another), the grid records the pair in overlaps() so the caller can refuse or
// report it.
//
// Complexity: build O(E + C + I) for E edges, C cells and I (edge, cell) incidences
// (plus sorting each row's crossings): an edge visits only the cells along it, row by
// row. Memory 8 bytes per cell plus 40 bytes per incidence; RegionGridLimits bounds
// both, checked before allocating.
// A query is O(1) in a pure cell and O(edges in the cells walked) otherwise, with no
// allocation.
//
// Thread-safety: immutable after Build; safe to share between threads.
#ifndef WEGWIJZER_LIB_REGION_GRID_H_
#define WEGWIJZER_LIB_REGION_GRID_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"

namespace wegwijzer::internal {

struct PlanarPoint {
  double x = 0;  // longitude, degrees
  double y = 0;  // latitude, degrees
};

// One region's rings, each closed (front == back).
using RegionRings = std::vector<std::vector<PlanarPoint>>;

// Bounds on the grid's memory. Inclusive.
struct RegionGridLimits {
  // Cells (8 bytes each). DEFAULT: 16,000,000 (128 MB; the Netherlands at 0.5 km
  // needs about 350,000).
  size_t max_grid_cells = 16'000'000;
  // (edge, cell) incidences (40 bytes each). DEFAULT: 8,000,000 (320 MB; the 2023
  // municipality map needs about 60,000).
  size_t max_grid_edge_copies = 8'000'000;
};

// Two regions that both contain a whole cell.
struct RegionOverlap {
  uint32_t first = 0, second = 0;  // region numbers, first < second
  size_t cells = 0;                // cells inside both
  double x = 0, y = 0;             // centre of the first such cell (lon, lat)
};

class RegionGrid {
 public:
  static constexpr uint32_t kNone = 0xFFFFFFFF;

  // REQUIRES: cell_km > 0. The cells are about cell_km on a side (square in metres
  // at the regions' mean latitude). kResourceExhausted (the message names the limit
  // and the count) when the grid would exceed `limits`; nothing large is allocated
  // before the check.
  static absl::StatusOr<RegionGrid> Build(const std::vector<RegionRings>& regions,
                                          double cell_km, const RegionGridLimits& limits = {});

  // The region containing (x, y), or kNone. Non-finite input gives kNone.
  uint32_t Find(double x, double y) const;

  // Statistics for benchmarks and tests.
  int columns() const { return nx_; }
  int rows() const { return ny_; }
  size_t mixed_cells() const { return mixed_cells_; }  // including overlap cells
  size_t edge_copies() const { return edges_.size(); }
  // Pairs of regions that share whole cells, by (first, second); a pair is listed
  // once, with the count of cells. Where more than two regions cover one cell, the
  // two smallest region numbers are listed.
  const std::vector<RegionOverlap>& overlaps() const { return overlaps_; }

  // The same answer by brute force over every edge (the oracle in tests and the
  // fallback when more regions than a query can track meet at one point).
  uint32_t FindBruteForce(double x, double y) const;

 private:
  struct Edge {
    double x1, y1, x2, y2;
    uint32_t region;
  };

  // owner_ of a cell without edges that lies inside several regions.
  static constexpr uint32_t kSeveral = 0xFFFFFFFE;

  uint32_t WalkMixed(int row, int col, double x, double y) const;

  double x0_ = 0, y0_ = 0, dx_ = 1, dy_ = 1;
  int nx_ = 0, ny_ = 0;
  std::vector<double> xb_, yb_;   // cell borders: xb_[c] = left of column c, size n + 1
  std::vector<uint32_t> owner_;   // per cell: the answer when the cell is pure
  std::vector<uint32_t> begin_;   // per cell + 1: its edges are edges_[begin_[i], begin_[i+1])
  std::vector<Edge> edges_;       // copies, grouped by cell, for locality
  std::vector<Edge> all_edges_;   // every edge once, for FindBruteForce
  size_t mixed_cells_ = 0;
  std::vector<RegionOverlap> overlaps_;
};

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_REGION_GRID_H_
