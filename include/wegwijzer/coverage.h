// Coverage and gap analysis: where suitable help is missing, how much of the demand
// the existing capacity can take, and where new help points would reach the most
// residents who now have nothing within reach.
//
// Terms:
//  * demand: rows of demand.csv, each a request (the columns of requests.csv,
//    interchange.md v1.1, with the postcode extension) standing for `count`
//    identical requests, e.g. the expected requests per month from one postcode area
//    for one topic and language.
//  * coverage class of a row: its route rank 1 (Router, k = 1): `in_person` or
//    `home_visit` (served physically), `remote` (only phone or video suits), or
//    `none` (nothing suits).
//  * candidate: a would-be provider (a row of candidates.csv, the columns of
//    providers.csv). A candidate reaches a row when their pair is physical under the
//    contract: the candidate suits the row and the cheapest suitable mode is
//    `in_person` or `home_visit` (so a row 30 km away from a candidate that also
//    answers the phone is not reached: route would rank it remote).
//
// Example:
//   absl::StatusOr<DemandCsv> demand = ReadDemandCsv("demand.csv", {.gazetteer = g});
//   CoverageAnalysis analysis = AnalyzeCoverage(
//       providers->directory, {demand->requests, demand->counts},
//       {.candidates = candidates->directory, .add = 10, .gazetteer = g});
//   std::cout << "objective: " << analysis.plan.objective << "\n";
//   WriteFileAtomically("report.html", FormatCoverageReportHtml(analysis));
//
// Thread-safety: free functions without shared state, thread-safe; the result types
// are values (thread-compatible).
#ifndef WEGWIJZER_COVERAGE_H_
#define WEGWIJZER_COVERAGE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/matcher.h"
#include "wegwijzer/request.h"
#include "wegwijzer/router.h"

namespace wegwijzer {

class Gazetteer;

// demand.csv: requests.csv plus `count`, a whole number in 0..1,000,000,000 (empty:
// 1). Read by the requests reader itself (CsvReadOptions::count_column = "count"),
// so every rule of requests.csv, the postcode extension and the bad-row handling
// apply unchanged; a bad count is a bad row like any other.
struct DemandCsv {
  std::vector<Request> requests;  // in file order
  std::vector<int64_t> counts;    // parallel to `requests`
  std::vector<int> lines;         // line of each row, parallel to `requests`
  CsvReport report;
};
// Errors as ReadRequestsCsv. `options.count_column` is ignored (always "count").
absl::StatusOr<DemandCsv> ReadDemandCsv(const std::string& path,
                                        const CsvReadOptions& options = {});
absl::StatusOr<DemandCsv> ParseDemandCsv(std::string_view text, std::string_view file_name,
                                         const CsvReadOptions& options = {});

// Demand as the analysis reads it. REQUIRES: counts.size() == requests.size(), every
// count in 0..1,000,000,000, every request valid, ids unique.
struct DemandView {
  std::span<const Request> requests;
  std::span<const int64_t> counts;
};

enum class CoverageClass : uint8_t { kInPerson, kHomeVisit, kRemote, kNone };
// "in_person", "home_visit", "remote", "none".
std::string_view CoverageClassCode(CoverageClass coverage_class);
inline bool IsPhysical(CoverageClass c) {
  return c == CoverageClass::kInPerson || c == CoverageClass::kHomeVisit;
}

// One demand row's coverage: its route rank 1.
struct RowCoverage {
  CoverageClass coverage_class = CoverageClass::kNone;
  std::optional<ProviderIndex> provider;  // absent for kNone
  LocationIndex location;                 // which of the provider's locations; none remote
  std::optional<int64_t> distance_m;      // whole metres (the cost); physical only
  bool operator==(const RowCoverage&) const = default;
};

// Route rank 1 of every row (Router with k = 1, explanations off), in input order.
// Complexity: one route per row; `threads` as RouteOptions::threads (0 = all cores).
std::vector<RowCoverage> ClassifyDemand(const Router& router, std::span<const Request> requests,
                                        int threads = 0);

// One row of the capacity-aware plan: how its `count` requests fare.
// in_person + home_visit + remote + capacity_exhausted + no_suitable_provider == count.
struct RowPlan {
  int64_t count = 0;
  int64_t in_person = 0;
  int64_t home_visit = 0;
  int64_t remote = 0;
  int64_t capacity_exhausted = 0;
  int64_t no_suitable_provider = 0;
  bool operator==(const RowPlan&) const = default;
};

struct DemandPlan {
  std::vector<RowPlan> rows;  // in input order
  // The optimum of the contract's match objective for the waiting list in which row
  // i appears counts[i] times.
  int64_t objective = 0;
  // Requests (the sum of the counts of the rows) given to the matcher (see MatchDemand).
  int64_t matched_requests = 0;
  MatchStats match_stats;  // the matcher's figures; all 0 when it had nothing to do
};

// The optimal plan (Matcher) for the demand as a waiting list, row i standing for
// counts[i] requests. The rows go to Matcher::MatchWeighted with their counts (no
// copies are made), except two kinds that need no matching, both exact reductions:
// rows of class kNone (nothing suits them, so each request is unassigned with
// reason no_suitable_provider at the penalty), and rows of class kRemote whose
// rank-1 provider has unlimited capacity (each request is placed remotely at the
// remote cost, which no other pair of the row undercuts; needs the contract's remote
// cost in `options` and a penalty above it). Time and memory grow with the number
// of rows, not their counts (a row splits where capacity runs out: one more search
// per split).
// REQUIRES: coverage is ClassifyDemand's answer for the same requests and directory.
DemandPlan MatchDemand(const Matcher& matcher, DemandView demand,
                       std::span<const RowCoverage> coverage,
                       const MatchOptions& options = {});

// Figures of one area (a municipality, a PC4 postcode area) or one topic or language.
struct AreaFigures {
  enum class Level : uint8_t { kMunicipality, kPostcode, kTopic, kLanguage };
  Level level = Level::kMunicipality;
  std::string area;  // "GM0363", "1011", "digid", "ar"; "" for rows without one
  std::string name;  // the municipality's name from the gazetteer, else empty
  int64_t demand = 0;  // sum of counts
  int64_t in_person = 0, home_visit = 0, remote = 0, none = 0;  // by coverage class
  int64_t assigned_physically = 0;  // after matching: in person or at home
  // Unmet = not assigned in person or at home after matching (remote or unassigned).
  int64_t unmet = 0;
  // The topics and languages with the most unmet demand in this area, most first
  // (ties by code), at most 3 each, zero entries left out. A row needing several
  // topics counts under each.
  std::vector<std::pair<std::string, int64_t>> unmet_topics;
  std::vector<std::pair<std::string, int64_t>> unmet_languages;
  // part / demand, 0 when demand is 0.
  double Share(int64_t part) const {
    return demand == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(demand);
  }
};
std::string_view AreaLevelCode(AreaFigures::Level level);  // "municipality", "pc4", ...

// Roll-ups: per municipality (the request's, "" when it has none), per PC4 when any
// row has a postcode, per topic and per language (a row with several topics or
// languages counts under each). Order: level as in Level, then area in byte order.
// `gazetteer` (may be null) gives municipality names.
std::vector<AreaFigures> RollUpDemand(DemandView demand, std::span<const RowCoverage> coverage,
                                      const DemandPlan& plan, const Gazetteer* gazetteer);

// Greedy choice of new help points among candidates (max coverage).
//
// Model: rows j not served physically (class remote or none) with weight w_j =
// count; candidate c reaches the set S_c of those rows (see "reaches" above; a
// candidate with capacity 0 reaches nothing, capacities do not limit coverage
// otherwise). Choose up to N candidates maximising the total weight of the rows
// reached by at least one. Existing providers always stay, so rows already served
// physically never count.
//
// Rule: N times, pick the candidate with the largest gain (weight of its rows not yet
// reached by an earlier pick), ties by candidate id in byte order; stop early when
// the best gain is 0. The objective is monotone submodular, so the greedy total is at
// least (1 - 1/e) of the best N-site total (Nemhauser, Wolsey & Fisher 1978). Gains
// only shrink as picks are made, so a stale gain is an upper bound: CELF (Leskovec et
// al. 2007) re-evaluates only the top of a max-heap until a fresh gain stays on top,
// which gives exactly the picks of the plain rule.
//
// Bound on the best N-site total: the smaller of (a) the sum of the N largest
// first-round gains and (b) the Lagrangian dual of the LP relaxation (multipliers
// on "a row counts only if reached", minimised by projected subgradient steps;
// every multiplier vector gives a valid bound, and (a) is the dual at lambda = w),
// rounded down after a safety margin. guarantee = total gain / bound: the greedy
// total is at least that fraction of the optimum on this instance.
//
// Complexity: the reach sets come from routing every unserved row against the
// candidates (Router, doubling k until the physical class is exhausted); CELF then
// costs about one gain evaluation per pick after the first round; the bound costs
// O(iterations x total reach-set size).
struct SiteOptions {
  int add = 0;  // N, the number of sites to choose, >= 0. DEFAULT: 0.
  int threads = 0;  // routing threads; 0 = all cores. DEFAULT: 0.
  // Subgradient steps for the Lagrangian bound; 0 = the simple bound only.
  // DEFAULT: 300.
  int bound_iterations = 300;
};

struct SitePick {
  ProviderIndex candidate;       // index into the candidates' directory
  int64_t gain = 0;             // count newly served physically by this pick
  int64_t covered_after = 0;    // count served physically once it is added
};

struct SiteChoice {
  std::vector<SitePick> picks;  // in pick order; fewer than N when gains ran out
  int64_t covered_before = 0;   // count served physically by the existing providers
  int64_t gain = 0;             // total gain of the picks
  int64_t simple_bound = 0;     // sum of the N largest first-round gains
  int64_t bound = 0;            // upper bound on the best N-site gain (<= simple_bound)
  double guarantee = 1.0;       // gain / bound; 1 when bound is 0
  int64_t evaluations = 0;      // gain evaluations, first round included
  int64_t reach_pairs = 0;      // total size of the reach sets
};

SiteChoice ChooseSites(const Directory& candidates, DemandView demand,
                       std::span<const RowCoverage> coverage, const SiteOptions& options);

// The greedy rule and bound on explicit reach sets (the model above without the
// routing): sets[c] lists row indexes into `weights` (duplicates allowed), c in
// candidate index order; `id_order[c]` is c's rank in the tie order (a permutation of
// 0..C-1). Exposed for tests and for callers with their own notion of reach.
SiteChoice ChooseSitesFromSets(std::span<const std::vector<int32_t>> sets,
                               std::span<const int64_t> weights,
                               std::span<const int32_t> id_order, int add,
                               int bound_iterations = 300);

// Everything the `coverage` command computes.
struct CoverageOptions {
  // Candidates for new sites, or null for none. DEFAULT: null.
  std::shared_ptr<const Directory> candidates = nullptr;
  int add = 0;  // sites to choose among `candidates`. DEFAULT: 0.
  // The map, for names, roll-ups and drawing; may be null. DEFAULT: null.
  std::shared_ptr<const Gazetteer> gazetteer = nullptr;
  int threads = 0;  // DEFAULT: 0 = all cores.
  MatchOptions match = {};  // DEFAULT: the contract's.
  int bound_iterations = 300;  // as SiteOptions. DEFAULT: 300.
};

struct CoverageAnalysis {
  std::shared_ptr<const Directory> providers;
  std::shared_ptr<const Directory> candidates = nullptr;  // may be null
  std::shared_ptr<const Gazetteer> gazetteer;   // may be null
  std::vector<Request> requests;
  std::vector<int64_t> counts;
  std::vector<RowCoverage> coverage;
  DemandPlan plan;
  std::vector<AreaFigures> areas;
  std::optional<SiteChoice> sites;  // when candidates were given
  // Totals by coverage class and after matching, in counts.
  int64_t demand = 0, in_person = 0, home_visit = 0, remote = 0, none = 0;
  int64_t assigned_physically = 0;
  double seconds_classify = 0, seconds_match = 0, seconds_roll_up = 0, seconds_sites = 0;
};

// Classify, match, roll up, and choose sites when options.candidates is set.
// REQUIRES: providers is not null; demand as DemandView says.
// Checks no size: for inputs the caller made. Input from elsewhere: TryAnalyzeCoverage.
CoverageAnalysis AnalyzeCoverage(std::shared_ptr<const Directory> providers, DemandView demand,
                                 const CoverageOptions& options = {});

// AnalyzeCoverage with sizes checked before allocating, against
// options.match.max_memory_bytes (DEFAULT 8 GiB): classifying (Router::TryRouteBatch),
// the plan (Matcher::TryMatchWeighted: a row with its count as weight, never copies,
// so the memory does not grow with the counts), and the site choice at its worst
// (rows not served physically x candidate locations). kResourceExhausted with a
// sentence naming the step, the figure and the limit; kInvalidArgument for a limit
// <= 0; std::bad_alloc on the calling thread or a worker thread becomes
// kResourceExhausted too. Otherwise the same analysis.
absl::StatusOr<CoverageAnalysis> TryAnalyzeCoverage(std::shared_ptr<const Directory> providers,
                                                    DemandView demand,
                                                    const CoverageOptions& options = {});

// coverage.csv: demand_id,count,class,provider_id,location_id,distance_m in input
// order; provider and location ids as the directory has them (location only for a
// physical class), distance_m the cost in whole metres.
std::string FormatCoverageCsv(const CoverageAnalysis& analysis);
// matched.csv: demand_id,count,in_person,home_visit,remote,capacity_exhausted,
// no_suitable_provider.
std::string FormatMatchedCsv(const CoverageAnalysis& analysis);
// areas.csv: level,area,name,demand,share_in_person,share_home_visit,share_remote,
// share_none,share_assigned_physically,unmet,unmet_topics,unmet_languages; shares
// with 4 decimals, lists as "code:count;code:count".
std::string FormatAreasCsv(const CoverageAnalysis& analysis);
// sites.csv: rank,candidate_id,gain,covered_after (header only without sites).
std::string FormatSitesCsv(const CoverageAnalysis& analysis);

// coverage.geojson (RFC 7946, WGS84): municipalities (when a gazetteer is given) as
// simplified polygons, PC4 areas as points at their centroids, with their figures as
// properties; providers (each physical location) and chosen sites as points.
std::string FormatCoverageGeoJson(const CoverageAnalysis& analysis);

struct ReportOptions {
  TextLanguage language = TextLanguage::kEnglish;  // DEFAULT: English.
  // Shown under the title, e.g. the data's source and date. DEFAULT: empty.
  std::string subtitle = {};
};
// report.html: one self-contained page (no network, no script needed): key figures,
// an SVG map of the municipalities shaded by the share served physically, unmet
// demand per PC4 area as circles, help points as dots, chosen sites marked, a
// legend, and tables of the areas, topics, languages and sites.
std::string FormatCoverageReportHtml(const CoverageAnalysis& analysis,
                                     const ReportOptions& options = {});

}  // namespace wegwijzer

#endif  // WEGWIJZER_COVERAGE_H_
