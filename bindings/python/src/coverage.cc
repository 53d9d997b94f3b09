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

py::object OrNone(const std::optional<int64_t>& v) {
  return v ? py::object(py::int_(*v)) : py::object(py::none());
}

py::list CoverageRecords(const CoverageAnalysis& a) {
  py::list out;
  for (size_t i = 0; i < a.requests.size(); ++i) {
    const RowCoverage& c = a.coverage[i];
    py::dict d;
    d["demand_id"] = a.requests[i].id;
    d["count"] = a.counts[i];
    d["class"] = std::string(CoverageClassCode(c.coverage_class));
    d["provider_id"] = py::none();
    d["location_id"] = py::none();
    if (c.provider) {
      const ProviderInfo& p = a.providers->provider(*c.provider);
      d["provider_id"] = p.id;
      if (c.location.has_value()) d["location_id"] = p.locations[c.location.value()].id;
    }
    d["distance_m"] = OrNone(c.distance_m);
    out.append(std::move(d));
  }
  return out;
}

py::list MatchedRecords(const CoverageAnalysis& a) {
  py::list out;
  for (size_t i = 0; i < a.requests.size(); ++i) {
    const RowPlan& r = a.plan.rows[i];
    py::dict d;
    d["demand_id"] = a.requests[i].id;
    d["count"] = r.count;
    d["in_person"] = r.in_person;
    d["home_visit"] = r.home_visit;
    d["remote"] = r.remote;
    d["capacity_exhausted"] = r.capacity_exhausted;
    d["no_suitable_provider"] = r.no_suitable_provider;
    out.append(std::move(d));
  }
  return out;
}

py::list AreaRecords(const CoverageAnalysis& a) {
  py::list out;
  for (const AreaFigures& f : a.areas) {
    py::dict d;
    d["level"] = std::string(AreaLevelCode(f.level));
    d["area"] = f.area;
    d["name"] = f.name;
    d["demand"] = f.demand;
    d["in_person"] = f.in_person;
    d["home_visit"] = f.home_visit;
    d["remote"] = f.remote;
    d["none"] = f.none;
    d["assigned_physically"] = f.assigned_physically;
    d["unmet"] = f.unmet;
    d["share_served_physically"] = f.Share(f.in_person + f.home_visit);
    d["share_assigned_physically"] = f.Share(f.assigned_physically);
    d["unmet_topics"] = f.unmet_topics;
    d["unmet_languages"] = f.unmet_languages;
    out.append(std::move(d));
  }
  return out;
}

py::list SiteRecords(const CoverageAnalysis& a) {
  py::list out;
  if (!a.sites || a.candidates == nullptr) return out;
  for (size_t r = 0; r < a.sites->picks.size(); ++r) {
    const SitePick& p = a.sites->picks[r];
    py::dict d;
    d["rank"] = r + 1;
    d["candidate_id"] = a.candidates->provider(p.candidate).id;
    d["gain"] = p.gain;
    d["covered_after"] = p.covered_after;
    out.append(std::move(d));
  }
  return out;
}

py::dict Summary(const CoverageAnalysis& a) {
  py::dict d;
  d["demand"] = a.demand;
  d["in_person"] = a.in_person;
  d["home_visit"] = a.home_visit;
  d["remote"] = a.remote;
  d["none"] = a.none;
  d["assigned_physically"] = a.assigned_physically;
  d["objective"] = a.plan.objective;
  if (a.sites) {
    d["sites_gain"] = a.sites->gain;
    d["sites_bound"] = a.sites->bound;
    d["sites_simple_bound"] = a.sites->simple_bound;
    d["sites_guarantee"] = a.sites->guarantee;
    d["sites_covered_before"] = a.sites->covered_before;
    d["sites_evaluations"] = a.sites->evaluations;
  }
  return d;
}

std::shared_ptr<CoverageAnalysis> Analyze(const std::string& providers_csv,
                                                const std::string& demand_csv,
                                                const std::optional<std::string>& candidates_csv,
                                                int add, const std::optional<std::string>& municipalities,
                                                const std::optional<std::string>& postcodes,
                                                bool skip_bad_rows, int threads) {
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
  if (candidates_csv) {
    options.candidates = ValueOrThrow(ReadProvidersCsv(*candidates_csv, read), Subject::kFile).directory;
  }
  return std::make_shared<CoverageAnalysis>(
      AnalyzeCoverage(providers.directory, {demand.requests, demand.counts}, options));
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
        py::dict d;
        d["coverage.csv"] = FormatCoverageCsv(a);
        d["matched.csv"] = FormatMatchedCsv(a);
        d["areas.csv"] = FormatAreasCsv(a);
        d["sites.csv"] = FormatSitesCsv(a);
        d["coverage.geojson"] = FormatCoverageGeoJson(a);
        d["report.html"] = FormatCoverageReportHtml(
            a, {.language = language == "nl" ? TextLanguage::kDutch : TextLanguage::kEnglish});
        return d;
      }, py::arg("language"));
  m.def("analyze_coverage", &Analyze, py::arg("providers"), py::arg("demand"),
        py::arg("candidates"), py::arg("add"), py::arg("municipalities"), py::arg("postcodes"),
        py::arg("skip_bad_rows"), py::arg("threads"));
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
    py::dict d;
    d["picks"] = picks;
    d["gain"] = s.gain;
    d["bound"] = s.bound;
    d["simple_bound"] = s.simple_bound;
    d["guarantee"] = s.guarantee;
    d["evaluations"] = s.evaluations;
    return d;
  }, py::arg("sets"), py::arg("weights"), py::arg("id_order"), py::arg("add"),
     py::arg("bound_iterations") = 300);
}

}  // namespace wegwijzer::python
