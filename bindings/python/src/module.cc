// wegwijzer._core: the compiled half of the Python package `wegwijzer`.
//
// Thin by design: every decision is the library's. This file converts between
// Python values and the library's types, releases the GIL around the library's
// work, and lets status.cc turn failures into exceptions. The Python layer
// (wegwijzer/*.py) gives it the idiomatic surface; users never import _core.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "absl/container/flat_hash_map.h"
#include "request_batch.h"
#include "status.h"
#include "wegwijzer/codes.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/geo.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/ledger.h"
#include "wegwijzer/matcher.h"
#include "wegwijzer/request.h"
#include "wegwijzer/router.h"
#include "wegwijzer/scenario.h"
#include "wegwijzer/v1/directory.pb.h"
#include "wegwijzer/v1/plan.pb.h"
#include "wegwijzer/v1/request.pb.h"

#ifndef WEGWIJZER_VERSION
#error "WEGWIJZER_VERSION must be defined by the build (the project's version)"
#endif

namespace py = pybind11;

namespace wegwijzer::python {
namespace {

// RouteBatch is called on slices of this many requests, so the answers held in
// C++ form between routing and copying into NumPy stay small (about 20 MB) however
// long the batch is.
constexpr size_t kRouteSlice = 1 << 16;

// A Directory with the Router and Matcher that read it. Immutable.
struct DirectoryHandle {
  explicit DirectoryHandle(std::shared_ptr<const Directory> d)
      : directory(std::move(d)), router(directory), matcher(directory) {
    for (ProviderIndex i = 0; i < directory->size(); ++i) {
      max_referrals += std::max<size_t>(1, directory->provider(i).locations.size());
    }
  }
  std::shared_ptr<const Directory> directory;
  Router router;
  Matcher matcher;
  size_t max_referrals = 0;  // most referrals one request can get
};

// A plan together with what it answers, so that ids and protobuf can be produced.
struct PlanHandle {
  std::shared_ptr<const DirectoryHandle> directory;
  RequestBatch requests;
  MatchPlan plan;
};

py::bytes Bytes(const std::string& s) { return py::bytes(s.data(), s.size()); }

std::string AsBytes(py::handle data, const char* what) {
  if (PyBytes_Check(data.ptr()) || PyByteArray_Check(data.ptr()) ||
      PyMemoryView_Check(data.ptr())) {
    return std::string(py::bytes(py::reinterpret_borrow<py::object>(data)));
  }
  ThrowInvalid(std::string(what) + ": expected bytes (a serialized message), not " +
               std::string(py::str(py::type::handle_of(data).attr("__name__"))));
}

int CheckThreads(int threads) {
  if (threads < 0) ThrowInvalid("threads must be >= 0 (0 = every core), not " + std::to_string(threads));
  return threads;
}

int CheckK(long long k) {
  if (k < 1) ThrowInvalid("k must be >= 1, not " + std::to_string(k));
  return static_cast<int>(std::min<long long>(k, std::numeric_limits<int>::max()));
}

py::tuple ReportTuple(const CsvReport& report) {
  py::list problems;
  for (const CsvProblem& p : report.problems) {
    problems.append(py::make_tuple(
        p.kind == CsvProblem::Kind::kWarning ? "warning" : "bad_row", p.line, p.reason));
  }
  return py::make_tuple(report.file, report.rows, report.bad_rows, report.bad_rows_skipped,
                        problems, report.ToString());
}

template <typename Enum, int kCount>
py::tuple CodesOf(EnumSet<Enum> set, std::string_view (*to_code)(Enum)) {
  py::list codes;
  for (int i = 0; i < kCount; ++i) {
    if (set.Contains(static_cast<Enum>(i))) codes.append(py::str(std::string(to_code(static_cast<Enum>(i)))));
  }
  return py::tuple(codes);
}

template <typename Enum, int kCount>
py::tuple AllCodes(std::string_view (*to_code)(Enum)) {
  py::list codes;
  for (int i = 0; i < kCount; ++i) codes.append(py::str(std::string(to_code(static_cast<Enum>(i)))));
  return py::tuple(codes);
}

py::tuple LanguageCodes(const LanguageSet& set) {
  py::list codes;
  for (std::string_view code : set.codes()) codes.append(py::str(std::string(code)));
  return py::tuple(codes);
}

py::dict ProviderDict(const Directory& directory, long long index) {
  if (index < 0 || index >= static_cast<long long>(directory.size())) {
    throw StatusError(absl::OutOfRangeError("provider index " + std::to_string(index) +
                                            " is outside 0.." +
                                            std::to_string(directory.size()) + " (exclusive)"),
                      Subject::kValue);
  }
  const ProviderInfo& p = directory.provider(static_cast<ProviderIndex>(index));
  py::list locations;
  for (const ProviderInfo::Location& l : p.locations) {
    locations.append(py::make_tuple(l.id, l.name, l.position.lat_deg, l.position.lon_deg));
  }
  py::dict d;
  d["index"] = index;
  d["id"] = p.id;
  d["name"] = p.name;
  d["kind"] = std::string(ProviderKindCode(p.kind));
  d["topics"] = CodesOf<Topic, kTopicCount>(p.topics, &TopicCode);
  d["languages"] = LanguageCodes(p.languages);
  d["modes"] = CodesOf<Mode, kModeCount>(p.modes, &ModeCode);
  d["access"] = CodesOf<Access, kAccessCount>(p.access, &AccessCode);
  d["radius_km"] = p.radius_km;
  d["capacity"] = p.capacity ? py::object(py::int_(*p.capacity)) : py::object(py::none());
  d["municipalities"] = py::tuple(py::cast(p.municipalities));
  d["locations"] = py::tuple(locations);
  d["has_service_area"] = p.has_service_area;
  return d;
}

py::tuple ReferralTuple(const DirectoryHandle& h, const Request& request, const Referral& r,
                        bool reasons) {
  const ProviderInfo& info = h.directory->provider(r.provider);
  py::object location = r.location >= 0 ? py::object(py::str(info.locations[r.location].id))
                                         : py::object(py::none());
  py::object distance = r.distance_m ? py::object(py::float_(*r.distance_m))
                                     : py::object(py::none());
  py::list why;
  if (reasons) {
    for (const std::string& reason : h.router.Reasons(request, r)) why.append(reason);
  }
  return py::make_tuple(r.provider, info.id, location, std::string(ModeCode(r.mode)),
                        r.cost_m, distance, why);
}

// --- route -------------------------------------------------------------------------

py::tuple Route(const DirectoryHandle& h, const RequestBatch& batch, long long k, bool explain) {
  if (batch.size() != 1) ThrowInvalid("route takes exactly one request");
  const Request& request = (*batch.requests)[0];
  RouteOptions options{.k = CheckK(k), .explain_no_match = explain, .threads = 1};
  RouteResult result;
  {
    py::gil_scoped_release release;
    result = h.router.Route(request, options);
  }
  py::list referrals;
  for (const Referral& r : result.referrals) {
    referrals.append(ReferralTuple(h, request, r, /*reasons=*/true));
  }
  return py::make_tuple(referrals, result.no_suitable_provider);
}

py::bytes RouteProto(const DirectoryHandle& h, const RequestBatch& batch, long long k,
                     bool explain) {
  if (batch.size() != 1) ThrowInvalid("route takes exactly one request");
  const Request& request = (*batch.requests)[0];
  RouteResult result =
      h.router.Route(request, {.k = CheckK(k), .explain_no_match = explain, .threads = 1});
  v1::RouteResult proto;
  h.router.ToProto(request, result, &proto);
  return Bytes(proto.SerializeAsString());
}

// Every request of `batch`, k referrals each, into (n, width) arrays; the GIL is
// released for the whole of the routing and copying.
py::dict RouteBatchArrays(const DirectoryHandle& h, const RequestBatch& batch, long long k_in,
                          int threads, bool explain) {
  const int k = CheckK(k_in);
  CheckThreads(threads);
  const std::vector<Request>& requests = *batch.requests;
  const size_t n = requests.size();
  // Asking for more referrals than can exist is not an error; the arrays are as wide
  // as the most referrals any request can get.
  const size_t width = std::max<size_t>(1, std::min<size_t>(k, h.max_referrals));
  const std::vector<py::ssize_t> shape{static_cast<py::ssize_t>(n),
                                       static_cast<py::ssize_t>(width)};
  py::array_t<int32_t> provider(shape), location(shape);
  py::array_t<int8_t> mode(shape);
  py::array_t<int64_t> cost(shape);
  py::array_t<double> distance(shape);
  int32_t* pprovider = provider.mutable_data();
  int32_t* plocation = location.mutable_data();
  int8_t* pmode = mode.mutable_data();
  int64_t* pcost = cost.mutable_data();
  double* pdistance = distance.mutable_data();
  std::vector<std::string> explanations(explain ? n : 0);
  {
    py::gil_scoped_release release;
    const RouteOptions options{.k = k, .explain_no_match = explain, .threads = threads};
    for (size_t begin = 0; begin < n; begin += kRouteSlice) {
      const size_t end = std::min(n, begin + kRouteSlice);
      std::vector<RouteResult> results = h.router.RouteBatch(
          std::span<const Request>(requests).subspan(begin, end - begin), options);
      for (size_t i = begin; i < end; ++i) {
        RouteResult& result = results[i - begin];
        const size_t row = i * width;
        size_t j = 0;
        for (const Referral& r : result.referrals) {
          pprovider[row + j] = static_cast<int32_t>(r.provider);
          plocation[row + j] = r.location;
          pmode[row + j] = static_cast<int8_t>(r.mode);
          pcost[row + j] = r.cost_m;
          pdistance[row + j] = r.distance_m ? *r.distance_m : std::nan("");
          ++j;
        }
        for (; j < width; ++j) {
          pprovider[row + j] = -1;
          plocation[row + j] = -1;
          pmode[row + j] = -1;
          pcost[row + j] = 0;
          pdistance[row + j] = std::nan("");
        }
        if (explain) explanations[i] = std::move(result.no_suitable_provider);
      }
    }
  }
  py::dict out;
  out["provider"] = provider;
  out["location"] = location;
  out["mode"] = mode;
  out["cost_m"] = cost;
  out["distance_m"] = distance;
  if (explain) out["no_suitable_provider"] = py::cast(explanations);
  return out;
}

// route.csv text (FormatRouteCsv) for arrays that RouteBatchArrays made.
std::string RouteCsv(const DirectoryHandle& h, const RequestBatch& batch,
                     py::array_t<int32_t, py::array::c_style | py::array::forcecast> provider,
                     py::array_t<int32_t, py::array::c_style | py::array::forcecast> location,
                     py::array_t<int8_t, py::array::c_style | py::array::forcecast> mode,
                     py::array_t<int64_t, py::array::c_style | py::array::forcecast> cost) {
  const size_t n = batch.size();
  if (provider.ndim() != 2 || static_cast<size_t>(provider.shape(0)) != n ||
      location.size() != provider.size() || mode.size() != provider.size() ||
      cost.size() != provider.size()) {
    ThrowInvalid("route arrays do not match the requests");
  }
  const size_t width = static_cast<size_t>(provider.shape(1));
  std::vector<RouteResult> results(n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < width; ++j) {
      const size_t at = i * width + j;
      const int32_t p = provider.data()[at];
      if (p < 0) break;
      // The arrays are the caller's to change: check every index before use.
      const int32_t l = location.data()[at];
      if (static_cast<size_t>(p) >= h.directory->size() || mode.data()[at] < 0 ||
          mode.data()[at] >= kModeCount || l < -1 ||
          l >= static_cast<int64_t>(h.directory->provider(p).locations.size())) {
        ThrowInvalid("route arrays do not match the directory");
      }
      Referral r;
      r.provider = static_cast<ProviderIndex>(p);
      r.location = location.data()[at];
      r.mode = static_cast<Mode>(mode.data()[at]);
      r.cost_m = cost.data()[at];
      results[i].referrals.push_back(r);
    }
  }
  return FormatRouteCsv(*h.directory, *batch.requests, results);
}

// --- match -------------------------------------------------------------------------

PlanHandle Match(std::shared_ptr<const DirectoryHandle> h, const RequestBatch& batch,
                 int threads, long long penalty) {
  CheckThreads(threads);
  if (penalty <= 0) ThrowInvalid("unassigned_penalty_m must be > 0, not " + std::to_string(penalty));
  // Matcher::Match REQUIRES unique ids; say which one is not.
  absl::flat_hash_map<std::string, size_t> seen;
  seen.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    auto [it, inserted] = seen.emplace((*batch.requests)[i].id, i);
    if (!inserted) {
      ThrowInvalid("request id '" + it->first + "' is used twice (rows " +
                   std::to_string(it->second) + " and " + std::to_string(i) +
                   "); match needs unique ids");
    }
  }
  PlanHandle plan{std::move(h), batch, {}};
  {
    py::gil_scoped_release release;
    MatchOptions options;
    options.unassigned_penalty_m = penalty;
    options.threads = threads;
    plan.plan = plan.directory->matcher.Match(*batch.requests, options);
  }
  return plan;
}

py::dict PlanArrays(const PlanHandle& p) {
  const size_t n = p.plan.lines.size();
  py::array_t<int32_t> provider(n), location(n);
  py::array_t<int8_t> mode(n), reason(n);
  py::array_t<int64_t> cost(n);
  for (size_t i = 0; i < n; ++i) {
    const PlanLine& line = p.plan.lines[i];
    provider.mutable_data()[i] = line.provider ? static_cast<int32_t>(*line.provider) : -1;
    location.mutable_data()[i] = line.location;
    mode.mutable_data()[i] = line.assigned() ? static_cast<int8_t>(line.mode) : -1;
    cost.mutable_data()[i] = line.cost_m;
    reason.mutable_data()[i] = static_cast<int8_t>(line.reason);
  }
  py::dict out;
  out["provider"] = provider;
  out["location"] = location;
  out["mode"] = mode;
  out["cost_m"] = cost;
  out["reason"] = reason;
  return out;
}

py::dict PlanStats(const PlanHandle& p) {
  const MatchStats& s = p.plan.stats;
  py::dict d;
  d["candidate_pairs"] = s.candidate_pairs;
  d["extensions"] = s.extensions;
  d["search_steps"] = s.search_steps;
  d["candidate_seconds"] = s.candidate_seconds;
  d["solve_seconds"] = s.solve_seconds;
  return d;
}

// --- ledger ------------------------------------------------------------------------

// A CapacityLedger with the directory (and router) it books against.
struct LedgerHandle {
  explicit LedgerHandle(std::shared_ptr<const DirectoryHandle> d)
      : directory(std::move(d)), ledger(directory->directory) {}
  std::shared_ptr<const DirectoryHandle> directory;
  CapacityLedger ledger;
};

ProviderIndex CheckProvider(const LedgerHandle& l, long long index) {
  if (index < 0 || index >= static_cast<long long>(l.directory->directory->size())) {
    throw StatusError(absl::OutOfRangeError("provider index " + std::to_string(index) +
                                            " is outside 0.." +
                                            std::to_string(l.directory->directory->size()) +
                                            " (exclusive)"),
                      Subject::kValue);
  }
  return static_cast<ProviderIndex>(index);
}

py::tuple RouteAndReserve(LedgerHandle& l, const RequestBatch& batch) {
  if (batch.size() != 1) ThrowInvalid("route_and_reserve takes exactly one request");
  const Request& request = (*batch.requests)[0];
  absl::StatusOr<BookedReferral> booked;
  {
    py::gil_scoped_release release;
    booked = l.ledger.RouteAndReserve(l.directory->router, request);
  }
  BookedReferral b = ValueOrThrow(std::move(booked));
  return py::make_tuple(ReferralTuple(*l.directory, request, b.referral, /*reasons=*/true),
                        b.reservation.provider, b.reservation.ticket);
}

// --- requests ----------------------------------------------------------------------

RequestBatch BatchFromSerialized(py::handle data) {
  std::string bytes = AsBytes(data, "RequestBatch");
  v1::RequestBatch proto;
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !proto.ParseFromString(bytes)) {
    ThrowInvalid("not a wegwijzer.v1.RequestBatch (" + std::to_string(bytes.size()) +
                 " bytes could not be parsed)");
  }
  auto requests = std::make_shared<std::vector<Request>>();
  requests->reserve(proto.requests_size());
  for (const v1::Request& r : proto.requests()) {
    requests->push_back(ValueOrThrow(Request::FromProto(r)));
  }
  return RequestBatch{std::move(requests)};
}

py::bytes BatchToSerialized(const RequestBatch& batch) {
  v1::RequestBatch proto;
  for (const Request& r : *batch.requests) r.ToProto(proto.add_requests());
  return Bytes(proto.SerializeAsString());
}

// --- benchmark helper --------------------------------------------------------------

// Wall seconds of one Router::RouteBatch over the whole batch, from C++; the GIL is
// released and the answers are discarded after the clock stops.
double TimeRouteBatch(const DirectoryHandle& h, const RequestBatch& batch, long long k,
                      int threads, bool explain) {
  const RouteOptions options{.k = CheckK(k), .explain_no_match = explain,
                             .threads = CheckThreads(threads)};
  py::gil_scoped_release release;
  const auto start = std::chrono::steady_clock::now();
  std::vector<RouteResult> results = h.router.RouteBatch(*batch.requests, options);
  const auto stop = std::chrono::steady_clock::now();
  return std::chrono::duration<double>(stop - start).count();
}

}  // namespace
}  // namespace wegwijzer::python

namespace wegwijzer::python {
void RegisterCoverage(py::module_& m);  // coverage.cc
}  // namespace wegwijzer::python

PYBIND11_MODULE(_core, m) {
  using namespace wegwijzer;          // NOLINT: the module body names many library types
  using namespace wegwijzer::python;  // NOLINT
  m.doc() = "The compiled core of the wegwijzer package; use the wegwijzer package instead.";
  RegisterStatusTranslator(m);
  RegisterCoverage(m);
  m.attr("__version__") = WEGWIJZER_VERSION;

  m.attr("TOPICS") = AllCodes<Topic, kTopicCount>(&TopicCode);
  m.attr("MODES") = AllCodes<Mode, kModeCount>(&ModeCode);
  m.attr("ACCESS") = AllCodes<Access, kAccessCount>(&AccessCode);
  m.attr("PROVIDER_KINDS") = AllCodes<ProviderKind, kProviderKindCount>(&ProviderKindCode);
  m.attr("UNASSIGNED_REASONS") = py::make_tuple(
      py::none(), std::string(UnassignedReasonCode(UnassignedReason::kNoSuitableProvider)),
      std::string(UnassignedReasonCode(UnassignedReason::kCapacityExhausted)));
  m.attr("REMOTE_COST_M") = kRemoteCostMeters;

  m.def("topic_mask", [](py::handle v) { return ParseTopics(v).bits(); }, py::arg("codes"));
  m.def("mode_mask", [](py::handle v) { return ParseModes(v).bits(); }, py::arg("codes"));
  m.def("access_mask", [](py::handle v) { return ParseAccess(v).bits(); }, py::arg("codes"));
  m.def("language_codes", [](py::handle v) { return LanguageCodes(ParseLanguages(v)); },
        py::arg("codes"));
  m.def("haversine_m", [](double lat1, double lon1, double lat2, double lon2) {
    return HaversineMeters({lat1, lon1}, {lat2, lon2});
  });

  py::class_<RequestBatch>(m, "RequestBatch")
      .def_static("from_columns", &RequestBatchFromColumns, py::arg("n"), py::arg("id"),
                  py::arg("lat"), py::arg("lon"), py::arg("topics"), py::arg("languages"),
                  py::arg("modes"), py::arg("access"), py::arg("max_km"), py::arg("priority"),
                  py::arg("municipality"))
      .def_static("from_csv", [](const std::string& path, bool skip_bad_rows) {
        absl::StatusOr<RequestsCsv> csv;
        {
          py::gil_scoped_release release;
          csv = ReadRequestsCsv(path, {.skip_bad_rows = skip_bad_rows});
        }
        RequestsCsv read = ValueOrThrow(std::move(csv), Subject::kFile);
        auto requests = std::make_shared<const std::vector<Request>>(std::move(read.requests));
        return py::make_tuple(RequestBatch{std::move(requests)}, ReportTuple(read.report),
                              read.lines);
      }, py::arg("path"), py::arg("skip_bad_rows"))
      .def_static("from_serialized", &BatchFromSerialized, py::arg("data"))
      .def("to_serialized", &BatchToSerialized)
      .def("columns", &RequestBatchColumns)
      .def("ids", [](const RequestBatch& b) {
        py::list ids(b.size());
        for (size_t i = 0; i < b.size(); ++i) ids[i] = py::str((*b.requests)[i].id);
        return ids;
      })
      .def("requests_csv", [](const RequestBatch& b) { return FormatRequestsCsv(*b.requests); })
      .def("__len__", &RequestBatch::size)
      .def("select", [](const RequestBatch& b, py::array_t<int64_t, py::array::c_style | py::array::forcecast> rows) {
        auto requests = std::make_shared<std::vector<Request>>();
        requests->reserve(rows.size());
        for (py::ssize_t i = 0; i < rows.size(); ++i) {
          int64_t row = rows.data()[i];
          if (row < 0) row += static_cast<int64_t>(b.size());
          if (row < 0 || row >= static_cast<int64_t>(b.size())) {
            throw StatusError(absl::OutOfRangeError("request row " + std::to_string(rows.data()[i]) +
                                                    " is outside a batch of " + std::to_string(b.size())),
                              Subject::kValue);
          }
          requests->push_back((*b.requests)[row]);
        }
        return RequestBatch{std::move(requests)};
      }, py::arg("rows"));

  py::class_<DirectoryHandle, std::shared_ptr<DirectoryHandle>>(m, "Directory")
      .def_static("from_csv", [](const std::string& path, bool skip_bad_rows) {
        absl::StatusOr<ProvidersCsv> csv;
        std::shared_ptr<DirectoryHandle> handle;
        {
          py::gil_scoped_release release;
          csv = ReadProvidersCsv(path, {.skip_bad_rows = skip_bad_rows});
          if (csv.ok()) handle = std::make_shared<DirectoryHandle>(csv->directory);
        }
        ProvidersCsv read = ValueOrThrow(std::move(csv), Subject::kFile);
        return py::make_tuple(handle, ReportTuple(read.report));
      }, py::arg("path"), py::arg("skip_bad_rows"))
      .def_static("from_serialized", [](py::handle data, const std::string& source_name) {
        std::string bytes = AsBytes(data, "DirectorySnapshot");
        absl::StatusOr<std::shared_ptr<const Directory>> directory;
        {
          py::gil_scoped_release release;
          directory = Directory::FromSerialized(bytes, source_name);
        }
        return std::make_shared<DirectoryHandle>(ValueOrThrow(std::move(directory)));
      }, py::arg("data"), py::arg("source_name"))
      .def("to_serialized", [](const DirectoryHandle& h) {
        return Bytes(h.directory->snapshot().SerializeAsString());
      })
      .def("providers_csv", [](const DirectoryHandle& h) { return FormatProvidersCsv(*h.directory); })
      .def("__len__", [](const DirectoryHandle& h) { return h.directory->size(); })
      .def_property_readonly("source", [](const DirectoryHandle& h) {
        return h.directory->snapshot().source();
      })
      .def_property_readonly("max_referrals", [](const DirectoryHandle& h) { return h.max_referrals; })
      .def("provider_ids", [](const DirectoryHandle& h) {
        py::list ids(h.directory->size());
        for (ProviderIndex i = 0; i < h.directory->size(); ++i) ids[i] = py::str(h.directory->provider(i).id);
        return ids;
      })
      .def("provider", [](const DirectoryHandle& h, long long i) { return ProviderDict(*h.directory, i); },
           py::arg("index"))
      .def("find", [](const DirectoryHandle& h, const std::string& id) -> py::object {
        std::optional<ProviderIndex> i = h.directory->Find(id);
        return i ? py::object(py::int_(*i)) : py::object(py::none());
      }, py::arg("id"))
      .def("route", &Route, py::arg("request"), py::arg("k"), py::arg("explain"))
      .def("route_proto", &RouteProto, py::arg("request"), py::arg("k"), py::arg("explain"))
      .def("route_batch", &RouteBatchArrays, py::arg("requests"), py::arg("k"),
           py::arg("threads"), py::arg("explain"))
      .def("route_csv", &RouteCsv, py::arg("requests"), py::arg("provider"),
           py::arg("location"), py::arg("mode"), py::arg("cost_m"))
      .def("match", [](std::shared_ptr<DirectoryHandle> h, const RequestBatch& batch, int threads,
                       long long penalty) { return Match(std::move(h), batch, threads, penalty); },
           py::arg("requests"), py::arg("threads"), py::arg("unassigned_penalty_m"))
      .def("time_route_batch", &TimeRouteBatch, py::arg("requests"), py::arg("k"),
           py::arg("threads"), py::arg("explain"));

  py::class_<LedgerHandle>(m, "CapacityLedger")
      .def(py::init([](std::shared_ptr<DirectoryHandle> d) {
        return std::make_unique<LedgerHandle>(std::move(d));
      }), py::arg("directory"))
      .def("reserve", [](LedgerHandle& l, long long provider) {
        Reservation r = ValueOrThrow(l.ledger.Reserve(CheckProvider(l, provider)));
        return py::make_tuple(r.provider, r.ticket);
      }, py::arg("provider"))
      .def("release", [](LedgerHandle& l, long long provider, uint64_t ticket) {
        ThrowIfError(l.ledger.Release({CheckProvider(l, provider), ticket}));
      }, py::arg("provider"), py::arg("ticket"))
      .def("reserved", [](const LedgerHandle& l, long long provider) {
        return l.ledger.Reserved(CheckProvider(l, provider));
      }, py::arg("provider"))
      .def("remaining", [](const LedgerHandle& l, long long provider) {
        return l.ledger.Remaining(CheckProvider(l, provider));
      }, py::arg("provider"))
      .def("route_and_reserve", &RouteAndReserve, py::arg("request"));

  py::class_<PlanHandle>(m, "MatchPlan")
      .def_property_readonly("objective", [](const PlanHandle& p) { return p.plan.objective; })
      .def_property_readonly("stats", &PlanStats)
      .def_property_readonly("requests", [](const PlanHandle& p) { return p.requests; })
      .def("arrays", &PlanArrays)
      .def("__len__", [](const PlanHandle& p) { return p.plan.lines.size(); })
      .def("to_serialized", [](const PlanHandle& p) {
        v1::MatchPlan proto;
        p.directory->matcher.ToProto(*p.requests.requests, p.plan, &proto);
        return Bytes(proto.SerializeAsString());
      })
      .def("plan_csv", [](const PlanHandle& p) {
        return FormatPlanCsv(*p.directory->directory, *p.requests.requests, p.plan);
      });

  m.def("write_file", [](const std::string& path, py::bytes contents) {
    std::string text = contents;
    absl::Status status;
    {
      py::gil_scoped_release release;
      status = WriteFileAtomically(path, text);
    }
    ThrowIfError(status, Subject::kFile);
  }, py::arg("path"), py::arg("contents"));

  m.def("generate_scenario", [](uint64_t seed, int providers, int requests, int towns,
                                double remote_share) {
    if (providers < 0 || requests < 0 || towns < 0) {
      ThrowInvalid("providers, requests and towns must be >= 0");
    }
    if (!(remote_share >= 0 && remote_share <= 1)) ThrowInvalid("remote_share must lie in 0..1");
    Scenario scenario;
    absl::StatusOr<std::shared_ptr<const Directory>> directory;
    std::shared_ptr<DirectoryHandle> handle;
    {
      py::gil_scoped_release release;
      scenario = GenerateScenario({.seed = seed, .providers = providers, .requests = requests,
                                   .towns = towns, .remote_share = remote_share});
      directory = Directory::Create(scenario.directory);
      if (directory.ok()) handle = std::make_shared<DirectoryHandle>(*directory);
    }
    ThrowIfError(directory.status());
    auto batch = std::make_shared<const std::vector<Request>>(std::move(scenario.requests));
    return py::make_tuple(handle, RequestBatch{std::move(batch)});
  }, py::arg("seed"), py::arg("providers"), py::arg("requests"), py::arg("towns"),
     py::arg("remote_share"));
}
