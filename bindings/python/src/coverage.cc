// wegwijzer._core: the coverage and gap analysis (wegwijzer/coverage.h). Converts
// the library's results into lists of dicts (records pandas.DataFrame takes as they
// are); every figure is the library's.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "convert.h"
#include "module.h"
#include "status.h"
#include "wegwijzer/coverage.h"
#include "wegwijzer/gazetteer.h"
#include "wegwijzer/interchange.h"

namespace py = pybind11;

namespace wegwijzer::python {
namespace {

py::list CoverageRecords(const CoverageAnalysis& a) {
  py::list out;
  for (size_t i = 0; i < a.requests.size(); ++i) {
    const RowCoverage& c = a.coverage[i];
    std::optional<std::string> provider_id, location_id;
    if (c.provider) {
      const ProviderInfo& p = a.providers->provider(*c.provider);
      provider_id = p.id;
      if (c.location.has_value()) location_id = p.locations[c.location.value()].id;
    }
    out.append(Record({{"demand_id", a.requests[i].id}, {"count", a.counts[i]},
                       {"class", CoverageClassCode(c.coverage_class)},
                       {"provider_id", provider_id}, {"location_id", location_id},
                       {"distance_m", c.distance_m}}));
  }
  return out;
}

py::list MatchedRecords(const CoverageAnalysis& a) {
  py::list out;
  for (size_t i = 0; i < a.requests.size(); ++i) {
    const RowPlan& r = a.plan.rows[i];
    out.append(Record({{"demand_id", a.requests[i].id}, {"count", r.count},
                       {"in_person", r.in_person}, {"home_visit", r.home_visit},
                       {"remote", r.remote}, {"capacity_exhausted", r.capacity_exhausted},
                       {"no_suitable_provider", r.no_suitable_provider}}));
  }
  return out;
}

py::list AreaRecords(const CoverageAnalysis& a) {
  py::list out;
  for (const AreaFigures& f : a.areas) {
    out.append(Record({{"level", AreaLevelCode(f.level)}, {"area", f.area}, {"name", f.name},
                       {"demand", f.demand}, {"in_person", f.in_person},
                       {"home_visit", f.home_visit}, {"remote", f.remote}, {"none", f.none},
                       {"assigned_physically", f.assigned_physically}, {"unmet", f.unmet},
                       {"share_served_physically", f.Share(f.in_person + f.home_visit)},
                       {"share_assigned_physically", f.Share(f.assigned_physically)},
                       {"unmet_topics", f.unmet_topics},
                       {"unmet_languages", f.unmet_languages}}));
  }
  return out;
}

py::list SiteRecords(const CoverageAnalysis& a) {
  py::list out;
  if (!a.sites || a.candidates == nullptr) return out;
  for (size_t r = 0; r < a.sites->picks.size(); ++r) {
    const SitePick& p = a.sites->picks[r];
    out.append(Record({{"rank", r + 1}, {"candidate_id", a.candidates->provider(p.candidate).id},
                       {"gain", p.gain}, {"covered_after", p.covered_after}}));
  }
  return out;
}

py::dict Summary(const CoverageAnalysis& a) {
  py::dict d = Record({{"demand", a.demand}, {"in_person", a.in_person},
                       {"home_visit", a.home_visit}, {"remote", a.remote}, {"none", a.none},
                       {"assigned_physically", a.assigned_physically},
                       {"objective", a.plan.objective}});
  if (a.sites) {
    const SiteChoice& s = *a.sites;
    d.attr("update")(Record({{"sites_gain", s.gain}, {"sites_bound", s.bound},
                             {"sites_simple_bound", s.simple_bound},
                             {"sites_guarantee", s.guarantee},
                             {"sites_covered_before", s.covered_before},
                             {"sites_evaluations", s.evaluations}}));
  }
  return d;
}

std::shared_ptr<CoverageAnalysis> Analyze(const std::string& providers_csv,
                                                const std::string& demand_csv,
                                                const std::optional<std::string>& candidates_csv,
                                                int add, const std::optional<std::string>& municipalities,
                                                const std::optional<std::string>& postcodes,
                                                bool skip_bad_rows, int threads,
                                                std::optional<int64_t> max_memory_bytes) {
  if (add < 0) ThrowInvalid("add must be >= 0");
  if (postcodes && !municipalities) ThrowInvalid("postcodes needs municipalities (the postcodes' map)");
  if (add > 0 && !candidates_csv) ThrowInvalid("add needs candidates");
  py::gil_scoped_release release;
  std::shared_ptr<const Gazetteer> gazetteer;
  if (municipalities) {
    gazetteer = ValueOrThrow(Gazetteer::Load(*municipalities, postcodes.value_or("")), Subject::kFile);
  }
  const CsvReadOptions read{.skip_bad_rows = skip_bad_rows, .gazetteer = gazetteer.get()};
  ProvidersCsv providers = ValueOrThrow(ReadProvidersCsv(providers_csv, read), Subject::kFile);
  DemandCsv demand = ValueOrThrow(ReadDemandCsv(demand_csv, read), Subject::kFile);
  CoverageOptions options{.add = add, .gazetteer = gazetteer, .threads = threads};
  if (max_memory_bytes) options.match.max_memory_bytes = *max_memory_bytes;
  if (candidates_csv) {
    options.candidates = ValueOrThrow(ReadProvidersCsv(*candidates_csv, read), Subject::kFile).directory;
  }
  return std::make_shared<CoverageAnalysis>(ValueOrThrow(
      TryAnalyzeCoverage(providers.directory, {demand.requests, demand.counts}, options),
      Subject::kMemory));
}

}  // namespace

void BindCoverage(py::module_& m) {
  py::class_<CoverageAnalysis, std::shared_ptr<CoverageAnalysis>>(m, "CoverageAnalysis")
      .def("coverage_records", &CoverageRecords)
      .def("matched_records", &MatchedRecords)
      .def("area_records", &AreaRecords)
      .def("site_records", &SiteRecords)
      .def("summary", &Summary)
      .def("files", [](const CoverageAnalysis& a, const std::string& language) {
        if (language != "en" && language != "nl") ThrowInvalid("language must be 'en' or 'nl'");
        const ReportOptions report{
            .language = language == "nl" ? TextLanguage::kDutch : TextLanguage::kEnglish};
        return Record({{"coverage.csv", FormatCoverageCsv(a)}, {"matched.csv", FormatMatchedCsv(a)},
                       {"areas.csv", FormatAreasCsv(a)}, {"sites.csv", FormatSitesCsv(a)},
                       {"coverage.geojson", FormatCoverageGeoJson(a)},
                       {"report.html", FormatCoverageReportHtml(a, report)}});
      }, py::arg("language"));
  m.def("analyze_coverage", &Analyze, py::arg("providers"), py::arg("demand"),
        py::arg("candidates"), py::arg("add"), py::arg("municipalities"), py::arg("postcodes"),
        py::arg("skip_bad_rows"), py::arg("threads"), py::arg("max_memory_bytes"));
  m.def("choose_sites_from_sets", [](const std::vector<std::vector<int32_t>>& sets,
                                     const std::vector<int64_t>& weights,
                                     const std::vector<int32_t>& id_order, int add,
                                     int bound_iterations) {
    for (const auto& s : sets) {
      for (int32_t j : s) {
        if (j < 0 || static_cast<size_t>(j) >= weights.size()) ThrowInvalid("row index out of range");
      }
    }
    std::vector<int32_t> seen(sets.size(), 0);
    if (id_order.size() != sets.size()) ThrowInvalid("id_order needs one rank per set");
    for (int32_t r : id_order) {
      if (r < 0 || static_cast<size_t>(r) >= sets.size() || seen[r]++) {
        ThrowInvalid("id_order must be a permutation of 0..len(sets)-1");
      }
    }
    for (int64_t w : weights) {
      if (w < 0) ThrowInvalid("weights must be >= 0");
    }
    if (add < 0) ThrowInvalid("add must be >= 0");
    SiteChoice s = ChooseSitesFromSets(sets, weights, id_order, add, bound_iterations);
    py::list picks;
    for (const SitePick& p : s.picks) picks.append(py::make_tuple(p.candidate, p.gain));
    return Record({{"picks", picks}, {"gain", s.gain}, {"bound", s.bound},
                   {"simple_bound", s.simple_bound}, {"guarantee", s.guarantee},
                   {"evaluations", s.evaluations}});
  }, py::arg("sets"), py::arg("weights"), py::arg("id_order"), py::arg("add"),
     py::arg("bound_iterations") = 300);
}

}  // namespace wegwijzer::python
