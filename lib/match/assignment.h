// Internal: exact min-cost assignment with capacities and lazily grown candidate lists.
//
// Problem. Requests r = 0..n-1 with supplies s(r) >= 0 (units: s(r) identical
// requests, 1 unless AssignmentProblem::supply says otherwise), providers p = 0..m-1
// with capacities b(p) >= 0. Each unit of request r either takes one of its candidate
// providers p at cost c(r,p), or its outside option at cost o(r); several units of
// one request may take the same provider. Minimise the total cost subject to at most
// b(p) units per provider. (The Matcher maps unlimited providers and the unassigned
// penalty into o(r), so only limited providers appear here.) This is a
// transportation problem: a min-cost flow from the requests (supply s(r) each)
// through the providers (arc capacity b(p)) or the outside options into one sink.
// Its optimum equals that of the problem in which request r is copied s(r) times
// (the copies' LP has the same optimum, and at a dual optimum identical copies have
// the same price, so the weighted LP below is that LP with the copies merged).
//
// LP dual. max sum_r s(r) u(r) - sum_p b(p) v(p)  s.t.  u(r) <= c(r,p) + v(p),
// u(r) <= o(r), v(p) >= 0. At an optimum: u(r) = min(o(r), min_p c(r,p) + v(p)),
// every request takes an option that attains u(r), and a provider with v(p) > 0 is
// full (complementary slackness, "CS"). The solver keeps these conditions, exactly,
// for every request placed so far; they hold for all requests at the end, so the
// result carries its own certificate: dual_objective == objective.
//
// The method has two phases that keep the same invariants (I1-I3 below), so the
// second finishes what the first leaves:
//  (I1) every placed request takes an option attaining u(r), and u(r) <= c(r,q) +
//       v(q) for every candidate q built, u(r) <= o(r), and u(r) <= C(r) + vmin
//       (below; vmin is 0 but after the cost-scaling start);
//  (I2) v(p) >= 0, and v(p) > 0 only if p is full;
//  (I3) unplaced requests take no capacity.
//
// 1. Warm start: an auction without epsilon (Bertsekas, "The auction algorithm: a
// distributed relaxation method for the assignment problem", Ann. Oper. Res. 14,
// 1988; here with epsilon = 0, like the "augmenting row reduction" of Jonker &
// Volgenant, Computing 38, 1987). Provider p has b(p) places ("slots"), each with its
// own price; a free slot costs 0. A free request computes its best value w1 = c(r,p)
// + (cheapest slot of p) and its second best w2 (another provider, p's second slot,
// the outside option, or the bound C(r) of its missing candidates, growing the list
// when that bound could undercut), takes p's cheapest slot and raises that slot's
// price by w2 - w1, displacing the slot's holder (who bids again). The winner is then
// exactly indifferent between p and its second best, and prices only rise later, so
// (I1) holds with v(p) = p's cheapest slot price; a slot's price is raised only when
// it is taken and a taken slot stays taken, so a provider with a free slot has v(p) = 0
// (I2). An auction without epsilon can cycle on ties: a bid that would displace
// someone at no price rise is not made (the request is left to phase 2), and the
// phase stops after `warm_start_bids_per_request` x n bids. It places most requests
// of an uncongested instance at O(list) per bid.
//
// 2. Successive shortest paths (Ahuja, Magnanti & Orlin, "Network Flows", ch. 9) on
// the residual graph with node potentials pi(r) = u(r), pi(p) = v(p), so every reduced
// cost is >= 0 and Dijkstra applies. Placing request r0 searches for the cheapest way
// to make room: a chain r0 -> p1 -> r1 -> p2 -> ... that ends at a provider with room,
// or at a request that moves to its outside option. The search stops as soon as that
// cheapest end is settled (nodes farther away keep their potentials), so a request
// whose nearest provider has room costs one heap step. After the augmentation the
// potentials of the settled nodes rise by D - d(x): the prices of contested providers
// go up, as in an auction. Each placement keeps (I1)-(I3) and places one more request.
//
// 1'. Alternative warm start (AssignmentProblem::cost_scaling, unit supplies; the
// Matcher's MatchSolver::kCostScaling): cost-scaling push-relabel (Goldberg & Tarjan,
// "Finding minimum-cost circulations by successive approximation", Math. Oper. Res.
// 15, 1990; Goldberg, "An efficient implementation of a scaling minimum-cost flow
// algorithm", J. Algorithms 22, 1997) on the network requests (supply 1) -> providers
// (one arc per pair built, capacity 1, cost c S) -> sink (capacity b(p), cost 0), with
// each request's outside option an arc to the sink (cost o S). Costs are scaled by
// S = n + m + 2 (more units per metre than nodes). Heights d(x) (the potentials;
// reduced cost of a residual arc c + d(y) - d(x)) live on requests, providers (one
// price per provider, no slots) and the sink; epsilon-optimality is reduced cost >=
// -eps on every residual arc. The first phase's eps is the largest cost, or 65,536 m
// if less (AssignmentProblem::cost_scaling_initial_eps: the refine restores
// eps-optimality from any state, so this changes the time, not the optimum). A
// phase ("refine") divides eps by alpha and restores
// eps-optimality cheaply: a placed request lowers its height to its best other
// option + eps and leaves only if the arc back from its place is then violated; a
// provider with room that rose above the sink by more than eps comes down to it;
// saturations take care of the rest. Active requests are processed FIFO, and after
// every 256 of them (AssignmentProblem::cost_scaling_request_batch) the active
// providers and the sink, FIFO too, hand back what they hold too many of: a
// provider then prices itself soon after it fills, and requests do not pile into
// it at a stale price (one FIFO of all nodes took twice the pushes at 50,000 /
// 1,000,000), while a few arrivals still share a relabel (after every single
// request, a dense cluster's prices climb unevenly and its lists grow to 5 M
// pairs of its 40 M). A request
// pushes its unit along its cheapest arc (value w1) and takes height
// max(w1, min(second best, B)) + eps, B = C(r) S + dlow the bound of its missing pairs (dlow
// the least provider height, taken again during the phase when it may have risen:
// heights only rise within a phase). That is the maximal relabel of Goldberg &
// Kennedy's CSA (Math. Prog. 71, 1995) on the lists plus the missing pairs: every
// arc out of r stays eps-optimal, listed or not (in the last phase, where B >= w1),
// and the height is >= w1 + eps, so r is not handed back before its new place is
// relabelled (a lower one could cycle between the two). The list grows
// only while B < w1 (a missing pair could be the best), not while B is below the
// second best: where every provider is full and priced, the requests that compete
// for a seat then list the providers about as near as their best, not all of them.
// Before the last phase B may undercut w1 by 8 eps before the list grows (missing
// pairs are no arcs of the network a phase works on; each phase start checks them
// again, and the last phase, eps = 1, allows nothing), so coarse phases do not
// list pairs that only their coarseness made look useful. A provider that nobody
// uses (no unit in or out) rises to the sink's height whenever dlow is taken: it
// has only arcs in and its arc to the sink, which stay eps-optimal, and otherwise
// one idle provider anywhere would keep every request's B low and its list growing.
// Recruiting (AssignmentProblem::cost_scaling_recruit_eps). A request that leaves
// a full, priced provider p at a phase start leaves p with a seat to spare: p's
// arc to the sink stays saturated (eps-optimality forbids less while p stands
// above the sink), so p holds a deficit and the sink the matching excess. Push-
// relabel fills it only by raising the sink: every outside option grows dearer in
// eps steps and the sink returns units all over the country, one each step, until
// somewhere near p a request prefers p at its old price. On the real map a few
// such providers priced far above their neighbourhood kept the 4 km phase going
// (at 50,000 / 1,000,000: 54 sink relabels of about 1.1 M pushes each for the last
// 1,127 seats). Instead, when the sink would relabel and at most 1/64 of the
// providers have seats to spare, each of them (at most 64 times a phase)
// recruits, as a reverse auction bids (Bertsekas & Castanon, "The auction
// algorithm for the transportation problem", Ann. Oper. Res. 20, 1989): every
// request r that lists p and is placed elsewhere could lower its height to its
// floor (its place's value - eps, where the arc back still holds) and then
// accepts p down to the price floor - c(r,p) S - eps ("its offer"); p takes the
// `deficit` best offers, prices itself at the next offer (or the sink's height -
// eps, where its arc from the sink holds), lowers every request that lists it to
// c S + price + eps where it stood higher, and moves the recruits whose offer
// exceeds the price by more than eps to it, at that height. Each change lowers a
// height as far as the arcs into the node allow, or pushes along arcs of
// reduced cost -eps, so eps-optimality holds, and with a bounded number of
// steps per phase the phase ends as push-relabel does. Heights falling breaks what
// the caches assume (heights only rise): the recruits' and listed requests' k-best
// caches are dropped, dlow is taken again, and a regional floor taken at the
// bound's older prices is read as min(F, C(r) S + the least height lowered to
// since). The requests listing each provider are kept for it (8 bytes a pair),
// built at the first recruiting and freed with the last phase that recruits.
// Measured (README, "Providers recruit"): 50,000 / 1,000,000 129.8 M pushes against
// 170.2 M, 172 s against 178 s; 15,000 / 300,000 22.0 M against 28.2 M, 15.5 s
// against 17.3 s.
// Threads (AssignmentProblem::threads). A request's choice (its best and second
// best arcs, the bound of its missing pairs, its new height, its list grown where
// the bound says so) reads only heights and the request's own data, and only
// providers and the sink change heights, on their turn after the batch: so the
// requests of a batch choose at once on a team of threads (ThreadTeam,
// core/parallel.h), each writing only its own list, cache and floor, and the
// solver's thread then moves them in queue order. A choice that needs dlow taken
// again is left to the solver's thread, after the others (SetPrices is called from
// that thread only; the candidate source and MissingPairBound::Floor from all, for
// distinct requests). A phase start's decisions are made on the team likewise,
// and so are a recruiting step's passes over its provider's listing (each entry
// writes only its own slot; the lowerings follow on the solver's thread, in
// listing order). The exact duals' sweeps run on the team in two fixed parts of
// the requests, each on its own copy of the providers' labels (merged by the
// least), so their count does not depend on the threads either, and the labels
// they settle on are unique.
// The batches, the choices and so the flow, duals and pairs are the same for
// every thread count; they differ from a strictly sequential order, where a
// request that takes dlow again changes what the rest of its batch sees.
// A request keeps its 4 best list entries and a bound on the rest as last scanned
// (a "k-best" cache as in CSA): heights only rise within a phase, so while the
// cached entries' values are below that bound they are the scan's answer, ties
// included, and the push costs O(4) instead of a scan (3.6 M of the 9.6 M pushes
// at 5,000 / 100,000). A provider
// with more units than it passes on sends one to the sink or returns its member with
// the least slack (a per-provider heap keyed d(r) - c S, static while r stays, so the
// relabel is O(log)); the sink, with units to spare, returns them likewise (its
// reverse arcs in one heap). The sink's height is what lets a provider with room
// stay within eps of "free" while full ones are priced. At eps = 1 the flow is optimal on the lists
// built (eps < 1 metre / (n + m + 1); Goldberg & Tarjan, Thm 3.4). Exact integer duals:
// label correcting (Bellman-Ford) on the residual graph in metres, started from
// floor((d - d(s)) / S), lowers labels until pi(x) <= c + pi(y) on every residual
// arc; u(r) = c + v(p) for a member (o(r) for the outside option), v(p) = max(0,
// pi(p) - pi(s)) satisfy (I1) on the lists and (I2). First by sweeps over the
// requests' own lists, in alternating directions (AssignmentProblem::
// cost_scaling_dual_sweeps, 64 at most; a sweep that lowers nothing proves every
// arc satisfied; they stop early where the labels lowered per sweep grow again, the
// sign of a negative cycle); only past them by a worklist, which needs the arcs
// into each provider, a listing as large as the lists (8 bytes a pair), and so is
// built only after the last phase (at 50,000 / 1,000,000 it was a third of the
// peak memory). The worklist is budgeted (20 x the arcs): past it (it cannot happen
// at the default S, tests check that) the rounded heights are used instead.
// Stopping early: costs are whole metres, so the flow is usually optimal long
// before eps < 1 metre / (n + m + 1) proves it (the last phases only shuffle ties:
// half the pushes at 15,000 / 300,000). After every phase with eps <= S / 4 (a
// quarter metre) the sweeps are tried; when they find the duals, the flow is
// optimal on the lists (they certify it) and the phases stop. A trial that fails
// (a negative cycle, or the sweeps spent) changes nothing and the next phase runs;
// it costs O(n + m + pairs) per sweep. A repair then hands back every request that
// breaks (I1) on its list, sets a non-full provider's positive price to 0, handing
// back whom that attracts, and then, with vmin the least price of a provider with
// capacity, every request with u(r) > C(r) + vmin (its list must grow), again until
// nobody leaves (vmin only falls), so (I1)-(I3) hold and the shortest paths finish
// exactly (on the benchmarks they have nothing left to do). vmin stays a lower
// bound on every price in the shortest paths (prices only rise there), which use
// C(r) + vmin where the unit solver uses C(r) (see the lazy lists below).
// Cost: O(pairs) per phase plus the pushes; log_alpha(S min(max o(r), 65,536)) phases
// (16 at 100,000 requests, alpha 4); memory O(n + m + pairs), 32 bytes per request
// for the cache, and a heap entry per push.
// Measured in the README (Match figures).
//
// Lazy candidate lists (column generation with exact pricing). Each request holds a
// prefix of its candidates in nondecreasing cost, with a threshold C(r) such that
// every missing candidate costs >= C(r). A missing pair has reduced cost
// c + v(p) - u(r) >= C(r) + vmin - u(r), vmin a lower bound on every price with
// capacity (0, or after the cost-scaling start the least price then), so it can
// matter only once u(r) would exceed C(r) + vmin.
// The search therefore schedules, for each settled request x, an "extend x" event
// at distance d(x) + C(x) + vmin - u(x): if the search gets that far before it ends, x's
// list is doubled and the new pairs relaxed. Hence after every placement
// u(r) <= C(r) + vmin holds for all r, every missing pair has a nonnegative reduced cost, and
// the final assignment is optimal for the full graph, though most pairs were never
// built. Both phases use the sorted lists to stop scanning early: with v >= 0, a pair
// costs at least c(r,p) in value, so once c(r,p) alone is no better, no later one is.
//
// Regional bound (AssignmentProblem::missing_bound, with cost scaling; the Matcher's
// is match/regional_bound.h). C(r) + vmin prices a request's missing pairs as if
// the cheapest provider anywhere stood at r's threshold; on the real map some
// provider always has room (vmin = 0), so a request in a congested town must list
// every provider within u(r) of it. The bound instead answers, for r, threshold
// C(r) and the providers' current heights (or prices), a value F <= min over the
// pairs r lacks (all cheaper than o(r)) of c S + d(p): the least over nearby
// providers, by a walk of the directory's spatial tree with the least height per
// node (and per topic). Wherever C(r) S + dlow would make a list grow, the start
// asks it (lists of at least missing_bound_from_length pairs; shorter ones grow as
// before), and uses
// max(C(r) S + dlow, F) as the missing pairs' bound, in the growth test, the relabel
// and the phase start's check alike. Heights only rise within a phase, so an answer
// stays a bound for the rest of its phase (and until r's list grows); it is taken
// from heights at most m/8 pushes old (refreshed with dlow), and at a phase start
// the providers that came down stand at ds or above, so an answer of the phase
// before becomes min(F, C(r) S + ds) without asking. The repair asks it at the
// exact prices v (scale 1) for every request with u(r) > C(r) + vmin, up to o(r),
// and keeps the answer as floor(r): (I1)'s last clause becomes u(r) <= max(C(r) +
// vmin, floor(r)), which the shortest paths keep (prices only rise there, so
// floor(r) stays a bound; after a list grows it is asked again at the repair's
// prices) by scheduling the extension at d(x) + max(C(x) + vmin, floor(x)) - u(x).
// The argument for optimality is unchanged: every missing pair still has reduced
// cost >= 0 at the end. Measured: 50,000 / 1,000,000 keeps 95 M pairs instead of
// 205 M (77 M when every list asks, but slower: README, Match figures).
//
// Weighted requests ("parcels"). A request's units are kept as parcels, each some
// units in one place (a provider, the outside option, unplaced); a request starts as
// one unplaced parcel of s(r) units, and has at most one parcel per place. Parcels of
// a request share its price u(r) (each takes an option attaining it, I1), so to the
// search a parcel is a request node reached through its provider, and a request
// with parcels at two providers joins them by a pair of reduced cost 0 (its slack is
// 0). Placing request r repeats: search from its unplaced parcel, then move the
// path's bottleneck, delta = min(r's unplaced units, the units of each parcel that
// moves, the end provider's room), along it, splitting a parcel when only part of
// it moves and merging units into the request's parcel where they arrive. This is
// successive shortest paths on the merged network (flows x(r,p) = the parcels'
// units), where augmenting the bottleneck along a shortest path keeps reduced costs
// >= 0 (Ahuja, Magnanti & Orlin, ch. 9). Each augmentation places all of r's
// remaining units, fills a provider, or empties a parcel, so a request of a
// billion units costs a few searches, not a billion. With s(r) = 1 for all r no
// parcel ever splits and the solver is the unit one, warm start included (the warm
// start runs only then).
//
// Why optimal: at the end every request is placed, (I1) and (I2) are the LP's CS
// conditions for the full graph, so (u, v) is dual feasible and its objective equals
// the primal one (weak duality gives optimality; integer data give integer duals).
//
// Complexity (unit supplies): phase 1 O(L) per bid (L the list length), at most 8n bids by default;
// phase 2 O(S log S) per placement, S the nodes settled; S is 1 for most requests on
// realistic data and grows with local overload (the dense clusters of the benchmark
// are its worst case: thousands of nodes per placement). Memory: O(n + m + pairs
// built) (8 bytes per pair, ListedPair, in lists of exactly their length, plus one
// vector header per request; the cost-scaling start's exact duals add 8 bytes per
// pair for the providers' listings only where its sweeps do not settle them) and,
// during phase 1, 16 bytes per taken slot.
// The pairs' details are not kept: Finish asks the candidate source again for the
// pair each request ends with (one more call per placed request). Parallel only in the
// cost-scaling start (Threads, above). Deterministic: the result depends only on the
// input and the placement order (ties broken by list order and index).
#ifndef WEGWIJZER_LIB_ASSIGNMENT_H_
#define WEGWIJZER_LIB_ASSIGNMENT_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <vector>

namespace wegwijzer::internal {

struct CandidateEdge {
  uint32_t provider;  // solver's provider index
  int32_t cost;       // c(r, p) in metres (<= 1,000,000 by the contract's limits)
  uint32_t detail;    // opaque to the solver (the Matcher keeps mode and location here)
};

// A pair as the solver keeps it in a request's list: 8 bytes, for the hot loops and
// the memory of national lists (95 M pairs at 50,000 / 1,000,000). The detail of
// the pairs chosen is asked again at the end (see CandidateFn).
struct ListedPair {
  uint32_t provider;  // solver's provider index
  int32_t cost;       // c(r, p) in metres
};

inline constexpr int64_t kNoThreshold = std::numeric_limits<int64_t>::max();

// Fills `edges` with the cheapest `limit` (or more) candidates of request r, in
// nondecreasing cost, all with cost < o(r); an earlier call's list is a prefix of a
// later one with a larger limit. Returns the threshold C(r): kNoThreshold when the
// list is complete, else a cost that every missing candidate reaches. The solver
// keeps only provider and cost; for the details of the pairs it chooses it calls
// again, with a limit just past the chosen entry, so the function must give the
// same list for the same (request, limit) every time (a pure function of them).
// With AssignmentProblem::threads > 1 the cost-scaling start calls it from several
// threads at once, for distinct requests.
using CandidateFn =
    std::function<int64_t(uint32_t request, int limit, std::vector<CandidateEdge>* edges)>;

// Optional (the cost-scaling start and the shortest paths after it): a lower bound
// on the value c(r,p) + v(p) of request r's missing pairs, sharper than C(r) + vmin
// where prices differ by region (see "Regional bound" in the header). The Matcher's
// is RegionalPairBound (match/regional_bound.h), on the directory's spatial tree.
class MissingPairBound {
 public:
  virtual ~MissingPairBound() = default;
  // From now until the next call, every provider p with capacity has a price >=
  // price[p] (in units of 1 / scale metre; kPriceAbsent: p takes nobody).
  virtual void SetPrices(std::span<const int64_t> price, int64_t scale) = 0;
  // A value F <= stop with scale c(r,p) + price(p) >= F for every candidate pair
  // (r, p) of cost threshold <= c(r,p) < cost_below (metres; the solver passes o(r),
  // which every candidate undercuts, CandidateFn) whose provider has capacity and is
  // not in `listed` (the request's list), price(p) as promised by the last
  // SetPrices. With AssignmentProblem::threads > 1 the solver asks from several
  // threads at once (never while SetPrices runs): Floor must allow that.
  virtual int64_t Floor(uint32_t request, int64_t threshold, int64_t cost_below, int64_t stop,
                        std::span<const ListedPair> listed) = 0;
  static constexpr int64_t kPriceAbsent = std::numeric_limits<int64_t>::max() / 8;
};

struct AssignmentProblem {
  std::span<const int64_t> capacity;      // b(p) >= 1, per provider
  std::span<const int64_t> outside_cost;  // o(r) >= 0, per request
  // s(r) >= 0 per request; empty = 1 each. The objective, sum of s(r) o(r), must fit
  // in int64.
  std::span<const int64_t> supply;
  CandidateFn candidates;
  int initial_limit = 4;
  // The order in which requests are placed (a permutation of 0..n-1); empty = 0..n-1.
  // The optimum does not depend on it; the running time does.
  std::span<const uint32_t> placement_order;
  std::function<void(int64_t placed, int64_t total)> progress;
  // True: the result keeps the candidate lists built (AssignmentResult::lists).
  bool keep_lists = false;
  // The warm start's budget of bids, per request; 0 = no warm start (shortest
  // paths only).
  int warm_start_bids_per_request = 8;
  // Unit supplies only: the warm start by cost-scaling push-relabel (see the header)
  // instead of the auction; its heights are in units of 1/cost_scaling_scale metre.
  bool cost_scaling = false;
  int64_t cost_scaling_scale = 0;  // 0: n + m + 2, which makes the phases exact
  int64_t cost_scaling_alpha = 4;  // epsilon's divisor from one phase to the next
  // The first phase's epsilon in metres (at most the largest cost); 0 = the largest
  // cost. Any value gives the optimum; 65,536 m (the order of the costs that
  // compete, well below the unassigned penalty) was fastest on the real-map and
  // dense-cluster benchmarks (5,000 / 100,000: 3.5 s against 5.7 s from the
  // largest cost; 262,144 m and 16,384 m both slower). With the batched
  // hand-backs (cost_scaling_request_batch) 262,144 m was 8% faster at 50,000 /
  // 1,000,000 and in the dense cluster, but 14% slower at 15,000 / 300,000 and 6%
  // at 5,000 / 100,000; 16,384 m 26% slower at 50,000 / 1,000,000 (README).
  int64_t cost_scaling_initial_eps = 65'536;
  // With cost_scaling: the Bellman-Ford sweeps over the lists that the exact duals
  // may take before they need the providers' listings (8 bytes a pair, as much as
  // the lists: built only past these sweeps, and only after the last phase; a
  // trial after an earlier phase that the sweeps cannot settle fails, and the
  // phases go on). 0: always the listings, and no trial succeeds.
  int cost_scaling_dual_sweeps = 64;
  // With cost_scaling: the requests taken from the queue between two turns of the
  // providers and the sink (who also take one whenever the queue is empty); why
  // 256, see 1' in the header above and the README's figures.
  int cost_scaling_request_batch = 256;
  // With cost_scaling: providers recruit (see 1' in the header above) in the phases
  // whose epsilon is at least this many metres; 0 = never. 4,096 m (the second
  // phase from the default first epsilon, where the price war is) was fastest on
  // the real-map benchmarks; from 1,024 m, 15,000 / 300,000 was 7% slower.
  int64_t cost_scaling_recruit_eps = 4'096;
  // With cost_scaling: the threads the requests' turns run on, the calling thread
  // included (see 1' in the header above, "Threads"); >= 1. The result does not
  // depend on it.
  int threads = 1;
  // Tests: after every recruiting step, count the residual arcs (of the lists and
  // the sink) that are not eps-optimal into AssignmentResult::scaling_violations.
  // O(n + m + pairs) a step.
  bool cost_scaling_check = false;
  // With cost_scaling: the regional bound on missing pairs (not owned); null = C(r) +
  // vmin only.
  MissingPairBound* missing_bound = nullptr;
  // The cost-scaling start asks the bound only for requests with at least this many
  // pairs listed (the repair and the shortest paths ask for any): a short list is
  // cheaper to grow than the bound is to ask (about 2 us a question on the real
  // map). 64 (measured, BM_MatchCS_Dutch): 5,000 / 100,000 3.3 s against 2.9 s
  // without the bound and 6.4 s asking for every list, 15,000 / 300,000 20.8 s
  // and 540 MB against 18.9 s and 853 MB without the bound.
  int missing_bound_from_length = 64;
};

// `amount` units of `request` at `provider` (-1 = the outside option) at `cost` each.
struct Flow {
  uint32_t request = 0;
  int32_t provider = -1;
  uint32_t detail = 0;  // the pair's CandidateEdge::detail; 0 for the outside option
  int64_t cost = 0;
  int64_t amount = 0;
};

struct AssignmentResult {
  // Per request, its first flow in `flows` order (for unit supplies its only one):
  std::vector<int32_t> provider;  // the provider, or -1 = outside option
  std::vector<uint32_t> detail;   // the chosen edge's detail
  std::vector<int64_t> cost;      // c(r, p) or o(r)
  // With AssignmentProblem::supply given: every flow, by request, then provider
  // (outside option first); amounts > 0, summing to s(r) per request.
  std::vector<Flow> flows;
  int64_t objective = 0;
  // The dual certificate: sum s(r) u(r) - sum b(p) v(p), equal to `objective` at an
  // optimum.
  int64_t dual_objective = 0;
  std::vector<int64_t> request_price;   // u(r)
  std::vector<int64_t> provider_price;  // v(p)
  // With AssignmentProblem::keep_lists, every request's candidate list as built.
  std::vector<std::vector<ListedPair>> lists;
  int64_t pairs = 0;
  int64_t warm_start_bids = 0;    // bids of the warm start
  int64_t warm_start_placed = 0;  // requests it placed (the rest by shortest paths)
  int64_t extensions = 0;
  int64_t settled = 0;
  int64_t augmentations = 0;  // searches of the shortest-path phase
  // Cost scaling (AssignmentProblem::cost_scaling): phases, pushes, relabels, and the
  // requests the exact repair took back before the shortest paths.
  int64_t scaling_phases = 0;
  int64_t scaling_pushes = 0;
  int64_t scaling_relabels = 0;
  int64_t scaling_repaired = 0;
  int64_t scaling_cache_hits = 0;  // request pushes decided by the k-best cache
  int64_t scaling_recruits = 0;    // providers' recruiting steps (their moves are pushes)
  int64_t scaling_violations = 0;  // with cost_scaling_check (must stay 0)
  int64_t floor_queries = 0;       // MissingPairBound::Floor calls
  bool scaling_exact = false;  // the exact duals were found (else rounded heights)
  int64_t scaling_dual_trials = 0;  // phases after which optimality was tried
  int64_t scaling_dual_sweeps = 0;  // Bellman-Ford sweeps of those trials and the end
};

AssignmentResult SolveAssignment(const AssignmentProblem& problem);

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_ASSIGNMENT_H_
