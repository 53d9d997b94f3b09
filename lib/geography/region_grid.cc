#include "geography/region_grid.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "wegwijzer/geo.h"

namespace wegwijzer::internal {
namespace {

// Cells are widened by this much when deciding which edges touch them, so that a
// crossing computed a rounding error outside a cell's border is still found there.
constexpr double kEpsilonDeg = 1e-9;

// How many regions with odd parity one query can track before it falls back to brute
// force. Municipal borders meet three or four at a point; 32 is far beyond that.
constexpr int kMaxTracked = 32;

// Liang–Barsky: does the segment touch the closed box?
bool SegmentTouchesBox(double x1, double y1, double x2, double y2, double xmin, double ymin,
                       double xmax, double ymax) {
  double t0 = 0, t1 = 1;
  const double dx = x2 - x1, dy = y2 - y1;
  const double p[4] = {-dx, dx, -dy, dy};
  const double q[4] = {x1 - xmin, xmax - x1, y1 - ymin, ymax - y1};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0) {
      if (q[i] < 0) return false;
      continue;
    }
    const double t = q[i] / p[i];
    if (p[i] < 0) {
      if (t > t1) return false;
      t0 = std::max(t0, t);
    } else {
      if (t < t0) return false;
      t1 = std::min(t1, t);
    }
  }
  return t0 <= t1;
}

// Index of the interval [borders[i], borders[i+1]) holding v, for v inside the range.
int IntervalOf(const std::vector<double>& borders, double origin, double step, double v) {
  const int n = static_cast<int>(borders.size()) - 1;
  int i = static_cast<int>(std::floor((v - origin) / step));
  i = std::clamp(i, 0, n - 1);
  while (i > 0 && v < borders[i]) --i;
  while (i + 1 < n && v >= borders[i + 1]) ++i;
  return i;
}

// The x where the edge crosses the horizontal line at y, for an edge that crosses it.
// Written once so every caller computes bit-identical values.
inline double CrossingX(double x1, double y1, double x2, double y2, double y) {
  return x1 + (y - y1) * (x2 - x1) / (y2 - y1);
}

class OddSet {
 public:
  bool Toggle(uint32_t region) {
    for (int i = 0; i < size_; ++i) {
      if (ids_[i] == region) {
        ids_[i] = ids_[--size_];
        return true;
      }
    }
    if (size_ == kMaxTracked) return false;
    ids_[size_++] = region;
    return true;
  }
  bool Contains(uint32_t region) const {
    return std::find(ids_, ids_ + size_, region) != ids_ + size_;
  }
  const uint32_t* begin() const { return ids_; }
  const uint32_t* end() const { return ids_ + size_; }

 private:
  uint32_t ids_[kMaxTracked];
  int size_ = 0;
};

}  // namespace

absl::StatusOr<RegionGrid> RegionGrid::Build(const std::vector<RegionRings>& regions,
                                             double cell_km, const RegionGridLimits& limits) {
  RegionGrid grid;
  double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
  for (uint32_t r = 0; r < regions.size(); ++r) {
    for (const auto& ring : regions[r]) {
      for (size_t i = 0; i + 1 < ring.size(); ++i) {
        const PlanarPoint a = ring[i], b = ring[i + 1];
        if (a.x == b.x && a.y == b.y) continue;
        grid.all_edges_.push_back({a.x, a.y, b.x, b.y, r});
        minx = std::min({minx, a.x, b.x});
        maxx = std::max({maxx, a.x, b.x});
        miny = std::min({miny, a.y, b.y});
        maxy = std::max({maxy, a.y, b.y});
      }
    }
  }
  if (grid.all_edges_.empty()) return grid;  // nx_ == 0: every query answers kNone

  constexpr double kMetersPerDegree = kEarthRadiusMeters * std::numbers::pi / 180;
  const double mean_lat = (miny + maxy) / 2;
  grid.dy_ = cell_km * 1000 / kMetersPerDegree;
  grid.dx_ = grid.dy_ / std::max(0.01, std::cos(mean_lat * std::numbers::pi / 180));
  // Two empty cells before and after the geometry: the last column is pure, so every
  // walk to the right ends in a pure cell.
  grid.x0_ = minx - 2 * grid.dx_;
  grid.y0_ = miny - 2 * grid.dy_;
  // In doubles first: a tiny cell_km or a huge extent must not overflow an int.
  const double columns = std::ceil((maxx - grid.x0_) / grid.dx_) + 2;
  const double rows = std::ceil((maxy - grid.y0_) / grid.dy_) + 2;
  if (!(columns * rows <= static_cast<double>(limits.max_grid_cells))) {
    return absl::ResourceExhaustedError(absl::StrFormat(
        "the lookup grid would need %.0f x %.0f = %.0f cells of %g km over the extent "
        "lon [%.4f, %.4f] lat [%.4f, %.4f], more than the limit of %d "
        "(GazetteerLimits::max_grid_cells; use larger cells or raise the limit)",
        columns, rows, columns * rows, cell_km, minx, maxx, miny, maxy, limits.max_grid_cells));
  }
  grid.nx_ = static_cast<int>(columns);
  grid.ny_ = static_cast<int>(rows);
  for (int c = 0; c <= grid.nx_; ++c) grid.xb_.push_back(grid.x0_ + c * grid.dx_);
  for (int r = 0; r <= grid.ny_; ++r) grid.yb_.push_back(grid.y0_ + r * grid.dy_);
  const int nx = grid.nx_, ny = grid.ny_;
  const size_t cells = static_cast<size_t>(nx) * ny;

  // Edge-cell incidences, counted and then filled (counting sort by cell). An edge
  // visits, row by row, only the columns its part inside that row's band can reach
  // (plus one on each side against rounding), so a long diagonal edge costs the
  // cells along it, not the cells of its bounding box. The exact test is still
  // SegmentTouchesBox, so the cells found are the same.
  auto for_each_cell = [&](const Edge& e, auto&& visit) {
    const int c0 = IntervalOf(grid.xb_, grid.x0_, grid.dx_, std::min(e.x1, e.x2) - kEpsilonDeg);
    const int c1 = IntervalOf(grid.xb_, grid.x0_, grid.dx_, std::max(e.x1, e.x2) + kEpsilonDeg);
    const int r0 = IntervalOf(grid.yb_, grid.y0_, grid.dy_, std::min(e.y1, e.y2) - kEpsilonDeg);
    const int r1 = IntervalOf(grid.yb_, grid.y0_, grid.dy_, std::max(e.y1, e.y2) + kEpsilonDeg);
    const double ddy = e.y2 - e.y1, ddx = e.x2 - e.x1;
    for (int r = r0; r <= r1; ++r) {
      int lo = c0, hi = c1;
      if (ddy != 0 && r1 > r0) {
        double ta = (grid.yb_[r] - kEpsilonDeg - e.y1) / ddy;
        double tb = (grid.yb_[r + 1] + kEpsilonDeg - e.y1) / ddy;
        if (ta > tb) std::swap(ta, tb);
        ta = std::clamp(ta, 0.0, 1.0);
        tb = std::clamp(tb, 0.0, 1.0);
        const double xa = e.x1 + ta * ddx, xb = e.x1 + tb * ddx;
        lo = std::max(c0, IntervalOf(grid.xb_, grid.x0_, grid.dx_,
                                     std::min(xa, xb) - kEpsilonDeg) - 1);
        hi = std::min(c1, IntervalOf(grid.xb_, grid.x0_, grid.dx_,
                                     std::max(xa, xb) + kEpsilonDeg) + 1);
      }
      for (int c = lo; c <= hi; ++c) {
        if (SegmentTouchesBox(e.x1, e.y1, e.x2, e.y2, grid.xb_[c] - kEpsilonDeg,
                              grid.yb_[r] - kEpsilonDeg, grid.xb_[c + 1] + kEpsilonDeg,
                              grid.yb_[r + 1] + kEpsilonDeg)) {
          visit(static_cast<size_t>(r) * nx + c);
        }
      }
    }
  };
  grid.begin_.assign(cells + 1, 0);
  size_t copies = 0;
  for (const Edge& e : grid.all_edges_) {
    for_each_cell(e, [&](size_t cell) {
      ++grid.begin_[cell + 1];
      ++copies;
    });
    if (copies > limits.max_grid_edge_copies) {
      return absl::ResourceExhaustedError(absl::StrFormat(
          "the lookup grid would need more than %d (edge, cell) incidences for %d edges "
          "in cells of %g km (GazetteerLimits::max_grid_edge_copies; use larger cells or "
          "raise the limit)",
          limits.max_grid_edge_copies, grid.all_edges_.size(), cell_km));
    }
  }
  for (size_t i = 0; i < cells; ++i) grid.begin_[i + 1] += grid.begin_[i];
  grid.edges_.resize(grid.begin_[cells]);
  {
    std::vector<uint32_t> fill(grid.begin_.begin(), grid.begin_.end() - 1);
    for (const Edge& e : grid.all_edges_) {
      for_each_cell(e, [&](size_t cell) { grid.edges_[fill[cell]++] = e; });
    }
  }

  // Answers for pure cells: a scanline through each row's centre, crossings sorted by
  // x, parity per region toggled while sweeping the column centres left to right.
  // (Each closed ring crosses a line an even number of times, so the parity left of a
  // point equals the ray-casting parity to its right.)
  std::vector<std::vector<uint32_t>> row_edges(ny);
  for (uint32_t i = 0; i < grid.all_edges_.size(); ++i) {
    const Edge& e = grid.all_edges_[i];
    const int r0 = IntervalOf(grid.yb_, grid.y0_, grid.dy_, std::min(e.y1, e.y2));
    const int r1 = IntervalOf(grid.yb_, grid.y0_, grid.dy_, std::max(e.y1, e.y2));
    for (int r = r0; r <= r1; ++r) row_edges[r].push_back(i);
  }
  grid.owner_.assign(cells, kNone);
  std::vector<uint8_t> parity(regions.size(), 0);
  std::vector<uint32_t> odd;
  std::vector<std::pair<double, uint32_t>> crossings;
  absl::flat_hash_map<uint64_t, size_t> overlap_index;  // (first, second) -> overlaps_
  for (int r = 0; r < ny; ++r) {
    const double yc = (grid.yb_[r] + grid.yb_[r + 1]) / 2;
    crossings.clear();
    for (uint32_t i : row_edges[r]) {
      const Edge& e = grid.all_edges_[i];
      if ((e.y1 > yc) != (e.y2 > yc)) {
        crossings.push_back({CrossingX(e.x1, e.y1, e.x2, e.y2, yc), e.region});
      }
    }
    std::sort(crossings.begin(), crossings.end());
    odd.clear();
    size_t k = 0;
    for (int c = 0; c < nx; ++c) {
      const double xc = (grid.xb_[c] + grid.xb_[c + 1]) / 2;
      for (; k < crossings.size() && crossings[k].first < xc; ++k) {
        const uint32_t region = crossings[k].second;
        if ((parity[region] ^= 1) != 0) {
          odd.push_back(region);
        } else {
          odd.erase(std::find(odd.begin(), odd.end(), region));
        }
      }
      const size_t cell = static_cast<size_t>(r) * nx + c;
      if (grid.begin_[cell] != grid.begin_[cell + 1]) {
        ++grid.mixed_cells_;
      } else if (odd.size() == 1) {
        grid.owner_[cell] = odd.front();
      } else if (odd.size() > 1) {
        // Inside several regions (they overlap here): one owner cannot say so, and a
        // walk ending here would miss the others' parity. Such a cell answers by
        // walking on, as a mixed cell without edges does.
        grid.owner_[cell] = kSeveral;
        ++grid.mixed_cells_;
        // The two smallest region numbers: the winner and the first it hides.
        uint32_t first = kNone, second = kNone;
        for (uint32_t region : odd) {
          if (region < first) {
            second = first;
            first = region;
          } else if (region < second) {
            second = region;
          }
        }
        auto [it, inserted] = overlap_index.emplace(
            (static_cast<uint64_t>(first) << 32) | second, grid.overlaps_.size());
        if (inserted) {
          grid.overlaps_.push_back({first, second, 1, xc, yc});
        } else {
          ++grid.overlaps_[it->second].cells;
        }
      }
    }
    for (; k < crossings.size(); ++k) parity[crossings[k].second] ^= 1;  // back to all zero
  }
  std::sort(grid.overlaps_.begin(), grid.overlaps_.end(),
            [](const RegionOverlap& a, const RegionOverlap& b) {
              return a.first != b.first ? a.first < b.first : a.second < b.second;
            });
  return grid;
}

uint32_t RegionGrid::Find(double x, double y) const {
  // Written so that NaN fails the test.
  if (nx_ == 0 || !(x >= xb_.front() && x < xb_.back() && y >= yb_.front() && y < yb_.back())) {
    return kNone;
  }
  const int col = IntervalOf(xb_, x0_, dx_, x);
  const int row = IntervalOf(yb_, y0_, dy_, y);
  const size_t cell = static_cast<size_t>(row) * nx_ + col;
  if (begin_[cell] == begin_[cell + 1] && owner_[cell] != kSeveral) return owner_[cell];
  return WalkMixed(row, col, x, y);
}

uint32_t RegionGrid::WalkMixed(int row, int col, double x, double y) const {
  OddSet odd;
  uint32_t reference = kNone;
  for (int c = col; c < nx_; ++c) {
    const size_t cell = static_cast<size_t>(row) * nx_ + c;
    const uint32_t b = begin_[cell], e = begin_[cell + 1];
    if (b == e && owner_[cell] != kSeveral) {
      reference = owner_[cell];
      break;
    }
    // This cell counts the crossings in (lo, hi]; together the cells walked count
    // every crossing in (x, left border of the pure cell] exactly once.
    const double lo = c == col ? x : xb_[c];
    const double hi = xb_[c + 1];
    for (uint32_t i = b; i < e; ++i) {
      const Edge& edge = edges_[i];
      if ((edge.y1 > y) == (edge.y2 > y)) continue;
      const double xi = CrossingX(edge.x1, edge.y1, edge.x2, edge.y2, y);
      if (xi > lo && xi <= hi && !odd.Toggle(edge.region)) return FindBruteForce(x, y);
    }
  }
  uint32_t best = kNone;
  for (uint32_t region : odd) {
    if (region != reference) best = std::min(best, region);
  }
  if (reference != kNone && !odd.Contains(reference)) best = std::min(best, reference);
  return best;
}

uint32_t RegionGrid::FindBruteForce(double x, double y) const {
  if (!std::isfinite(x) || !std::isfinite(y)) return kNone;
  std::vector<uint8_t> parity;
  for (const Edge& e : all_edges_) {
    if ((e.y1 > y) == (e.y2 > y)) continue;
    if (CrossingX(e.x1, e.y1, e.x2, e.y2, y) > x) {
      if (parity.size() <= e.region) parity.resize(e.region + 1, 0);
      parity[e.region] ^= 1;
    }
  }
  for (uint32_t r = 0; r < parity.size(); ++r) {
    if (parity[r]) return r;
  }
  return kNone;
}

}  // namespace wegwijzer::internal
