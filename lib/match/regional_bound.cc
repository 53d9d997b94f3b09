#include "match/regional_bound.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <string>
#include <tuple>

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

// Entries per leaf of the remote tree (RegionalPairBound::remote_).
constexpr size_t kRemoteLeaf = 8;

// Provider p's entries in a CSR by provider (`start`, `of`); none past its end.
std::span<const uint32_t> EntriesOf(const std::vector<uint32_t>& start,
                                    const std::vector<uint32_t>& of, uint32_t p) {
  if (p + 1 >= start.size()) return {};
  return std::span<const uint32_t>(of).subspan(start[p], start[p + 1] - start[p]);
}

}  // namespace

RegionalPairBound::RegionalPairBound(const DirectoryIndex& index,
                                     std::span<const Request> requests,
                                     std::span<const uint32_t> order, int64_t remote_cost)
    : index_(index), requests_(requests), order_(order), remote_cost_(remote_cost),
      entry_price_(index.physical.size(), kAbsent),
      node_price_(index.tree.size(), kAbsent),
      node_topic_price_(index.tree.size() * kTopicCount, kAbsent) {
  // Each node's parent and each physical entry's leaf; the physical entries of each
  // provider (CSR). Built once: the partial updates of SetPrices walk them.
  const PhysicalEntries& physical = index.physical;
  parent_.assign(index.tree.size(), 0);
  leaf_of_.assign(physical.size(), 0);
  node_dirty_.assign(index.tree.size(), 0);
  for (uint32_t id = 0; id < index.tree.size(); ++id) {
    const TreeNode& node = index.tree[id];
    if (node.left != 0) {
      parent_[node.left] = id;
      parent_[node.right] = id;
    } else {
      for (uint32_t i = node.begin; i < node.end; ++i) leaf_of_[i] = id;
    }
  }
  auto by_provider = [](std::span<const uint32_t> provider, std::vector<uint32_t>* start,
                        std::vector<uint32_t>* of) {
    uint32_t providers = 0;
    for (uint32_t p : provider) providers = std::max(providers, p + 1);
    start->assign(providers + 1, 0);
    for (uint32_t p : provider) ++(*start)[p + 1];
    for (uint32_t p = 0; p < providers; ++p) (*start)[p + 1] += (*start)[p];
    of->resize(provider.size());
    std::vector<uint32_t> fill(start->begin(), start->end() - 1);
    for (uint32_t i = 0; i < provider.size(); ++i) (*of)[fill[provider[i]]++] = i;
  };
  by_provider(physical.provider, &physical_start_, &physical_of_);
  // The remote entries the bound prices (limited capacity), ordered by what they
  // offer, so that entries a request can use lie together under few nodes. The
  // order is a grouping only: ties of value are settled by value alone.
  const RemoteEntries& all = index.remote;
  std::vector<uint32_t> order_of;
  std::vector<std::string> languages(all.size());
  for (uint32_t i = 0; i < all.size(); ++i) {
    if (all.capacity_class[i] != kLimitedCapacity) continue;
    order_of.push_back(i);
    languages[i] = all.languages[i].ToString();
  }
  std::sort(order_of.begin(), order_of.end(), [&](uint32_t a, uint32_t b) {
    return std::tie(languages[a], all.topics[a], all.modes[a], all.access[a], a) <
           std::tie(languages[b], all.topics[b], all.modes[b], all.access[b], b);
  });
  for (uint32_t i : order_of) {
    remote_.provider.push_back(all.provider[i]);
    remote_.topics.push_back(all.topics[i]);
    remote_.languages.push_back(all.languages[i]);
    remote_.modes.push_back(all.modes[i]);
    remote_.access.push_back(all.access[i]);
    remote_.capacity_class.push_back(all.capacity_class[i]);
  }
  remote_price_.assign(remote_.size(), kAbsent);
  by_provider(remote_.provider, &remote_start_, &remote_of_);
  if (remote_.size() == 0) return;
  remote_leaves_ = std::bit_ceil((remote_.size() + kRemoteLeaf - 1) / kRemoteLeaf);
  const size_t nodes = 2 * remote_leaves_;
  remote_.block_topics.assign(nodes, 0);
  remote_.block_languages.assign(nodes, LanguageSet());
  remote_.block_modes.assign(nodes, 0);
  remote_.block_access.assign(nodes, 0);
  remote_.block_capacity_classes.assign(nodes, 0);
  remote_node_price_.assign(nodes, kAbsent);
  remote_dirty_.assign(nodes, 0);
  for (size_t i = 0; i < remote_.size(); ++i) {
    const size_t leaf = remote_leaves_ + i / kRemoteLeaf;
    remote_.block_topics[leaf] |= remote_.topics[i];
    remote_.block_languages[leaf] |= remote_.languages[i];
    remote_.block_modes[leaf] |= remote_.modes[i];
    remote_.block_access[leaf] |= remote_.access[i];
    remote_.block_capacity_classes[leaf] |= remote_.capacity_class[i];
  }
  for (size_t k = remote_leaves_; k-- > 1;) {
    for (size_t c : {2 * k, 2 * k + 1}) {
      remote_.block_topics[k] |= remote_.block_topics[c];
      remote_.block_languages[k] |= remote_.block_languages[c];
      remote_.block_modes[k] |= remote_.block_modes[c];
      remote_.block_access[k] |= remote_.block_access[c];
      remote_.block_capacity_classes[k] |= remote_.block_capacity_classes[c];
    }
  }
}

void RegionalPairBound::RecomputeNode(uint32_t id) {
  const PhysicalEntries& e = index_.physical;
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

void RegionalPairBound::RecomputeRemoteNode(size_t node) {
  if (node < remote_leaves_) {
    remote_node_price_[node] =
        std::min(remote_node_price_[2 * node], remote_node_price_[2 * node + 1]);
    return;
  }
  const size_t begin = (node - remote_leaves_) * kRemoteLeaf;
  const size_t end = std::min(remote_.size(), begin + kRemoteLeaf);
  int64_t low = kAbsent;
  for (size_t i = begin; i < end; ++i) low = std::min(low, remote_price_[i]);
  remote_node_price_[node] = low;
}

void RegionalPairBound::SetPrices(std::span<const int64_t> price, int64_t scale) {
  const PhysicalEntries& e = index_.physical;
  auto price_of = [&](uint32_t p, uint8_t capacity_class) {
    return capacity_class == kLimitedCapacity && p < price.size() ? price[p] : kAbsent;
  };
  // The providers whose price changed since the last call, and their entries.
  bool full = scale != scale_ || last_price_.size() != price.size();
  if (!full) {
    changed_.clear();
    size_t entries = 0;
    for (uint32_t p = 0; p < price.size(); ++p) {
      if (price[p] == last_price_[p]) continue;
      changed_.push_back(p);
      entries += EntriesOf(physical_start_, physical_of_, p).size() +
                 EntriesOf(remote_start_, remote_of_, p).size();
    }
    full = entries * kFullShare > e.size() + remote_.size();
  }
  scale_ = scale;
  last_price_.assign(price.begin(), price.end());
  if (!full) {
    ++partial_updates_;
    // Physical: the changed entries' leaves and every node above them, recomputed
    // bottom up (children come after their parent: the tree is built depth first).
    dirty_.clear();
    for (uint32_t p : changed_) {
      for (uint32_t i : EntriesOf(physical_start_, physical_of_, p)) {
        entry_price_[i] = price_of(p, e.capacity_class[i]);
        // Up to the root (its own parent, so marked it ends the walk).
        for (uint32_t id = leaf_of_[i]; !node_dirty_[id]; id = parent_[id]) {
          node_dirty_[id] = 1;
          dirty_.push_back(id);
        }
      }
    }
    std::sort(dirty_.begin(), dirty_.end(), std::greater<>());
    for (uint32_t id : dirty_) {
      RecomputeNode(id);
      node_dirty_[id] = 0;
    }
    // Remote: the changed entries' leaves, then their ancestors (node k's parent is
    // k / 2), deepest first.
    if (remote_leaves_ == 0) return;
    dirty_.clear();
    for (uint32_t p : changed_) {
      for (uint32_t i : EntriesOf(remote_start_, remote_of_, p)) {
        remote_price_[i] = price_of(p, remote_.capacity_class[i]);
        for (size_t node = remote_leaves_ + i / kRemoteLeaf; node >= 1 && !remote_dirty_[node];
             node /= 2) {
          remote_dirty_[node] = 1;
          dirty_.push_back(static_cast<uint32_t>(node));
        }
      }
    }
    std::sort(dirty_.begin(), dirty_.end(), std::greater<>());
    for (uint32_t node : dirty_) {
      remote_dirty_[node] = 0;
      RecomputeRemoteNode(node);
    }
    return;
  }
  for (uint32_t i = 0; i < e.size(); ++i) {
    entry_price_[i] = price_of(e.provider[i], e.capacity_class[i]);
  }
  // Children come after their parent in the tree (it is built depth first). Per node
  // the least price overall and per topic (of the entries offering it).
  for (size_t id = index_.tree.size(); id-- > 0;) RecomputeNode(static_cast<uint32_t>(id));
  if (remote_leaves_ == 0) return;
  for (size_t i = 0; i < remote_.size(); ++i) {
    remote_price_[i] = price_of(remote_.provider[i], remote_.capacity_class[i]);
  }
  for (size_t k = 2 * remote_leaves_; k-- > 1;) RecomputeRemoteNode(k);
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
  // Remote pairs cost remote_cost: the least price among the entries that suit, by
  // the remote tree, cheapest subtree first.
  if (q.remote_modes != 0 && remote_leaves_ != 0 && remote_cost_ < cost_below) {
    const int64_t cost = scale * std::max(threshold, remote_cost_);
    auto worth_it = [&](size_t node) {
      return remote_node_price_[node] < kAbsent && cost + remote_node_price_[node] < best &&
             RemoteBlockSuits(q, kLimitedCapacity, remote_, node);
    };
    size_t stack[2 * 64];  // at most one pending sibling per level
    int depth = 0;
    if (worth_it(1)) stack[depth++] = 1;
    while (depth > 0) {
      const size_t node = stack[--depth];
      if (cost + remote_node_price_[node] >= best) continue;  // best fell since
      if (node < remote_leaves_) {
        size_t child[2] = {2 * node, 2 * node + 1};
        // The cheaper child on top, so that it sets `best` first.
        if (remote_node_price_[child[0]] < remote_node_price_[child[1]]) {
          std::swap(child[0], child[1]);
        }
        for (size_t c : child) {
          if (worth_it(c)) stack[depth++] = c;
        }
        continue;
      }
      const size_t begin = (node - remote_leaves_) * kRemoteLeaf;
      const size_t end = std::min(remote_.size(), begin + kRemoteLeaf);
      for (size_t i = begin; i < end; ++i) {
        if (remote_price_[i] >= kAbsent || cost + remote_price_[i] >= best ||
            !RemoteEntrySuits(q, kLimitedCapacity, remote_, i)) {
          continue;
        }
        const uint32_t p = remote_.provider[i];
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
