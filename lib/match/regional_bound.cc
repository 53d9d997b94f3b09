#include "match/regional_bound.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "core/geo_internal.h"
#include "route/search.h"

namespace wegwijzer::internal {
namespace {

constexpr int64_t kAbsent = MissingPairBound::kPriceAbsent;

// The least cost (metres) a pair can have with a location at squared chord `chord2`:
// the haversine distance is >= R·chord (search.h), the cost rounds it, and the slack
// covers the rounding of the chord itself.
int64_t LeastCost(double chord2) {
  const double d = kEarthRadiusMeters * std::sqrt(chord2) - kSlackMeters;
  return d <= 0 ? 0 : static_cast<int64_t>(d);  // floor(d) <= llround(haversine)
}

}  // namespace

RegionalPairBound::RegionalPairBound(const DirectoryIndex& index,
                                     std::span<const Request> requests,
                                     std::span<const uint32_t> order, int64_t remote_cost)
    : index_(index), requests_(requests), order_(order), remote_cost_(remote_cost),
      entry_price_(index.physical.size(), kAbsent),
      node_price_(index.tree.size(), kAbsent),
      node_topic_price_(index.tree.size() * kTopicCount, kAbsent),
      remote_price_(index.remote.size(), kAbsent),
      remote_block_price_((index.remote.size() + kRemoteBlock - 1) / kRemoteBlock, kAbsent) {}

void RegionalPairBound::SetPrices(std::span<const int64_t> price, int64_t scale) {
  scale_ = scale;
  const PhysicalEntries& e = index_.physical;
  auto price_of = [&](uint32_t p, uint8_t capacity_class) {
    return capacity_class == kLimitedCapacity && p < price.size() ? price[p] : kAbsent;
  };
  for (uint32_t i = 0; i < e.size(); ++i) {
    entry_price_[i] = price_of(e.provider[i], e.capacity_class[i]);
  }
  // Children come after their parent in the tree (it is built depth first). Per node
  // the least price overall and per topic (of the entries offering it).
  for (size_t id = index_.tree.size(); id-- > 0;) {
    const TreeNode& node = index_.tree[id];
    int64_t* topic_low = &node_topic_price_[id * kTopicCount];
    int64_t low = kAbsent;
    std::fill(topic_low, topic_low + kTopicCount, kAbsent);
    if (node.left == 0) {
      for (uint32_t i = node.begin; i < node.end; ++i) {
        const int64_t price = entry_price_[i];
        if (price >= kAbsent) continue;
        low = std::min(low, price);
        for (uint32_t bits = e.topics[i]; bits != 0; bits &= bits - 1) {
          int64_t& t = topic_low[std::countr_zero(bits)];
          t = std::min(t, price);
        }
      }
    } else {
      low = std::min(node_price_[node.left], node_price_[node.right]);
      const int64_t* a = &node_topic_price_[node.left * kTopicCount];
      const int64_t* b = &node_topic_price_[node.right * kTopicCount];
      for (int t = 0; t < kTopicCount; ++t) topic_low[t] = std::min(a[t], b[t]);
    }
    node_price_[id] = low;
  }
  const RemoteEntries& r = index_.remote;
  for (size_t i = 0; i < r.size(); ++i) {
    remote_price_[i] = price_of(r.provider[i], r.capacity_class[i]);
    int64_t& block = remote_block_price_[i / kRemoteBlock];
    block = (i % kRemoteBlock == 0) ? remote_price_[i] : std::min(block, remote_price_[i]);
  }
}

int64_t RegionalPairBound::Floor(uint32_t request, int64_t threshold, int64_t cost_below,
                                 int64_t stop, std::span<const ListedPair> listed) {
  // The providers of the list asked about, by a stamp per provider and thread (Floor
  // may be asked from several threads at once).
  thread_local std::vector<uint32_t> marked;
  thread_local uint32_t stamp = 0;
  if (++stamp == 0) {
    std::fill(marked.begin(), marked.end(), 0);
    stamp = 1;
  }
  for (const ListedPair& e : listed) {
    if (e.provider >= marked.size()) marked.resize(e.provider + 1, 0);
    marked[e.provider] = stamp;
  }
  auto is_listed = [&](uint32_t p) { return p < marked.size() && marked[p] == stamp; };
  const Request& request_data = requests_[order_.empty() ? request : order_[request]];
  const Query q = CompileQuery(request_data, index_);
  const int64_t scale = scale_;
  int64_t best = stop;
  // Remote pairs cost remote_cost.
  const RemoteEntries& r = index_.remote;
  if (q.remote_modes != 0 && !r.provider.empty() && remote_cost_ < cost_below) {
    const int64_t cost = scale * std::max(threshold, remote_cost_);
    for (size_t block = 0; block < remote_block_price_.size(); ++block) {
      if (remote_block_price_[block] >= kAbsent || cost + remote_block_price_[block] >= best ||
          !RemoteBlockSuits(q, kLimitedCapacity, r, block)) {
        continue;
      }
      const size_t end = std::min(r.size(), (block + 1) * kRemoteBlock);
      for (size_t i = block * kRemoteBlock; i < end; ++i) {
        if (remote_price_[i] >= kAbsent || cost + remote_price_[i] >= best ||
            !RemoteEntrySuits(q, kLimitedCapacity, r, i)) {
          continue;
        }
        const uint32_t p = r.provider[i];
        if (is_listed(p) || !index_.Serves(p, q.municipality) || !Eligible(q, index_.rules[p])) {
          continue;
        }
        best = cost + remote_price_[i];
      }
    }
  }
  // Physical pairs: the tree, nearest first, pruned by reach and by the bound.
  const PhysicalEntries& e = index_.physical;
  if (index_.tree.empty() || (q.modes & (kInPersonBit | kHomeVisitBit)) == 0) return best;
  // The least price of an entry that offers every topic the request asks for: at
  // least each such topic's least price in the node.
  int topic_of[kTopicCount];
  int topic_count = 0;
  for (uint32_t bits = q.topics; bits != 0; bits &= bits - 1) {
    topic_of[topic_count++] = std::countr_zero(bits);
  }
  // No candidate costs cost_below or more: nothing farther is a pair to bound.
  const double below_m = static_cast<double>(cost_below);
  auto node_bound = [&](uint32_t id, double chord2) {
    int64_t low = node_price_[id];
    const int64_t* topic_low = &node_topic_price_[id * kTopicCount];
    for (int k = 0; k < topic_count; ++k) low = std::max(low, topic_low[topic_of[k]]);
    return low >= kAbsent ? kAbsent : scale * std::max(threshold, LeastCost(chord2)) + low;
  };
  struct Pending {
    uint32_t node;
    double chord2;
    double reach;
    int64_t bound;
  };
  Pending stack[130];  // one pending sibling per level of a balanced tree, as search.cc
  int depth = 0;
  {
    const double reach = std::min(NodeReach(q, kLimitedCapacity, index_.tree[0]), below_m);
    const double chord2 = ChordSquared(q.unit, index_.tree[0]);
    if (reach < 0 || chord2 > ChordSquaredLimit(reach)) return best;
    stack[depth++] = {0, chord2, reach, node_bound(0, chord2)};
  }
  while (depth > 0) {
    const Pending pending = stack[--depth];
    if (pending.bound >= best) continue;
    const TreeNode& node = index_.tree[pending.node];
    if (node.left != 0) {
      Pending child[2];
      int kept = 0;
      for (uint32_t id : {node.left, node.right}) {
        const TreeNode& c = index_.tree[id];
        const double reach = std::min(NodeReach(q, kLimitedCapacity, c), below_m);
        const double chord2 = ChordSquared(q.unit, c);
        if (reach < 0 || chord2 > ChordSquaredLimit(reach)) continue;
        const int64_t bound = node_bound(id, chord2);
        if (bound < best) child[kept++] = {id, chord2, reach, bound};
      }
      // The lower bound on top, so that it sets `best` first and prunes the other.
      if (kept == 2 && child[0].bound < child[1].bound) std::swap(child[0], child[1]);
      for (int k = 0; k < kept; ++k) stack[depth++] = child[k];
      continue;
    }
    for (uint32_t i = node.begin; i < node.end; ++i) {
      if (entry_price_[i] >= kAbsent) continue;
      const EntryModes suits = SuitingModes(q, kLimitedCapacity, e, i);
      if (!suits.any()) continue;
      const double reach = std::min(EntryReach(q, e, i, suits), below_m);
      const double chord2 = ChordSquared(q.unit, e.unit[i]);
      if (chord2 > ChordSquaredLimit(reach)) continue;
      if (scale * std::max(threshold, LeastCost(chord2)) + entry_price_[i] >= best) continue;
      const uint32_t p = e.provider[i];
      if (is_listed(p) || !index_.Serves(p, q.municipality) || !Eligible(q, index_.rules[p])) {
        continue;
      }
      // The pair's own cost, by the candidate search's rule (AtDistance), where the
      // chord gave a bound up to a metre or two low: in the phases without slack a
      // list grows whenever the bound is below the request's best, and at exact
      // prices ties within those metres are common. Out of reach, the location
      // offers no pair at all; one that also offers a remote mode the request takes
      // is a pair of at most remote_cost (the remote scan above prices those too).
      const EntryAtDistance at = AtDistance(q, e, i, suits);
      if (!at.modes.any()) continue;
      int64_t cost = at.cost;
      if ((q.modes & e.modes[i] & q.remote_modes) != 0) cost = std::min(cost, remote_cost_);
      if (cost >= cost_below) continue;
      const int64_t value = scale * std::max(threshold, cost) + entry_price_[i];
      if (value >= best) continue;
      best = value;
    }
  }
  return best;
}

}  // namespace wegwijzer::internal
