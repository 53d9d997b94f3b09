#include "match/assignment.h"

#include <algorithm>
#include <functional>

#include "core/dary_heap.h"
#include "core/parallel.h"

namespace wegwijzer::internal {
namespace {

constexpr int32_t kOutside = -1;
constexpr int32_t kUnplaced = -2;
constexpr int32_t kDead = -3;  // a parcel whose units all moved to another parcel
constexpr uint32_t kNoParcel = std::numeric_limits<uint32_t>::max();
constexpr int64_t kInfinity = std::numeric_limits<int64_t>::max() / 4;
// Recruiting (cost scaling, see 1' in assignment.h): at most this many steps per
// provider and phase, which bounds them (so the phase ends as push-relabel does),
// and only while at most 1/kRecruitWhenFew of the providers have seats to spare.
// 64 and 64 measured (README, issue 10); recruiting whenever any provider could
// took 475 k steps at 50,000 / 1,000,000 and more time than it saved.
constexpr int32_t kRecruitsPerPhase = 64;
constexpr size_t kRecruitWhenFew = 64;
// Cost scaling on a team of threads: the requests of a batch are handed out this
// many at a time (a request's choice takes about a microsecond).
constexpr size_t kTurnChunk = 16;
// ... and a phase start's requests this many at a time.
constexpr size_t kStartChunk = 1024;
// Cost scaling: listing entries a thread takes at a time in a recruiting step.
constexpr size_t kRecruitChunk = 512;
// Exact duals: the parts of the requests that the Bellman-Ford sweeps take on the
// team's threads, each on its own copy of the providers' labels. Fixed, so the
// sweeps do not depend on the thread count; two for this project's two cores.
constexpr size_t kSweepParts = 2;

// Cost scaling: whether a request could choose on a team thread, or why not.
constexpr uint8_t kChosen = 0, kWantsDlow = 1;
// Cost scaling: where a request goes (a list index or kOutside) at what height.
struct Choice {
  int64_t height = 0;
  int32_t best = kOutside;
  bool grew = false;  // the request's list grew while it chose
};
// Cost scaling: what one thread's choices counted (a cache line each, so threads
// do not share one).
struct alignas(64) Tally {
  int64_t floor_queries = 0;
  int64_t cache_hits = 0;
  int64_t pairs = 0;       // pairs its lists grew by
  int64_t extensions = 0;  // lists it grew
  std::vector<CandidateEdge> fetched;  // the candidate source's answers
};

// Search events. A full provider's members are not all put on the heap when the
// provider is settled: they are expanded one at a time, cheapest alternative first
// (kMember), so a popular provider with 150 residents costs a few steps, not 150.
enum class Kind : uint8_t { kRequest, kProvider, kMember, kExtend };

struct HeapItem {
  int64_t key;
  uint32_t node;
  Kind kind;
  // Ties go by kind, then node, so the search (and so the plan) is deterministic.
  bool operator>(const HeapItem& o) const {
    if (key != o.key) return key > o.key;
    if (kind != o.kind) return kind > o.kind;
    return node > o.node;
  }
};

// A member in its provider's heap, keyed by a lower bound on the reduced cost of its
// cheapest alternative, stored offset-free (see Solver::offset_).
struct MemberEntry {
  int64_t key;
  uint32_t request;
  uint32_t version;
  bool operator>(const MemberEntry& o) const {
    return key != o.key ? key > o.key : request > o.request;
  }
};

class Solver {
 public:
  explicit Solver(const AssignmentProblem& problem)
      : p_(problem),
        n_(problem.outside_cost.size()),
        m_(problem.capacity.size()),
        max_outside_(problem.outside_cost.empty()
                         ? 0
                         : std::max<int64_t>(0, *std::max_element(problem.outside_cost.begin(),
                                                                  problem.outside_cost.end()))),
        lists_(n_),
        threshold_(n_, 0),
        limit_(n_, problem.initial_limit),
        first_(n_),
        row_(n_),
        weight_(n_),
        next_(n_, kNoParcel),
        stored_u_(n_, 0),
        version_(n_, 0),
        v_(m_, 0),
        offset_(m_, 0),
        load_(m_, 0),
        members_(m_),
        assign_(n_, kUnplaced),
        assign_edge_(n_, -1),
        dist_r_(n_, kInfinity),
        dist_p_(m_, kInfinity),
        seen_p_(m_, 0),
        settled_r_(n_, 0),
        settled_p_(m_, 0),
        pred_p_(m_, 0) {
    for (int64_t s : p_.supply) unit_ = unit_ && s == 1;
    // Parcel r starts as all of request r's units, unplaced.
    for (uint32_t r = 0; r < n_; ++r) {
      first_[r] = r;
      row_[r] = r;
      weight_[r] = Supply(r);
    }
  }

  AssignmentResult Run() {
    for (uint32_t r = 0; r < n_; ++r) {
      threshold_[r] = Fill(r, &fetched_);
      result_.pairs += lists_[r].size();
    }
    std::vector<uint32_t> order(n_);
    for (uint32_t i = 0; i < n_; ++i) order[i] = p_.placement_order.empty() ? i : p_.placement_order[i];
    // The warm start bids for single units; with weighted requests the shortest paths
    // place everything.
    const std::vector<uint32_t> rest =
        unit_ && p_.cost_scaling                       ? CostScalingStart(order)
        : p_.warm_start_bids_per_request > 0 && unit_ ? WarmStart(order)
                                                       : order;
    result_.warm_start_placed = static_cast<int64_t>(n_ - rest.size());
    for (size_t i = 0; i < rest.size(); ++i) {
      PlaceRequest(rest[i]);
      if (p_.progress && (i + 1) % 65536 == 0) p_.progress(n_ - rest.size() + i + 1, n_);
    }
    if (p_.progress) p_.progress(n_, n_);
    return Finish();
  }

 private:
  // The warm start (see the header): a Gauss-Seidel auction without epsilon over
  // provider places ("slots"), each bid raising the taken slot's price by the
  // bidder's gap between its best and second-best option, so the winner is exactly
  // indifferent to its second best and complementary slackness holds exactly.
  // Returns the requests it left unplaced, in `order`'s order, for the shortest paths.
  std::vector<uint32_t> WarmStart(std::span<const uint32_t> order) {
    // Occupied slots per provider, a min-heap on (price, request); the free slots
    // (free_[p] of them) all cost 0, as no bid ever touched them.
    struct Slot {
      int64_t price;
      uint32_t request;
      bool operator>(const Slot& o) const {
        return price != o.price ? price > o.price : request > o.request;
      }
    };
    std::vector<std::vector<Slot>> slots(m_);
    std::vector<int64_t> free(p_.capacity.begin(), p_.capacity.end());
    auto min_price = [&](uint32_t p) { return free[p] > 0 ? 0 : slots[p].front().price; };
    // The price of p's second-cheapest slot; kInfinity when it has one slot.
    auto second_price = [&](uint32_t p) -> int64_t {
      if (free[p] >= 2) return 0;
      const auto& heap = slots[p];
      if (free[p] == 1) return heap.empty() ? kInfinity : heap.front().price;
      if (heap.size() < 2) return kInfinity;
      return heap.size() == 2 ? heap[1].price : std::min(heap[1].price, heap[2].price);
    };
    std::vector<uint32_t> queue(order.begin(), order.end());
    std::vector<uint32_t> tied;
    std::vector<uint32_t> position(n_);  // where r stands in `order`, for the rest's order
    for (uint32_t i = 0; i < n_; ++i) position[order[i]] = i;
    int64_t budget = p_.warm_start_bids_per_request * static_cast<int64_t>(n_);
    size_t head = 0;
    for (; head < queue.size() && budget > 0; ++head, --budget) {
      const uint32_t r = queue[head];
      int64_t w1, w2;
      int best;  // index into r's list; -1: the outside option
      for (;;) {
        // Best option by (value, displaces nobody first, list order); second-best value.
        w1 = p_.outside_cost[r];
        w2 = kInfinity;
        best = -1;
        bool best_displaces = false;
        const auto& list = lists_[r];
        for (int i = 0; i < static_cast<int>(list.size()); ++i) {
          if (list[i].cost > w2) break;  // nondecreasing costs: neither value can fall
          const uint32_t p = list[i].provider;
          if (p_.capacity[p] <= 0) continue;  // no place to bid for
          const int64_t w = list[i].cost + min_price(p);
          const bool displaces = free[p] == 0;
          if (w < w1 || (w == w1 && !displaces && best_displaces)) {
            w2 = std::min(w2, w1);
            w1 = w;
            best = i;
            best_displaces = displaces;
          } else {
            w2 = std::min(w2, w);
          }
        }
        if (best >= 0) w2 = std::min(w2, list[best].cost + second_price(list[best].provider));
        // A missing candidate costs at least C(r) (prices are >= 0): when that could
        // undercut the second best, the list grows first.
        if (threshold_[r] == kNoThreshold || threshold_[r] >= w2) break;
        Extend(r);
      }
      if (best < 0) {
        assign_[r] = kOutside;
        continue;
      }
      const uint32_t p = lists_[r][best].provider;
      const int64_t raise = std::min(w2, p_.outside_cost[r]) - w1;  // w2 <= o(r) anyway
      // A tie that would displace someone at no price rise is how an auction without
      // epsilon cycles: such a request is left to the shortest paths, which settle
      // ties exactly.
      if (raise == 0 && free[p] == 0) {
        tied.push_back(r);
        continue;
      }
      auto& heap = slots[p];
      assign_[r] = static_cast<int32_t>(p);
      if (free[p] > 0) {
        --free[p];
        heap.push_back({raise, r});
        std::push_heap(heap.begin(), heap.end(), std::greater<>());
      } else {
        std::pop_heap(heap.begin(), heap.end(), std::greater<>());
        const uint32_t displaced = heap.back().request;
        heap.back() = {heap.back().price + raise, r};
        std::push_heap(heap.begin(), heap.end(), std::greater<>());
        assign_[displaced] = kUnplaced;
        queue.push_back(displaced);
      }
    }
    result_.warm_start_bids = static_cast<int64_t>(head);
    // The state the shortest paths continue from: v(p) is p's cheapest slot (0 while
    // one is free), u(r) = c(r, p) + v(p) for a member, o(r) for the outside option.
    for (uint32_t p = 0; p < m_; ++p) {
      // A provider of capacity 0 was never bid for (it has no slots); Finish prices it.
      v_[p] = p_.capacity[p] <= 0 ? 0 : min_price(p);
      load_[p] = p_.capacity[p] - free[p];
    }
    std::vector<uint32_t> rest;
    for (uint32_t r = 0; r < n_; ++r) {
      if (assign_[r] == kOutside) {
        stored_u_[r] = p_.outside_cost[r];
      } else if (assign_[r] >= 0) {
        assign_edge_[r] = FindEdge(r, assign_[r]);
        stored_u_[r] = lists_[r][assign_edge_[r]].cost + v_[assign_[r]];
      }
    }
    for (uint32_t r = 0; r < n_; ++r) {
      if (assign_[r] >= 0) EnterHeap(r);
    }
    for (size_t i = head; i < queue.size(); ++i) {
      if (assign_[queue[i]] == kUnplaced) rest.push_back(queue[i]);
    }
    rest.insert(rest.end(), tied.begin(), tied.end());
    std::sort(rest.begin(), rest.end(),
              [&](uint32_t a, uint32_t b) { return position[a] < position[b]; });
    rest.erase(std::unique(rest.begin(), rest.end()), rest.end());
    return rest;
  }

  // The cost-scaling warm start (see the header): Goldberg's push-relabel with epsilon
  // scaling on requests -> providers -> sink, heights d in units of 1/S metre, where a
  // residual arc (x, y) of cost c has reduced cost c + d(y) - d(x) and an active node
  // pushes along arcs of negative reduced cost. Then an exact repair hands the
  // shortest paths a state that keeps (I1)-(I3). Returns the requests left unplaced,
  // in `order`'s order.
  std::vector<uint32_t> CostScalingStart(std::span<const uint32_t> order) {
    // Scaled costs: with more units per metre than nodes, epsilon = 1 at the end
    // makes the flow optimal on the lists built (Goldberg & Tarjan 1990, Thm 3.4).
    const int64_t scale = p_.cost_scaling_scale > 0 ? p_.cost_scaling_scale
                                                    : static_cast<int64_t>(n_ + m_ + 2);
    const int64_t alpha = std::max<int64_t>(2, p_.cost_scaling_alpha);
    const uint32_t sink = static_cast<uint32_t>(n_ + m_);
    std::vector<int64_t> dr(n_, 0), dp(m_, 0);
    int64_t ds = 0;
    // A request's place: an index into its list, kOutside, or kUnplaced (active),
    // and where it is at a provider, that pair (a copy of its list entry). The
    // passes that read where requests sit (recruiting, the phase starts, the exact
    // duals' sweeps: millions of requests each) read one entry, not the list.
    struct Seat {
      int32_t at = kUnplaced;
      uint32_t provider = 0;  // when at >= 0
      int32_t cost = 0;       // c(r, provider) in metres, when at >= 0
    };
    std::vector<Seat> seat(n_);
    // The one way a place changes.
    auto sit = [&](uint32_t r, int32_t index) {
      Seat& s = seat[r];
      s.at = index;
      if (index >= 0) {
        s.provider = lists_[r][index].provider;
        s.cost = lists_[r][index].cost;
      }
    };
    std::vector<int64_t> members(m_, 0), to_sink(m_, 0);  // units in; units on p -> sink
    std::vector<uint32_t> ver(n_, 0);
    int64_t sink_excess = -static_cast<int64_t>(n_);
    struct Entry {
      int64_t key;
      uint32_t node;
      uint32_t ver;
      bool operator>(const Entry& o) const {
        return key != o.key ? key > o.key : node > o.node;
      }
    };
    // Per provider its members r keyed by d(r) - c(r,p) S (the reverse arc p -> r has
    // reduced cost key - d(p)); the sink's reverse arcs: requests on the outside
    // option (key d(r) - o(r) S) and providers n + p with flow to the sink (key d(p)).
    std::vector<std::vector<Entry>> heap_of(m_);
    std::vector<Entry> sink_heap;
    // The heaps are 4-ary (core/dary_heap.h: the sink's holds most requests of an
    // overloaded instance). `first` orders by key, then node: only entries of one
    // node at one key tie, a stale copy beside the live one (the pops skip stale
    // entries) or one provider's arc to the sink twice, so either order of a tie
    // makes the same pushes as std's heaps did.
    auto first = [](const Entry& a, const Entry& b) { return b > a; };
    auto push_entry = [&](std::vector<Entry>& h, Entry e) { HeapPush(h, e, first); };
    // Drops the stale entries of a heap that has grown past twice what it holds, so
    // the heaps take O(n + m) entries, not one per push.
    auto compact = [&](std::vector<Entry>& h, size_t live, auto valid) {
      if (h.size() <= 2 * live + 64) return;
      h.erase(std::remove_if(h.begin(), h.end(), [&](const Entry& e) { return !valid(e); }),
              h.end());
      HeapMake(h, first);
    };
    auto pop_entry = [&](std::vector<Entry>& h) { HeapPop(h, first); };
    // Active nodes, FIFO: requests in `queue`; providers and the sink, which hand
    // back units they hold too many of, in `handing_back`. The latter take their
    // turn after every `batch` requests (see AssignmentProblem::
    // cost_scaling_request_batch), so a provider prices itself soon after it fills,
    // not after the whole queue of requests has pushed into it at its old price.
    std::vector<uint32_t> queue, handing_back;
    std::vector<uint8_t> queued(n_ + m_ + 1, 0);
    size_t head = 0;
    const int64_t batch = std::max(1, p_.cost_scaling_request_batch);
    auto enqueue = [&](uint32_t x) {
      if (!queued[x]) {
        queued[x] = 1;
        (x < n_ ? queue : handing_back).push_back(x);
      }
    };
    int64_t eps = 0;
    uint32_t phase_stamp = 0;
    std::vector<int64_t> bound_price(bound_ != nullptr ? m_ : 0);
    uint32_t bound_version = 0;
    // low_since[v]: the least height a provider was lowered to by recruiting (below)
    // since the bound's prices of version v were taken; kInfinity: none.
    std::vector<int64_t> low_since(1, kInfinity);
    int64_t dlow = 0;  // a lower bound on every provider's height
    int64_t pushes = 0, relabels = 0;
    auto cap = [&](uint32_t p) { return p_.capacity[p]; };
    // dlow = the least height of a provider with capacity (the pushes and relabels
    // when it was last taken, to take it again only when it may have risen).
    int64_t dlow_pushes = 0, dlow_relabels = -1;
    auto raise_dlow = [&]() {
      int64_t low = kInfinity;
      for (uint32_t p = 0; p < m_; ++p) {
        if (cap(p) <= 0) continue;
        // A provider that nobody uses (no unit in, none to the sink) has only arcs
        // in and its arc to the sink: it may rise to the sink's height at any time
        // and stay eps-optimal. Else one that no request near it wants would keep
        // the bound of every request's missing pairs low and make lists grow.
        if (members[p] == 0 && to_sink[p] == 0 && dp[p] < ds) dp[p] = ds;
        low = std::min(low, dp[p]);
      }
      dlow = low == kInfinity ? 0 : low;
      dlow_pushes = pushes;
      dlow_relabels = relabels;
      if (bound_ != nullptr) {
        for (uint32_t p = 0; p < m_; ++p) {
          bound_price[p] = cap(p) > 0 ? dp[p] : MissingPairBound::kPriceAbsent;
        }
        bound_->SetPrices(bound_price, scale);
        ++bound_version;
        low_since.push_back(kInfinity);
      }
    };

    // The requests' turns run on a team of threads (AssignmentProblem::threads): each
    // request of a batch chooses at the heights the batch started with, and the
    // choices are then made, in queue order, by this thread (see take_turns).
    ThreadTeam team(std::max(1, p_.threads));
    // What each thread's choices counted (one cache line each).
    std::vector<Tally> tallies(static_cast<size_t>(team.size()));
    // Per request, the regional bound on its missing pairs (MissingPairBound::Floor)
    // as last asked this phase: heights only rise within a phase, so it stays a
    // bound until the phase ends or the list grows (floor_phase 0). A request asks
    // only when C(r) S + dlow cannot settle the question, and not again until the
    // bound's prices were taken again (bound_version) or it asks for more (stop).
    const size_t floor_from_length =
        static_cast<size_t>(std::max(0, p_.missing_bound_from_length));
    std::vector<int64_t> floor_value(bound_ != nullptr ? n_ : 0);
    std::vector<int64_t> floor_stop(floor_value.size());
    std::vector<uint32_t> floor_phase(floor_value.size(), 0), floor_version(floor_value.size());
    // The version of the bound's prices a floor was taken at (or, carried over a phase
    // start, made valid at). It holds for the providers not lowered since; a lowered
    // one stands at low_since of that version or above, and every missing pair costs
    // at least C(r).
    std::vector<uint32_t> floor_since(floor_value.size(), 0);
    auto floor_of = [&](uint32_t r) {
      const int64_t low = low_since[floor_since[r]];
      return low == kInfinity ? floor_value[r]
                              : std::min(floor_value[r], threshold_[r] * scale + low);
    };
    // A lower bound on the value (c S + d(p)) of every pair r lacks, without asking.
    auto known_missing = [&](uint32_t r) {
      if (threshold_[r] == kNoThreshold) return kInfinity;
      const int64_t plain = threshold_[r] * scale + dlow;
      return bound_ != nullptr && floor_phase[r] == phase_stamp
                 ? std::max(plain, floor_of(r)) : plain;
    };
    // The same, asking the regional bound (up to `stop`) when it is below `need`;
    // counted in `tally` (the asking thread's).
    auto missing_value = [&](uint32_t r, int64_t need, int64_t stop, Tally& tally) {
      const int64_t known = known_missing(r);
      if (known >= need || bound_ == nullptr) return known;
      // A short list is cheaper to grow than the bound is to ask (see
      // AssignmentProblem::missing_bound_from_length).
      if (lists_[r].size() < floor_from_length) return known;
      if (floor_phase[r] == phase_stamp && floor_version[r] == bound_version &&
          (floor_value[r] < floor_stop[r] || floor_stop[r] >= stop)) {
        return known;  // asking again would give the same answer
      }
      const int64_t f = bound_->Floor(r, threshold_[r], p_.outside_cost[r], stop, lists_[r]);
      ++tally.floor_queries;
      floor_value[r] = f;
      floor_stop[r] = stop;
      floor_phase[r] = phase_stamp;
      floor_version[r] = bound_version;
      floor_since[r] = bound_version;
      return std::max(known, floor_of(r));
    };

    // Per request, its kBest cheapest list entries (indexes, in list order) as last
    // scanned, and a bound every other entry's value (c S + d(p)) reached then.
    // Heights only rise within a phase, so while the cached entries' current values
    // give a best below the bound and a second best at most the bound, they are the
    // full scan's best and second best (the same choice, ties and all), and the
    // request pushes without scanning its list: after an eviction it is usually its
    // old second best that wins (Goldberg & Kennedy's CSA keep such a cache too).
    // Valid for one phase (`phase` stamp) and until the list grows.
    constexpr int kBest = 4;
    struct BestCache {
      int64_t bound = 0;
      int32_t index[kBest] = {};
      uint32_t phase = 0;  // 0: none
      int32_t size = 0;
    };
    std::vector<BestCache> best_cache(n_);
    // Before the phases that may be the last (eps <= S / 4, where the flow is
    // tried for optimality after each), a request's missing pairs may undercut its
    // best by up to kSlack eps before its list grows (they are in no arc of the
    // network the phase works on; the next phase's start checks them again, and
    // those phases let them undercut nothing). The coarse phases then do not list
    // pairs only their coarseness made look useful: 5,000 / 100,000 ends with
    // 2.7 M pairs instead of 4.0 M, the dense cluster 500 / 5,000 with 52 k
    // instead of 1.3 M (every pair). 3 and 5 gave more pairs, the time the same.
    constexpr int64_t kSlack = 8;
    // A phase with eps <= S / 4 may be the last: after it the flow is tried for
    // optimality (below), so it allows no slack.
    auto may_be_last = [&] { return 4 * eps <= scale; };
    auto phase_slack = [&] { return may_be_last() ? 0 : eps * kSlack; };
    // While providers recruit (below): per provider the requests that list it and the
    // pair's cost, kept up to date as lists grow (`grown`: lists longer than their
    // part in it). Built at the first recruiting and freed with the last recruiting
    // phase (8 bytes a pair then).
    std::vector<std::vector<std::pair<uint32_t, int32_t>>> listing_of;
    std::vector<uint32_t> listed_upto, grown;
    std::vector<uint8_t> is_grown;
    auto update_listing = [&]() {
      if (listing_of.empty()) {
        listing_of.resize(m_);
        listed_upto.assign(n_, 0);
        is_grown.assign(n_, 1);
        grown.resize(n_);
        for (uint32_t r = 0; r < n_; ++r) grown[r] = r;
      }
      for (uint32_t r : grown) {
        is_grown[r] = 0;
        const auto& list = lists_[r];
        for (size_t i = listed_upto[r]; i < list.size(); ++i) {
          listing_of[list[i].provider].push_back({r, list[i].cost});
        }
        listed_upto[r] = static_cast<uint32_t>(list.size());
      }
      grown.clear();
    };
    auto free_listing = [&]() {
      std::vector<std::vector<std::pair<uint32_t, int32_t>>>().swap(listing_of);
      std::vector<uint32_t>().swap(listed_upto);
      std::vector<uint32_t>().swap(grown);
      std::vector<uint8_t>().swap(is_grown);
    };
    // A request's turn in two steps. `choose` finds where r goes (a list index or
    // kOutside) and its new height from the heights of the providers and the sink
    // and from r's own data (its list, growing it as needed, its cache and floor),
    // writing only those: the requests of a batch choose on several threads at once
    // while nobody else moves. It returns kWantsDlow, having chosen nothing, where
    // the choice needs dlow (and the bound's prices) taken again, which only the
    // solver's thread does (`serial`). `commit` then moves r there, on the solver's
    // thread. Heights do not change between the two: only providers and the sink
    // relabel, and they wait for the batch (in the sequential order the requests of
    // a batch did not see each other's pushes either: a choice reads only heights).
    auto choose = [&](uint32_t r, bool serial, Tally& tally, Choice* choice) -> uint8_t {
      choice->grew = false;
      const int64_t slack = phase_slack();
      int64_t w1, w2;
      int64_t missing;  // a lower bound on the values of the pairs r lacks
      int best;
      const auto& list = lists_[r];
      BestCache& bc = best_cache[r];
      // Offers value w of list entry i (kOutside: the outside option) to the best
      // and second best: the one rule of both the cached and the full scan.
      auto consider = [&](int64_t w, int i) {
        if (w < w1) {
          w2 = w1;
          w1 = w;
          best = i;
        } else {
          w2 = std::min(w2, w);
        }
      };
      bool cached = false;
      if (bc.phase == phase_stamp) {
        w1 = p_.outside_cost[r] * scale + ds;
        w2 = kInfinity;
        best = kOutside;
        for (int k = 0; k < bc.size; ++k) {
          const int i = bc.index[k];
          consider(list[i].cost * scale + dp[list[i].provider], i);
        }
        missing = known_missing(r);
        cached = w1 < bc.bound && w2 <= bc.bound && missing >= w1 - slack;
        tally.cache_hits += cached;
      }
      while (!cached) {
        w1 = p_.outside_cost[r] * scale + ds;
        w2 = kInfinity;
        best = kOutside;
        // The kBest + 1 least values seen, ascending (ties: list order), for the cache.
        int64_t top_value[kBest + 1];
        int32_t top_index[kBest + 1];
        int top = 0;
        int64_t bound = kInfinity;
        for (int i = 0; i < static_cast<int>(list.size()); ++i) {
          const int64_t c = list[i].cost * scale;
          // Sorted costs, heights >= dlow: no later entry is below c + dlow. Past
          // the second best nothing changes the choice; the scan goes on to the
          // (kBest + 1)-th value so that the cache's bound is tight.
          // (That value is >= w2 once there are kBest + 1.)
          if (c + dlow >= (top == kBest + 1 ? top_value[kBest] : w2)) {
            bound = c + dlow;
            break;
          }
          const uint32_t p = list[i].provider;  // with capacity (Fill)
          const int64_t w = c + dp[p];
          consider(w, i);
          if (top < kBest + 1 || w < top_value[kBest]) {
            int j = top < kBest + 1 ? top++ : kBest;
            for (; j > 0 && top_value[j - 1] > w; --j) {
              top_value[j] = top_value[j - 1];
              top_index[j] = top_index[j - 1];
            }
            top_value[j] = w;
            top_index[j] = i;
          }
        }
        // A missing pair has value >= C(r) S + dlow, and >= the regional bound: grow
        // the list while that could undercut the best (below). Heights only rise
        // within a phase, so before growing, dlow and the bound's prices are taken
        // again when they may have risen (at most once per m/8 pushes). The bound is
        // asked up to the second best, the most the relabel can use.
        const int64_t stop = w2 == kInfinity ? w1 : w2;
        missing = missing_value(r, w1 - slack, stop, tally);
        if (missing < w1 - slack && relabels != dlow_relabels &&
            pushes - dlow_pushes > static_cast<int64_t>(m_ / 8)) {
          if (!serial) return kWantsDlow;
          raise_dlow();
          missing = missing_value(r, w1 - slack, stop, tally);
        }
        if (missing >= w1 - slack) {
          if (top == kBest + 1) bound = std::min(bound, top_value[kBest]);
          bc.phase = phase_stamp;
          bc.bound = bound;
          bc.size = std::min(top, kBest);
          std::copy(top_index, top_index + bc.size, bc.index);
          std::sort(bc.index, bc.index + bc.size);
          break;
        }
        tally.pairs += GrowList(r, &tally.fetched);
        ++tally.extensions;
        choice->grew = true;
        if (bound_ != nullptr) floor_phase[r] = 0;  // asked with the old threshold
      }
      // The new height: second best + eps, but no higher than the missing pairs'
      // bound + eps, which keeps them eps-optimal without listing them (in the
      // phases without slack, where the bound is >= w1; before them they may be off
      // by the slack).
      // It is at least w1 + eps, so the arc back from where r goes has reduced cost
      // >= eps: r is not handed back before a relabel there. Only a bound below the
      // best makes the list grow, not one below the second best: where every
      // provider is full and priced, the requests that compete for a seat keep
      // lists of the providers about as near as their best, not all.
      choice->height = std::max(std::min(w2 == kInfinity ? w1 : w2, missing), w1) + eps;
      choice->best = best;
      return kChosen;
    };
    auto commit = [&](uint32_t r, const Choice& choice) {
      const int32_t best = choice.best;
      dr[r] = choice.height;
      ++ver[r];
      ++pushes;
      if (best == kOutside) {
        sit(r, kOutside);
        ++sink_excess;
        push_entry(sink_heap, {dr[r] - p_.outside_cost[r] * scale, r, ver[r]});
        compact(sink_heap, n_ + m_, [&](const Entry& e) {
          if (e.node < n_) return seat[e.node].at == kOutside && ver[e.node] == e.ver;
          return to_sink[e.node - n_] > 0 && dp[e.node - n_] == e.key;
        });
        if (sink_excess > 0) enqueue(sink);
        return;
      }
      const uint32_t p = lists_[r][best].provider;
      sit(r, best);
      ++members[p];
      push_entry(heap_of[p], {dr[r] - lists_[r][best].cost * scale, r, ver[r]});
      compact(heap_of[p], static_cast<size_t>(members[p]),
              [&](const Entry& e) { return ver[e.node] == e.ver && seat[e.node].at >= 0; });
      enqueue(static_cast<uint32_t>(n_ + p));
    };
    // A list grown while providers recruit joins the providers' listings (below).
    auto note_growth = [&](uint32_t r) {
      if (!listing_of.empty() && !is_grown[r]) {
        is_grown[r] = 1;
        grown.push_back(r);
      }
    };
    auto process_request = [&](uint32_t r) {
      Choice choice;
      choose(r, true, tallies[0], &choice);
      if (choice.grew) note_growth(r);
      commit(r, choice);
    };
    // The requests of queue[head, head + batch) take their turn: they choose on the
    // team's threads, then those that could choose move, in queue order, then the
    // others take their turn whole, in queue order (the first of those that wants
    // dlow taken again takes it; taking it before the batch instead, and the batch
    // choosing again, made 28.5 M pushes at 15,000 / 300,000 against 26.5 M).
    std::vector<uint32_t> turn;
    std::vector<Choice> choices;
    std::vector<uint8_t> chose;
    std::vector<int64_t> start_height(n_);  // a phase start's decisions (below)
    auto take_turns = [&]() {
      const size_t end = std::min(queue.size(), head + static_cast<size_t>(batch));
      turn.clear();
      for (; head < end; ++head) {
        const uint32_t r = queue[head];
        queued[r] = 0;
        if (seat[r].at == kUnplaced) turn.push_back(r);
      }
      choices.resize(turn.size());
      chose.resize(turn.size());
      team.ForEach(turn.size(), kTurnChunk, [&](size_t i, int thread) {
        chose[i] = choose(turn[i], false, tallies[static_cast<size_t>(thread)], &choices[i]);
      });
      for (size_t i = 0; i < turn.size(); ++i) {
        if (choices[i].grew) note_growth(turn[i]);
        if (chose[i] == kChosen) commit(turn[i], choices[i]);
      }
      for (size_t i = 0; i < turn.size(); ++i) {
        if (chose[i] != kChosen) process_request(turn[i]);
      }
    };

    auto member_valid = [&](const Entry& e) {
      return ver[e.node] == e.ver && seat[e.node].at >= 0;
    };
    auto process_provider = [&](uint32_t p) {
      auto& h = heap_of[p];
      while (members[p] - to_sink[p] > 0) {
        while (!h.empty() && !member_valid(h.front())) pop_entry(h);
        const int64_t via_sink = to_sink[p] < cap(p) ? ds : kInfinity;
        const int64_t via_member = h.empty() ? kInfinity : h.front().key;
        const int64_t m1 = std::min(via_sink, via_member);
        if (m1 >= dp[p]) {
          dp[p] = m1 + eps;
          ++relabels;
          if (to_sink[p] > 0) push_entry(sink_heap, {dp[p], static_cast<uint32_t>(n_ + p), 0});
        }
        ++pushes;
        if (via_sink <= via_member) {
          if (to_sink[p]++ == 0) push_entry(sink_heap, {dp[p], static_cast<uint32_t>(n_ + p), 0});
          if (++sink_excess > 0) enqueue(sink);
        } else {
          const uint32_t r = h.front().node;
          pop_entry(h);
          ++ver[r];
          sit(r, kUnplaced);
          --members[p];
          enqueue(r);
        }
      }
    };
    auto sink_valid = [&](const Entry& e) {
      if (e.node < n_) return seat[e.node].at == kOutside && ver[e.node] == e.ver;
      const uint32_t p = e.node - static_cast<uint32_t>(n_);
      return to_sink[p] > 0 && dp[p] == e.key;
    };
    // Recruiting (see 1' in the header): a priced provider left with seats to spare
    // since the phase start (a deficit: its arc to the sink carries more than come
    // in) lowers its height as far as keeps every arc into it eps-optimal, with the
    // requests that list it lowered to their floors first, and takes the requests
    // its lower price then serves strictly better. Each move is a valid height
    // change or a push along an arc of reduced cost -eps, so eps-optimality holds.
    const int64_t recruit_eps = p_.cost_scaling_recruit_eps;
    std::vector<int32_t> recruits(m_, 0);  // this phase's, per provider
    struct Recruit {
      int64_t price;  // the least height of p at which r's arc to p stays eps-optimal
      uint32_t request;
      int32_t cost;
    };
    std::vector<Recruit> offers;
    std::vector<uint32_t> spare;
    // r's height lowered to h (not below its floor: the callers make sure of that).
    auto lower_request = [&](uint32_t r, int64_t h) {
      if (h >= dr[r]) return;
      dr[r] = h;
      ++ver[r];
      if (seat[r].at == kOutside) {
        push_entry(sink_heap, {h - p_.outside_cost[r] * scale, r, ver[r]});
      } else if (seat[r].at >= 0) {
        push_entry(heap_of[seat[r].provider], {h - seat[r].cost * scale, r, ver[r]});
      }
    };
    // Tests (AssignmentProblem::cost_scaling_check): the residual arcs of the lists
    // and the sink that are not eps-optimal.
    auto count_violations = [&]() {
      int64_t bad = 0;
      for (uint32_t r = 0; r < n_; ++r) {
        const auto& list = lists_[r];
        const int64_t outside = p_.outside_cost[r] * scale + ds;
        if (seat[r].at != kOutside) bad += outside - dr[r] < -eps;
        for (int32_t i = 0; i < static_cast<int32_t>(list.size()); ++i) {
          const int64_t value = list[i].cost * scale + dp[list[i].provider];
          if (i == seat[r].at) {
            bad += dr[r] - value < -eps;  // the arc back from its place
          } else {
            bad += value - dr[r] < -eps;
          }
        }
        if (seat[r].at == kOutside) bad += dr[r] - outside < -eps;
      }
      for (uint32_t p = 0; p < m_; ++p) {
        if (cap(p) <= 0) continue;
        if (to_sink[p] < cap(p)) bad += ds - dp[p] < -eps;
        if (to_sink[p] > 0) bad += dp[p] - ds < -eps;
      }
      return bad;
    };
    // One provider's step; false if it cannot come down. Its two passes over the
    // requests that list p (thousands in an overloaded city: at 50,000 / 1,000,000
    // with capacities x 0.2, 54 k steps read 159 M entries, most of the time of the
    // 4 km phase) run on the team's threads: each entry reads only its own request
    // and the heights, and writes only its own slot, so the offers, the price and
    // the moves are those of one thread (the lowerings, which push on heaps, are
    // made after, in listing order).
    constexpr int64_t kNoOffer = std::numeric_limits<int64_t>::min();
    std::vector<int64_t> offer_of;    // per listing entry: its offer, or kNoOffer
    std::vector<uint8_t> to_lower;    // per listing entry: its request must come down
    auto recruit_for = [&](uint32_t p) {
      const int64_t deficit = to_sink[p] - members[p];
      const auto& listing = listing_of[p];
      offer_of.resize(listing.size());
      team.ForEach(listing.size(), kRecruitChunk, [&](size_t i, int) {
        const auto [r, cost] = listing[i];
        // An unplaced request has no arcs in: its height may fall as far as needed.
        if (seat[r].at == kUnplaced || (seat[r].at >= 0 && seat[r].provider == p)) {
          offer_of[i] = kNoOffer;
          return;
        }
        // r's floor: the least height at which the arc back from its place stays
        // eps-optimal (its value there - eps).
        const int64_t place = seat[r].at == kOutside ? p_.outside_cost[r] * scale + ds
                                                     : seat[r].cost * scale + dp[seat[r].provider];
        offer_of[i] = place - 2 * eps - cost * scale;
      });
      offers.clear();
      for (size_t i = 0; i < listing.size(); ++i) {
        if (offer_of[i] != kNoOffer) {
          offers.push_back({offer_of[i], listing[i].first, listing[i].second});
        }
      }
      // The `deficit` best offers come in; the next one (or the sink's arc into p)
      // sets the price.
      const size_t take = std::min(offers.size(), static_cast<size_t>(deficit));
      const size_t sorted = std::min(offers.size(), take + 1);
      std::partial_sort(offers.begin(), offers.begin() + static_cast<std::ptrdiff_t>(sorted),
                        offers.end(), [](const Recruit& a, const Recruit& b) {
                          return a.price != b.price ? a.price > b.price : a.request < b.request;
                        });
      int64_t price = ds - eps;
      if (take < offers.size()) price = std::max(price, offers[take].price);
      if (price >= dp[p]) return false;
      dp[p] = price;
      ++result_.scaling_recruits;
      // A listed request's height at which its arc to p has reduced cost -eps.
      auto at_price = [&](int32_t cost) { return cost * scale + price + eps; };
      to_lower.assign(listing.size(), 0);
      team.ForEach(listing.size(), kRecruitChunk, [&](size_t i, int) {
        const auto [r, cost] = listing[i];
        best_cache[r].phase = 0;  // p's height fell
        if (seat[r].at >= 0 && seat[r].provider == p) return;
        const int64_t h = at_price(cost);
        if (seat[r].at == kUnplaced) {
          dr[r] = std::min(dr[r], h);
        } else {
          to_lower[i] = dr[r] > h;
        }
      });
      for (size_t i = 0; i < listing.size(); ++i) {
        // h >= the request's floor: its offer is at most the price.
        if (to_lower[i]) lower_request(listing[i].first, at_price(listing[i].second));
      }
      for (size_t k = 0; k < take; ++k) {
        // Offers above the price: at p, r is better off by at least eps than at its
        // floor. It moves along its arc to p (reduced cost -eps) from its place
        // (the arc back, -eps at its floor), at height h.
        const Recruit& o = offers[k];
        const uint32_t r = o.request;
        if (o.price <= price - eps) break;
        int32_t index = -1;
        for (int32_t j = 0; j < static_cast<int32_t>(lists_[r].size()); ++j) {
          if (lists_[r][j].provider == p) {
            index = j;
            break;
          }
        }
        if (index < 0) continue;  // cannot happen: the listing holds only r's pairs
        if (seat[r].at == kOutside) {
          --sink_excess;
        } else {
          --members[seat[r].provider];  // its old provider may recruit later
        }
        dr[r] = o.cost * scale + price + eps;
        ++ver[r];
        sit(r, index);
        ++members[p];
        push_entry(heap_of[p], {dr[r] - o.cost * scale, r, ver[r]});
        ++pushes;
      }
      push_entry(sink_heap, {dp[p], static_cast<uint32_t>(n_ + p), 0});
      return true;
    };
    // Before the sink relabels (it would raise every outside option, and return units
    // all over the country): the providers with seats to spare recruit, when they
    // are few (most deficits of a phase start fill by themselves) and in the phases
    // of eps >= recruit_eps. True if a height fell (the sink then looks again).
    auto recruit = [&]() {
      if (recruit_eps <= 0 || eps < recruit_eps * scale) return false;
      spare.clear();
      for (uint32_t p = 0; p < m_; ++p) {
        if (cap(p) > 0 && to_sink[p] > members[p] && dp[p] - ds > eps &&
            recruits[p] < kRecruitsPerPhase) {
          spare.push_back(p);
        }
      }
      if (spare.empty() || spare.size() * kRecruitWhenFew > std::max<size_t>(m_, kRecruitWhenFew)) {
        return false;
      }
      update_listing();
      int64_t low = kInfinity;
      for (uint32_t p : spare) {
        ++recruits[p];
        if (recruit_for(p)) low = std::min(low, dp[p]);
      }
      if (low == kInfinity) return false;
      if (p_.cost_scaling_check) result_.scaling_violations += count_violations();
      // Floors taken at earlier prices: valid with the lowered providers at `low`.
      for (size_t v = low_since.size(); v-- > 0 && low_since[v] > low;) low_since[v] = low;
      raise_dlow();  // dlow and the bound's prices, with the lowered heights
      return true;
    };
    auto process_sink = [&]() {
      while (sink_excess > 0) {
        while (!sink_heap.empty() && !sink_valid(sink_heap.front())) pop_entry(sink_heap);
        if (sink_heap.empty()) break;  // cannot happen: the excess came in by these arcs
        const Entry top = sink_heap.front();
        if (top.key >= ds) {
          if (recruit()) continue;
          ds = top.key + eps;
          ++relabels;
        }
        pop_entry(sink_heap);
        ++pushes;
        --sink_excess;
        if (top.node < n_) {
          ++ver[top.node];
          sit(top.node, kUnplaced);
          enqueue(top.node);
        } else {
          const uint32_t p = top.node - static_cast<uint32_t>(n_);
          if (--to_sink[p] > 0) push_entry(sink_heap, top);
          enqueue(top.node);
        }
      }
    };

    // The providers' and the sink's turn: each hands back what it holds too
    // many of, which may make the sink (or, from the sink, a provider) active.
    auto hand_back = [&]() {
      for (size_t i = 0; i < handing_back.size(); ++i) {
        const uint32_t x = handing_back[i];
        queued[x] = 0;
        if (x < sink) {
          process_provider(x - static_cast<uint32_t>(n_));
        } else {
          process_sink();
        }
      }
      handing_back.clear();
    };

    // Exact duals. The flow is (near) optimal on the lists built; integer potentials
    // pi with pi(x) <= c(x,y) + pi(y) on every residual arc (exact, unscaled costs)
    // are found by label correcting (Bellman-Ford with a worklist) started from the
    // rounded heights, which lowers a label only when an arc demands it: few steps,
    // as the heights are nearly feasible. Then u(r) = pi(r) - pi(s) and
    // v(p) = max(0, pi(p) - pi(s)) are the LP duals of the header.
    auto floor_div = [](int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); };
    std::vector<uint32_t> start(m_ + 1, 0);  // requests listing p and the pair's cost (CSR)
    std::vector<std::pair<uint32_t, int32_t>> listing;
    std::vector<int64_t> pr(n_), pp(m_);
    int64_t ps = 0;
    // A part's labels of the providers and the sink while a sweep runs (below).
    struct SweepView {
      int64_t* pp;
      int64_t ps;
      int64_t low;      // at most every label in pp
      int64_t lowered;  // labels lowered
    };
    std::vector<int64_t> part_pp(kSweepParts * m_);
    SweepView views[kSweepParts];
    for (size_t part = 0; part < kSweepParts; ++part) views[part].pp = part_pp.data() + part * m_;
    std::vector<uint32_t> work;  // nodes whose label fell: requests r, providers n + p, sink
    std::vector<uint8_t> in_work(n_ + m_ + 1, 0);
    // The requests listing each provider (CSR, for the worklist's arcs into p), built
    // when the sweeps alone do not settle the labels: at national scale they are as
    // large as the lists themselves (8 bytes a pair), so they are not kept.
    bool have_listing = false;
    auto build_listing = [&]() {
      have_listing = true;
      std::fill(start.begin(), start.end(), 0);
      for (uint32_t r = 0; r < n_; ++r) {
        for (const ListedPair& e : lists_[r]) ++start[e.provider + 1];
      }
      for (uint32_t p = 0; p < m_; ++p) start[p + 1] += start[p];
      // A fresh buffer: resizing the last one would hold both while it copies.
      std::vector<std::pair<uint32_t, int32_t>>().swap(listing);
      listing.resize(start[m_]);
      std::vector<uint32_t> fill(start.begin(), start.end() - 1);
      for (uint32_t r = 0; r < n_; ++r) {
        for (const ListedPair& e : lists_[r]) listing[fill[e.provider]++] = {r, e.cost};
      }
    };
    // True when the duals were found: by at most `sweeps` Bellman-Ford sweeps over
    // the requests' lists (a sweep that lowers no label proves every residual arc
    // satisfied), or, with `worklist`, past them by label correcting with the
    // listings within `steps` x (nodes + pairs) steps. False on a negative cycle
    // (the flow is not optimal yet) or past the limits.
    auto find_exact_duals = [&](int sweeps, bool worklist, int64_t steps) {
      ps = 0;
      work.clear();
      std::fill(in_work.begin(), in_work.end(), 0);
      for (uint32_t r = 0; r < n_; ++r) pr[r] = floor_div(dr[r] - ds, scale);
      for (uint32_t p = 0; p < m_; ++p) pp[p] = floor_div(dp[p] - ds, scale);
      int64_t pp_low = kInfinity;  // at most every provider's label (see sweep_requests)
      for (uint32_t p = 0; p < m_; ++p) pp_low = std::min(pp_low, pp[p]);
      auto at_provider = [&](uint32_t r) -> int64_t {
        return seat[r].at >= 0 ? static_cast<int64_t>(seat[r].provider) : int64_t{-1};
      };
      auto push_work = [&](uint32_t x) {
        if (!in_work[x]) {
          in_work[x] = 1;
          work.push_back(x);
        }
      };
      // Lowers x's label in `v` (a request's is its own) to `to` where that is less,
      // calling on_lower(x) if it did.
      auto relax_in = [&](SweepView& v, uint32_t x, int64_t to, auto on_lower) {
        int64_t& label = x < n_ ? pr[x] : x < sink ? v.pp[x - n_] : v.ps;
        if (to >= label) return;
        label = to;
        if (x >= n_ && x < sink) v.low = std::min(v.low, to);
        ++v.lowered;
        on_lower(x);
      };
      // A sweep relaxes every residual arc once: the requests' (each one's arcs
      // out, then the arcs into it from its place), then the providers'. Requests
      // [begin, end) relax against `v`'s labels of the providers and the sink,
      // lowering their own labels, `v`'s, and calling on_lower(x) for a node x
      // lowered. `v.low` is at most every provider's label in `v` (labels only
      // fall), so a list's scan stops where its cost plus v.low cannot lower pr[r]
      // (costs ascend).
      auto sweep_requests = [&](SweepView& v, uint32_t begin, uint32_t end, bool backward,
                                auto on_lower) {
        auto relax = [&](uint32_t x, int64_t to) { relax_in(v, x, to, on_lower); };
        for (uint32_t i = begin; i < end; ++i) {
          const uint32_t r = backward ? begin + end - 1 - i : i;
          if (seat[r].at == kUnplaced) continue;
          const int64_t mine = at_provider(r);
          if (seat[r].at != kOutside) relax(r, p_.outside_cost[r] + v.ps);
          for (const ListedPair& e : lists_[r]) {
            if (e.cost + v.low >= pr[r]) break;
            if (e.provider != mine) relax(r, e.cost + v.pp[e.provider]);
          }
          if (mine >= 0) relax(static_cast<uint32_t>(n_ + mine), pr[r] - seat[r].cost);
          if (seat[r].at == kOutside) relax(sink, pr[r] - p_.outside_cost[r]);
        }
      };
      auto sweep_providers = [&](SweepView& v, auto on_lower) {
        for (uint32_t p = 0; p < m_; ++p) {
          if (cap(p) <= 0) continue;
          if (members[p] < cap(p)) relax_in(v, static_cast<uint32_t>(n_ + p), v.ps, on_lower);
          if (members[p] > 0) relax_in(v, sink, v.pp[p], on_lower);
        }
      };
      // The sweeps settle the labels on both cores: the requests fall in
      // kSweepParts parts of the numbering, each swept on its own copy of the
      // providers' and the sink's labels (Gauss-Seidel within the part), merged by
      // the least label; then the providers. Every label a sweep writes is the
      // value of a residual arc, so labels stay at or above the greatest feasible
      // potential below the start: the sweeps end, when one lowers nothing, at that
      // potential, which is unique, whatever the parts. The parts are fixed (not
      // the team's size), so the sweeps, their counts and the early stop below are
      // the same on every thread count.
      auto sweep_on_team = [&](bool backward) {
        int64_t lowered = 0;
        team.ForEach(kSweepParts, 1, [&](size_t part, int) {
          SweepView& v = views[part];
          std::copy(pp.begin(), pp.end(), v.pp);
          v.ps = ps;
          v.low = pp_low;
          v.lowered = 0;
          const uint32_t begin = static_cast<uint32_t>(n_ * part / kSweepParts);
          const uint32_t end = static_cast<uint32_t>(n_ * (part + 1) / kSweepParts);
          sweep_requests(v, begin, end, backward, [](uint32_t) {});
        });
        for (const SweepView& v : views) {
          for (uint32_t p = 0; p < m_; ++p) pp[p] = std::min(pp[p], v.pp[p]);
          ps = std::min(ps, v.ps);
          pp_low = std::min(pp_low, v.low);
          lowered += v.lowered;
        }
        SweepView all{pp.data(), ps, pp_low, 0};
        sweep_providers(all, [](uint32_t) {});
        ps = all.ps;
        pp_low = all.low;
        return lowered + all.lowered;
      };
      bool changed = true;
      // Sweeps alternate their direction, so corrections travel both ways along the
      // spatial numbering. Where labels settle, the labels lowered per sweep die
      // out (15 sweeps at 5,000 / 100,000, 8 at 15,000 / 300,000, 33 at 50,000 /
      // 1,000,000), with bursts of a few hundred to some ten thousand that die out
      // too (at 50,000 / 1,000,000: 19,346, 1,930, 242, 73 in one part; in two,
      // where the chain crosses into the other part: 8,192, 12,025, 1,234, 150,
      // 56). Around a negative cycle they come back and stay (within 12 sweeps on
      // those instances: 23,254, 29,636, 25,933, 32,586). So the sweeps stop once
      // four sweeps lowered no fewer than the four before and at least an eighth of
      // the first four, and the last of the four lowered at least half as many as
      // the first (without that, the burst dying out above stopped the trial that
      // settles in 33 sweeps, and a phase more ran: 3 M pushes, 10 s).
      int64_t window = 0, last_window = std::numeric_limits<int64_t>::max(), first_window = 0;
      int64_t window_opened = 0;  // the labels lowered by the window's first sweep
      for (int k = 0; k < sweeps && changed; ++k) {
        const int64_t lowered = sweep_on_team(k % 2 == 1);
        changed = lowered > 0;
        ++result_.scaling_dual_sweeps;
        window += lowered;
        if (k % 4 == 0) window_opened = lowered;
        if (k % 4 == 3) {
          if (k == 3) first_window = window;
          if (changed && k >= 7 && window >= last_window && 8 * window >= first_window &&
              2 * lowered >= window_opened) {
            break;
          }
          last_window = window;
          window = 0;
        }
      }
      if (!changed) return true;
      if (!worklist) return false;
      // One more sweep that puts every node it lowers on the worklist: an arc still
      // violated after it ends at such a node, whose arcs in the worklist relaxes.
      build_listing();
      bool exact = true;
      SweepView all{pp.data(), ps, pp_low, 0};  // the labels themselves
      sweep_requests(all, 0, static_cast<uint32_t>(n_), false, push_work);
      sweep_providers(all, push_work);
      auto lower = [&](uint32_t x, int64_t to) { relax_in(all, x, to, push_work); };
      int64_t budget = steps * static_cast<int64_t>(n_ + m_ + listing.size()) + 1000;
      while (!work.empty() && exact) {
        const uint32_t y = work.back();
        work.pop_back();
        in_work[y] = 0;
        if (y < n_) {  // arcs into r: its provider's reverse arc, or the sink's
          const uint32_t r = y;
          if (seat[r].at >= 0) {
            lower(static_cast<uint32_t>(n_ + at_provider(r)), pr[r] - seat[r].cost);
          } else if (seat[r].at == kOutside) {
            lower(sink, pr[r] - p_.outside_cost[r]);
          }
          budget -= 1;
        } else if (y < sink) {  // arcs into p: the pairs of other requests, the sink's
          const uint32_t p = y - static_cast<uint32_t>(n_);
          for (uint32_t i = start[p]; i < start[p + 1]; ++i) {
            const auto [r, cost] = listing[i];
            if (seat[r].at == kUnplaced || at_provider(r) == p) continue;
            lower(r, cost + pp[p]);
          }
          if (members[p] > 0) lower(sink, pp[p]);
          budget -= 1 + (start[p + 1] - start[p]);
        } else {  // arcs into the sink: every outside option and provider with room
          for (uint32_t r = 0; r < n_; ++r) {
            if (seat[r].at >= 0) lower(r, p_.outside_cost[r] + all.ps);
          }
          for (uint32_t p = 0; p < m_; ++p) {
            if (cap(p) > 0 && members[p] < cap(p)) lower(static_cast<uint32_t>(n_ + p), all.ps);
          }
          budget -= static_cast<int64_t>(n_ + m_);
        }
        if (budget < 0) exact = false;  // a negative cycle, or too slow: fall back
      }
      ps = all.ps;
      return exact;
    };

    // Sweeps the duals may take before the listings (each O(n + m + pairs)).
    const int dual_sweeps = std::max(0, p_.cost_scaling_dual_sweeps);
    bool proved_optimal = false;
    const int64_t max_cost = std::max<int64_t>(1, max_outside_);
    // The first phase's epsilon: the largest cost, or less (the refine starts from
    // any state, so any epsilon >= 1 gives the same optimum). Phases far coarser
    // than the candidates' distances only price outside options against each other
    // and grow lists; much finer ones make congested providers climb to their
    // prices in many small steps (see AssignmentProblem::cost_scaling_initial_eps).
    eps = max_cost * scale;
    if (p_.cost_scaling_initial_eps > 0) {
      eps = std::min(eps, p_.cost_scaling_initial_eps * scale);
    }
    while (eps > 1) {
      eps = std::max<int64_t>(1, eps / alpha);
      ++result_.scaling_phases;
      ++phase_stamp;  // every request's cache is stale: heights may fall at a phase start
      std::fill(recruits.begin(), recruits.end(), 0);
      if (!listing_of.empty() && eps < recruit_eps * scale) free_listing();
      // A provider with room whose height passed the sink's by more than eps comes
      // down to the sink's + eps: its arcs out stay eps-optimal, and the requests'
      // check below sees the arcs into it. (Saturating its arc to the sink instead
      // keeps the height but sends the excess round through the sink.)
      for (uint32_t p = 0; p < m_; ++p) {
        if (cap(p) > 0 && to_sink[p] < cap(p) && dp[p] - ds > eps) {
          dp[p] = ds + eps;
          if (to_sink[p] > 0) push_entry(sink_heap, {dp[p], static_cast<uint32_t>(n_ + p), 0});
        }
      }
      raise_dlow();
      // The regional floors of the phase before stay bounds but for the providers
      // that came down just now, which stand at least at the sink's height: a floor
      // F becomes min(F, C(r) S + ds) without asking (heights rose during the phase
      // F was taken in, and only providers with room came down, to ds + eps).
      if (bound_ != nullptr) {
        for (uint32_t r = 0; r < n_; ++r) {
          if (floor_phase[r] != phase_stamp - 1 || threshold_[r] == kNoThreshold) continue;
          floor_value[r] = std::min(floor_of(r), threshold_[r] * scale + ds);
          floor_since[r] = bound_version;
          floor_phase[r] = phase_stamp;
          floor_version[r] = 0;  // not this tree's answer: asking may give more
        }
      }
      // Phase start: a placed request lowers its height to its best other option +
      // eps (all its arcs out are then eps-optimal); it stays where it is when the
      // arc back from its place is eps-optimal too, else it leaves (its arcs out are
      // then free of flow, so any height it takes is fine). Each request decides from
      // the heights and its own data, on the team's threads (`start_height`: its new
      // height, kInfinity if it leaves); the moves are made after, in request order.
      team.ForEach(n_, kStartChunk, [&](size_t index, int thread) {
        const uint32_t r = static_cast<uint32_t>(index);
        if (seat[r].at == kUnplaced) return;
        Tally& tally = tallies[static_cast<size_t>(thread)];
        const auto& list = lists_[r];
        const int64_t outside = p_.outside_cost[r] * scale + ds;
        const int64_t mine =
            seat[r].at == kOutside ? outside : seat[r].cost * scale + dp[seat[r].provider];
        // r's best other option, its missing pairs valued at least `missing`.
        auto best_other = [&](int64_t missing) {
          int64_t other = std::min(seat[r].at == kOutside ? kInfinity : outside, missing);
          for (int i = 0; i < static_cast<int>(list.size()); ++i) {
            const int64_t c = list[i].cost * scale;
            if (c + dlow >= other) break;
            if (i == seat[r].at) continue;
            other = std::min(other, c + dp[list[i].provider]);
          }
          return other;
        };
        // With the regional bound, missing pairs may undercut by the phase's slack
        // here too, as when r relabels (they are no arcs of the phase's network).
        const int64_t slack = bound_ != nullptr ? phase_slack() : 0;
        auto padded = [&](int64_t missing) {
          return missing >= kInfinity ? missing : missing + slack;
        };
        const int64_t plain = known_missing(r);
        int64_t other = best_other(padded(plain));
        int64_t height = std::min(dr[r], other == kInfinity ? dr[r] : other + eps);
        if (height < mine - eps && bound_ != nullptr && other == padded(plain) &&
            plain < kInfinity) {
          // Only the missing pairs' plain bound makes r leave: ask the regional one.
          const int64_t missing = missing_value(r, mine - 2 * eps - slack, dr[r], tally);
          if (missing > plain) {
            other = best_other(padded(missing));
            height = std::min(dr[r], other == kInfinity ? dr[r] : other + eps);
          }
        }
        start_height[r] = height >= mine - eps ? height : kInfinity;
      });
      for (uint32_t r = 0; r < n_; ++r) {
        if (seat[r].at == kUnplaced) {
          enqueue(r);
          continue;
        }
        const int64_t height = start_height[r];
        if (height != kInfinity) {
          if (height != dr[r]) {
            dr[r] = height;
            ++ver[r];
            if (seat[r].at == kOutside) {
              push_entry(sink_heap, {height - p_.outside_cost[r] * scale, r, ver[r]});
            } else {
              push_entry(heap_of[seat[r].provider],
                         {height - seat[r].cost * scale, r, ver[r]});
            }
          }
          continue;
        }
        ++ver[r];
        if (seat[r].at == kOutside) {
          --sink_excess;
        } else {
          --members[seat[r].provider];
        }
        sit(r, kUnplaced);
        enqueue(r);
      }
      for (uint32_t p = 0; p < m_; ++p) {
        if (cap(p) <= 0) continue;
        if (to_sink[p] < cap(p) && dp[p] - ds > eps) {  // saturate p -> sink
          if (to_sink[p] == 0) push_entry(sink_heap, {dp[p], static_cast<uint32_t>(n_ + p), 0});
          sink_excess += cap(p) - to_sink[p];
          to_sink[p] = cap(p);
        }
        if (to_sink[p] > 0 && dp[p] - ds < -eps) {  // saturate sink -> p
          sink_excess -= to_sink[p];
          to_sink[p] = 0;
        }
        // A deficit where p -> sink may carry less: carry less.
        const int64_t deficit = to_sink[p] - members[p];
        if (deficit > 0 && dp[p] - ds <= eps) {
          to_sink[p] -= deficit;
          sink_excess -= deficit;
        }
        if (members[p] > to_sink[p]) enqueue(static_cast<uint32_t>(n_ + p));
      }
      if (sink_excess > 0) enqueue(sink);
      for (;;) {
        take_turns();
        hand_back();
        if (head >= queue.size()) break;
        if (head > (1u << 20) && head * 2 > queue.size()) {
          queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(head));
          head = 0;
        }
      }
      queue.clear();
      head = 0;
      // Below a quarter metre the flow is often optimal already (costs are whole
      // metres), long before eps < 1 metre / (n + m + 1) guarantees it: then the
      // exact duals exist and label correcting finds them in a few steps. Each phase
      // from there tries, with a small budget, and the phases stop on success (the
      // rest of them only shuffle ties: half the pushes at 15,000 / 300,000).
      if (eps > 1 && may_be_last()) {
        ++result_.scaling_dual_trials;
        if (find_exact_duals(dual_sweeps, false, 0)) {
          proved_optimal = true;
          break;
        }
      }
    }
    result_.scaling_pushes = pushes;
    for (const Tally& t : tallies) {
      result_.scaling_cache_hits += t.cache_hits;
      result_.floor_queries += t.floor_queries;
      result_.pairs += t.pairs;
      result_.extensions += t.extensions;
    }
    result_.scaling_relabels = relabels;

    // Past the phases, or once a phase's flow proved optimal (below).
    const bool exact = proved_optimal || find_exact_duals(dual_sweeps, true, 20);
    result_.scaling_exact = exact;
    for (uint32_t p = 0; p < m_; ++p) {
      const int64_t v = exact ? pp[p] - ps : floor_div(dp[p] - ds, scale);
      v_[p] = cap(p) <= 0 ? 0 : std::max<int64_t>(0, v);  // Finish prices capacity 0
      load_[p] = cap(p) <= 0 ? 0 : members[p];
    }
    // Repair (a no-op but for lists that must grow when the duals are exact): every
    // request whose option does not attain u(r) exactly, or whose u(r) passes C(r),
    // leaves, and a provider with v(p) > 0 that is not full drops to v(p) = 0, which
    // may make more requests leave (I2).
    auto value = [&](uint32_t r) -> int64_t {
      return seat[r].at == kOutside ? p_.outside_cost[r] : seat[r].cost + v_[seat[r].provider];
    };
    std::vector<uint32_t> dirty;
    auto leave = [&](uint32_t r) {
      if (seat[r].at >= 0) {
        const uint32_t p = seat[r].provider;
        if (--load_[p] < cap(p) && v_[p] > 0) dirty.push_back(p);
      }
      sit(r, kUnplaced);
      ++result_.scaling_repaired;
    };
    for (uint32_t r = 0; r < n_; ++r) {
      if (seat[r].at == kUnplaced) continue;
      const int64_t u = value(r);
      bool ok = u <= p_.outside_cost[r];
      for (const ListedPair& e : lists_[r]) {
        if (!ok || e.cost >= u) break;
        ok = e.cost + v_[e.provider] >= u;
      }
      if (!ok) leave(r);
    }
    for (uint32_t p = 0; p < m_; ++p) {
      if (cap(p) > 0 && load_[p] < cap(p) && v_[p] > 0) dirty.push_back(p);
    }
    auto drop_prices = [&]() {
      if (!dirty.empty() && !have_listing) build_listing();  // the lists are final now
      while (!dirty.empty()) {
        const uint32_t p = dirty.back();
        dirty.pop_back();
        if (v_[p] == 0 || load_[p] >= cap(p)) continue;
        v_[p] = 0;
        for (uint32_t i = start[p]; i < start[p + 1]; ++i) {
          const auto [r, cost] = listing[i];
          if (seat[r].at == kUnplaced || (seat[r].at >= 0 && seat[r].provider == p)) continue;
          if (cost < value(r)) leave(r);
        }
      }
    };
    drop_prices();
    // The missing pairs: u(r) <= C(r) + vmin (I1), vmin the least price of a
    // provider with capacity, or with the regional bound u(r) <= floor(r), what it
    // says of r's missing pairs at these prices (the bound's prices are v, scale 1;
    // the shortest paths only raise prices, so floor(r) stays a bound there). A
    // request that leaves may drop a price and so vmin and the floors: then again,
    // until nobody leaves (prices only fall, vmin to 0 at worst).
    if (bound_ != nullptr) floor_.assign(n_, 0);
    std::vector<int64_t> price(bound_ != nullptr ? m_ : 0);
    for (;;) {
      int64_t low = kInfinity;
      for (uint32_t p = 0; p < m_; ++p) {
        if (cap(p) > 0) low = std::min(low, v_[p]);
      }
      vmin_ = low == kInfinity ? 0 : low;
      if (bound_ != nullptr) {
        for (uint32_t p = 0; p < m_; ++p) {
          price[p] = cap(p) > 0 ? v_[p] : MissingPairBound::kPriceAbsent;
        }
        bound_->SetPrices(price, 1);
      }
      bool left = false;
      for (uint32_t r = 0; r < n_; ++r) {
        if (bound_ != nullptr) floor_[r] = 0;  // taken at the prices before: stale
        if (seat[r].at == kUnplaced || value(r) <= MissingBound(r)) continue;
        if (bound_ != nullptr) {
          // Up to o(r), which u(r) never passes: the shortest paths then see the
          // whole bound, and grow r's list only where a missing pair may matter.
          floor_[r] = bound_->Floor(r, threshold_[r], p_.outside_cost[r], p_.outside_cost[r],
                                    lists_[r]);
          ++result_.floor_queries;
          if (value(r) <= MissingBound(r)) continue;
        }
        leave(r);
        left = true;
      }
      if (!left) break;
      drop_prices();
    }
    // The state the shortest paths continue from, as after the auction.
    std::vector<uint32_t> rest;
    for (uint32_t i = 0; i < n_; ++i) {
      const uint32_t r = order[i];
      if (seat[r].at == kUnplaced) {
        assign_[r] = kUnplaced;
        rest.push_back(r);
      } else if (seat[r].at == kOutside) {
        assign_[r] = kOutside;
        stored_u_[r] = p_.outside_cost[r];
      } else {
        assign_[r] = static_cast<int32_t>(seat[r].provider);
        assign_edge_[r] = seat[r].at;
        stored_u_[r] = value(r);
      }
    }
    for (uint32_t r = 0; r < n_; ++r) {
      if (assign_[r] >= 0) EnterHeap(r);
    }
    return rest;
  }

  // u(r): a member's price is stored relative to its provider's offset, so raising
  // every member of a provider is one addition to offset_.
  int64_t U(uint32_t r) const {
    return assign_[r] >= 0 ? stored_u_[r] + offset_[assign_[r]] : stored_u_[r];
  }

  // What every missing candidate of request `row` costs in value (c + v) at least:
  // C(r) + vmin_, or the regional floor where it is higher (kNoThreshold when its
  // list is complete).
  int64_t MissingBound(uint32_t row) const {
    if (threshold_[row] == kNoThreshold) return kNoThreshold;
    const int64_t plain = threshold_[row] + vmin_;
    return floor_.empty() ? plain : std::max(plain, floor_[row]);
  }

  int64_t Supply(uint32_t r) const { return p_.supply.empty() ? 1 : p_.supply[r]; }
  // Parcel k's request. With unit supplies parcel k is request k; saying so spares
  // the hot loops a load from row_.
  uint32_t Row(uint32_t k) const { return unit_ ? k : row_[k]; }

  // The edge of parcel k's request to provider p in its list; -1 when absent.
  int FindEdge(uint32_t k, uint32_t p) const {
    const auto& list = lists_[Row(k)];
    for (size_t i = 0; i < list.size(); ++i) {
      if (list[i].provider == p) return static_cast<int>(i);
    }
    return -1;
  }

  void MoveTo(uint32_t r, int32_t p) {
    const int64_t u = U(r);
    if (assign_[r] >= 0) load_[assign_[r]] -= weight_[r];
    assign_[r] = p;
    ++version_[r];  // its entry in the old provider's heap is stale now
    if (p >= 0) {
      load_[p] += weight_[r];
      stored_u_[r] = u - offset_[p];
      assign_edge_[r] = FindEdge(r, p);
    } else {
      stored_u_[r] = u;
      assign_edge_[r] = -1;
    }
  }

  // Exact least reduced cost of r's alternatives to its current provider: another
  // candidate, the outside option, or (as a bound) the first missing candidate.
  int64_t Slack(uint32_t r) const {
    const int64_t u = U(r);
    const uint32_t row = Row(r);
    int64_t slack = p_.outside_cost[row] - u;
    if (threshold_[row] != kNoThreshold) slack = std::min(slack, MissingBound(row) - u);
    // Another parcel of the same request makes its pair tight: the slack is then 0,
    // found by this loop like any other pair.
    for (const ListedPair& e : lists_[row]) {
      // The list is in nondecreasing cost and prices are >= 0, so no later pair can
      // undercut once the cost alone reaches the slack.
      if (e.cost - u >= slack) break;
      if (static_cast<int32_t>(e.provider) == assign_[r]) continue;
      slack = std::min(slack, e.cost + v_[e.provider] - u);
    }
    return slack;
  }

  void EnterHeap(uint32_t r) {
    const int32_t p = assign_[r];
    if (p < 0) return;
    ++version_[r];
    auto& heap = members_[p];
    heap.push_back({Slack(r) + offset_[p], r, version_[r]});
    std::push_heap(heap.begin(), heap.end(), std::greater<>());
    if (heap.size() > 2 * static_cast<size_t>(load_[p]) + 16) Compact(p);
  }

  bool Valid(uint32_t p, const MemberEntry& e) const {
    return assign_[e.request] == static_cast<int32_t>(p) && version_[e.request] == e.version;
  }

  void Compact(uint32_t p) {
    auto& heap = members_[p];
    heap.erase(std::remove_if(heap.begin(), heap.end(),
                              [&](const MemberEntry& e) { return !Valid(p, e); }),
               heap.end());
    std::make_heap(heap.begin(), heap.end(), std::greater<>());
  }

  // Drops stale entries from the top of p's heap; true when a valid one remains.
  bool CleanTop(uint32_t p) {
    auto& heap = members_[p];
    while (!heap.empty() && !Valid(p, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), std::greater<>());
      heap.pop_back();
    }
    return !heap.empty();
  }

  void PushNextMember(uint32_t p) {
    if (CleanTop(p)) {
      Push({dist_p_[p] + members_[p].front().key - offset_[p], p, Kind::kMember});
    }
  }

  bool SettledR(uint32_t r) const { return settled_r_[r] == stamp_; }
  bool SettledP(uint32_t p) const { return settled_p_[p] == stamp_; }
  int64_t DistP(uint32_t p) const { return seen_p_[p] == stamp_ ? dist_p_[p] : kInfinity; }

  void RelaxEdges(uint32_t x, int64_t dx, size_t from) {
    const auto& list = lists_[Row(x)];
    const int64_t u = U(x);
    for (size_t i = from; i < list.size(); ++i) {
      // As in Slack: pairs in nondecreasing cost, prices >= 0, and the search never
      // uses a distance >= best_ (which only falls), so the rest is useless.
      if (dx + list[i].cost - u >= best_) break;
      const uint32_t p = list[i].provider;
      if (static_cast<int32_t>(p) == assign_[x] || SettledP(p)) continue;
      const int64_t d = dx + list[i].cost + v_[p] - u;
      if (d < best_ && d < DistP(p)) {
        dist_p_[p] = d;
        seen_p_[p] = stamp_;
        pred_p_[p] = x;
        Push({d, p, Kind::kProvider});
      }
    }
  }

  // Doubles request x's list and takes its new threshold, with `fetched` as the
  // candidate source's buffer; returns the pairs added. Touches only x's list,
  // limit and threshold, so the cost-scaling start calls it from the team's
  // threads for distinct requests (the source allows that, AssignmentProblem::threads).
  int64_t GrowList(uint32_t x, std::vector<CandidateEdge>* fetched) {
    // The candidate source must complete a list once the limit exceeds the number of
    // providers; the cap only guards against a source that never says so.
    limit_[x] = std::min(limit_[x], 1 << 29) * 2;
    const size_t before = lists_[x].size();
    threshold_[x] = Fill(x, fetched);
    return static_cast<int64_t>(lists_[x].size() - before);
  }

  // Doubles request x's candidate list (x a request here, not a parcel).
  void Extend(uint32_t x) {
    result_.pairs += GrowList(x, &fetched_);
    ++result_.extensions;
    if (!floor_.empty() && threshold_[x] != kNoThreshold) {
      // The shortest paths (floor_ is filled by the cost-scaling repair): the old
      // floor still holds with fewer pairs missing; the bound's prices are the
      // repair's, which only rose since.
      floor_[x] =
          std::max(floor_[x], bound_->Floor(x, threshold_[x], p_.outside_cost[x],
                                            p_.outside_cost[x], lists_[x]));
      ++result_.floor_queries;
    }
    for (uint32_t k = first_[x]; k != kNoParcel; k = next_[k]) {
      if (assign_[k] >= 0) assign_edge_[k] = FindEdge(k, assign_[k]);
    }
  }

  // Asks the candidate source for request x's list at limit_[x] and keeps provider
  // and cost of each pair (ListedPair) whose provider has capacity (a provider
  // without takes nobody, so the hot loops need not ask), in a vector of exactly the
  // list's length: lists are most of the solver's memory, and a vector grown by
  // push_back holds up to twice its length. Returns the threshold C(x).
  int64_t Fill(uint32_t x, std::vector<CandidateEdge>* fetched) {
    const int64_t threshold = p_.candidates(x, limit_[x], fetched);
    size_t kept = 0;
    for (const CandidateEdge& e : *fetched) kept += p_.capacity[e.provider] > 0;
    std::vector<ListedPair>& list = lists_[x];
    if (list.capacity() < kept) {
      std::vector<ListedPair> exact;
      exact.reserve(kept);
      list.swap(exact);
    }
    list.clear();
    for (const CandidateEdge& e : *fetched) {
      if (p_.capacity[e.provider] > 0) list.push_back({e.provider, e.cost});
    }
    return threshold;
  }

  // The detail of entry `edge` of request r's list, which the solver does not keep.
  // The source gives the same list for the same limit (CandidateFn), and the list
  // for a smaller limit is a prefix, so the pair is asked again with a limit just
  // past the entry (it can only stand further on where Fill dropped pairs without
  // capacity: then at limit_[r], the list as built).
  uint32_t DetailOf(uint32_t r, int edge) {
    const ListedPair& want = lists_[r][edge];
    for (const int limit : {edge + 1, limit_[r]}) {
      p_.candidates(r, limit, &fetched_);
      for (size_t i = edge; i < fetched_.size(); ++i) {
        if (fetched_[i].provider == want.provider && fetched_[i].cost == want.cost) {
          return fetched_[i].detail;
        }
      }
    }
    return 0;  // a source that breaks its contract: the pair's detail is unknown
  }

  // Settles parcel x (with unit supplies, request x) at distance dx: the outside
  // option, its candidates, and the event that grows its list if the search gets
  // far enough.
  void Expand(uint32_t x, int64_t dx) {
    settled_r_[x] = stamp_;
    dist_r_[x] = dx;
    expanded_.push_back(x);
    const int64_t u = U(x);
    const uint32_t row = Row(x);
    const int64_t out = dx + p_.outside_cost[row] - u;
    if (out < best_) {
      best_ = out;
      end_is_request_ = true;
      end_ = x;
    }
    RelaxEdges(x, dx, 0);
    if (threshold_[row] != kNoThreshold) Push({dx + MissingBound(row) - u, x, Kind::kExtend});
  }

  // The price u(r) a request would take now: the least value of its options, so all
  // its reduced costs are >= 0.
  int64_t LeastValue(uint32_t r) const {
    int64_t u = std::min<int64_t>(p_.outside_cost[r], MissingBound(r));
    for (const ListedPair& e : lists_[r]) u = std::min(u, e.cost + v_[e.provider]);
    return u;
  }

  // Places every unit of request r: one search and one augmentation per step, each
  // moving as many units as the path carries, until none is left unplaced.
  void PlaceRequest(uint32_t r) {
    const uint32_t k0 = r;  // parcel r holds the unplaced units until they are all out
    while (assign_[k0] == kUnplaced && weight_[k0] > 0) Place(k0);
  }

  // One search from the unplaced parcel r0 and one augmentation along the path found.
  void Place(uint32_t r0) {
    stored_u_[r0] = LeastValue(Row(r0));

    ++stamp_;
    heap_.clear();
    settled_providers_.clear();
    expanded_.clear();
    best_ = kInfinity;
    end_is_request_ = true;
    end_ = r0;
    Expand(r0, 0);
    while (!heap_.empty()) {
      const HeapItem item = heap_.front();
      if (item.key >= best_) break;
      std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
      heap_.pop_back();
      switch (item.kind) {
        case Kind::kRequest:
          break;  // requests are expanded directly; kept for the tie order only
        case Kind::kProvider: {
          const uint32_t p = item.node;
          if (SettledP(p) || item.key != dist_p_[p]) break;
          settled_p_[p] = stamp_;
          settled_providers_.push_back(p);
          if (load_[p] < p_.capacity[p]) {
            // Room here: v(p) is 0, so the edge to the sink costs nothing.
            best_ = item.key;
            end_is_request_ = false;
            end_ = p;
          } else {
            PushNextMember(p);
          }
          break;
        }
        case Kind::kMember: {
          const uint32_t p = item.node;
          auto& heap = members_[p];
          const uint32_t x = heap.front().request;  // CleanTop ran when this was pushed
          std::pop_heap(heap.begin(), heap.end(), std::greater<>());
          heap.pop_back();
          Expand(x, dist_p_[p]);
          PushNextMember(p);
          break;
        }
        case Kind::kExtend: {
          const uint32_t x = item.node;  // a parcel
          const uint32_t row = Row(x);
          const size_t before = lists_[row].size();
          Extend(row);
          RelaxEdges(x, dist_r_[x], before);
          if (threshold_[row] != kNoThreshold) {
            Push({dist_r_[x] + MissingBound(row) - U(x), x, Kind::kExtend});
          }
          break;
        }
      }
    }
    result_.settled += expanded_.size() + settled_providers_.size();

    // Potentials: every settled node rises by (best - its distance). A provider's
    // members rise with it through its offset; r0 is nobody's member yet.
    for (uint32_t p : settled_providers_) {
      const int64_t raise = best_ - dist_p_[p];
      if (raise <= 0) continue;
      v_[p] += raise;
      offset_[p] += raise;
    }
    stored_u_[r0] += best_;
    created_.clear();
    Augment(r0);
    ++result_.augmentations;
    // Members that were expanded (their heap entries were taken), every request that
    // moved and every parcel made by a split re-enter their provider's heap with a
    // fresh bound.
    for (uint32_t x : expanded_) EnterHeap(x);
    for (uint32_t x : created_) EnterHeap(x);
  }

  void Push(const HeapItem& item) {
    // The search stops at the first key >= best_, so such an item would never pop.
    if (item.key >= best_) return;
    heap_.push_back(item);
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
  }

  // Moves units along the chain found by the search: the end parcel's units go to its
  // outside option (or the end provider takes units), and each provider on the chain
  // takes units from the parcel the search reached it from. As many units move as
  // every step allows (the bottleneck: r0's unplaced units, each moving parcel's
  // units, the end provider's room); with single units that is one. Every parcel on
  // the chain was expanded, so it re-enters a heap afterwards.
  void Augment(uint32_t r0) {
    int64_t delta = weight_[r0];
    uint32_t p = end_;
    if (end_is_request_) {
      delta = std::min(delta, weight_[end_]);
      p = static_cast<uint32_t>(assign_[end_]);  // unused when end_ == r0
    } else {
      delta = std::min(delta, p_.capacity[p] - load_[p]);
    }
    if (!(end_is_request_ && end_ == r0)) {
      for (;;) {
        const uint32_t y = pred_p_[p];
        delta = std::min(delta, weight_[y]);
        if (y == r0) break;
        p = static_cast<uint32_t>(assign_[y]);
      }
    }
    p = end_;
    if (end_is_request_) {
      const int32_t old = assign_[end_];
      Transfer(end_, delta, kOutside);
      if (end_ == r0) return;
      p = static_cast<uint32_t>(old);
    }
    for (;;) {
      const uint32_t y = pred_p_[p];
      const int32_t old = assign_[y];
      Transfer(y, delta, static_cast<int32_t>(p));
      if (y == r0) return;
      p = static_cast<uint32_t>(old);
    }
  }

  // Moves `delta` of parcel y's units to `target` (a provider or kOutside). The units
  // join the parcel the request already has there, if any, else a new one; all
  // parcels of a request share its price u(r) (each takes an option attaining it),
  // so the moved units keep theirs.
  void Transfer(uint32_t y, int64_t delta, int32_t target) {
    if (unit_) {
      MoveTo(y, target);  // single units: no parcel ever splits
      return;
    }
    const uint32_t row = row_[y];
    uint32_t z = kNoParcel;
    for (uint32_t k = first_[row]; k != kNoParcel; k = next_[k]) {
      if (k != y && assign_[k] == target) z = k;
    }
    if (z == kNoParcel && delta == weight_[y]) {
      MoveTo(y, target);  // the whole parcel: always so with single units
      return;
    }
    const int64_t u = U(y);
    if (assign_[y] >= 0) load_[assign_[y]] -= delta;
    weight_[y] -= delta;
    if (weight_[y] == 0) Kill(y);
    if (z == kNoParcel) {
      z = NewParcel(row, target, u);
      created_.push_back(z);
    }
    weight_[z] += delta;
    if (target >= 0) load_[target] += delta;
  }

  uint32_t NewParcel(uint32_t row, int32_t target, int64_t u) {
    const uint32_t k = static_cast<uint32_t>(row_.size());
    row_.push_back(row);
    weight_.push_back(0);
    next_.push_back(first_[row]);
    first_[row] = k;
    assign_.push_back(target);
    assign_edge_.push_back(-1);
    stored_u_.push_back(target >= 0 ? u - offset_[target] : u);
    version_.push_back(0);
    dist_r_.push_back(kInfinity);
    settled_r_.push_back(0);
    if (target >= 0) assign_edge_[k] = FindEdge(k, static_cast<uint32_t>(target));
    return k;
  }

  // Parcel y has no units left: out of its request's list, and its heap entries stale.
  void Kill(uint32_t y) {
    const uint32_t row = row_[y];
    if (first_[row] == y) {
      first_[row] = next_[y];
    } else {
      uint32_t k = first_[row];
      while (next_[k] != y) k = next_[k];
      next_[k] = next_[y];
    }
    assign_[y] = kDead;
    ++version_[y];
  }

  AssignmentResult Finish() {
    result_.provider.assign(n_, kOutside);
    result_.detail.assign(n_, 0);
    result_.cost.assign(n_, 0);
    result_.request_price.assign(n_, 0);
    std::vector<Flow> flows;
    for (uint32_t r = 0; r < n_; ++r) {
      flows.clear();
      for (uint32_t k = first_[r]; k != kNoParcel; k = next_[k]) {
        if (weight_[k] == 0) continue;  // a request with no units
        Flow f{.request = r, .provider = assign_[k], .amount = weight_[k]};
        if (assign_[k] >= 0) {
          const ListedPair& e = lists_[r][assign_edge_[k]];
          f.cost = e.cost;
          f.detail = DetailOf(r, assign_edge_[k]);
        } else {
          f.cost = p_.outside_cost[r];
        }
        flows.push_back(f);
      }
      std::sort(flows.begin(), flows.end(),
                [](const Flow& a, const Flow& b) { return a.provider < b.provider; });
      // Every parcel of r has price u(r); a request without units takes the least
      // value of its options, which keeps the dual feasible.
      const int64_t u = first_[r] != kNoParcel && weight_[first_[r]] > 0 ? U(first_[r])
                                                                        : LeastValue(r);
      result_.request_price[r] = u;
      result_.dual_objective += Supply(r) * u;
      if (!flows.empty()) {
        result_.provider[r] = flows.front().provider;
        result_.detail[r] = flows.front().detail;
        result_.cost[r] = flows.front().cost;
      } else {
        result_.cost[r] = p_.outside_cost[r];
      }
      for (const Flow& f : flows) result_.objective += f.amount * f.cost;
      if (!p_.supply.empty()) result_.flows.insert(result_.flows.end(), flows.begin(), flows.end());
    }
    // A provider without capacity is in no list (Fill): its price is the largest
    // outside cost, which no request's u(r) passes, so every pair of the full graph
    // stays dual feasible, at no cost to the dual objective (b(p) = 0).
    for (uint32_t p = 0; p < m_; ++p) {
      if (p_.capacity[p] <= 0) v_[p] = max_outside_;
      result_.dual_objective -= p_.capacity[p] * v_[p];
    }
    result_.provider_price = v_;
    if (p_.keep_lists) result_.lists = std::move(lists_);
    return std::move(result_);
  }

  const AssignmentProblem& p_;
  const size_t n_, m_;
  const int64_t max_outside_;  // max(0, max_r o(r)): the price of a provider without capacity
  bool unit_ = true;  // every supply is 1
  // Per request.
  std::vector<std::vector<ListedPair>> lists_;
  std::vector<CandidateEdge> fetched_;  // the candidate source's answer, before Fill keeps it
  std::vector<int64_t> threshold_;
  // A lower bound on v(p) for every provider with capacity, fixed after the warm
  // start (prices only rise in the shortest paths): 0, or after the cost-scaling
  // start the least price, which where every provider is full and priced lets a
  // request at its outside option keep a short list.
  int64_t vmin_ = 0;
  // With the regional bound, after the cost-scaling start: per request a lower bound
  // on its missing pairs' values c + v (MissingBound); empty without.
  MissingPairBound* const bound_ = p_.missing_bound;
  std::vector<int64_t> floor_;
  std::vector<int> limit_;
  std::vector<uint32_t> first_;  // its first parcel; parcel r is request r's to begin with
  // Per parcel: some of a request's units, all in one place (a provider, the outside
  // option, or unplaced). Parcels r < n start as request r; splits append more.
  std::vector<uint32_t> row_;     // its request
  std::vector<int64_t> weight_;   // its units
  std::vector<uint32_t> next_;    // the next parcel of the same request
  std::vector<int64_t> stored_u_;
  std::vector<uint32_t> version_;
  std::vector<int64_t> v_, offset_;
  std::vector<int64_t> load_;
  std::vector<std::vector<MemberEntry>> members_;  // per provider, a min-heap
  std::vector<int32_t> assign_;
  std::vector<int32_t> assign_edge_;
  std::vector<int64_t> dist_r_, dist_p_;
  std::vector<uint32_t> seen_p_, settled_r_, settled_p_;
  std::vector<uint32_t> pred_p_;
  uint32_t stamp_ = 0;
  std::vector<HeapItem> heap_;  // binary min-heap, reused across placements
  std::vector<uint32_t> settled_providers_;
  std::vector<uint32_t> expanded_;
  std::vector<uint32_t> created_;  // parcels made by the last augmentation
  int64_t best_ = 0;
  bool end_is_request_ = true;
  uint32_t end_ = 0;
  AssignmentResult result_;
};

}  // namespace

AssignmentResult SolveAssignment(const AssignmentProblem& problem) {
  return Solver(problem).Run();
}

}  // namespace wegwijzer::internal
