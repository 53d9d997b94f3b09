#include "match/reference_solver.h"

#include "directory/directory_index.h"
#include "route/search.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/successive_shortest_path_nonnegative_weights.hpp>
#pragma GCC diagnostic pop

namespace wegwijzer::internal {
namespace {

using Traits = boost::adjacency_list_traits<boost::vecS, boost::vecS, boost::directedS>;
using Graph = boost::adjacency_list<
    boost::vecS, boost::vecS, boost::directedS, boost::no_property,
    boost::property<boost::edge_capacity_t, int64_t,
                    boost::property<boost::edge_residual_capacity_t, int64_t,
                                    boost::property<boost::edge_reverse_t,
                                                    Traits::edge_descriptor,
                                                    boost::property<boost::edge_weight_t,
                                                                    double>>>>>;
using Edge = Traits::edge_descriptor;
// Weights are doubles, not int64: Boost's reduced-weight map adds the distances of
// unreachable vertices (numeric_limits::max()), which overflows a signed integer
// (undefined behaviour the fuzzer found) but is a harmless infinity in double. Every
// cost and total here is an integer far below 2^53, so doubles hold them exactly.

Edge AddArc(Graph& g, size_t from, size_t to, int64_t capacity, int64_t cost) {
  auto capacity_map = boost::get(boost::edge_capacity, g);
  auto reverse_map = boost::get(boost::edge_reverse, g);
  auto weight_map = boost::get(boost::edge_weight, g);
  const Edge e = boost::add_edge(from, to, g).first;
  const Edge back = boost::add_edge(to, from, g).first;
  capacity_map[e] = capacity;
  capacity_map[back] = 0;
  weight_map[e] = static_cast<double>(cost);
  weight_map[back] = -static_cast<double>(cost);
  reverse_map[e] = back;
  reverse_map[back] = e;
  return e;
}

}  // namespace

ReferenceSolution SolveWithBoost(const Directory& directory,
                                 std::span<const Request> requests, int64_t penalty,
                                 int64_t remote_cost) {
  const DirectoryIndex& index = directory.index();
  const size_t n = requests.size(), m = directory.size();
  // Vertices: source, sink, requests, providers.
  const size_t source = 0, sink = 1, first_request = 2, first_provider = 2 + n;
  Graph g(2 + n + m);
  struct Pair {
    Edge arc;
    uint32_t provider;
    int location;
    Mode mode;
    int64_t cost;
  };
  std::vector<std::vector<Pair>> pairs(n);
  ReferenceSolution solution;
  std::vector<PhysicalPair> all(index.physical.size());
  for (size_t r = 0; r < n; ++r) {
    AddArc(g, source, first_request + r, 1, 0);
    AddArc(g, first_request + r, sink, 1, penalty * (1 + requests[r].priority));
    const Query q = CompileQuery(requests[r], index);
    const SearchLimits limits{.remote_cost = remote_cost};
    const int found = SearchPhysical(q, index, limits, all.data(), static_cast<int>(all.size()));
    std::vector<uint32_t> seen;
    auto add = [&](uint32_t p, int location, Mode mode, int64_t cost) {
      for (uint32_t s : seen) {
        if (s == p) return;  // the pair's cost is its cheapest location's
      }
      seen.push_back(p);
      pairs[r].push_back({AddArc(g, first_request + r, first_provider + p, 1, cost), p,
                          location, mode, cost});
    };
    for (int i = 0; i < found; ++i) {
      add(index.physical.provider[all[i].entry],
          static_cast<int>(index.physical.location[all[i].entry]), all[i].mode, all[i].cost);
    }
    // A copy: `add` grows `seen` while the scan reads the exclusions (the fuzzer
    // caught the dangling span).
    const std::vector<uint32_t> physical_providers = seen;
    ScanRemote(q, index, limits, physical_providers, [&](uint32_t p, Mode mode) {
      add(p, -1, mode, remote_cost);
      return true;
    });
    solution.arcs += pairs[r].size();
  }
  for (size_t p = 0; p < m; ++p) {
    const auto& capacity = directory.provider(ProviderIndex(p)).capacity;
    AddArc(g, first_provider + p, sink, capacity ? *capacity : static_cast<int64_t>(n), 0);
  }
  boost::successive_shortest_path_nonnegative_weights(g, source, sink);

  auto capacity_map = boost::get(boost::edge_capacity, g);
  auto residual_map = boost::get(boost::edge_residual_capacity, g);
  solution.provider.assign(n, -1);
  solution.location.assign(n, -1);
  solution.mode.assign(n, Mode::kInPerson);
  solution.cost.assign(n, 0);
  for (size_t r = 0; r < n; ++r) {
    for (const Pair& pair : pairs[r]) {
      if (capacity_map[pair.arc] - residual_map[pair.arc] == 1) {
        solution.provider[r] = pair.provider;
        solution.location[r] = pair.location;
        solution.mode[r] = pair.mode;
        solution.cost[r] = pair.cost;
      }
    }
  }
  return solution;
}

}  // namespace wegwijzer::internal
