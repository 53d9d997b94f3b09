// Internal: the Matcher's MissingPairBound, a regional lower bound on what a request's
// missing candidate pairs are worth, c(r,p) + v(p).
//
// Why. A request's list holds its cheapest candidates; a pair it lacks can matter only
// if c(r,p) + v(p) < u(r). With only the global least price vmin to go by, the solver
// must list every provider within u(r) - vmin metres, and on the real map some
// provider somewhere always has room (vmin = 0): in a congested city, where u(r) runs
// to tens of kilometres, that is every provider of the city for every request. The
// prices that matter are those near the request: a full, priced provider 3 km away is
// worth c + v well above u(r), whatever vmin is.
//
// How. The directory's kd-tree of provider locations (DirectoryIndex::tree) gets, per
// node, the least price of a provider of limited capacity at one of its locations,
// overall and per topic among the locations offering it (SetPrices, O(entries x
// topics + nodes x kTopicCount)). Floor walks the tree nearest first, as the
// candidate search does, with the lower bound
//     scale max(threshold, lower cost of the node's box) + least price in the node
// for a whole node, where the least price is the largest of the per-topic least
// prices over the request's topics (a location that suits offers them all, so a
// cheap provider of other topics nearby does not stop the pruning: at 15,000 /
// 300,000 a question looks at 25 locations instead of 74). The walk is pruned by the
// request's reach (max_km, home-visit radii, and cost_below: no candidate costs
// the request's outside option or more) and by the node's topic, language, mode
// and access masks, and at a leaf the same for each location not in the request's
// list, with the municipality and eligibility rules; a location that passes is
// valued at its pair's own cost (the haversine, as the candidate search computes
// it), not the chord's bound, which ran a metre or two low: in the phases without
// slack a list grows whenever the bound is below the request's best, and at exact
// prices such near ties are common (15,000 / 300,000: 12.2 M pairs instead of 13.7
// M). Remote pairs (cost remote_cost, candidates only where that is below
// cost_below, which spares most remote-capable requests the scan) take the least
// price among the providers offering a remote mode that suits. Every rule it drops
// (opening hours, service areas, a phone line's hours) only lowers the bound,
// which stays a bound. (Listed providers are left out: the best one, counted at the
// threshold's cost, would cap the bound below the second best and the relabels
// would climb in smaller steps.) The result is the least value below `stop` over
// the pairs the rules it keeps allow (tests compare it with a scan of every
// location, exactly).
//
// SetPrices recomputes only what changed: the solver takes the prices again every
// few thousand pushes, with a few hundred providers' heights changed (at 50,000 /
// 1,000,000 a full pass over the tree was 2.3% of the samples, on the solver's
// thread while the other waited). The entries of the providers whose price changed
// are priced again, and the nodes above them recomputed from their children, bottom
// up; where more than 1/kFullShare of the entries changed, the whole tree is. Both
// ways give the same node prices (tests compare them).
// Cost: O(log entries + locations and remote tree nodes visited) per Floor, no
// allocation; the caller asks only when C(r) + vmin cannot settle the question.
// Memory: 1 + kTopicCount int64 and a parent per tree node, a price, a leaf and a
// provider slot per location; per remote entry of limited capacity a copy of its
// masks, its price, and fewer than half a node of its tree (unions and a least
// price; leaves of kRemoteLeaf = 8 entries); an int64 per provider (the last prices).
// Thread-safety: Floor may be asked from several threads at once (it reads the
// prices and keeps its scratch per thread);
// SetPrices only while nobody asks.
#ifndef WEGWIJZER_LIB_MATCH_REGIONAL_BOUND_H_
#define WEGWIJZER_LIB_MATCH_REGIONAL_BOUND_H_

#include <cstdint>
#include <span>
#include <vector>

#include "directory/directory_index.h"
#include "match/assignment.h"
#include "wegwijzer/request.h"

namespace wegwijzer::internal {

class RegionalPairBound final : public MissingPairBound {
 public:
  // Solver request r is requests[order[r]] (empty order: r itself); solver provider p
  // is ProviderIndex p. All referenced data must outlive the bound.
  RegionalPairBound(const DirectoryIndex& index, std::span<const Request> requests,
                    std::span<const uint32_t> order, int64_t remote_cost);

  void SetPrices(std::span<const int64_t> price, int64_t scale) override;
  int64_t Floor(uint32_t request, int64_t threshold, int64_t cost_below, int64_t stop,
                std::span<const ListedPair> listed) override;
  // SetPrices calls that recomputed only the changed providers' part of the trees.
  int64_t partial_updates() const { return partial_updates_; }

 private:
  // A tree node's least prices (overall and per topic) from its entries (a leaf) or
  // its children.
  void RecomputeNode(uint32_t id);
  // A remote tree node's least price, from its entries (a leaf) or its children.
  void RecomputeRemoteNode(size_t node);
  // Where fewer than 1/kFullShare of the entries changed price, SetPrices updates
  // only those and their nodes.
  static constexpr size_t kFullShare = 8;

  const DirectoryIndex& index_;
  std::span<const Request> requests_;
  std::span<const uint32_t> order_;
  int64_t remote_cost_;
  int64_t scale_ = 1;
  std::vector<int64_t> entry_price_;   // per physical entry: its provider's price
  std::vector<int64_t> node_price_;    // per tree node: least entry price under it
  // Per tree node and topic (node * kTopicCount + topic): the least price of an entry
  // under it that offers the topic.
  std::vector<int64_t> node_topic_price_;
  // The remote entries of limited capacity, ordered by what they offer (languages,
  // topics, modes, access), under an implicit binary tree: node k has children 2k
  // and 2k + 1, leaf j (entries [kRemoteLeaf j, kRemoteLeaf (j + 1))) is node
  // remote_leaves_ + j, and remote_.block_* hold each node's unions, so that
  // RemoteBlockSuits tests a node. Entries in directory order (by provider id) mix
  // languages within every block of 32, and a request in a language few providers
  // speak passed nearly every block: the remote scan was 80% of the entries a
  // question looked at (15,000 / 300,000: 489 per remote question). Grouped, a
  // subtree's unions are nearly exact, and its least price prunes it.
  RemoteEntries remote_;
  size_t remote_leaves_ = 0;                // a power of two; 0 without entries
  std::vector<int64_t> remote_price_;       // per entry of remote_
  std::vector<int64_t> remote_node_price_;  // per node: the least price under it
  // For the partial updates: the prices last set (per provider), each tree node's
  // parent and each physical entry's leaf, the entries of each provider (CSR, into
  // the physical entries and into remote_), and scratch.
  std::vector<int64_t> last_price_;
  std::vector<uint32_t> parent_, leaf_of_;
  std::vector<uint32_t> physical_start_, physical_of_, remote_start_, remote_of_;
  std::vector<uint32_t> changed_, dirty_;
  std::vector<uint8_t> node_dirty_, remote_dirty_;
  int64_t partial_updates_ = 0;
};

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_MATCH_REGIONAL_BOUND_H_
