// Coverage of demand: reading demand.csv, each row's class by route rank 1, the
// capacity-aware plan, the roll-ups, and the whole analysis (coverage.h).
#include "wegwijzer/coverage.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/memory_budget.h"
#include "core/text.h"
#include "wegwijzer/gazetteer.h"

namespace wegwijzer {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

DemandCsv ToDemand(RequestsCsv csv) {
  DemandCsv demand;
  demand.requests = std::move(csv.requests);
  demand.counts = std::move(csv.counts);
  demand.lines = std::move(csv.lines);
  demand.report = std::move(csv.report);
  return demand;
}

CsvReadOptions WithCount(CsvReadOptions options) {
  options.count_column = "count";
  return options;
}

}  // namespace

absl::StatusOr<DemandCsv> ReadDemandCsv(const std::string& path, const CsvReadOptions& options) {
  absl::StatusOr<RequestsCsv> csv = ReadRequestsCsv(path, WithCount(options));
  if (!csv.ok()) return csv.status();
  return ToDemand(*std::move(csv));
}

absl::StatusOr<DemandCsv> ParseDemandCsv(std::string_view text, std::string_view file_name,
                                         const CsvReadOptions& options) {
  absl::StatusOr<RequestsCsv> csv = ParseRequestsCsv(text, file_name, WithCount(options));
  if (!csv.ok()) return csv.status();
  return ToDemand(*std::move(csv));
}

std::string_view CoverageClassCode(CoverageClass coverage_class) {
  switch (coverage_class) {
    case CoverageClass::kInPerson: return "in_person";
    case CoverageClass::kHomeVisit: return "home_visit";
    case CoverageClass::kRemote: return "remote";
    case CoverageClass::kNone: return "none";
  }
  return "none";
}

std::string_view AreaLevelCode(AreaFigures::Level level) {
  switch (level) {
    case AreaFigures::Level::kMunicipality: return "municipality";
    case AreaFigures::Level::kPostcode: return "pc4";
    case AreaFigures::Level::kTopic: return "topic";
    case AreaFigures::Level::kLanguage: return "language";
  }
  return "municipality";
}

namespace {

// Each row's class from its rank-1 referral.
std::vector<RowCoverage> ToCoverage(std::span<const RouteResult> results) {
  std::vector<RowCoverage> coverage(results.size());
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].referrals.empty()) continue;
    const Referral& r = results[i].referrals.front();
    RowCoverage& c = coverage[i];
    c.provider = r.provider;
    if (r.is_remote()) {
      c.coverage_class = CoverageClass::kRemote;
    } else {
      c.coverage_class =
          r.mode == Mode::kInPerson ? CoverageClass::kInPerson : CoverageClass::kHomeVisit;
      c.location = r.location;
      c.distance_m = r.cost_m;
    }
  }
  return coverage;
}

// k = 1 without explanations is the Router's fastest path; rank 1 is exactly what
// `route --k 1` writes, so coverage.csv agrees with it by construction.
RouteOptions ClassifyOptions(int threads) {
  return {.k = 1, .explain_no_match = false, .threads = threads};
}

}  // namespace

std::vector<RowCoverage> ClassifyDemand(const Router& router, std::span<const Request> requests,
                                        int threads) {
  return ToCoverage(router.RouteBatch(requests, ClassifyOptions(threads)));
}

namespace {

// MatchDemand; with `budget` non-null it checks options.max_memory_bytes (through
// Matcher::TryMatchWeighted) and, past it, sets *budget and returns an empty plan.
DemandPlan MatchDemandImpl(const Matcher& matcher, DemandView demand,
                           std::span<const RowCoverage> coverage, const MatchOptions& options,
                           absl::Status* budget) {
  const size_t n = demand.requests.size();
  DemandPlan plan;
  plan.rows.resize(n);
  std::vector<Request> rows;     // the rows the matcher solves, each with its count
  std::vector<int64_t> counts;
  std::vector<uint32_t> row_of;  // matched row -> demand row
  // The classes come from the contract's remote cost; the shortcut below holds only
  // when the matcher prices remote pairs the same way.
  const Directory& directory = matcher.directory();
  auto unlimited_remote = [&](size_t i) {
    return coverage[i].coverage_class == CoverageClass::kRemote &&
           options.remote_cost_m == kRemoteCostMeters &&
           options.unassigned_penalty_m * (1 + demand.requests[i].priority) > options.remote_cost_m &&
           !directory.provider(*coverage[i].provider).capacity.has_value();
  };
  for (size_t i = 0; i < n; ++i) {
    const int64_t count = demand.counts[i];
    RowPlan& row = plan.rows[i];
    row.count = count;
    if (coverage[i].coverage_class == CoverageClass::kNone) {
      // Nothing suits the row, so each of its requests is unassigned at the penalty
      // whatever the rest of the plan does: no need to give them to the matcher.
      row.no_suitable_provider = count;
      plan.objective += count * options.unassigned_penalty_m * (1 + demand.requests[i].priority);
      continue;
    }
    if (unlimited_remote(i)) {
      // Every suitable pair of this row costs the remote cost (no physical pair ranks
      // first), less than its penalty, and its rank-1 provider has no capacity limit:
      // in an optimal plan each of its requests can sit there at that cost without
      // taking capacity from anyone, so the matcher need not see the row.
      row.remote = count;
      plan.objective += count * options.remote_cost_m;
      continue;
    }
    if (count == 0) continue;
    rows.push_back(demand.requests[i]);
    counts.push_back(count);
    row_of.push_back(static_cast<uint32_t>(i));
    plan.matched_requests += count;
  }
  if (rows.empty()) return plan;
  WeightedMatchPlan match;
  if (budget != nullptr) {
    absl::StatusOr<WeightedMatchPlan> tried = matcher.TryMatchWeighted(rows, counts, options);
    if (!tried.ok()) {
      *budget = tried.status();
      return {};
    }
    match = *std::move(tried);
  } else {
    match = matcher.MatchWeighted(rows, counts, options);
  }
  plan.objective += match.objective;
  plan.match_stats = match.stats;
  for (size_t e = 0; e < rows.size(); ++e) {
    const WeightedPlanLine& line = match.lines[e];
    RowPlan& row = plan.rows[row_of[e]];
    row.in_person = line.in_person;
    row.home_visit = line.home_visit;
    row.remote = line.remote;
    row.capacity_exhausted = line.capacity_exhausted;
    row.no_suitable_provider = line.no_suitable_provider;
  }
  return plan;
}

}  // namespace

DemandPlan MatchDemand(const Matcher& matcher, DemandView demand,
                       std::span<const RowCoverage> coverage, const MatchOptions& options) {
  return MatchDemandImpl(matcher, demand, coverage, options, nullptr);
}

namespace {

struct Tally {
  AreaFigures figures;
  std::array<int64_t, kTopicCount> unmet_topic{};
  std::vector<int64_t> unmet_language;  // by Language::index(), allocated on first use
};

std::vector<std::pair<std::string, int64_t>> TopThree(
    std::vector<std::pair<std::string, int64_t>> all) {
  std::erase_if(all, [](const auto& e) { return e.second <= 0; });
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (all.size() > 3) all.resize(3);
  return all;
}

}  // namespace

std::vector<AreaFigures> RollUpDemand(DemandView demand, std::span<const RowCoverage> coverage,
                                      const DemandPlan& plan, const Gazetteer* gazetteer) {
  // std::map: the output is sorted by area code anyway, and there are only a few
  // thousand areas.
  std::array<std::map<std::string, Tally>, 4> levels;
  std::vector<std::pair<std::string_view, int>> languages;  // of one row
  std::array<std::string_view, kLanguageCount> code_of{};   // of each language seen
  for (size_t i = 0; i < demand.requests.size(); ++i) {
    const Request& q = demand.requests[i];
    const int64_t count = demand.counts[i];
    const RowPlan& row = plan.rows[i];
    const int64_t physical = row.in_person + row.home_visit;
    const int64_t unmet = count - physical;
    languages.clear();
    for (std::string_view code : q.languages.codes()) {
      const int index = Language::FromCode(code)->index();
      languages.emplace_back(code, index);
      code_of[index] = code;
    }
    auto add = [&](AreaFigures::Level level, const std::string& key) {
      Tally& t = levels[static_cast<int>(level)][key];
      AreaFigures& f = t.figures;
      f.demand += count;
      switch (coverage[i].coverage_class) {
        case CoverageClass::kInPerson: f.in_person += count; break;
        case CoverageClass::kHomeVisit: f.home_visit += count; break;
        case CoverageClass::kRemote: f.remote += count; break;
        case CoverageClass::kNone: f.none += count; break;
      }
      f.assigned_physically += physical;
      f.unmet += unmet;
      if (unmet == 0) return;
      for (int topic = 0; topic < kTopicCount; ++topic) {
        if (q.topics.Contains(static_cast<Topic>(topic))) t.unmet_topic[topic] += unmet;
      }
      if (t.unmet_language.empty()) t.unmet_language.assign(kLanguageCount, 0);
      for (const auto& [code, index] : languages) t.unmet_language[index] += unmet;
    };
    add(AreaFigures::Level::kMunicipality, q.municipality);
    if (!q.postcode.empty()) {
      std::optional<int> pc4 = Gazetteer::ParsePostcode(q.postcode);
      add(AreaFigures::Level::kPostcode, pc4 ? std::to_string(*pc4) : std::string());
    }
    for (int topic = 0; topic < kTopicCount; ++topic) {
      if (q.topics.Contains(static_cast<Topic>(topic))) {
        add(AreaFigures::Level::kTopic, std::string(TopicCode(static_cast<Topic>(topic))));
      }
    }
    for (const auto& [code, index] : languages) {
      add(AreaFigures::Level::kLanguage, std::string(code));
    }
  }
  std::vector<AreaFigures> out;
  for (int level = 0; level < 4; ++level) {
    for (auto& [key, tally] : levels[level]) {
      AreaFigures f = std::move(tally.figures);
      f.level = static_cast<AreaFigures::Level>(level);
      f.area = key;
      if (f.level == AreaFigures::Level::kMunicipality && gazetteer != nullptr) {
        if (std::optional<Municipality> m = gazetteer->FindMunicipality(key)) {
          f.name = std::string(m->name);
        }
      }
      std::vector<std::pair<std::string, int64_t>> topics, langs;
      for (int topic = 0; topic < kTopicCount; ++topic) {
        topics.emplace_back(std::string(TopicCode(static_cast<Topic>(topic))),
                            tally.unmet_topic[topic]);
      }
      for (size_t l = 0; l < tally.unmet_language.size(); ++l) {
        if (tally.unmet_language[l] == 0) continue;
        langs.emplace_back(std::string(code_of[l]), tally.unmet_language[l]);
      }
      f.unmet_topics = TopThree(std::move(topics));
      f.unmet_languages = TopThree(std::move(langs));
      out.push_back(std::move(f));
    }
  }
  return out;
}

namespace {

// AnalyzeCoverage; with `budget` non-null (TryAnalyzeCoverage) every step checks
// options.match.max_memory_bytes and the first that would pass it sets *budget.
CoverageAnalysis AnalyzeCoverageImpl(std::shared_ptr<const Directory> providers,
                                     DemandView demand, const CoverageOptions& options,
                                     absl::Status* budget) {
  CoverageAnalysis a;
  a.providers = providers;
  a.candidates = options.candidates;
  a.gazetteer = options.gazetteer;
  a.requests.assign(demand.requests.begin(), demand.requests.end());
  a.counts.assign(demand.counts.begin(), demand.counts.end());
  const DemandView view{a.requests, a.counts};

  auto start = std::chrono::steady_clock::now();
  Router router(providers);
  if (budget != nullptr) {
    RouteOptions classify = ClassifyOptions(options.threads);
    classify.max_memory_bytes = options.match.max_memory_bytes;
    absl::StatusOr<std::vector<RouteResult>> results = router.TryRouteBatch(a.requests, classify);
    if (!results.ok()) {
      *budget = results.status();
      return {};
    }
    a.coverage = ToCoverage(*results);
  } else {
    a.coverage = ClassifyDemand(router, a.requests, options.threads);
  }
  a.seconds_classify = SecondsSince(start);

  if (options.candidates != nullptr && budget != nullptr) {
    // Site choice routes each row not served physically against the candidates with
    // a growing k, and keeps each candidate's reach: at worst a referral and a set
    // entry per such row and candidate location. That depends only on the classes,
    // so it is checked before the match: a run that would be refused is refused at
    // once, not after a match of minutes.
    int64_t unserved = 0, locations = 0;
    for (size_t i = 0; i < a.requests.size(); ++i) {
      const CoverageClass c = a.coverage[i].coverage_class;
      if (c != CoverageClass::kInPerson && c != CoverageClass::kHomeVisit && a.counts[i] > 0) {
        ++unserved;
      }
    }
    for (size_t c = 0; c < options.candidates->size(); ++c) {
      locations += static_cast<int64_t>(std::max<size_t>(
          1, options.candidates->provider(ProviderIndex(c)).locations.size()));
    }
    const int64_t needed = internal::SaturatingMul(
        unserved, internal::SaturatingMul(locations + 1,
                                          static_cast<int64_t>(sizeof(Referral)) + 4));
    if (needed > options.match.max_memory_bytes) {
      *budget = internal::MemoryLimitError(
          internal::Cat("coverage: choosing sites for ", unserved, " rows among ",
                        options.candidates->size(), " candidates (at worst)"),
          needed, options.match.max_memory_bytes,
          "MatchOptions::max_memory_bytes in CoverageOptions::match; the CLI's "
          "--max-memory-mb");
      return {};
    }
  }

  start = std::chrono::steady_clock::now();
  Matcher matcher(providers);
  MatchOptions match = options.match;
  match.threads = options.threads;
  a.plan = MatchDemandImpl(matcher, view, a.coverage, match, budget);
  if (budget != nullptr && !budget->ok()) return {};
  a.seconds_match = SecondsSince(start);

  start = std::chrono::steady_clock::now();
  a.areas = RollUpDemand(view, a.coverage, a.plan, a.gazetteer.get());
  for (size_t i = 0; i < a.requests.size(); ++i) {
    const int64_t count = a.counts[i];
    a.demand += count;
    switch (a.coverage[i].coverage_class) {
      case CoverageClass::kInPerson: a.in_person += count; break;
      case CoverageClass::kHomeVisit: a.home_visit += count; break;
      case CoverageClass::kRemote: a.remote += count; break;
      case CoverageClass::kNone: a.none += count; break;
    }
    a.assigned_physically += a.plan.rows[i].in_person + a.plan.rows[i].home_visit;
  }
  a.seconds_roll_up = SecondsSince(start);

  if (options.candidates != nullptr) {
    start = std::chrono::steady_clock::now();
    a.sites = ChooseSites(*options.candidates, view, a.coverage,
                          {.add = options.add,
                           .threads = options.threads,
                           .bound_iterations = options.bound_iterations});
    a.seconds_sites = SecondsSince(start);
  }
  return a;
}

}  // namespace

CoverageAnalysis AnalyzeCoverage(std::shared_ptr<const Directory> providers, DemandView demand,
                                 const CoverageOptions& options) {
  return AnalyzeCoverageImpl(std::move(providers), demand, options, nullptr);
}

absl::StatusOr<CoverageAnalysis> TryAnalyzeCoverage(std::shared_ptr<const Directory> providers,
                                                    DemandView demand,
                                                    const CoverageOptions& options) {
  if (options.match.max_memory_bytes <= 0) {
    return absl::InvalidArgumentError(internal::Cat(
        "MatchOptions::max_memory_bytes must be > 0, not ", options.match.max_memory_bytes));
  }
  absl::Status budget;
  try {
    CoverageAnalysis a = AnalyzeCoverageImpl(std::move(providers), demand, options, &budget);
    if (!budget.ok()) return budget;
    return a;
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(internal::Cat(
        "coverage: out of memory analysing ", demand.requests.size(),
        " demand rows (below MatchOptions::max_memory_bytes, but more than this machine "
        "has); lower the limit to be told before allocating, or split the demand"));
  }
}

}  // namespace wegwijzer
