#include "directory.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "convert.h"
#include "module.h"
#include "plan.h"
#include "request_batch.h"
#include "status.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/v1/directory.pb.h"
#include "wegwijzer/v1/plan.pb.h"
#include "wegwijzer/v1/request.pb.h"

namespace py = pybind11;

namespace wegwijzer::python {

Directory::Directory(std::shared_ptr<const wegwijzer::Directory> d)
    : directory(std::move(d)), router(directory), matcher(directory) {
  for (size_t i = 0; i < directory->size(); ++i) {
    max_referrals += std::max<size_t>(1, directory->provider(ProviderIndex(i)).locations.size());
  }
}

py::tuple ReferralTuple(const Directory& h, const Request& request, const Referral& r,
                        bool reasons) {
  const ProviderInfo& info = h.directory->provider(r.provider);
  py::object location = r.location.has_value()
                            ? py::object(py::str(info.locations[r.location.value()].id))
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

namespace {

// RouteBatch is called on slices of this many requests, so the answers held in
// C++ form between routing and copying into NumPy stay small (about 20 MB) however
// long the batch is.
constexpr size_t kRouteSlice = 1 << 16;

py::dict ProviderDict(const wegwijzer::Directory& directory, long long index) {
  if (index < 0 || index >= static_cast<long long>(directory.size())) {
    throw StatusError(absl::OutOfRangeError("provider index " + std::to_string(index) +
                                            " is outside 0.." +
                                            std::to_string(directory.size()) + " (exclusive)"),
                      Subject::kValue);
  }
  const ProviderInfo& p = directory.provider(ProviderIndex(static_cast<size_t>(index)));
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

// --- route -------------------------------------------------------------------------

py::tuple Route(const Directory& h, const RequestBatch& batch, long long k, bool explain) {
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

py::bytes RouteProto(const Directory& h, const RequestBatch& batch, long long k,
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
// released for the whole of the routing and copying. Routed by TryRouteBatch a slice
// at a time: MemoryError (the library's sentence) when a slice's results would pass
// max_memory_bytes (nullopt: RouteOptions' DEFAULT) or the machine runs out.
py::dict RouteBatchArrays(const Directory& h, const RequestBatch& batch, long long k_in,
                          int threads, bool explain, std::optional<int64_t> max_memory_bytes) {
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
    RouteOptions options{.k = k, .explain_no_match = explain, .threads = threads};
    if (max_memory_bytes) options.max_memory_bytes = *max_memory_bytes;
    for (size_t begin = 0; begin < n; begin += kRouteSlice) {
      const size_t end = std::min(n, begin + kRouteSlice);
      std::vector<RouteResult> results = ValueOrThrow(
          h.router.TryRouteBatch(std::span<const Request>(requests).subspan(begin, end - begin),
                                 options),
          Subject::kMemory);
      for (size_t i = begin; i < end; ++i) {
        RouteResult& result = results[i - begin];
        const size_t row = i * width;
        size_t j = 0;
        for (const Referral& r : result.referrals) {
          pprovider[row + j] = ColumnOf(r.provider);
          plocation[row + j] = ColumnOf(r.location);
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
std::string RouteCsv(const Directory& h, const RequestBatch& batch,
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
          l >= static_cast<int64_t>(h.directory->provider(ProviderIndex(static_cast<size_t>(p)))
                                     .locations.size())) {
        ThrowInvalid("route arrays do not match the directory");
      }
      Referral r;
      r.provider = ProviderIndex(static_cast<size_t>(p));
      r.location = LocationOfColumn(l);
      r.mode = static_cast<Mode>(mode.data()[at]);
      r.cost_m = cost.data()[at];
      r.next_opening = h.router.NextOpening((*batch.requests)[i], r);
      results[i].referrals.push_back(r);
    }
  }
  return FormatRouteCsv(*h.directory, *batch.requests, results);
}

// --- benchmark helper --------------------------------------------------------------

// Wall seconds of one Router::RouteBatch over the whole batch, from C++; the GIL is
// released and the answers are discarded after the clock stops.
double TimeRouteBatch(const Directory& h, const RequestBatch& batch, long long k,
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

void BindDirectory(py::module_& m) {
  py::class_<Directory, std::shared_ptr<Directory>>(m, "Directory")
      .def_static("from_csv", [](const std::string& path, bool skip_bad_rows) {
        absl::StatusOr<ProvidersCsv> csv;
        std::shared_ptr<Directory> handle;
        {
          py::gil_scoped_release release;
          csv = ReadProvidersCsv(path, {.skip_bad_rows = skip_bad_rows});
          if (csv.ok()) handle = std::make_shared<Directory>(csv->directory);
        }
        ProvidersCsv read = ValueOrThrow(std::move(csv), Subject::kFile);
        return py::make_tuple(handle, ReportTuple(read.report));
      }, py::arg("path"), py::arg("skip_bad_rows"))
      .def_static("from_serialized", [](py::handle data, const std::string& source_name) {
        std::string bytes = AsBytes(data, "DirectorySnapshot");
        absl::StatusOr<std::shared_ptr<const wegwijzer::Directory>> directory;
        {
          py::gil_scoped_release release;
          directory = wegwijzer::Directory::FromSerialized(bytes, source_name);
        }
        return std::make_shared<Directory>(ValueOrThrow(std::move(directory)));
      }, py::arg("data"), py::arg("source_name"))
      .def("to_serialized", [](const Directory& h) {
        return Bytes(h.directory->snapshot().SerializeAsString());
      })
      .def("providers_csv", [](const Directory& h) { return FormatProvidersCsv(*h.directory); })
      .def("__len__", [](const Directory& h) { return h.directory->size(); })
      .def_property_readonly("source", [](const Directory& h) {
        return h.directory->snapshot().source();
      })
      .def_property_readonly("max_referrals", [](const Directory& h) { return h.max_referrals; })
      .def("provider_ids", [](const Directory& h) {
        py::list ids(h.directory->size());
        for (size_t i = 0; i < h.directory->size(); ++i) ids[i] = py::str(h.directory->provider(ProviderIndex(i)).id);
        return ids;
      })
      .def("provider", [](const Directory& h, long long i) { return ProviderDict(*h.directory, i); },
           py::arg("index"))
      .def("find", [](const Directory& h, const std::string& id) -> py::object {
        std::optional<ProviderIndex> i = h.directory->Find(id);
        return i ? py::object(py::int_(i->value())) : py::object(py::none());
      }, py::arg("id"))
      .def("route", &Route, py::arg("request"), py::arg("k"), py::arg("explain"))
      .def("route_proto", &RouteProto, py::arg("request"), py::arg("k"), py::arg("explain"))
      .def("route_batch", &RouteBatchArrays, py::arg("requests"), py::arg("k"),
           py::arg("threads"), py::arg("explain"), py::arg("max_memory_bytes"))
      .def("route_csv", &RouteCsv, py::arg("requests"), py::arg("provider"),
           py::arg("location"), py::arg("mode"), py::arg("cost_m"))
      .def("match", [](std::shared_ptr<Directory> h, const RequestBatch& batch, int threads,
                       long long penalty, std::optional<int64_t> max_memory_bytes,
                       std::optional<std::string> solver) {
             return Match(std::move(h), batch, threads, penalty, max_memory_bytes, solver);
           },
           py::arg("requests"), py::arg("threads"), py::arg("unassigned_penalty_m"),
           py::arg("max_memory_bytes"), py::arg("solver"))
      .def("time_route_batch", &TimeRouteBatch, py::arg("requests"), py::arg("k"),
           py::arg("threads"), py::arg("explain"));

}

}  // namespace wegwijzer::python
