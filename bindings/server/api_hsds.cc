// The HSDS API 3.0 read endpoints beyond GET / and /services (api.h): the records
// and filters are the library's (openreferral.h); this file maps HTTP onto them.
//   GET /organizations, /organizations/{id}
//   GET /service_at_locations[?postcode=], /service_at_locations/{id}
//   GET /taxonomies, /taxonomies/{id}, /taxonomy_terms, /taxonomy_terms/{id}
// Lists take page (>= 1), per_page (1..max_per_page) and format (json | ndjson: one
// record per line, application/x-ndjson, no paging envelope): SetHsdsListParameter.
// /service_at_locations?postcode=P&proximity=M: within M metres of the centroid of P's
// area (the gazetteer's), nearest first; postcode alone: the address prefix match.
#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api.h"
#include "api_internal.h"
#include "core/text.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/gazetteer.h"
#include "wegwijzer/openreferral.h"
#include "wegwijzer/v1/directory.pb.h"

namespace wegwijzer::server::api_internal {
namespace {

namespace internal = ::wegwijzer::internal;


// Reads the paging parameters into *paging; any other parameter goes to `other`
// (which answers an error message, or empty when it took the parameter).
std::optional<HttpResponse> ReadParameters(
    std::string_view query, const ApiOptions& options, HsdsListQuery* paging,
    const std::function<std::string(const std::string&, const std::string&)>& other) {
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> parameters = ParseQuery(query);
  if (!parameters.ok()) return Api::Error(400, std::string(parameters.status().message()));
  for (const auto& [name, value] : *parameters) {
    const absl::Status set =
        SetHsdsListParameter(name, value, options.max_per_page, /*services=*/false, paging);
    if (set.ok()) continue;
    if (set.code() != absl::StatusCode::kNotFound) return Api::Error(400, std::string(set.message()));
    if (std::string message = other(name, value); !message.empty()) return Api::Error(400, message);
  }
  return std::nullopt;
}

HttpResponse List(const std::vector<HsdsRecord>& records, const std::vector<int>* found,
                  const HsdsListQuery& paging) {
  const int64_t total = found ? static_cast<int64_t>(found->size()) : static_cast<int64_t>(records.size());
  auto at = [&](int64_t i) -> const std::string& { return records[found ? (*found)[i] : i].json; };
  HttpResponse response;
  if (paging.ndjson) {
    response.content_type = "application/x-ndjson";
    for (int64_t i = 0; i < total; ++i) internal::Append(&response.body, at(i), "\n");
    return response;
  }
  const int64_t first = std::min(total, (paging.page - 1) * paging.per_page);
  const int64_t last = std::min(total, first + paging.per_page);
  std::vector<std::string> contents;
  contents.reserve(static_cast<size_t>(last - first));
  for (int64_t i = first; i < last; ++i) contents.push_back(at(i));
  response.body = FormatHsdsPage(contents, total, paging.page, paging.per_page);
  return response;
}

HttpResponse One(const std::vector<HsdsRecord>& records, std::string_view raw_id,
                 std::string_view kind) {
  absl::StatusOr<std::string> id = DecodeQueryComponent(raw_id);
  if (!id.ok()) return Api::Error(400, internal::Cat(kind, " id: ", std::string(id.status().message())));
  for (const HsdsRecord& r : records) {
    if (r.id == *id) {
      HttpResponse response;
      response.body = r.json + "\n";
      return response;
    }
  }
  return Api::Error(404, internal::Cat("no ", kind, " with id '", id->substr(0, 200), "'"));
}

std::string Unknown(const std::string& name, std::string_view known) {
  return internal::Cat("unknown parameter '", name.substr(0, 100), "' (known: ", known, ")");
}

}  // namespace

std::optional<HttpResponse> HsdsRead(const HttpRequest& request, std::string_view path,
                                     std::string_view query, const ServedDirectory& served,
                                     const Gazetteer* gazetteer, const ApiOptions& options) {
  struct Endpoint {
    std::string_view path, kind;
    std::vector<HsdsRecord> (*records)(const v1::HsdsDirectory&);
  };
  static constexpr Endpoint kEndpoints[] = {
      {"/organizations", "organization", &FormatHsdsOrganizations},
      {"/service_at_locations", "service_at_location", &FormatHsdsServiceAtLocations},
      {"/taxonomies", "taxonomy", &FormatHsdsTaxonomies},
      {"/taxonomy_terms", "taxonomy_term", &FormatHsdsTaxonomyTerms},
  };
  for (const Endpoint& e : kEndpoints) {
    const bool list = path == e.path;
    const bool one = !list && path.size() > e.path.size() + 1 && path.starts_with(e.path) &&
                     path[e.path.size()] == '/' &&
                     path.find('/', e.path.size() + 1) == std::string_view::npos;
    if (!list && !one) continue;
    if (request.method != "GET") {
      HttpResponse response = Api::Error(405, "method not allowed; use GET");
      response.headers.emplace_back("Allow", "GET");
      return response;
    }
    const v1::HsdsDirectory& hsds = served.directory->snapshot().hsds();
    // O(directory) per request: these lists are formatted when asked for (GET
    // /services' records are formatted once, in Serve).
    const std::vector<HsdsRecord> records = e.records(hsds);
    if (one) return One(records, path.substr(e.path.size() + 1), e.kind);
    HsdsListQuery paging;
    paging.per_page = std::min<int64_t>(paging.per_page, options.max_per_page);
    std::string postcode, proximity;
    bool has_proximity = false;
    const bool sal = e.path == "/service_at_locations";
    std::optional<HttpResponse> error = ReadParameters(
        query, options, &paging, [&](const std::string& name, const std::string& value) {
          if (sal && name == "postcode") {
            postcode = value;
            return std::string();
          }
          if (sal && name == "proximity") {
            proximity = value;
            has_proximity = true;
            return std::string();
          }
          return Unknown(name, sal ? "page, per_page, format, postcode, proximity"
                                   : "page, per_page, format");
        });
    if (error) return error;
    if (has_proximity) {
      // Metres from the centroid of the postcode's area (the OpenAPI's reading),
      // nearest first; the centroid is the gazetteer's (PC4).
      absl::StatusOr<double> metres = ParseHsdsProximity(proximity);
      if (!metres.ok()) return Api::Error(400, std::string(metres.status().message()));
      if (postcode.empty()) {
        return Api::Error(400, "proximity: needs a postcode (the distance is measured from the "
                               "centroid of the postcode's area)");
      }
      if (gazetteer == nullptr || gazetteer->postcode_count() == 0) {
        return Api::Error(400, "proximity: this server has no postcode table (start it with "
                               "--municipalities and --postcodes)");
      }
      if (!Gazetteer::ParsePostcode(postcode)) {
        return Api::Error(400, internal::Cat("postcode: '", postcode.substr(0, 20),
                                             "' is not a Dutch postcode (1011 or 1011 AB)"));
      }
      const std::optional<PostcodeArea> area = gazetteer->Postcode(postcode);
      if (!area) {
        return Api::Error(400, internal::Cat("postcode: '", postcode.substr(0, 20),
                                             "' is not in this server's postcode table"));
      }
      std::vector<int> found;
      for (const HsdsNearby& n : FindHsdsServiceAtLocationsNear(hsds, area->centroid, *metres)) {
        found.push_back(n.index);
      }
      return List(records, &found, paging);
    }
    if (sal && !postcode.empty()) {
      const std::vector<int> found = FindHsdsServiceAtLocations(hsds, postcode);
      return List(records, &found, paging);
    }
    return List(records, nullptr, paging);
  }
  return std::nullopt;
}

}  // namespace wegwijzer::server::api_internal
