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
// the smallest region number, so answers are deterministic.
//
// Complexity: build O(E + C) for E edges and C cells (plus sorting each row's
// crossings); memory 8 bytes per cell plus 40 bytes per (edge, cell) incidence.
// A query is O(1) in a pure cell and O(edges in the cells walked) otherwise, with no
// allocation.
//
// Thread-safety: immutable after Build; safe to share between threads.
#ifndef WEGWIJZER_LIB_REGION_GRID_H_
#define WEGWIJZER_LIB_REGION_GRID_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace wegwijzer::internal {

struct PlanarPoint {
  double x = 0;  // longitude, degrees
  double y = 0;  // latitude, degrees
};

// One region's rings, each closed (front == back).
using RegionRings = std::vector<std::vector<PlanarPoint>>;

class RegionGrid {
 public:
  static constexpr uint32_t kNone = 0xFFFFFFFF;

  // REQUIRES: cell_km > 0. The cells are about cell_km on a side (square in metres
  // at the regions' mean latitude).
  static RegionGrid Build(const std::vector<RegionRings>& regions, double cell_km);

  // The region containing (x, y), or kNone. Non-finite input gives kNone.
  uint32_t Find(double x, double y) const;

  // Statistics for benchmarks and tests.
  int columns() const { return nx_; }
  int rows() const { return ny_; }
  size_t mixed_cells() const { return mixed_cells_; }  // including overlap cells
  size_t edge_copies() const { return edges_.size(); }

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
};

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_REGION_GRID_H_
